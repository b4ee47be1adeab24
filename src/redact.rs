//! Secrets never reach a report. The values of secret environment variables
//! are replaced by `<hidden: NAME>` in everything the probe writes (every
//! report format, stdout, stderr, error messages), and the user and password
//! of a URL (`https://user:pass@host`) are replaced by `<hidden: userinfo>`.
//!
//! A variable is secret when its name says so (it contains TOKEN, SECRET,
//! PASS, KEY, CRED or AUTH), when `--redact` or `PROBE_REDACT` names it
//! (globs allowed), or when a spec's `redact:` list does. Values shorter than
//! [`MIN_LEN`] characters are not masked: hiding every `1` or `yes` would
//! mangle the report without protecting anything worth a secret.
//!
//! The step runs where text is made for output: on each check's outcome
//! (before an excerpt is cut, so a secret cannot leak in halves) and on the
//! bytes written to any stream or file. It costs nothing when there is
//! nothing to hide.

use std::borrow::Cow;

use crate::text::glob_match;

/// Values shorter than this are not masked.
pub const MIN_LEN: usize = 4;

/// What `redact` writes instead of a URL's user and password.
const USERINFO: &str = "<hidden: userinfo>";

/// Words that make a variable secret by its name alone.
const SECRET_WORDS: &[&str] = &["TOKEN", "SECRET", "PASS", "KEY", "CRED", "AUTH"];

/// Whether a variable's name says it holds a secret. `PASS` covers
/// PASSWORD, PASSWD, PASSPHRASE and `DB_PASS`; `CRED` covers CREDENTIAL(S)
/// and CREDS.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|word| upper.contains(word))
}

/// How the text being redacted is escaped, so that the mark is too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// Plain text, JSON strings.
    Plain,
    /// XML and HTML: `<` and `>` are escaped.
    Xml,
}

#[derive(Debug, Clone)]
struct Secret {
    name: String,
    value: String,
    /// How the value appears in plain text and JSON, and the mark for it.
    plain: Vec<String>,
    plain_mark: String,
    /// How it appears in XML and HTML, and the mark for it.
    xml: Vec<String>,
    xml_mark: String,
}

impl Secret {
    fn new(name: String, value: String) -> Secret {
        Secret {
            plain: forms(&value, Markup::Plain),
            xml: forms(&value, Markup::Xml),
            plain_mark: format!("<hidden: {name}>"),
            xml_mark: format!("&lt;hidden: {name}&gt;"),
            name,
            value,
        }
    }
}

/// The secrets of one run, and the names that make a variable secret.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest value first, so that a secret containing another is masked whole.
    secrets: Vec<Secret>,
    /// Names or globs from `--redact`, `PROBE_REDACT` and specs.
    names: Vec<String>,
    /// Variables not (yet) secret whose values would be masked if a name
    /// added later made them so.
    others: Vec<(String, String)>,
    /// Values shorter than this are not masked ([`MIN_LEN`], or
    /// [`UNGUESSABLE`] once [`Redactor::only_unguessable`] is called).
    min_len: usize,
}

/// The length from which a secret is taken to be too long to guess: a
/// GoCD access token has 40 characters.
pub const UNGUESSABLE: usize = 20;

impl Redactor {
    /// `names`: globs (`*`, `?`) naming secret variables besides those the
    /// name rule finds; matched ignoring ASCII case.
    pub fn new(names: &[String]) -> Redactor {
        let mut redactor = Redactor::default();
        redactor.add_names(names.iter().map(String::as_str));
        redactor
    }

    /// Adds names or globs (from a flag, a spec's `redact:` list); the
    /// variables they name are secret from now on.
    pub fn add_names<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        let before = self.names.len();
        self.names.extend(
            names
                .into_iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
        );
        if self.names.len() == before || self.others.is_empty() {
            return;
        }
        let others = std::mem::take(&mut self.others);
        self.learn(others);
    }

    /// Whether the variable `name` is secret.
    pub fn is_secret(&self, name: &str) -> bool {
        is_secret_name(name) || self.names.iter().any(|glob| glob_match(glob, name))
    }

    /// Takes the values of the secret variables among `vars` (the
    /// process's environment), and keeps the others in case a name added
    /// later makes them secret.
    pub fn learn(&mut self, vars: impl IntoIterator<Item = (String, String)>) {
        for (name, value) in vars {
            if value.chars().count() < self.min_len.max(MIN_LEN) {
                continue;
            }
            if self.is_secret(&name) {
                self.secrets.push(Secret::new(name, value));
            } else {
                self.others.push((name, value));
            }
        }
        // Longest first; for equal values the first name in order wins.
        self.secrets.sort_by(|a, b| {
            b.value
                .len()
                .cmp(&a.value.len())
                .then_with(|| a.name.cmp(&b.name))
        });
        self.secrets.dedup_by(|a, b| a.value == b.value);
    }

    /// Hides from now on only values of [`UNGUESSABLE`] characters or more.
    /// For text someone else wrote (an agent's report, in the fleet):
    /// hiding a short value wherever it appears would tell whoever wrote
    /// the text that a guess of theirs is the secret.
    pub fn only_unguessable(&mut self) {
        self.min_len = UNGUESSABLE;
        self.secrets
            .retain(|s| s.value.chars().count() >= UNGUESSABLE);
    }

    /// Hides `value` as `<hidden: NAME>` (a credential the probe was given
    /// another way than in a variable), unless it is too short.
    pub fn add_secret(&mut self, name: &str, value: &str) {
        if value.chars().count() >= self.min_len.max(MIN_LEN) {
            self.secrets
                .push(Secret::new(name.to_string(), value.to_string()));
            self.secrets
                .sort_by_key(|s| std::cmp::Reverse(s.value.len()));
        }
    }

    /// The names of the variables whose values are hidden.
    #[cfg(test)]
    pub fn hidden_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.secrets.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// Whether `text` holds a secret itself: a secret variable's value, or
    /// a URL with a password written out (`https://u:${PASS}@host`, which
    /// names the variable, does not count). For text that is kept, such as
    /// a spec, rather than shown.
    pub fn reveals(&self, text: &str) -> bool {
        self.secrets
            .iter()
            .any(|s| s.plain.iter().any(|form| text.contains(form.as_str())))
            || text.split("://").skip(1).any(|after| {
                let authority = after
                    .split(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
                    .next()
                    .unwrap_or_default();
                authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
                    userinfo.split_once(':').is_some_and(|(_, password)| {
                        !password.is_empty() && !password.starts_with('$')
                    })
                })
            })
    }

    /// `text` with every secret value replaced by `<hidden: NAME>` and the
    /// user and password of every URL by `<hidden: userinfo>`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_in(text, Markup::Plain)
    }

    /// As [`Redactor::redact`], for text already escaped as `markup`: the
    /// values are looked for as they are escaped there, and the mark is
    /// escaped too.
    pub fn redact_in<'a>(&self, text: &'a str, markup: Markup) -> Cow<'a, str> {
        // Where each secret is, in the text as given: two secrets that
        // overlap (one's end the other's start) are hidden as one stretch,
        // so that hiding one does not leave the rest of the other.
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        for secret in &self.secrets {
            let (forms, mark) = match markup {
                Markup::Plain => (&secret.plain, &secret.plain_mark),
                Markup::Xml => (&secret.xml, &secret.xml_mark),
            };
            for form in forms {
                for (at, _) in text.match_indices(form.as_str()) {
                    found.push((at, at + form.len(), mark.as_str()));
                }
            }
        }
        let mut out = Cow::Borrowed(text);
        if !found.is_empty() {
            // By start, the longest first where two start together.
            found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            let mut hidden = String::with_capacity(text.len());
            let mut done = 0;
            let mut i = 0;
            while i < found.len() {
                let (start, mut end, mark) = found[i];
                i += 1;
                while i < found.len() && found[i].0 < end {
                    end = end.max(found[i].1);
                    i += 1;
                }
                hidden.push_str(&text[done..start]);
                hidden.push_str(mark);
                done = end;
            }
            hidden.push_str(&text[done..]);
            out = Cow::Owned(hidden);
        }
        match mask_userinfo(&out, markup) {
            Some(masked) => Cow::Owned(masked),
            None => out,
        }
    }

    /// [`Redactor::redact_in`] over bytes (a rendered report, a stream).
    /// Bytes that are not UTF-8 fail closed: the text is read with each
    /// invalid sequence as U+FFFD, and when there is something to hide,
    /// that redacted text is what is written; with nothing to hide, the
    /// bytes stay as they are.
    pub fn redact_bytes<'a>(&self, bytes: &'a [u8], markup: Markup) -> Cow<'a, [u8]> {
        // UTF-8 is checked first, a word at a time where it is ASCII: the
        // lossy reading goes a byte at a time (35 million instructions for
        // the JSON report of 10 000 checks).
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        match self.redact_in(&text, markup) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }
    }
}

/// The ways `value` can appear in text of `markup`: as it is; without the
/// line break or spaces around it (a secret read from a file); inside a
/// shell-quoted word (`'` as `'\''`, as command lines are shown); as
/// `text::visible` shows its controls; each of those as JSON escapes it,
/// and as XML does.
fn forms(value: &str, markup: Markup) -> Vec<String> {
    let mut variants = vec![value.to_string()];
    let shown = crate::text::visible(value);
    if shown != value {
        variants.push(shown.into_owned());
    }
    let trimmed = value.trim();
    if trimmed != value && trimmed.chars().count() >= MIN_LEN {
        variants.push(trimmed.to_string());
    }
    for variant in variants.clone() {
        if variant.contains('\'') {
            variants.push(variant.replace('\'', r"'\''"));
        }
    }
    let mut forms: Vec<String> = Vec::new();
    let mut add = |form: String| {
        if !forms.contains(&form) {
            forms.push(form);
        }
    };
    for variant in &variants {
        add(variant.clone());
        let json = serde_json::to_string(variant).unwrap_or_default();
        if let Some(json) = json.strip_prefix('"').and_then(|j| j.strip_suffix('"')) {
            add(json.to_string());
        }
        if markup == Markup::Xml {
            let text = variant
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            add(text.replace('"', "&quot;").replace('\'', "&#39;"));
            add(text.replace('"', "&quot;"));
            add(text);
        }
    }
    forms
}

/// Replaces the userinfo of each `scheme://userinfo@host` in `text`; None
/// when there is none.
fn mask_userinfo(text: &str, markup: Markup) -> Option<String> {
    if !text.contains("://") {
        return None;
    }
    let mark = match markup {
        Markup::Plain => USERINFO.to_string(),
        Markup::Xml => USERINFO.replace('<', "&lt;").replace('>', "&gt;"),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(i) = rest.find("://") {
        let (before, after) = rest.split_at(i + 3);
        out.push_str(before);
        match crate::text::userinfo(after) {
            Some(info) if !info.is_empty() && !after[info.clone()].starts_with(&mark) => {
                out.push_str(&after[..info.start]);
                out.push_str(&mark);
                rest = &after[info.end..];
                changed = true;
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(names: &[&str], vars: &[(&str, &str)]) -> Redactor {
        let names: Vec<String> = names.iter().map(ToString::to_string).collect();
        let mut r = Redactor::new(&names);
        r.learn(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        r
    }

    #[test]
    fn overlapping_secrets_are_hidden_as_one_stretch() {
        let r = redactor(
            &[],
            &[("A_TOKEN", "abcdefgh-1234"), ("B_TOKEN", "1234-zyxwvuts")],
        );
        assert_eq!(
            r.redact("x abcdefgh-1234-zyxwvuts y 1234-zyxwvuts"),
            "x <hidden: A_TOKEN> y <hidden: B_TOKEN>"
        );
        // A value read from a file, printed without its line break; one
        // inside a shell-quoted word.
        let r = redactor(
            &[],
            &[("NL_TOKEN", "nlcanary-7788\n"), ("Q_TOKEN", "it's-s3cret")],
        );
        assert_eq!(
            r.redact("val=nlcanary-7788 end"),
            "val=<hidden: NL_TOKEN> end"
        );
        assert_eq!(r.redact("run 'it'\\''s-s3cret'"), "run '<hidden: Q_TOKEN>'");
    }

    #[test]
    fn names_that_say_secret_are_secret() {
        for name in [
            "GOCD_TOKEN",
            "db_password",
            "DB_PASS",
            "PASSWD",
            "AWS_SECRET_ACCESS_KEY",
            "AGENT_AUTO_REGISTER_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "BASIC_AUTH",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["PATH", "HOME", "JAVA_HOME", "GO_SERVER_URL", "LANG"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn values_of_secret_variables_are_replaced_by_their_name() {
        let r = redactor(
            &[],
            &[("GOCD_TOKEN", "s3cr3t-VALUE-123"), ("HOME", "/home/go")],
        );
        assert_eq!(
            r.redact("where: /tmp/s3cr3t-VALUE-123/x and /home/go"),
            "where: /tmp/<hidden: GOCD_TOKEN>/x and /home/go"
        );
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
        assert_eq!(r.hidden_names(), ["GOCD_TOKEN"]);
    }

    #[test]
    fn redact_names_and_globs_add_to_the_name_rule() {
        let r = redactor(
            &["deploy_*", "SIGNING?"],
            &[
                ("DEPLOY_TARGET", "prod-cluster-7"),
                ("SIGNING1", "abcd-efgh"),
                ("SIGNING", "not-matched"),
                ("OTHER", "prod-cluster-7x"),
            ],
        );
        assert!(r.is_secret("Deploy_Target"));
        assert!(!r.is_secret("SIGNING"));
        assert_eq!(
            r.redact("prod-cluster-7 abcd-efgh not-matched"),
            "<hidden: DEPLOY_TARGET> <hidden: SIGNING1> not-matched"
        );
    }

    #[test]
    fn names_added_after_the_environment_was_read_still_count() {
        // The spec's `redact:` list is known only after the specs load.
        let mut r = redactor(
            &[],
            &[("SONAR_LOGIN", "squ_0123456789"), ("HOME", "/home/go")],
        );
        assert_eq!(r.redact("squ_0123456789"), "squ_0123456789");
        r.add_names(["sonar_*"]);
        assert_eq!(
            r.redact("squ_0123456789 /home/go"),
            "<hidden: SONAR_LOGIN> /home/go"
        );
        assert_eq!(r.hidden_names(), ["SONAR_LOGIN"]);
    }

    #[test]
    fn short_values_are_not_masked() {
        let r = redactor(&[], &[("API_KEY", "abc"), ("API_TOKEN", "abcd")]);
        assert_eq!(r.redact("abc abcd"), "abc <hidden: API_TOKEN>");
    }

    #[test]
    fn the_longest_secret_is_masked_first() {
        let r = redactor(
            &[],
            &[
                ("SHORT_TOKEN", "pass1234"),
                ("LONG_TOKEN", "xx-pass1234-yy"),
            ],
        );
        assert_eq!(
            r.redact("a xx-pass1234-yy b pass1234"),
            "a <hidden: LONG_TOKEN> b <hidden: SHORT_TOKEN>"
        );
    }

    #[test]
    fn url_userinfo_is_always_masked() {
        let r = Redactor::default();
        assert_eq!(
            r.redact("cannot reach https://alice:hunter22@repo.example.com/maven2 (401)"),
            "cannot reach https://<hidden: userinfo>@repo.example.com/maven2 (401)"
        );
        assert_eq!(
            r.redact("see https://repo.example.com/a@b and mailto:x@y"),
            "see https://repo.example.com/a@b and mailto:x@y"
        );
        assert_eq!(
            r.redact("\"http://u@h:8080\" and ftp://p:q@h"),
            "\"http://<hidden: userinfo>@h:8080\" and ftp://<hidden: userinfo>@h"
        );
    }

    #[test]
    fn escaped_values_are_found_and_the_mark_is_escaped_too() {
        let r = redactor(&[], &[("DB_PASSWORD", "a<b>&\"c'")]);
        assert_eq!(
            r.redact_in("x a&lt;b&gt;&amp;&quot;c&#39; y", Markup::Xml),
            "x &lt;hidden: DB_PASSWORD&gt; y"
        );
        assert_eq!(
            r.redact_in("x a&lt;b&gt;&amp;\"c' y", Markup::Xml),
            "x &lt;hidden: DB_PASSWORD&gt; y"
        );
        // JSON escapes the quote.
        assert_eq!(
            r.redact("{\"v\": \"a<b>&\\\"c'\"}"),
            "{\"v\": \"<hidden: DB_PASSWORD>\"}"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_still_redacted() {
        let r = redactor(&[], &[("API_TOKEN", "s3cr3t-value")]);
        // A secret between invalid sequences, and a URL's userinfo.
        let bytes = b"a \xff\xfes3cr3t-value\xc3 https://u:pw@h \x80";
        for (markup, open, close) in [(Markup::Plain, "<", ">"), (Markup::Xml, "&lt;", "&gt;")] {
            let out = r.redact_bytes(bytes, markup).into_owned();
            assert_eq!(
                String::from_utf8(out).expect("UTF-8 once redacted"),
                format!(
                    "a \u{fffd}\u{fffd}{open}hidden: API_TOKEN{close}\u{fffd} \
                     https://{open}hidden: userinfo{close}@h \u{fffd}"
                ),
                "{markup:?}"
            );
        }
        // Nothing to hide: the bytes stay as they are, invalid or not.
        let plain = b"nothing \xff here";
        assert!(matches!(
            r.redact_bytes(plain, Markup::Xml),
            Cow::Borrowed(b) if b == plain
        ));
    }

    #[test]
    fn a_value_with_controls_is_hidden_as_reports_show_it_too() {
        let r = redactor(&[], &[("API_TOKEN", "s3cr\u{1b}t\u{202e}value")]);
        let shown = crate::text::visible("x s3cr\u{1b}t\u{202e}value y").into_owned();
        assert_eq!(r.redact(&shown), "x <hidden: API_TOKEN> y");
    }

    #[test]
    fn only_unguessable_values_are_hidden_in_text_others_wrote() {
        let mut r = redactor(
            &["DEPLOY_*"],
            &[
                ("DB_PASSWORD", "hunter22"),
                ("GOCD_TOKEN", &"t0k".repeat(14)),
            ],
        );
        r.only_unguessable();
        assert_eq!(r.redact("hunter22"), "hunter22");
        assert_eq!(r.redact(&"t0k".repeat(14)), "<hidden: GOCD_TOKEN>");
        // Names added later follow the same rule.
        r.learn([
            ("DEPLOY_A".to_string(), "short-one".to_string()),
            (
                "DEPLOY_B".to_string(),
                "a-long-enough-deploy-key".to_string(),
            ),
        ]);
        assert_eq!(r.redact("short-one"), "short-one");
        assert_eq!(r.redact("a-long-enough-deploy-key"), "<hidden: DEPLOY_B>");
        r.add_secret("login", "abc");
        assert_eq!(r.redact("abc"), "abc");
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", "ANY"));
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("A?C", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*_TOKEN*", "MY_TOKEN_2"));
        assert!(!glob_match("MY", "MY_X"));
    }
}
