//! The fleet report as JSON (docs/json.md, `probe-fleet/2`).

use super::*;
use crate::fleet::{Cell, Status};
use serde::Serialize;

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
        causes: Vec<CauseJson<'a>>,
        changes: Option<ChangesJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        quarantine: Option<QuarantineJson<'a>>,
        agents: Vec<AgentJson<'a>>,
        checks: Vec<CheckJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        gocd_agents: Option<Vec<GocdAgentJson<'a>>>,
    }
    #[derive(Serialize)]
    struct GocdAgentJson<'a> {
        uuid: &'a str,
        hostname: &'a str,
        config_state: &'a str,
        state: &'a str,
        elastic: bool,
        resources: Option<&'a [String]>,
        environments: &'a [String],
    }
    #[derive(Serialize)]
    struct QuarantineJson<'a> {
        mode: Option<&'static str>,
        applied: bool,
        missing: Option<&'a str>,
        changes: Vec<ChangeJson<'a>>,
    }
    #[derive(Serialize)]
    struct ChangeJson<'a> {
        action: &'static str,
        agent: &'a str,
        uuid: &'a str,
        resource: Option<&'a str>,
        pipeline: Option<&'a str>,
        state: &'static str,
        reason: &'a str,
        why_not: Option<&'a str>,
        add: Vec<String>,
        remove: Vec<String>,
        agent_config_state: Option<&'static str>,
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
    struct CauseJson<'a> {
        check: &'a str,
        label: String,
        status: &'static str,
        agents: Vec<&'a str>,
        found: &'a [String],
        expected: &'a str,
        message: &'a str,
        hint: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct AgentCheck<'a> {
        agent: &'a str,
        check: &'a str,
    }
    #[derive(Serialize)]
    struct ChangesJson<'a> {
        since: &'a str,
        new_failures: Vec<AgentCheck<'a>>,
        fixed: Vec<AgentCheck<'a>>,
        new_agents: &'a [String],
        gone_agents: &'a [String],
    }
    #[derive(Serialize)]
    struct Rename<'a> {
        from: &'a str,
        to: &'a str,
    }
    #[derive(Serialize)]
    struct Because<'a> {
        resource: &'a str,
        check: &'a str,
    }
    #[derive(Serialize)]
    struct PlanJson<'a> {
        keep: &'a [String],
        add: &'a [String],
        rename: Vec<Rename<'a>>,
        unchecked: &'a [String],
        repair: Vec<Because<'a>>,
        drop: Vec<Because<'a>>,
        paste: String,
    }
    #[derive(Serialize)]
    struct LinksJson {
        job: String,
        console: String,
        tab: String,
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
        advertises_but_fails: Vec<&'a str>,
        passes_but_does_not_advertise: Option<&'a [String]>,
        could_advertise: String,
        advertise: PlanJson<'a>,
        started_at: Option<&'a str>,
        age_seconds: Option<i64>,
        stale: bool,
        links: Option<LinksJson>,
        notices: Vec<FindingJson<'a>>,
        source: &'a str,
        gocd_uuid: Option<&'a str>,
        verified: bool,
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
    fn because(list: &[(String, String)]) -> Vec<Because<'_>> {
        list.iter()
            .map(|(resource, check)| Because { resource, check })
            .collect()
    }
    fn pairs(list: &[(String, String)]) -> Vec<AgentCheck<'_>> {
        list.iter()
            .map(|(agent, check)| AgentCheck { agent, check })
            .collect()
    }
    let causes = fleet.causes();
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
        causes: causes
            .iter()
            .map(|c| {
                let row = &fleet.rows[c.row];
                CauseJson {
                    check: &row.id,
                    label: row.qualified(),
                    status: c.status.as_str(),
                    agents: c
                        .agents
                        .iter()
                        .map(|&a| fleet.agents[a].name.as_str())
                        .collect(),
                    found: &c.found,
                    expected: &c.expected,
                    message: &c.message,
                    hint: c.hint.as_deref(),
                }
            })
            .collect::<Vec<_>>(),
        changes: fleet.changes.as_ref().map(|c| ChangesJson {
            since: &c.since,
            new_failures: pairs(&c.new_failures),
            fixed: pairs(&c.fixed),
            new_agents: &c.new_agents,
            gone_agents: &c.gone_agents,
        }),
        quarantine: fleet.quarantine.as_ref().map(|plan| QuarantineJson {
            mode: plan.mode.map(|m| m.as_str()),
            applied: plan.apply,
            missing: plan.missing.as_deref(),
            changes: plan
                .changes
                .iter()
                .map(|c| {
                    let (add, remove, state) = c.action.writes();
                    ChangeJson {
                        action: c.action.as_str(),
                        agent: &c.agent,
                        uuid: &c.uuid,
                        resource: c.action.resource(),
                        pipeline: c.action.pipeline(),
                        state: c.state.as_str(),
                        reason: &c.reason,
                        why_not: c.state.why(),
                        add,
                        remove,
                        agent_config_state: state,
                    }
                })
                .collect(),
        }),
        gocd_agents: fleet.gocd_agents.as_ref().map(|list| {
            list.iter()
                .map(|a| GocdAgentJson {
                    uuid: &a.uuid,
                    hostname: &a.hostname,
                    config_state: &a.config_state,
                    state: &a.state,
                    elastic: a.resources.is_none(),
                    resources: a.resources.as_deref(),
                    environments: &a.environments,
                })
                .collect()
        }),
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
                advertises_but_fails: a
                    .plan
                    .drop
                    .iter()
                    .chain(&a.plan.repair)
                    .map(|(r, _)| r.as_str())
                    .collect(),
                passes_but_does_not_advertise: a.suggested.then_some(a.plan.add.as_slice()),
                could_advertise: a.plan.paste(),
                advertise: PlanJson {
                    keep: &a.plan.keep,
                    add: &a.plan.add,
                    rename: a
                        .plan
                        .rename
                        .iter()
                        .map(|(from, to)| Rename { from, to })
                        .collect(),
                    unchecked: &a.plan.unchecked,
                    repair: because(&a.plan.repair),
                    drop: because(&a.plan.drop),
                    paste: a.plan.paste(),
                },
                started_at: a.started_at.as_deref(),
                age_seconds: a.age,
                stale: a.is_stale(fleet.stale_after),
                links: job_links(origin, a).map(|l| LinksJson {
                    job: l.job,
                    console: l.console,
                    tab: l.tab,
                }),
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
                verified: a.verified,
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
