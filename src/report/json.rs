//! The JSON report: a documented, versioned shape (docs/json.md) for
//! scripts and dashboards.
//!
//! Written straight from the report through structs that borrow from it
//! (no tree of JSON values: 10 000 checks would take 50 MiB for it). The
//! fields are in alphabetical order, as the report has always had them.

use serde::Serialize;

use super::{check_name, rfc3339, Report};

/// Bumped when a field changes meaning or disappears; adding fields does not.
pub const SCHEMA: &str = "probe-report/1";

pub fn render(report: &Report) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1024 + report.results.len() * 600);
    // Writing into a Vec cannot fail, and every value here serializes.
    let _ = serde_json::to_writer_pretty(&mut bytes, &Whole::of(report));
    bytes.push(b'\n');
    bytes
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

#[derive(Serialize)]
struct Whole<'a> {
    agent: Option<Agent<'a>>,
    checks: Checks<'a>,
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
            checks: Checks(report),
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
                    failing: n.failing,
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

/// The checks, each made into its JSON shape only as it is written.
struct Checks<'a>(&'a Report);

impl Serialize for Checks<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.results.iter().map(|r| {
            let (c, o) = (&r.check, &r.outcome);
            CheckEntry {
                actual: &o.actual,
                attempts: o.attempts,
                duration_ms: ms(o.duration),
                expected: &o.expected,
                found_in: o.found_in.as_deref(),
                hint: c.common.hint.as_deref(),
                id: &c.id,
                kind: c.kind.name(),
                location: o.location.as_deref(),
                message: &o.message,
                name: check_name(c),
                output: o.output.as_deref(),
                resource: &c.resource,
                source: &c.source,
                status: o.status.as_str(),
                subject: c.kind.subject(),
                title: c.common.title.as_deref(),
            }
        }))
    }
}

#[derive(Serialize)]
struct CheckEntry<'a> {
    actual: &'a str,
    attempts: u32,
    duration_ms: f64,
    expected: &'a str,
    found_in: Option<&'a str>,
    hint: Option<&'a str>,
    id: &'a str,
    kind: &'static str,
    location: Option<&'a str>,
    message: &'a str,
    name: String,
    output: Option<&'a str>,
    resource: &'a str,
    source: &'a str,
    status: &'static str,
    subject: String,
    title: Option<&'a str>,
}
