//! Everything the probe writes leaves through here: stdout, stderr and
//! report files, each redacted (src/redact.rs) on the way out. A closed
//! stdout or stderr (`probe ... | head`) is not an error.

use std::io::{self, Write};
use std::path::Path;

use crate::redact::{Markup, Redactor};
use crate::report::write_report;

#[derive(Debug, Default)]
pub struct Output {
    secrets: Redactor,
}

impl Output {
    pub fn new(secrets: Redactor) -> Output {
        Output { secrets }
    }

    /// The run's secrets, for the checks (which redact before they cut).
    pub fn secrets(&self) -> &Redactor {
        &self.secrets
    }

    pub fn secrets_mut(&mut self) -> &mut Redactor {
        &mut self.secrets
    }

    /// Writes `bytes` (text escaped as `markup`) to stdout.
    pub fn print(&self, bytes: &[u8], markup: Markup) {
        let bytes = self.secrets.redact_bytes(bytes, markup);
        let mut stdout = io::stdout().lock();
        let _ = stdout.write_all(&bytes).and_then(|()| stdout.flush());
    }

    /// Writes a line to stderr.
    pub fn eprint(&self, line: &str) {
        let line = self.secrets.redact(line);
        let _ = writeln!(io::stderr(), "{line}");
    }

    /// Writes `bytes` to `path`: a file atomically, a device or a stream
    /// through (see [`write_report`]).
    pub fn write_file(&self, path: &Path, bytes: &[u8], markup: Markup) -> io::Result<()> {
        write_report(path, &self.secrets.redact_bytes(bytes, markup))
    }
}
