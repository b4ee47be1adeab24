//! A check about to be written into a spec: its kind (an entry of the
//! kinds table), its subject and its keys (each a key the kind declares, or
//! one every check may carry), and values that go through the one YAML
//! scalar writer. Nothing else reaches a spec's text: whatever a value
//! holds, it stays a value. After the check is appended, the file is read
//! back and the check compared with its draft (`matches`).

use super::{kind_of, Registration};
use crate::spec::emit::{flow_list, scalar};
use crate::spec::yaml::{Node, Value};
use crate::spec::COMMON_KEYS;

/// One value of a check.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(String),
    List(Vec<String>),
    Number(i64),
    Bool(bool),
}

impl Val {
    pub fn text(text: impl Into<String>) -> Val {
        Val::Text(text.into())
    }

    fn written(&self) -> String {
        match self {
            Val::Text(text) => scalar(text),
            Val::List(items) => flow_list(items),
            Val::Number(n) => n.to_string(),
            Val::Bool(b) => b.to_string(),
        }
    }

    /// Whether `node`, as read back from the written spec, is this value.
    fn is(&self, node: &Node) -> bool {
        match (self, &node.value) {
            (Val::Text(text), Value::Scalar { text: read, .. }) => read == text,
            (Val::Number(n), Value::Scalar { text: read, plain }) => {
                *plain && *read == n.to_string()
            }
            (Val::Bool(b), Value::Scalar { text: read, plain }) => {
                *plain && *read == b.to_string()
            }
            (Val::List(items), Value::Seq(read)) => {
                items.len() == read.len()
                    && items.iter().zip(read).all(|(item, node)| {
                        matches!(&node.value, Value::Scalar { text, .. } if text == item)
                    })
            }
            _ => false,
        }
    }
}

/// A check to write.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The kind, an entry of the kinds table.
    kind: &'static Registration,
    subject: Val,
    keys: Vec<(&'static str, Val)>,
}

impl Draft {
    /// A check of `kind` (which must name a kind) about `subject`.
    pub fn new(kind: &str, subject: Val) -> Result<Draft, String> {
        let registration =
            kind_of(kind).ok_or_else(|| format!("`{kind}` is not a kind of check"))?;
        Ok(Draft::of(registration, subject))
    }

    /// A check of the kind `registration` registers.
    pub fn of(registration: &'static Registration, subject: Val) -> Draft {
        Draft {
            kind: registration,
            subject,
            keys: Vec::new(),
        }
    }

    /// Adds `key`, which must be one of the kind's own keys or one every
    /// check may carry (`hint`, `timeout`…).
    pub fn with(mut self, key: &'static str, value: Val) -> Draft {
        self.keys.push((key, value));
        self
    }

    /// The check's lines, without indentation or `- `: `kind: subject`,
    /// then one per key. Err when a key is not the kind's.
    pub fn lines(&self) -> Result<Vec<String>, String> {
        let kind = self.kind.key;
        let mut lines = vec![format!("{kind}: {}", self.subject.written())];
        for (key, value) in &self.keys {
            if !self.kind.has_key(key) && !COMMON_KEYS.contains(key) {
                return Err(format!("`{key}` is not a key of `{kind}` checks"));
            }
            lines.push(format!("{key}: {}", value.written()));
        }
        Ok(lines)
    }

    /// Whether `item`, a check as read back from the spec written, is this
    /// draft: the same keys, in order, with the same values, and nothing
    /// more.
    pub fn matches(&self, item: &Node) -> bool {
        let Value::Map(entries) = &item.value else {
            return false;
        };
        let wanted = std::iter::once((self.kind.key, &self.subject))
            .chain(self.keys.iter().map(|(k, v)| (*k, v)));
        entries.len() == self.keys.len() + 1
            && entries
                .iter()
                .zip(wanted)
                .all(|((key, value), (want_key, want))| {
                    key.as_str() == Some(want_key) && want.is(value)
                })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml;

    fn item(lines: &[String]) -> Node {
        let mut text = String::from("- ");
        text.push_str(&lines.join("\n  "));
        let (node, _) = yaml::parse(&text).expect("parses");
        match node.map(|n| n.value) {
            Some(Value::Seq(mut items)) => items.remove(0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_kinds_of_the_table_and_their_keys_are_written() {
        assert!(
            Draft::new("run: [sh, -c, \"touch PWNED\"] #", Val::text("x"))
                .unwrap_err()
                .contains("is not a kind of check")
        );
        let draft = Draft::new("command", Val::text("java"))
            .expect("a kind")
            .with("exit", Val::Number(0))
            .with("run", Val::List(vec!["sh".into()]));
        assert!(draft
            .lines()
            .unwrap_err()
            .contains("`run` is not a key of `command`"));
    }

    #[test]
    fn values_stay_values_and_read_back_the_same() {
        let draft = Draft::new("command", Val::text("java\n- run: [sh, -c, x]"))
            .expect("a kind")
            .with("args", Val::List(vec!["-version".into(), "a, b]".into()]))
            .with("version", Val::text(">=17, <18"))
            .with("hint", Val::text("# not a comment: x"));
        let lines = draft.lines().expect("lines");
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(draft.matches(&item(&lines)), "{lines:?}");
        // Another check, or one more key, is not this draft.
        let other = Draft::new("command", Val::text("java")).expect("a kind");
        assert!(!other.matches(&item(&lines)));
        let mut more = lines.clone();
        more.push("exit: 1".into());
        assert!(!draft.matches(&item(&more)));
    }
}
