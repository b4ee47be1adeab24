//! The check kinds against this machine for real: what a unit test with a
//! made-up machine cannot show (the OS's own files, sockets, servers).
#![cfg(unix)]

use crate::common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;

use crate::common::{json, stderr, stdout, Sandbox};

#[test]
fn a_command_given_as_a_variable_path_is_that_file_not_a_path_lookup() {
    let s = Sandbox::new();
    let jdk = s.path("jdk");
    fs::create_dir_all(jdk.join("bin")).unwrap();
    let java = jdk.join("bin/java");
    fs::write(
        &java,
        "#!/bin/sh\necho 'openjdk version \"17.0.9\" 2023-10-17' >&2\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&java, fs::Permissions::from_mode(0o755)).unwrap();
    // A different `java` on PATH must not be the one checked.
    s.tool("java", "echo 'openjdk version \"11.0.2\"' >&2");
    s.spec(
        "java",
        "checks:\n  - command: ${JAVA_HOME}/bin/java\n    args: [-version]\n    version: '>=17'\n",
    );
    let o = s
        .command(&["-r", "java", "--format", "json"])
        .env("JAVA_HOME", &jdk)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let report = json(&o);
    let c = &report["checks"][0];
    assert_eq!(c["actual"], "17.0.9", "{c:#}");
    assert_eq!(c["location"], java.display().to_string(), "{c:#}");

    let o = s
        .command(&["-r", "java", "--format", "json"])
        .env_remove("JAVA_HOME")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let report = json(&o);
    let c = &report["checks"][0];
    assert_eq!(c["status"], "error");
    assert_eq!(
        c["message"],
        "JAVA_HOME is not set (`${JAVA_HOME}/bin/java` uses it)"
    );
}

#[test]
fn a_variable_holding_bytes_that_are_not_utf8_keeps_them_in_the_path() {
    let s = Sandbox::new();
    let name = OsStr::from_bytes(b"dir-\xff\xfe");
    let dir = s.path("x").join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("y"), "here").unwrap();
    s.spec("t", "checks:\n  - file: ${X}/y\n    contains: here\n");
    let o = s.command(&["-r", "t"]).env("X", &dir).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // The same name with the bytes replaced does not exist: the check
    // looked at the real path.
    let lossy = s.path("x").join(name.to_string_lossy().as_ref());
    assert!(!lossy.exists());
}

#[test]
fn port_sees_a_listener_this_test_opens_and_not_a_closed_one() {
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let (tcp_port, udp_port) = (
        tcp.local_addr().unwrap().port(),
        udp.local_addr().unwrap().port(),
    );
    // A port nothing listens on: one just freed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = Sandbox::new();
    s.spec(
        "net",
        &format!(
            "checks:\n  - port: {tcp_port}\n    address: 127.0.0.1\n  - port: {udp_port}\n    protocol: udp\n  - port: ${{FREE_PORT}}\n    listening: false\n  - port: {tcp_port}\n    protocol: udp\n"
        ),
    );
    let o = s
        .command(&["-r", "net", "--format", "json"])
        .env("FREE_PORT", closed.to_string())
        .output()
        .unwrap();
    let report = json(&o);
    let statuses: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "pass", "pass", "fail"], "{report:#}");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        report["checks"][0]["message"],
        format!("TCP port {tcp_port} is listening on 127.0.0.1:{tcp_port}")
    );
}

#[test]
fn sysctl_and_mount_read_this_machines_proc() {
    let s = Sandbox::new();
    s.spec(
        "kernel",
        "checks:\n  - sysctl: kernel.ostype\n    equals: Linux\n  - sysctl: kernel.pid_max\n    range: '>= 301'\n  - mount: /proc\n    fstype: proc\n  - mount: /proc/self\n  - sysctl: kernel.no_such_thing\n",
    );
    let o = s.probe(&["-r", "kernel", "--format", "json"]);
    let report = json(&o);
    let statuses: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["pass", "pass", "pass", "fail", "fail"],
        "{report:#}"
    );
    assert_eq!(
        report["checks"][3]["message"],
        "/proc/self is not a mount point; it is on the proc filesystem mounted at /proc"
    );
}

#[test]
fn dns_resolves_localhost_and_not_a_reserved_invalid_name() {
    let s = Sandbox::new();
    s.spec(
        "dns",
        "checks:\n  - dns: localhost\n  - dns: ${LOOPBACK_NAME}\n    addresses: [127.0.0.1]\n  - dns: no-such-host.invalid\n    timeout: 5s\n",
    );
    let o = s
        .command(&["-r", "dns", "--format", "json"])
        .env("LOOPBACK_NAME", "localhost")
        .output()
        .unwrap();
    let report = json(&o);
    let statuses: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "pass", "fail"], "{report:#}");
    let message = report["checks"][2]["message"].as_str().unwrap();
    assert!(
        message.starts_with("no-such-host.invalid does not resolve: "),
        "{message}"
    );
}

// ---- http ----

use crate::common::http_server::{Reply, Server};
use crate::common::proxy::Proxy;

fn statuses(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_string())
        .collect()
}

fn test_ca() -> String {
    common::repository_root()
        .join("tests/fixtures/tls/ca.pem")
        .display()
        .to_string()
}

#[test]
fn http_checks_status_headers_and_body_of_a_real_server() {
    let server = Server::start(|r| match r.path() {
        "/health" => Reply::json(200, r#"{"health": "OK"}"#),
        "/old" => Reply::text(302, "").header("Location", "/health"),
        _ => Reply::text(503, "down for maintenance"),
    });
    let url = server.url();
    let s = Sandbox::new();
    s.spec(
        "web",
        &format!(
            "checks:\n  - http: {url}/health\n    header: {{content-type: json}}\n    body: '\"OK\"'\n  - http: {url}/old\n  - http: ${{WEB}}/other\n  - http: {url}/health\n    method: HEAD\n    status: 204\n"
        ),
    );
    let o = s
        .command(&["-r", "web", "--format", "json"])
        .env("WEB", &url)
        .output()
        .unwrap();
    let report = json(&o);
    assert_eq!(
        statuses(&report),
        ["pass", "pass", "fail", "fail"],
        "{report:#}"
    );
    let c = &report["checks"][2];
    assert_eq!(
        c["message"],
        format!("GET {url}/other answered 503 Service Unavailable, expected 2xx or 3xx")
    );
    assert_eq!(c["output"], "down for maintenance");
    assert_eq!(report["checks"][3]["actual"], "200 OK");
    let mut methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    methods.sort();
    assert_eq!(methods, ["GET", "GET", "GET", "HEAD"]);
}

#[test]
fn https_is_verified_against_the_ca_store_a_ca_file_or_not_at_all() {
    let server = Server::start_tls(|_| Reply::text(200, "secure"));
    let url = server.url();
    let s = Sandbox::new();
    s.spec(
        "tls",
        &format!(
            "checks:\n  - http: {url}/\n  - http: {url}/\n    ca_file: {}\n    body: secure\n  - http: {url}/\n    insecure: true\n  - http: https://127.0.0.1:{}/\n    ca_file: {}\n",
            test_ca(),
            server.port(),
            test_ca()
        ),
    );
    let report = json(&s.probe(&["-r", "tls", "--format", "json"]));
    // The last one: the certificate names 127.0.0.1 too.
    assert_eq!(
        statuses(&report),
        ["fail", "pass", "pass", "pass"],
        "{report:#}"
    );
    let message = report["checks"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("not signed by a CA this machine trusts")
            || message.contains("no CA certificates found"),
        "{message}"
    );
    // Through the test CA but under a name the certificate does not have.
    let s2 = Sandbox::new();
    s2.spec(
        "tls",
        &format!(
            "checks:\n  - http: https://127.0.0.2:{}/\n    ca_file: {}\n",
            server.port(),
            test_ca()
        ),
    );
    let report = json(&s2.probe(&["-r", "tls", "--format", "json"]));
    let message = report["checks"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // 127.0.0.2 is loopback on Linux; elsewhere the connection fails.
    if report["checks"][0]["actual"] != "no answer" || message.contains("certificate") {
        assert!(message.contains("for another host name"), "{message}");
    }
}

#[test]
fn a_ca_file_that_cannot_be_used_is_an_error_not_a_failure() {
    let s = Sandbox::new();
    fs::write(s.path("empty.pem"), "not a certificate\n").unwrap();
    s.spec(
        "tls",
        "checks:\n  - http: https://localhost:1/\n    ca_file: empty.pem\n  - http: https://localhost:1/\n    ca_file: missing.pem\n",
    );
    let report = json(&s.probe(&["-r", "tls", "--format", "json"]));
    assert_eq!(statuses(&report), ["error", "error"], "{report:#}");
    assert_eq!(
        report["checks"][0]["message"],
        "empty.pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
    );
}

#[test]
fn the_proxy_of_the_environment_is_used_and_named_and_no_proxy_is_honoured() {
    let server = Server::start(|_| Reply::text(200, "through"));
    let tls = Server::start_tls(|_| Reply::text(200, "tunnelled"));
    let proxy = Proxy::start();
    let s = Sandbox::new();
    s.spec(
        "net",
        &format!(
            "checks:\n  - http: {}/a\n    body: through\n  - http: {}/b\n    ca_file: {}\n    body: tunnelled\n",
            server.url(),
            tls.url(),
            test_ca()
        ),
    );
    let o = s
        .command(&["-r", "net", "--format", "json"])
        .env("http_proxy", proxy.url())
        .env("https_proxy", proxy.url())
        .output()
        .unwrap();
    let report = json(&o);
    assert_eq!(statuses(&report), ["pass", "pass"], "{report:#}");
    let via = format!("through the proxy {}", proxy.address());
    for c in report["checks"].as_array().unwrap() {
        assert!(c["message"].as_str().unwrap().ends_with(&via), "{c:#}");
    }
    // Both through a tunnel: the client opens one for http:// URLs too.
    let mut seen = proxy.seen();
    seen.sort();
    assert_eq!(
        seen,
        [
            format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.port()),
            format!("CONNECT localhost:{} HTTP/1.1", tls.port())
        ]
    );

    let o = s
        .command(&["-r", "net", "--format", "json"])
        .env("http_proxy", proxy.url())
        .env("HTTPS_PROXY", proxy.url())
        .env("NO_PROXY", "127.0.0.1, localhost")
        .output()
        .unwrap();
    let report = json(&o);
    assert_eq!(statuses(&report), ["pass", "pass"], "{report:#}");
    assert!(!report["checks"][0]["message"]
        .as_str()
        .unwrap()
        .contains("proxy"));
    assert_eq!(
        proxy.seen().len(),
        2,
        "NO_PROXY hosts went through the proxy"
    );

    // httpoxy: uppercase HTTP_PROXY can come from a request's `Proxy:`
    // header; as curl does, the probe does not read it.
    let o = s
        .command(&["-r", "net", "--format", "json"])
        .env("HTTP_PROXY", proxy.url())
        .output()
        .unwrap();
    let report = json(&o);
    assert_eq!(statuses(&report), ["pass", "pass"], "{report:#}");
    assert_eq!(proxy.seen().len(), 2, "HTTP_PROXY was used");
}

#[test]
fn a_machine_without_ca_certificates_is_told_to_install_them() {
    let server = Server::start_tls(|_| Reply::text(200, "secure"));
    let s = Sandbox::new();
    fs::create_dir(s.path("no-certs")).unwrap();
    s.spec("tls", &format!("checks:\n  - http: {}/\n", server.url()));
    // rustls-native-certs reads these instead of the system's store.
    let o = s
        .command(&["-r", "tls", "--format", "json"])
        .env("SSL_CERT_FILE", s.path("no-certs/none.pem"))
        .env("SSL_CERT_DIR", s.path("no-certs"))
        .output()
        .unwrap();
    let report = json(&o);
    assert_eq!(statuses(&report), ["fail"], "{report:#}");
    let message = report["checks"][0]["message"].as_str().unwrap();
    assert!(message.contains("no CA certificates found"), "{message}");
    assert!(message.contains("install ca-certificates"), "{message}");
}

// ---- package ----

#[test]
fn package_reads_this_machines_dpkg_database() {
    let status = std::path::Path::new("/var/lib/dpkg/status");
    if !status.exists() {
        eprintln!("SKIPPED: no dpkg database on this machine (/var/lib/dpkg/status)");
        return;
    }
    // What dpkg itself says about its own package, to compare with.
    let out = std::process::Command::new("dpkg-query")
        .args(["-W", "-f", "${Version}", "dpkg"])
        .output()
        .expect("dpkg-query");
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!version.is_empty());
    let s = Sandbox::new();
    s.spec(
        "pkg",
        "checks:\n  - package: dpkg\n    version: '>=1.0'\n  - package: dpkg\n    version: '<1.0'\n  - package: no-such-package-for-probe-tests\n  - package: no-such-package-for-probe-tests\n    installed: false\n",
    );
    let report = json(&s.probe(&["-r", "pkg", "--format", "json"]));
    assert_eq!(
        statuses(&report),
        ["pass", "fail", "fail", "pass"],
        "{report:#}"
    );
    let message = report["checks"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("package dpkg {version} (")),
        "{message}"
    );
    assert_eq!(report["checks"][0]["location"], "/var/lib/dpkg/status");
}

// ---- service ----

#[test]
fn service_asks_systemd_or_says_why_it_cannot() {
    let s = Sandbox::new();
    s.spec(
        "svc",
        "checks:\n  - service: systemd-journald\n  - service: no-such-service-for-probe-tests\n",
    );
    let report = json(&s.probe(&["-r", "svc", "--format", "json"]));
    if std::path::Path::new("/run/systemd/system").is_dir() {
        assert_eq!(statuses(&report), ["pass", "fail"], "{report:#}");
        assert_eq!(
            report["checks"][1]["message"],
            "there is no service no-such-service-for-probe-tests: systemd has no unit \
             no-such-service-for-probe-tests.service"
        );
    } else {
        eprintln!(
            "no systemd on this machine: checking that services are reported as not checkable"
        );
        assert_eq!(statuses(&report), ["error", "error"], "{report:#}");
        let message = report["checks"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("systemd is not running (no /run/systemd/system)"),
            "{message}"
        );
    }
}

// ---- users, groups, owners ----

#[test]
fn users_groups_and_owners_of_this_machine() {
    // What the system itself says, to compare with.
    let id = |args: &[&str]| {
        let out = std::process::Command::new("id")
            .args(args)
            .output()
            .expect("id");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let (uid, name, group) = (id(&["-u"]), id(&["-un"]), id(&["-gn"]));
    let s = Sandbox::new();
    fs::write(s.path("mine"), "x").unwrap();
    s.spec(
        "accounts",
        &format!(
            "checks:\n  - user: current\n    uid: {uid}\n    groups: [{group}]\n  - user: root\n    uid: 0\n  - group: root\n    gid: 0\n  - user: no-such-user-for-probe-tests\n  - file: mine\n    owner: {name}\n    group: {group}\n  - file: /\n    owner: root\n  - user: current\n    groups: [no-such-group-for-probe-tests]\n"
        ),
    );
    let report = json(&s.probe(&["-r", "accounts", "--format", "json"]));
    let message = report["checks"][6]["message"].as_str().unwrap();
    // Root needs no group; anyone else is not in one that does not exist.
    let last = if uid == "0" {
        assert!(
            message.ends_with("which needs no group to be let in"),
            "{message}"
        );
        "pass"
    } else {
        assert!(message.contains("there is no such group"), "{message}");
        "fail"
    };
    assert_eq!(
        statuses(&report),
        ["pass", "pass", "pass", "fail", "pass", "pass", last],
        "{report:#}"
    );
}

/// The groups of `user: current` are the process's own: run as `nobody`
/// with setpriv (root only; skipped loudly elsewhere).
#[test]
fn current_user_groups_are_the_processes_own() {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n");
    let setpriv = std::process::Command::new("setpriv")
        .arg("--help")
        .output()
        .is_ok();
    if root.ok() != Some(true) || !setpriv {
        eprintln!("SKIPPED: needs root and setpriv to run the probe as another user");
        return;
    }
    let s = Sandbox::new();
    s.spec(
        "me",
        "checks:\n  - user: current\n    uid: 65534\n    groups: [\"65534\"]\n  - user: current\n    groups: [root]\n",
    );
    // The sandbox must be readable by nobody.
    let mut perms = fs::metadata(s.path("")).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    perms.set_mode(0o755);
    fs::set_permissions(s.path(""), perms).unwrap();
    let o = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_probe"))
        .args(["-r", "me", "--format", "json", "--no-common"])
        .current_dir(s.path(""))
        .env("NO_COLOR", "1")
        .output()
        .expect("run the probe as nobody");
    let report = json(&o);
    assert_eq!(statuses(&report), ["pass", "fail"], "{report:#}");
    let message = report["checks"][1]["message"].as_str().unwrap();
    assert!(
        message.contains("is not in root in this process"),
        "{message}"
    );
}

#[test]
fn http_credentials_from_variables_are_sent_whole_and_never_shown() {
    // `deploy:p/ss@w%rd` in Basic auth.
    let server = Server::start(|r| match r.header("authorization") {
        Some("Basic ZGVwbG95OnAvc3NAdyVyZA==") => Reply::text(200, "welcome"),
        _ => Reply::text(401, "who are you"),
    });
    let s = Sandbox::new();
    s.spec(
        "auth",
        &format!(
            "checks:\n  - http: http://deploy:${{DEPLOY_PW}}@127.0.0.1:{}/\n    body: welcome\n",
            server.port()
        ),
    );
    let o = s
        .command(&["-r", "auth", "--format", "json"])
        .env("DEPLOY_PW", "p/ss@w%rd")
        .output()
        .unwrap();
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(!text.contains("p/ss"), "{text}");
}
