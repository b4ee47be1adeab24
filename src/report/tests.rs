//! Each format rendered from one made-up run, and parsed back.

use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::checks::Outcome;
use crate::spec::OsFamily;

/// A check of `resource` read from YAML, written at line 3 of its spec.
fn check(resource: &str, yaml: &str, hint: Option<&str>) -> Check {
    let mut c = crate::checks::testing::check(yaml);
    c.resource = resource.into();
    c.id = format!("{resource}/{}:{}", c.kind.name(), c.kind.subject());
    c.common.hint = hint.map(str::to_string);
    c.source = format!("probes/{resource}.yaml:3");
    c
}

pub fn sample() -> Report {
    let lua = "command: lua\nversion: \">=5.3, <5.5\"\nargs: [-v]";
    let python2 = "absent: python2";
    let env = "env: LUA_PATH";
    let mut skipped = check("lua", env, None);
    skipped.common.os = Some(crate::spec::OneOrMany(vec![OsFamily::Windows]));
    skipped.id.push_str("#2");
    Report {
        host: Host {
            hostname: "agent-7".into(),
            os: "linux".into(),
            os_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            arch: "x86_64".into(),
        },
        resources: vec![
            ResourceEntry {
                name: "common".into(),
                description: None,
                file: "probes/common.yaml".into(),
                requested: false,
            },
            ResourceEntry {
                name: "lua".into(),
                description: Some("Lua toolchain".into()),
                file: "probes/lua.yaml".into(),
                requested: true,
            },
        ],
        results: vec![
            CheckResult {
                check: std::sync::Arc::new(check("common", env, None)),
                outcome: Outcome::error("X is not set (`${X}` uses it)"),
            },
            CheckResult {
                check: std::sync::Arc::new(check("lua", lua, None)),
                outcome: Outcome {
                    duration: Duration::from_millis(12),
                    ..Outcome::pass("lua 5.4.6")
                        .expected("`lua` on PATH, version >=5.3, <5.5")
                        .actual("5.4.6")
                        .at("/usr/bin/lua")
                },
            },
            CheckResult {
                check: std::sync::Arc::new(check(
                    "lua",
                    python2,
                    Some("python2 is end-of-life; remove it from the agent image"),
                )),
                outcome: Outcome::fail("`python2` is on PATH at /usr/bin/python2")
                    .expected("`python2` not on PATH")
                    .actual("found at /usr/bin/python2")
                    .at("/usr/bin/python2")
                    .output(Some(
                        "\u{1b}[31mred\u{1b}[0m and a NUL \u{0} <tag> & \"quotes\"".into(),
                    )),
            },
            CheckResult {
                check: std::sync::Arc::new(skipped),
                outcome: Outcome::new(
                    crate::checks::Status::Skipped,
                    "only checked on windows; this is linux",
                ),
            },
        ],
        started: UNIX_EPOCH + Duration::from_secs(1_764_300_000),
        elapsed: Duration::from_millis(84),
        notices: Vec::new(),
        agent: None,
        suggest: None,
    }
}

#[test]
fn timestamps_are_rfc3339_utc() {
    assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    assert_eq!(
        rfc3339(UNIX_EPOCH + Duration::from_secs(1_764_300_000)),
        "2025-11-28T03:20:00Z"
    );
    assert_eq!(
        rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
        "2000-02-29T00:00:00Z"
    );
}

#[test]
fn human_report_names_expected_found_where_and_hint() {
    let text = human::render(&sample(), HumanOptions::default());
    let expected = "\
probe VERSION on agent-7 (Debian GNU/Linux 12 (bookworm), x86_64); resources: common, lua

common
  ERROR  env LUA_PATH    X is not set (`${X}` uses it)
           spec:     probes/common.yaml:3

lua - Lua toolchain
  PASS   command lua     lua 5.4.6
  FAIL   absent python2  `python2` is on PATH at /usr/bin/python2
           expected: `python2` not on PATH
           found:    found at /usr/bin/python2
           where:    /usr/bin/python2
           output:   red and a NUL \\u{0} <tag> & \"quotes\"
           spec:     probes/lua.yaml:3
           hint:     python2 is end-of-life; remove it from the agent image
  SKIP   env LUA_PATH    only checked on windows; this is linux

FAILED  2 of 3 checks failed, 1 of them could not be checked (1 passed, 1 skipped) in 84ms: env LUA_PATH (common), absent python2 (lua)
"
    .replace("VERSION", env!("CARGO_PKG_VERSION"));
    assert_eq!(text, expected);
}

#[test]
fn on_a_terminal_long_lines_wrap_under_their_field() {
    let mut report = sample();
    let long = "word ".repeat(99);
    report.results[2].outcome.output = Some(long.trim().to_string());
    let text = human::render(
        &report,
        HumanOptions {
            width: Some(60),
            ..HumanOptions::default()
        },
    );
    for line in text.lines() {
        assert!(line.chars().count() <= 60, "{line:?} in\n{text}");
    }
    // The output's continuation lines stay under its value, not under
    // the field names.
    let output = text
        .lines()
        .skip_while(|l| !l.contains("output:"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        output.starts_with(&format!("{}word", " ".repeat(21))),
        "{text}"
    );
    // In a log nothing wraps.
    let log = human::render(&report, HumanOptions::default());
    assert!(log.contains(long.trim()), "{log}");
}

#[test]
fn html_page_shows_code_hints_and_suggestions() {
    let mut report = sample();
    report.suggest = Some(crate::selection::Suggestion {
        passes: vec!["node".into(), "<b>".into()],
        fails: vec!["java".into()],
    });
    let page = html::render(&report);
    // Backtick pairs are code; what is between them is still escaped.
    assert!(
        page.contains("<code>python2</code> is on PATH at /usr/bin/python2"),
        "{page}"
    );
    assert!(page.contains("<code>${X}</code>"), "{page}");
    assert!(!page.contains("`python2`"), "{page}");
    // The hint stands out from the fields around it.
    assert!(
        page.contains(
            "<dt>hint</dt><dd><em class=\"hint\">python2 is end-of-life; remove it from the agent image</em></dd>"
        ),
        "{page}"
    );
    // `--suggest`: what else this machine passes, and what it fails.
    assert!(
        page.contains(
            "<strong>Suggest:</strong> This machine also passes <code>node</code>, <code>&lt;b&gt;</code>. It fails <code>java</code>."
        ),
        "{page}"
    );
    // A page for GoCD's tab loads nothing and runs nothing.
    assert!(page.contains("default-src 'none'"), "{page}");
    assert!(!page.contains("<script"), "{page}");
    assert!(!html::render(&sample()).contains("Suggest:"));
}

#[test]
fn quiet_shows_only_failures() {
    let text = human::render(
        &sample(),
        HumanOptions {
            quiet: true,
            ..HumanOptions::default()
        },
    );
    assert!(!text.contains("PASS"), "{text}");
    assert!(!text.contains("SKIP"), "{text}");
    assert!(text.contains("FAIL   absent python2"), "{text}");
}

#[test]
fn colour_only_when_asked() {
    let plain = human::render(&sample(), HumanOptions::default());
    let coloured = human::render(
        &sample(),
        HumanOptions {
            color: true,
            ..HumanOptions::default()
        },
    );
    assert!(!plain.contains("\u{1b}[32m"));
    assert!(coloured.contains("\u{1b}[32mPASS"), "{coloured}");
}

#[test]
fn json_parses_back_with_every_documented_field() {
    let v: serde_json::Value =
        serde_json::from_slice(&json::render(&sample())).expect("valid JSON");
    assert_eq!(v["schema"], "probe-report/1");
    assert_eq!(v["host"]["hostname"], "agent-7");
    assert_eq!(v["started_at"], "2025-11-28T03:20:00Z");
    assert_eq!(v["resources"][1]["name"], "lua");
    assert_eq!(v["resources"][1]["requested"], true);
    let c = &v["checks"][2];
    assert_eq!(c["id"], "lua/absent:python2");
    assert_eq!(c["resource"], "lua");
    assert_eq!(c["kind"], "absent");
    assert_eq!(c["subject"], "python2");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["expected"], "`python2` not on PATH");
    assert_eq!(c["actual"], "found at /usr/bin/python2");
    assert_eq!(c["location"], "/usr/bin/python2");
    assert_eq!(
        c["hint"],
        "python2 is end-of-life; remove it from the agent image"
    );
    assert_eq!(v["checks"][1]["duration_ms"], 12.0);
    assert_eq!(v["checks"][3]["status"], "skipped");
    assert_eq!(
        v["summary"],
        serde_json::json!({"total": 4, "passed": 1, "failed": 1, "errors": 1, "skipped": 1, "ok": false})
    );
}

#[test]
fn junit_parses_back_with_a_real_junit_parser() {
    let xml = junit::render(&sample());
    let suites = junit_parser::from_reader(std::io::Cursor::new(xml.as_bytes()))
        .unwrap_or_else(|e| panic!("unparseable JUnit ({e}):\n{xml}"));
    assert_eq!(suites.suites.len(), 2);
    let lua = &suites.suites[1];
    assert_eq!(lua.name, "lua");
    // GoCD counts every test case as run: the skipped check is left out,
    // so its "Tests run" is the 3 checks the probe ran.
    assert_eq!(suites.tests, 3);
    assert_eq!(lua.tests, 2);
    assert_eq!(lua.failures, 1);
    assert_eq!(lua.skipped, 0);
    let names: Vec<&str> = lua.cases.iter().map(|c| c.original_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "lua: command lua (version >=5.3, <5.5)",
            "lua: absent python2"
        ]
    );
    let failed = &lua.cases[1];
    let junit_parser::TestStatus::Failure(failure) = &failed.status else {
        panic!("not a failure: {:?}", failed.status)
    };
    assert_eq!(failure.message, "`python2` is on PATH at /usr/bin/python2");
    assert_eq!(failure.message, "`python2` is on PATH at /usr/bin/python2");
    // junit-parser splits text at entity references, so read the body exactly
    // with the XML reader it is built on.
    assert_eq!(
        element_text(&xml, "failure"),
        "expected: `python2` not on PATH\nfound: found at /usr/bin/python2\nwhere: /usr/bin/python2\n\
         hint: python2 is end-of-life; remove it from the agent image\n\
         output: red and a NUL \\u{0} <tag> & \"quotes\"\nspec: probes/lua.yaml:3\n"
    );
    let common = &suites.suites[0];
    assert!(matches!(
        common.cases[0].status,
        junit_parser::TestStatus::Error(_)
    ));
}

#[test]
fn junit_shows_what_xml_forbids() {
    assert_eq!(
        crate::text::clean_for_xml("a\u{1b}[1;31mb\u{1b}[0m\u{0}c\u{7}\td\u{FFFE}"),
        "ab\\u{0}c\\u{7}\td\\u{fffe}"
    );
}

#[test]
fn reports_are_written_atomically_and_dirs_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out/deeper/junit.xml");
    write_atomic(&path, b"<testsuites/>").expect("write");
    assert_eq!(std::fs::read(&path).expect("read"), b"<testsuites/>");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_report_that_cannot_be_written_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The target is an existing directory: the rename must fail.
    let target = dir.path().join("taken");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::write(target.join("x"), "keep").expect("write");
    assert!(write_atomic(&target, b"data").is_err());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["taken"]);
}

/// The unescaped text of the first element named `name`.
fn element_text(xml: &str, name: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut out = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == name => inside = true,
            Event::End(e) if inside && e.name().as_ref() == name => return out,
            Event::Text(t) if inside => out.push_str(&t.into_inner()),
            Event::GeneralRef(r) if inside => {
                let entity = r.into_inner();
                let resolved = quick_xml::escape::resolve_predefined_entity(&entity)
                    .unwrap_or_else(|| panic!("unknown entity &{entity};"));
                out.push_str(resolved);
            }
            Event::Eof => panic!("no <{name}> element"),
            _ => {}
        }
    }
}

#[test]
fn prometheus_has_a_gauge_per_check_and_the_run_totals() {
    let text = prometheus::render(&sample());
    assert!(text.contains(
        "probe_check_status{resource=\"lua\",check=\"absent python2\",id=\"lua/absent:python2\",status=\"fail\"} 0\n"
    ));
    assert!(text.contains(
        "probe_check_status{resource=\"lua\",check=\"command lua (version >=5.3, <5.5)\",id=\"lua/command:lua\",status=\"pass\"} 1\n"
    ));
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("probe_check_status") && l.contains("skipped")),
        "skipped checks are left out:\n{text}"
    );
    assert!(text.contains("probe_checks{status=\"skipped\"} 1\n"));
    assert!(text.contains("probe_run_ok 0\n"));
    assert!(text.contains("probe_run_duration_seconds 0.084\n"));
    assert!(text.contains("probe_run_timestamp_seconds 1764300000\n"));
    // Every sample line is `name{labels} value` or `name value`, every
    // family has HELP and TYPE: what node_exporter's textfile collector reads.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').expect("a value");
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name = series.split('{').next().unwrap_or_default();
        assert!(text.contains(&format!("# TYPE {name} gauge\n")), "{line}");
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
    }
}

#[test]
fn prometheus_label_values_are_escaped() {
    let mut report = sample();
    report.host.hostname = "a\"b\\c\nd".into();
    let text = prometheus::render(&report);
    assert!(text.contains("hostname=\"a\\\"b\\\\c\\nd\""), "{text}");
}

#[cfg(unix)]
mod destinations {
    use super::super::write_report;
    use std::fs;
    use std::io::{Read, Seek, Write};
    use std::os::unix::fs::{symlink, FileTypeExt};

    #[test]
    fn a_symlink_stays_and_its_target_is_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("real.xml");
        let link = dir.path().join("link.xml");
        fs::write(&target, "old").expect("write");
        symlink(&target, &link).expect("symlink");
        write_report(&link, b"new").expect("write through the link");
        assert!(fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&target).expect("read"), b"new");
        // A link that leads nowhere: its target is never created.
        let dangling = dir.path().join("dangling.xml");
        symlink("made-by-report.xml", &dangling).expect("symlink");
        let err = write_report(&dangling, b"fresh").expect_err("refused");
        assert!(err.to_string().contains("which does not exist"), "{err}");
        assert!(!dir.path().join("made-by-report.xml").exists());
    }

    /// In a sticky directory anyone can write to (/tmp), a link another user
    /// planted is not followed: the kernel's fs.protected_symlinks rule,
    /// which does not apply when the probe follows the link itself.
    #[test]
    fn a_link_another_user_planted_in_a_sticky_directory_is_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("SKIPPED: giving a link to another user needs root");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let shared = dir.path().join("tmp");
        fs::create_dir(&shared).expect("mkdir");
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).expect("chmod");
        let victim = dir.path().join("root-owned");
        fs::write(&victim, "untouched").expect("write");
        let planted = shared.join("probe-report.json");
        symlink(&victim, &planted).expect("symlink");
        std::os::unix::fs::lchown(&planted, Some(65534), Some(65534)).expect("lchown");
        let err = write_report(&planted, b"{}").expect_err("not followed");
        assert!(err.to_string().contains("fs.protected_symlinks"), "{err}");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "untouched");
        // The directory's owner's own link, or ours, is followed.
        std::os::unix::fs::lchown(&planted, Some(0), Some(0)).expect("lchown");
        write_report(&planted, b"{}").expect("followed");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "{}");
        // Outside a sticky directory, another user's link is followed.
        let plain = dir.path().join("link.json");
        symlink(&victim, &plain).expect("symlink");
        std::os::unix::fs::lchown(&plain, Some(65534), Some(65534)).expect("lchown");
        write_report(&plain, b"[]").expect("followed");
    }

    #[test]
    fn a_fifo_is_written_through_and_stays_a_fifo() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("c path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                fs::File::open(fifo)
                    .expect("open")
                    .read_to_string(&mut text)
                    .expect("read");
                text
            })
        };
        write_report(&fifo, b"through the pipe").expect("write");
        assert_eq!(reader.join().expect("reader"), "through the pipe");
        assert!(fs::symlink_metadata(&fifo)
            .expect("meta")
            .file_type()
            .is_fifo());
    }

    #[test]
    fn a_descriptor_path_writes_to_that_descriptor_where_it_is() {
        use std::os::fd::AsRawFd;
        let mut file = tempfile::tempfile().expect("tempfile");
        file.write_all(b"before|").expect("write");
        let path = format!("/dev/fd/{}", file.as_raw_fd());
        write_report(std::path::Path::new(&path), b"report").expect("write");
        file.write_all(b"|after").expect("write");
        file.rewind().expect("rewind");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("read");
        assert_eq!(text, "before|report|after");
        let err = write_report(std::path::Path::new("/dev/fd/987654"), b"x").expect_err("closed");
        assert!(err.to_string().contains("not open"), "{err}");
    }

    #[test]
    fn a_link_to_a_stream_is_written_to_that_stream_not_to_what_it_points_at() {
        use super::super::{destination, resolve_links, Target};
        use std::os::fd::AsRawFd;
        use std::path::Path;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut file = tempfile::tempfile().expect("tempfile");
        file.write_all(b"before|").expect("write");
        let link = dir.path().join("so");
        symlink(format!("/dev/./fd/{}", file.as_raw_fd()), &link).expect("symlink");
        let link2 = dir.path().join("so2");
        symlink(&link, &link2).expect("symlink");
        write_report(&link2, b"report").expect("write");
        file.rewind().expect("rewind");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("read");
        assert_eq!(text, "before|report");
        // Only resolved, never written: the real stdout.
        let to_stdout = dir.path().join("stdout-link");
        symlink("/dev/stdout", &to_stdout).expect("symlink");
        assert_eq!(
            resolve_links(&to_stdout).expect("resolve"),
            Target::Stream(1)
        );
        assert_eq!(destination(Path::new("/dev//stdout")), Target::Stream(1));
        assert_eq!(destination(Path::new("/proc/self/fd/1")), Target::Stream(1));
    }

    #[test]
    fn one_file_however_it_is_spelt_is_one_destination() {
        use super::super::destination;
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        symlink(dir.path().join("a.json"), dir.path().join("link.json")).expect("symlink");
        let plain = destination(&dir.path().join("a.json"));
        for other in ["./a.json", "sub/../a.json", "link.json"] {
            assert_eq!(destination(&dir.path().join(other)), plain, "{other}");
        }
        assert_ne!(destination(&dir.path().join("b.json")), plain);
        // A directory still to be made.
        let new = destination(&dir.path().join("nd/a.json"));
        assert_eq!(destination(&dir.path().join("./nd/../nd/a.json")), new);
    }

    #[test]
    fn a_fifo_that_nobody_reads_is_an_error_not_a_wait() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("c path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(write_report(&fifo, b"x").map_err(|e| e.to_string()));
        });
        let result = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("write_report waited for a reader");
        let err = result.expect_err("no reader");
        assert!(err.contains("no process is reading this FIFO"), "{err}");
    }

    #[test]
    fn the_temporary_file_is_new_and_the_replaced_file_keeps_its_mode() {
        use super::super::write_atomic;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        fs::write(&victim, "untouched").expect("write");
        // Something planted at the name the temporary file would have.
        let planted = dir
            .path()
            .join(format!(".a.json.{}.0.tmp", std::process::id()));
        symlink(&victim, &planted).expect("symlink");
        let report = dir.path().join("a.json");
        fs::write(&report, "old").expect("write");
        fs::set_permissions(&report, fs::Permissions::from_mode(0o600)).expect("chmod");
        write_atomic(&report, b"new").expect("write");
        assert_eq!(fs::read_to_string(&victim).expect("read"), "untouched");
        let meta = fs::symlink_metadata(&report).expect("meta");
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read_to_string(&report).expect("read"), "new");
        // A name as long as a file system takes still has a temporary file.
        let euros = dir.path().join(format!("{}.json", "€".repeat(80)));
        write_atomic(&euros, b"euros").expect("a long name in bytes");
        let long = dir.path().join(format!("{}.xml", "r".repeat(250)));
        write_atomic(&long, b"long").expect("a long name");
        assert_eq!(fs::read_to_string(&long).expect("read"), "long");
    }

    #[test]
    fn a_parent_that_is_a_file_and_a_directory_target_say_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("file"), "x").expect("write");
        let err = write_report(&dir.path().join("file/junit.xml"), b"x").expect_err("parent");
        assert!(
            err.to_string().ends_with("file is a file, not a directory"),
            "{err}"
        );
        let err = write_report(dir.path(), b"x").expect_err("directory");
        assert!(err.to_string().ends_with("is a directory"), "{err}");
    }
}

#[test]
fn rfc3339_times_read_back() {
    use std::time::{Duration, UNIX_EPOCH};
    for secs in [0u64, 86_399, 951_782_400, 1_764_547_200, 4_102_444_799] {
        let t = UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(super::parse_rfc3339(&rfc3339(t)), Some(secs as i64));
    }
    assert_eq!(
        super::parse_rfc3339("2026-12-07T11:00:00.25+01:00"),
        super::parse_rfc3339("2026-12-07T10:00:00Z")
    );
    for bad in [
        "",
        "2026-12-07",
        "2026-13-01T00:00:00Z",
        "2026-12-07T10:00:00",
        "x026-12-07T10:00:00Z",
        "2026-12-07T10:00:00+1",
    ] {
        assert_eq!(super::parse_rfc3339(bad), None, "{bad}");
    }
}
