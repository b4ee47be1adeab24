//! `env`: an environment variable is set, unset, equal to or matching a value.

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::redact::Redactor;
use crate::spec::Pattern;
use crate::world::World;

/// An environment variable: set (the default), unset, equal to, or matching.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EnvCheck {
    /// The variable's name (case-insensitive on Windows).
    pub env: String,
    /// `false`: the variable must NOT be set. Default `true`.
    pub set: Option<bool>,
    /// The exact value wanted.
    pub equals: Option<String>,
    /// A regular expression the value must match.
    pub matches: Option<Pattern>,
}

impl Declared for EnvCheck {
    const KEY: &'static str = "env";

    /// The variable must be set here; with `--value`, to today's value
    /// (never a secret's).
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let name = ask.subject;
        let Some(current) = ask.world.var(name) else {
            return Err(format!("${name} is not set here"));
        };
        let draft = Draft::new("env", Val::text(name))?;
        if !ask.wanted.value {
            return Ok(draft);
        }
        if ask.secrets.is_secret(name) {
            return Err(format!(
                "${name} is a secret: its value is not written into a spec (drop --value)"
            ));
        }
        Ok(draft.with("equals", Val::Text(current.to_string_lossy().into_owned())))
    }
}

impl Kind for EnvCheck {
    fn subject(&self) -> String {
        self.env.clone()
    }

    fn qualifier(&self) -> Option<String> {
        if self.set == Some(false) {
            return Some("not set".into());
        }
        self.equals.as_ref().map(|v| format!("= {v}")).or_else(|| {
            self.matches
                .as_ref()
                .map(|p| format!("matching {}", p.as_str()))
        })
    }

    fn conflict(&self) -> Option<Conflict> {
        if self.set != Some(false) {
            return None;
        }
        let key = if self.equals.is_some() {
            "equals"
        } else if self.matches.is_some() {
            "matches"
        } else {
            return None;
        };
        Some(Conflict {
            key,
            message: format!(
                "`{key}` cannot be combined with `set: false`: a variable that must not be set \
                 has no value to compare; remove one of the two"
            ),
            at_value: false,
        })
    }

    fn evaluate(&self, world: &dyn World, cx: &Context) -> Outcome {
        let name = &self.env;
        let shown_value = |name: &str, value: &str| shown_value(name, value, cx.secrets);
        let value = world.var(name).map(|v| v.to_string_lossy().into_owned());
        let must_be_set = self.set.unwrap_or(true);
        let mut expected = if must_be_set {
            format!("${name} set")
        } else {
            format!("${name} not set")
        };
        if let Some(equals) = &self.equals {
            expected = format!("${name} = {}", shown_value(name, equals));
        }
        if let Some(pattern) = &self.matches {
            expected.push_str(&format!(", matching `{}`", pattern.as_str()));
        }
        let Some(value) = value else {
            return Outcome::verdict(!must_be_set, format!("${name} is not set"))
                .expected(expected)
                .actual("not set");
        };
        let shown = shown_value(name, &value);
        if !must_be_set {
            return Outcome::fail(format!("${name} is set to {shown}"))
                .expected(expected)
                .actual(shown);
        }
        if let Some(equals) = &self.equals {
            if &value != equals {
                return Outcome::fail(format!(
                    "${name} is {shown}, not {}",
                    shown_value(name, equals)
                ))
                .expected(expected)
                .actual(shown);
            }
        }
        if let Some(pattern) = &self.matches {
            if !pattern.is_match(&value) {
                return Outcome::fail(format!(
                    "${name} is {shown}, which does not match `{}`",
                    pattern.as_str()
                ))
                .expected(expected)
                .actual(shown);
            }
        }
        Outcome::pass(format!("${name} is {shown}"))
            .expected(expected)
            .actual(shown)
    }
}

/// A value as reports show it: a secret variable's only by its length;
/// another's with any secret in it hidden, and cut when long.
fn shown_value(name: &str, value: &str, secrets: &Redactor) -> String {
    if secrets.is_secret(name) {
        return format!(
            "<hidden: {}>",
            crate::text::counted(value.chars().count(), "character")
        );
    }
    let value = secrets.redact(value);
    if value.chars().count() > 300 {
        format!("\"{}…\"", value.chars().take(300).collect::<String>())
    } else {
        format!("\"{value}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{eval, fail, pass, windows};
    use super::super::Status;
    use crate::spec::OsFamily;
    use crate::world::fake::FakeWorld;

    #[test]
    fn env_checks() {
        let world = FakeWorld::default()
            .var("LUA_PATH", "./?.lua;;")
            .var("API_TOKEN", "s3cret");
        assert_eq!(
            eval("env: LUA_PATH\nmatches: '\\?\\.lua'", &world).status,
            Status::Pass
        );
        assert_eq!(eval("env: LUA_CPATH", &world).status, Status::Fail);
        assert_eq!(
            eval("env: LUA_CPATH\nset: false", &world).status,
            Status::Pass
        );
        let o = eval("env: API_TOKEN\nequals: other", &world);
        assert_eq!(o.status, Status::Fail);
        assert!(!o.message.contains("s3cret"), "{}", o.message);
    }

    #[test]
    fn env_set() {
        let world = FakeWorld::default().var("JAVA_HOME", "/usr/lib/jvm/17");
        let o = eval("env: JAVA_HOME", &world);
        pass(&o);
        assert_eq!(o.message, "$JAVA_HOME is \"/usr/lib/jvm/17\"");
        assert_eq!(o.expected, "$JAVA_HOME set");
        assert_eq!(o.actual, "\"/usr/lib/jvm/17\"");

        let o = eval("env: JAVA_HOME", &FakeWorld::default());
        fail(&o);
        assert_eq!(o.message, "$JAVA_HOME is not set");
        assert_eq!(o.actual, "not set");
    }

    #[test]
    fn env_unset() {
        let o = eval("env: CI_DEBUG\nset: false", &FakeWorld::default());
        pass(&o);
        assert_eq!(o.message, "$CI_DEBUG is not set");
        assert_eq!(o.expected, "$CI_DEBUG not set");

        let o = eval(
            "env: CI_DEBUG\nset: false",
            &FakeWorld::default().var("CI_DEBUG", "1"),
        );
        fail(&o);
        assert_eq!(o.message, "$CI_DEBUG is set to \"1\"");
        assert_eq!(o.actual, "\"1\"");
    }

    #[test]
    fn env_equals() {
        let world = FakeWorld::default().var("LANG", "C");
        let o = eval("env: LANG\nequals: C.UTF-8", &world);
        fail(&o);
        assert_eq!(o.message, "$LANG is \"C\", not \"C.UTF-8\"");
        assert_eq!(o.expected, "$LANG = \"C.UTF-8\"");
        assert_eq!(o.actual, "\"C\"");
        pass(&eval("env: LANG\nequals: C", &world));
    }

    #[test]
    fn env_matches() {
        let world = FakeWorld::default().var("LANG", "C");
        let o = eval("env: LANG\nmatches: 'UTF-8$'", &world);
        fail(&o);
        assert_eq!(o.message, "$LANG is \"C\", which does not match `UTF-8$`");
        assert_eq!(o.expected, "$LANG set, matching `UTF-8$`");
        let world = FakeWorld::default().var("LANG", "en_US.UTF-8");
        pass(&eval("env: LANG\nmatches: 'UTF-8$'", &world));
    }

    #[test]
    fn env_long_values_are_cut() {
        let long = "x".repeat(400);
        let o = eval("env: BIG", &FakeWorld::default().var("BIG", &long));
        pass(&o);
        assert_eq!(o.actual, format!("\"{}…\"", "x".repeat(300)));
    }

    #[test]
    fn secret_looking_values_are_never_shown() {
        let names = [
            "API_TOKEN",
            "aws_secret_access_key",
            "DB_PASSWORD",
            "DB_PASS",
            "SMTP_PASSWD",
            "GPG_PASSPHRASE",
            "SSH_PRIVATE_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "REGISTRY_CREDS",
            "NPM_AUTH",
        ];
        for name in names {
            let secret = "hunter2-s3cret";
            let world = FakeWorld::default().var(name, secret);
            let outcomes = [
                eval(&format!("env: {name}"), &world),
                eval(&format!("env: {name}\nequals: other-s3cret"), &world),
                eval(&format!("env: {name}\nmatches: '^nope$'"), &world),
                eval(&format!("env: {name}\nset: false"), &world),
            ];
            for o in &outcomes {
                for text in [&o.message, &o.expected, &o.actual] {
                    assert!(!text.contains("s3cret"), "{name} shown: {o:#?}");
                }
            }
            assert_eq!(
                outcomes[0].message,
                format!("${name} is <hidden: 14 characters>")
            );
            assert_eq!(
                outcomes[1].message,
                format!("${name} is <hidden: 14 characters>, not <hidden: 12 characters>")
            );
            assert_eq!(
                outcomes[3].message,
                format!("${name} is set to <hidden: 14 characters>")
            );
        }
    }

    #[test]
    fn variable_names_ignore_case_on_windows_only() {
        let world = windows().var("PATHEXT", ".COM;.EXE;.BAT;.CMD");
        let o = eval("env: PathExt\nmatches: '(?i)\\.exe'", &world);
        pass(&o);
        assert_eq!(o.message, "$PathExt is \".COM;.EXE;.BAT;.CMD\"");
        let linux = FakeWorld::default()
            .on(OsFamily::Linux)
            .var("PATHEXT", ".EXE");
        fail(&eval("env: PathExt", &linux));
    }
}
