//! What the integration tests share: the sandbox the probe runs in, and
//! reading YAML trees with the crate's positioned parser, walked by key.
//! Each test crate uses a part of it.
#![allow(dead_code)]

pub mod gocd;
pub mod http_server;
pub mod proxy;
mod sandbox;

// Each test crate uses a part of these.
#[allow(unused_imports)]
pub use sandbox::{check, json, stderr, stdout, Sandbox};

use std::path::{Path, PathBuf};
use std::process::Command;

use probe::yaml::{Node, Value};

pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A committed file must be exactly what `probe pipeline ARGS` prints when
/// run from the repository root; with PROBE_BLESS=1 the file is rewritten.
/// `how` says how to regenerate it by hand.
pub fn assert_generated_by_probe_pipeline(file: &Path, args: &[&str], how: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_probe"))
        .arg("pipeline")
        .args(args)
        .current_dir(repository_root())
        .env_remove("PROBE_PATH")
        .output()
        .expect("run probe pipeline");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let generated = String::from_utf8(o.stdout).expect("utf-8");
    if std::env::var_os("PROBE_BLESS").is_some() {
        std::fs::write(file, &generated).expect("write");
        return;
    }
    let committed = std::fs::read_to_string(file).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date; regenerate it with `{how}` from the repository root \
         (or run the tests with PROBE_BLESS=1)",
        file.display()
    );
}

pub fn keys(node: &Node) -> Vec<&str> {
    match &node.value {
        Value::Map(entries) => entries.iter().filter_map(|(k, _)| k.as_str()).collect(),
        _ => Vec::new(),
    }
}

pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

pub fn entries(node: &Node) -> Vec<(&str, &Node)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default(), v))
            .collect(),
        _ => Vec::new(),
    }
}

pub fn items(node: &Node) -> &[Node] {
    match &node.value {
        Value::Seq(items) => items,
        _ => &[],
    }
}

pub fn is_map(node: &Node) -> bool {
    matches!(node.value, Value::Map(_))
}

pub fn is_seq(node: &Node) -> bool {
    matches!(node.value, Value::Seq(_))
}
