//! The fleet report in each format: text for a terminal or a GoCD console,
//! JSON (docs/json.md, `probe-fleet/2`), JUnit for GoCD's Tests tab, and
//! one self-contained HTML page for a GoCD custom tab; one file each, and
//! what they share here.

use std::fmt::Write;

use super::{Agent, Fleet, Row};

mod html;
mod human;
mod json;
mod junit;

pub use html::html;
pub use human::{human, TextOptions};
pub use json::json;
pub use junit::junit;

/// Bumped when a field changes meaning or disappears; adding fields does not.
pub const SCHEMA: &str = "probe-fleet/2";

/// Where the reports came from, for the headline.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// `agent-infrastructure-linux #42, stage check #1` or `12 files`.
    pub what: String,
    /// When the fleet report was made (RFC 3339).
    pub at: String,
    /// The GoCD server the fleet reads (`https://gocd.example.com/go`,
    /// without a login), for links to each agent's job; never a URL a
    /// report gives.
    pub server: Option<String>,
}

/// Where to see an agent's job in GoCD.
#[derive(Debug, Clone, PartialEq)]
pub struct JobLinks {
    pub job: String,
    pub console: String,
    /// The job's `probe` tab (the agent's HTML report).
    pub tab: String,
}

/// The links to `agent`'s job on the fleet's own server: its names come
/// from the report, each one escaped as a path segment.
pub fn job_links(origin: &Origin, agent: &Agent) -> Option<JobLinks> {
    let server = origin.server.as_deref()?;
    let job = agent.job_ref.as_ref()?;
    let seg = crate::http::segment;
    let path = format!(
        "{}/{}/{}/{}/{}",
        seg(&job.pipeline),
        seg(&job.counter),
        seg(&job.stage),
        seg(&job.stage_counter),
        seg(&job.job)
    );
    let detail = format!("{server}/tab/build/detail/{path}");
    Some(JobLinks {
        console: format!("{detail}#tab-console"),
        tab: format!("{detail}#tab-probe"),
        job: detail,
    })
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
