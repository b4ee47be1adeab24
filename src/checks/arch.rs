//! `arch`: the CPU architecture.

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::{Context, Declared, Kind, Outcome};
use crate::spec::OneOrMany;
use crate::world::World;

/// The CPU architecture (`x86_64`, `aarch64`; `amd64`, `x64`, `arm64` are aliases).
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ArchCheck {
    /// One architecture or a list of acceptable ones.
    pub arch: OneOrMany<String>,
}

impl Declared for ArchCheck {
    const KEY: &'static str = "arch";

    /// This machine's architecture, when no subject is given.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        if ask.subject.is_empty() {
            return Draft::new("arch", Val::Text(ask.world.arch()));
        }
        ask.subject_only()
    }
}

impl Kind for ArchCheck {
    fn subject(&self) -> String {
        self.arch.0.join(" or ")
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let here = world.arch();
        let ok = self
            .arch
            .0
            .iter()
            .any(|a| canonical_arch(a) == canonical_arch(&here));
        let expected = self.arch.0.join(" or ");
        Outcome::verdict(
            ok,
            if ok {
                format!("the CPU architecture is {here}")
            } else {
                format!("the CPU architecture is {here}, not {expected}")
            },
        )
        .expected(expected)
        .actual(here)
    }
}

/// The name Rust uses for the architecture, for the aliases people write.
fn canonical_arch(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "amd64" | "x64" | "x86-64" => "x86_64".into(),
        "arm64" => "aarch64".into(),
        "i386" | "i686" | "386" => "x86".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{eval, fail, pass};
    use crate::world::fake::FakeWorld;

    #[test]
    fn arch_aliases() {
        let x86 = FakeWorld::default().on_arch("x86_64");
        let o = eval("arch: amd64", &x86);
        pass(&o);
        assert_eq!(o.message, "the CPU architecture is x86_64");
        assert_eq!(o.expected, "amd64");
        assert_eq!(o.actual, "x86_64");
        pass(&eval("arch: x64", &x86));
        pass(&eval("arch: x86_64", &x86));
        pass(&eval("arch: [arm64, amd64]", &x86));
        let o = eval("arch: arm64", &x86);
        fail(&o);
        assert_eq!(o.message, "the CPU architecture is x86_64, not arm64");

        let arm = FakeWorld::default().on_arch("aarch64");
        pass(&eval("arch: arm64", &arm));
        pass(&eval("arch: AArch64", &arm));
        let o = eval("arch: [amd64, x86]", &arm);
        fail(&o);
        assert_eq!(
            o.message,
            "the CPU architecture is aarch64, not amd64 or x86"
        );
        assert_eq!(o.expected, "amd64 or x86");

        pass(&eval("arch: i686", &FakeWorld::default().on_arch("x86")));
    }
}
