//! A temporary folder with `bin/` (fake tools, first on PATH) and
//! `probes/` (specs), and the probe binary run inside it.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("bin")).expect("bin");
        fs::create_dir(dir.path().join("probes")).expect("probes");
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn bin(&self) -> PathBuf {
        self.path("bin")
    }

    pub fn spec(&self, resource: &str, yaml: &str) -> &Self {
        fs::write(self.path(&format!("probes/{resource}.yaml")), yaml).expect("write spec");
        self
    }

    /// A fake tool: a shell script in bin/.
    #[cfg(unix)]
    pub fn tool(&self, name: &str, script: &str) -> &Self {
        use std::os::unix::fs::PermissionsExt;
        let path = self.bin().join(name);
        fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("write tool");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        self
    }

    /// A batch file in bin\ (`lines` joined with CRLF, after `@echo off`).
    #[cfg(windows)]
    pub fn script(&self, file: &str, lines: &[&str]) -> &Self {
        let mut text = String::from("@echo off\r\n");
        for line in lines {
            text.push_str(line);
            text.push_str("\r\n");
        }
        fs::write(self.bin().join(file), text).expect("write tool");
        self
    }

    /// This probe.exe as another program in bin\ (with what it needs to
    /// start under wine).
    #[cfg(windows)]
    pub fn exe(&self, name: &str) -> &Self {
        let probe = std::path::Path::new(env!("CARGO_BIN_EXE_probe"));
        fs::copy(probe, self.bin().join(format!("{name}.exe"))).expect("copy probe.exe");
        let stub = probe.with_file_name("bcryptprimitives.dll");
        if stub.exists() {
            fs::copy(&stub, self.bin().join("bcryptprimitives.dll")).expect("copy dll");
        }
        self
    }

    /// The probe in the sandbox: its working directory (so ./probes is
    /// found), bin/ first on PATH, no colour, no PROBE_PATH from outside.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_probe"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("PROBE_PATH")
            .env("NO_COLOR", "1");
        // Loopback servers are reached directly, whatever proxy the
        // machine running the tests has; a test sets its own.
        for proxy in ["http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
            command
                .env_remove(proxy)
                .env_remove(proxy.to_ascii_uppercase());
        }
        if cfg!(windows) {
            // As a Windows agent has it, under the name Windows itself uses.
            let root = std::env::var("SystemRoot").unwrap_or_else(|_| r"C:\windows".into());
            command.env(
                "Path",
                format!("{};{root}\\system32;{root}", self.bin().display()),
            );
        } else {
            command.env("PATH", format!("{}:/usr/bin:/bin", self.bin().display()));
        }
        command
    }

    pub fn probe(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run probe")
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The report on stdout, parsed.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(o), stderr(o)))
}

/// One check of a JSON report, by id.
pub fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}
