//! Reading a tool's own version from what it prints for `--version`.
//!
//! A wrong number is worse than none: a wrong number passes a range check
//! silently, where "no version found" fails loudly and names the fix
//! (`version_regex`). So these rules prefer no version to a guess. They were
//! measured on the output of 1 573 programs of a Debian 12 machine
//! (tests/fixtures/versions/), each labelled by hand; docs/spec.md, "How a
//! version is read", lists them with examples.
//!
//! 1. Output that rejects the argument (`invalid option`, `unknown
//!    command`, `Can't open --version`) has no version, whatever numbers
//!    it holds.
//! 2. The tool's own name (as typed and as found on PATH, with or without
//!    its directory) is cut out first: `x86_64-w64-mingw32-gcc`, `llvm-ml-14`.
//! 3. On each line, what follows `Copyright`, `(C)`, a licence, or words
//!    that introduce someone else's version (`running under`, `compiled
//!    against`, `built with`, `using`…) is ignored; so are `Usage:` lines.
//! 4. A number glued to letters, `_`, `/`, `\` or to a name by `-`, or
//!    inside `<…>`, is never a version; `v1.2` is (and `go1.22` right after
//!    the word `version`).
//! 5. On a line with the word `version` (or MySQL's `Distrib`), only what
//!    follows it counts: `gdk-pixbuf-csource-3.0 version 2.42.10` is
//!    2.42.10. A line saying its version is unknown ends the search with none.
//!    A line giving another program's or a library's version (`fusermount3
//!    version: 3.14.0`, `FUSE library version 3.14.0`) counts only when no
//!    other line has one.
//! 6. A date (`2022-01-14`) is a version; a bare year never is.
//! 7. The first line with a dotted version (or a date) wins; else the first
//!    line with a bare number.

use super::{scan_pre_release, Version};

/// A version found in output, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub version: Version,
    /// `stdout` or `stderr`.
    pub stream: &'static str,
    /// 1-based.
    pub line: usize,
    /// The line as printed (trimmed).
    pub text: String,
}

impl Found {
    /// `line 1 of stdout: "gcc (Debian 12.2.0-14) 12.2.0"`: the line
    /// passed through `hide` (which hides secrets in it) and then cut
    /// around the version when long, so that no secret is cut in two.
    pub fn place(&self, hide: impl Fn(&str) -> String) -> String {
        let line = hide(&self.text);
        format!(
            "line {} of {}: \"{}\"",
            self.line,
            self.stream,
            shown_line(&line, &self.version.text)
        )
    }
}

/// The tool's version in its output streams (stdout first). `names`: what
/// the tool is called, to be cut out of the output.
pub fn extract(streams: &[(&'static str, &str)], names: &[&str]) -> Option<Found> {
    // The first of each: a bare number, a date, another program's version.
    let mut bare: Option<Found> = None;
    let mut date: Option<Found> = None;
    let mut helper: Option<Found> = None;
    // Looked for only when a line offers no dotted version (most tools
    // print one on their first line).
    let mut rejected: Option<bool> = None;
    let mut is_rejected = || {
        *rejected.get_or_insert_with(|| {
            streams.iter().any(|(_, text)| {
                let lower = text.to_ascii_lowercase();
                rejects_the_argument(&lower) || ERRORS.iter().any(|p| lower.contains(p))
            })
        })
    };
    for (stream, text) in streams {
        let mut lines_seen = 0;
        for (i, raw) in text.lines().enumerate() {
            if !raw.trim().is_empty() {
                lines_seen += 1;
            }
            // A crash's traceback is not an answer; nor is a Java stack frame.
            if raw.starts_with("Traceback (most recent call last)") {
                break;
            }
            if raw.trim_start().starts_with("at ") && raw.starts_with([' ', '\t']) {
                continue;
            }
            let found = |token: Token| Found {
                text: raw.trim().to_string(),
                version: token.version,
                stream,
                line: i + 1,
            };
            let keep = |slot: &mut Option<Found>, token: Token| {
                if slot.is_none() {
                    *slot = Some(found(token));
                }
            };
            let mut offered = candidate(raw, names, false);
            let weak = |c: &Candidate| match c {
                Candidate::Own(t) | Candidate::Helper(t) => t.kind != Kind::Dotted,
                _ => false,
            };
            if weak(&offered) && is_rejected() {
                offered = candidate(raw, names, true);
            }
            match offered {
                Candidate::Nothing => {}
                Candidate::Unknown => return None,
                Candidate::Helper(token) if token.kind == Kind::Dotted => keep(&mut helper, token),
                Candidate::Helper(_) => {}
                Candidate::Own(token) => match token.kind {
                    Kind::Dotted => return Some(found(token)),
                    // Deeper down, a bare number is prose (`number 0 can be
                    // used`), not the answer.
                    Kind::Bare if lines_seen <= BARE_LINES => keep(&mut bare, token),
                    Kind::Bare => {}
                    Kind::Date => keep(&mut date, token),
                },
            }
        }
    }
    bare.or(date).or(helper)
}

/// Phrases with which a tool says it does not know the argument: a line
/// with one yields nothing.
const REJECTIONS: &[&str] = &[
    "invalid option",
    "unknown option",
    "unrecognized option",
    "unrecognised option",
    "illegal option",
    "invalid argument",
    "unknown argument",
    "unrecognized argument",
    "unknown command",
    "unrecognized command",
    "invalid command",
    "bad option",
    "no such option",
    "not a valid option",
    "can't open",
    "cannot open",
    "unknown flag",
    "error in command line",
];

/// Words of an error, a crash or a help text: output with one is no
/// version answer, so only a dotted version in it counts (`debugfs
/// 1.47.0` before `invalid option`), never a bare number (a line number, a
/// default value).
const ERRORS: &[&str] = &[
    "error",
    "failed",
    "cannot ",
    "can't ",
    "not found",
    "permission denied",
    "no such file",
    "exception",
    "traceback",
    "panic",
    "fatal",
    "usage",
    "options:",
];

fn rejects_the_argument(lower: &str) -> bool {
    REJECTIONS.iter().any(|p| lower.contains(p))
}

/// The phrase with which the output rejects the argument, if it does.
pub fn rejection(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    REJECTIONS.iter().copied().find(|p| lower.contains(p))
}

/// From these on, a line is about something else: a copyright year, a
/// licence's version, the interpreter or library a tool runs on.
const CUT_AT: &[&str] = &[
    "copyright",
    "(c)",
    "©",
    "license",
    "licence",
    "gplv",
    "lgplv",
    "gnu gpl",
    "gnu lgpl",
    "running under",
    "compiled against",
    "compiled with",
    "compiled on",
    "built with",
    "built against",
    "built on",
    "build time",
    "build date",
    "build tool",
    "linked against",
    "linked with",
    "using ",
    "calling ",
];

/// Words before `version` that say it is not the tool's own.
const HELPER_WORDS: &[&str] = &[
    "library",
    "interface",
    "protocol",
    "api",
    "abi",
    "kernel",
    "driver",
    "plugin",
    "schema",
    "format",
    "perl",
    "python",
    "java",
    "jvm",
    "icu",
];

enum Candidate {
    Nothing,
    /// The line says the version is unknown.
    Unknown,
    Own(Token),
    /// Another program's or a library's version.
    Helper(Token),
}

struct Token {
    version: Version,
    kind: Kind,
}

/// What a token is, strongest first: a dotted version beats a bare number
/// (a copyright year, a build number), which beats a date (`openjdk
/// version "21" 2023-09-19` is 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Dotted,
    Bare,
    Date,
}

fn candidate(raw: &str, names: &[&str], rejected: bool) -> Candidate {
    let mut line = cut_names(raw, names);
    let lower = line.to_ascii_lowercase();
    if lower.trim_start().starts_with("usage") || rejects_the_argument(&lower) {
        return Candidate::Nothing;
    }
    if let Some(at) = CUT_AT.iter().filter_map(|p| lower.find(p)).min() {
        line.truncate(at);
    }
    let lower = line.to_ascii_lowercase();
    // What follows MySQL's `Distrib` is the version (`Ver 15.1` before it
    // is the client's protocol).
    if let Some(end) = word_at(&lower, "distrib", 0) {
        return match tokens(&line, end, line.len(), true, rejected) {
            Some(token) => Candidate::Own(token),
            None => Candidate::Nothing,
        };
    }
    // What follows the word `version`, up to the next one, is the version
    // it names; what precedes the first is a name (`gdk-pixbuf-csource-3.0
    // version 2.42.10`). The first `version` that is followed by one wins:
    // `genrb version 56 (ICU version 72.1)` is 56, `Perl version of grog in
    // groff version 1.22.4` is 1.22.4.
    let mut anchor = word_at(&lower, "version", 0);
    if anchor.is_none() {
        return match tokens(&line, 0, line.len(), false, rejected) {
            Some(token) => Candidate::Own(token),
            None => Candidate::Nothing,
        };
    }
    while let Some(end) = anchor {
        let next = word_at(&lower, "version", end);
        let stop = next.map_or(line.len(), |n| n - "version".len());
        let value = line[end..stop].trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '=' | '"' | '\'' | '(' | '[')
        });
        if value.to_ascii_lowercase().starts_with("unknown") {
            return Candidate::Unknown;
        }
        if let Some(token) = tokens(&line, end, stop, true, rejected) {
            let before = line[..end - "version".len()].trim_end();
            return if is_helper(before, names) {
                Candidate::Helper(token)
            } else {
                Candidate::Own(token)
            };
        }
        anchor = next;
    }
    Candidate::Nothing
}

/// The end of the first whole word `word` (already lower case) in `lower`,
/// looking from `from`.
fn word_at(lower: &str, word: &str, from: usize) -> Option<usize> {
    let bytes = lower.as_bytes();
    let mut from = from;
    while let Some(i) = lower[from..].find(word).map(|i| i + from) {
        let end = i + word.len();
        // `--version` echoed back is the option, not the word.
        let before_ok = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        let after_ok = bytes.get(end).is_none_or(|b| !b.is_ascii_alphabetic());
        if before_ok && after_ok {
            return Some(end);
        }
        from = end;
    }
    None
}

/// Whether the words before `version` name something other than the tool:
/// a library, an interface, or another program (a name with a digit, `-`
/// or `_`, such as `fusermount3`).
fn is_helper(before: &str, names: &[&str]) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if word.is_empty() {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    if HELPER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    let programish = word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.contains(|c: char| c.is_ascii_digit() || c == '-' || c == '_');
    programish && !names.iter().any(|n| same_program(n, word))
}

/// `gcc-12` and `gcc`, `Docker` and `docker.exe` are one program.
fn same_program(a: &str, b: &str) -> bool {
    fn stem(name: &str) -> String {
        let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let file = file
            .strip_suffix(".exe")
            .or_else(|| file.strip_suffix(".EXE"))
            .unwrap_or(file);
        file.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-')
            .to_ascii_lowercase()
    }
    let (a, b) = (stem(a), stem(b));
    !a.is_empty() && a == b
}

/// The line with every occurrence of the tool's names (and a manual
/// section after one) replaced by spaces, as whole words (`go` in `go
/// version`, not in `go1.22`).
fn cut_names(line: &str, names: &[&str]) -> String {
    let mut out = line.to_string();
    for name in names.iter().filter(|n| n.len() > 1) {
        let mut from = 0;
        while let Some(i) = out[from..].find(name).map(|i| i + from) {
            let end = i + name.len();
            let bytes = out.as_bytes();
            let before_ok = i == 0 || !is_word_byte(bytes[i - 1]);
            let after_ok = bytes.get(end).is_none_or(|b| !is_word_byte(*b));
            if before_ok && after_ok {
                // With its manual section: `deb-systemd-helper(1)`.
                let section = out.as_bytes()[end..]
                    .get(..3)
                    .is_some_and(|s| s[0] == b'(' && s[1].is_ascii_digit() && s[2] == b')');
                let cut = if section { end + 3 } else { end };
                out.replace_range(i..cut, &" ".repeat(cut - i));
            }
            from = end;
        }
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bare numbers longer than this are build numbers, change lists or
/// timestamps, not versions.
const MAX_BARE_DIGITS: usize = 8;

/// A bare number counts only on the first lines of a stream (not blank).
const BARE_LINES: usize = 3;

/// The version-like token of `text[from..to]` that may be the tool's: the
/// first dotted one, else the first bare number that is not a year, else
/// the first date. `after_version`: the span follows the word `version`, so
/// its first token may carry a `go` prefix or be a year. `rejected`: the
/// output rejected the argument somewhere, so only a dotted version counts.
fn tokens(
    text: &str,
    from: usize,
    to: usize,
    after_version: bool,
    rejected: bool,
) -> Option<Token> {
    let bytes = &text.as_bytes()[..to];
    let mut best: Option<Token> = None;
    let mut offer = |token: Token| {
        if best.as_ref().is_none_or(|b| token.kind < b.kind) {
            best = Some(token);
        }
    };
    // Inside `<…>` (a placeholder, an XML tag) nothing is a version.
    let mut angle = bytes[..from].iter().fold(0usize, |depth, b| match b {
        b'<' => depth + 1,
        b'>' => depth.saturating_sub(1),
        _ => depth,
    });
    let mut i = from;
    let mut first = true;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'<' => angle += 1,
            b'>' => angle = angle.saturating_sub(1),
            _ => {}
        }
        if !b.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        // The whole run of the token, for skipping it when it is refused.
        let mut end = i;
        while end < bytes.len()
            && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'.' | b'_'))
        {
            end += 1;
        }
        let glue = if angle > 0 {
            Glue::Refused
        } else {
            glue_before(bytes, start, first && after_version)
        };
        let is_first = first;
        first = false;
        if glue == Glue::Refused {
            i = end;
            continue;
        }
        if let Some((version, next)) = date_at(&text[..to], start) {
            if rejected {
                i = next;
                continue;
            }
            offer(Token {
                version,
                kind: Kind::Date,
            });
            i = next;
            continue;
        }
        let Some((version, dotted, next)) = number_at(&text[..to], start) else {
            i = end;
            continue;
        };
        i = next.max(start + 1);
        // `iproute2-6.1.0`, `OpenSSH_9.2p1` name a version; `llvm-ml-14`,
        // `Debian-2` do not.
        if glue == Glue::NameJoined && !dotted {
            continue;
        }
        if dotted {
            offer(Token {
                version,
                kind: Kind::Dotted,
            });
            break;
        }
        // A bare number glued to letters after it (`64bit`, `2nd`), a long
        // one, a list's `1.`, or one in output that rejected the argument
        // (unless the word `version` introduces it).
        let ordinal = bytes.get(next) == Some(&b'.')
            && bytes.get(next + 1).is_none_or(u8::is_ascii_whitespace);
        if (rejected && !(after_version && is_first))
            || (bytes.get(next).is_some_and(u8::is_ascii_alphabetic) && version.pre.is_none())
            || version.text.len() > MAX_BARE_DIGITS
            || ordinal
        {
            continue;
        }
        // A year alone is not a version, unless it is what `version` says.
        let year = version.parts.len() == 1
            && (1970..=2099).contains(&version.parts[0])
            && version.text.len() == 4;
        if year && !(after_version && is_first) {
            continue;
        }
        offer(Token {
            version,
            kind: Kind::Bare,
        });
    }
    best
}

/// How a number is joined to what precedes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Glue {
    /// The line's start, a space or punctuation; or a `v` (or, right after
    /// the word `version`, `go`) that itself starts a word.
    Free,
    /// `-` or `_` after a name: a version only when dotted.
    NameJoined,
    /// Glued to a letter, a digit's neighbour, `/`, `\`, `.`: never a version.
    Refused,
}

fn glue_before(bytes: &[u8], at: usize, go_allowed: bool) -> Glue {
    let free = |i: usize| -> bool {
        // The byte before position `i` does not glue to it.
        i == 0 || {
            let p = bytes[i - 1];
            p.is_ascii_whitespace()
                || matches!(
                    p,
                    b'(' | b'['
                        | b'{'
                        | b'"'
                        | b'\''
                        | b'`'
                        | b':'
                        | b','
                        | b'='
                        | b';'
                        | b'#'
                        | b'@'
                        | b'~'
                        | b'*'
                        | b'>'
                )
        }
    };
    let free_or = |ok: bool| if ok { Glue::Free } else { Glue::Refused };
    if free(at) {
        return Glue::Free;
    }
    match bytes[at - 1] {
        b'v' | b'V' => free_or(free(at - 1)),
        b'-' if free(at - 1) => Glue::Free,
        b'-' | b'_' if at >= 2 && bytes[at - 2].is_ascii_alphanumeric() => Glue::NameJoined,
        b'o' if go_allowed && at >= 2 && bytes[at - 2] == b'g' => free_or(free(at - 2)),
        _ => Glue::Refused,
    }
}

/// A date `YYYY-MM-DD` at `at`.
fn date_at(text: &str, at: usize) -> Option<(Version, usize)> {
    let s = text.get(at..at + 10)?;
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    if text.as_bytes().get(at + 10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let year: u64 = s[0..4].parse().ok()?;
    let month: u64 = s[5..7].parse().ok()?;
    let day: u64 = s[8..10].parse().ok()?;
    if !(1970..=2099).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some((
        Version {
            parts: vec![year, month, day],
            pre: None,
            text: s.to_string(),
        },
        at + 10,
    ))
}

/// The number at `at`: its parts (`.` between them; `_` after a dotted
/// prefix, as in `1.8.0_292`), a pre-release tag, whether it is dotted,
/// and where it ends.
fn number_at(text: &str, at: usize) -> Option<(Version, bool, usize)> {
    let bytes = text.as_bytes();
    let mut i = at;
    let mut parts = Vec::new();
    let mut dotted = false;
    loop {
        let run = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        // A part too long for u64 is not a version (a hash, a stamp).
        parts.push(text[run..i].parse::<u64>().ok()?);
        let sep = bytes.get(i).copied();
        let next_is_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if next_is_digit && (sep == Some(b'.') || (sep == Some(b'_') && dotted)) {
            dotted = true;
            i += 1;
        } else {
            break;
        }
    }
    let (pre, end) = scan_pre_release(text, i);
    Some((
        Version {
            parts,
            pre,
            text: text[at..end].to_string(),
        },
        dotted,
        end,
    ))
}

/// The line as a report shows it: trimmed, and cut around the version when
/// it is long.
fn shown_line(raw: &str, version: &str) -> String {
    const WIDTH: usize = 100;
    let line = raw.trim();
    if line.chars().count() <= WIDTH {
        return line.to_string();
    }
    let at = line.find(version).unwrap_or(0);
    let start = line[..at]
        .char_indices()
        .rev()
        .nth(WIDTH / 2)
        .map_or(0, |(i, _)| i);
    let cut: String = line[start..].chars().take(WIDTH).collect();
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.push_str(&cut);
    if line[start..].chars().count() > WIDTH {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `extract` reads in `stdout` for a tool called `name`, as text.
    fn read(stdout: &str, name: &str) -> Option<String> {
        let names: Vec<&str> = [name].into_iter().filter(|n| !n.is_empty()).collect();
        extract(&[("stdout", stdout)], &names).map(|f| f.version.text)
    }

    #[test]
    fn the_patterns_that_gave_wrong_numbers_give_the_right_one_or_none() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            // A digit inside a word or a name.
            ("x86_64-w64-mingw32-gcc (GCC) 12-win32", "x86_64-w64-mingw32-gcc", Some("12")),
            ("x86_64-w64-mingw32-gcc (GCC) 12-win32", "", Some("12")),
            ("USAGE: llvm-ml-14 [ /options ] file", "llvm-ml-14", None),
            ("  -connect <name1>=<value1>  connect", "", None),
            ("e4crypt: missing command", "e4crypt", None),
            ("e4crypt: missing command", "", None),
            // A dotted number in the program's own name.
            ("gdk-pixbuf-csource-3.0 version 2.42.10", "gdk-pixbuf-csource", Some("2.42.10")),
            ("gdk-pixbuf-csource-3.0 version 2.42.10", "", Some("2.42.10")),
            // A helper's or a library's version printed first.
            (
                "fusermount3 version: 3.14.0\nfuse-overlayfs: version 1.10\nFUSE library version 3.14.0\n",
                "fuse-overlayfs",
                Some("1.10"),
            ),
            (
                "Using libxml 20914, libxslt 10135 and libexslt 823\n\
                 xsltproc was compiled against libxml 20914, libxslt 10135 and libexslt 823\n",
                "xsltproc",
                None,
            ),
            ("local-extract\n with gc go1.25-20250209-RC00 cl/724970549", "local-extract", None),
            (
                "/usr/bin/encguess version [unknown] calling Getopt::Std::getopts (version 1.13),\n\
                 running under Perl version 5.36.0.\n",
                "encguess",
                None,
            ),
            ("genrb version 56 (ICU version 72.1).", "genrb", Some("56")),
            // Licences and copyright.
            ("mpicalc 2.0\nlibgcrypt 1.10.1\nLicense LGPLv2.1+: GNU LGPL version 2.1 or later", "mpicalc", Some("2.0")),
            ("License LGPLv2.1+: GNU LGPL version 2.1 or later", "", None),
            ("UNKNOWN\nCopyright (C) 2018 Someone", "tool", None),
            // Dates.
            ("xxd 2022-01-14 by Juergen Weigert et al.", "xxd", Some("2022-01-14")),
            ("tool 2019", "tool", None),
            ("openjdk version \"21\" 2023-09-19", "java", Some("21")),
            // Output that rejects the argument.
            ("invalid option: --version\ntool 3", "tool", None),
            ("Can't open --version: No such file or directory", "perl", None),
            ("Unknown command '--version', check /usr/bin/phar8.2 help", "phar8.2", None),
            ("debugfs 1.47.0 (5-Feb-2023)\ndebugfs: invalid option -- '-'", "debugfs", Some("1.47.0")),
            // The option echoed back is not the word `version`.
            ("wrapped 2.5.1 --version", "wrapped", Some("2.5.1")),
            // What was right stays right.
            ("This is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64", "perl", Some("5.36.0")),
            ("Perl version of GNU grog in groff version 1.22.4", "grog", Some("1.22.4")),
            ("go version go1.22.3 linux/amd64", "go", Some("1.22.3")),
            ("OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.22 25 Aug 2026", "ssh", Some("9.2")),
            ("nstat utility, iproute2-6.1.0", "nstat", Some("6.1.0")),
            ("/usr/bin/mysql  Ver 15.1 Distrib 10.11.19-MariaDB, for debian-linux-gnu", "mysql", Some("10.11.19")),
            ("systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT", "systemctl", Some("252.38")),
            ("less 590 (GNU regular expressions)\nCopyright (C) 1984-2021", "less", Some("590")),
            ("Select an editor.\n  1. /usr/bin/vim.basic\n  2. /bin/ed", "select-editor", None),
            ("<iptables-rules version=\"1.0\">\n</iptables-rules>", "iptables-xml", None),
            ("<param name=\"version\">72.1</param>", "icuinfo", Some("72.1")),
        ];
        for (output, name, want) in cases {
            assert_eq!(
                read(output, name).as_deref(),
                *want,
                "{output:?} (the tool called {name:?})"
            );
        }
    }

    #[test]
    fn the_place_names_the_stream_the_line_and_its_text() {
        let found = extract(
            &[
                ("stdout", ""),
                ("stderr", "\nx86_64-w64-mingw32-gcc (GCC) 12-win32\n"),
            ],
            &["x86_64-w64-mingw32-gcc"],
        )
        .expect("a version");
        assert_eq!(
            found.place(str::to_string),
            "line 2 of stderr: \"x86_64-w64-mingw32-gcc (GCC) 12-win32\""
        );
        let long = format!("{} tool 1.2.3 {}", "a".repeat(200), "b".repeat(200));
        let found = extract(&[("stdout", &long)], &[]).expect("a version");
        let shown = found.place(str::to_string);
        let shown = shown
            .strip_prefix("line 1 of stdout: \"")
            .and_then(|s| s.strip_suffix('"'))
            .expect("quoted");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("tool 1.2.3"), "{shown}");
        assert!(shown.chars().count() <= 102, "{shown}");
        // What is hidden is hidden before the line is cut.
        let secret = format!("verbose 1.2.3 {}c4nary-SECRET", "0".repeat(80));
        let found = extract(&[("stdout", &secret)], &[]).expect("a version");
        let shown = found.place(|t| t.replace("c4nary-SECRET", "<hidden: T>"));
        assert!(
            shown.contains("<hidden: T>") || !shown.contains("c4n"),
            "{shown}"
        );
    }
}
