//! What an admin asks of a fleet first: who is broken and why, grouped by
//! cause; how agents differ, naming the few that differ; and what each
//! agent could advertise that is safe to paste into GoCD.

use std::collections::BTreeMap;

use super::{Agent, Fleet, Row, Status};
use crate::text::did_you_mean;

/// One way a check fails across the fleet: the same check failing the same
/// way (failed, or could not be checked) on some agents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// The row in `Fleet::rows`.
    pub row: usize,
    pub status: Status,
    /// The agents, by their place in `Fleet::agents`.
    pub agents: Vec<usize>,
    /// What they found, each once, most frequent first (`11.0.21`,
    /// `1.8.0_292`).
    pub found: Vec<String>,
    /// What was expected, the first agent's message and hint.
    pub expected: String,
    pub message: String,
    pub hint: Option<String>,
}

/// What fails an agent besides its checks: a failing notice (an advertised
/// resource without a spec, under `--strict`).
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeCause {
    pub message: String,
    pub agents: Vec<usize>,
}

impl Fleet {
    /// The fleet's failures grouped by cause, the causes failing the most
    /// agents first (then in the checks' order).
    pub fn causes(&self) -> Vec<Cause> {
        let mut causes: Vec<Cause> = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let mut by_status: BTreeMap<Status, Cause> = BTreeMap::new();
            for (a, cell) in row.cells.iter().enumerate() {
                let Some(cell) = cell.as_ref().filter(|c| c.status.is_failure()) else {
                    continue;
                };
                let cause = by_status.entry(cell.status).or_insert_with(|| Cause {
                    row: r,
                    status: cell.status,
                    agents: Vec::new(),
                    found: Vec::new(),
                    expected: cell.expected.clone(),
                    message: cell.message.clone(),
                    hint: cell.hint.clone(),
                });
                cause.agents.push(a);
                if !cell.actual.is_empty() && !cause.found.contains(&cell.actual) {
                    cause.found.push(cell.actual.clone());
                }
            }
            causes.extend(by_status.into_values());
        }
        causes.sort_by(|a, b| b.agents.len().cmp(&a.agents.len()).then(a.row.cmp(&b.row)));
        causes
    }

    /// Failing notices, each with the agents it fails.
    pub fn notice_causes(&self) -> Vec<NoticeCause> {
        let mut out: Vec<NoticeCause> = Vec::new();
        for (a, agent) in self.agents.iter().enumerate() {
            for message in agent.failing_notices() {
                match out.iter_mut().find(|n| n.message == message) {
                    Some(n) => n.agents.push(a),
                    None => out.push(NoticeCause {
                        message: message.to_string(),
                        agents: vec![a],
                    }),
                }
            }
        }
        out
    }

    /// What `agent` found differently from the others on the checks that
    /// differ between agents: (row, its value, the value it is compared
    /// with). Compared with `baseline` (an agent's place) when given, else
    /// with what most agents found.
    pub fn differences(&self, agent: usize, baseline: Option<usize>) -> Vec<(&Row, &str, &str)> {
        self.rows
            .iter()
            .filter(|row| !row.values.is_empty())
            .filter_map(|row| {
                let mine = row.cells[agent]
                    .as_ref()
                    .filter(|c| c.status == Status::Pass)?;
                if !super::counted(&row.kind, mine) {
                    return None;
                }
                let theirs: &str = match baseline {
                    Some(b) => row.cells[b]
                        .as_ref()
                        .filter(|c| c.status == Status::Pass)?
                        .actual
                        .as_str(),
                    None => row.values.first()?.0.as_str(),
                };
                (mine.actual != theirs).then_some((row, mine.actual.as_str(), theirs))
            })
            .collect()
    }
}

impl Row {
    /// Each value the agents that passed or failed the check found, with
    /// the agents that found it (by place), most frequent first: the
    /// first is the majority, the rest the agents to name.
    pub fn distribution(&self) -> Vec<(&str, Vec<usize>)> {
        let mut out: Vec<(&str, Vec<usize>)> = self
            .values
            .iter()
            .map(|(v, _)| (v.as_str(), Vec::new()))
            .collect();
        for (a, cell) in self.cells.iter().enumerate() {
            let Some(cell) = cell else { continue };
            if let Some((_, agents)) = out.iter_mut().find(|(v, _)| *v == cell.actual) {
                agents.push(a);
            }
        }
        out
    }
}

/// Whether the `i`th value of a [`Row::distribution`] names its agents:
/// every value but a strict majority's, so a tie names both sides.
pub fn names_agents(distribution: &[(&str, Vec<usize>)], i: usize) -> bool {
    i > 0
        || distribution
            .get(1)
            .is_some_and(|(_, next)| next.len() >= distribution[0].1.len())
}

/// What an agent could advertise, safe to paste into GoCD's agent page:
/// only resources a spec vouches for, and none dropped for a reason that
/// is not about the resource itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdvertisePlan {
    /// Advertised, with a spec, and it can do what the spec asks (a
    /// condition may still fail here: `repair`).
    pub keep: Vec<String>,
    /// Not advertised, its spec passes here (`--suggest`).
    pub add: Vec<String>,
    /// Advertised but misspelt: the spec's name instead (`pyhton` →
    /// `python`).
    pub rename: Vec<(String, String)>,
    /// Advertised, no spec: left out of the list, since nothing vouches
    /// for it.
    pub unchecked: Vec<String>,
    /// Advertised and kept, but a condition of its spec fails here (PATH,
    /// free space, a variable): the agent needs fixing, not a resource
    /// fewer. The resource and the first such check.
    pub repair: Vec<(String, String)>,
    /// Advertised, and it lacks what its spec asks (a tool, a version, the
    /// platform): left out. The resource and the first such check.
    pub drop: Vec<(String, String)>,
}

impl AdvertisePlan {
    /// The list to paste: what is kept, added and renamed.
    pub fn paste(&self) -> String {
        let mut all: Vec<&str> = self
            .keep
            .iter()
            .chain(&self.add)
            .map(String::as_str)
            .chain(self.rename.iter().map(|(_, to)| to.as_str()))
            .collect();
        all.sort_by_key(|r| r.to_ascii_lowercase());
        all.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        all.join(",")
    }

    /// Whether pasting would change what the agent advertises.
    pub fn changes(&self) -> bool {
        !(self.add.is_empty()
            && self.rename.is_empty()
            && self.drop.is_empty()
            && self.unchecked.is_empty())
    }
}

/// Kinds of check whose failure means the agent cannot do what the
/// resource promises: the tool, its version, the package, the platform
/// is not there. The failure of any other kind (PATH, a variable, free
/// space, a service, a port) is a condition to repair on an agent that
/// still is what it advertises.
pub const CAPABILITY_KINDS: &[&str] = &["command", "run", "package", "platform", "arch"];

/// The kinds that are conditions (see [`CAPABILITY_KINDS`]); a test
/// keeps every kind in one of the two lists.
#[cfg(test)]
pub const CONDITION_KINDS: &[&str] = &[
    "absent",
    "env",
    "path_contains",
    "file",
    "user",
    "group",
    "service",
    "cpus",
    "memory",
    "disk",
    "process",
    "tcp",
    "port",
    "http",
    "dns",
    "sysctl",
    "mount",
];

/// The plan for an agent that advertises `advertised`, whose failing rows
/// (and how each fails) are `failing`, that passes the unadvertised specs
/// `passes`; `specs`: the resources that have a spec, when known.
pub fn advertise_plan(
    advertised: &[String],
    failing: &[(&Row, Status)],
    passes: &[String],
    specs: Option<&[String]>,
) -> AdvertisePlan {
    let mut plan = AdvertisePlan::default();
    let spec_of = |name: &str| -> Option<String> {
        match specs {
            Some(specs) => specs.iter().find(|s| s.eq_ignore_ascii_case(name)).cloned(),
            // Without the specs, what the agent's own run covered counts.
            None => Some(name.to_string()),
        }
    };
    for resource in advertised {
        let Some(spec) = spec_of(resource) else {
            let corrected = specs.and_then(|specs| {
                let tip = did_you_mean(resource, specs.iter().map(String::as_str));
                specs
                    .iter()
                    .find(|s| tip.contains(&format!("`{s}`")))
                    .cloned()
            });
            match corrected {
                Some(to) => plan.rename.push((resource.clone(), to)),
                None => plan.unchecked.push(resource.clone()),
            }
            continue;
        };
        // Only the resource's own checks count: a failure in common.yaml
        // or in a spec it requires is about another resource.
        // A tool that is not there drops the resource; one that could not
        // be checked (a timeout) says nothing of the sort.
        let own = |capability: bool| {
            failing.iter().find(|(r, status)| {
                r.resource.eq_ignore_ascii_case(&spec)
                    && (CAPABILITY_KINDS.contains(&r.kind.as_str()) && *status == Status::Fail)
                        == capability
            })
        };
        if let Some((row, _)) = own(true) {
            plan.drop.push((resource.clone(), row.qualified()));
            continue;
        }
        if let Some((row, _)) = own(false) {
            plan.repair.push((resource.clone(), row.qualified()));
        }
        plan.keep.push(resource.clone());
    }
    for resource in passes {
        let known = spec_of(resource).is_some();
        let advertised = advertised.iter().any(|a| a.eq_ignore_ascii_case(resource))
            || plan
                .rename
                .iter()
                .any(|(_, to)| to.eq_ignore_ascii_case(resource));
        if known && !advertised {
            plan.add.push(resource.clone());
        }
    }
    plan
}

/// How long ago `started_at` (RFC 3339) was, seen from `now`; None when it
/// does not read as a time. A time in the future is negative.
pub fn age(started_at: &str, now: std::time::SystemTime) -> Option<i64> {
    let then = crate::report::parse_rfc3339(started_at)?;
    let now = now.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(now as i64 - then)
}

/// `3h`, `2d`, `45s`, `12m` (and `-5m` for a time ahead of now).
pub fn short_age(seconds: i64) -> String {
    let (sign, s) = if seconds < 0 {
        ("-", -seconds)
    } else {
        ("", seconds)
    };
    let text = match s {
        0..=119 => format!("{s}s"),
        120..=7_199 => format!("{}m", s / 60),
        7_200..=172_799 => format!("{}h", s / 3_600),
        _ => format!("{}d", s / 86_400),
    };
    format!("{sign}{text}")
}

impl Agent {
    /// Whether its report is older than `stale_after` or dated ahead.
    pub fn is_stale(&self, stale_after: u64) -> bool {
        self.age.is_some_and(|a| a < -300 || a > stale_after as i64)
    }
}
