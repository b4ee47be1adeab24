//! `probe add` and `probe snapshot` end to end: fake tools that print their
//! version in the ways real ones do, spec files whose formatting must
//! survive, and the round trip (add, then run the spec: it passes).
#![cfg(unix)]

mod common;

use std::fs;
use std::time::{Duration, Instant};

use common::{stderr, stdout, Sandbox};

#[test]
fn add_finds_the_arguments_that_print_a_version_wherever_it_is_printed() {
    let s = Sandbox::new();
    s.tool("onstdout", "echo 'onstdout 2.4.1'")
        .tool("onstderr", "echo 'onstderr version 3.1.0' >&2")
        .tool(
            "dashversion",
            "[ \"$1\" = -version ] && echo 'dashversion 1.8.0_292' && exit 0\necho \"unknown option $1\" >&2; exit 2",
        )
        // Waits for input on --version (as some REPLs do): given up on
        // after a short time, and -version tried next.
        .tool(
            "hangs",
            "[ \"$1\" = --version ] && exec sleep 60\n[ \"$1\" = -version ] && echo 'hangs 0.9.3'",
        );
    let started = Instant::now();
    for tool in ["onstdout", "onstderr", "dashversion", "hangs"] {
        let o = s.probe(&["add", "command", tool, "--to", "tools"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{tool}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "the hang was not cut short"
    );
    let spec = fs::read_to_string(s.path("probes/tools.yaml")).expect("spec written");
    assert_eq!(
        spec,
        "description: Checks for agents with the `tools` resource
checks:
  - command: onstdout
    version: \">=2.4.1, <3\"
  - command: onstderr
    version: \">=3.1.0, <4\"
  - command: dashversion
    args: [-version]
    version: \">=1.8.0_292, <2\"
  - command: hangs
    args: [-version]
    version: \">=0.9.3, <1\"
"
    );
    // The round trip: the spec passes here.
    let o = s.probe(&["-r", "tools", "--no-common"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn add_keeps_a_real_spec_as_it_was_and_only_appends() {
    let s = Sandbox::new();
    s.tool(
        "lua",
        "echo 'Lua 5.4.6  Copyright (C) 1994-2023 Lua.org, PUC-Rio'",
    )
    .tool("busted", "echo 2.2.0");
    let original = "# Lua agents\r\ndescription: 'Lua toolchain'   # quoted\r\nchecks:\r\n  # the interpreter\r\n  - command: lua\r\n    args: [\"-v\"]\r\n    version: \">=5.3\"\r\n\r\n  - env: HOME\r\n    hint: >-\r\n      folded\r\n      hint\r\n# the end";
    fs::write(s.path("probes/lua.yaml"), original).expect("write");
    let o = s.probe(&["add", "command", "busted", "--to", "lua", "--pin", "min"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let after = fs::read_to_string(s.path("probes/lua.yaml")).expect("read");
    assert_eq!(
        after,
        "# Lua agents\r\ndescription: 'Lua toolchain'   # quoted\r\nchecks:\r\n  # the interpreter\r\n  - command: lua\r\n    args: [\"-v\"]\r\n    version: \">=5.3\"\r\n\r\n  - env: HOME\r\n    hint: >-\r\n      folded\r\n      hint\r\n  - command: busted\r\n    version: \">=2.2.0\"\r\n# the end"
    );
    // Added twice: said, not written.
    let o = s.probe(&["add", "command", "busted", "--to", "lua"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("already there: command busted"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        fs::read_to_string(s.path("probes/lua.yaml")).expect("read"),
        after
    );
}

#[test]
fn add_refuses_what_would_not_pass_here_and_writes_nothing() {
    let s = Sandbox::new();
    s.tool("python2", "echo 'Python 2.7.18' >&2");
    let o = s.probe(&["add", "absent", "python2", "--to", "python"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("`python2` is on PATH at"),
        "{}",
        stdout(&o)
    );
    assert!(!s.path("probes/python.yaml").exists());
    let o = s.probe(&["add", "comand", "lua", "--to", "lua"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("did you mean `command`?"),
        "{}",
        stdout(&o)
    );
    let o = s.probe(&["add", "env", "HOME", "--dry-run"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "no --to, and HOME is no resource name: {}",
        stderr(&o)
    );
    let o = s.probe(&["add", "env", "HOME", "--to", "base", "--dry-run"]);
    assert_eq!(stdout(&o), "- env: HOME\n");
    assert!(!s.path("probes/base.yaml").exists());
}

#[test]
fn snapshot_keeps_what_this_machine_has_and_reads_a_good_agents_report() {
    let s = Sandbox::new();
    s.tool(
        "lua",
        "[ \"$1\" = -v ] && echo 'Lua 5.4.6  Copyright (C) 1994-2023 Lua.org, PUC-Rio'",
    )
    .tool("busted", "echo 2.2.0");
    // Only the sandbox's tools: this machine's own luarocks must not count.
    let o = s
        .command(&["snapshot", "--resource", "lua"])
        .env("PATH", s.bin())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("left out command luarocks: `luarocks` is not on PATH here"),
        "{}",
        stdout(&o)
    );
    let spec = fs::read_to_string(s.path("probes/lua.yaml")).expect("written");
    assert!(
        spec.starts_with("description: Lua toolchain\nchecks:\n  - command: lua\n    args: [-v]\n"),
        "{spec}"
    );
    assert!(spec.contains("  - command: busted\n"), "{spec}");
    assert!(
        spec.contains("    hint: luarocks install busted\n"),
        "{spec}"
    );
    let o = s
        .command(&[
            "-r",
            "lua",
            "--no-common",
            "-f",
            "json",
            "--report",
            "json=good.json",
        ])
        .env("PATH", s.bin())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // From the report, on a machine that has none of it.
    let elsewhere = Sandbox::new();
    fs::copy(s.path("good.json"), elsewhere.path("good.json")).expect("copy");
    let o = elsewhere.probe(&[
        "snapshot",
        "--resource",
        "lua",
        "--from-report",
        "good.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let from_report = fs::read_to_string(elsewhere.path("probes/lua.yaml")).expect("written");
    assert_eq!(
        from_report,
        "description: Lua toolchain\nchecks:\n  - command: lua\n    args: [-v]\n    version: \">=5.4.6, <6\"\n  - command: busted\n    version: \">=2.2.0, <3\"\n"
    );
    let o = s.probe(&["snapshot", "--resource", "jav"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `java`?"),
        "{}",
        stderr(&o)
    );
}
