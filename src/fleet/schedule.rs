//! The scheduler's view: for each set of resources that jobs ask for, the
//! agents that can take such a job and how many of them are broken. The
//! jobs come from GoCD's YAML pipeline files (a config repo's
//! `*.gocd.yaml`), read as GoCD's YAML plugin reads them (docs/gocd.md,
//! "Which jobs the fleet can run").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Fleet, GocdAgent};
use crate::spec::yaml::{self, Node, Value};

/// Pipeline files larger than this are not read.
const FILE_LIMIT: u64 = 16 << 20;

/// A job as a pipeline file declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// `pipeline/stage/job`.
    pub name: String,
    /// As written; matched without regard to case, as GoCD does.
    pub resources: Vec<String>,
    /// The environment its pipeline is in, when a file says so.
    pub environment: Option<String>,
}

/// The jobs read, and what was read but not counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Jobs {
    pub jobs: Vec<Job>,
    /// Pipelines whose jobs are elsewhere (a template), files that could
    /// not be read.
    pub notes: Vec<String>,
    /// Jobs that run on elastic agents, which the fleet does not check.
    pub elastic: Vec<String>,
    /// The files read.
    pub files: usize,
}

/// Reads the jobs of pipeline files: files, directories (every
/// `*.gocd.yaml` and `*.gocd.yml` under them, as the plugin's default
/// pattern) or globs. A pattern that names nothing is an error.
pub fn read(patterns: &[String]) -> Result<Jobs, Vec<String>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut errors = Vec::new();
    for pattern in patterns {
        let path = Path::new(pattern);
        let found: Vec<PathBuf> = if super::source::is_glob(pattern) {
            super::source::expand(pattern)
        } else if path.is_dir() {
            let mut found = Vec::new();
            super::source::files_under(path, &is_pipeline_file, &mut found);
            found.sort();
            found
        } else if path.exists() {
            vec![path.to_path_buf()]
        } else {
            errors.push(format!("--jobs-from {pattern}: no such file or directory"));
            continue;
        };
        if found.is_empty() {
            errors.push(format!(
                "--jobs-from {pattern}: no pipeline file (*.gocd.yaml, *.gocd.yml) there"
            ));
        }
        files.extend(found);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut jobs = Jobs::default();
    let mut environments: BTreeMap<String, String> = BTreeMap::new();
    let mut pipelines: Pipelines = Vec::new();
    for file in &files {
        let shown = file.display().to_string();
        let text = match read_text(file) {
            Ok(text) => text,
            Err(e) => {
                jobs.notes.push(format!("{shown}: {e}"));
                continue;
            }
        };
        jobs.files += 1;
        let root = match yaml::parse(&text) {
            Ok((Some(root), _)) => root,
            Ok((None, _)) => continue,
            Err(e) => {
                jobs.notes.push(format!(
                    "{shown}:{}:{}: not YAML GoCD can read: {}",
                    e.pos.line, e.pos.col, e.message
                ));
                continue;
            }
        };
        read_file(&shown, &root, &mut pipelines, &mut environments, &mut jobs);
    }
    for (pipeline, declared) in pipelines {
        let environment = environments.get(&pipeline.to_ascii_lowercase()).cloned();
        for (name, resources) in declared {
            jobs.jobs.push(Job {
                name,
                resources,
                environment: environment.clone(),
            });
        }
    }
    Ok(jobs)
}

fn is_pipeline_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        n.ends_with(".gocd.yaml") || n.ends_with(".gocd.yml")
    })
}

fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if !file.metadata().map_err(|e| e.to_string())?.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::new();
    file.take(FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > FILE_LIMIT {
        return Err(format!("larger than {} MiB", FILE_LIMIT >> 20));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// A map's entries with YAML merge keys (`<<: *defaults`) applied as the
/// plugin's parser applies them: a key written in the map wins.
fn entries(node: &Node) -> Vec<(&str, &Node)> {
    let Value::Map(pairs) = &node.value else {
        return Vec::new();
    };
    let mut out: Vec<(&str, &Node)> = Vec::new();
    let mut merged: Vec<&Node> = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            Some("<<") => match &v.value {
                Value::Seq(items) => merged.extend(items),
                _ => merged.push(v),
            },
            Some(key) => out.push((key, v)),
            None => {}
        }
    }
    for m in merged {
        for (key, v) in entries(m) {
            if !out.iter().any(|(k, _)| *k == key) {
                out.push((key, v));
            }
        }
    }
    out
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    entries(node)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn scalars(node: &Node) -> Vec<String> {
    match &node.value {
        Value::Seq(items) => items.iter().flat_map(scalars).collect(),
        Value::Scalar { text, .. } if !node.is_null() => vec![text.clone()],
        _ => Vec::new(),
    }
}

type Pipelines = Vec<(String, Vec<(String, Vec<String>)>)>;

fn read_file(
    file: &str,
    root: &Node,
    pipelines: &mut Pipelines,
    environments: &mut BTreeMap<String, String>,
    jobs_read: &mut Jobs,
) {
    if let Some(envs) = get(root, "environments") {
        for (env, body) in entries(envs) {
            for pipeline in get(body, "pipelines").map(scalars).unwrap_or_default() {
                environments.insert(pipeline.to_ascii_lowercase(), env.to_string());
            }
        }
    }
    let Some(declared) = get(root, "pipelines") else {
        return;
    };
    for (pipeline, body) in entries(declared) {
        if let Some(template) = get(body, "template").and_then(Node::as_str) {
            jobs_read.notes.push(format!(
                "{file}: pipeline {pipeline} takes its stages from template {template}, which \
                 is in GoCD's own config: its jobs are not counted"
            ));
            continue;
        }
        let mut jobs = Vec::new();
        let stages = get(body, "stages").map(stage_items).unwrap_or_default();
        for stage in stages {
            // A stage is a map of one entry, its name to its body.
            let Some((stage_name, stage_body)) = entries(stage).into_iter().next() else {
                continue;
            };
            let declared_jobs: Vec<(String, &Node)> = match get(stage_body, "jobs") {
                Some(jobs) => entries(jobs)
                    .into_iter()
                    .map(|(name, body)| (name.to_string(), body))
                    .collect(),
                // No `jobs`: one job, named after the stage, whose keys
                // are the stage's.
                None if get(stage_body, "tasks").is_some() => {
                    vec![(stage_name.to_string(), stage_body)]
                }
                None => Vec::new(),
            };
            for (job, job_body) in declared_jobs {
                let name = format!("{pipeline}/{stage_name}/{job}");
                if get(job_body, "elastic_profile_id").is_some() {
                    jobs_read.elastic.push(name);
                    continue;
                }
                let resources = get(job_body, "resources").map(scalars).unwrap_or_default();
                jobs.push((name, resources));
            }
        }
        pipelines.push((pipeline.to_string(), jobs));
    }
}

/// The items of `stages:`, a list nested one level flattened (lists built
/// from aliases).
fn stage_items(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .flat_map(|item| match &item.value {
                Value::Seq(inner) => inner.iter().collect::<Vec<_>>(),
                _ => vec![item],
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The agents that can take the jobs asking for one set of resources (in
/// one environment), and which of them are broken.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity {
    /// The resources, as the first job wrote them, sorted.
    pub resources: Vec<String>,
    pub environment: Option<String>,
    /// The jobs, `pipeline/stage/job`.
    pub jobs: Vec<String>,
    /// Agents of the fleet that can take them, by place.
    pub agents: Vec<usize>,
    /// Of those, the broken ones.
    pub broken: Vec<usize>,
    /// Agents GoCD has enabled that could take them but sent no report.
    pub unchecked: Vec<String>,
}

impl Capacity {
    pub fn healthy(&self) -> usize {
        self.agents.len() - self.broken.len()
    }

    /// `[java, gradle]`, or `[any agent]` for jobs that ask for nothing.
    pub fn label(&self) -> String {
        let set = if self.resources.is_empty() {
            "no resources".to_string()
        } else {
            self.resources.join(", ")
        };
        match &self.environment {
            Some(env) => format!("[{set}] in environment {env}"),
            None => format!("[{set}]"),
        }
    }
}

/// What an agent offers the scheduler.
struct Offer<'a> {
    resources: Vec<String>,
    /// None: not known (no GoCD agent list).
    environments: Option<&'a [String]>,
}

impl Offer<'_> {
    fn takes(&self, job: &Job) -> bool {
        let has_all = job
            .resources
            .iter()
            .all(|r| self.resources.iter().any(|a| a.eq_ignore_ascii_case(r)));
        // GoCD: a pipeline in an environment runs on that environment's
        // agents; one in none, on agents in none.
        let in_scope = match (self.environments, &job.environment) {
            (None, _) => true,
            (Some(envs), Some(env)) => envs.iter().any(|e| e.eq_ignore_ascii_case(env)),
            (Some(envs), None) => envs.is_empty(),
        };
        has_all && in_scope
    }
}

impl Fleet {
    /// The scheduler's view of `jobs` on this fleet (and on the agents
    /// GoCD has that sent no report).
    pub fn capacity(&self, jobs: &Jobs, gocd: Option<&[GocdAgent]>) -> Vec<Capacity> {
        let by_uuid = |uuid: &str| gocd.and_then(|g| g.iter().find(|a| a.uuid == uuid));
        let mut offers: Vec<Option<Offer>> = Vec::new();
        for agent in &self.agents {
            let known = agent.gocd_uuid.as_deref().and_then(by_uuid);
            // What GoCD says it has is what it is given; without GoCD,
            // what the agent saw in GO_AGENT_RESOURCES.
            let offer = match known {
                Some(g) if g.config_state != "Enabled" => None,
                Some(g) => g.resources.clone().map(|resources| Offer {
                    resources,
                    environments: Some(&g.environments),
                }),
                None => agent.advertised.clone().map(|resources| Offer {
                    resources,
                    environments: None,
                }),
            };
            offers.push(offer);
        }
        let reported: Vec<&str> = self
            .agents
            .iter()
            .filter_map(|a| a.gocd_uuid.as_deref())
            .collect();
        let silent: Vec<(&str, Offer)> = gocd
            .unwrap_or_default()
            .iter()
            .filter(|g| g.config_state == "Enabled" && !reported.contains(&g.uuid.as_str()))
            .filter_map(|g| {
                let resources = g.resources.clone()?;
                Some((
                    g.hostname.as_str(),
                    Offer {
                        resources,
                        environments: Some(&g.environments),
                    },
                ))
            })
            .collect();

        let mut out: Vec<Capacity> = Vec::new();
        for job in &jobs.jobs {
            let mut key: Vec<String> = job
                .resources
                .iter()
                .map(|r| r.to_ascii_lowercase())
                .collect();
            key.sort();
            key.dedup();
            let env = job.environment.as_ref().map(|e| e.to_ascii_lowercase());
            let found = out.iter_mut().find(|c| {
                let mut k: Vec<String> =
                    c.resources.iter().map(|r| r.to_ascii_lowercase()).collect();
                k.sort();
                k.dedup();
                k == key && c.environment.as_ref().map(|e| e.to_ascii_lowercase()) == env
            });
            if let Some(c) = found {
                c.jobs.push(job.name.clone());
                continue;
            }
            let agents: Vec<usize> = offers
                .iter()
                .enumerate()
                .filter(|(_, o)| o.as_ref().is_some_and(|o| o.takes(job)))
                .map(|(i, _)| i)
                .collect();
            let broken = agents
                .iter()
                .copied()
                .filter(|&i| !self.agents[i].ok)
                .collect();
            let mut resources = job.resources.clone();
            resources.sort_by_key(|r| r.to_ascii_lowercase());
            resources.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
            out.push(Capacity {
                resources,
                environment: job.environment.clone(),
                jobs: vec![job.name.clone()],
                agents,
                broken,
                unchecked: silent
                    .iter()
                    .filter(|(_, o)| o.takes(job))
                    .map(|(name, _)| name.to_string())
                    .collect(),
            });
        }
        // The sets no healthy agent can take first, then by how few can.
        out.sort_by(|a, b| {
            (a.healthy() > 0)
                .cmp(&(b.healthy() > 0))
                .then(a.healthy().cmp(&b.healthy()))
                .then(a.label().cmp(&b.label()))
        });
        out
    }
}
