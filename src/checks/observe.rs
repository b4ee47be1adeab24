//! What `probe add` asks of a kind: the check it would write about a
//! subject, as this machine is ([`Declared::observe`](super::Declared)).
//! Each kind that learns more than its subject (a version, a state, a
//! file's type) observes it in its own file; this holds what they share.

use std::time::{Duration, Instant};

use super::draft::{Draft, Val};
use super::Context;
use crate::redact::Redactor;
use crate::version::{Version, VersionReq};
use crate::world::World;

/// How a version range is chosen from the version found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pin {
    /// This version or newer, within its major version: `>=17.0.8, <18`.
    #[default]
    Major,
    /// This version or newer, within its minor version: `>=17.0.8, <17.1`.
    Minor,
    /// Exactly this version: `==17.0.8`.
    Exact,
    /// This version or newer: `>=17.0.8`.
    Min,
}

/// What `probe add` was asked to write beyond the kind and its subject.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub pin: Pin,
    /// `env`: require today's value too.
    pub value: bool,
    /// `command`: the arguments to try first for its version.
    pub args: Option<Vec<String>>,
}

/// One observation: what to look at, and the machine to look at.
pub struct Ask<'a> {
    /// The kind.
    pub kind: &'static super::Registration,
    /// What it is about; empty for a kind that then describes this machine
    /// (`platform`, `arch`, `cpus`, `memory`).
    pub subject: &'a str,
    pub wanted: &'a Wanted,
    pub world: &'a dyn World,
    pub secrets: &'a Redactor,
}

impl Ask<'_> {
    /// The check about the subject alone: `kind: subject`.
    pub fn subject_only(&self) -> Result<Draft, String> {
        if self.subject.is_empty() {
            return Err(format!(
                "`{}` needs a subject: what to check",
                self.kind.key
            ));
        }
        Ok(Draft::of(self.kind, Val::text(self.subject)))
    }

    /// A context for the kind's own readers, with a short deadline.
    pub fn context(&self) -> Context<'_> {
        Context {
            timeout: Duration::from_secs(10),
            secrets: self.secrets,
            deadline: Instant::now() + Duration::from_secs(10),
        }
    }
}

/// The range `pin` asks for around `version`.
pub fn range(version: &Version, pin: Pin) -> String {
    let text = &version.text;
    let major = version.parts.first().copied().unwrap_or(0);
    let minor = version.parts.get(1).copied().unwrap_or(0);
    let candidate = match pin {
        Pin::Major => format!(">={text}, <{}", major.saturating_add(1)),
        Pin::Minor => format!(">={text}, <{major}.{}", minor.saturating_add(1)),
        Pin::Exact => format!("=={text}"),
        Pin::Min => format!(">={text}"),
    };
    // A version text the range syntax does not take (or a range it does
    // not meet) falls back to its numbers.
    let fits = VersionReq::parse(&candidate).is_ok_and(|r| r.matches(version));
    if fits {
        return candidate;
    }
    let numbers: Vec<String> = version.parts.iter().map(ToString::to_string).collect();
    format!(">={}", numbers.join("."))
}

/// `>= N GiB`, a little less than `bytes`: what a size check passes with
/// here and on a machine like this one.
pub fn at_least_gib(bytes: u64) -> String {
    format!(">= {} GiB", (bytes >> 30).max(1) - 1)
}
