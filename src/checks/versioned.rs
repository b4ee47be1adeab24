//! What `command` and `run` share when a check asks for a version: the
//! keys `version`, `version_matches` and `version_regex`, finding the
//! version in the output, and the verdict.

use std::time::{Duration, Instant};

use super::Outcome;
use crate::spec::{Pattern, TooSlow};
use crate::version::{extract, rejection, Found, Version, VersionReq};
use crate::world::{Captured, LineMatcher, Stream, Watch};

/// A version check whose command timed out: the message says so (the
/// spawn's own wording) and what to do, with the `timeout` it had. JVM and
/// BEAM tools (gradle, groovy, iex) can take seconds to print a version
/// when several checks start at once on a small machine. Other outcomes
/// pass through.
pub(super) fn timed_out_hint(outcome: Outcome, timeout: Duration) -> Outcome {
    if !matches!(
        outcome.actual.as_str(),
        "no answer (timed out)" | "timed out"
    ) {
        return outcome;
    }
    // As a spec writes it: `10s`, not `10.000s`.
    let had = if timeout.subsec_nanos() == 0 {
        format!("{}s", timeout.as_secs())
    } else {
        crate::quantity::format_duration(timeout)
    };
    let message = format!(
        "{}: the check's `timeout` was {had}; if the tool is only slow to start (a JVM or BEAM \
         tool on a busy machine), raise `timeout`",
        outcome.message,
    );
    Outcome { message, ..outcome }
}

/// A check's pattern, as the world matches lines past the output's cap.
#[derive(Debug)]
struct Watched(Pattern);

impl LineMatcher for Watched {
    fn is_match_in(&self, text: &str, span: std::ops::Range<usize>) -> bool {
        self.0.is_match_in(text, span)
    }
}

/// `pattern` looked for in `stream` (None: both) past the output's cap.
pub(super) fn watched(stream: Option<Stream>, pattern: &Pattern) -> Watch {
    Watch {
        stream,
        pattern: std::sync::Arc::new(Watched(pattern.clone())),
    }
}

/// The lines that may hold a version, kept past the output's cap so that a
/// version printed after megabytes of noise is still read.
#[derive(Debug)]
struct VersionLines;

impl LineMatcher for VersionLines {
    fn is_match_in(&self, text: &str, span: std::ops::Range<usize>) -> bool {
        text.get(span).is_some_and(crate::version::may_hold)
    }

    fn keeps_every_line(&self) -> bool {
        true
    }
}

/// Keeps the lines that may hold a version.
pub(super) fn version_lines() -> Watch {
    Watch {
        stream: None,
        pattern: std::sync::Arc::new(VersionLines),
    }
}

/// A check's version keys.
#[derive(Debug, Clone, Copy)]
pub(super) struct VersionKeys<'a> {
    pub range: Option<&'a VersionReq>,
    pub matches: Option<&'a Pattern>,
    pub regex: Option<&'a Pattern>,
}

impl VersionKeys<'_> {
    /// What to look for past the output's cap: `version_regex`, and the
    /// lines that may hold a version, when the check reads one.
    pub fn watch(&self) -> Vec<Watch> {
        let mut watch: Vec<Watch> = self.regex.map(|p| watched(None, p)).into_iter().collect();
        if self.wanted() {
            watch.push(version_lines());
        }
        watch
    }

    /// Whether the check asks for a version at all.
    pub fn wanted(&self) -> bool {
        self.range.is_some() || self.matches.is_some()
    }

    /// `, version >=17, version matching `^17\.``, for `expected`.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        if let Some(range) = self.range {
            text.push_str(&format!(", version {range}"));
        }
        if let Some(pattern) = self.matches {
            text.push_str(&format!(", version matching `{}`", pattern.as_str()));
        }
        text
    }

    /// `version >=17`, for a check's stable name.
    pub fn qualifier(&self) -> Option<String> {
        match (self.range, self.matches) {
            (Some(range), _) => Some(format!("version {range}")),
            (None, Some(p)) => Some(format!("version matching {}", p.as_str())),
            (None, None) => None,
        }
    }

    /// The conflict of a `version_regex` that nothing uses.
    pub fn regex_without_use(&self) -> Option<super::Conflict> {
        (self.regex.is_some() && !self.wanted()).then(|| super::Conflict {
            key: "version_regex",
            message: "`version_regex` says where to find the version, but nothing asks for one: \
                      add `version` (a range) or `version_matches` (a pattern)"
                .into(),
            at_value: false,
        })
    }

    /// The version in the output, and where. `names`: what the program is
    /// called, which the output may print and which holds no version. A
    /// `version_regex` gives up at `deadline`.
    pub fn find(
        &self,
        stdout: &Captured,
        stderr: &Captured,
        names: &[&str],
        deadline: Instant,
    ) -> Result<Option<Found>, TooSlow> {
        let (out, err) = (stdout.text(), stderr.text());
        if let Some(found) = self.find_in(&[("stdout", &out), ("stderr", &err)], names, deadline)? {
            return Ok(Some(found));
        }
        // Past the output's cap: the lines kept there, numbered as in the
        // whole stream.
        for (stream, captured) in [("stdout", stdout), ("stderr", stderr)] {
            if captured.later.is_empty() {
                continue;
            }
            let kept: Vec<&str> = captured.later.iter().map(|(_, l)| l.as_str()).collect();
            let text = kept.join("\n");
            if let Some(mut found) = self.find_in(&[(stream, &text)], names, deadline)? {
                found.line =
                    usize::try_from(captured.later[found.line - 1].0).unwrap_or(usize::MAX);
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The version in `streams` (name, text), with its line in that text.
    fn find_in(
        &self,
        streams: &[(&'static str, &str)],
        names: &[&str],
        deadline: Instant,
    ) -> Result<Option<Found>, TooSlow> {
        let Some(re) = self.regex else {
            // Both streams in turn: a dotted version on stderr beats a bare
            // number on stdout.
            return Ok(extract(streams, names));
        };
        for (stream, text) in streams {
            let Some(matched) = re.group_before(text, deadline)? else {
                continue;
            };
            let Some(version) = Version::parse(&text[matched.clone()]) else {
                continue;
            };
            let line = text[..matched.start].matches('\n').count() + 1;
            return Ok(Some(Found {
                version,
                stream,
                line,
                text: text
                    .lines()
                    .nth(line - 1)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            }));
        }
        Ok(None)
    }

    /// The verdict on the output of `typed` (the command line as typed) of
    /// the program called `name`: the version found and judged, or why
    /// there is none. The caller adds expected, where and the output.
    pub fn verdict(
        &self,
        name: &str,
        typed: &str,
        (stdout, stderr): (&Captured, &Captured),
        names: &[&str],
        cx: &super::Context,
    ) -> Outcome {
        match self.find(stdout, stderr, names, cx.deadline) {
            Ok(Some(found)) => self.judge(name, &found, cx.secrets),
            Ok(None) => Outcome::fail(format!(
                "no version found in the output of `{typed}`: {}",
                self.why_none(stdout, stderr)
            ))
            .actual("no version in the output"),
            Err(TooSlow) => match self.regex {
                Some(re) => super::too_slow(re, &format!("the output of `{typed}`"), cx),
                None => Outcome::error("reading the version took longer than the check's timeout"),
            },
        }
    }

    /// Why no version was found: the message's second half.
    pub fn why_none(&self, stdout: &Captured, stderr: &Captured) -> String {
        let rejected = rejection(&stdout.text()).or_else(|| rejection(&stderr.text()));
        match (self.regex, rejected) {
            (Some(re), _) => format!("nothing matched `{}`", re.as_str()),
            (None, Some(phrase)) => format!(
                "it rejects the argument (`{phrase}`); set `args` to what makes it print its version"
            ),
            (None, None) => "no version-like text".to_string(),
        }
    }

    /// The verdict on a version found for the program called `name`;
    /// `secrets` are hidden in the line shown before it is cut.
    pub fn judge(&self, name: &str, found: &Found, secrets: &crate::redact::Redactor) -> Outcome {
        let version = &found.version;
        let in_range = self.range.is_none_or(|r| r.matches(version));
        let matched = self.matches.is_none_or(|p| p.is_match(&version.text));
        let message = match (self.range, in_range, matched) {
            (_, true, true) => format!("{name} {version}"),
            (Some(range), false, _) => format!("{name} {version} is not in {range}"),
            _ => format!(
                "{name} {version} does not match `{}`",
                self.matches.map_or("", |p| p.as_str())
            ),
        };
        Outcome::verdict(in_range && matched, message)
            .actual(version.text.clone())
            .found_in(found.place(|line| secrets.redact(line).into_owned()))
    }
}
