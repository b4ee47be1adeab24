//! `probe fleet --quarantine`, `--add-resources` and `--schedule-checks`
//! over several fleet runs, against the fake GoCD (tests/it/common/gocd.rs,
//! which answers the agents API's writes as AgentsControllerV7 and
//! AgentService do, and logs every write).
//!
//! Each run is what GoCD would see: every agent runs the real probe in
//! agent mode with GO_AGENT_RESOURCES as the fake has its resources now
//! (markers included), publishes its report, and the fleet job reads them,
//! with the previous fleet JSON, and plans or applies.
#![cfg(unix)]

use std::fs;
use std::process::Output;

use serde_json::{json, Value};

use crate::common::gocd::{Agent, FakeGocd, Job, Run, Stage, Write};
use crate::common::{json, stderr, stdout, Sandbox};

const ADMIN: &str = "0123456789abcdef0123456789abcdef01234567";
const VIEWER: &str = "fedcba9876543210fedcba9876543210fedcba98";
const PIPELINE: &str = "agent-infrastructure";
const LUA_SPEC: &str =
    "checks:\n  - command: lua\n    version: '>=5.3, <5.5'\n    args: [-v]\n    hint: install lua5.4\n";
const GRADLE_SPEC: &str = "checks:\n  - command: gradle\n";

/// A fleet of agents, each with the lua it has (None: no report, as an
/// agent that does not run its job) and whether it has gradle.
struct World {
    gocd: FakeGocd,
    /// Where the fleet job keeps its previous JSON between runs.
    dir: tempfile::TempDir,
    runs: u64,
    lua: Vec<(String, Option<&'static str>)>,
    gradle: Vec<String>,
}

impl World {
    /// `agents`: (uuid, host, lua version or None); each advertises `lua`.
    fn new(agents: &[(&str, &str, Option<&'static str>)]) -> World {
        let gocd = FakeGocd::start(&[(ADMIN, true), (VIEWER, false)]);
        gocd.with(|state| {
            state.agents = agents
                .iter()
                .map(|(uuid, host, _)| Agent::new(uuid, host, &["lua"]))
                .collect();
        });
        World {
            gocd,
            dir: tempfile::tempdir().expect("tempdir"),
            runs: 0,
            lua: agents
                .iter()
                .map(|(uuid, _, v)| (uuid.to_string(), *v))
                .collect(),
            gradle: Vec::new(),
        }
    }

    fn set_lua(&mut self, uuid: &str, version: Option<&'static str>) {
        if let Some(entry) = self.lua.iter_mut().find(|(u, _)| u == uuid) {
            entry.1 = version;
        }
    }

    fn resources(&self, uuid: &str) -> Vec<String> {
        self.gocd.with(|s| {
            let mut list = s
                .agents
                .iter()
                .find(|a| a.uuid == uuid)
                .and_then(|a| a.resources.clone())
                .unwrap_or_default();
            list.sort();
            list
        })
    }

    fn config_state(&self, uuid: &str) -> String {
        self.gocd.with(|s| {
            s.agents
                .iter()
                .find(|a| a.uuid == uuid)
                .map(|a| a.config_state.clone())
                .unwrap_or_default()
        })
    }

    /// One run of the check pipeline: each agent with a lua runs the
    /// probe in agent mode, with the resources GoCD has for it now.
    fn check_run(&mut self) {
        self.runs += 1;
        let agents = self.gocd.with(|s| s.agents.clone());
        let mut jobs = Vec::new();
        for (i, agent) in agents.iter().enumerate() {
            let job = format!("probe-runOnAll-{}", i + 1);
            let lua = self
                .lua
                .iter()
                .find(|(u, _)| *u == agent.uuid)
                .and_then(|(_, v)| *v);
            let Some(lua) = lua else {
                jobs.push(Job::completed(&job, &agent.uuid, "Passed", None));
                continue;
            };
            // A disabled agent takes no jobs.
            if agent.config_state != "Enabled" {
                continue;
            }
            // An elastic agent advertises nothing; its job asks for lua by
            // its elastic profile, and runs `probe --resource lua`.
            let report = self.agent_report(agent, &job, lua);
            let result = if json_ok(&report) { "Passed" } else { "Failed" };
            jobs.push(Job::completed(&job, &agent.uuid, result, Some(report)));
        }
        let run = Run {
            counter: self.runs,
            stages: vec![Stage::new("check", jobs)],
        };
        self.gocd
            .with(|s| s.pipelines.entry(PIPELINE.into()).or_default().push(run));
    }

    fn agent_report(&self, agent: &Agent, job: &str, lua: &str) -> Vec<u8> {
        let s = Sandbox::new();
        s.tool(
            "lua",
            &format!("echo 'Lua {lua}  Copyright (C) 1994-2023 Lua.org'"),
        )
        .spec("common", "checks:\n  - path_contains: /usr/bin\n")
        .spec("lua", LUA_SPEC)
        .spec("gradle", GRADLE_SPEC);
        if self.gradle.contains(&agent.uuid) {
            s.tool("gradle", "echo 'Gradle 8.5'");
        }
        let o = s
            .command(&["--agent", "--suggest", "-f", "json"])
            .env(
                "GO_AGENT_RESOURCES",
                agent
                    .resources
                    .clone()
                    .unwrap_or_else(|| vec!["lua".into()])
                    .join(","),
            )
            .env("GO_PIPELINE_NAME", PIPELINE)
            .env("GO_PIPELINE_COUNTER", self.runs.to_string())
            .env("GO_STAGE_NAME", "check")
            .env("GO_STAGE_COUNTER", "1")
            .env("GO_JOB_NAME", job)
            .output()
            .expect("run probe");
        let mut report = json(&o);
        report["host"]["hostname"] = json!(agent.hostname);
        serde_json::to_vec_pretty(&report).expect("JSON")
    }

    /// The fleet job: reads the latest run, compares with the previous
    /// fleet JSON, and keeps this one for the next run.
    fn fleet(&self, token: &str, args: &[&str]) -> Output {
        let s = Sandbox::new();
        s.spec("common", "checks:\n  - path_contains: /usr/bin\n")
            .spec("lua", LUA_SPEC)
            .spec("gradle", GRADLE_SPEC);
        let previous = self.dir.path().join("fleet.json");
        let now = self.dir.path().join("fleet-now.json");
        let mut cmd = s.command(&[
            "fleet",
            "--server",
            &self.gocd.url(),
            "--pipeline",
            PIPELINE,
        ]);
        cmd.args(args)
            .arg("--report")
            .arg(format!("json={}", now.display()))
            .env("GOCD_TOKEN", token)
            .env_remove("GO_SERVER_URL");
        if previous.exists() {
            cmd.arg("--previous").arg(&previous);
        } else {
            cmd.args(["--previous", "none"]);
        }
        let o = cmd.output().expect("run probe fleet");
        if now.exists() {
            fs::rename(&now, &previous).expect("keep the fleet JSON");
        }
        o
    }

    /// A check run, then the fleet job: its JSON's changes.
    fn round(&mut self, token: &str, args: &[&str]) -> (Output, Vec<Value>) {
        self.check_run();
        let o = self.fleet(token, args);
        let doc: Value = fs::read(self.dir.path().join("fleet.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        let changes = doc["quarantine"]["changes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (o, changes)
    }

    fn writes(&self) -> Vec<Write> {
        self.gocd.writes()
    }
}

fn json_ok(report: &[u8]) -> bool {
    serde_json::from_slice::<Value>(report)
        .map(|r| r["summary"]["ok"] == true)
        .unwrap_or(false)
}

/// The changes for an agent, as (action, state).
fn of<'a>(changes: &'a [Value], agent: &str) -> Vec<(&'a str, &'a str)> {
    changes
        .iter()
        .filter(|c| c["agent"] == agent)
        .map(|c| {
            (
                c["action"].as_str().unwrap_or_default(),
                c["state"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

fn four_lua_agents() -> World {
    World::new(&[
        ("uuid-1", "build-1", Some("5.4.6")),
        ("uuid-2", "build-2", Some("5.1.5")),
        ("uuid-3", "build-3", Some("5.4.6")),
        ("uuid-4", "build-4", Some("5.4.6")),
    ])
}

const APPLY: &[&str] = &["--quarantine", "--apply"];

#[test]
fn a_broken_agent_loses_lua_after_two_failing_runs_and_gets_it_back_after_two_passing_ones() {
    let mut w = four_lua_agents();
    // Run 1: the first failure is held, and nothing is written.
    let (o, changes) = w.round(ADMIN, APPLY);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(of(&changes, "build-2"), [("take", "held")], "{changes:?}");
    assert!(w.writes().is_empty(), "{:?}", w.writes());

    // Run 2: it failed twice; lua is taken, with probe's marker, in one
    // bulk update, and no other agent is touched.
    let (o, changes) = w.round(ADMIN, APPLY);
    assert_eq!(
        of(&changes, "build-2"),
        [("take", "applied")],
        "{}",
        stdout(&o)
    );
    assert_eq!(
        w.writes(),
        [Write {
            method: "PATCH".into(),
            path: "/go/api/agents".into(),
            body: json!({"uuids": ["uuid-2"], "operations": {"resources": {
                "add": ["probe-took-lua"], "remove": ["lua"]}}}),
            status: 200,
        }]
    );
    assert_eq!(w.resources("uuid-2"), ["probe-took-lua"]);
    assert!(
        stdout(&o).contains("DONE   take `lua` from build-2: fails lua: command lua"),
        "{}",
        stdout(&o)
    );

    // Run 3: the agent still checks lua (its marker says so), still fails.
    let (_, changes) = w.round(ADMIN, APPLY);
    assert_eq!(of(&changes, "build-2"), [("give back", "held")]);
    let still = changes
        .iter()
        .find(|c| c["agent"] == "build-2")
        .expect("a change");
    assert!(
        still["reason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("still fails lua"),
        "{still}"
    );

    // Fixed: one passing run is not enough, the second gives lua back.
    w.set_lua("uuid-2", Some("5.4.6"));
    let (_, changes) = w.round(ADMIN, APPLY);
    assert_eq!(of(&changes, "build-2"), [("give back", "held")]);
    assert_eq!(w.writes().len(), 1);
    let (o, changes) = w.round(ADMIN, APPLY);
    assert_eq!(of(&changes, "build-2"), [("give back", "applied")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let writes = w.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(
        writes[1].body,
        json!({"uuids": ["uuid-2"], "operations": {"resources": {
            "add": ["lua"], "remove": ["probe-took-lua"]}}})
    );
    assert_eq!(w.resources("uuid-2"), ["lua"]);
    // And then nothing more to do.
    let (_, changes) = w.round(ADMIN, APPLY);
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(w.writes().len(), 2);
}

#[test]
fn without_apply_nothing_is_written_and_the_plan_is_in_every_format() {
    let mut w = four_lua_agents();
    w.round(VIEWER, &["--quarantine"]);
    w.check_run();
    let s = Sandbox::new();
    let html = s.path("fleet.html");
    let junit = s.path("junit.xml");
    let o = w.fleet(
        VIEWER,
        &[
            "--quarantine",
            "--report",
            &format!("html={}", html.display()),
            "--report",
            &format!("junit={}", junit.display()),
        ],
    );
    assert!(w.writes().is_empty(), "{:?}", w.writes());
    let text = stdout(&o);
    assert!(
        text.contains(
            "Changes to GoCD: a plan (nothing was changed; --apply makes the planned ones)"
        ),
        "{text}"
    );
    assert!(text.contains("PLAN   take `lua` from build-2"), "{text}");
    let html = fs::read_to_string(html).expect("html");
    assert!(
        html.contains("<li data-change=\"planned\"><span class=\"badge stale\">PLAN</span> take <code>lua</code> from build-2"),
        "{html}"
    );
    // The changes come before the causes on the page.
    assert!(html.find("id=\"quarantine\"") < html.find("id=\"causes\""));
    let junit = fs::read_to_string(junit).expect("junit");
    assert!(
        junit.contains("<testsuite name=\"changes to GoCD\" tests=\"1\" failures=\"0\""),
        "{junit}"
    );
    assert!(junit.contains("planned take `lua` from build-2"), "{junit}");
    let doc: Value =
        serde_json::from_slice(&fs::read(w.dir.path().join("fleet.json")).expect("json"))
            .expect("json");
    let change = &doc["quarantine"]["changes"][0];
    assert_eq!(change["state"], "planned");
    assert_eq!(change["remove"], json!(["lua"]));
    assert_eq!(change["add"], json!(["probe-took-lua"]));
    assert_eq!(doc["quarantine"]["applied"], false);
}

#[test]
fn a_view_only_token_gets_the_plan_and_apply_says_an_admin_is_needed() {
    let mut w = four_lua_agents();
    w.round(VIEWER, APPLY);
    let (o, changes) = w.round(VIEWER, APPLY);
    assert_eq!(of(&changes, "build-2"), [("take", "failed")]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("--apply needs the token of a GoCD admin"),
        "{text}"
    );
    // GoCD refused it: the write was tried once and changed nothing.
    let writes = w.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].status, 403);
    assert_eq!(w.resources("uuid-2"), ["lua"]);
}

#[test]
fn never_more_than_a_quarter_of_an_resources_agents_at_once() {
    let mut w = World::new(&[
        ("uuid-1", "build-1", Some("5.1.5")),
        ("uuid-2", "build-2", Some("5.1.5")),
        ("uuid-3", "build-3", Some("5.1.5")),
        ("uuid-4", "build-4", Some("5.4.6")),
    ]);
    w.round(ADMIN, APPLY);
    let (_, changes) = w.round(ADMIN, APPLY);
    let states: Vec<Vec<(&str, &str)>> = ["build-1", "build-2", "build-3"]
        .iter()
        .map(|a| of(&changes, a))
        .collect();
    assert_eq!(
        states,
        [
            vec![("take", "applied")],
            vec![("take", "held")],
            vec![("take", "held")]
        ]
    );
    let held = changes
        .iter()
        .find(|c| c["agent"] == "build-2")
        .expect("held");
    assert!(
        held["why_not"].as_str().unwrap_or_default().contains(
            "1 of the 4 agents that advertise `lua` are already without it, and at most 25 %"
        ),
        "{held}"
    );
    assert_eq!(w.writes().len(), 1);
    // The next run: still one at a time.
    w.round(ADMIN, APPLY);
    assert_eq!(w.writes().len(), 1);
    // A larger share is asked for: one more (2 of 4 is 50 %).
    let (_, changes) = w.round(
        ADMIN,
        &["--quarantine", "--apply", "--max-quarantined", "50"],
    );
    assert_eq!(
        changes
            .iter()
            .filter(|c| c["action"] == "take" && c["state"] == "applied")
            .count(),
        1,
        "{changes:?}"
    );
    assert_eq!(w.writes().len(), 2);
}

#[test]
fn the_last_agent_that_passes_is_kept_and_a_resource_no_agent_passes_is_left_alone() {
    let mut w = World::new(&[
        ("uuid-1", "build-1", Some("5.1.5")),
        ("uuid-2", "build-2", Some("5.1.5")),
    ]);
    let all = &["--quarantine", "--apply", "--max-quarantined", "100"];
    w.round(ADMIN, all);
    let (_, changes) = w.round(ADMIN, all);
    assert_eq!(of(&changes, "build-1"), [("take", "held")]);
    assert!(
        changes[0]["why_not"]
            .as_str()
            .unwrap_or_default()
            .contains("no agent that advertises `lua` passes its checks"),
        "{changes:?}"
    );
    assert!(w.writes().is_empty());
    // One of the two fixed: the other one may go.
    w.set_lua("uuid-1", Some("5.4.6"));
    w.round(ADMIN, all);
    assert_eq!(w.writes().len(), 1, "{:?}", w.writes());
    assert_eq!(w.resources("uuid-2"), ["probe-took-lua"]);
    assert_eq!(w.resources("uuid-1"), ["lua"]);
}

#[test]
fn what_a_person_changed_is_left_alone() {
    let mut w = four_lua_agents();
    w.round(ADMIN, APPLY);
    w.round(ADMIN, APPLY);
    assert_eq!(w.resources("uuid-2"), ["probe-took-lua"]);
    // A person gives lua back by hand, still broken: probe does not take it
    // again, and says why.
    w.gocd.with(|s| {
        let agent = s
            .agents
            .iter_mut()
            .find(|a| a.uuid == "uuid-2")
            .expect("agent");
        agent.resources = Some(vec!["lua".into(), "probe-took-lua".into()]);
    });
    for _ in 0..2 {
        let (_, changes) = w.round(ADMIN, APPLY);
        assert_eq!(of(&changes, "build-2"), [("take", "held")]);
        let why = changes[0]["why_not"].as_str().unwrap_or_default();
        assert!(
            why.starts_with("a person gave `lua` back after probe took it"),
            "{why}"
        );
    }
    assert_eq!(w.writes().len(), 1);
    // A person takes lua off and the marker with it: nothing to give back,
    // even when the agent passes.
    w.gocd.with(|s| {
        let agent = s
            .agents
            .iter_mut()
            .find(|a| a.uuid == "uuid-2")
            .expect("agent");
        agent.resources = Some(vec!["linux".into()]);
    });
    w.set_lua("uuid-2", Some("5.4.6"));
    w.round(ADMIN, APPLY);
    w.round(ADMIN, APPLY);
    assert_eq!(w.writes().len(), 1);
    assert_eq!(w.resources("uuid-2"), ["linux"]);
}

#[test]
fn silent_and_elastic_agents_are_named_not_changed() {
    let mut w = World::new(&[
        ("uuid-1", "build-1", Some("5.4.6")),
        ("uuid-2", "build-2", Some("5.4.6")),
        ("uuid-3", "build-3", Some("5.4.6")),
        ("uuid-4", "build-4", None),
        ("uuid-5", "elastic-1", Some("5.1.5")),
    ]);
    w.gocd
        .with(|s| s.agents[4] = Agent::elastic("uuid-5", "elastic-1"));
    w.round(ADMIN, APPLY);
    let (_, changes) = w.round(ADMIN, APPLY);
    assert_eq!(of(&changes, "build-4"), [("take", "held")]);
    assert!(changes.iter().any(|c| c["agent"] == "build-4"
        && c["why_not"]
            .as_str()
            .unwrap_or_default()
            .starts_with("it sent no report")));
    assert_eq!(of(&changes, "elastic-1"), [("disable", "held")]);
    assert!(w.writes().is_empty(), "{:?}", w.writes());
    // Asked for: the silent agent loses lua (it was silent twice).
    let (_, changes) = w.round(ADMIN, &["--quarantine", "--apply", "--quarantine-silent"]);
    assert_eq!(
        of(&changes, "build-4"),
        [("take", "applied")],
        "{changes:?}"
    );
    assert_eq!(w.resources("uuid-4"), ["probe-took-lua"]);
}

#[test]
fn disable_mode_disables_the_agent_and_never_enables_it() {
    let mut w = four_lua_agents();
    let disable = &["--quarantine=disable", "--apply"];
    w.round(ADMIN, disable);
    let (_, changes) = w.round(ADMIN, disable);
    assert_eq!(of(&changes, "build-2"), [("disable", "applied")]);
    assert_eq!(
        w.writes()[0].body,
        json!({"uuids": ["uuid-2"], "operations": {"resources": {"add": ["probe-disabled"], "remove": []}},
               "agent_config_state": "Disabled"})
    );
    assert_eq!(w.config_state("uuid-2"), "Disabled");
    // Fixed: a disabled agent takes no jobs, so it is never checked, and
    // probe never enables it.
    w.set_lua("uuid-2", Some("5.4.6"));
    for _ in 0..2 {
        let (_, changes) = w.round(ADMIN, disable);
        assert_eq!(of(&changes, "build-2"), [("disable", "held")]);
    }
    assert_eq!(w.writes().len(), 1);
    assert_eq!(w.config_state("uuid-2"), "Disabled");
}

#[test]
fn an_agent_that_passes_a_spec_it_does_not_advertise_can_have_it_added() {
    let mut w = four_lua_agents();
    w.gradle.push("uuid-3".into());
    let (_, changes) = w.round(ADMIN, &["--add-resources"]);
    assert_eq!(of(&changes, "build-3"), [("add", "planned")]);
    assert!(w.writes().is_empty());
    let (_, changes) = w.round(ADMIN, &["--add-resources", "--apply"]);
    assert_eq!(of(&changes, "build-3"), [("add", "applied")]);
    assert_eq!(
        w.resources("uuid-3"),
        ["gradle", "lua", "probe-added-gradle"]
    );
    // Added once: the next run has nothing to add.
    let (_, changes) = w.round(ADMIN, &["--add-resources", "--apply"]);
    assert!(of(&changes, "build-3").is_empty(), "{changes:?}");
}

#[test]
fn a_new_agent_gets_its_check_run_scheduled_at_once() {
    let mut w = four_lua_agents();
    let args = &["--schedule-checks", "--apply"];
    let (_, changes) = w.round(ADMIN, args);
    // No previous list of agents: nothing to compare with.
    assert_eq!(changes[0]["state"], "held");
    let (_, changes) = w.round(ADMIN, args);
    assert!(changes.is_empty(), "{changes:?}");
    w.gocd
        .with(|s| s.agents.push(Agent::new("uuid-9", "build-9", &["lua"])));
    let (o, changes) = w.round(ADMIN, args);
    assert_eq!(changes.len(), 1, "{}", stdout(&o));
    assert_eq!(changes[0]["action"], "schedule");
    assert_eq!(changes[0]["state"], "applied");
    assert_eq!(changes[0]["reason"], "new agents: build-9");
    let writes = w.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].method, "POST");
    assert_eq!(
        writes[0].path,
        format!("/go/api/pipelines/{PIPELINE}/schedule")
    );
    assert_eq!(w.gocd.with(|s| s.scheduled.clone()), [PIPELINE]);
}

#[test]
fn the_agent_checks_what_probe_took_from_it() {
    let s = Sandbox::new();
    s.tool("lua", "echo 'Lua 5.1.5'").spec("lua", LUA_SPEC);
    let o = s
        .command(&["--agent"])
        .env(
            "GO_AGENT_RESOURCES",
            "probe-took-lua,probe-disabled,probe-added-gradle",
        )
        .output()
        .expect("probe");
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL   command lua"), "{text}");
    assert!(
        text.contains("`lua` was taken from this agent by `probe fleet --quarantine`"),
        "{text}"
    );
    // Markers are not resources without a spec.
    assert!(!text.contains("no spec covers"), "{text}");
}

#[test]
fn quarantine_needs_gocds_agents_and_apply_needs_something_to_apply() {
    let s = Sandbox::new();
    s.spec("lua", "checks:\n  - env: PATH\n");
    fs::create_dir(s.path("r")).expect("dir");
    let report = s.probe(&["--resource", "lua", "-f", "json"]);
    fs::write(s.path("r/a.json"), &report.stdout).expect("report");
    let o = s.probe(&["fleet", "r", "--quarantine"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("work on GoCD's agents"),
        "{}",
        stderr(&o)
    );
    let o = s.probe(&["fleet", "r", "--apply"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--apply makes the changes that --quarantine"),
        "{}",
        stderr(&o)
    );
    let o = s.probe(&["fleet", "r", "--quarantine=everything"]);
    assert_eq!(o.status.code(), Some(2));
}
