//! Fetching a fleet's reports from GoCD: the stage's job instances of a
//! pipeline run, each one's `probe-report.json` artifact, and the agents.
//! API paths, versions and answers are GoCD's own (docs/gocd.md, "GoCD
//! facts", "The APIs `probe fleet` uses").

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use super::GocdAgent;
use crate::http::segment;
use crate::http::{Auth, Extra, HttpClient, HttpOptions, Method, Response};

/// An API of GoCD's: its Accept header, and the release that brought it
/// (docs/gocd.md, "The APIs `probe fleet` uses").
#[derive(Debug, Clone, Copy)]
struct Api {
    accept: &'static str,
    name: &'static str,
    since: &'static str,
}

const HISTORY_V1: Api = Api {
    accept: "application/vnd.go.cd.v1+json",
    name: "pipeline history API v1",
    since: "19.12",
};
const STAGE_V3: Api = Api {
    accept: "application/vnd.go.cd.v3+json",
    name: "stage instance API v3",
    since: "20.9",
};
const AGENTS_V7: Api = Api {
    accept: "application/vnd.go.cd.v7+json",
    name: "agents API v7",
    since: "20.5",
};

const SCHEDULE_V1: Api = Api {
    accept: "application/vnd.go.cd.v1+json",
    name: "pipeline operations API v1",
    since: "19.12",
};

/// How much of a report artifact is read; a report of 10 000 checks is 5 MiB.
pub const REPORT_LIMIT: usize = 64 << 20;
/// API answers are small.
const API_LIMIT: usize = 16 << 20;
/// How many pages of pipeline history are searched for a completed run.
const HISTORY_PAGES: usize = 10;

/// A GoCD server and how to talk to it.
pub struct Gocd {
    /// Ends in `/go`; never holds credentials.
    base: String,
    auth: Auth,
    /// The credentials are the user and password of --server's URL.
    login_in_url: bool,
    http: HttpClient,
    /// GoCD's session cookie (`JSESSIONID=…`), kept for the whole run:
    /// every request without it makes a server session, and one made by
    /// a download lives 14 days.
    session: Mutex<Option<String>>,
}

/// A job's report: its bytes, none (the job published none), or why it
/// could not be fetched.
pub type Fetched = Result<Option<Vec<u8>>, String>;

/// A job instance of a stage run.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub state: String,
    pub result: String,
    pub agent_uuid: Option<String>,
}

impl Job {
    /// Whether the job has ended (its report, if any, is published).
    pub fn finished(&self) -> bool {
        self.state == "Completed"
    }
}

/// A stage run's jobs, and whether its artifacts were purged.
#[derive(Debug, Clone, PartialEq)]
pub struct StageJobs {
    pub jobs: Vec<Job>,
    pub artifacts_deleted: bool,
}

/// A stage run: which pipeline run, which stage run.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRun {
    pub pipeline: String,
    pub counter: u64,
    pub stage: String,
    pub stage_counter: u64,
}

impl StageRun {
    /// `agent-infrastructure #42, stage check #1`.
    pub fn describe(&self) -> String {
        format!(
            "{} #{}, stage {} #{}",
            self.pipeline, self.counter, self.stage, self.stage_counter
        )
    }
}

impl Gocd {
    /// `server`: the server's URL, as `GO_SERVER_URL` gives it
    /// (`https://gocd.example.com:8154/go`); `/go` is added when missing.
    /// `user:password@` in it is a Basic login, used and hidden as
    /// GOCD_USERNAME and GOCD_PASSWORD would be.
    pub fn new(server: &str, auth: Auth, timeout: Duration) -> Result<Gocd, String> {
        let (server, login) = crate::http::split_userinfo(server.trim());
        let login_in_url = login.is_some();
        let auth = match (auth, login) {
            (auth, None) => auth,
            (Auth::None, Some((user, password))) => Auth::Basic { user, password },
            (_, Some(_)) => {
                return Err(format!(
                    "--server {server} is given with a user and password, and GOCD_TOKEN or \
                     GOCD_USERNAME is set too: give the credentials one way"
                ))
            }
        };
        let trimmed = server.trim_end_matches('/');
        let has_path = match trimmed.split_once("://") {
            Some(("http" | "https", rest)) if !rest.is_empty() => rest.contains('/'),
            _ => {
                return Err(format!(
                "`{server}` is not a GoCD server URL; write e.g. https://gocd.example.com:8154/go"
            ))
            }
        };
        let base = if has_path {
            trimmed.to_string()
        } else {
            format!("{trimmed}/go")
        };
        let options = HttpOptions {
            timeout: Some(timeout),
            // A redirect drops the credentials (ureq does so): said, not followed.
            follow_redirects: false,
            ..HttpOptions::default()
        };
        let http = HttpClient::new(&options, base.starts_with("https://"))?;
        Ok(Gocd {
            base,
            auth,
            login_in_url,
            http,
            session: Mutex::new(None),
        })
    }

    /// The server's URL, with `/go` and without a login.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The newest run of `pipeline` in which `stage` has completed.
    pub fn latest_completed(&self, pipeline: &str, stage: &str) -> Result<StageRun, String> {
        let first = format!(
            "{}/api/pipelines/{}/history?page_size=20",
            self.base,
            segment(pipeline)
        );
        let mut url = first.clone();
        for _ in 0..HISTORY_PAGES {
            let body = self.api(
                &url,
                HISTORY_V1,
                &format!("the history of pipeline `{pipeline}`"),
            )?;
            let page: History = parse(&body, &url)?;
            if page.pipelines.is_empty() {
                break;
            }
            for run in &page.pipelines {
                // Finished is what GoCD's StageState.completed() says: the
                // status, not the result, which is already "Failed" while
                // other jobs still run ("Failing").
                let done = run
                    .stages
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(stage))
                    .filter(|s| s.scheduled.unwrap_or(true) && completed(s.status.as_deref()));
                if let Some(s) = done {
                    return Ok(StageRun {
                        pipeline: pipeline.to_string(),
                        counter: run.counter,
                        stage: s.name.clone(),
                        stage_counter: s.counter.as_u64().unwrap_or(1),
                    });
                }
            }
            // The next page by its cursor, asked of this server as the first
            // was: the link GoCD gives may name another scheme or host (as
            // a proxy sees it), where the token must not go, and drops
            // the page size.
            let after = page.links.and_then(|l| l.next).and_then(|next| {
                next.href.split_once('?').and_then(|(_, query)| {
                    query
                        .split('&')
                        .find_map(|pair| pair.strip_prefix("after="))
                        .map(str::to_string)
                })
            });
            match after {
                Some(after) if after.bytes().all(|b| b.is_ascii_digit()) => {
                    url = format!("{first}&after={after}");
                }
                _ => break,
            }
        }
        Err(format!(
            "pipeline `{pipeline}` has no run in which stage `{stage}` completed (in its last \
             {HISTORY_PAGES} pages of history); check the stage's name with --stage, or give --counter"
        ))
    }

    /// Run `counter` of `pipeline`: the latest run of its stage `stage`.
    pub fn run(&self, pipeline: &str, counter: u64, stage: &str) -> Result<StageRun, String> {
        let url = format!(
            "{}/api/pipelines/{}/{counter}",
            self.base,
            segment(pipeline)
        );
        let body = self.api(
            &url,
            HISTORY_V1,
            &format!("run {counter} of pipeline `{pipeline}`"),
        )?;
        let run: HistoryRun = parse(&body, &url)?;
        let found = run
            .stages
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(stage))
            .ok_or_else(|| {
                let names: Vec<&str> = run.stages.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "{url}: run {counter} of pipeline `{pipeline}` has no stage `{stage}`; its stages: {}",
                    names.join(", ")
                )
            })?;
        if found.scheduled == Some(false) {
            return Err(format!(
                "{url}: run {counter} of pipeline `{pipeline}` never ran stage `{}` (an earlier \
                 stage failed, or it waits for approval); give another --counter, or none for the \
                 latest completed run",
                found.name
            ));
        }
        Ok(StageRun {
            pipeline: pipeline.to_string(),
            counter,
            stage: found.name.clone(),
            stage_counter: found.counter.as_u64().unwrap_or(1),
        })
    }

    /// The job instances of a stage run.
    pub fn jobs(&self, run: &StageRun) -> Result<StageJobs, String> {
        let url = format!(
            "{}/api/stages/{}/{}/{}/{}",
            self.base,
            segment(&run.pipeline),
            run.counter,
            segment(&run.stage),
            run.stage_counter
        );
        let body = self.api(&url, STAGE_V3, &format!("stage {}", run.describe()))?;
        let stage: StageInstance = parse(&body, &url)?;
        // GoCD answers an unknown stage of a known run with an empty stage.
        if stage.counter == 0 || stage.jobs.is_empty() {
            return Err(format!(
                "{url}: pipeline `{}` run {} has no stage `{}` run {}; check --stage and --counter",
                run.pipeline, run.counter, run.stage, run.stage_counter
            ));
        }
        Ok(StageJobs {
            artifacts_deleted: stage.artifacts_deleted,
            jobs: stage
                .jobs
                .into_iter()
                .map(|j| Job {
                    name: j.name,
                    state: j.state,
                    result: j.result,
                    agent_uuid: j.agent_uuid,
                })
                .collect(),
        })
    }

    /// A job's artifact, or None when it has none at that path.
    pub fn artifact(
        &self,
        run: &StageRun,
        job: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        let url = format!(
            "{}/files/{}/{}/{}/{}/{}/{}",
            self.base,
            segment(&run.pipeline),
            run.counter,
            segment(&run.stage),
            run.stage_counter,
            segment(job),
            path.split('/').map(segment).collect::<Vec<_>>().join("/")
        );
        let response = self.get(&url, None, REPORT_LIMIT)?;
        match response.status {
            200 if response.truncated => Err(format!(
                "{url}: the report is over {} MiB; is it a probe report?",
                REPORT_LIMIT >> 20
            )),
            200 => Ok(Some(response.body)),
            404 => Ok(None),
            _ => Err(self.refusal(
                &url,
                &response,
                &format!("the artifact of job {job}"),
                None,
                false,
            )),
        }
    }

    /// Every agent GoCD knows.
    pub fn agents(&self) -> Result<Vec<GocdAgent>, String> {
        let url = format!("{}/api/agents", self.base);
        let body = self.api(&url, AGENTS_V7, "the agents")?;
        let list: AgentList = parse(&body, &url)?;
        Ok(list
            .embedded
            .agents
            .into_iter()
            .map(|a| GocdAgent {
                uuid: a.uuid,
                hostname: a.hostname,
                config_state: a.agent_config_state,
                state: a.agent_state,
                resources: a.resources,
                free_space: a.free_space.as_u64(),
                environments: a.environments.into_iter().map(|e| e.name).collect(),
            })
            .collect())
    }

    /// Changes one agent by the bulk update, `PATCH /go/api/agents` with
    /// one uuid (AgentsControllerV7.bulkUpdate): resources are added and
    /// removed as a delta (AgentService.bulkUpdateAgentAttributes), so a
    /// change a person makes at the same time is not overwritten, as a
    /// whole new list (`PATCH /go/api/agents/:uuid`) would. `state`:
    /// `Disabled` or `Enabled`.
    pub fn update_agent(
        &self,
        uuid: &str,
        add: &[String],
        remove: &[String],
        state: Option<&str>,
    ) -> Result<(), String> {
        let url = format!("{}/api/agents", self.base);
        let mut body = serde_json::json!({
            "uuids": [uuid],
            "operations": {"resources": {"add": add, "remove": remove}},
        });
        if let Some(state) = state {
            body["agent_config_state"] = serde_json::Value::from(state);
        }
        let body = body.to_string();
        let extra = Extra {
            headers: Vec::new(),
            json: Some(body.as_bytes()),
        };
        let response = self.send(
            Method::Patch,
            &url,
            Some(AGENTS_V7.accept),
            extra,
            API_LIMIT,
        )?;
        match response.status {
            200 => Ok(()),
            _ => Err(self.refusal(&url, &response, &format!("agent {uuid}"), None, true)),
        }
    }

    /// Schedules a pipeline (`POST /go/api/pipelines/:name/schedule`, with
    /// `X-GoCD-Confirm: true` and no body). Ok(false): it is already
    /// scheduled or running (409).
    pub fn schedule(&self, pipeline: &str) -> Result<bool, String> {
        let url = format!("{}/api/pipelines/{}/schedule", self.base, segment(pipeline));
        let extra = Extra {
            headers: vec![("X-GoCD-Confirm", "true".to_string())],
            json: None,
        };
        let response = self.send(
            Method::Post,
            &url,
            Some(SCHEDULE_V1.accept),
            extra,
            API_LIMIT,
        )?;
        match response.status {
            200 | 202 => Ok(true),
            409 => Ok(false),
            _ => Err(self.refusal(&url, &response, &format!("pipeline {pipeline}"), None, true)),
        }
    }

    /// Downloads each job's report with at most `jobs` requests at once, in
    /// job order: the job, and its report or why there is none.
    pub fn reports(
        &self,
        run: &StageRun,
        jobs: &[Job],
        path: &str,
        parallel: usize,
    ) -> Vec<(Job, Fetched)> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Fetched>>> = Mutex::new(vec![None; jobs.len()]);
        std::thread::scope(|scope| {
            for _ in 0..parallel.clamp(1, jobs.len().max(1)) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = self.artifact(run, &job.name, path);
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
        jobs.iter()
            .cloned()
            .zip(results)
            .map(|(job, r)| (job, r.unwrap_or_else(|| Err("not fetched".into()))))
            .collect()
    }

    fn get(&self, url: &str, accept: Option<&str>, limit: usize) -> Result<Response, String> {
        self.send(Method::Get, url, accept, Extra::default(), limit)
    }

    /// Sends a request with the run's session cookie, and keeps the one
    /// GoCD sets.
    fn send(
        &self,
        method: Method,
        url: &str,
        accept: Option<&str>,
        mut extra: Extra,
        limit: usize,
    ) -> Result<Response, String> {
        let cookie = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(cookie) = cookie {
            extra.headers.push(("Cookie", cookie));
        }
        let response = self
            .http
            .send(method, url, accept, &self.auth, &extra, limit)
            .map_err(|e| e.to_string())?;
        if let Some(set) = response
            .headers
            .iter()
            .filter(|(name, _)| name == "set-cookie")
            .find_map(|(_, value)| session_cookie(value))
        {
            *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(set);
        }
        Ok(response)
    }

    /// An API answer's body, or what to fix.
    fn api(&self, url: &str, api: Api, what: &str) -> Result<Vec<u8>, String> {
        let response = self.get(url, Some(api.accept), API_LIMIT)?;
        if response.status == 200 {
            return Ok(response.body);
        }
        Err(self.refusal(url, &response, what, Some(api), false))
    }

    /// Why GoCD did not answer, and what to do.
    /// `write`: the request was to change something (`--apply`).
    fn refusal(
        &self,
        url: &str,
        response: &Response,
        what: &str,
        api: Option<Api>,
        write: bool,
    ) -> String {
        // A proxy or server may echo the request: its credentials go
        // before the text is cut, which would leave part of them.
        let text = self.auth.hide_in(&String::from_utf8_lossy(&response.body));
        let message = serde_json::from_str::<ErrorBody>(&text)
            .ok()
            .and_then(|b| b.message.or(b.error))
            .unwrap_or_else(|| text.trim().chars().take(200).collect());
        let shown = crate::http::without_userinfo(url);
        let advice = match response.status {
            401 if message.contains("security has been disabled") => {
                "GoCD's security is off, and it refuses credentials: unset GOCD_TOKEN \
                 (or GOCD_USERNAME and GOCD_PASSWORD, or the login in --server)"
                    .to_string()
            }
            401 if matches!(self.auth, Auth::None) => {
                "GoCD wants credentials: set GOCD_TOKEN to a personal access token \
                 (or GOCD_USERNAME and GOCD_PASSWORD); docs/gocd.md says how to make one"
                    .to_string()
            }
            401 if self.login_in_url => "GoCD refused the user and password in --server's URL: \
                 check them, or give a personal access token in GOCD_TOKEN instead"
                .to_string(),
            401 => "GoCD refused the credentials: check GOCD_TOKEN (a 40-character personal \
                    access token) or GOCD_USERNAME and GOCD_PASSWORD"
                .to_string(),
            403 if write => format!(
                "GoCD refused to change {what} (403): --apply needs the token of a GoCD admin \
                 (changing agents) or of a user who may operate the pipeline (scheduling); a \
                 view-only token gives the plan only"
            ),
            403 => format!("the credentials may not view {what}: give the token's user view permission on the pipeline group"),
            // An unknown route or API version: GoCD's plain "appears to
            // be incorrect", or, from older servers, an HTML error page or
            // an empty body.
            404 if text.contains("appears to be incorrect")
                || text.trim().is_empty()
                || text.trim_start().starts_with('<') =>
            {
                match api {
                    Some(api) => format!(
                        "GoCD does not know the {} (GoCD {} or later has it): probe fleet \
                         needs GoCD 20.9 or later",
                        api.name, api.since
                    ),
                    None => "GoCD does not know this address: probe fleet needs GoCD 20.9 or later"
                        .to_string(),
                }
            }
            404 => format!("{what} was not found; check the names given"),
            500..=599 => format!("GoCD failed ({}); try again, or see the server's log", response.status),
            // Not followed: a redirect would drop the credentials.
            300..=399 => match response.headers.iter().find(|(name, _)| name == "location") {
                Some((_, to)) => format!(
                    "GoCD redirected to {}: give the server's address as it is there (--server)",
                    crate::http::without_userinfo(to)
                ),
                None => format!("GoCD answered {} without a Location", response.status),
            },
            status => format!("GoCD answered {status}"),
        };
        if message.is_empty() {
            format!("{shown}: {advice}")
        } else {
            format!("{shown}: {advice} (GoCD: {message})")
        }
    }
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8], url: &str) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        format!(
            "{}: not the answer GoCD gives ({e}); is this a GoCD server?",
            crate::http::without_userinfo(url)
        )
    })
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct History {
    #[serde(rename = "_links", default)]
    links: Option<Links>,
    #[serde(default)]
    pipelines: Vec<HistoryRun>,
}

#[derive(Deserialize)]
struct Links {
    next: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
}

#[derive(Deserialize)]
struct HistoryRun {
    counter: u64,
    #[serde(default)]
    stages: Vec<HistoryStage>,
}

#[derive(Deserialize)]
struct HistoryStage {
    name: String,
    /// A string in this API ("1"), a number in others.
    counter: NumberOrString,
    #[serde(default)]
    scheduled: Option<bool>,
    #[serde(default)]
    status: Option<String>,
}

/// Whether a stage's status (pipeline history v1) is a finished one, as
/// GoCD's `StageState.completed()` has it.
fn completed(status: Option<&str>) -> bool {
    matches!(status, Some("Passed" | "Failed" | "Cancelled"))
}

/// `JSESSIONID=…` from a Set-Cookie header: the part to send back.
fn session_cookie(set_cookie: &str) -> Option<String> {
    let pair = set_cookie.split(';').next()?.trim();
    let (name, value) = pair.split_once('=')?;
    (name == "JSESSIONID" && !value.is_empty()).then(|| pair.to_string())
}

#[derive(Deserialize)]
struct StageInstance {
    #[serde(default)]
    counter: u64,
    #[serde(default)]
    artifacts_deleted: bool,
    #[serde(default)]
    jobs: Vec<StageJob>,
}

#[derive(Deserialize)]
struct StageJob {
    name: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    agent_uuid: Option<String>,
}

#[derive(Deserialize)]
struct AgentList {
    #[serde(rename = "_embedded")]
    embedded: EmbeddedAgents,
}

#[derive(Deserialize)]
struct EmbeddedAgents {
    #[serde(default)]
    agents: Vec<AgentEntry>,
}

#[derive(Deserialize)]
struct AgentEntry {
    uuid: String,
    #[serde(default)]
    hostname: String,
    #[serde(default)]
    agent_config_state: String,
    #[serde(default)]
    agent_state: String,
    #[serde(default)]
    resources: Option<Vec<String>>,
    /// Bytes, or the string "unknown".
    #[serde(default)]
    free_space: NumberOrString,
    /// `[{"name": "prod", "origin": {…}}]`, sorted by name.
    #[serde(default)]
    environments: Vec<EnvironmentRef>,
}

#[derive(Deserialize)]
struct EnvironmentRef {
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    Text(String),
    #[default]
    Nothing,
}

impl NumberOrString {
    fn as_u64(&self) -> Option<u64> {
        match self {
            NumberOrString::Number(n) => Some(*n),
            NumberOrString::Text(t) => t.trim().parse().ok(),
            NumberOrString::Nothing => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_url_gets_go_when_it_has_no_path() {
        let base = |url: &str| Gocd::new(url, Auth::None, Duration::from_secs(1)).map(|g| g.base);
        assert_eq!(
            base("http://gocd:8153").as_deref(),
            Ok("http://gocd:8153/go")
        );
        assert_eq!(
            base("http://gocd:8153/go/").as_deref(),
            Ok("http://gocd:8153/go")
        );
        assert_eq!(
            base("http://gocd/ci/go").as_deref(),
            Ok("http://gocd/ci/go")
        );
        assert!(base("gocd:8153").is_err());
        // A login in the URL is taken out of it, and never shown.
        let gocd = Gocd::new(
            "https://ci:s3cret-pw@gocd:8154/go",
            Auth::None,
            Duration::from_secs(1),
        )
        .expect("a server");
        assert_eq!(gocd.base, "https://gocd:8154/go");
        assert!(gocd.login_in_url);
        for server in [
            "ci:s3cret-pw@gocd:8154",
            "//ci:s3cret-pw@gocd",
            "http:/ci:s3cret-pw@gocd",
        ] {
            let err = base(server).err().unwrap_or_default();
            assert!(!err.contains("s3cret"), "{err}");
        }
        let both = Gocd::new(
            "https://ci:pw@gocd",
            Auth::Bearer("t".into()),
            Duration::from_secs(1),
        );
        assert!(both.is_err_and(|e| e.contains("give the credentials one way")));
    }

    #[test]
    fn names_are_percent_encoded_in_paths() {
        assert_eq!(
            segment("agent-infrastructure_2.x"),
            "agent-infrastructure_2.x"
        );
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
    }
}
