//! A fake GoCD server on loopback that answers as GoCD's own server code
//! does (gocd/gocd 26.1.0; docs/gocd.md cites the classes): pipeline
//! history v1, stage instance v3, agents v7 (reads and writes, as
//! AgentsControllerV7 and AgentService do), artifacts under /go/files,
//! scheduling, session cookies, tokens and security on or off. Its state
//! is plain data a test sets up and reads back, with a log of every write.
//!
//! What it answers, and where GoCD's code says so:
//! - a stage's `status` comes from its jobs (StageState.findByBuilds):
//!   Failing while a job failed and another still runs, Building, else
//!   Cancelled / Failed / Unknown / Passed; its `result` is already
//!   "Failed" while Failing. A stage that never ran is `scheduled: false`,
//!   `status: Unknown`, with no `result` (NullStageHistoryItem).
//! - an Accept header that is not exactly the API's version is a 404
//!   "The url you are trying to reach appears to be incorrect." (plain
//!   text); an API the server's version does not have is the same 404 on
//!   a current server, and an HTML error page on an old one.
//! - every request without a session cookie makes a session
//!   (AlwaysCreateSessionFilter) and gets a `JSESSIONID` cookie; a token
//!   login makes a fresh one; a request with a known cookie is not asked
//!   for its token again.
//! - agents PATCH: admin only (403), unknown uuid 404, a pending agent
//!   needs a state (400), an elastic agent cannot have resources (422),
//!   resource names match `^[-\w\s|.]*$` (422), nothing to do is 400;
//!   resources as a list or a comma string, trimmed, blanks dropped,
//!   duplicates (case-sensitive) dropped, sorted; the 200 reply shows the
//!   agent as "Missing" with free space "unknown" (built from the saved
//!   row, not the live agent).
//! - bulk PATCH: all or nothing, uuids checked first (404), resources on
//!   elastic agents 400, bad names 422, 200 "Updated agent(s) with
//!   uuid(s): [a, b].".
//! - POST schedule: `X-GoCD-Confirm` without a body (400 otherwise), 202
//!   "Request to schedule pipeline P accepted", 409 when the first stage is
//!   still running, operate permission (admin here) else 403.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::http_server::{Reply, Request, Server};

/// The GoCD release the fake answers as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// 26.1.0: every API the probe uses.
    Current,
    /// Before 20.5: no agents API v7, no stage instance API v3; unknown
    /// routes are an HTML page.
    Old,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    /// GoCD's JobState: Scheduled, Assigned, Building, Completed…
    pub state: String,
    /// Passed, Failed, Cancelled, Unknown.
    pub result: String,
    pub agent_uuid: Option<String>,
    /// Artifacts by path (`probe/probe-report.json`).
    pub artifacts: HashMap<String, Vec<u8>>,
}

impl Job {
    /// A job that ran on `agent` and ended with `result`, publishing
    /// `report` (if any) as probe/probe-report.json.
    pub fn completed(name: &str, agent: &str, result: &str, report: Option<Vec<u8>>) -> Job {
        Job {
            name: name.into(),
            state: "Completed".into(),
            result: result.into(),
            agent_uuid: Some(agent.into()),
            artifacts: report
                .map(|r| HashMap::from([("probe/probe-report.json".to_string(), r)]))
                .unwrap_or_default(),
        }
    }

    /// A job still running (`Building`, `Scheduled`…) on `agent`, if any.
    pub fn running(name: &str, agent: Option<&str>, state: &str) -> Job {
        Job {
            name: name.into(),
            state: state.into(),
            result: "Unknown".into(),
            agent_uuid: agent.map(String::from),
            artifacts: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub counter: u64,
    /// False: the stage never ran in this pipeline run.
    pub scheduled: bool,
    pub artifacts_deleted: bool,
    pub jobs: Vec<Job>,
}

impl Stage {
    pub fn new(name: &str, jobs: Vec<Job>) -> Stage {
        Stage {
            name: name.into(),
            counter: 1,
            scheduled: true,
            artifacts_deleted: false,
            jobs,
        }
    }

    /// StageState.findByBuilds.
    pub fn status(&self) -> &'static str {
        if !self.scheduled || self.jobs.is_empty() {
            return "Unknown";
        }
        let active = |j: &Job| j.state != "Completed";
        let failed = self.jobs.iter().any(|j| j.result == "Failed");
        if self.jobs.iter().any(active) {
            return if failed { "Failing" } else { "Building" };
        }
        if self.jobs.iter().any(|j| j.result == "Cancelled") {
            "Cancelled"
        } else if failed {
            "Failed"
        } else if self.jobs.iter().any(|j| j.result == "Unknown") {
            "Unknown"
        } else {
            "Passed"
        }
    }

    /// The stored StageResult: recomputed as each job completes, so
    /// "Failed" as soon as one job failed.
    pub fn result(&self) -> &'static str {
        match self.status() {
            "Failing" => "Failed",
            "Building" => "Unknown",
            other => other,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Run {
    pub counter: u64,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone)]
pub struct Agent {
    pub uuid: String,
    pub hostname: String,
    /// Pending, Enabled, Disabled.
    pub config_state: String,
    /// Idle, Building, LostContact, Missing, Unknown.
    pub state: String,
    /// None for an elastic agent.
    pub resources: Option<Vec<String>>,
    pub environments: Vec<String>,
    pub free_space: Value,
}

impl Agent {
    pub fn new(uuid: &str, hostname: &str, resources: &[&str]) -> Agent {
        Agent {
            uuid: uuid.into(),
            hostname: hostname.into(),
            config_state: "Enabled".into(),
            state: "Idle".into(),
            resources: Some(resources.iter().map(ToString::to_string).collect()),
            environments: Vec::new(),
            free_space: json!(80_000_000_000u64),
        }
    }

    pub fn elastic(uuid: &str, hostname: &str) -> Agent {
        Agent {
            resources: None,
            ..Agent::new(uuid, hostname, &[])
        }
    }

    /// AgentRepresenter; `live`: the runtime fields as the agent reports
    /// them, else as a PATCH reply has them (the saved row only).
    fn json(&self, live: bool) -> Value {
        let mut agent = json!({
            "_links": {"self": {"href": format!("http://gocd/go/api/agents/{}", self.uuid)}},
            "uuid": self.uuid,
            "hostname": self.hostname,
            "ip_address": "10.0.0.1",
            "sandbox": if live { "/go" } else { "" },
            "operating_system": if live { "Debian GNU/Linux" } else { "" },
            "free_space": if live { self.free_space.clone() } else { json!("unknown") },
            "agent_config_state": self.config_state,
            "agent_state": if live { self.state.as_str() } else { "Missing" },
            "agent_version": if live { "26.1.0" } else { "UNKNOWN" },
            "agent_bootstrapper_version": if live { "26.1.0" } else { "UNKNOWN" },
            "environments": self.environments.iter().map(|e| json!({"name": e, "origin": {"type": "gocd"}})).collect::<Vec<_>>(),
            "build_state": if live { "Idle" } else { "Unknown" },
        });
        match &self.resources {
            Some(resources) => {
                let mut sorted = resources.clone();
                sorted.sort();
                agent["resources"] = json!(sorted);
            }
            None => {
                agent["elastic_plugin_id"] = json!("cd.go.contrib.elastic-agent.docker");
                agent["elastic_agent_id"] = json!(format!("ea-{}", self.uuid));
            }
        }
        agent
    }
}

/// A write the fake accepted or refused: method, path, body, status.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub status: u16,
}

#[derive(Debug)]
pub struct State {
    pub release: Release,
    /// Security on: every request needs a token; off: a token is refused.
    pub security: bool,
    /// Tokens, and whether each is an admin's.
    pub tokens: Vec<(String, bool)>,
    /// Session id → the token it was logged in with (None: anonymous).
    pub sessions: HashMap<String, Option<String>>,
    pub pipelines: HashMap<String, Vec<Run>>,
    pub agents: Vec<Agent>,
    /// Every PATCH and POST, in order.
    pub writes: Vec<Write>,
    /// Pipelines whose first stage is running, as far as scheduling goes.
    pub running: BTreeSet<String>,
    /// Pipelines scheduled through the API.
    pub scheduled: Vec<String>,
    /// How long an artifact download takes.
    pub download_delay: Duration,
}

pub struct FakeGocd {
    pub server: Server,
    pub state: Arc<Mutex<State>>,
    /// The most artifact downloads served at once.
    busiest: Arc<std::sync::atomic::AtomicUsize>,
}

const INCORRECT: &str = "The url you are trying to reach appears to be incorrect.\n";

impl FakeGocd {
    /// A current GoCD, security on, with `tokens` (token, is admin).
    pub fn start(tokens: &[(&str, bool)]) -> FakeGocd {
        let state = Arc::new(Mutex::new(State {
            release: Release::Current,
            security: true,
            tokens: tokens.iter().map(|(t, a)| (t.to_string(), *a)).collect(),
            sessions: HashMap::new(),
            pipelines: HashMap::new(),
            agents: Vec::new(),
            writes: Vec::new(),
            running: BTreeSet::new(),
            scheduled: Vec::new(),
            download_delay: Duration::ZERO,
        }));
        let shared = Arc::clone(&state);
        let busiest = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (most, now) = (
            Arc::clone(&busiest),
            Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        );
        let server = Server::start(move |r: &Request| {
            use std::sync::atomic::Ordering::SeqCst;
            let (reply, delay) = {
                let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
                (answer(&mut state, r), state.download_delay)
            };
            // A download takes its time here, counted while it does.
            if r.path().starts_with("/go/files/") && !delay.is_zero() {
                most.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
                std::thread::sleep(delay);
                now.fetch_sub(1, SeqCst);
            }
            reply
        });
        FakeGocd {
            server,
            state,
            busiest,
        }
    }

    /// The most artifact downloads that were being served at once.
    pub fn busiest_downloads(&self) -> usize {
        self.busiest.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// `http://127.0.0.1:PORT/go`.
    pub fn url(&self) -> String {
        format!("{}/go", self.server.url())
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The writes so far.
    pub fn writes(&self) -> Vec<Write> {
        self.with(|s| s.writes.clone())
    }

    /// How many server sessions were made.
    pub fn sessions(&self) -> usize {
        self.with(|s| s.sessions.len())
    }
}

fn message(status: u16, text: &str) -> Reply {
    Reply::json(status, json!({"message": text}).to_string())
}

fn answer(state: &mut State, r: &Request) -> Reply {
    // A session: the cookie sent, or a new one (every request makes one).
    let cookie = r.header("cookie").and_then(|c| {
        c.split(';')
            .filter_map(|p| p.trim().strip_prefix("JSESSIONID="))
            .next()
            .map(String::from)
    });
    let known = cookie
        .as_ref()
        .filter(|c| state.sessions.contains_key(*c))
        .cloned();
    let bearer = r.header("authorization").and_then(|a| {
        a.get(..7)
            .filter(|p| p.eq_ignore_ascii_case("bearer "))
            .map(|_| a[7..].to_string())
    });
    let mut new_session = None;
    let user: Option<String> = match &known {
        // A session already logged in is not asked again.
        Some(id) if state.sessions[id].is_some() => state.sessions[id].clone(),
        _ => {
            if let Some(token) = &bearer {
                if !state.tokens.iter().any(|(t, _)| t == token) {
                    return message(401, "Invalid Personal Access Token.");
                }
                if !state.security {
                    return message(
                        401,
                        "Bearer authentication credentials are not required, since security has been disabled on this server.",
                    );
                }
                // A token login makes a fresh session.
                let id = format!("s{}", state.sessions.len() + 1);
                state.sessions.insert(id.clone(), Some(token.clone()));
                new_session = Some(id);
                Some(token.clone())
            } else {
                if known.is_none() {
                    let id = format!("s{}", state.sessions.len() + 1);
                    state.sessions.insert(id.clone(), None);
                    new_session = Some(id);
                }
                None
            }
        }
    };
    let reply = route(state, r, user.as_deref());
    match new_session {
        Some(id) => reply.header(
            "Set-Cookie",
            &format!("JSESSIONID={id}; Path=/go; HttpOnly"),
        ),
        None => reply,
    }
}

fn route(state: &mut State, r: &Request, user: Option<&str>) -> Reply {
    if state.security && user.is_none() {
        return Reply::json(401, "{\n  \"message\" : \"You are not authenticated!\"\n}")
            .header("WWW-Authenticate", "Basic realm=\"GoCD\"");
    }
    let admin =
        !state.security || user.is_some_and(|u| state.tokens.iter().any(|(t, a)| t == u && *a));
    let accept = r.header("accept").unwrap_or_default().to_string();
    let wants = |v: &str| accept == format!("application/vnd.go.cd.{v}+json");
    let path = r.path().to_string();
    let unknown_route = |state: &State| {
        match state.release {
        Release::Current => Reply::text(404, INCORRECT),
        Release::Old => Reply {
            content_type: "text/html; charset=utf-8".into(),
            ..Reply::text(
                404,
                "<html><head><title>HTTP ERROR 404 - Go</title></head><body><h2>HTTP ERROR 404</h2></body></html>",
            )
        },
    }
    };
    if let Some(rest) = path.strip_prefix("/go/api/agents") {
        if state.release == Release::Old || !wants("v7") {
            return unknown_route(state);
        }
        return agents(state, r, rest.trim_start_matches('/'), admin);
    }
    if let Some(rest) = path.strip_prefix("/go/api/stages/") {
        if state.release == Release::Old || !wants("v3") {
            return unknown_route(state);
        }
        return stage_instance(state, rest);
    }
    if let Some(rest) = path.strip_prefix("/go/api/pipelines/") {
        if !wants("v1") {
            return unknown_route(state);
        }
        let (name, what) = rest.split_once('/').unwrap_or((rest, ""));
        if what == "schedule" && r.method == "POST" {
            return schedule(state, r, name, admin);
        }
        let Some(runs) = state.pipelines.get(name) else {
            return message(404, &format!("Pipeline with name '{name}' was not found!"));
        };
        if let Ok(counter) = what.parse::<u64>() {
            return match runs.iter().find(|run| run.counter == counter) {
                Some(run) => Reply::json(200, history_run(name, run).to_string()),
                None => message(
                    404,
                    &format!("Pipeline '{name}' with counter '{counter}' was not found!"),
                ),
            };
        }
        if what == "history" {
            // Newest first, `page_size` a page, `after` a cursor.
            let size: usize = query(r, "page_size")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10);
            let after: Option<u64> = query(r, "after").and_then(|v| v.parse().ok());
            let mut newest: Vec<&Run> = runs.iter().collect();
            newest.sort_by_key(|run| std::cmp::Reverse(run.counter));
            let page: Vec<&Run> = newest
                .into_iter()
                .filter(|run| after.is_none_or(|a| run.counter < a))
                .take(size)
                .collect();
            let mut body = json!({"pipelines": page.iter().map(|run| history_run(name, run)).collect::<Vec<_>>()});
            if let Some(last) = page.last().filter(|_| page.len() == size) {
                // As GoCD behind a proxy names itself: the probe must ask
                // its own server, not this host.
                body["_links"] = json!({"next": {"href": format!(
                    "http://gocd.internal:8153/go/api/pipelines/{name}/history?after={}", last.counter
                )}});
            }
            return Reply::json(200, body.to_string());
        }
        return unknown_route(state);
    }
    if let Some(rest) = path.strip_prefix("/go/files/") {
        return files(state, rest);
    }
    unknown_route(state)
}

fn query<'a>(r: &'a Request, key: &str) -> Option<&'a str> {
    r.target
        .split_once('?')?
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
}

fn history_run(name: &str, run: &Run) -> Value {
    json!({
        "name": name,
        "counter": run.counter,
        "label": run.counter.to_string(),
        "natural_order": run.counter as f64,
        "can_run": true,
        "preparing_to_schedule": false,
        "comment": null,
        "scheduled_date": 1764547200000u64,
        "build_cause": {"trigger_message": "Timer", "trigger_forced": false, "approver": "", "material_revisions": []},
        "stages": run.stages.iter().map(|s| {
            let mut stage = json!({
                "status": s.status(),
                "rerun_of_counter": null,
                "name": s.name,
                "counter": s.counter.to_string(),
                "scheduled": s.scheduled,
                "approval_type": "success",
                "approved_by": "timer",
                "operate_permission": true,
                "can_run": true,
                "jobs": s.jobs.iter().map(|j| json!({
                    "name": j.name, "scheduled_date": 1764547200000u64, "state": j.state, "result": j.result,
                })).collect::<Vec<_>>(),
            });
            if s.scheduled {
                stage["result"] = json!(s.result());
            }
            stage
        }).collect::<Vec<_>>(),
    })
}

fn find_stage<'a>(state: &'a State, rest: &str) -> Result<&'a Stage, Reply> {
    let parts: Vec<&str> = rest.split('/').collect();
    let [pipeline, counter, stage, stage_counter, ..] = parts[..] else {
        return Err(Reply::text(404, INCORRECT));
    };
    let Some(runs) = state.pipelines.get(pipeline) else {
        return Err(message(
            404,
            &format!("Not Found {{ Pipeline '{pipeline}' not found }}"),
        ));
    };
    let run = counter
        .parse::<u64>()
        .ok()
        .and_then(|c| runs.iter().find(|r| r.counter == c))
        .ok_or_else(|| {
            message(
                404,
                &format!(
                    "Not Found {{ Pipeline '{pipeline}' with counter '{counter}' not found }}"
                ),
            )
        })?;
    run.stages
        .iter()
        .find(|s| s.name == stage && s.counter.to_string() == stage_counter && s.scheduled)
        .ok_or_else(|| Reply::text(404, INCORRECT))
}

fn stage_instance(state: &State, rest: &str) -> Reply {
    let stage = match find_stage(state, rest) {
        Ok(stage) => stage,
        // GoCD answers an unknown stage of a known run with a placeholder.
        Err(reply) if reply.status == 404 && reply.content_type.starts_with("text/plain") => {
            return Reply::json(
                200,
                json!({"name": null, "counter": 0, "result": "Unknown", "jobs": []}).to_string(),
            )
        }
        Err(reply) => return reply,
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let body = json!({
        "name": stage.name, "counter": stage.counter, "approval_type": "success", "approved_by": "timer",
        "scheduled_at": 1764547200000u64, "result": stage.result(), "rerun_of_counter": null,
        "fetch_materials": true, "clean_working_directory": false,
        "artifacts_deleted": stage.artifacts_deleted,
        "pipeline_name": parts[0], "pipeline_counter": parts[1].parse::<u64>().unwrap_or(0),
        "jobs": stage.jobs.iter().map(|j| json!({
            "name": j.name, "state": j.state, "result": j.result, "scheduled_date": 1764547200000u64,
            "rerun": false, "original_job_id": null, "agent_uuid": j.agent_uuid,
            "pipeline_name": null, "pipeline_counter": null, "stage_name": null, "stage_counter": null,
            "job_state_transitions": [],
        })).collect::<Vec<_>>(),
    });
    Reply::json(200, body.to_string())
}

fn files(state: &State, rest: &str) -> Reply {
    let parts: Vec<&str> = rest.splitn(6, '/').collect();
    let (Ok(stage), Some(job), Some(file)) = (
        find_stage(state, &parts[..parts.len().min(4)].join("/")),
        parts.get(4),
        parts.get(5),
    ) else {
        return Reply::text(404, INCORRECT);
    };
    match stage
        .jobs
        .iter()
        .find(|j| &j.name == job)
        .and_then(|j| j.artifacts.get(*file))
        .filter(|_| !stage.artifacts_deleted)
    {
        Some(bytes) => Reply {
            body: bytes.clone(),
            ..Reply::json(200, "")
        },
        None => Reply::text(
            404,
            format!("Artifact '{file}' is unavailable as it may have been purged by Go or deleted externally."),
        ),
    }
}

/// A resource list as GoCD reads it: a JSON list or a comma string; each
/// trimmed, blanks and exact duplicates dropped, sorted (CommaSeparatedString).
fn resource_list(value: &Value) -> Option<Vec<String>> {
    let joined = match value {
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let set: BTreeSet<String> = joined
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect();
    Some(set.into_iter().collect())
}

/// ResourceConfig.VALID_REGEX, `^[-\w\s|.]*$`, with Java's ASCII classes.
fn valid_resource(name: &str) -> bool {
    name.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '|' | '.') || c.is_ascii_whitespace()
    })
}

fn invalid_message(name: &str) -> String {
    format!("Resource name '{name}' is not valid. Valid names much match '^[-\\w\\s|.]*$'")
}

fn agents(state: &mut State, r: &Request, uuid: &str, admin: bool) -> Reply {
    match (r.method.as_str(), uuid) {
        ("GET", "") => {
            let body = json!({
                "_links": {"self": {"href": "http://gocd/go/api/agents"}},
                "_embedded": {"agents": state.agents.iter().map(|a| a.json(true)).collect::<Vec<_>>()},
            });
            Reply::json(200, body.to_string())
        }
        ("GET", uuid) => match state.agents.iter().find(|a| a.uuid == uuid) {
            Some(agent) => Reply::json(200, agent.json(true).to_string()),
            None => message(404, &format!("Agent with uuid '{uuid}' was not found!")),
        },
        ("PATCH", uuid) => {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(json!({}));
            let reply = if admin {
                if uuid.is_empty() {
                    bulk_update(state, &body)
                } else {
                    update(state, uuid, &body)
                }
            } else {
                message(403, "You are not authorized to perform this action.")
            };
            state.writes.push(Write {
                method: "PATCH".into(),
                path: r.path().to_string(),
                body,
                status: reply.status,
            });
            reply
        }
        _ => Reply::text(404, INCORRECT),
    }
}

/// AgentsControllerV7.update over AgentService.updateAgentAttributes.
fn update(state: &mut State, uuid: &str, body: &Value) -> Reply {
    let Some(i) = state.agents.iter().position(|a| a.uuid == uuid) else {
        return message(404, &format!("Agent with uuid '{uuid}' was not found!"));
    };
    let given = |key: &str| body.get(key).filter(|v| !v.is_null());
    let new_state =
        match given("agent_config_state").and_then(Value::as_str) {
            None | Some("") => None,
            Some(s) if s.eq_ignore_ascii_case("enabled") => Some("Enabled"),
            Some(s) if s.eq_ignore_ascii_case("disabled") => Some("Disabled"),
            Some(_) => return message(
                422,
                "The value of `agent_config_state` can be one of `Enabled`, `Disabled` or null.",
            ),
        };
    let resources = match given("resources") {
        Some(value) => match resource_list(value) {
            Some(list) => Some(list),
            None => {
                return message(
                    422,
                    &format!("Could not read property 'resources' as a String in json `{body}` "),
                )
            }
        },
        None => None,
    };
    let environments = given("environments").and_then(resource_list);
    let hostname = given("hostname").and_then(Value::as_str).map(String::from);
    if resources.is_none() && environments.is_none() && hostname.is_none() && new_state.is_none() {
        return message(
            400,
            "Bad Request. No operation is specified in the request to be performed on agent.",
        );
    }
    let agent = &state.agents[i];
    if agent.config_state == "Pending" && new_state.is_none() {
        return message(
            400,
            &format!("Pending agent [{uuid}] must be explicitly enabled or disabled when performing any operation on it."),
        );
    }
    let mut errors: Vec<String> = Vec::new();
    if let Some(list) = &resources {
        if agent.resources.is_none() && !list.is_empty() {
            errors.push("Elastic agents cannot have resources.".into());
        }
        errors.extend(
            list.iter()
                .filter(|r| !valid_resource(r))
                .map(|r| invalid_message(r)),
        );
    }
    if !errors.is_empty() {
        let mut data = agent.json(false);
        data["errors"] = json!({"resources": errors});
        return Reply::json(
            422,
            json!({"message": "Updating agent failed.", "data": data}).to_string(),
        );
    }
    let agent = &mut state.agents[i];
    if let Some(list) = resources {
        if agent.resources.is_some() {
            agent.resources = Some(list);
        }
    }
    if let Some(list) = environments {
        agent.environments = list;
    }
    if let Some(h) = hostname {
        agent.hostname = h;
    }
    if let Some(s) = new_state {
        agent.config_state = s.into();
    }
    Reply::json(200, agent.json(false).to_string())
}

/// AgentsControllerV7.bulkUpdate over AgentsUpdateValidator.
fn bulk_update(state: &mut State, body: &Value) -> Reply {
    let uuids: Vec<String> = body["uuids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if uuids.is_empty() {
        return message(422, "Must specify agent 'uuids' for bulk update.");
    }
    let list = |op: &str, which: &str| -> Vec<String> {
        body["operations"][op][which]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (add, remove) = (list("resources", "add"), list("resources", "remove"));
    let (env_add, env_remove) = (list("environments", "add"), list("environments", "remove"));
    let new_state = body["agent_config_state"]
        .as_str()
        .filter(|s| !s.is_empty());
    if add.is_empty()
        && remove.is_empty()
        && env_add.is_empty()
        && env_remove.is_empty()
        && new_state.is_none()
    {
        return message(
            400,
            "Bad Request. No operation is specified in the request to be performed on agents.",
        );
    }
    let unknown: Vec<&str> = uuids
        .iter()
        .filter(|u| !state.agents.iter().any(|a| &a.uuid == *u))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return message(
            404,
            &format!("Agents with uuids [{}] were not found!", unknown.join(", ")),
        );
    }
    let chosen = |a: &&Agent| uuids.contains(&a.uuid);
    if !add.is_empty() || !remove.is_empty() {
        let elastic: Vec<&str> = state
            .agents
            .iter()
            .filter(chosen)
            .filter(|a| a.resources.is_none())
            .map(|a| a.uuid.as_str())
            .collect();
        if !elastic.is_empty() {
            return message(
                400,
                &format!(
                    "Resources on elastic agents with uuids [{}] can not be updated.",
                    elastic.join(", ")
                ),
            );
        }
    }
    if let Some(bad) = add.iter().find(|r| !valid_resource(r)) {
        return message(
            422,
            &format!(
                "Your request could not be processed. Validations failed for bulk update of agents. Error(s): {{resources=[{}]}}",
                invalid_message(bad)
            ),
        );
    }
    let pending: Vec<&str> = state
        .agents
        .iter()
        .filter(chosen)
        .filter(|a| a.config_state == "Pending")
        .map(|a| a.uuid.as_str())
        .collect();
    if !pending.is_empty() && new_state.is_none() {
        return message(
            400,
            &format!("Pending agents [{}] must be explicitly enabled or disabled when performing any operations on them.", pending.join(", ")),
        );
    }
    for agent in state.agents.iter_mut().filter(|a| uuids.contains(&a.uuid)) {
        if let Some(resources) = &mut agent.resources {
            resources.retain(|r| !remove.contains(r));
            for r in &add {
                if !resources.contains(r) {
                    resources.push(r.clone());
                }
            }
        }
        agent.environments.retain(|e| !env_remove.contains(e));
        for e in &env_add {
            if !agent.environments.contains(e) {
                agent.environments.push(e.clone());
            }
        }
        if let Some(s) = new_state {
            agent.config_state = if s.eq_ignore_ascii_case("enabled") {
                "Enabled"
            } else {
                "Disabled"
            }
            .into();
        }
    }
    message(
        200,
        &format!("Updated agent(s) with uuid(s): [{}].", uuids.join(", ")),
    )
}

/// PipelineOperationsControllerV1.schedule.
fn schedule(state: &mut State, r: &Request, name: &str, admin: bool) -> Reply {
    let reply = if !r.body.is_empty()
        && r.header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
    {
        message(
            415,
            "You must specify a 'Content-Type' of 'application/json'",
        )
    } else if r.body.is_empty() && r.header("x-gocd-confirm").is_none() {
        message(
            400,
            "Missing required header 'X-GoCD-Confirm' with value 'true'",
        )
    } else if !state.pipelines.contains_key(name) {
        message(404, &format!("Pipeline with name '{name}' was not found!"))
    } else if !admin {
        message(403, "You are not authorized to perform this action.")
    } else if state.running.contains(name) {
        let stage = state.pipelines[name]
            .first()
            .and_then(|r| r.stages.first())
            .map_or("check".to_string(), |s| s.name.clone());
        message(
            409,
            &format!("Failed to trigger pipeline [{name}] {{ Stage [{stage}] in pipeline [{name}] is still in progress }}"),
        )
    } else {
        state.running.insert(name.to_string());
        state.scheduled.push(name.to_string());
        message(
            202,
            &format!("Request to schedule pipeline {name} accepted"),
        )
    };
    state.writes.push(Write {
        method: "POST".into(),
        path: r.path().to_string(),
        body: serde_json::from_slice(&r.body).unwrap_or(Value::Null),
        status: reply.status,
    });
    reply
}
