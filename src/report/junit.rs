//! JUnit XML, as GoCD's Tests tab reads it: that tab shows only a test
//! case's name, its failure message and the failure text (docs/gocd.md,
//! "Reading the results"), so the name alone says resource, check and
//! subject, and the text carries expected / found / where / hint.

use std::fmt::Write;

use super::{check_name, rfc3339, CheckResult, Report, Summary};
use crate::checks::Status;
use crate::text::{xml_attr as attr, xml_text as text};

/// GoCD's Tests tab counts every `<testcase>` as run, a `<skipped>` one
/// too, and shows only failures and errors (docs/gocd.md, "GoCD facts").
/// So the report holds what ran and what failed: a check skipped for this
/// OS is left out, and so is a warning (it is in the console, the HTML
/// page and the JSON report); an error notice (`--strict`) is a failure.
/// "Tests run" is then the number of checks the probe ran.
pub fn render(report: &Report) -> String {
    let total = report.summary();
    let failing_notices = report.notices.iter().filter(|n| n.failing()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"probe\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3}\">",
        total.total - total.skipped + failing_notices,
        total.failed + failing_notices,
        total.errors,
        report.elapsed.as_secs_f64()
    );
    let context = Context::of(report);
    if failing_notices > 0 {
        write_notices(&mut out, report, &context);
    }
    for resource in &report.resources {
        let results: Vec<&CheckResult> = report
            .results_of(&resource.name)
            .filter(|r| r.outcome.status != Status::Skipped)
            .collect();
        if results.is_empty() {
            continue;
        }
        let s = Summary::of(results.iter().copied());
        // The checks ran at once: their sum can exceed the run.
        let time: f64 = results
            .iter()
            .map(|r| r.outcome.duration.as_secs_f64())
            .sum::<f64>()
            .min(report.elapsed.as_secs_f64());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{time:.3}\" timestamp=\"{}\" hostname=\"{}\">",
            attr(&resource.name),
            s.total,
            s.failed,
            s.errors,
            context.timestamp,
            attr(&report.host.hostname)
        );
        for r in results {
            write_case(&mut out, r, &context);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// What every test case repeats: which agent this was.
struct Context {
    /// ` [agent-7]` inside a GoCD job, where many agents report into one stage.
    name_suffix: String,
    /// `agent: agent-7 (linux x86_64), pipeline ... job probe-runOnAll-3`.
    agent_line: Option<String>,
    timestamp: String,
}

impl Context {
    fn of(report: &Report) -> Context {
        let host = &report.host;
        let job = report.agent.as_ref().and_then(|a| a.job_line());
        Context {
            name_suffix: if job.is_some() {
                format!(" [{}]", host.hostname)
            } else {
                String::new()
            },
            // One fact per line: GoCD shows the text as it is, and one
            // long line needs scrolling sideways.
            agent_line: job.zip(report.agent.as_ref()).map(|(job, agent)| {
                format!(
                    "agent: {} ({} {})\njob: {job}\nresources: {}",
                    host.hostname,
                    host.os,
                    host.arch,
                    agent.advertised()
                )
            }),
            timestamp: rfc3339(report.started).trim_end_matches('Z').to_string(),
        }
    }
}

/// `lua: command lua (version >=5.3, <5.5)`: the resource, then
/// [`check_name`].
pub fn case_name(r: &CheckResult) -> String {
    // The same check twice in a spec (`id` ends in `#2`) gets the same mark,
    // so GoCD shows two test cases rather than one.
    format!(
        "{}: {}{}",
        r.check.resource,
        check_name(&r.check),
        super::repeat_mark(&r.check)
    )
}

/// The notices that fail the run (`--strict`), as failures.
fn write_notices(out: &mut String, report: &Report, context: &Context) {
    let failing: Vec<_> = report.notices.iter().filter(|n| n.failing()).collect();
    let _ = writeln!(
        out,
        "  <testsuite name=\"agent\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\"{}\" hostname=\"{}\">",
        failing.len(),
        failing.len(),
        context.timestamp,
        attr(&report.host.hostname)
    );
    for n in failing {
        let name = format!("agent: {}{}", n.message, context.name_suffix);
        let body = context.agent_line.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"probe.agent\" time=\"0.000\">\n      <failure message=\"{}\" type=\"failure\">{}</failure>\n    </testcase>",
            attr(&name),
            attr(&n.message),
            text(&body)
        );
    }
    out.push_str("  </testsuite>\n");
}

fn write_case(out: &mut String, r: &CheckResult, context: &Context) {
    let o = &r.outcome;
    let _ = write!(
        out,
        "    <testcase name=\"{}{}\" classname=\"probe.{}\" time=\"{:.3}\"",
        attr(&case_name(r)),
        attr(&context.name_suffix),
        attr(&r.check.resource),
        o.duration.as_secs_f64()
    );
    let tag = match o.status {
        Status::Pass => {
            out.push_str("/>\n");
            return;
        }
        Status::Skipped => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(&o.message)
            );
            return;
        }
        Status::Fail => "failure",
        Status::Error => "error",
    };
    let mut body = String::new();
    let found = match &o.found_in {
        Some(place) => format!("{}, from {place}", o.actual),
        None => o.actual.clone(),
    };
    let attempts = o.attempts_note();
    let fields = [
        ("expected", Some(o.expected.as_str())),
        ("found", Some(found.as_str())),
        ("where", o.location.as_deref()),
        ("hint", r.check.common.hint.as_deref()),
        ("output", o.output.as_deref()),
        ("spec", Some(r.check.source.as_str())),
        ("attempts", attempts.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(body, "{name}: {}", value.trim_end());
        }
    }
    if let Some(line) = &context.agent_line {
        let _ = writeln!(body, "{line}");
    }
    let _ = writeln!(
        out,
        ">\n      <{tag} message=\"{}\" type=\"{tag}\">{}</{tag}>\n    </testcase>",
        attr(&o.message),
        text(&body)
    );
}
