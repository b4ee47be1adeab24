//! The fleet report as JUnit, for GoCD's Tests tab.

use std::fmt::Write;

use super::*;
use crate::fleet::quarantine;
use crate::text::{xml_attr as attr, xml_text as text};

/// One test suite per resource, one test case per check, failing when it
/// fails on any agent, and naming every such agent: GoCD's Tests tab shows
/// only a case's name, message and text.
pub fn junit(fleet: &Fleet, origin: &Origin) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // What fails besides checks: findings about the fleet, and an agent's
    // own failing notices (`--strict` and a resource without a spec).
    let failing_findings: Vec<String> = fleet
        .findings
        .iter()
        .filter(|f| f.failing)
        .map(|f| f.message.clone())
        .chain(fleet.agents.iter().flat_map(|a| {
            a.failing_notices()
                .map(move |n| format!("agent {}: {n}", a.name))
        }))
        .collect();
    let drift_fails = |r: &Row| fleet.fail_on_drift && r.drifts();
    let failures = fleet
        .rows
        .iter()
        .filter(|r| !r.failing_agents(&fleet.agents).is_empty() || drift_fails(r))
        .count()
        + failing_findings.len();
    let changes = fleet
        .quarantine
        .as_ref()
        .map_or(&[][..], |p| p.changes.as_slice());
    let failed_changes = changes
        .iter()
        .filter(|c| matches!(c.state, quarantine::State::Failed(_)))
        .count();
    let _ = writeln!(
        out,
        "<testsuites name=\"probe fleet\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
        fleet.rows.len() + failing_findings.len() + changes.len(),
        failures + failed_changes
    );
    // Every change made, planned or held back, as GoCD's Tests tab can
    // show it: held ones as skipped with the reason, refused ones failing.
    if !changes.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"changes to GoCD\" tests=\"{}\" failures=\"{failed_changes}\" errors=\"0\" skipped=\"{}\">",
            changes.len(),
            changes
                .iter()
                .filter(|c| matches!(c.state, quarantine::State::Held(_)))
                .count()
        );
        for c in changes {
            let name = format!(
                "{} {}: {}",
                c.state.as_str(),
                c.action.describe(&c.agent),
                c.reason
            );
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"probe.fleet.changes\"",
                attr(&name)
            );
            match &c.state {
                quarantine::State::Held(why) => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        attr(why)
                    );
                }
                quarantine::State::Failed(why) => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"failure\">{}</failure>\n    </testcase>",
                        attr(why),
                        text(why)
                    );
                }
                _ => out.push_str("/>\n"),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    if !failing_findings.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"fleet\" tests=\"{0}\" failures=\"{0}\" errors=\"0\">",
            failing_findings.len()
        );
        for f in failing_findings {
            let _ = writeln!(
                out,
                "    <testcase name=\"fleet: {}\" classname=\"probe.fleet\">\n      <failure message=\"{}\" type=\"failure\">{}</failure>\n    </testcase>",
                attr(&f),
                attr(&f),
                text(&origin.what)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    for resource in fleet.resources() {
        let rows: Vec<&Row> = fleet
            .rows
            .iter()
            .filter(|r| r.resource == resource)
            .collect();
        let failed = rows
            .iter()
            .filter(|r| !r.failing_agents(&fleet.agents).is_empty() || drift_fails(r))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">",
            attr(resource),
            rows.len()
        );
        for row in rows {
            let failing = row.failing_agents(&fleet.agents);
            let name = format!("{}: {}", row.resource, row.label());
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"probe.fleet.{}\"",
                attr(&name),
                attr(&row.resource)
            );
            let message = if !failing.is_empty() {
                format!(
                    "fails on {} of {}: {}",
                    failing.len(),
                    count(row.ran_on(), "agent", "agents"),
                    names(&failing)
                )
            } else if drift_fails(row) {
                format!("agents differ: {}", values_line(row))
            } else {
                out.push_str("/>\n");
                continue;
            };
            let mut body = String::new();
            for (cell, agent) in row.cells.iter().zip(&fleet.agents) {
                let Some(c) = cell.as_ref().filter(|c| c.status.is_failure()) else {
                    continue;
                };
                let _ = writeln!(body, "{}: {}", agent.name, c.message);
                for (label, value) in [
                    ("expected", Some(c.expected.as_str())),
                    ("found", Some(c.actual.as_str())),
                    ("where", c.location.as_deref()),
                    ("hint", c.hint.as_deref()),
                ] {
                    if let Some(v) = value.filter(|v| !v.is_empty()) {
                        let _ = writeln!(body, "  {label}: {v}");
                    }
                }
            }
            if !row.values.is_empty() {
                let _ = writeln!(body, "found across the fleet: {}", values_line(row));
            }
            let _ = writeln!(body, "{}", origin.what);
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"failure\">{}</failure>\n    </testcase>",
                attr(&message),
                text(&body)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
