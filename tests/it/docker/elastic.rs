//! The elastic-agent gate (examples/elastic-agent/), on a real Docker
//! engine: containers started as GoCD's elastic agent plugins start them,
//! from an image built by the shipped Dockerfile.
//!
//! GoCD's agent image cannot be pulled here, so the shipped Dockerfile is
//! built on a stand-in passed as its GOCD_AGENT_IMAGE: a scratch image with
//! busybox, the tests' fake tools, `go` (uid 1000, primary group root) as its
//! user, and an entrypoint that does what GoCD's does up to starting the
//! agent (docs/gocd.md, "Docker agent images"): it writes
//! autoregister.properties from the GO_EA_* variables (elastic) or the
//! AGENT_AUTO_REGISTER_* ones (static), unsets them, executes each executable
//! file of /docker-entrypoint.d/ in name order and exits 111 at the first
//! that fails; then it "starts the agent", a script printing AGENT_STARTED.
//!
//! The image has git and Lua 5.4 but no busted: `linux` passes, `lua`
//! fails. Skips as the rest of `docker` skips (PROBE_REQUIRE_DOCKER=1 makes a
//! skip a failure).

use super::{
    assert_contains, build_with, setup, start, unique, Cleanup, Ran, Running, Setup, BUSYBOX, GIT,
    LABEL, LUA_54, SPECS, VERSION,
};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// The shipped example: Dockerfile and docker-entrypoint.d/.
const EXAMPLE: &str = "examples/elastic-agent";
const GATE: &str = "docker-entrypoint.d/50-probe-gate.sh";

/// What the stand-in agent prints when the entrypoint gets as far as
/// starting it.
const AGENT_STARTED: &str = "AGENT_STARTED";

/// GoCD's agent entrypoint (gocd/gocd: buildSrc/src/main/resources/
/// gocd-docker-agent/docker-entrypoint.sh, GoCD 26.1) up to the agent's
/// start, in POSIX sh for busybox: the same steps in the same order and the
/// same ways to fail. Left out: the Docker daemon of the dind images, the
/// wrapper's configuration.
const ENTRYPOINT: &str = r##"#!/bin/sh
yell() { echo "$0: $*" >&2; }
die() { yell "$*"; exit 111; }
try() { echo "\$ $*" 1>&2; "$@" || die "cannot $*"; }

setup_autoregister_properties_file_for_elastic_agent() {
  {
    echo "# Auto-registration properties in key=value format, encoded in UTF-8"
    echo "agent.auto.register.key=${GO_EA_AUTO_REGISTER_KEY}"
    echo "agent.auto.register.environments=${GO_EA_AUTO_REGISTER_ENVIRONMENT}"
    echo "agent.auto.register.elasticAgent.agentId=${GO_EA_AUTO_REGISTER_ELASTIC_AGENT_ID}"
    echo "agent.auto.register.elasticAgent.pluginId=${GO_EA_AUTO_REGISTER_ELASTIC_PLUGIN_ID}"
    echo "agent.auto.register.hostname=${AGENT_AUTO_REGISTER_HOSTNAME}"
  } >> "$1"
  export GO_SERVER_URL="${GO_EA_SERVER_URL}"
  unset GO_EA_AUTO_REGISTER_KEY GO_EA_AUTO_REGISTER_ENVIRONMENT GO_EA_AUTO_REGISTER_ELASTIC_AGENT_ID GO_EA_AUTO_REGISTER_ELASTIC_PLUGIN_ID GO_EA_SERVER_URL AGENT_AUTO_REGISTER_HOSTNAME
}

setup_autoregister_properties_file_for_normal_agent() {
  {
    echo "# Auto-registration properties in key=value format, encoded in UTF-8"
    echo "agent.auto.register.key=${AGENT_AUTO_REGISTER_KEY}"
    echo "agent.auto.register.resources=${AGENT_AUTO_REGISTER_RESOURCES}"
    echo "agent.auto.register.environments=${AGENT_AUTO_REGISTER_ENVIRONMENTS}"
    echo "agent.auto.register.hostname=${AGENT_AUTO_REGISTER_HOSTNAME}"
  } >> "$1"
  unset AGENT_AUTO_REGISTER_KEY AGENT_AUTO_REGISTER_RESOURCES AGENT_AUTO_REGISTER_ENVIRONMENTS AGENT_AUTO_REGISTER_HOSTNAME
}

setup_autoregister_properties_file() {
  if [ -n "$GO_EA_SERVER_URL" ]; then
    setup_autoregister_properties_file_for_elastic_agent "$1"
  else
    setup_autoregister_properties_file_for_normal_agent "$1"
  fi
}

AGENT_WORK_DIR="/go-working-dir"

if [ $# -eq 0 ]; then
  set -- "${AGENT_WORK_DIR}/bin/go-agent" console "$@"
fi

if [ "$1" = "${AGENT_WORK_DIR}/bin/go-agent" ]; then
  [ -z "${VOLUME_DIR}" ] && VOLUME_DIR="/godata"
  for each_dir in config logs pipelines; do
    if [ ! -e "${VOLUME_DIR}/${each_dir}" ]; then
      try mkdir "${VOLUME_DIR}/${each_dir}"
    fi
    if [ ! -e "${AGENT_WORK_DIR}/${each_dir}" ]; then
      try ln -s "${VOLUME_DIR}/${each_dir}" "${AGENT_WORK_DIR}/${each_dir}"
    fi
  done
  if [ ! -e "${AGENT_WORK_DIR}/bin" ]; then
    try ln -s "/go-agent/bin" "${AGENT_WORK_DIR}/bin"
  fi

  setup_autoregister_properties_file "${AGENT_WORK_DIR}/config/autoregister.properties"

  yell "Running custom scripts in /docker-entrypoint.d/ ..."
  for file in /docker-entrypoint.d/*; do
    # bash's nullglob: no match, no iteration.
    [ -e "$file" ] || [ -L "$file" ] || continue
    if [ -f "$file" ] && [ -x "$file" ]; then
      try "$file"
    else
      yell "Ignoring $file, it is either not a file or is not executable"
    fi
  done
fi

try exec "$@"
"##;

/// The agent: says it started, as whom, and whether the gate's variable
/// leaked to it.
const AGENT: &str = r#"#!/bin/sh
echo "AGENT_STARTED as $(id -u):$(id -g), GO_AGENT_RESOURCES=${GO_AGENT_RESOURCES-<unset>}"
"#;

/// Scripts the stand-in's user put there: one before the gate, one after
/// (it runs only when the gate passes), one that is not executable.
const SCRIPTS: &[(&str, &str, u32)] = &[
    ("10-first.sh", "#!/bin/sh\necho 'FIRST_SCRIPT ran'\n", 0o755),
    ("90-last.sh", "#!/bin/sh\necho 'LAST_SCRIPT ran'\n", 0o755),
    ("README", "not a script\n", 0o644),
];

/// The stand-in for GoCD's agent image: its directories, owners and user as
/// gocd/gocd's Dockerfile.agent.ftl makes them.
const BASE_IMAGE: &str = "\
FROM scratch
COPY busybox /bin/busybox
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]
RUN mkdir -m 1777 /tmp && \\
    mkdir -p /etc /home/go /godata /go-agent/bin /go-working-dir && \\
    echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && \\
    echo 'go:x:1000:0:go:/home/go:/bin/sh' >> /etc/passwd && \\
    echo 'root:x:0:' > /etc/group
COPY tools/ /usr/local/bin/
COPY go-agent /go-agent/bin/go-agent
COPY docker-entrypoint.sh /docker-entrypoint.sh
COPY docker-entrypoint.d/ /docker-entrypoint.d/
RUN chown -R 1000:0 /docker-entrypoint.d /go-working-dir /godata /home/go /docker-entrypoint.sh && \\
    chmod -R g=u /docker-entrypoint.d /go-working-dir /godata /docker-entrypoint.sh
ENTRYPOINT [\"/docker-entrypoint.sh\"]
USER go
";

/// What the Docker elastic agent plugin gives a container
/// (gocd-contrib/docker-elastic-agents-plugin: DockerContainer.environmentFrom,
/// CreateAgentRequest.autoregisterPropertiesAsEnvironmentVars). The agent
/// id is the container's name, a UUID.
const ELASTIC_ID: &str = "5b0c8a9e-3f1d-4c2a-9e4b-7d6f1a2b3c4d";
const PLUGIN_ID: &str = "cd.go.contrib.elastic-agent.docker";
const REGISTER_KEY: &str = "registerkey-6f1c2d";

fn elastic_env() -> Vec<String> {
    vec![
        "GO_EA_SERVER_URL=https://gocd.example.com/go".into(),
        format!("GO_EA_AUTO_REGISTER_KEY={REGISTER_KEY}"),
        format!("GO_EA_AUTO_REGISTER_ELASTIC_AGENT_ID={ELASTIC_ID}"),
        format!("GO_EA_AUTO_REGISTER_ELASTIC_PLUGIN_ID={PLUGIN_ID}"),
    ]
}

fn write(path: &Path, text: &str, mode: u32) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("mkdir");
    }
    fs::write(path, text).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Builds the stand-in for GoCD's image, then the shipped Dockerfile on it;
/// returns the shipped image's tag. Both carry the clean-up label (the
/// second inherits it).
fn gate_image(setup: &Setup, name: &str) -> String {
    let base = tempfile::tempdir().expect("tempdir");
    let at = |rel: &str| base.path().join(rel);
    fs::copy(BUSYBOX, at("busybox")).expect("copy busybox");
    for (tool, script) in [GIT, LUA_54] {
        write(
            &at(&format!("tools/{tool}")),
            &format!("#!/bin/sh\n{script}\n"),
            0o755,
        );
    }
    write(&at("docker-entrypoint.sh"), ENTRYPOINT, 0o755);
    write(&at("go-agent"), AGENT, 0o755);
    for (script, text, mode) in SCRIPTS {
        write(&at(&format!("docker-entrypoint.d/{script}")), text, *mode);
    }
    write(
        &at("Dockerfile"),
        &BASE_IMAGE.replace(
            "FROM scratch\n",
            &format!("FROM scratch\nLABEL {LABEL}={name}\n"),
        ),
        0o644,
    );
    let base_tag = format!("{name}-gocd-agent");
    let built = build_with(setup, base.path(), &base_tag, &[]).wait();
    assert!(
        built.status.success(),
        "building the stand-in:\n{}",
        built.log()
    );

    // The shipped example as it is, plus the static probe and the specs.
    let ctx = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join(EXAMPLE), ctx.path());
    fs::copy(&setup.probe, ctx.path().join("probe")).expect("copy the static probe");
    for (resource, yaml) in SPECS {
        write(
            &ctx.path().join(format!("probes/{resource}.yaml")),
            yaml,
            0o644,
        );
    }
    // What a checkout without file modes gives: GoCD's entrypoint would
    // skip the gate; the Dockerfile's chmod is what makes it run.
    fs::set_permissions(ctx.path().join(GATE), fs::Permissions::from_mode(0o644)).expect("chmod");
    fs::set_permissions(ctx.path().join("probe"), fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let flags = [
        "--build-arg".to_string(),
        format!("GOCD_AGENT_IMAGE={base_tag}"),
    ];
    let built = build_with(setup, ctx.path(), name, &flags).wait();
    assert!(
        built.status.success(),
        "building examples/elastic-agent/Dockerfile:\n{}",
        built.log()
    );
    name.to_string()
}

/// A container to start, as an elastic agent plugin (or `docker run` of a
/// static agent) would.
struct Case {
    name: &'static str,
    env: Vec<String>,
}

/// Starts every case's container at once, attached, without network;
/// returns their runs in order.
fn run_all(image: &str, cleanup: &mut Cleanup, cases: &[Case]) -> Vec<Ran> {
    let runs: Vec<Running> = cases
        .iter()
        .map(|case| {
            let container = format!("{image}-{}", case.name);
            cleanup.containers.push(container.clone());
            let mut args: Vec<String> = vec![
                "run".into(),
                "--name".into(),
                container,
                "--network".into(),
                "none".into(),
            ];
            for e in &case.env {
                args.extend(["--env".to_string(), e.clone()]);
            }
            args.push(image.to_string());
            start(&args, true)
        })
        .collect();
    let ran: Vec<Ran> = runs.into_iter().map(Running::wait).collect();
    for (case, r) in cases.iter().zip(&ran) {
        eprintln!(
            "---- {} (exit {:?}) ----\n{}--------",
            case.name,
            r.status.code(),
            r.log()
        );
    }
    ran
}

/// The entrypoint stopped at the gate: exit 111, the gate named as what
/// failed, the scripts after it and the agent never run.
fn assert_stopped_at_the_gate(log: &str, status: Option<i32>) {
    assert_eq!(status, Some(111), "GoCD's entrypoint exits 111:\n{log}");
    assert_contains(
        log,
        &[
            "FIRST_SCRIPT ran",
            "50-probe-gate.sh: FAILED: this agent is not started",
            "/docker-entrypoint.sh: cannot /docker-entrypoint.d/50-probe-gate.sh",
        ],
    );
    assert!(
        !log.contains("LAST_SCRIPT"),
        "a script after the gate ran:\n{log}"
    );
    assert!(!log.contains(AGENT_STARTED), "the agent started:\n{log}");
}

/// `needles` appear in `log` in this order. Only lines of one stream keep
/// their order in a container's log (the gate writes all of its own, the
/// probe's included, to stdout; the entrypoint's `$ …` lines are stderr).
fn assert_in_order(log: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match log[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!(
                "{needle:?} missing, or not after {:?}, in:\n{log}",
                &log[..from]
            ),
        }
    }
}

fn never_shows_the_register_key(log: &str) {
    assert!(
        !log.contains(REGISTER_KEY),
        "the auto-register key is in the log:\n{log}"
    );
}

#[test]
fn the_gate_starts_an_agent_whose_checks_pass_and_stops_one_whose_checks_fail() {
    let Some(setup) = setup(
        "elastic::the_gate_starts_an_agent_whose_checks_pass_and_stops_one_whose_checks_fail",
    ) else {
        return;
    };
    let name = unique("gate");
    let mut cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    let image = gate_image(setup, &name);
    let with = |extra: &[&str]| {
        let mut env = elastic_env();
        env.extend(extra.iter().map(|e| e.to_string()));
        env
    };
    let cases = [
        // Two elastic agent profiles on the one image: its tools cover
        // `linux`, not `lua` (no busted).
        Case {
            name: "elastic-linux",
            env: with(&["PROBE_RESOURCES=linux"]),
        },
        Case {
            name: "elastic-lua",
            env: with(&["PROBE_RESOURCES=linux,lua"]),
        },
        // A static agent: the entrypoint has unset AGENT_AUTO_REGISTER_*
        // before the gate runs; the list is read back from
        // autoregister.properties.
        Case {
            name: "static-lua",
            env: vec![
                "GO_SERVER_URL=https://gocd.example.com/go".into(),
                format!("AGENT_AUTO_REGISTER_KEY={REGISTER_KEY}"),
                "AGENT_AUTO_REGISTER_RESOURCES=linux,lua".into(),
            ],
        },
    ];
    let ran = run_all(&image, &mut cleanup, &cases);

    // Passes: the gate's report, then the scripts after it, then the agent.
    let log = ran[0].log();
    assert_eq!(ran[0].status.code(), Some(0), "{log}");
    assert_contains(
        &log,
        &[
            &format!("50-probe-gate.sh: checking elastic agent {ELASTIC_ID} (plugin {PLUGIN_ID}) before it starts, in /go-working-dir/pipelines"),
            "50-probe-gate.sh: resources: linux (from PROBE_RESOURCES)",
            &format!("probe {VERSION} on "),
            "resources: common, linux",
            "PASS   command git",
            "PASSED  all 7 checks passed",
            "50-probe-gate.sh: passed: the agent starts",
            "Ignoring /docker-entrypoint.d/README",
        ],
    );
    assert_in_order(
        &log,
        &[
            "FIRST_SCRIPT ran",
            "resources: linux (from PROBE_RESOURCES)",
            "PASSED  all 7 checks passed",
            "passed: the agent starts",
            "LAST_SCRIPT ran",
            AGENT_STARTED,
        ],
    );
    // The entrypoint runs as go, and the agent does not see the gate's
    // variable: the gate is a process of its own.
    assert_contains(
        &log,
        &["AGENT_STARTED as 1000:0, GO_AGENT_RESOURCES=<unset>"],
    );
    never_shows_the_register_key(&log);

    // Fails: the report names the failing check; the agent never starts.
    let log = ran[1].log();
    assert_stopped_at_the_gate(&log, ran[1].status.code());
    assert_contains(
        &log,
        &[
            "50-probe-gate.sh: resources: linux,lua (from PROBE_RESOURCES)",
            "resources: common, linux, lua",
            "PASS   command lua",
            "FAIL   command busted",
            "`busted` is not on PATH",
            "hint:     luarocks install busted",
            "spec:     /etc/probe/probes/lua.yaml:8",
            "FAILED  1 of 10 checks failed (9 passed)",
            "50-probe-gate.sh: the checks did not pass",
        ],
    );
    assert_in_order(
        &log,
        &[
            "resources: linux,lua",
            "FAIL   command busted",
            "FAILED  1 of 10 checks failed",
            "FAILED: this agent is not started",
        ],
    );
    never_shows_the_register_key(&log);

    // The static agent: the same failure, from the registered list.
    let log = ran[2].log();
    assert_stopped_at_the_gate(&log, ran[2].status.code());
    assert_contains(
        &log,
        &[
            "50-probe-gate.sh: checking this agent before it starts, in /go-working-dir/pipelines",
            "50-probe-gate.sh: resources: linux,lua (from agent.auto.register.resources in /go-working-dir/config/autoregister.properties)",
            "FAIL   command busted",
            "FAILED  1 of 10 checks failed (9 passed)",
        ],
    );
    never_shows_the_register_key(&log);
}

#[test]
fn the_gate_stops_the_agent_when_it_cannot_check() {
    let Some(setup) = setup("elastic::the_gate_stops_the_agent_when_it_cannot_check") else {
        return;
    };
    let name = unique("gate-cannot");
    let mut cleanup = Cleanup {
        label: name.clone(),
        containers: Vec::new(),
    };
    let image = gate_image(setup, &name);
    let with = |extra: &[&str]| {
        let mut env = elastic_env();
        env.extend(extra.iter().map(|e| e.to_string()));
        env
    };
    let cases = [
        // The profile does not say what to check.
        Case {
            name: "no-resources",
            env: with(&[]),
        },
        // No probe where the gate looks for it.
        Case {
            name: "no-probe",
            env: with(&[
                "PROBE_RESOURCES=linux",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            ]),
        },
        // No specs where the probe looks for them.
        Case {
            name: "no-specs",
            env: with(&["PROBE_RESOURCES=linux", "PROBE_PATH=/no/such/specs"]),
        },
        // A resource no spec covers (a typo in the profile): --strict.
        Case {
            name: "unknown-resource",
            env: with(&["PROBE_RESOURCES=linux,lau"]),
        },
    ];
    let ran = run_all(&image, &mut cleanup, &cases);
    let expected: [&[&str]; 4] = [
        &[
            &format!("this is an elastic agent ({ELASTIC_ID}, plugin {PLUGIN_ID}), and elastic agents have no resources in GoCD: set PROBE_RESOURCES in its elastic agent profile"),
        ],
        &["the probe is not installed: no `probe` on PATH (/usr/sbin:/usr/bin:/sbin:/bin)"],
        &[
            "/no/such/specs: error: cannot read the probe specs",
            "50-probe-gate.sh: the probe could not check this agent: usage or spec error",
        ],
        &[
            "error: this agent advertises resource `lau`, but no spec covers it (no lau.yaml in /etc/probe/probes) (did you mean `lua`?)",
            "50-probe-gate.sh: the checks did not pass",
        ],
    ];
    for ((case, r), wanted) in cases.iter().zip(&ran).zip(expected) {
        let log = r.log();
        assert_stopped_at_the_gate(&log, r.status.code());
        assert_contains(&log, wanted);
        // Nothing says it passed.
        assert!(!log.contains("PASSED"), "{}:\n{log}", case.name);
        never_shows_the_register_key(&log);
    }
}

/// GoCD's Ubuntu images run the gate with dash, their /bin/sh; the Docker
/// tests run it with busybox. This runs it with the host's /bin/sh (dash on
/// Debian and Ubuntu) and the probe under test: no Docker needed.
#[test]
fn the_gate_runs_under_the_hosts_sh() {
    let specs = tempfile::tempdir().expect("tempdir");
    write(
        &specs.path().join("common.yaml"),
        "checks:\n  - command: sh\n",
        0o644,
    );
    write(
        &specs.path().join("lua.yaml"),
        "checks:\n  - command: no-such-tool-for-the-gate\n",
        0o644,
    );
    let gate = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(EXAMPLE)
        .join(GATE);
    let run = |resources: Option<&str>| {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg(&gate)
            .env("PROBE_BIN", env!("CARGO_BIN_EXE_probe"))
            .env("PROBE_PATH", specs.path())
            .env_remove("PROBE_RESOURCES")
            .env_remove("AGENT_AUTO_REGISTER_RESOURCES")
            .env_remove("PROBE_GATE_ARGS");
        if let Some(list) = resources {
            cmd.env("PROBE_RESOURCES", list);
        }
        let out = cmd.output().expect("run the gate");
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), log)
    };
    let (status, log) = run(Some(""));
    assert_eq!(status, Some(0), "{log}");
    assert_contains(
        &log,
        &[
            "resources: none, the common checks only (from PROBE_RESOURCES)",
            "PASS   command sh",
            "passed: the agent starts",
        ],
    );
    let (status, log) = run(Some("lua"));
    assert_eq!(status, Some(1), "{log}");
    assert_contains(
        &log,
        &[
            "FAIL   command no-such-tool-for-the-gate",
            "FAILED: this agent is not started",
        ],
    );
    // Unless this host is itself a GoCD agent container, nothing names the
    // resources.
    if !Path::new("/go-working-dir/config").is_dir() && !Path::new("/go/config").is_dir() {
        let (status, log) = run(None);
        assert_eq!(status, Some(2), "{log}");
        assert_contains(&log, &["no resources to check: set PROBE_RESOURCES"]);
        assert!(!log.contains("PASS"), "{log}");
    }
}
