//! Each check kind against a fake machine.

use std::time::{Duration, Instant};

use super::{evaluate, Budget, Outcome, Status};
use crate::spec::{self, Check};
use crate::world::fake::{exited, FakeWorld};

/// Reads one check from YAML text, as a spec file would hold it.
pub fn check(yaml: &str) -> Check {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("t.yaml");
    let indented: String = yaml.lines().map(|l| format!("    {l}\n")).collect();
    let text = format!("checks:\n  -\n{indented}");
    std::fs::write(&file, text).expect("write spec");
    let catalog = spec::load(&file).unwrap_or_else(|e| panic!("{}", spec::SpecErrors(e)));
    catalog.resources[0].checks[0].clone()
}

fn eval(yaml: &str, world: &FakeWorld) -> Outcome {
    let budget = Budget {
        default_timeout: Duration::from_secs(10),
        deadline: Instant::now() + Duration::from_secs(60),
    };
    evaluate(&check(yaml), world, &budget)
}

#[test]
fn command_version_in_range_passes() {
    let world = FakeWorld::default().tool(
        "lua",
        "-v",
        exited(0, "Lua 5.4.6  Copyright (C) 1994-2023\n", ""),
    );
    let o = eval(
        "command: lua\nversion: \">=5.3, <5.5\"\nargs: [\"-v\"]",
        &world,
    );
    assert_eq!(o.status, Status::Pass, "{o:?}");
    assert_eq!(o.actual, "5.4.6");
    assert_eq!(o.location.as_deref(), Some("/fake/bin/lua"));
}

#[test]
fn command_version_out_of_range_names_range_version_and_output() {
    let world = FakeWorld::default().tool(
        "lua",
        "-v",
        exited(0, "Lua 5.1.5  Copyright (C) 1994-2012\n", ""),
    );
    let o = eval(
        "command: lua\nversion: \">=5.3, <5.5\"\nargs: [\"-v\"]",
        &world,
    );
    assert_eq!(o.status, Status::Fail);
    assert_eq!(o.message, "lua 5.1.5 is not in >=5.3, <5.5");
    assert_eq!(o.expected, "`lua` on PATH, version >=5.3, <5.5");
    assert_eq!(
        o.output.as_deref(),
        Some("Lua 5.1.5  Copyright (C) 1994-2012")
    );
}

#[test]
fn version_on_stderr_is_read() {
    let world = FakeWorld::default().tool(
        "java",
        "-version",
        exited(
            0,
            "",
            "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment\n",
        ),
    );
    let o = eval("command: java\nversion: \">=17\"\nargs: [-version]", &world);
    assert_eq!(o.status, Status::Pass, "{o:?}");
    assert_eq!(o.actual, "17.0.15");
}

#[test]
fn a_shim_exiting_127_is_found_but_does_not_run() {
    let world = FakeWorld::default().tool(
        "python2",
        "--version",
        exited(127, "", "pyenv: python2: command not found\n"),
    );
    let o = eval("command: python2\nversion: \">=2.7\"", &world);
    assert_eq!(o.status, Status::Fail);
    assert_eq!(
        o.message,
        "`python2` is found but does not run: `python2 --version` exited with 127"
    );
    assert_eq!(
        o.output.as_deref(),
        Some("pyenv: python2: command not found")
    );
}

#[test]
fn missing_command_fails_and_shows_path() {
    let world = FakeWorld::default().var("PATH", "/usr/bin:/bin");
    let o = eval("command: busted", &world);
    assert_eq!(o.status, Status::Fail);
    assert_eq!(o.message, "`busted` is not on PATH");
    assert_eq!(o.output.as_deref(), Some("PATH=/usr/bin:/bin"));
}

#[test]
fn absent_command_found_names_where() {
    let world = FakeWorld::default().tool("python2", "", exited(0, "", ""));
    let o = eval("absent: python2\nhint: remove it", &world);
    assert_eq!(o.status, Status::Fail);
    assert_eq!(o.message, "`python2` is on PATH at /fake/bin/python2");
    assert!(
        world.ran().is_empty(),
        "an absent check must not run anything"
    );
}

#[test]
fn env_checks() {
    let world = FakeWorld::default()
        .var("LUA_PATH", "./?.lua;;")
        .var("API_TOKEN", "s3cret");
    assert_eq!(
        eval("env: LUA_PATH\nmatches: '\\?\\.lua'", &world).status,
        Status::Pass
    );
    assert_eq!(eval("env: LUA_CPATH", &world).status, Status::Fail);
    assert_eq!(
        eval("env: LUA_CPATH\nset: false", &world).status,
        Status::Pass
    );
    let o = eval("env: API_TOKEN\nequals: other", &world);
    assert_eq!(o.status, Status::Fail);
    assert!(!o.message.contains("s3cret"), "{}", o.message);
}

#[test]
fn path_contains_ignores_trailing_slashes() {
    let world = FakeWorld::default().var("PATH", "/usr/local/bin/:/usr/bin");
    assert_eq!(
        eval("path_contains: /usr/local/bin", &world).status,
        Status::Pass
    );
    assert_eq!(eval("path_contains: /opt/bin", &world).status, Status::Fail);
}

#[test]
fn os_filter_skips_other_systems() {
    let other = if cfg!(windows) { "linux" } else { "windows" };
    let o = eval(&format!("command: x\nos: {other}"), &FakeWorld::default());
    assert_eq!(o.status, Status::Skipped);
}
