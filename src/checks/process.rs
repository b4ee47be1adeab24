//! `process`: a process with this name is running.

use serde::Deserialize;

use super::{Context, Declared, Kind, Outcome};
use crate::spec::OsFamily;
use crate::world::World;

/// A process with this name is running.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProcessCheck {
    /// The process name (`dockerd`); `.exe` may be left out on Windows.
    pub process: String,
}

impl Declared for ProcessCheck {
    const KEY: &'static str = "process";
}

impl Kind for ProcessCheck {
    fn subject(&self) -> String {
        self.process.clone()
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let wanted = &self.process;
        let expected = format!("`{wanted}` running");
        let names = match world.processes() {
            Ok(names) => names,
            Err(e) => {
                return Outcome::error(format!("the process list could not be read: {e}"))
                    .expected(expected)
            }
        };
        let windows = world.os_family() == OsFamily::Windows;
        let matches = |name: &str| {
            if windows {
                let name = name.to_lowercase();
                let wanted = wanted.to_lowercase();
                name == wanted || name == format!("{wanted}.exe")
            } else {
                // Linux keeps only the first 15 bytes of a process name.
                name == wanted || (name.len() == 15 && wanted.starts_with(name))
            }
        };
        let ok = names.iter().any(|n| matches(n));
        Outcome::verdict(
            ok,
            if ok {
                format!("a `{wanted}` process is running")
            } else {
                format!("no `{wanted}` process is running")
            },
        )
        .expected(expected)
        .actual(if ok { "running" } else { "not running" })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{error, eval, fail, pass};
    use crate::spec::OsFamily;
    use crate::world::fake::FakeWorld;

    #[test]
    fn process_running_or_not() {
        let world = FakeWorld::default()
            .running("dockerd")
            .running("containerd");
        let o = eval("process: dockerd", &world);
        pass(&o);
        assert_eq!(o.message, "a `dockerd` process is running");
        assert_eq!(o.expected, "`dockerd` running");
        assert_eq!(o.actual, "running");
        let o = eval("process: docker", &world);
        fail(&o);
        assert_eq!(o.message, "no `docker` process is running");
        assert_eq!(o.actual, "not running");
    }

    #[test]
    fn process_names_truncated_to_15_bytes_match() {
        // Linux shows `gradle-daemon-worker` as `gradle-daemon-w`.
        let linux = || FakeWorld::default().on(OsFamily::Linux);
        let world = linux().running("gradle-daemon-w").running("gradle-daem");
        pass(&eval("process: gradle-daemon-worker", &world));
        // Only a name cut at exactly 15 bytes is a truncation.
        let world = linux().running("gradle-daemon");
        fail(&eval("process: gradle-daemon-worker", &world));
        // A wanted name shorter than the running one is not a match.
        let world = linux().running("gradle-daemon-w");
        fail(&eval("process: gradle", &world));
        // Case matters on Linux.
        fail(&eval("process: Gradle-daemon-w", &world));
    }

    #[test]
    fn process_names_on_windows_ignore_case_and_exe() {
        let windows = || FakeWorld::default().on(OsFamily::Windows);
        let world = windows().running("Docker Desktop.exe");
        pass(&eval("process: docker desktop", &world));
        pass(&eval("process: DOCKER DESKTOP.EXE", &world));
        fail(&eval("process: docker", &world));
    }

    #[test]
    fn a_process_list_that_cannot_be_read_could_not_be_checked() {
        let o = eval(
            "process: dockerd",
            &FakeWorld::default().unreadable_system(),
        );
        error(&o);
        assert_eq!(
            o.message,
            "the process list could not be read: no process list on this fake machine"
        );
    }
}
