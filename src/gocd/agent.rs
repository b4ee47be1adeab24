//! Agent mode: check exactly what this agent promises.
//!
//! GoCD (>= 20.1.0) gives every job `GO_AGENT_RESOURCES`: the agent's
//! resources, comma-joined, trimmed, de-duplicated, sorted, in their original
//! case; unset when the agent has none (docs/gocd.md, "Agent mode"). There is no variable for the agent's host name, so reports use the
//! OS host name.

use crate::catalog::{Catalog, COMMON};
use crate::selection::Selected;

/// The GoCD job this run is part of, from the environment GoCD sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentContext {
    /// `GO_AGENT_RESOURCES`, split; None when unset.
    pub resources: Option<Vec<String>>,
    /// `PROBE_RESOURCES`, split: what an elastic agent's profile says its
    /// jobs need (GoCD gives elastic agents no resources, so their jobs get
    /// no `GO_AGENT_RESOURCES`); checked only when that is unset.
    pub profile: Option<Vec<String>>,
    /// `GO_JOB_NAME`: for run-on-all jobs the instance, e.g. `probe-runOnAll-3`.
    pub job_name: Option<String>,
    pub pipeline_name: Option<String>,
    pub pipeline_counter: Option<String>,
    pub stage_name: Option<String>,
    pub stage_counter: Option<String>,
    pub environment_name: Option<String>,
    pub server_url: Option<String>,
}

impl AgentContext {
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> AgentContext {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        AgentContext {
            resources: get("GO_AGENT_RESOURCES").map(|list| parse_resources(&list)),
            profile: get("PROBE_RESOURCES").map(|list| parse_resources(&list)),
            job_name: get("GO_JOB_NAME"),
            pipeline_name: get("GO_PIPELINE_NAME"),
            pipeline_counter: get("GO_PIPELINE_COUNTER"),
            stage_name: get("GO_STAGE_NAME"),
            stage_counter: get("GO_STAGE_COUNTER"),
            environment_name: get("GO_ENVIRONMENT_NAME"),
            server_url: get("GO_SERVER_URL"),
        }
    }

    /// Whether this process runs inside a GoCD job at all.
    pub fn in_job(&self) -> bool {
        self.job_name.is_some() || self.pipeline_name.is_some()
    }

    /// The resources the agent advertises, as reports show them.
    pub fn advertised(&self) -> String {
        match &self.resources {
            Some(r) => r.join(", "),
            None => "none (GO_AGENT_RESOURCES is not set)".to_string(),
        }
    }

    /// `agent-infrastructure #42, stage check #1, job probe-runOnAll-3`.
    pub fn job_line(&self) -> Option<String> {
        if !self.in_job() {
            return None;
        }
        let mut parts = Vec::new();
        if let Some(p) = &self.pipeline_name {
            parts.push(match &self.pipeline_counter {
                Some(c) => format!("pipeline {p} #{c}"),
                None => format!("pipeline {p}"),
            });
        }
        if let Some(s) = &self.stage_name {
            parts.push(match &self.stage_counter {
                Some(c) => format!("stage {s} #{c}"),
                None => format!("stage {s}"),
            });
        }
        if let Some(j) = &self.job_name {
            parts.push(format!("job {j}"));
        }
        if let Some(e) = &self.environment_name {
            parts.push(format!("environment {e}"));
        }
        Some(parts.join(", "))
    }
}

fn parse_resources(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            out.push(name.to_string());
        }
    }
    out
}

/// What agent mode runs, and what it has to say about the agent.
#[derive(Debug)]
pub struct AgentSelection<'a> {
    pub selected: Vec<Selected<'a>>,
    /// Advertised resources that no spec covers.
    pub uncovered: Vec<String>,
    /// GO_AGENT_RESOURCES was not set, nor PROBE_RESOURCES.
    pub unset: bool,
    /// GO_AGENT_RESOURCES was not set; PROBE_RESOURCES was checked instead.
    pub from_profile: bool,
    /// Resources `probe fleet --quarantine` took from the agent (its
    /// `probe-took-…` markers): still checked, so that they can be given
    /// back.
    pub taken: Vec<String>,
}

/// The common spec plus the spec of every resource the agent advertises
/// (and what those require), matched case-insensitively as GoCD matches.
pub fn select_for_agent<'a>(
    catalog: &'a Catalog,
    agent: &AgentContext,
    with_common: bool,
) -> AgentSelection<'a> {
    // probe's own markers are not resources: `probe-took-lua` means lua
    // was taken from this agent, and is checked as if advertised.
    let mut advertised = Vec::new();
    let mut taken = Vec::new();
    let from_profile = agent.resources.is_none() && agent.profile.is_some();
    for name in agent
        .resources
        .as_ref()
        .or(agent.profile.as_ref())
        .into_iter()
        .flatten()
    {
        match super::marker::parse(name) {
            Some(super::marker::Marker::Took(resource)) => taken.push(resource),
            Some(_) => {}
            None => advertised.push(name.clone()),
        }
    }
    for resource in &taken {
        if !advertised.iter().any(|a| a.eq_ignore_ascii_case(resource)) {
            advertised.push(resource.clone());
        }
    }
    let (covered, uncovered): (Vec<String>, Vec<String>) = advertised
        .into_iter()
        .partition(|r| catalog.find(r).is_some());
    let mut selected = if covered.is_empty() {
        Vec::new()
    } else {
        crate::selection::select(catalog, &covered, None, with_common).unwrap_or_default()
    };
    if selected.is_empty() && with_common {
        if let Some(common) = catalog.find(COMMON) {
            selected.push(Selected {
                resource: common,
                requested: false,
            });
        }
    }
    AgentSelection {
        selected,
        uncovered,
        unset: agent.resources.is_none() && agent.profile.is_none(),
        from_profile,
        taken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn ctx(vars: &[(&str, &str)]) -> AgentContext {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AgentContext::from_env(|k| map.get(k).cloned())
    }

    #[test]
    fn resources_are_split_trimmed_and_deduplicated() {
        // GoCD joins with commas; be lenient with spaces and repeats anyway.
        let c = ctx(&[("GO_AGENT_RESOURCES", "Lua, java,,LUA ,gradle")]);
        assert_eq!(
            c.resources,
            Some(vec!["Lua".into(), "java".into(), "gradle".into()])
        );
        assert_eq!(ctx(&[]).resources, None);
        assert_eq!(ctx(&[("GO_AGENT_RESOURCES", " ")]).resources, None);
    }

    #[test]
    fn the_job_line_names_pipeline_stage_and_instance() {
        let c = ctx(&[
            ("GO_PIPELINE_NAME", "agent-infrastructure"),
            ("GO_PIPELINE_COUNTER", "42"),
            ("GO_STAGE_NAME", "check"),
            ("GO_STAGE_COUNTER", "1"),
            ("GO_JOB_NAME", "probe-runOnAll-3"),
        ]);
        assert_eq!(
            c.job_line().as_deref(),
            Some("pipeline agent-infrastructure #42, stage check #1, job probe-runOnAll-3")
        );
        assert_eq!(ctx(&[]).job_line(), None);
    }
}
