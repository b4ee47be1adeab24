//! Where a fleet's reports come from: files, or a GoCD server's artifacts
//! (with what GoCD's agents API says of the agents).

use std::time::Duration;

use super::gocd::Gocd;
use super::render::Origin;
use super::{source, Finding, GocdAgent, Source};
use crate::http::Auth;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Report files, directories, globs. When empty, GoCD is asked.
    pub files: Vec<String>,
    /// GoCD's URL (`--server`, else GO_SERVER_URL).
    pub server: Option<String>,
    pub auth: Auth,
    pub pipelines: Vec<String>,
    pub counter: Option<u64>,
    pub stage: String,
    /// The report's path among each job's artifacts.
    pub artifact: String,
    /// Ask GoCD's agents API.
    pub agents: bool,
    /// Downloads at once.
    pub parallel: usize,
    pub timeout: Duration,
}

/// Everything read, ready for `Fleet::build`.
#[derive(Debug, Default)]
pub struct Gathered {
    pub sources: Vec<Source>,
    pub gocd_agents: Option<Vec<GocdAgent>>,
    /// What reading found wrong but did not stop: a job without a report,
    /// a file that is not a report.
    pub findings: Vec<Finding>,
    pub origin: Origin,
    /// A stage read is still running (`--counter` named it).
    pub running: bool,
    /// The GoCD agents that had a job in the runs read: what became of
    /// each is said of its job.
    pub with_jobs: Vec<String>,
}

/// Reads the fleet's reports. An error stops everything: nothing to show.
pub fn gather(request: &Request) -> Result<Gathered, Vec<String>> {
    let mut gathered = Gathered::default();
    let gocd = match &request.server {
        Some(server) => {
            Some(Gocd::new(server, request.auth.clone(), request.timeout).map_err(|e| vec![e])?)
        }
        None => None,
    };
    gathered.origin.server = gocd.as_ref().map(|g| g.base().to_string());
    if !request.files.is_empty() {
        let read = source::read(&request.files, request.timeout)?;
        if read.sources.is_empty() {
            let mut errors = vec![format!(
                "no probe report could be read from {}",
                request.files.join(", ")
            )];
            errors.extend(read.skipped.into_iter().map(|s| format!("skipped {s}")));
            return Err(errors);
        }
        for skipped in read.skipped {
            gathered.findings.push(Finding {
                failing: false,
                message: format!("skipped {skipped}"),
            });
        }
        gathered.origin.what = format!(
            "{} from {}",
            count(read.sources.len(), "report"),
            request.files.join(", ")
        );
        gathered.sources = read.sources;
    } else {
        let Some(gocd) = &gocd else {
            return Err(vec![
                "nothing to read: give report files or directories, or a GoCD server \
                 (--server URL, or GO_SERVER_URL inside a GoCD job) and --pipeline"
                    .into(),
            ]);
        };
        if request.pipelines.is_empty() {
            return Err(vec![
                "name the pipeline(s) whose reports to fetch with --pipeline \
                 (e.g. --pipeline agent-infrastructure-linux,agent-infrastructure-windows)"
                    .into(),
            ]);
        }
        let mut runs = Vec::new();
        for pipeline in &request.pipelines {
            let run = match request.counter {
                Some(counter) => gocd.run(pipeline, counter, &request.stage),
                None => gocd.latest_completed(pipeline, &request.stage),
            }
            .map_err(|e| vec![e])?;
            let stage = gocd.jobs(&run).map_err(|e| vec![e])?;
            // A job still scheduled or building has published nothing yet:
            // shown as in progress, never as a job without a report.
            let (finished, running): (Vec<_>, Vec<_>) =
                stage.jobs.into_iter().partition(|j| j.finished());
            if !running.is_empty() {
                gathered.running = true;
                let jobs: Vec<String> = running
                    .iter()
                    .map(|j| format!("{} ({})", j.name, j.state.to_ascii_lowercase()))
                    .collect();
                gathered.findings.push(Finding {
                    failing: false,
                    message: format!(
                        "{} is still running: the report{} of {} {} not in yet",
                        run.describe(),
                        if jobs.len() == 1 { "" } else { "s" },
                        jobs.join(", "),
                        if jobs.len() == 1 { "is" } else { "are" },
                    ),
                });
            }
            gathered.with_jobs.extend(
                finished
                    .iter()
                    .chain(&running)
                    .filter_map(|j| j.agent_uuid.clone()),
            );
            for (job, result) in gocd.reports(&run, &finished, &request.artifact, request.parallel)
            {
                let place = format!("{} job {}", run.describe(), job.name);
                match result {
                    Ok(Some(bytes)) => match Source::read(place.clone(), &bytes, job.agent_uuid.clone()) {
                        Ok(mut source) => {
                            source.job = Some(super::JobRef {
                                pipeline: run.pipeline.clone(),
                                counter: run.counter.to_string(),
                                stage: run.stage.clone(),
                                stage_counter: run.stage_counter.to_string(),
                                job: job.name.clone(),
                            });
                            gathered.sources.push(source)
                        }
                        Err(e) => gathered.findings.push(Finding {
                            failing: true,
                            message: format!("{place}: {} {e}", request.artifact),
                        }),
                    },
                    Ok(None) if stage.artifacts_deleted => gathered.findings.push(Finding {
                        failing: true,
                        message: format!(
                            "{place}: the artifacts of this run were purged (GoCD's \
                             artifacts_deleted), so its {} is gone; give a later --counter, or \
                             keep the probe's artifacts longer",
                            request.artifact
                        ),
                    }),
                    Ok(None) => gathered.findings.push(Finding {
                        failing: true,
                        message: format!(
                            "{place} ({}) published no {}: {}",
                            job_state(&job.state, &job.result),
                            request.artifact,
                            "did it run `probe --agent --report json=probe-report.json` and publish it?"
                        ),
                    }),
                    Err(e) => gathered.findings.push(Finding {
                        failing: true,
                        message: format!("{place}: {e}"),
                    }),
                }
            }
            runs.push(run.describe());
        }
        gathered.origin.what = format!("GoCD: {}", runs.join("; "));
    }
    if let (Some(gocd), true) = (&gocd, request.agents) {
        match gocd.agents() {
            Ok(agents) => gathered.gocd_agents = Some(agents),
            Err(e) => gathered.findings.push(Finding {
                failing: false,
                message: format!("GoCD's agents could not be read, so agents that sent nothing are not named: {e}"),
            }),
        }
    }
    Ok(gathered)
}

fn job_state(state: &str, result: &str) -> String {
    match (state, result) {
        ("Completed", result) => format!("completed, {}", result.to_ascii_lowercase()),
        (state, _) => state.to_ascii_lowercase(),
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
