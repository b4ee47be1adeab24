//! Reading a tool's own version from what it prints for `--version`.
//!
//! A wrong number is worse than none: a wrong number passes a range check
//! silently, where "no version found" fails loudly and names the fix
//! (`version_regex`). So these rules prefer no version to a guess. They were
//! measured on two corpora, each labelled by hand (tests/fixtures/versions/):
//! 1 573 programs of a Debian 12 machine, and 773 outputs of programs from
//! packages that machine lacks, gathered before the rules were changed for
//! them. docs/spec.md, "How a version is read", lists them with examples;
//! docs/versions.md gives the numbers.
//!
//! 1. Output that rejects the argument (`invalid option`, `unknown
//!    command`, `Can't open --version`) has no version, whatever numbers
//!    it holds. The JVM's `Picked up JAVA_TOOL_OPTIONS: …` notices are
//!    skipped, whatever they hold.
//! 2. The tool's own name (as typed and as found on PATH, with or without
//!    its directory) is cut out first: `x86_64-w64-mingw32-gcc`, `llvm-ml-14`.
//! 3. On each line, what follows `Copyright`, `(C)`, a licence, or words
//!    that introduce someone else's version (`running under`, `compiled
//!    against`, `built with`, `using`…) is ignored; so are `Usage:` lines.
//! 4. A number glued to letters, `_`, `\` or to a name by `-`, or inside
//!    `<…>`, or on either side of `:` (`22:30`, `127.0.0.1:80`), is never a
//!    version; `v1.2` is (and `go1.22` right after the word `version`);
//!    after `/` only when the word before it is the tool's name or starts
//!    the line (`aws-cli/2.9.19`, not `Python/3.11.2`).
//! 5. On a line with the word `version` (or MySQL's `Distrib`), only what
//!    follows it counts: `gdk-pixbuf-csource-3.0 version 2.42.10` is
//!    2.42.10 — unless the tool's name gives one before (`include-what-
//!    you-use 0.18 based on clang version 14.0.6`). A line saying its
//!    version is unknown ends the search with none. A line giving another
//!    program's or a library's version (`fusermount3 version: 3.14.0`,
//!    `FUSE library version 3.14.0`) counts only when no other line has one.
//! 6. A date (`2022-01-14`) is a version; a bare year never is.
//! 7. A dotted version attached to the tool's own name on a stream's first
//!    lines wins: the command's name or stem (`aria2` for `aria2c`, `Elixir`
//!    for `elixirc`, `aws-cli` for `aws`), before any other component's
//!    (`Compiler: gcc 10.2.1`, `[erts-13.1.5]`, `go 1.19.8`). Else the first
//!    line with a dotted version (or a date) wins; else the first line with
//!    a bare number.

use std::borrow::Cow;

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
    let names = &Names::new(names);
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
                answer_lines(text).any(|line| FIND_REJECTIONS_OR_ERRORS.find_in(line).is_some())
            })
        })
    };
    for (stream, text) in streams {
        let mut lines_seen = 0;
        // The first dotted version of this stream: it wins, unless one of
        // the first lines gives a version attached to the tool's own name.
        let mut first: Option<Found> = None;
        for (i, raw) in text.lines().enumerate() {
            // The JVM's notice of the options it picked up from the
            // environment is not the tool's answer, whatever it holds.
            if is_runtime_notice(raw) {
                continue;
            }
            if !raw.trim().is_empty() {
                lines_seen += 1;
            }
            if lines_seen > NAMED_LINES && first.is_some() {
                return first;
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
            let banner = lines_seen == 1;
            let mut offered = candidate(raw, names, banner, false);
            let weak = |c: &Candidate| match c {
                Candidate::Own(t) | Candidate::Helper(t) => t.kind != Kind::Dotted,
                _ => false,
            };
            if weak(&offered) && is_rejected() {
                offered = candidate(raw, names, banner, true);
            }
            // In an error or a usage text, the tool's name with a version
            // suffix (`/usr/bin/fpcmake-3.2.2: illegal option`, `Syntax:
            // mkinsadd-3.2 <file>`) is the file it runs from, not an answer.
            if let Candidate::Own(t) | Candidate::Helper(t) = &offered {
                if joined_to_name(raw, t.at)
                    && is_own_name(owner_of(raw, t.at), names)
                    && is_rejected()
                {
                    offered = Candidate::Nothing;
                }
            }
            match offered {
                Candidate::Nothing => {}
                Candidate::Unknown => return first,
                // The tool's own name, then its version (`aria2 version
                // 1.36.0` for aria2c, `Elixir 1.14.0` after `Erlang/OTP 25
                // [erts-13.1.5]`, `git-lfs/3.3.0 (…; go 1.19.8)`): the
                // tool's, before any other line's.
                Candidate::Own(token) | Candidate::Helper(token)
                    if token.kind == Kind::Dotted
                        && lines_seen <= NAMED_LINES
                        && is_own_name(owner_of(raw, token.at), names) =>
                {
                    return Some(found(token));
                }
                Candidate::Helper(token) if token.kind == Kind::Dotted => keep(&mut helper, token),
                Candidate::Helper(_) => {}
                Candidate::Own(token) => match token.kind {
                    Kind::Dotted => keep(&mut first, token),
                    // Deeper down, a bare number is prose (`number 0 can be
                    // used`), not the answer.
                    Kind::Bare if lines_seen <= BARE_LINES => keep(&mut bare, token),
                    Kind::Bare => {}
                    Kind::Date => keep(&mut date, token),
                },
            }
        }
        if first.is_some() {
            return first;
        }
    }
    bare.or(date).or(helper)
}

/// A version attached to the tool's own name is looked for on this many
/// first lines of a stream (not blank): the name a tool prints for itself
/// is on its first lines, after a runtime's banner at most.
const NAMED_LINES: usize = 5;

/// `Picked up JAVA_TOOL_OPTIONS: …`, `Picked up _JAVA_OPTIONS: …`, `NOTE:
/// Picked up JDK_JAVA_OPTIONS: …`: what every JVM prints first when one of
/// these variables is set; the options in it (`-javaagent:…-1.49.0.jar`)
/// are never the tool's version.
fn is_runtime_notice(line: &str) -> bool {
    let line = line.trim_start();
    let line = line.strip_prefix("NOTE: ").unwrap_or(line);
    let Some(rest) = line.strip_prefix("Picked up ") else {
        return false;
    };
    let var = rest
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        .count();
    var > 0 && rest.as_bytes().get(var) == Some(&b':')
}

/// The lines of an output that may answer: all but the JVM's notices.
fn answer_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !is_runtime_notice(l))
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

/// Whether `line` (in any case) has one of `REJECTIONS`.
fn rejects_the_argument(line: &str) -> bool {
    FIND_REJECTIONS.find_in(line).is_some()
}

/// The phrase with which the output rejects the argument, if it does.
pub fn rejection(text: &str) -> Option<&'static str> {
    answer_lines(text).find_map(|line| {
        let lower = line.to_ascii_lowercase();
        REJECTIONS.iter().copied().find(|p| lower.contains(p))
    })
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

/// The lists above as each is looked for: a line that rejects the
/// argument; an output that rejects it or is an error (one pass for both);
/// where a line turns to something else.
static FIND_REJECTIONS: Phrases = Phrases::new(&[REJECTIONS]);
static FIND_REJECTIONS_OR_ERRORS: Phrases = Phrases::new(&[REJECTIONS, ERRORS]);
static FIND_CUT_AT: Phrases = Phrases::new(&[CUT_AT]);

/// Lists of phrases (in lower case) looked for in a line in any case, all
/// in one pass over it: a line is searched for dozens of them, and a
/// `find` per phrase in a lower-case copy of the line cost more than the
/// rest of reading it.
struct Phrases {
    lists: &'static [&'static [&'static str]],
    /// For each byte, the phrases whose first byte it is, in either case:
    /// bit `k` for the `k`th phrase of the lists, in order.
    first: [u32; 256],
    /// The same for the second byte: a phrase is compared only where the
    /// line's two bytes both fit it, which letters as common as `e` or
    /// `c` alone would not rule out.
    second: [u32; 256],
}

impl Phrases {
    const fn new(lists: &'static [&'static [&'static str]]) -> Self {
        let mut first = [0; 256];
        let mut second = [0; 256];
        let mut k = 0;
        let mut l = 0;
        while l < lists.len() {
            let mut p = 0;
            while p < lists[l].len() {
                let phrase = lists[l][p].as_bytes();
                assert!(k < 32, "more phrases than bits in a mask: make them u64");
                assert!(phrase.len() >= 2, "two bytes to look for");
                // Compared in any case only with phrases in lower case.
                let mut j = 0;
                while j < phrase.len() {
                    assert!(!phrase[j].is_ascii_uppercase(), "a phrase in lower case");
                    j += 1;
                }
                first[phrase[0] as usize] |= 1 << k;
                first[phrase[0].to_ascii_uppercase() as usize] |= 1 << k;
                second[phrase[1] as usize] |= 1 << k;
                second[phrase[1].to_ascii_uppercase() as usize] |= 1 << k;
                k += 1;
                p += 1;
            }
            l += 1;
        }
        Phrases {
            lists,
            first,
            second,
        }
    }

    /// Where the first phrase in `text`, in any (ASCII) case, starts: the
    /// leftmost of each phrase's `find` in the line in lower case.
    fn find_in(&self, text: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            let mut maybe =
                self.first[usize::from(bytes[i])] & self.second[usize::from(bytes[i + 1])];
            while maybe != 0 {
                if lower_at(bytes, i, self.phrase(maybe.trailing_zeros() as usize)) {
                    return Some(i);
                }
                maybe &= maybe - 1;
            }
            i += 1;
        }
        None
    }

    /// The `k`th phrase of the lists.
    fn phrase(&self, mut k: usize) -> &'static [u8] {
        for list in self.lists {
            match list.get(k) {
                Some(phrase) => return phrase.as_bytes(),
                None => k -= list.len(),
            }
        }
        unreachable!("a bit per phrase")
    }
}

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
    /// Where it starts in the line.
    at: usize,
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

/// The version a line offers, if any. `banner`: the line is the first of
/// its stream, where the tool names itself (`include-what-you-use 0.18`
/// run as `iwyu`).
fn candidate(raw: &str, names: &Names, banner: bool, rejected: bool) -> Candidate {
    // A version has a digit, so a line without one (most lines of a
    // licence or a help text) offers none; at most it says the version is
    // unknown. Such a line is not copied, cut and searched.
    let unknown = || find_lower(raw.as_bytes(), b"unknown", 0).is_some();
    if !raw.bytes().any(|b| b.is_ascii_digit()) && !unknown() {
        return Candidate::Nothing;
    }
    let cut = cut_names(raw, names.given);
    let mut line: &str = &cut;
    let usage = line
        .trim_start()
        .as_bytes()
        .get(..5)
        .is_some_and(|b| b.eq_ignore_ascii_case(b"usage"));
    if usage || rejects_the_argument(line) {
        return Candidate::Nothing;
    }
    if let Some(at) = FIND_CUT_AT.find_in(line) {
        line = &line[..at];
    }
    // What follows MySQL's `Distrib` is the version (`Ver 15.1` before it
    // is the client's protocol).
    if let Some(end) = word_at(line, "distrib", 0) {
        return match tokens(line, (raw, names), end, line.len(), true, rejected) {
            Some(token) => Candidate::Own(token),
            None => Candidate::Nothing,
        };
    }
    // What follows the word `version`, up to the next one, is the version
    // it names; what precedes the first is a name (`gdk-pixbuf-csource-3.0
    // version 2.42.10`). The first `version` that is followed by one wins:
    // `genrb version 56 (ICU version 72.1)` is 56, `Perl version of grog in
    // groff version 1.22.4` is 1.22.4.
    let mut anchor = word_at(line, "version", 0);
    // Unless the tool's own name gives it first: `include-what-you-use 0.18
    // based on Debian clang version 14.0.6`, `snmpc 5.13.3 [Mib format
    // version 3.3]`.
    if let Some(end) = anchor {
        let to = end - "version".len();
        if let Some(token) = named_before(line, raw, names, to, banner, rejected) {
            return Candidate::Own(token);
        }
    }
    if anchor.is_none() {
        return match tokens(line, (raw, names), 0, line.len(), false, rejected) {
            Some(token) => Candidate::Own(token),
            None => Candidate::Nothing,
        };
    }
    while let Some(end) = anchor {
        let next = word_at(line, "version", end);
        let stop = next.map_or(line.len(), |n| n - "version".len());
        let value = line[end..stop].trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '=' | '"' | '\'' | '(' | '[')
        });
        if starts_with_unknown(value) {
            return Candidate::Unknown;
        }
        if let Some(token) = tokens(line, (raw, names), end, stop, true, rejected) {
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

/// Whether `text` starts with `unknown`, in any case.
fn starts_with_unknown(text: &str) -> bool {
    text.as_bytes()
        .get(..7)
        .is_some_and(|b| b.eq_ignore_ascii_case(b"unknown"))
}

/// The first dotted version in `line[..to]` attached to the tool's own
/// name (see `owner_of`), or on the `banner` line to its first word, the
/// name the tool prints for itself; not a suffix of the name
/// (`gdk-pixbuf-csource-3.0 version 2.42.10`).
fn named_before(
    line: &str,
    raw: &str,
    names: &Names,
    to: usize,
    banner: bool,
    rejected: bool,
) -> Option<Token> {
    let bytes = line.as_bytes();
    for i in 0..to {
        let starts = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if !starts || joined_to_name(raw, i) {
            continue;
        }
        let owner = owner_of(raw, i);
        let first_word = || {
            let at = owner.as_ptr() as usize - raw.as_ptr() as usize;
            !owner.is_empty() && raw[..at].trim().is_empty()
        };
        if !(is_own_name(owner, names) || (banner && first_word())) {
            continue;
        }
        if let Some(token) = tokens(line, (raw, names), i, to, false, rejected) {
            if token.at == i && token.kind == Kind::Dotted {
                return Some(token);
            }
        }
    }
    None
}

/// Whether the number at `at` is glued to a name by `-` or `_`
/// (`valgrind-3.19.0`, `fpcmake-3.2.2`).
fn joined_to_name(raw: &str, at: usize) -> bool {
    let b = raw.as_bytes();
    at >= 2 && matches!(b[at - 1], b'-' | b'_') && b[at - 2].is_ascii_alphanumeric()
}

/// The end of the first whole word `word` (in lower case) in `line`, in
/// any case, looking from `from`.
fn word_at(line: &str, word: &str, from: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = from;
    while let Some(i) = find_lower(bytes, word.as_bytes(), from) {
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

/// Where `word` (in lower case) first is in `bytes[from..]`, in any case:
/// what `find` gives in a lower-case copy, without the copy nor the
/// searcher `find` sets up, which cost more than the search on a line.
/// Position by position, which is linear for the words looked for
/// (`version`, `distrib`, `unknown`: a partial match never holds the first
/// letter again, so no byte is compared twice as part of one).
fn find_lower(bytes: &[u8], word: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + word.len() <= bytes.len() {
        if bytes[i].to_ascii_lowercase() == word[0] && lower_at(bytes, i, word) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether `bytes[at..]` starts with `word` (in lower case), in any case.
fn lower_at(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    let Some(here) = bytes.get(at..at + word.len()) else {
        return false;
    };
    let mut k = 0;
    while k < word.len() && here[k].to_ascii_lowercase() == word[k] {
        k += 1;
    }
    k == word.len()
}

/// Whether the words before `version` name something other than the tool:
/// a library, an interface, or another program (a name with a digit, `-`
/// or `_`, such as `fusermount3`).
fn is_helper(before: &str, names: &Names) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if word.is_empty() {
        return false;
    }
    if HELPER_WORDS.iter().any(|h| word.eq_ignore_ascii_case(h)) {
        return true;
    }
    let programish = word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.contains(|c: char| c.is_ascii_digit() || c == '-' || c == '_');
    programish && !is_own_name(word, names)
}

/// A name without what varies between builds of one program: its
/// directory, `.exe`, case, and a version suffix (`gcc-12`, `python3`,
/// `lua5.2`, `gforth-0.7.3` are `gcc`, `python`, `lua`, `gforth`).
fn stem(name: &str) -> String {
    stem_in_case(name).to_ascii_lowercase()
}

/// `stem`, in the case `name` has it.
fn stem_in_case(name: &str) -> &str {
    // Byte by byte (all these are ASCII): splitting and trimming by `char`
    // patterns cost several times more, on every number's owner.
    let file = name
        .bytes()
        .rposition(|b| matches!(b, b'/' | b'\\'))
        .map_or(name, |sep| &name[sep + 1..]);
    let file = file
        .strip_suffix(".exe")
        .or_else(|| file.strip_suffix(".EXE"))
        .unwrap_or(file);
    let kept = file
        .bytes()
        .rposition(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')))
        .map_or(0, |last| last + 1);
    &file[..kept]
}

/// Whether `word`, printed before a version, is the tool's own name: one
/// of `names` (what it is called and where it is), in any case, with or
/// without a version suffix; or the name its command stands for: `aria2`
/// for `aria2c` and `elixir` for `elixirc` (a trailing `c`, for compiler
/// or client), `aws` for `aws-cli`.
fn is_own_name(word: &str, names: &Names) -> bool {
    let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if word.len() < 2 || !word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    // `stem(word)` without its lower-case copy: the names' stems are in
    // lower case already, so comparing in any case is the same test.
    let said = stem_in_case(word);
    // Only a word ending in `cli` has a `-cli` to drop (rare: built only then).
    let ends_in_cli = said
        .len()
        .checked_sub(3)
        .is_some_and(|at| said.as_bytes()[at..].eq_ignore_ascii_case(b"cli"));
    let said_cli = if ends_in_cli {
        let said = stem(word);
        ["-cli", "_cli", "cli"]
            .iter()
            .find_map(|s| said.strip_suffix(s))
            .filter(|s| s.len() >= 2)
            .map(stem)
    } else {
        None
    };
    names.stems.iter().any(|(called, compiler)| {
        said.eq_ignore_ascii_case(called)
            || compiler
                .as_deref()
                .is_some_and(|c| said.eq_ignore_ascii_case(c))
            || said_cli.as_deref() == Some(called.as_str())
    })
}

/// The tool's names as `extract` is given them, and their stems (each
/// with the stem it has without a trailing `c`, see `is_own_name`),
/// computed once per output: `is_own_name` is asked about every number
/// that may be a version, and computing a name's stem allocates.
struct Names<'a> {
    given: &'a [&'a str],
    /// In lower case; none empty.
    stems: Vec<(String, Option<String>)>,
}

impl<'a> Names<'a> {
    fn new(given: &'a [&'a str]) -> Self {
        let stems = given
            .iter()
            .enumerate()
            // A name given twice (the command as typed and as found) has
            // the same stems.
            .filter(|(k, name)| !given[..*k].contains(name))
            .map(|(_, name)| stem(name))
            .filter(|called| !called.is_empty())
            .map(|called| {
                let compiler = called.strip_suffix('c').filter(|s| s.len() >= 3).map(stem);
                (called, compiler)
            })
            .collect();
        Names { given, stems }
    }
}

/// The word a version at `at` is attached to in `raw`: the one before it,
/// past `v`, spaces, `:`, `=`, quotes, `(`, `-`, `_`, `/` and the word
/// `version` (`Elixir 1.14.0`, `aria2 version 1.36.0`, `git-lfs/3.3.0`,
/// `fuse-overlayfs: version 1.10`). Empty when none is.
fn owner_of(raw: &str, at: usize) -> &str {
    let bytes = raw.as_bytes();
    let mut end = at.min(bytes.len());
    if end > 0 && matches!(bytes[end - 1], b'v' | b'V') {
        end -= 1;
    }
    let separator = |b: u8| {
        b.is_ascii_whitespace()
            || matches!(b, b':' | b'=' | b'"' | b'\'' | b'(' | b'-' | b'_' | b'/')
    };
    let skip = |end: &mut usize| {
        while *end > 0 && separator(bytes[*end - 1]) {
            *end -= 1;
        }
    };
    skip(&mut end);
    let word_start = |end: usize| {
        let mut i = end;
        while i > 0
            && (bytes[i - 1].is_ascii_alphanumeric()
                || matches!(bytes[i - 1], b'.' | b'_' | b'-' | b'+'))
        {
            i -= 1;
        }
        i
    };
    let mut start = word_start(end);
    if raw[start..end].eq_ignore_ascii_case("version") {
        end = start;
        skip(&mut end);
        start = word_start(end);
    }
    &raw[start..end]
}

/// A number after `/`: a version when the word before the `/` is the
/// tool's own name, or starts the line (`aws-cli/2.9.19`, `git-lfs/3.3.0`),
/// and only a dotted one; never after another name or in a path
/// (`Python/3.11.2`, `/usr/lib/gcc/x86_64-linux-gnu/12`).
fn slash_glue(raw: &str, at: usize, names: &Names) -> Glue {
    let bytes = raw.as_bytes();
    let slash = at - 1;
    let mut start = slash;
    while start > 0
        && (bytes[start - 1].is_ascii_alphanumeric()
            || matches!(bytes[start - 1], b'.' | b'_' | b'-' | b'+'))
    {
        start -= 1;
    }
    let word = &raw[start..slash];
    let first_word = raw[..start].trim().is_empty();
    if word.starts_with(|c: char| c.is_ascii_alphabetic())
        && (first_word || is_own_name(word, names))
    {
        Glue::NameJoined
    } else {
        Glue::Refused
    }
}

/// The line with every occurrence of the tool's names (and a manual
/// section after one) replaced by spaces, as whole words (`go` in `go
/// version`, not in `go1.22`).
fn cut_names<'a>(line: &'a str, names: &[&str]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(line);
    for name in names.iter().filter(|n| n.len() > 1) {
        // Most lines hold none of the names: they are not copied, and
        // `contains` says so for less than setting up the searcher `find`
        // uses.
        if !out.contains(name) {
            continue;
        }
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
                out.to_mut().replace_range(i..cut, &" ".repeat(cut - i));
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
    (raw, names): (&str, &Names),
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
        } else if start > 0 && bytes[start - 1] == b'/' {
            slash_glue(raw, start, names)
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
                at: start,
            });
            i = next;
            continue;
        }
        let Some((version, dotted, next)) = number_at(&text[..to], start) else {
            i = end;
            continue;
        };
        i = next.max(start + 1);
        // `N:M` is a time, an address and its port, a line and column or
        // a libtool interface (`22:30:00.00`, `127.0.0.1:8080`,
        // `42:1:17`), never a version.
        let digit_at = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_digit);
        if (bytes.get(next) == Some(&b':') && digit_at(next + 1))
            || (start >= 2 && bytes[start - 1] == b':' && digit_at(start - 2))
        {
            continue;
        }
        // `iproute2-6.1.0`, `OpenSSH_9.2p1` name a version; `llvm-ml-14`,
        // `Debian-2` do not.
        if glue == Glue::NameJoined && !dotted {
            continue;
        }
        if dotted {
            offer(Token {
                version,
                kind: Kind::Dotted,
                at: start,
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
            at: start,
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
    fn a_line_without_a_digit_is_read_only_for_an_unknown_version() {
        // Lines without a digit are skipped, since they offer no version;
        // all but one saying the version is unknown, which ends the search.
        assert_eq!(read("tool version: Unknown\ntool 1.2.3", "tool"), None);
        assert_eq!(
            read("tool version\ntool 1.2.3", "tool").as_deref(),
            Some("1.2.3")
        );
    }

    /// What `extract` reads in `stdout` and `stderr` for a tool called
    /// `name`, as text.
    fn read_both(stdout: &str, stderr: &str, name: &str) -> Option<String> {
        extract(&[("stdout", stdout), ("stderr", stderr)], &[name]).map(|f| f.version.text)
    }

    #[test]
    fn the_version_attached_to_the_tools_own_name_comes_before_another_components() {
        let aria2 = "aria2 version 1.36.0\nCopyright (C) 2006, 2019 Tatsuhiro Tsujikawa\n\n\
                     ** Configuration **\nEnabled Features: Async DNS, BitTorrent\n\
                     Hash Algorithms: sha-1, sha-224\nLibraries: zlib/1.2.13 libxml2/2.9.14\n\
                     Compiler: gcc 10.2.1 20210110\n  built by  x86_64-pc-linux-gnu\n";
        let erlang = "Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] [smp:2:2] [ds:2:2:10] \
                      [async-threads:1] [jit:ns]\n\n";
        let cases: &[(&str, &str, &str)] = &[
            // The stem of the command: `aria2` for `aria2c`, `elixir` for
            // `elixirc`; and the name in another case.
            (aria2, "aria2c", "1.36.0"),
            (&format!("{erlang}Elixir 1.14.0 (compiled with Erlang/OTP 24)\n"), "elixir", "1.14.0"),
            (&format!("{erlang}Elixir 1.14.0 (compiled with Erlang/OTP 24)\n"), "elixirc", "1.14.0"),
            (&format!("{erlang}Mix 1.14.0 (compiled with Erlang/OTP 24)\n"), "mix", "1.14.0"),
            // `name/version` tokens: the tool's own, not Go's or Python's.
            ("git-lfs/3.3.0 (GitHub; linux amd64; go 1.19.8)", "git-lfs", "3.3.0"),
            (
                "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0-18-amd64 source/x86_64.debian.12 prompt/off",
                "aws",
                "2.9.19",
            ),
        ];
        for (output, name, want) in cases {
            assert_eq!(
                read(output, name).as_deref(),
                Some(*want),
                "{output:?} ({name})"
            );
        }
        // Another program's `name/version` is never the tool's.
        assert_eq!(read("built on Python/3.11.2", "tool"), None);
        assert_eq!(
            read("/usr/lib/gcc/x86_64-linux-gnu/12.2.0/cc1", "tool"),
            None
        );
        // Where it came from is still shown.
        let found = extract(
            &[(
                "stdout",
                &format!("{erlang}Elixir 1.14.0 (compiled with Erlang/OTP 24)"),
            )],
            &["elixir"],
        )
        .expect("a version");
        assert_eq!(
            found.place(str::to_string),
            "line 3 of stdout: \"Elixir 1.14.0 (compiled with Erlang/OTP 24)\""
        );
    }

    #[test]
    fn what_gave_wrong_numbers_on_tools_never_seen_gives_the_right_one_or_none() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            // The name a tool prints for itself on its first line, before
            // the word `version` that names another's.
            ("include-what-you-use 0.18 based on Debian clang version 14.0.6", "iwyu", Some("0.18")),
            ("snmpc 5.13.3 [Mib format version 3.3] (OTP 25)", "snmpc", Some("5.13.3")),
            // The command's stem on a later line beats the language's
            // version on the first.
            (
                "Python 3.9.16 (7.3.11+dfsg-2+deb12u3, Dec 30 2024, 22:36:23)\n[PyPy 7.3.11 with GCC 12.2.0]",
                "pypy3",
                Some("7.3.11"),
            ),
            // In an error or usage text, the tool's versioned file name.
            (
                "/usr/bin/fpcmake: illegal option -- -\n/usr/bin/fpcmake-3.2.2: <-pw> [-vqh] [file]",
                "fpcmake",
                None,
            ),
            ("Error: Too few parameters!!\nSyntax: mkinsadd-3.2 <path_to_install.dat>", "mkinsadd-3.2.2", None),
            // Either side of `:`.
            (" 42:1:17", "autoopts-config", None),
            (
                "Error: unknown flag: --version\n  -l, --listen string   address (default \"127.0.0.1:0\")",
                "dlv",
                None,
            ),
            ("set the clock used, e.g. at 22:30:00.00", "hugo", None),
            // What was right stays right.
            ("valgrind-3.19.0", "valgrind", Some("3.19.0")),
            ("jq-1.6", "jq", Some("1.6")),
            ("Leiningen 2.10.0 on Java 17.0.15 OpenJDK 64-Bit Server VM", "lein", Some("2.10.0")),
            ("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026", "ffmpeg", Some("5.1.9")),
        ];
        for (output, name, want) in cases {
            assert_eq!(read(output, name).as_deref(), *want, "{output:?} ({name})");
        }
    }

    #[test]
    fn the_jvms_notices_of_picked_up_options_are_never_the_version() {
        let java = "openjdk version \"11.0.21\" 2023-10-17\n\
                    OpenJDK Runtime Environment (build 11.0.21+9-post-Debian-1deb11u1)\n";
        for var in ["JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS"] {
            let stderr = format!(
                "Picked up {var}: -javaagent:/opt/elastic-apm-agent-1.49.0.jar -Xmx2g\n{java}"
            );
            assert_eq!(
                read_both("", &stderr, "java").as_deref(),
                Some("11.0.21"),
                "{var}"
            );
        }
        let stderr = "NOTE: Picked up JDK_JAVA_OPTIONS: -javaagent:/opt/agent-21.3.0.jar\n\
                      openjdk version \"21\" 2023-09-19\n";
        assert_eq!(read_both("", stderr, "java").as_deref(), Some("21"));
        // A notice's words (`ExitOnOutOfMemoryError`) do not make the
        // answer an error, where a bare number would no longer count.
        let stderr = "Picked up JAVA_TOOL_OPTIONS: -XX:+ExitOnOutOfMemoryError\n\
                      openjdk version \"21\" 2023-09-19\n";
        assert_eq!(read_both("", stderr, "java").as_deref(), Some("21"));
        // Any JVM tool: the notice goes to stderr, the answer to stdout.
        let gradle = "\n------------------------------------------------------------\n\
                      Gradle 4.4.1\n------------------------------------------------------------\n";
        let notice = "Picked up JAVA_TOOL_OPTIONS: -javaagent:/opt/agent-21.3.0.jar\n";
        assert_eq!(
            read_both(gradle, notice, "gradle").as_deref(),
            Some("4.4.1")
        );
        assert_eq!(
            read_both("", &format!("{notice}{gradle}"), "gradle").as_deref(),
            Some("4.4.1")
        );
        // A notice alone has no version, and is no rejection.
        assert_eq!(read_both("", notice, "groovy"), None);
        assert_eq!(
            rejection("Picked up _JAVA_OPTIONS: -Dinvalid.option=1"),
            None
        );
    }

    #[test]
    fn mariadbs_client_reads_the_servers_distribution_not_the_client_revision() {
        // `Ver 15.1` is the mysql client program's own revision, the same
        // across MariaDB releases; `Distrib 10.11.6` is the distribution a
        // range such as `>=10.6` is written against.
        let out = "mysql  Ver 15.1 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64) \
                   using  EditLine wrapper";
        assert_eq!(read(out, "mysql").as_deref(), Some("10.11.6"));
        assert_eq!(read(out, "mariadb").as_deref(), Some("10.11.6"));
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
