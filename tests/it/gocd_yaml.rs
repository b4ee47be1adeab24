//! Every GoCD YAML file we ship or generate, checked against the rules of
//! GoCD's bundled YAML config plugin. Each rule is a row of docs/gocd.md,
//! "GoCD facts" ("YAML config plugin" unless said otherwise), which names
//! the plugin's or GoCD's source that says it.

use crate::common;
use crate::common::{
    assert_generated_by_probe_pipeline, entries, get, is_map, is_seq, items, keys,
};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use probe::yaml::{self, Node};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `[a-zA-Z0-9_\-.]+`
fn name_chars(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

/// Problems of one file, each prefixed with where it is.
fn violations(file: &str, text: &str) -> Vec<String> {
    let mut v = Vec::new();
    let (node, problems) = match yaml::parse(text) {
        Ok(parsed) => parsed,
        Err(e) => return vec![format!("{file}: not YAML: {}", e.message)],
    };
    for p in problems {
        v.push(format!("{file}:{}: {}", p.pos.line, p.message));
    }
    let Some(doc) = node else {
        return vec![format!("{file}: empty")];
    };
    // "Top level: only format_version, pipelines, environments, common."
    for k in keys(&doc) {
        if !["format_version", "pipelines", "environments", "common"].contains(&k) {
            v.push(format!("{file}: unknown top-level key `{k}`"));
        }
    }
    // "Use format_version: 10 in every file."
    if get(&doc, "format_version").and_then(Node::as_str) != Some("10") {
        v.push(format!("{file}: format_version must be 10"));
    }
    let Some(pipelines) = get(&doc, "pipelines") else {
        return v;
    };
    if !is_map(pipelines) {
        v.push(format!("{file}: `pipelines` must be a map"));
    }
    for (name, p) in entries(pipelines) {
        let at = format!("{file}: pipeline {name}");
        // Pipeline names: [a-zA-Z0-9_\-][a-zA-Z0-9_\-.]*, <= 255 chars.
        if !(name_chars(name) && !name.starts_with('.') && name.len() <= 255) {
            v.push(format!("{at}: invalid pipeline name"));
        }
        for k in keys(p) {
            if ![
                "group",
                "label_template",
                "lock_behavior",
                "display_order",
                "timer",
                "environment_variables",
                "secure_variables",
                "parameters",
                "materials",
                "stages",
                "template",
            ]
            .contains(&k)
            {
                v.push(format!("{at}: unknown key `{k}`"));
            }
        }
        if let Some(group) = get(p, "group").and_then(Node::as_str) {
            if !name_chars(group) {
                v.push(format!("{at}: invalid group name `{group}`"));
            }
        }
        if let Some(timer) = get(p, "timer") {
            // Quartz cron WITH a seconds field: 6 or 7 fields.
            let spec = get(timer, "spec")
                .and_then(Node::as_str)
                .unwrap_or_default();
            let fields = spec.split_whitespace().count();
            if !(6..=7).contains(&fields) {
                v.push(format!(
                    "{at}: timer spec `{spec}` is not a Quartz cron with seconds"
                ));
            }
        }
        // `materials` is a MAP, `stages` a LIST.
        match get(p, "materials") {
            Some(m) if is_map(m) => {
                for (mname, m) in entries(m) {
                    let kind = keys(m);
                    let ok = get(m, "type").and_then(Node::as_str) == Some("configrepo")
                        || kind.contains(&"git")
                        || (kind.contains(&"pipeline") && kind.contains(&"stage"));
                    if !ok {
                        v.push(format!(
                            "{at}: material {mname} is neither configrepo, git nor pipeline+stage"
                        ));
                    }
                }
            }
            _ => v.push(format!("{at}: `materials` must be a map")),
        }
        let Some(stages) = get(p, "stages").filter(|s| is_seq(s)) else {
            v.push(format!("{at}: `stages` must be a list"));
            continue;
        };
        for stage in items(stages) {
            for (sname, s) in entries(stage) {
                let at = format!("{at} stage {sname}");
                for k in keys(s) {
                    if ![
                        "fetch_materials",
                        "clean_workspace",
                        "keep_artifacts",
                        "approval",
                        "environment_variables",
                        "secure_variables",
                        "jobs",
                    ]
                    .contains(&k)
                    {
                        v.push(format!("{at}: unknown key `{k}`"));
                    }
                }
                let Some(jobs) = get(s, "jobs").filter(|j| is_map(j)) else {
                    v.push(format!("{at}: `jobs` must be a map"));
                    continue;
                };
                for (jname, j) in entries(jobs) {
                    v.extend(job_violations(&format!("{at} job {jname}"), jname, j));
                }
            }
        }
    }
    v
}

fn job_violations(at: &str, name: &str, job: &Node) -> Vec<String> {
    let mut v = Vec::new();
    // Job names [a-zA-Z0-9_\-.]+, not ending in -runOnAll-<n>.
    let run_on_all_suffix = name
        .rsplit_once("-runOnAll-")
        .is_some_and(|(_, n)| n.chars().all(|c| c.is_ascii_digit()));
    if !name_chars(name) || run_on_all_suffix {
        v.push(format!("{at}: invalid job name"));
    }
    for k in keys(job) {
        if ![
            "timeout",
            "run_instances",
            "resources",
            "elastic_profile_id",
            "environment_variables",
            "secure_variables",
            "tabs",
            "artifacts",
            "properties",
            "tasks",
        ]
        .contains(&k)
        {
            // Notably `run_instance_count`: the JSON plugin's key, silently
            // ignored by the YAML plugin, so the job would run once.
            v.push(format!("{at}: unknown key `{k}`"));
        }
    }
    if let Some(ri) = get(job, "run_instances").and_then(Node::as_str) {
        if ri != "all" && ri.parse::<u32>().is_err() {
            v.push(format!("{at}: run_instances must be `all` or a number"));
        }
        // `all` is not combinable with elastic_profile_id (a number is; the
        // probe never generates one).
        if get(job, "elastic_profile_id").is_some() {
            v.push(format!("{at}: run_instances with elastic_profile_id"));
        }
    }
    if let Some(t) = get(job, "timeout").and_then(Node::as_str) {
        if t.parse::<u32>().is_err() {
            v.push(format!("{at}: timeout must be whole minutes"));
        }
    }
    if let Some(resources) = get(job, "resources") {
        if !is_seq(resources) {
            v.push(format!("{at}: `resources` must be a list"));
        }
        // Resource names match ^[-\w\s|.]*$.
        for r in items(resources) {
            let r = r.as_str().unwrap_or_default();
            if !r
                .chars()
                .all(|c| c.is_alphanumeric() || "-_|. ".contains(c))
            {
                v.push(format!("{at}: invalid resource `{r}`"));
            }
        }
    }
    if let Some(tabs) = get(job, "tabs") {
        // Tab names [a-zA-Z0-9_\-.]+, at most 15 characters.
        for (tab, _) in entries(tabs) {
            if !name_chars(tab) || tab.len() > 15 {
                v.push(format!("{at}: tab name `{tab}` (at most 15 characters)"));
            }
        }
    }
    if let Some(artifacts) = get(job, "artifacts") {
        if !is_seq(artifacts) {
            v.push(format!("{at}: `artifacts` must be a list"));
        }
        for a in items(artifacts) {
            let k = keys(a);
            let body = k.first().and_then(|t| get(a, t));
            let ok = k.len() == 1
                && ["build", "test"].contains(&k[0])
                && body.is_some_and(|b| get(b, "source").is_some());
            if !ok {
                v.push(format!(
                    "{at}: artifact must be `- build:` or `- test:` with a source"
                ));
            }
        }
    }
    match get(job, "tasks") {
        Some(tasks) if is_seq(tasks) && !items(tasks).is_empty() => {
            for t in items(tasks) {
                let k = keys(t);
                match k.as_slice() {
                    // `script:` needs a plugin GoCD does not bundle.
                    ["exec"] => {
                        if get(t, "exec").and_then(|e| get(e, "command")).is_none() {
                            v.push(format!("{at}: exec task without a command"));
                        }
                    }
                    ["fetch"] => {
                        let f = get(t, "fetch");
                        for need in ["pipeline", "stage", "job", "source"] {
                            if f.and_then(|f| get(f, need)).is_none() {
                                v.push(format!("{at}: fetch task without `{need}`"));
                            }
                        }
                    }
                    other => v.push(format!("{at}: task {other:?} is not exec or fetch")),
                }
            }
        }
        _ => v.push(format!(
            "{at}: `tasks` is required and must be a non-empty list"
        )),
    }
    v
}

/// Pipeline names across files, which GoCD needs unique ignoring case.
fn pipeline_names(text: &str) -> Vec<String> {
    yaml::parse(text)
        .ok()
        .and_then(|(n, _)| n)
        .and_then(|doc| {
            get(&doc, "pipelines").map(|p| keys(p).iter().map(|k| k.to_lowercase()).collect())
        })
        .unwrap_or_default()
}

fn shipped_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("ci.gocd.yaml")];
    let mut pipelines: Vec<PathBuf> = fs::read_dir(root().join("pipelines"))
        .expect("pipelines/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".gocd.yaml"))
        .collect();
    pipelines.sort();
    files.extend(pipelines);
    files
}

#[test]
fn the_validator_catches_what_gocd_would_reject_or_silently_ignore() {
    let bad = "format_version: 9\nextra: 1\npipelines:\n  \"bad name!\":\n    materials: []\n    stages:\n      - s:\n          jobs:\n            j:\n              run_instance_count: all\n              tabs: {a-very-long-tab-name: x}\n              artifacts: [{build: {destination: x}}]\n              tasks: [{script: echo hi}]\n";
    let v = violations("bad.gocd.yaml", bad);
    for expected in [
        "unknown top-level key `extra`",
        "format_version must be 10",
        "invalid pipeline name",
        "`materials` must be a map",
        "unknown key `run_instance_count`",
        "tab name `a-very-long-tab-name`",
        "artifact must be",
        "is not exec or fetch",
    ] {
        assert!(
            v.iter().any(|m| m.contains(expected)),
            "missed {expected:?} in {v:#?}"
        );
    }
}

#[test]
fn shipped_gocd_yaml_follows_the_plugin_rules() {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for file in shipped_files() {
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let v = violations(&file.display().to_string(), &text);
        assert!(v.is_empty(), "{v:#?}");
        // Pipeline names are unique case-insensitively across every config repo.
        for name in pipeline_names(&text) {
            if let Some(first) = seen.insert(name.clone(), file.clone()) {
                panic!(
                    "pipeline {name} is in {} and {}",
                    first.display(),
                    file.display()
                );
            }
        }
    }
}

fn probe_pipeline(args: &[&str], probes: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_probe"))
        .arg("pipeline")
        .args(args)
        .arg("--probes")
        .arg(probes)
        .output()
        .expect("run probe pipeline")
}

#[test]
fn generated_yaml_follows_the_plugin_rules_for_every_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    let probes = dir.path().join("probes");
    fs::create_dir(&probes).expect("mkdir");
    // GoCD resource names may hold spaces and `|`; job names may not.
    for (name, body) in [
        ("common", "checks:\n  - env: PATH\n"),
        ("lua", "checks:\n  - command: lua\n"),
        ("java 17|lts", "checks:\n  - command: java\n"),
    ] {
        fs::write(probes.join(format!("{name}.yaml")), body).expect("write");
    }
    let option_sets: &[&[&str]] = &[
        &[],
        &["--binary", "fetch"],
        &["--binary", "fetch", "--os", "linux"],
        &["--layout", "per-resource"],
        &["--layout", "per-resource", "--binary", "fetch"],
        &[
            "--no-timer",
            "--strict",
            "--name",
            "fleet.check",
            "--group",
            "infra",
            "--timeout",
            "5",
        ],
    ];
    for args in option_sets {
        let o = probe_pipeline(args, &probes);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8(o.stdout).expect("utf-8");
        let v = violations(&format!("probe pipeline {args:?}"), &text);
        assert!(v.is_empty(), "{v:#?}\n{text}");
    }
}

#[test]
fn the_fleet_layout_is_one_run_on_all_job_without_resources() {
    let o = probe_pipeline(&[], &root().join("probes"));
    let text = String::from_utf8(o.stdout).expect("utf-8");
    let (doc, _) = yaml::parse(&text).expect("yaml");
    let doc = doc.expect("doc");
    let pipelines = get(&doc, "pipelines").expect("pipelines");
    assert_eq!(
        keys(pipelines),
        ["agent-infrastructure", "agent-infrastructure-fleet"]
    );
    let p = get(pipelines, "agent-infrastructure").expect("pipeline");
    let stage = &items(get(p, "stages").expect("stages"))[0];
    let jobs = get(get(stage, "check").expect("check"), "jobs").expect("jobs");
    assert_eq!(keys(jobs), ["probe"]);
    let job = get(jobs, "probe").expect("job");
    // run_instances: all (NOT run_instance_count); no resources, so GoCD never
    // refuses to trigger it for want of a matching agent.
    assert_eq!(
        get(job, "run_instances").and_then(Node::as_str),
        Some("all")
    );
    assert!(get(job, "resources").is_none());
    // A timeout, so instances of agents that lost contact are cancelled.
    assert!(get(job, "timeout").is_some());
    let task = &items(get(job, "tasks").expect("tasks"))[0];
    let args: Vec<&str> = items(get(get(task, "exec").expect("exec"), "arguments").expect("args"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(args[0], "--agent");
    // The tab points at the HTML inside the build artifact's destination.
    let tab = get(get(job, "tabs").expect("tabs"), "probe").and_then(Node::as_str);
    assert_eq!(tab, Some("probe/probe-report.html"));
}

/// GoCD runs no later stage after a failed one and starts a dependent
/// pipeline only when its upstream passes (docs/gocd.md, "The fleet page"):
/// the fleet page is a pipeline of its own, on a timer, fetching the check
/// pipelines' latest reports, with the check pipelines as materials too.
#[test]
fn the_fleet_page_is_a_pipeline_on_a_timer_over_every_check_pipeline() {
    let o = probe_pipeline(&["--binary", "fetch"], &root().join("probes"));
    let text = String::from_utf8(o.stdout).expect("utf-8");
    let (doc, _) = yaml::parse(&text).expect("yaml");
    let doc = doc.expect("doc");
    let pipelines = get(&doc, "pipelines").expect("pipelines");
    let fleet = get(pipelines, "agent-infrastructure-fleet").expect("the fleet pipeline");
    let timer = get(fleet, "timer").expect("a timer");
    assert_eq!(
        get(timer, "spec").and_then(Node::as_str),
        Some("0 10/30 * * * ?")
    );
    assert_eq!(
        get(timer, "only_on_changes").and_then(Node::as_str),
        Some("false")
    );
    let materials = get(fleet, "materials").expect("materials");
    assert_eq!(
        keys(materials),
        [
            "specs",
            "agent-infrastructure-linux",
            "agent-infrastructure-windows",
            "probe-binary"
        ]
    );
    let stage = &items(get(fleet, "stages").expect("stages"))[0];
    let job = get(
        get(get(stage, "fleet").expect("stage"), "jobs").expect("jobs"),
        "fleet",
    )
    .expect("job");
    assert!(get(job, "run_instances").is_none(), "one instance");
    let tasks = items(get(job, "tasks").expect("tasks"));
    let exec = get(tasks.last().expect("a task"), "exec").expect("exec");
    let args: Vec<&str> = items(get(exec, "arguments").expect("args"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(
        &args[..3],
        [
            "fleet",
            "--pipeline",
            "agent-infrastructure-linux,agent-infrastructure-windows"
        ]
    );
    // The quarantine is planned on every run; making it is the admin's
    // choice, written out and commented.
    assert!(args.contains(&"--quarantine"), "{args:?}");
    assert!(!args.contains(&"--apply"), "{args:?}");
    assert!(
        text.contains("                      - --quarantine\n                      # With an admin's GOCD_TOKEN, uncomment to make the plan (docs/gocd.md, \"Quarantine\"):\n                      # - --apply\n"),
        "{text}"
    );
    let tab = get(get(job, "tabs").expect("tabs"), "fleet").and_then(Node::as_str);
    assert_eq!(tab, Some("fleet/fleet.html"));
    // And none without it.
    let o = probe_pipeline(&["--no-fleet"], &root().join("probes"));
    let text = String::from_utf8(o.stdout).expect("utf-8");
    assert!(!text.contains("-fleet:"), "{text}");
}

#[test]
fn bad_pipeline_names_are_usage_errors() {
    let o = probe_pipeline(&["--name", "no spaces please"], &root().join("probes"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is not a valid GoCD pipeline name"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The command that makes pipelines/agent-infrastructure.gocd.yaml; its
/// header records it too.
const SHIPPED_ARGS: &[&str] = &["--binary", "fetch"];

#[test]
fn the_shipped_infrastructure_pipeline_is_what_probe_pipeline_generates() {
    let how = format!("probe pipeline {}", SHIPPED_ARGS.join(" "));
    assert_generated_by_probe_pipeline(
        &root().join("pipelines/agent-infrastructure.gocd.yaml"),
        SHIPPED_ARGS,
        &how,
    );
}

#[test]
fn what_gocd_would_refuse_is_refused_before_it_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let probes = dir.path().join("probes");
    fs::create_dir(&probes).expect("mkdir");
    fs::write(probes.join("lua.yaml"), "checks:\n  - command: lua\n").expect("write");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--timer", "every night"],
            "is not a Quartz cron expression",
        ),
        (
            &["--binary", "fetch", "--os", "linux,LINUX"],
            "--os names `LINUX` twice",
        ),
        (
            &["--binary", "fetch", "--from-pipeline", "bad name"],
            "not a valid GoCD upstream pipeline name",
        ),
        (
            &["--binary", "fetch", "--os", "linux,macos"],
            "ci.gocd.yaml builds the probe for linux and windows only",
        ),
    ];
    for (args, message) in cases {
        let o = probe_pipeline(args, &probes);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    // Resource names GoCD does not allow, and two that become one job name.
    fs::write(probes.join("a+b.yaml"), "checks:\n  - command: x\n").expect("write");
    let o = probe_pipeline(&["--layout", "per-resource"], &probes);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`a+b` is not a valid GoCD resource name"));
    fs::remove_file(probes.join("a+b.yaml")).expect("rm");
    fs::write(probes.join("a b.yaml"), "checks:\n  - command: x\n").expect("write");
    fs::write(probes.join("a_b.yaml"), "checks:\n  - command: x\n").expect("write");
    let o = probe_pipeline(&["--layout", "per-resource"], &probes);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("both become job `check-a_b`"));
}

#[test]
fn a_resource_starting_with_a_dash_is_passed_as_one_argument() {
    let dir = tempfile::tempdir().expect("tempdir");
    let probes = dir.path().join("probes");
    fs::create_dir(&probes).expect("mkdir");
    fs::write(probes.join("-dash.yaml"), "checks:\n  - command: x\n").expect("write");
    let o = probe_pipeline(&["--layout", "per-resource"], &probes);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("- --resource=-dash\n"), "{text}");
}

/// A run-on-all job that no agent matches stops GoCD from scheduling the
/// whole stage: per-resource jobs never ask for two operating systems, nor
/// for a resource whose checks are all for another one.
#[test]
fn per_resource_jobs_of_a_fetch_leg_are_only_those_its_agents_can_take() {
    let o = probe_pipeline(
        &[
            "--layout",
            "per-resource",
            "--binary",
            "fetch",
            "--no-fleet",
        ],
        &root().join("probes"),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout).expect("utf-8");
    let doc = probe::yaml::parse(&text)
        .expect("parses")
        .0
        .expect("a document");
    let oses = ["linux", "windows"];
    let mut jobs_seen = 0;
    for (pipeline, body) in common::entries(common::get(&doc, "pipelines").expect("pipelines")) {
        for stage in common::items(common::get(body, "stages").expect("stages")) {
            for (_, stage_body) in common::entries(stage) {
                for (job, job_body) in
                    common::entries(common::get(stage_body, "jobs").expect("jobs"))
                {
                    jobs_seen += 1;
                    let resources: Vec<&str> =
                        common::items(common::get(job_body, "resources").expect("resources"))
                            .iter()
                            .filter_map(|n| n.as_str())
                            .collect();
                    let os_count = resources.iter().filter(|r| oses.contains(r)).count();
                    assert_eq!(os_count, 1, "{pipeline}/{job}: {resources:?}");
                }
            }
        }
    }
    assert!(jobs_seen > 4, "{text}");
    // lua requires linux: no lua job on the Windows leg; the windows spec
    // has none on the Linux leg.
    assert!(!text.contains("check-lua-windows:"), "{text}");
    assert!(!text.contains("check-windows-linux:"), "{text}");
    assert!(text.contains("check-lua-linux:"), "{text}");
}

/// The gate: one task, the job's own resources by their specs' names, a
/// JUnit report; a resource without a spec is refused with a suggestion.
#[test]
fn the_gate_is_one_task_that_checks_the_jobs_resources() {
    let o = probe_pipeline(&["--gate", "Java,gradle"], &root().join("probes"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout).expect("utf-8");
    let (doc, _) = yaml::parse(&text).expect("yaml");
    let doc = doc.expect("doc");
    let tasks = items(&doc);
    assert_eq!(tasks.len(), 1, "{text}");
    let exec = get(&tasks[0], "exec").expect("exec");
    assert_eq!(get(exec, "command").and_then(Node::as_str), Some("probe"));
    let args: Vec<&str> = items(get(exec, "arguments").expect("args"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(
        args,
        [
            "--resource",
            "java,gradle",
            "--report",
            "junit=probe-gate/junit.xml"
        ]
    );
    let o = probe_pipeline(&["--gate", "gradel"], &root().join("probes"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("--gate gradel: no spec covers it (did you mean `gradle`?)"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
