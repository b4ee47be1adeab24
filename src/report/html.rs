//! One self-contained HTML page for a GoCD custom tab: no external assets,
//! no JavaScript. Failing checks come first, then every check.

use std::fmt::Write;

use super::{check_name, rfc3339, CheckResult, Report};
use crate::checks::Status;
use crate::quantity::format_duration;
use crate::text::{counted, html_escape as esc, html_inline};

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}
h1{font-size:1.5em;margin:0 0 .4em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1em;margin:0 0 .4em}
.pass{color:#1a7f37}.fail,.error{color:#cf222e}.skipped{color:#9a6700}
table{border-collapse:collapse}td,th{text-align:left;vertical-align:top;padding:.25em .8em .25em 0}
.facts th{color:#57606a;font-weight:normal}
.checks td,.checks th{border-bottom:1px solid #eee;padding:.3em .8em}
.card{border:1px solid #f0c0c0;border-left:4px solid #cf222e;border-radius:4px;padding:.7em 1em;margin:.7em 0;background:#fffafa}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:0}.card dt{color:#57606a}.card dd{margin:0}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.notice{padding:.5em 1em;border-radius:4px;background:#fff8c5;margin:.4em 0}.notice.failing{background:#ffebe9}
.status{font-weight:bold;text-transform:uppercase;font-size:.85em}
em.hint{font-style:normal;color:#0b5394;background:#eef5ff;padding:0 .25em;border-radius:3px}
code{font:.92em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:0 .2em;border-radius:3px}
.suggest{color:#57606a}
";

pub fn render(report: &Report) -> String {
    let s = report.summary();
    let ok = report.ok();
    let host = &report.host;
    let verdict = if ok { "PASSED" } else { "FAILED" };
    let bad = s.failed + s.errors;
    let headline = if bad == 0 {
        match s.passed {
            1 => "1 check passed".to_string(),
            n => format!("all {} passed", counted(n, "check")),
        }
    } else {
        format!("{bad} of {} failed", counted(s.total, "check"))
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>probe: {verdict} on {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&host.hostname)
    );
    let _ = writeln!(
        out,
        "<h1 class=\"{}\">{verdict}: {headline}</h1>",
        if ok { "pass" } else { "fail" }
    );

    let mut facts: Vec<(&str, String)> = vec![
        ("Host", host.hostname.clone()),
        (
            "OS",
            format!(
                "{} ({})",
                host.os_name.as_deref().unwrap_or(&host.os),
                host.arch
            ),
        ),
    ];
    if let Some(agent) = &report.agent {
        if let Some(job) = agent.job_line() {
            facts.push(("GoCD job", job));
        }
        facts.push(("Agent resources", agent.advertised()));
    }
    let names: Vec<&str> = report.resources.iter().map(|r| r.name.as_str()).collect();
    facts.push(("Checked", names.join(", ")));
    facts.push((
        "Result",
        format!(
            "{} passed, {} failed, {} could not be checked, {} skipped",
            s.passed, s.failed, s.errors, s.skipped
        ),
    ));
    facts.push((
        "Run",
        format!(
            "{} (took {}), probe {}",
            rfc3339(report.started),
            format_duration(report.elapsed),
            env!("CARGO_PKG_VERSION")
        ),
    ));
    out.push_str("<table class=\"facts\">\n");
    for (name, value) in &facts {
        let _ = writeln!(out, "<tr><th>{name}</th><td>{}</td></tr>", esc(value));
    }
    out.push_str("</table>\n");

    for n in &report.notices {
        let _ = writeln!(
            out,
            "<p class=\"notice{}\"><strong>{}:</strong> {}</p>",
            if n.failing() { " failing" } else { "" },
            n.label(),
            html_inline(&n.message)
        );
    }
    if let Some(suggest) = &report.suggest {
        // `--suggest`: which other specs this machine passes, so an agent
        // can advertise what it really has.
        let list = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("<code>{}</code>", esc(n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let passes = match suggest.passes.as_slice() {
            [] => "This machine passes no other spec.".to_string(),
            passes => format!("This machine also passes {}.", list(passes)),
        };
        let fails = match suggest.fails.as_slice() {
            [] => String::new(),
            fails => format!(" It fails {}.", list(fails)),
        };
        let _ = writeln!(
            out,
            "<p class=\"suggest\"><strong>Suggest:</strong> {passes}{fails}</p>"
        );
    }

    let failing: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.outcome.status.is_failure())
        .collect();
    if !failing.is_empty() {
        out.push_str("<h2>Failing checks</h2>\n");
        for r in failing {
            write_card(&mut out, r);
        }
    }

    out.push_str("<h2>All checks</h2>\n<table class=\"checks\">\n<tr><th scope=\"col\">Status</th><th scope=\"col\">Resource</th><th scope=\"col\">Check</th><th scope=\"col\">Result</th><th scope=\"col\">Time</th></tr>\n");
    for r in &report.results {
        let status = r.outcome.status.as_str();
        let _ = writeln!(
            out,
            "<tr><td class=\"status {status}\">{status}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.check.resource),
            esc(&format!("{}{}", check_name(&r.check), super::repeat_mark(&r.check))),
            html_inline(&r.outcome.message_with_attempts()),
            format_duration(r.outcome.duration)
        );
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

fn write_card(out: &mut String, r: &CheckResult) {
    let o = &r.outcome;
    let class = if o.status == Status::Error {
        "error"
    } else {
        "fail"
    };
    let _ =
        writeln!(
        out,
        "<div class=\"card\">\n<h3><span class=\"{class}\">{}</span> {}: {}</h3>\n<p>{}</p>\n<dl>",
        o.status.as_str().to_uppercase(),
        esc(&r.check.resource),
        esc(&format!("{}{}", check_name(&r.check), super::repeat_mark(&r.check))),
        html_inline(&o.message_with_attempts())
    );
    let mut field = |name: &str, value: &str, how: Field| {
        if value.is_empty() {
            return;
        }
        let value = match how {
            Field::Text => esc(value),
            Field::Inline => html_inline(value),
            Field::Pre => format!("<pre>{}</pre>", esc(value)),
            Field::Hint => format!("<em class=\"hint\">{}</em>", html_inline(value)),
        };
        let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
    };
    field("expected", &o.expected, Field::Inline);
    match &o.found_in {
        Some(place) => field("found", &format!("{}, from {place}", o.actual), Field::Text),
        None => field("found", &o.actual, Field::Text),
    }
    field(
        "where",
        o.location.as_deref().unwrap_or_default(),
        Field::Text,
    );
    field(
        "hint",
        r.check.common.hint.as_deref().unwrap_or_default(),
        Field::Hint,
    );
    field(
        "output",
        o.output.as_deref().unwrap_or_default(),
        Field::Pre,
    );
    field("spec", &r.check.source, Field::Text);
    out.push_str("</dl>\n</div>\n");
}

/// How a card's field is shown.
#[derive(Clone, Copy)]
enum Field {
    /// A value read on the machine, shown exactly.
    Text,
    /// probe's own words: `code` between backticks as code.
    Inline,
    /// Tool output, as printed.
    Pre,
    /// The spec's hint: emphasised, `code` between backticks as code.
    Hint,
}
