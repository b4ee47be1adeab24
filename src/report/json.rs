//! The JSON report: a documented, versioned shape (docs/json.md) for
//! scripts and dashboards.

use serde_json::{json, Value};

use super::{check_name, rfc3339, Report};

/// Bumped when a field changes meaning or disappears; adding fields does not.
pub const SCHEMA: &str = "probe-report/1";

pub fn render(report: &Report) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&value(report)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

pub fn value(report: &Report) -> Value {
    let host = &report.host;
    let s = report.summary();
    let checks: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            let c = &r.check;
            let o = &r.outcome;
            json!({
                "id": c.id,
                "resource": c.resource,
                "kind": c.kind.name(),
                "subject": c.kind.subject(),
                "name": check_name(c),
                "title": c.common.title,
                "status": o.status.as_str(),
                "message": o.message,
                "expected": o.expected,
                "actual": o.actual,
                "found_in": o.found_in,
                "location": o.location,
                "output": o.output,
                "hint": c.common.hint,
                "source": c.source,
                "duration_ms": ms(o.duration),
                "attempts": o.attempts,
            })
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "probe_version": env!("CARGO_PKG_VERSION"),
        "started_at": rfc3339(report.started),
        "duration_ms": ms(report.elapsed),
        "host": {
            "hostname": host.hostname,
            "os": host.os,
            "os_name": host.os_name,
            "arch": host.arch,
        },
        "resources": report.resources.iter().map(|r| json!({
            "name": r.name,
            "description": r.description,
            "file": r.file,
            "requested": r.requested,
        })).collect::<Vec<_>>(),
        "notices": report.notices.iter().map(|n| json!({
            "message": n.message,
            "failing": n.failing,
        })).collect::<Vec<_>>(),
        "agent": report.agent.as_ref().map(|a| json!({
            "resources": a.resources,
            "job_name": a.job_name,
            "pipeline_name": a.pipeline_name,
            "pipeline_counter": a.pipeline_counter,
            "stage_name": a.stage_name,
            "stage_counter": a.stage_counter,
            "environment_name": a.environment_name,
        })),
        "checks": checks,
        "suggest": report.suggest.as_ref().map(|s| json!({
            "passes": s.passes,
            "fails": s.fails,
        })),
        "summary": {
            "total": s.total,
            "passed": s.passed,
            "failed": s.failed,
            "errors": s.errors,
            "skipped": s.skipped,
            "ok": report.ok(),
        },
    })
}
