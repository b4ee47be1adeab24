//! The fleet report in each format: text for a terminal or a GoCD console,
//! JSON (docs/json.md, `probe-fleet/1`), JUnit for GoCD's Tests tab, and
//! one self-contained HTML page for a GoCD custom tab.

use std::fmt::Write;

use serde::Serialize;

use super::{Agent, Cell, Fleet, Row, Status};
use crate::text::{html_escape as esc, xml_attr as attr, xml_text as text, Term};

/// Bumped when a field changes meaning or disappears; adding fields does not.
pub const SCHEMA: &str = "probe-fleet/1";

/// Where the reports came from, for the headline.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// `agent-infrastructure-linux #42, stage check #1` or `12 files`.
    pub what: String,
    /// When the fleet report was made (RFC 3339).
    pub at: String,
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `2 of 10 agents failed; 1 check drifts`.
fn headline(fleet: &Fleet) -> String {
    let failed = fleet.agents.iter().filter(|a| !a.ok).count();
    let drifting = fleet.rows.iter().filter(|r| r.drifts()).count();
    let mut text = if failed == 0 {
        format!(
            "all {} passed",
            count(fleet.agents.len(), "agent", "agents")
        )
    } else {
        format!(
            "{failed} of {} failed",
            count(fleet.agents.len(), "agent", "agents")
        )
    };
    if drifting > 0 {
        let _ = write!(
            text,
            "; {} {} between agents",
            count(drifting, "check", "checks"),
            if drifting == 1 { "differs" } else { "differ" }
        );
    }
    let failing_findings = fleet.findings.iter().filter(|f| f.failing).count();
    if failing_findings > 0 {
        let _ = write!(
            text,
            "; {} about the fleet",
            count(failing_findings, "error", "errors")
        );
    }
    text
}

/// `17.0.8 on 12, 17.0.2 on 3`.
fn values_line(row: &Row) -> String {
    row.values
        .iter()
        .map(|(v, n)| format!("{v} on {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(agents: &[&Agent]) -> String {
    agents
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- text ----

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

// ---- JSON ----

/// The JSON fleet report, written straight from the fleet (no tree of
/// values in between: a fleet of 1 000 agents has 100 000 results).
pub fn json(fleet: &Fleet, origin: &Origin) -> Vec<u8> {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        probe_version: &'static str,
        generated_at: &'a str,
        source: &'a str,
        summary: Summary,
        findings: Vec<FindingJson<'a>>,
        agents: Vec<AgentJson<'a>>,
        checks: Vec<CheckJson<'a>>,
    }
    #[derive(Serialize)]
    struct Summary {
        agents: usize,
        agents_failed: usize,
        checks: usize,
        checks_failing: usize,
        checks_drifting: usize,
        fail_on_drift: bool,
        ok: bool,
    }
    #[derive(Serialize)]
    struct FindingJson<'a> {
        message: &'a str,
        failing: bool,
    }
    #[derive(Serialize)]
    struct AgentJson<'a> {
        name: &'a str,
        hostname: &'a str,
        os: &'a str,
        os_name: Option<&'a str>,
        arch: &'a str,
        job: Option<&'a str>,
        advertised: Option<&'a [String]>,
        ok: bool,
        checks: usize,
        failed: usize,
        advertises_but_fails: &'a [String],
        passes_but_does_not_advertise: Option<&'a [String]>,
        could_advertise: Option<String>,
        notices: Vec<FindingJson<'a>>,
        source: &'a str,
        gocd_uuid: Option<&'a str>,
        gocd_state: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct CheckJson<'a> {
        id: &'a str,
        resource: &'a str,
        kind: &'a str,
        name: &'a str,
        ran_on: usize,
        failing_on: Vec<&'a str>,
        values: Vec<ValueJson<'a>>,
        drift: bool,
        results: Results<'a>,
    }
    #[derive(Serialize)]
    struct ValueJson<'a> {
        value: &'a str,
        agents: usize,
    }
    /// agent name -> its result, for the agents that ran the check.
    struct Results<'a> {
        row: &'a Row,
        agents: &'a [Agent],
    }
    impl Serialize for Results<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(self.row.ran_on()))?;
            for (cell, agent) in self.row.cells.iter().zip(self.agents) {
                if let Some(c) = cell {
                    map.serialize_entry(&agent.name, &CellJson::of(c))?;
                }
            }
            map.end()
        }
    }
    /// A passing result says only that, and what it found; the rest is
    /// for results that fail.
    #[derive(Serialize)]
    struct CellJson<'a> {
        status: &'static str,
        actual: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        expected: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        found_in: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        location: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        output: Option<&'a str>,
    }
    impl<'a> CellJson<'a> {
        fn of(c: &'a Cell) -> CellJson<'a> {
            let detail = c.status.is_failure() || c.status == Status::Skipped;
            CellJson {
                status: c.status.as_str(),
                actual: &c.actual,
                message: detail.then_some(c.message.as_str()),
                expected: detail
                    .then_some(c.expected.as_str())
                    .filter(|e| !e.is_empty()),
                found_in: c.found_in.as_deref(),
                location: c.location.as_deref(),
                hint: c.hint.as_deref(),
                output: c.output.as_deref(),
            }
        }
    }
    let doc = Doc {
        schema: SCHEMA,
        probe_version: env!("CARGO_PKG_VERSION"),
        generated_at: &origin.at,
        source: &origin.what,
        summary: Summary {
            agents: fleet.agents.len(),
            agents_failed: fleet.agents.iter().filter(|a| !a.ok).count(),
            checks: fleet.rows.len(),
            checks_failing: fleet
                .rows
                .iter()
                .filter(|r| r.cells.iter().flatten().any(|c| c.status.is_failure()))
                .count(),
            checks_drifting: fleet.rows.iter().filter(|r| r.drifts()).count(),
            fail_on_drift: fleet.fail_on_drift,
            ok: fleet.ok(),
        },
        findings: fleet
            .findings
            .iter()
            .map(|f| FindingJson {
                message: &f.message,
                failing: f.failing,
            })
            .collect(),
        agents: fleet
            .agents
            .iter()
            .map(|a| AgentJson {
                name: &a.name,
                hostname: &a.hostname,
                os: &a.os,
                os_name: a.os_name.as_deref(),
                arch: &a.arch,
                job: a.job.as_deref(),
                advertised: a.advertised.as_deref(),
                ok: a.ok,
                checks: a.checks,
                failed: a.failed,
                advertises_but_fails: &a.fails_advertised,
                passes_but_does_not_advertise: a.could_advertise.as_deref(),
                could_advertise: a.paste_list(),
                notices: a
                    .notices
                    .iter()
                    .map(|n| FindingJson {
                        message: &n.message,
                        failing: n.failing,
                    })
                    .collect(),
                source: &a.origin,
                gocd_uuid: a.gocd_uuid.as_deref(),
                gocd_state: a.gocd_state.as_deref(),
            })
            .collect(),
        checks: fleet
            .rows
            .iter()
            .map(|r| CheckJson {
                id: &r.id,
                resource: &r.resource,
                kind: &r.kind,
                name: &r.name,
                ran_on: r.ran_on(),
                failing_on: r
                    .failing_agents(&fleet.agents)
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect(),
                values: r
                    .values
                    .iter()
                    .map(|(v, n)| ValueJson {
                        value: v,
                        agents: *n,
                    })
                    .collect(),
                drift: r.drifts(),
                results: Results {
                    row: r,
                    agents: &fleet.agents,
                },
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

// ---- JUnit ----

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
    let _ = writeln!(
        out,
        "<testsuites name=\"probe fleet\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
        fleet.rows.len() + failing_findings.len()
    );
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

// ---- HTML ----

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.2em;color:#1d1d1f;background:#fff}
h1{font-size:1.45em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .5em}
.pass{color:#1a7f37}.fail,.error{color:#cf222e}.skipped{color:#9a6700}.drift{color:#8250df}
.finding{padding:.4em .8em;border-radius:4px;background:#fff8c5;margin:.3em 0}.finding.failing{background:#ffebe9}
.filters{margin:.6em 0}.filters span{color:#57606a;margin-right:.4em}
.filters input{position:absolute;opacity:0}.filters label{display:inline-block;border:1px solid #d0d7de;border-radius:2em;padding:.05em .7em;margin:.15em .1em;cursor:pointer}
.filters input:checked+label{background:#0969da;border-color:#0969da;color:#fff}.filters input:focus-visible+label{outline:2px solid #0969da}
.wrap{overflow:auto;max-height:80vh;border:1px solid #d0d7de}
table{border-collapse:separate;border-spacing:0}
.matrix th,.matrix td{border-bottom:1px solid #eee;border-right:1px solid #f3f3f3;padding:.25em .5em;vertical-align:top;background:#fff}
.matrix thead th{position:sticky;top:0;z-index:2;background:#f6f8fa;white-space:nowrap}
.matrix th.check{position:sticky;left:0;z-index:1;background:#fff;text-align:left;min-width:18em;max-width:30em;font-weight:normal}
.matrix thead th.check{z-index:3;background:#f6f8fa}
.matrix tr.group th{background:#f6f8fa;text-align:left;position:sticky;left:0}
.matrix td{text-align:center;min-width:3em}
.matrix td.values{text-align:left;white-space:nowrap;color:#57606a}
details summary{cursor:pointer;list-style:none;font-weight:bold}
details[open]{text-align:left;min-width:22em;background:#fffafa}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em .8em;margin:.3em 0;font-weight:normal}dt{color:#57606a}dd{margin:0}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.agents td,.agents th{text-align:left;padding:.25em .8em .25em 0;border-bottom:1px solid #eee;vertical-align:top}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:0 .3em}
";

/// One page, readable without scripts: filters are radio buttons and CSS
/// (`:checked ~`), a failing cell opens with `<details>`.
pub fn html(fleet: &Fleet, origin: &Origin) -> String {
    let ok = fleet.ok();
    let resources = fleet.resources();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>probe fleet: {}</title>\n<style>{STYLE}",
        if ok { "PASSED" } else { "FAILED" }
    );
    // The filters: each choice hides what it does not select.
    for i in 0..resources.len() {
        let _ = writeln!(
            out,
            "#r{i}:checked~.wrap tbody tr:not(.r{i}){{display:none}}"
        );
    }
    for i in 0..fleet.agents.len() {
        let _ = writeln!(out, "#a{i}:checked~.wrap .c:not(.a{i}){{display:none}}");
    }
    out.push_str("#only-fail:checked~.wrap tbody tr.row:not(.failing){display:none}\n");
    out.push_str("#only-drift:checked~.wrap tbody tr.row:not(.drifting){display:none}\n");
    out.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        out,
        "<h1 class=\"{}\">{}: {}</h1>\n<p>{} · {} · {}</p>",
        if ok { "pass" } else { "fail" },
        if ok { "PASSED" } else { "FAILED" },
        esc(&headline(fleet)),
        esc(&origin.what),
        esc(&origin.at),
        esc(&format!("probe {}", env!("CARGO_PKG_VERSION")))
    );
    for f in &fleet.findings {
        let _ = writeln!(
            out,
            "<p class=\"finding{}\"><strong>{}:</strong> {}</p>",
            if f.failing { " failing" } else { "" },
            if f.failing { "error" } else { "warning" },
            esc(&f.message)
        );
    }

    out.push_str("<h2>Checks × agents</h2>\n<div class=\"filters\">\n");
    out.push_str("<span>Show</span><input type=\"radio\" name=\"r\" id=\"r-all\" checked><label for=\"r-all\">every resource</label>");
    for (i, r) in resources.iter().enumerate() {
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"r\" id=\"r{i}\"><label for=\"r{i}\">{}</label>",
            esc(r)
        );
    }
    out.push_str("<br>\n<span>Agents</span><input type=\"radio\" name=\"a\" id=\"a-all\" checked><label for=\"a-all\">every agent</label>");
    for (i, a) in fleet.agents.iter().enumerate() {
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"a\" id=\"a{i}\"><label for=\"a{i}\">{}</label>",
            esc(&a.name)
        );
    }
    out.push_str("<br>\n<span>Rows</span><input type=\"radio\" name=\"f\" id=\"all-rows\" checked><label for=\"all-rows\">all</label>");
    out.push_str("<input type=\"radio\" name=\"f\" id=\"only-fail\"><label for=\"only-fail\">failing</label>");
    out.push_str("<input type=\"radio\" name=\"f\" id=\"only-drift\"><label for=\"only-drift\">differing between agents</label>\n");

    out.push_str(
        "<div class=\"wrap\">\n<table class=\"matrix\">\n<thead><tr><th class=\"check\">check</th>",
    );
    for (i, a) in fleet.agents.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"c a{i}\" title=\"{}\">{}</th>",
            esc(&format!(
                "{} {} {}",
                a.os,
                a.arch,
                a.job.clone().unwrap_or_default()
            )),
            esc(&a.name)
        );
    }
    out.push_str("<th>found</th></tr></thead>\n<tbody>\n");
    for (ri, resource) in resources.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr class=\"group r{ri}\"><th colspan=\"{}\">{}</th></tr>",
            fleet.agents.len() + 2,
            esc(resource)
        );
        for row in fleet.rows.iter().filter(|r| r.resource == *resource) {
            let failing = !row.failing_agents(&fleet.agents).is_empty();
            let _ = write!(
                out,
                "<tr class=\"row r{ri}{}{}\"><th class=\"check\">{}</th>",
                if failing { " failing" } else { "" },
                if row.drifts() { " drifting" } else { "" },
                esc(&row.label())
            );
            for (i, cell) in row.cells.iter().enumerate() {
                let _ = write!(out, "<td class=\"c a{i}\">");
                write_cell(&mut out, cell.as_ref());
                out.push_str("</td>");
            }
            let _ = writeln!(
                out,
                "<td class=\"values{}\">{}</td></tr>",
                if row.drifts() { " drift" } else { "" },
                esc(&values_line(row))
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</div>\n</div>\n");

    out.push_str("<h2>Agents</h2>\n<table class=\"agents\">\n<tr><th>agent</th><th>system</th><th>result</th><th>advertises</th><th>advertises but fails</th><th>passes but does not advertise</th><th>could advertise</th></tr>\n");
    for a in &fleet.agents {
        let result = if a.ok {
            format!("<span class=\"pass\">passed</span> ({} checks)", a.checks)
        } else {
            format!(
                "<span class=\"fail\">failed</span> ({} of {})",
                a.failed, a.checks
            )
        };
        let _ = writeln!(
            out,
            "<tr><td>{}{}</td><td>{}</td><td>{result}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.name),
            a.job.as_ref().map(|j| format!("<br><small>{}</small>", esc(j))).unwrap_or_default(),
            esc(&format!("{} ({})", a.os_name.as_deref().unwrap_or(&a.os), a.arch)),
            a.gocd_state.as_ref().map(|s| format!("<br><small>GoCD: {}</small>", esc(s))).unwrap_or_default()
                + &a.failing_notices().map(|n| format!("<br><small class=\"fail\">{}</small>", esc(n))).collect::<String>(),
            esc(&a.advertised.as_ref().map(|r| r.join(", ")).unwrap_or_else(|| "—".into())),
            esc(&a.fails_advertised.join(", ")),
            esc(&a.could_advertise.as_ref().map(|r| r.join(", ")).unwrap_or_default()),
            a.paste_list().map(|p| format!("<code>{}</code>", esc(&p))).unwrap_or_default(),
        );
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

fn write_cell(out: &mut String, cell: Option<&Cell>) {
    let Some(c) = cell else {
        out.push_str("<span title=\"not run on this agent\">·</span>");
        return;
    };
    match c.status {
        Status::Pass => {
            let _ = write!(
                out,
                "<span class=\"pass\" title=\"{}\">✓</span>",
                esc(&c.message)
            );
        }
        Status::Skipped => {
            let _ = write!(
                out,
                "<span class=\"skipped\" title=\"{}\">–</span>",
                esc(&c.message)
            );
        }
        Status::Fail | Status::Error => {
            let class = c.status.as_str();
            let _ = write!(
                out,
                "<details><summary class=\"{class}\">{}</summary><p>{}</p><dl>",
                if c.status == Status::Fail { "✗" } else { "!" },
                esc(&c.message)
            );
            let fields = [
                ("expected", Some(c.expected.as_str())),
                ("found", Some(c.actual.as_str())),
                ("found in", c.found_in.as_deref()),
                ("where", c.location.as_deref()),
                ("hint", c.hint.as_deref()),
            ];
            for (name, value) in fields {
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    let _ = write!(out, "<dt>{name}</dt><dd>{}</dd>", esc(v));
                }
            }
            if let Some(o) = c.output.as_deref().filter(|o| !o.is_empty()) {
                let _ = write!(out, "<dt>output</dt><dd><pre>{}</pre></dd>", esc(o));
            }
            out.push_str("</dl></details>");
        }
    }
}
