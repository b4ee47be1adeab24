//! The fleet report as one self-contained HTML page, for a GoCD custom tab.

use std::fmt::Write;

use super::*;
use crate::fleet::{Cell, Status};
use crate::text::html_escape as esc;

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.2em;color:#1d1d1f;background:#fff}
h1{font-size:1.45em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .5em}
.pass{color:#1a7f37}.fail,.error{color:#cf222e}.skipped{color:#9a6700}.drift{color:#8250df}
.finding{padding:.4em .8em;border-radius:4px;background:#fff8c5;margin:.3em 0}.finding.failing{background:#ffebe9}
.filters{margin:.6em 0}.filters span{color:#57606a;margin-right:.4em}
.filters input{position:absolute;opacity:0}.filters label{display:inline-block;border:1px solid #d0d7de;border-radius:2em;padding:.05em .7em;margin:.15em .1em;cursor:pointer}
.filters input:checked+label{background:#0969da;border-color:#0969da;color:#fff}.filters input:focus-visible+label{outline:2px solid #0969da}
.wrap{overflow:auto;max-height:80vh;border:1px solid #d0d7de}
table{border-collapse:separate;border-spacing:0}
.matrix th,.matrix td{border-bottom:1px solid #eee;border-right:1px solid #f3f3f3;padding:.25em .5em;vertical-align:top;background:#fff}
.matrix thead th{position:sticky;top:0;z-index:2;background:#f6f8fa;white-space:nowrap}
.matrix th.check{position:sticky;left:0;z-index:1;background:#fff;text-align:left;min-width:18em;max-width:30em;font-weight:normal}
.matrix thead th.check{z-index:3;background:#f6f8fa}
.matrix tr.group th{background:#f6f8fa;text-align:left;position:sticky;left:0}
.matrix td{text-align:center;min-width:3em}
.matrix td.values{text-align:left;white-space:nowrap;color:#57606a}
details summary{cursor:pointer;list-style:none;font-weight:bold}
details[open]{text-align:left;min-width:22em;background:#fffafa}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em .8em;margin:.3em 0;font-weight:normal}dt{color:#57606a}dd{margin:0}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.agents td,.agents th{text-align:left;padding:.25em .8em .25em 0;border-bottom:1px solid #eee;vertical-align:top}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:0 .3em}
";

/// One page, readable without scripts: filters are radio buttons and CSS
/// (`:checked ~`), a failing cell opens with `<details>`.
pub fn html(fleet: &Fleet, origin: &Origin) -> String {
    let ok = fleet.ok();
    let resources = fleet.resources();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>probe fleet: {}</title>\n<style>{STYLE}",
        if ok { "PASSED" } else { "FAILED" }
    );
    // The filters: each choice hides what it does not select.
    for i in 0..resources.len() {
        let _ = writeln!(
            out,
            "#r{i}:checked~.wrap tbody tr:not(.r{i}){{display:none}}"
        );
    }
    for i in 0..fleet.agents.len() {
        let _ = writeln!(out, "#a{i}:checked~.wrap .c:not(.a{i}){{display:none}}");
    }
    out.push_str("#only-fail:checked~.wrap tbody tr.row:not(.failing){display:none}\n");
    out.push_str("#only-drift:checked~.wrap tbody tr.row:not(.drifting){display:none}\n");
    out.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        out,
        "<h1 class=\"{}\">{}: {}</h1>\n<p>{} · {} · {}</p>",
        if ok { "pass" } else { "fail" },
        if ok { "PASSED" } else { "FAILED" },
        esc(&headline(fleet)),
        esc(&origin.what),
        esc(&origin.at),
        esc(&format!("probe {}", env!("CARGO_PKG_VERSION")))
    );
    for f in &fleet.findings {
        let _ = writeln!(
            out,
            "<p class=\"finding{}\"><strong>{}:</strong> {}</p>",
            if f.failing { " failing" } else { "" },
            if f.failing { "error" } else { "warning" },
            esc(&f.message)
        );
    }

    out.push_str("<h2>Checks × agents</h2>\n<div class=\"filters\">\n");
    out.push_str("<span>Show</span><input type=\"radio\" name=\"r\" id=\"r-all\" checked><label for=\"r-all\">every resource</label>");
    for (i, r) in resources.iter().enumerate() {
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"r\" id=\"r{i}\"><label for=\"r{i}\">{}</label>",
            esc(r)
        );
    }
    out.push_str("<br>\n<span>Agents</span><input type=\"radio\" name=\"a\" id=\"a-all\" checked><label for=\"a-all\">every agent</label>");
    for (i, a) in fleet.agents.iter().enumerate() {
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"a\" id=\"a{i}\"><label for=\"a{i}\">{}</label>",
            esc(&a.name)
        );
    }
    out.push_str("<br>\n<span>Rows</span><input type=\"radio\" name=\"f\" id=\"all-rows\" checked><label for=\"all-rows\">all</label>");
    out.push_str("<input type=\"radio\" name=\"f\" id=\"only-fail\"><label for=\"only-fail\">failing</label>");
    out.push_str("<input type=\"radio\" name=\"f\" id=\"only-drift\"><label for=\"only-drift\">differing between agents</label>\n");

    out.push_str(
        "<div class=\"wrap\">\n<table class=\"matrix\">\n<thead><tr><th class=\"check\">check</th>",
    );
    for (i, a) in fleet.agents.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"c a{i}\" title=\"{}\">{}</th>",
            esc(&format!(
                "{} {} {}",
                a.os,
                a.arch,
                a.job.clone().unwrap_or_default()
            )),
            esc(&a.name)
        );
    }
    out.push_str("<th>found</th></tr></thead>\n<tbody>\n");
    for (ri, resource) in resources.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr class=\"group r{ri}\"><th colspan=\"{}\">{}</th></tr>",
            fleet.agents.len() + 2,
            esc(resource)
        );
        for row in fleet.rows.iter().filter(|r| r.resource == *resource) {
            let failing = !row.failing_agents(&fleet.agents).is_empty();
            let _ = write!(
                out,
                "<tr class=\"row r{ri}{}{}\"><th class=\"check\">{}</th>",
                if failing { " failing" } else { "" },
                if row.drifts() { " drifting" } else { "" },
                esc(&row.label())
            );
            for (i, cell) in row.cells.iter().enumerate() {
                let _ = write!(out, "<td class=\"c a{i}\">");
                write_cell(&mut out, cell.as_ref());
                out.push_str("</td>");
            }
            let _ = writeln!(
                out,
                "<td class=\"values{}\">{}</td></tr>",
                if row.drifts() { " drift" } else { "" },
                esc(&values_line(row))
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</div>\n</div>\n");

    out.push_str("<h2>Agents</h2>\n<table class=\"agents\">\n<tr><th>agent</th><th>system</th><th>result</th><th>advertises</th><th>advertises but fails</th><th>passes but does not advertise</th><th>could advertise</th></tr>\n");
    for a in &fleet.agents {
        let result = if a.ok {
            format!("<span class=\"pass\">passed</span> ({} checks)", a.checks)
        } else {
            format!(
                "<span class=\"fail\">failed</span> ({} of {})",
                a.failed, a.checks
            )
        };
        let _ = writeln!(
            out,
            "<tr><td>{}{}</td><td>{}</td><td>{result}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.name),
            a.job.as_ref().map(|j| format!("<br><small>{}</small>", esc(j))).unwrap_or_default(),
            esc(&format!("{} ({})", a.os_name.as_deref().unwrap_or(&a.os), a.arch)),
            a.gocd_state.as_ref().map(|s| format!("<br><small>GoCD: {}</small>", esc(s))).unwrap_or_default()
                + &a.failing_notices().map(|n| format!("<br><small class=\"fail\">{}</small>", esc(n))).collect::<String>(),
            esc(&a.advertised.as_ref().map(|r| r.join(", ")).unwrap_or_else(|| "—".into())),
            esc(&a.fails_advertised.join(", ")),
            esc(&a.could_advertise.as_ref().map(|r| r.join(", ")).unwrap_or_default()),
            a.paste_list().map(|p| format!("<code>{}</code>", esc(&p))).unwrap_or_default(),
        );
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

fn write_cell(out: &mut String, cell: Option<&Cell>) {
    let Some(c) = cell else {
        out.push_str("<span title=\"not run on this agent\">·</span>");
        return;
    };
    match c.status {
        Status::Pass => {
            let _ = write!(
                out,
                "<span class=\"pass\" title=\"{}\">✓</span>",
                esc(&c.message)
            );
        }
        Status::Skipped => {
            let _ = write!(
                out,
                "<span class=\"skipped\" title=\"{}\">–</span>",
                esc(&c.message)
            );
        }
        Status::Fail | Status::Error => {
            let class = c.status.as_str();
            let _ = write!(
                out,
                "<details><summary class=\"{class}\">{}</summary><p>{}</p><dl>",
                if c.status == Status::Fail { "✗" } else { "!" },
                esc(&c.message)
            );
            let fields = [
                ("expected", Some(c.expected.as_str())),
                ("found", Some(c.actual.as_str())),
                ("found in", c.found_in.as_deref()),
                ("where", c.location.as_deref()),
                ("hint", c.hint.as_deref()),
            ];
            for (name, value) in fields {
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    let _ = write!(out, "<dt>{name}</dt><dd>{}</dd>", esc(v));
                }
            }
            if let Some(o) = c.output.as_deref().filter(|o| !o.is_empty()) {
                let _ = write!(out, "<dt>output</dt><dd><pre>{}</pre></dd>", esc(o));
            }
            out.push_str("</dl></details>");
        }
    }
}
