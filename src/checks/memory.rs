//! `memory`: total physical memory.

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::{Context, Declared, Kind, Outcome};
use crate::quantity::format_size;
use crate::spec::SizeReq;
use crate::world::World;

/// Total physical memory.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MemoryCheck {
    /// A comparison such as `>= 2 GiB`; a bare size means at least.
    pub memory: SizeReq,
}

impl Declared for MemoryCheck {
    const KEY: &'static str = "memory";

    /// About as much memory as this machine has.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let bytes = ask
            .world
            .total_memory()
            .ok_or("the memory size could not be read")?;
        Draft::new("memory", Val::Text(super::observe::at_least_gib(bytes)))
    }
}

impl Kind for MemoryCheck {
    fn subject(&self) -> String {
        self.memory.0.to_string()
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let expected = format!("memory {}", self.memory.0);
        let Some(total) = world.total_memory() else {
            return Outcome::error("the memory size could not be read").expected(expected);
        };
        let ok = self.memory.0.matches(total);
        Outcome::verdict(ok, format!("{} of memory", format_size(total)))
            .expected(expected)
            .actual(format_size(total))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass, GIB};
    use crate::world::fake::FakeWorld;

    #[test]
    fn memory() {
        let world = FakeWorld::default().with_memory(Some(8 * GIB));
        let o = eval("memory: \">= 4 GiB\"", &world);
        pass(&o);
        assert_eq!(o.message, "8.0 GiB of memory");
        assert_eq!(o.expected, "memory >= 4 GiB");
        assert_eq!(o.actual, "8.0 GiB");
        let o = eval("memory: 16 GiB", &world);
        fail(&o);
        assert_eq!(o.message, "8.0 GiB of memory");
        assert_eq!(o.expected, "memory 16 GiB");
    }

    #[test]
    fn memory_unknown_is_an_error() {
        let o = eval("memory: 1 GiB", &FakeWorld::default().with_memory(None));
        error(&o);
        assert_eq!(o.message, "the memory size could not be read");
        assert_eq!(o.expected, "memory 1 GiB");
    }
}
