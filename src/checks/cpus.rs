//! `cpus`: how many logical CPUs the probe may use.

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::{Context, Declared, Kind, Outcome};
use crate::spec::CountReq;
use crate::text::counted;
use crate::world::World;

/// How many logical CPUs the probe may use.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CpusCheck {
    /// A comparison such as `>= 2`; a bare number means at least.
    pub cpus: CountReq,
}

impl Declared for CpusCheck {
    const KEY: &'static str = "cpus";

    /// At least as many CPUs as this machine has.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let n = ask
            .world
            .cpus()
            .map_err(|e| format!("the CPUs could not be counted: {e}"))?;
        Draft::new("cpus", Val::Text(format!(">= {n}")))
    }
}

impl Kind for CpusCheck {
    fn subject(&self) -> String {
        self.cpus.0.to_string()
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let expected = format!("CPUs {}", self.cpus.0);
        let n = match world.cpus() {
            Ok(n) => n,
            Err(e) => {
                return Outcome::error(format!("the number of CPUs could not be read: {e}"))
                    .expected(expected)
            }
        };
        let ok = self.cpus.0.matches(n);
        Outcome::verdict(ok, format!("{} available", counted(n, "CPU")))
            .expected(expected)
            .actual(n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass};
    use crate::world::fake::FakeWorld;

    #[test]
    fn cpus() {
        let world = FakeWorld::default().with_cpus(4);
        let o = eval("cpus: \">= 2\"", &world);
        pass(&o);
        assert_eq!(o.message, "4 CPUs available");
        assert_eq!(o.expected, "CPUs >= 2");
        assert_eq!(o.actual, "4");
        pass(&eval("cpus: \"4\"", &world));
        let o = eval("cpus: \"8\"", &world);
        fail(&o);
        assert_eq!(o.message, "4 CPUs available");
        fail(&eval("cpus: \"> 1, <= 2\"", &world));
    }

    #[test]
    fn cpus_that_cannot_be_counted_could_not_be_checked() {
        let o = eval("cpus: 2", &FakeWorld::default().unreadable_system());
        error(&o);
        assert_eq!(
            o.message,
            "the number of CPUs could not be read: no CPU count on this fake machine"
        );
        assert_eq!(o.expected, "CPUs 2");
    }
}
