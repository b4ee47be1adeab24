//! Each check kind against a fake machine.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{evaluate, excerpt, shell_words, Budget, Outcome, Status};
use crate::spec::{self, Argv, Check, CheckKind, OsFamily};
use crate::world::fake::{captured, exited, FakeWorld};
use crate::world::{FileKind, Lookup, RunOutcome, RunRequest};

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

fn budget() -> Budget {
    Budget {
        default_timeout: Duration::from_secs(10),
        deadline: Instant::now() + Duration::from_secs(60),
    }
}

fn eval(yaml: &str, world: &FakeWorld) -> Outcome {
    evaluate(&check(yaml), world, &budget())
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
    assert_eq!(o.location.as_deref(), Some("PATH=/usr/bin:/bin"));
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
    let world = FakeWorld::default()
        .on(OsFamily::Linux)
        .var("PATH", "/usr/local/bin/:/usr/bin");
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

// ---- helpers ----

fn fail(o: &Outcome) -> &Outcome {
    assert_eq!(o.status, Status::Fail, "{o:#?}");
    o
}

fn pass(o: &Outcome) -> &Outcome {
    assert_eq!(o.status, Status::Pass, "{o:#?}");
    o
}

fn error(o: &Outcome) -> &Outcome {
    assert_eq!(o.status, Status::Error, "{o:#?}");
    o
}

fn timed_out(after_ms: u64, stdout: &str, stderr: &str) -> RunOutcome {
    RunOutcome::TimedOut {
        after: Duration::from_millis(after_ms),
        stdout: captured(stdout),
        stderr: captured(stderr),
    }
}

fn killed(stdout: &str, stderr: &str) -> RunOutcome {
    RunOutcome::Exited {
        code: None,
        stdout: captured(stdout),
        stderr: captured(stderr),
    }
}

fn args(request: &RunRequest) -> Vec<String> {
    request
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

const GIB: u64 = 1 << 30;

// ---- command ----

#[test]
fn command_present_without_version_is_only_looked_up() {
    let world = FakeWorld::default().tool("lua", "--version", exited(0, "Lua 5.4.6", ""));
    let o = eval("command: lua", &world);
    pass(&o);
    assert_eq!(o.message, "`lua` is /fake/bin/lua");
    assert_eq!(o.expected, "`lua` on PATH");
    assert_eq!(o.actual, "/fake/bin/lua");
    assert_eq!(o.location.as_deref(), Some("/fake/bin/lua"));
    assert!(world.ran().is_empty(), "ran {:?}", world.ran());
}

#[test]
fn missing_command_without_path_variable_shows_no_output() {
    let o = eval("command: busted", &FakeWorld::default());
    fail(&o);
    assert_eq!(o.expected, "`busted` on PATH");
    assert_eq!(o.actual, "not found on PATH");
    assert_eq!(o.output, None);
}

#[test]
fn command_not_executable_names_the_file_and_runs_nothing() {
    let world = FakeWorld::default().lookup_as(
        "lua",
        Lookup::NotExecutable(PathBuf::from("/opt/lua/bin/lua")),
    );
    let o = eval("command: lua\nversion: \">=5.3\"", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`lua` is found but does not run: /opt/lua/bin/lua is not executable"
    );
    assert_eq!(o.expected, "`lua` on PATH, version >=5.3");
    assert_eq!(o.actual, "found, not executable");
    assert_eq!(o.location.as_deref(), Some("/opt/lua/bin/lua"));
    assert!(world.ran().is_empty());
}

#[test]
fn command_that_fails_to_start_says_why() {
    let world = FakeWorld::default().tool(
        "lua",
        "--version",
        RunOutcome::FailedToStart("permission denied: it is not executable by this user".into()),
    );
    let o = eval("command: lua\nversion: \">=5.3\"", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`lua` is found but does not run: permission denied: it is not executable by this user"
    );
    assert_eq!(o.actual, "found, does not run");
    assert_eq!(o.location.as_deref(), Some("/fake/bin/lua"));
}

#[test]
fn command_timing_out_is_reported_with_its_partial_output_and_own_timeout() {
    let world = FakeWorld::default().tool("lua", "-v", timed_out(2500, "", "loading...\n"));
    let o = eval(
        "command: lua\nargs: [-v]\nversion: \">=5\"\ntimeout: 2s",
        &world,
    );
    fail(&o);
    assert_eq!(
        o.message,
        "`lua -v` timed out after 2.500s; it and its child processes were killed"
    );
    assert_eq!(o.actual, "no answer (timed out)");
    assert_eq!(o.output.as_deref(), Some("loading..."));
    let ran = world.ran();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].timeout, Duration::from_secs(2));
}

#[test]
fn command_exit_126_is_found_but_does_not_run() {
    let world = FakeWorld::default().tool(
        "node",
        "--version",
        exited(126, "", "asdf: no version set for node\n"),
    );
    let o = eval("command: node\nversion: \">=20\"", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`node` is found but does not run: `node --version` exited with 126"
    );
    assert_eq!(o.actual, "found, `node --version` exited with 126");
    assert_eq!(o.output.as_deref(), Some("asdf: no version set for node"));
}

#[test]
fn command_non_zero_exit_fails_even_with_a_version_in_the_output() {
    let world = FakeWorld::default().tool(
        "lua",
        "--version",
        exited(3, "Lua 5.4.6\n", "lua: cannot open --version\n"),
    );
    let o = eval("command: lua\nversion: \">=5.3\"", &world);
    fail(&o);
    assert_eq!(o.message, "`lua --version` exited with 3");
    assert_eq!(o.expected, "`lua` on PATH, version >=5.3");
    assert_eq!(o.actual, "found, `lua --version` exited with 3");
    // stdout first: it is what a person would see.
    assert_eq!(o.output.as_deref(), Some("Lua 5.4.6"));
}

#[test]
fn command_killed_by_a_signal_says_so() {
    let world = FakeWorld::default().tool("lua", "--version", killed("", ""));
    let o = eval("command: lua\nversion: \">=5.3\"", &world);
    fail(&o);
    assert_eq!(o.message, "`lua --version` was killed by a signal");
    assert_eq!(o.actual, "found, `lua --version` was killed by a signal");
    assert_eq!(o.output, None);
}

#[test]
fn command_without_a_version_in_its_output_fails() {
    let world = FakeWorld::default().tool(
        "lua",
        "--version",
        exited(0, "Lua, the programming language\n", ""),
    );
    let o = eval("command: lua\nversion: \">=5.3\"", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "no version found in the output of `lua --version`: no version-like text"
    );
    assert_eq!(o.actual, "no version in the output");
    assert_eq!(o.output.as_deref(), Some("Lua, the programming language"));
}

#[test]
fn version_regex_capture_group_picks_the_version() {
    let output = "built 2024.01.05, release 1.4.2\n";
    let world = FakeWorld::default().tool("tool", "--version", exited(0, output, ""));
    let o = eval(
        "command: tool\nversion: \">=1.4, <2\"\nversion_regex: 'release (\\d+\\.\\d+\\.\\d+)'",
        &world,
    );
    pass(&o);
    assert_eq!(o.message, "tool 1.4.2");
    assert_eq!(o.actual, "1.4.2");
    // Without the regex, the first version-like token is taken.
    let o = eval("command: tool\nversion: \">=1.4, <2\"", &world);
    fail(&o);
    assert_eq!(o.message, "tool 2024.01.05 is not in >=1.4, <2");
}

#[test]
fn version_regex_without_a_group_uses_the_whole_match() {
    let world = FakeWorld::default().tool(
        "tool",
        "--version",
        exited(0, "tool 9.9 (protocol v3.2)\n", ""),
    );
    let o = eval(
        "command: tool\nversion: \"3\"\nversion_regex: 'v\\d+\\.\\d+'",
        &world,
    );
    pass(&o);
    assert_eq!(o.actual, "3.2");
}

#[test]
fn version_regex_matching_nothing_names_the_regex() {
    let world = FakeWorld::default().tool("tool", "--version", exited(0, "tool 1.4.2\n", ""));
    let o = eval(
        "command: tool\nversion: \">=1\"\nversion_regex: 'release (\\d+)'",
        &world,
    );
    fail(&o);
    assert_eq!(
        o.message,
        "no version found in the output of `tool --version`: nothing matched `release (\\d+)`"
    );
    assert_eq!(o.actual, "no version in the output");
}

#[test]
fn version_matches_is_a_regex_on_the_version_text() {
    let world = FakeWorld::default().tool(
        "go",
        "version",
        exited(0, "go version go1.22.3 linux/amd64\n", ""),
    );
    let o = eval(
        "command: go\nargs: [version]\nversion_matches: '^1\\.22\\.'",
        &world,
    );
    pass(&o);
    assert_eq!(o.message, "go 1.22.3");
    assert_eq!(o.expected, "`go` on PATH, version matching `^1\\.22\\.`");
    assert_eq!(o.actual, "1.22.3");

    let o = eval(
        "command: go\nargs: [version]\nversion_matches: '^1\\.21\\.'",
        &world,
    );
    fail(&o);
    assert_eq!(o.message, "go 1.22.3 does not match `^1\\.21\\.`");
    assert_eq!(o.actual, "1.22.3");
}

#[test]
fn version_in_range_but_not_matching_the_pattern_fails_on_the_pattern() {
    let world = FakeWorld::default().tool(
        "go",
        "version",
        exited(0, "go version go1.22.3 linux/amd64\n", ""),
    );
    let o = eval(
        "command: go\nargs: [version]\nversion: \">=1.21\"\nversion_matches: '^1\\.21\\.'",
        &world,
    );
    fail(&o);
    assert_eq!(o.message, "go 1.22.3 does not match `^1\\.21\\.`");
    assert_eq!(
        o.expected,
        "`go` on PATH, version >=1.21, version matching `^1\\.21\\.`"
    );
}

#[test]
fn version_on_stdout_wins_over_stderr() {
    let world = FakeWorld::default().tool(
        "tool",
        "--version",
        exited(0, "tool 2.0.1\n", "warning: config 1.0.0 is old\n"),
    );
    let o = eval("command: tool\nversion: \"2\"", &world);
    pass(&o);
    assert_eq!(o.actual, "2.0.1");
}

#[test]
fn args_only_runs_the_command_and_wants_exit_zero() {
    let world = FakeWorld::default().tool(
        "make",
        "--help",
        exited(0, "Usage: make [options] [target] ...\nOptions:\n", ""),
    );
    let o = eval("command: make\nargs: [--help]", &world);
    pass(&o);
    assert_eq!(o.message, "`make --help` ran");
    assert_eq!(o.expected, "`make` on PATH, runs and exits 0");
    assert_eq!(o.actual, "/fake/bin/make, exit 0");
    assert_eq!(
        o.output.as_deref(),
        Some("Usage: make [options] [target] ...\nOptions:")
    );
    let ran = world.ran();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].program, PathBuf::from("/fake/bin/make"));
    assert_eq!(args(&ran[0]), ["--help"]);
}

#[test]
fn args_only_run_with_a_failing_exit_fails() {
    let world = FakeWorld::default().tool("make", "--help", exited(2, "", "make: *** oops\n"));
    let o = eval("command: make\nargs: [--help]", &world);
    fail(&o);
    assert_eq!(o.message, "`make --help` exited with 2");
    assert_eq!(o.expected, "`make` on PATH, runs and exits 0");
}

#[test]
fn default_args_are_dash_dash_version() {
    let world = FakeWorld::default().tool("lua", "--version", exited(0, "Lua 5.4.6\n", ""));
    pass(&eval("command: lua\nversion: \"5.4\"", &world));
    let ran = world.ran();
    assert_eq!(ran.len(), 1);
    assert_eq!(args(&ran[0]), ["--version"]);
    assert_eq!(
        ran[0].timeout,
        Duration::from_secs(10),
        "the default timeout"
    );
}

#[test]
fn arguments_are_shown_quoted_as_typed() {
    let world = FakeWorld::default().tool("lua", "-e os.exit(4)", exited(4, "", ""));
    let o = eval("command: lua\nargs: [-e, 'os.exit(4)']", &world);
    fail(&o);
    assert_eq!(o.message, "`lua -e 'os.exit(4)'` exited with 4");
    assert_eq!(args(&world.ran()[0]), ["-e", "os.exit(4)"]);
}

// ---- absent ----

#[test]
fn absent_command_missing_passes() {
    let o = eval("absent: python2", &FakeWorld::default());
    pass(&o);
    assert_eq!(o.message, "`python2` is not on PATH");
    assert_eq!(o.expected, "`python2` not on PATH");
    assert_eq!(o.actual, "not found");
}

#[test]
fn absent_command_found_pins_actual_and_location() {
    let world = FakeWorld::default().tool("python2", "", exited(0, "", ""));
    let o = eval("absent: python2", &world);
    fail(&o);
    assert_eq!(o.actual, "found at /fake/bin/python2");
    assert_eq!(o.location.as_deref(), Some("/fake/bin/python2"));
}

#[test]
fn absent_command_that_is_only_a_non_executable_file_passes_and_says_so() {
    // A build cannot run it, so nothing can pick it up by accident.
    let world = FakeWorld::default().lookup_as(
        "python2",
        Lookup::NotExecutable(PathBuf::from("/usr/bin/python2")),
    );
    let o = eval("absent: python2", &world);
    assert_eq!(o.status, Status::Pass);
    assert_eq!(
        o.message,
        "`python2` is not on PATH (a file of that name at /usr/bin/python2 is not executable)"
    );
}

#[test]
fn path_contains_expands_home_and_variables() {
    let world = FakeWorld::default()
        .on(OsFamily::Linux)
        .var("HOME", "/home/go")
        .var("PATH", "/usr/bin:/home/go/.cargo/bin");
    assert_eq!(
        eval("path_contains: ~/.cargo/bin", &world).status,
        Status::Pass
    );
    assert_eq!(
        eval("path_contains: ${HOME}/.cargo/bin", &world).status,
        Status::Pass
    );
    assert_eq!(
        eval("path_contains: ${NOPE}/bin", &world).status,
        Status::Error
    );
}

#[test]
fn run_list_with_a_shell_keeps_each_word_one_word() {
    let world = FakeWorld::default().tool("sh", "-c grep 'a b' f", exited(0, "", ""));
    let o = eval("run: [grep, \"a b\", f]\nshell: sh", &world);
    assert_eq!(o.status, Status::Pass, "{o:?}");
}

// ---- run ----

#[test]
fn run_argv_list_runs_without_a_shell() {
    let world = FakeWorld::default().tool(
        "luarocks",
        "list",
        exited(0, "busted\n   2.2.0-1 (installed)\n", ""),
    );
    let o = eval("run: [luarocks, list]\nstdout: '^busted$'", &world);
    pass(&o);
    assert_eq!(o.message, "`luarocks list` ran (exit 0)");
    assert_eq!(o.expected, "exit 0, stdout matches `^busted$`");
    assert_eq!(o.actual, "exit 0");
    assert_eq!(o.location.as_deref(), Some("/fake/bin/luarocks"));
    assert_eq!(o.output.as_deref(), Some("busted\n   2.2.0-1 (installed)"));
    let ran = world.ran();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].program, PathBuf::from("/fake/bin/luarocks"));
    assert_eq!(args(&ran[0]), ["list"]);
}

#[test]
fn run_exit_code_list() {
    let one = FakeWorld::default().tool("grep", "-q x f", exited(1, "", ""));
    let o = eval("run: [grep, -q, x, f]\nexit: [0, 1]", &one);
    pass(&o);
    assert_eq!(o.message, "`grep -q x f` ran (exit 1)");
    assert_eq!(o.expected, "exit 0 or 1");

    let two = FakeWorld::default().tool("grep", "-q x f", exited(2, "", "grep: f: No such file\n"));
    let o = eval("run: [grep, -q, x, f]\nexit: [0, 1]", &two);
    fail(&o);
    assert_eq!(
        o.message,
        "`grep -q x f` ended with exit 2, expected exit 0 or 1"
    );
    assert_eq!(o.actual, "exit 2");
    assert_eq!(o.output.as_deref(), Some("grep: f: No such file"));
}

#[test]
fn run_single_exit_code_other_than_zero() {
    let world = FakeWorld::default().tool("false", "", exited(1, "", ""));
    pass(&eval("run: [\"false\"]\nexit: 1", &world));
    let o = eval("run: [\"false\"]", &world);
    fail(&o);
    assert_eq!(o.message, "`false` ended with exit 1, expected exit 0");
}

#[test]
fn run_killed_by_a_signal_reads_well() {
    let world = FakeWorld::default().tool("crashy", "", killed("", "Segmentation fault\n"));
    let o = eval("run: [crashy]", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`crashy` was killed by a signal, expected exit 0"
    );
    assert_eq!(o.actual, "killed by a signal");
}

#[test]
fn run_stdout_must_match() {
    let world = FakeWorld::default().tool("luarocks", "list", exited(0, "penlight\n", ""));
    let o = eval("run: [luarocks, list]\nstdout: busted", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "stdout of `luarocks list` does not match `busted`"
    );
    assert_eq!(o.actual, "exit 0, stdout does not match `busted`");
    assert_eq!(o.output.as_deref(), Some("penlight"));
}

#[test]
fn run_stdout_not() {
    let world = FakeWorld::default().tool(
        "docker",
        "info",
        exited(
            0,
            "Server Version: 27.1\nWARNING: No swap limit support\n",
            "",
        ),
    );
    let o = eval("run: [docker, info]\nstdout_not: '^WARNING'", &world);
    fail(&o);
    assert_eq!(o.message, "stdout of `docker info` matches `^WARNING`");
    assert_eq!(o.expected, "exit 0, stdout does not match `^WARNING`");
    assert_eq!(o.actual, "exit 0, stdout matches `^WARNING`");
    pass(&eval("run: [docker, info]\nstdout_not: '^ERROR'", &world));
}

#[test]
fn run_stderr_and_stderr_not() {
    let world = FakeWorld::default().tool(
        "java",
        "-version",
        exited(0, "", "openjdk version \"17.0.15\"\n"),
    );
    pass(&eval("run: [java, -version]\nstderr: openjdk", &world));
    let o = eval("run: [java, -version]\nstderr: 'Temurin'", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "stderr of `java -version` does not match `Temurin`"
    );
    assert_eq!(o.output.as_deref(), Some("openjdk version \"17.0.15\""));
    let o = eval("run: [java, -version]\nstderr_not: openjdk", &world);
    fail(&o);
    assert_eq!(o.message, "stderr of `java -version` matches `openjdk`");
    assert_eq!(o.expected, "exit 0, stderr does not match `openjdk`");
}

#[test]
fn run_output_shows_stdout_then_stderr() {
    let world = FakeWorld::default().tool("tool", "", exited(0, "out\n", "err\n"));
    let o = eval("run: [tool]", &world);
    pass(&o);
    assert_eq!(o.output.as_deref(), Some("out\nerr"));
}

#[test]
fn run_shell_true_builds_sh_dash_c() {
    let line = "test -d \"$HOME\" && echo ok";
    let world = FakeWorld::default().on(OsFamily::Linux).tool(
        "sh",
        &format!("-c {line}"),
        exited(0, "ok\n", ""),
    );
    let o = eval(&format!("run: '{line}'\nshell: true\nstdout: ok"), &world);
    pass(&o);
    assert_eq!(o.message, format!("`{line}` ran (exit 0)"));
    let ran = world.ran();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].program, PathBuf::from("/fake/bin/sh"));
    assert_eq!(args(&ran[0]), ["-c", line]);
}

#[test]
fn run_named_shells() {
    let world = FakeWorld::default()
        .tool("bash", "-c echo ok", exited(0, "ok\n", ""))
        .tool(
            "powershell",
            "-NoProfile -NonInteractive -Command echo ok",
            exited(0, "ok\n", ""),
        )
        .tool("cmd", "/S /C \"echo ok\"", exited(0, "ok\n", ""));
    pass(&eval("run: echo ok\nshell: bash", &world));
    pass(&eval("run: echo ok\nshell: powershell", &world));
    pass(&eval("run: echo ok\nshell: cmd", &world));
    let ran: Vec<(PathBuf, Vec<String>)> = world
        .ran()
        .iter()
        .map(|r| (r.program.clone(), args(r)))
        .collect();
    assert_eq!(
        ran,
        [
            (
                PathBuf::from("/fake/bin/bash"),
                vec!["-c".to_string(), "echo ok".into()]
            ),
            (
                PathBuf::from("/fake/bin/powershell"),
                vec![
                    "-NoProfile".to_string(),
                    "-NonInteractive".into(),
                    "-Command".into(),
                    "echo ok".into()
                ]
            ),
            (
                PathBuf::from("/fake/bin/cmd"),
                vec!["/S".to_string(), "/C".into(), "\"echo ok\"".into()]
            ),
        ]
    );
}

#[test]
fn run_program_missing() {
    let o = eval("run: [luarocks, list]", &FakeWorld::default());
    fail(&o);
    assert_eq!(
        o.message,
        "cannot run `luarocks list`: `luarocks` is not on PATH"
    );
    assert_eq!(o.expected, "exit 0");
    assert_eq!(o.actual, "`luarocks` not found on PATH");
}

#[test]
fn run_shell_missing_names_the_shell() {
    let o = eval("run: echo hi\nshell: bash", &FakeWorld::default());
    fail(&o);
    assert_eq!(o.message, "cannot run `echo hi`: `bash` is not on PATH");
}

#[test]
fn run_program_not_executable() {
    let world = FakeWorld::default().lookup_as(
        "luarocks",
        Lookup::NotExecutable(PathBuf::from("/opt/bin/luarocks")),
    );
    let o = eval("run: [luarocks, list]", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "cannot run `luarocks list`: /opt/bin/luarocks is not executable"
    );
    assert_eq!(o.actual, "not executable");
    assert_eq!(o.location.as_deref(), Some("/opt/bin/luarocks"));
    assert!(world.ran().is_empty());
}

#[test]
fn run_failed_to_start() {
    let world = FakeWorld::default().tool(
        "luarocks",
        "list",
        RunOutcome::FailedToStart(
            "it could not be started (no such file, or its interpreter is missing)".into(),
        ),
    );
    let o = eval("run: [luarocks, list]", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`luarocks list` does not run: it could not be started (no such file, or its interpreter is missing)"
    );
    assert_eq!(o.actual, "does not run");
}

#[test]
fn run_timeout() {
    let world =
        FakeWorld::default().tool("luarocks", "list", timed_out(500, "partial\n", "warn\n"));
    let o = eval("run: [luarocks, list]\ntimeout: 500ms", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`luarocks list` timed out after 500ms; it and its child processes were killed"
    );
    assert_eq!(o.actual, "timed out");
    assert_eq!(o.output.as_deref(), Some("partial\nwarn"));
    assert_eq!(world.ran()[0].timeout, Duration::from_millis(500));
}

#[test]
fn run_one_string_without_a_shell_is_an_error() {
    // The loader refuses this combination; the check still must not run it.
    let mut c = check("run: [echo, hi]");
    match &mut c.kind {
        CheckKind::Run(r) => r.run = Argv::Line("echo hi".into()),
        other => panic!("{other:?}"),
    }
    let world = FakeWorld::default().tool("echo", "hi", exited(0, "hi\n", ""));
    let o = evaluate(&c, &world, &budget());
    error(&o);
    assert_eq!(
        o.message,
        "`echo hi` is one string; add `shell: true` or write it as a list"
    );
    assert!(world.ran().is_empty());
}

// ---- env ----

#[test]
fn env_set() {
    let world = FakeWorld::default().var("JAVA_HOME", "/usr/lib/jvm/17");
    let o = eval("env: JAVA_HOME", &world);
    pass(&o);
    assert_eq!(o.message, "$JAVA_HOME is \"/usr/lib/jvm/17\"");
    assert_eq!(o.expected, "$JAVA_HOME set");
    assert_eq!(o.actual, "\"/usr/lib/jvm/17\"");

    let o = eval("env: JAVA_HOME", &FakeWorld::default());
    fail(&o);
    assert_eq!(o.message, "$JAVA_HOME is not set");
    assert_eq!(o.actual, "not set");
}

#[test]
fn env_unset() {
    let o = eval("env: CI_DEBUG\nset: false", &FakeWorld::default());
    pass(&o);
    assert_eq!(o.message, "$CI_DEBUG is not set");
    assert_eq!(o.expected, "$CI_DEBUG not set");

    let o = eval(
        "env: CI_DEBUG\nset: false",
        &FakeWorld::default().var("CI_DEBUG", "1"),
    );
    fail(&o);
    assert_eq!(o.message, "$CI_DEBUG is set to \"1\"");
    assert_eq!(o.actual, "\"1\"");
}

#[test]
fn env_equals() {
    let world = FakeWorld::default().var("LANG", "C");
    let o = eval("env: LANG\nequals: C.UTF-8", &world);
    fail(&o);
    assert_eq!(o.message, "$LANG is \"C\", not \"C.UTF-8\"");
    assert_eq!(o.expected, "$LANG = \"C.UTF-8\"");
    assert_eq!(o.actual, "\"C\"");
    pass(&eval("env: LANG\nequals: C", &world));
}

#[test]
fn env_matches() {
    let world = FakeWorld::default().var("LANG", "C");
    let o = eval("env: LANG\nmatches: 'UTF-8$'", &world);
    fail(&o);
    assert_eq!(o.message, "$LANG is \"C\", which does not match `UTF-8$`");
    assert_eq!(o.expected, "$LANG set, matching `UTF-8$`");
    let world = FakeWorld::default().var("LANG", "en_US.UTF-8");
    pass(&eval("env: LANG\nmatches: 'UTF-8$'", &world));
}

#[test]
fn env_long_values_are_cut() {
    let long = "x".repeat(400);
    let o = eval("env: BIG", &FakeWorld::default().var("BIG", &long));
    pass(&o);
    assert_eq!(o.actual, format!("\"{}…\"", "x".repeat(300)));
}

#[test]
fn secret_looking_values_are_never_shown() {
    let names = [
        "API_TOKEN",
        "aws_secret_access_key",
        "DB_PASSWORD",
        "DB_PASS",
        "SMTP_PASSWD",
        "GPG_PASSPHRASE",
        "SSH_PRIVATE_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "REGISTRY_CREDS",
        "NPM_AUTH",
    ];
    for name in names {
        let secret = "hunter2-s3cret";
        let world = FakeWorld::default().var(name, secret);
        let outcomes = [
            eval(&format!("env: {name}"), &world),
            eval(&format!("env: {name}\nequals: other-s3cret"), &world),
            eval(&format!("env: {name}\nmatches: '^nope$'"), &world),
            eval(&format!("env: {name}\nset: false"), &world),
        ];
        for o in &outcomes {
            for text in [&o.message, &o.expected, &o.actual] {
                assert!(!text.contains("s3cret"), "{name} shown: {o:#?}");
            }
        }
        assert_eq!(
            outcomes[0].message,
            format!("${name} is <hidden: 14 characters>")
        );
        assert_eq!(
            outcomes[1].message,
            format!("${name} is <hidden: 14 characters>, not <hidden: 12 characters>")
        );
        assert_eq!(
            outcomes[3].message,
            format!("${name} is set to <hidden: 14 characters>")
        );
    }
}

// ---- path_contains ----

#[test]
fn path_contains_pins_messages() {
    let world = FakeWorld::default()
        .on(OsFamily::Linux)
        .var("PATH", "/usr/local/bin/:/usr/bin");
    let o = eval("path_contains: /usr/bin", &world);
    pass(&o);
    assert_eq!(o.message, "PATH contains /usr/bin (entry 2)");
    assert_eq!(o.expected, "PATH contains /usr/bin");
    assert_eq!(o.actual, "entry 2 of PATH");

    let o = eval("path_contains: /opt/bin", &world);
    fail(&o);
    assert_eq!(o.message, "PATH does not contain /opt/bin");
    assert_eq!(o.actual, "PATH=/usr/local/bin/:/usr/bin");
}

#[test]
fn path_contains_without_path() {
    let o = eval("path_contains: /usr/bin", &FakeWorld::default());
    fail(&o);
    assert_eq!(o.message, "PATH is not set");
    assert_eq!(o.actual, "PATH not set");
}

#[test]
fn path_contains_root_is_not_an_empty_entry() {
    // An empty entry means the current directory, not `/`.
    let linux = FakeWorld::default().on(OsFamily::Linux);
    let world = linux.var("PATH", "/usr/bin::/bin");
    fail(&eval("path_contains: /", &world));
    let world = FakeWorld::default()
        .on(OsFamily::Linux)
        .var("PATH", "/usr/bin:/");
    pass(&eval("path_contains: /", &world));
}

// ---- file ----

#[test]
fn file_exists() {
    let world =
        FakeWorld::default().file("/etc/hosts", FileKind::File, 0o644, "127.0.0.1 localhost\n");
    let o = eval("file: /etc/hosts", &world);
    pass(&o);
    assert_eq!(o.message, "/etc/hosts is a regular file");
    assert_eq!(o.expected, "/etc/hosts exists");
    assert_eq!(o.actual, "a regular file");
    assert_eq!(o.location.as_deref(), Some("/etc/hosts"));

    let o = eval("file: /etc/nope", &world);
    fail(&o);
    assert_eq!(o.message, "/etc/nope does not exist");
    assert_eq!(o.actual, "does not exist");
    assert_eq!(o.location.as_deref(), Some("/etc/nope"));
}

#[test]
fn file_absent() {
    let world = FakeWorld::default().file("/tmp/agent.lock", FileKind::File, 0o600, "");
    let o = eval("file: /tmp/other.lock\nexists: false", &world);
    pass(&o);
    assert_eq!(o.message, "/tmp/other.lock does not exist");
    assert_eq!(o.expected, "/tmp/other.lock absent");

    let o = eval("file: /tmp/agent.lock\nexists: false", &world);
    fail(&o);
    assert_eq!(o.message, "/tmp/agent.lock exists (a regular file)");
    assert_eq!(o.actual, "exists (a regular file)");
}

#[test]
fn file_types() {
    let world = FakeWorld::default()
        .file("/etc/hosts", FileKind::File, 0o644, "")
        .file("/etc", FileKind::Dir, 0o755, "")
        .file("/var/run/docker.sock", FileKind::Socket, 0o660, "");
    pass(&eval("file: /etc\ntype: dir", &world));
    pass(&eval("file: /etc/hosts\ntype: file", &world));
    let o = eval("file: /var/run/docker.sock\ntype: socket", &world);
    pass(&o);
    assert_eq!(o.message, "/var/run/docker.sock is a socket");
    assert_eq!(o.expected, "/var/run/docker.sock exists, is a socket");

    let o = eval("file: /etc/hosts\ntype: dir", &world);
    fail(&o);
    assert_eq!(o.message, "/etc/hosts is a regular file, not a directory");
    assert_eq!(o.actual, "a regular file");
    let o = eval("file: /etc\ntype: file", &world);
    fail(&o);
    assert_eq!(o.message, "/etc is a directory, not a regular file");
    let o = eval("file: /etc/hosts\ntype: socket", &world);
    fail(&o);
    assert_eq!(o.message, "/etc/hosts is a regular file, not a socket");
}

#[test]
fn file_symlinks_are_followed_except_for_type_symlink() {
    let world = FakeWorld::default()
        .file("/usr/bin/python", FileKind::File, 0o755, "")
        .symlink("/usr/bin/python")
        .symlink("/usr/bin/dangling")
        .file("/usr/bin/real", FileKind::File, 0o755, "");
    let o = eval("file: /usr/bin/python\ntype: symlink", &world);
    pass(&o);
    assert_eq!(o.message, "/usr/bin/python is a symlink");
    let o = eval("file: /usr/bin/python\ntype: file", &world);
    pass(&o);
    assert_eq!(o.message, "/usr/bin/python is a regular file");
    pass(&eval("file: /usr/bin/python\nexecutable: true", &world));
    // A dangling link is a symlink, but nothing exists behind it.
    pass(&eval("file: /usr/bin/dangling\ntype: symlink", &world));
    let o = eval("file: /usr/bin/dangling", &world);
    fail(&o);
    assert_eq!(o.message, "/usr/bin/dangling does not exist");
    let o = eval("file: /usr/bin/real\ntype: symlink", &world);
    fail(&o);
    assert_eq!(o.message, "/usr/bin/real is a regular file, not a symlink");
}

#[test]
fn file_mode() {
    let world = FakeWorld::default()
        .file("/etc/shadow", FileKind::File, 0o644, "")
        .file("/opt/setuid", FileKind::File, 0o4755, "");
    pass(&eval("file: /etc/shadow\nmode: \"0644\"", &world));
    pass(&eval("file: /etc/shadow\nmode: \"644\"", &world));
    pass(&eval("file: /opt/setuid\nmode: \"4755\"", &world));
    let o = eval("file: /etc/shadow\nmode: \"0640\"", &world);
    fail(&o);
    assert_eq!(o.message, "/etc/shadow has mode 0644, not 0640");
    assert_eq!(o.expected, "/etc/shadow exists, mode 0640");
    assert_eq!(o.actual, "mode 0644");
    let o = eval("file: /opt/setuid\nmode: \"0755\"", &world);
    fail(&o);
    assert_eq!(o.message, "/opt/setuid has mode 4755, not 0755");
}

#[test]
fn file_mode_where_the_platform_has_none_is_an_error() {
    let world = FakeWorld::default().file_without_mode("/opt/tool.exe", FileKind::File, true);
    let o = eval("file: /opt/tool.exe\nmode: \"0755\"", &world);
    error(&o);
    assert_eq!(
        o.message,
        "/opt/tool.exe: `mode` cannot be checked here, this OS has no Unix permission bits"
    );
    assert_eq!(o.expected, "/opt/tool.exe exists, mode 0755");
    // Without `mode` the same file passes.
    pass(&eval("file: /opt/tool.exe\nexecutable: true", &world));
}

#[test]
fn file_executable() {
    let world = FakeWorld::default()
        .file("/opt/script", FileKind::File, 0o644, "")
        .file("/opt/tool", FileKind::File, 0o755, "");
    pass(&eval("file: /opt/tool\nexecutable: true", &world));
    pass(&eval("file: /opt/script\nexecutable: false", &world));
    let o = eval("file: /opt/script\nexecutable: true", &world);
    fail(&o);
    assert_eq!(o.message, "/opt/script is not executable by this user");
    assert_eq!(o.expected, "/opt/script exists, executable");
    assert_eq!(o.actual, "is not executable");
    let o = eval("file: /opt/tool\nexecutable: false", &world);
    fail(&o);
    assert_eq!(o.message, "/opt/tool is executable by this user");
    assert_eq!(o.expected, "/opt/tool exists, not executable");
}

#[test]
fn file_contains() {
    let world = FakeWorld::default()
        .file(
            "/etc/hosts",
            FileKind::File,
            0o644,
            "# hosts\n127.0.0.1 localhost\n",
        )
        .file("/etc", FileKind::Dir, 0o755, "");
    pass(&eval(
        "file: /etc/hosts\ncontains: '^127\\.0\\.0\\.1\\s'",
        &world,
    ));
    let o = eval("file: /etc/hosts\ncontains: '^::1'", &world);
    fail(&o);
    assert_eq!(o.message, "/etc/hosts does not contain a match for `^::1`");
    assert_eq!(o.expected, "/etc/hosts exists, contains `^::1`");
    assert_eq!(o.actual, "no match in its contents");
    let o = eval("file: /etc\ncontains: x", &world);
    fail(&o);
    assert_eq!(o.message, "/etc is a directory; `contains` needs a file");
    assert_eq!(o.actual, "a directory");
}

#[test]
fn file_that_cannot_be_looked_at_is_an_error() {
    let world = FakeWorld::default().unreadable("/root/.ssh/id_rsa", ErrorKind::PermissionDenied);
    let o = eval("file: /root/.ssh/id_rsa", &world);
    error(&o);
    assert_eq!(
        o.message,
        "cannot look at /root/.ssh/id_rsa: permission denied"
    );
    assert_eq!(o.location.as_deref(), Some("/root/.ssh/id_rsa"));
}

#[test]
fn file_paths_expand_variables() {
    let world = FakeWorld::default()
        .var("JAVA_HOME", "/usr/lib/jvm/17")
        .var("HOME", "/home/go")
        .file("/usr/lib/jvm/17/bin/java", FileKind::File, 0o755, "")
        .file("/home/go/.m2/settings.xml", FileKind::File, 0o644, "");
    let o = eval("file: ${JAVA_HOME}/bin/java\nexecutable: true", &world);
    pass(&o);
    assert_eq!(o.location.as_deref(), Some("/usr/lib/jvm/17/bin/java"));
    assert_eq!(o.expected, "${JAVA_HOME}/bin/java exists, executable");
    let o = eval("file: $HOME/.m2/settings.xml", &world);
    pass(&o);
    assert_eq!(o.location.as_deref(), Some("/home/go/.m2/settings.xml"));
}

#[test]
fn file_paths_expand_tilde() {
    let world = FakeWorld::default().var("HOME", "/home/go").file(
        "/home/go/.gradle",
        FileKind::Dir,
        0o755,
        "",
    );
    let o = eval("file: ~/.gradle\ntype: dir", &world);
    pass(&o);
    assert_eq!(o.message, "/home/go/.gradle is a directory");
    // Windows has USERPROFILE instead.
    let world = FakeWorld::default().var("USERPROFILE", "/home/go").file(
        "/home/go/.gradle",
        FileKind::Dir,
        0o755,
        "",
    );
    pass(&eval("file: ~/.gradle", &world));
    // `~user` is not expanded.
    let o = eval("file: ~go/.gradle", &world);
    fail(&o);
    assert_eq!(o.message, "~go/.gradle does not exist");
}

#[test]
fn file_path_with_an_unset_variable_is_an_error() {
    let o = eval("file: ${JAVA_HOME}/bin/java", &FakeWorld::default());
    error(&o);
    assert_eq!(
        o.message,
        "`${JAVA_HOME}/bin/java` uses $JAVA_HOME, which is not set"
    );
    assert_eq!(o.expected, "${JAVA_HOME}/bin/java exists");
    assert_eq!(o.location, None);

    let o = eval(
        "file: $ANDROID_HOME/tools\nexists: false",
        &FakeWorld::default(),
    );
    error(&o);
    assert_eq!(
        o.message,
        "`$ANDROID_HOME/tools` uses $ANDROID_HOME, which is not set"
    );

    let o = eval("file: ~/.gradle", &FakeWorld::default());
    error(&o);
    assert_eq!(
        o.message,
        "`~` is used but neither HOME nor USERPROFILE is set"
    );

    let o = eval("file: ${JAVA_HOME/bin", &FakeWorld::default());
    error(&o);
    assert_eq!(o.message, "`${` without a closing `}` in `${JAVA_HOME/bin`");
}

#[test]
fn a_lone_dollar_is_kept() {
    let world = FakeWorld::default().file("/opt/$/x$", FileKind::File, 0o644, "");
    pass(&eval("file: /opt/$/x$", &world));
}

// ---- platform ----

fn other_os() -> OsFamily {
    if OsFamily::current() == OsFamily::Windows {
        OsFamily::Linux
    } else {
        OsFamily::Windows
    }
}

fn ubuntu() -> FakeWorld {
    FakeWorld::default().os(
        &["ubuntu", "debian"],
        Some("24.04"),
        Some("Ubuntu 24.04 LTS"),
    )
}

#[test]
fn platform_family() {
    let here = OsFamily::current();
    let o = eval(&format!("platform: {here}"), &ubuntu());
    pass(&o);
    assert_eq!(o.message, "Ubuntu 24.04 LTS");
    assert_eq!(o.expected, here.to_string());
    assert_eq!(o.actual, format!("{here} (ubuntu), release 24.04"));

    let other = other_os();
    let o = eval(&format!("platform: {other}"), &ubuntu());
    fail(&o);
    assert_eq!(o.message, format!("this is {here}, not {other}"));
}

#[test]
fn platform_distro_matches_id_or_id_like() {
    let here = OsFamily::current();
    pass(&eval(
        &format!("platform: {here}\ndistro: ubuntu"),
        &ubuntu(),
    ));
    pass(&eval(
        &format!("platform: {here}\ndistro: debian"),
        &ubuntu(),
    ));
    pass(&eval(
        &format!("platform: {here}\ndistro: Debian"),
        &ubuntu(),
    ));
    pass(&eval(
        &format!("platform: {here}\ndistro: [alpine, debian]"),
        &ubuntu(),
    ));
    let o = eval(
        &format!("platform: {here}\ndistro: [fedora, rhel]"),
        &ubuntu(),
    );
    fail(&o);
    assert_eq!(
        o.message,
        "the distribution is ubuntu, debian, not fedora or rhel"
    );
    assert_eq!(o.expected, format!("{here} (fedora or rhel)"));

    let o = eval(
        &format!("platform: {here}\ndistro: debian"),
        &FakeWorld::default(),
    );
    fail(&o);
    assert_eq!(o.message, "the distribution is unknown, not debian");
    assert_eq!(o.actual, here.to_string());
}

#[test]
fn platform_release_range() {
    let here = OsFamily::current();
    let o = eval(
        &format!("platform: {here}\nrelease: \">=22.04\""),
        &ubuntu(),
    );
    pass(&o);
    assert_eq!(o.expected, format!("{here}, release >=22.04"));
    let o = eval(&format!("platform: {here}\nrelease: \"<24\""), &ubuntu());
    fail(&o);
    assert_eq!(o.message, "release 24.04 is not in <24");

    let unknown = FakeWorld::default().os(&["arch"], None, None);
    let o = eval(&format!("platform: {here}\nrelease: \">=1\""), &unknown);
    error(&o);
    assert_eq!(o.message, "the OS release could not be read");
    // Without a release to check, an unnamed OS is described by what is known.
    let o = eval(&format!("platform: {here}"), &unknown);
    pass(&o);
    assert_eq!(o.message, format!("{here} (arch)"));
}

// ---- arch ----

#[test]
fn arch_aliases() {
    let x86 = FakeWorld::default().on_arch("x86_64");
    let o = eval("arch: amd64", &x86);
    pass(&o);
    assert_eq!(o.message, "the CPU architecture is x86_64");
    assert_eq!(o.expected, "amd64");
    assert_eq!(o.actual, "x86_64");
    pass(&eval("arch: x64", &x86));
    pass(&eval("arch: x86_64", &x86));
    pass(&eval("arch: [arm64, amd64]", &x86));
    let o = eval("arch: arm64", &x86);
    fail(&o);
    assert_eq!(o.message, "the CPU architecture is x86_64, not arm64");

    let arm = FakeWorld::default().on_arch("aarch64");
    pass(&eval("arch: arm64", &arm));
    pass(&eval("arch: AArch64", &arm));
    let o = eval("arch: [amd64, x86]", &arm);
    fail(&o);
    assert_eq!(
        o.message,
        "the CPU architecture is aarch64, not amd64 or x86"
    );
    assert_eq!(o.expected, "amd64 or x86");

    pass(&eval("arch: i686", &FakeWorld::default().on_arch("x86")));
}

// ---- cpus, memory, disk ----

#[test]
fn cpus() {
    let world = FakeWorld::default().with_cpus(4);
    let o = eval("cpus: \">= 2\"", &world);
    pass(&o);
    assert_eq!(o.message, "4 CPUs available");
    assert_eq!(o.expected, "CPUs >= 2");
    assert_eq!(o.actual, "4");
    pass(&eval("cpus: \"4\"", &world));
    let o = eval("cpus: \"8\"", &world);
    fail(&o);
    assert_eq!(o.message, "4 CPUs available");
    fail(&eval("cpus: \"> 1, <= 2\"", &world));
}

#[test]
fn memory() {
    let world = FakeWorld::default().with_memory(Some(8 * GIB));
    let o = eval("memory: \">= 4 GiB\"", &world);
    pass(&o);
    assert_eq!(o.message, "8.0 GiB of memory");
    assert_eq!(o.expected, "memory >= 4 GiB");
    assert_eq!(o.actual, "8.0 GiB");
    let o = eval("memory: 16 GiB", &world);
    fail(&o);
    assert_eq!(o.message, "8.0 GiB of memory");
    assert_eq!(o.expected, "memory 16 GiB");
}

#[test]
fn memory_unknown_is_an_error() {
    let o = eval("memory: 1 GiB", &FakeWorld::default().with_memory(None));
    error(&o);
    assert_eq!(o.message, "the memory size could not be read");
    assert_eq!(o.expected, "memory 1 GiB");
}

#[test]
fn disk() {
    let world = FakeWorld::default()
        .with_disk("/var/lib/go-agent", 10 * GIB)
        .var("AGENT_WORK", "/var/lib/go-agent");
    let o = eval("disk: /var/lib/go-agent\nfree: \">= 5 GiB\"", &world);
    pass(&o);
    assert_eq!(o.message, "10.0 GiB free at /var/lib/go-agent");
    assert_eq!(o.expected, "free space at /var/lib/go-agent >= 5 GiB");
    assert_eq!(o.actual, "10.0 GiB free");
    assert_eq!(o.location.as_deref(), Some("/var/lib/go-agent"));
    let o = eval("disk: ${AGENT_WORK}\nfree: 20 GiB", &world);
    fail(&o);
    assert_eq!(o.message, "10.0 GiB free at /var/lib/go-agent");
    assert_eq!(o.expected, "free space at ${AGENT_WORK} 20 GiB");
}

#[test]
fn disk_errors() {
    let o = eval("disk: ${AGENT_WORK}\nfree: 1 GiB", &FakeWorld::default());
    error(&o);
    assert_eq!(
        o.message,
        "`${AGENT_WORK}` uses $AGENT_WORK, which is not set"
    );
    let o = eval("disk: /nope\nfree: 1 GiB", &FakeWorld::default());
    error(&o);
    assert_eq!(
        o.message,
        "cannot measure free space at /nope: entity not found"
    );
    assert_eq!(o.location.as_deref(), Some("/nope"));
}

// ---- process ----

#[test]
fn process_running_or_not() {
    let world = FakeWorld::default()
        .running("dockerd")
        .running("containerd");
    let o = eval("process: dockerd", &world);
    pass(&o);
    assert_eq!(o.message, "a `dockerd` process is running");
    assert_eq!(o.expected, "`dockerd` running");
    assert_eq!(o.actual, "running");
    let o = eval("process: docker", &world);
    fail(&o);
    assert_eq!(o.message, "no `docker` process is running");
    assert_eq!(o.actual, "not running");
}

#[test]
fn process_names_truncated_to_15_bytes_match() {
    // Linux shows `gradle-daemon-worker` as `gradle-daemon-w`.
    let linux = || FakeWorld::default().on(OsFamily::Linux);
    let world = linux().running("gradle-daemon-w").running("gradle-daem");
    pass(&eval("process: gradle-daemon-worker", &world));
    // Only a name cut at exactly 15 bytes is a truncation.
    let world = linux().running("gradle-daemon");
    fail(&eval("process: gradle-daemon-worker", &world));
    // A wanted name shorter than the running one is not a match.
    let world = linux().running("gradle-daemon-w");
    fail(&eval("process: gradle", &world));
    // Case matters on Linux.
    fail(&eval("process: Gradle-daemon-w", &world));
}

#[test]
fn process_names_on_windows_ignore_case_and_exe() {
    let windows = || FakeWorld::default().on(OsFamily::Windows);
    let world = windows().running("Docker Desktop.exe");
    pass(&eval("process: docker desktop", &world));
    pass(&eval("process: DOCKER DESKTOP.EXE", &world));
    fail(&eval("process: docker", &world));
}

// ---- tcp ----

#[test]
fn tcp() {
    let world = FakeWorld::default().listening("localhost:5432", "127.0.0.1:5432");
    let o = eval("tcp: localhost:5432", &world);
    pass(&o);
    assert_eq!(
        o.message,
        "localhost:5432 accepted a connection (127.0.0.1:5432)"
    );
    assert_eq!(o.expected, "localhost:5432 accepts TCP connections");
    assert_eq!(o.actual, "connected");
    assert_eq!(o.location.as_deref(), Some("127.0.0.1:5432"));
    let o = eval("tcp: localhost:5433", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "localhost:5433 did not accept a connection: connection refused"
    );
    assert_eq!(o.actual, "no connection");
    assert_eq!(o.location.as_deref(), Some("localhost:5433"));
}

// ---- common ----

#[test]
fn os_filter_names_the_systems() {
    let here = OsFamily::current();
    let other = other_os();
    let o = eval(&format!("command: x\nos: {other}"), &FakeWorld::default());
    assert_eq!(
        o.message,
        format!("only checked on {other}; this is {here}")
    );
    // The current OS in the list: the check runs.
    let o = eval(
        &format!("command: x\nos: [{other}, {here}]"),
        &FakeWorld::default(),
    );
    fail(&o);
}

#[test]
fn the_run_deadline_cuts_a_check_timeout() {
    let world = FakeWorld::default().tool("lua", "-v", exited(0, "Lua 5.4.6", ""));
    let budget = Budget {
        default_timeout: Duration::from_secs(10),
        deadline: Instant::now() + Duration::from_secs(3),
    };
    let c = check("command: lua\nargs: [-v]\ntimeout: 30s");
    pass(&evaluate(&c, &world, &budget));
    let timeout = world.ran()[0].timeout;
    assert!(timeout <= Duration::from_secs(3), "{timeout:?}");
    assert!(timeout > Duration::from_secs(1), "{timeout:?}");
}

#[test]
fn shell_words_quotes_what_a_shell_would_split() {
    assert_eq!(
        shell_words(&["grep", "-q", "a b", "it's", "", "$HOME", "x|y"]),
        r#"grep -q 'a b' 'it'\''s' '' '$HOME' 'x|y'"#
    );
}

#[test]
fn excerpt_keeps_the_first_non_blank_lines() {
    assert_eq!(
        excerpt("\n\none\n  \ntwo\nthree\nfour\n", 3),
        "one\ntwo\nthree"
    );
    let long = "y".repeat(3000);
    let cut = excerpt(&long, 3);
    assert_eq!(cut.chars().count(), 2001);
    assert!(cut.ends_with('…'));
}

// ---- a fake Windows (and a fake Linux) on any machine ----

fn windows() -> FakeWorld {
    FakeWorld::default().on(OsFamily::Windows).os(
        &["windows"],
        Some("10 (19045)"),
        Some("Windows 10 Pro"),
    )
}

#[test]
fn the_os_filter_asks_the_world() {
    let o = eval("command: apt-get\nos: linux", &windows());
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(o.message, "only checked on linux; this is windows");
    let o = eval(
        "command: choco\nos: windows",
        &FakeWorld::default().on(OsFamily::Linux),
    );
    assert_eq!(o.status, Status::Skipped);
    assert_eq!(o.message, "only checked on windows; this is linux");
    let o = eval("command: choco\nos: [linux, windows]", &windows());
    fail(&o);
    assert_eq!(o.message, "`choco` is not on PATH");
}

#[test]
fn platform_windows_passes_on_windows_only() {
    let o = eval("platform: windows", &windows());
    pass(&o);
    assert_eq!(o.message, "Windows 10 Pro");
    assert_eq!(o.actual, "windows (windows), release 10 (19045)");
    let o = eval("platform: linux", &windows());
    fail(&o);
    assert_eq!(o.message, "this is windows, not linux");
    let o = eval("platform: windows", &ubuntu().on(OsFamily::Linux));
    fail(&o);
    assert_eq!(o.message, "this is linux, not windows");
}

#[test]
fn run_shell_true_on_windows_is_cmd_with_the_line_verbatim() {
    let line = r#""C:\Program Files\Git\cmd\git.exe" --version & exit /b 0"#;
    let world = windows().tool(
        "cmd",
        &format!("/S /C \"{line}\""),
        exited(0, "git\r\n", ""),
    );
    let o = eval(&format!("run: '{line}'\nshell: true\nstdout: git"), &world);
    pass(&o);
    assert_eq!(o.message, format!("`{line}` ran (exit 0)"));
    let ran = world.ran();
    assert_eq!(ran[0].program, PathBuf::from("/fake/bin/cmd"));
    assert_eq!(args(&ran[0]), ["/S", "/C", &format!("\"{line}\"")]);
    assert!(ran[0].verbatim, "cmd's line must not get the usual quoting");
}

#[test]
fn run_list_with_cmd_quotes_words_with_spaces() {
    let world = windows().tool(
        "cmd",
        r#"/S /C "dir "C:\Program Files" /b""#,
        exited(0, "", ""),
    );
    pass(&eval(
        "run: [dir, 'C:\\Program Files', /b]\nshell: true",
        &world,
    ));
    // PowerShell's arguments are passed the usual way.
    let world = windows().tool(
        "powershell",
        "-NoProfile -NonInteractive -Command Get-Item \"C:\\Program Files\"",
        exited(0, "", ""),
    );
    pass(&eval(
        "run: [Get-Item, 'C:\\Program Files']\nshell: powershell",
        &world,
    ));
    assert!(!world.ran()[0].verbatim);
}

#[test]
fn a_command_is_never_run_verbatim() {
    let world = windows().tool("node", "--version", exited(0, "v20.11.1\r\n", ""));
    pass(&eval("command: node\nversion: \">=20\"", &world));
    assert!(!world.ran()[0].verbatim);
}

#[test]
fn path_contains_on_windows_ignores_case_slashes_and_quotes() {
    let world = windows().var(
        "Path",
        r#"C:\Windows\system32;"C:\Program Files\Git\cmd";c:/tools/"#,
    );
    let o = eval(r"path_contains: C:\Tools", &world);
    pass(&o);
    assert_eq!(o.message, r"PATH contains C:\Tools (entry 3)");
    pass(&eval(r"path_contains: c:\program files\git\CMD\", &world));
    pass(&eval("path_contains: C:/Windows/System32", &world));
    fail(&eval(r"path_contains: C:\Windows", &world));
    // On Linux `:` splits and case counts.
    let linux = FakeWorld::default()
        .on(OsFamily::Linux)
        .var("PATH", "/opt/Tools:/usr/bin");
    fail(&eval("path_contains: /opt/tools", &linux));
    pass(&eval("path_contains: /opt/Tools/", &linux));
}

#[test]
fn variable_names_ignore_case_on_windows_only() {
    let world = windows().var("PATHEXT", ".COM;.EXE;.BAT;.CMD");
    let o = eval("env: PathExt\nmatches: '(?i)\\.exe'", &world);
    pass(&o);
    assert_eq!(o.message, "$PathExt is \".COM;.EXE;.BAT;.CMD\"");
    let linux = FakeWorld::default()
        .on(OsFamily::Linux)
        .var("PATHEXT", ".EXE");
    fail(&eval("env: PathExt", &linux));
}

#[test]
fn exit_9009_from_a_cmd_wrapper_is_found_but_does_not_run() {
    let world = windows().tool(
        "python",
        "--version",
        exited(
            9009,
            "",
            "Python was not found; run without arguments to install from the Microsoft Store\r\n",
        ),
    );
    let o = eval("command: python\nversion: \">=3.9\"", &world);
    fail(&o);
    assert_eq!(
        o.message,
        "`python` is found but does not run: `python --version` exited with 9009"
    );
    assert_eq!(
        o.output.as_deref(),
        Some("Python was not found; run without arguments to install from the Microsoft Store")
    );
}

#[test]
fn file_mode_on_a_fake_windows_file_is_an_error_not_a_pass() {
    let world = windows().file_without_mode(r"C:\tools\probe.exe", FileKind::File, true);
    let o = eval("file: 'C:\\tools\\probe.exe'\nmode: \"0755\"", &world);
    error(&o);
    assert!(o.status.is_failure());
}
