//! End-to-end runs of the real binary on fake tools in a temporary PATH.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{check, json, stderr, stdout, Sandbox};

/// Whether process `pid` is gone (or a zombie nobody reaps) within 5 s:
/// the kill is asynchronous to the reaping.
fn gone_soon(pid: &str) -> bool {
    let stat = PathBuf::from(format!("/proc/{pid}/stat"));
    (0..50).any(|_| {
        let alive = fs::read_to_string(&stat)
            .map(|stat| !stat.contains(") Z "))
            .unwrap_or(false);
        if alive {
            std::thread::sleep(Duration::from_millis(100));
        }
        !alive
    })
}

#[test]
fn a_passing_spec_exits_0_and_reports_every_check() {
    let s = Sandbox::new();
    s.tool("lua", "echo 'Lua 5.4.6  Copyright (C) 1994-2023 Lua.org, PUC-Rio'")
        .tool("busted", "echo 2.2.0")
        .spec(
            "lua",
            "description: Lua toolchain\nchecks:\n  - command: lua\n    version: '>=5.3, <5.5'\n    args: [-v]\n  - command: busted\n  - absent: python2\n",
        );
    let o = s.probe(&["--resource", "lua"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("PASS   command lua     lua 5.4.6"), "{out}");
    assert!(out.contains("PASSED  all 3 checks passed"), "{out}");
}

#[test]
fn resource_names_match_case_insensitively() {
    let s = Sandbox::new();
    s.tool("lua", "echo 5.4.0")
        .spec("lua", "checks:\n  - command: lua\n");
    assert_eq!(s.probe(&["-r", "LUA"]).status.code(), Some(0));
}

#[test]
fn failures_exit_1_and_name_expected_found_where_and_hint() {
    let s = Sandbox::new();
    s.tool("python2", "echo 'Python 2.7.18'")
        .tool("lua", "echo 'Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio'")
        .spec(
            "lua",
            "checks:\n  - command: lua\n    version: '>=5.3, <5.5'\n    args: [-v]\n  - absent: python2\n    hint: python2 is end-of-life; remove it from the agent image\n",
        );
    let o = s.probe(&["-r", "lua"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let bin = s.path("bin").display().to_string();
    for needle in [
        "FAIL   command lua     lua 5.1.5 is not in >=5.3, <5.5".to_string(),
        "expected: `lua` on PATH, version >=5.3, <5.5".to_string(),
        "found:    5.1.5".to_string(),
        format!("where:    {bin}/lua"),
        "output:   Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio".to_string(),
        format!("FAIL   absent python2  `python2` is on PATH at {bin}/python2"),
        "hint:     python2 is end-of-life; remove it from the agent image".to_string(),
        "FAILED  2 of 2 checks failed".to_string(),
    ] {
        assert!(out.contains(&needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn a_version_printed_on_stderr_is_read() {
    let s = Sandbox::new();
    s.tool(
        "java",
        "echo 'openjdk version \"17.0.8.1\" 2023-08-24' >&2\necho 'OpenJDK Runtime Environment Temurin-17.0.8.1+1' >&2",
    )
    .spec("java", "checks:\n  - command: java\n    version: '>=17, <18'\n    args: [-version]\n");
    let o = s.probe(&["-r", "java", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(check(&json(&o), "java/command:java")["actual"], "17.0.8.1");
}

#[test]
fn a_shim_that_exits_127_is_found_but_does_not_run() {
    let s = Sandbox::new();
    s.tool(
        "python2",
        "echo \"pyenv: python2: command not found\" >&2\nexit 127",
    )
    .spec(
        "py",
        "checks:\n  - command: python2\n    version: '>=2.7'\n",
    );
    let o = s.probe(&["-r", "py", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let c = check(&json(&o), "py/command:python2").clone();
    assert_eq!(c["status"], "fail");
    assert_eq!(
        c["message"],
        "`python2` is found but does not run: `python2 --version` exited with 127"
    );
    assert_eq!(c["output"], "pyenv: python2: command not found");
}

#[test]
fn a_file_that_is_not_executable_is_found_but_does_not_run() {
    let s = Sandbox::new();
    let path = s.path("bin/gradle-probe-test");
    fs::write(&path, "#!/bin/sh\necho 8.5\n").expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    s.spec("g", "checks:\n  - command: gradle-probe-test\n");
    let o = s.probe(&["-r", "g", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let c = check(&json(&o), "g/command:gradle-probe-test").clone();
    assert_eq!(
        c["message"],
        format!(
            "`gradle-probe-test` is found but does not run: {} is not executable",
            path.display()
        )
    );
}

#[test]
fn a_hanging_tool_and_the_child_it_left_are_killed_at_the_timeout() {
    let s = Sandbox::new();
    let pidfile = s.path("child.pid");
    s.tool(
        "hang",
        &format!("sleep 300 &\necho $! > {}\nsleep 300", pidfile.display()),
    )
    .spec(
        "h",
        // Room for a loaded CI machine to start the tool and let it write the
        // pid file; still far below `sleep 300`.
        "checks:\n  - command: hang\n    version: '>=1'\n    timeout: 2s\n",
    );
    let started = Instant::now();
    let o = s.probe(&["-r", "h", "-f", "json"]);
    // Generous: the point is that it does not wait for `sleep 300`.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(1));
    let c = check(&json(&o), "h/command:hang").clone();
    let message = c["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("`hang --version` timed out after"),
        "{message}"
    );
    let pid = fs::read_to_string(&pidfile).expect("the tool wrote its child's pid");
    let gone = gone_soon(pid.trim());
    assert!(gone, "the child {} outlived the probe", pid.trim());
}

#[test]
fn ten_megabytes_of_output_are_capped_not_fatal() {
    let s = Sandbox::new();
    s.tool(
        "chatty",
        "echo 'chatty 1.2.3'\nhead -c 10485760 /dev/zero | tr '\\0' 'x'\necho",
    )
    .spec("c", "checks:\n  - command: chatty\n    version: '^1.2'\n");
    let o = s.probe(&["-r", "c", "-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let c = check(&report, "c/command:chatty");
    assert_eq!(c["actual"], "1.2.3");
    // The report stays small: the output excerpt is cut.
    assert!(
        o.stdout.len() < 64 * 1024,
        "report is {} bytes",
        o.stdout.len()
    );
}

#[test]
fn invalid_utf8_output_is_handled() {
    let s = Sandbox::new();
    s.tool("weird", "printf 'weird \\377\\376 2.0.1\\n'").spec(
        "w",
        "checks:\n  - command: weird\n    version: '>=2'\n  - run: [weird]\n    stdout: 'weird'\n",
    );
    let o = s.probe(&["-r", "w", "-f", "json", "--report", "junit=out/junit.xml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(check(&json(&o), "w/command:weird")["actual"], "2.0.1");
    let xml = fs::read(s.path("out/junit.xml")).expect("junit written");
    junit_parser::from_reader(std::io::Cursor::new(xml)).expect("JUnit parses");
}

#[test]
fn reports_are_written_in_every_format_from_one_run() {
    let s = Sandbox::new();
    s.tool("lua", "echo 5.4.6").spec(
        "lua",
        "checks:\n  - command: lua\n    version: '>=5.3'\n  - absent: lua\n    hint: 'remove <lua> & \"friends\"'\n",
    );
    let o = s.probe(&[
        "-r",
        "lua",
        "--report",
        "junit=out/junit.xml",
        "--report",
        "json=out/probe.json",
        "--report",
        "human=out/probe.txt",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(s.path("out/probe.json")).expect("json written"))
            .expect("json");
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["passed"], 1);
    let xml = fs::read(s.path("out/junit.xml")).expect("junit written");
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml)).expect("JUnit parses");
    assert_eq!(suites.suites[0].name, "lua");
    assert_eq!(suites.suites[0].failures, 1);
    let text = fs::read_to_string(s.path("out/probe.txt")).expect("human written");
    assert!(text.contains("FAIL   absent lua"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour in files");
}

#[test]
fn two_reports_to_one_file_however_spelt_are_a_usage_error() {
    let s = Sandbox::new();
    s.spec("base", "checks:\n  - env: HOME\n");
    fs::create_dir_all(s.path("out")).expect("mkdir");
    std::os::unix::fs::symlink("probe.json", s.path("out/link.json")).expect("symlink");
    for other in ["out/./probe.json", "out/link.json"] {
        let o = s.probe(&[
            "-r",
            "base",
            "--report",
            "json=out/probe.json",
            "--report",
            &format!("junit={other}"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{other}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("write to the same file"),
            "{other}: {}",
            stderr(&o)
        );
        assert!(!s.path("out/probe.json").exists());
    }
}

#[test]
fn spec_errors_exit_2_listing_every_problem_with_positions() {
    let s = Sandbox::new();
    s.spec(
        "lua",
        "checks:\n  - comand: lua\n  - command: lua\n    version: '>=three'\n",
    )
    .spec(
        "java",
        "checks:\n  - env: JAVA_HOME\n    matches: '(unclosed'\n",
    );
    let o = s.probe(&["-r", "lua"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty(),
        "nothing is run or reported: {}",
        stdout(&o)
    );
    let err = stderr(&o);
    for needle in [
        "probes/java.yaml:3:14: error: `(unclosed` is not a valid regular expression",
        "probes/lua.yaml:2:5: error: this check has no kind (did you mean `command`?)",
        "probes/lua.yaml:4:14: error: `three` is not a version",
        "3 errors in the probe specs; nothing was run",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn an_unknown_resource_exits_2_and_lists_the_known_ones() {
    let s = Sandbox::new();
    s.spec("lua", "checks:\n  - absent: x\n")
        .spec("java", "checks:\n  - absent: y\n");
    let o = s.probe(&["-r", "lau"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: no spec for resource `lau` (did you mean `lua`?); known resources: java, lua"
    );
}

#[test]
fn nothing_selected_exits_2() {
    let s = Sandbox::new();
    s.spec("lua", "checks:\n  - absent: x\n")
        .spec("empty", "description: nothing yet\nchecks: []\n");
    let o = s.probe(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing to check"), "{}", stderr(&o));
    let o = s.probe(&["-r", "empty"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: the selected resources (empty) have no checks"
    );
}

#[test]
fn common_checks_run_first_and_requires_pull_in_other_specs() {
    let s = Sandbox::new();
    s.tool("git", "echo 'git version 2.47.3'")
        .spec("common", "checks:\n  - command: git\n")
        .spec("linux", "checks:\n  - absent: nonexistent-tool\n")
        .spec("lua", "requires: [linux]\nchecks:\n  - absent: python2\n");
    let o = s.probe(&["-r", "lua", "-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report = json(&o);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "common/command:git",
            "linux/absent:nonexistent-tool",
            "lua/absent:python2"
        ]
    );
    let o = s.probe(&["-r", "lua", "--no-common", "-f", "json"]);
    assert_eq!(json(&o)["checks"].as_array().map(Vec::len), Some(2));
}

#[test]
fn results_are_identical_from_run_to_run() {
    let s = Sandbox::new();
    let mut yaml = String::from("checks:\n");
    for i in 0..20 {
        s.tool(&format!("t{i}"), &format!("sleep 0.0{}\necho {i}.0", i % 7));
        yaml.push_str(&format!("  - command: t{i}\n    version: '>=0'\n"));
    }
    s.spec("many", &yaml);
    let strip = |o: &Output| {
        stdout(o)
            .lines()
            .filter(|l| !l.starts_with("PASSED"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let first = strip(&s.probe(&["-r", "many"]));
    for _ in 0..3 {
        assert_eq!(strip(&s.probe(&["-r", "many"])), first);
    }
}

#[test]
fn quiet_shows_only_failures() {
    let s = Sandbox::new();
    s.tool("lua", "echo 5.4")
        .spec("lua", "checks:\n  - command: lua\n  - absent: lua\n");
    let out = stdout(&s.probe(&["-r", "lua", "-q"]));
    assert!(!out.contains("PASS "), "{out}");
    assert!(out.contains("FAIL   absent lua"), "{out}");
}

#[test]
fn lint_list_and_schema() {
    let s = Sandbox::new();
    s.spec(
        "lua",
        "description: Lua\nchecks:\n  - command: lua\n    version: '>=5.3'\n  - absent: python2\n",
    );
    let o = s.probe(&["lint"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "ok: 1 resource, 2 checks in probes\n");
    let o = s.probe(&["list"]);
    assert_eq!(
        stdout(&o),
        "lua - Lua\n    command lua (version >=5.3)\n    absent python2\n"
    );
    let o = s.probe(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    assert!(schema.is_object());
    s.spec("bad", "checks: nope\n");
    assert_eq!(s.probe(&["lint"]).status.code(), Some(2));
}

#[test]
fn probes_location_comes_from_flag_then_env_then_cwd() {
    let s = Sandbox::new();
    s.spec("lua", "checks:\n  - absent: x\n");
    let elsewhere = s.path("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    fs::write(elsewhere.join("other.yaml"), "checks:\n  - absent: y\n").expect("write");
    let run = |args: &[&str], env: Option<&Path>| {
        let mut cmd = s.command(args);
        if let Some(p) = env {
            cmd.env("PROBE_PATH", p);
        }
        cmd.output().expect("run")
    };
    assert_eq!(run(&["list"], None).stdout, b"lua\n    absent x\n");
    assert_eq!(
        run(&["list"], Some(&elsewhere)).stdout,
        b"other\n    absent y\n"
    );
    let flag = elsewhere.join("other.yaml");
    let flag = flag.to_str().expect("utf-8 path");
    assert_eq!(
        run(&["list", "--probes", flag], None).stdout,
        b"other\n    absent y\n"
    );
}

#[test]
fn usage_errors_exit_2_and_help_explains() {
    let s = Sandbox::new();
    assert_eq!(s.probe(&["--no-such-flag"]).status.code(), Some(2));
    let help = s.probe(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    assert!(
        text.contains("Exit status: 0 all checks passed, 1 a check failed, 2 usage or spec error"),
        "{text}"
    );
    assert!(text.contains("--report <FORMAT=PATH>"), "{text}");
}

/// A GoCD job's environment (docs/gocd.md, "What a job can see").
fn in_gocd_job(cmd: &mut Command, resources: Option<&str>) {
    cmd.env("GO_PIPELINE_NAME", "agent-infrastructure")
        .env("GO_PIPELINE_COUNTER", "42")
        .env("GO_STAGE_NAME", "check")
        .env("GO_STAGE_COUNTER", "1")
        .env("GO_JOB_NAME", "probe-runOnAll-3")
        .env_remove("GO_AGENT_RESOURCES");
    if let Some(r) = resources {
        cmd.env("GO_AGENT_RESOURCES", r);
    }
}

trait InAgent {
    fn agent(&self, resources: Option<&str>, args: &[&str]) -> Output;
    fn agent_specs(&self) -> &Self;
}

impl InAgent for Sandbox {
    fn agent(&self, resources: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = self.command(&[&["--agent"], args].concat());
        in_gocd_job(&mut cmd, resources);
        cmd.output().expect("run probe")
    }

    fn agent_specs(&self) -> &Self {
        self.tool("lua", "echo 5.4.6")
            .spec("common", "checks:\n  - env: PATH\n")
            .spec("lua", "checks:\n  - command: lua\n    version: '>=5.3'\n")
            .spec("java", "checks:\n  - command: no-such-java\n")
    }
}

#[test]
fn agent_mode_checks_exactly_the_advertised_resources() {
    let s = Sandbox::new();
    s.agent_specs();
    // GoCD keeps the case the admin typed; matching ignores it.
    let o = s.agent(Some("LUA"), &["-f", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report = json(&o);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["common/env:PATH", "lua/command:lua"]);
    assert_eq!(report["agent"]["job_name"], "probe-runOnAll-3");
    assert_eq!(report["agent"]["resources"], serde_json::json!(["LUA"]));
}

#[test]
fn an_advertised_resource_without_a_spec_warns_or_with_strict_fails() {
    let s = Sandbox::new();
    s.agent_specs();
    let o = s.agent(Some("gradle,lua"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("warning: this agent advertises resource `gradle`, but no spec covers it (no gradle.yaml in probes)"),
        "{out}"
    );
    let o = s.agent(
        Some("gradle,lua"),
        &["--strict", "--report", "junit=out/junit.xml", "-f", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let report = json(&o);
    assert_eq!(report["notices"][0]["failing"], true);
    assert_eq!(report["summary"]["ok"], false);
    let xml = fs::read(s.path("out/junit.xml")).expect("junit");
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml)).expect("parses");
    let agent_suite = &suites.suites[0];
    assert_eq!(agent_suite.name, "agent");
    assert_eq!(agent_suite.failures, 1);
}

#[test]
fn an_agent_without_resources_runs_the_common_checks_and_says_why() {
    let s = Sandbox::new();
    s.agent_specs();
    let o = s.agent(None, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("warning: GO_AGENT_RESOURCES is not set"),
        "{out}"
    );
    assert!(out.contains("PASS   env PATH"), "{out}");
    assert!(!out.contains("lua"), "{out}");
}

#[test]
fn every_report_identifies_the_agent_and_the_job() {
    let s = Sandbox::new();
    s.agent_specs();
    let o = s.agent(
        Some("java"),
        &[
            "--report",
            "junit=out/junit.xml",
            "--report",
            "html=out/probe.html",
            "--report",
            "json=out/probe.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("GoCD: pipeline agent-infrastructure #42, stage check #1, job probe-runOnAll-3; agent resources: java"),
        "{out}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(s.path("out/probe.json")).expect("json")).expect("json");
    let hostname = report["host"]["hostname"]
        .as_str()
        .expect("hostname")
        .to_string();
    assert_eq!(report["agent"]["pipeline_counter"], "42");

    let xml = fs::read(s.path("out/junit.xml")).expect("junit");
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml)).expect("parses");
    let java = suites
        .suites
        .iter()
        .find(|s| s.name == "java")
        .expect("java suite");
    // GoCD's Tests tab shows the name and the failure text only: both say which agent.
    assert_eq!(
        java.cases[0].original_name,
        format!("java: command no-such-java [{hostname}]")
    );
    let junit_parser::TestStatus::Failure(f) = &java.cases[0].status else {
        panic!("not a failure")
    };
    assert!(
        f.text.contains(&format!("agent: {hostname} (")) && f.text.contains("job probe-runOnAll-3"),
        "{}",
        f.text
    );

    let html = fs::read_to_string(s.path("out/probe.html")).expect("html written on failure");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("pipeline agent-infrastructure #42, stage check #1, job probe-runOnAll-3")
    );
    assert!(html.contains("<h2>Failing checks</h2>"));
    let failing_at = html
        .find("<h2>Failing checks</h2>")
        .expect("failing section");
    let all_at = html.find("<h2>All checks</h2>").expect("all section");
    assert!(failing_at < all_at, "failing checks come first");
    // Self-contained: nothing fetched, nothing scripted.
    for forbidden in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden} in the HTML report");
    }
}

#[test]
fn an_interrupted_run_kills_the_commands_it_started() {
    let s = Sandbox::new();
    let pidfile = s.path("child.pid");
    s.tool(
        "hang",
        &format!("sleep 300 &\necho $! > {}\nsleep 300", pidfile.display()),
    )
    .spec(
        "h",
        "checks:\n  - command: hang\n    version: '>=1'\n    timeout: 5m\n",
    );
    let child = s
        .command(&["-r", "h", "--total-timeout", "10m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start probe");
    // Wait until the tool has started its child.
    let started = Instant::now();
    while fs::read_to_string(&pidfile).map_or(true, |p| p.trim().is_empty()) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the tool never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let grandchild = fs::read_to_string(&pidfile)
        .expect("pid")
        .trim()
        .to_string();
    // What Ctrl-C or GoCD cancelling the job sends.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("probe ends");
    assert_eq!(output.status.code(), Some(128 + 15));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("interrupted"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let gone = gone_soon(&grandchild);
    assert!(
        gone,
        "the tool's child {grandchild} outlived the interrupted probe"
    );
}

#[test]
fn run_flags_with_a_subcommand_are_refused_not_ignored() {
    let s = Sandbox::new();
    s.spec("lua", "checks:\n  - absent: x\n");
    let o = s.probe(&["-f", "json", "lint"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: --format is for running checks; `probe lint` does not take it"
    );
    // The subcommand's own flags, and the global --probes, are fine.
    assert_eq!(
        s.probe(&["list", "--format", "json"]).status.code(),
        Some(0)
    );
    assert_eq!(
        s.probe(&["--probes", "probes", "lint"]).status.code(),
        Some(0)
    );
}

#[test]
fn suggest_names_the_other_specs_this_machine_passes_without_failing_the_run() {
    let s = Sandbox::new();
    s.tool("lua", "echo 'Lua 5.4.6'")
        .tool("javac", "echo 'javac 17.0.8'")
        .spec("common", "checks:\n  - path_contains: /usr/bin\n")
        .spec("lua", "checks:\n  - command: lua\n")
        .spec("java", "checks:\n  - command: javac\n    version: '>=17'\n")
        .spec(
            "gradle",
            "requires: [java]\nchecks:\n  - command: no-such-gradle\n",
        )
        .spec(
            "kotlin",
            "requires: [java]\nchecks:\n  - path_contains: /usr/bin\n",
        );
    let o = s.probe(&["-r", "lua", "--suggest", "-f", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "other specs' failures do not count: {}",
        stdout(&o)
    );
    let report = json(&o);
    assert_eq!(
        report["suggest"],
        serde_json::json!({"passes": ["java", "kotlin"], "fails": ["gradle"]})
    );
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["common/path_contains:/usr/bin", "lua/command:lua"],
        "only the selected checks are reported"
    );
    let human = stdout(&s.probe(&["-r", "lua", "--suggest"]));
    assert!(
        human.contains("suggest: this machine also passes java, kotlin"),
        "{human}"
    );
    // Without --suggest: no field value.
    assert_eq!(
        json(&s.probe(&["-r", "lua", "-f", "json"]))["suggest"],
        serde_json::Value::Null
    );
}

#[test]
fn retry_runs_failing_checks_again_until_a_file_appears() {
    let s = Sandbox::new();
    let ready = s.path("ready");
    s.spec(
        "up",
        &format!("checks:\n  - file: {}\n  - env: HOME\n", ready.display()),
    );
    let child = s
        .command(&[
            "-r",
            "up",
            "--no-common",
            "--format",
            "json",
            "--retry-timeout",
            "20s",
            "--sleep",
            "100ms",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start probe");
    std::thread::sleep(Duration::from_millis(300));
    fs::write(&ready, "").expect("create the file");
    let o = child.wait_with_output().expect("probe ends");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report = json(&o);
    let attempts = report["checks"][0]["attempts"].as_u64().expect("attempts");
    assert!(attempts >= 2, "{report:#}");
    assert_eq!(report["checks"][1]["attempts"], 1);
    // The human report says so too.
    fs::remove_file(&ready).expect("remove");
    let o = s.probe(&[
        "-r",
        "up",
        "--no-common",
        "--retry-timeout",
        "300ms",
        "--sleep",
        "100ms",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("attempts)"), "{out}");
}

#[test]
fn sleep_needs_retry_timeout_and_ctrl_c_ends_the_wait_at_once() {
    let s = Sandbox::new();
    s.spec("up", "checks:\n  - file: /nonexistent/never\n");
    let o = s.probe(&["-r", "up", "--sleep", "1s"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--retry-timeout"), "{}", stderr(&o));
    let child = s
        .command(&[
            "-r",
            "up",
            "--no-common",
            "--retry-timeout",
            "10m",
            "--sleep",
            "1m",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start probe");
    // Past the first attempt, into the minute-long pause.
    std::thread::sleep(Duration::from_millis(500));
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("probe ends");
    assert_eq!(output.status.code(), Some(128 + 2));
    // Not the rest of the minute: a generous bound for a loaded machine.
    assert!(
        sent.elapsed() < Duration::from_secs(20),
        "{:?}",
        sent.elapsed()
    );
}

/// As root in a Dockerfile `RUN`: `--report junit=/dev/null` must leave
/// /dev/null a device, and `--report json=/dev/stdout` must reach stdout.
/// Run in a mount namespace with a /dev of its own (a tmpfs with its own
/// null device), never against this machine's /dev.
#[test]
fn reports_to_devices_and_streams_are_written_through_not_replaced() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n");
    let unshare = Command::new("unshare").arg("--help").output().is_ok();
    if root.ok() != Some(true) || !unshare {
        eprintln!("SKIPPED: needs root and unshare for a private /dev");
        return;
    }
    let s = Sandbox::new();
    s.spec("t", "checks:\n  - env: HOME\n");
    let out = s.path("stdout.txt");
    let script = format!(
        "set -e
         mount -t tmpfs tmpfs /dev
         mknod -m 666 /dev/null c 1 3
         ln -s /proc/self/fd /dev/fd
         ln -s /proc/self/fd/1 /dev/stdout
         '{probe}' --probes '{probes}' -r t --no-common \
           --report junit=/dev/null --report json=/dev/stdout > '{out}'
         stat -c %F /dev/null",
        probe = env!("CARGO_BIN_EXE_probe"),
        probes = s.path("probes").display(),
        out = out.display(),
    );
    let o = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .env("HOME", "/root")
        .output()
        .expect("unshare");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o).trim(), "character special file");
    let written = fs::read_to_string(&out).expect("stdout file");
    // The JSON report first (files are written before stdout), then the
    // human report after it, not over it.
    assert!(written.starts_with('{'), "{written}");
    assert!(written.contains("\"schema\""), "{written}");
    assert!(written.contains("PASSED"), "{written}");
}

/// GoCD's Tests tab counts every test case as run, skipped ones too, and
/// shows only failures: the JUnit report holds the checks that ran, so
/// "Tests run" is the probe's own count, and warnings stay out of it.
#[test]
fn the_junit_counts_are_the_checks_that_ran() {
    let s = Sandbox::new();
    s.agent_specs().spec(
        "lua",
        "checks:\n  - command: lua\n    version: '>=5.3'\n  - env: HOME\n    os: windows\n  - env: PATH\n",
    );
    // Two resources without a spec: two warnings; one check skipped.
    let o = s.agent(
        Some("lua,gradle,maven"),
        &[
            "--report",
            "junit=out/junit.xml",
            "--report",
            "json=out/probe.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("all 3 checks passed (1 skipped)"),
        "{}",
        stdout(&o)
    );
    let xml = fs::read(s.path("out/junit.xml")).expect("junit");
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml)).expect("parses");
    let cases: usize = suites.suites.iter().map(|s| s.cases.len()).sum();
    assert_eq!((suites.tests, cases), (3, 3));
    assert!(suites.suites.iter().all(|s| s.name != "agent"));
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(s.path("out/probe.json")).expect("json")).expect("JSON");
    assert_eq!(report["notices"].as_array().map(Vec::len), Some(2));
}

#[test]
fn one_of_a_thing_is_counted_in_the_singular() {
    let s = Sandbox::new();
    s.tool("lua", "echo 5.4.6")
        .spec("lua", "checks:\n  - command: lua\n");
    let o = s.probe(&["lint"]);
    assert_eq!(stdout(&o), "ok: 1 resource, 1 check in probes\n");
    let o = s.probe(&["-r", "lua"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("PASSED  1 check passed in "),
        "{}",
        stdout(&o)
    );
    s.spec("lua", "checks:\n  - command: lua\n    version: '>=6'\n");
    let o = s.probe(&["-r", "lua", "--format", "html"]);
    assert!(stdout(&o).contains("1 of 1 check failed"), "{}", stdout(&o));
    let o = s.probe(&["-r", "lua"]);
    assert!(
        stdout(&o).contains("FAILED  1 of 1 check failed (0 passed)"),
        "{}",
        stdout(&o)
    );
    // What no message says: `(s)`, or a number one with a plural noun.
    for text in [stdout(&o), stderr(&o)] {
        assert!(
            !text.contains("(s)") && !text.contains(" 1 checks"),
            "{text}"
        );
    }
}

/// This machine's system, as reports name it.
fn this_system() -> &'static str {
    if cfg!(target_os = "macos") {
        "macos"
    } else {
        "linux"
    }
}

/// Specs for another system than this one: `--all` leaves each out with
/// one line, not a failure; named, its `platform` check fails and says
/// why, and its other checks are not run (each would fail for that reason,
/// with the whole PATH).
#[test]
fn all_leaves_out_specs_for_another_system_with_one_line_each() {
    let s = Sandbox::new();
    let here = this_system();
    s.tool("lua", "echo 5.4.6")
        .spec(
            "other",
            "checks:\n  - platform: windows\n  - command: cmd\n  - env: PATHEXT\n",
        )
        .spec(
            "needs-other",
            "requires: [other]\nchecks:\n  - command: msbuild\n",
        )
        // `os:` on single checks: a spec for any system.
        .spec(
            "lua",
            "checks:\n  - command: lua\n  - command: lua.exe\n    os: windows\n",
        );
    let o = s.probe(&["--all", "--no-common"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(
        notes,
        [
            format!(
                "note: `needs-other` not checked: it requires `other`, which is for windows \
                 (probes/other.yaml:2), and this is {here}"
            ),
            format!("note: `other` not checked: it is for windows (probes/other.yaml:2) and this is {here}"),
        ],
        "{out}"
    );
    assert!(out.contains("; resources: lua\n"), "{out}");
    assert!(!out.contains("PATH="), "{out}");
    let report = json(&s.probe(&["--all", "--no-common", "-f", "json"]));
    assert_eq!(report["notices"][1]["failing"], false, "{report:#}");

    // Named: it cannot pass, and says why once.
    let o = s.probe(&["-r", "other", "--no-common"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "warning: `other` cannot pass here: it is for windows (probes/other.yaml:2) and this is {here}\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "FAIL   platform windows  this is {here}, not windows"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "SKIP   command cmd       not run: `other` is for windows (probes/other.yaml:2) and this is {here}"
        )),
        "{out}"
    );
    assert!(!out.contains("PATH="), "{out}");
    assert!(
        out.contains("FAILED  1 of 1 check failed (0 passed, 2 skipped)"),
        "{out}"
    );
}

#[test]
fn list_marks_what_runs_on_some_systems_only() {
    let s = Sandbox::new();
    s.spec("other", "description: Windows\nchecks:\n  - platform: windows\n  - command: cmd\n")
        .spec("needs-other", "requires: [other]\nchecks:\n  - command: msbuild\n")
        .spec(
            "python",
            "checks:\n  - command: python3\n    os: [linux, macos]\n  - command: py\n    os: windows\n  - command: pip\n",
        );
    let o = s.probe(&["list"]);
    assert_eq!(
        stdout(&o),
        "needs-other (requires other) [windows only]\n    command msbuild\n\
         other - Windows [windows only]\n    platform windows\n    command cmd\n\
         python\n    command python3 [linux and macos only]\n    command py [windows only]\n    command pip\n"
    );
}

#[test]
fn small_things_say_the_right_thing() {
    let s = Sandbox::new();
    s.agent_specs();
    // `probe help --help` is help, not a usage error.
    let o = s.probe(&["help", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Usage:"), "{}", stdout(&o));
    // A misspelt flag, of the run or of a subcommand, gets a suggestion.
    for (args, wanted) in [
        (&["--resouce", "lua"][..], "tip: did you mean `--resource`?"),
        (
            &["list", "--formt=json"][..],
            "tip: did you mean `--format`?",
        ),
    ] {
        let o = s.probe(args);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(wanted), "{args:?}: {}", stderr(&o));
    }
    // A misspelt advertised resource is named.
    let o = s.agent(Some("lau"), &[]);
    assert!(
        stdout(&o).contains("no spec covers it (no lau.yaml in probes) (did you mean `lua`?)"),
        "{}",
        stdout(&o)
    );
    // `xml` is not a format name; the message says which one is.
    let o = s.probe(&["-r", "lua", "--report", "xml=out.xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("JUnit's XML is `junit`"),
        "{}",
        stderr(&o)
    );
    // --quiet sizes its columns by the rows it shows.
    s.spec(
        "wide",
        "checks:\n  - env: A_VERY_LONG_VARIABLE_NAME_THAT_PASSES\n  - env: NOPE\n",
    );
    let o = s
        .command(&["-r", "wide", "--no-common", "-q"])
        .env("A_VERY_LONG_VARIABLE_NAME_THAT_PASSES", "1")
        .output()
        .expect("run");
    assert!(
        stdout(&o).contains("  FAIL   env NOPE  $NOPE is not set"),
        "{}",
        stdout(&o)
    );
}

/// A tool that prints megabytes before its version, and a command whose
/// error comes after the first MiB: versions and patterns are looked for in
/// the whole stream, and the excerpt says where it was cut.
#[test]
fn versions_and_patterns_past_the_output_cap_are_found() {
    let s = Sandbox::new();
    let noise = format!("yes '{}' | head -n 30000", "x".repeat(99));
    s.tool("chatty", &format!("{noise}\necho 'chatty version 4.5.6'"))
        .tool("builder", &format!("{noise}\necho 'FATAL: out of disk'"))
        .spec(
            "c",
            "checks:\n  - command: chatty\n    version: '>=4'\n  - run: [builder]\n    stdout_not: '^FATAL'\n",
        );
    let o = s.probe(&["-r", "c", "--no-common", "-f", "json"]);
    let report = json(&o);
    let c = check(&report, "c/command:chatty");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert_eq!(c["actual"], "4.5.6");
    assert_eq!(
        c["found_in"],
        "line 30001 of stdout: \"chatty version 4.5.6\""
    );
    let r = check(&report, "c/run:builder");
    assert_eq!(r["status"], "fail", "{r:#}");
    assert_eq!(r["message"], "stdout of `builder` matches `^FATAL`");
    assert_eq!(
        r["output"],
        "line 30001: FATAL: out of disk\n(stdout cut at 1.0 MiB of 2.9 MiB; the rest was read \
         for versions and patterns)"
    );
}

/// A spec's description, title and hint, a tool's output and the names of
/// files in errors reach the terminal as text: with colour on, the only
/// escape sequences are the report's own colours.
#[test]
fn only_the_reports_own_colours_reach_the_terminal() {
    let s = Sandbox::new();
    s.tool("lua", "printf 'Lua 5.1.5\\033[2J\\033]52;c;eA==\\007\\342\\200\\256\\n'")
        .spec(
            "lua",
            "description: \"Lua \\e[2J\\u202e toolchain\"\nchecks:\n  - command: lua\n    args: [-v]\n    version: '>=5.3'\n    title: \"lua \\e]52;c;eA==\\a\"\n    hint: \"install \\e[8m lua \\u200b\"\n",
        );
    let o = s.probe(&["-r", "lua", "--no-common", "--color", "always"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    for piece in text.split('\u{1b}').skip(1) {
        let params = piece.strip_prefix('[').and_then(|p| p.split_once('m'));
        assert!(
            params.is_some_and(|(p, _)| p.bytes().all(|b| b.is_ascii_digit() || b == b';')),
            "an escape that is not a colour: {piece:?} in\n{text}"
        );
    }
    assert!(!text.contains(['\u{7}', '\u{202e}', '\u{200b}']), "{text}");
    assert!(
        text.contains("\\u{202e}") && text.contains("\\u{7}"),
        "{text}"
    );
    // A file name in an error.
    let o = s.probe(&["--probes", "no\u{1b}[2Jsuch", "-r", "lua"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains('\u{1b}'), "{}", stderr(&o));
}

/// A daemon a check's command starts and detaches (`setsid -f`) does not
/// outlive the run: the probe is its reaper, and kills what the commands
/// of the run left behind.
#[cfg(target_os = "linux")]
#[test]
fn a_detached_daemon_does_not_outlive_the_run() {
    let s = Sandbox::new();
    let pid_file = s.path("daemon.pid");
    s.spec(
        "d",
        &format!(
            "checks:\n  - run: [sh, -c, \"setsid -f sh -c 'echo $$$$ > {}; exec sleep 300'; \
             while [ ! -s {} ]; do sleep 0.01; done; echo started\"]\n    stdout: started\n",
            pid_file.display(),
            pid_file.display()
        ),
    );
    let o = s.probe(&["-r", "d", "--no-common"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let pid: i32 = fs::read_to_string(&pid_file)
        .expect("pid")
        .trim()
        .parse()
        .expect("a pid");
    let until = Instant::now() + Duration::from_secs(5);
    let alive = || {
        fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit_once(") ")
                .is_some_and(|(_, r)| r.starts_with('Z'))
        })
    };
    while alive() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survived = alive();
    if survived {
        // SAFETY: only signals the daemon this test's probe started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert!(!survived, "the daemon {pid} outlived the run");
}

/// GoCD gives an elastic agent no resources, so its jobs get no
/// GO_AGENT_RESOURCES: agent mode then checks what the elastic profile
/// names in PROBE_RESOURCES, and says so; GO_AGENT_RESOURCES wins when set.
#[test]
fn agent_mode_on_an_elastic_agent_checks_probe_resources() {
    let s = Sandbox::new();
    s.tool("lua", "echo 'Lua 5.1.5'")
        .spec(
            "lua",
            "checks:\n  - command: lua\n    version: '>=5.3'\n    args: [-v]\n",
        )
        .spec("gradle", "checks:\n  - env: PATH\n");
    let o = s
        .command(&["--agent"])
        .env_remove("GO_AGENT_RESOURCES")
        .env("PROBE_RESOURCES", "lua")
        .output()
        .expect("probe");
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL   command lua"), "{text}");
    assert!(
        text.contains("checking PROBE_RESOURCES instead: lua"),
        "{text}"
    );
    let o = s
        .command(&["--agent"])
        .env("GO_AGENT_RESOURCES", "gradle")
        .env("PROBE_RESOURCES", "lua")
        .output()
        .expect("probe");
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(!text.contains("command lua"), "{text}");
}
