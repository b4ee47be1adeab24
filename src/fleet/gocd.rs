//! Fetching a fleet's reports from GoCD: the stage's job instances of a
//! pipeline run, each one's `probe-report.json` artifact, and the agents.
//! API paths, versions and answers are GoCD's own (docs/gocd.md, "GoCD
//! facts", "The APIs `probe fleet` uses").

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use super::GocdAgent;
use crate::http::{Auth, HttpClient, HttpOptions, Method, Response};

/// Accept headers of the API versions used, and the GoCD release that
/// brought each.
const HISTORY_V1: &str = "application/vnd.go.cd.v1+json";
const STAGE_V3: &str = "application/vnd.go.cd.v3+json";
const AGENTS_V7: &str = "application/vnd.go.cd.v7+json";

/// How much of a report artifact is read; a report of 10 000 checks is 5 MiB.
pub const REPORT_LIMIT: usize = 64 << 20;
/// API answers are small.
const API_LIMIT: usize = 16 << 20;
/// How many pages of pipeline history are searched for a completed run.
const HISTORY_PAGES: usize = 10;

/// A GoCD server and how to talk to it.
pub struct Gocd {
    /// Ends in `/go`.
    base: String,
    auth: Auth,
    http: HttpClient,
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
    pub fn new(server: &str, auth: Auth, timeout: Duration) -> Result<Gocd, String> {
        let trimmed = server.trim().trim_end_matches('/');
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
        Ok(Gocd { base, auth, http })
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
                let done = run
                    .stages
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(stage))
                    .filter(|s| {
                        s.scheduled.unwrap_or(true)
                            && matches!(
                                s.result.as_deref().or(s.status.as_deref()),
                                Some("Passed" | "Failed" | "Cancelled")
                            )
                    });
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
        Ok(StageRun {
            pipeline: pipeline.to_string(),
            counter,
            stage: found.name.clone(),
            stage_counter: found.counter.as_u64().unwrap_or(1),
        })
    }

    /// The job instances of a stage run.
    pub fn jobs(&self, run: &StageRun) -> Result<Vec<Job>, String> {
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
        Ok(stage
            .jobs
            .into_iter()
            .map(|j| Job {
                name: j.name,
                state: j.state,
                result: j.result,
                agent_uuid: j.agent_uuid,
            })
            .collect())
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
            _ => Err(self.refusal(&url, &response, &format!("the artifact of job {job}"))),
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
            })
            .collect())
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
        self.http
            .request(Method::Get, url, accept, &self.auth, limit)
            .map_err(|e| e.to_string())
    }

    /// An API answer's body, or what to fix.
    fn api(&self, url: &str, accept: &str, what: &str) -> Result<Vec<u8>, String> {
        let response = self.get(url, Some(accept), API_LIMIT)?;
        if response.status == 200 {
            return Ok(response.body);
        }
        Err(self.refusal(url, &response, what))
    }

    /// Why GoCD did not answer, and what to do.
    fn refusal(&self, url: &str, response: &Response, what: &str) -> String {
        // A proxy or server may echo the request: its credentials go
        // before the text is cut, which would leave part of them.
        let text = self.auth.hide_in(&String::from_utf8_lossy(&response.body));
        let message = serde_json::from_str::<ErrorBody>(&text)
            .ok()
            .and_then(|b| b.message.or(b.error))
            .unwrap_or_else(|| text.trim().chars().take(200).collect());
        let shown = crate::http::without_userinfo(url);
        let advice = match response.status {
            401 if matches!(self.auth, Auth::None) => {
                "GoCD wants credentials: set GOCD_TOKEN to a personal access token \
                 (or GOCD_USERNAME and GOCD_PASSWORD); docs/gocd.md says how to make one"
                    .to_string()
            }
            401 => "GoCD refused the credentials: check GOCD_TOKEN (a 40-character personal \
                    access token) or GOCD_USERNAME and GOCD_PASSWORD"
                .to_string(),
            403 => format!("the credentials may not view {what}: give the token's user view permission on the pipeline group"),
            404 if text.contains("appears to be incorrect") => {
                "GoCD does not know this API or its version: probe fleet needs GoCD 20.9 or later".to_string()
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

/// A path segment, percent-encoded where GoCD's names allow what a URL
/// does not (they rarely do).
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
    result: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct StageInstance {
    #[serde(default)]
    counter: u64,
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
