//! The report a person reads in a terminal or a GoCD console log.

use std::fmt::Write;

use super::{CheckResult, HumanOptions, Report};
use crate::checks::Status;
use crate::quantity::format_duration;
use crate::text::{counted, Style, Term};

/// A status word and its colour.
fn status(term: &mut Term, status: Status) {
    let (word, style) = match status {
        Status::Pass => ("PASS ", Style::Pass),
        Status::Fail => ("FAIL ", Style::Fail),
        Status::Error => ("ERROR", Style::Fail),
        Status::Skipped => ("SKIP ", Style::Warn),
    };
    term.paint(style, word);
}

/// Everything written goes through [`Term`], which shows what could drive
/// the terminal (a host name, a spec's hint, a tool's output) as escapes.
pub fn render(report: &Report, options: HumanOptions) -> String {
    let mut out = Term::with_width(options.color, options.width);
    let host = &report.host;
    let os = host.os_name.as_deref().unwrap_or(&host.os);
    let names: Vec<&str> = report.resources.iter().map(|r| r.name.as_str()).collect();
    out.paint(
        Style::Dim,
        &format!(
            "probe {} on {} ({os}, {}); resources: {}",
            env!("CARGO_PKG_VERSION"),
            host.hostname,
            host.arch,
            names.join(", ")
        ),
    );
    out.push_line();
    if let Some(agent) = &report.agent {
        if let Some(job) = agent.job_line() {
            out.paint(
                Style::Dim,
                &format!("GoCD: {job}; agent resources: {}", agent.advertised()),
            );
            out.push_line();
        }
    }
    for notice in &report.notices {
        out.paint(Style::Bold, notice.label());
        let _ = writeln!(out, ": {}", notice.message);
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
        out.push_line();
        out.paint(Style::Bold, &resource.name);
        match &resource.description {
            Some(d) => {
                let _ = writeln!(out, " - {d}");
            }
            None => out.push_line(),
        }
        for r in results {
            write_result(&mut out, r, width);
        }
    }

    if let Some(suggest) = &report.suggest {
        out.push_line();
        out.paint(
            Style::Dim,
            &match suggest.passes.as_slice() {
                [] => "suggest: this machine passes no other spec".to_string(),
                passes => format!("suggest: this machine also passes {}", passes.join(", ")),
            },
        );
        out.push_line();
    }
    let s = report.summary();
    let ok = report.ok();
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
        (0, 1) => "1 check passed".to_string(),
        (0, _) => format!("all {} passed", counted(s.passed, "check")),
        _ => format!("{bad} of {} failed", counted(ran, "check")),
    };
    if s.errors > 0 {
        headline.push_str(&format!(", {} of them could not be checked", s.errors));
    }
    if !counts.is_empty() {
        headline.push_str(&format!(" ({})", counts.join(", ")));
    }
    let failing_notices = report.notices.iter().filter(|n| n.failing()).count();
    if failing_notices > 0 {
        headline.push_str(&format!("; {} above", counted(failing_notices, "error")));
    }
    // The last line names what failed: a log's tail is often all that is
    // read.
    let failing: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.outcome.status.is_failure())
        .map(|r| format!("{} ({})", r.label(), r.check.resource))
        .collect();
    let mut named = String::new();
    if !failing.is_empty() {
        const NAMED: usize = 5;
        named = format!(": {}", failing[..failing.len().min(NAMED)].join(", "));
        if failing.len() > NAMED {
            named.push_str(&format!(" and {} more", failing.len() - NAMED));
        }
    }
    out.push_line();
    if ok {
        out.paint(Style::Pass, "PASSED");
    } else {
        out.paint(Style::Fail, "FAILED");
    }
    out.hang(8);
    let _ = writeln!(
        out,
        "  {headline} in {}{named}",
        format_duration(report.elapsed)
    );
    out.into_string()
}

fn write_result(out: &mut Term, r: &CheckResult, width: usize) {
    let o = &r.outcome;
    let label = r.label();
    let pad = width.saturating_sub(label.chars().count());
    out.push_str("  ");
    status(out, o.status);
    out.hang(11);
    let _ = writeln!(
        out,
        "  {label}{}  {}",
        " ".repeat(pad),
        o.message_with_attempts()
    );
    if !o.status.is_failure() {
        return;
    }
    let indent = "           ";
    let mut field = |name: &str, value: &str| {
        let mut lines = value.lines();
        if let Some(first) = lines.next() {
            out.hang(21);
            let _ = writeln!(out, "{indent}{:<9} {first}", format!("{name}:"));
            for line in lines {
                out.hang(21);
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
            let _ = write!(out, "{indent}{name:<9} ");
            out.hang(21);
            out.paint(Style::Hint, line);
            out.push_line();
        }
    }
}
