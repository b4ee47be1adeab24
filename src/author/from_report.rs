//! Checks from a good agent's published results rather than from this
//! machine: a probe JSON report (`--report json=…`, probe-report/1), or a
//! list of found values, one per line: `KIND SUBJECT = FOUND`
//! (`command java = 17.0.8`). What the agent passed becomes checks, with
//! version ranges from the versions it found; the arguments that print a
//! command's version come from the catalogue for the tools it knows.

use super::catalogue;
use super::edit::{flow_scalar, scalar};
use super::observe::{range, Pin};
use crate::quantity::parse_size;
use crate::version::Version;

/// One check as the results describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
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
        let report: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON report: {e}"))?;
        let schema = report["schema"].as_str().unwrap_or_default();
        if !schema.starts_with("probe-report/") {
            return Err(format!(
                "not a probe report (its schema is `{schema}`, not probe-report/1)"
            ));
        }
        let checks = report["checks"]
            .as_array()
            .ok_or("the report has no checks")?;
        return Ok(checks
            .iter()
            .filter(|c| c["status"] == "pass")
            .map(|c| Found {
                resource: c["resource"].as_str().map(str::to_string),
                kind: c["kind"].as_str().unwrap_or_default().to_string(),
                subject: c["subject"].as_str().unwrap_or_default().to_string(),
                value: c["actual"].as_str().unwrap_or_default().to_string(),
            })
            .collect());
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (check, value) = line.split_once(" = ").unwrap_or((line, ""));
            let (kind, subject) = check.trim().split_once(' ').ok_or_else(|| {
                format!("`{line}` is not `KIND SUBJECT = FOUND`, e.g. `command java = 17.0.8`")
            })?;
            Ok(Found {
                resource: None,
                kind: kind.to_string(),
                subject: subject.trim().to_string(),
                value: value.trim().to_string(),
            })
        })
        .collect()
}

/// The check's lines for what an agent found; Err when a report does not
/// say enough to write it.
pub fn lines(found: &Found, pin: Pin) -> Result<Vec<String>, String> {
    let first = format!("{}: {}", found.kind, scalar(&found.subject));
    let version = Version::parse(&found.value).filter(|_| looks_like_a_version(&found.value));
    Ok(match (found.kind.as_str(), version) {
        ("command", Some(version)) => {
            let mut lines = vec![first];
            if let Some(args) = catalogue_args(&found.subject) {
                let listed: Vec<String> = args.iter().map(|a| flow_scalar(a)).collect();
                lines.push(format!("args: [{}]", listed.join(", ")));
            }
            lines.push(format!("version: {}", scalar(&range(&version, pin))));
            lines
        }
        ("package", Some(version)) => {
            vec![first, format!("version: {}", scalar(&range(&version, pin)))]
        }
        ("file", _) => match found.value.as_str() {
            "a directory" => vec![first, "type: dir".into()],
            "a regular file" => vec![first, "type: file".into()],
            "a socket" => vec![first, "type: socket".into()],
            _ => vec![first],
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
            vec![
                first,
                format!("free: \">= {} GiB\"", (free >> 30).max(1) - 1),
            ]
        }
        _ => vec![first],
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

    #[test]
    fn a_json_report_gives_its_passing_checks() {
        let report = r#"{"schema": "probe-report/1", "checks": [
            {"kind": "command", "subject": "java", "status": "pass", "actual": "17.0.8.1"},
            {"kind": "command", "subject": "mvn", "status": "fail", "actual": "3.6.3"},
            {"kind": "file", "subject": "/opt/tools", "status": "pass", "actual": "a directory"},
            {"kind": "env", "subject": "JAVA_HOME", "status": "pass", "actual": "/usr/lib/jvm/java-17"}
        ]}"#;
        let found = read(report).expect("reads");
        assert_eq!(found.len(), 3);
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
        assert!(read(r#"{"schema": "probe-fleet/1"}"#)
            .unwrap_err()
            .contains("not a probe report"));
    }

    #[test]
    fn a_list_of_found_values_reads_line_by_line() {
        let found = read(
            "# from agent-7\ncommand gradle = 8.5\npackage git = 1:2.39.2-1\nabsent python2\n",
        )
        .expect("reads");
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
