//! Text helpers more than one part of the probe uses: suggestions for
//! typos, cleaning a tool's output before it reaches a report, and showing
//! command lines and output excerpts.

/// `" (did you mean `command`?)"` when a candidate is close enough to be a
/// typo of `word`, else empty. Case is ignored; swapping two neighbours
/// (`lau` / `lua`) counts as one edit.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let word_lower = word.to_ascii_lowercase();
    let word_chars = word.chars().count();
    let best = candidates
        .into_iter()
        .filter_map(|c| {
            let most = (c.len().max(word.len()) / 3).max(1);
            // The distance is at least the difference in length: a word far
            // longer than the candidate (a 2 MB value in a spec) is no typo
            // of it, and is not compared character by character.
            if word_chars.abs_diff(c.chars().count()) > most {
                return None;
            }
            let d = strsim::osa_distance(&word_lower, &c.to_ascii_lowercase());
            (d <= most).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

/// Characters that change or hide how the text around them reads without
/// showing themselves: Unicode's format characters (bidi overrides and
/// isolates, zero-width spaces and joiners, the byte order mark, soft
/// hyphens, invisible tags), the line and paragraph separators, and the
/// two noncharacters XML forbids. With them an agent's name could read
/// reversed or look like another's.
pub fn is_unseen(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{fffe}'..='\u{ffff}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// Whether `c` must be shown as an escape rather than as itself.
fn shown_escaped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_unseen(c)
}

/// The one cleaning step for text the probe did not write itself (a
/// tool's output, a report's fields, a host name, a spec's hint, a
/// server's reply) before it reaches a terminal, a log, XML or HTML.
/// Colour codes (`ESC [ … m`) a tool printed are dropped; every other
/// control character and every [unseen](is_unseen) one is shown as an
/// escape (`\u{1b}[2J`, `\u{202e}`), so that the text can neither drive
/// the terminal (clear the screen, write the clipboard) nor hide or
/// reorder what is around it. Line breaks (`\r\n` becomes `\n`) and tabs
/// stay.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(shown_escaped) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let mut skip = c.len_utf8();
        if c == '\u{1b}' {
            if let Some(len) = colour_code(rest) {
                rest = &rest[len..];
                continue;
            }
        }
        if c == '\r' && rest[1..].starts_with('\n') {
            out.push('\n');
            skip = 2;
        } else if shown_escaped(c) {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
        rest = &rest[skip..];
    }
    std::borrow::Cow::Owned(out)
}

/// The length of the SGR sequence (`ESC [ 1;31 m`) `s` starts with.
fn colour_code(s: &str) -> Option<usize> {
    let params = s.strip_prefix("\u{1b}[")?;
    let len = params
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';' || *b == b':')
        .count();
    (params.as_bytes().get(len) == Some(&b'm')).then_some(2 + len + 1)
}

/// Text for a terminal or a log, built by a renderer: every piece written
/// to it (`write!(term, …)`) goes through [`visible`], so no field a
/// renderer prints can drive the terminal, whatever it holds; the only
/// escape sequences in it are the colours [`Term::paint`] adds.
///
/// With a width, a line longer than the terminal is wrapped at spaces,
/// its continuation lines indented to the line's [hang](Term::hang) (by
/// default two past the line's own indent); colour codes take no room.
#[derive(Debug, Default)]
pub struct Term {
    out: String,
    color: bool,
    width: Option<usize>,
    /// Where the line being written starts in `out`, and how far its
    /// continuation lines are indented when it is wrapped.
    line_start: usize,
    hang: Option<usize>,
}

/// A colour or weight for [`Term::paint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Dim,
    Pass,
    Fail,
    Warn,
    Hint,
}

impl Term {
    pub fn new(color: bool) -> Term {
        Term {
            color,
            ..Term::default()
        }
    }

    /// A terminal `width` columns wide (None: a log, nothing is wrapped;
    /// narrower than 20 columns is not wrapped either).
    pub fn with_width(color: bool, width: Option<usize>) -> Term {
        Term {
            color,
            width: width.filter(|w| *w >= 20),
            ..Term::default()
        }
    }

    /// Continuation lines of the line being written, if it is wrapped,
    /// start at column `column`.
    pub fn hang(&mut self, column: usize) {
        self.hang = Some(column);
    }

    /// Wraps each line completed since the last call.
    fn settle(&mut self) {
        let Some(width) = self.width else { return };
        while let Some(end) = self.out[self.line_start..].find('\n') {
            let end = self.line_start + end;
            let line = &self.out[self.line_start..end];
            if shown_width(line) > width {
                let indent = line.len() - line.trim_start_matches(' ').len();
                let hang = self.hang.unwrap_or(indent + 2).min(width / 2);
                let wrapped = wrap_line(line, width, hang);
                let tail = self.out.split_off(end);
                self.out.truncate(self.line_start);
                self.out.push_str(&wrapped);
                self.out.push_str(&tail);
                self.line_start += wrapped.len() + 1;
            } else {
                self.line_start = end + 1;
            }
            self.hang = None;
        }
    }

    /// `text`, cleaned, in `style` when colour is on.
    pub fn paint(&mut self, style: Style, text: &str) {
        use owo_colors::OwoColorize;
        let text = visible(text);
        if !self.color {
            self.out.push_str(&text);
            return;
        }
        let _ = match style {
            Style::Bold => {
                std::fmt::Write::write_fmt(&mut self.out, format_args!("{}", text.bold()))
            }
            Style::Dim => {
                std::fmt::Write::write_fmt(&mut self.out, format_args!("{}", text.dimmed()))
            }
            Style::Pass => {
                std::fmt::Write::write_fmt(&mut self.out, format_args!("{}", text.green()))
            }
            Style::Fail => {
                std::fmt::Write::write_fmt(&mut self.out, format_args!("{}", text.red().bold()))
            }
            Style::Warn => {
                std::fmt::Write::write_fmt(&mut self.out, format_args!("{}", text.yellow()))
            }
            Style::Hint => {
                std::fmt::Write::write_fmt(&mut self.out, format_args!("{}", text.cyan()))
            }
        };
    }

    pub fn push_line(&mut self) {
        self.out.push('\n');
        self.settle();
    }

    pub fn push_str(&mut self, text: &str) {
        self.out.push_str(&visible(text));
        self.settle();
    }

    pub fn into_string(mut self) -> String {
        if self.width.is_some() && self.line_start < self.out.len() {
            self.out.push('\n');
            self.settle();
            self.out.pop();
        }
        self.out
    }
}

impl std::fmt::Write for Term {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.out.push_str(&visible(s));
        self.settle();
        Ok(())
    }
}

/// The columns `line` takes on a terminal: its characters, less the
/// colour codes [`Term::paint`] adds.
fn shown_width(line: &str) -> usize {
    let mut width = 0;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        match colour_code(rest) {
            Some(len) => rest = &rest[len..],
            None => {
                width += 1;
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    width
}

/// `line` cut at spaces into lines at most `width` columns wide, each
/// after the first indented by `hang`; a word wider than a line is cut.
fn wrap_line(line: &str, width: usize, hang: usize) -> String {
    let mut out = String::with_capacity(line.len() + 32);
    let mut column = 0;
    // The line's own indent stays on its first line.
    let indent = line.len() - line.trim_start_matches(' ').len();
    out.push_str(&line[..indent]);
    column += indent;
    let mut first_word = true;
    for word in line[indent..].split(' ') {
        let w = shown_width(word);
        if !first_word {
            if column + 1 + w <= width {
                out.push(' ');
                column += 1;
            } else {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', hang));
                column = hang;
            }
        }
        first_word = false;
        let mut rest = word;
        while let Some(c) = rest.chars().next() {
            if let Some(len) = colour_code(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
            if column >= width {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', hang));
                column = hang;
            }
            out.push(c);
            column += 1;
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Text for XML 1.0 (JUnit): [`visible`], whose result holds only
/// characters XML allows.
pub fn clean_for_xml(s: &str) -> String {
    visible(s).into_owned()
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

/// A spec's hint or message as HTML: escaped, with `code` between
/// backticks shown as code (a backtick without its pair stays itself).
pub fn html_inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() < 3 {
        return html_escape(s);
    }
    let mut out = String::with_capacity(s.len() + 32);
    // Pairs only: with an odd number of backticks the last stays text.
    let pairs = (parts.len() - 1) / 2;
    for (i, part) in parts.iter().enumerate() {
        let inside = i % 2 == 1;
        if inside && i <= 2 * pairs {
            out.push_str("<code>");
            out.push_str(&html_escape(part));
            out.push_str("</code>");
        } else {
            if i > 2 * pairs {
                out.push('`');
            }
            out.push_str(&html_escape(part));
        }
    }
    out
}

/// Shows an argument list as one would type it in a POSIX shell, each
/// word read back as itself: a word of letters, digits and `@%+=:,./_-`
/// only is left bare, any other is single-quoted (`'` as `'\''`). So
/// `#`, `~`, `[`, `{`, `!`, `^`, blanks and whatever else a shell reads
/// specially are quoted, as is the empty word, and a first word with `=`,
/// which the shell would take for an assignment.
pub fn shell_words<S: AsRef<str>>(args: &[S]) -> String {
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            let a = a.as_ref();
            let bare = |c: char| c.is_ascii_alphanumeric() || "@%+:,./_-".contains(c);
            if !a.is_empty() && a.chars().all(|c| bare(c) || (c == '=' && i > 0)) {
                a.to_string()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
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

/// `1 check`, `2 checks`, `0 checks`: a count and its noun, for nouns
/// whose plural adds an `s`. Every message that counts says it this way,
/// never `check(s)`.
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    let s = if n == N::from(1) { "" } else { "s" };
    format!("{n} {noun}{s}")
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

/// [`glob`], ignoring ASCII case: variable names to hide, Windows
/// programs' names.
pub fn glob_match(glob: &str, name: &str) -> bool {
    self::glob(glob, name, true)
}

/// The one glob matcher, as shells match a name (no path separators
/// here): `*` any run of characters, `?` one, `[abc]` one of a set, `[a-z]`
/// one in a range, `[!abc]` or `[^abc]` one not in the set. A `]` first in
/// a set (after `!` or `^`) is one of its members, a `-` first or last is
/// itself, and a `[` without a `]` after it is itself. `ignore_case`
/// compares ASCII letters without case (redaction's variable names);
/// file names compare exactly (the fleet's report files).
pub fn glob(pattern: &str, name: &str, ignore_case: bool) -> bool {
    use GlobToken as Token;
    let pattern: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        let token = match pattern[i] {
            '*' => Token::Star,
            '?' => Token::One,
            '[' => match glob_set(&pattern[i + 1..]) {
                Some((set, len)) => {
                    i += len;
                    set
                }
                None => Token::Char('['),
            },
            c => Token::Char(c),
        };
        tokens.push(token);
        i += 1;
    }
    let in_set =
        |ranges: &[(char, char)], c: char| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
    let fits = |token: &Token, c: char| match token {
        Token::Star => false,
        Token::One => true,
        Token::Char(want) if ignore_case => want.eq_ignore_ascii_case(&c),
        Token::Char(want) => *want == c,
        Token::Set { negated, ranges } => {
            let found = in_set(ranges, c)
                || (ignore_case
                    && (in_set(ranges, c.to_ascii_lowercase())
                        || in_set(ranges, c.to_ascii_uppercase())));
            found != *negated
        }
    };
    // Two pointers, going back only to the last `*`: never exponential,
    // however many stars and however long the name.
    let name: Vec<char> = name.chars().collect();
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if t < tokens.len() && matches!(tokens[t], Token::Star) {
            star = Some((t, n));
            t += 1;
        } else if t < tokens.len() && fits(&tokens[t], name[n]) {
            t += 1;
            n += 1;
        } else if let Some((st, sn)) = star {
            t = st + 1;
            n = sn + 1;
            star = Some((st, sn + 1));
        } else {
            return false;
        }
    }
    tokens[t..].iter().all(|t| matches!(t, Token::Star))
}

/// What a glob is made of.
enum GlobToken {
    Star,
    One,
    Char(char),
    /// `[…]`: its ranges (a single character is a range of one).
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// The set a glob's `[` opens, read from what follows the `[`, and how
/// many characters it takes up to its `]`; None when no `]` closes it.
fn glob_set(rest: &[char]) -> Option<(GlobToken, usize)> {
    let negated = matches!(rest.first(), Some('!' | '^'));
    let mut j = usize::from(negated);
    let first = j;
    let mut ranges = Vec::new();
    loop {
        let c = *rest.get(j)?;
        if c == ']' && j > first {
            return Some((GlobToken::Set { negated, ranges }, j + 1));
        }
        match (rest.get(j + 1), rest.get(j + 2)) {
            (Some('-'), Some(&end)) if end != ']' => {
                ranges.push((c, end));
                j += 3;
            }
            _ => {
                ranges.push((c, c));
                j += 1;
            }
        }
    }
}

/// The byte range of the userinfo (`user:password`, without the `@`) of
/// the URL `text` starts with, if it has one. The one reading of a URL's
/// userinfo, for showing a URL without it, taking the credentials from it,
/// and hiding them in any text. A scheme is optional, as people write
/// addresses: `https://u:p@h`, `u:p@h`, `//u:p@h`, `http:/u:p@h`. The
/// authority ends at the path, query or fragment, a space, or a character
/// no URL holds unescaped (`"`, `<`, `>`, a backtick); a password may
/// hold `(`, `)`, `'` and `]`, and in XML `&#39;` is an escaped `'`, not a
/// fragment.
pub fn userinfo(text: &str) -> Option<std::ops::Range<usize>> {
    let mut start = 0;
    if let Some(colon) = text.find(':') {
        let scheme = &text[..colon];
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme && text[colon + 1..].starts_with('/') {
            start = colon + 1;
        }
    }
    start += text[start..].len() - text[start..].trim_start_matches('/').len();
    let rest = &text[start..];
    let end = rest
        .char_indices()
        .find(|&(i, c)| {
            let fragment = c == '#' && !rest[..i].ends_with('&');
            fragment || matches!(c, '/' | '?' | '"' | '`' | '<' | '>') || c.is_whitespace()
        })
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].rfind('@').map(|at| start..start + at)
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
    fn counts_say_one_or_many() {
        assert_eq!(counted(0, "check"), "0 checks");
        assert_eq!(counted(1, "check"), "1 check");
        assert_eq!(counted(2, "resource"), "2 resources");
    }

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
    fn a_word_far_longer_than_every_candidate_is_not_compared() {
        // An unknown 2 MB value in a spec: no suggestion, and no distance
        // computed (which would take time and memory in the word's length
        // for each candidate): the lengths alone rule every candidate out.
        let huge = "x".repeat(2 << 20);
        assert_eq!(did_you_mean(&huge, ["command", "absent", "xxxxxxx"]), "");
        let long = format!("{}y", "x".repeat(30));
        assert_eq!(did_you_mean(&long, ["xxxxxxx"]), "");
        // Near the candidate's length, it is still compared.
        assert_eq!(
            did_you_mean("commmand", ["command"]),
            " (did you mean `command`?)"
        );
    }

    #[test]
    fn shell_words_quotes_what_a_shell_would_split() {
        assert_eq!(
            shell_words(&["grep", "-q", "a b", "it's", "", "$HOME", "x|y"]),
            r#"grep -q 'a b' 'it'\''s' '' '$HOME' 'x|y'"#
        );
        assert_eq!(
            shell_words(&["git", "log", "#x", "~/a", "a=b", "--format=%H", "x,y:z@1+2"]),
            "git log '#x' '~/a' a=b --format=%H x,y:z@1+2"
        );
        assert_eq!(shell_words(&["A=1", "make"]), "'A=1' make");
    }

    /// Every printable ASCII character, alone and mixed with others, and
    /// the empty word, given to sh as `shell_words` quotes them, come back
    /// as they were.
    #[cfg(unix)]
    #[test]
    fn shell_words_round_trip_through_sh() {
        let mut words: Vec<String> = (b' '..=b'~').map(|b| char::from(b).to_string()).collect();
        words.push((b' '..=b'~').map(char::from).collect());
        words.extend(
            [
                "", "#x", "a#b", "~/a", "~user", "x~", "[ab]", "{a,b}", "!x", "a!b", "^x", "a=b",
                "$HOME", "${X:-y}", "`id`", "$(id)", "a\\'b\"c", "'", "''", "x'", "*", "?",
                "a b\tc", "&&", ";", "|", "<>", "%1", "-n", "--x=y", "é",
            ]
            .map(String::from),
        );
        let line = shell_words(&words);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\n' {line}"))
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{line}");
        let expected: String = words.iter().map(|w| format!("{w}\n")).collect();
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{line}");
        // The first word, where `=` would make an assignment.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(shell_words(&["A=1", "true"]))
            .output()
            .expect("sh runs");
        assert!(!out.status.success(), "`A=1` ran as an assignment");
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
        assert_eq!(clean_for_xml(raw), "red\\u{7}\\u{0} tab\there\nnext");
        assert_eq!(visible(raw), "red\\u{7}\\u{0} tab\there\nnext");
    }

    #[test]
    fn what_could_drive_a_terminal_or_hide_text_is_shown() {
        // Clearing the screen, writing the clipboard (OSC 52), a bell, C1
        // controls: shown, not acted on.
        assert_eq!(visible("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            visible("\u{1b}]52;c;cHduZWQ=\u{7}"),
            "\\u{1b}]52;c;cHduZWQ=\\u{7}"
        );
        assert_eq!(visible("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(visible("del\u{7f}"), "del\\u{7f}");
        // Bidi overrides and isolates, zero-width characters, the BOM.
        for c in ('\u{200b}'..='\u{200f}')
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{feff}', '\u{2028}', '\u{ad}', '\u{e0041}'])
        {
            let shown = visible(&format!("agent{c}7")).into_owned();
            assert_eq!(shown, format!("agent\\u{{{:x}}}7", u32::from(c)));
            assert!(shown.is_ascii());
        }
        // A lone carriage return could overwrite a line: shown.
        assert_eq!(visible("PASS\rFAIL"), "PASS\\u{d}FAIL");
        // What is plain stays, without a copy.
        assert!(matches!(
            visible("build-linux-01 été\tok\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        // Colour codes a tool printed are dropped; a cut one is shown.
        assert_eq!(visible("\u{1b}[1;31mred\u{1b}[0m"), "red");
        assert_eq!(visible("\u{1b}[31"), "\\u{1b}[31");
    }

    #[test]
    fn a_term_cleans_everything_written_and_adds_only_its_own_colours() {
        use std::fmt::Write;
        let mut term = Term::new(true);
        let host = "evil\u{1b}[2J\u{202e}";
        let _ = writeln!(term, "host {host} ok");
        term.paint(Style::Fail, "FAIL\u{1b}]52;c;x\u{7}");
        let text = term.into_string();
        assert!(
            text.starts_with("host evil\\u{1b}[2J\\u{202e} ok\n"),
            "{text:?}"
        );
        assert!(text.contains("FAIL\\u{1b}]52;c;x\\u{7}"), "{text:?}");
        // The only escapes left are SGR colour codes.
        let codes: Vec<&str> = text.split('\u{1b}').skip(1).collect();
        assert!(!codes.is_empty());
        assert!(
            codes.iter().all(|c| c.starts_with('[')
                && c[1..].split_once('m').is_some_and(|(params, _)| params
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b';'))),
            "{text:?}"
        );
        let mut plain = Term::new(false);
        plain.paint(Style::Pass, "PASS");
        assert_eq!(plain.into_string(), "PASS");
    }

    #[test]
    fn a_term_with_a_width_wraps_long_lines_at_spaces_under_their_hang() {
        use std::fmt::Write;
        let mut term = Term::with_width(true, Some(24));
        term.push_str("  ");
        term.paint(Style::Fail, "FAIL");
        term.hang(8);
        let _ = writeln!(term, "  java: version 11.0.21 is below 17");
        let _ = writeln!(term, "short line");
        let _ = write!(term, "{}", "x".repeat(30));
        let text = term.into_string();
        let lines: Vec<&str> = text.lines().collect();
        // The colour codes take no room: "  FAIL  java: version" fits.
        assert_eq!(lines.len(), 6, "{text:?}");
        assert!(lines[0].ends_with("java: version"), "{text:?}");
        assert_eq!(lines[1], "        11.0.21 is below");
        assert_eq!(lines[2], "        17");
        assert_eq!(lines[3], "short line");
        // A word wider than the line is cut; the last line, without its
        // line break, is wrapped too.
        assert_eq!(lines[4].len(), 24);
        assert!(
            text.ends_with(&format!("\n  {}", "x".repeat(6))),
            "{text:?}"
        );
        // Without a width nothing moves.
        let mut log = Term::with_width(false, None);
        let long = "word ".repeat(40);
        let _ = writeln!(log, "{long}");
        assert_eq!(log.into_string(), format!("{long}\n"));
    }

    #[test]
    fn backticks_in_html_become_code_in_pairs() {
        assert_eq!(
            html_inline("run `apt-get install <git>` now"),
            "run <code>apt-get install &lt;git&gt;</code> now"
        );
        assert_eq!(html_inline("a `b` c `d"), "a <code>b</code> c `d");
        assert_eq!(html_inline("no ticks & all"), "no ticks &amp; all");
        assert_eq!(html_inline("`"), "`");
    }

    #[test]
    fn globs_have_ranges_and_negated_sets_as_shells_do() {
        let exact = |p: &str, n: &str| glob(p, n, false);
        assert!(exact("agent-[a-c]", "agent-b"));
        assert!(!exact("agent-[a-c]", "agent--"), "a range, not a, - and c");
        assert!(!exact("agent-[a-c]", "agent-d"));
        assert!(exact("[0-9][0-9]", "42"));
        assert!(!exact("[z-a]", "m"), "a reversed range holds nothing");
        // `!` and `^` negate.
        assert!(exact("[!x]y", "ay"));
        assert!(!exact("[!x]y", "xy"));
        assert!(exact("[^0-9]*", "a1"));
        assert!(!exact("[^0-9]*", "1a"));
        // `]` first is a member; `-` first or last is itself.
        assert!(exact("[]a]", "]"));
        assert!(exact("[]a]", "a"));
        assert!(!exact("[!]a]", "]"));
        assert!(exact("[!]a]", "b"));
        assert!(exact("[-a]", "-"));
        assert!(exact("[a-]", "-"));
        assert!(!exact("[a-]", "b"));
        // A `[` that nothing closes is itself.
        assert!(exact("a[b", "a[b"));
        assert!(exact("[", "["));
        assert!(exact("[!", "[!"));
        assert!(exact("x[*", "x[yz"));
        assert!(!exact("a[b", "ab"));
        // Case: exact for file names, ignored for variable names.
        assert!(!exact("[a-c]X", "bx"));
        assert!(glob("[a-c]X", "Bx", true));
        assert!(glob("[!a-c]", "D", true));
        assert!(!glob("[!a-c]", "B", true));
        assert!(glob_match("deploy_*", "DEPLOY_KEY"));
        // No exponential backtracking on a long name that does not match.
        let long = "a".repeat(5_000);
        assert!(!exact("*a*a*a*a*a*a*a*b", &long));
        assert!(!exact("*[a]*[!b]*?*a*[a-a]*?*c", &long));
        assert!(exact("*a*a*a*a*a*a*a*", &long));
    }

    #[test]
    fn userinfo_is_found_with_or_without_a_scheme() {
        fn info(text: &str) -> Option<&str> {
            userinfo(text).map(|r| &text[r])
        }
        assert_eq!(info("https://u:p@gocd:8154/go/api?x=@"), Some("u:p"));
        assert_eq!(info("user:pw@gocd.example.com"), Some("user:pw"));
        assert_eq!(info("//user:pw@h/go"), Some("user:pw"));
        assert_eq!(info("http:/user:pw@h"), Some("user:pw"));
        assert_eq!(info("https://u:p(a)ss'w]d@h"), Some("u:p(a)ss'w]d"));
        assert_eq!(info("u:p&#39;x@h"), Some("u:p&#39;x"));
        assert_eq!(info("https://gocd/a@b"), None);
        assert_eq!(info("https://gocd?x=@"), None);
        assert_eq!(info("not a url"), None);
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
