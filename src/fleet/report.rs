//! One agent's JSON report (docs/json.md, `probe-report/1`), as the fleet
//! reads it: only the fields it uses, each with a default, so that a report
//! from an older or newer probe still reads.

use serde::Deserialize;

/// What `schema` must start with.
pub const SCHEMA_PREFIX: &str = "probe-report/";

#[derive(Debug, Clone, Deserialize)]
pub struct AgentReport {
    pub schema: String,
    #[serde(default)]
    pub probe_version: Option<String>,
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
}

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
    #[serde(default)]
    pub requested: bool,
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

/// Reads a report, or says why it is not one.
pub fn parse(bytes: &[u8]) -> Result<AgentReport, String> {
    let report: AgentReport = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            format!("not JSON ({e})")
        } else {
            format!("not a probe report: {e}")
        }
    })?;
    if !report.schema.starts_with(SCHEMA_PREFIX) {
        return Err(format!(
            "not a probe report: its schema is `{}`, not {SCHEMA_PREFIX}…",
            report.schema
        ));
    }
    Ok(report)
}
