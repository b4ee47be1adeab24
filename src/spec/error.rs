//! Spec errors as a person can act on them: `file:line:col`, the line, a
//! caret under the offending text.

use std::fmt;
use std::path::PathBuf;

use super::yaml::Pos;

#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    pub file: PathBuf,
    pub pos: Option<Pos>,
    pub message: String,
    /// The offending text, underlined under the quoted line.
    pub snippet: String,
    /// The source line `pos` points into.
    pub line_text: Option<String>,
}

impl SpecError {
    pub fn whole_file(file: PathBuf, message: impl Into<String>) -> SpecError {
        SpecError {
            file,
            pos: None,
            message: message.into(),
            snippet: String::new(),
            line_text: None,
        }
    }

    pub fn at(
        file: PathBuf,
        source: &str,
        pos: Pos,
        snippet: &str,
        message: impl Into<String>,
    ) -> SpecError {
        let line_text = source
            .lines()
            .nth(pos.line.saturating_sub(1))
            .map(str::to_string);
        SpecError {
            snippet: quoted_snippet(line_text.as_deref(), pos, snippet),
            line_text,
            file,
            pos: Some(pos),
            message: message.into(),
        }
    }
}

/// A quoted value's position is its opening quote, while its text is what
/// is inside: underline the quotes too.
fn quoted_snippet(line: Option<&str>, pos: Pos, snippet: &str) -> String {
    let rest: String = line
        .unwrap_or_default()
        .chars()
        .skip(pos.col.saturating_sub(1))
        .collect();
    for quote in ['\'', '"'] {
        let written = format!("{quote}{snippet}{quote}");
        if !snippet.starts_with(quote) && rest.starts_with(&written) {
            return written;
        }
    }
    snippet.to_string()
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        let Some(pos) = self.pos else {
            return write!(f, "{file}: error: {}", self.message);
        };
        write!(
            f,
            "{file}:{}:{}: error: {}",
            pos.line, pos.col, self.message
        )?;
        let Some(line) = &self.line_text else {
            return Ok(());
        };
        writeln!(f)?;
        let number = pos.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs would shift the caret; show them as one space each. A very
        // long line is cut to a window around the column.
        const WINDOW: usize = 120;
        let chars: Vec<char> = line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let col = pos.col.saturating_sub(1).min(chars.len());
        let start = col.saturating_sub(WINDOW / 2);
        let end = (start + WINDOW).min(chars.len());
        let mut shown: String = chars[start..end].iter().collect();
        let mut caret_at = col - start;
        if start > 0 {
            shown.insert(0, '…');
            caret_at += 1;
        }
        if end < chars.len() {
            shown.push('…');
        }
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {shown}")?;
        let width = self.snippet.chars().count().max(1);
        let visible = shown.chars().count().saturating_sub(caret_at).max(1);
        write!(
            f,
            "{gutter} | {}{}",
            " ".repeat(caret_at),
            "^".repeat(width.min(visible))
        )
    }
}

/// Every problem found in the specs, reported together.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}\n")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{} in the probe specs; nothing was run",
            crate::text::counted(n, "error")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_very_long_line_is_cut_around_the_column() {
        let line = format!("{}bad{}", "x".repeat(500), "y".repeat(500));
        let e = SpecError::at(
            "s.yaml".into(),
            &line,
            Pos { line: 1, col: 501 },
            "bad",
            "here",
        );
        let text = e.to_string();
        let shown = text.lines().nth(2).expect("the line");
        assert!(shown.chars().count() < 140, "{shown}");
        assert!(shown.contains("bad"));
        let caret = text.lines().nth(3).expect("the caret");
        let at = |l: &str, s: &str| l.chars().count() - l[l.find(s).unwrap_or(0)..].chars().count();
        assert_eq!(at(caret, "^^^"), at(shown, "bad"));
    }

    #[test]
    fn renders_file_line_col_and_a_caret() {
        let source = "checks:\n  - comand: lua\n";
        let e = SpecError::at(
            "probes/lua.yaml".into(),
            source,
            Pos { line: 2, col: 5 },
            "comand",
            "unknown key `comand`",
        );
        assert_eq!(
            e.to_string(),
            "probes/lua.yaml:2:5: error: unknown key `comand`\n  |\n2 |   - comand: lua\n  |     ^^^^^^"
        );
    }
}
