//! `probe add` on a made-up machine: for every kind, the check written
//! passes on the machine it was read from, and fails once the machine
//! changes.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::catalog::load;
use crate::checks::{evaluate, Budget, Status};
use crate::redact::Redactor;
use crate::spec::OsFamily;
use crate::world::fake::{exited, FakeWorld};
use crate::world::{FileKind, Lookup, Protocol, ServiceInfo, ServiceState, StartType};

const PASSWD: &str = "root:x:0:0::/root:/bin/sh\ngo:x:998:998::/var/go:/bin/bash\n";
const GROUP: &str = "root:x:0:\ndocker:x:999:go\ngo:x:998:\n";
const STATUS: &str =
    "Package: git\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:2.39.2-1.1\n";

/// A Linux agent with something for every kind to find.
fn agent() -> FakeWorld {
    let mut w = FakeWorld::default()
        .on(OsFamily::Linux)
        .on_arch("x86_64")
        .with_cpus(4)
        .with_memory(Some(8 << 30))
        .with_disk("/var/go", 50 << 30)
        .var("PATH", "/usr/local/bin:/usr/bin")
        .var("JAVA_HOME", "/opt/jdk")
        .tool(
            "java",
            "--version",
            exited(1, "", "Unrecognized option: --version\n"),
        )
        .tool(
            "java",
            "-version",
            exited(0, "", "openjdk version \"17.0.8\" 2023-07-18\n"),
        )
        .tool(
            "lua",
            "--version",
            exited(1, "", "lua: unrecognized option '--version'\n"),
        )
        .tool(
            "lua",
            "-version",
            exited(1, "", "lua: unrecognized option '-version'\n"),
        )
        .tool(
            "lua",
            "-v",
            exited(0, "Lua 5.4.6  Copyright (C) 1994-2023 Lua.org\n", ""),
        )
        .tool("luarocks", "list", exited(0, "busted\n", ""))
        .tool_at(
            "/opt/jdk/bin/java",
            "--version",
            exited(0, "openjdk 17.0.8 2023-07-18\n", ""),
        )
        .file("/etc/passwd", FileKind::File, 0o644, PASSWD)
        .file("/etc/group", FileKind::File, 0o644, GROUP)
        .file("/var/lib/dpkg/status", FileKind::File, 0o644, STATUS)
        .file("/var/run/docker.sock", FileKind::Socket, 0o660, "")
        .owned("/var/run/docker.sock", 0, 999)
        .file(
            "/proc/sys/vm/max_map_count",
            FileKind::File,
            0o644,
            "262144\n",
        )
        .file(
            "/proc/self/mountinfo",
            FileKind::File,
            0o444,
            "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:5 / /tmp rw - tmpfs tmpfs rw\n",
        )
        .file("/run/systemd/system", FileKind::Dir, 0o755, "")
        .tool(
            "systemctl",
            "show --property=LoadState,ActiveState,SubState,UnitFileState -- docker.service",
            exited(
                0,
                "LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n",
                "",
            ),
        )
        .running("dockerd")
        .running_as(998, 998, &[998, 999])
        .listening("localhost:5432", "127.0.0.1:5432")
        .resolving("nexus.corp", &["10.0.0.7"])
        .page("https://nexus.corp/", 200, &[], "ok");
    w.listeners = Some(vec![(Protocol::Tcp, "0.0.0.0:8153".parse().unwrap())]);
    w.services = vec![ServiceInfo {
        name: "docker".into(),
        display_name: "Docker".into(),
        state: ServiceState::Running,
        start: StartType::Automatic,
    }];
    w.lookup_as("python2", Lookup::Missing)
}

/// What makes a check written on `agent()` fail.
type Change = Box<dyn Fn(FakeWorld) -> FakeWorld>;

fn addition(kind: &str, subject: &str) -> Addition {
    Addition {
        kind: kind.into(),
        subject: subject.into(),
        wanted: Wanted::default(),
        hint: None,
    }
}

/// Adds the check to `agent.yaml` in `dir`; the lines written.
fn add(dir: &Path, world: &FakeWorld, a: Addition) -> Vec<String> {
    let applied = apply(
        dir,
        "agent",
        "a test agent",
        &Source::Observe(vec![a.clone()]),
        world,
        &Redactor::default(),
        false,
    )
    .unwrap_or_else(|e| panic!("{} {}: {e}", a.kind, a.subject));
    match &applied.results[0].1 {
        Ok(Added::Written(lines)) => lines.clone(),
        other => panic!("{} {}: {other:?}", a.kind, a.subject),
    }
}

/// The last check of agent.yaml, evaluated on `world`.
fn last_on(dir: &Path, world: &FakeWorld) -> Status {
    let catalog = load(dir).expect("loads");
    let check = catalog
        .find("agent")
        .and_then(|r| r.checks.last().cloned())
        .expect("a check");
    let budget = Budget {
        default_timeout: Duration::from_secs(10),
        deadline: Instant::now() + Duration::from_secs(60),
    };
    evaluate(&check, world, &budget, &Redactor::default()).status
}

#[test]
fn every_kind_writes_a_check_that_passes_here_and_fails_once_the_machine_changes() {
    // (kind, subject, the machine changed so that the check fails)
    let cases: Vec<(&str, &str, Change)> = vec![
        (
            "command",
            "java",
            Box::new(|w| {
                w.tool(
                    "java",
                    "-version",
                    exited(0, "", "openjdk version \"11.0.2\"\n"),
                )
            }),
        ),
        (
            "command",
            "lua",
            Box::new(|w| w.lookup_as("lua", Lookup::Missing)),
        ),
        (
            "command",
            "${JAVA_HOME}/bin/java",
            Box::new(|w| w.var("JAVA_HOME", "/opt/jdk-8")),
        ),
        (
            "absent",
            "python2",
            Box::new(|w| w.tool("python2", "", exited(0, "", ""))),
        ),
        (
            "run",
            "luarocks list",
            Box::new(|w| w.tool("luarocks", "list", exited(1, "", "broken\n"))),
        ),
        (
            "env",
            "JAVA_HOME",
            Box::new(|mut w| {
                w.vars.remove("JAVA_HOME");
                w
            }),
        ),
        (
            "path_contains",
            "/usr/local/bin",
            Box::new(|w| w.var("PATH", "/usr/bin")),
        ),
        (
            "file",
            "/var/run/docker.sock",
            Box::new(|w| w.owned("/var/run/docker.sock", 0, 0)),
        ),
        (
            "user",
            "current",
            Box::new(|w| w.running_as(998, 998, &[998])),
        ),
        (
            "group",
            "docker",
            Box::new(|w| w.file("/etc/group", FileKind::File, 0o644, "root:x:0:\n")),
        ),
        (
            "package",
            "git",
            Box::new(|w| {
                w.file(
                    "/var/lib/dpkg/status",
                    FileKind::File,
                    0o644,
                    "Package: git\nStatus: install ok installed\nVersion: 1:3.0.0-1\n",
                )
            }),
        ),
        (
            "service",
            "docker",
            Box::new(|w| {
                w.tool(
            "systemctl",
            "show --property=LoadState,ActiveState,SubState,UnitFileState -- docker.service",
            exited(0, "LoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=enabled\n", ""),
        )
            }),
        ),
        ("platform", "", Box::new(|w| w.on(OsFamily::Macos))),
        ("arch", "", Box::new(|w| w.on_arch("aarch64"))),
        ("cpus", "", Box::new(|w| w.with_cpus(1))),
        ("memory", "", Box::new(|w| w.with_memory(Some(1 << 30)))),
        (
            "disk",
            "/var/go",
            Box::new(|w| w.with_disk("/var/go", 1 << 30)),
        ),
        (
            "process",
            "dockerd",
            Box::new(|mut w| {
                w.processes.clear();
                w
            }),
        ),
        (
            "tcp",
            "localhost:5432",
            Box::new(|mut w| {
                w.ports.clear();
                w
            }),
        ),
        (
            "port",
            "8153",
            Box::new(|mut w| {
                w.listeners = Some(Vec::new());
                w
            }),
        ),
        (
            "http",
            "https://nexus.corp/",
            Box::new(|w| w.page("https://nexus.corp/", 503, &[], "down")),
        ),
        (
            "dns",
            "nexus.corp",
            Box::new(|w| w.resolving("nexus.corp", &[])),
        ),
        (
            "sysctl",
            "vm.max_map_count",
            Box::new(|w| {
                w.file(
                    "/proc/sys/vm/max_map_count",
                    FileKind::File,
                    0o644,
                    "65530\n",
                )
            }),
        ),
        (
            "mount",
            "/tmp",
            Box::new(|w| {
                w.file(
                    "/proc/self/mountinfo",
                    FileKind::File,
                    0o444,
                    "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n",
                )
            }),
        ),
    ];
    let covered: Vec<&str> = cases.iter().map(|(k, _, _)| *k).collect();
    for kind in crate::checks::kind_keys() {
        assert!(covered.contains(&kind), "no case for `{kind}`");
    }
    for (kind, subject, change) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let lines = add(dir.path(), &agent(), addition(kind, subject));
        assert_eq!(
            last_on(dir.path(), &agent()),
            Status::Pass,
            "{kind} {subject}: {lines:?}"
        );
        let changed = change(agent());
        assert_ne!(
            last_on(dir.path(), &changed),
            Status::Pass,
            "{kind} {subject} still passes: {lines:?}"
        );
    }
}

#[test]
fn a_command_gets_the_arguments_that_print_its_version_and_a_range_by_pin() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        add(dir.path(), &agent(), addition("command", "lua")),
        ["command: lua", "args: [-v]", "version: \">=5.4.6, <6\""]
    );
    let mut minor = addition("command", "java");
    minor.wanted.pin = Pin::Minor;
    assert_eq!(
        add(dir.path(), &agent(), minor),
        [
            "command: java",
            "args: [-version]",
            "version: \">=17.0.8, <17.1\""
        ]
    );
    // A tool that prints no version anywhere is only looked for.
    let quiet = agent().tool("make", "--version", exited(0, "no numbers here\n", ""));
    assert_eq!(
        add(dir.path(), &quiet, addition("command", "make")),
        ["command: make"]
    );
}

#[test]
fn what_this_machine_lacks_or_hides_is_not_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let applied = apply(
        dir.path(),
        "agent",
        "x",
        &Source::Observe(vec![addition("command", "gradle"), addition("env", "NOPE")]),
        &agent(),
        &Redactor::default(),
        false,
    )
    .expect("applies");
    assert!(!applied.changed);
    assert!(!dir.path().join("agent.yaml").exists());
    let errors: Vec<String> = applied
        .results
        .iter()
        .filter_map(|(_, r)| r.clone().err())
        .collect();
    assert_eq!(
        errors,
        ["`gradle` is not on PATH here", "$NOPE is not set here"]
    );
    let mut secret = addition("env", "DEPLOY_TOKEN");
    secret.wanted.value = true;
    let world = agent().var("DEPLOY_TOKEN", "s3cr3t");
    let mut secrets = Redactor::default();
    secrets.learn(crate::world::World::vars(&world));
    let applied = apply(
        dir.path(),
        "agent",
        "x",
        &Source::Observe(vec![secret]),
        &world,
        &secrets,
        false,
    )
    .expect("applies");
    let err = applied.results[0].1.clone().unwrap_err();
    assert!(err.contains("is a secret"), "{err}");
}
