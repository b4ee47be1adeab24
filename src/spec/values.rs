//! The values a spec is written in (patterns, version ranges, sizes,
//! durations, OS families), the keys of a spec file other than its checks,
//! and the keys every check may carry. Each kind of check declares its own
//! keys in src/checks/. Every value is validated as it is read, so a bad
//! regex or range points at its own line; the types are also the source of
//! `probe schema`.

use std::fmt;
use std::time::{Duration, Instant};

use regex::Regex;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::quantity::{self, AmountReq, Unit};
use crate::version::VersionReq;

#[cfg(test)]
use schemars::JsonSchema;

/// The keys of a spec file other than `checks`.
#[derive(Debug, Deserialize, Default)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecHeader {
    /// What agents with this resource are for; shown by `probe list`.
    pub description: Option<String>,
    /// Other resources whose checks also run whenever this one is selected
    /// (file names in the same directory, without `.yaml`).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Environment variables whose values must never appear in a report,
    /// besides those whose names say they are secret (`*` and `?` allowed).
    /// A list in any spec applies to every run of that probes directory;
    /// common.yaml is the natural place.
    #[serde(default)]
    pub redact: Vec<String>,
}

/// The keys any check may carry besides its kind.
#[derive(Debug, Deserialize, Default, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckCommon {
    /// A name for the check in reports, instead of the generated one.
    pub title: Option<String>,
    /// Shown when the check fails: how to fix the agent.
    pub hint: Option<String>,
    /// How long a spawned command may run (e.g. `500ms`, `10s`); default `--timeout`.
    pub timeout: Option<DurationText>,
    /// Run the check only on these operating systems; elsewhere it is skipped.
    pub os: Option<OneOrMany<OsFamily>>,
    /// `true`: what the check found and the command's output are left out of
    /// every report; its verdict and message stay.
    pub sensitive: Option<bool>,
}

pub const COMMON_KEYS: &[&str] = &["title", "hint", "timeout", "os", "sensitive"];

// ---- values ----

/// A regular expression, compiled when the spec is read.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    /// Whether a match can take in a line break (`a\nb`, `\s+`, `(?s).`):
    /// such a pattern is matched against the whole text at once.
    spans_lines: bool,
    /// The same pattern for searching a span of a longer text, so that
    /// `^`, `$` and `\b` see the text around the span: built the first time
    /// a line is longer than a [`PIECE`], which few outputs have.
    spans: std::sync::OnceLock<Option<regex_automata::meta::Regex>>,
}

/// Matching did not finish before its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooSlow;

/// The largest compiled pattern: matching costs about its size times the
/// text's (the regex engine here has no lazy DFA, for the binary's size):
/// near this size (`[a-z]{1,500}Z`), a [`PIECE`] takes about a third of a
/// second on this project's build machine.
const PATTERN_SIZE_LIMIT: usize = 64 * 1024;

impl Pattern {
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }

    /// For short texts (a variable's value, a header, a version).
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// Whether the pattern matches `text`, giving up at `deadline`. The text
    /// is matched a line at a time (`^` and `$` are line starts and ends), so
    /// the deadline is seen between lines; a pattern that can match a line
    /// break is matched across lines. Either way a stretch longer than
    /// [`PIECE`] is searched in spans of that size that overlap by
    /// [`OVERLAP`], each seeing the text around it, so that no single
    /// search runs long; a match longer than the overlap across two spans
    /// is not seen.
    pub fn is_match_before(&self, text: &str, deadline: Instant) -> Result<bool, TooSlow> {
        Ok(self.group_before(text, deadline)?.is_some())
    }

    /// Where in `text` the first match's first group is (the whole match
    /// when the pattern has none or it took no part), or None. Gives up at
    /// `deadline`.
    pub fn group_before(
        &self,
        text: &str,
        deadline: Instant,
    ) -> Result<Option<std::ops::Range<usize>>, TooSlow> {
        let mut offset = 0;
        let stretches: Box<dyn Iterator<Item = &str>> = if self.spans_lines {
            Box::new(std::iter::once(text))
        } else {
            Box::new(text.split_inclusive('\n'))
        };
        for stretch in stretches {
            // A line without its end (`\n` or `\r\n`): `$` is its end.
            let body = if self.spans_lines {
                stretch
            } else {
                let line = stretch.strip_suffix('\n').unwrap_or(stretch);
                line.strip_suffix('\r').unwrap_or(line)
            };
            if Instant::now() >= deadline {
                return Err(TooSlow);
            }
            let found = if body.len() <= PIECE {
                self.regex.captures(body).and_then(|caps| {
                    caps.get(1)
                        .or_else(|| caps.get(0))
                        .map(|m| m.start()..m.end())
                })
            } else {
                self.in_spans(body, deadline)?
            };
            if let Some(range) = found {
                return Ok(Some(offset + range.start..offset + range.end));
            }
            offset += stretch.len();
        }
        Ok(None)
    }

    /// Whether the pattern matches within `span` of `text`, the text
    /// around the span counting for `^`, `$` and `\b` (a window of a long
    /// line that is read in parts).
    pub fn is_match_in(&self, text: &str, span: std::ops::Range<usize>) -> bool {
        if span == (0..text.len()) {
            return self.regex.is_match(text);
        }
        self.spans
            .get_or_init(|| meta_regex(self.as_str()))
            .as_ref()
            .is_some_and(|meta| meta.is_match(regex_automata::Input::new(text).span(span)))
    }

    /// [`Pattern::group_before`] over one long stretch, a span at a time.
    fn in_spans(
        &self,
        body: &str,
        deadline: Instant,
    ) -> Result<Option<std::ops::Range<usize>>, TooSlow> {
        let Some(meta) = self.spans.get_or_init(|| meta_regex(self.as_str())) else {
            return Ok(None);
        };
        let mut caps = meta.create_captures();
        for span in spans(body) {
            if Instant::now() >= deadline {
                return Err(TooSlow);
            }
            meta.search_captures(&regex_automata::Input::new(body).span(span), &mut caps);
            if let Some(group) = caps.get_group(1).or_else(|| caps.get_group(0)) {
                return Ok(Some(group.range()));
            }
        }
        Ok(None)
    }
}

/// The pattern as [`Pattern::new`] compiles it, for searching spans.
fn meta_regex(text: &str) -> Option<regex_automata::meta::Regex> {
    regex_automata::meta::Builder::new()
        .configure(regex_automata::meta::Config::new().nfa_size_limit(Some(PATTERN_SIZE_LIMIT)))
        .syntax(regex_automata::util::syntax::Config::new().multi_line(true))
        .build(text)
        .ok()
}

/// The longest stretch of text one search is given: matching costs about
/// the pattern's size times this.
pub const PIECE: usize = 16 * 1024;
/// How much the spans of a long stretch overlap.
pub const OVERLAP: usize = 4 * 1024;

/// The spans of `text` searched in turn: at most [`PIECE`] bytes each,
/// overlapping by [`OVERLAP`], cut at character boundaries.
fn spans(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut end = (start + PIECE).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let span = start..end;
        if end == text.len() {
            done = true;
        } else {
            let mut next = end.saturating_sub(OVERLAP).max(start + 1);
            while !text.is_char_boundary(next) {
                next += 1;
            }
            start = next;
        }
        Some(span)
    })
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Whether any match of `hir` can include a line break.
fn can_match_newline(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Literal(lit) => lit.0.contains(&b'\n'),
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Empty | HirKind::Look(_) => false,
        other => other.subs().iter().any(can_match_newline),
    }
}

impl Pattern {
    /// Compiles a spec's pattern (multi-line: `^` and `$` are line starts and
    /// ends); Err says what is wrong with it.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let invalid =
            |reason: String| format!("`{text}` is not a valid regular expression: {reason}");
        let regex = regex::RegexBuilder::new(text)
            .multi_line(true)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .map_err(|e| match &e {
                regex::Error::Syntax(s) => invalid(
                    s.lines()
                        .rev()
                        .find_map(|l| l.strip_prefix("error: "))
                        .unwrap_or("invalid syntax")
                        .to_string(),
                ),
                regex::Error::CompiledTooBig(_) => format!(
                    "`{text}` is too large to match quickly (over {} KiB compiled; matching \
                     costs its size times the output's): use a smaller repetition count \
                     (`{{3,20}}`, not `{{100,1000}}`), or an ASCII class (`[A-Za-z0-9_]`) \
                     instead of `\\w`",
                    PATTERN_SIZE_LIMIT / 1024
                ),
                other => invalid(other.to_string()),
            })?;
        let spans_lines = regex_syntax::ParserBuilder::new()
            .multi_line(true)
            .build()
            .parse(text)
            .map_or(true, |hir| can_match_newline(&hir));
        Ok(Pattern {
            regex,
            spans_lines,
            spans: std::sync::OnceLock::new(),
        })
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Pattern::new(&text).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        VersionReq::parse(&text).map_err(de::Error::custom)
    }
}

/// `>= 2 GiB`.
#[derive(Debug, Clone)]
pub struct SizeReq(pub AmountReq);

impl<'de> Deserialize<'de> for SizeReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AmountReq::parse(&text, Unit::Bytes)
            .map(SizeReq)
            .map_err(de::Error::custom)
    }
}

/// `>= 2`.
#[derive(Debug, Clone)]
pub struct CountReq(pub AmountReq);

impl<'de> Deserialize<'de> for CountReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AmountReq::parse(&text, Unit::Count)
            .map(CountReq)
            .map_err(de::Error::custom)
    }
}

/// `500ms`, `10s`, `2m`.
#[derive(Debug, Clone, Copy)]
pub struct DurationText(pub Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        quantity::parse_duration(&text)
            .map(DurationText)
            .map_err(de::Error::custom)
    }
}

/// An IP address, v4 or v6: `10.0.0.5`, `::1`. Host names are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpText(pub std::net::IpAddr);

impl<'de> Deserialize<'de> for IpText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.trim().parse().map(IpText).map_err(|_| {
            de::Error::custom(format_args!(
                "`{text}` is not an IP address; write e.g. `10.0.0.5` or `\"::1\"` \
                 (a host name is not taken here)"
            ))
        })
    }
}

impl fmt::Display for IpText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One value or a list of them: `os: linux` or `os: [linux, macos]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                if out.is_empty() {
                    return Err(de::Error::custom(
                        "the list is empty; give at least one value, or leave the key out",
                    ));
                }
                Ok(OneOrMany(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum OsFamily {
    Linux,
    Windows,
    Macos,
}

impl OsFamily {
    pub fn current() -> OsFamily {
        if cfg!(windows) {
            OsFamily::Windows
        } else if cfg!(target_os = "macos") {
            OsFamily::Macos
        } else {
            OsFamily::Linux
        }
    }
}

impl fmt::Display for OsFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OsFamily::Linux => "linux",
            OsFamily::Windows => "windows",
            OsFamily::Macos => "macos",
        })
    }
}

// ---- JSON Schema for the hand-written value types (test builds only) ----

#[cfg(test)]
mod schema_impls {
    use super::*;
    use schemars::{json_schema, Schema, SchemaGenerator};
    use std::borrow::Cow;

    // The loader reads any scalar as text, while an editor reads `17`,
    // `2` or `10` as numbers: such values are numbers in the schema too.
    macro_rules! text_schema {
        ($ty:ty, $name:literal, $description:literal) => {
            impl JsonSchema for $ty {
                fn schema_name() -> Cow<'static, str> {
                    $name.into()
                }
                fn json_schema(_: &mut SchemaGenerator) -> Schema {
                    json_schema!({ "type": ["string", "number"], "description": $description })
                }
            }
        };
    }

    impl JsonSchema for Pattern {
        fn schema_name() -> Cow<'static, str> {
            "Pattern".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "A regular expression (Rust regex syntax), searched for anywhere in the text; multi-line mode: `^` and `$` match at line starts and ends."
            })
        }
    }
    text_schema!(
        VersionReq,
        "VersionReq",
        "A version range: `>=3.10, <3.13`, `^1.2`, `~1.2.3`, `==3.11.*`, `!=3.12`, `17` (any 17.x); `||` between alternatives. Quote it: `version: \"3.10\"`."
    );
    text_schema!(
        SizeReq,
        "SizeReq",
        "A size comparison such as `>= 2 GiB` (>=, >, <=, <, ==, !=; a bare size means at least). Units B, KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024); no unit means bytes."
    );
    text_schema!(
        CountReq,
        "CountReq",
        "A number comparison such as `>= 2` (>=, >, <=, <, ==, !=; a bare number means at least)."
    );
    text_schema!(
        DurationText,
        "Duration",
        "A duration: `500ms`, `10s`, `2m` (or `2min`), `1h`; a bare number is seconds."
    );

    impl JsonSchema for IpText {
        fn schema_name() -> Cow<'static, str> {
            "IpAddress".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "An IPv4 or IPv6 address: `10.0.0.5`, `::1`."
            })
        }
    }

    impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
        fn schema_name() -> Cow<'static, str> {
            format!("OneOrMany_{}", T::schema_name()).into()
        }
        fn json_schema(g: &mut SchemaGenerator) -> Schema {
            let item = g.subschema_for::<T>();
            json_schema!({ "anyOf": [item, { "type": "array", "items": item, "minItems": 1 }] })
        }
    }
}

#[cfg(test)]
mod pattern_tests {
    use super::*;
    use std::time::Duration;

    fn pattern(text: &str) -> Result<Pattern, String> {
        Pattern::new(text)
    }

    #[test]
    fn a_pattern_too_costly_to_match_is_refused_when_read() {
        for costly in ["[a-z]{100,1000}Z", r"\w{50}Z", ".{500}Z"] {
            let err = pattern(costly).expect_err(costly);
            assert!(
                err.contains("too large to match quickly"),
                "{costly}: {err}"
            );
        }
        for fine in [
            r"^busted \d",
            r"(?m)^version (\d+\.\d+)",
            r"\w+\s+\w+",
            "[a-z]{20}",
        ] {
            pattern(fine).unwrap_or_else(|e| panic!("{fine}: {e}"));
        }
    }

    #[test]
    fn patterns_that_cannot_match_a_line_break_are_matched_line_by_line() {
        for (text, spans) in [
            (r"^busted \d", false),
            (r"a\nb", true),
            (r"\s+", true),
            (r"(?s)a.b", true),
            (r"a.b", false),
            ("[^x]", true),
            (r"\S+", false),
            (r"\d+\.\d+", false),
        ] {
            assert_eq!(pattern(text).expect("valid").spans_lines, spans, "{text}");
        }
    }

    #[test]
    fn a_long_stretch_is_matched_in_overlapping_spans() {
        let long = format!("{}needle{}", "é".repeat(PIECE), "x".repeat(PIECE * 2));
        let all: Vec<std::ops::Range<usize>> = spans(&long).collect();
        assert!(all.len() >= 3, "{}", all.len());
        assert!(all.iter().all(|r| r.len() <= PIECE));
        // Every byte is in a span, and spans overlap.
        assert_eq!(all[0].start, 0);
        assert_eq!(all.last().map(|r| r.end), Some(long.len()));
        assert!(all.windows(2).all(|w| w[1].start < w[0].end));
        let later = Instant::now() + Duration::from_secs(60);
        let p = pattern("needle").expect("valid");
        let found = p
            .group_before(&long, later)
            .expect("in time")
            .expect("found");
        assert_eq!(&long[found], "needle");
        assert_eq!(spans("").count(), 1);
    }

    #[test]
    fn anchors_in_a_long_line_see_the_line_not_the_span() {
        let later = Instant::now() + Duration::from_secs(60);
        // `error` where a span starts, mid-line: not at a line start.
        let mid = format!(
            "{}error{}",
            "x".repeat(PIECE - OVERLAP),
            "y".repeat(PIECE * 2)
        );
        assert_eq!(spans(&mid).nth(1).map(|r| r.start), Some(PIECE - OVERLAP));
        for (text, pattern_text, wanted) in [
            (mid.as_str(), "^error", false),
            (mid.as_str(), r"\berror", false),
            (mid.as_str(), "error", true),
        ] {
            let p = pattern(pattern_text).expect("valid");
            assert_eq!(p.is_match_before(text, later), Ok(wanted), "{pattern_text}");
        }
        // `ok` where a span ends, mid-line: not at a line end.
        let end = format!("{}ok{}", "x".repeat(PIECE - 2), "z".repeat(PIECE));
        assert_eq!(spans(&end).next().map(|r| r.end), Some(PIECE));
        assert_eq!(
            pattern("ok$").unwrap().is_match_before(&end, later),
            Ok(false)
        );
        assert_eq!(
            pattern("z$").unwrap().is_match_before(&end, later),
            Ok(true)
        );
        // A CRLF line end is a line end; a lone `\r` (a progress bar) is
        // a character like any other.
        assert_eq!(
            pattern("^ok$")
                .unwrap()
                .is_match_before("ok\r\nnext", later),
            Ok(true)
        );
        assert_eq!(
            pattern("pct.progress")
                .unwrap()
                .is_match_before("progress 10 pct\rprogress done\n", later),
            Ok(true)
        );
        // A version at the end of a long line, found with its group.
        let versioned = format!("{} version 4.5.6\r\nnext", "n".repeat(PIECE * 3));
        let p = pattern(r"version (\S+)$").expect("valid");
        let found = p.group_before(&versioned, later).unwrap().expect("found");
        assert_eq!(&versioned[found], "4.5.6");
    }

    #[test]
    fn matching_gives_up_at_its_deadline_and_finds_line_offsets() {
        let p = pattern(r"^version (\d+)").expect("valid");
        let text = "noise\nmore noise\nversion 42\n";
        let later = Instant::now() + Duration::from_secs(60);
        let found = p
            .group_before(text, later)
            .expect("in time")
            .expect("a match");
        assert_eq!(&text[found], "42");
        assert!(matches!(p.group_before(text, Instant::now()), Err(TooSlow)));
        assert!(!pattern("^x")
            .expect("valid")
            .is_match_before("ax\nb", later)
            .unwrap());
    }
}
