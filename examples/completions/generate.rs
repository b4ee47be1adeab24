//! Writes a clap `Command`'s shell completions and man pages with clap's
//! own generators. Shared by the example (`main.rs`) and the test that
//! holds them to `--help` (tests/it/completions.rs).

use std::io;
use std::path::Path;

use clap_complete::Shell;
use clap_mangen::Man;

/// The shells completed. Each file is named as that shell's completion
/// loader looks for it: probe.bash, _probe (zsh), probe.fish, _probe.ps1.
pub const SHELLS: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell];

/// Writes OUT/completions/ (one file per shell of [`SHELLS`]) and OUT/man/
/// (`probe.1`, and `probe-SUB.1` for each subcommand), creating both.
pub fn write_all(command: clap::Command, out: &Path) -> io::Result<()> {
    let completions = out.join("completions");
    let man = out.join("man");
    std::fs::create_dir_all(&completions)?;
    std::fs::create_dir_all(&man)?;
    let mut for_completion = command.clone();
    for shell in SHELLS {
        clap_complete::generate_to(shell, &mut for_completion, "probe", &completions)?;
    }
    // No page for `help`: `man probe` is the help. Built here, so each
    // subcommand has its global flags and is named `probe-SUB`.
    let mut command = command.disable_help_subcommand(true);
    command.build();
    // Every page's footer names the release, not only the top one's.
    let source = format!("probe {}", command.get_version().unwrap_or_default());
    write_pages(&command, &source, &man)
}

/// `command`'s page and its subcommands', theirs too.
fn write_pages(command: &clap::Command, source: &str, dir: &Path) -> io::Result<()> {
    Man::new(command.clone()).source(source).generate_to(dir)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, source, dir)?;
    }
    Ok(())
}
