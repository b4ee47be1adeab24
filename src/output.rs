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

    /// Writes text that is not a report (a summary, a message) to stdout,
    /// shown as `text::visible` shows it: paths and names in it may come
    /// from anywhere.
    pub fn print_text(&self, text: &str) {
        let text = self.secrets.redact(text);
        let mut stdout = io::stdout().lock();
        let _ = stdout
            .write_all(crate::text::visible(&text).as_bytes())
            .and_then(|()| stdout.flush());
    }

    /// Writes a line to stderr, shown as `text::visible` shows it: an
    /// error may quote a file name, a report's field or a server's reply.
    pub fn eprint(&self, line: &str) {
        // Hidden first: a secret is found as it is, then shown cleaned.
        let line = self.secrets.redact(line);
        let _ = writeln!(io::stderr(), "{}", crate::text::visible(&line));
    }

    /// Writes `bytes` to `path`: a file atomically, a device or a stream
    /// through (see [`write_report`]).
    pub fn write_file(&self, path: &Path, bytes: &[u8], markup: Markup) -> io::Result<()> {
        write_report(path, &self.secrets.redact_bytes(bytes, markup))
    }
}
