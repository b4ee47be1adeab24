//! Reading YAML trees in tests: the crate's positioned parser, walked by key.
#![allow(dead_code)]

use probe::spec::yaml::{Node, Value};

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
