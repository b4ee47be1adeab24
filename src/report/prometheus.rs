//! Prometheus' text exposition format, for node_exporter's textfile
//! collector (`--report prometheus=/var/lib/node_exporter/textfile/probe.prom`):
//! for fleets watched by Prometheus rather than GoCD.

use std::fmt::Write;

use super::{check_name, Report};
use crate::checks::Status;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let host = &report.host;
    out.push_str("# HELP probe_info The probe that ran, and the machine it checked.\n");
    out.push_str("# TYPE probe_info gauge\n");
    let _ = writeln!(
        out,
        "probe_info{{version=\"{}\",hostname=\"{}\",os=\"{}\",arch=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        label(&host.hostname),
        label(&host.os),
        label(&host.arch)
    );
    out.push_str(
        "# HELP probe_check_status 1 when the check passed, 0 when it failed or could not be \
         checked. Checks skipped on this OS are left out.\n",
    );
    out.push_str("# TYPE probe_check_status gauge\n");
    for r in &report.results {
        let value = match r.outcome.status {
            Status::Pass => 1,
            Status::Fail | Status::Error => 0,
            Status::Skipped => continue,
        };
        let _ = writeln!(
            out,
            "probe_check_status{{resource=\"{}\",check=\"{}\",id=\"{}\",status=\"{}\"}} {value}",
            label(&r.check.resource),
            label(&check_name(&r.check)),
            label(&r.check.id),
            r.outcome.status.as_str()
        );
    }
    let s = report.summary();
    out.push_str("# HELP probe_checks The checks of the run, by status.\n");
    out.push_str("# TYPE probe_checks gauge\n");
    for (status, n) in [
        ("pass", s.passed),
        ("fail", s.failed),
        ("error", s.errors),
        ("skipped", s.skipped),
    ] {
        let _ = writeln!(out, "probe_checks{{status=\"{status}\"}} {n}");
    }
    out.push_str("# HELP probe_run_ok 1 when the run passed (the probe exited 0).\n");
    out.push_str("# TYPE probe_run_ok gauge\n");
    let _ = writeln!(out, "probe_run_ok {}", u8::from(report.ok()));
    out.push_str("# HELP probe_run_duration_seconds How long the run took.\n");
    out.push_str("# TYPE probe_run_duration_seconds gauge\n");
    let _ = writeln!(
        out,
        "probe_run_duration_seconds {:.3}",
        report.elapsed.as_secs_f64()
    );
    out.push_str("# HELP probe_run_timestamp_seconds When the run started, in Unix time.\n");
    out.push_str("# TYPE probe_run_timestamp_seconds gauge\n");
    let started = report
        .started
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let _ = writeln!(out, "probe_run_timestamp_seconds {started}");
    out
}

/// A label value: `\`, `"` and line breaks escaped, as the format wants.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
