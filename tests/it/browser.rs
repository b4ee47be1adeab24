//! The fleet page in a real browser: Debian's `chromium`, driven through
//! WebDriver by Debian's `chromium-driver` (chromedriver), with the small
//! WebDriver client below (plain HTTP to chromedriver on localhost).
//!
//! A generated fleet of 40 agents, 10 of them broken, is rendered by the
//! probe; the page is opened at 1400×900 and at 800×900 and checked as an
//! admin would use it: every broken agent and its first cause are inside
//! the first screen, the filters filter, and the page asks for nothing
//! beyond itself.
//!
//! Without chromium or chromedriver each test prints `SKIPPED:` on stderr
//! and returns; with PROBE_REQUIRE_BROWSER=1 (as .ci/run sets it) a skip is
//! a failure.
//!
//! With PROBE_SCREENSHOTS=DIR the tests also save what the browser shows
//! as PNG files there: scripts/screenshots.sh makes docs/images with it.
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::Sandbox;

const CHROMIUM: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const DRIVER: &[&str] = &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn first_existing(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The browser and its driver, or why the test cannot run.
fn browser(test: &str) -> Option<(PathBuf, PathBuf)> {
    let found = first_existing(CHROMIUM).zip(first_existing(DRIVER));
    if found.is_none() {
        let why = "chromium and chromium-driver are not both installed (apt-get install chromium chromium-driver)";
        assert!(
            std::env::var_os("PROBE_REQUIRE_BROWSER").is_none(),
            "PROBE_REQUIRE_BROWSER is set but browser::{test} cannot run: {why}"
        );
        let _ = writeln!(std::io::stderr(), "SKIPPED: browser::{test}: {why}");
    }
    found
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(driver: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(status) = driver.call("GET", "/status", None) {
                if status["value"]["ready"] == true {
                    return driver;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not get ready in 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One WebDriver command: an HTTP request with a JSON body, its JSON
    /// answer.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| e.to_string())?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        // chromedriver may keep the connection open: the answer ends
        // where its Content-Length says.
        let mut response = Vec::new();
        let mut buf = [0u8; 8192];
        let (head, start) = loop {
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the connection closed before an answer".into());
            }
            response.extend_from_slice(&buf[..n]);
            if let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
                break (
                    String::from_utf8_lossy(&response[..end]).into_owned(),
                    end + 4,
                );
            }
        };
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())
                    .flatten()
            })
            .ok_or_else(|| format!("no Content-Length: {head}"))?;
        while response.len() < start + length {
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
        }
        let body = String::from_utf8_lossy(&response[start..]).into_owned();
        let value: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
        if !head.starts_with("HTTP/1.1 200") {
            return Err(format!("{method} {path}: {head}\n{value}"));
        }
        Ok(value)
    }
}

/// A browser session, ended when dropped.
struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}

impl<'a> Session<'a> {
    fn new(driver: &'a Driver, chromium: &Path) -> Session<'a> {
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,900"],
            },
            "goog:loggingPrefs": {"performance": "ALL"},
        }}});
        let answer = driver
            .call("POST", "/session", Some(&capabilities))
            .expect("a WebDriver session");
        let id = answer["value"]["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        Session { driver, id }
    }

    fn post(&self, what: &str, body: Value) -> Value {
        self.driver
            .call("POST", &format!("/session/{}/{what}", self.id), Some(&body))
            .unwrap_or_else(|e| panic!("{what}: {e}"))["value"]
            .clone()
    }

    /// The viewport, exactly: the window's size includes its frame.
    fn viewport(&self, width: u32, height: u32) {
        self.post(
            "goog/cdp/execute",
            json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}}),
        );
    }

    /// Saves the viewport as `name`.png under PROBE_SCREENSHOTS, if set.
    fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let Some(dir) = std::env::var_os("PROBE_SCREENSHOTS") else {
            return;
        };
        let png = self
            .driver
            .call("GET", &format!("/session/{}/screenshot", self.id), None)
            .expect("a screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(png["value"].as_str().expect("base64"))
            .expect("a PNG");
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    fn open(&self, url: &str) {
        self.post("url", json!({ "url": url }));
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.post("execute/sync", json!({ "script": script, "args": args }))
    }

    fn click(&self, css: &str) {
        let element = self.post("element", json!({"using": "css selector", "value": css}));
        let id = element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string();
        self.post(&format!("element/{id}/click"), json!({}));
    }

    /// The URLs the browser asked for since the session began.
    fn requests(&self) -> Vec<String> {
        let log = self.post("se/log", json!({"type": "performance"}));
        log.as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let message: Value = serde_json::from_str(entry["message"].as_str()?).ok()?;
                let message = &message["message"];
                (message["method"] == "Network.requestWillBeSent")
                    .then(|| {
                        message["params"]["request"]["url"]
                            .as_str()
                            .map(String::from)
                    })
                    .flatten()
            })
            .collect()
    }
}

/// A check of a made-up report: (resource, kind, subject, status, found,
/// expected, hint).
type Check<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

fn check(c: &Check) -> Value {
    let (resource, kind, subject, status, actual, expected, hint) = *c;
    json!({
        "id": format!("{resource}/{kind}:{subject}"), "resource": resource, "kind": kind,
        "subject": subject, "name": format!("{kind} {subject}"), "status": status,
        "message": format!("{subject}: {actual}"), "expected": expected, "actual": actual,
        "hint": hint,
    })
}

/// 40 agents' reports in `dir`, as the fleet of a mid-sized team looks:
/// 30 VMs and 10 Kubernetes pods with 60-character names; java, docker,
/// PATH, python2 and a git that times out break 10 of them. Returns each
/// broken agent with the check the page should show first.
fn forty_agents(dir: &Path) -> Vec<(String, &'static str)> {
    let mut broken = Vec::new();
    for i in 0..40 {
        let host = if i < 30 {
            format!("build-linux-{i:02}")
        } else {
            format!("gocd-agent-k8s-7f9c2d-{i:02}-x8pq2-very-long-pod-name-suffix")
        };
        let java = if i % 7 == 0 { "17.0.8" } else { "17.0.15" };
        let mut checks: Vec<Check> = vec![
            ("linux", "platform", "linux", "pass", "linux", "", ""),
            (
                "linux",
                "command",
                "git",
                "pass",
                "2.47.3",
                ">=2.30",
                "install git",
            ),
            (
                "linux",
                "path_contains",
                "/usr/local/bin",
                "pass",
                "/usr/local/bin:/usr/bin",
                "",
                "",
            ),
            (
                "java",
                "command",
                "java",
                "pass",
                java,
                ">=17",
                "install a JDK 17 (`apt-get install openjdk-17-jdk`)",
            ),
            (
                "docker", "service", "docker", "pass", "running", "running", "",
            ),
        ];
        let first = match i {
            3 | 12 => {
                checks[3].3 = "fail";
                checks[3].4 = if i == 3 { "11.0.21" } else { "1.8.0_292" };
                Some("java: command java")
            }
            8 | 9 | 31 => {
                checks[4].3 = "fail";
                checks[4].4 = "inactive";
                Some("docker: service docker")
            }
            14 | 33 => {
                checks[2].3 = "fail";
                checks[2].4 = "/usr/bin:/bin";
                Some("linux: path_contains /usr/local/bin")
            }
            20 => {
                checks.push((
                    "python",
                    "absent",
                    "python2",
                    "fail",
                    "/usr/bin/python2",
                    "not on PATH",
                    "apt-get purge python2",
                ));
                Some("python: absent python2")
            }
            25 | 37 => {
                checks[1].3 = "error";
                checks[1].4 = "`git --version` timed out after 10s";
                Some("linux: command git")
            }
            _ => None,
        };
        if let Some(first) = first {
            broken.push((host.clone(), first));
        }
        let checks: Vec<Value> = checks.iter().map(check).collect();
        let ok = first.is_none();
        let report = json!({
            "schema": "probe-report/1",
            "started_at": "2026-12-07T05:40:00Z",
            "host": {"hostname": host, "os": "linux", "os_name": "Debian GNU/Linux 12 (bookworm)", "arch": "x86_64"},
            "agent": {"resources": ["linux", "java", "docker"],
                      "pipeline_name": "agent-infrastructure-linux", "pipeline_counter": "42",
                      "stage_name": "check", "stage_counter": "1",
                      "job_name": format!("probe-linux-runOnAll-{}", i + 1)},
            "checks": checks,
            "summary": {"ok": ok},
        });
        std::fs::write(dir.join(format!("{host}.json")), report.to_string())
            .expect("write a report");
    }
    broken
}

/// The fleet page of the 40 agents, and who is broken with what cause.
fn fleet_page(s: &Sandbox) -> (PathBuf, Vec<(String, &'static str)>) {
    let reports = s.path("").join("reports");
    std::fs::create_dir_all(&reports).expect("reports dir");
    let broken = forty_agents(&reports);
    let page = s.path("").join("fleet.html");
    let out = s.probe(&[
        "fleet",
        reports.to_str().expect("path"),
        "--server",
        "https://gocd.example.com/go",
        "--no-agents",
        "--report",
        &format!("html={}", page.display()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::common::stderr(&out)
    );
    (page, broken)
}

#[test]
fn every_broken_agent_and_its_first_cause_are_on_the_first_screen() {
    let Some((chromium, driver)) =
        browser("every_broken_agent_and_its_first_cause_are_on_the_first_screen")
    else {
        return;
    };
    let s = Sandbox::new();
    let (page, broken) = fleet_page(&s);
    let driver = Driver::start(&driver);
    let session = Session::new(&driver, &chromium);
    for (width, height) in [(1400, 900), (800, 900)] {
        session.viewport(width, height);
        session.open(&format!("file://{}", page.display()));
        session.screenshot(&format!("fleet-{width}"));
        let seen = session.script(
            "const h = window.innerHeight, w = window.innerWidth;
             return [...document.querySelectorAll('#broken li[data-agent]')].map(li => {
               const r = li.getBoundingClientRect();
               return {agent: li.dataset.agent, text: li.innerText,
                       inside: r.top >= 0 && r.bottom <= h && r.left >= 0 && r.right <= w};
             });",
            json!([]),
        );
        let seen = seen.as_array().expect("a list");
        assert_eq!(seen.len(), broken.len(), "at {width}: {seen:?}");
        for (agent, cause) in &broken {
            let line = seen
                .iter()
                .find(|l| l["agent"] == agent.as_str())
                .unwrap_or_else(|| panic!("{agent} is not among the broken agents at {width}"));
            assert_eq!(
                line["inside"], true,
                "{agent} is below the first screen at {width}×{height}"
            );
            let text = line["text"].as_str().unwrap_or_default();
            assert!(text.starts_with(agent.as_str()), "{text}");
            assert!(
                text.contains(cause),
                "{agent}'s first cause is not {cause}: {text}"
            );
        }
        // Nothing is wider than the screen but the matrix.
        let overflow = session.script(
            "return [...document.querySelectorAll('header, #causes, #broken, #findings')]
               .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.tagName);",
            json!([]),
        );
        assert_eq!(overflow, json!([]), "at {width}");
        // No box scrolls inside the page.
        let scrollers = session.script(
            "return [...document.querySelectorAll('body *')].filter(e => {
               const s = getComputedStyle(e);
               return /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight;
             }).map(e => e.tagName + '.' + e.className);",
            json!([]),
        );
        assert_eq!(scrollers, json!([]), "at {width}");
    }
    // The page asked for itself and nothing else: no font, no image, no
    // script from anywhere.
    let requests = session.requests();
    let own = format!("file://{}", page.display());
    assert!(
        !requests.is_empty(),
        "the performance log shows no request at all"
    );
    assert!(
        requests.iter().all(|url| *url == own),
        "the page asked for more than itself: {requests:?}"
    );
}

#[test]
fn the_filters_pick_resources_failing_rows_and_any_agents() {
    let Some((chromium, driver)) =
        browser("the_filters_pick_resources_failing_rows_and_any_agents")
    else {
        return;
    };
    let s = Sandbox::new();
    let (page, _) = fleet_page(&s);
    let driver = Driver::start(&driver);
    let session = Session::new(&driver, &chromium);
    session.viewport(1400, 900);
    session.open(&format!("file://{}", page.display()));
    let visible_rows = |session: &Session| -> Vec<String> {
        let rows = session.script(
            "return [...document.querySelectorAll('.matrix tbody tr.row')]
               .filter(r => r.offsetParent !== null)
               .map(r => r.querySelector('th').innerText);",
            json!([]),
        );
        rows.as_array()
            .expect("rows")
            .iter()
            .map(|r| r.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = visible_rows(&session);
    assert_eq!(all.len(), 6, "{all:?}");

    // Failing rows only: the checks that fail somewhere.
    session.click("label[for=only-fail]");
    let failing = visible_rows(&session);
    assert_eq!(failing.len(), 5, "{failing:?}");
    assert!(
        !failing.iter().any(|r| r.contains("platform")),
        "{failing:?}"
    );
    // An empty group's header goes with its rows.
    let groups = session.script(
        "return [...document.querySelectorAll('.matrix tr.group')]
           .filter(r => r.offsetParent !== null).map(r => r.innerText.trim());",
        json!([]),
    );
    assert_eq!(groups.as_array().map(Vec::len), Some(4), "{groups}");

    // Differing rows: java's versions.
    session.click("label[for=only-drift]");
    assert_eq!(visible_rows(&session), ["command java"]);

    // One resource.
    session.click("label[for=all-rows]");
    let docker = session.script(
        "return [...document.querySelectorAll('.filters label')]
           .find(l => l.innerText === 'docker').htmlFor;",
        json!([]),
    );
    session.click(&format!(
        "label[for={}]",
        docker.as_str().expect("docker's filter")
    ));
    assert_eq!(visible_rows(&session), ["service docker"]);
    session.click("label[for=r-all]");

    // Two agents: only their columns, with what each found.
    session.click("label[for=a3]");
    session.click("label[for=a5]");
    let columns = session.script(
        "return [...document.querySelectorAll('.matrix thead th.agent')]
           .filter(c => c.offsetParent !== null).map(c => c.getAttribute('aria-label'));",
        json!([]),
    );
    assert_eq!(columns, json!(["build-linux-03", "build-linux-05"]));
    let java = session.script(
        "const row = [...document.querySelectorAll('.matrix tbody tr.row')]
           .find(r => r.querySelector('th').innerText === 'command java');
         return [...row.querySelectorAll('td.c')].filter(c => c.offsetParent !== null)
           .map(c => c.innerText.trim());",
        json!([]),
    );
    assert_eq!(java, json!(["✗failed: 11.0.21", "✓17.0.15"]));
}

/// The agent page, as GoCD's probe tab shows it for one agent: the failing
/// checks first, each field readable at 800 px without a sideways scroll,
/// code as code and the hint set apart.
#[test]
fn the_agent_page_reads_at_800_px() {
    let Some((chromium, driver)) = browser("the_agent_page_reads_at_800_px") else {
        return;
    };
    let s = Sandbox::new();
    s.tool(
        "lua",
        "echo 'Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio' >&2",
    )
    .tool("python2", "echo 'Python 2.7.18'")
    .tool(
        "luarocks",
        "echo '/usr/bin/luarocks 3.9.2'; echo 'LuaRocks main command-line interface'",
    )
    .spec(
        "lua",
        "description: Lua 5.3 or 5.4 with LuaRocks\nchecks:\n  \
         - command: lua\n    version: \">=5.3, <5.5\"\n    args: [-v]\n    \
         hint: \"install Lua 5.4 (`apt-get install lua5.4`) and put it first on PATH\"\n  \
         - command: luarocks\n    version: \">=3\"\n  \
         - absent: python2\n    hint: \"python2 is end-of-life; remove it from the agent image (`apt-get purge python2`)\"\n  \
         - env: LUA_PATH\n    hint: \"set `LUA_PATH` in the agent's environment\"\n",
    );
    let page = s.path("agent.html");
    let out = s.probe(&[
        "--resource",
        "lua",
        "--suggest",
        "--report",
        &format!("html={}", page.display()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::common::stderr(&out)
    );
    let driver = Driver::start(&driver);
    let session = Session::new(&driver, &chromium);
    session.viewport(800, 900);
    session.open(&format!("file://{}", page.display()));
    session.screenshot("agent-800");
    // Nothing is wider than the screen.
    let wide = session.script(
        "return [...document.querySelectorAll('body *')]
           .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
           .map(e => e.tagName + ' ' + e.innerText.slice(0, 40));",
        json!([]),
    );
    assert_eq!(wide, json!([]));
    // The failing checks come first, each with its hint set apart.
    let cards = session.script(
        "return [...document.querySelectorAll('.card')].map(c => ({
           title: c.querySelector('h3').innerText,
           top: c.getBoundingClientRect().top,
           hint: (c.querySelector('em.hint') || {}).innerText || null,
           code: [...c.querySelectorAll('code')].map(e => e.innerText)}));",
        json!([]),
    );
    let cards = cards.as_array().expect("cards");
    let titles: Vec<&str> = cards
        .iter()
        .map(|c| c["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        titles,
        [
            "FAIL lua: command lua (version >=5.3, <5.5)",
            "FAIL lua: absent python2",
            "FAIL lua: env LUA_PATH"
        ]
    );
    assert!(
        cards[0]["top"].as_f64().is_some_and(|top| top < 900.0),
        "the first failing check is below the first screen: {cards:?}"
    );
    assert_eq!(
        cards[0]["hint"],
        "install Lua 5.4 (apt-get install lua5.4) and put it first on PATH"
    );
    assert!(
        cards[0]["code"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("apt-get install lua5.4"))),
        "{cards:?}"
    );
}
