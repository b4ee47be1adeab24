//! The fleet report as one self-contained HTML page, for a GoCD custom tab:
//! who is broken and why first (by cause, then one line per broken
//! agent), then what changed, the findings, how agents differ, which jobs
//! lack agents and what agents could advertise; the matrix of checks ×
//! agents is the detail view below, and each agent's own card last.
//!
//! One page scroll (no box that scrolls inside it, which in GoCD's tab
//! iframe would be a scroll box in a page in a frame), readable without
//! JavaScript (the page allows none: filters are form controls and CSS),
//! and it asks for nothing beyond itself.

use std::fmt::Write;

use super::*;
use crate::fleet::triage::{self, short_age, Cause};
use crate::fleet::{Cell, Status};
use crate::text::{html_escape as esc, html_inline};

const STYLE: &str = "
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:1em 1.2em;color:#1d1d1f;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.35em;margin:0}h2{font-size:1.1em;margin:1.3em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.15em}
h3{font-size:1em;margin:0}
a{color:#0969da}
.pass{color:#1a7f37}.fail,.error{color:#cf222e}.skipped{color:#9a6700}.drift{color:#8250df}
.meta{color:#57606a;margin:.2em 0 .5em}
nav{font-size:.9em;color:#57606a}nav a{margin-right:.8em}
.badge{display:inline-block;min-width:3.2em;text-align:center;font-size:.78em;font-weight:bold;border-radius:3px;padding:0 .3em;color:#fff;background:#cf222e}
.badge.error{background:#953800}.badge.pass{background:#1a7f37;color:#fff}.badge.stale{background:#9a6700}
ul.plain{list-style:none;padding:0;margin:.3em 0}ul.plain>li{margin:.25em 0}
.triage li{padding:.1em 0}
.who{color:#57606a}
em.hint{font-style:normal;color:#0b5394;background:#eef5ff;padding:0 .25em;border-radius:3px}
.found{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.finding{padding:.3em .7em;border-radius:4px;background:#fff8c5;margin:.25em 0}.finding.failing{background:#ffebe9}
table{border-collapse:collapse}
.list th,.list td{text-align:left;vertical-align:top;padding:.2em .9em .2em 0;border-bottom:1px solid #eee}
.list th[scope=col]{color:#57606a;font-weight:normal}
caption{text-align:left;color:#57606a;padding:.2em 0}
.legend{color:#57606a;font-size:.9em}.legend span{margin-right:1em}
.filters{margin:.4em 0;font-size:.92em}.filters fieldset{border:0;padding:0;margin:.2em 0}.filters legend{float:left;color:#57606a;margin-right:.4em;padding:0}
.filters input{position:absolute;opacity:0;width:1px;height:1px;margin:0;pointer-events:none}.filters label{display:inline-block;border:1px solid #d0d7de;border-radius:2em;padding:0 .6em;margin:.1em;cursor:pointer}
.filters input:checked+label{background:#0969da;border-color:#0969da;color:#fff}.filters input:focus-visible+label{outline:2px solid #0969da;outline-offset:1px}
.matrix th,.matrix td{border-bottom:1px solid #eee;padding:.15em .35em;vertical-align:middle}
.matrix thead th{vertical-align:bottom;background:#fff}
.matrix th.agent{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal;max-height:11em;padding:.3em .1em}
.matrix th.check{text-align:left;font-weight:normal;min-width:14em;max-width:26em;position:sticky;left:0;background:#fff}
.matrix td.values{min-width:12em;max-width:30em;color:#57606a;font-size:.92em}
.matrix td.values.drift{color:#8250df}
.matrix tr.group th{text-align:left;background:#f6f8fa;position:sticky;left:0}
.matrix td.c{text-align:center;min-width:1.7em}
.matrix td.c a{text-decoration:none}
.v{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.agent-card{border:1px solid #d0d7de;border-radius:4px;padding:.5em .8em;margin:.5em 0}
.agent-card.broken{border-left:4px solid #cf222e}
.agent-card dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em .9em;margin:.4em 0}.agent-card dt{color:#57606a}.agent-card dd{margin:0}
.failing-check{margin:.4em 0 .4em .2em;padding-left:.6em;border-left:2px solid #f0c0c0}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:none}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:0 .25em}
.passing-agents li{display:inline-block;margin-right:1.2em}
@media (max-width:900px){body{padding:.6em}.matrix th.check{min-width:10em}}
";

/// More agents than this are not each a column of the matrix: the broken
/// ones are, the others are listed under it.
const MATRIX_AGENTS: usize = 60;

/// A name longer than this is shortened in the matrix's header (whole in
/// its cards and for screen readers).
const HEADER_NAME: usize = 24;

/// One page, readable without scripts: filters are radio buttons and
/// check boxes with CSS (`:checked`, `:has`).
pub fn html(fleet: &Fleet, origin: &Origin) -> String {
    let ok = fleet.ok();
    let causes = fleet.causes();
    let notices = fleet.notice_causes();
    let mut out = String::with_capacity(64 * 1024);
    let verdict = if ok { "PASSED" } else { "FAILED" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>probe fleet: {verdict}</title>\n<style>{STYLE}"
    );
    let columns = matrix_columns(fleet);
    write_filter_rules(&mut out, fleet, &columns);
    out.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        out,
        "<header>\n<h1 class=\"{}\">{verdict}: {}</h1>\n<p class=\"meta\">{} · {} · {}</p>",
        if ok { "pass" } else { "fail" },
        esc(&headline(fleet)),
        esc(&origin.what),
        esc(&origin.at),
        esc(&format!("probe {}", env!("CARGO_PKG_VERSION")))
    );
    write_nav(&mut out, fleet, &causes);
    out.push_str("</header>\n");
    if let Some(plan) = &fleet.quarantine {
        write_quarantine(&mut out, plan);
    }

    if !causes.is_empty() || !notices.is_empty() {
        write_causes(&mut out, fleet, &causes, &notices);
        write_broken(&mut out, fleet, origin, &causes);
    }
    write_changes(&mut out, fleet);
    if !fleet.findings.is_empty() {
        out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
        for f in &fleet.findings {
            let _ = writeln!(
                out,
                "<p class=\"finding{}\"><strong>{}:</strong> {}</p>",
                if f.failing { " failing" } else { "" },
                if f.failing { "error" } else { "warning" },
                esc(&f.message)
            );
        }
        out.push_str("</section>\n");
    }
    write_differences(&mut out, fleet);
    write_scheduling(&mut out, fleet);
    write_advertising(&mut out, fleet);
    write_matrix(&mut out, fleet, &columns);
    write_agents(&mut out, fleet, origin, &causes);
    out.push_str("</body>\n</html>\n");
    out
}

/// What probe changes in GoCD, or would, and what it will not: first,
/// since it is what the page did.
fn write_quarantine(out: &mut String, plan: &crate::fleet::quarantine::Plan) {
    use crate::fleet::quarantine::State;
    let missing = plan
        .missing
        .as_deref()
        .map(|why| format!("Changes to GoCD: {why}"));
    let title = match (plan.apply, plan.changes.is_empty()) {
        _ if missing.is_some() => missing.as_deref().unwrap_or_default(),
        (_, true) => "Changes to GoCD: none needed",
        (true, false) => "Changes to GoCD",
        (false, false) => {
            "Changes to GoCD: a plan (nothing was changed; --apply makes the planned ones)"
        }
    };
    let _ = writeln!(
        out,
        "<section id=\"quarantine\">\n<h2>{}</h2>\n<ul class=\"plain triage\">",
        esc(title)
    );
    for change in &plan.changes {
        let (class, word) = match change.state {
            State::Planned => ("badge stale", "PLAN"),
            State::Applied => ("badge pass", "DONE"),
            State::Held(_) => ("badge error", "HOLD"),
            State::Failed(_) => ("badge", "FAIL"),
        };
        let _ = write!(
            out,
            "<li data-change=\"{}\"><span class=\"{class}\">{word}</span> {}: {}",
            change.state.as_str(),
            html_inline(&change.action.describe(&change.agent)),
            esc(&change.reason)
        );
        if let Some(why) = change.state.why() {
            let _ = write!(
                out,
                "<br><span class=\"who\">not done: {}</span>",
                html_inline(why)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

/// The agents that are columns of the matrix, by place.
fn matrix_columns(fleet: &Fleet) -> Vec<usize> {
    if fleet.agents.len() <= MATRIX_AGENTS {
        return (0..fleet.agents.len()).collect();
    }
    (0..fleet.agents.len())
        .filter(|&a| !fleet.agents[a].ok)
        .collect()
}

/// The filters' rules: each choice hides what it does not select.
fn write_filter_rules(out: &mut String, fleet: &Fleet, columns: &[usize]) {
    for i in 0..fleet.resources().len() {
        let _ = writeln!(
            out,
            "body:has(#r{i}:checked) .matrix tbody tr:not(.r{i}){{display:none}}"
        );
    }
    // Agents: any number picked; the others' columns hide, and the values
    // each picked agent found show in its cells.
    out.push_str("body:has(.pick-agent:checked) .matrix .c{display:none}\n");
    out.push_str("body:has(.pick-agent:checked) .matrix .v{position:static;width:auto;height:auto;clip:auto;margin-left:.3em}\n");
    out.push_str("body:has(.pick-agent:checked) .matrix td.c{text-align:left}\n");
    for &a in columns {
        let _ = writeln!(
            out,
            "body:has(#a{a}:checked) .matrix .a{a}{{display:table-cell}}"
        );
    }
    out.push_str("body:has(#only-fail:checked) .matrix tbody tr:not(.failing){display:none}\n");
    out.push_str("body:has(#only-drift:checked) .matrix tbody tr:not(.drifting){display:none}\n");
}

fn write_nav(out: &mut String, fleet: &Fleet, causes: &[Cause]) {
    out.push_str("<nav>");
    if !causes.is_empty() || fleet.agents.iter().any(|a| !a.ok) {
        out.push_str("<a href=\"#causes\">Why</a><a href=\"#broken\">Broken agents</a>");
    }
    if fleet.changes.is_some() {
        out.push_str("<a href=\"#changes\">Changes</a>");
    }
    if !fleet.findings.is_empty() {
        out.push_str("<a href=\"#findings\">Findings</a>");
    }
    if fleet.rows.iter().any(|r| r.drifts()) {
        out.push_str("<a href=\"#differences\">Differences</a>");
    }
    if fleet.capacity.is_some() {
        out.push_str("<a href=\"#scheduling\">Jobs</a>");
    }
    out.push_str("<a href=\"#advertise\">Could advertise</a><a href=\"#matrix\">Checks × agents</a><a href=\"#agents\">Agents</a></nav>\n");
}

fn agent_link(fleet: &Fleet, a: usize) -> String {
    format!("<a href=\"#agent-{a}\">{}</a>", esc(&fleet.agents[a].name))
}

/// `a, b, c and 12 more` as links to the agents' cards.
fn agent_links(fleet: &Fleet, agents: &[usize]) -> String {
    const NAMED: usize = 12;
    let mut parts: Vec<String> = agents
        .iter()
        .take(if agents.len() > NAMED {
            NAMED - 1
        } else {
            NAMED
        })
        .map(|&a| agent_link(fleet, a))
        .collect();
    if agents.len() > NAMED {
        parts.push(format!("and {} more", agents.len() - (NAMED - 1)));
    }
    parts.join(", ")
}

fn badge(status: Status) -> &'static str {
    match status {
        Status::Error => "<span class=\"badge error\">ERROR</span>",
        Status::Pass => "<span class=\"badge pass\">PASS</span>",
        _ => "<span class=\"badge\">FAIL</span>",
    }
}

/// The failures grouped by cause: what fails, on whom, what was found,
/// what was expected and the hint.
fn write_causes(out: &mut String, fleet: &Fleet, causes: &[Cause], notices: &[NoticeCauseRef]) {
    out.push_str(
        "<section id=\"causes\">\n<h2>Why agents are broken, by cause</h2>\n<ul class=\"plain\">\n",
    );
    for cause in causes {
        let row = &fleet.rows[cause.row];
        let _ = write!(
            out,
            "<li class=\"cause\">{} <strong>{}</strong> <span class=\"who\">on {}:</span> {}",
            badge(cause.status),
            esc(&row.qualified()),
            count(cause.agents.len(), "agent", "agents"),
            agent_links(fleet, &cause.agents)
        );
        let mut parts = Vec::new();
        if !cause.found.is_empty() {
            parts.push(format!(
                "found <span class=\"found\">{}</span>",
                cause
                    .found
                    .iter()
                    .take(6)
                    .map(|f| esc(f))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ));
        } else if !cause.message.is_empty() {
            parts.push(html_inline(&cause.message));
        }
        if !cause.expected.is_empty() {
            parts.push(format!("expected {}", html_inline(&cause.expected)));
        }
        if !parts.is_empty() {
            let _ = write!(out, "<br>{}", parts.join("; "));
        }
        if let Some(hint) = &cause.hint {
            let _ = write!(
                out,
                " → <em class=\"hint\">{}</em>",
                html_inline(hint.trim())
            );
        }
        out.push_str("</li>\n");
    }
    for notice in notices {
        let _ = writeln!(
            out,
            "<li class=\"cause\">{} {} <span class=\"who\">on {}:</span> {}</li>",
            badge(Status::Fail),
            esc(&notice.message),
            count(notice.agents.len(), "agent", "agents"),
            agent_links(fleet, &notice.agents)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

type NoticeCauseRef = crate::fleet::triage::NoticeCause;

/// The agent's failing rows, the most common cause first.
fn failing_in_cause_order(fleet: &Fleet, causes: &[Cause], agent: usize) -> Vec<usize> {
    let mut rows: Vec<usize> = causes
        .iter()
        .filter(|c| c.agents.contains(&agent))
        .map(|c| c.row)
        .collect();
    rows.dedup();
    let _ = fleet;
    rows
}

/// One line per broken agent: its first cause, found and expected, and
/// how many more; its age and links.
fn write_broken(out: &mut String, fleet: &Fleet, origin: &Origin, causes: &[Cause]) {
    let broken: Vec<usize> = (0..fleet.agents.len())
        .filter(|&a| !fleet.agents[a].ok)
        .collect();
    if broken.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"broken\">\n<h2>Broken agents ({} of {})</h2>\n<ul class=\"plain triage\">",
        broken.len(),
        fleet.agents.len()
    );
    for a in broken {
        let agent = &fleet.agents[a];
        let rows = failing_in_cause_order(fleet, causes, a);
        let _ = write!(
            out,
            "<li data-agent=\"{}\"><strong>{}</strong>",
            esc(&agent.name),
            agent_link(fleet, a)
        );
        match rows.first() {
            Some(&r) => {
                let row = &fleet.rows[r];
                let _ = write!(out, ": {}", esc(&row.qualified()));
                if let Some(cell) = &row.cells[a] {
                    if !cell.actual.is_empty() {
                        let _ = write!(
                            out,
                            " — found <span class=\"found\">{}</span>",
                            esc(&cell.actual)
                        );
                    } else {
                        let _ = write!(out, " — {}", html_inline(&cell.message));
                    }
                    if !cell.expected.is_empty() {
                        let _ = write!(out, ", expected {}", html_inline(&cell.expected));
                    }
                }
                if rows.len() > 1 {
                    let others: Vec<String> = rows[1..]
                        .iter()
                        .take(3)
                        .map(|&r| esc(&fleet.rows[r].qualified()))
                        .collect();
                    let _ = write!(
                        out,
                        "; also {}{}",
                        others.join(", "),
                        if rows.len() > 4 {
                            format!(" and {} more", rows.len() - 4)
                        } else {
                            String::new()
                        }
                    );
                }
            }
            None => {
                let why: Vec<&str> = agent.failing_notices().collect();
                let text = if why.is_empty() {
                    "its report does not add up (see the findings)".to_string()
                } else {
                    why.join("; ")
                };
                let _ = write!(out, ": {}", esc(&text));
            }
        }
        write_age(out, fleet, agent);
        if let Some(links) = job_links(origin, agent) {
            write_links(out, &links);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

fn write_age(out: &mut String, fleet: &Fleet, agent: &Agent) {
    if let Some(age) = agent.age {
        let stale = agent.is_stale(fleet.stale_after);
        let _ = write!(
            out,
            " <small title=\"{}\">· {} {}</small>",
            esc(agent.started_at.as_deref().unwrap_or_default()),
            if age < 0 {
                format!("dated {} ahead", short_age(-age))
            } else {
                format!("{} ago", short_age(age))
            },
            if stale {
                "<span class=\"badge stale\">STALE</span>"
            } else {
                ""
            }
        );
    }
}

fn write_links(out: &mut String, links: &JobLinks) {
    let _ = write!(
        out,
        " <small>· <a href=\"{}\" target=\"_top\">job</a> <a href=\"{}\" target=\"_top\">console</a> <a href=\"{}\" target=\"_top\">probe tab</a></small>",
        esc(&links.job),
        esc(&links.console),
        esc(&links.tab)
    );
}

fn write_changes(out: &mut String, fleet: &Fleet) {
    let Some(changes) = &fleet.changes else {
        return;
    };
    let _ = writeln!(
        out,
        "<section id=\"changes\">\n<h2>Changes since the previous run ({})</h2>",
        esc(&changes.since)
    );
    if changes.is_empty() {
        out.push_str("<p>Nothing changed.</p>\n</section>\n");
        return;
    }
    out.push_str("<ul class=\"plain\">\n");
    let pairs = |list: &[(String, String)]| {
        list.iter()
            .map(|(agent, check)| format!("{} ({})", esc(agent), esc(check)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !changes.new_failures.is_empty() {
        let _ = writeln!(
            out,
            "<li><strong class=\"fail\">New failures:</strong> {}</li>",
            pairs(&changes.new_failures)
        );
    }
    if !changes.fixed.is_empty() {
        let _ = writeln!(
            out,
            "<li><strong class=\"pass\">Fixed:</strong> {}</li>",
            pairs(&changes.fixed)
        );
    }
    if !changes.new_agents.is_empty() {
        let _ = writeln!(
            out,
            "<li><strong>New agents:</strong> {}</li>",
            esc(&changes.new_agents.join(", "))
        );
    }
    if !changes.gone_agents.is_empty() {
        let _ = writeln!(
            out,
            "<li><strong>Gone:</strong> {}</li>",
            esc(&changes.gone_agents.join(", "))
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// `17.0.15 ×12 · 17.0.8 ×3: a, b, c`.
fn distribution_html(fleet: &Fleet, row: &Row) -> String {
    let distribution = row.distribution();
    distribution
        .iter()
        .enumerate()
        .map(|(i, (value, agents))| {
            if !triage::names_agents(&distribution, i) {
                format!(
                    "<span class=\"found\">{}</span> ×{}",
                    esc(value),
                    agents.len()
                )
            } else {
                format!(
                    "<span class=\"found\">{}</span> ×{}: {}",
                    esc(value),
                    agents.len(),
                    agent_links(fleet, agents)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn write_differences(out: &mut String, fleet: &Fleet) {
    let drifting: Vec<&Row> = fleet.rows.iter().filter(|r| r.drifts()).collect();
    if drifting.is_empty() {
        return;
    }
    out.push_str("<section id=\"differences\">\n<h2>Differences between agents</h2>\n<table class=\"list\">\n<caption>What the agents that pass a check found: the most common value first, the agents with each other value named.</caption>\n<thead><tr><th scope=\"col\">check</th><th scope=\"col\">found</th></tr></thead>\n<tbody>\n");
    for row in drifting {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(&row.qualified()),
            distribution_html(fleet, row)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn write_scheduling(out: &mut String, fleet: &Fleet) {
    let Some(capacity) = &fleet.capacity else {
        return;
    };
    out.push_str("<section id=\"scheduling\">\n<h2>Jobs and the agents that can take them</h2>\n<table class=\"list\">\n<caption>For each set of resources the pipelines' jobs ask for: the agents GoCD would give such a job, and the broken ones among them.</caption>\n<thead><tr><th scope=\"col\">resources</th><th scope=\"col\">agents</th><th scope=\"col\">broken</th><th scope=\"col\">jobs</th></tr></thead>\n<tbody>\n");
    for c in capacity {
        let healthy = c.healthy();
        let _ = writeln!(
            out,
            "<tr{}><th scope=\"row\">{}</th><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            if healthy == 0 { " class=\"fail\"" } else { "" },
            esc(&c.label()),
            c.agents.len(),
            if c.unchecked.is_empty() {
                String::new()
            } else {
                format!(" (+{} without a report)", c.unchecked.len())
            },
            if c.broken.is_empty() {
                "0".to_string()
            } else {
                format!("{}: {}", c.broken.len(), agent_links(fleet, &c.broken))
            },
            esc(&c.jobs.join(", "))
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn write_advertising(out: &mut String, fleet: &Fleet) {
    out.push_str("<section id=\"advertise\">\n<h2>What agents could advertise</h2>\n");
    let changing: Vec<(usize, &Agent)> = fleet
        .agents
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            let p = &a.plan;
            !(p.rename.is_empty()
                && p.drop.is_empty()
                && p.unchecked.is_empty()
                && p.repair.is_empty())
        })
        .collect();
    let mut addable: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, a) in fleet.agents.iter().enumerate() {
        for r in &a.plan.add {
            match addable
                .iter_mut()
                .find(|(name, _)| name.eq_ignore_ascii_case(r))
            {
                Some((_, agents)) => agents.push(i),
                None => addable.push((r, vec![i])),
            }
        }
    }
    if changing.is_empty() && addable.is_empty() {
        out.push_str("<p>Every agent advertises what its checks vouch for.</p>\n</section>\n");
        return;
    }
    out.push_str("<p class=\"legend\">A list to paste into GoCD (Agents, Resources) holds only resources a spec vouches for: a misspelt one is corrected, one without a spec is left out, one whose tool or version is missing is left out; a failing condition (PATH, free space, a variable) is repaired on the agent, not dropped.</p>\n<ul class=\"plain\">\n");
    for (i, a) in changing {
        let mut parts = Vec::new();
        for (from, to) in &a.plan.rename {
            parts.push(format!(
                "<code>{}</code> is misspelt, the spec is <code>{}</code>",
                esc(from),
                esc(to)
            ));
        }
        for (resource, why) in &a.plan.drop {
            parts.push(format!(
                "<code>{}</code> left out: {} fails",
                esc(resource),
                esc(why)
            ));
        }
        for (resource, why) in &a.plan.repair {
            parts.push(format!(
                "<code>{}</code> kept; repair {}",
                esc(resource),
                esc(why)
            ));
        }
        if !a.plan.unchecked.is_empty() {
            parts.push(format!(
                "left out, no spec checks {}",
                a.plan
                    .unchecked
                    .iter()
                    .map(|r| format!("<code>{}</code>", esc(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let _ = write!(out, "<li>{}: {}", agent_link(fleet, i), parts.join("; "));
        if a.plan.changes() {
            let _ = write!(out, "<br>paste: <code>{}</code>", esc(&a.plan.paste()));
        }
        out.push_str("</li>\n");
    }
    for (resource, agents) in addable {
        let who = if agents.len() == fleet.agents.len() && agents.len() > 1 {
            format!("every agent ({})", agents.len())
        } else {
            format!(
                "{}: {}",
                count(agents.len(), "agent", "agents"),
                agent_links(fleet, &agents)
            )
        };
        let _ = writeln!(
            out,
            "<li><code>{}</code> passes, not advertised, on {who}</li>",
            esc(resource)
        );
    }
    out.push_str("</ul>\n</section>\n");
}

/// The matrix's headers: each name, a long one (a Kubernetes pod's) cut
/// to the parts that tell it from the others like it:
/// `gocd-agent-k8s-7f9c2d-31-x8pq2` beside `…-32-…` shows as
/// `gocd…31…`.
fn header_names(names: &[&str]) -> Vec<String> {
    let parts = |n: &str| -> Vec<String> {
        n.split_inclusive(['-', '_', '.'])
            .map(String::from)
            .collect()
    };
    names
        .iter()
        .map(|name| {
            if name.chars().count() <= HEADER_NAME {
                return name.to_string();
            }
            let mine = parts(name);
            // Names with as many parts and the same first one are alike.
            let alike: Vec<Vec<String>> = names
                .iter()
                .filter(|other| *other != name)
                .map(|other| parts(other))
                .filter(|p| p.len() == mine.len() && p.first() == mine.first())
                .collect();
            let mut short = String::new();
            for (i, part) in mine.iter().enumerate() {
                let shared = !alike.is_empty() && alike.iter().all(|p| p[i] == *part);
                if i == 0 || !shared {
                    short.push_str(part);
                } else if !short.ends_with('…') {
                    while short.ends_with(['-', '_', '.']) {
                        short.pop();
                    }
                    short.push('…');
                }
            }
            let short = short.trim_end_matches(['-', '_', '.']).to_string();
            let n = short.chars().count();
            if n <= HEADER_NAME {
                return short;
            }
            let head: String = short.chars().take(HEADER_NAME / 2).collect();
            let tail: String = short.chars().skip(n - (HEADER_NAME / 2 - 1)).collect();
            format!("{head}…{tail}")
        })
        .collect()
}

fn write_matrix(out: &mut String, fleet: &Fleet, columns: &[usize]) {
    let resources = fleet.resources();
    out.push_str("<section id=\"matrix\">\n<h2>Checks × agents</h2>\n");
    out.push_str("<p class=\"legend\"><span class=\"pass\">✓ passed</span><span class=\"fail\">✗ failed</span><span class=\"error\">! could not be checked</span><span class=\"skipped\">– skipped</span><span>(empty) not run on that agent</span><span class=\"drift\">purple: agents found different values</span></p>\n");
    if columns.len() < fleet.agents.len() {
        let _ = writeln!(
            out,
            "<p class=\"legend\">The {} broken agents are columns; the {} that pass are listed under the table.</p>",
            columns.len(),
            fleet.agents.len() - columns.len()
        );
    }
    out.push_str("<form class=\"filters\" aria-label=\"filters\">\n<fieldset><legend>Resource</legend><input type=\"radio\" name=\"r\" id=\"r-all\" checked><label for=\"r-all\">every resource</label>");
    for (i, r) in resources.iter().enumerate() {
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"r\" id=\"r{i}\"><label for=\"r{i}\">{}</label>",
            esc(r)
        );
    }
    out.push_str("</fieldset>\n<fieldset><legend>Checks</legend><input type=\"radio\" name=\"f\" id=\"all-rows\" checked><label for=\"all-rows\">all</label>");
    out.push_str("<input type=\"radio\" name=\"f\" id=\"only-fail\"><label for=\"only-fail\">failing</label>");
    out.push_str("<input type=\"radio\" name=\"f\" id=\"only-drift\"><label for=\"only-drift\">differing between agents</label></fieldset>\n");
    out.push_str("<fieldset><legend>Agents (pick any: their values show)</legend>");
    for &a in columns {
        let _ = write!(
            out,
            "<input type=\"checkbox\" class=\"pick-agent\" id=\"a{a}\"><label for=\"a{a}\">{}</label>",
            esc(&fleet.agents[a].name)
        );
    }
    out.push_str("<input type=\"reset\" id=\"clear\"><label for=\"clear\">clear</label></fieldset>\n</form>\n");

    out.push_str("<table class=\"matrix\">\n<caption>Each check (rows) on each agent (columns); the found column shows what the agents found.</caption>\n<thead><tr><th scope=\"col\" class=\"check\">check</th><th scope=\"col\">found</th>");
    let names: Vec<&str> = columns
        .iter()
        .map(|&a| fleet.agents[a].name.as_str())
        .collect();
    for (&a, short) in columns.iter().zip(header_names(&names)) {
        let agent = &fleet.agents[a];
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"agent c a{a}\" title=\"{}\" aria-label=\"{}\">{}</th>",
            esc(&agent.name),
            esc(&agent.name),
            esc(&short)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (ri, resource) in resources.iter().enumerate() {
        let rows: Vec<&Row> = fleet
            .rows
            .iter()
            .filter(|r| r.resource == *resource)
            .collect();
        let any_failing = rows
            .iter()
            .any(|r| !r.failing_agents(&fleet.agents).is_empty());
        let any_drift = rows.iter().any(|r| r.drifts());
        let _ = writeln!(
            out,
            "<tr class=\"group r{ri}{}{}\"><th scope=\"colgroup\" colspan=\"2\">{}</th><td colspan=\"{}\" class=\"span\"></td></tr>",
            if any_failing { " failing" } else { "" },
            if any_drift { " drifting" } else { "" },
            esc(resource),
            columns.len()
        );
        for row in rows {
            let failing = !row.failing_agents(&fleet.agents).is_empty();
            let _ = write!(
                out,
                "<tr class=\"row r{ri}{}{}\"><th scope=\"row\" class=\"check\">{}</th><td class=\"values{}\">{}</td>",
                if failing { " failing" } else { "" },
                if row.drifts() { " drifting" } else { "" },
                esc(&row.label()),
                if row.drifts() { " drift" } else { "" },
                distribution_html(fleet, row)
            );
            for &a in columns {
                let _ = write!(out, "<td class=\"c a{a}\">");
                write_cell(out, row.cells[a].as_ref(), a);
                out.push_str("</td>");
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n");
    if columns.len() < fleet.agents.len() {
        out.push_str("<p>Passing agents: ");
        let passing: Vec<usize> = (0..fleet.agents.len())
            .filter(|a| fleet.agents[*a].ok)
            .collect();
        out.push_str(&agent_links(fleet, &passing));
        out.push_str("</p>\n");
    }
    out.push_str("</section>\n");
}

/// A cell: its mark, and what the agent found (shown when the agent is
/// picked, and read by screen readers); a failure links to the card.
fn write_cell(out: &mut String, cell: Option<&Cell>, agent: usize) {
    let Some(c) = cell else {
        out.push_str("<span class=\"v\">not run</span>");
        return;
    };
    let (mark, class, word) = match c.status {
        Status::Pass => ("✓", "pass", "passed"),
        Status::Skipped => ("–", "skipped", "skipped"),
        Status::Fail => ("✗", "fail", "failed"),
        Status::Error => ("!", "error", "could not be checked"),
    };
    let found = if c.actual.is_empty() {
        word.to_string()
    } else if c.status == Status::Pass {
        c.actual.clone()
    } else {
        format!("{word}: {}", c.actual)
    };
    if c.status.is_failure() {
        let _ = write!(
            out,
            "<a href=\"#agent-{agent}\" class=\"{class}\"><span aria-hidden=\"true\">{mark}</span><span class=\"v\">{}</span></a>",
            esc(&found)
        );
    } else {
        let _ = write!(
            out,
            "<span class=\"{class}\" aria-hidden=\"true\">{mark}</span><span class=\"v\">{}</span>",
            esc(&found)
        );
    }
}

/// Each agent's card: its verdict, age, links and system; each failing
/// check in full; how it differs from most agents; its notices.
fn write_agents(out: &mut String, fleet: &Fleet, origin: &Origin, causes: &[Cause]) {
    out.push_str("<section id=\"agents\">\n<h2>Agents</h2>\n");
    let mut passing = Vec::new();
    for (a, agent) in fleet.agents.iter().enumerate() {
        let differences = fleet.differences(a, fleet.baseline);
        if agent.ok
            && differences.is_empty()
            && agent.notices.is_empty()
            && !agent.is_stale(fleet.stale_after)
        {
            passing.push(a);
            continue;
        }
        let _ = write!(
            out,
            "<article class=\"agent-card{}\" id=\"agent-{a}\">\n<h3>{} {}</h3>\n<p class=\"meta\">{} ({}) · {}",
            if agent.ok { "" } else { " broken" },
            if agent.ok {
                "<span class=\"badge pass\">PASS</span>"
            } else {
                "<span class=\"badge\">FAIL</span>"
            },
            esc(&agent.name),
            esc(agent.os_name.as_deref().unwrap_or(&agent.os)),
            esc(&agent.arch),
            if agent.ok {
                format!("{} checks passed", agent.checks)
            } else {
                format!("{} of {} checks failed", agent.failed, agent.checks)
            }
        );
        write_age(out, fleet, agent);
        if let Some(links) = job_links(origin, agent) {
            write_links(out, &links);
        }
        out.push_str("</p>\n<dl>");
        if agent.hostname != agent.name {
            let _ = write!(out, "<dt>host</dt><dd>{}</dd>", esc(&agent.hostname));
        }
        if let Some(job) = &agent.job {
            let _ = write!(out, "<dt>job</dt><dd>{}</dd>", esc(job));
        }
        let _ = write!(
            out,
            "<dt>advertises</dt><dd>{}</dd>",
            esc(&agent
                .advertised
                .as_ref()
                .map(|r| r.join(", "))
                .unwrap_or_else(|| "(not known)".into()))
        );
        if let Some(state) = &agent.gocd_state {
            let _ = write!(out, "<dt>GoCD</dt><dd>{}</dd>", esc(state));
        }
        let _ = write!(out, "<dt>source</dt><dd>{}</dd>", esc(&agent.origin));
        out.push_str("</dl>\n");
        for message in agent.failing_notices() {
            let _ = writeln!(out, "<p class=\"finding failing\">{}</p>", esc(message));
        }
        for r in failing_in_cause_order(fleet, causes, a) {
            let row = &fleet.rows[r];
            if let Some(cell) = &row.cells[a] {
                write_failing(out, row, cell);
            }
        }
        if !differences.is_empty() {
            let against = match fleet.baseline {
                Some(b) => format!("agent {}", esc(&fleet.agents[b].name)),
                None => "most agents".to_string(),
            };
            let _ = write!(out, "<p>Differs from {against}: ");
            let parts: Vec<String> = differences
                .iter()
                .map(|(row, mine, theirs)| {
                    format!(
                        "{} <span class=\"found drift\">{}</span> (not {})",
                        esc(&row.qualified()),
                        esc(mine),
                        esc(theirs)
                    )
                })
                .collect();
            out.push_str(&parts.join("; "));
            out.push_str("</p>\n");
        }
        out.push_str("</article>\n");
    }
    if !passing.is_empty() {
        out.push_str("<ul class=\"plain passing-agents\">\n");
        for a in passing {
            let agent = &fleet.agents[a];
            let _ = write!(
                out,
                "<li id=\"agent-{a}\"><span class=\"pass\">✓</span> {} <small>{} checks</small>",
                esc(&agent.name),
                agent.checks
            );
            write_age(out, fleet, agent);
            if let Some(links) = job_links(origin, agent) {
                write_links(out, &links);
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn write_failing(out: &mut String, row: &Row, c: &Cell) {
    let _ = write!(
        out,
        "<div class=\"failing-check\">{} <strong>{}</strong>: {}<dl>",
        badge(c.status),
        esc(&row.qualified()),
        html_inline(&c.message)
    );
    if !c.expected.is_empty() {
        let _ = write!(
            out,
            "<dt>expected</dt><dd>{}</dd>",
            html_inline(&c.expected)
        );
    }
    let fields = [
        ("found", Some(c.actual.as_str())),
        ("found in", c.found_in.as_deref()),
        ("where", c.location.as_deref()),
    ];
    for (name, value) in fields {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = write!(out, "<dt>{name}</dt><dd>{}</dd>", esc(v));
        }
    }
    if let Some(hint) = c.hint.as_deref().filter(|h| !h.is_empty()) {
        let _ = write!(
            out,
            "<dt>hint</dt><dd><em class=\"hint\">{}</em></dd>",
            html_inline(hint.trim())
        );
    }
    if let Some(o) = c.output.as_deref().filter(|o| !o.is_empty()) {
        let _ = write!(out, "<dt>output</dt><dd><pre>{}</pre></dd>", esc(o));
    }
    out.push_str("</dl></div>\n");
}
