//! The application run in-process on a fake machine: exit statuses, the
//! agent's notices, `--suggest`, retries, a report that cannot be written.

use std::sync::{Arc, Mutex};

use super::{start, Exit};
use crate::output::{Output, Written};
use crate::world::fake::{exited, FakeWorld};

/// Runs `probe --probes DIR ARGS` on `world` with `specs` (resource, YAML)
/// in DIR: the exit, stdout and stderr.
fn probe(world: FakeWorld, specs: &[(&str, &str)], args: &[&str]) -> (Exit, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, yaml) in specs {
        std::fs::write(dir.path().join(format!("{name}.yaml")), yaml).expect("write spec");
    }
    let mut argv: Vec<std::ffi::OsString> = vec!["probe".into(), "--probes".into()];
    argv.push(dir.path().into());
    argv.extend(
        args.iter()
            .map(|a| a.replace("$DIR", &dir.path().display().to_string()).into()),
    );
    let written: Arc<Mutex<Option<Arc<Mutex<Written>>>>> = Arc::default();
    let keep = Arc::clone(&written);
    let (_, exit) = start(Arc::new(world), argv, move |secrets| {
        let (out, handle) = Output::in_memory(secrets);
        *keep.lock().expect("lock") = Some(handle);
        out
    });
    let handle = written.lock().expect("lock").clone().expect("an output");
    let w = handle.lock().expect("lock").clone();
    (
        exit,
        String::from_utf8_lossy(&w.stdout).into_owned(),
        String::from_utf8_lossy(&w.stderr).into_owned(),
    )
}

fn lua_agent() -> FakeWorld {
    FakeWorld::default()
        .tool(
            "lua",
            "-v",
            exited(0, "Lua 5.4.6  Copyright (C) 1994-2023 Lua.org\n", ""),
        )
        .var("HOME", "/home/go")
}

const LUA: &str = "checks:\n  - command: lua\n    args: [-v]\n    version: '>=5.3'\n";
const OLD_LUA: &str = "checks:\n  - command: lua\n    args: [-v]\n    version: '>=5.5'\n";
const COMMON: &str = "checks:\n  - env: HOME\n";

#[test]
fn the_exit_status_says_passed_failed_or_usage() {
    let (exit, out, _) = probe(
        lua_agent(),
        &[("lua", LUA), ("common", COMMON)],
        &["-r", "lua"],
    );
    assert_eq!((exit, exit.code()), (Exit::Passed, 0), "{out}");
    assert!(out.contains("PASSED  all 2 checks passed"), "{out}");
    let (exit, out, _) = probe(lua_agent(), &[("lua", OLD_LUA)], &["-r", "lua"]);
    assert_eq!((exit, exit.code()), (Exit::Failed, 1), "{out}");
    let (exit, _, err) = probe(lua_agent(), &[("lua", LUA)], &["-r", "lau"]);
    assert_eq!((exit, exit.code()), (Exit::Usage, 2));
    assert!(err.contains("did you mean `lua`?"), "{err}");
    let (exit, _, err) = probe(
        lua_agent(),
        &[("lua", "checks:\n  - comand: lua\n")],
        &["-r", "lua"],
    );
    assert_eq!(exit, Exit::Usage);
    assert!(err.contains("lua.yaml:2:5"), "{err}");
    assert_eq!(Exit::Interrupted(15).code(), 143);
}

#[test]
fn an_agent_is_told_what_it_advertises_without_a_spec() {
    let specs = [("lua", LUA), ("common", COMMON)];
    let (exit, out, _) = probe(lua_agent(), &specs, &["--agent"]);
    assert_eq!(exit, Exit::Passed, "{out}");
    assert!(
        out.contains("warning: GO_AGENT_RESOURCES is not set"),
        "{out}"
    );
    let agent = || lua_agent().var("GO_AGENT_RESOURCES", "lua,gradel");
    let (exit, out, _) = probe(agent(), &specs, &["--agent"]);
    assert_eq!(exit, Exit::Passed, "a warning only: {out}");
    assert!(
        out.contains("warning: this agent advertises resource `gradel`, but no spec covers it"),
        "{out}"
    );
    let (exit, out, _) = probe(agent(), &specs, &["--agent", "--strict"]);
    assert_eq!(exit, Exit::Failed, "{out}");
    assert!(
        out.contains("error: this agent advertises resource `gradel`"),
        "{out}"
    );
}

#[test]
fn suggest_runs_the_other_specs_without_counting_them() {
    let specs = [("lua", LUA), ("old", OLD_LUA), ("common", COMMON)];
    let (exit, out, _) = probe(lua_agent(), &specs, &["-r", "common", "--suggest"]);
    assert_eq!(exit, Exit::Passed, "the other specs do not count: {out}");
    assert!(
        out.contains("suggest: this machine also passes lua"),
        "{out}"
    );
    assert!(!out.contains("passes lua, old"), "{out}");
}

#[test]
fn a_failing_check_is_retried_and_its_attempts_counted() {
    let (exit, out, _) = probe(
        lua_agent(),
        &[("lua", OLD_LUA)],
        &["-r", "lua", "--retry-timeout", "300ms", "--sleep", "100ms"],
    );
    assert_eq!(exit, Exit::Failed);
    assert!(out.contains("attempts"), "{out}");
}

#[test]
fn a_report_that_cannot_be_written_is_exit_2_and_the_run_still_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let target = format!("json={}/under/report.json", file.display());
    let (exit, out, err) = probe(
        lua_agent(),
        &[("lua", LUA)],
        &["-r", "lua", "--report", &target],
    );
    assert_eq!(exit, Exit::Usage);
    assert!(err.contains("cannot write the json report to"), "{err}");
    assert!(
        out.contains("PASSED"),
        "the run's own report is still shown: {out}"
    );
    // Two reports to one file, however spelt: refused before anything runs.
    let (exit, out, err) = probe(
        lua_agent(),
        &[("lua", LUA)],
        &[
            "-r",
            "lua",
            "--report",
            "json=$DIR/a.json",
            "--report",
            "junit=$DIR/./a.json",
        ],
    );
    assert_eq!(exit, Exit::Usage);
    assert!(
        out.is_empty() && err.contains("write to the same file"),
        "{err}"
    );
}

#[test]
fn help_goes_to_stdout_and_a_bad_flag_to_stderr() {
    let (exit, out, _) = probe(lua_agent(), &[], &["--help"]);
    assert_eq!(exit, Exit::Passed);
    assert!(out.contains("Usage:"), "{out}");
    let (exit, _, err) = probe(lua_agent(), &[], &["--resourse", "lua"]);
    assert_eq!(exit, Exit::Usage);
    assert!(
        err.contains("did you mean") || err.contains("tip:"),
        "{err}"
    );
}

/// What a failing check means for a resource (the fleet's advice on what
/// to advertise) is decided for every kind: a kind added without a place
/// in one of the two lists fails here.
#[test]
fn every_kind_is_a_capability_or_a_condition() {
    use crate::fleet::triage::{CAPABILITY_KINDS, CONDITION_KINDS};
    for key in crate::checks::kind_keys() {
        let capability = CAPABILITY_KINDS.contains(&key);
        let condition = CONDITION_KINDS.contains(&key);
        assert!(
            capability != condition,
            "kind `{key}` must be in exactly one of fleet::triage's CAPABILITY_KINDS and CONDITION_KINDS"
        );
    }
    let known: Vec<&str> = crate::checks::kind_keys().collect();
    for key in CAPABILITY_KINDS.iter().chain(CONDITION_KINDS) {
        assert!(
            known.contains(key),
            "fleet::triage names `{key}`, which is no kind"
        );
    }
}

/// On a Windows agent, the Linux specs (`linux` by its platform check,
/// `lua` through `requires: [linux]`) are left out of `--all` with a note
/// each; asked for by name they run only the platform check, which fails.
#[test]
fn all_on_windows_leaves_out_the_linux_specs_and_what_requires_them() {
    let windows = || lua_agent().on(crate::spec::OsFamily::Windows);
    let specs = [
        ("linux", "checks:\n  - platform: linux\n  - command: sh\n"),
        (
            "lua",
            "requires: [linux]\nchecks:\n  - command: lua\n    args: [-v]\n",
        ),
        ("common", COMMON),
    ];
    let (exit, out, _) = probe(windows(), &specs, &["--all"]);
    assert_eq!(exit, Exit::Passed, "{out}");
    assert!(out.contains("; resources: common\n"), "{out}");
    assert!(
        out.contains("note: `linux` not checked: it is for linux (")
            && out.contains("linux.yaml:2) and this is windows\n"),
        "{out}"
    );
    assert!(
        out.contains("note: `lua` not checked: it requires `linux`, which is for linux ("),
        "{out}"
    );
    let (exit, out, _) = probe(windows(), &specs, &["-r", "lua", "-f", "json"]);
    assert_eq!(exit, Exit::Failed, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let statuses: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("common/env:HOME", "pass"),
            ("linux/platform:linux", "fail"),
            ("linux/command:sh", "skipped"),
            ("lua/command:lua", "skipped"),
        ]
    );
    assert_eq!(report["notices"][0]["failing"], false, "{report:#}");
}
