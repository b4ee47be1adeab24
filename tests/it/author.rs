//! `probe add` and `probe snapshot` end to end: fake tools that print their
//! version in the ways real ones do, spec files whose formatting must
//! survive, and the round trip (add, then run the spec: it passes).
#![cfg(unix)]

use std::fs;
use std::time::{Duration, Instant};

use crate::common::{stderr, stdout, Sandbox};

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
    assert!(
        stdout(&o).ends_with("probes/lua.yaml: 1 check written\n"),
        "{}",
        stdout(&o)
    );
    let after = fs::read_to_string(s.path("probes/lua.yaml")).expect("read");
    assert_eq!(
        after,
        "# Lua agents\r\ndescription: 'Lua toolchain'   # quoted\r\nchecks:\r\n  # the interpreter\r\n  - command: lua\r\n    args: [\"-v\"]\r\n    version: \">=5.3\"\r\n\r\n  - env: HOME\r\n    hint: >-\r\n      folded\r\n      hint\r\n  - command: busted\r\n    version: \">=2.2.0\"\r\n# the end"
    );
    // Added twice: said, not written.
    let o = s.probe(&["add", "command", "busted", "--to", "lua"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("already there: command busted"),
        "{}",
        stderr(&o)
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
        stderr(&o).contains("`python2` is on PATH at"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    assert!(!s.path("probes/python.yaml").exists());
    let o = s.probe(&["add", "comand", "lua", "--to", "lua"]);
    assert_eq!(o.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&o).contains("did you mean `command`?"),
        "{}",
        stderr(&o)
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
        stderr(&o).contains("left out command luarocks: `luarocks` is not on PATH here"),
        "{}",
        stderr(&o)
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

/// `--dry-run` shows the spec on stdout and writes nothing; it fails for
/// nothing it would leave out, also when that is every check (a machine
/// without the tool), and says on stderr what a real run would write.
#[test]
fn a_snapshot_dry_run_prints_the_spec_it_would_write_and_exits_0() {
    let s = Sandbox::new();
    s.tool("go", "echo 'go version go1.22.3 linux/amd64'");
    let dry = |s: &Sandbox| {
        s.command(&["snapshot", "--resource", "go", "--dry-run"])
            .env("PATH", s.bin())
            .env_remove("GOPATH")
            .output()
            .expect("run")
    };
    let o = dry(&s);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("description: Go builds\nchecks:\n  - command: go\n    args: [version]\n    version: \">=1.22.3, <2\"\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o)
            .contains("dry run: 1 check would be written to probes/go.yaml; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert!(!s.path("probes/go.yaml").exists());
    // Without go: nothing would be written, and that is said, not failed.
    let without = Sandbox::new();
    let o = dry(&without);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("left out command go: `go` is not on PATH here"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(
            "nothing would be written to probes/go.yaml: no check of it passes on this machine"
        ),
        "{}",
        stderr(&o)
    );
    // For real, the same machine writes nothing, and that fails.
    let o = without
        .command(&["snapshot", "--resource", "go"])
        .env("PATH", without.bin())
        .env_remove("GOPATH")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing was written to probes/go.yaml"),
        "{}",
        stderr(&o)
    );
    assert!(!without.path("probes/go.yaml").exists());
}

/// A snapshot of a resource whose spec is already there (a shipped one,
/// an earlier snapshot) adds only what it lacks; when that is nothing, it
/// says the spec exists and what to do instead.
#[test]
fn a_snapshot_of_a_spec_that_is_there_says_so_and_what_to_do() {
    let s = Sandbox::new();
    s.tool(
        "lua",
        "echo 'Lua 5.4.6  Copyright (C) 1994-2023 Lua.org, PUC-Rio'",
    )
    .spec("lua", "description: Lua\nchecks:\n  - command: lua\n");
    let o = s
        .command(&["snapshot", "--resource", "lua"])
        .env("PATH", s.bin())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(
        err.contains("already there: command lua (probes/lua.yaml:3); not added"),
        "{err}"
    );
    assert!(
        err.contains("probes/lua.yaml already exists: nothing was written (the snapshot's 3 checks: 1 already in it, 2 left out above)"),
        "{err}"
    );
    assert!(
        err.contains("`probe add KIND SUBJECT --to lua`")
            && err.contains("`probe --probes DIR snapshot --resource lua`"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(s.path("probes/lua.yaml")).expect("read"),
        "description: Lua\nchecks:\n  - command: lua\n"
    );
}

/// A report is written on an agent: whoever controls the agent controls
/// every byte of it. What it supplies are values; a kind, a key or YAML in
/// them never reaches the spec, and the spec every agent runs gets no
/// command from it.
#[test]
fn a_report_cannot_put_a_command_into_a_spec() {
    let s = Sandbox::new();
    let check = |kind: &str, subject: &str, actual: &str| {
        serde_json::json!({
            "id": format!("lua/{kind}:{subject}"), "resource": "lua", "kind": kind,
            "subject": subject, "status": "pass", "actual": actual,
        })
    };
    let report = serde_json::json!({
        "schema": "probe-report/1",
        "host": {"hostname": "agent-7"},
        "summary": {"ok": true},
        "checks": [
            check("run: [sh, -c, \"touch PWNED\"] #", "x", ""),
            check("command", "lua\n  - run: [sh, -c, \"touch PWNED\"]", "5.4.6"),
            check("command", "lua", "5.4.6\"\n  - run: [sh]"),
            check("env", "HOME #", ""),
        ],
    });
    fs::write(s.path("evil.json"), report.to_string()).expect("write");
    let o = s.probe(&[
        "snapshot",
        "--resource",
        "lua",
        "--from-report",
        "evil.json",
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("left out evil.json, check 1 (lua/run: [sh, -c, \"touch PWNED\"] #:x)")
            && err.contains("is not a kind of check"),
        "{err}"
    );
    let spec = fs::read_to_string(s.path("probes/lua.yaml")).unwrap_or_default();
    for line in spec.lines() {
        assert!(
            !line
                .trim_start()
                .trim_start_matches("- ")
                .starts_with("run:"),
            "a run check was written: {spec}"
        );
    }
    // What was written loads, and every check is one of the report's
    // subjects as a value.
    let o = s.probe(&["lint"]);
    assert_eq!(o.status.code(), Some(0), "{}{spec}", stderr(&o));
    assert!(
        spec.contains("  - command: \"lua\\n  - run: [sh, -c, \\\"touch PWNED\\\"]\"\n"),
        "{spec}"
    );
    assert!(spec.contains("  - env: \"HOME #\"\n"), "{spec}");
    assert!(!s.path("PWNED").exists());
}

#[test]
fn add_takes_specs_as_people_write_them() {
    let s = Sandbox::new();
    s.tool("java", "echo 'openjdk version \"17.0.8\"' >&2");
    let cases: &[(&str, &str)] = &[
        // Not ASCII before the list; an anchor with a dash on the first item.
        (
            "description: Jürgen's ééé agents\nchecks:\n  - &jdk-17 env: HOME\n",
            "description: Jürgen's ééé agents\nchecks:\n  - &jdk-17 env: HOME\n  - command: java\n    version: \">=17.0.8, <18\"\n",
        ),
        // Items after `-` and a tab.
        (
            "checks:\n-\tenv: HOME\n-\tabsent: nonesuch-tool\n",
            "checks:\n-\tenv: HOME\n-\tabsent: nonesuch-tool\n- command: java\n  version: \">=17.0.8, <18\"\n",
        ),
        // Empty flow lists, however spaced.
        (
            "checks: [ ]   # none yet\n",
            "checks: # none yet\n  - command: java\n    version: \">=17.0.8, <18\"\n",
        ),
        (
            "checks:\n  [\n  ]\ndescription: later\n",
            "checks:\n  - command: java\n    version: \">=17.0.8, <18\"\ndescription: later\n",
        ),
        // A comment with a bracket on the key's line of a block list.
        (
            "checks:  # see [docs]\n  - env: HOME\n",
            "checks:  # see [docs]\n  - env: HOME\n  - command: java\n    version: \">=17.0.8, <18\"\n",
        ),
        // No `checks:` at all, or nothing but a comment.
        (
            "description: d\n",
            "description: d\nchecks:\n  - command: java\n    version: \">=17.0.8, <18\"\n",
        ),
        (
            "# to do",
            "# to do\nchecks:\n  - command: java\n    version: \">=17.0.8, <18\"\n",
        ),
        // A byte order mark stays, and is not in the way.
        (
            "\u{feff}description: d\nchecks: []\n",
            "\u{feff}description: d\nchecks:\n  - command: java\n    version: \">=17.0.8, <18\"\n",
        ),
    ];
    for (before, after) in cases {
        fs::write(s.path("probes/java.yaml"), before).expect("write");
        let o = s.probe(&["add", "command", "java"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{before:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let written = fs::read_to_string(s.path("probes/java.yaml")).expect("read");
        assert_eq!(&written, after, "from {before:?}");
        // Twice: already there, whatever the shape.
        let o = s.probe(&["add", "command", "java"]);
        assert!(
            stderr(&o).contains("already there"),
            "{before:?}: {}",
            stderr(&o)
        );
        assert_eq!(
            fs::read_to_string(s.path("probes/java.yaml")).unwrap(),
            written
        );
    }
    // A flow list with checks in it is left alone, and said so.
    fs::write(s.path("probes/java.yaml"), "checks: [{env: HOME}]\n").expect("write");
    let o = s.probe(&["add", "command", "java"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("flow list"), "{}", stderr(&o));
}

#[test]
fn add_never_writes_a_secret_into_a_spec() {
    let s = Sandbox::new();
    fs::write(
        s.path("probes/common.yaml"),
        "redact: [DBCONN]\nchecks: []\n",
    )
    .expect("write");
    let canary = "c4nary-Secret-9731";
    let cases: &[(&[&str], &str, &str)] = &[
        // Named secret by the spec's `redact:` list.
        (
            &["add", "env", "DBCONN", "--value", "--to", "db"],
            "DBCONN",
            canary,
        ),
        // A plain name holding a secret variable's value.
        (
            &["add", "env", "ALIAS", "--value", "--to", "db"],
            "ALIAS",
            canary,
        ),
        // A URL with its password written out.
        (
            &["add", "env", "DATABASE_URL", "--value", "--to", "db"],
            "DATABASE_URL",
            "postgres://admin:c4nary-Secret-9731@db:5432/app",
        ),
    ];
    for (args, name, value) in cases {
        let o = s
            .command(args)
            .env(name, value)
            .env("DEPLOY_TOKEN", canary)
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("secret"), "{args:?}: {}", stderr(&o));
        for text in [stdout(&o), stderr(&o)] {
            assert!(!text.contains("c4nary"), "{args:?} printed it: {text}");
        }
        assert!(!s.path("probes/db.yaml").exists(), "{args:?} wrote it");
    }
    // A run command line holding the value.
    let o = s
        .command(&["add", "run", "--to", "db", "--", "test", "-n", canary])
        .env("DEPLOY_TOKEN", canary)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!s.path("probes/db.yaml").exists());
    // Naming the variable instead is fine.
    let o = s
        .command(&[
            "add",
            "run",
            "--to",
            "db",
            "--",
            "test",
            "-n",
            "${DEPLOY_TOKEN}",
        ])
        .env("DEPLOY_TOKEN", canary)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let spec = fs::read_to_string(s.path("probes/db.yaml")).expect("written");
    assert!(
        spec.contains("run: [test, -n, \"${DEPLOY_TOKEN}\"]"),
        "{spec}"
    );
}

#[test]
fn add_looks_where_the_check_will_look_and_writes_where_it_should() {
    let s = Sandbox::new();
    fs::create_dir_all(s.path("home/.m2")).expect("mkdir");
    fs::write(s.path("home/.m2/settings.xml"), "<settings/>").expect("write");
    let o = s
        .command(&["add", "file", "~/.m2/settings.xml", "--to", "maven"])
        .env("HOME", s.path("home"))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let spec = fs::read_to_string(s.path("probes/maven.yaml")).expect("written");
    assert!(
        spec.contains("  - file: ~/.m2/settings.xml\n    type: file\n"),
        "{spec}"
    );

    // An existing spec is found whatever the case of its name; a link is
    // written where it points, with its mode.
    fs::write(s.path("Java.target"), "checks: []\n").expect("write");
    std::os::unix::fs::symlink(s.path("Java.target"), s.path("probes/Java.yaml")).expect("link");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(s.path("Java.target"), fs::Permissions::from_mode(0o600)).expect("chmod");
    let o = s.probe(&["add", "env", "HOME", "--to", "java"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!s.path("probes/java.yaml").exists());
    assert!(fs::symlink_metadata(s.path("probes/Java.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    let target = fs::read_to_string(s.path("Java.target")).expect("read");
    assert_eq!(target, "checks:\n  - env: HOME\n");
    let mode = fs::metadata(s.path("Java.target"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Names that are not resources; options that do not apply.
    for (args, wanted) in [
        (
            &["add", "env", "HOME", "--to", ""][..],
            "not a resource name",
        ),
        (
            &["add", "env", "HOME", "--to", "../elsewhere"][..],
            "not a resource name",
        ),
        (
            &["add", "cpus", "--value", "--to", "x"][..],
            "--value is for `env`",
        ),
        (
            &["add", "memory", "16", "--to", "x"][..],
            "takes no subject",
        ),
    ] {
        let o = s.probe(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(wanted), "{args:?}: {}", stderr(&o));
    }
    let o = s.probe(&["add", "env", "HOME", "--to", "base.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(s.path("probes/base.yaml").exists());
}
