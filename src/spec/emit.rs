//! The one way the probe writes a YAML scalar, for the specs `probe add`
//! and `probe snapshot` write and the pipelines `probe pipeline` generates.
//!
//! A value is written plain only when every YAML reader takes it back as
//! the same string: not a null, boolean, number or date in YAML 1.1 (which
//! GoCD's YAML plugin and many tools still follow) or 1.2, not starting
//! with an indicator, not holding what would end or comment it. Anything
//! else is double-quoted, with every character a person could not see in
//! a review (controls, bidi and zero-width format characters) escaped.

use std::fmt::Write;

/// Where the scalar goes: a block (`key: value`, `- value`), or a flow
/// collection (`[a, b]`), where `,`, `[`, `]`, `{` and `}` end a plain one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Block,
    Flow,
}

/// `text` as a YAML scalar in a block: plain when safe, else double-quoted.
pub fn scalar(text: &str) -> String {
    write(text, Context::Block)
}

/// `text` as an item of a flow list (`args: [-v, "a, b"]`).
pub fn flow_scalar(text: &str) -> String {
    write(text, Context::Flow)
}

/// A flow list of strings: `[-version, "a, b"]`.
pub fn flow_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|i| flow_scalar(i.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

pub fn write(text: &str, context: Context) -> String {
    if plain_is_safe(text, context) {
        return text.to_string();
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if hidden(c) && u32::from(c) > 0xffff => {
                let _ = write!(quoted, "\\U{:08x}", u32::from(c));
            }
            c if hidden(c) => {
                let _ = write!(quoted, "\\u{:04x}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Characters that must not stand as themselves in a spec a person
/// reviews: controls (YAML forbids most of them raw), and the format
/// characters that reorder or hide text (crate::text says which).
fn hidden(c: char) -> bool {
    c.is_control() || crate::text::is_unseen(c)
}

fn plain_is_safe(text: &str, context: Context) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    // `-`, `?` and `:` start a plain scalar only before a character that
    // cannot be read as a separator; `?` and `:` are quoted always.
    let dash_ok = first == '-'
        && text[1..].chars().next().is_some_and(|c| {
            !(c.is_whitespace() || (context == Context::Flow && ",[]{}".contains(c)))
        });
    let indicator = "-?:,[]{}#&*!|>'\"%@`".contains(first) && !dash_ok;
    let flow_breaks = context == Context::Flow && text.contains([',', '[', ']', '{', '}', ':']);
    !(indicator
        || flow_breaks
        || text.trim() != text
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text.chars().any(hidden)
        || typed(text))
}

/// Whether a plain scalar with this text would be read as something other
/// than a string by a YAML 1.1 or 1.2 reader: null, a boolean (1.1's `y`,
/// `on`… too), an integer or float in any base or notation (`0x1f`, `0o17`,
/// `017`, `1_000`, 1.1's sexagesimal `1:30`, `1e3`, `.inf`, `.nan`), a date
/// or timestamp, or one of 1.1's `=` and `<<`. Errs on the side of quoting:
/// `1.2.3` and `1-2` are quoted too, which reads back the same.
pub fn typed(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null" | "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "=" | "<<"
    ) {
        return true;
    }
    let unsigned = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if matches!(unsigned, ".inf" | ".nan") {
        return true;
    }
    for (prefix, digits) in [
        ("0x", "0123456789abcdef_"),
        ("0o", "01234567_"),
        ("0b", "01_"),
    ] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            if !rest.is_empty() && rest.chars().all(|c| digits.contains(c)) {
                return true;
            }
        }
    }
    // Decimal numbers, 1.1's octal and sexagesimal forms, exponents, and
    // dates (`2001-12-14`) are made of these characters alone.
    let numeric_start = unsigned.starts_with(|c: char| c.is_ascii_digit())
        || (unsigned.starts_with('.') && unsigned[1..].starts_with(|c: char| c.is_ascii_digit()));
    if numeric_start && unsigned.chars().all(|c| "0123456789_.:e+-".contains(c)) {
        return true;
    }
    // Timestamps: a date, then a time (`2001-12-14t21:59:43.10-05:00`,
    // `2001-12-14 21:59:43.10 -5`).
    let date = unsigned.as_bytes();
    date.len() > 10
        && date[..4].iter().all(u8::is_ascii_digit)
        && date[4] == b'-'
        && unsigned[5..]
            .split_once(['t', ' '])
            .is_some_and(|(day, _)| {
                day.chars().all(|c| c.is_ascii_digit() || c == '-') && day.contains('-')
            })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::yaml::{self, Value};

    /// What a reader gets back for `key: <written>` and `key: [<written>]`.
    fn read_back(text: &str) {
        for (context, doc) in [
            (
                Context::Block,
                format!("key: {}\n", write(text, Context::Block)),
            ),
            (
                Context::Flow,
                format!("key: [{}]\n", write(text, Context::Flow)),
            ),
        ] {
            let (node, problems) =
                yaml::parse(&doc).unwrap_or_else(|e| panic!("{text:?} as {doc:?}: {e:?}"));
            assert!(problems.is_empty(), "{doc:?}: {problems:?}");
            let Some(node) = node else {
                panic!("{doc:?}: no document")
            };
            let Value::Map(entries) = &node.value else {
                panic!("{doc:?}: not a map")
            };
            let value = match (&entries[0].1.value, context) {
                (Value::Seq(items), Context::Flow) => &items[0].value,
                (value, Context::Block) => value,
                (other, _) => panic!("{doc:?}: {other:?}"),
            };
            let Value::Scalar { text: read, plain } = value else {
                panic!("{doc:?}: {value:?}")
            };
            assert_eq!(read, text, "{doc:?}");
            if *plain {
                assert!(!typed(read), "{doc:?} is plain but typed");
            }
        }
    }

    #[test]
    fn every_yaml_type_that_is_not_a_string_is_quoted() {
        let typed_values = [
            // null
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            // booleans, 1.2 and 1.1
            "true",
            "False",
            "TRUE",
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            // integers: decimal, signed, octal (1.1 and 1.2), hex, binary,
            // underscores, sexagesimal
            "10",
            "+1",
            "-1",
            "017",
            "0o17",
            "0x1F",
            "0b101",
            "1_000",
            "1:30",
            "190:20:30",
            // floats: decimal, exponent, infinity, not-a-number, 1.1's
            // underscores and sexagesimal
            "1.5",
            ".5",
            "-.5",
            "1e3",
            "1.2e+3",
            "6.8523015e+5",
            ".inf",
            "-.Inf",
            "+.INF",
            ".nan",
            ".NaN",
            "1_000.5",
            "1:30.5",
            // dates and timestamps
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            // 1.1's value and merge keys
            "=",
            "<<",
        ];
        for text in typed_values {
            assert!(typed(text), "{text} is typed in YAML 1.1 or 1.2");
            assert!(scalar(text).starts_with('"'), "{text} is quoted");
            read_back(text);
        }
    }

    #[test]
    fn plain_where_every_reader_reads_the_same_string() {
        for text in [
            "java",
            "-v",
            "--agent",
            "-version",
            "${JAVA_HOME}/bin/java",
            "C:\\Tools\\probe.exe",
            "junit=probe-junit.xml",
            "it's",
            "a#b",
            "a:b",
            "7z",
            "python3.11",
            "été",
            "nullable",
            "yesterday",
            "infinity",
        ] {
            assert_eq!(scalar(text), text, "{text} stays plain");
            read_back(text);
        }
    }

    #[test]
    fn what_would_end_or_comment_a_plain_scalar_is_quoted() {
        for text in [
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "end:",
            "- x",
            "-",
            "?x",
            ":x",
            "#x",
            "&a",
            "*a",
            "!tag",
            "|",
            ">",
            "'q",
            "\"q",
            "%x",
            "@x",
            "`x",
            "[a]",
            "{a}",
            ",a",
            "line\nbreak",
            "tab\there",
            "cr\rhere",
        ] {
            assert!(scalar(text).starts_with('"'), "{text:?} is quoted");
            read_back(text);
        }
        for text in ["a, b", "x]", "{{.Server.Version}}", "C:\\x", "-[", "a:b"] {
            assert!(
                flow_scalar(text).starts_with('"'),
                "{text:?} is quoted in a flow"
            );
            read_back(text);
        }
        assert_eq!(flow_list(&["-version", "a, b"]), "[-version, \"a, b\"]");
    }

    #[test]
    fn characters_a_reviewer_cannot_see_are_escaped() {
        for (text, written) in [
            ("a\u{1b}[2Jb", "\"a\\u001b[2Jb\""),
            ("x\u{202e}y", "\"x\\u202ey\""),
            ("\u{feff}bom", "\"\\ufeffbom\""),
            ("zero\u{200b}width", "\"zero\\u200bwidth\""),
            ("nul\u{0}", "\"nul\\u0000\""),
            ("c1\u{85}", "\"c1\\u0085\""),
            ("tag\u{e0041}", "\"tag\\U000e0041\""),
            ("sep\u{2028}", "\"sep\\u2028\""),
        ] {
            assert_eq!(scalar(text), written, "{text:?}");
            read_back(text);
        }
    }
}
