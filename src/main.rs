//! probe: checks that a build agent provides what its GoCD resources
//! promise. The application is the library's `app` (ARCHITECTURE.md); this
//! only gives it the real machine and the process's arguments.

use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    // Ctrl-C or GoCD cancelling the job ends the run as "interrupted",
    // with the commands it started killed.
    probe::interrupt::install();
    let world = Arc::new(probe::RealWorld::new());
    let exit = probe::main(world, std::env::args_os().collect());
    ExitCode::from(exit.code())
}
