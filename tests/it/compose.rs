//! The self-contained GoCD environment in examples/gocd-compose/, checked
//! offline: the compose file, the server's seeded config, the agent
//! Dockerfiles, the demo pipeline and the README that explains them. Nothing
//! here starts a container or talks to a GoCD server.
//!
//! GoCD facts cite docs/gocd.md, "GoCD facts" ("Docker agent images",
//! "YAML config plugin") and GoCD's cruise-config.xsd (schema 139).
//!
//! The checks are collected by `problems()` over the files' text, so that
//! `every_check_catches_its_mistake` can feed it broken copies and prove that
//! each check fails when it should.

use crate::common::{assert_generated_by_probe_pipeline, entries, get, items};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use probe::yaml::{self, Node, Value};
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

const SERVER_IMAGE: &str = "gocd/gocd-server:v26.1.0";
const AGENT_IMAGE: &str = "gocd/gocd-agent-ubuntu-24.04:v26.1.0";
/// The only schema version GoCD 26.1's cruise-config.xsd accepts.
const SCHEMA_VERSION: &str = "139";
/// Top-level elements of `<cruise>`, in the order cruise-config.xsd's
/// sequence requires.
const XSD_ORDER: &[&str] = &[
    "server",
    "elastic",
    "repositories",
    "scms",
    "config-repos",
    "artifactStores",
    "secretConfigs",
    "pipelines",
    "templates",
    "environments",
];
/// Where the example lives, relative to the repository root.
const EXAMPLE: &str = "examples/gocd-compose";
const DEMO_PIPELINE: &str = "pipelines/agent-infrastructure.yaml";
/// The README section listing advertised resources that deliberately have
/// no spec, one `- \`name\`` item each.
const UNCOVERED_SECTION: &str = "## Resources without a spec";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example_dir() -> PathBuf {
    root().join(EXAMPLE)
}

/// Reads a file of the example, by its path relative to the example folder.
fn read_example(rel: &str) -> Option<String> {
    fs::read_to_string(example_dir().join(rel)).ok()
}

/// The repository's specs: lower-cased resource name to the spec's text.
fn repository_specs() -> BTreeMap<String, String> {
    let mut specs = BTreeMap::new();
    for entry in fs::read_dir(root().join("probes")).expect("probes/ exists") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(resource) = name.strip_suffix(".yaml") {
            let text = fs::read_to_string(&path).expect("read spec");
            specs.insert(resource.to_lowercase(), text);
        }
    }
    specs
}

fn current_problems() -> Vec<String> {
    let compose = read_example("docker-compose.yml").expect("docker-compose.yml exists");
    problems(&compose, &read_example, &repository_specs())
}

// ---------------------------------------------------------------- YAML

fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    get(node, key).and_then(Node::as_str)
}

/// A list of scalars, e.g. `ports:` or `depends_on:`.
fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(|n| {
        items(n)
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

/// A service's `environment:`, as a map or as a `KEY=value` list.
fn environment(service: &Node) -> HashMap<String, String> {
    let Some(env) = get(service, "environment") else {
        return HashMap::new();
    };
    match &env.value {
        Value::Map(_) => entries(env)
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.to_string(), v.to_string())))
            .collect(),
        _ => strings(Some(env))
            .iter()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// `${NAME:-default}` gives (NAME, default); a plain value gives itself.
fn interpolation_default(value: &str) -> (Option<&str>, &str) {
    value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .and_then(|v| v.split_once(":-"))
        .map_or((None, value), |(name, default)| (Some(name), default))
}

/// A short-syntax volume `source:target[:mode]` as (source, target).
fn volume(spec: &str) -> (String, String) {
    let parts: Vec<&str> = spec.split(':').collect();
    match parts.as_slice() {
        [source, target] | [source, target, _] => (source.to_string(), target.to_string()),
        _ => (String::new(), spec.to_string()),
    }
}

fn resources(list: &str) -> BTreeSet<String> {
    list.split(',')
        .map(|r| r.trim().to_lowercase())
        .filter(|r| !r.is_empty())
        .collect()
}

// ---------------------------------------------------------------- XML

/// Just enough of an XML tree for cruise-config.xml.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &Element> {
        let name = name.to_string();
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn element(start: &BytesStart) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((attr.key.as_ref().to_string(), value.into_owned()));
    }
    Ok(Element {
        name: start.name().as_ref().to_string(),
        attrs,
        ..Element::default()
    })
}

fn parse_xml(xml: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(s) => stack.push(element(&s)?),
            Event::Empty(s) => {
                let e = element(&s)?;
                stack.last_mut().ok_or("unbalanced")?.children.push(e);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced")?;
                stack.last_mut().ok_or("unbalanced")?.children.push(done);
            }
            Event::Text(t) => {
                let text = t.into_inner().into_owned();
                stack.last_mut().ok_or("unbalanced")?.text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let entity = r.into_inner().into_owned();
                let resolved = quick_xml::escape::resolve_predefined_entity(&entity)
                    .ok_or(format!("unknown entity &{entity};"))?;
                stack
                    .last_mut()
                    .ok_or("unbalanced")?
                    .text
                    .push_str(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut document = stack.pop().ok_or("unbalanced")?;
    if !stack.is_empty() || document.children.len() != 1 {
        return Err("not one root element".into());
    }
    Ok(document.children.remove(0))
}

// ---------------------------------------------------------- Dockerfile

#[derive(Debug)]
struct Stage {
    /// The image or the earlier stage it starts from.
    from: String,
    name: Option<String>,
    /// (instruction in upper case, the rest of the line), continuations joined.
    instructions: Vec<(String, String)>,
}

fn dockerfile_stages(text: &str) -> Vec<Stage> {
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                logical.push(std::mem::take(&mut current));
            }
        }
    }
    let mut stages: Vec<Stage> = Vec::new();
    for line in logical {
        let (instruction, rest) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        let instruction = instruction.to_uppercase();
        let rest = rest.trim().to_string();
        if instruction == "FROM" {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.to_string()),
                _ => None,
            };
            stages.push(Stage {
                from: words.first().unwrap_or(&"").to_string(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push((instruction, rest));
        }
    }
    stages
}

/// The stages a build of `target` (the last stage when None) runs, from the
/// first to the target, and the image the first one starts from.
fn stage_chain<'a>(stages: &'a [Stage], target: Option<&str>) -> Option<(Vec<&'a Stage>, String)> {
    let mut stage = match target {
        Some(t) => stages.iter().find(|s| s.name.as_deref() == Some(t))?,
        None => stages.last()?,
    };
    let mut chain = vec![stage];
    while let Some(base) = stages
        .iter()
        .find(|s| s.name.as_deref() == Some(stage.from.as_str()))
    {
        if chain.len() > stages.len() {
            return None;
        }
        chain.push(base);
        stage = base;
    }
    chain.reverse();
    let image = chain[0].from.clone();
    Some((chain, image))
}

/// The instructions of a chain of stages, in build order.
fn instructions<'a>(chain: &[&'a Stage]) -> Vec<&'a (String, String)> {
    chain.iter().flat_map(|s| s.instructions.iter()).collect()
}

/// The arguments of an exec-form RUN (`RUN ["probe", ...]`), read as a YAML
/// flow sequence (a JSON array is one).
fn exec_form(rest: &str) -> Option<Vec<String>> {
    if !rest.starts_with('[') {
        return None;
    }
    let (node, _) = yaml::parse(rest).ok()?;
    let node = node?;
    matches!(node.value, Value::Seq(_)).then(|| strings(Some(&node)))
}

/// The probe self-check among these instructions: Ok(resources) for an
/// exec-form `RUN ["probe", "--resource", LIST]`, Err for a shell-form one.
fn self_check(instructions: &[&(String, String)]) -> Option<Result<BTreeSet<String>, String>> {
    instructions.iter().find_map(|(instruction, rest)| {
        if instruction != "RUN" {
            return None;
        }
        match exec_form(rest) {
            Some(args) if args.first().map(String::as_str) == Some("probe") => {
                match args.as_slice() {
                    [_, flag, list] if flag == "--resource" || flag == "-r" => {
                        Some(Ok(resources(list)))
                    }
                    _ => Some(Err(format!(
                        "`RUN {rest}` is not `RUN [\"probe\", \"--resource\", LIST]`"
                    ))),
                }
            }
            Some(_) => None,
            None if rest.split_whitespace().next() == Some("probe") => Some(Err(format!(
                "`RUN {rest}` is in shell form; use the exec form `RUN [\"probe\", ...]` \
                 (no shell needed in the image, and its exit status fails the build as is)"
            ))),
            None => None,
        }
    })
}

// ------------------------------------------------------------ globbing

/// Whether a path matches one of the YAML plugin's comma-separated,
/// Ant-style `file_pattern`s (`**` any number of folders, `*` and `?` within
/// one name).
fn file_pattern_matches(patterns: &str, path: &str) -> bool {
    fn segments(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.first(), path.first()) {
            (None, None) => true,
            (Some(&"**"), _) => {
                segments(&pattern[1..], path) || (!path.is_empty() && segments(pattern, &path[1..]))
            }
            (Some(p), Some(name)) => {
                name_matches(p.as_bytes(), name.as_bytes()) && segments(&pattern[1..], &path[1..])
            }
            _ => false,
        }
    }
    fn name_matches(pattern: &[u8], name: &[u8]) -> bool {
        match (pattern.first(), name.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                name_matches(&pattern[1..], name)
                    || (!name.is_empty() && name_matches(pattern, &name[1..]))
            }
            (Some(b'?'), Some(_)) => name_matches(&pattern[1..], &name[1..]),
            (Some(p), Some(n)) => p == n && name_matches(&pattern[1..], &name[1..]),
            _ => false,
        }
    }
    let path: Vec<&str> = path.split('/').collect();
    patterns.split(',').map(str::trim).any(|p| {
        let p: Vec<&str> = p.split('/').collect();
        segments(&p, &path)
    })
}

// -------------------------------------------------------------- checks

/// Every problem with the example; `read` gives a file's text by its path
/// relative to the example folder, `specs` the repository's specs.
fn problems(
    compose_text: &str,
    read: &dyn Fn(&str) -> Option<String>,
    specs: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut v = Vec::new();
    let compose = match yaml::parse(compose_text) {
        Ok((Some(doc), dups)) => {
            for d in dups {
                v.push(format!("docker-compose.yml:{}: {}", d.pos.line, d.message));
            }
            doc
        }
        Ok((None, _)) => return vec!["docker-compose.yml is empty".into()],
        Err(e) => return vec![format!("docker-compose.yml is not YAML: {}", e.message)],
    };
    let Some(services) = get(&compose, "services") else {
        return vec!["docker-compose.yml has no `services`".into()];
    };
    let services = entries(services);

    // The server config the agents must agree with.
    let config = match read("server/cruise-config.xml").map(|x| parse_xml(&x)) {
        Some(Ok(config)) => config,
        Some(Err(e)) => return vec![format!("server/cruise-config.xml is not XML: {e}")],
        None => return vec!["server/cruise-config.xml is missing".into()],
    };
    let key = config
        .child("server")
        .and_then(|s| s.attr("agentAutoRegisterKey"))
        .unwrap_or_default()
        .to_string();
    let repo_url = config_problems(&config, read, &mut v);

    // --- the server
    let servers: Vec<&(&str, &Node)> = services
        .iter()
        .filter(|(_, s)| text(s, "image").is_some_and(|i| i.starts_with("gocd/gocd-server:")))
        .collect();
    let [(server_name, server)] = servers.as_slice() else {
        v.push(format!(
            "expected one gocd/gocd-server service, found {}",
            servers.len()
        ));
        return v;
    };
    if text(server, "image") != Some(SERVER_IMAGE) {
        v.push(format!(
            "the server image is {:?}, expected {SERVER_IMAGE}",
            text(server, "image")
        ));
    }
    // GoCD 20.2.0 dropped the HTTPS port 8154: publish 8153 only.
    let ports = strings(get(server, "ports"));
    if ports.is_empty() {
        v.push("the server publishes no port; the UI is on 8153".into());
    }
    for p in &ports {
        let container = p.rsplit(':').next().unwrap_or("").trim_end_matches("/tcp");
        if container != "8153" {
            v.push(format!(
                "the server publishes container port {container} (`{p}`); GoCD serves only 8153 since 20.2.0"
            ));
        }
    }
    let server_volumes: Vec<(String, String)> = strings(get(server, "volumes"))
        .iter()
        .map(|s| volume(s))
        .collect();
    // The server rewrites its config: /godata/config stays writable and the
    // config arrives through a /docker-entrypoint.d script.
    for (source, target) in &server_volumes {
        if target == "/godata/config" || target.starts_with("/godata/config/") {
            v.push(format!(
                "`{source}` is mounted at {target}: the server rewrites its config, keep /godata/config writable and seed it from /docker-entrypoint.d"
            ));
        }
    }
    let seed_target = server_volumes
        .iter()
        .find(|(s, _)| s.trim_start_matches("./") == "server/cruise-config.xml")
        .map(|(_, t)| t.clone());
    let scripts: Vec<&(String, String)> = server_volumes
        .iter()
        .filter(|(_, t)| t.starts_with("/docker-entrypoint.d/"))
        .collect();
    match (&seed_target, scripts.as_slice()) {
        (Some(seed), [(script, _)]) => {
            let body = read(script.trim_start_matches("./")).unwrap_or_default();
            if !body.contains(seed.as_str()) || !body.contains("/godata/config/cruise-config.xml") {
                v.push(format!(
                    "{script} does not copy {seed} to /godata/config/cruise-config.xml"
                ));
            }
        }
        _ => v.push(
            "the server needs server/cruise-config.xml mounted and one /docker-entrypoint.d script that seeds it"
                .into(),
        ),
    }
    // The config repo URL: PROBE_REPO_URL's default, and this repository
    // mounted there.
    let server_env = environment(server);
    let (_, url_default) =
        interpolation_default(server_env.get("PROBE_REPO_URL").map_or("", String::as_str));
    if url_default != repo_url {
        v.push(format!(
            "PROBE_REPO_URL defaults to `{url_default}` but the config repo's url is `{repo_url}`"
        ));
    }
    let repo_mounted = |service: &Node| {
        strings(get(service, "volumes"))
            .iter()
            .map(|s| volume(s))
            .any(|(s, t)| s == "../.." && t == repo_url)
    };
    if !repo_mounted(server) {
        v.push(format!(
            "{server_name} does not mount the repository (../..) at the config repo's url {repo_url}"
        ));
    }

    // --- the agents
    let specs_lower: BTreeSet<&str> = specs.keys().map(String::as_str).collect();
    let uncovered = documented_uncovered(&read("README.md").unwrap_or_default());
    let lua_needs_busted = specs
        .get("lua")
        .is_some_and(|s| s.contains("command: busted"));
    if !lua_needs_busted {
        v.push(
            "probes/lua.yaml no longer checks for busted: the demo's failing agent lacks busted"
                .into(),
        );
    }
    let mut advertised: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut hostnames = BTreeSet::new();
    let (mut checked, mut broken) = (0, 0);
    for (name, service) in services.iter().filter(|(_, s)| get(s, "build").is_some()) {
        let at = format!("service {name}");
        let env = environment(service);
        // GO_SERVER_URL ends in /go (docs/gocd.md, "Docker agent images"), plain
        // HTTP on 8153 at the server's service name.
        let url = env.get("GO_SERVER_URL").map_or("", String::as_str);
        if url != format!("http://{server_name}:8153/go") {
            v.push(format!(
                "{at}: GO_SERVER_URL is `{url}`, expected http://{server_name}:8153/go"
            ));
        }
        // The agent's key must equal <server agentAutoRegisterKey>.
        let agent_key = env
            .get("AGENT_AUTO_REGISTER_KEY")
            .map_or("", String::as_str);
        if key.is_empty() || agent_key != key {
            v.push(format!(
                "{at}: AGENT_AUTO_REGISTER_KEY `{agent_key}` is not the server's agentAutoRegisterKey `{key}`"
            ));
        }
        let hostname = env
            .get("AGENT_AUTO_REGISTER_HOSTNAME")
            .map_or("", String::as_str);
        // Reports name the OS host name (GoCD has no variable for the agent's
        // name), so it must be the name the agent registers with.
        if hostname.is_empty() || text(service, "hostname") != Some(hostname) {
            v.push(format!(
                "{at}: `hostname:` {:?} differs from AGENT_AUTO_REGISTER_HOSTNAME `{hostname}`",
                text(service, "hostname")
            ));
        }
        if !hostnames.insert(hostname.to_string()) {
            v.push(format!("{at}: host name `{hostname}` is used twice"));
        }
        if !strings(get(service, "depends_on"))
            .iter()
            .any(|d| d == server_name)
        {
            v.push(format!("{at}: does not depend on {server_name}"));
        }
        if !repo_mounted(service) {
            v.push(format!(
                "{at}: does not mount the repository (../..) at {repo_url}: agents check the config repo out themselves"
            ));
        }
        let promised = resources(
            env.get("AGENT_AUTO_REGISTER_RESOURCES")
                .map_or("", String::as_str),
        );
        if promised.is_empty() {
            v.push(format!("{at}: advertises no resources"));
        }
        for r in &promised {
            if !specs_lower.contains(r.as_str()) && !uncovered.contains(r) {
                v.push(format!(
                    "{at}: resource `{r}` has no spec in probes/ and is not listed under `{UNCOVERED_SECTION}` in README.md"
                ));
            }
        }

        // --- its image
        let build = get(service, "build").expect("filtered on build");
        if text(build, "context") != Some(".") {
            v.push(format!(
                "{at}: build context must be `.` (the folder prepare.sh fills)"
            ));
        }
        let Some(dockerfile) = text(build, "dockerfile") else {
            v.push(format!("{at}: no build.dockerfile"));
            continue;
        };
        let Some(df) = read(dockerfile) else {
            v.push(format!("{at}: {dockerfile} is missing"));
            continue;
        };
        let at = format!("{at} ({dockerfile})");
        let stages = dockerfile_stages(&df);
        let target = text(build, "target");
        let Some((chain, image)) = stage_chain(&stages, target) else {
            v.push(format!("{at}: no stage {target:?}"));
            continue;
        };
        let built = instructions(&chain);
        // What a plain `docker build` of this Dockerfile runs.
        let (default_chain, default_image) = stage_chain(&stages, None).unwrap_or_default();
        let by_default = instructions(&default_chain);
        if image != AGENT_IMAGE || default_image != AGENT_IMAGE {
            v.push(format!("{at}: based on `{image}`, expected {AGENT_IMAGE}"));
        }
        let position = |list: &[&(String, String)], instruction: &str, rest: &str| {
            list.iter().position(|(i, r)| {
                i == instruction && r.split_whitespace().eq(rest.split_whitespace())
            })
        };
        let copy_binary = position(&built, "COPY", "probe /usr/local/bin/probe");
        let copy_specs = position(&built, "COPY", "probes/ /etc/probe/probes/");
        if copy_binary.is_none() {
            v.push(format!("{at}: no `COPY probe /usr/local/bin/probe`"));
        }
        if copy_specs.is_none() {
            v.push(format!("{at}: no `COPY probes/ /etc/probe/probes/`"));
        }
        // The self-check of a plain `docker build`: every agent image has one.
        let expected: BTreeSet<String> = promised.difference(&uncovered).cloned().collect();
        match self_check(&by_default) {
            None => v.push(format!(
                "{at}: no build-time self-check `RUN [\"probe\", \"--resource\", ...]`"
            )),
            Some(Err(e)) => v.push(format!("{at}: {e}")),
            Some(Ok(list)) if list != expected => v.push(format!(
                "{at}: the self-check's resources {list:?} are not what the agent advertises {expected:?}"
            )),
            Some(Ok(_)) => {}
        }
        let check_at = by_default.iter().position(|(i, r)| {
            i == "RUN"
                && exec_form(r).is_some_and(|a| a.first().map(String::as_str) == Some("probe"))
        });
        if let (Some(check), Some(copy)) = (
            check_at,
            position(&by_default, "COPY", "probe /usr/local/bin/probe"),
        ) {
            if check < copy {
                v.push(format!(
                    "{at}: the self-check runs before the probe is copied in"
                ));
            }
        }
        if let Some(check) = check_at {
            let user = by_default[..check]
                .iter()
                .rev()
                .find(|(i, _)| i == "USER")
                .map(|(_, u)| u.as_str());
            if user != Some("go") {
                v.push(format!(
                    "{at}: the self-check runs as {user:?}; run it as the agent's user `go`"
                ));
            }
        }
        // What compose builds: with the self-check, or deliberately without.
        let installs_busted = built
            .iter()
            .any(|(i, r)| i == "RUN" && r.contains("install busted"));
        let lacks_busted = promised.contains("lua") && lua_needs_busted && !installs_busted;
        let runs_check = self_check(&built).is_some();
        match (runs_check, lacks_busted) {
            (true, false) => checked += 1,
            (false, true) => broken += 1,
            (true, true) => v.push(format!(
                "{at}: advertises lua without busted, so its build-time self-check would fail the build; build the stage without it (target) for the demo"
            )),
            (false, false) => v.push(format!(
                "{at}: target {target:?} skips the build-time self-check, but this agent is not the deliberately broken one"
            )),
        }
        if runs_check && copy_binary.is_none() {
            v.push(format!(
                "{at}: runs the self-check without the probe in the image"
            ));
        }
        advertised.push((name.to_string(), promised));
    }
    if advertised.len() != 2 {
        v.push(format!("expected two agents, found {}", advertised.len()));
    }
    for (i, (a, ra)) in advertised.iter().enumerate() {
        for (b, rb) in &advertised[i + 1..] {
            if ra == rb {
                v.push(format!("{a} and {b} advertise the same resources {ra:?}"));
            }
        }
    }
    if checked == 0 {
        v.push("no agent is built with its self-check and everything it promises".into());
    }
    if broken == 0 {
        v.push(
            "no agent lacks busted while advertising lua: the demo would show no failure".into(),
        );
    }

    // --- the README says plainly what was and was not tested
    let readme = read("README.md").unwrap_or_default();
    for needed in [
        "./prepare.sh && docker compose up -d",
        "has not been run against a live GoCD server",
        UNCOVERED_SECTION,
    ] {
        if !readme.contains(needed) {
            v.push(format!("README.md does not say `{needed}`"));
        }
    }
    v
}

/// Checks the server config; returns the config repo's git URL.
fn config_problems(
    config: &Element,
    read: &dyn Fn(&str) -> Option<String>,
    v: &mut Vec<String>,
) -> String {
    if config.name != "cruise" || config.attr("schemaVersion") != Some(SCHEMA_VERSION) {
        v.push(format!(
            "cruise-config.xml: root must be <cruise schemaVersion=\"{SCHEMA_VERSION}\">, is <{} schemaVersion={:?}>",
            config.name,
            config.attr("schemaVersion")
        ));
    }
    // cruise-config.xsd: <cruise> is a sequence, so the order matters.
    let mut last = 0;
    for child in &config.children {
        match XSD_ORDER.iter().position(|n| *n == child.name) {
            Some(i) if i >= last => last = i,
            Some(_) => v.push(format!(
                "cruise-config.xml: <{}> is out of the schema's order {XSD_ORDER:?}",
                child.name
            )),
            None => v.push(format!(
                "cruise-config.xml: unknown element <{}>",
                child.name
            )),
        }
    }
    let key = config
        .child("server")
        .and_then(|s| s.attr("agentAutoRegisterKey"))
        .unwrap_or_default();
    if key.trim().is_empty() {
        v.push("cruise-config.xml: <server agentAutoRegisterKey> is missing".into());
    }
    let repos: Vec<&Element> = config
        .child("config-repos")
        .map(|c| c.all("config-repo").collect())
        .unwrap_or_default();
    let [repo] = repos.as_slice() else {
        v.push(format!(
            "cruise-config.xml: expected one <config-repo>, found {}",
            repos.len()
        ));
        return String::new();
    };
    if repo.attr("pluginId") != Some("yaml.config.plugin") || repo.attr("id").is_none() {
        v.push(
            "cruise-config.xml: the config repo needs id and pluginId=\"yaml.config.plugin\""
                .into(),
        );
    }
    let git = repo.child("git");
    let url = git
        .and_then(|g| g.attr("url"))
        .unwrap_or_default()
        .to_string();
    if url.is_empty() || git.and_then(|g| g.attr("branch")) != Some("main") {
        v.push("cruise-config.xml: the config repo needs <git url=... branch=\"main\">".into());
    }
    // The file pattern picks the demo pipeline and none of the repository's
    // own *.gocd.yaml, which need a `rust` agent this demo has not.
    let pattern = repo
        .child("configuration")
        .into_iter()
        .flat_map(|c| c.all("property"))
        .find(|p| p.child("key").map(|k| k.text.trim()) == Some("file_pattern"))
        .and_then(|p| p.child("value"))
        .map(|v| v.text.trim().to_string())
        // The plugin's default (docs/gocd.md, "YAML config plugin").
        .unwrap_or_else(|| "**/*.gocd.yaml,**/*.gocd.yml".into());
    let demo = format!("{EXAMPLE}/{DEMO_PIPELINE}");
    if !file_pattern_matches(&pattern, &demo) {
        v.push(format!(
            "cruise-config.xml: file_pattern `{pattern}` does not match {demo}"
        ));
    }
    for own in repository_gocd_files() {
        if file_pattern_matches(&pattern, &own) {
            v.push(format!(
                "cruise-config.xml: file_pattern `{pattern}` also loads {own}, whose pipelines need agents the demo has not"
            ));
        }
    }
    // Since GoCD 20.2.0 the rules must allow the pipelines' group.
    let allowed: Vec<&str> = repo
        .child("rules")
        .into_iter()
        .flat_map(|r| r.all("allow"))
        .filter(|a| a.attr("action") == Some("refer") && a.attr("type") == Some("pipeline_group"))
        .map(|a| a.text.trim())
        .collect();
    let pipeline = read(DEMO_PIPELINE).unwrap_or_default();
    match yaml::parse(&pipeline) {
        Ok((Some(doc), _)) => {
            let pipelines = get(&doc, "pipelines").map(entries).unwrap_or_default();
            if pipelines.is_empty() {
                v.push(format!("{DEMO_PIPELINE}: no pipelines"));
            }
            for (name, p) in pipelines {
                let group = text(p, "group").unwrap_or_default();
                if !allowed.iter().any(|a| *a == group || *a == "*") {
                    v.push(format!(
                        "pipeline {name}: group `{group}` is not allowed by the config repo's rules {allowed:?}"
                    ));
                }
            }
        }
        _ => v.push(format!("{DEMO_PIPELINE} is missing or not YAML")),
    }
    url
}

/// The repository's own GoCD YAML, relative to its root.
fn repository_gocd_files() -> Vec<String> {
    let mut files = vec!["ci.gocd.yaml".to_string()];
    if let Ok(dir) = fs::read_dir(root().join("pipelines")) {
        for entry in dir.filter_map(Result::ok) {
            files.push(format!("pipelines/{}", entry.file_name().to_string_lossy()));
        }
    }
    // Whether or not pipelines/ holds it yet: the shipped pipeline's name.
    files.push("pipelines/agent-infrastructure.gocd.yaml".into());
    files
}

/// The names listed as `- \`name\`` under the README's uncovered section.
fn documented_uncovered(readme: &str) -> BTreeSet<String> {
    let Some(start) = readme.find(UNCOVERED_SECTION) else {
        return BTreeSet::new();
    };
    readme[start + UNCOVERED_SECTION.len()..]
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.trim().strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_lowercase)
        .collect()
}

// --------------------------------------------------------------- tests

#[test]
fn the_example_is_consistent() {
    let v = current_problems();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn every_check_catches_its_mistake() {
    let compose = read_example("docker-compose.yml").expect("compose");
    let specs = repository_specs();
    // (file, text to replace, its replacement, a problem that must appear)
    let mutations: &[(&str, &str, &str, &str)] = &[
        ("docker-compose.yml", "image: gocd/gocd-server:v26.1.0", "image: gocd/gocd-server:v17.9.0", "the server image"),
        ("docker-compose.yml", "127.0.0.1:8153:8153", "127.0.0.1:8154:8154", "container port 8154"),
        ("docker-compose.yml", "\"127.0.0.1:8153:8153\"", "\"127.0.0.1:8153:8153\"\n      - \"8154:8154\"", "container port 8154"),
        ("docker-compose.yml", "http://go-server:8153/go", "https://go-server:8154/go", "GO_SERVER_URL"),
        ("docker-compose.yml", "http://go-server:8153/go", "http://go-server:8153", "GO_SERVER_URL"),
        ("docker-compose.yml", "AGENT_AUTO_REGISTER_KEY: probe-demo-5c1e0a9b7d3f4e26", "AGENT_AUTO_REGISTER_KEY: 123456789abcdef", "AGENT_AUTO_REGISTER_KEY"),
        ("server/cruise-config.xml", "agentAutoRegisterKey=\"probe-demo-5c1e0a9b7d3f4e26\"", "agentAutoRegisterKey=\"123456789abcdef\"", "AGENT_AUTO_REGISTER_KEY"),
        ("docker-compose.yml", "AGENT_AUTO_REGISTER_RESOURCES: linux,lua\n", "AGENT_AUTO_REGISTER_RESOURCES: lua,LINUX,java\n", "advertise the same resources"),
        ("docker-compose.yml", "AGENT_AUTO_REGISTER_RESOURCES: linux,lua,java", "AGENT_AUTO_REGISTER_RESOURCES: linux,lua,java,cobol", "resource `cobol` has no spec"),
        ("docker-compose.yml", "hostname: agent-2", "hostname: agent-x", "differs from AGENT_AUTO_REGISTER_HOSTNAME"),
        ("docker-compose.yml", "target: agent\n", "target: checked\n", "its build-time self-check would fail"),
        ("docker-compose.yml", "target: checked\n", "target: agent\n", "is not the deliberately broken one"),
        ("docker-compose.yml", "      - godata-server:/godata", "      - godata-server:/godata\n      - ./server:/godata/config", "keep /godata/config writable"),
        ("docker-compose.yml", "      - ../..:/srv/probe:ro\n\n  # Has", "\n  # Has", "go-server does not mount the repository"),
        ("docker-compose.yml", "${PROBE_REPO_URL:-/srv/probe}", "${PROBE_REPO_URL:-https://example.com/probe.git}", "PROBE_REPO_URL defaults to"),
        ("docker-compose.yml", "      - ./server/docker-entrypoint.d/50-seed-config.sh:/docker-entrypoint.d/50-seed-config.sh:ro\n", "", "one /docker-entrypoint.d script"),
        ("agent-lua-full/Dockerfile", "FROM gocd/gocd-agent-ubuntu-24.04:v26.1.0", "FROM gocd/gocd-agent-ubuntu-24.04:v25.1.0", "expected gocd/gocd-agent-ubuntu-24.04:v26.1.0"),
        ("agent-lua-full/Dockerfile", "COPY probe /usr/local/bin/probe\n", "", "no `COPY probe /usr/local/bin/probe`"),
        ("agent-lua-partial/Dockerfile", "COPY probes/ /etc/probe/probes/\n", "", "no `COPY probes/ /etc/probe/probes/`"),
        ("agent-lua-full/Dockerfile", "RUN [\"probe\", \"--resource\", \"linux,lua,java\"]", "RUN probe --resource linux,lua,java", "shell form"),
        ("agent-lua-full/Dockerfile", "RUN [\"probe\", \"--resource\", \"linux,lua,java\"]", "RUN [\"true\"]", "no build-time self-check"),
        ("agent-lua-partial/Dockerfile", "\"--resource\", \"linux,lua\"]", "\"--resource\", \"lua\"]", "are not what the agent advertises"),
        ("agent-lua-full/Dockerfile", "USER go\n", "", "runs as Some(\"root\")"),
        ("agent-lua-full/Dockerfile", "COPY probe /usr/local/bin/probe\n", "RUN [\"probe\", \"--resource\", \"linux,lua,java\"]\nCOPY probe /usr/local/bin/probe\n", "runs before the probe is copied in"),
        ("agent-lua-full/Dockerfile", "luarocks --lua-version=5.4 install busted && \\\n", "", "its build-time self-check would fail"),
        ("server/cruise-config.xml", "schemaVersion=\"139\"", "schemaVersion=\"138\"", "root must be <cruise schemaVersion=\"139\">"),
        ("server/cruise-config.xml", "<cruise schemaVersion=\"139\">", "<cruise schemaVersion=\"139\">\n  <pipelines group=\"x\" />", "out of the schema's order"),
        ("server/cruise-config.xml", "branch=\"main\"", "branch=\"master\"", "branch=\"main\""),
        ("server/cruise-config.xml", "<value>examples/gocd-compose/pipelines/*.yaml</value>", "<value>**/*.gocd.yaml</value>", "does not match"),
        ("server/cruise-config.xml", "<value>examples/gocd-compose/pipelines/*.yaml</value>", "<value>**/*.yaml</value>", "also loads ci.gocd.yaml"),
        ("server/cruise-config.xml", "pipeline_group\">probe</allow>", "pipeline_group\">other</allow>", "is not allowed by the config repo's rules"),
        ("server/cruise-config.xml", "<git url=\"/srv/probe\"", "<git url=\"/srv/elsewhere\"", "does not mount the repository"),
        ("server/cruise-config.xml", "yaml.config.plugin", "json.config.plugin", "pluginId=\"yaml.config.plugin\""),
        ("README.md", "has not been run against a live GoCD server", "works", "has not been run against a live GoCD server"),
    ];
    let mut missed = Vec::new();
    for (file, from, to, expected) in mutations {
        let original = if *file == "docker-compose.yml" {
            compose.clone()
        } else {
            read_example(file).unwrap_or_else(|| panic!("{file} exists"))
        };
        assert!(
            original.contains(from),
            "{file} no longer contains {from:?}; update this mutation"
        );
        let broken = original.replacen(from, to, 1);
        let read = |rel: &str| {
            if rel == *file {
                Some(broken.clone())
            } else {
                read_example(rel)
            }
        };
        let compose_text = if *file == "docker-compose.yml" {
            &broken
        } else {
            &compose
        };
        let v = problems(compose_text, &read, &specs);
        if !v.iter().any(|p| p.contains(expected)) {
            missed.push(format!(
                "{file}: {from:?} -> {to:?} should report {expected:?}, got {v:#?}"
            ));
        }
    }
    // Resources without a spec pass once the README lists them.
    let with_cobol = compose.replacen("linux,lua,java", "linux,lua,java,cobol", 1);
    let readme = read_example("README.md").expect("README").replacen(
        UNCOVERED_SECTION,
        &format!("{UNCOVERED_SECTION}\n\n- `COBOL`: demo"),
        1,
    );
    let full = read_example("agent-lua-full/Dockerfile").expect("Dockerfile");
    let read = |rel: &str| match rel {
        "README.md" => Some(readme.clone()),
        "agent-lua-full/Dockerfile" => Some(full.clone()),
        _ => read_example(rel),
    };
    let v = problems(&with_cobol, &read, &specs);
    assert!(
        !v.iter().any(|p| p.contains("cobol")),
        "a documented uncovered resource is still reported: {v:#?}"
    );
    assert!(missed.is_empty(), "{}", missed.join("\n\n"));
}

#[test]
fn the_helpers_read_what_they_are_given() {
    assert!(file_pattern_matches(
        "examples/gocd-compose/pipelines/*.yaml",
        "examples/gocd-compose/pipelines/agent-infrastructure.yaml"
    ));
    assert!(!file_pattern_matches(
        "examples/gocd-compose/pipelines/*.yaml",
        "ci.gocd.yaml"
    ));
    assert!(file_pattern_matches(
        "**/*.gocd.yaml,**/*.gocd.yml",
        "ci.gocd.yaml"
    ));
    assert!(file_pattern_matches(
        "**/*.gocd.yaml",
        "pipelines/a.gocd.yaml"
    ));
    assert!(!file_pattern_matches("**/*.gocd.yaml", "pipelines/a.yaml"));
    assert_eq!(
        interpolation_default("${PROBE_REPO_URL:-/srv/probe}"),
        (Some("PROBE_REPO_URL"), "/srv/probe")
    );
    assert_eq!(interpolation_default("plain"), (None, "plain"));
    assert_eq!(
        resources(" Linux, lua,,LUA "),
        ["linux", "lua"].map(String::from).into()
    );
    let stages = dockerfile_stages(
        "# c\nFROM base:1 AS a\nRUN x && \\\n  # inner\n  y\nFROM a AS b\nRUN [\"probe\", \"-r\", \"Lua\"]\nFROM other\n",
    );
    assert_eq!(stages.len(), 3);
    assert_eq!(
        stages[0].instructions,
        [("RUN".to_string(), "x &&  y".to_string())]
    );
    let (chain, image) = stage_chain(&stages, Some("b")).expect("chain");
    assert_eq!((chain.len(), image.as_str()), (2, "base:1"));
    assert_eq!(
        self_check(&instructions(&chain)),
        Some(Ok(["lua".to_string()].into()))
    );
    let (chain, image) = stage_chain(&stages, None).expect("chain");
    assert_eq!((chain.len(), image.as_str()), (1, "other"));
    assert_eq!(self_check(&instructions(&chain)), None);
}

/// The demo pipeline is `probe pipeline`'s output (default options: the
/// probe on the agents' PATH, one run-on-all job without resources), so the
/// generator's own tests (tests/it/gocd_yaml.rs) vouch for its GoCD rules.
#[test]
fn the_demo_pipeline_is_what_probe_pipeline_generates() {
    let file = example_dir().join(DEMO_PIPELINE);
    assert_generated_by_probe_pipeline(
        &file,
        &[],
        &format!("probe pipeline -o {EXAMPLE}/{DEMO_PIPELINE}"),
    );
    let generated = fs::read_to_string(&file).expect("the demo pipeline");
    // The job runs `probe` from PATH: the images put it in /usr/local/bin.
    assert!(generated.contains("command: probe\n"), "{generated}");
    assert!(generated.contains("run_instances: all\n"), "{generated}");
}

/// The repository mount `../..` really is the repository, and the files the
/// compose file mounts exist; the seed script is executable, or the server
/// image's entrypoint skips it.
#[test]
fn mounted_paths_exist_and_the_seed_script_is_executable() {
    let dir = example_dir();
    assert!(
        dir.join("../../Cargo.toml").is_file(),
        "../.. is not the repository root"
    );
    assert!(dir.join("../../probes").is_dir());
    let compose = read_example("docker-compose.yml").expect("compose");
    let (doc, _) = yaml::parse(&compose).expect("YAML");
    let doc = doc.expect("document");
    let services = get(&doc, "services").expect("services");
    for (name, service) in entries(services) {
        for (source, _) in strings(get(service, "volumes")).iter().map(|s| volume(s)) {
            if source.starts_with('.') {
                assert!(
                    dir.join(&source).exists(),
                    "service {name}: {source} does not exist"
                );
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for script in ["server/docker-entrypoint.d/50-seed-config.sh", "prepare.sh"] {
            let mode = fs::metadata(dir.join(script))
                .expect(script)
                .permissions()
                .mode();
            assert!(
                mode & 0o111 == 0o111,
                "{script} is not executable (mode {mode:o})"
            );
        }
    }
    // The build context lets through what the Dockerfiles COPY.
    let ignore = read_example(".dockerignore").expect(".dockerignore");
    for needed in ["!probe", "!probes/"] {
        assert!(
            ignore.lines().any(|l| l.trim() == needed),
            ".dockerignore lacks {needed}"
        );
    }
}

/// Runs the seed script on a scratch copy of its paths: it writes the config
/// once, with PROBE_REPO_URL in place of the mounted URL, keeps an existing
/// one, and refuses a URL that would break the XML.
#[cfg(unix)]
#[test]
fn the_seed_script_copies_the_config_once() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = tempfile::tempdir().expect("tempdir");
    let base = scratch.path();
    let script = read_example("server/docker-entrypoint.d/50-seed-config.sh").expect("script");
    for absolute in ["/gocd-seed/cruise-config.xml", "/godata/config"] {
        assert!(
            script.contains(absolute),
            "the script no longer uses {absolute}"
        );
    }
    let script = script
        .replace("/gocd-seed/", &format!("{}/seed/", base.display()))
        .replace("/godata/", &format!("{}/godata/", base.display()));
    fs::create_dir_all(base.join("seed")).expect("mkdir");
    fs::create_dir_all(base.join("bin")).expect("mkdir");
    fs::copy(
        example_dir().join("server/cruise-config.xml"),
        base.join("seed/cruise-config.xml"),
    )
    .expect("copy");
    fs::write(base.join("seed.sh"), script).expect("write");
    // git is the container's business here (tests/it/docker.rs runs the script
    // in a container as the server image's user): a stub.
    let git = base.join("bin").join("git");
    fs::write(&git, "#!/bin/sh\nexit 0\n").expect("stub");
    fs::set_permissions(&git, fs::Permissions::from_mode(0o755)).expect("chmod");
    let run = |url: Option<&str>| {
        let mut c = Command::new("sh");
        c.arg(base.join("seed.sh"))
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", base.join("bin").display()),
            )
            .env_remove("PROBE_REPO_URL");
        if let Some(url) = url {
            c.env("PROBE_REPO_URL", url);
        }
        c.output().expect("run seed script")
    };
    let seeded = base.join("godata/config/cruise-config.xml");
    let url_of = || {
        let xml = fs::read_to_string(&seeded).expect("seeded config");
        let config = parse_xml(&xml).expect("seeded config is XML");
        config
            .child("config-repos")
            .and_then(|c| c.child("config-repo"))
            .and_then(|r| r.child("git"))
            .and_then(|g| g.attr("url"))
            .map(str::to_string)
    };

    let o = run(None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(url_of().as_deref(), Some("/srv/probe"));

    fs::remove_file(&seeded).expect("rm");
    let o = run(Some("https://git.example.com/me/probe.git"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        url_of().as_deref(),
        Some("https://git.example.com/me/probe.git")
    );

    // A later start keeps the server's own copy.
    fs::write(&seeded, "<cruise schemaVersion=\"139\" edited=\"yes\"/>").expect("write");
    let o = run(Some("/elsewhere"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(fs::read_to_string(&seeded)
        .expect("read")
        .contains("edited"));

    fs::remove_file(&seeded).expect("rm");
    let o = run(Some("https://example.com/a?b=1&c=2"));
    assert!(!o.status.success(), "a URL with & was accepted");
    assert!(!seeded.exists());
}

/// `docker-compose config -q` (or `docker compose config -q`) validates the
/// file against Compose's own schema, without a daemon or a registry. Where
/// neither is installed the test says so loudly; with
/// PROBE_REQUIRE_COMPOSE=1 it fails instead.
#[test]
fn docker_compose_accepts_the_file() {
    let file = example_dir().join("docker-compose.yml");
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let tool: Option<(&str, &[&str])> = if works("docker-compose", &[]) {
        Some(("docker-compose", &[]))
    } else if works("docker", &["compose"]) {
        Some(("docker", &["compose"]))
    } else {
        None
    };
    let Some((program, args)) = tool else {
        assert!(
            std::env::var_os("PROBE_REQUIRE_COMPOSE").is_none(),
            "PROBE_REQUIRE_COMPOSE is set but neither docker-compose nor `docker compose` works"
        );
        // Written to stderr directly, past the test harness's capture, so
        // that a passing run still shows it.
        let _ = writeln!(
            std::io::stderr(),
            "\n**********\nSKIPPED: docker-compose not installed; {} validated only structurally \
             (set PROBE_REQUIRE_COMPOSE=1 to make this a failure)\n**********",
            file.display()
        );
        return;
    };
    let o = Command::new(program)
        .args(args)
        .arg("-f")
        .arg(&file)
        .args(["config", "-q"])
        .env_remove("PROBE_REPO_URL")
        .output()
        .expect("run compose");
    assert!(
        o.status.success(),
        "{program} {args:?} config -q rejected {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // And it rejects what it should: the check is not a no-op.
    let scratch = tempfile::tempdir().expect("tempdir");
    let bad = scratch.path().join("docker-compose.yml");
    fs::write(
        &bad,
        "services:\n  go-server:\n    image: [not, a, string]\n",
    )
    .expect("write");
    let o = Command::new(program)
        .args(args)
        .arg("-f")
        .arg(&bad)
        .args(["config", "-q"])
        .output()
        .expect("run compose");
    assert!(
        !o.status.success(),
        "{program} accepted an invalid compose file"
    );
}
