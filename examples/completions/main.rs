//! Writes probe's shell completions and man pages, for the release
//! archives (docs/install.md):
//!
//! ```text
//! cargo run --example completions -- OUTDIR
//! ```
//!
//! makes OUTDIR/completions/{probe.bash,_probe,probe.fish,_probe.ps1} and
//! OUTDIR/man/{probe.1,probe-SUB.1…}. clap_complete and clap_mangen are
//! dev-dependencies: the probe binary never links them.

use std::path::PathBuf;
use std::process::ExitCode;

mod generate;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), None) = (args.next(), args.next()) else {
        eprintln!("usage: cargo run --example completions -- OUTDIR");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    match generate::write_all(probe::command(), &out) {
        Ok(()) => {
            println!(
                "wrote {} and {}",
                out.join("completions").display(),
                out.join("man").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing into {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
