//! The report a person reads in a terminal or a GoCD console log.

use std::fmt::Write;

use owo_colors::OwoColorize;

use super::{CheckResult, HumanOptions, Report};
use crate::checks::Status;
use crate::quantity::format_duration;
use crate::text::clean_for_terminal;

struct Paint {
    on: bool,
}

impl Paint {
    fn status(&self, status: Status) -> String {
        let word = match status {
            Status::Pass => "PASS ",
            Status::Fail => "FAIL ",
            Status::Error => "ERROR",
            Status::Skipped => "SKIP ",
        };
        if !self.on {
            return word.to_string();
        }
        match status {
            Status::Pass => word.green().to_string(),
            Status::Fail | Status::Error => word.red().bold().to_string(),
            Status::Skipped => word.yellow().to_string(),
        }
    }

    fn bold(&self, text: &str) -> String {
        if self.on {
            text.bold().to_string()
        } else {
            text.to_string()
        }
    }

    fn dim(&self, text: &str) -> String {
        if self.on {
            text.dimmed().to_string()
        } else {
            text.to_string()
        }
    }

    fn hint(&self, text: &str) -> String {
        if self.on {
            text.cyan().to_string()
        } else {
            text.to_string()
        }
    }
}

pub fn render(report: &Report, options: HumanOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    let host = &report.host;
    let os = host.os_name.as_deref().unwrap_or(&host.os);
    let names: Vec<&str> = report.resources.iter().map(|r| r.name.as_str()).collect();
    let _ = writeln!(
        out,
        "{}",
        paint.dim(&format!(
            "probe {} on {} ({os}, {}); resources: {}",
            env!("CARGO_PKG_VERSION"),
            host.hostname,
            host.arch,
            names.join(", ")
        ))
    );
    if let Some(agent) = &report.agent {
        if let Some(job) = agent.job_line() {
            let _ = writeln!(
                out,
                "{}",
                paint.dim(&format!(
                    "GoCD: {job}; agent resources: {}",
                    agent.advertised()
                ))
            );
        }
    }
    for notice in &report.notices {
        let word = if notice.failing { "error" } else { "warning" };
        let _ = writeln!(out, "{}: {}", paint.bold(word), notice.message);
    }
    // Sized by the rows shown: with --quiet, the failing ones.
    let width = report
        .results
        .iter()
        .filter(|r| !options.quiet || r.outcome.status.is_failure())
        .map(|r| r.label().chars().count())
        .max()
        .unwrap_or(0)
        .min(48);

    for resource in &report.resources {
        let results: Vec<&CheckResult> = report
            .results_of(&resource.name)
            .filter(|r| !options.quiet || r.outcome.status.is_failure())
            .collect();
        if results.is_empty() {
            continue;
        }
        let heading = match &resource.description {
            Some(d) => format!("{} - {d}", paint.bold(&resource.name)),
            None => paint.bold(&resource.name),
        };
        let _ = writeln!(out, "\n{heading}");
        for r in results {
            write_result(&mut out, r, width, &paint);
        }
    }

    if let Some(suggest) = &report.suggest {
        let _ = writeln!(
            out,
            "\n{}",
            paint.dim(&match suggest.passes.as_slice() {
                [] => "suggest: this machine passes no other spec".to_string(),
                passes => format!("suggest: this machine also passes {}", passes.join(", ")),
            })
        );
    }
    let s = report.summary();
    let ok = report.ok();
    let verdict = if ok { "PASSED" } else { "FAILED" };
    let verdict = if !paint.on {
        verdict.to_string()
    } else if ok {
        verdict.green().bold().to_string()
    } else {
        verdict.red().bold().to_string()
    };
    let bad = s.failed + s.errors;
    let mut counts = Vec::new();
    if bad > 0 {
        counts.push(format!("{} passed", s.passed));
    }
    if s.skipped > 0 {
        counts.push(format!("{} skipped", s.skipped));
    }
    // Counted as everywhere else (the JUnit report, GoCD's Tests tab): the
    // checks that ran; the skipped ones beside them.
    let ran = s.total - s.skipped;
    let mut headline = match (bad, ran) {
        (_, 0) => "no checks ran".to_string(),
        (0, _) => format!("all {} checks passed", s.passed),
        _ => format!("{bad} of {ran} checks failed"),
    };
    if s.errors > 0 {
        headline.push_str(&format!(", {} of them could not be checked", s.errors));
    }
    if !counts.is_empty() {
        headline.push_str(&format!(" ({})", counts.join(", ")));
    }
    let failing_notices = report.notices.iter().filter(|n| n.failing).count();
    if failing_notices > 0 {
        headline.push_str(&format!(
            "; {failing_notices} error{} above",
            if failing_notices == 1 { "" } else { "s" }
        ));
    }
    let _ = writeln!(
        out,
        "\n{verdict}  {headline} in {}",
        format_duration(report.elapsed)
    );
    out
}

fn write_result(out: &mut String, r: &CheckResult, width: usize, paint: &Paint) {
    // A tool's own escape sequences and control bytes must not reach the
    // terminal (or a log viewer) through the report.
    let cleaned = crate::checks::Outcome {
        message: clean_for_terminal(&r.outcome.message_with_attempts()),
        actual: clean_for_terminal(&r.outcome.actual),
        found_in: r.outcome.found_in.as_deref().map(clean_for_terminal),
        output: r.outcome.output.as_deref().map(clean_for_terminal),
        ..r.outcome.clone()
    };
    let o = &cleaned;
    let label = r.label();
    let pad = width.saturating_sub(label.chars().count());
    let _ = writeln!(
        out,
        "  {}  {label}{}  {}",
        paint.status(o.status),
        " ".repeat(pad),
        o.message
    );
    if !o.status.is_failure() {
        return;
    }
    let indent = "           ";
    let mut field = |name: &str, value: &str| {
        let mut lines = value.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "{indent}{:<9} {first}", format!("{name}:"));
            for line in lines {
                let _ = writeln!(out, "{indent}          {line}");
            }
        }
    };
    if !o.expected.is_empty() {
        field("expected", &o.expected);
    }
    if !o.actual.is_empty() {
        match &o.found_in {
            Some(place) => field("found", &format!("{}, from {place}", o.actual)),
            None => field("found", &o.actual),
        }
    }
    if let Some(location) = &o.location {
        field("where", location);
    }
    if let Some(output) = &o.output {
        field("output", output);
    }
    field("spec", &r.check.source);
    if let Some(hint) = &r.check.common.hint {
        for (i, line) in hint.trim().lines().enumerate() {
            let name = if i == 0 { "hint:" } else { "" };
            let _ = writeln!(out, "{indent}{name:<9} {}", paint.hint(line));
        }
    }
}
