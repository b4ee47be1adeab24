//! `http`: a URL answers, with the status, headers and body wanted, through
//! the proxy and the CA store this machine's builds use.

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::expand::{expand_path, expand_text, has_variables};
use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::http::{without_userinfo, Method};
use crate::spec::{OneOrMany, Pattern};
use crate::text::excerpt;
use crate::world::{HttpFailure, HttpRequest, World};

/// A URL answers as wanted.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    /// The URL, `http://` or `https://`; `${VAR}` is expanded, and a
    /// `user:password@` in it is sent as Basic auth and never shown.
    #[serde(deserialize_with = "url")]
    pub http: String,
    /// `GET` (the default) or `HEAD`.
    pub method: Option<HttpMethod>,
    /// The status code wanted, or a list of them. Default: any 2xx or 3xx
    /// (redirects are not followed).
    pub status: Option<OneOrMany<u16>>,
    /// A regular expression the body must match (the first MiB is read).
    pub body: Option<Pattern>,
    /// Response headers that must be present, each matching a regular
    /// expression (names in any case): `{content-type: json}`.
    pub header: Option<BTreeMap<String, Pattern>>,
    /// A PEM file of CA certificates to trust instead of the system's;
    /// `~` and `${VAR}` are expanded.
    pub ca_file: Option<String>,
    /// `true`: do not verify the server's certificate at all.
    pub insecure: Option<bool>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub enum HttpMethod {
    #[serde(rename = "GET", alias = "get")]
    Get,
    #[serde(rename = "HEAD", alias = "head")]
    Head,
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
        })
    }
}

impl Declared for HttpCheck {
    const KEY: &'static str = "http";

    /// The status the URL answers with here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let subject = ask.subject;
        let request = HttpRequest {
            method: Method::Get,
            url: expand_text(subject, ask.world)?,
            timeout: std::time::Duration::from_secs(10),
            ca_file: None,
            insecure: false,
            auth: None,
        };
        match ask.world.http(&request) {
            Ok(response) => Ok(ask
                .subject_only()?
                .with("status", Val::Number(i64::from(response.status)))),
            Err(HttpFailure::Settings(why) | HttpFailure::Request(why)) => {
                Err(format!("{subject} does not answer here: {why}"))
            }
        }
    }
}

impl Kind for HttpCheck {
    fn subject(&self) -> String {
        without_userinfo(&self.http)
    }

    fn qualifier(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.method == Some(HttpMethod::Head) {
            parts.push("HEAD".to_string());
        }
        if let Some(status) = &self.status {
            parts.push(format!("status {}", codes(&status.0)));
        }
        if let Some(body) = &self.body {
            parts.push(format!("body {}", body.as_str()));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn conflict(&self) -> Option<Conflict> {
        if self.method == Some(HttpMethod::Head) && self.body.is_some() {
            return Some(Conflict {
                key: "body",
                message: "a HEAD request gets no body to match; remove `body` or use GET".into(),
                at_value: false,
            });
        }
        (self.insecure == Some(true) && self.ca_file.is_some()).then(|| Conflict {
            key: "insecure",
            message: "`insecure: true` trusts any certificate, so `ca_file` would not be used; \
                      keep one"
                .into(),
            at_value: false,
        })
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let method = self.method.unwrap_or(HttpMethod::Get);
        let expected = self.expected(method);
        // The user and password are taken apart before expanding, so a
        // value holding `/`, `@` or `%` stays whole and is never in a URL.
        let (written, userinfo) = split_written_userinfo(&self.http);
        let url = match expand_text(&written, world).and_then(|u| valid_url(u, false)) {
            Ok(url) => url,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let auth = match userinfo.map(|(user, password)| {
            Ok::<_, String>((credential(user, world)?, credential(password, world)?))
        }) {
            Some(Err(why)) => return Outcome::error(why).expected(expected),
            Some(Ok(pair)) => Some(pair),
            None => None,
        };
        let shown = without_userinfo(&url);
        let ca_file = match self.ca_file.as_deref().map(|f| expand_path(f, world)) {
            Some(Err(why)) => return Outcome::error(why).expected(expected),
            Some(Ok(path)) => Some(path),
            None => None,
        };
        let request = HttpRequest {
            method: match method {
                HttpMethod::Get => Method::Get,
                HttpMethod::Head => Method::Head,
            },
            url,
            timeout: cx.timeout,
            ca_file,
            insecure: self.insecure == Some(true),
            auth,
        };
        let asked = format!("{method} {shown}");
        let response = match world.http(&request) {
            Ok(response) => response,
            Err(HttpFailure::Settings(why)) => {
                return Outcome::error(why).expected(expected).at(shown)
            }
            Err(HttpFailure::Request(why)) => {
                return Outcome::fail(format!("{asked}: {why}"))
                    .expected(expected)
                    .actual("no answer")
                    .at(shown)
            }
        };
        let via = response
            .proxy
            .as_ref()
            .map(|p| format!(" through the proxy {p}"))
            .unwrap_or_default();
        let status = status_text(response.status);
        let body = || {
            let text = String::from_utf8_lossy(&response.body);
            Some(excerpt(&cx.secrets.redact(&text), 5)).filter(|t| !t.is_empty())
        };
        let fail = |message: String, actual: String| {
            Outcome::fail(message)
                .expected(expected.clone())
                .actual(actual)
                .at(shown.clone())
                .output(body())
        };
        let wanted_status = match &self.status {
            Some(codes) => codes.0.contains(&response.status),
            None => (200..400).contains(&response.status),
        };
        if !wanted_status {
            return fail(
                format!(
                    "{asked} answered {status}{via}, expected {}",
                    self.statuses()
                ),
                status,
            );
        }
        for (name, pattern) in self.header.iter().flatten() {
            match response.header(name) {
                None => {
                    return fail(
                        format!("{asked} answered {status}{via} without a `{name}` header"),
                        format!("{status}, no {name} header"),
                    )
                }
                Some(value) if !pattern.is_match(value) => {
                    return fail(
                        format!(
                            "{asked} answered {status}{via} with `{name}: {value}`, which does not \
                             match `{}`",
                            pattern.as_str()
                        ),
                        format!("{status}, {name}: {value}"),
                    )
                }
                Some(_) => {}
            }
        }
        if let Some(pattern) = &self.body {
            let text = String::from_utf8_lossy(&response.body);
            let Ok(matched) = pattern.is_match_before(&text, cx.deadline) else {
                return super::too_slow(pattern, "the body", cx)
                    .expected(expected)
                    .at(shown);
            };
            if !matched {
                let read = if response.truncated {
                    " (in its first MiB)"
                } else {
                    ""
                };
                return fail(
                    format!(
                        "{asked} answered {status}{via}, but the body does not match `{}`{read}",
                        pattern.as_str()
                    ),
                    format!("{status}, body does not match"),
                );
            }
        }
        Outcome::pass(format!("{asked} answered {status}{via}"))
            .expected(expected)
            .actual(status)
            .at(shown)
    }
}

impl HttpCheck {
    fn statuses(&self) -> String {
        match &self.status {
            Some(codes) => codes_or(&codes.0),
            None => "2xx or 3xx".into(),
        }
    }

    fn expected(&self, method: HttpMethod) -> String {
        let mut text = format!(
            "{method} {} answers {}",
            without_userinfo(&self.http),
            self.statuses()
        );
        for (name, pattern) in self.header.iter().flatten() {
            text.push_str(&format!(", header {name} matching `{}`", pattern.as_str()));
        }
        if let Some(body) = &self.body {
            text.push_str(&format!(", body matching `{}`", body.as_str()));
        }
        text
    }
}

/// The URL as written without its `user:password@`, and the two, as
/// written (unexpanded).
fn split_written_userinfo(written: &str) -> (String, Option<(&str, &str)>) {
    let Some((scheme, rest)) = written.split_once("://") else {
        return (written.to_string(), None);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => {
            let info = &rest[..at];
            let (user, password) = info.split_once(':').unwrap_or((info, ""));
            (
                format!("{scheme}://{}", &rest[at + 1..]),
                Some((user, password)),
            )
        }
        None => (written.to_string(), None),
    }
}

/// A user or password: a variable's value as it is, or literal text with
/// its `%XX` escapes decoded.
fn credential(written: &str, world: &dyn World) -> Result<String, String> {
    if has_variables(written) {
        expand_text(written, world)
    } else {
        Ok(crate::http::percent_decode(written))
    }
}

/// `200 OK`, `503 Service Unavailable`, `299`.
fn status_text(code: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("{code} {reason}"),
        None => code.to_string(),
    }
}

fn codes(list: &[u16]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn codes_or(list: &[u16]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Refuses what is not an http(s) URL when the spec is read; one with a
/// variable is checked once it is expanded.
fn url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    valid_url(text, true).map_err(de::Error::custom)
}

fn valid_url(text: String, unexpanded: bool) -> Result<String, String> {
    if unexpanded && has_variables(&text) {
        return Ok(text);
    }
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(text),
        _ => Err(format!(
            "`{}` is not an http:// or https:// URL; write e.g. `https://nexus.example.com/`",
            without_userinfo(&text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass};
    use crate::http::Method;
    use crate::world::fake::FakeWorld;
    use crate::world::HttpFailure;
    use std::path::PathBuf;
    use std::time::Duration;

    const MIRROR: &str = "https://nexus.corp/repository/maven/";

    #[test]
    fn a_url_answering_2xx_or_3xx_passes_by_default() {
        let w = FakeWorld::default().page(MIRROR, 200, &[], "ok").page(
            "http://gocd:8153/",
            302,
            &[("Location", "/go/home")],
            "",
        );
        let o = eval(&format!("http: {MIRROR}"), &w);
        pass(&o);
        assert_eq!(o.message, format!("GET {MIRROR} answered 200 OK"));
        assert_eq!(o.expected, format!("GET {MIRROR} answers 2xx or 3xx"));
        pass(&eval("http: http://gocd:8153/", &w));
        let asked = &w.http_asked()[0];
        assert_eq!(asked.method, Method::Get);
        assert_eq!(asked.timeout, Duration::from_secs(10));
        assert!(!asked.insecure);
        assert_eq!(asked.ca_file, None);
    }

    #[test]
    fn a_status_not_wanted_fails_showing_the_body() {
        let w = FakeWorld::default().page(MIRROR, 503, &[], "\n<h1>Maintenance</h1>\nback soon\n");
        let o = eval(&format!("http: {MIRROR}"), &w);
        fail(&o);
        assert_eq!(
            o.message,
            format!("GET {MIRROR} answered 503 Service Unavailable, expected 2xx or 3xx")
        );
        assert_eq!(o.actual, "503 Service Unavailable");
        assert_eq!(o.output.as_deref(), Some("<h1>Maintenance</h1>\nback soon"));
        let w = FakeWorld::default().page("http://registry:5000/v2/", 401, &[], "");
        pass(&eval(
            "http: http://registry:5000/v2/\nstatus: [200, 401]",
            &w,
        ));
        fail(&eval("http: http://registry:5000/v2/\nstatus: 200", &w));
    }

    #[test]
    fn headers_and_body_are_matched() {
        let w = FakeWorld::default().page(
            "http://gocd:8153/go/api/v1/health",
            200,
            &[("Content-Type", "application/json; charset=utf-8")],
            "{\"health\": \"OK\"}",
        );
        let url = "http://gocd:8153/go/api/v1/health";
        pass(&eval(
            &format!("http: {url}\nheader: {{Content-Type: json}}\nbody: '\"health\": \"OK\"'"),
            &w,
        ));
        let o = eval(&format!("http: {url}\nheader: {{content-type: xml}}"), &w);
        fail(&o);
        assert_eq!(
            o.message,
            format!(
                "GET {url} answered 200 OK with `content-type: application/json; charset=utf-8`, \
                 which does not match `xml`"
            )
        );
        let o = eval(&format!("http: {url}\nheader: {{x-request-id: .}}"), &w);
        fail(&o);
        assert!(
            o.message.ends_with("without a `x-request-id` header"),
            "{}",
            o.message
        );
        let o = eval(&format!("http: {url}\nbody: DOWN"), &w);
        fail(&o);
        assert_eq!(
            o.message,
            format!("GET {url} answered 200 OK, but the body does not match `DOWN`")
        );
    }

    #[test]
    fn no_answer_fails_and_bad_settings_are_errors() {
        let w = FakeWorld::default()
            .page_failing(
                MIRROR,
                HttpFailure::Request("the server's certificate has expired".into()),
            )
            .page_failing(
                "https://x.corp/",
                HttpFailure::Settings("cannot read the CA file /etc/ca.pem: not found".into()),
            );
        let o = eval(&format!("http: {MIRROR}"), &w);
        fail(&o);
        assert_eq!(
            o.message,
            format!("GET {MIRROR}: the server's certificate has expired")
        );
        assert_eq!(o.actual, "no answer");
        let o = eval("http: https://x.corp/\nca_file: /etc/ca.pem", &w);
        error(&o);
        assert_eq!(o.message, "cannot read the CA file /etc/ca.pem: not found");
    }

    #[test]
    fn variables_credentials_and_tls_settings_reach_the_request() {
        let w = FakeWorld::default()
            .var("HOME", "/home/go")
            .var("NEXUS", "nexus.corp")
            .var("NEXUS_PW", "a/b@c%41")
            .page("https://nexus.corp/", 200, &[], "");
        let o = eval(
            "http: https://deploy:${NEXUS_PW}@${NEXUS}/\nca_file: ~/corp-ca.pem\nmethod: HEAD",
            &w,
        );
        pass(&o);
        assert_eq!(o.message, "HEAD https://nexus.corp/ answered 200 OK");
        let asked = &w.http_asked()[0];
        // The value as it is, apart from the URL.
        assert_eq!(asked.url, "https://nexus.corp/");
        assert_eq!(
            asked.auth,
            Some(("deploy".to_string(), "a/b@c%41".to_string()))
        );
        assert_eq!(asked.method, Method::Head);
        assert_eq!(asked.ca_file, Some(PathBuf::from("/home/go/corp-ca.pem")));
        pass(&eval("http: https://${NEXUS}/\ninsecure: true", &w));
        assert!(w.http_asked()[1].insecure);
        // Literal credentials have their escapes decoded.
        pass(&eval("http: https://u%40corp:p%3Ass@${NEXUS}/", &w));
        assert_eq!(
            w.http_asked()[2].auth,
            Some(("u@corp".to_string(), "p:ss".to_string()))
        );
    }

    #[test]
    fn the_proxy_used_is_named() {
        let mut w = FakeWorld::default().page(MIRROR, 200, &[], "");
        if let Some(Ok(r)) = w.pages.get_mut(MIRROR) {
            r.proxy = Some("proxy.corp:3128".into());
        }
        let o = eval(&format!("http: {MIRROR}"), &w);
        assert_eq!(
            o.message,
            format!("GET {MIRROR} answered 200 OK through the proxy proxy.corp:3128")
        );
    }

    #[test]
    fn what_cannot_work_is_refused_when_the_spec_is_read() {
        for (yaml, words) in [
            ("http: nexus.corp/x", "is not an http:// or https:// URL"),
            (
                "http: http://x/\nmethod: HEAD\nbody: y",
                "a HEAD request gets no body",
            ),
            (
                "http: https://x/\ninsecure: true\nca_file: a.pem",
                "keep one",
            ),
            ("http: http://x/\nmethod: POST", "POST"),
        ] {
            let text = format!("checks:\n  - {}\n", yaml.replace('\n', "\n    "));
            let errors = crate::catalog::load_str("t", &text).unwrap_err();
            let shown = crate::spec::SpecErrors(errors).to_string();
            assert!(shown.contains(words), "{yaml}: {shown}");
        }
        let w = FakeWorld::default().var("U", "ftp://x/");
        let o = eval("http: ${U}", &w);
        error(&o);
        assert!(
            o.message.contains("is not an http:// or https:// URL"),
            "{}",
            o.message
        );
    }
}
