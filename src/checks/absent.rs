//! `absent`: a command must NOT be on PATH.

use serde::Deserialize;

use super::expand::expand;
use super::{Context, Declared, Kind, Outcome};
use crate::world::{Lookup, World};

/// A command must NOT be on PATH.
#[derive(Debug, Deserialize, Clone)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AbsentCheck {
    /// The command that must not resolve on PATH (`python2`).
    pub absent: String,
}

impl Declared for AbsentCheck {
    const KEY: &'static str = "absent";
}

impl Kind for AbsentCheck {
    fn subject(&self) -> String {
        self.absent.clone()
    }

    fn evaluate(&self, world: &dyn World, _: &Context) -> Outcome {
        let expected = format!("`{}` not on PATH", self.absent);
        let program = match expand(&self.absent, world) {
            Ok(program) => program,
            Err(why) => return Outcome::error(why).expected(expected),
        };
        let name = program.to_string_lossy();
        match world.lookup(&program) {
            Lookup::Missing => Outcome::pass(format!("`{name}` is not on PATH"))
                .expected(expected)
                .actual("not found"),
            // A file of that name that nobody may run cannot be picked up by a build.
            Lookup::NotExecutable(path) => Outcome::pass(format!(
                "`{name}` is not on PATH (a file of that name at {} is not executable)",
                path.display()
            ))
            .expected(expected)
            .actual("not found (only a non-executable file)")
            .at(path.display().to_string()),
            Lookup::Found(path) => {
                let shown = path.display().to_string();
                Outcome::fail(format!("`{name}` is on PATH at {shown}"))
                    .expected(expected)
                    .actual(format!("found at {shown}"))
                    .at(shown)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{eval, fail, pass};
    use super::super::Status;
    use crate::world::fake::{exited, FakeWorld};
    use crate::world::Lookup;
    use std::path::PathBuf;

    #[test]
    fn absent_command_found_names_where() {
        let world = FakeWorld::default().tool("python2", "", exited(0, "", ""));
        let o = eval("absent: python2\nhint: remove it", &world);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "`python2` is on PATH at /fake/bin/python2");
        assert!(
            world.ran().is_empty(),
            "an absent check must not run anything"
        );
    }

    #[test]
    fn absent_command_missing_passes() {
        let o = eval("absent: python2", &FakeWorld::default());
        pass(&o);
        assert_eq!(o.message, "`python2` is not on PATH");
        assert_eq!(o.expected, "`python2` not on PATH");
        assert_eq!(o.actual, "not found");
    }

    #[test]
    fn absent_command_found_pins_actual_and_location() {
        let world = FakeWorld::default().tool("python2", "", exited(0, "", ""));
        let o = eval("absent: python2", &world);
        fail(&o);
        assert_eq!(o.actual, "found at /fake/bin/python2");
        assert_eq!(o.location.as_deref(), Some("/fake/bin/python2"));
    }

    #[test]
    fn absent_command_that_is_only_a_non_executable_file_passes_and_says_so() {
        // A build cannot run it, so nothing can pick it up by accident.
        let world = FakeWorld::default().lookup_as(
            "python2",
            Lookup::NotExecutable(PathBuf::from("/usr/bin/python2")),
        );
        let o = eval("absent: python2", &world);
        assert_eq!(o.status, Status::Pass);
        assert_eq!(
            o.message,
            "`python2` is not on PATH (a file of that name at /usr/bin/python2 is not executable)"
        );
    }

    #[test]
    fn absent_expands_variables_and_takes_a_path_as_a_path() {
        let world = FakeWorld::default()
            .var("PYENV_ROOT", "/home/go/.pyenv")
            .lookup_as(
                "/home/go/.pyenv/shims/python2",
                Lookup::Found(PathBuf::from("/home/go/.pyenv/shims/python2")),
            );
        let o = eval("absent: ${PYENV_ROOT}/shims/python2", &world);
        fail(&o);
        let gone = FakeWorld::default().var("PYENV_ROOT", "/nowhere");
        pass(&eval("absent: ${PYENV_ROOT}/shims/python2", &gone));
    }
}
