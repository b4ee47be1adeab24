//! The check kinds against this machine for real: what a unit test with a
//! made-up machine cannot show (the OS's own files, sockets, servers).
#![cfg(unix)]

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;

use common::{json, stderr, stdout, Sandbox};

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
