//! What changed since the previous fleet run: new failures, fixed ones,
//! agents that appeared and agents that are gone. The previous run is read
//! from its JSON (`probe-fleet/2`), fetched from GoCD or given as a file;
//! it is read as untrusted as any report.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{Fleet, Status};

/// The previous fleet JSON: no bigger than this.
pub const PREVIOUS_LIMIT: usize = 256 << 20;

/// What the previous fleet run said, as far as changes need it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previous {
    /// When it was made (RFC 3339), as it says.
    pub generated_at: String,
    /// Its agents, by name.
    pub agents: BTreeSet<String>,
    /// (agent, check id) → the check's label, for each failure.
    pub failures: BTreeMap<(String, String), String>,
    /// GoCD agents (uuid) whose report GoCD vouched for (`verified`).
    pub reported: BTreeSet<String>,
    /// (GoCD agent uuid, resource in lower case): a resource with a
    /// failing check on an agent GoCD vouched for.
    pub failing: BTreeSet<(String, String)>,
    /// GoCD's agents as that run read them (uuid → its config state and
    /// sorted, lower-case resources), when it read them.
    pub gocd_agents: Option<BTreeMap<String, (String, Vec<String>)>>,
}

/// What changed between the previous run and this one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub since: String,
    /// (agent, check label): failing now, not before, on an agent that was
    /// there before.
    pub new_failures: Vec<(String, String)>,
    /// (agent, check label): failing before, passing now.
    pub fixed: Vec<(String, String)>,
    pub new_agents: Vec<String>,
    pub gone_agents: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.new_failures.is_empty()
            && self.fixed.is_empty()
            && self.new_agents.is_empty()
            && self.gone_agents.is_empty()
    }
}

/// Reads a previous fleet report. Only what changes need is read; the
/// rest of the document is skipped, not kept.
pub fn read_previous(bytes: &[u8]) -> Result<Previous, String> {
    #[derive(Deserialize)]
    struct Doc {
        schema: String,
        #[serde(default)]
        generated_at: String,
        #[serde(default)]
        agents: Vec<AgentDoc>,
        #[serde(default)]
        checks: Vec<CheckDoc>,
        #[serde(default)]
        gocd_agents: Option<Vec<GocdAgentDoc>>,
    }
    #[derive(Deserialize)]
    struct AgentDoc {
        name: String,
        #[serde(default)]
        gocd_uuid: Option<String>,
        #[serde(default)]
        verified: bool,
    }
    #[derive(Deserialize)]
    struct GocdAgentDoc {
        uuid: String,
        #[serde(default)]
        config_state: String,
        #[serde(default)]
        resources: Option<Vec<String>>,
    }
    #[derive(Deserialize)]
    struct CheckDoc {
        id: String,
        #[serde(default)]
        resource: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        failing_on: Vec<String>,
    }
    if bytes.len() > PREVIOUS_LIMIT {
        return Err(format!(
            "it is over {} MiB; is it a fleet report?",
            PREVIOUS_LIMIT >> 20
        ));
    }
    let doc: Doc = serde_json::from_slice(bytes)
        .map_err(|e| format!("it is not a fleet report (`probe fleet --report json=…`): {e}"))?;
    // `probe-fleet/1` differs in fields changes do not read.
    if doc.schema != super::render::SCHEMA && doc.schema != "probe-fleet/1" {
        return Err(format!(
            "it is a `{}` document; the fleet's own JSON is `{}`",
            doc.schema,
            super::render::SCHEMA
        ));
    }
    // Name → uuid, for the agents GoCD vouched for.
    let verified: BTreeMap<String, String> = doc
        .agents
        .iter()
        .filter(|a| a.verified)
        .filter_map(|a| Some((a.name.clone(), a.gocd_uuid.clone()?)))
        .collect();
    let reported = verified.values().cloned().collect();
    let mut failing = BTreeSet::new();
    let agents: BTreeSet<String> = doc.agents.into_iter().map(|a| a.name).collect();
    let mut failures = BTreeMap::new();
    for check in doc.checks {
        let label = if check.resource.is_empty() {
            check.name.clone()
        } else {
            format!("{}: {}", check.resource, check.name)
        };
        for agent in check.failing_on {
            // Names the previous report lists as agents only: a failure of
            // an agent it does not have is not one to compare.
            if let Some(uuid) = verified.get(&agent) {
                failing.insert((uuid.clone(), check.resource.to_ascii_lowercase()));
            }
            if agents.contains(&agent) {
                failures.insert((agent, check.id.clone()), label.clone());
            }
        }
    }
    let gocd_agents = doc.gocd_agents.map(|list| {
        list.into_iter()
            .map(|a| {
                let mut resources: Vec<String> = a
                    .resources
                    .unwrap_or_default()
                    .iter()
                    .map(|r| r.to_ascii_lowercase())
                    .collect();
                resources.sort();
                (a.uuid, (a.config_state, resources))
            })
            .collect()
    });
    Ok(Previous {
        generated_at: doc.generated_at,
        agents,
        failures,
        reported,
        failing,
        gocd_agents,
    })
}

impl Fleet {
    /// What changed since `previous`.
    pub fn changes_since(&self, previous: &Previous) -> Changes {
        let mut changes = Changes {
            since: previous.generated_at.clone(),
            ..Changes::default()
        };
        for row in &self.rows {
            for (a, cell) in row.cells.iter().enumerate() {
                let Some(cell) = cell else { continue };
                let agent = &self.agents[a].name;
                let key = (agent.clone(), row.id.clone());
                if cell.status.is_failure() {
                    if previous.agents.contains(agent) && !previous.failures.contains_key(&key) {
                        changes.new_failures.push((agent.clone(), row.qualified()));
                    }
                } else if cell.status == Status::Pass {
                    if let Some(label) = previous.failures.get(&key) {
                        changes.fixed.push((agent.clone(), label.clone()));
                    }
                }
            }
        }
        let names: BTreeSet<&str> = self.agents.iter().map(|a| a.name.as_str()).collect();
        changes.new_agents = names
            .iter()
            .filter(|n| !previous.agents.contains(**n))
            .map(|n| n.to_string())
            .collect();
        changes.gone_agents = previous
            .agents
            .iter()
            .filter(|n| !names.contains(n.as_str()))
            .cloned()
            .collect();
        changes.new_failures.sort();
        changes.fixed.sort();
        changes
    }
}
