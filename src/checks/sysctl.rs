//! `sysctl`: a kernel parameter's value, read from /proc/sys (Linux).

use super::draft::{Draft, Val};
use super::observe::Ask;
use std::path::PathBuf;

use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::{Conflict, Context, Declared, Kind, Outcome};
use crate::spec::{CountReq, OsFamily};
use crate::world::World;

/// A kernel parameter (Linux): it exists, equals a value, or is a number in
/// a range.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SysctlCheck {
    /// The parameter, as `sysctl` names it (`net.ipv4.ip_forward`), or with
    /// slashes where a part holds a dot (`net/ipv4/conf/eth0.100/forwarding`).
    #[serde(deserialize_with = "parameter")]
    pub sysctl: String,
    /// The value wanted; runs of blanks count as one space
    /// (`net.ipv4.ip_local_port_range` is `"32768 60999"`).
    pub equals: Option<String>,
    /// A number comparison the value must meet: `">= 262144"`.
    pub range: Option<CountReq>,
}

impl Declared for SysctlCheck {
    const KEY: &'static str = "sysctl";

    /// The parameter's value here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        match value_of(ask.world, ask.subject) {
            Some(value) => Ok(ask.subject_only()?.with("equals", Val::Text(value))),
            None => Err(format!("there is no kernel parameter {} here", ask.subject)),
        }
    }
}

/// Values are short; a parameter's file is never read past this.
const MAX_VALUE: usize = 64 * 1024;

impl Kind for SysctlCheck {
    fn subject(&self) -> String {
        self.sysctl.clone()
    }

    fn qualifier(&self) -> Option<String> {
        match (&self.equals, &self.range) {
            (Some(v), _) => Some(format!("= {v}")),
            (None, Some(r)) => Some(r.0.to_string()),
            (None, None) => None,
        }
    }

    fn conflict(&self) -> Option<Conflict> {
        (self.equals.is_some() && self.range.is_some()).then(|| Conflict {
            key: "range",
            message: "`equals` and `range` both say what the value must be; keep one".into(),
            at_value: false,
        })
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let name = &self.sysctl;
        let mut expected = format!("{name} exists");
        if let Some(v) = &self.equals {
            expected = format!("{name} = {}", squeeze(v));
        }
        if let Some(r) = &self.range {
            expected = format!("{name} {}", r.0);
        }
        if world.os_family() != OsFamily::Linux {
            return Outcome::error(format!(
                "sysctl checks read /proc/sys, which only Linux has (this is {})",
                world.os_family()
            ))
            .expected(expected);
        }
        let path = file_of(name);
        let shown = path.display().to_string();
        let value = match world.read_head(&path, MAX_VALUE) {
            Ok(bytes) => squeeze(&String::from_utf8_lossy(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Outcome::fail(format!("there is no kernel parameter {name} ({shown})"))
                    .expected(expected)
                    .actual("no such parameter")
                    .at(shown)
            }
            Err(e) => {
                return Outcome::error(format!("{shown} could not be read: {e}"))
                    .expected(expected)
                    .at(shown)
            }
        };
        let outcome = |ok: bool| {
            Outcome::verdict(ok, format!("{name} = {value}"))
                .expected(expected.clone())
                .actual(value.clone())
                .at(shown.clone())
        };
        if let Some(want) = &self.equals {
            return outcome(value == squeeze(want));
        }
        if let Some(range) = &self.range {
            return match value.parse::<u64>() {
                Ok(n) => outcome(range.0.matches(n)),
                Err(_) => Outcome::error(format!(
                    "{name} = {value}, which is not one whole number 0 or more; compare it \
                     with `equals`"
                ))
                .expected(expected)
                .actual(value)
                .at(shown),
            };
        }
        outcome(true)
    }
}

/// A kernel parameter's value here, blanks squeezed (for `probe add`).
pub(crate) fn value_of(world: &dyn World, name: &str) -> Option<String> {
    let bytes = world.read_head(&file_of(name), MAX_VALUE).ok()?;
    Some(squeeze(&String::from_utf8_lossy(&bytes)))
}

/// A parameter's name: it must name a file below /proc/sys, not climb out.
fn parameter<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = String::deserialize(d)?;
    let climbs = name.contains('/') && name.split('/').any(|part| part == ".." || part == ".");
    if name.trim().is_empty() || climbs {
        return Err(de::Error::custom(format_args!(
            "`{name}` is not a kernel parameter; write it as sysctl does, e.g. \
             `net.ipv4.ip_forward`"
        )));
    }
    Ok(name)
}

/// `net.ipv4.ip_forward` -> /proc/sys/net/ipv4/ip_forward. A name with a
/// slash is already a path below /proc/sys.
fn file_of(name: &str) -> PathBuf {
    let relative = if name.contains('/') {
        name.trim_start_matches('/').to_string()
    } else {
        name.replace('.', "/")
    };
    // Built as text: a Linux path, whatever OS the tests run on.
    PathBuf::from(format!("/proc/sys/{relative}"))
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass, windows};
    use crate::spec::OsFamily;
    use crate::world::fake::FakeWorld;
    use crate::world::FileKind;

    fn linux() -> FakeWorld {
        FakeWorld::default()
            .on(OsFamily::Linux)
            .file(
                "/proc/sys/net/ipv4/ip_forward",
                FileKind::File,
                0o644,
                "1\n",
            )
            .file(
                "/proc/sys/vm/max_map_count",
                FileKind::File,
                0o644,
                "65530\n",
            )
            .file(
                "/proc/sys/net/ipv4/ip_local_port_range",
                FileKind::File,
                0o644,
                "32768\t60999\n",
            )
            .file(
                "/proc/sys/net/ipv4/conf/eth0.100/forwarding",
                FileKind::File,
                0o644,
                "0\n",
            )
    }

    #[test]
    fn a_value_equals_or_is_in_a_range() {
        let w = linux();
        let o = eval("sysctl: net.ipv4.ip_forward\nequals: 1", &w);
        pass(&o);
        assert_eq!(o.message, "net.ipv4.ip_forward = 1");
        assert_eq!(o.location.as_deref(), Some("/proc/sys/net/ipv4/ip_forward"));
        fail(&eval("sysctl: net.ipv4.ip_forward\nequals: 0", &w));
        let o = eval("sysctl: vm.max_map_count\nrange: \">= 262144\"", &w);
        fail(&o);
        assert_eq!(o.expected, "vm.max_map_count >= 262144");
        assert_eq!(o.actual, "65530");
        pass(&eval(
            "sysctl: net.ipv4.ip_local_port_range\nequals: \"32768  60999\"",
            &w,
        ));
        pass(&eval(
            "sysctl: net/ipv4/conf/eth0.100/forwarding\nequals: 0",
            &w,
        ));
        pass(&eval("sysctl: vm.max_map_count", &w));
    }

    #[test]
    fn a_missing_parameter_fails_and_other_problems_are_errors() {
        let w = linux();
        let o = eval("sysctl: vm.nope", &w);
        fail(&o);
        assert_eq!(
            o.message,
            "there is no kernel parameter vm.nope (/proc/sys/vm/nope)"
        );
        let o = eval("sysctl: net.ipv4.ip_local_port_range\nrange: \">= 1\"", &w);
        error(&o);
        assert!(
            o.message.contains("compare it with `equals`"),
            "{}",
            o.message
        );
        let o = eval("sysctl: vm.max_map_count", &windows());
        error(&o);
        assert_eq!(
            o.message,
            "sysctl checks read /proc/sys, which only Linux has (this is windows)"
        );
        let w = linux().unreadable(
            "/proc/sys/kernel/secret",
            std::io::ErrorKind::PermissionDenied,
        );
        let o = eval("sysctl: kernel.secret", &w);
        error(&o);
        assert!(
            o.message
                .starts_with("/proc/sys/kernel/secret could not be read: "),
            "{}",
            o.message
        );
    }

    #[test]
    fn a_name_that_leaves_proc_sys_is_refused() {
        let text = "checks:\n  - sysctl: ../../etc/shadow\n";
        let errors = crate::catalog::load_str("t", text).unwrap_err();
        let shown = crate::spec::SpecErrors(errors).to_string();
        assert!(shown.contains("is not a kernel parameter"), "{shown}");
    }

    #[test]
    fn equals_and_range_together_are_refused() {
        let text = "checks:\n  - sysctl: vm.max_map_count\n    equals: 1\n    range: \">= 1\"\n";
        let errors = crate::catalog::load_str("t", text).unwrap_err();
        let shown = crate::spec::SpecErrors(errors).to_string();
        assert!(shown.contains("keep one"), "{shown}");
    }
}
