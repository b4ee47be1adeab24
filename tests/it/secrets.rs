//! Secrets never reach a report: canary values in secret variables, used in
//! the checks' paths, commands, arguments and values and printed by fake
//! tools on stdout and stderr, must appear in no output of any format, in a
//! normal run and in agent mode.
#![cfg(unix)]

use std::fs;
use std::process::Output;

use crate::common::{check, json, Sandbox};

/// One canary per way a variable becomes secret, so that each way is
/// tested on its own. None shares 6 characters in a row with anything a
/// report says by itself.
const BY_NAME: &str = "qZ8kBYNAMEw7xV3r5Tn0";
const BY_FLAG: &str = "qZ8kBYFLAGw7xV3r5Tn0";
const BY_ENV: &str = "qZ8kBYENVVw7xV3r5Tn0";
const BY_SPEC: &str = "qZ8kBYSPECw7xV3r5Tn0";
const CANARIES: [&str; 4] = [BY_NAME, BY_FLAG, BY_ENV, BY_SPEC];

/// Any part of a canary long enough to give it away.
fn leaks(text: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(text);
    let mut found = Vec::new();
    for canary in CANARIES {
        for start in 0..=canary.len() - 6 {
            let part = &canary[start..start + 6];
            if text.contains(part) {
                found.push(format!("`{part}` of {canary}"));
                break;
            }
        }
    }
    found
}

fn assert_no_leak(what: &str, bytes: &[u8]) {
    let found = leaks(bytes);
    assert!(
        found.is_empty(),
        "{what} leaks {found:?}:\n{}",
        String::from_utf8_lossy(bytes)
    );
}

/// Fake tools that print the secrets they are given, and specs that use
/// the secret variables in every field a check has.
fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.tool(
        "leaky",
        // A version line with the secret on both streams, and a long line
        // that puts a secret across the report's 2000-character cut of the
        // output (the raw secret from character 1990, its mark from 1995).
        "echo \"leaky 1.2.3 token=$GOCD_TOKEN\"\n\
         echo \"stderr: $DEPLOY_KEYRING and $OTHER_THING\" >&2\n\
         printf '%1956s' '' | tr ' ' x; echo \"$SIGNING_MATERIAL\"",
    );
    s.spec("common", "redact: [SIGNING_*]\nchecks:\n  - env: HOME\n");
    s.spec(
        "secrets",
        "checks:
  - file: /tmp/${GOCD_TOKEN}/x
  - file: ${DEPLOY_KEYRING}
    type: dir
  - disk: /nonexistent/${SIGNING_MATERIAL}
    free: 1 GiB
  - path_contains: /opt/${OTHER_THING}/bin
  - command: leaky
    version: '>=9'
  - command: leaky
    version_matches: 'nothing'
    args: [--print]
  - command: missing-tool
  - run: [leaky]
    stdout: 'never'
  - run: 'echo token is $GOCD_TOKEN; echo $OTHER_THING >&2; exit 1'
    shell: true
  - env: GOCD_TOKEN
    equals: wrong-value
  - env: PLAIN_VALUE
    equals: other
  - env: PLAIN_URL
    matches: '^ftp'
  - env: SIGNING_MATERIAL
    matches: '^nope'
  - process: ${GOCD_TOKEN}
  - http: http://deploy:${GOCD_TOKEN}@127.0.0.1:1/${OTHER_THING}?key=${SIGNING_MATERIAL}
  - dns: ${GOCD_TOKEN}.invalid
    timeout: 3s
  - tcp: ${OTHER_THING}.invalid:80
    timeout: 3s
  - mount: /mnt/${DEPLOY_KEYRING}
  - command: /opt/${SIGNING_MATERIAL}/bin/tool
  - run: [leaky, '${GOCD_TOKEN}']
",
    );
    s
}

/// The probe in the sandbox with the secrets in its environment.
fn probe(s: &Sandbox, args: &[&str]) -> Output {
    probe_command(s, args).output().expect("run probe")
}

#[test]
fn no_canary_reaches_any_report_format_or_stream() {
    let s = sandbox();
    let out = s.path("out");
    for format in ["human", "json", "junit", "html", "prometheus"] {
        for agent in [false, true] {
            let reports: Vec<String> = ["human", "json", "junit", "html", "prometheus"]
                .iter()
                .map(|f| format!("{f}={}/{format}-{agent}.{f}", out.display()))
                .collect();
            let mut args = vec!["--format", format, "--redact", "DEPLOY_KEY*"];
            if agent {
                args.push("--agent");
            } else {
                args.extend(["-r", "secrets"]);
            }
            for r in &reports {
                args.extend(["--report", r]);
            }
            let o = if agent {
                // The agent advertises a resource named after a secret, which
                // a notice names.
                let mut command = probe_command(&s, &args);
                command
                    .env("GO_AGENT_RESOURCES", format!("secrets,{BY_NAME}"))
                    .env("GO_PIPELINE_NAME", "infra")
                    .env("GO_JOB_NAME", "probe-runOnAll-1");
                command.output().expect("run probe")
            } else {
                probe(&s, &args)
            };
            assert_eq!(o.status.code(), Some(1), "{format} agent={agent}");
            let what = format!("--format {format} (agent: {agent})");
            assert_no_leak(&format!("stdout of {what}"), &o.stdout);
            assert_no_leak(&format!("stderr of {what}"), &o.stderr);
            for entry in fs::read_dir(&out).expect("reports") {
                let path = entry.expect("entry").path();
                let bytes = fs::read(&path).expect("read report");
                assert_no_leak(&format!("{} after {what}", path.display()), &bytes);
            }
        }
    }
}

/// The probe in the sandbox with the secrets in its environment. PATH
/// holds a directory named after a secret: a missing command's report
/// shows PATH.
fn probe_command(s: &Sandbox, args: &[&str]) -> std::process::Command {
    let mut cmd = s.command(args);
    cmd.env(
        "PATH",
        format!("{}:/opt/{BY_ENV}/tools:/usr/bin:/bin", s.bin().display()),
    )
    .env("GOCD_TOKEN", BY_NAME)
    .env("DEPLOY_KEYRING", format!("/srv/{BY_FLAG}"))
    .env("PROBE_REDACT", "OTHER_*, NOT_SET_ANYWHERE")
    .env("OTHER_THING", BY_ENV)
    .env("SIGNING_MATERIAL", BY_SPEC)
    .env("PLAIN_VALUE", format!("prefix-{BY_NAME}-suffix"))
    .env(
        "PLAIN_URL",
        format!("https://deploy:{BY_FLAG}@repo.example.com/x"),
    );
    cmd
}

#[test]
fn a_redacted_report_still_names_the_check_the_variable_and_the_verdict() {
    let s = sandbox();
    let o = probe(
        &s,
        &[
            "-r",
            "secrets",
            "--format",
            "json",
            "--redact",
            "DEPLOY_KEY*",
        ],
    );
    let report = json(&o);
    let file = check(&report, "secrets/file:/tmp/${GOCD_TOKEN}/x");
    assert_eq!(file["status"], "fail");
    assert_eq!(
        file["message"],
        "/tmp/<hidden: GOCD_TOKEN>/x does not exist"
    );
    assert_eq!(file["location"], "/tmp/<hidden: GOCD_TOKEN>/x");
    let keyring = check(&report, "secrets/file:${DEPLOY_KEYRING}");
    assert_eq!(
        keyring["message"],
        "<hidden: DEPLOY_KEYRING> does not exist"
    );
    let token = check(&report, "secrets/env:GOCD_TOKEN");
    assert_eq!(token["status"], "fail");
    assert_eq!(
        token["message"],
        "$GOCD_TOKEN is <hidden: 20 characters>, not <hidden: 11 characters>"
    );
    let plain = check(&report, "secrets/env:PLAIN_VALUE");
    assert_eq!(
        plain["message"],
        "$PLAIN_VALUE is \"prefix-<hidden: GOCD_TOKEN>-suffix\", not \"other\""
    );
    let url = check(&report, "secrets/env:PLAIN_URL");
    assert_eq!(
        url["actual"],
        "\"https://<hidden: userinfo>@repo.example.com/x\""
    );
    let shell = check(
        &report,
        "secrets/run:echo token is $GOCD_TOKEN; echo $OTHER_THING >&2; exit 1",
    );
    assert_eq!(shell["status"], "fail");
    assert_eq!(
        shell["output"],
        "token is <hidden: GOCD_TOKEN>\n<hidden: OTHER_THING>"
    );
    let version = check(&report, "secrets/command:leaky");
    assert_eq!(version["status"], "fail");
    assert_eq!(version["message"], "leaky 1.2.3 is not in >=9");
    let output = version["output"].as_str().expect("output");
    assert!(
        output.starts_with("leaky 1.2.3 token=<hidden: GOCD_TOKEN>"),
        "{output}"
    );
    // The secret at the 2000-character cut is hidden before the cut: the
    // mark is cut, not the secret.
    let run = check(&report, "secrets/run:leaky");
    let output = run["output"].as_str().expect("output");
    assert!(output.ends_with("x<hidd…"), "{output}");
    assert_no_leak("the cut output", output.as_bytes());
    let missing = check(&report, "secrets/command:missing-tool");
    assert!(
        missing["location"]
            .as_str()
            .is_some_and(|l| l.contains("/opt/<hidden: OTHER_THING>/tools")),
        "{missing}"
    );
}

#[test]
fn a_sensitive_check_keeps_its_verdict_and_message_but_not_what_it_found() {
    let s = Sandbox::new();
    s.tool(
        "vault-status",
        "echo 'sealed: false, root key fingerprint ab:cd:ef'",
    )
    .spec(
        "vault",
        "checks:
  - run: [vault-status]
    stdout: 'sealed: true'
    sensitive: true
  - run: [vault-status]
    stdout: 'sealed: true'
",
    );
    let o = s.probe(&["-r", "vault", "--no-common", "--format", "json"]);
    let report = json(&o);
    let checks = report["checks"].as_array().expect("checks");
    let (sensitive, plain) = (&checks[0], &checks[1]);
    assert_eq!(sensitive["status"], "fail");
    assert_eq!(sensitive["message"], plain["message"]);
    assert_eq!(sensitive["actual"], "<hidden: sensitive check>");
    assert_eq!(sensitive["output"], serde_json::Value::Null);
    assert!(
        plain["output"]
            .as_str()
            .is_some_and(|o| o.contains("fingerprint")),
        "{plain}"
    );
    let human = s.probe(&["-r", "vault", "--no-common"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(text.matches("fingerprint").count(), 1, "{text}");
}

#[test]
fn error_messages_on_stderr_are_redacted_too() {
    let s = sandbox();
    // A report that cannot be written, at a path holding a secret.
    let blocked = s.path("blocked");
    fs::write(&blocked, "a file, not a directory").expect("write");
    let target = format!("json={}/{BY_NAME}/r.json", blocked.display());
    let o = probe(&s, &["-r", "secrets", "--report", &target]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("cannot write the json report to")
            && stderr.contains("<hidden: GOCD_TOKEN>"),
        "{stderr}"
    );
    assert_no_leak("stderr", &o.stderr);
    // A resource named after a secret, which the usage error repeats.
    let o = probe(&s, &["-r", BY_NAME]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_leak("stderr", &o.stderr);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no spec for resource `<hidden: GOCD_TOKEN>`"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A flag clap rejects, naming the secret.
    let o = probe(&s, &["--timeout", BY_NAME]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_leak("stderr of a usage error", &o.stderr);
}

#[test]
fn the_fleet_command_leaks_no_canary_either() {
    let s = sandbox();
    // The agents' reports, as the fleet reads them.
    let o = probe(
        &s,
        &[
            "-r",
            "secrets",
            "--redact",
            "DEPLOY_KEY*",
            "--report",
            "json=r/agent-1.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    // A report written where the secret was not known to be one (another
    // agent, another --redact): its raw values reach the fleet.
    let raw = fs::read_to_string(s.path("r/agent-1.json"))
        .expect("report")
        .replace("<hidden: GOCD_TOKEN>", BY_NAME)
        .replace("\"hostname\": \"", &format!("\"hostname\": \"{BY_ENV}-"));
    fs::write(s.path("r/agent-2.json"), raw).expect("write");
    for format in ["human", "json", "junit", "html"] {
        let reports: Vec<String> = ["human", "json", "junit", "html"]
            .iter()
            .map(|f| format!("{f}=fleet/{format}.{f}"))
            .collect();
        let mut args = vec!["fleet", "r", "--all", "--format", format];
        for r in &reports {
            args.extend(["--report", r]);
        }
        let o = probe(&s, &args);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_no_leak(
            &format!("stdout of probe fleet --format {format}"),
            &o.stdout,
        );
        assert_no_leak(
            &format!("stderr of probe fleet --format {format}"),
            &o.stderr,
        );
        for entry in fs::read_dir(s.path("fleet")).expect("fleet reports") {
            let path = entry.expect("entry").path();
            assert_no_leak(&path.display().to_string(), &fs::read(&path).expect("read"));
        }
    }
}

/// Whether any 6 characters in a row of `secret` are in `text`.
fn shows(text: &[u8], secret: &str) -> bool {
    let text = String::from_utf8_lossy(text);
    secret
        .as_bytes()
        .windows(6)
        .any(|w| text.contains(std::str::from_utf8(w).unwrap_or("\u{0}")))
}

#[test]
fn awkward_values_are_hidden_however_they_are_shown() {
    let s = Sandbox::new();
    let quoted = "qu0te'SECRETVALzz";
    let long_line = "l0ngLINEsecret42";
    let newline = "nlcanary-7788";
    let password = "hun(ter)22xyzw";
    s.tool("fails", "exit 1")
        .tool(
            "verbose",
            &format!("echo \"verbose 1.2.3 {}$LONG_TOKEN\"", "0".repeat(80)),
        )
        .tool(
            "urls",
            &format!("echo 'https://bob:{password}@repo.example.com/x.git'; echo \"val=$NL_TOKEN end\"; exit 1"),
        );
    s.spec(
        "awkward",
        "checks:
  - run: [fails, '${Q_TOKEN}']
  - command: verbose
    version: '>=9'
  - run: [urls]
",
    );
    let o = s
        .command(&[
            "-r",
            "awkward",
            "--report",
            "json=out/r.json",
            "--report",
            "junit=out/r.xml",
            "--report",
            "html=out/r.html",
        ])
        .env("Q_TOKEN", quoted)
        .env("LONG_TOKEN", long_line)
        .env("NL_TOKEN", format!("{newline}\n"))
        .output()
        .expect("run probe");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let outputs = [
        ("stdout", o.stdout.clone()),
        ("stderr", o.stderr.clone()),
        ("json", fs::read(s.path("out/r.json")).expect("json")),
        ("junit", fs::read(s.path("out/r.xml")).expect("junit")),
        ("html", fs::read(s.path("out/r.html")).expect("html")),
    ];
    for (what, bytes) in &outputs {
        for secret in [quoted, long_line, newline, password] {
            assert!(
                !shows(bytes, secret),
                "{what} shows {secret}:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    // A usage error quoting a value named by --redact.
    let o = s
        .command(&["--redact", "DEPLOY_A", "--format", "depAcanary-11"])
        .env("DEPLOY_A", "depAcanary-11")
        .output()
        .expect("run probe");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        !shows(&o.stderr, "depAcanary-11"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_fleet_hides_what_the_specs_redact_lists_name() {
    let s = Sandbox::new();
    let value = "depl0y-CANARY-9-of-20-chars";
    // An agent's report written without the list (on another machine).
    s.spec("base", "checks:\n  - file: /tmp/${DEPLOY_X}/x\n");
    let o = s
        .command(&["-r", "base", "--report", "json=reports/a.json"])
        .env("DEPLOY_X", value)
        .output()
        .expect("run probe");
    assert_eq!(o.status.code(), Some(1));
    assert!(shows(&fs::read(s.path("reports/a.json")).unwrap(), value));
    // The fleet, with a spec directory that names the variable secret.
    fs::create_dir_all(s.path("fleet-specs")).expect("mkdir");
    fs::write(
        s.path("fleet-specs/common.yaml"),
        "redact: [DEPLOY_*]\nchecks: []\n",
    )
    .expect("write");
    let o = s
        .command(&[
            "--probes",
            "fleet-specs",
            "fleet",
            "reports",
            "--all",
            "--report",
            "html=f.html",
        ])
        .env("DEPLOY_X", value)
        .output()
        .expect("run probe");
    assert!(
        !shows(&o.stdout, value),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!shows(&fs::read(s.path("f.html")).expect("html"), value));
}

/// A report is text someone else wrote. Were the fleet to hide a short
/// secret of its own environment wherever it appears, a report holding
/// guesses would learn which guess is the secret; so the fleet hides only
/// values too long to guess (docs/gocd.md, "What the fleet trusts").
#[test]
fn the_fleet_is_no_oracle_for_a_short_secret() {
    let s = Sandbox::new();
    let short = "hunter22";
    let long = "tok-0123456789abcdef0123456789";
    s.spec("base", "checks:\n  - env: GUESSES\n    equals: x\n");
    let o = s
        .command(&["-r", "base", "--report", "json=reports/a.json"])
        .env("GUESSES", format!("password1 {short} letmein {long}"))
        .output()
        .expect("run probe");
    assert_eq!(o.status.code(), Some(1));
    let o = s
        .command(&["fleet", "reports", "--all"])
        .env("DB_PASSWORD", short)
        .env("API_TOKEN", long)
        .output()
        .expect("run probe");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!("password1 {short} letmein")),
        "{text}"
    );
    assert!(!text.contains("<hidden: DB_PASSWORD>"), "{text}");
    assert!(
        text.contains("<hidden: API_TOKEN>") && !shows(&o.stdout, long),
        "{text}"
    );
}
