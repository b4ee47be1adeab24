//! The Dockerfile build-time check and a small fleet of agents, on a real
//! Docker engine.
//!
//! No image registry is needed: every image is built `FROM scratch` from
//! examples/docker/Dockerfile.scratch (the shipped file, plus a LABEL that
//! marks this run's images for clean-up), with Debian's busybox-static for a
//! shell, fake tools (shell scripts printing versions), the static probe and
//! the specs below.
//!
//! Each test prints a line starting with `SKIPPED:` on stderr and returns when
//! it cannot run: `docker info` fails (no engine, or no access to it),
//! busybox-static is not installed, or the static probe cannot be had (no
//! PROBE_STATIC_BIN and no x86_64-unknown-linux-musl target). A broken
//! PROBE_STATIC_BIN or a failing build of the probe is a test failure, and
//! with PROBE_REQUIRE_DOCKER=1 (as CI sets it) so is every skip.
//!
//! The static probe: `$PROBE_STATIC_BIN` (CI sets it to what
//! scripts/check-size.sh built), else built here with
//! `cargo build --release --target x86_64-unknown-linux-musl` into
//! target/docker-tests (the running `cargo test` holds target/'s lock).
//!
//! `elastic` (docker/elastic.rs) starts containers as GoCD's elastic agent
//! plugins do, from examples/elastic-agent/'s image, with the same setup.
#![cfg(unix)]

mod elastic;

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MUSL: &str = "x86_64-unknown-linux-musl";
const BUSYBOX: &str = "/bin/busybox";
const DOCKERFILE: &str = include_str!("../../examples/docker/Dockerfile.scratch");
/// The shipped Dockerfile's first stage; the clean-up label goes after it.
const AGENT_STAGE: &str = "FROM scratch AS agent";
/// Label on every image (intermediate ones too) that a test builds.
const LABEL: &str = "org.example.probe-docker-test";
const VERSION: &str = env!("CARGO_PKG_VERSION");

// ---------------------------------------------------------------------------
// Specs and tools: small copies of the shipped specs, without the checks
// that depend on the size of the machine (CPUs, memory, free disk).

const COMMON: &str = "\
description: What every agent needs (test copy)
checks:
  - command: sh
  - file: /tmp
    type: dir
    hint: create /tmp in the image
";

const LINUX: &str = "\
description: Linux agent (test copy)
checks:
  - platform: linux
  - command: git
    version: '>=2.30'
    hint: install git 2.30 or newer (apt-get install git)
  - command: tar
  - command: gzip
  - path_contains: /usr/local/bin
";

const LUA: &str = "\
description: Lua toolchain for busted suites (test copy)
requires: [linux]
checks:
  - command: lua
    version: '>=5.3, <5.5'
    args: [-v]
    hint: install Lua 5.3 or 5.4 (apt-get install lua5.4)
  - command: busted
    version: '>=2'
    hint: luarocks install busted
  - absent: python2
";

const JAVA: &str = "\
description: JDK 17 or newer (test copy)
requires: [linux]
checks:
  - command: java
    args: [-version]
    version: '>=17'
  - env: JAVA_HOME
  - file: ${JAVA_HOME}/bin/java
    type: file
    executable: true
";

const SPECS: &[(&str, &str)] = &[
    ("common", COMMON),
    ("linux", LINUX),
    ("lua", LUA),
    ("java", JAVA),
];

const GIT: (&str, &str) = ("git", "echo 'git version 2.43.0'");
const LUA_54: (&str, &str) = (
    "lua",
    "echo 'Lua 5.4.6  Copyright (C) 1994-2023 Lua.org, PUC-Rio'",
);
/// Lua 5.1 prints its version on stderr.
const LUA_51: (&str, &str) = (
    "lua",
    "echo 'Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio' >&2",
);
/// Another Lua 5.4: two agents, both passing, that differ.
const LUA_544: (&str, &str) = (
    "lua",
    "echo 'Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio'",
);
const BUSTED: (&str, &str) = ("busted", "echo 2.2.0");
const JAVA_17: (&str, &str) = (
    "java",
    "echo 'openjdk version \"17.0.8.1\" 2023-08-24' >&2\necho 'OpenJDK Runtime Environment Temurin-17.0.8.1+1' >&2",
);

// ---------------------------------------------------------------------------
// What the tests need from this machine; None (after a SKIPPED: line) when
// they cannot run here.

struct Setup {
    probe: PathBuf,
    /// BuildKit (buildx) is there: ask it for plain progress, which shows
    /// RUN output. The legacy builder shows it anyway and knows no
    /// `--progress`.
    buildkit: bool,
}

fn setup(test: &str) -> Option<&'static Setup> {
    static SETUP: OnceLock<Result<Setup, String>> = OnceLock::new();
    match SETUP.get_or_init(find_setup) {
        Ok(setup) => Some(setup),
        Err(why) => {
            // CI runs on a machine with an engine: there a skip is a failure.
            assert!(
                std::env::var_os("PROBE_REQUIRE_DOCKER").is_none(),
                "PROBE_REQUIRE_DOCKER is set but docker::{test} cannot run: {why}"
            );
            // Straight to stderr, not eprintln!: the test harness captures
            // (and hides) the macros' output of passing tests.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "SKIPPED: docker::{test}: {why}");
            None
        }
    }
}

fn find_setup() -> Result<Setup, String> {
    let info = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("no Docker engine: cannot run `docker info`: {e}"))?;
    let server = String::from_utf8_lossy(&info.stdout).trim().to_string();
    if !info.status.success() || server.is_empty() {
        return Err(format!(
            "no Docker engine: `docker info` failed ({}): {}",
            info.status,
            String::from_utf8_lossy(&info.stderr).trim()
        ));
    }
    busybox_static()?;
    let buildkit = Command::new("docker")
        .args(["buildx", "version"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let probe = static_probe()?;
    eprintln!(
        "docker tests: engine {server}, {} builder, static probe {}",
        if buildkit { "BuildKit" } else { "legacy" },
        probe.display()
    );
    Ok(Setup { probe, buildkit })
}

/// Debian's busybox-static, installed: its /bin/busybox is statically
/// linked, so it runs in a scratch image (the `busybox` package's does not).
fn busybox_static() -> Result<(), String> {
    let status = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "busybox-static"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| {
            format!("busybox-static is not installed (no dpkg-query: {e}); this test needs Debian's busybox-static")
        })?;
    let status = String::from_utf8_lossy(&status.stdout).trim().to_string();
    if status != "install ok installed" || !Path::new(BUSYBOX).is_file() {
        return Err(format!(
            "busybox-static is not installed (dpkg: {:?}; the scratch images' shell is its {BUSYBOX}): \
             apt-get install -y busybox-static",
            if status.is_empty() { "unknown package" } else { status.as_str() }
        ));
    }
    Ok(())
}

/// `$PROBE_STATIC_BIN`, else a fresh musl build in target/docker-tests.
fn static_probe() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(bin) = std::env::var_os("PROBE_STATIC_BIN").filter(|b| !b.is_empty()) {
        let bin = root.join(bin);
        // Set but wrong is a broken setup, not a reason to skip.
        assert!(
            bin.is_file(),
            "PROBE_STATIC_BIN={} does not exist",
            bin.display()
        );
        return Ok(bin);
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err(format!(
            "PROBE_STATIC_BIN is not set and {MUSL} binaries do not run here"
        ));
    }
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("PROBE_STATIC_BIN is not set and rustc cannot be run: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot.join("lib/rustlib").join(MUSL).join("lib").is_dir() {
        return Err(format!(
            "PROBE_STATIC_BIN is not set and the {MUSL} target is not installed \
             (rustup target add {MUSL}, or bash scripts/build-static.sh)"
        ));
    }
    let target_dir = root.join("target/docker-tests");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "docker tests: building the static probe into {}",
        target_dir.display()
    );
    let started = Instant::now();
    // The script knows which C compiler builds ring for musl.
    let out = Command::new("bash")
        .arg("scripts/build-static.sh")
        .env("CARGO", cargo)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/build-static.sh");
    assert!(
        out.status.success(),
        "scripts/build-static.sh failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "docker tests: built the static probe in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(target_dir.join(MUSL).join("release/probe"))
}

// ---------------------------------------------------------------------------
// Running docker.

/// What a command did; `log` is stdout and stderr interleaved, in order.
struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn log(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A started `docker` command whose output goes to files.
struct Running {
    child: std::process::Child,
    what: String,
    out: PathBuf,
    err: PathBuf,
    _dir: tempfile::TempDir,
}

/// Starts `docker args…`. With `combined`, stderr goes to the same file as
/// stdout (in order, as a terminal would show it) and `Ran::stderr` is empty.
fn start(args: &[String], combined: bool) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("stdout");
    let err = dir.path().join("stderr");
    let out_file = File::create(&out).expect("stdout file");
    let err_file = if combined {
        out_file.try_clone().expect("clone")
    } else {
        File::create(&err).expect("stderr file")
    };
    let child = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .expect("run docker");
    Running {
        child,
        what: format!("docker {}", args.join(" ")),
        out,
        err,
        _dir: dir,
    }
}

impl Running {
    fn wait(mut self) -> Ran {
        let timeout = Duration::from_secs(180);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > timeout {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not finish in {timeout:?}:\n{}",
                    self.what,
                    fs::read_to_string(&self.out).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let read =
            |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned();
        Ran {
            status,
            stdout: read(&self.out),
            stderr: read(&self.err),
        }
    }
}

fn docker(args: &[&str]) -> Ran {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    start(&args, false).wait()
}

fn unique(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("probe-test-{test}-{}-{nanos}", std::process::id())
}

/// Removes this test's containers and every image carrying its label
/// (intermediate images of a failed legacy build too), also when the test
/// panics.
struct Cleanup {
    label: String,
    containers: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !self.containers.is_empty() {
            let mut args = vec!["rm", "-f"];
            args.extend(self.containers.iter().map(String::as_str));
            docker(&args);
        }
        let filter = format!("label={LABEL}={}", self.label);
        // Removing an image removes its untagged parents; one that still has
        // children is refused, and goes in a later round.
        for _ in 0..5 {
            let ids = docker(&["images", "-aq", "--filter", &filter]).stdout;
            let mut ids: Vec<&str> = ids.split_whitespace().collect();
            if ids.is_empty() {
                return;
            }
            ids.sort_unstable();
            ids.dedup();
            let mut args = vec!["rmi", "-f"];
            args.extend(ids);
            docker(&args);
        }
        eprintln!("warning: images labelled {filter} are left over");
    }
}

// ---------------------------------------------------------------------------
// Build contexts.

/// A build context: busybox, the static probe, `tools/`, `probes/`, and the
/// shipped Dockerfile.scratch with this test's label.
fn context(setup: &Setup, label: &str, tools: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |rel: &str| dir.path().join(rel);
    fs::copy(BUSYBOX, at("busybox")).expect("copy busybox");
    fs::copy(&setup.probe, at("probe")).expect("copy the static probe");
    fs::set_permissions(at("probe"), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::create_dir(at("tools")).expect("tools");
    for (name, script) in tools {
        let path = at(&format!("tools/{name}"));
        fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("write tool");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    fs::create_dir(at("probes")).expect("probes");
    for (resource, yaml) in SPECS {
        fs::write(at(&format!("probes/{resource}.yaml")), yaml).expect("write spec");
    }
    fs::write(at("Dockerfile"), labelled_dockerfile(label)).expect("Dockerfile");
    dir
}

fn labelled_dockerfile(label: &str) -> String {
    assert_eq!(
        DOCKERFILE
            .lines()
            .filter(|l| l.trim() == AGENT_STAGE)
            .count(),
        1,
        "examples/docker/Dockerfile.scratch must have one `{AGENT_STAGE}` line"
    );
    let mut out = String::new();
    for line in DOCKERFILE.lines() {
        out.push_str(line);
        out.push('\n');
        if line.trim() == AGENT_STAGE {
            out.push_str(&format!("LABEL {LABEL}={label}\n"));
        }
    }
    out
}

/// `docker build` of a context, without network or cache; the log holds the
/// build output with the probe's report.
fn build(setup: &Setup, dir: &Path, tag: &str, target: Option<&str>) -> Running {
    let flags: Vec<String> = match target {
        Some(target) => vec!["--target".into(), target.into()],
        None => Vec::new(),
    };
    build_with(setup, dir, tag, &flags)
}

/// `build` with more flags of `docker build` (`--target`, `--build-arg`).
fn build_with(setup: &Setup, dir: &Path, tag: &str, flags: &[String]) -> Running {
    let mut args: Vec<String> = vec!["build".into(), "--no-cache".into(), "--force-rm".into()];
    if setup.buildkit {
        args.push("--progress=plain".into());
    }
    args.extend(["--network", "none", "-t", tag].map(String::from));
    args.extend(flags.iter().cloned());
    args.push(dir.display().to_string());
    start(&args, true)
}

fn image_exists(tag: &str) -> bool {
    docker(&["image", "inspect", tag]).status.success()
}

fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

// ---------------------------------------------------------------------------
// Test A: the probe as a RUN step of an image build.

#[test]
fn the_build_succeeds_when_the_image_satisfies_the_spec() {
    let Some(setup) = setup("the_build_succeeds_when_the_image_satisfies_the_spec") else {
        return;
    };
    let started = Instant::now();
    let name = unique("build-ok");
    let _cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    let ctx = context(setup, &name, &[GIT, LUA_54, BUSTED]);
    let ran = build(setup, ctx.path(), &name, None).wait();
    let log = ran.log();
    eprintln!("---- docker build (passing) ----\n{log}--------");
    assert!(ran.status.success(), "the build failed:\n{log}");
    assert_contains(
        &log,
        &[
            &format!("probe {VERSION} on "),
            "resources: common, linux, lua",
            "PASS   command lua",
            "lua 5.4.6",
            "PASS   command busted",
            "PASS   absent python2",
            "PASS   file /tmp",
            "PASSED  all 10 checks passed",
        ],
    );
    assert!(!log.contains("FAIL"), "{log}");
    assert!(image_exists(&name), "the image {name} was not tagged");
    eprintln!(
        "the_build_succeeds_when_the_image_satisfies_the_spec: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn the_build_fails_with_the_failing_checks_in_its_output() {
    let Some(setup) = setup("the_build_fails_with_the_failing_checks_in_its_output") else {
        return;
    };
    let started = Instant::now();
    let name = unique("build-fail");
    let _cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    // The wrong Lua, and no busted.
    let ctx = context(setup, &name, &[GIT, LUA_51]);
    let ran = build(setup, ctx.path(), &name, None).wait();
    let log = ran.log();
    eprintln!("---- docker build (failing) ----\n{log}--------");
    assert!(!ran.status.success(), "the build passed:\n{log}");
    assert_contains(
        &log,
        &[
            &format!("probe {VERSION} on "),
            "PASS   command git",
            "FAIL   command lua",
            "lua 5.1.5 is not in >=5.3, <5.5",
            "expected: `lua` on PATH, version >=5.3, <5.5",
            "found:    5.1.5",
            "where:    /usr/local/bin/lua",
            "output:   Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio",
            "spec:     /probes/lua.yaml:4",
            "hint:     install Lua 5.3 or 5.4 (apt-get install lua5.4)",
            "FAIL   command busted",
            "`busted` is not on PATH",
            "hint:     luarocks install busted",
            "FAILED  2 of 10 checks failed (8 passed)",
        ],
    );
    // It is the probe's RUN step that failed the build, with the probe's status.
    assert!(
        log.contains("returned a non-zero code: 1") || log.contains("exit code: 1"),
        "the build did not fail on the probe's exit status 1:\n{log}"
    );
    assert!(!image_exists(&name), "a failed build tagged {name}");
    eprintln!(
        "the_build_fails_with_the_failing_checks_in_its_output: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// Test B: a fleet of three agents, each running `probe --agent` as the
// fleet pipeline's run-on-all job would.

struct Agent {
    host: &'static str,
    resources: &'static str,
    tools: &'static [(&'static str, &'static str)],
    env: &'static [&'static str],
}

const FLEET: &[Agent] = &[
    Agent {
        host: "agent-1",
        resources: "linux,lua",
        tools: &[GIT, LUA_54, BUSTED],
        env: &[],
    },
    Agent {
        host: "agent-2",
        resources: "Linux,Java",
        tools: &[GIT, JAVA_17],
        env: &["JAVA_HOME=/usr/local"],
    },
    Agent {
        host: "agent-3",
        resources: "linux,lua",
        tools: &[GIT, LUA_544],
        env: &[],
    },
];

#[test]
fn in_a_fleet_exactly_the_broken_agent_fails_and_its_report_names_it() {
    let Some(setup) = setup("in_a_fleet_exactly_the_broken_agent_fails_and_its_report_names_it")
    else {
        return;
    };
    let started = Instant::now();
    let name = unique("fleet");
    let mut cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };

    // The agents' images: the shipped Dockerfile's `agent` stage, without
    // the build-time check (agent-3 would not build).
    let contexts: Vec<_> = FLEET
        .iter()
        .map(|a| context(setup, &name, a.tools))
        .collect();
    let builds: Vec<_> = FLEET
        .iter()
        .zip(&contexts)
        .map(|(a, ctx)| {
            build(
                setup,
                ctx.path(),
                &format!("{name}-{}", a.host),
                Some("agent"),
            )
        })
        .collect();
    // Wait for all before asserting: a build still running would add images
    // after the clean-up.
    let built: Vec<Ran> = builds.into_iter().map(Running::wait).collect();
    for (a, ran) in FLEET.iter().zip(built) {
        assert!(ran.status.success(), "building {}:\n{}", a.host, ran.log());
    }

    // Run them at once, as GoCD would run the job on every agent.
    let runs: Vec<_> = FLEET
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let container = format!("{name}-{}", a.host);
            cleanup.containers.push(container.clone());
            let mut args: Vec<String> = vec![
                "run".into(),
                "--name".into(),
                container,
                "--hostname".into(),
                a.host.into(),
                "--network".into(),
                "none".into(),
                "--workdir".into(),
                "/tmp".into(),
            ];
            let mut env = vec![
                format!("GO_AGENT_RESOURCES={}", a.resources),
                "GO_PIPELINE_NAME=agent-infrastructure".into(),
                "GO_PIPELINE_COUNTER=42".into(),
                "GO_STAGE_NAME=check".into(),
                "GO_STAGE_COUNTER=1".into(),
                format!("GO_JOB_NAME=probe-runOnAll-{}", i + 1),
                "GO_SERVER_URL=https://gocd.example.com/go".into(),
            ];
            env.extend(a.env.iter().map(|e| e.to_string()));
            for e in env {
                args.extend(["--env".to_string(), e]);
            }
            args.push(format!("{name}-{}", a.host));
            args.extend(
                [
                    "/probe",
                    "--agent",
                    "--probes",
                    "/probes",
                    "--report",
                    "json=probe-report.json",
                    "--report",
                    "junit=probe-junit.xml",
                ]
                .map(String::from),
            );
            start(&args, false)
        })
        .collect();
    let ran: Vec<Ran> = runs.into_iter().map(Running::wait).collect();

    let out = tempfile::tempdir().expect("tempdir");
    let mut failed = Vec::new();
    for ((i, a), r) in FLEET.iter().enumerate().zip(&ran) {
        eprintln!(
            "---- {} ({}): exit {:?} ----\n{}{}--------",
            a.host,
            a.resources,
            r.status.code(),
            r.stdout,
            r.stderr
        );
        // Written also when checks fail: copy them out, as GoCD uploads
        // artifacts.
        let container = format!("{name}-{}", a.host);
        let json_path = out.path().join(format!("{}.json", a.host));
        let junit_path = out.path().join(format!("{}.xml", a.host));
        for (file, to) in [
            ("probe-report.json", &json_path),
            ("probe-junit.xml", &junit_path),
        ] {
            let cp = docker(&[
                "cp",
                &format!("{container}:/tmp/{file}"),
                &to.display().to_string(),
            ]);
            assert!(cp.status.success(), "docker cp {file}: {}", cp.log());
        }
        let report: serde_json::Value =
            serde_json::from_slice(&fs::read(&json_path).expect("json report")).expect("JSON");
        let junit = fs::read_to_string(&junit_path).expect("junit report");

        // Every report says which agent it is about.
        assert_eq!(report["host"]["hostname"], a.host, "{report}");
        assert_eq!(report["host"]["os"], "linux");
        assert_eq!(
            report["agent"]["job_name"],
            format!("probe-runOnAll-{}", i + 1)
        );
        assert_eq!(report["agent"]["pipeline_counter"], "42");
        let advertised: Vec<&str> = a.resources.split(',').collect();
        assert_eq!(report["agent"]["resources"], serde_json::json!(advertised));
        assert_contains(
            &r.stdout,
            &[
                &format!("probe {VERSION} on {} (linux, x86_64)", a.host),
                &format!(
                    "GoCD: pipeline agent-infrastructure #42, stage check #1, job probe-runOnAll-{}",
                    i + 1
                ),
            ],
        );
        // Not a terminal: no colour in the job's console log.
        assert!(!r.stdout.contains('\u{1b}'), "colour in:\n{}", r.stdout);
        let suites = junit_parser::from_reader(std::io::Cursor::new(junit.as_bytes()))
            .unwrap_or_else(|e| panic!("JUnit does not parse ({e}):\n{junit}"));
        // GoCD's Tests tab shows only a failing test case's name and text.
        let failing_cases: Vec<(String, String)> = suites
            .suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter_map(|c| match &c.status {
                junit_parser::TestStatus::Failure(f) => {
                    Some((c.original_name.clone(), f.text.clone()))
                }
                junit_parser::TestStatus::Error(e) => {
                    Some((c.original_name.clone(), e.text.clone()))
                }
                _ => None,
            })
            .collect();

        let checks = report["checks"].as_array().expect("checks");
        let ids: Vec<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
        let failing: Vec<&str> = checks
            .iter()
            .filter(|c| c["status"] != "pass")
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(
            r.status.code() == Some(0),
            report["summary"]["ok"] == true,
            "exit status and summary.ok disagree: {report}"
        );
        match a.host {
            "agent-1" => {
                assert!(ids.contains(&"lua/command:busted"), "{ids:?}");
                assert!(!ids.iter().any(|id| id.starts_with("java/")), "{ids:?}");
            }
            "agent-2" => {
                assert!(ids.contains(&"java/file:${JAVA_HOME}/bin/java"), "{ids:?}");
                assert!(!ids.iter().any(|id| id.starts_with("lua/")), "{ids:?}");
            }
            _ => {
                assert_eq!(failing, ["lua/command:busted"], "{report}");
                assert_contains(
                    &r.stdout,
                    &[
                        "FAIL   command busted",
                        "`busted` is not on PATH",
                        "hint:     luarocks install busted",
                        "FAILED  1 of 10 checks failed (9 passed)",
                    ],
                );
                let [(case, text)] = failing_cases.as_slice() else {
                    panic!("one failing test case expected:\n{junit}");
                };
                assert_eq!(case, "lua: command busted (version >=2) [agent-3]");
                assert_contains(
                    text,
                    &[
                        "hint: luarocks install busted",
                        "agent: agent-3 (linux x86_64)\n\
                         job: pipeline agent-infrastructure #42, stage check #1, job probe-runOnAll-3\n\
                         resources: linux, lua",
                    ],
                );
            }
        }
        if !r.status.success() {
            failed.push(a.host);
            assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
        } else {
            assert!(failing.is_empty(), "{failing:?}");
            assert!(failing_cases.is_empty(), "{failing_cases:?}");
        }
    }
    assert_eq!(failed, ["agent-3"], "exactly the broken agent fails");

    // One fleet report from the three agents' reports.
    let fleet = Command::new(env!("CARGO_BIN_EXE_probe"))
        .args(["fleet", "--format", "json", "--probes"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("probes"))
        .arg(out.path())
        .output()
        .expect("run probe fleet");
    let report: serde_json::Value = serde_json::from_slice(&fleet.stdout).unwrap_or_else(|e| {
        panic!(
            "probe fleet printed no JSON ({e}):\n{}{}",
            String::from_utf8_lossy(&fleet.stdout),
            String::from_utf8_lossy(&fleet.stderr)
        )
    });
    assert_eq!(fleet.status.code(), Some(1), "an agent failed: {report}");
    let failed_agents: Vec<&str> = report["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .filter(|a| a["ok"] == false)
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(failed_agents, ["agent-3"]);
    let checks = report["checks"].as_array().expect("checks");
    let failing: Vec<(&str, &serde_json::Value)> = checks
        .iter()
        .filter(|c| !c["failing_on"].as_array().is_some_and(|a| a.is_empty()))
        .map(|c| (c["id"].as_str().unwrap_or_default(), &c["failing_on"]))
        .collect();
    assert_eq!(
        failing,
        [("lua/command:busted", &serde_json::json!(["agent-3"]))],
        "{report}"
    );
    let lua = checks
        .iter()
        .find(|c| c["id"] == "lua/command:lua")
        .expect("lua");
    assert_eq!(lua["failing_on"], serde_json::json!([]), "both pass");
    assert_eq!(lua["drift"], true);
    assert_eq!(
        lua["values"],
        serde_json::json!([{"value": "5.4.4", "agents": 1}, {"value": "5.4.6", "agents": 1}])
    );
    eprintln!(
        "in_a_fleet_exactly_the_broken_agent_fails_and_its_report_names_it: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// Test C: what a bare container lacks (no init, no CA certificates, no
// package database, no passwd file) is said plainly, never passed.

const BARE: &str = "\
description: What a FROM-scratch container has and has not
checks:
  - service: docker
  - service: docker
    no_manager: skip
  - http: https://localhost:1/
  - package: busybox
  - user: root
  - user: current
    uid: 0
    groups: [root]
  - port: 1
  - mount: /proc
    fstype: proc
  - sysctl: kernel.ostype
    equals: Linux
";

#[test]
fn a_bare_container_says_what_it_lacks() {
    let Some(setup) = setup("a_bare_container_says_what_it_lacks") else {
        return;
    };
    let name = unique("bare");
    let mut cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    let ctx = context(setup, &name, &[]);
    fs::write(ctx.path().join("probes/bare.yaml"), BARE).expect("write spec");
    let built = build(setup, ctx.path(), &name, Some("agent")).wait();
    assert!(built.status.success(), "building:\n{}", built.log());
    cleanup.containers.push(name.clone());
    let ran = docker(&[
        "run",
        "--name",
        &name,
        "--network",
        "none",
        &name,
        "/probe",
        "--probes",
        "/probes",
        "-r",
        "bare",
        "--no-common",
        "--format",
        "json",
    ]);
    assert_eq!(ran.status.code(), Some(1), "{}{}", ran.stdout, ran.stderr);
    let report: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON report");
    let checks = report["checks"].as_array().expect("checks");
    let got: Vec<(&str, &str)> = checks
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap_or_default(),
                c["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    eprintln!("{got:#?}");
    let statuses: Vec<&str> = got.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        statuses,
        ["error", "skipped", "fail", "error", "fail", "pass", "fail", "pass", "pass"]
    );
    assert!(got[0].1.contains("systemd is not running"), "{}", got[0].1);
    assert!(
        got[2].1.contains("no CA certificates found"),
        "{}",
        got[2].1
    );
    assert!(got[2].1.contains("install ca-certificates"), "{}", got[2].1);
    assert!(
        got[3].1.contains("no package database the probe knows"),
        "{}",
        got[3].1
    );
    assert_eq!(got[4].1, "there is no user root");
    assert_eq!(
        got[5].1,
        "the probe runs as uid 0, which needs no group to be let in"
    );
}

// ---------------------------------------------------------------------------
// Test D: examples/gocd-compose's seed script, run the way the GoCD server
// image's entrypoint runs it: as `go` (uid 1000, primary group root, no `go`
// group), /etc not writable, /godata and the home directory go's (gocd/gocd:
// buildSrc/src/main/resources/gocd-docker-server/Dockerfile.server.ftl and
// docker-entrypoint.sh). The repository is mounted read-only and owned by
// another uid, as a host user's clone is.

/// A stand-in for `git config` that keeps `key=value` lines in the file git
/// itself would write: /etc/gitconfig for --system, ~/.gitconfig for
/// --global. What matters here is who may write where, which is real.
const FAKE_GIT: &str = r#"#!/bin/sh
[ "$1" = config ] || { echo "fake git: only config" >&2; exit 2; }
case "$2" in
  --system) file=/etc/gitconfig ;;
  --global) file="$HOME/.gitconfig" ;;
  *) echo "fake git: --system or --global" >&2; exit 2 ;;
esac
case "$3" in
  --get-all) [ -f "$file" ] && sed -n "s|^$4=||p" "$file" ;;
  --add) echo "$4=$5" >> "$file" || { echo "error: could not lock config file $file" >&2; exit 255; } ;;
  *) exit 2 ;;
esac
"#;

const SEED_IMAGE: &str = "\
FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
RUN mkdir -p /etc /home/go /godata /gocd-seed /docker-entrypoint.d /srv/probe /usr/local/bin /tmp && \\
    echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && \\
    echo 'go:x:1000:0:go:/home/go:/bin/sh' >> /etc/passwd && \\
    echo 'root:x:0:' > /etc/group && \\
    chown -R 1000:0 /home/go /godata /docker-entrypoint.d && chmod -R g=u /godata
COPY git /usr/local/bin/git
COPY cruise-config.xml /gocd-seed/cruise-config.xml
COPY 50-seed-config.sh /docker-entrypoint.d/50-seed-config.sh
USER go
";

#[test]
fn the_compose_seed_script_runs_as_the_server_images_go_user() {
    let Some(_setup) = setup("the_compose_seed_script_runs_as_the_server_images_go_user") else {
        return;
    };
    let name = unique("seed");
    let mut cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    let ctx = tempfile::tempdir().expect("tempdir");
    let at = |rel: &str| ctx.path().join(rel);
    fs::copy(BUSYBOX, at("busybox")).expect("busybox");
    fs::write(at("git"), FAKE_GIT).expect("git");
    fs::set_permissions(at("git"), fs::Permissions::from_mode(0o755)).expect("chmod");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gocd-compose/server");
    fs::copy(example.join("cruise-config.xml"), at("cruise-config.xml")).expect("config");
    fs::copy(
        example.join("docker-entrypoint.d/50-seed-config.sh"),
        at("50-seed-config.sh"),
    )
    .expect("script");
    fs::set_permissions(at("50-seed-config.sh"), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::write(
        at("Dockerfile"),
        SEED_IMAGE.replace(
            "FROM scratch\n",
            &format!("FROM scratch\nLABEL {LABEL}={name}\n"),
        ),
    )
    .expect("Dockerfile");
    let built = docker(&[
        "build",
        "--no-cache",
        "--network",
        "none",
        "-t",
        &name,
        &ctx.path().display().to_string(),
    ]);
    assert!(built.status.success(), "{}", built.log());
    // A host user's clone: owned by a uid that is not go's.
    let repo = tempfile::tempdir().expect("repo");
    fs::create_dir(repo.path().join(".git")).expect(".git");
    let chown = Command::new("chown")
        .args(["-R", "1234:1234"])
        .arg(repo.path())
        .status();
    if !chown.is_ok_and(|s| s.success()) {
        eprintln!("(could not give the mounted repository another owner; checking as it is)");
    }
    cleanup.containers.push(name.clone());
    // Twice, as two starts of the container would: the second keeps the
    // config and adds nothing.
    let ran = docker(&[
        "run",
        "--name",
        &name,
        "--network",
        "none",
        "-v",
        &format!("{}:/srv/probe:ro", repo.path().display()),
        &name,
        "sh",
        "-c",
        "id -u; id -g; /docker-entrypoint.d/50-seed-config.sh && \
         /docker-entrypoint.d/50-seed-config.sh && \
         grep -c 'url=\"/srv/probe\"' /godata/config/cruise-config.xml && \
         cat \"$HOME/.gitconfig\"",
    ]);
    assert!(ran.status.success(), "{}{}", ran.stdout, ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines[..2], ["1000", "0"], "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("seeded /godata/config/cruise-config.xml"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("keeping the existing"),
        "{}",
        ran.stdout
    );
    let config: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("safe.directory="))
        .copied()
        .collect();
    assert_eq!(
        config,
        [
            "safe.directory=/srv/probe",
            "safe.directory=/srv/probe/.git"
        ],
        "{}",
        ran.stdout
    );
}

// ---------------------------------------------------------------------------
// The release image (the top-level Dockerfile, as scripts/release.sh builds
// it), copied from as a user's agent image would.

const RELEASE_DOCKERFILE: &str = include_str!("../../Dockerfile");

#[test]
fn an_agent_image_copies_the_probe_from_the_release_image_and_checks_itself() {
    let Some(setup) = setup("an_agent_image_copies_the_probe_from_the_release_image") else {
        return;
    };
    let name = unique("release-image");
    let _cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    // The release image: its context is the static binary and the specs.
    let release = tempfile::tempdir().expect("tempdir");
    fs::copy(&setup.probe, release.path().join("probe")).expect("copy the static probe");
    fs::set_permissions(
        release.path().join("probe"),
        fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    fs::create_dir(release.path().join("probes")).expect("probes");
    for (resource, yaml) in SPECS {
        fs::write(release.path().join(format!("probes/{resource}.yaml")), yaml).expect("spec");
    }
    fs::write(release.path().join("Dockerfile"), RELEASE_DOCKERFILE).expect("Dockerfile");
    let image = format!("{name}-release");
    let label = format!("{LABEL}={name}");
    let ran = docker(&[
        "build",
        "--no-cache",
        "--network",
        "none",
        "--label",
        &label,
        "-t",
        &image,
        &release.path().display().to_string(),
    ]);
    assert!(
        ran.status.success(),
        "the release image did not build:\n{}",
        ran.log()
    );
    // Only the binary and the specs are in it.
    let ran = docker(&["run", "--rm", "--network", "none", &image, "--version"]);
    assert!(ran.status.success(), "{}", ran.log());
    assert!(
        ran.stdout.starts_with(&format!("probe {VERSION}")),
        "{}",
        ran.log()
    );

    // The user's agent image: COPY --from the release image, then RUN the
    // probe from PATH with the specs where it looks for them.
    let user = |tools: &[(&str, &str)]| {
        let ctx = context(setup, &name, tools);
        let dockerfile = format!(
            "FROM scratch\nLABEL {label}\nCOPY busybox /bin/busybox\n\
             RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
             RUN [\"/bin/mkdir\", \"-m\", \"1777\", \"/tmp\"]\n\
             COPY tools/ /usr/local/bin/\n\
             COPY --from={image} /probe /usr/local/bin/probe\n\
             COPY --from={image} /probes/ /etc/probe/probes/\n\
             RUN [\"probe\", \"--resource\", \"lua\"]\n"
        );
        fs::write(ctx.path().join("Dockerfile"), dockerfile).expect("Dockerfile");
        let tag = format!("{name}-user");
        let ran = build(setup, ctx.path(), &tag, None).wait();
        (ran, tag)
    };
    let (ran, tag) = user(&[GIT, LUA_54, BUSTED]);
    let log = ran.log();
    assert!(
        ran.status.success(),
        "the agent image did not build:\n{log}"
    );
    assert_contains(
        &log,
        &[
            "resources: common, linux, lua",
            "PASSED  all 10 checks passed",
        ],
    );
    assert!(image_exists(&tag));
    // Without busted, the same Dockerfile stops at the probe's RUN.
    let (ran, _) = user(&[GIT, LUA_54]);
    let log = ran.log();
    assert!(
        !ran.status.success(),
        "the build passed without busted:\n{log}"
    );
    assert_contains(&log, &["FAIL   command busted"]);
}
