//! Closing the loop: what GoCD should stop sending to a broken agent, what
//! it may give back, what an agent could take on, and when to check agents
//! GoCD just got. A plan first, made from this run's fleet, GoCD's agent
//! list and the previous fleet report; `--apply` then makes it through
//! GoCD's agents API (docs/gocd.md, "Quarantine").
//!
//! What probe changes it records on the agent itself, as marker resources
//! (`crate::gocd::marker`): the record lives where every run of the fleet
//! job reads it, whichever agent runs that job, and where an admin sees it.
//!
//! The rails, each on by default:
//! - an agent is changed only on a report GoCD vouches for (its job ran
//!   there), never on one matched by host name;
//! - a failure must be in the previous fleet report too (two runs in a
//!   row), as must a pass before a resource is given back;
//! - at most `max_share` % of the agents that advertise a resource are
//!   without it at once, and never so that no agent that passes it is left;
//! - an agent that sent no report is named, not changed, unless asked;
//! - elastic agents are never changed (GoCD refuses resources on them), a
//!   pending agent is never enabled, and nothing is re-enabled or given
//!   back that a person changed: their change wins;
//! - one change per agent and resource per run.

use std::collections::{BTreeMap, BTreeSet};

use super::history::Previous;
use super::{Fleet, GocdAgent};
use crate::gocd::marker::{self, Marker};

/// What a quarantine takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The failing resource, from the agent: its other jobs still run.
    Resource,
    /// The whole agent.
    Disable,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Resource => "resource",
            Mode::Disable => "disable",
        }
    }
}

/// What to plan, and how carefully.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--quarantine[=MODE]`; None: no quarantine, nothing given back.
    pub mode: Option<Mode>,
    /// The most agents of a resource without it at once, in per cent.
    pub max_share: u8,
    /// Agents that sent no report are quarantined too.
    pub silent: bool,
    /// `--add-resources`: add what an agent passes and does not advertise.
    pub add: bool,
    /// `--schedule-checks`: these pipelines, when agents are new or
    /// changed.
    pub schedule: Vec<String>,
    /// `--apply`: the plan is to be made.
    pub apply: bool,
    /// The resources that have a spec: only those are ever added.
    pub specs: Vec<String>,
}

/// One change to GoCD.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Remove the resource, add `probe-took-R`.
    Take(String),
    /// Add the resource back, remove `probe-took-R`.
    GiveBack(String),
    /// Disable the agent, add `probe-disabled`.
    Disable,
    /// Add the resource and `probe-added-R`.
    Add(String),
    /// Schedule the pipeline.
    Schedule(String),
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Take(_) => "take",
            Action::GiveBack(_) => "give back",
            Action::Disable => "disable",
            Action::Add(_) => "add",
            Action::Schedule(_) => "schedule",
        }
    }

    pub fn resource(&self) -> Option<&str> {
        match self {
            Action::Take(r) | Action::GiveBack(r) | Action::Add(r) => Some(r),
            Action::Disable | Action::Schedule(_) => None,
        }
    }

    pub fn pipeline(&self) -> Option<&str> {
        match self {
            Action::Schedule(p) => Some(p),
            _ => None,
        }
    }

    /// The resources to add and remove, and the state to set: what the
    /// agents API is sent.
    pub fn writes(&self) -> (Vec<String>, Vec<String>, Option<&'static str>) {
        match self {
            Action::Take(r) => (vec![Marker::Took(r.clone()).name()], vec![r.clone()], None),
            Action::GiveBack(r) => (vec![r.clone()], vec![Marker::Took(r.clone()).name()], None),
            Action::Disable => (
                vec![marker::DISABLED.to_string()],
                Vec::new(),
                Some("Disabled"),
            ),
            Action::Add(r) => (
                vec![r.clone(), Marker::Added(r.clone()).name()],
                Vec::new(),
                None,
            ),
            Action::Schedule(_) => (Vec::new(), Vec::new(), None),
        }
    }

    /// `take lua from build-03`, for a line of text.
    pub fn describe(&self, agent: &str) -> String {
        match self {
            Action::Take(r) => format!("take `{r}` from {agent}"),
            Action::GiveBack(r) => format!("give `{r}` back to {agent}"),
            Action::Disable => format!("disable {agent}"),
            Action::Add(r) => format!("add `{r}` to {agent}"),
            Action::Schedule(p) => format!("schedule pipeline {p}"),
        }
    }
}

/// Where a change stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// To be made with `--apply`.
    Planned,
    /// Made.
    Applied,
    /// Not made, and why: a rail, or not yet.
    Held(String),
    /// GoCD refused it, and why.
    Failed(String),
}

impl State {
    pub fn as_str(&self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::Applied => "applied",
            State::Held(_) => "held",
            State::Failed(_) => "failed",
        }
    }

    pub fn why(&self) -> Option<&str> {
        match self {
            State::Held(why) | State::Failed(why) => Some(why),
            State::Planned | State::Applied => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The agent's host name, as GoCD has it ("" for a pipeline).
    pub agent: String,
    pub uuid: String,
    pub action: Action,
    /// Why the change is wanted.
    pub reason: String,
    pub state: State,
}

/// Every change probe makes or refuses to make, in order: taking, giving
/// back, adding, scheduling.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub mode: Option<Mode>,
    pub apply: bool,
    pub changes: Vec<Change>,
    /// Why there is no plan at all, when there is none.
    pub missing: Option<String>,
}

impl Plan {
    /// Changes GoCD refused.
    pub fn failed(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| matches!(c.state, State::Failed(_)))
    }
}

/// How an agent did on a resource's checks in this run.
enum Outcome {
    Passes,
    /// The failing checks' labels.
    Fails(Vec<String>),
}

/// What probe knows of one GoCD agent in this run.
struct Seen<'a> {
    gocd: &'a GocdAgent,
    /// Its resources, markers left out, as GoCD spells them.
    has: Vec<&'a str>,
    markers: Vec<Marker>,
    /// The fleet agent whose report GoCD vouched for.
    verified: Option<usize>,
    /// A report that only claims this agent's host name.
    claimed: bool,
}

impl Seen<'_> {
    fn has(&self, resource: &str) -> Option<&str> {
        self.has
            .iter()
            .copied()
            .find(|r| r.eq_ignore_ascii_case(resource))
    }

    fn marked(&self, marker: &Marker) -> bool {
        self.markers.iter().any(|m| match (m, marker) {
            (Marker::Took(a), Marker::Took(b)) | (Marker::Added(a), Marker::Added(b)) => {
                a.eq_ignore_ascii_case(b)
            }
            (Marker::Disabled, Marker::Disabled) => true,
            _ => false,
        })
    }

    fn enabled(&self) -> bool {
        self.gocd.config_state == "Enabled"
    }

    fn elastic(&self) -> bool {
        self.gocd.resources.is_none()
    }
}

/// How an agent of the fleet did on the checks of `resource` (lower case):
/// None when it ran none of them.
fn outcome(fleet: &Fleet, agent: usize, resource: &str) -> Option<Outcome> {
    let mut ran = false;
    let mut failing = Vec::new();
    for row in fleet
        .rows
        .iter()
        .filter(|r| r.resource.eq_ignore_ascii_case(resource))
    {
        if let Some(Some(cell)) = row.cells.get(agent) {
            ran = true;
            if cell.status.is_failure() {
                failing.push(row.label());
            }
        }
    }
    match (ran, failing.is_empty()) {
        (false, _) => None,
        (true, true) => Some(Outcome::Passes),
        (true, false) => Some(Outcome::Fails(failing)),
    }
}

fn short_list(items: &[String]) -> String {
    let mut shown: Vec<String> = items.iter().take(3).cloned().collect();
    if items.len() > 3 {
        shown.push(format!("{} more", items.len() - 3));
    }
    shown.join(", ")
}

/// The plan: what GoCD should change, and what probe will not change, each
/// with its reason.
pub fn plan(fleet: &Fleet, gocd: &[GocdAgent], previous: Option<&Previous>, o: &Options) -> Plan {
    let seen: Vec<Seen> = gocd
        .iter()
        .map(|g| {
            let mut has = Vec::new();
            let mut markers = Vec::new();
            for r in g.resources.iter().flatten() {
                match marker::parse(r) {
                    Some(m) => markers.push(m),
                    None => has.push(r.as_str()),
                }
            }
            let verified = fleet
                .agents
                .iter()
                .position(|a| a.verified && a.gocd_uuid.as_deref() == Some(&g.uuid));
            let claimed = verified.is_none()
                && fleet
                    .agents
                    .iter()
                    .any(|a| a.gocd_uuid.as_deref() == Some(&g.uuid));
            Seen {
                gocd: g,
                has,
                markers,
                verified,
                claimed,
            }
        })
        .collect();
    // The resources probe has specs for: those with checks in this run.
    let resources: BTreeSet<String> = fleet
        .rows
        .iter()
        .map(|r| r.resource.to_ascii_lowercase())
        .filter(|r| !r.is_empty() && r != crate::catalog::COMMON)
        .collect();
    let mut out = Plan {
        mode: o.mode,
        apply: o.apply,
        changes: Vec::new(),
        missing: None,
    };
    match o.mode {
        Some(Mode::Resource) => take_resources(fleet, &seen, &resources, previous, o, &mut out),
        Some(Mode::Disable) => disable_agents(fleet, &seen, &resources, previous, o, &mut out),
        None => {}
    }
    if o.mode.is_some() {
        give_back(fleet, &seen, previous, &mut out);
    }
    if o.add {
        add_resources(fleet, &seen, &o.specs, &mut out);
    }
    if !o.schedule.is_empty() {
        schedule(&seen, previous, &o.schedule, &mut out);
    }
    out
}

/// Agents, per resource: how many advertise it or were quarantined from
/// it, how many are without it now (probe took it), and how many enabled
/// ones pass it on a verified report.
#[derive(Default, Clone, Copy)]
struct Count {
    advertised: usize,
    without: usize,
    healthy: usize,
}

fn counts(fleet: &Fleet, seen: &[Seen], resources: &BTreeSet<String>) -> BTreeMap<String, Count> {
    let mut counts: BTreeMap<String, Count> = BTreeMap::new();
    for s in seen.iter().filter(|s| !s.elastic()) {
        for r in resources {
            let took = s.marked(&Marker::Took(r.clone())) && s.has(r).is_none();
            let disabled = s.marked(&Marker::Disabled) && !s.enabled() && s.has(r).is_some();
            let advertises = s.has(r).is_some() || took;
            if !advertises {
                continue;
            }
            let count = counts.entry(r.clone()).or_default();
            count.advertised += 1;
            if took || disabled {
                count.without += 1;
            }
            let passes = s.enabled()
                && s.has(r).is_some()
                && s.verified
                    .is_some_and(|i| matches!(outcome(fleet, i, r), Some(Outcome::Passes)));
            if passes {
                count.healthy += 1;
            }
        }
    }
    counts
}

/// Why one more agent may not be without `resource`: the share of the
/// agents that advertise it that may be without it at once is reached.
fn over_cap(count: &Count, resource: &str, max_share: u8) -> Option<String> {
    let cap = count.advertised * usize::from(max_share) / 100;
    (count.without + 1 > cap).then(|| {
        format!(
            "{} of the {} agents that advertise `{resource}` are already without it, and at \
             most {max_share} % may be at once (--max-quarantined)",
            count.without, count.advertised
        )
    })
}

/// Why a failing agent is not acted on yet: its failure is not in the
/// previous fleet report.
fn not_twice(previous: Option<&Previous>, uuid: &str, resource: &str) -> Option<String> {
    match previous {
        None => Some(
            "its first failing run as far as probe knows (no previous fleet report to compare \
             with): acted on if it fails again in the next run"
                .to_string(),
        ),
        Some(p) if !p.failing.contains(&(uuid.to_string(), resource.to_string())) => Some(
            "it did not fail this in the previous run: acted on if it fails again in the next run"
                .to_string(),
        ),
        Some(_) => None,
    }
}

/// Why a silent agent is not acted on yet: it did report in the previous
/// run, or there is none to compare with.
fn silent_once(previous: Option<&Previous>, uuid: &str) -> Option<String> {
    match previous {
        Some(p) if !p.reported.contains(uuid) => None,
        _ => Some(
            "its first silent run as far as probe knows: acted on if it sends nothing again in \
             the next run"
                .to_string(),
        ),
    }
}

/// Agents probe cannot act on, named once each: no report, a report that
/// only claims the agent's name, an elastic agent that fails.
fn unverified(s: &Seen, o: &Options) -> Option<String> {
    if s.verified.is_some() {
        return None;
    }
    Some(if s.claimed {
        "its report is not verified as this agent's: GoCD did not say the job that published \
         it ran there (a report from a file, or one matched by host name only)"
            .to_string()
    } else if o.silent {
        return None;
    } else {
        "it sent no report: named, not quarantined (--quarantine-silent quarantines it)".to_string()
    })
}

/// A failing agent of a resource: why it is wanted, and why not yet.
type Wanted<'s, 'a> = (&'s Seen<'a>, String, Option<String>);

fn take_resources(
    fleet: &Fleet,
    seen: &[Seen],
    resources: &BTreeSet<String>,
    previous: Option<&Previous>,
    o: &Options,
    out: &mut Plan,
) {
    let mut counts = counts(fleet, seen, resources);
    // Each resource's failing agents, in host-name order.
    let mut wanted: BTreeMap<&str, Vec<Wanted>> = BTreeMap::new();
    for s in seen {
        if s.elastic() {
            if let Some(i) = s.verified {
                let common = crate::catalog::COMMON.to_string();
                let failing: Vec<String> = resources
                    .iter()
                    .chain(std::iter::once(&common))
                    .filter(|r| matches!(outcome(fleet, i, r), Some(Outcome::Fails(_))))
                    .cloned()
                    .collect();
                if !failing.is_empty() {
                    out.changes.push(Change {
                        agent: s.gocd.hostname.clone(),
                        uuid: s.gocd.uuid.clone(),
                        action: Action::Disable,
                        reason: format!("fails {}", short_list(&failing)),
                        state: State::Held(
                            "an elastic agent: GoCD refuses resources on elastic agents, and \
                             probe never changes them; fix the elastic profile's image"
                                .into(),
                        ),
                    });
                }
            }
            continue;
        }
        if !s.enabled() {
            continue;
        }
        for r in resources.iter().map(String::as_str) {
            let Some(name) = s.has(r) else { continue };
            let overridden = s.marked(&Marker::Took(r.to_string()));
            let (reason, why_not) = match (s.verified, unverified(s, o)) {
                (Some(i), _) => match outcome(fleet, i, r) {
                    Some(Outcome::Fails(checks)) => (
                        format!("fails {name}: {}", short_list(&checks)),
                        not_twice(previous, &s.gocd.uuid, r),
                    ),
                    _ => continue,
                },
                (None, Some(why)) => {
                    // Named once per agent, not once per resource.
                    if !out.changes.iter().any(|c| c.uuid == s.gocd.uuid) {
                        out.changes.push(Change {
                            agent: s.gocd.hostname.clone(),
                            uuid: s.gocd.uuid.clone(),
                            action: Action::Take(name.to_string()),
                            reason: format!("advertises {}", s.has.join(", ")),
                            state: State::Held(why),
                        });
                    }
                    break;
                }
                (None, None) => (
                    format!("advertises {name} and sent no report"),
                    silent_once(previous, &s.gocd.uuid),
                ),
            };
            let why_not = if overridden {
                Some(format!(
                    "a person gave `{name}` back after probe took it (its resource `{}` is still \
                     there): probe leaves `{name}` on this agent alone; remove that resource to \
                     let probe act again",
                    Marker::Took(r.to_string()).name()
                ))
            } else {
                why_not
            };
            wanted.entry(r).or_default().push((s, reason, why_not));
        }
    }
    for (r, agents) in wanted {
        for (s, reason, why_not) in agents {
            let name = s.has(r).unwrap_or(r).to_string();
            let count = counts.get(r).copied().unwrap_or_default();
            let state = if let Some(why) = why_not {
                State::Held(why)
            } else if count.healthy == 0 {
                State::Held(format!(
                    "no agent that advertises `{name}` passes its checks: taking it from the \
                     failing ones would leave its jobs no agent at all; fix the agents (or the \
                     spec)"
                ))
            } else if let Some(why) = over_cap(&count, &name, o.max_share) {
                State::Held(why)
            } else {
                if let Some(c) = counts.get_mut(r) {
                    c.without += 1;
                }
                State::Planned
            };
            out.changes.push(Change {
                agent: s.gocd.hostname.clone(),
                uuid: s.gocd.uuid.clone(),
                action: Action::Take(name),
                reason,
                state,
            });
        }
    }
}

fn disable_agents(
    fleet: &Fleet,
    seen: &[Seen],
    resources: &BTreeSet<String>,
    previous: Option<&Previous>,
    o: &Options,
    out: &mut Plan,
) {
    let mut counts = counts(fleet, seen, resources);
    for s in seen {
        if s.marked(&Marker::Disabled) {
            out.changes.push(Change {
                agent: s.gocd.hostname.clone(),
                uuid: s.gocd.uuid.clone(),
                action: Action::Disable,
                reason: "probe disabled it in an earlier run".into(),
                state: State::Held(if s.enabled() {
                    format!(
                        "a person enabled it after probe disabled it (its resource `{}` is still \
                         there): probe leaves it alone; remove that resource to let probe act \
                         again",
                        marker::DISABLED
                    )
                } else {
                    "a disabled agent takes no jobs, so probe cannot check it: enable it in \
                     GoCD once it is fixed (and remove its resource `probe-disabled`)"
                        .into()
                }),
            });
            continue;
        }
        if s.elastic() || !s.enabled() {
            continue;
        }
        let (reason, why_not) = match (s.verified, unverified(s, o)) {
            (Some(i), _) => {
                let failing: Vec<String> = resources
                    .iter()
                    .chain(std::iter::once(&crate::catalog::COMMON.to_string()))
                    .filter(|r| {
                        (s.has(r).is_some() || *r == crate::catalog::COMMON)
                            && matches!(outcome(fleet, i, r), Some(Outcome::Fails(_)))
                    })
                    .cloned()
                    .collect();
                if failing.is_empty() {
                    continue;
                }
                let again = failing
                    .iter()
                    .all(|r| not_twice(previous, &s.gocd.uuid, r).is_some());
                (
                    format!("fails {}", short_list(&failing)),
                    again
                        .then(|| not_twice(previous, &s.gocd.uuid, &failing[0]))
                        .flatten(),
                )
            }
            (None, Some(why)) => (format!("advertises {}", s.has.join(", ")), Some(why)),
            (None, None) => (
                "sent no report".to_string(),
                silent_once(previous, &s.gocd.uuid),
            ),
        };
        // Disabling takes the agent from every resource it has.
        let mut blocked = None;
        if why_not.is_none() {
            for r in resources.iter().filter(|r| s.has(r).is_some()) {
                let count = counts.get(r).copied().unwrap_or_default();
                let passes_here = s
                    .verified
                    .is_some_and(|i| matches!(outcome(fleet, i, r), Some(Outcome::Passes)));
                if count.healthy.saturating_sub(usize::from(passes_here)) == 0 {
                    blocked = Some(format!(
                        "no other agent that advertises `{r}` passes its checks: disabling this \
                         one would leave its jobs no agent at all"
                    ));
                    break;
                }
                if let Some(why) = over_cap(&count, r, o.max_share) {
                    blocked = Some(why);
                    break;
                }
            }
        }
        let state = match why_not.or(blocked) {
            Some(why) => State::Held(why),
            None => {
                for r in resources.iter().filter(|r| s.has(r).is_some()) {
                    if let Some(c) = counts.get_mut(r) {
                        c.without += 1;
                        let passes_here = s
                            .verified
                            .is_some_and(|i| matches!(outcome(fleet, i, r), Some(Outcome::Passes)));
                        c.healthy -= usize::from(passes_here);
                    }
                }
                State::Planned
            }
        };
        out.changes.push(Change {
            agent: s.gocd.hostname.clone(),
            uuid: s.gocd.uuid.clone(),
            action: Action::Disable,
            reason,
            state,
        });
    }
}

/// Resources probe took and may give back: only while its marker is there
/// and the resource is not (a person's change wins), and after two passing
/// runs.
fn give_back(fleet: &Fleet, seen: &[Seen], previous: Option<&Previous>, out: &mut Plan) {
    for s in seen.iter().filter(|s| !s.elastic()) {
        for m in &s.markers {
            let Marker::Took(r) = m else { continue };
            if s.has(r).is_some() {
                continue;
            }
            let key = r.to_ascii_lowercase();
            let (reason, state) = match s.verified.map(|i| outcome(fleet, i, &key)) {
                Some(Some(Outcome::Passes)) => {
                    let before = previous.is_some_and(|p| {
                        p.reported.contains(&s.gocd.uuid)
                            && !p.failing.contains(&(s.gocd.uuid.clone(), key.clone()))
                    });
                    (
                        format!("passes {r} again"),
                        if before {
                            State::Planned
                        } else {
                            State::Held(
                                "it passes in this run only: given back if it passes again in \
                                 the next run"
                                    .into(),
                            )
                        },
                    )
                }
                Some(Some(Outcome::Fails(checks))) => (
                    format!("still fails {r}: {}", short_list(&checks)),
                    State::Held("stays without it until it passes".into()),
                ),
                Some(None) => (
                    format!("probe took {r}"),
                    State::Held(format!(
                        "its report has no check of `{r}`: run `probe --agent` there (it checks \
                         what its `probe-took-…` resources name)"
                    )),
                ),
                None => (
                    format!("probe took {r}"),
                    State::Held("no report GoCD vouches for came from it in this run".into()),
                ),
            };
            out.changes.push(Change {
                agent: s.gocd.hostname.clone(),
                uuid: s.gocd.uuid.clone(),
                action: Action::GiveBack(r.clone()),
                reason,
                state,
            });
        }
    }
}

/// Resources an agent passes and does not advertise (`--suggest` in its
/// report): only those with a spec, by the spec's name.
fn add_resources(fleet: &Fleet, seen: &[Seen], specs: &[String], out: &mut Plan) {
    for s in seen.iter().filter(|s| !s.elastic()) {
        let Some(i) = s.verified else { continue };
        let agent = &fleet.agents[i];
        let wanted = agent
            .plan
            .add
            .iter()
            .chain(agent.plan.rename.iter().map(|(_, to)| to));
        for r in wanted {
            // The spec's own spelling; a resource without a spec is never
            // added.
            let Some(r) = specs.iter().find(|s| s.eq_ignore_ascii_case(r)) else {
                continue;
            };
            if s.has(r).is_some()
                || s.marked(&Marker::Took(r.clone()))
                || out
                    .changes
                    .iter()
                    .any(|c| c.uuid == s.gocd.uuid && c.action == Action::Add(r.clone()))
            {
                continue;
            }
            out.changes.push(Change {
                agent: s.gocd.hostname.clone(),
                uuid: s.gocd.uuid.clone(),
                action: Action::Add(r.clone()),
                reason: format!("passes the whole `{r}` spec and does not advertise it"),
                state: State::Planned,
            });
        }
    }
}

/// The check pipelines, when GoCD has agents the previous run did not
/// see, or whose resources or state changed since.
fn schedule(seen: &[Seen], previous: Option<&Previous>, pipelines: &[String], out: &mut Plan) {
    let Some(before) = previous.and_then(|p| p.gocd_agents.as_ref()) else {
        for p in pipelines {
            out.changes.push(Change {
                agent: String::new(),
                uuid: String::new(),
                action: Action::Schedule(p.clone()),
                reason: "to check agents that are new or changed".into(),
                state: State::Held(
                    "no previous fleet report with GoCD's agents to compare with".into(),
                ),
            });
        }
        return;
    };
    let mut new = Vec::new();
    let mut changed = Vec::new();
    for s in seen {
        let mut resources: Vec<String> = s
            .gocd
            .resources
            .iter()
            .flatten()
            .map(|r| r.to_ascii_lowercase())
            .collect();
        resources.sort();
        match before.get(&s.gocd.uuid) {
            None => new.push(s.gocd.hostname.clone()),
            Some((state, had)) if *state != s.gocd.config_state || *had != resources => {
                changed.push(s.gocd.hostname.clone());
            }
            Some(_) => {}
        }
    }
    if new.is_empty() && changed.is_empty() {
        return;
    }
    let mut reason = Vec::new();
    if !new.is_empty() {
        reason.push(format!("new agents: {}", short_list(&new)));
    }
    if !changed.is_empty() {
        reason.push(format!("changed agents: {}", short_list(&changed)));
    }
    for p in pipelines {
        out.changes.push(Change {
            agent: String::new(),
            uuid: String::new(),
            action: Action::Schedule(p.clone()),
            reason: reason.join("; "),
            state: State::Planned,
        });
    }
}

/// What the plan asks of GoCD, made: `update` changes an agent (uuid,
/// add, remove, state), `schedule` a pipeline (Ok(false): already
/// scheduled). After GoCD refuses the token, nothing more is tried.
pub fn apply(
    plan: &mut Plan,
    update: impl Fn(&str, &[String], &[String], Option<&str>) -> Result<(), String>,
    schedule: impl Fn(&str) -> Result<bool, String>,
) {
    let mut refused: Option<String> = None;
    for change in plan
        .changes
        .iter_mut()
        .filter(|c| c.state == State::Planned)
    {
        if let Some(why) = &refused {
            change.state = State::Failed(format!("not tried: {why}"));
            continue;
        }
        let result = match &change.action {
            Action::Schedule(p) => schedule(p).map(|scheduled| {
                if !scheduled {
                    change
                        .reason
                        .push_str(" (it was already scheduled or running)");
                }
            }),
            action => {
                let (add, remove, state) = action.writes();
                update(&change.uuid, &add, &remove, state)
            }
        };
        change.state = match result {
            Ok(()) => State::Applied,
            Err(e) => {
                if e.contains("(403)") {
                    refused = Some("GoCD refused the token before (403)".into());
                }
                State::Failed(e)
            }
        };
    }
}
