//! `probe fleet` end to end: reports the real probe wrote, read from files
//! and from a fake GoCD server on loopback that answers in the shapes of
//! GoCD's documented API examples (pipeline history v1, stage instance v3,
//! agents v7, artifacts; docs/gocd.md, "GoCD facts").
#![cfg(unix)]

use std::fs;
use std::process::Output;
use std::time::Duration;

use crate::common::gocd::{Agent, FakeGocd, Job, Release, Run, Stage};
use crate::common::http_server::{Reply, Request, Server};
use crate::common::{json, stderr, stdout, Sandbox};
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

/// A GoCD with pipeline `agent-infrastructure`: run 42's stage `check`
/// done, with three job instances (two published a report, the third
/// none); then 22 runs whose stage is still running, one failing already,
/// so that the completed run is on the second page of history; and four
/// agents, the fourth lost.
fn standard_gocd(slow: Duration) -> FakeGocd {
    let gocd = FakeGocd::start(&[(TOKEN, true)]);
    gocd.with(|state| {
        state.download_delay = slow;
        let done = Run {
            counter: 42,
            stages: vec![Stage::new(
                "check",
                vec![
                    Job::completed(
                        "probe-runOnAll-1",
                        "uuid-1",
                        "Passed",
                        Some(agent_report("build-1", "probe-runOnAll-1", "5.4.6")),
                    ),
                    Job::completed(
                        "probe-runOnAll-2",
                        "uuid-2",
                        "Failed",
                        Some(agent_report("build-2", "probe-runOnAll-2", "5.1.5")),
                    ),
                    Job::completed("probe-runOnAll-3", "uuid-3", "Passed", None),
                ],
            )],
        };
        let mut runs = vec![done];
        for counter in 43..=64 {
            runs.push(Run {
                counter,
                stages: vec![Stage::new(
                    "check",
                    vec![
                        Job::completed("probe-runOnAll-1", "uuid-1", "Failed", None),
                        Job::running("probe-runOnAll-2", Some("uuid-2"), "Building"),
                        Job::running("probe-runOnAll-3", None, "Scheduled"),
                    ],
                )],
            });
        }
        state.pipelines.insert("agent-infrastructure".into(), runs);
        let mut lost = Agent::new("uuid-4", "build-4", &["lua"]);
        lost.state = "LostContact".into();
        lost.free_space = json!(1_000_000_000u64);
        let mut unknown = Agent::new("uuid-3", "build-3", &["lua", "gradel"]);
        unknown.free_space = json!("unknown");
        state.agents = vec![
            Agent::new("uuid-1", "build-1", &["lua"]),
            Agent::new("uuid-2", "build-2", &["lua"]),
            unknown,
            lost,
        ];
    });
    gocd
}

/// `probe fleet` against the fake server, with a token unless `token` is None.
fn fleet(gocd: &FakeGocd, token: Option<&str>, args: &[&str]) -> Output {
    fleet_at(&gocd.url(), token, args)
}

/// `probe fleet --server URL`, with a token unless `token` is None.
fn fleet_at(url: &str, token: Option<&str>, args: &[&str]) -> Output {
    let s = Sandbox::new();
    s.spec("common", "checks:\n  - env: PATH\n")
        .spec("lua", "checks:\n  - command: lua\n")
        .spec("gradle", "checks:\n  - command: gradle\n");
    let mut cmd = s.command(&["fleet", "--server", url]);
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
    assert_eq!(report["schema"], "probe-fleet/2");
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
        "/go/api/pipelines/agent-infrastructure/history?page_size=20&after=45"
    );
}

#[test]
fn downloads_run_at_most_jobs_at_once() {
    let gocd = standard_gocd(Duration::from_millis(300));
    gocd.with(|state| {
        let run = &mut state
            .pipelines
            .get_mut("agent-infrastructure")
            .expect("pipeline")[0];
        run.stages[0].jobs[2].artifacts.insert(
            "probe/probe-report.json".into(),
            agent_report("build-3", "j", "5.4.6"),
        );
        run.stages[0].jobs[1] = Job::completed(
            "probe-runOnAll-2",
            "uuid-2",
            "Passed",
            Some(agent_report("build-2", "j", "5.4.6")),
        );
    });
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
        gocd.busiest_downloads(),
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
    // Before 20.9 the stage instance API v3 is an unknown route, which
    // older servers answer with an HTML page.
    let old = standard_gocd(Duration::ZERO);
    old.with(|s| s.release = Release::Old);
    let o = fleet(&old, Some(TOKEN), &["--pipeline", "agent-infrastructure"]);
    assert!(
        stderr(&o)
            .contains("GoCD does not know the stage instance API v3 (GoCD 20.9 or later has it)"),
        "{}",
        stderr(&o)
    );

    let failing =
        Server::start(|_: &Request| Reply::json(500, "{\"error\": \"For input string: x\"}"));
    let o = fleet_at(
        &format!("{}/go", failing.url()),
        Some(TOKEN),
        &["--pipeline", "p"],
    );
    assert!(
        stderr(&o).contains(
            "GoCD failed (500); try again, or see the server's log (GoCD: For input string: x)"
        ),
        "{}",
        stderr(&o)
    );

    let slow = Server::start(|_: &Request| Reply::json(200, "{}").after(Duration::from_secs(5)));
    let o = fleet_at(
        &format!("{}/go", slow.url()),
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
    let o = fleet_at(
        &format!("{}/go", moved.url()),
        Some(TOKEN),
        &["--pipeline", "p"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("GoCD redirected to https://gocd.example.com/go/api/x: give the server's address as it is there"),
        "{}",
        stderr(&o)
    );
    assert_eq!(moved.requests().len(), 1);

    // A reply that echoes the request, cut for the message: no part of the
    // token shows.
    let echo = Server::start(|_: &Request| {
        Reply::text(
            403,
            format!("{}Authorization: Bearer {TOKEN}", "x".repeat(150)),
        )
    });
    let o = fleet_at(
        &format!("{}/go", echo.url()),
        Some(TOKEN),
        &["--pipeline", "p"],
    );
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
        text.contains("  lua: command lua (version >=5.3, <5.5): 5.4.6 on 1: a · 5.4.7 on 1: b\n"),
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
                        || ('\u{200b}'..='\u{200f}').contains(c)
                        || ('\u{202a}'..='\u{202e}').contains(c)
                        || ('\u{2066}'..='\u{2069}').contains(c)
                        || *c == '\u{feff}'
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

/// GoCD's history shows a stage whose job failed while others still run
/// as `result: Failed` with `status: Failing`; only the status says it is
/// done (StageState.completed()). A run still going is never read as a
/// finished one: its unfinished jobs are in progress, not errors.
#[test]
fn a_running_stage_is_not_a_finished_one() {
    let gocd = standard_gocd(Duration::ZERO);
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &["--pipeline", "agent-infrastructure", "-f", "json"],
    );
    assert_eq!(
        json(&o)["source"],
        "GoCD: agent-infrastructure #42, stage check #1",
        "the latest completed run, not #64 which is failing"
    );
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &[
            "--pipeline",
            "agent-infrastructure",
            "--counter",
            "64",
            "-f",
            "json",
        ],
    );
    let report = json(&o);
    let findings: Vec<(&str, bool)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["message"].as_str().unwrap_or(""), f["failing"] == true))
        .collect();
    assert!(
        findings.contains(&(
            "agent-infrastructure #64, stage check #1 is still running: the reports of \
         probe-runOnAll-2 (building), probe-runOnAll-3 (scheduled) are not in yet",
            false
        )),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .all(|(m, _)| !m.contains("probe-runOnAll-2 (") || !m.contains("published no")),
        "{findings:?}"
    );
    assert!(
        !findings
            .iter()
            .any(|(m, _)| m.starts_with("agent build-2") && m.contains("sent no report")),
        "{findings:?}"
    );
    assert!(
        findings.contains(&(
            "agent build-3 (uuid-3) has not reported yet: the stage is still running",
            false
        )),
        "{findings:?}"
    );
    // The job that did finish without a report is still an error.
    assert!(
        findings.iter().any(|(m, failing)| *failing
            && m.starts_with("agent-infrastructure #64, stage check #1 job probe-runOnAll-1 (completed, failed) published no")),
        "{findings:?}"
    );
}

/// Every request without GoCD's session cookie makes a server session,
/// and one made by a download with a token lives 14 days: one run keeps
/// one session.
#[test]
fn one_run_is_one_server_session() {
    let gocd = standard_gocd(Duration::ZERO);
    let o = fleet(&gocd, Some(TOKEN), &["--pipeline", "agent-infrastructure"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let requests = gocd.server.requests();
    assert!(requests.len() >= 5, "{requests:?}");
    assert_eq!(gocd.sessions(), 1, "{requests:?}");
    assert!(requests[1..]
        .iter()
        .all(|r| r.header("cookie") == Some("JSESSIONID=s1")));
}

#[test]
fn purged_artifacts_a_stage_that_never_ran_and_security_off_say_so() {
    let gocd = standard_gocd(Duration::ZERO);
    gocd.with(|state| {
        let runs = state
            .pipelines
            .get_mut("agent-infrastructure")
            .expect("pipeline");
        runs[0].stages[0].artifacts_deleted = true;
        let mut never = Stage::new("check", Vec::new());
        never.scheduled = false;
        runs.push(Run {
            counter: 65,
            stages: vec![never],
        });
    });
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &[
            "--pipeline",
            "agent-infrastructure",
            "--counter",
            "42",
            "-f",
            "json",
        ],
    );
    let text = stdout(&o);
    assert!(
        text.contains("job probe-runOnAll-1: the artifacts of this run were purged (GoCD's artifacts_deleted)"),
        "{text}"
    );
    let o = fleet(
        &gocd,
        Some(TOKEN),
        &["--pipeline", "agent-infrastructure", "--counter", "65"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("run 65 of pipeline `agent-infrastructure` never ran stage `check`"),
        "{}",
        stderr(&o)
    );
    gocd.with(|state| state.security = false);
    let o = fleet(&gocd, Some(TOKEN), &["--pipeline", "agent-infrastructure"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("GoCD's security is off, and it refuses credentials: unset GOCD_TOKEN"),
        "{}",
        stderr(&o)
    );
}

/// A login written into --server's URL is a credential: never shown, in
/// any form it is sent, however the URL is written.
#[test]
fn credentials_in_the_server_url_are_never_shown() {
    let password = "pw-0123456789-abcdefghij";
    let login = format!("ci:{password}");
    let encoded = {
        // base64 of the login, as the Basic header carries it.
        let o = std::process::Command::new("base64")
            .arg("-w0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(login.as_bytes())?;
                child.wait_with_output()
            })
            .expect("base64");
        String::from_utf8(o.stdout).expect("ascii")
    };
    let shown = |o: &Output| format!("{}{}", stdout(o), stderr(o));
    let leaks = |text: &str| text.contains(password) || text.contains(&encoded);
    // Written without a scheme, or half of one.
    let s = Sandbox::new();
    for server in [
        format!("{login}@127.0.0.1:1"),
        format!("//{login}@127.0.0.1:1"),
        format!("http:/{login}@127.0.0.1:1"),
    ] {
        let o = s
            .command(&["fleet", "--server", &server, "--pipeline", "p"])
            .env_remove("GOCD_TOKEN")
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2));
        assert!(!leaks(&shown(&o)), "{server}: {}", shown(&o));
    }
    // A reply that echoes the request's Basic header.
    let echo = Server::start(|r: &Request| {
        Reply::text(
            403,
            format!("denied: {}", r.header("authorization").unwrap_or("")),
        )
    });
    let url = echo
        .url()
        .replacen("http://", &format!("http://{login}@"), 1);
    let o = fleet_at(&format!("{url}/go"), None, &["--pipeline", "p"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        echo.requests()[0].header("authorization") == Some(&format!("Basic {encoded}")[..]),
        "the login is sent as Basic auth"
    );
    assert!(!leaks(&shown(&o)), "{}", shown(&o));
    // Refused: said what is wrong.
    let gocd = standard_gocd(Duration::ZERO);
    let url = gocd
        .url()
        .replacen("http://", &format!("http://{login}@"), 1);
    let o = fleet_at(&url, None, &["--pipeline", "agent-infrastructure"]);
    assert!(
        stderr(&o).contains("GoCD refused the user and password in --server's URL"),
        "{}",
        stderr(&o)
    );
    assert!(!leaks(&shown(&o)), "{}", shown(&o));
}
