//! A YAML document as a tree of nodes that remember where they were written.
//!
//! Spec errors must point at `file:line:col`, and duplicate keys must be an
//! error rather than a silently dropped check, so the spec is read from the
//! parser's event stream into this tree instead of through a loader that
//! forgets positions and keeps the last duplicate.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in a spec file, 1-based like an editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    /// The line and column (in characters, from 1) of the end of `before`,
    /// the text before a point.
    pub fn after(before: &str) -> Pos {
        Pos {
            line: before.matches('\n').count() + 1,
            col: before
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1,
        }
    }

    fn from_marker(m: Marker) -> Pos {
        Pos {
            line: m.line(),
            col: m.col() + 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar with its text; `plain` is false for quoted and block scalars,
    /// which are always strings (`"1"` is text, `1` may be a number).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

impl Node {
    /// The key's text when this node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A plain scalar that YAML reads as null (`~`, `null`, or nothing).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if text.is_empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }

    /// How a person would name this node's type in an error message.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
            Value::Scalar { .. } if self.is_null() => "nothing (null)",
            Value::Scalar { text, plain: true } if parse_bool(text).is_some() => "a boolean",
            Value::Scalar { text, plain: true } if text.parse::<f64>().is_ok() => "a number",
            Value::Scalar { .. } => "a string",
        }
    }
}

pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A problem found while reading the YAML itself.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlProblem {
    pub pos: Pos,
    pub message: String,
    /// The text the caret should underline.
    pub snippet: String,
}

/// Parses one YAML document. Syntax errors end the parse (nothing after them
/// can be trusted); duplicate keys are collected and the first one is kept.
pub fn parse(source: &str) -> Result<(Option<Node>, Vec<YamlProblem>), YamlProblem> {
    // A NUL byte is no YAML; the parser would stop there and report what
    // it then missed (`checks`).
    if let Some(at) = source.find('\0') {
        return Err(YamlProblem {
            pos: Pos::after(&source[..at]),
            message: "this file holds a NUL byte: a spec is YAML text (is it a binary file, or \
                      saved as UTF-16?)"
                .into(),
            snippet: String::new(),
        });
    }
    let mut builder = TreeBuilder {
        alias_budget: MAX_ALIAS_NODES,
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        problems: Vec::new(),
        documents: 0,
        second_document: None,
    };
    let mut parser = Parser::new_from_str(source);
    if let Err(e) = parser.load(&mut builder, true) {
        let mut pos = Pos::from_marker(*e.marker());
        let mut message = format!("this is not valid YAML: {}", e.info());
        // The scanner notices a tab once it has moved past the line break
        // before it; point at the tab itself.
        if e.info().contains("tab") {
            if let Some((n, line)) = source
                .lines()
                .enumerate()
                .skip(pos.line.saturating_sub(2))
                .find(|(_, l)| l.trim_start_matches(' ').starts_with('\t'))
            {
                pos = Pos {
                    line: n + 1,
                    col: line.len() - line.trim_start_matches(' ').len() + 1,
                };
            }
        }
        // The parser reports a `[` or quote left open at the position after
        // the last line; show the last line instead, with the caret after it.
        let lines: Vec<&str> = source.lines().collect();
        if let Some(last) = lines.iter().rposition(|l| !l.trim().is_empty()) {
            if pos.line > last + 1 && pos.col == 1 {
                pos = Pos {
                    line: last + 1,
                    col: lines[last].chars().count() + 1,
                };
                message.push_str(" (at the end of the file)");
            }
        }
        let line = lines
            .get(pos.line.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        message.push_str(syntax_hint(e.info(), line));
        return Err(YamlProblem {
            pos,
            message,
            snippet: String::new(),
        });
    }
    if builder.documents > 1 {
        return Err(YamlProblem {
            pos: builder.second_document.unwrap_or_default(),
            message:
                "a spec file holds one YAML document; remove the `---` that starts a second one"
                    .to_string(),
            snippet: "---".to_string(),
        });
    }
    Ok((builder.root, builder.problems))
}

/// What to do about the parser's most common complaints. `line`: the line
/// the parser stopped on.
fn syntax_hint(info: &str, line: &str) -> &'static str {
    let in_flow = info.contains("flow sequence") || info.contains("flow mapping");
    if in_flow && line.contains("${") {
        // `{` ends a plain word inside `[...]`.
        "; inside `[...]` a word with `${VAR}` must be quoted, e.g. \
         `[\"${JAVA_HOME}/bin/java\", -version]`"
    } else if info.contains("tab") {
        "; indent with spaces, not tabs"
    } else if info.contains("mapping values are not allowed") {
        "; a value that contains `: ` must be quoted, e.g. `hint: \"run: apt-get install lua\"`, \
         or a key is indented deeper than the keys above it"
    } else if info.contains("flow sequence") {
        "; close the list with `]`"
    } else if info.contains("flow mapping") {
        "; close the map with `}`"
    } else if info.contains("quoted scalar") {
        "; close the quote"
    } else if info.contains("block mapping") || info.contains("block collection") {
        "; check the indentation: the keys of one check line up under each other, \
         and each check starts with `- `"
    } else if info.contains("unexpected character") || info.contains("cannot start any token") {
        "; quote the value"
    } else {
        ""
    }
}

enum Frame {
    Seq(Pos, Vec<Node>),
    Map(Pos, Vec<(Node, Node)>, Option<Node>),
}

/// How many values aliases may add to a document in all.
const MAX_ALIAS_NODES: usize = 100_000;

fn node_count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar { .. } => 0,
        Value::Seq(items) => items.iter().map(node_count).sum(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| node_count(k) + node_count(v))
            .sum(),
    }
}

struct TreeBuilder {
    /// Nodes that aliases may still add: an alias copies its anchor, so
    /// nested aliases ("a billion laughs") could otherwise fill the memory.
    alias_budget: usize,
    stack: Vec<(Frame, usize)>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    problems: Vec<YamlProblem>,
    documents: usize,
    second_document: Option<Pos>,
}

impl TreeBuilder {
    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some((Frame::Seq(_, items), _)) => items.push(node),
            Some((Frame::Map(_, entries, pending), _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    let mut node = node;
                    // `command:` with nothing after it: the parser marks the
                    // empty value at the next token, often lines below.
                    if matches!(&node.value, Value::Scalar { text, plain: true } if text.is_empty())
                    {
                        node.pos = Pos {
                            line: key.pos.line,
                            col: key.pos.col + key.as_str().map_or(0, |k| k.chars().count()) + 1,
                        };
                    }
                    if key.as_str() == Some("<<") {
                        self.problems.push(YamlProblem {
                            pos: key.pos,
                            message: "YAML merge keys (`<<:`) are not read: write the keys out \
                                      in each check (a spec's `requires` or common.yaml share \
                                      whole checks)"
                                .into(),
                            snippet: "<<".into(),
                        });
                    }
                    let duplicate = key.as_str().and_then(|k| {
                        entries
                            .iter()
                            .find(|(existing, _)| existing.as_str() == Some(k))
                            .map(|(existing, _)| existing.pos)
                    });
                    match duplicate {
                        Some(first) => self.problems.push(YamlProblem {
                            pos: key.pos,
                            message: format!(
                                "duplicate key `{}` (first written at line {}): remove one; YAML would silently keep only one of the values",
                                key.as_str().unwrap_or_default(),
                                first.line
                            ),
                            snippet: key.as_str().unwrap_or_default().to_string(),
                        }),
                        None => entries.push((key, node)),
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = Pos::from_marker(mark);
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents == 2 {
                    self.second_document = Some(pos);
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let plain = style == TScalarStyle::Plain;
                self.push_node(
                    Node {
                        pos,
                        value: Value::Scalar { text, plain },
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push((Frame::Seq(pos, Vec::new()), anchor))
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push((Frame::Map(pos, Vec::new(), None), anchor))
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((frame, anchor)) = self.stack.pop() {
                    // A block collection's start event comes after its first
                    // item; point at whichever was written first.
                    let earliest = |pos: Pos, first: Option<Pos>| match first {
                        Some(f) if (f.line, f.col) < (pos.line, pos.col) => f,
                        _ => pos,
                    };
                    let node = match frame {
                        Frame::Seq(pos, items) => Node {
                            pos: earliest(pos, items.first().map(|n| n.pos)),
                            value: Value::Seq(items),
                        },
                        Frame::Map(pos, entries, _) => Node {
                            pos: earliest(pos, entries.first().map(|(k, _)| k.pos)),
                            value: Value::Map(entries),
                        },
                    };
                    self.push_node(node, anchor);
                }
            }
            Event::Alias(id) => {
                let target = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone());
                if let Some(mut node) = target {
                    let size = node_count(&node);
                    if size > self.alias_budget {
                        if self.alias_budget > 0 {
                            self.problems.push(YamlProblem {
                                pos,
                                message: format!(
                                    "aliases here expand to more than {MAX_ALIAS_NODES} values; a spec does not need that many"
                                ),
                                snippet: "*".to_string(),
                            });
                        }
                        self.alias_budget = 0;
                        node.value = Value::Scalar {
                            text: String::new(),
                            plain: true,
                        };
                    } else {
                        self.alias_budget -= size;
                    }
                    node.pos = pos;
                    self.push_node(node, 0);
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(src: &str) -> Node {
        parse(src).unwrap().0.unwrap()
    }

    #[test]
    fn positions_are_one_based_and_point_at_the_token() {
        let node = root("checks:\n  - command: lua\n");
        let Value::Map(entries) = &node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.pos, Pos { line: 1, col: 1 });
        let Value::Seq(items) = &entries[0].1.value else {
            panic!("not a seq")
        };
        let Value::Map(check) = &items[0].value else {
            panic!("not a map")
        };
        assert_eq!(check[0].0.pos, Pos { line: 2, col: 5 });
        assert_eq!(check[0].1.pos, Pos { line: 2, col: 14 });
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_first_value_kept() {
        let (node, problems) = parse("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pos, Pos { line: 3, col: 1 });
        assert!(problems[0]
            .message
            .starts_with("duplicate key `a` (first written at line 1)"));
        let Value::Map(entries) = node.unwrap().value else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].1.as_str(), Some("1"));
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err = parse("checks:\n  - command: [lua\n").unwrap_err();
        assert!(
            err.message.starts_with("this is not valid YAML"),
            "{}",
            err.message
        );
        assert!(err.pos.line >= 2);
    }

    #[test]
    fn quoted_scalars_are_not_plain() {
        let node = root("a: '1'\nb: 1\n");
        let Value::Map(entries) = node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].1.type_name(), "a string");
        assert_eq!(entries[1].1.type_name(), "a number");
    }

    #[test]
    fn aliases_resolve_to_their_anchor() {
        let node = root("a: &x [1, 2]\nb: *x\n");
        let Value::Map(entries) = node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].1.value, entries[1].1.value);
    }

    #[test]
    fn nested_aliases_cannot_fill_the_memory() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let (_, problems) = parse(&src).expect("parses");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0]
            .message
            .starts_with("aliases here expand to more than 100000 values"));
    }

    #[test]
    fn a_second_document_is_refused() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
    }
}
