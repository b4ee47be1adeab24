//! probe.exe end to end on Windows: fake tools (.cmd and .bat wrappers, an
//! .exe) in a temporary folder on PATH, as an agent has them. Run under wine
//! by scripts/test-windows.sh; on a real Windows with `cargo test`.
#![cfg(windows)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{check, json, Sandbox};

/// The JSON report of one resource, and the exit code.
fn run_json(s: &Sandbox, resource: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["--no-common", "--format", "json", "-r", resource];
    args.extend_from_slice(extra);
    let o = s.probe(&args);
    (o.status.code(), json(&o))
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    check(report, id)["status"].as_str().expect("status")
}

fn location(report: &Value, id: &str) -> String {
    check(report, id)["location"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn windows_tools_are_found_and_run_as_windows_does() {
    let s = Sandbox::new();
    s.script("wrapped.cmd", &["echo wrapped 2.5.1 %*"])
        .script("legacy.bat", &["echo legacy version 1.4.2 1>&2"])
        .script("MixedCase.CMD", &["echo Mixed 3.0"])
        .exe("probecopy");
    let bin = s.bin().display().to_string();
    // The same folder as PATH shows it, in other case and slashes.
    let bin_other = bin.to_uppercase().replace('\\', "/") + "/";
    s.spec(
        "tools",
        &format!(
            "checks:
  - command: wrapped
    version: '>=2.5'
  - command: legacy
    version: '~1.4'
  - command: mixedcase
    version: '3'
  - command: probecopy
    version: '>=0.1'
  - command: WRAPPED.cmd
  - run: [wrapped, --flag, 'two words']
    stdout: '^wrapped 2\\.5\\.1 --flag \"two words\"'
  - run: 'echo hello from cmd& exit /b 3'
    shell: true
    exit: 3
    stdout: '^hello from cmd\\r?$'
  - run: [echo, 'a b', c]
    shell: cmd
    stdout: '^\"a b\" c'
  - file: '{bin}\\wrapped.cmd'
    executable: true
  - platform: windows
  - env: pathext
    matches: '(?i)\\.exe'
  - env: PATH
  - path_contains: '{bin_other}'
  - disk: .
    free: '>= 1 MiB'
  - command: apt-get
    os: linux
  - file: /etc/os-release
    os: [linux, macos]
"
        ),
    );
    let (code, report) = run_json(&s, "tools", &[]);
    let failing: Vec<&Value> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    assert_eq!(code, Some(0));
    assert_eq!(report["host"]["os"], "windows");

    // PATHEXT: each name resolved to its file, in the file's own case.
    for (id, file) in [
        ("tools/command:wrapped", "wrapped.cmd"),
        ("tools/command:legacy", "legacy.bat"),
        ("tools/command:mixedcase", "MixedCase.CMD"),
        ("tools/command:probecopy", "probecopy.exe"),
    ] {
        let at = location(&report, id);
        assert!(at.ends_with(&format!("\\{file}")), "{id}: {at}");
        assert!(
            at.to_lowercase().starts_with(&bin.to_lowercase()),
            "{id}: {at}"
        );
    }
    assert_eq!(check(&report, "tools/command:wrapped")["actual"], "2.5.1");
    // Read from stderr, as from `java -version`.
    assert_eq!(check(&report, "tools/command:legacy")["actual"], "1.4.2");
    assert_eq!(check(&report, "tools/command:probecopy")["actual"], "0.1.0");
    // The .cmd got its arguments, quoted where they have spaces.
    let out = check(&report, "tools/run:wrapped --flag two words")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(out, "wrapped 2.5.1 --flag \"two words\"");
    let out = check(&report, "tools/run:echo hello from cmd& exit /b 3")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(out.trim_end(), "hello from cmd");
    assert!(
        location(&report, "tools/run:echo hello from cmd& exit /b 3")
            .to_lowercase()
            .ends_with("\\cmd.exe")
    );
    assert_eq!(status(&report, "tools/command:apt-get"), "skipped");
    assert_eq!(
        check(&report, "tools/command:apt-get")["message"],
        "only checked on linux; this is windows"
    );
    assert_eq!(status(&report, "tools/file:/etc/os-release"), "skipped");
}

#[test]
fn what_windows_cannot_check_or_run_fails_clearly() {
    let s = Sandbox::new();
    s.script("python2.cmd", &["echo Python 2.7.18 1>&2"]);
    // A .cmd wrapper whose program is gone: cmd says 9009.
    s.script("gone.cmd", &["nosuchprogram-xyz %*"]);
    // A shell script without an extension, and a PowerShell script: Windows
    // starts neither by name.
    fs::write(s.bin().join("shtool"), "#!/bin/sh\necho 1.0\n").expect("write");
    fs::write(s.bin().join("deploy.ps1"), "Write-Output 1.0\r\n").expect("write");
    let bin = s.bin().display().to_string();
    s.spec(
        "broken",
        &format!(
            "checks:
  - absent: python2
  - command: python3
  - file: '{bin}\\python2.cmd'
    mode: '0755'
  - command: gone
    version: '>=1'
  - command: shtool
  - command: deploy
  - file: '{bin}\\python2.cmd'
    executable: false
"
        ),
    );
    let (code, report) = run_json(&s, "broken", &[]);
    assert_eq!(code, Some(1), "{report:#}");

    // `absent` finds the .cmd through PATHEXT.
    assert_eq!(status(&report, "broken/absent:python2"), "fail");
    assert!(location(&report, "broken/absent:python2").ends_with("\\python2.cmd"));
    // Missing: the PATH searched, `;`-separated.
    let c = check(&report, "broken/command:python3");
    assert_eq!(c["message"], "`python3` is not on PATH");
    let searched = location(&report, "broken/command:python3");
    assert!(searched.starts_with(&format!("PATH={bin};")), "{searched}");
    // No Unix modes: an error, never a silent pass.
    let id = format!("broken/file:{bin}\\python2.cmd");
    let c = check(&report, &id);
    assert_eq!(c["status"], "error", "{c:#}");
    assert!(
        c["message"]
            .as_str()
            .unwrap_or_default()
            .ends_with("`mode` cannot be checked here, this OS has no Unix permission bits"),
        "{c:#}"
    );
    // Executable means: its extension is in PATHEXT.
    assert_eq!(status(&report, &format!("{id}#2")), "fail");
    let c = check(&report, "broken/command:gone");
    assert_eq!(
        c["message"],
        "`gone` is found but does not run: `gone --version` exited with 9009"
    );
    for (name, file) in [("shtool", "shtool"), ("deploy", "deploy.ps1")] {
        let c = check(&report, &format!("broken/command:{name}"));
        assert_eq!(c["status"], "fail", "{c:#}");
        assert_eq!(c["actual"], "found, not executable", "{c:#}");
        assert!(location(&report, &format!("broken/command:{name}")).ends_with(file));
    }
}

/// The write-up's agent: no `python2` on PATH. The shipped spec says so,
/// and passes once a python2 is there.
#[test]
fn the_shipped_windows_spec_on_a_fake_agent() {
    let s = Sandbox::new();
    s.script("git.cmd", &["echo git version 2.45.1.windows.1"])
        .script(
            "powershell.cmd",
            &["if \"%~4\"==\"$PSVersionTable.PSVersion.ToString()\" echo 5.1.19041.4648"],
        );
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("probes");
    fs::copy(shipped.join("windows.yaml"), s.path("probes/windows.yaml")).expect("copy spec");
    // The free-space check depends on this machine's disk: not looked at.
    let (code, report) = run_json(&s, "windows", &[]);
    assert_eq!(code, Some(1));
    let failing: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] != "pass" && c["kind"] != "disk")
        .map(|c| c["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(failing, ["windows/command:python2"]);
    let c = check(&report, "windows/command:python2");
    assert_eq!(c["message"], "`python2` is not on PATH");
    assert!(c["hint"].as_str().unwrap_or_default().contains("py -2"));
    assert_eq!(check(&report, "windows/command:git")["actual"], "2.45.1");
    assert_eq!(
        check(&report, "windows/command:powershell")["actual"],
        "5.1.19041.4648"
    );

    s.script("python2.cmd", &["echo Python 2.7.18 1>&2"]);
    let (_, report) = run_json(&s, "windows", &[]);
    assert_eq!(status(&report, "windows/command:python2"), "pass");
    assert_eq!(
        check(&report, "windows/command:python2")["actual"],
        "2.7.18"
    );
}

#[test]
fn a_hanging_tool_and_its_children_are_killed_at_the_timeout() {
    let s = Sandbox::new();
    // The .cmd runs in cmd.exe, which starts ping (~30 s): a process tree.
    s.script("hang.cmd", &["echo hang 1.0", "ping -n 30 127.0.0.1 >nul"]);
    s.spec(
        "hang",
        "checks:\n  - command: hang\n    version: '>=1'\n    timeout: 2s\n    hint: fix it\n",
    );
    s.spec("ping", "checks:\n  - process: ping\n    hint: none\n");
    let pings = |s: &Sandbox| run_json(s, "ping", &[]).1;

    // The process list sees a ping while one runs (else the end proves nothing).
    let mut control = Command::new("ping")
        .args(["-n", "5", "127.0.0.1"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ping");
    let seen = status(&pings(&s), "ping/process:ping").to_string();
    let _ = control.kill();
    let _ = control.wait();
    assert_eq!(seen, "pass");

    let started = Instant::now();
    let o = s.probe(&["--no-common", "-r", "hang"]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let shown = text(&o);
    assert!(
        shown.contains("`hang --version` timed out after 2")
            && shown.contains("; it and its child processes were killed"),
        "{shown}"
    );
    assert!(shown.contains("output:   hang 1.0"), "{shown}");
    // ping was in the job: gone too (killing takes a moment).
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let report = pings(&s);
        if status(&report, "ping/process:ping") == "fail" {
            break;
        }
        assert!(Instant::now() < until, "ping outlived the timeout");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_shipped_specs_lint_on_windows() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("probes");
    let o = Command::new(env!("CARGO_BIN_EXE_probe"))
        .arg("--probes")
        .arg(&shipped)
        .arg("lint")
        .output()
        .expect("run probe.exe");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).starts_with("ok: "), "{}", text(&o));
}

/// A program registered as installed (for this user, as an installer
/// writes it), and the services of the machine.
#[test]
fn packages_from_the_registry_and_services_from_the_service_control_manager() {
    let key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\ProbeTestTool_is1";
    let reg = |args: &[&str]| {
        let o = Command::new("reg").args(args).output().expect("run reg");
        assert!(o.status.success(), "reg {args:?}: {}", text(&o));
    };
    reg(&[
        "add",
        key,
        "/v",
        "DisplayName",
        "/d",
        "Probe Test Tool",
        "/f",
    ]);
    reg(&["add", key, "/v", "DisplayVersion", "/d", "2.7.1", "/f"]);
    struct Cleanup<'a>(&'a str);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            let _ = Command::new("reg").args(["delete", self.0, "/f"]).output();
        }
    }
    let _cleanup = Cleanup(key);
    let s = Sandbox::new();
    s.spec(
        "win",
        "checks:
  - package: probe test tool
    version: '>=2.7'
  - package: Probe Test*
    version: '>=3'
  - package: ProbeTestTool_is1
  - package: Probe
  - service: PlugPlay
  - service: no-such-service-for-probe-tests
  - service: PlugPlay
    running: false
",
    );
    let (code, report) = run_json(&s, "win", &[]);
    assert_eq!(code, Some(1));
    let statuses: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["pass", "fail", "pass", "fail", "pass", "fail", "fail"],
        "{report:#}"
    );
    let checks = report["checks"].as_array().expect("checks");
    assert_eq!(
        checks[0]["message"],
        "package probe test tool 2.7.1 (this user) is installed"
    );
    assert_eq!(
        checks[3]["message"],
        "package Probe is not installed; installed with similar names: Probe Test Tool"
    );
    assert!(
        checks[4]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("service PlugPlay is Running"),
        "{:#}",
        checks[4]
    );
}

#[test]
fn listening_ports_from_the_tcp_and_udp_tables() {
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let (t, u) = (
        tcp.local_addr().expect("addr").port(),
        udp.local_addr().expect("addr").port(),
    );
    let s = Sandbox::new();
    s.spec(
        "net",
        &format!("checks:\n  - port: {t}\n  - port: {u}\n    protocol: udp\n  - port: {u}\n"),
    );
    let (code, report) = run_json(&s, "net", &[]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(status(&report, &format!("net/port:{t}")), "pass");
    // The UDP socket listens; no TCP one on its port.
    assert_eq!(status(&report, &format!("net/port:{u}")), "pass");
    assert_eq!(status(&report, &format!("net/port:{u}#2")), "fail");
}
