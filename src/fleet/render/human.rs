//! The fleet report as text, for a terminal or a GoCD console log: the
//! verdict, then who is broken and why (by cause, then by agent), how
//! agents differ, what changed, which jobs lack agents, findings, what
//! agents could advertise, and one line per agent; the verdict again last.
//! Long lines wrap to the terminal's width.

use std::fmt::Write;

use super::*;
use crate::fleet::triage::{self, short_age};
use crate::fleet::{quarantine, Status};
use crate::text::{Style, Term};

/// How the text is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Every check, not only those that fail or differ.
    pub all: bool,
    pub color: bool,
    /// The terminal's width; None: lines are not wrapped (a log).
    pub width: Option<usize>,
}

/// At most this many agents are named in one line; the rest are counted.
const NAMED: usize = 8;

/// `a, b, c and 12 more`.
pub(super) fn some_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.len() <= NAMED {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..NAMED - 1].join(", "),
        names.len() - (NAMED - 1)
    )
}

pub fn human(fleet: &Fleet, origin: &Origin, options: TextOptions) -> String {
    let mut out = Lines::new(options);
    let ok = fleet.ok();
    out.line(
        0,
        &format!(
            "probe fleet {}: {}, {}; {}{}",
            env!("CARGO_PKG_VERSION"),
            count(fleet.agents.len(), "agent", "agents"),
            count(fleet.rows.len(), "check", "checks"),
            origin.what,
            if origin.at.is_empty() {
                String::new()
            } else {
                format!(" ({})", origin.at)
            }
        ),
    );
    out.verdict(ok, &headline(fleet));
    if let Some(plan) = &fleet.quarantine {
        write_quarantine(&mut out, plan);
    }

    let causes = fleet.causes();
    let notices = fleet.notice_causes();
    if !causes.is_empty() || !notices.is_empty() {
        out.heading("Broken agents, by cause");
        for cause in &causes {
            let row = &fleet.rows[cause.row];
            let agents = some_names(cause.agents.iter().map(|&a| fleet.agents[a].name.as_str()));
            let word = if cause.status == Status::Error {
                "ERROR"
            } else {
                "FAIL "
            };
            out.status_line(
                word,
                &format!(
                    "{} on {}: {agents}",
                    row.qualified(),
                    count(cause.agents.len(), "agent", "agents")
                ),
            );
            if !cause.found.is_empty() {
                out.line(9, &format!("found: {}", cause.found.join(", ")));
            } else {
                out.line(9, &cause.message);
            }
            if !cause.expected.is_empty() {
                out.line(9, &format!("expected: {}", cause.expected));
            }
            if let Some(hint) = &cause.hint {
                out.hint(9, hint);
            }
        }
        for notice in &notices {
            let agents = some_names(notice.agents.iter().map(|&a| fleet.agents[a].name.as_str()));
            out.status_line(
                "FAIL ",
                &format!(
                    "{} ({}: {agents})",
                    notice.message,
                    count(notice.agents.len(), "agent", "agents")
                ),
            );
        }
        out.heading("Broken agents");
        // Agents that fail the same checks share a line.
        let mut groups: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        for (a, agent) in fleet.agents.iter().enumerate().filter(|(_, a)| !a.ok) {
            let rows: Vec<usize> = (0..fleet.rows.len())
                .filter(|&r| {
                    fleet.rows[r].cells[a]
                        .as_ref()
                        .is_some_and(|c| c.status.is_failure())
                })
                .collect();
            let _ = agent;
            match groups.iter_mut().find(|(r, _)| *r == rows) {
                Some((_, agents)) => agents.push(a),
                None => groups.push((rows, vec![a])),
            }
        }
        for (rows, agents) in &groups {
            let who = if agents.len() == 1 {
                fleet.agents[agents[0]].name.clone()
            } else {
                format!(
                    "{} ({} agents)",
                    some_names(agents.iter().map(|&a| fleet.agents[a].name.as_str())),
                    agents.len()
                )
            };
            let mut what: Vec<String> = rows
                .iter()
                .map(|&r| {
                    let row = &fleet.rows[r];
                    let found = row.cells[agents[0]]
                        .as_ref()
                        .map(|c| c.actual.as_str())
                        .filter(|f| !f.is_empty() && agents.len() == 1);
                    match found {
                        Some(found) => format!("{}: {found}", row.qualified()),
                        None => row.qualified(),
                    }
                })
                .collect();
            let agent = &fleet.agents[agents[0]];
            what.extend(agent.failing_notices().map(String::from));
            if what.is_empty() {
                what.push("its report does not add up (see the findings)".into());
            }
            out.line(2, &format!("{who}: {}", what.join("; ")));
        }
    }

    if let Some(changes) = &fleet.changes {
        out.heading(&format!(
            "Changes since the previous run ({})",
            changes.since
        ));
        if changes.is_empty() {
            out.line(2, "nothing changed");
        }
        let pairs = |list: &[(String, String)]| {
            list.iter()
                .map(|(agent, check)| format!("{agent} ({check})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !changes.new_failures.is_empty() {
            out.line(
                2,
                &format!("new failures: {}", pairs(&changes.new_failures)),
            );
        }
        if !changes.fixed.is_empty() {
            out.line(2, &format!("fixed: {}", pairs(&changes.fixed)));
        }
        if !changes.new_agents.is_empty() {
            out.line(2, &format!("new agents: {}", changes.new_agents.join(", ")));
        }
        if !changes.gone_agents.is_empty() {
            out.line(2, &format!("gone: {}", changes.gone_agents.join(", ")));
        }
    }

    let drifting: Vec<&Row> = fleet.rows.iter().filter(|r| r.drifts()).collect();
    if !drifting.is_empty() {
        out.heading("Differences between agents");
        for row in drifting {
            out.line(
                2,
                &format!("{}: {}", row.qualified(), distribution_line(row, fleet)),
            );
        }
    }
    if let Some(b) = fleet.baseline {
        out.heading(&format!("Compared with {}", fleet.agents[b].name));
        let mut any = false;
        for (a, agent) in fleet.agents.iter().enumerate().filter(|(a, _)| *a != b) {
            let differences = fleet.differences(a, Some(b));
            if differences.is_empty() {
                continue;
            }
            any = true;
            let parts: Vec<String> = differences
                .iter()
                .map(|(row, mine, theirs)| format!("{} {mine} (not {theirs})", row.qualified()))
                .collect();
            out.line(2, &format!("{}: {}", agent.name, parts.join("; ")));
        }
        if !any {
            out.line(2, "no agent found anything else");
        }
    }

    if let Some(capacity) = &fleet.capacity {
        out.heading("Jobs and the agents that can take them");
        for c in capacity {
            let mut line = format!(
                "{}: {}, {} broken",
                c.label(),
                count(c.agents.len(), "agent", "agents"),
                c.broken.len()
            );
            if !c.broken.is_empty() {
                let _ = write!(
                    line,
                    " ({})",
                    some_names(c.broken.iter().map(|&a| fleet.agents[a].name.as_str()))
                );
            }
            if !c.unchecked.is_empty() {
                let _ = write!(line, "; {} sent no report", c.unchecked.len());
            }
            let _ = write!(
                line,
                "; {}: {}",
                if c.jobs.len() == 1 { "job" } else { "jobs" },
                some_names(c.jobs.iter().map(String::as_str))
            );
            out.line(2, &line);
        }
    }

    if !fleet.findings.is_empty() {
        out.heading("Findings");
        for f in &fleet.findings {
            out.line(
                2,
                &format!(
                    "{}: {}",
                    if f.failing { "error" } else { "warning" },
                    f.message
                ),
            );
        }
    }

    write_advertising(&mut out, fleet);

    if options.all {
        out.heading("Every check");
        for resource in fleet.resources() {
            out.line(2, resource);
            for row in fleet.rows.iter().filter(|r| r.resource == resource) {
                let failing = row.failing_agents(&fleet.agents);
                let state = if !failing.is_empty() {
                    format!("fails on {} of {}", failing.len(), row.ran_on())
                } else {
                    format!("passes on {}", count(row.ran_on(), "agent", "agents"))
                };
                let values = if row.values.is_empty() {
                    String::new()
                } else {
                    format!("; {}", distribution_line(row, fleet))
                };
                out.line(4, &format!("{}: {state}{values}", row.label()));
            }
        }
    }

    out.heading("Agents");
    let width = fleet
        .agents
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    for a in &fleet.agents {
        let verdict = if a.ok {
            format!("passed, {} checks", a.checks)
        } else {
            format!("FAILED, {} of {} checks", a.failed, a.checks)
        };
        let mut line = format!("{:<width$}  {} {}  {verdict}", a.name, a.os, a.arch);
        if let Some(age) = a.age {
            let _ = write!(line, ", {} ago", short_age(age));
            if a.is_stale(fleet.stale_after) {
                line.push_str(" (stale)");
            }
        }
        if let Some(state) = &a.gocd_state {
            let _ = write!(line, "; GoCD: {state}");
        }
        out.line(2, &line);
    }
    out.blank();
    out.verdict(ok, &headline(fleet));
    out.into_string()
}

/// `17.0.15 on 12 · 17.0.8 on 3: a, b, c`: the majority counted, the
/// others with their agents named.
fn distribution_line(row: &Row, fleet: &Fleet) -> String {
    let distribution = row.distribution();
    distribution
        .iter()
        .enumerate()
        .map(|(i, (value, agents))| {
            if !triage::names_agents(&distribution, i) {
                format!("{value} on {}", agents.len())
            } else {
                format!(
                    "{value} on {}: {}",
                    agents.len(),
                    some_names(agents.iter().map(|&a| fleet.agents[a].name.as_str()))
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What probe changes in GoCD, or would, and what it will not change.
fn write_quarantine(out: &mut Lines, plan: &quarantine::Plan) {
    use quarantine::State;
    out.heading(&match (plan.apply, plan.changes.is_empty()) {
        _ if plan.missing.is_some() => {
            format!(
                "Changes to GoCD: {}",
                plan.missing.as_deref().unwrap_or_default()
            )
        }
        (_, true) => "Changes to GoCD: none needed".to_string(),
        (true, false) => "Changes to GoCD (--apply)".to_string(),
        (false, false) => {
            "Changes to GoCD: a plan (nothing was changed; --apply makes the planned ones)"
                .to_string()
        }
    });
    for change in &plan.changes {
        let word = match change.state {
            State::Planned => "PLAN ",
            State::Applied => "DONE ",
            State::Held(_) => "HOLD ",
            State::Failed(_) => "FAIL ",
        };
        out.status_line(
            word,
            &format!(
                "{}: {}",
                change.action.describe(&change.agent),
                change.reason
            ),
        );
        if let Some(why) = change.state.why() {
            out.line(9, &format!("not done: {why}"));
        }
    }
}

/// What agents could advertise: each agent whose list would change or
/// needs a repair, and what many agents could add, said once.
fn write_advertising(out: &mut Lines, fleet: &Fleet) {
    let changing: Vec<&Agent> = fleet
        .agents
        .iter()
        .filter(|a| {
            let p = &a.plan;
            !(p.rename.is_empty()
                && p.drop.is_empty()
                && p.unchecked.is_empty()
                && p.repair.is_empty())
        })
        .collect();
    // What passes here without being advertised, by resource.
    let mut addable: Vec<(&str, Vec<&str>)> = Vec::new();
    for a in &fleet.agents {
        for r in &a.plan.add {
            match addable
                .iter_mut()
                .find(|(name, _)| name.eq_ignore_ascii_case(r))
            {
                Some((_, agents)) => agents.push(&a.name),
                None => addable.push((r, vec![&a.name])),
            }
        }
    }
    if changing.is_empty() && addable.is_empty() {
        return;
    }
    out.heading("What agents could advertise");
    for a in changing {
        let mut parts = Vec::new();
        for (from, to) in &a.plan.rename {
            parts.push(format!("`{from}` is misspelt, the spec is `{to}`"));
        }
        for (resource, why) in &a.plan.drop {
            parts.push(format!("`{resource}` left out: {why} fails"));
        }
        for (resource, why) in &a.plan.repair {
            parts.push(format!("`{resource}` kept, repair {why}"));
        }
        if !a.plan.unchecked.is_empty() {
            parts.push(format!(
                "left out, no spec checks {}",
                a.plan
                    .unchecked
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.line(2, &format!("{}: {}", a.name, parts.join("; ")));
        if a.plan.changes() {
            out.line(4, &format!("paste: {}", a.plan.paste()));
        }
    }
    for (resource, agents) in addable {
        let who = if agents.len() == fleet.agents.len() && agents.len() > 1 {
            format!("every agent ({})", agents.len())
        } else {
            format!(
                "{}: {}",
                count(agents.len(), "agent", "agents"),
                some_names(agents)
            )
        };
        out.line(2, &format!("`{resource}` passes, not advertised, on {who}"));
    }
}

/// Text written line by line through [`Term`] (so every piece is
/// cleaned, and long lines wrap to the terminal's width).
struct Lines {
    term: Term,
}

impl Lines {
    fn new(options: TextOptions) -> Lines {
        Lines {
            term: Term::with_width(options.color, options.width),
        }
    }

    fn blank(&mut self) {
        self.term.push_line();
    }

    fn heading(&mut self, text: &str) {
        self.term.push_line();
        self.term.paint(Style::Bold, text);
        self.term.push_line();
    }

    fn verdict(&mut self, ok: bool, headline: &str) {
        if ok {
            self.term.paint(Style::Pass, "PASSED");
        } else {
            self.term.paint(Style::Fail, "FAILED");
        }
        self.term.hang(8);
        let _ = writeln!(self.term, "  {headline}");
    }

    fn status_line(&mut self, word: &str, text: &str) {
        self.term.push_str("  ");
        self.term.paint(Style::Fail, word);
        self.term.hang(9);
        let _ = writeln!(self.term, "  {text}");
    }

    fn hint(&mut self, indent: usize, text: &str) {
        for (i, line) in text.trim().lines().enumerate() {
            self.term.push_str(&" ".repeat(indent));
            self.term.push_str(if i == 0 { "hint: " } else { "      " });
            self.term.hang(indent + 6);
            self.term.paint(Style::Hint, line);
            self.term.push_line();
        }
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.term.push_str(&" ".repeat(indent));
        let _ = writeln!(self.term, "{text}");
    }

    fn into_string(self) -> String {
        self.term.into_string()
    }
}
