//! `probe fleet`: many agents' JSON reports in, one fleet report out. Which
//! agents fail, on what; how agents that ran the same check differ (drift);
//! what GoCD says of the agents that sent nothing; what each agent could
//! advertise. Reports come from files (`source`) or from GoCD's artifacts
//! (`gocd`); the fleet is rendered as text, HTML, JSON or JUnit (`render`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub mod gather;
pub mod gocd;
pub mod history;
pub mod quarantine;
pub mod render;
pub mod report;
pub mod schedule;
pub mod source;
pub mod triage;

use report::{AgentReport, CheckEntry};

use crate::gocd::marker::is_marker;
use crate::text::did_you_mean;

/// Kinds whose found value differs from machine to machine by nature (a
/// measurement, a position in PATH): no drift is reported for them.
const MEASURED: &[&str] = &["disk", "memory", "cpus", "tcp", "path_contains"];

/// What to do with what was read.
#[derive(Debug, Clone, Default)]
pub struct FleetOptions {
    /// Drift counts as a failure.
    pub fail_on_drift: bool,
    /// A finding about the fleet (a spec no agent advertises…) counts as a
    /// failure.
    pub strict: bool,
    /// The resources that have a spec, when the specs could be read.
    pub specs: Option<Vec<String>>,
    /// Agents with less free space than this (bytes) are named.
    pub min_free_space: u64,
    /// When the fleet report is made (None: now), and how old a report may
    /// be, in seconds, before it is stale (0: two hours).
    pub now: Option<std::time::SystemTime>,
    pub stale_after: u64,
    /// The jobs whose agents to count (`--jobs-from`).
    pub jobs: Option<schedule::Jobs>,
    /// The agent others are compared with (`--baseline`), by name.
    pub baseline: Option<String>,
    /// Each check of the specs by its id, when the specs could be read:
    /// what a check is does not depend on what a report says it is.
    pub checks: Option<HashMap<String, CheckIdentity>>,
    /// The stage read is still running: an agent without a report may
    /// not have run its job yet.
    pub running: bool,
    /// GoCD agents that had a job in the runs read (finished or not): a
    /// missing report is said of the job, not of the agent.
    pub with_jobs: BTreeSet<String>,
}

/// An agent as GoCD's agents API describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct GocdAgent {
    pub uuid: String,
    pub hostname: String,
    /// `Enabled`, `Disabled`, `Pending`.
    pub config_state: String,
    /// `Idle`, `Building`, `LostContact`, `Missing`, `Unknown`.
    pub state: String,
    /// None for an elastic agent.
    pub resources: Option<Vec<String>>,
    /// Bytes; None when GoCD says "unknown".
    pub free_space: Option<u64>,
    /// The GoCD environments it is in, by name.
    pub environments: Vec<String>,
}

/// One report, where it came from, and (from GoCD) which agent sent it.
#[derive(Debug, Clone)]
pub struct Source {
    pub origin: String,
    pub report: AgentReport,
    pub gocd_uuid: Option<String>,
    /// The GoCD job it was fetched from: what GoCD says, not the report.
    pub job: Option<JobRef>,
    /// A keyed hash of the report's bytes: only byte-identical copies are
    /// one report.
    pub digest: u64,
}

impl Source {
    /// Reads the report in `bytes`, which came from `origin`.
    pub fn read(origin: String, bytes: &[u8], gocd_uuid: Option<String>) -> Result<Source, String> {
        use std::hash::BuildHasher;
        // Keyed at random once per run: a report cannot be made to collide
        // with another to be merged into it.
        static KEYS: std::sync::OnceLock<std::hash::RandomState> = std::sync::OnceLock::new();
        let digest = KEYS
            .get_or_init(std::hash::RandomState::new)
            .hash_one(bytes);
        Ok(Source {
            origin,
            report: report::parse(bytes)?,
            gocd_uuid,
            job: None,
            digest,
        })
    }
}

/// What a check is, across the fleet: from the specs when the fleet has
/// them, else what most reports say.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckIdentity {
    pub resource: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Skipped,
    Fail,
    Error,
}

impl Status {
    fn parse(text: &str) -> Status {
        match text {
            "pass" => Status::Pass,
            "skipped" => Status::Skipped,
            "fail" => Status::Fail,
            _ => Status::Error,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skipped => "skipped",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

#[derive(Debug, Clone)]
pub struct Agent {
    /// Unique in the fleet: the host name, with the job instance when two
    /// agents share one.
    pub name: String,
    pub hostname: String,
    pub os: String,
    pub os_name: Option<String>,
    pub arch: String,
    /// `agent-infrastructure #42, job probe-runOnAll-3`.
    pub job: Option<String>,
    /// GO_AGENT_RESOURCES; None when unset or not in a job.
    pub advertised: Option<Vec<String>>,
    pub ok: bool,
    pub failed: usize,
    pub checks: usize,
    pub notices: Vec<report::Notice>,
    /// What it could advertise, safe to paste into GoCD (`triage`).
    pub plan: triage::AdvertisePlan,
    /// Whether its report says which other specs it passes (`--suggest`).
    pub suggested: bool,
    /// When its report was made (RFC 3339), and how many seconds before the
    /// fleet report (negative: dated ahead).
    pub started_at: Option<String>,
    pub age: Option<i64>,
    /// The GoCD job that ran it, for links.
    pub job_ref: Option<JobRef>,
    pub origin: String,
    pub gocd_uuid: Option<String>,
    /// GoCD itself says this report came from the agent `gocd_uuid` (the
    /// job that published it ran there); else the agent was matched by
    /// the host name the report claims, which any report can claim.
    pub verified: bool,
    /// What GoCD says of it, when asked: `Enabled, Idle`.
    pub gocd_state: Option<String>,
}

/// A GoCD job instance, as a report names the one that ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRef {
    pub pipeline: String,
    pub counter: String,
    pub stage: String,
    pub stage_counter: String,
    pub job: String,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub status: Status,
    pub message: String,
    pub expected: String,
    pub actual: String,
    pub found_in: Option<String>,
    pub location: Option<String>,
    pub hint: Option<String>,
    pub output: Option<String>,
}

/// One check across the fleet.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub resource: String,
    pub kind: String,
    pub name: String,
    /// One per agent, in `Fleet::agents` order; None where it did not run.
    pub cells: Vec<Option<Cell>>,
    /// The distinct found values among the agents that ran it, most
    /// frequent first, with how many agents found each. Empty for
    /// measurements (disk, memory…).
    pub values: Vec<(String, usize)>,
}

impl Row {
    /// The check's name, with `#2`… when a spec repeats it (as its id does).
    pub fn label(&self) -> String {
        match self.id.rsplit_once('#') {
            Some((_, n)) if n.bytes().all(|b| b.is_ascii_digit()) => format!("{} #{n}", self.name),
            _ => self.name.clone(),
        }
    }

    /// `lua: command lua`: the label with its resource, for lists that mix
    /// resources.
    pub fn qualified(&self) -> String {
        format!("{}: {}", self.resource, self.label())
    }

    /// Whether agents that passed the check found different things (a
    /// failure is already shown as one, whatever it found).
    pub fn drifts(&self) -> bool {
        if self.values.len() < 2 {
            return false;
        }
        let mut passing = self
            .cells
            .iter()
            .flatten()
            .filter(|c| c.status == Status::Pass && counted(&self.kind, c))
            .map(|c| c.actual.as_str());
        let first = passing.next();
        passing.any(|v| Some(v) != first)
    }

    pub fn failing_agents<'a>(&self, agents: &'a [Agent]) -> Vec<&'a Agent> {
        self.cells
            .iter()
            .zip(agents)
            .filter(|(c, _)| c.as_ref().is_some_and(|c| c.status.is_failure()))
            .map(|(_, a)| a)
            .collect()
    }

    pub fn ran_on(&self) -> usize {
        self.cells.iter().filter(|c| c.is_some()).count()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Fails the fleet (`--strict`, or a finding that always does).
    pub failing: bool,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Fleet {
    pub agents: Vec<Agent>,
    pub rows: Vec<Row>,
    pub findings: Vec<Finding>,
    pub fail_on_drift: bool,
    /// Seconds after which a report is stale.
    pub stale_after: u64,
    /// What changed since the previous fleet run, when it could be read.
    pub changes: Option<history::Changes>,
    /// The scheduler's view, when jobs were given (`--jobs-from`).
    pub capacity: Option<Vec<schedule::Capacity>>,
    /// The agent others are compared with, by place.
    pub baseline: Option<usize>,
    /// GoCD's agents, when its agents API was read.
    pub gocd_agents: Option<Vec<GocdAgent>>,
    /// What `--quarantine`, `--add-resources` and `--schedule-checks`
    /// change, or would.
    pub quarantine: Option<quarantine::Plan>,
}

impl Agent {
    /// The messages of the notices that failed its run (with `--strict`,
    /// an advertised resource without a spec).
    pub fn failing_notices(&self) -> impl Iterator<Item = &str> {
        self.notices
            .iter()
            .filter(|n| n.failing)
            .map(|n| n.message.as_str())
    }
}

impl Fleet {
    /// The verdict: every agent passed, no failing finding, and no drift
    /// where drift fails.
    pub fn ok(&self) -> bool {
        self.agents.iter().all(|a| a.ok)
            && !self.findings.iter().any(|f| f.failing)
            && !(self.fail_on_drift && self.rows.iter().any(Row::drifts))
    }

    /// Rows by resource, in first-seen order.
    pub fn resources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for row in &self.rows {
            if !out.contains(&row.resource.as_str()) {
                out.push(&row.resource);
            }
        }
        out
    }

    /// Reads the reports (and GoCD's agents, when asked) into a fleet.
    pub fn build(
        mut sources: Vec<Source>,
        gocd: Option<&[GocdAgent]>,
        options: &FleetOptions,
    ) -> Fleet {
        let mut findings = Vec::new();
        let now = options.now.unwrap_or_else(std::time::SystemTime::now);
        // With GoCD, the agent that ran the job is the truth: a report
        // that names another host counts as that agent's.
        if let Some(gocd_agents) = gocd {
            for source in &mut sources {
                let Some(agent) = source
                    .gocd_uuid
                    .as_ref()
                    .and_then(|uuid| gocd_agents.iter().find(|a| &a.uuid == uuid))
                else {
                    continue;
                };
                if !same_host(&agent.hostname, &source.report.host.hostname) {
                    findings.push(Finding {
                        failing: true,
                        message: format!(
                            "{}: the report says it is from host {}, but GoCD ran the job on \
                             agent {} ({}); it is counted as that agent's",
                            source.origin, source.report.host.hostname, agent.hostname, agent.uuid
                        ),
                    });
                    source.report.host.hostname = agent.hostname.clone();
                }
            }
        }
        // By host name as people read it (case aside; no name last), then
        // job; copies of one report end up side by side.
        sources.sort_by_cached_key(|s| {
            let host = &s.report.host.hostname;
            (
                host.is_empty(),
                host.to_ascii_lowercase(),
                host.clone(),
                claim(&s.report),
                s.report.started_at.clone(),
                s.origin.clone(),
            )
        });
        // The same report read twice (a copy, a second path to it) is one
        // agent's run, not two agents; anything else is shown.
        let mut seen = std::collections::HashSet::new();
        sources.retain(|s| seen.insert((s.digest, s.gocd_uuid.clone())));
        // Two different reports that claim to be one agent's run: both
        // count, and the fleet says so.
        for group in sources.chunk_by(|a, b| {
            a.report
                .host
                .hostname
                .eq_ignore_ascii_case(&b.report.host.hostname)
                && claim(&a.report) == claim(&b.report)
                && a.gocd_uuid == b.gocd_uuid
        }) {
            if group.len() > 1 && !group[0].report.host.hostname.is_empty() {
                let origins: Vec<&str> = group.iter().map(|s| s.origin.as_str()).collect();
                findings.push(Finding {
                    failing: options.strict,
                    message: format!(
                        "{} different reports claim to be the same run of agent {}{}: {}; each is shown",
                        group.len(),
                        group[0].report.host.hostname,
                        job_line(&group[0].report)
                            .map(|j| format!(" ({j})"))
                            .unwrap_or_default(),
                        origins.join(", ")
                    ),
                });
            }
        }
        let names = agent_names(&sources);
        let mut agents = Vec::with_capacity(sources.len());
        let mut rows: Vec<Row> = Vec::new();
        let mut row_of: HashMap<String, usize> = HashMap::new();
        // What each report says a check is, to settle it by majority when
        // the specs do not.
        let mut claimed: Vec<Vec<(CheckIdentity, usize)>> = Vec::new();
        let n = sources.len();
        for (i, (source, name)) in sources.iter_mut().zip(names).enumerate() {
            let report = &mut source.report;
            let mut failed = report.dropped_failures;
            for check in &mut report.checks {
                let status = Status::parse(&check.status);
                if status.is_failure() {
                    failed += 1;
                }
                let r = match row_of.get(check.id.as_str()) {
                    Some(r) => *r,
                    None => {
                        rows.push(Row {
                            id: check.id.clone(),
                            resource: String::new(),
                            kind: String::new(),
                            name: String::new(),
                            cells: vec![None; n],
                            values: Vec::new(),
                        });
                        claimed.push(Vec::new());
                        row_of.insert(check.id.clone(), rows.len() - 1);
                        rows.len() - 1
                    }
                };
                // Counted without a copy when it says what others said.
                let name = match &check.name {
                    Some(name) => std::borrow::Cow::Borrowed(name.as_str()),
                    None => std::borrow::Cow::Owned(format!("{} {}", check.kind, check.subject)),
                };
                match claimed[r].iter_mut().find(|(c, _)| {
                    c.resource == check.resource && c.kind == check.kind && c.name == name
                }) {
                    Some((_, count)) => *count += 1,
                    None => claimed[r].push((
                        CheckIdentity {
                            resource: check.resource.clone(),
                            kind: check.kind.clone(),
                            name: name.into_owned(),
                        },
                        1,
                    )),
                }
                rows[r].cells[i] = Some(cell(check, status));
            }
            let report = &source.report;
            // probe's own markers (`probe-took-lua`) are records, not
            // resources a job asks for.
            let advertised = report.agent.as_ref().and_then(|a| {
                a.resources
                    .as_ref()
                    .map(|list| list.iter().filter(|r| !is_marker(r)).cloned().collect())
            });
            let gocd_agent =
                gocd.and_then(|agents| find_agent(agents, source, &report.host.hostname));
            // The verdict comes from the checks and the notices, not from
            // what the report's summary claims.
            let failing_notice = report.notices.iter().any(|n| n.failing);
            let ok = failed == 0 && !failing_notice;
            if ok != report.summary.ok {
                findings.push(Finding {
                    failing: true,
                    message: format!(
                        "{}: the report's summary says it {}, but {}; it counts as failed",
                        source.origin,
                        if report.summary.ok {
                            "passed"
                        } else {
                            "failed"
                        },
                        if ok {
                            "no check or notice failed".to_string()
                        } else {
                            format!("{failed} of its checks failed")
                        }
                    ),
                });
            }
            if !report.cut.is_empty() {
                findings.push(Finding {
                    failing: false,
                    message: format!(
                        "agent {name}: its report ({}) was cut to fit: {}",
                        source.origin,
                        report.cut.join("; ")
                    ),
                });
            }
            agents.push(Agent {
                name,
                hostname: report.host.hostname.clone(),
                os: report.host.os.clone(),
                os_name: report.host.os_name.clone(),
                arch: report.host.arch.clone(),
                job: job_line(report),
                advertised,
                ok: ok && report.summary.ok,
                failed,
                checks: report.checks.len(),
                notices: report.notices.clone(),
                plan: triage::AdvertisePlan::default(),
                suggested: report.suggest.is_some(),
                started_at: report.started_at.clone(),
                age: report
                    .started_at
                    .as_deref()
                    .and_then(|t| triage::age(t, now)),
                job_ref: source.job.clone().or_else(|| job_ref(report)),
                origin: source.origin.clone(),
                gocd_uuid: gocd_agent
                    .map(|a| a.uuid.clone())
                    .or_else(|| source.gocd_uuid.clone()),
                verified: source.gocd_uuid.is_some(),
                gocd_state: gocd_agent.map(|a| format!("{}, {}", a.config_state, a.state)),
            });
        }
        // What each check is: the specs' word, else the majority's; a
        // report that says otherwise is named.
        for (row, claims) in rows.iter_mut().zip(&claimed) {
            let known = options.checks.as_ref().and_then(|c| c.get(&row.id));
            let identity = match known {
                Some(identity) => identity.clone(),
                None => claims
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.name.cmp(&a.0.name)))
                    .map(|(identity, _)| identity.clone())
                    .unwrap_or_else(|| CheckIdentity {
                        resource: String::new(),
                        kind: String::new(),
                        name: row.id.clone(),
                    }),
            };
            // A spec's name may change between runs (a new range); its
            // resource and kind are what a report must not rewrite.
            let others: usize = claims
                .iter()
                .filter(|(c, _)| {
                    !c.resource.eq_ignore_ascii_case(&identity.resource) || c.kind != identity.kind
                })
                .map(|(_, n)| n)
                .sum();
            if others > 0 {
                findings.push(Finding {
                    failing: options.strict,
                    message: format!(
                        "{others} of the reports that ran check {} say it is not a `{}` check of `{}`, \
                         as {} say; it is counted as one",
                        row.id,
                        identity.kind,
                        identity.resource,
                        if known.is_some() { "the specs" } else { "most reports" },
                    ),
                });
            }
            row.resource = identity.resource;
            row.kind = identity.kind;
            row.name = identity.name;
        }
        // Resources together, each in the order its checks were first seen.
        let order: Vec<String> = {
            let mut seen: Vec<String> = Vec::new();
            for row in &rows {
                if !seen.contains(&row.resource) {
                    seen.push(row.resource.clone());
                }
            }
            seen
        };
        rows.sort_by_key(|r| order.iter().position(|o| *o == r.resource));
        for row in &mut rows {
            if !MEASURED.contains(&row.kind.as_str()) {
                row.values = values(&row.kind, &row.cells);
            }
        }
        // What each agent could advertise, now that what each check is, and
        // so which resource it belongs to, is settled.
        let passes: Vec<Vec<String>> = sources
            .iter()
            .map(|s| {
                s.report
                    .suggest
                    .as_ref()
                    .map(|g| g.passes.clone())
                    .unwrap_or_default()
            })
            .collect();
        for (i, agent) in agents.iter_mut().enumerate() {
            let failing: Vec<(&Row, Status)> = rows
                .iter()
                .filter_map(|r| {
                    let status = r.cells[i].as_ref()?.status;
                    status.is_failure().then_some((r, status))
                })
                .collect();
            agent.plan = triage::advertise_plan(
                agent.advertised.as_deref().unwrap_or_default(),
                &failing,
                &passes[i],
                options.specs.as_deref(),
            );
        }
        let stale_after = if options.stale_after == 0 {
            2 * 3600
        } else {
            options.stale_after
        };
        for agent in agents.iter().filter(|a| a.is_stale(stale_after)) {
            let age = agent.age.unwrap_or_default();
            findings.push(Finding {
                failing: options.strict,
                message: if age < 0 {
                    format!(
                        "agent {}: its report is dated {} ahead ({}); is its clock right?",
                        agent.name,
                        triage::short_age(-age),
                        agent.started_at.as_deref().unwrap_or_default()
                    )
                } else {
                    format!(
                        "agent {}: its report is {} old ({}), older than {}: it may not have run since",
                        agent.name,
                        triage::short_age(age),
                        agent.started_at.as_deref().unwrap_or_default(),
                        triage::short_age(stale_after as i64)
                    )
                },
            });
        }
        findings.extend(self::findings(&sources, &agents, gocd, options));
        let baseline = options.baseline.as_ref().and_then(|name| {
            agents.iter().position(|a| a.name == *name).or_else(|| {
                agents
                    .iter()
                    .position(|a| a.hostname.eq_ignore_ascii_case(name))
            })
        });
        let mut fleet = Fleet {
            agents,
            rows,
            findings,
            fail_on_drift: options.fail_on_drift,
            stale_after,
            changes: None,
            capacity: None,
            baseline,
            gocd_agents: gocd.map(<[GocdAgent]>::to_vec),
            quarantine: None,
        };
        if let Some(jobs) = &options.jobs {
            let capacity = fleet.capacity(jobs, gocd);
            fleet
                .findings
                .extend(capacity_findings(&fleet, jobs, &capacity, gocd.is_some()));
            fleet.capacity = Some(capacity);
        }
        fleet
    }
}

/// What each check of the specs is, by its id (as reports name it).
pub fn spec_checks(catalog: &crate::catalog::Catalog) -> HashMap<String, CheckIdentity> {
    catalog
        .resources
        .iter()
        .flat_map(|r| &r.checks)
        .map(|c| {
            (
                c.id.clone(),
                CheckIdentity {
                    resource: c.resource.clone(),
                    kind: c.kind.name().to_string(),
                    name: crate::report::check_name(c),
                },
            )
        })
        .collect()
}

/// Whether GoCD's host name for an agent and the one its report gives are
/// one machine's: the same, or one the other's first label
/// (`build-01` and `build-01.example.com`).
fn same_host(gocd: &str, reported: &str) -> bool {
    let short = |h: &str| h.split('.').next().unwrap_or(h).to_ascii_lowercase();
    gocd.eq_ignore_ascii_case(reported)
        || ((gocd.contains('.') || reported.contains('.')) && short(gocd) == short(reported))
}

/// Which run of which job a report says it is.
type Claim = Option<(
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
)>;

fn claim(report: &AgentReport) -> Claim {
    report.agent.as_ref().map(|a| {
        (
            a.pipeline_name.clone(),
            a.pipeline_counter.clone(),
            a.stage_counter.clone(),
            a.job_name.clone(),
        )
    })
}

/// The cell for `check`, whose texts it takes (the report is not needed
/// after this).
fn cell(check: &mut CheckEntry, status: Status) -> Cell {
    // A passing check's output and expectation are the same on every agent
    // and not shown: not kept, so a large fleet stays small in memory.
    let failing = status.is_failure();
    let take = std::mem::take;
    Cell {
        status,
        message: take(&mut check.message),
        expected: if failing {
            take(&mut check.expected)
        } else {
            String::new()
        },
        actual: take(&mut check.actual),
        found_in: check.found_in.take().filter(|_| failing),
        location: check.location.take().filter(|_| failing),
        hint: check
            .hint
            .take()
            .filter(|h| failing && !h.trim().is_empty()),
        output: check.output.take().filter(|_| failing),
    }
}

/// What the agents that ran a check found, most frequent first.
fn values(kind: &str, cells: &[Option<Cell>]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in cells.iter().flatten() {
        if matches!(c.status, Status::Pass | Status::Fail) && counted(kind, c) {
            *counts.entry(c.actual.as_str()).or_default() += 1;
        }
    }
    let mut values: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(v, n)| (v.to_string(), n))
        .collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
}

/// Whether what a cell found counts among a check's values: not a hidden
/// secret (its length only), nor where a command without a version lives
/// (`/bin/sh` and `/usr/bin/sh` are one tool).
pub(crate) fn counted(kind: &str, c: &Cell) -> bool {
    let path = kind == "command" && (c.actual.starts_with('/') || c.actual.contains(":\\"));
    !c.actual.is_empty() && !c.actual.contains("<hidden") && !path
}

/// Jobs no healthy agent can take, and what was not counted.
fn capacity_findings(
    fleet: &Fleet,
    jobs: &schedule::Jobs,
    capacity: &[schedule::Capacity],
    all_agents_known: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in capacity.iter().filter(|c| c.healthy() == 0) {
        let names = |list: &[usize]| {
            list.iter()
                .map(|&a| fleet.agents[a].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let why = if c.agents.is_empty() && c.unchecked.is_empty() {
            "no agent has those resources".to_string()
        } else if c.agents.is_empty() {
            format!(
                "only agents that sent no report have them ({})",
                c.unchecked.join(", ")
            )
        } else {
            format!(
                "the {} that {} them {} broken ({})",
                if c.agents.len() == 1 {
                    "agent".to_string()
                } else {
                    format!("{} agents", c.agents.len())
                },
                if c.agents.len() == 1 { "has" } else { "have" },
                if c.agents.len() == 1 { "is" } else { "are all" },
                names(&c.broken)
            )
        };
        let shown: Vec<&str> = c.jobs.iter().take(5).map(String::as_str).collect();
        out.push(Finding {
            // Without GoCD's list of agents, one that sent no report may
            // still take them.
            failing: all_agents_known,
            message: format!(
                "no healthy agent can run {} {} asking for {}: {why}{}",
                if c.jobs.len() == 1 { "job" } else { "jobs" },
                if c.jobs.len() > 5 {
                    format!("{} and {} more", shown.join(", "), c.jobs.len() - 5)
                } else {
                    shown.join(", ")
                },
                c.label(),
                if all_agents_known {
                    ""
                } else {
                    " (among the agents whose reports were read)"
                }
            ),
        });
    }
    for note in &jobs.notes {
        out.push(Finding {
            failing: false,
            message: note.clone(),
        });
    }
    if !jobs.elastic.is_empty() {
        out.push(Finding {
            failing: false,
            message: format!(
                "{} run on elastic agents, which the fleet does not check: {}",
                if jobs.elastic.len() == 1 {
                    "1 job".to_string()
                } else {
                    format!("{} jobs", jobs.elastic.len())
                },
                jobs.elastic
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    out
}

fn job_of(report: &AgentReport) -> Option<&str> {
    report.agent.as_ref().and_then(|a| a.job_name.as_deref())
}

/// The job a report says ran it, when every name is one GoCD allows
/// (letters, digits, `-`, `_`, `.`; not only dots) and the counters are
/// numbers: the names go into links.
fn job_ref(report: &AgentReport) -> Option<JobRef> {
    let a = report.agent.as_ref()?;
    let name = |n: &Option<String>| {
        n.clone().filter(|n| {
            n.len() <= 255
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                && !n.bytes().all(|b| b == b'.')
        })
    };
    let number = |n: &Option<String>| {
        n.clone()
            .filter(|n| !n.is_empty() && n.len() <= 19 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    Some(JobRef {
        pipeline: name(&a.pipeline_name)?,
        counter: number(&a.pipeline_counter)?,
        stage: name(&a.stage_name)?,
        stage_counter: number(&a.stage_counter)?,
        job: name(&a.job_name)?,
    })
}

fn job_line(report: &AgentReport) -> Option<String> {
    let a = report.agent.as_ref()?;
    let mut parts = Vec::new();
    if let Some(p) = &a.pipeline_name {
        parts.push(match &a.pipeline_counter {
            Some(c) => format!("{p} #{c}"),
            None => p.clone(),
        });
    }
    if let Some(j) = &a.job_name {
        parts.push(format!("job {j}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Host names, made unique: a host that ran more than one agent gets its
/// job instance (or a number) after it.
fn agent_names(sources: &[Source]) -> Vec<String> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for s in sources {
        *count
            .entry(s.report.host.hostname.to_ascii_lowercase())
            .or_default() += 1;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let names: Vec<String> = sources
        .iter()
        .map(|s| {
            let host = if s.report.host.hostname.is_empty() {
                "unknown host".to_string()
            } else {
                s.report.host.hostname.clone()
            };
            if count[&s.report.host.hostname.to_ascii_lowercase()] == 1 {
                return host;
            }
            let n = seen.entry(host.to_ascii_lowercase()).or_default();
            *n += 1;
            match job_of(&s.report) {
                Some(job) => format!("{host} ({job})"),
                None => format!("{host} #{n}"),
            }
        })
        .collect();
    // The same job on one host in two runs: numbered too.
    let mut used: HashMap<String, usize> = HashMap::new();
    names
        .into_iter()
        .map(|name| {
            let n = used.entry(name.to_ascii_lowercase()).or_default();
            *n += 1;
            if *n == 1 {
                name
            } else {
                format!("{name} #{n}")
            }
        })
        .collect()
}

fn find_agent<'a>(
    agents: &'a [GocdAgent],
    source: &Source,
    hostname: &str,
) -> Option<&'a GocdAgent> {
    match &source.gocd_uuid {
        Some(uuid) => agents.iter().find(|a| &a.uuid == uuid),
        None => {
            let mut same = agents
                .iter()
                .filter(|a| a.hostname.eq_ignore_ascii_case(hostname));
            let first = same.next();
            // Two agents on one host cannot be told apart by name.
            if same.next().is_some() {
                None
            } else {
                first
            }
        }
    }
}

/// What the fleet says beyond each agent's own report.
fn findings(
    sources: &[Source],
    agents: &[Agent],
    gocd: Option<&[GocdAgent]>,
    options: &FleetOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let finding = |message: String| Finding {
        failing: options.strict,
        message,
    };
    // Advertised resources: GoCD's enabled agents when known, else what the
    // reports say the agents advertise.
    let mut advertised: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    match gocd {
        Some(gocd_agents) => {
            for a in gocd_agents.iter().filter(|a| a.config_state == "Enabled") {
                for r in a.resources.iter().flatten().filter(|r| !is_marker(r)) {
                    advertised
                        .entry(r.to_ascii_lowercase())
                        .or_insert_with(|| (r.clone(), Vec::new()))
                        .1
                        .push(a.hostname.clone());
                }
            }
        }
        None => {
            for a in agents {
                for r in a.advertised.iter().flatten() {
                    advertised
                        .entry(r.to_ascii_lowercase())
                        .or_insert_with(|| (r.clone(), Vec::new()))
                        .1
                        .push(a.name.clone());
                }
            }
        }
    }
    if let Some(specs) = &options.specs {
        for (lower, (name, who)) in &advertised {
            if !specs.iter().any(|s| s.eq_ignore_ascii_case(lower)) {
                out.push(finding(format!(
                    "resource `{name}` is advertised by {} but no spec covers it{}",
                    list(who),
                    did_you_mean(name, specs.iter().map(String::as_str))
                )));
            }
        }
        // Only GoCD knows every agent: the reports may be a part of the fleet.
        for spec in specs.iter().filter(|_| gocd.is_some()) {
            if spec.eq_ignore_ascii_case(crate::catalog::COMMON) {
                continue;
            }
            if !advertised.contains_key(&spec.to_ascii_lowercase()) {
                out.push(finding(format!(
                    "no enabled agent advertises `{spec}`: GoCD refuses to trigger a run-on-all job \
                     that asks for it (\"Could not find matching agents\")"
                )));
            }
        }
    }
    let Some(gocd_agents) = gocd else {
        return out;
    };
    // The resources each job that reported asked for, at most: those every
    // agent that ran it advertises. An agent without all of them could not
    // have run it, and is not missed.
    let mut needed: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (source, agent) in sources.iter().zip(agents) {
        let (Some(job), Some(advertised)) = (job_of(&source.report), &agent.advertised) else {
            continue;
        };
        let base = job.rsplit_once("-runOnAll-").map_or(job, |(base, _)| base);
        let mine: BTreeSet<String> = advertised.iter().map(|r| r.to_ascii_lowercase()).collect();
        needed
            .entry(base)
            .and_modify(|set| set.retain(|r| mine.contains(r)))
            .or_insert(mine);
    }
    let could_run = |a: &GocdAgent| {
        let has: BTreeSet<String> = a
            .resources
            .iter()
            .flatten()
            .map(|r| r.to_ascii_lowercase())
            .collect();
        needed.is_empty() || needed.values().any(|set| set.is_subset(&has))
    };
    for (i, a) in gocd_agents.iter().enumerate() {
        // Reports from files name a host, not an agent: where one host runs
        // several agents, each report from it stands for one of them.
        let from_host = agents
            .iter()
            .filter(|r| r.gocd_uuid.is_none() && r.hostname.eq_ignore_ascii_case(&a.hostname))
            .count();
        let rank = gocd_agents[..i]
            .iter()
            .filter(|o| o.hostname.eq_ignore_ascii_case(&a.hostname))
            .filter(|o| {
                !agents
                    .iter()
                    .any(|r| r.gocd_uuid.as_deref() == Some(&o.uuid))
            })
            .count();
        let reported = agents
            .iter()
            .any(|r| r.gocd_uuid.as_deref() == Some(&a.uuid))
            || rank < from_host;
        let elastic = a.resources.is_none();
        let had_job = options.with_jobs.contains(&a.uuid);
        if a.config_state == "Enabled" && !reported && !had_job && !elastic && could_run(a) {
            out.push(if options.running {
                Finding {
                    failing: false,
                    message: format!(
                        "agent {} ({}) has not reported yet: the stage is still running",
                        a.hostname, a.uuid
                    ),
                }
            } else {
                Finding {
                    failing: true,
                    message: format!(
                        "agent {} ({}) sent no report; GoCD says it is {}",
                        a.hostname,
                        a.uuid,
                        describe_state(&a.state)
                    ),
                }
            });
        }
        // A disabled agent runs no job: nothing is expected of it, but its
        // resources are not checked either.
        if a.config_state != "Enabled"
            && !reported
            && a.resources.as_ref().is_some_and(|r| !r.is_empty())
        {
            out.push(finding(format!(
                "agent {} is {} in GoCD, so it was not checked; it advertises {}",
                a.hostname,
                a.config_state.to_ascii_lowercase(),
                a.resources.as_deref().unwrap_or_default().join(", ")
            )));
        }
        if reported
            && (a.config_state != "Enabled"
                || matches!(a.state.as_str(), "LostContact" | "Missing"))
        {
            out.push(finding(format!(
                "agent {} sent a report, but GoCD now says it is {} and {}",
                a.hostname,
                a.config_state.to_ascii_lowercase(),
                describe_state(&a.state)
            )));
        }
        // An elastic agent's disk lives as long as its job.
        if a.config_state == "Enabled" && !elastic {
            if let Some(free) = a.free_space.filter(|f| *f < options.min_free_space) {
                out.push(finding(format!(
                    "agent {} has {} free in its working directory (GoCD's free_space), less than {}",
                    a.hostname,
                    crate::quantity::format_size(free),
                    crate::quantity::format_size(options.min_free_space)
                )));
            }
        }
    }
    out
}

fn describe_state(state: &str) -> &str {
    match state {
        "LostContact" => "lost (it lost contact with the server)",
        "Missing" => "missing (it has not contacted the server since it restarted)",
        "Building" => "building something else",
        "Idle" => "idle",
        other => other,
    }
}

/// `a, b and 3 more`.
fn list(names: &[String]) -> String {
    match names.len() {
        0 => "no agent".into(),
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

#[cfg(test)]
mod tests;
