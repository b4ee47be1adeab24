//! Appending a check to a spec file's text without rewriting it: comments,
//! order, quoting, flow or block style and line endings stay as they are;
//! the new item goes at the end of the `checks:` list, indented as its
//! items are.

use crate::spec::yaml::{self, Node, Value};

/// `item`: the check's lines, the first being `kind: subject` and the
/// others its keys, without indentation or `- `.
pub fn append_check(text: &str, item: &[String]) -> Result<String, String> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let root = match yaml::parse(text) {
        Ok((root, _)) => root,
        Err(problem) => {
            return Err(format!(
                "line {}: {}; fix the file first",
                problem.pos.line, problem.message
            ))
        }
    };
    let checks = root.as_ref().and_then(|r| key_of(r, "checks"));
    let Some((key, value)) = checks else {
        // No `checks:` yet: a new list at the end.
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        out.push_str("checks:");
        out.push_str(newline);
        push_item(&mut out, item, 2, newline);
        return Ok(out);
    };
    let key_line = key.pos.line - 1;
    let key_indent = indent_of(lines.get(key_line).copied().unwrap_or_default());
    let items = match &value.value {
        Value::Seq(items) => items,
        Value::Scalar { text, .. } if text.is_empty() => &Vec::new(),
        _ => return Err("`checks` is not a list; fix the file first".into()),
    };
    // A flow list (`checks: [ ... ]`): only an empty one can become a
    // block list here.
    let flow = match &value.value {
        Value::Seq(_) => opens_flow(&lines, value.pos),
        _ => None,
    };
    if flow.is_some() && !items.is_empty() {
        return Err(
            "`checks` is written as a flow list (`[...]`); make it a block list (`- ` items) \
             to add to it, or add the check by hand"
                .into(),
        );
    }
    // Items line up with the first one's `-`.
    let dash_indent = items
        .first()
        .and_then(|first| lines.get(first.pos.line - 1))
        .filter(|line| line.trim_start().starts_with('-'))
        .map_or(key_indent + 2, |line| indent_of(line));
    let mut out = String::with_capacity(text.len() + 200);
    if let Some((open_line, open)) = flow {
        // `checks: []` (or `[ ]`, or `[` and `]` on lines of their own)
        // becomes `checks:`, the item below it.
        let (close_line, close) = flow_end(&lines, open_line, open)
            .ok_or("`checks: [` has no closing `]`; fix the file first")?;
        out.extend(lines[..open_line].iter().copied());
        let head = lines[open_line][..open].trim_end();
        let tail = lines[close_line][close + 1..].trim();
        let kept = format!("{head} {tail}");
        if !kept.trim().is_empty() {
            out.push_str(kept.trim_end());
            out.push_str(newline);
        }
        push_item(&mut out, item, dash_indent, newline);
        out.extend(lines[close_line + 1..].iter().copied());
        return Ok(out);
    }
    // The list ends before the next line that is indented no deeper than
    // `checks:` and is not blank or a comment; the item goes after its last
    // non-blank line.
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate().skip(key_line + 1) {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && indent_of(line) <= key_indent {
            // `- ` items may sit at the key's own indentation.
            if !is_item(trimmed) || indent_of(line) < key_indent {
                end = i;
                break;
            }
        }
    }
    // A comment no deeper than `checks:` after the list belongs to what
    // follows it.
    let last = (key_line..end)
        .rev()
        .find(|&i| {
            let trimmed = lines[i].trim();
            !trimmed.is_empty() && (!trimmed.starts_with('#') || indent_of(lines[i]) > key_indent)
        })
        .unwrap_or(key_line);
    // The blank lines after a `|+` or `>+` block scalar are its value's.
    let item_start = (key_line..=last)
        .rev()
        .find(|&i| indent_of(lines[i]) == dash_indent && is_item(lines[i].trim()))
        .unwrap_or(last);
    let last = if lines[item_start..=last]
        .iter()
        .any(|l| keeps_blank_lines(l))
    {
        (last..end)
            .take_while(|&i| i == last || lines[i].trim().is_empty())
            .last()
            .unwrap_or(last)
    } else {
        last
    };
    for line in &lines[..=last] {
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    push_item(&mut out, item, dash_indent, newline);
    for line in &lines[last + 1..] {
        out.push_str(line);
    }
    Ok(out)
}

fn push_item(out: &mut String, item: &[String], dash_indent: usize, newline: &str) {
    let pad = " ".repeat(dash_indent);
    for (i, line) in item.iter().enumerate() {
        out.push_str(&pad);
        out.push_str(if i == 0 { "- " } else { "  " });
        out.push_str(line);
        out.push_str(newline);
    }
}

/// Whether a line ends in a block scalar's header that keeps trailing
/// line breaks (`|+`, `>+`, `|2+`, `>+2`), a comment aside.
fn keeps_blank_lines(line: &str) -> bool {
    let line = line.split(" #").next().unwrap_or_default().trim_end();
    let Some(at) = line.rfind(['|', '>']) else {
        return false;
    };
    let header = &line[at + 1..];
    (at == 0 || line[..at].ends_with(' '))
        && header.contains('+')
        && header.chars().all(|c| c == '+' || c.is_ascii_digit())
        && header.len() <= 2
}

/// `- item`, `-\titem` or a lone `-`.
fn is_item(trimmed: &str) -> bool {
    trimmed
        .strip_prefix('-')
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// Where a node at `pos` opens a flow list: its line and the byte offset of
/// `[`, past an anchor or a tag. The parser counts columns in characters.
fn opens_flow(lines: &[&str], pos: yaml::Pos) -> Option<(usize, usize)> {
    let line = lines.get(pos.line.checked_sub(1)?)?;
    let start = line
        .char_indices()
        .nth(pos.col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let mut rest = &line[start..];
    while rest.starts_with(['&', '!']) {
        rest = rest
            .trim_start_matches(|c: char| !c.is_whitespace())
            .trim_start();
    }
    rest.starts_with('[')
        .then(|| (pos.line - 1, line.len() - rest.len()))
}

/// The `]` closing the empty flow list opened at `open` on `line`: only
/// blanks, line breaks and comments may come between.
fn flow_end(lines: &[&str], line: usize, open: usize) -> Option<(usize, usize)> {
    let mut from = open + 1;
    for (i, text) in lines.iter().enumerate().skip(line) {
        let rest = &text[from.min(text.len())..];
        let content = rest.trim_start();
        if content.starts_with(']') {
            return Some((i, text.len() - content.len()));
        }
        if !(content.is_empty() || content.starts_with('#')) {
            return None;
        }
        from = 0;
    }
    None
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn key_of<'a>(node: &'a Node, name: &str) -> Option<(&'a Node, &'a Node)> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(name))
            .map(|(k, v)| (k, v)),
        _ => None,
    }
}

/// The last check of a spec's text, as YAML reads it: what
/// [`append_check`] just added.
pub fn last_check(text: &str) -> Option<Node> {
    let (root, _) = yaml::parse(text).ok()?;
    let (_, checks) = key_of(root.as_ref()?, "checks")?;
    match &checks.value {
        Value::Seq(items) => items.last().cloned(),
        _ => None,
    }
}

pub use crate::spec::emit::scalar;

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> Vec<String> {
        vec![
            "command: java".into(),
            "args: [-version]".into(),
            "version: \">=17\"".into(),
        ]
    }

    #[test]
    fn the_blank_lines_a_kept_block_scalar_ends_with_stay_its_own() {
        let text =
            "checks:\n  - env: HOME\n    hint: |+\n      two lines\n\n\n# after\nrequires: []\n";
        let out = append_check(text, &["absent: x".to_string()]).expect("appended");
        assert_eq!(
            out,
            "checks:\n  - env: HOME\n    hint: |+\n      two lines\n\n\n  - absent: x\n# after\nrequires: []\n"
        );
        // Without `+`, the new item follows the last line of text.
        let text = "checks:\n  - env: HOME\n    hint: |\n      text\n\n";
        let out = append_check(text, &["absent: x".to_string()]).expect("appended");
        assert_eq!(
            out,
            "checks:\n  - env: HOME\n    hint: |\n      text\n  - absent: x\n\n"
        );
        assert!(keeps_blank_lines("    hint: >+2  # kept"));
        assert!(!keeps_blank_lines("    hint: a|+b"));
    }

    #[test]
    fn a_check_goes_after_the_last_one_with_comments_and_formatting_kept() {
        let text = "\
# The JDK.
description: JDK 17   # trailing comment
checks:
  # the compiler first
  - command: javac
    args: ['-version']      # quoted flow list
    hint: >-
      a folded hint

  - env: JAVA_HOME          # the home

# a comment after the list
requires: [linux]
";
        let out = append_check(text, &item()).expect("appended");
        assert_eq!(
            out,
            "\
# The JDK.
description: JDK 17   # trailing comment
checks:
  # the compiler first
  - command: javac
    args: ['-version']      # quoted flow list
    hint: >-
      a folded hint

  - env: JAVA_HOME          # the home
  - command: java
    args: [-version]
    version: \">=17\"

# a comment after the list
requires: [linux]
"
        );
    }

    #[test]
    fn items_at_the_keys_indentation_crlf_and_no_final_newline() {
        let text = "checks:\r\n- command: lua\r\n- absent: python2";
        let out = append_check(text, &item()).expect("appended");
        assert_eq!(
            out,
            "checks:\r\n- command: lua\r\n- absent: python2\r\n- command: java\r\n  args: [-version]\r\n  version: \">=17\"\r\n"
        );
    }

    #[test]
    fn an_empty_or_missing_list_gets_its_first_item() {
        let out = append_check("description: x\nchecks: []\n", &item()).expect("appended");
        assert_eq!(
            out,
            "description: x\nchecks:\n  - command: java\n    args: [-version]\n    version: \">=17\"\n"
        );
        let out = append_check("description: x", &item()).expect("appended");
        assert!(
            out.starts_with("description: x\nchecks:\n  - command: java\n"),
            "{out}"
        );
        let err = append_check("checks: [{command: lua}]\n", &item()).expect_err("flow");
        assert!(err.contains("flow list"), "{err}");
        let err = append_check("checks:\n  - command: [lua\n", &item()).expect_err("broken");
        assert!(err.contains("fix the file first"), "{err}");
    }
}
