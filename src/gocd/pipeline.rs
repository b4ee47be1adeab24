//! `probe pipeline`: GoCD YAML (yaml.config.plugin, format_version 10) that
//! runs the probe on every agent. Every rule followed here is in
//! docs/gocd.md, "GoCD behaviour to know".

use super::yaml_out::{list, map, render, s, strs, Y};
use crate::catalog::{Catalog, Resource, COMMON};
use crate::spec::OsFamily;

/// How jobs are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One run-on-all job without resources: each agent runs `probe --agent`
    /// and checks what it advertises. GoCD never refuses to trigger it.
    Fleet,
    /// One run-on-all job per resource, with `resources: [r]`. GoCD refuses to
    /// trigger the whole stage when some resource has no enabled agent.
    PerResource,
}

/// How the probe binary reaches the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binary {
    /// Already on the agent's PATH (baked into the agent image).
    OnPath,
    /// Fetched from the pipeline that builds it, one leg per OS, each picked
    /// by an OS resource (`linux`, `windows`).
    Fetch(Upstream),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub pipeline: String,
    pub stage: String,
    /// OS legs to generate, each `(os resource, upstream job, artifact file)`.
    pub legs: Vec<Leg>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// The OS resource agents of this leg advertise, and the name suffix.
    pub os: String,
    pub job: String,
    /// Path of the binary among the upstream job's artifacts.
    pub artifact: String,
    pub windows: bool,
}

impl Upstream {
    /// What `ci.gocd.yaml` publishes: `probe` from `build-linux`,
    /// `probe.exe` from `build-windows`, both in pipeline `probe`, stage `build`.
    pub fn shipped(oses: &[&str]) -> Upstream {
        let legs = oses
            .iter()
            .map(|os| {
                let windows = os.eq_ignore_ascii_case("windows");
                Leg {
                    os: os.to_string(),
                    job: format!("build-{os}"),
                    artifact: if windows {
                        "probe/probe.exe".into()
                    } else {
                        "probe/probe".into()
                    },
                    windows,
                }
            })
            .collect();
        Upstream {
            pipeline: "probe".into(),
            stage: "build".into(),
            legs,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineOptions {
    pub name: String,
    pub group: String,
    pub layout: Layout,
    pub binary: Binary,
    /// Quartz cron with a seconds field; None for no timer.
    pub timer: Option<String>,
    /// Job timeout in minutes: run-on-all instances of agents that lost
    /// contact are cancelled after it.
    pub timeout_minutes: u64,
    /// Where the specs are, relative to the job's working directory.
    pub probes_dir: String,
    /// `--strict` in agent mode.
    pub strict: bool,
    /// The fleet pipeline's timer (Quartz cron); None for no fleet pipeline.
    pub fleet_timer: Option<String>,
}

/// GoCD's names: pipelines and groups `[a-zA-Z0-9_\-][a-zA-Z0-9_\-.]*`
/// (at most 255), jobs `[a-zA-Z0-9_\-.]+`.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid GoCD {what} name: use letters, digits, `_`, `-` and `.` (not first), at most 255 characters"
        ))
    }
}

/// GoCD's resource names: `^[-\w\s|.]*$`.
fn check_resource(name: &str) -> Result<(), String> {
    if name.chars().all(|c| {
        c.is_alphanumeric() || c == '_' || c == '-' || c == '|' || c == '.' || c.is_whitespace()
    }) {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid GoCD resource name (letters, digits, `_`, `-`, `|`, `.` and spaces); rename {name}.yaml"
        ))
    }
}

/// Whether a resource's job belongs on the agents of OS leg `os`: a job
/// needing two OS resources (`windows` and `linux`) would match no agent,
/// and GoCD refuses to schedule a stage in which one run-on-all job has no
/// agent. A resource does not fit a leg when it is another leg's OS, when
/// it requires another leg's OS (`requires: [linux]`), or when every one of
/// its checks is only for other systems (`os:`).
fn fits_leg(catalog: &Catalog, resource: &Resource, os: &str, legs: &[&str]) -> bool {
    let other_leg = |name: &str| {
        legs.iter()
            .any(|l| !l.eq_ignore_ascii_case(os) && l.eq_ignore_ascii_case(name))
    };
    if other_leg(&resource.name) {
        return false;
    }
    // What it requires, and what those require.
    let mut seen: Vec<&str> = Vec::new();
    let mut queue: Vec<&str> = resource.requires.iter().map(String::as_str).collect();
    while let Some(name) = queue.pop() {
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            continue;
        }
        seen.push(name);
        if other_leg(name) {
            return false;
        }
        if let Some(r) = catalog
            .resources
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
        {
            queue.extend(r.requires.iter().map(String::as_str));
        }
    }
    let family = match os.to_ascii_lowercase().as_str() {
        "linux" => Some(OsFamily::Linux),
        "windows" => Some(OsFamily::Windows),
        "macos" => Some(OsFamily::Macos),
        _ => None,
    };
    match family {
        Some(family) if !resource.checks.is_empty() => resource.checks.iter().any(|c| {
            c.common
                .os
                .as_ref()
                .is_none_or(|only| only.0.contains(&family))
        }),
        _ => true,
    }
}

/// A resource name as a job name: GoCD resource names may hold spaces and
/// `|`, job names may not.
fn job_name_for(resource: &str) -> String {
    let cleaned: String = resource
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("check-{cleaned}")
}

const JUNIT: &str = "probe-junit.xml";
const HTML: &str = "probe-report.html";
const JSON: &str = "probe-report.json";
/// The artifact folder, and the tab's name (GoCD allows at most 15 characters).
const TAB: &str = "probe";

/// The YAML text; `command_line` (how it was made) goes in its header.
/// The gate: the one task a long job can start with, so that on an agent
/// that cannot do what the job's resources promise the job fails in under
/// a second, with the reason, instead of at its last step. `resources`:
/// the job's own (GoCD gives a job no variable that lists them; the
/// agent's GO_AGENT_RESOURCES may hold more).
pub fn gate(catalog: &Catalog, resources: &[String], command_line: &str) -> Result<String, String> {
    let mut names = Vec::new();
    for r in resources {
        match catalog.find(r) {
            Some(resource) => names.push(resource.name.clone()),
            None => {
                return Err(format!(
                    "--gate {r}: no spec covers it{}",
                    crate::text::did_you_mean(r, catalog.resources.iter().map(|r| r.name.as_str()))
                ))
            }
        }
    }
    let task = list(vec![map(vec![(
        "exec",
        map(vec![
            ("command", s("probe")),
            (
                "arguments",
                strs(&[
                    "--resource".to_string(),
                    names.join(","),
                    "--report".into(),
                    "junit=probe-gate/junit.xml".into(),
                ]),
            ),
        ]),
    )])]);
    Ok(format!(
        "# Generated by `{command_line}`.\n\
         # The first task of a job whose resources are {}: on an agent that lacks\n\
         # what they promise, the job fails here in under a second, naming the check.\n\
         # Put it first under the job's `tasks:`; add `test: {{source: probe-gate}}` to\n\
         # its artifacts for GoCD's Tests tab. See docs/gocd.md, \"The gate\".\n{}",
        names.join(", "),
        render(&task)
    ))
}

pub fn generate(
    catalog: &Catalog,
    options: &PipelineOptions,
    command_line: &str,
) -> Result<String, String> {
    check_name("pipeline", &options.name)?;
    check_name("pipeline group", &options.group)?;
    for spec in options.timer.iter().chain(&options.fleet_timer) {
        // Quartz: seconds minutes hours day-of-month month day-of-week [year].
        let fields = spec.split_whitespace().count();
        if !(6..=7).contains(&fields) {
            return Err(format!(
                "`{spec}` is not a Quartz cron expression: GoCD wants 6 or 7 fields starting with seconds, e.g. \"0 0 2 * * ?\" (nightly at 02:00)"
            ));
        }
    }
    if let Binary::Fetch(upstream) = &options.binary {
        check_name("upstream pipeline", &upstream.pipeline)?;
        check_name("upstream stage", &upstream.stage)?;
        for (i, leg) in upstream.legs.iter().enumerate() {
            if upstream.legs[..i]
                .iter()
                .any(|l| l.os.eq_ignore_ascii_case(&leg.os))
            {
                return Err(format!("--os names `{}` twice", leg.os));
            }
            // The shipped build (ci.gocd.yaml) has build-linux and
            // build-windows: a fetch from any other job would fail on every
            // agent.
            let shipped = ["linux", "windows"];
            if upstream.pipeline == "probe"
                && !shipped.iter().any(|os| os.eq_ignore_ascii_case(&leg.os))
            {
                return Err(format!(
                    "--os {}: ci.gocd.yaml builds the probe for linux and windows only (jobs \
                     build-linux and build-windows); to fetch a {} binary, build it in a \
                     pipeline of your own with a job build-{} and name it with --from-pipeline",
                    leg.os, leg.os, leg.os
                ));
            }
        }
    }
    let mut pipelines = Vec::new();
    match &options.binary {
        Binary::OnPath => pipelines.push((options.name.clone(), pipeline(catalog, options, None)?)),
        Binary::Fetch(upstream) => {
            if upstream.legs.is_empty() {
                return Err(
                    "fetching the binary needs at least one OS leg (e.g. --os linux)".into(),
                );
            }
            // One pipeline per OS: a leg whose OS has no agent then only keeps
            // its own pipeline from triggering.
            for leg in &upstream.legs {
                let name = format!("{}-{}", options.name, leg.os);
                check_name("pipeline", &name)?;
                pipelines.push((name, pipeline(catalog, options, Some((upstream, leg)))?));
            }
        }
    }
    if let Some(timer) = &options.fleet_timer {
        let checks: Vec<String> = pipelines.iter().map(|(name, _)| name.clone()).collect();
        let name = format!("{}-fleet", options.name);
        check_name("pipeline", &name)?;
        pipelines.push((name, fleet_pipeline(options, &checks, timer)));
    }
    let doc = Y::Map(vec![
        ("format_version".into(), Y::Int(10)),
        ("pipelines".into(), Y::Map(pipelines)),
    ]);
    let mut text = format!(
        "# Generated by `{command_line}`; regenerate it instead of editing.\n\
         # Runs the probe on every agent; see docs/gocd.md.\n"
    );
    text.push_str(&render(&doc));
    Ok(text)
}

fn pipeline(
    catalog: &Catalog,
    o: &PipelineOptions,
    fetch: Option<(&Upstream, &Leg)>,
) -> Result<Y, String> {
    let mut entries = vec![
        ("group".to_string(), s(&o.group)),
        ("label_template".to_string(), s("${COUNT}")),
        ("lock_behavior".to_string(), s("none")),
    ];
    if let Some(spec) = &o.timer {
        entries.push((
            "timer".into(),
            map(vec![("spec", s(spec)), ("only_on_changes", Y::Bool(false))]),
        ));
    }
    // The config repo itself, triggering only on changes to the specs.
    let mut materials = vec![(
        "specs".to_string(),
        map(vec![
            ("type", s("configrepo")),
            ("includes", strs(&[format!("{}/**/*", o.probes_dir)])),
        ]),
    )];
    if let Some((upstream, _)) = fetch {
        materials.push((
            "probe-binary".to_string(),
            map(vec![
                ("pipeline", s(&upstream.pipeline)),
                ("stage", s(&upstream.stage)),
            ]),
        ));
    }
    entries.push(("materials".into(), Y::Map(materials)));

    let mut jobs = Vec::new();
    match o.layout {
        Layout::Fleet => {
            // --suggest: the fleet page shows what each agent could advertise.
            let mut args = vec!["--agent".to_string(), "--suggest".to_string()];
            if o.strict {
                args.push("--strict".into());
            }
            let name = fetch.map_or("probe".to_string(), |(_, leg)| format!("probe-{}", leg.os));
            let resources: Vec<String> = fetch
                .map(|(_, leg)| vec![leg.os.clone()])
                .unwrap_or_default();
            jobs.push((name, job(o, &resources, args, fetch)));
        }
        Layout::PerResource => {
            let legs: Vec<&str> = match fetch {
                Some((upstream, _)) => upstream.legs.iter().map(|l| l.os.as_str()).collect(),
                None => Vec::new(),
            };
            for r in catalog
                .resources
                .iter()
                .filter(|r| !r.name.eq_ignore_ascii_case(COMMON))
                .filter(|r| fetch.is_none_or(|(_, leg)| fits_leg(catalog, r, &leg.os, &legs)))
            {
                let mut resources = vec![r.name.clone()];
                let mut name = job_name_for(&r.name);
                if let Some((_, leg)) = fetch {
                    if !r.name.eq_ignore_ascii_case(&leg.os) {
                        resources.push(leg.os.clone());
                    }
                    name = format!("{name}-{}", leg.os);
                }
                check_resource(&r.name)?;
                check_name("job", &name)?;
                if let Some((other, _)) = jobs.iter().find(|(j, _)| j.eq_ignore_ascii_case(&name)) {
                    return Err(format!(
                        "resources `{}` and another one both become job `{other}`; rename one spec file",
                        r.name
                    ));
                }
                // `=` keeps a name starting with `-` from reading as a flag.
                let args = vec![format!("--resource={}", r.name)];
                jobs.push((name, job(o, &resources, args, fetch)));
            }
            if jobs.is_empty() {
                return Err(match fetch {
                    Some((_, leg)) => format!(
                        "no spec fits the {} agents (each is for another OS); drop `{}` from --os",
                        leg.os, leg.os
                    ),
                    None => "there are no resources to make jobs for (only common.yaml)".into(),
                });
            }
        }
    }
    let stage = map(vec![(
        "check",
        map(vec![
            ("fetch_materials", Y::Bool(true)),
            ("clean_workspace", Y::Bool(true)),
            ("approval", map(vec![("type", s("success"))])),
            ("jobs", Y::Map(jobs)),
        ]),
    )]);
    entries.push(("stages".into(), list(vec![stage])));
    Ok(Y::Map(entries))
}

const FLEET_HTML: &str = "fleet.html";
const FLEET_JUNIT: &str = "fleet-junit.xml";
const FLEET_JSON: &str = "fleet.json";
/// The fleet's artifact folder and tab.
const FLEET_TAB: &str = "fleet";

/// The fleet page of the check pipelines' latest runs. A pipeline of its
/// own, on a timer: GoCD runs no later stage after a failed one and starts
/// a dependent pipeline only on success, but the fleet page matters most
/// when agents failed (docs/gocd.md, "The fleet page"). Its check pipelines
/// are also its materials, so a passing run shows at once.
fn fleet_pipeline(o: &PipelineOptions, checks: &[String], timer: &str) -> Y {
    let mut materials = vec![(
        "specs".to_string(),
        map(vec![
            ("type", s("configrepo")),
            ("includes", strs(&[format!("{}/**/*", o.probes_dir)])),
        ]),
    )];
    for check in checks {
        materials.push((
            check.clone(),
            map(vec![("pipeline", s(check)), ("stage", s("check"))]),
        ));
    }
    // A fetch task may only name a pipeline among its materials' (by a path
    // of pipelines otherwise): the binary's pipeline is one of them.
    if let Binary::Fetch(upstream) = &o.binary {
        materials.push((
            "probe-binary".to_string(),
            map(vec![
                ("pipeline", s(&upstream.pipeline)),
                ("stage", s(&upstream.stage)),
            ]),
        ));
    }
    let mut args = vec![
        "fleet".to_string(),
        "--pipeline".into(),
        checks.join(","),
        "--stage".into(),
        "check".into(),
        "--probes".into(),
        o.probes_dir.clone(),
        "--report".into(),
        format!("html={FLEET_HTML}"),
        "--report".into(),
        format!("junit={FLEET_JUNIT}"),
        "--report".into(),
        format!("json={FLEET_JSON}"),
        // A plan only: what would stop GoCD sending jobs to broken agents.
        "--quarantine".into(),
    ];
    if o.strict {
        args.push("--strict".into());
    }
    let mut tasks = Vec::new();
    let mut resources = Vec::new();
    let command = match &o.binary {
        Binary::OnPath => "probe".to_string(),
        Binary::Fetch(upstream) => {
            // The fleet job runs on a Linux agent (or the first leg's OS).
            let leg = upstream
                .legs
                .iter()
                .find(|l| !l.windows)
                .or(upstream.legs.first());
            match leg {
                Some(leg) => {
                    resources.push(leg.os.clone());
                    fetch_binary(upstream, leg, &mut tasks, &mut args)
                }
                None => "probe".to_string(),
            }
        }
    };
    // Changing GoCD's agents is the admin's decision: written here, off.
    let mut arguments: Vec<Y> = args.iter().map(s).collect();
    arguments.push(Y::Comment(
        "With an admin's GOCD_TOKEN, uncomment to make the plan (docs/gocd.md, \"Quarantine\"):"
            .into(),
    ));
    arguments.push(Y::Comment("- --apply".into()));
    tasks.push(map(vec![(
        "exec",
        map(vec![
            ("command", s(command)),
            ("arguments", list(arguments)),
        ]),
    )]));
    let mut job = vec![("timeout".to_string(), Y::Int(o.timeout_minutes))];
    if !resources.is_empty() {
        job.push(("resources".into(), strs(&resources)));
    }
    job.push((
        "tabs".into(),
        map(vec![(FLEET_TAB, s(format!("{FLEET_TAB}/{FLEET_HTML}")))]),
    ));
    job.push((
        "artifacts".into(),
        list(vec![
            map(vec![(
                "test",
                map(vec![
                    ("source", s(FLEET_JUNIT)),
                    ("destination", s(FLEET_TAB)),
                ]),
            )]),
            map(vec![(
                "build",
                map(vec![
                    ("source", s(FLEET_HTML)),
                    ("destination", s(FLEET_TAB)),
                ]),
            )]),
            map(vec![(
                "build",
                map(vec![
                    ("source", s(FLEET_JSON)),
                    ("destination", s(FLEET_TAB)),
                ]),
            )]),
        ]),
    ));
    job.push(("tasks".into(), list(tasks)));
    let stage = map(vec![(
        "fleet",
        map(vec![
            ("fetch_materials", Y::Bool(true)),
            ("clean_workspace", Y::Bool(true)),
            ("approval", map(vec![("type", s("success"))])),
            ("jobs", map(vec![("fleet", Y::Map(job))])),
        ]),
    )]);
    Y::Map(vec![
        ("group".into(), s(&o.group)),
        ("label_template".into(), s("${COUNT}")),
        ("lock_behavior".into(), s("unlockWhenFinished")),
        (
            "timer".into(),
            map(vec![
                ("spec", s(timer)),
                ("only_on_changes", Y::Bool(false)),
            ]),
        ),
        ("materials".into(), Y::Map(materials)),
        ("stages".into(), list(vec![stage])),
    ])
}

/// The tasks that fetch the probe built upstream for a leg's OS, and the
/// command that then runs it (on Windows through `cmd`, whose arguments
/// come first).
fn fetch_binary(
    upstream: &Upstream,
    leg: &Leg,
    tasks: &mut Vec<Y>,
    args: &mut Vec<String>,
) -> String {
    tasks.push(map(vec![(
        "fetch",
        map(vec![
            ("pipeline", s(&upstream.pipeline)),
            ("stage", s(&upstream.stage)),
            ("job", s(&leg.job)),
            ("source", s(&leg.artifact)),
            ("destination", s("bin")),
            ("is_file", Y::Bool(true)),
        ]),
    )]));
    let file = leg
        .artifact
        .rsplit('/')
        .next()
        .unwrap_or("probe")
        .to_string();
    if leg.windows {
        // Through cmd, so the relative path is resolved in the job's
        // working directory rather than the agent process's.
        args.insert(0, format!("bin\\{file}"));
        args.insert(0, "/c".into());
        "cmd".to_string()
    } else {
        // Fetched artifacts lose the executable bit.
        tasks.push(map(vec![(
            "exec",
            map(vec![
                ("command", s("chmod")),
                ("arguments", strs(&["+x", &format!("bin/{file}")])),
            ]),
        )]));
        format!("bin/{file}")
    }
}

fn job(
    o: &PipelineOptions,
    resources: &[String],
    mut args: Vec<String>,
    fetch: Option<(&Upstream, &Leg)>,
) -> Y {
    args.extend([
        "--probes".to_string(),
        o.probes_dir.clone(),
        "--report".into(),
        format!("junit={JUNIT}"),
        "--report".into(),
        format!("html={HTML}"),
        "--report".into(),
        format!("json={JSON}"),
    ]);
    let mut entries = vec![
        ("timeout".to_string(), Y::Int(o.timeout_minutes)),
        ("run_instances".to_string(), s("all")),
    ];
    if !resources.is_empty() {
        entries.push(("resources".into(), strs(resources)));
    }
    entries.push(("tabs".into(), map(vec![(TAB, s(format!("{TAB}/{HTML}")))])));
    entries.push((
        "artifacts".into(),
        list(vec![
            map(vec![(
                "test",
                map(vec![("source", s(JUNIT)), ("destination", s(TAB))]),
            )]),
            map(vec![(
                "build",
                map(vec![("source", s(HTML)), ("destination", s(TAB))]),
            )]),
            map(vec![(
                "build",
                map(vec![("source", s(JSON)), ("destination", s(TAB))]),
            )]),
        ]),
    ));
    let mut tasks = Vec::new();
    let command = match fetch {
        None => "probe".to_string(),
        Some((upstream, leg)) => fetch_binary(upstream, leg, &mut tasks, &mut args),
    };
    tasks.push(map(vec![(
        "exec",
        map(vec![("command", s(command)), ("arguments", strs(&args))]),
    )]));
    entries.push(("tasks".into(), list(tasks)));
    Y::Map(entries)
}
