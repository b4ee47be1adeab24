//! What `command` and `run` share when a check asks for a version: the
//! keys `version`, `version_matches` and `version_regex`, finding the
//! version in the output, and the verdict.

use super::Outcome;
use crate::spec::Pattern;
use crate::version::{extract, rejection, Found, Version, VersionReq};
use crate::world::Captured;

/// A check's version keys.
#[derive(Debug, Clone, Copy)]
pub(super) struct VersionKeys<'a> {
    pub range: Option<&'a VersionReq>,
    pub matches: Option<&'a Pattern>,
    pub regex: Option<&'a Pattern>,
}

impl VersionKeys<'_> {
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
    /// called, which the output may print and which holds no version.
    pub fn find(&self, stdout: &Captured, stderr: &Captured, names: &[&str]) -> Option<Found> {
        let streams = [("stdout", stdout.text()), ("stderr", stderr.text())];
        match self.regex {
            // Both streams in turn: a dotted version on stderr beats a bare
            // number on stdout.
            None => {
                let streams = streams
                    .each_ref()
                    .map(|(name, text)| (*name, text.as_str()));
                extract(&streams, names)
            }
            Some(re) => streams.iter().find_map(|(stream, text)| {
                let caps = re.0.captures(text)?;
                let matched = caps.get(1).or_else(|| caps.get(0))?;
                let line = text[..matched.start()].matches('\n').count() + 1;
                Some(Found {
                    version: Version::parse(matched.as_str())?,
                    stream,
                    line,
                    text: text
                        .lines()
                        .nth(line - 1)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                })
            }),
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

    /// The verdict on a version found for the program called `name`.
    pub fn judge(&self, name: &str, found: &Found) -> Outcome {
        let version = &found.version;
        let in_range = self.range.is_none_or(|r| r.matches(version));
        let matched = self.matches.is_none_or(|p| p.0.is_match(&version.text));
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
            .found_in(found.place())
    }
}
