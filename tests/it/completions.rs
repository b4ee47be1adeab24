//! The shell completions and man pages of the release archives
//! (examples/completions, docs/install.md) say what `--help` says: for the
//! top level and each subcommand, the bash completion offers and the man
//! page lists the same flags and subcommands as the real binary's `--help`,
//! and nothing more (no hidden flag leaks). And each shell accepts its
//! file: bash always; zsh and fish where installed, elsewhere the test
//! prints `SKIPPED:` on stderr, and with PROBE_REQUIRE_SHELLS=1 that is a
//! failure. PowerShell's file is only written: pwsh is no Debian package.
#![cfg(unix)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Command;

#[path = "../../examples/completions/generate.rs"]
mod generate;

/// The flags and subcommands one command line lists, spelt as typed:
/// `--format`, `-f`, `fleet`.
#[derive(Debug, Default, Clone, PartialEq)]
struct Listed {
    flags: BTreeSet<String>,
    subcommands: BTreeSet<String>,
}

impl Listed {
    /// The flags (`-f, --format <FORMAT>`, `--quarantine[=<MODE>]`) at the
    /// start of `definition`, up to its first other word.
    fn add_flags(&mut self, definition: &str) {
        for word in definition.split_whitespace() {
            let word = word.trim_end_matches(',');
            if !word.starts_with('-') {
                break;
            }
            let end = word.find(['=', '[', '<']).unwrap_or(word.len());
            self.flags.insert(word[..end].to_string());
        }
    }

    /// What `other` lists that this does not, and what it lacks, as words
    /// for a failure message.
    fn differences(&self, other: &Listed) -> String {
        let words =
            |l: &Listed| -> BTreeSet<String> { l.flags.union(&l.subcommands).cloned().collect() };
        let (mine, theirs) = (words(self), words(other));
        format!(
            "it adds {:?} and lacks {:?}",
            theirs.difference(&mine).collect::<Vec<_>>(),
            mine.difference(&theirs).collect::<Vec<_>>()
        )
    }
}

/// `probe [SUB] --help`, from the real binary.
fn help(sub: Option<&str>) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_probe"))
        .args(sub)
        .arg("--help")
        .env_remove("PROBE_PATH")
        .output()
        .expect("run probe --help");
    assert_eq!(o.status.code(), Some(0), "{sub:?} --help: {o:?}");
    String::from_utf8(o.stdout).expect("utf-8")
}

/// What a `--help` lists: the definition lines of its sections of flags
/// (`Options:`, `Quarantine:`…: those whose first entry is a flag) and
/// the names in `Commands:`. A definition starts at column 2 (`-f,
/// --format`) or 6 (`--redact`); descriptions, and the examples after the
/// sections, are indented otherwise or in sections of their own.
fn from_help(text: &str) -> Listed {
    #[derive(PartialEq)]
    enum Section {
        Commands,
        Flags,
        Other,
    }
    let mut listed = Listed::default();
    let mut heading = "";
    let mut section = Section::Other;
    let mut first_entry = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let words = line.trim_start();
        let indent = line.len() - words.len();
        if indent == 0 {
            heading = line;
            first_entry = true;
            continue;
        }
        if first_entry {
            first_entry = false;
            section = if heading == "Commands:" {
                Section::Commands
            } else if (indent == 2 || indent == 6) && words.starts_with('-') {
                Section::Flags
            } else {
                Section::Other
            };
        }
        match section {
            Section::Commands if indent == 2 => {
                let name = words.split_whitespace().next().unwrap_or_default();
                listed.subcommands.insert(name.to_string());
            }
            Section::Flags if (indent == 2 || indent == 6) && words.starts_with('-') => {
                listed.add_flags(words);
            }
            _ => {}
        }
    }
    listed
}

/// What bash offers after `probe` (`label` "probe") or `probe SUB`
/// (`probe__subcmd__SUB`): the `opts` of that case in probe.bash, less
/// the placeholders of positional arguments.
fn from_bash(script: &str, label: &str) -> Listed {
    let mut lines = script.lines();
    let case = format!("{label})");
    lines
        .by_ref()
        .find(|line| line.trim() == case)
        .unwrap_or_else(|| panic!("probe.bash has no case `{case}`:\n{script}"));
    let opts = lines
        .next()
        .and_then(|line| line.trim().strip_prefix("opts=\""))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("probe.bash's case `{case}` does not start with opts=\"…\""));
    let mut listed = Listed::default();
    for word in opts.split_whitespace() {
        if word.starts_with('-') {
            listed.flags.insert(word.to_string());
        } else if !word.starts_with(['<', '[']) {
            listed.subcommands.insert(word.to_string());
        }
    }
    listed
}

/// What a man page lists: the tags of its `.TP` paragraphs, flags
/// (`\fB\-f\fR, \fB\-\-format\fR \fI<FORMAT>\fR`) and other pages
/// (`probe\-fleet(1)`).
fn from_man(page: &str) -> Listed {
    let mut listed = Listed::default();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line != ".TP" {
            continue;
        }
        let tag = lines
            .next()
            .unwrap_or_default()
            .replace("\\fB", "")
            .replace("\\fI", "")
            .replace("\\fR", "")
            .replace("\\-", "-");
        match tag
            .strip_prefix("probe-")
            .and_then(|t| t.strip_suffix("(1)"))
        {
            Some(sub) => {
                listed.subcommands.insert(sub.to_string());
            }
            None => listed.add_flags(&tag),
        }
    }
    listed
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn completions_and_man_pages_list_what_help_lists() {
    let out = tempfile::tempdir().expect("temp dir");
    generate::write_all(probe::command(), out.path()).expect("generate");
    assert_eq!(
        names_in(&out.path().join("completions")),
        BTreeSet::from(["probe.bash", "_probe", "probe.fish", "_probe.ps1"].map(String::from))
    );
    let bash = read(&out.path().join("completions/probe.bash"));

    let top = from_help(&help(None));
    assert!(
        top.flags.contains("--resource") && top.subcommands.contains("fleet"),
        "`probe --help` read as {top:?}"
    );
    // `help` is clap's own subcommand. Each page is the help, so none
    // names it (clap_mangen's choice); `probe help --help` is the top
    // level's help (cli.rs), so it is no line of its own here.
    let subcommands: Vec<&str> = top
        .subcommands
        .iter()
        .map(String::as_str)
        .filter(|sub| *sub != "help")
        .collect();
    let pages: BTreeSet<String> = std::iter::once("probe.1".to_string())
        .chain(subcommands.iter().map(|sub| format!("probe-{sub}.1")))
        .collect();
    assert_eq!(names_in(&out.path().join("man")), pages);

    let mut wrong = Vec::new();
    for sub in std::iter::once(None).chain(subcommands.iter().copied().map(Some)) {
        let (line, label, page) = match sub {
            None => (
                "probe".to_string(),
                "probe".to_string(),
                "probe.1".to_string(),
            ),
            Some(sub) => (
                format!("probe {sub}"),
                format!("probe__subcmd__{sub}"),
                format!("probe-{sub}.1"),
            ),
        };
        let listed = from_help(&help(sub));
        assert!(
            listed.flags.contains("--help"),
            "`{line} --help` read as {listed:?}"
        );

        let offered = from_bash(&bash, &label);
        if offered != listed {
            wrong.push(format!(
                "the bash completion of `{line}` differs from its --help: {}",
                listed.differences(&offered)
            ));
        }
        let mut in_man = listed.clone();
        in_man.subcommands.remove("help");
        let documented = from_man(&read(&out.path().join("man").join(&page)));
        if documented != in_man {
            wrong.push(format!(
                "man/{page} differs from `{line} --help`: {}",
                in_man.differences(&documented)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `shell ARGS FILE` accepts the file; Ok(false) when the shell is not
/// installed.
fn parses(shell: &str, args: &[&str], file: &Path) -> Result<bool, String> {
    match Command::new(shell).args(args).arg(file).output() {
        Ok(o) if o.status.success() => Ok(true),
        Ok(o) => Err(format!(
            "`{shell} {} {}` refuses it:\n{}",
            args.join(" "),
            file.display(),
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("{shell}: {e}")),
    }
}

#[test]
fn each_shell_accepts_its_completion_file() {
    let out = tempfile::tempdir().expect("temp dir");
    generate::write_all(probe::command(), out.path()).expect("generate");
    let dir = out.path().join("completions");
    let shells: [(&str, &[&str], &str); 3] = [
        ("bash", &["-n"], "probe.bash"),
        ("zsh", &["-n"], "_probe"),
        ("fish", &["--no-execute"], "probe.fish"),
    ];
    for (shell, args, file) in shells {
        match parses(shell, args, &dir.join(file)) {
            Ok(true) => {}
            Ok(false) => {
                let why = format!("{shell} is not installed (apt-get install {shell})");
                assert!(
                    shell != "bash" && std::env::var_os("PROBE_REQUIRE_SHELLS").is_none(),
                    "{file} cannot be checked: {why}"
                );
                // Straight to stderr: the harness hides eprintln! of passing tests.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: completions: {file} not parsed: {why}"
                );
            }
            Err(refused) => panic!("{refused}"),
        }
    }
}
