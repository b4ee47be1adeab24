//! A small YAML writer for the pipeline files we generate: block style,
//! keys in the order given, strings quoted whenever YAML could read them as
//! something else.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Y {
    Str(String),
    Int(u64),
    Bool(bool),
    List(Vec<Y>),
    Map(Vec<(String, Y)>),
    /// A `# comment` line, as an item of a block list only (one line of
    /// probe's own text).
    Comment(String),
}

pub fn s(text: impl Into<String>) -> Y {
    Y::Str(text.into())
}

pub fn map(entries: Vec<(&str, Y)>) -> Y {
    Y::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn list(items: Vec<Y>) -> Y {
    Y::List(items)
}

pub fn strs<S: AsRef<str>>(items: &[S]) -> Y {
    Y::List(items.iter().map(|i| s(i.as_ref())).collect())
}

pub fn render(doc: &Y) -> String {
    let mut out = String::new();
    write_value(&mut out, doc, 0, true);
    out
}

fn is_block(value: &Y) -> bool {
    matches!(value, Y::List(l) if !l.is_empty()) || matches!(value, Y::Map(m) if !m.is_empty())
}

/// Writes `value` whose first line continues the current line (after `key:`
/// or `- `) unless `fresh`, with nested lines at `indent`.
fn write_value(out: &mut String, value: &Y, indent: usize, fresh: bool) {
    let pad = " ".repeat(indent);
    match value {
        Y::Str(text) => {
            let _ = writeln!(out, "{}", scalar(text));
        }
        Y::Int(n) => {
            let _ = writeln!(out, "{n}");
        }
        Y::Bool(b) => {
            let _ = writeln!(out, "{b}");
        }
        // Only a list item is a comment; anywhere else it is no value.
        Y::Comment(_) => out.push_str("null\n"),
        Y::List(items) if items.is_empty() => out.push_str("[]\n"),
        Y::Map(entries) if entries.is_empty() => out.push_str("{}\n"),
        Y::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 || fresh {
                    out.push_str(&pad);
                }
                if let Y::Comment(text) = item {
                    let _ = writeln!(out, "# {}", text.replace(['\n', '\r'], " "));
                    continue;
                }
                out.push_str("- ");
                write_value(out, item, indent + 2, false);
            }
        }
        Y::Map(entries) => {
            for (i, (key, v)) in entries.iter().enumerate() {
                if i > 0 || fresh {
                    out.push_str(&pad);
                }
                let _ = write!(out, "{}:", scalar(key));
                if is_block(v) {
                    out.push('\n');
                    write_value(out, v, indent + 2, true);
                } else {
                    out.push(' ');
                    write_value(out, v, indent + 2, false);
                }
            }
        }
    }
}

pub use crate::spec::emit::scalar;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml::{self, Value};

    #[test]
    fn nested_documents_read_back_the_same() {
        let doc = map(vec![
            ("format_version", Y::Int(10)),
            (
                "pipelines",
                map(vec![(
                    "p",
                    map(vec![
                        ("group", s("probe")),
                        (
                            "stages",
                            list(vec![map(vec![(
                                "check",
                                map(vec![(
                                    "jobs",
                                    map(vec![(
                                        "probe",
                                        map(vec![
                                            ("run_instances", s("all")),
                                            ("resources", strs(&["linux"])),
                                            (
                                                "tasks",
                                                list(vec![map(vec![(
                                                    "exec",
                                                    map(vec![
                                                        ("command", s("probe")),
                                                        (
                                                            "arguments",
                                                            strs(&["--agent", "yes", "a: b"]),
                                                        ),
                                                    ]),
                                                )])]),
                                            ),
                                            ("empty", list(vec![])),
                                        ]),
                                    )]),
                                )]),
                            )])]),
                        ),
                    ]),
                )]),
            ),
        ]);
        let text = render(&doc);
        let (node, problems) = yaml::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert!(problems.is_empty(), "{problems:?}");
        let node = node.expect("a document");
        assert_eq!(to_y(&node), doc, "{text}");
    }

    /// Reads a node back into `Y`, taking plain scalars that look like
    /// numbers or booleans as such.
    fn to_y(node: &yaml::Node) -> Y {
        match &node.value {
            Value::Scalar { text, plain } => match (plain, text.parse::<u64>(), text.as_str()) {
                (true, Ok(n), _) => Y::Int(n),
                (true, _, "true") => Y::Bool(true),
                (true, _, "false") => Y::Bool(false),
                _ => Y::Str(text.clone()),
            },
            Value::Seq(items) => Y::List(items.iter().map(to_y).collect()),
            Value::Map(entries) => Y::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), to_y(v)))
                    .collect(),
            ),
        }
    }
}
