//! The fleet from made-up agent reports: who fails on what, drift, names,
//! findings, and each format read back.

use serde_json::json;

use super::render::{self, Origin, TextOptions};
use super::*;

/// A report of `host` advertising `resources`, with `checks` as
/// `(id, status, actual)`.
fn report(host: &str, resources: Option<&[&str]>, checks: &[(&str, &str, &str)]) -> Source {
    let ok = checks
        .iter()
        .all(|(_, s, _)| matches!(*s, "pass" | "skipped"));
    let checks: Vec<serde_json::Value> = checks
        .iter()
        .map(|(id, status, actual)| {
            let (resource, rest) = id.split_once('/').unwrap_or(("r", id));
            let (kind, subject) = rest.split_once(':').unwrap_or(("command", rest));
            json!({
                "id": id, "resource": resource, "kind": kind, "subject": subject,
                "name": format!("{kind} {subject}"), "status": status,
                "message": format!("{subject} {actual} on {host}"),
                "expected": "`lua` on PATH, version >=5.3", "actual": actual,
                "found_in": "line 1 of stdout: \"Lua 5.4.6\"", "location": "/usr/bin/lua",
                "output": "Lua 5.4.6", "hint": "install lua5.4",
            })
        })
        .collect();
    let value = json!({
        "schema": "probe-report/1",
        "host": {"hostname": host, "os": "linux", "os_name": "Debian 12", "arch": "x86_64"},
        "agent": resources.map(|r| json!({
            "resources": r, "job_name": format!("probe-runOnAll-{}", host.len()),
            "pipeline_name": "agent-infrastructure", "pipeline_counter": "42",
        })),
        "checks": checks,
        "summary": {"ok": ok},
    });
    Source::read(format!("{host}.json"), value.to_string().as_bytes(), None).expect("a report")
}

fn options() -> FleetOptions {
    FleetOptions {
        min_free_space: 5 << 30,
        ..FleetOptions::default()
    }
}

fn fleet_of_three() -> Fleet {
    Fleet::build(
        vec![
            report(
                "agent-2",
                Some(&["linux", "lua"]),
                &[
                    ("common/disk:.", "pass", "70 GiB free"),
                    ("lua/command:lua", "fail", "5.1.5"),
                ],
            ),
            report(
                "agent-1",
                Some(&["linux", "lua"]),
                &[
                    ("common/disk:.", "pass", "80 GiB free"),
                    ("lua/command:lua", "pass", "5.4.6"),
                ],
            ),
            report(
                "agent-3",
                Some(&["linux"]),
                &[("common/disk:.", "pass", "90 GiB free")],
            ),
        ],
        None,
        &options(),
    )
}

#[test]
fn agents_are_sorted_and_each_check_is_a_row_with_a_cell_per_agent() {
    let fleet = fleet_of_three();
    let names: Vec<&str> = fleet.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["agent-1", "agent-2", "agent-3"]);
    assert_eq!(fleet.resources(), ["common", "lua"]);
    let lua = fleet
        .rows
        .iter()
        .find(|r| r.id == "lua/command:lua")
        .expect("lua row");
    assert_eq!(lua.ran_on(), 2);
    assert!(lua.cells[2].is_none(), "agent-3 does not advertise lua");
    let failing: Vec<&str> = lua
        .failing_agents(&fleet.agents)
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(failing, ["agent-2"]);
    assert!(!fleet.ok());
    // lua's own tool fails there: left out of what it could advertise.
    assert_eq!(
        fleet.agents[1].plan.drop,
        [("lua".to_string(), "lua: command lua".to_string())]
    );
}

#[test]
fn drift_is_the_values_found_most_frequent_first_but_not_for_measurements() {
    let fleet = Fleet::build(
        vec![
            report(
                "a",
                None,
                &[
                    ("java/command:java", "pass", "17.0.8"),
                    ("common/memory:1", "pass", "8 GiB"),
                ],
            ),
            report(
                "b",
                None,
                &[
                    ("java/command:java", "pass", "17.0.2"),
                    ("common/memory:1", "pass", "16 GiB"),
                ],
            ),
            report(
                "c",
                None,
                &[
                    ("java/command:java", "pass", "17.0.8"),
                    ("common/memory:1", "pass", "8 GiB"),
                ],
            ),
        ],
        None,
        &options(),
    );
    let java = &fleet.rows[0];
    assert_eq!(
        java.values,
        [("17.0.8".to_string(), 2), ("17.0.2".to_string(), 1)]
    );
    assert!(java.drifts());
    let memory = &fleet.rows[1];
    assert!(memory.values.is_empty() && !memory.drifts(), "{memory:?}");
    assert!(fleet.ok(), "drift alone does not fail");
    // The agents that differ are named, in every form; the majority is
    // counted.
    let text = render::human(&fleet, &Origin::default(), TextOptions::default());
    assert!(
        text.contains(
            "Differences between agents\n  java: command java: 17.0.8 on 2 · 17.0.2 on 1: b\n"
        ),
        "{text}"
    );
    let page = render::html(&fleet, &Origin::default());
    assert!(
        page.contains("<span class=\"found\">17.0.8</span> ×2 · <span class=\"found\">17.0.2</span> ×1: <a href=\"#agent-1\">b</a>"),
        "{page}"
    );
    // Each agent against most agents, or against a baseline.
    let b = fleet.agents.iter().position(|a| a.name == "b").expect("b");
    let differs = fleet.differences(b, None);
    assert_eq!(differs.len(), 1);
    assert_eq!((differs[0].1, differs[0].2), ("17.0.2", "17.0.8"));
    assert!(fleet.differences(0, None).is_empty());
    assert_eq!(fleet.differences(0, Some(b))[0].1, "17.0.8");
    assert!(page.contains("Differs from most agents: java: command java <span class=\"found drift\">17.0.2</span> (not 17.0.8)"), "{page}");
    let strict = Fleet::build(
        fleet_sources_again(),
        None,
        &FleetOptions {
            fail_on_drift: true,
            ..options()
        },
    );
    assert!(!strict.ok(), "--fail-on-drift");
}

fn fleet_sources_again() -> Vec<Source> {
    vec![
        report("a", None, &[("java/command:java", "pass", "17.0.8")]),
        report("b", None, &[("java/command:java", "pass", "21.0.1")]),
    ]
}

#[test]
fn two_agents_on_one_host_get_their_job_in_their_name() {
    let fleet = Fleet::build(
        vec![
            report("build-1", Some(&["a"]), &[]),
            report("build-1", None, &[]),
            report("BUILD-1", None, &[]),
        ],
        None,
        &options(),
    );
    let names: Vec<&str> = fleet.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["BUILD-1 #1", "build-1 #2", "build-1 (probe-runOnAll-7)"]
    );
}

#[test]
fn specs_and_advertised_resources_are_cross_checked() {
    let mut options = options();
    options.specs = Some(vec![
        "common".into(),
        "linux".into(),
        "lua".into(),
        "gradle".into(),
    ]);
    let fleet = Fleet::build(
        vec![
            report("a", Some(&["linux", "lua", "gradel"]), &[]),
            report("b", Some(&["linux"]), &[]),
        ],
        None,
        &options,
    );
    let messages: Vec<&str> = fleet.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        ["resource `gradel` is advertised by a but no spec covers it (did you mean `gradle`?)"]
    );
    // With GoCD's agents, a spec no enabled agent advertises is named too.
    let gocd = vec![gocd_agent(
        "u1",
        "a",
        "Enabled",
        "Idle",
        &["linux", "lua"],
        50 << 30,
    )];
    let mut with_uuid = report("a", Some(&["linux", "lua"]), &[]);
    with_uuid.gocd_uuid = Some("u1".into());
    let fleet = Fleet::build(vec![with_uuid], Some(&gocd), &options);
    let messages: Vec<&str> = fleet.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        ["no enabled agent advertises `gradle`: GoCD refuses to trigger a run-on-all job that asks for it (\"Could not find matching agents\")"]
    );
    assert!(
        fleet.findings.iter().all(|f| !f.failing),
        "warnings unless --strict"
    );
    options.strict = true;
    let strict = Fleet::build(
        vec![report("a", Some(&["linux", "lua", "gradel"]), &[])],
        None,
        &options,
    );
    assert!(strict.findings.iter().all(|f| f.failing));
    assert!(!strict.ok());
}

fn gocd_agent(
    uuid: &str,
    host: &str,
    config: &str,
    state: &str,
    resources: &[&str],
    free: u64,
) -> GocdAgent {
    GocdAgent {
        uuid: uuid.into(),
        hostname: host.into(),
        config_state: config.into(),
        state: state.into(),
        resources: Some(resources.iter().map(ToString::to_string).collect()),
        free_space: Some(free),
        environments: Vec::new(),
    }
}

#[test]
fn gocd_names_the_agents_that_sent_nothing_or_are_gone_or_low_on_disk() {
    let mut with_uuid = report("agent-1", Some(&["linux"]), &[]);
    with_uuid.gocd_uuid = Some("u1".into());
    let mut disabled = report("agent-4", Some(&["linux"]), &[]);
    disabled.gocd_uuid = Some("u4".into());
    let gocd = vec![
        gocd_agent("u1", "agent-1", "Enabled", "Idle", &["linux"], 50 << 30),
        gocd_agent(
            "u2",
            "agent-2",
            "Enabled",
            "LostContact",
            &["linux"],
            50 << 30,
        ),
        gocd_agent("u3", "agent-3", "Disabled", "Idle", &["linux"], 50 << 30),
        gocd_agent("u4", "agent-4", "Disabled", "Idle", &["linux"], 1 << 30),
        GocdAgent {
            resources: None,
            ..gocd_agent("u5", "elastic-5", "Enabled", "Building", &[], 0)
        },
        gocd_agent("u6", "agent-6", "Enabled", "Idle", &["linux"], 2 << 30),
    ];
    let fleet = Fleet::build(vec![with_uuid, disabled], Some(&gocd), &options());
    let messages: Vec<&str> = fleet.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "agent agent-2 (u2) sent no report; GoCD says it is lost (it lost contact with the server)",
            "agent agent-3 is disabled in GoCD, so it was not checked; it advertises linux",
            "agent agent-4 sent a report, but GoCD now says it is disabled and idle",
            "agent agent-6 (u6) sent no report; GoCD says it is idle",
            "agent agent-6 has 2.0 GiB free in its working directory (GoCD's free_space), less than 5.0 GiB",
        ]
    );
    // An agent that sent nothing fails the fleet; the others warn.
    assert_eq!(fleet.findings.iter().filter(|f| f.failing).count(), 2);
    assert_eq!(fleet.agents[0].gocd_state.as_deref(), Some("Enabled, Idle"));
}

#[test]
fn what_each_agent_could_advertise_is_safe_to_paste() {
    // Advertises a misspelt resource, one no spec checks, linux failing a
    // PATH condition, java lacking its version, and fails common.yaml.
    let mut source = report(
        "a",
        Some(&["linux", "java", "pyhton", "terraform", "lua"]),
        &[
            (
                "linux/path_contains:/usr/local/bin",
                "fail",
                "/usr/bin:/bin",
            ),
            ("linux/platform:linux", "pass", "linux"),
            ("java/command:java", "fail", "11.0.21"),
            ("lua/command:lua", "pass", "5.4.6"),
            ("common/disk:/tmp", "fail", "200 MiB free"),
        ],
    );
    source.report.suggest = Some(report::Suggest {
        passes: vec!["gradle".into(), "node".into()],
        fails: vec!["docker".into()],
    });
    let mut other = report(
        "b",
        Some(&["linux"]),
        &[("linux/platform:linux", "pass", "linux")],
    );
    other.report.suggest = Some(report::Suggest {
        passes: vec!["node".into()],
        fails: vec![],
    });
    let specs: Vec<String> = ["common", "linux", "java", "python", "lua", "gradle", "node"]
        .map(String::from)
        .to_vec();
    let fleet = Fleet::build(
        vec![source, other],
        None,
        &FleetOptions {
            specs: Some(specs),
            ..options()
        },
    );
    let plan = &fleet.agents[0].plan;
    // Linux is what it is: a PATH to repair drops nothing; nor does a
    // failure of common.yaml.
    assert_eq!(plan.keep, ["linux", "lua"]);
    assert_eq!(
        plan.repair,
        [(
            "linux".to_string(),
            "linux: path_contains /usr/local/bin".to_string()
        )]
    );
    // Java's own tool is not what java.yaml asks: left out.
    assert_eq!(
        plan.drop,
        [("java".to_string(), "java: command java".to_string())]
    );
    assert_eq!(plan.rename, [("pyhton".to_string(), "python".to_string())]);
    assert_eq!(plan.unchecked, ["terraform"]);
    assert_eq!(plan.add, ["gradle", "node"]);
    assert_eq!(plan.paste(), "gradle,linux,lua,node,python");
    let text = render::human(&fleet, &Origin::default(), TextOptions::default());
    assert!(
        text.contains("`pyhton` is misspelt, the spec is `python`"),
        "{text}"
    );
    assert!(
        text.contains("`java` left out: java: command java fails"),
        "{text}"
    );
    assert!(
        text.contains("`linux` kept, repair linux: path_contains /usr/local/bin"),
        "{text}"
    );
    assert!(
        text.contains("left out, no spec checks `terraform`"),
        "{text}"
    );
    assert!(
        text.contains("    paste: gradle,linux,lua,node,python\n"),
        "{text}"
    );
    // What many agents could add is said once, naming them.
    assert!(
        text.contains("`node` passes, not advertised, on every agent (2)"),
        "{text}"
    );
    assert_eq!(text.matches("node").count(), 2, "{text}");
    let value: serde_json::Value =
        serde_json::from_slice(&render::json(&fleet, &Origin::default())).expect("JSON");
    let a = &value["agents"][0];
    assert_eq!(a["could_advertise"], "gradle,linux,lua,node,python");
    assert_eq!(
        a["advertise"]["rename"],
        json!([{"from": "pyhton", "to": "python"}])
    );
    assert_eq!(a["advertises_but_fails"], json!(["java", "linux"]));
}

#[test]
fn the_text_leads_with_the_verdict_and_who_is_broken_why() {
    let fleet = fleet_of_three();
    let origin = Origin {
        what: "3 files".into(),
        at: "2026-12-01T00:00:00Z".into(),
        ..Origin::default()
    };
    let text = render::human(&fleet, &origin, TextOptions::default());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "FAILED  1 of 3 agents failed");
    assert!(
        text.contains(
            "Broken agents, by cause\n  FAIL   lua: command lua on 1 agent: agent-2\n         found: 5.1.5\n         expected: `lua` on PATH, version >=5.3\n         hint: install lua5.4\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Broken agents\n  agent-2: lua: command lua: 5.1.5\n"),
        "{text}"
    );
    assert!(
        !text.contains("disk ."),
        "passing rows are left out:\n{text}"
    );
    // A passing agent takes one line.
    assert_eq!(text.matches("agent-3").count(), 1, "{text}");
    assert!(
        text.contains("  agent-3  linux x86_64  passed, 1 checks"),
        "{text}"
    );
    assert!(
        text.ends_with("\n\nFAILED  1 of 3 agents failed\n"),
        "{text}"
    );
    let all = render::human(
        &fleet,
        &origin,
        TextOptions {
            all: true,
            ..TextOptions::default()
        },
    );
    assert!(all.contains("    disk .: passes on 3 agents"), "{all}");
}

#[test]
fn a_hundred_agents_failing_one_check_are_one_cause_and_one_line() {
    let sources: Vec<Source> = (0..100)
        .map(|i| {
            report(
                &format!("agent-{i:03}"),
                Some(&["java"]),
                &[("java/command:java", "fail", "11.0.21")],
            )
        })
        .collect();
    let fleet = Fleet::build(sources, None, &options());
    let text = render::human(
        &fleet,
        &Origin::default(),
        TextOptions {
            width: Some(80),
            ..TextOptions::default()
        },
    );
    assert!(
        text.contains(
            "  FAIL   java: command java on 100 agents: agent-000, agent-001, agent-002,\n         agent-003, agent-004, agent-005, agent-006 and 93 more\n"
        ),
        "{text}"
    );
    assert_eq!(
        text.matches("and 93 more").count(),
        2,
        "once by cause, once by agent:\n{text}"
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    // Coloured when asked, with the same words.
    let colour = render::human(
        &fleet,
        &Origin::default(),
        TextOptions {
            color: true,
            ..TextOptions::default()
        },
    );
    assert!(colour.contains("\u{1b}["), "{colour}");
    assert!(colour.contains("FAIL"), "{colour}");
}

#[test]
fn json_is_versioned_and_names_every_result() {
    let fleet = fleet_of_three();
    let value: serde_json::Value =
        serde_json::from_slice(&render::json(&fleet, &Origin::default())).expect("JSON");
    assert_eq!(value["schema"], "probe-fleet/2");
    assert_eq!(value["summary"]["agents_failed"], 1);
    assert_eq!(value["summary"]["ok"], false);
    let lua = value["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "lua/command:lua")
        .expect("lua");
    assert_eq!(lua["failing_on"], json!(["agent-2"]));
    assert_eq!(lua["results"]["agent-2"]["status"], "fail");
    assert_eq!(lua["results"]["agent-2"]["hint"], "install lua5.4");
    assert_eq!(
        lua["results"]["agent-1"]["hint"],
        serde_json::Value::Null,
        "a passing cell keeps no hint"
    );
    assert!(lua["results"].get("agent-3").is_none());
    assert_eq!(lua["values"][0], json!({"value": "5.1.5", "agents": 1}));
}

#[test]
fn junit_fails_a_check_once_naming_every_agent_it_fails_on() {
    let fleet = Fleet::build(
        vec![
            report("a", None, &[("lua/command:lua", "fail", "5.1.5")]),
            report("b", None, &[("lua/command:lua", "error", "")]),
            report("c", None, &[("lua/command:lua", "pass", "5.4.6")]),
        ],
        None,
        &options(),
    );
    let xml = render::junit(
        &fleet,
        &Origin {
            what: "run #1".into(),
            at: String::new(),
            ..Origin::default()
        },
    );
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes())).expect("JUnit");
    assert_eq!(suites.suites.len(), 1);
    let case = &suites.suites[0].cases[0];
    assert_eq!(case.original_name, "lua: command lua");
    match &case.status {
        junit_parser::TestStatus::Failure(f) => {
            assert_eq!(f.message, "fails on 2 of 3 agents: a, b");
            assert!(
                f.text.contains("a: lua 5.1.5 on a\n  expected:"),
                "{}",
                f.text
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_html_page_puts_triage_first_and_needs_no_script() {
    let fleet = fleet_of_three();
    let page = render::html(&fleet, &Origin::default());
    assert!(!page.contains("<script"), "no script");
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
        "the page may fetch nothing"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no link without a server"
    );
    // Why, then who, then the matrix, then each agent's card.
    let at = |what: &str| {
        page.find(what)
            .unwrap_or_else(|| panic!("{what} in {page}"))
    };
    assert!(at("id=\"causes\"") < at("id=\"broken\""));
    assert!(at("id=\"broken\"") < at("id=\"matrix\""));
    assert!(at("id=\"matrix\"") < at("id=\"agents\""));
    assert!(
        page.contains("<strong>lua: command lua</strong> <span class=\"who\">on 1 agent:</span> <a href=\"#agent-1\">agent-2</a><br>found <span class=\"found\">5.1.5</span>; expected <code>lua</code> on PATH, version &gt;=5.3 → <em class=\"hint\">install lua5.4</em>"),
        "{page}"
    );
    assert!(page.contains("<li data-agent=\"agent-2\"><strong><a href=\"#agent-1\">agent-2</a></strong>: lua: command lua — found <span class=\"found\">5.1.5</span>"), "{page}");
    // The values are in the page, not in tooltips; a legend says what the
    // marks mean; the table has a caption and scopes.
    assert!(!page.contains(" title=\"lua"), "{page}");
    assert!(page.contains("<span class=\"v\">5.4.6</span>"), "{page}");
    assert!(page.contains("<p class=\"legend\"><span class=\"pass\">✓ passed</span>"));
    assert!(page.contains("<caption>"));
    assert!(page.contains("<th scope=\"row\" class=\"check\">command lua</th>"));
    // No box scrolls inside the page.
    assert!(!page.contains("overflow:auto") && !page.contains("overflow:scroll"));
    assert!(page.contains("body:has(#r1:checked) .matrix tbody tr:not(.r1){display:none}"));
    assert_eq!(page.matches("<tr class=\"row").count(), fleet.rows.len());
}

#[test]
fn links_go_to_the_fleets_own_server_with_the_job_gocd_ran() {
    let mut from_gocd = report("agent-1", Some(&["linux"]), &[]);
    from_gocd.job = Some(JobRef {
        pipeline: "agent-infrastructure-linux".into(),
        counter: "42".into(),
        stage: "check".into(),
        stage_counter: "1".into(),
        job: "probe-linux-runOnAll-2".into(),
    });
    // A report that names a job with what no GoCD name holds gets no link.
    let mut odd = report("agent-2", Some(&["linux"]), &[]);
    odd.report.agent.as_mut().unwrap().pipeline_name = Some("../../admin".into());
    let fleet = Fleet::build(vec![from_gocd, odd], None, &options());
    let origin = Origin {
        server: Some("https://gocd.example.com/go".into()),
        ..Origin::default()
    };
    let links = render::job_links(&origin, &fleet.agents[0]).expect("links");
    assert_eq!(
        links.job,
        "https://gocd.example.com/go/tab/build/detail/agent-infrastructure-linux/42/check/1/probe-linux-runOnAll-2"
    );
    assert!(links
        .console
        .ends_with("/probe-linux-runOnAll-2#tab-console"));
    assert!(links.tab.ends_with("/probe-linux-runOnAll-2#tab-probe"));
    assert_eq!(render::job_links(&origin, &fleet.agents[1]), None);
    assert_eq!(
        render::job_links(&Origin::default(), &fleet.agents[0]),
        None
    );
    let page = render::html(&fleet, &origin);
    assert!(page.contains(&format!(
        "<a href=\"{}\" target=\"_top\">job</a>",
        links.job
    )));
}

#[test]
fn reports_that_are_not_probe_reports_say_so() {
    assert_eq!(
        report::parse(b"{\"schema\": \"other/1\", \"host\": {}, \"summary\": {}}")
            .err()
            .as_deref(),
        Some("not a probe report: its schema is `other/1`, not probe-report/…")
    );
    assert!(report::parse(b"not json")
        .err()
        .is_some_and(|e| e.starts_with("not JSON")));
    assert!(report::parse(b"{\"schema\": \"probe-report/1\"}")
        .err()
        .is_some_and(|e| e.starts_with("not a probe report: missing field")));
}

#[test]
fn only_agents_that_could_have_run_the_job_are_missed() {
    // The job asked for `linux`: a mac agent and one with no `linux` could
    // not have run it; a second agent on a reporting host is not missed
    // when that host sent a report for each.
    let mut a = report("vm", Some(&["linux", "lua"]), &[]);
    a.report.agent.as_mut().unwrap().job_name = Some("probe-linux-runOnAll-1".into());
    let mut b = report("vm", Some(&["linux"]), &[]);
    b.report.agent.as_mut().unwrap().job_name = Some("probe-linux-runOnAll-2".into());
    let gocd = vec![
        gocd_agent("u1", "vm", "Enabled", "Idle", &["linux", "lua"], 50 << 30),
        gocd_agent("u2", "vm", "Enabled", "Idle", &["linux"], 50 << 30),
        gocd_agent("u3", "mac-1", "Enabled", "Idle", &["mac"], 50 << 30),
        gocd_agent(
            "u4",
            "linux-9",
            "Enabled",
            "Idle",
            &["linux", "gradle"],
            50 << 30,
        ),
        gocd_agent("u5", "vm", "Enabled", "Idle", &["linux"], 50 << 30),
    ];
    let fleet = Fleet::build(vec![a, b], Some(&gocd), &options());
    let messages: Vec<&str> = fleet.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "agent linux-9 (u4) sent no report; GoCD says it is idle",
            "agent vm (u5) sent no report; GoCD says it is idle",
        ]
    );
}

#[test]
fn a_report_read_twice_is_one_agent() {
    let mut one = report(
        "agent-1",
        Some(&["linux"]),
        &[("r/command:lua", "pass", "5.4.6")],
    );
    one.report.started_at = Some("2026-12-01T10:00:00Z".into());
    let mut copy = one.clone();
    copy.origin = "copy/agent-1.json".into();
    let other_run = {
        let mut r = one.clone();
        r.report.agent.as_mut().unwrap().pipeline_counter = Some("43".into());
        // Another run's report has other bytes.
        r.digest ^= 1;
        r
    };
    // The copy read after another run of the same host and job.
    let fleet = Fleet::build(vec![one, other_run, copy], None, &options());
    assert_eq!(fleet.agents.len(), 2);
    let names: BTreeSet<&str> = fleet.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn an_agent_failed_by_a_notice_says_why_in_every_format() {
    let mut strict = report("agent-1", Some(&["linux", "gradel"]), &[]);
    strict.report.summary.ok = false;
    strict.report.notices.push(report::Notice {
        message: "resource `gradel` has no spec".into(),
        failing: true,
    });
    let fleet = Fleet::build(vec![strict], None, &options());
    assert!(!fleet.ok());
    let origin = Origin::default();
    let text = render::human(&fleet, &origin, TextOptions::default());
    assert!(
        text.contains("  FAIL   resource `gradel` has no spec (1 agent: agent-1)"),
        "{text}"
    );
    assert!(
        text.contains("  agent-1: resource `gradel` has no spec"),
        "{text}"
    );
    let html = render::html(&fleet, &origin);
    assert!(html.contains("resource `gradel` has no spec"), "{html}");
    let xml = render::junit(&fleet, &origin);
    assert!(
        xml.contains("failures=\"1\"")
            && xml.contains("agent agent-1: resource `gradel` has no spec"),
        "{xml}"
    );
}

#[test]
fn what_differs_by_nature_is_not_drift() {
    let fleet = Fleet::build(
        vec![
            report(
                "a",
                None,
                &[
                    ("r/path_contains:/usr/bin", "pass", "entry 1 of PATH"),
                    ("r/env:GOCD_TOKEN", "pass", "<hidden: 36 characters>"),
                    ("r/command:sh", "pass", "/bin/sh"),
                    ("r/command:java", "pass", "17.0.8"),
                ],
            ),
            report(
                "b",
                None,
                &[
                    ("r/path_contains:/usr/bin", "pass", "entry 3 of PATH"),
                    ("r/env:GOCD_TOKEN", "pass", "<hidden: 40 characters>"),
                    ("r/command:sh", "pass", "/usr/bin/sh"),
                    ("r/command:java", "pass", "21.0.1"),
                ],
            ),
        ],
        None,
        &options(),
    );
    let drifting: Vec<&str> = fleet
        .rows
        .iter()
        .filter(|r| r.drifts())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(drifting, ["r/command:java"]);
}

/// A report from JSON text as written (to edit what a report claims).
fn raw(origin: &str, value: &serde_json::Value) -> Source {
    Source::read(origin.into(), value.to_string().as_bytes(), None).expect("a report")
}

fn as_json(source: &Source) -> serde_json::Value {
    // The test reports are made by `report`, which this reverses enough.
    let r = &source.report;
    json!({
        "schema": "probe-report/1",
        "started_at": r.started_at,
        "host": {"hostname": r.host.hostname, "os": r.host.os, "arch": r.host.arch},
        "agent": r.agent.as_ref().map(|a| json!({
            "resources": a.resources, "job_name": a.job_name,
            "pipeline_name": a.pipeline_name, "pipeline_counter": a.pipeline_counter,
        })),
        "checks": r.checks.iter().map(|c| json!({
            "id": c.id, "resource": c.resource, "kind": c.kind, "subject": c.subject,
            "name": c.name, "status": c.status, "message": c.message, "actual": c.actual,
        })).collect::<Vec<_>>(),
        "summary": {"ok": r.summary.ok},
    })
}

#[test]
fn two_different_reports_of_one_host_and_second_are_both_counted() {
    // `probe -r rust --report json=R/1.json; probe -r lua --report json=R/2.json`
    let mut rust = report("agent-1", None, &[("rust/command:cargo", "pass", "1.95.0")]);
    let mut lua = report("agent-1", None, &[("lua/command:lua", "fail", "5.1.5")]);
    for r in [&mut rust, &mut lua] {
        r.report.started_at = Some("2026-12-01T10:00:00Z".into());
    }
    let (rust, lua) = (
        raw("R/1.json", &as_json(&rust)),
        raw("R/2.json", &as_json(&lua)),
    );
    let fleet = Fleet::build(vec![rust, lua], None, &options());
    assert_eq!(fleet.agents.len(), 2);
    assert!(!fleet.ok(), "the lua run failed");
    assert!(
        fleet.findings.iter().any(|f| f.message
            == "2 different reports claim to be the same run of agent agent-1: R/1.json, R/2.json; each is shown"),
        "{:?}",
        fleet.findings
    );
}

#[test]
fn a_report_copying_another_agents_identity_replaces_nothing() {
    let victim = report(
        "build-1",
        Some(&["lua"]),
        &[("lua/command:lua", "fail", "5.1.5")],
    );
    let mut forged = as_json(&victim);
    forged["checks"][0]["status"] = json!("pass");
    forged["checks"][0]["actual"] = json!("5.4.6");
    forged["summary"]["ok"] = json!(true);
    let forged = raw("forged.json", &forged);
    for sources in [vec![victim.clone(), forged.clone()], vec![forged, victim]] {
        let fleet = Fleet::build(sources, None, &options());
        assert_eq!(fleet.agents.len(), 2);
        assert!(!fleet.ok());
        assert!(fleet.agents.iter().any(|a| !a.ok));
    }
}

#[test]
fn the_verdict_comes_from_the_checks_not_the_summary() {
    let mut lying = as_json(&report(
        "agent-1",
        None,
        &[("lua/command:lua", "fail", "5.1.5")],
    ));
    lying["summary"]["ok"] = json!(true);
    let fleet = Fleet::build(vec![raw("a.json", &lying)], None, &options());
    assert!(!fleet.ok());
    assert!(!fleet.agents[0].ok);
    assert!(
        fleet.findings.iter().any(|f| f.failing
            && f.message
                == "a.json: the report's summary says it passed, but 1 of its checks failed; it counts as failed"),
        "{:?}",
        fleet.findings
    );
    // Failing the other way is inconsistent too, and fails.
    let mut odd = as_json(&report(
        "agent-1",
        None,
        &[("lua/command:lua", "pass", "5.4.6")],
    ));
    odd["summary"]["ok"] = json!(false);
    let fleet = Fleet::build(vec![raw("b.json", &odd)], None, &options());
    assert!(!fleet.ok());
}

#[test]
fn one_report_cannot_rewrite_what_a_check_is_for_the_fleet() {
    // Its kind set to `disk` (a measurement, never drift) by the report
    // that sorts first.
    let mut sources: Vec<Source> = ["agent-2", "agent-3", "agent-4"]
        .iter()
        .zip(["5.4.6", "5.4.6", "5.4.7"])
        .map(|(host, v)| report(host, None, &[("lua/command:lua", "pass", v)]))
        .collect();
    let mut evil = as_json(&report(
        "agent-1",
        None,
        &[("lua/command:lua", "pass", "5.4.6")],
    ));
    evil["checks"][0]["kind"] = json!("disk");
    evil["checks"][0]["resource"] = json!("common");
    sources.push(raw("agent-1.json", &evil));
    let drift = FleetOptions {
        fail_on_drift: true,
        ..options()
    };
    let fleet = Fleet::build(sources.clone(), None, &drift);
    assert_eq!(fleet.rows[0].kind, "command");
    assert_eq!(fleet.rows[0].resource, "lua");
    assert!(fleet.rows[0].drifts() && !fleet.ok(), "drift still fails");
    assert!(fleet.findings.iter().any(|f| f.message.starts_with(
        "1 of the reports that ran check lua/command:lua say it is not a `command` check of `lua`"
    )));
    // With the specs, the specs say; even a majority of reports cannot.
    let mut specs = HashMap::new();
    specs.insert(
        "lua/command:lua".to_string(),
        CheckIdentity {
            resource: "lua".into(),
            kind: "command".into(),
            name: "command lua".into(),
        },
    );
    let with_specs = FleetOptions {
        checks: Some(specs),
        ..drift
    };
    let mut all_evil: Vec<Source> = sources[..3]
        .iter()
        .map(|s| {
            let mut v = as_json(s);
            v["checks"][0]["kind"] = json!("disk");
            raw(&s.origin, &v)
        })
        .collect();
    all_evil.push(sources[3].clone());
    let fleet = Fleet::build(all_evil, None, &with_specs);
    assert_eq!(fleet.rows[0].kind, "command");
    assert!(!fleet.ok());
}

#[test]
fn one_report_is_capped_when_it_is_read() {
    let checks: Vec<serde_json::Value> = (0..(report::MAX_CHECKS + 500))
        .map(|i| {
            json!({
                "id": format!("x/command:t{i}"), "resource": "x", "kind": "command",
                "subject": format!("t{i}"), "status": "fail",
                "message": "m".repeat(5_000), "output": "o".repeat(5_000),
            })
        })
        .collect();
    let hostile = json!({
        "schema": "probe-report/1",
        "host": {"hostname": "h".repeat(1 << 20)},
        "checks": checks,
        "summary": {"ok": true},
    });
    let source = raw("hostile.json", &hostile);
    let r = &source.report;
    assert_eq!(r.host.hostname.chars().count(), report::MAX_NAME + 1);
    assert_eq!(r.checks.len(), report::MAX_CHECKS);
    assert_eq!(r.dropped_failures, 500);
    assert!(r
        .checks
        .iter()
        .all(|c| c.message.chars().count() <= report::MAX_TEXT + 1
            && c.output
                .as_ref()
                .is_some_and(|o| o.chars().count() <= report::MAX_OUTPUT + 1)));
    let fleet = Fleet::build(vec![source], None, &options());
    assert_eq!(fleet.agents[0].failed, report::MAX_CHECKS + 500);
    assert!(fleet
        .findings
        .iter()
        .any(|f| f.message.starts_with("agent hhhh")
            && f.message.contains("was cut to fit")
            && f.message
                .contains("500 checks beyond the first 2000 left out")));
    // What it makes is bounded: at most some MiB in any format.
    let origin = Origin::default();
    for (format, bytes) in [
        (
            "text",
            render::human(
                &fleet,
                &origin,
                TextOptions {
                    all: true,
                    ..TextOptions::default()
                },
            )
            .len(),
        ),
        ("json", render::json(&fleet, &origin).len()),
        ("junit", render::junit(&fleet, &origin).len()),
        ("html", render::html(&fleet, &origin).len()),
    ] {
        assert!(bytes < 32 << 20, "{format}: {bytes} bytes");
    }
}

#[test]
fn with_gocd_the_agent_that_ran_the_job_is_who_the_report_is_from() {
    let mut forged = report(
        "build-2",
        Some(&["lua"]),
        &[("lua/command:lua", "pass", "5.4.6")],
    );
    forged.gocd_uuid = Some("u1".into());
    let mut fqdn = report(
        "build-2",
        Some(&["lua"]),
        &[("lua/command:lua", "pass", "5.4.6")],
    );
    fqdn.report.agent.as_mut().unwrap().job_name = Some("probe-runOnAll-2".into());
    fqdn.gocd_uuid = Some("u2".into());
    fqdn.digest ^= 1;
    let agents = [
        gocd_agent("u1", "build-1", "Enabled", "Idle", &["lua"], 50 << 30),
        gocd_agent(
            "u2",
            "build-2.example.com",
            "Enabled",
            "Idle",
            &["lua"],
            50 << 30,
        ),
    ];
    let fleet = Fleet::build(vec![forged, fqdn], Some(&agents), &options());
    let hosts: Vec<&str> = fleet.agents.iter().map(|a| a.hostname.as_str()).collect();
    assert_eq!(hosts, ["build-1", "build-2"]);
    let about: Vec<&Finding> = fleet
        .findings
        .iter()
        .filter(|f| f.message.contains("GoCD ran the job"))
        .collect();
    assert_eq!(about.len(), 1, "{:?}", fleet.findings);
    assert!(
        about[0].failing
            && about[0].message.contains(
                "says it is from host build-2, but GoCD ran the job on agent build-1 (u1)"
            )
    );
    assert!(!fleet.ok());
}

#[test]
fn a_report_older_than_the_threshold_or_dated_ahead_is_stale() {
    let at = |host: &str, started: &str| {
        let mut s = report(host, Some(&["linux"]), &[]);
        s.report.started_at = Some(started.into());
        s
    };
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_601_600); // 2026-12-07T00:00:00Z
    let fleet = Fleet::build(
        vec![
            at("fresh", "2026-12-06T23:40:00Z"),
            at("old", "2026-10-01T00:00:00Z"),
            at("ahead", "2026-12-07T02:00:00Z"),
            at("undated", "yesterday"),
        ],
        None,
        &FleetOptions {
            now: Some(now),
            stale_after: 2 * 3600,
            ..options()
        },
    );
    let age = |name: &str| {
        fleet
            .agents
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.age)
    };
    assert_eq!(age("fresh"), Some(20 * 60));
    assert_eq!(age("ahead"), Some(-2 * 3600));
    assert_eq!(age("undated"), None);
    let stale: Vec<&str> = fleet
        .agents
        .iter()
        .filter(|a| a.is_stale(fleet.stale_after))
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(stale, ["ahead", "old"]);
    let messages: Vec<&str> = fleet.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.contains(&"agent old: its report is 67d old (2026-10-01T00:00:00Z), older than 2h: it may not have run since"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"agent ahead: its report is dated 2h ahead (2026-12-07T02:00:00Z); is its clock right?"),
        "{messages:?}"
    );
    // A stale report is a warning, or with --strict a failure.
    assert!(fleet.ok());
    let text = render::human(&fleet, &Origin::default(), TextOptions::default());
    assert!(
        text.contains("  old      linux x86_64  passed, 0 checks, 67d ago (stale)"),
        "{text}"
    );
    let value: serde_json::Value =
        serde_json::from_slice(&render::json(&fleet, &Origin::default())).expect("JSON");
    let old = value["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "old")
        .unwrap();
    assert_eq!(old["stale"], true);
    assert_eq!(old["age_seconds"], 67 * 86_400);
}

#[test]
fn what_changed_since_the_previous_run() {
    let before = Fleet::build(
        vec![
            report("a", None, &[("lua/command:lua", "fail", "5.1")]),
            report("b", None, &[("lua/command:lua", "pass", "5.4")]),
            report("gone", None, &[("lua/command:lua", "pass", "5.4")]),
        ],
        None,
        &options(),
    );
    let previous = history::read_previous(&render::json(
        &before,
        &Origin {
            at: "2026-12-06T23:30:00Z".into(),
            ..Origin::default()
        },
    ))
    .expect("the fleet's own JSON reads back");
    let now = Fleet::build(
        vec![
            report("a", None, &[("lua/command:lua", "pass", "5.4")]),
            report("b", None, &[("lua/command:lua", "fail", "5.1")]),
            report("new", None, &[("lua/command:lua", "fail", "5.1")]),
        ],
        None,
        &options(),
    );
    let changes = now.changes_since(&previous);
    let pair = |a: &str| vec![(a.to_string(), "lua: command lua".to_string())];
    assert_eq!(changes.since, "2026-12-06T23:30:00Z");
    assert_eq!(
        changes.new_failures,
        pair("b"),
        "a new agent's failures are not news"
    );
    assert_eq!(changes.fixed, pair("a"));
    assert_eq!(changes.new_agents, ["new"]);
    assert_eq!(changes.gone_agents, ["gone"]);
    let mut shown = now;
    shown.changes = Some(changes);
    let text = render::human(&shown, &Origin::default(), TextOptions::default());
    assert!(
        text.contains("Changes since the previous run (2026-12-06T23:30:00Z)\n  new failures: b (lua: command lua)\n  fixed: a (lua: command lua)\n  new agents: new\n  gone: gone\n"),
        "{text}"
    );
    // What is not a fleet report says so.
    assert!(history::read_previous(b"{\"schema\": \"probe-report/1\"}")
        .unwrap_err()
        .contains("`probe-report/1` document"));
    assert!(history::read_previous(b"[1, 2")
        .unwrap_err()
        .starts_with("it is not a fleet report"));
}

fn pipelines_file(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write a pipeline file");
}

#[test]
fn the_scheduler_view_counts_agents_per_set_of_resources_jobs_ask_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Shapes GoCD's YAML plugin reads: jobs under a stage, a stage that is
    // its own job (`tasks` without `jobs`), a merge key, a template, an
    // elastic job, an environment; resources in any case.
    pipelines_file(
        dir.path(),
        "build.gocd.yaml",
        "format_version: 10
common:
  java_job: &java_job
    resources: [Java, gradle]
    tasks: [{exec: {command: ./gradlew}}]
pipelines:
  app:
    group: g
    stages:
      - build:
          jobs:
            compile:
              <<: *java_job
            lint:
              resources: [java, GRADLE]
              tasks: [{exec: {command: ./lint}}]
      - docs:
          resources: [python]
          tasks: [{exec: {command: make}}]
  templated:
    template: build-template
  cloud:
    stages:
      - run:
          jobs:
            k8s:
              elastic_profile_id: pods
              tasks: [{exec: {command: true}}]
",
    );
    pipelines_file(
        dir.path(),
        "prod.gocd.yml",
        "format_version: 10
environments:
  prod:
    pipelines: [deploy]
pipelines:
  deploy:
    stages:
      - ship:
          jobs:
            ship:
              resources: [linux]
              tasks: [{exec: {command: ./ship}}]
",
    );
    pipelines_file(dir.path(), "notes.txt", "not a pipeline");
    let jobs = schedule::read(&[dir.path().display().to_string()]).expect("jobs");
    assert_eq!(jobs.files, 2);
    let names: Vec<(&str, &[String], Option<&str>)> = jobs
        .jobs
        .iter()
        .map(|j| {
            (
                j.name.as_str(),
                j.resources.as_slice(),
                j.environment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "app/build/compile",
                &["Java".to_string(), "gradle".to_string()][..],
                None
            ),
            (
                "app/build/lint",
                &["java".to_string(), "GRADLE".to_string()][..],
                None
            ),
            ("app/docs/docs", &["python".to_string()][..], None),
            ("deploy/ship/ship", &["linux".to_string()][..], Some("prod")),
        ]
    );
    assert_eq!(jobs.elastic, ["cloud/run/k8s"]);
    assert!(
        jobs.notes[0].contains("pipeline templated takes its stages from template build-template")
    );

    let agent = |host: &str, uuid: &str, resources: &[&str], ok: bool| {
        let mut s = report(
            host,
            Some(resources),
            &[("java/command:java", if ok { "pass" } else { "fail" }, "17")],
        );
        s.gocd_uuid = Some(uuid.into());
        s
    };
    let mut gocd = vec![
        gocd_agent(
            "u1",
            "j1",
            "Enabled",
            "Idle",
            &["java", "gradle", "linux"],
            50 << 30,
        ),
        gocd_agent("u2", "j2", "Enabled", "Idle", &["JAVA", "gradle"], 50 << 30),
        gocd_agent(
            "u3",
            "j3",
            "Enabled",
            "Idle",
            &["java", "gradle", "linux"],
            50 << 30,
        ),
        gocd_agent(
            "u4",
            "quiet",
            "Enabled",
            "Idle",
            &["java", "gradle"],
            50 << 30,
        ),
        gocd_agent("u5", "p1", "Enabled", "Idle", &["linux"], 50 << 30),
    ];
    gocd[2].environments = vec!["staging".into()];
    gocd[4].environments = vec!["prod".into()];
    let fleet = Fleet::build(
        vec![
            agent("j1", "u1", &["java", "gradle", "linux"], true),
            agent("j2", "u2", &["java", "gradle"], false),
            agent("j3", "u3", &["java", "gradle", "linux"], true),
            agent("p1", "u5", &["linux"], false),
        ],
        Some(&gocd),
        &FleetOptions {
            jobs: Some(jobs),
            ..options()
        },
    );
    let capacity = fleet.capacity.as_ref().expect("capacity");
    let line = |label: &str| {
        capacity
            .iter()
            .find(|c| c.label() == label)
            .unwrap_or_else(|| panic!("{label} in {capacity:?}"))
    };
    // j3 is in an environment (staging): pipelines outside it do not run
    // there, nor do those of another (prod).
    let java = line("[gradle, Java]");
    assert_eq!(java.jobs, ["app/build/compile", "app/build/lint"]);
    let names = |list: &[usize]| -> Vec<&str> {
        list.iter()
            .map(|&a| fleet.agents[a].name.as_str())
            .collect()
    };
    assert_eq!(names(&java.agents), ["j1", "j2"]);
    assert_eq!(names(&java.broken), ["j2"]);
    assert_eq!(java.unchecked, ["quiet"]);
    // Nobody offers python; the only prod agent is broken.
    assert!(line("[python]").agents.is_empty());
    let prod = line("[linux] in environment prod");
    assert_eq!(names(&prod.agents), ["p1"]);
    assert_eq!(prod.healthy(), 0);
    // Both are findings that fail the fleet (GoCD's agents are all known).
    let failing: Vec<&str> = fleet
        .findings
        .iter()
        .filter(|f| f.failing && f.message.starts_with("no healthy agent"))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        failing,
        [
            "no healthy agent can run job deploy/ship/ship asking for [linux] in environment prod: the agent that has them is broken (p1)",
            "no healthy agent can run job app/docs/docs asking for [python]: no agent has those resources",
        ]
    );
    let text = render::human(&fleet, &Origin::default(), TextOptions::default());
    assert!(
        text.contains("  [gradle, Java]: 2 agents, 1 broken (j2); 1 sent no report; jobs: app/build/compile, app/build/lint\n"),
        "{text}"
    );
    let page = render::html(&fleet, &Origin::default());
    assert!(page.contains("<th scope=\"row\">[python]</th>"), "{page}");
    // A path that names nothing is an error that says so.
    let missing = schedule::read(&["no/such/dir".into()]).unwrap_err();
    assert_eq!(
        missing,
        ["--jobs-from no/such/dir: no such file or directory"]
    );
}

/// Quarantine acts only on a report GoCD vouches for: one that merely
/// claims an agent's host name (from a file, or a job GoCD did not tie to
/// an agent) is named and left alone, however badly it fails.
#[test]
fn quarantine_never_acts_on_a_report_gocd_did_not_vouch_for() {
    use super::quarantine::{plan, Action, Options, State};
    let checks = [("lua/command:lua", "fail", "5.1.5")];
    let mut vouched = report("b", Some(&["lua"]), &checks);
    vouched.gocd_uuid = Some("u2".into());
    let claimed = report("a", Some(&["lua"]), &checks);
    let passing: Vec<Source> = (3..=8)
        .map(|i| {
            let mut r = report(
                &format!("h{i}"),
                Some(&["lua"]),
                &[("lua/command:lua", "pass", "5.4.6")],
            );
            r.gocd_uuid = Some(format!("u{i}"));
            r
        })
        .collect();
    let mut gocd = vec![
        gocd_agent("u1", "a", "Enabled", "Idle", &["lua"], 50 << 30),
        gocd_agent("u2", "b", "Enabled", "Idle", &["lua"], 50 << 30),
    ];
    for i in 3..=8 {
        gocd.push(gocd_agent(
            &format!("u{i}"),
            &format!("h{i}"),
            "Enabled",
            "Idle",
            &["lua"],
            50 << 30,
        ));
    }
    let mut sources = vec![claimed, vouched];
    sources.extend(passing);
    let fleet = Fleet::build(sources, Some(&gocd), &options());
    let previous = super::history::Previous {
        reported: ["u1", "u2"].iter().map(ToString::to_string).collect(),
        failing: [("u1", "lua"), ("u2", "lua")]
            .iter()
            .map(|(u, r)| (u.to_string(), r.to_string()))
            .collect(),
        ..Default::default()
    };
    let options = Options {
        mode: Some(super::quarantine::Mode::Resource),
        max_share: 25,
        silent: false,
        add: false,
        schedule: Vec::new(),
        apply: false,
        specs: vec!["lua".into()],
    };
    let plan = plan(&fleet, &gocd, Some(&previous), &options);
    let of = |host: &str| -> Vec<(&Action, &State)> {
        plan.changes
            .iter()
            .filter(|c| c.agent == host)
            .map(|c| (&c.action, &c.state))
            .collect()
    };
    assert_eq!(of("b"), [(&Action::Take("lua".into()), &State::Planned)]);
    let a = of("a");
    assert_eq!(a.len(), 1, "{plan:?}");
    assert!(
        matches!(a[0].1, State::Held(why) if why.starts_with("its report is not verified as this agent's")),
        "{a:?}"
    );
    // 8 agents at 25 %: 2 may be without lua; with one taken, a second
    // failing agent could go, a third could not.
    let strict = Options {
        max_share: 12,
        ..options
    };
    let plan = super::quarantine::plan(&fleet, &gocd, Some(&previous), &strict);
    assert!(
        plan.changes
            .iter()
            .all(|c| matches!(&c.state, State::Held(_))),
        "12 % of 8 agents is none: {plan:?}"
    );
}
