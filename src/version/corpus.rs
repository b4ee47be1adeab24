//! The extraction rules measured on real programs: what they print for
//! `--version`, each with the version a person reads in it, or `none`
//! (tests/fixtures/versions/, made by scripts/version-corpus.py; its
//! README.md says how).
//!
//! Two corpora, kept apart: `corpus-1.jsonl`, 1 573 programs of the Debian
//! 12 build-agent image the rules were first written against, and
//! `corpus-2.jsonl`, the programs of packages that image lacks, captured
//! and labelled before the rules were changed for them.
//!
//! Every program must give its labelled version, or the result its
//! `known` field gives (with `why`); so any change in any program's result
//! fails here, for the better (update `known`) or the worse. Over the
//! programs that exit 0, at least 97 % read right, a wrong
//! number for at most 0.5 %, no printed version missed unless `known` says
//! why, more read right than the naive rule (the first
//! `\d+\.\d+(\.\d+)*` in stdout, then stderr), and no version the previous
//! rule (the first dotted token on the earliest line) read right lost.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{extract, scan_tokens, Version};

/// One program: a line of a corpus file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[allow(dead_code)]
    args: Vec<String>,
    /// Variables it ran with besides the usual ones (the JVM's
    /// `JAVA_TOOL_OPTIONS`): a program may be there once without, once with.
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// The version a person reads, or null.
    label: Option<String>,
    /// Its exit code; 124 when it timed out.
    exit: Option<i32>,
    #[allow(dead_code)]
    package: Option<String>,
    /// How long it was given, in seconds, when not the usual 3.
    #[serde(default)]
    #[allow(dead_code)]
    timeout: Option<u32>,
    stdout: String,
    stderr: String,
    /// What the rules read instead of the label (`none` for nothing), when
    /// they do not read the label; `why` says why.
    #[serde(default)]
    known: Option<String>,
    #[serde(default)]
    why: Option<String>,
}

fn read_corpus(file: &str) -> Vec<Entry> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/versions")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let entries: Vec<Entry> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1)))
        .collect();
    for pair in entries.windows(2) {
        assert!(
            (&pair[0].name, &pair[0].env) < (&pair[1].name, &pair[1].env),
            "{file}: {} before {}: one line a program, sorted by name",
            pair[0].name,
            pair[1].name
        );
    }
    for e in &entries {
        assert_eq!(
            e.known.is_some(),
            e.why.as_deref().is_some_and(|w| !w.trim().is_empty()),
            "{file}: {}: `known` goes with a `why`",
            e.name
        );
    }
    entries
}

/// A label is read by the same rules as output, alone on its line.
fn read_label(text: &str) -> Option<Version> {
    extract(&[("label", text)], &[]).map(|f| f.version)
}

fn same(a: &Version, b: &Version) -> bool {
    a.parts == b.parts && a.pre == b.pre
}

fn shown(v: &Option<Version>) -> String {
    v.as_ref().map_or("none".into(), |v| v.text.clone())
}

/// The rule before this one: the first dotted token on the earliest line
/// that has one, else the first bare number.
fn previous_rule(output: &str) -> Option<Version> {
    output
        .lines()
        .find_map(|line| scan_tokens(line).find(|t| t.dotted))
        .or_else(|| output.lines().find_map(|line| scan_tokens(line).next()))
        .map(|t| t.version)
}

/// The naive rule: the first `\d+\.\d+(\.\d+)*` in stdout, else in stderr.
fn naive_rule(stdout: &str, stderr: &str) -> Option<Version> {
    fn first(text: &str) -> Option<Version> {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            let mut parts = Vec::new();
            loop {
                let run = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                parts.push(text[run..i].parse::<u64>().unwrap_or(u64::MAX));
                if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                } else {
                    break;
                }
            }
            if parts.len() >= 2 {
                return Some(Version {
                    parts,
                    pre: None,
                    text: text[start..i].to_string(),
                });
            }
        }
        None
    }
    first(stdout).or_else(|| first(stderr))
}

/// Right, a wrong number, and a printed version not read, over the
/// programs that exit 0.
#[derive(Default, Debug)]
struct Tally {
    right: usize,
    wrong: usize,
    missed: usize,
}

impl Tally {
    fn add(&mut self, got: &Option<Version>, label: &Option<Version>) {
        match (got, label) {
            (Some(g), Some(l)) if same(g, l) => self.right += 1,
            (None, None) => self.right += 1,
            (None, Some(_)) => self.missed += 1,
            _ => self.wrong += 1,
        }
    }

    fn shown(&self, of: usize) -> String {
        let pc = |n: usize| 100.0 * n as f64 / of as f64;
        format!(
            "right {} ({:.1} %), wrong number {} ({:.2} %), printed but none read {}",
            self.right,
            pc(self.right),
            self.wrong,
            pc(self.wrong),
            self.missed
        )
    }
}

fn check_corpus(file: &str, at_least: usize) {
    let entries = read_corpus(file);
    assert!(
        entries.len() >= at_least,
        "{file}: only {} programs",
        entries.len()
    );
    let (mut exit_zero, mut probe, mut naive) = (0usize, Tally::default(), Tally::default());
    let (mut wrong, mut missed, mut lost, mut unexpected) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for e in &entries {
        let label = e.label.as_deref().map(|v| {
            read_label(v).unwrap_or_else(|| panic!("{file}: {}: label `{v}` is no version", e.name))
        });
        let path = format!("/usr/bin/{}", e.name);
        let names = [e.name.as_str(), path.as_str()];
        let got =
            extract(&[("stdout", &e.stdout), ("stderr", &e.stderr)], &names).map(|f| f.version);
        let right = match (&got, &label) {
            (Some(g), Some(l)) => same(g, l),
            (None, None) => true,
            _ => false,
        };
        let result = shown(&got);
        match &e.known {
            Some(listed) if *listed != result => unexpected.push(format!(
                "{}: `known` says {listed}, now {result} (label {})",
                e.name,
                shown(&label)
            )),
            Some(_) if right => unexpected.push(format!(
                "{}: reads its label {result} now: drop its `known`",
                e.name
            )),
            None if !right => unexpected.push(format!(
                "{}: read {result}, labelled {}",
                e.name,
                shown(&label)
            )),
            _ => {}
        }
        if e.exit != Some(0) {
            continue;
        }
        exit_zero += 1;
        probe.add(&got, &label);
        naive.add(&naive_rule(&e.stdout, &e.stderr), &label);
        if got.is_some() && !right {
            wrong.push(e.name.as_str());
        }
        if got.is_none() && label.is_some() && e.known.is_none() {
            missed.push(e.name.as_str());
        }
        let before = previous_rule(&format!("{}\n{}", e.stdout, e.stderr));
        let before_right = match (&before, &label) {
            (Some(b), Some(l)) => same(b, l),
            (None, None) => true,
            _ => false,
        };
        if before_right && !right && label.is_some() {
            lost.push(e.name.as_str());
        }
    }
    println!(
        "{file}: {} programs, {exit_zero} exit 0\n  probe: {}\n  naive: {}",
        entries.len(),
        probe.shown(exit_zero),
        naive.shown(exit_zero),
    );
    assert!(
        unexpected.is_empty(),
        "{file}: {} programs read otherwise than their label or `known`:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        wrong.len() * 200 <= exit_zero,
        "{file}: a wrong number for {} of {exit_zero} programs that exit 0 (at most 0.5 %): {wrong:?}",
        wrong.len()
    );
    assert!(
        probe.right * 100 >= exit_zero * 97,
        "{file}: {} of {exit_zero} programs that exit 0 read right (at least 97 %)",
        probe.right
    );
    assert!(
        missed.is_empty(),
        "{file}: a printed version not read, and no `known` says why: {missed:?}"
    );
    assert!(
        probe.right > naive.right && probe.wrong < naive.wrong.max(1),
        "{file}: not ahead of the naive rule: probe {probe:?}, naive {naive:?}"
    );
    assert!(
        lost.is_empty(),
        "{file}: read right by the previous rule, not any more: {lost:?}"
    );
}

#[test]
fn the_first_corpus_reads_as_labelled() {
    check_corpus("corpus-1.jsonl", 1500);
}

#[test]
fn the_second_corpus_reads_as_labelled() {
    check_corpus("corpus-2.jsonl", 500);
}
