//! The values a spec is written in (patterns, version ranges, sizes,
//! durations, OS families), the keys of a spec file other than its checks,
//! and the keys every check may carry. Each kind of check declares its own
//! keys in src/checks/. Every value is validated as it is read, so a bad
//! regex or range points at its own line; the types are also the source of
//! `probe schema`.

use std::fmt;
use std::time::Duration;

use regex::Regex;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::quantity::{self, AmountReq, Unit};
use crate::version::VersionReq;

#[cfg(test)]
use schemars::JsonSchema;

/// The keys of a spec file other than `checks`.
#[derive(Debug, Deserialize, Default)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecHeader {
    /// What agents with this resource are for; shown by `probe list`.
    pub description: Option<String>,
    /// Other resources whose checks also run whenever this one is selected
    /// (file names in the same directory, without `.yaml`).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Environment variables whose values must never appear in a report,
    /// besides those whose names say they are secret (`*` and `?` allowed).
    /// A list in any spec applies to every run of that probes directory;
    /// common.yaml is the natural place.
    #[serde(default)]
    pub redact: Vec<String>,
}

/// The keys any check may carry besides its kind.
#[derive(Debug, Deserialize, Default, Clone)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckCommon {
    /// A name for the check in reports, instead of the generated one.
    pub title: Option<String>,
    /// Shown when the check fails: how to fix the agent.
    pub hint: Option<String>,
    /// How long a spawned command may run (e.g. `500ms`, `10s`); default `--timeout`.
    pub timeout: Option<DurationText>,
    /// Run the check only on these operating systems; elsewhere it is skipped.
    pub os: Option<OneOrMany<OsFamily>>,
    /// `true`: what the check found and the command's output are left out of
    /// every report; its verdict and message stay.
    pub sensitive: Option<bool>,
}

pub const COMMON_KEYS: &[&str] = &["title", "hint", "timeout", "os", "sensitive"];

// ---- values ----

/// A regular expression, compiled when the spec is read.
#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl Pattern {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        regex::RegexBuilder::new(&text)
            .multi_line(true)
            .size_limit(1 << 20)
            .build()
            .map(Pattern)
            .map_err(|e| {
                let reason = match &e {
                    regex::Error::Syntax(s) => s
                        .lines()
                        .rev()
                        .find_map(|l| l.strip_prefix("error: "))
                        .unwrap_or("invalid syntax")
                        .to_string(),
                    other => other.to_string(),
                };
                de::Error::custom(format_args!(
                    "`{text}` is not a valid regular expression: {reason}"
                ))
            })
    }
}

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        VersionReq::parse(&text).map_err(de::Error::custom)
    }
}

/// `>= 2 GiB`.
#[derive(Debug, Clone)]
pub struct SizeReq(pub AmountReq);

impl<'de> Deserialize<'de> for SizeReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AmountReq::parse(&text, Unit::Bytes)
            .map(SizeReq)
            .map_err(de::Error::custom)
    }
}

/// `>= 2`.
#[derive(Debug, Clone)]
pub struct CountReq(pub AmountReq);

impl<'de> Deserialize<'de> for CountReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AmountReq::parse(&text, Unit::Count)
            .map(CountReq)
            .map_err(de::Error::custom)
    }
}

/// `500ms`, `10s`, `2m`.
#[derive(Debug, Clone, Copy)]
pub struct DurationText(pub Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        quantity::parse_duration(&text)
            .map(DurationText)
            .map_err(de::Error::custom)
    }
}

/// An IP address, v4 or v6: `10.0.0.5`, `::1`. Host names are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpText(pub std::net::IpAddr);

impl<'de> Deserialize<'de> for IpText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.trim().parse().map(IpText).map_err(|_| {
            de::Error::custom(format_args!(
                "`{text}` is not an IP address; write e.g. `10.0.0.5` or `\"::1\"` \
                 (a host name is not taken here)"
            ))
        })
    }
}

impl fmt::Display for IpText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One value or a list of them: `os: linux` or `os: [linux, macos]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                if out.is_empty() {
                    return Err(de::Error::custom(
                        "the list is empty; give at least one value, or leave the key out",
                    ));
                }
                Ok(OneOrMany(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::<E>::new(v)).map(|t| OneOrMany(vec![t]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum OsFamily {
    Linux,
    Windows,
    Macos,
}

impl OsFamily {
    pub fn current() -> OsFamily {
        if cfg!(windows) {
            OsFamily::Windows
        } else if cfg!(target_os = "macos") {
            OsFamily::Macos
        } else {
            OsFamily::Linux
        }
    }
}

impl fmt::Display for OsFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OsFamily::Linux => "linux",
            OsFamily::Windows => "windows",
            OsFamily::Macos => "macos",
        })
    }
}

// ---- JSON Schema for the hand-written value types (test builds only) ----

#[cfg(test)]
mod schema_impls {
    use super::*;
    use schemars::{json_schema, Schema, SchemaGenerator};
    use std::borrow::Cow;

    // The loader reads any scalar as text, while an editor reads `17`,
    // `2` or `10` as numbers: such values are numbers in the schema too.
    macro_rules! text_schema {
        ($ty:ty, $name:literal, $description:literal) => {
            impl JsonSchema for $ty {
                fn schema_name() -> Cow<'static, str> {
                    $name.into()
                }
                fn json_schema(_: &mut SchemaGenerator) -> Schema {
                    json_schema!({ "type": ["string", "number"], "description": $description })
                }
            }
        };
    }

    impl JsonSchema for Pattern {
        fn schema_name() -> Cow<'static, str> {
            "Pattern".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "A regular expression (Rust regex syntax), searched for anywhere in the text; multi-line mode: `^` and `$` match at line starts and ends."
            })
        }
    }
    text_schema!(
        VersionReq,
        "VersionReq",
        "A version range: `>=3.10, <3.13`, `^1.2`, `~1.2.3`, `==3.11.*`, `!=3.12`, `17` (any 17.x); `||` between alternatives. Quote it: `version: \"3.10\"`."
    );
    text_schema!(
        SizeReq,
        "SizeReq",
        "A size comparison such as `>= 2 GiB` (>=, >, <=, <, ==, !=; a bare size means at least). Units B, KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024); no unit means bytes."
    );
    text_schema!(
        CountReq,
        "CountReq",
        "A number comparison such as `>= 2` (>=, >, <=, <, ==, !=; a bare number means at least)."
    );
    text_schema!(
        DurationText,
        "Duration",
        "A duration: `500ms`, `10s`, `2m` (or `2min`), `1h`; a bare number is seconds."
    );

    impl JsonSchema for IpText {
        fn schema_name() -> Cow<'static, str> {
            "IpAddress".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "An IPv4 or IPv6 address: `10.0.0.5`, `::1`."
            })
        }
    }

    impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
        fn schema_name() -> Cow<'static, str> {
            format!("OneOrMany_{}", T::schema_name()).into()
        }
        fn json_schema(g: &mut SchemaGenerator) -> Schema {
            let item = g.subschema_for::<T>();
            json_schema!({ "anyOf": [item, { "type": "array", "items": item, "minItems": 1 }] })
        }
    }
}
