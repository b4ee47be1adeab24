//! `probe fleet` end to end: reports the real probe wrote, read from files
//! and from a fake GoCD server on loopback that answers in the shapes of
//! GoCD's documented API examples (pipeline history v1, stage instance v3,
//! agents v7, artifacts; docs/gocd.md, "GoCD facts").
#![cfg(unix)]

mod common;

use std::collections::HashMap;
use std::fs;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use common::http_server::{Reply, Request, Server};
use common::{json, stderr, stdout, Sandbox};
use serde_json::{json, Value};

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

/// The JSON report the probe writes on an agent whose `lua` prints
/// `lua_version`, as host `host`, job instance `job`.
fn agent_report(host: &str, job: &str, lua_version: &str) -> Vec<u8> {
    let s = Sandbox::new();
    s.tool("lua", &format!("echo 'Lua {lua_version}  Copyright (C) 1994-2023 Lua.org'"))
        .spec("common", "checks:\n  - path_contains: /usr/bin\n")
        .spec(
            "lua",
            "checks:\n  - command: lua\n    version: '>=5.3, <5.5'\n    args: [-v]\n    hint: install lua5.4\n",
        );
    let o = s
        .command(&["--agent", "-f", "json"])
        .env("GO_AGENT_RESOURCES", "lua")
        .env("GO_PIPELINE_NAME", "agent-infrastructure")
        .env("GO_PIPELINE_COUNTER", "42")
        .env("GO_STAGE_NAME", "check")
        .env("GO_STAGE_COUNTER", "1")
        .env("GO_JOB_NAME", job)
        .output()
        .expect("run probe");
    let mut report = json(&o);
    // Three machines: the host name is what tells them apart.
    report["host"]["hostname"] = json!(host);
    serde_json::to_vec_pretty(&report).expect("JSON")
}

fn pipeline_run(counter: u64, stage_status: &str) -> Value {
    json!({
        "name": "agent-infrastructure",
        "counter": counter,
        "label": counter.to_string(),
        "natural_order": counter as f64,
        "can_run": true,
        "preparing_to_schedule": false,
        "comment": null,
        "scheduled_date": 1764547200000u64,
        "build_cause": {
            "trigger_message": "Timer",
            "trigger_forced": false,
            "approver": "",
            "material_revisions": []
        },
        "stages": [{
            "result": stage_status,
            "status": stage_status,
            "rerun_of_counter": null,
            "name": "check",
            "counter": "1",
            "scheduled": true,
            "approval_type": "success",
            "approved_by": "timer",
            "operate_permission": true,
            "can_run": true,
            "jobs": []
        }]
    })
}

fn stage_job(name: &str, uuid: &str) -> Value {
    json!({
        "name": name,
        "state": "Completed",
        "result": "Passed",
        "scheduled_date": 1764547200000u64,
        "rerun": false,
        "original_job_id": null,
        "agent_uuid": uuid,
        "pipeline_name": null,
        "pipeline_counter": null,
        "stage_name": null,
        "stage_counter": null,
        "job_state_transitions": [{"state": "Completed", "state_change_time": 1764547260000u64}]
    })
}

fn agent(uuid: &str, host: &str, state: &str, resources: &[&str], free: Value) -> Value {
    json!({
        "_links": {"self": {"href": format!("http://gocd/go/api/agents/{uuid}")}},
        "uuid": uuid,
        "hostname": host,
        "ip_address": "10.0.0.1",
        "sandbox": "/go",
        "operating_system": "Debian GNU/Linux",
        "free_space": free,
        "agent_config_state": "Enabled",
        "agent_state": state,
        "agent_version": "26.1.0",
        "agent_bootstrapper_version": "26.1.0",
        "resources": resources,
        "environments": [],
        "build_state": "Idle"
    })
}

/// A GoCD with pipeline `agent-infrastructure`: run 43 still building, run
/// 42 (its stage `check`, run 1) done, with three job instances: two
/// published a report, the third none; and four agents, the fourth lost.
struct FakeGocd {
    server: Server,
}

impl FakeGocd {
    fn start(reports: HashMap<String, Vec<u8>>, slow: Duration) -> FakeGocd {
        let reports = Arc::new(reports);
        let server = Server::start(move |r: &Request| {
            let bearer = format!("bearer {TOKEN}");
            match r.header("authorization") {
                None => {
                    return Reply::json(401, "{\n  \"message\": \"You are not authenticated!\"\n}")
                }
                Some(a) if !a.eq_ignore_ascii_case(&bearer) => {
                    return Reply::json(
                        401,
                        "{\n  \"message\": \"Invalid Personal Access Token.\"\n}",
                    )
                }
                _ => {}
            }
            let accept = r.header("accept").unwrap_or_default().to_string();
            let wants = |v: &str| accept == format!("application/vnd.go.cd.{v}+json");
            let incorrect = || {
                Reply::text(
                    404,
                    "The url you are trying to reach appears to be incorrect.\n",
                )
            };
            let path = r.path();
            if let Some(rest) = path.strip_prefix("/go/api/pipelines/") {
                if !wants("v1") {
                    return incorrect();
                }
                let (name, what) = rest.split_once('/').unwrap_or((rest, ""));
                if name != "agent-infrastructure" {
                    return Reply::json(
                        404,
                        format!("{{\"message\": \"Pipeline with name '{name}' was not found!\"}}"),
                    );
                }
                // One run: GET /go/api/pipelines/:name/:counter.
                if let Ok(counter) = what.parse::<u64>() {
                    return match counter {
                        42 => Reply::json(200, pipeline_run(42, "Failed").to_string()),
                        _ => Reply::json(
                            404,
                            format!("{{\"message\": \"Pipeline '{name}' with counter '{counter}' was not found!\"}}"),
                        ),
                    };
                }
                // Page 1: the run still building; page 2 (after=): the done one.
                let body = if r.target.contains("after=") {
                    json!({"pipelines": [pipeline_run(42, "Failed")]})
                } else {
                    json!({
                        // GoCD's links are absolute, built from the request's host.
                        // As GoCD behind a proxy names itself: not where
                        // the probe may send its token.
                        "_links": {"next": {"href": "http://gocd.internal:8153/go/api/pipelines/agent-infrastructure/history?after=1042"}},
                        "pipelines": [pipeline_run(43, "Building")]
                    })
                };
                return Reply::json(200, body.to_string());
            }
            if path == "/go/api/stages/agent-infrastructure/42/check/1" {
                if !wants("v3") {
                    return incorrect();
                }
                let body = json!({
                    "name": "check", "counter": 1, "approval_type": "success", "approved_by": "timer",
                    "scheduled_at": 1764547200000u64, "result": "Failed", "rerun_of_counter": null,
                    "fetch_materials": true, "clean_working_directory": true, "artifacts_deleted": false,
                    "pipeline_name": "agent-infrastructure", "pipeline_counter": 42,
                    "jobs": [stage_job("probe-runOnAll-1", "uuid-1"), stage_job("probe-runOnAll-2", "uuid-2"), stage_job("probe-runOnAll-3", "uuid-3")]
                });
                return Reply::json(200, body.to_string());
            }
            if path == "/go/api/agents" {
                if !wants("v7") {
                    return incorrect();
                }
                let body = json!({
                    "_links": {"self": {"href": "http://gocd/go/api/agents"}},
                    "_embedded": {"agents": [
                        agent("uuid-1", "build-1", "Idle", &["lua"], json!(80_000_000_000u64)),
                        agent("uuid-2", "build-2", "Idle", &["lua"], json!(80_000_000_000u64)),
                        agent("uuid-3", "build-3", "Idle", &["lua", "gradel"], json!("unknown")),
                        agent("uuid-4", "build-4", "LostContact", &["lua"], json!(1_000_000_000u64)),
                    ]}
                });
                return Reply::json(200, body.to_string());
            }
            if let Some(rest) = path.strip_prefix("/go/files/agent-infrastructure/42/check/1/") {
                let (job, file) = rest.split_once('/').unwrap_or((rest, ""));
                return match reports.get(job).filter(|_| file == "probe/probe-report.json") {
                    Some(report) => Reply::json(200, String::from_utf8_lossy(report).into_owned()).after(slow),
                    None => Reply::text(
                        404,
                        format!("Artifact '{file}' is unavailable as it may have been purged by Go or deleted externally."),
                    ),
                };
            }
            Reply::text(
                404,
                "The url you are trying to reach appears to be incorrect.\n",
            )
        });
        FakeGocd { server }
    }

    fn url(&self) -> String {
        format!("{}/go", self.server.url())
    }
}

fn standard_gocd(slow: Duration) -> FakeGocd {
    FakeGocd::start(
        HashMap::from([
            (
                "probe-runOnAll-1".to_string(),
                agent_report("build-1", "probe-runOnAll-1", "5.4.6"),
            ),
            (
                "probe-runOnAll-2".to_string(),
                agent_report("build-2", "probe-runOnAll-2", "5.1.5"),
            ),
        ]),
        slow,
    )
}

/// `probe fleet` against the fake server, with a token unless `token` is None.
fn fleet(gocd: &FakeGocd, token: Option<&str>, args: &[&str]) -> Output {
    let s = Sandbox::new();
    s.spec("common", "checks:\n  - env: PATH\n")
        .spec("lua", "checks:\n  - command: lua\n")
        .spec("gradle", "checks:\n  - command: gradle\n");
    let mut cmd = s.command(&["fleet", "--server", &gocd.url()]);
    cmd.args(args)
        .env_remove("GOCD_TOKEN")
        .env_remove("GO_SERVER_URL");
    if let Some(token) = token {
        cmd.env("GOCD_TOKEN", token);
    }
    cmd.output().expect("run probe fleet")
}

#[test]
fn from_gocd_the_broken_agent_the_missing_report_and_the_lost_agent_are_named() {
    let gocd = standard_gocd(Duration::ZERO);
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &["--pipeline", "agent-infrastructure", "-f", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["schema"], "probe-fleet/1");
    assert_eq!(
        report["source"],
        "GoCD: agent-infrastructure #42, stage check #1"
    );
    let agents: Vec<&str> = report["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(agents, ["build-1", "build-2"]);
    assert_eq!(report["agents"][1]["ok"], false);
    assert_eq!(report["agents"][1]["gocd_state"], "Enabled, Idle");
    let lua = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "lua/command:lua")
        .expect("lua");
    assert_eq!(lua["failing_on"], json!(["build-2"]));
    assert_eq!(
        lua["values"],
        json!([{"value": "5.1.5", "agents": 1}, {"value": "5.4.6", "agents": 1}])
    );
    assert_eq!(lua["results"]["build-2"]["hint"], "install lua5.4");
    let findings: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        findings,
        [
            "agent-infrastructure #42, stage check #1 job probe-runOnAll-3 (completed, passed) published no probe/probe-report.json: did it run `probe --agent --report json=probe-report.json` and publish it?",
            "resource `gradel` is advertised by build-3 but no spec covers it (did you mean `gradle`?)",
            "no enabled agent advertises `gradle`: GoCD refuses to trigger a run-on-all job that asks for it (\"Could not find matching agents\")",
            "agent build-3 (uuid-3) sent no report; GoCD says it is idle",
            "agent build-4 (uuid-4) sent no report; GoCD says it is lost (it lost contact with the server)",
            "agent build-4 has 953.7 MiB free in its working directory (GoCD's free_space), less than 5.0 GiB",
        ]
    );
    // The API versions GoCD's docs give, and the token as a bearer.
    let requests = gocd.server.requests();
    let accept_of = |prefix: &str| {
        requests
            .iter()
            .find(|r| r.path().starts_with(prefix))
            .and_then(|r| r.header("accept"))
            .map(String::from)
    };
    assert_eq!(
        accept_of("/go/api/pipelines/").as_deref(),
        Some("application/vnd.go.cd.v1+json")
    );
    assert_eq!(
        accept_of("/go/api/stages/").as_deref(),
        Some("application/vnd.go.cd.v3+json")
    );
    assert_eq!(
        accept_of("/go/api/agents").as_deref(),
        Some("application/vnd.go.cd.v7+json")
    );
    assert!(requests
        .iter()
        .all(|r| r.header("authorization") == Some(&format!("bearer {TOKEN}")[..])));
    // No output ever holds the token.
    assert!(!stdout(&o).contains(TOKEN) && !stderr(&o).contains(TOKEN));
}

#[test]
fn the_latest_completed_run_is_found_on_the_next_page_of_history() {
    let gocd = standard_gocd(Duration::ZERO);
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &[
            "--pipeline",
            "agent-infrastructure",
            "-f",
            "json",
            "--no-agents",
        ],
    );
    assert_eq!(
        json(&o)["source"],
        "GoCD: agent-infrastructure #42, stage check #1"
    );
    let history: Vec<String> = gocd
        .server
        .requests()
        .iter()
        .filter(|r| r.path().ends_with("/history"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(
        history[1],
        "/go/api/pipelines/agent-infrastructure/history?page_size=20&after=1042"
    );
}

#[test]
fn downloads_run_at_most_jobs_at_once() {
    let reports: HashMap<String, Vec<u8>> = (1..=3)
        .map(|i| {
            (
                format!("probe-runOnAll-{i}"),
                agent_report(&format!("build-{i}"), "j", "5.4.6"),
            )
        })
        .collect();
    let gocd = FakeGocd::start(reports, Duration::from_millis(300));
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &[
            "--pipeline",
            "agent-infrastructure",
            "--counter",
            "42",
            "--jobs",
            "2",
            "--no-agents",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        gocd.server.busiest(),
        2,
        "at most --jobs 2 downloads at once, and they do overlap"
    );
}

#[test]
fn every_failure_names_the_url_and_what_to_fix() {
    let gocd = standard_gocd(Duration::ZERO);
    let cases: &[(Option<&str>, &[&str], &str)] = &[
        (
            None,
            &["--pipeline", "agent-infrastructure"],
            "GoCD wants credentials: set GOCD_TOKEN",
        ),
        (
            Some("wrong-token"),
            &["--pipeline", "agent-infrastructure"],
            "GoCD refused the credentials: check GOCD_TOKEN",
        ),
        (
            Some(TOKEN),
            &["--pipeline", "agent-infra"],
            "(GoCD: Pipeline with name 'agent-infra' was not found!)",
        ),
        (
            Some(TOKEN),
            &["--pipeline", "agent-infrastructure", "--counter", "7"],
            "was not found",
        ),
        (
            Some(TOKEN),
            &[],
            "name the pipeline(s) whose reports to fetch with --pipeline",
        ),
    ];
    for (token, args, wanted) in cases {
        let o = fleet(&gocd, *token, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(wanted),
            "{args:?}: expected {wanted:?} in:\n{err}"
        );
        if !args.is_empty() {
            assert!(
                err.contains(&gocd.url()),
                "{args:?}: the URL is named:\n{err}"
            );
        }
        assert!(
            !err.contains("wrong-token"),
            "the token is never shown: {err}"
        );
    }
}

#[test]
fn an_old_gocd_a_failing_gocd_and_a_slow_one_say_so() {
    let old = Server::start(|_: &Request| {
        Reply::text(
            404,
            "The url you are trying to reach appears to be incorrect.\n",
        )
    });
    let gocd = FakeGocd { server: old };
    let o = fleet(&gocd, Some(TOKEN), &["--pipeline", "p"]);
    assert!(
        stderr(&o).contains("probe fleet needs GoCD 20.9 or later"),
        "{}",
        stderr(&o)
    );

    let failing =
        Server::start(|_: &Request| Reply::json(500, "{\"error\": \"For input string: x\"}"));
    let gocd = FakeGocd { server: failing };
    let o = fleet(&gocd, Some(TOKEN), &["--pipeline", "p"]);
    assert!(
        stderr(&o).contains(
            "GoCD failed (500); try again, or see the server's log (GoCD: For input string: x)"
        ),
        "{}",
        stderr(&o)
    );

    let slow = Server::start(|_: &Request| Reply::json(200, "{}").after(Duration::from_secs(5)));
    let gocd = FakeGocd { server: slow };
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &["--pipeline", "p", "--timeout", "500ms"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no answer in time"), "{}", stderr(&o));

    // Redirected (http to https, a new name): said, not followed, so the
    // token does not go elsewhere or get dropped on the way.
    let moved = Server::start(|_: &Request| {
        Reply::text(301, "").header("Location", "https://gocd.example.com/go/api/x")
    });
    let gocd = FakeGocd { server: moved };
    let o = fleet(&gocd, Some(TOKEN), &["--pipeline", "p"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("GoCD redirected to https://gocd.example.com/go/api/x: give the server's address as it is there"),
        "{}",
        stderr(&o)
    );
    assert_eq!(gocd.server.requests().len(), 1);

    // A reply that echoes the request, cut for the message: no part of the
    // token shows.
    let echo = Server::start(|_: &Request| {
        Reply::text(
            403,
            format!("{}Authorization: Bearer {TOKEN}", "x".repeat(150)),
        )
    });
    let gocd = FakeGocd { server: echo };
    let o = fleet(&gocd, Some(TOKEN), &["--pipeline", "p"]);
    assert!(!stderr(&o).contains(&TOKEN[..6]), "{}", stderr(&o));

    let nothing = "http://127.0.0.1:1/go";
    let s = Sandbox::new();
    let o = s
        .command(&["fleet", "--server", nothing, "--pipeline", "p"])
        .output()
        .expect("run");
    assert!(stderr(&o).contains("http://127.0.0.1:1/go/api/pipelines/p/history?page_size=20: the connection was refused"), "{}", stderr(&o));
}

#[test]
fn from_files_directories_and_globs() {
    let s = Sandbox::new();
    for (host, version) in [("a", "5.4.6"), ("b", "5.4.7"), ("c", "5.4.6")] {
        let dir = s.path(&format!("reports/{host}"));
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(
            dir.join("probe-report.json"),
            agent_report(host, &format!("probe-runOnAll-{host}"), version),
        )
        .expect("write");
    }
    fs::write(s.path("reports/notes.json"), "{\"not\": \"a report\"}").expect("write");
    let o = s.probe(&["fleet", "reports", "-f", "json", "--fail-on-drift"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "drift fails with --fail-on-drift: {}",
        stderr(&o)
    );
    let report = json(&o);
    assert_eq!(report["summary"]["agents"], 3);
    assert_eq!(report["summary"]["checks_drifting"], 1);
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("skipped reports/notes.json: not a probe report")),
        "{report}"
    );
    let o = s.probe(&["fleet", "reports/[ab]/probe-report.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(
            "DRIFT  command lua (version >=5.3, <5.5)  passes on 2 agents\n           found: 5.4.6 on 1, 5.4.7 on 1"
        ),
        "{text}"
    );
    let o = s.probe(&["fleet", "reports/notes.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("reports/notes.json: not a probe report"),
        "{}",
        stderr(&o)
    );
    let o = s.probe(&["fleet", "reports/*/nothing.json"]);
    assert!(
        stderr(&o).contains("reports/*/nothing.json: no file matches"),
        "{}",
        stderr(&o)
    );
    // A link back up is not followed: each report is read once.
    std::os::unix::fs::symlink("..", s.path("reports/a/up")).expect("symlink");
    let o = s.probe(&["fleet", "reports", "-f", "json"]);
    assert_eq!(json(&o)["summary"]["agents"], 3, "{}", stderr(&o));
    // A directory with no report in it, or a published report cut short:
    // nothing to show is an error, not a pass.
    fs::create_dir_all(s.path("empty")).expect("mkdir");
    fs::write(s.path("empty/notes.json"), "{\"x\": 1}").expect("write");
    let o = s.probe(&["fleet", "empty"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no probe report could be read from empty"),
        "{}",
        stderr(&o)
    );
    fs::write(
        s.path("reports/c/probe-report.json"),
        "{\"schema\": \"probe-rep",
    )
    .expect("write");
    let o = s.probe(&["fleet", "reports"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("reports/c/probe-report.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn every_format_and_report_files_from_one_run() {
    let s = Sandbox::new();
    fs::create_dir_all(s.path("r")).expect("mkdir");
    fs::write(s.path("r/a.json"), agent_report("a", "j1", "5.4.6")).expect("write");
    fs::write(s.path("r/b.json"), agent_report("b", "j2", "5.1.5")).expect("write");
    let o = s.probe(&[
        "fleet",
        "r",
        "--report",
        "html=out/fleet.html",
        "--report",
        "junit=out/fleet.xml",
        "--report",
        "json=out/fleet.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let html = fs::read_to_string(s.path("out/fleet.html")).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script"));
    let xml = fs::read(s.path("out/fleet.xml")).expect("junit");
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml)).expect("JUnit parses");
    let failures: usize = suites.suites.iter().map(|s| s.failures as usize).sum();
    assert_eq!(failures, 1);
    let value: Value =
        serde_json::from_slice(&fs::read(s.path("out/fleet.json")).expect("json")).expect("JSON");
    assert_eq!(value["summary"]["agents_failed"], 1);
}

/// What drives a terminal or hides text: a screen clear, a clipboard write
/// (OSC 52), a bell, a C1 CSI, a bidi override, a zero-width space.
const POISON: &str = "\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}1m\u{202e}\u{200b}";

/// Every string of a JSON value with `POISON` added, but those the fleet
/// must read as they are (the schema, statuses, times).
fn poisoned(value: &mut Value, key: &str) {
    match value {
        Value::String(s) if !matches!(key, "schema" | "status" | "started_at") => {
            s.push_str(POISON);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| poisoned(v, key)),
        Value::Object(map) => map.iter_mut().for_each(|(k, v)| poisoned(v, k)),
        _ => {}
    }
}

/// An agent writes its report; every field of it reaches the terminal or
/// the page as text to read, never as an instruction to the terminal.
#[test]
fn nothing_a_report_holds_reaches_a_terminal_or_a_page_raw() {
    let s = Sandbox::new();
    fs::create_dir_all(s.path("r")).expect("mkdir");
    for (host, job, version) in [
        ("a", "j1", "5.1.5"),
        ("b", "j2", "5.4.6"),
        ("c", "j3", "5.4.7"),
    ] {
        let mut report: Value =
            serde_json::from_slice(&agent_report(host, job, version)).expect("JSON");
        report["suggest"] = json!({"passes": ["java"], "fails": []});
        report["notices"] = json!([{"message": "notice", "failing": false}]);
        poisoned(&mut report, "");
        fs::write(s.path(&format!("r/{host}.json")), report.to_string()).expect("write");
    }
    for format in ["human", "html", "junit"] {
        let o = s.probe(&["fleet", "r", "--all", "-f", format]);
        for (stream, text) in [("stdout", stdout(&o)), ("stderr", stderr(&o))] {
            let raw: Vec<char> = text
                .chars()
                .filter(|c| {
                    (c.is_control() && !matches!(c, '\n' | '\t'))
                        || ('\u{200b}'..='\u{202e}').contains(c)
                })
                .collect();
            assert!(raw.is_empty(), "{format} {stream} holds {raw:?}:\n{text}");
        }
        assert!(
            stdout(&o).contains("\\u{202e}"),
            "{format}: shown, not dropped"
        );
    }
}

/// A FIFO no process writes to, among the reports or named, never hangs
/// the fleet.
#[test]
fn a_fifo_is_skipped_in_a_directory_and_read_with_a_timeout_when_named() {
    let s = Sandbox::new();
    fs::create_dir_all(s.path("r")).expect("mkdir");
    fs::write(s.path("r/a.json"), agent_report("a", "j1", "5.4.6")).expect("write");
    let made = std::process::Command::new("mkfifo")
        .arg(s.path("r/x.json"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let started = std::time::Instant::now();
    let o = s.probe(&["fleet", "r", "-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("skipped r/x.json: not a regular file")),
        "{report}"
    );
    let o = s.probe(&["fleet", "r/*.json", "-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = s.probe(&["fleet", "r/x.json", "--timeout", "1s"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("r/x.json: nothing to read within 1.000s"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
}
