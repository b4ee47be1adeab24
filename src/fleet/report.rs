//! One agent's JSON report (docs/json.md, `probe-report/1`), as the fleet
//! reads it: only the fields it uses, each with a default, so that a report
//! from an older or newer probe still reads.
//!
//! A report is written on an agent, by whoever controls it. What one
//! report can contribute to the fleet is capped when it is read (names,
//! checks, text per field), so that one report cannot exhaust the fleet
//! job's memory or fill its output; what was cut is said ([`AgentReport::cut`]).

use serde::Deserialize;

/// What `schema` must start with.
pub const SCHEMA_PREFIX: &str = "probe-report/";

#[derive(Debug, Clone, Deserialize)]
pub struct AgentReport {
    pub schema: String,
    #[serde(default)]
    pub started_at: Option<String>,
    pub host: Host,
    #[serde(default)]
    pub resources: Vec<ResourceEntry>,
    #[serde(default)]
    pub notices: Vec<Notice>,
    #[serde(default)]
    pub agent: Option<AgentContext>,
    #[serde(default)]
    pub checks: Vec<CheckEntry>,
    #[serde(default)]
    pub suggest: Option<Suggest>,
    pub summary: Summary,
    /// What was cut to fit the caps, in words; empty when nothing was.
    #[serde(skip)]
    pub cut: Vec<String>,
    /// How many of the checks beyond [`MAX_CHECKS`], dropped, failed: the
    /// verdict still counts them.
    #[serde(skip)]
    pub dropped_failures: usize,
}

/// Names (a host, a resource, a check's subject): a DNS name is at most
/// 253 characters.
pub const MAX_NAME: usize = 256;
/// Messages, expected and found values, hints, notices.
pub const MAX_TEXT: usize = 2048;
/// A tool's output excerpt.
pub const MAX_OUTPUT: usize = 4096;
/// Checks kept from one report; the shipped specs have about 30 per agent.
pub const MAX_CHECKS: usize = 2000;
/// Resources, notices, advertised and suggested resources.
pub const MAX_ITEMS: usize = 256;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Host {
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub os_name: Option<String>,
    #[serde(default)]
    pub arch: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceEntry {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Notice {
    pub message: String,
    #[serde(default)]
    pub failing: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgentContext {
    #[serde(default)]
    pub resources: Option<Vec<String>>,
    #[serde(default)]
    pub job_name: Option<String>,
    #[serde(default)]
    pub pipeline_name: Option<String>,
    #[serde(default)]
    pub pipeline_counter: Option<String>,
    #[serde(default)]
    pub stage_name: Option<String>,
    #[serde(default)]
    pub stage_counter: Option<String>,
    #[serde(default)]
    pub environment_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckEntry {
    pub id: String,
    pub resource: String,
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    /// Absent in reports of probes before 0.1.0's `name`; then made from
    /// kind and subject.
    #[serde(default)]
    pub name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub expected: String,
    #[serde(default)]
    pub actual: String,
    #[serde(default)]
    pub found_in: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default)]
    pub hint: Option<String>,
}

/// `--suggest`: the specs this agent does not advertise, by whether all
/// their checks pass here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Suggest {
    #[serde(default)]
    pub passes: Vec<String>,
    #[serde(default)]
    pub fails: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Summary {
    #[serde(default)]
    pub ok: bool,
}

/// Reads a report, or says why it is not one; what it holds beyond the
/// caps is cut.
pub fn parse(bytes: &[u8]) -> Result<AgentReport, String> {
    let mut report: AgentReport = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!("not JSON ({e})")
        } else {
            format!("not a probe report: {e}")
        }
    })?;
    if !report.schema.starts_with(SCHEMA_PREFIX) {
        return Err(format!(
            "not a probe report: its schema is `{}`, not {SCHEMA_PREFIX}…",
            report.schema.chars().take(MAX_NAME).collect::<String>()
        ));
    }
    report.cap();
    Ok(report)
}

/// Cuts `text` to `max` characters (with `…`); whether it was cut.
fn cut(text: &mut String, max: usize) -> bool {
    // No more bytes than `max`: no more characters either.
    if text.len() <= max {
        return false;
    }
    match text.char_indices().nth(max) {
        Some((end, _)) => {
            text.truncate(end);
            text.push('…');
            true
        }
        None => false,
    }
}

fn cut_opt(text: &mut Option<String>, max: usize) -> bool {
    text.as_mut().is_some_and(|t| cut(t, max))
}

impl AgentReport {
    fn cap(&mut self) {
        let mut names = 0;
        let mut texts = 0;
        let mut name = |t: &mut String| names += usize::from(cut(t, MAX_NAME));
        name(&mut self.host.hostname);
        name(&mut self.host.os);
        name(&mut self.host.arch);
        if let Some(os_name) = &mut self.host.os_name {
            name(os_name);
        }
        for r in &mut self.resources {
            name(&mut r.name);
        }
        if let Some(a) = &mut self.agent {
            for field in [
                &mut a.job_name,
                &mut a.pipeline_name,
                &mut a.pipeline_counter,
                &mut a.stage_name,
                &mut a.stage_counter,
                &mut a.environment_name,
            ]
            .into_iter()
            .flatten()
            {
                name(field);
            }
            for r in a.resources.iter_mut().flatten() {
                name(r);
            }
        }
        if let Some(s) = &mut self.suggest {
            for r in s.passes.iter_mut().chain(&mut s.fails) {
                name(r);
            }
        }
        for c in &mut self.checks {
            for f in [&mut c.id, &mut c.resource, &mut c.kind, &mut c.subject] {
                name(f);
            }
            if let Some(n) = &mut c.name {
                name(n);
            }
        }
        let mut text = |t: &mut String| texts += usize::from(cut(t, MAX_TEXT));
        for n in &mut self.notices {
            text(&mut n.message);
        }
        for r in &mut self.resources {
            if let Some(d) = &mut r.description {
                text(d);
            }
        }
        for c in &mut self.checks {
            for f in [&mut c.message, &mut c.expected, &mut c.actual] {
                text(f);
            }
            for f in [&mut c.found_in, &mut c.location, &mut c.hint]
                .into_iter()
                .flatten()
            {
                text(f);
            }
        }
        for c in &mut self.checks {
            texts += usize::from(cut_opt(&mut c.output, MAX_OUTPUT));
        }
        if names > 0 {
            self.cut
                .push(format!("{names} names cut to {MAX_NAME} characters"));
        }
        if texts > 0 {
            self.cut
                .push(format!("{texts} texts cut to {MAX_TEXT} characters"));
        }
        if self.checks.len() > MAX_CHECKS {
            let dropped = self.checks.split_off(MAX_CHECKS);
            self.dropped_failures = dropped
                .iter()
                .filter(|c| !matches!(c.status.as_str(), "pass" | "skipped"))
                .count();
            self.cut.push(format!(
                "{} checks beyond the first {MAX_CHECKS} left out ({} of them failing, counted)",
                dropped.len(),
                self.dropped_failures
            ));
        }
        let mut items = 0;
        let mut keep = |len: usize| {
            items += len.saturating_sub(MAX_ITEMS);
            len.min(MAX_ITEMS)
        };
        let n = keep(self.resources.len());
        self.resources.truncate(n);
        let failing_notice = self.notices.iter().skip(MAX_ITEMS).any(|n| n.failing);
        let n = keep(self.notices.len());
        self.notices.truncate(n);
        if failing_notice {
            // A failing notice left out still fails the agent.
            self.notices.push(Notice {
                message: "a failing notice beyond the first ones was left out".into(),
                failing: true,
            });
        }
        if let Some(list) = self.agent.as_mut().and_then(|a| a.resources.as_mut()) {
            let n = keep(list.len());
            list.truncate(n);
        }
        if let Some(s) = &mut self.suggest {
            let n = keep(s.passes.len());
            s.passes.truncate(n);
            let n = keep(s.fails.len());
            s.fails.truncate(n);
        }
        if items > 0 {
            self.cut.push(format!(
                "{items} resources, notices or suggestions beyond {MAX_ITEMS} per list left out"
            ));
        }
    }
}
