//! The README's commands, as a newcomer types them: every `probe` command
//! line in it names only subcommands and flags that exist, the command it
//! gives for the shipped pipeline file is the one that made that file, the
//! pipelines it names are in that file, and its first-spec walk passes.
#![cfg(unix)]

use std::fs;
use std::process::Command;

use crate::common::{get, keys, repository_root, stderr, stdout};

fn readme() -> String {
    fs::read_to_string(repository_root().join("README.md")).expect("README.md")
}

/// The `probe` command lines of the README: each line that starts with
/// `probe ` in a `sh` block, or with `$ probe ` in another (an example
/// run, above its output), and each inline code span that starts with
/// `probe `, as the words a shell would pass, up to a comment, a
/// redirection or the end of the command.
fn probe_commands(text: &str) -> Vec<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut block: Option<&str> = None;
    for line in text.lines() {
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some(fence.trim()),
            };
            continue;
        }
        if let Some(language) = block {
            let line = line.trim();
            match line.strip_prefix("$ ") {
                Some(command) => lines.push(command.to_string()),
                None if language == "sh" => lines.push(line.to_string()),
                None => {}
            }
        } else {
            lines.extend(
                line.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(|span| span.trim().to_string()),
            );
        }
    }
    lines
        .iter()
        .filter(|line| line.starts_with("probe ") || line.as_str() == "probe")
        .map(|line| words(line))
        .collect()
}

/// A line's words, quotes taken off, up to `#`, `>`, `;`, `|` or `&&`.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None if word.is_empty() && !started && matches!(c, '#' | '>' | ';' | '|' | '&') => {
                break;
            }
            None => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    words
}

fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_probe"))
        .args(args)
        .arg("--help")
        .output()
        .expect("run probe --help");
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// The subcommands `probe --help` lists.
fn subcommands() -> Vec<String> {
    let top = help(&[]);
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|name| name != "help")
        .collect()
}

/// The flags a help text lists: `--long` and `-s`.
fn flags(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in help.lines() {
        let line = line.trim_start();
        if !line.starts_with('-') {
            continue;
        }
        for word in line.split([' ', ',']) {
            let flag = word.split(['=', '<', '[']).next().unwrap_or_default();
            if flag.starts_with('-') && flag.len() > 1 {
                out.push(flag.to_string());
            }
            if !word.starts_with('-') && !word.is_empty() {
                break;
            }
        }
    }
    out
}

#[test]
fn every_probe_command_in_the_readme_uses_flags_and_subcommands_that_exist() {
    let commands = probe_commands(&readme());
    assert!(commands.len() > 15, "{commands:?}");
    let subcommands = subcommands();
    let mut wrong = Vec::new();
    for words in &commands {
        // The subcommand is the first word that names one (after global
        // flags such as --probes DIR); without one, the run's own flags.
        let sub = words[1..].iter().find(|w| subcommands.contains(w));
        let known = match sub {
            Some(sub) => flags(&help(&[sub])),
            None => flags(&help(&[])),
        };
        let given = words[1..]
            .iter()
            .take_while(|w| w.as_str() != "--")
            .filter(|w| w.starts_with('-') && w.len() > 1)
            .map(|w| w.split('=').next().unwrap_or_default());
        for flag in given {
            if !known.iter().any(|k| k == flag) {
                wrong.push(format!("`{}`: no {flag}", words.join(" ")));
            }
        }
        // A word in a subcommand's place that is none (`probe lnt`).
        if sub.is_none() {
            if let Some(first) = words.get(1).filter(|w| !w.starts_with('-')) {
                wrong.push(format!("`{}`: `{first}` is no subcommand", words.join(" ")));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The shipped pipeline file says which command made it; the README's
/// command for that file must be that one, and the pipelines its fleet
/// example fetches from must be in it.
#[test]
fn the_readme_makes_the_shipped_pipelines_as_they_were_made() {
    let shipped = "pipelines/agent-infrastructure.gocd.yaml";
    let text = fs::read_to_string(repository_root().join(shipped)).expect("shipped pipelines");
    let made_by = text
        .lines()
        .next()
        .and_then(|l| l.split('`').nth(1))
        .expect("the first line names the command");
    let commands = probe_commands(&readme());
    let writes: Vec<String> = readme()
        .lines()
        .filter(|l| l.trim_start().starts_with("probe ") && l.contains(shipped))
        .map(|l| {
            let mut words = words(l);
            if let Some(at) = words.iter().position(|w| w == "-o" || w == "--output") {
                words.drain(at..=at + 1);
            }
            words.join(" ")
        })
        .collect();
    assert_eq!(
        writes,
        [made_by.to_string()],
        "the README's command for {shipped}"
    );

    let (root, _) = probe::yaml::parse(&text).expect("YAML");
    let root = root.expect("a document");
    let pipelines = keys(get(&root, "pipelines").expect("pipelines:"));
    let named: Vec<&str> = commands
        .iter()
        .filter_map(|w| w.iter().position(|x| x == "--pipeline").map(|i| &w[i + 1]))
        .flat_map(|list| list.split(','))
        .collect();
    assert!(!named.is_empty());
    for name in named {
        assert!(
            pipelines.contains(&name),
            "the README names pipeline {name}; {shipped} has {pipelines:?}"
        );
    }
}

/// "Your first spec in two minutes", in a scratch directory, on this
/// machine (which builds the probe, so it has cargo, rustc and cc): each
/// command as the README writes it succeeds, and the spec passes.
#[test]
fn the_first_spec_walk_passes_on_a_machine_that_builds_the_probe() {
    let text = readme();
    let section = text
        .split("## Your first spec in two minutes")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("the walk's commands");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cwd = dir.path().to_path_buf();
    for line in section.lines() {
        for step in line.split(" && ") {
            let words = words(step);
            match words.first().map(String::as_str) {
                Some("mkdir") => {
                    fs::create_dir_all(cwd.join(&words[words.len() - 1])).expect("mkdir")
                }
                Some("cd") => cwd = cwd.join(&words[1]),
                Some("probe") => {
                    let o = Command::new(env!("CARGO_BIN_EXE_probe"))
                        .args(&words[1..])
                        .current_dir(&cwd)
                        .env_remove("PROBE_PATH")
                        .env("NO_COLOR", "1")
                        .output()
                        .expect("run probe");
                    assert_eq!(
                        o.status.code(),
                        Some(0),
                        "`{step}`:\n{}{}",
                        stdout(&o),
                        stderr(&o)
                    );
                    if words[1] == "--resource" {
                        assert!(stdout(&o).contains("PASSED  all "), "{}", stdout(&o));
                    }
                }
                other => panic!("the walk has a command the test does not know: {other:?}"),
            }
        }
    }
    let spec = fs::read_to_string(cwd.join("probes/rust.yaml")).expect("probes/rust.yaml");
    assert!(spec.contains("  - command: cargo\n"), "{spec}");
    assert!(spec.contains("  - command: cc\n"), "{spec}");
}

#[test]
fn the_readme_words_split_as_a_shell_splits_them() {
    assert_eq!(
        words(r#"probe add run --to python -- python3 -c "import venv"  # a comment"#),
        [
            "probe",
            "add",
            "run",
            "--to",
            "python",
            "--",
            "python3",
            "-c",
            "import venv"
        ]
    );
    assert_eq!(
        words("probe schema > probe.schema.json"),
        ["probe", "schema"]
    );
    assert_eq!(words("probe --hint '' x"), ["probe", "--hint", "", "x"]);
}
