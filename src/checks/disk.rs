//! `disk`: free space on the filesystem that holds a path.

use super::draft::{Draft, Val};
use super::observe::Ask;
use serde::Deserialize;

use super::expand::expand_path;
use super::{Context, Declared, Kind, Outcome};
use crate::quantity::format_size;
use crate::spec::SizeReq;
use crate::world::World;

/// Free space on the filesystem that holds a path.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DiskCheck {
    /// A path on the filesystem to measure (`.` is the job's working directory).
    pub disk: String,
    /// Space available to unprivileged users, e.g. `>= 5 GiB`.
    pub free: SizeReq,
}

impl Declared for DiskCheck {
    const KEY: &'static str = "disk";

    /// About as much free space as there is here.
    fn observe(ask: &Ask) -> Result<Draft, String> {
        let at = expand_path(ask.subject, ask.world)?;
        let free = ask
            .world
            .disk_free(std::path::Path::new(&at))
            .map_err(|e| format!("free space at {} could not be read: {e}", ask.subject))?;
        Ok(ask
            .subject_only()?
            .with("free", Val::Text(super::observe::at_least_gib(free))))
    }
}

impl Kind for DiskCheck {
    fn subject(&self) -> String {
        self.disk.clone()
    }

    fn qualifier(&self) -> Option<String> {
        Some(format!("free {}", self.free.0))
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let expected = format!("free space at {} {}", self.disk, self.free.0);
        let path = match expand_path(&self.disk, world) {
            Ok(p) => p,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let shown = path.display().to_string();
        match world.disk_free(&path) {
            Ok(free) => Outcome::verdict(
                self.free.0.matches(free),
                format!("{} free at {shown}", format_size(free)),
            )
            .expected(expected)
            .actual(format!("{} free", format_size(free)))
            .at(shown),
            Err(e) => Outcome::error(format!("cannot measure free space at {shown}: {e}"))
                .expected(expected)
                .at(shown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass, GIB};
    use crate::world::fake::FakeWorld;

    #[test]
    fn disk() {
        let world = FakeWorld::default()
            .with_disk("/var/lib/go-agent", 10 * GIB)
            .var("AGENT_WORK", "/var/lib/go-agent");
        let o = eval("disk: /var/lib/go-agent\nfree: \">= 5 GiB\"", &world);
        pass(&o);
        assert_eq!(o.message, "10.0 GiB free at /var/lib/go-agent");
        assert_eq!(o.expected, "free space at /var/lib/go-agent >= 5 GiB");
        assert_eq!(o.actual, "10.0 GiB free");
        assert_eq!(o.location.as_deref(), Some("/var/lib/go-agent"));
        let o = eval("disk: ${AGENT_WORK}\nfree: 20 GiB", &world);
        fail(&o);
        assert_eq!(o.message, "10.0 GiB free at /var/lib/go-agent");
        assert_eq!(o.expected, "free space at ${AGENT_WORK} 20 GiB");
    }

    #[test]
    fn disk_errors() {
        let o = eval("disk: ${AGENT_WORK}\nfree: 1 GiB", &FakeWorld::default());
        error(&o);
        assert_eq!(o.message, "AGENT_WORK is not set (`${AGENT_WORK}` uses it)");
        let o = eval("disk: /nope\nfree: 1 GiB", &FakeWorld::default());
        error(&o);
        assert_eq!(
            o.message,
            "cannot measure free space at /nope: entity not found"
        );
        assert_eq!(o.location.as_deref(), Some("/nope"));
    }
}
