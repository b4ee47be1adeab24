//! The extraction rules measured on real programs: what 1 573 programs of
//! a Debian 12 machine print for `--version` (tests/fixtures/versions/,
//! made by scripts/version-corpus.py), each with the version a person reads
//! in it, or `none`.
//!
//! Every program must give its labelled version, or the result listed for
//! it in KNOWN.tsv (with why); so any change in any program's result fails
//! here, for the better (update KNOWN.tsv) or the worse. Over the programs
//! that exit 0, a wrong number may come out for at most 0.5 % of them, and
//! no version the previous rule (the first dotted token on the earliest
//! line) read right may be lost.

use std::collections::BTreeMap;
use std::path::Path;

use super::{extract, scan_tokens, Version};

struct Entry {
    name: String,
    label: Option<Version>,
    exit_zero: bool,
    stdout: String,
    stderr: String,
}

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/versions")
}

fn read_entry(path: &Path) -> Entry {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8_lossy(&bytes);
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{}: no `{key}`", path.display()))
            .to_string()
    };
    let label = match field("version:").as_str() {
        "none" => None,
        v => Some(read_label(v).unwrap_or_else(|| panic!("{name}: label `{v}` is no version"))),
    };
    let (_, streams) = text
        .split_once("----- probe corpus: stdout -----\n")
        .unwrap_or_else(|| panic!("{}: no stdout section", path.display()));
    let (stdout, stderr) = streams
        .split_once("----- probe corpus: stderr -----\n")
        .or_else(|| streams.split_once("----- probe corpus: stderr -----"))
        .unwrap_or_else(|| panic!("{}: no stderr section", path.display()));
    Entry {
        name,
        label,
        exit_zero: field("exit:") == "0",
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
    }
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

/// KNOWN.tsv: `name<TAB>result<TAB>why`, for programs whose result is not
/// their label.
fn known() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(corpus_dir().join("KNOWN.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let name = cols.next().unwrap_or_default().to_string();
            let result = cols.next().unwrap_or_default().to_string();
            (name, result)
        })
        .collect()
}

#[test]
fn the_corpus_reads_as_labelled() {
    let mut entries: Vec<Entry> = std::fs::read_dir(corpus_dir())
        .expect("tests/fixtures/versions")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| read_entry(&p))
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(entries.len() >= 300, "only {} programs", entries.len());
    let known = known();

    let (mut exit_zero, mut wrong, mut missed) = (0usize, Vec::new(), Vec::new());
    let (mut previous_wrong, mut lost) = (0usize, Vec::new());
    let mut unexpected = Vec::new();
    for e in &entries {
        let path = format!("/usr/bin/{}", e.name);
        let names = [e.name.as_str(), path.as_str()];
        let got =
            extract(&[("stdout", &e.stdout), ("stderr", &e.stderr)], &names).map(|f| f.version);
        let right = match (&got, &e.label) {
            (Some(g), Some(l)) => same(g, l),
            (None, None) => true,
            _ => false,
        };
        let result = shown(&got);
        match known.get(&e.name) {
            Some(listed) if *listed != result => unexpected.push(format!(
                "{}: KNOWN.tsv says {listed}, now {result} (label {})",
                e.name,
                shown(&e.label)
            )),
            None if !right => unexpected.push(format!(
                "{}: read {result}, labelled {}",
                e.name,
                shown(&e.label)
            )),
            _ => {}
        }
        if !e.exit_zero {
            continue;
        }
        exit_zero += 1;
        if got.is_some() && !right {
            wrong.push(e.name.as_str());
        }
        if got.is_none() && e.label.is_some() {
            missed.push(e.name.as_str());
        }
        let before = previous_rule(&format!("{}\n{}", e.stdout, e.stderr));
        let before_right = match (&before, &e.label) {
            (Some(b), Some(l)) => same(b, l),
            (None, None) => true,
            _ => false,
        };
        if before.is_some() && !before_right {
            previous_wrong += 1;
        }
        if before_right && !right && e.label.is_some() {
            lost.push(e.name.as_str());
        }
    }
    println!(
        "{} programs, {exit_zero} exit 0: wrong number {} ({:.2} %), no version where one is printed {} ; \
         the previous rule: wrong number {previous_wrong} ({:.2} %)",
        entries.len(),
        wrong.len(),
        100.0 * wrong.len() as f64 / exit_zero as f64,
        missed.len(),
        100.0 * previous_wrong as f64 / exit_zero as f64,
    );
    assert!(
        unexpected.is_empty(),
        "{} programs read otherwise than their label or KNOWN.tsv:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        wrong.len() * 200 <= exit_zero,
        "a wrong number for {} of {exit_zero} programs that exit 0 (at most 0.5 %): {wrong:?}",
        wrong.len()
    );
    assert!(
        lost.is_empty(),
        "read right by the previous rule, not any more: {lost:?}"
    );
}
