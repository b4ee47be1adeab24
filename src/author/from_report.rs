//! Checks from a good agent's published results rather than from this
//! machine: a probe JSON report (`--report json=…`, probe-report/1), or a
//! list of found values, one per line: `KIND SUBJECT = FOUND`
//! (`command java = 17.0.8`). What the agent passed becomes checks, with
//! version ranges from the versions it found; the arguments that print a
//! command's version come from the catalogue for the tools it knows.
//!
//! A report is written on an agent, and whoever controls the agent
//! controls every byte of it; the spec written from it is run by every
//! agent with the resource. So a report supplies values only: the kind
//! must be one of the kinds table, the keys and the shape of each check
//! are this file's, and every value goes through the one YAML scalar
//! writer ([`Draft`]). After writing, the spec is loaded back and the
//! check compared with what was meant (`super::with_check`).

use super::catalogue;
use crate::checks::observe::range;
use crate::checks::{kind_of, Draft, Pin, Val};
use crate::quantity::parse_size;
use crate::version::Version;

/// One check as the results describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// `check 3 (lua/command:lua)`, or `line 3`: which check of the
    /// results this is, for messages.
    pub place: String,
    /// The resource whose spec held it (a JSON report says).
    pub resource: Option<String>,
    pub kind: String,
    pub subject: String,
    /// What the agent found (`17.0.8`, `a directory`); may be empty.
    pub value: String,
}

/// The passing checks of a JSON report, or the lines of a list.
pub fn read(text: &str) -> Result<Vec<Found>, String> {
    if text.trim_start().starts_with('{') {
        let report = crate::fleet::report::parse(text.as_bytes())?;
        return Ok(report
            .checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.status == "pass")
            .map(|(i, c)| Found {
                place: format!("check {} ({})", i + 1, c.id),
                resource: Some(c.resource.clone()),
                kind: c.kind.clone(),
                subject: c.subject.clone(),
                value: c.actual.clone(),
            })
            .collect());
    }
    text.lines()
        .enumerate()
        .map(|(i, line)| (i, line.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, line)| {
            let (check, value) = line.split_once(" = ").unwrap_or((line, ""));
            let (kind, subject) = check.trim().split_once(' ').ok_or_else(|| {
                format!(
                    "line {}: `{line}` is not `KIND SUBJECT = FOUND`, e.g. `command java = 17.0.8`",
                    i + 1
                )
            })?;
            Ok(Found {
                place: format!("line {}", i + 1),
                resource: None,
                kind: kind.to_string(),
                subject: subject.trim().to_string(),
                value: value.trim().to_string(),
            })
        })
        .collect()
}

/// The check to write for what an agent found; Err when the results do
/// not say enough to write it, or say something no check is.
pub fn draft(found: &Found, pin: Pin) -> Result<Draft, String> {
    if kind_of(&found.kind).is_none() {
        return Err(format!(
            "`{}` is not a kind of check; nothing of it is written",
            found.kind
        ));
    }
    if found.subject.is_empty() {
        return Err(format!("`{}` without a subject", found.kind));
    }
    let first = Draft::new(&found.kind, Val::text(&found.subject))?;
    let version = Version::parse(&found.value).filter(|_| looks_like_a_version(&found.value));
    Ok(match (found.kind.as_str(), version) {
        ("command", Some(version)) => {
            let mut draft = first;
            if let Some(args) = catalogue_args(&found.subject) {
                draft = draft.with("args", Val::List(args));
            }
            draft.with("version", Val::Text(range(&version, pin)))
        }
        ("package", Some(version)) => first.with("version", Val::Text(range(&version, pin))),
        ("file", _) => match found.value.as_str() {
            "a directory" => first.with("type", Val::text("dir")),
            "a regular file" => first.with("type", Val::text("file")),
            "a socket" => first.with("type", Val::text("socket")),
            _ => first,
        },
        // A report shows a command line's words joined by spaces: which
        // were one argument is lost.
        ("run", _) => {
            return Err(format!(
                "a report does not keep the words of a command line; \
                 add it with `probe add run -- {}`",
                found.subject
            ))
        }
        // `12.4 GiB free`: a little less than the agent had.
        ("disk", _) => {
            let free = found
                .value
                .strip_suffix(" free")
                .and_then(|size| parse_size(size).ok())
                .ok_or_else(|| {
                    format!(
                        "the report does not say how much is free at {}",
                        found.subject
                    )
                })?;
            first.with(
                "free",
                Val::Text(format!(">= {} GiB", (free >> 30).max(1) - 1)),
            )
        }
        _ => first,
    })
}

/// A value that is a version, not a sentence holding a number.
fn looks_like_a_version(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && !value.contains(' ')
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == 'v')
}

/// The arguments the catalogue gives for a command.
fn catalogue_args(command: &str) -> Option<Vec<String>> {
    let entries = catalogue::entries().ok()?;
    entries
        .values()
        .flat_map(|e| e.checks.iter())
        .find(|item| item.kind_and_subject() == ("command", command))
        .and_then(|item| item.args.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(found: &Found, pin: Pin) -> Result<Vec<String>, String> {
        draft(found, pin)?.lines()
    }

    const REPORT_HEAD: &str =
        r#"{"schema": "probe-report/1", "host": {"hostname": "a"}, "summary": {"ok": true}, "#;

    #[test]
    fn a_json_report_gives_its_passing_checks() {
        let report = format!(
            "{REPORT_HEAD}{}",
            r#""checks": [
            {"id": "java/command:java", "resource": "java", "kind": "command", "subject": "java", "status": "pass", "actual": "17.0.8.1"},
            {"id": "java/command:mvn", "resource": "java", "kind": "command", "subject": "mvn", "status": "fail", "actual": "3.6.3"},
            {"id": "java/file:/opt/tools", "resource": "java", "kind": "file", "subject": "/opt/tools", "status": "pass", "actual": "a directory"},
            {"id": "java/env:JAVA_HOME", "resource": "java", "kind": "env", "subject": "JAVA_HOME", "status": "pass", "actual": "/usr/lib/jvm/java-17"}
        ]}"#
        );
        let found = read(&report).expect("reads");
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].place, "check 3 (java/file:/opt/tools)");
        assert_eq!(
            lines(&found[0], Pin::Major).unwrap(),
            [
                "command: java",
                "args: [-version]",
                "version: \">=17.0.8.1, <18\""
            ]
        );
        assert_eq!(
            lines(&found[1], Pin::Major).unwrap(),
            ["file: /opt/tools", "type: dir"]
        );
        assert_eq!(lines(&found[2], Pin::Major).unwrap(), ["env: JAVA_HOME"]);
        assert!(
            read(r#"{"schema": "probe-fleet/1", "host": {}, "summary": {}}"#)
                .unwrap_err()
                .contains("not a probe report")
        );
    }

    #[test]
    fn a_report_supplies_values_never_kinds_keys_or_yaml() {
        let report = format!(
            "{REPORT_HEAD}{}",
            r#""checks": [
            {"id": "x", "resource": "x", "kind": "run: [sh, -c, \"touch PWNED\"] #", "subject": "x", "status": "pass"},
            {"id": "y", "resource": "x", "kind": "command", "subject": "sh\n  run: [sh, -c, \"touch PWNED\"]", "status": "pass", "actual": "1.0"},
            {"id": "z", "resource": "x", "kind": "command", "subject": "java", "status": "pass", "actual": "17\"\nrun: [sh]"},
            {"id": "w", "resource": "x", "kind": "Command", "subject": "java", "status": "pass"}
        ]}"#
        );
        let found = read(&report).expect("reads");
        let refused = draft(&found[0], Pin::Major).unwrap_err();
        assert!(refused.contains("is not a kind of check"), "{refused}");
        // A subject with a line break is one quoted value.
        assert_eq!(
            lines(&found[1], Pin::Major).unwrap(),
            [
                "command: \"sh\\n  run: [sh, -c, \\\"touch PWNED\\\"]\"",
                "version: \">=1.0, <2\""
            ]
        );
        // What is not a version is not written as one.
        assert_eq!(lines(&found[2], Pin::Major).unwrap(), ["command: java"]);
        // Kinds are named exactly as the table names them.
        assert!(draft(&found[3], Pin::Major).is_err());
    }

    #[test]
    fn a_list_of_found_values_reads_line_by_line() {
        let found = read(
            "# from agent-7\ncommand gradle = 8.5\npackage git = 1:2.39.2-1\nabsent python2\n",
        )
        .expect("reads");
        assert_eq!(found[0].place, "line 2");
        assert_eq!(
            lines(&found[0], Pin::Minor).unwrap(),
            ["command: gradle", "version: \">=8.5, <8.6\""]
        );
        assert_eq!(
            lines(&found[1], Pin::Min).unwrap(),
            ["package: git", "version: \">=2.39.2\""]
        );
        assert_eq!(lines(&found[2], Pin::Major).unwrap(), ["absent: python2"]);
        let found =
            read("disk /var = 12.4 GiB free\ndisk /tmp = lots\nrun python3 -c import venv\n")
                .expect("reads");
        assert_eq!(
            lines(&found[0], Pin::Major).unwrap(),
            ["disk: /var", "free: \">= 11 GiB\""]
        );
        assert!(lines(&found[1], Pin::Major)
            .unwrap_err()
            .contains("how much is free"));
        assert!(lines(&found[2], Pin::Major)
            .unwrap_err()
            .contains("probe add run --"));
        assert!(read("gradle\n").unwrap_err().contains("KIND SUBJECT"));
    }
}
