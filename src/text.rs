//! Text helpers more than one part of the probe uses: suggestions for
//! typos, cleaning a tool's output before it reaches a report, and showing
//! command lines and output excerpts.

/// `" (did you mean `command`?)"` when a candidate is close enough to be a
/// typo of `word`, else empty. Case is ignored; swapping two neighbours
/// (`lau` / `lua`) counts as one edit.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let word_lower = word.to_ascii_lowercase();
    let best = candidates
        .into_iter()
        .map(|c| (edit_distance(&word_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

/// Edit distance where swapping two neighbours costs one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Removes what XML 1.0 forbids (control characters; lone surrogates have
/// no `char`) and ANSI escape sequences, whose ESC would make an XML report
/// unparseable and could drive a terminal. Tabs and line breaks stay.
pub fn clean_for_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&n) = chars.peek() {
                    chars.next();
                    if ('@'..='~').contains(&n) {
                        break;
                    }
                }
            }
            continue;
        }
        let allowed = matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}';
        if allowed {
            out.push(c);
        }
    }
    out
}

/// Text content of an XML element (JUnit): cleaned, `&`, `<` and `>` escaped.
pub fn xml_text(s: &str) -> String {
    clean_for_xml(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An XML attribute's value in double quotes: as [`xml_text`], plus quotes,
/// and line breaks and tabs as character references, which attribute-value
/// normalisation would otherwise turn into spaces.
pub fn xml_attr(s: &str) -> String {
    xml_text(s)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// HTML text or a quoted attribute (either quote): cleaned of controls and
/// terminal escapes a tool may have printed, markup characters escaped.
pub fn html_escape(s: &str) -> String {
    xml_text(s).replace('"', "&quot;").replace('\'', "&#39;")
}

/// What may reach a terminal or a log viewer of a tool's own text: as for
/// XML, and no carriage returns or other controls either (only line breaks
/// and tabs).
pub fn clean_for_terminal(s: &str) -> String {
    clean_for_xml(s)
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// Shows an argument list as one would type it in a POSIX shell.
pub fn shell_words<S: AsRef<str>>(args: &[S]) -> String {
    args.iter()
        .map(|a| {
            let a = a.as_ref();
            if a.is_empty()
                || a.contains(|c: char| c.is_whitespace() || "'\"$`\\|&;<>()*?".contains(c))
            {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A command line split into words as a POSIX shell splits them, for
/// quoting only: `'…'` and `"…"` group (the latter with `\"` and `\\`),
/// `\` escapes outside quotes; nothing is expanded.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("a `'` is not closed in `{line}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("a `\"` is not closed in `{line}`")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("a `\"` is not closed in `{line}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The first few non-blank lines of some output, for a report; what is
/// left out is said (`… 12 more lines`).
pub fn excerpt(text: &str, max_lines: usize) -> String {
    const MAX_CHARS: usize = 2000;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = lines[..lines.len().min(max_lines)].join("\n");
    if out.chars().count() > MAX_CHARS {
        out = out.chars().take(MAX_CHARS).collect::<String>() + "…";
    }
    let more = lines.len().saturating_sub(max_lines);
    if more > 0 {
        out.push_str(&format!(
            "\n… {more} more line{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    out
}

/// `*` (any run of characters) and `?` (one character), ignoring ASCII case.
pub fn glob_match(glob: &str, name: &str) -> bool {
    let glob: Vec<char> = glob.to_ascii_uppercase().chars().collect();
    let name: Vec<char> = name.to_ascii_uppercase().chars().collect();
    // Classic two-pointer matching with backtracking to the last `*`.
    let (mut g, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if g < glob.len() && (glob[g] == '?' || glob[g] == name[n]) {
            g += 1;
            n += 1;
        } else if g < glob.len() && glob[g] == '*' {
            star = Some((g, n));
            g += 1;
        } else if let Some((sg, sn)) = star {
            g = sg + 1;
            n = sn + 1;
            star = Some((sg, sn + 1));
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|c| *c == '*')
}

/// Bytes as text, without a copy when they are valid UTF-8 (a database of
/// megabytes); invalid sequences become U+FFFD.
pub fn utf8_lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The first non-blank line of some output, trimmed, its blanks squeezed,
/// cut to `max_chars`
/// (with `…`); None when there is none.
pub fn first_line(text: &str, max_chars: usize) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    // Tabs and runs of spaces (columns of a listing) become one space.
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(if line.chars().count() > max_chars {
        line.chars().take(max_chars).collect::<String>() + "…"
    } else {
        line.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(
            did_you_mean("comand", ["command", "absent"]),
            " (did you mean `command`?)"
        );
        assert_eq!(did_you_mean("zzz", ["command", "absent"]), "");
        assert_eq!(
            did_you_mean("lau", ["lua", "java"]),
            " (did you mean `lua`?)"
        );
        assert_eq!(did_you_mean("LUA", ["lua"]), " (did you mean `lua`?)");
    }

    #[test]
    fn shell_words_quotes_what_a_shell_would_split() {
        assert_eq!(
            shell_words(&["grep", "-q", "a b", "it's", "", "$HOME", "x|y"]),
            r#"grep -q 'a b' 'it'\''s' '' '$HOME' 'x|y'"#
        );
    }

    #[test]
    fn excerpt_keeps_the_first_non_blank_lines() {
        assert_eq!(
            excerpt("\n\none\n  \ntwo\nthree\nfour\n", 3),
            "one\ntwo\nthree\n… 1 more line"
        );
        let long = "y".repeat(3000);
        let cut = excerpt(&long, 3);
        assert_eq!(cut.chars().count(), 2001);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn cleaning_drops_escapes_and_controls() {
        let raw = "\u{1b}[31mred\u{1b}[0m\u{7}\u{0} tab\there\r\nnext";
        assert_eq!(clean_for_xml(raw), "red tab\there\r\nnext");
        assert_eq!(clean_for_terminal(raw), "red tab\there\nnext");
    }

    #[test]
    fn first_line_skips_blank_lines_and_cuts_long_ones() {
        assert_eq!(
            first_line("\n  \n  hello  \nworld", 10).as_deref(),
            Some("hello")
        );
        assert_eq!(first_line("abcdefghijkl", 5).as_deref(), Some("abcde…"));
        assert_eq!(first_line("ééééé", 5).as_deref(), Some("ééééé"));
        assert_eq!(first_line(" \n\t\n", 5), None);
        assert_eq!(
            first_line("busted\t2.2.0-1   x", 50).as_deref(),
            Some("busted 2.2.0-1 x")
        );
    }

    #[test]
    fn an_excerpt_says_how_many_lines_it_left_out() {
        assert_eq!(excerpt("a\n\nb\nc", 5), "a\nb\nc");
        assert_eq!(excerpt("1\n2\n3\n4", 2), "1\n2\n… 2 more lines");
        assert_eq!(excerpt("1\n2\n3", 2), "1\n2\n… 1 more line");
    }

    #[test]
    fn command_lines_split_as_a_shell_splits_them() {
        assert_eq!(
            split_words(r#"python3 -c "import venv, ensurepip" 'a b' c\ d """#).unwrap(),
            ["python3", "-c", "import venv, ensurepip", "a b", "c d", ""]
        );
        assert!(split_words("echo 'open").is_err());
    }
}
