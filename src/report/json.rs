//! The JSON report: a documented, versioned shape (docs/json.md) for
//! scripts and dashboards.
//!
//! Written straight from the report through structs that borrow from it
//! (no tree of JSON values: 10 000 checks would take 50 MiB for it), the
//! checks array by hand (serde's machinery per field was a quarter of a
//! 10 000-check run). The fields are in alphabetical order, as the report
//! has always had them, and the bytes are serde_json's pretty printing.

use serde::Serialize;

use super::{check_name, rfc3339, Report};

/// Bumped when a field changes meaning or disappears; adding fields does not.
pub const SCHEMA: &str = "probe-report/1";

pub fn render(report: &Report) -> Vec<u8> {
    let mut head = Vec::with_capacity(4096);
    // Writing into a Vec cannot fail, and every value here serializes.
    let _ = serde_json::to_writer_pretty(&mut head, &Whole::of(report));
    // The checks go where their placeholder is: the first string holding
    // a NUL, as no field before `checks` (the agent's, from environment
    // variables) can.
    let marker = escape_to_string(CHECKS_MARKER);
    let at = find(&head, marker.as_bytes()).unwrap_or(head.len());
    let mut bytes = Vec::with_capacity(head.len() + report.results.len() * 700);
    bytes.extend_from_slice(&head[..at]);
    write_checks(&mut bytes, report);
    bytes.extend_from_slice(head.get(at + marker.len()..).unwrap_or_default());
    bytes.push(b'\n');
    bytes
}

const CHECKS_MARKER: &str = "\0checks\0";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `text` as a JSON string, quotes included.
fn escape_to_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// The checks array as serde_json's pretty printer writes it, at the
/// depth of a field of the top-level object.
fn write_checks(out: &mut Vec<u8>, report: &Report) {
    if report.results.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.extend_from_slice(b"[\n");
    for (i, r) in report.results.iter().enumerate() {
        let (c, o) = (&r.check, &r.outcome);
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(b"    {\n");
        let mut f = Fields { out, first: true };
        f.str("actual", &o.actual);
        f.raw("attempts", |out| {
            let _ = serde_json::to_writer(out, &o.attempts);
        });
        f.raw("duration_ms", |out| {
            let _ = serde_json::to_writer(out, &ms(o.duration));
        });
        f.str("expected", &o.expected);
        f.opt("found_in", o.found_in.as_deref());
        f.opt("hint", c.common.hint.as_deref());
        f.str("id", &c.id);
        f.str("kind", c.kind.name());
        f.opt("location", o.location.as_deref());
        f.str("message", &o.message);
        f.str("name", &check_name(c));
        f.opt("output", o.output.as_deref());
        f.str("resource", &c.resource);
        f.str("source", &c.source);
        f.str("status", o.status.as_str());
        f.str("subject", &c.kind.subject());
        f.opt("title", c.common.title.as_deref());
        out.extend_from_slice(b"\n    }");
    }
    out.extend_from_slice(b"\n  ]");
}

/// The fields of one check's object.
struct Fields<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Fields<'_> {
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.extend_from_slice(b",\n");
        }
        self.first = false;
        self.out.extend_from_slice(b"      \"");
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        write_str(self.out, value);
    }

    fn opt(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(v) => self.str(key, v),
            None => {
                self.key(key);
                self.out.extend_from_slice(b"null");
            }
        }
    }

    fn raw(&mut self, key: &str, write: impl FnOnce(&mut Vec<u8>)) {
        self.key(key);
        write(self.out);
    }
}

/// A JSON string, quotes included, escaped by serde_json itself. Most of
/// a report's strings (ids, names, statuses, paths) hold nothing JSON
/// escapes (`"`, `\`, the controls below U+0020: RFC 8259, section 7), and
/// are copied as they are; serde_json's escaper, built for size here, costs
/// a call per byte, 20 million instructions over 10 000 checks.
fn write_str(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        return;
    }
    // Writing into a Vec cannot fail.
    let _ = serde::Serializer::serialize_str(&mut serde_json::Serializer::new(out), text);
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

#[derive(Serialize)]
struct Whole<'a> {
    agent: Option<Agent<'a>>,
    /// A placeholder, replaced by the checks array written by hand.
    checks: &'static str,
    duration_ms: f64,
    host: Host<'a>,
    notices: Vec<Notice<'a>>,
    probe_version: &'static str,
    resources: Vec<Resource<'a>>,
    schema: &'static str,
    started_at: String,
    suggest: Option<Suggest<'a>>,
    summary: Summary,
}

impl<'a> Whole<'a> {
    fn of(report: &'a Report) -> Whole<'a> {
        let host = &report.host;
        let s = report.summary();
        Whole {
            agent: report.agent.as_ref().map(|a| Agent {
                environment_name: a.environment_name.as_deref(),
                job_name: a.job_name.as_deref(),
                pipeline_counter: a.pipeline_counter.as_deref(),
                pipeline_name: a.pipeline_name.as_deref(),
                resources: a.resources.as_deref(),
                stage_counter: a.stage_counter.as_deref(),
                stage_name: a.stage_name.as_deref(),
            }),
            checks: CHECKS_MARKER,
            duration_ms: ms(report.elapsed),
            host: Host {
                arch: &host.arch,
                hostname: &host.hostname,
                os: &host.os,
                os_name: host.os_name.as_deref(),
            },
            notices: report
                .notices
                .iter()
                .map(|n| Notice {
                    failing: n.failing(),
                    message: &n.message,
                })
                .collect(),
            probe_version: env!("CARGO_PKG_VERSION"),
            resources: report
                .resources
                .iter()
                .map(|r| Resource {
                    description: r.description.as_deref(),
                    file: &r.file,
                    name: &r.name,
                    requested: r.requested,
                })
                .collect(),
            schema: SCHEMA,
            started_at: rfc3339(report.started),
            suggest: report.suggest.as_ref().map(|s| Suggest {
                fails: &s.fails,
                passes: &s.passes,
            }),
            summary: Summary {
                errors: s.errors,
                failed: s.failed,
                ok: report.ok(),
                passed: s.passed,
                skipped: s.skipped,
                total: s.total,
            },
        }
    }
}

#[derive(Serialize)]
struct Agent<'a> {
    environment_name: Option<&'a str>,
    job_name: Option<&'a str>,
    pipeline_counter: Option<&'a str>,
    pipeline_name: Option<&'a str>,
    resources: Option<&'a [String]>,
    stage_counter: Option<&'a str>,
    stage_name: Option<&'a str>,
}

#[derive(Serialize)]
struct Host<'a> {
    arch: &'a str,
    hostname: &'a str,
    os: &'a str,
    os_name: Option<&'a str>,
}

#[derive(Serialize)]
struct Notice<'a> {
    failing: bool,
    message: &'a str,
}

#[derive(Serialize)]
struct Resource<'a> {
    description: Option<&'a str>,
    file: &'a str,
    name: &'a str,
    requested: bool,
}

#[derive(Serialize)]
struct Suggest<'a> {
    fails: &'a [String],
    passes: &'a [String],
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    failed: usize,
    ok: bool,
    passed: usize,
    skipped: usize,
    total: usize,
}

#[cfg(test)]
mod tests {
    use super::write_str;

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let tricky =
            "plain \"quoted\" back\\slash \u{8}\u{c}\n\r\t \u{0}\u{1f}\u{7f} é ✓ </script>";
        let mut ours = Vec::new();
        write_str(&mut ours, tricky);
        assert_eq!(ours, serde_json::to_vec(tricky).expect("serializes"));
        // What is copied without serde_json is what it leaves as it is:
        // every character below U+0100, alone and between others.
        for c in '\0'..='\u{ff}' {
            for text in [c.to_string(), format!("a{c}b")] {
                let mut ours = Vec::new();
                write_str(&mut ours, &text);
                assert_eq!(
                    ours,
                    serde_json::to_vec(&text).expect("serializes"),
                    "{c:?}"
                );
            }
        }
    }
}
