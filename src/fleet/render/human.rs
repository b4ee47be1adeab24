//! The fleet report as text, for a terminal or a GoCD console log.

use std::fmt::Write;

use super::*;
use crate::text::Term;

pub fn human(fleet: &Fleet, origin: &Origin, all: bool) -> String {
    // Everything written goes through `Term`: names and messages come
    // from the agents' reports.
    let mut out = Term::new(false);
    let checks = fleet.rows.len();
    let _ = writeln!(
        out,
        "probe fleet {}: {}, {}; {}",
        env!("CARGO_PKG_VERSION"),
        count(fleet.agents.len(), "agent", "agents"),
        count(checks, "check", "checks"),
        origin.what
    );
    for f in &fleet.findings {
        let _ = writeln!(
            out,
            "{}: {}",
            if f.failing { "error" } else { "warning" },
            &f.message
        );
    }
    for resource in fleet.resources() {
        let rows: Vec<&Row> = fleet
            .rows
            .iter()
            .filter(|r| r.resource == resource)
            .filter(|r| {
                all || r.drifts() || r.cells.iter().flatten().any(|c| c.status.is_failure())
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{resource}");
        for row in rows {
            write_row(&mut out, row, fleet);
        }
    }
    let _ = writeln!(out, "\nAgents");
    let width = fleet
        .agents
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for a in &fleet.agents {
        let verdict = if a.ok {
            format!("passed ({} checks)", a.checks)
        } else {
            format!("FAILED ({} of {} checks)", a.failed, a.checks)
        };
        let _ = write!(
            out,
            "  {:<width$}  {} {}  {verdict}",
            &a.name, &a.os, &a.arch
        );
        if let Some(state) = &a.gocd_state {
            let _ = write!(out, "  GoCD: {state}");
        }
        out.push_line();
        let indent = " ".repeat(width + 4);
        for notice in a.failing_notices() {
            let _ = writeln!(out, "{indent}failed: {}", notice);
        }
        if let Some(adv) = &a.advertised {
            let _ = writeln!(out, "{indent}advertises: {}", adv.join(", "));
        }
        if !a.fails_advertised.is_empty() {
            let _ = writeln!(
                out,
                "{indent}advertises but fails: {}",
                a.fails_advertised.join(", ")
            );
        }
        if let Some(could) = a.could_advertise.as_ref().filter(|c| !c.is_empty()) {
            let _ = writeln!(
                out,
                "{indent}passes but does not advertise: {}",
                could.join(", ")
            );
        }
        if let Some(paste) = a.paste_list().filter(|_| {
            !a.fails_advertised.is_empty()
                || a.could_advertise.as_ref().is_some_and(|c| !c.is_empty())
        }) {
            let _ = writeln!(out, "{indent}could advertise: {paste}");
        }
    }
    let _ = writeln!(
        out,
        "\n{}  {}",
        if fleet.ok() { "PASSED" } else { "FAILED" },
        headline(fleet)
    );
    out.into_string()
}

fn write_row(out: &mut Term, row: &Row, fleet: &Fleet) {
    let failing = row.failing_agents(&fleet.agents);
    let word = if !failing.is_empty() {
        "FAIL "
    } else if row.drifts() {
        "DRIFT"
    } else {
        "PASS "
    };
    let summary = if failing.is_empty() {
        format!("passes on {}", count(row.ran_on(), "agent", "agents"))
    } else {
        format!(
            "fails on {} of {}: {}",
            failing.len(),
            row.ran_on(),
            names(&failing)
        )
    };
    let _ = writeln!(out, "  {word}  {}  {}", &row.label(), &summary);
    for (cell, agent) in row.cells.iter().zip(&fleet.agents) {
        let Some(cell) = cell.as_ref().filter(|c| c.status.is_failure()) else {
            continue;
        };
        let _ = writeln!(out, "           {}: {}", &agent.name, &cell.message);
    }
    if !row.values.is_empty() && (row.drifts() || !failing.is_empty()) {
        let _ = writeln!(out, "           found: {}", &values_line(row));
    }
}
