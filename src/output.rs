//! Everything the probe writes leaves through here: stdout, stderr and
//! report files, each redacted (src/redact.rs) on the way out. A closed
//! stdout or stderr (`probe ... | head`) is not an error.

use std::io::{self, Write};
use std::path::Path;
#[cfg(test)]
use std::sync::{Arc, Mutex};

use crate::redact::{Markup, Redactor};
use crate::report::write_report;

#[derive(Debug, Default)]
pub struct Output {
    secrets: Redactor,
    /// Where stdout and stderr go: the process's own, or memory (tests).
    streams: Streams,
}

/// The process's stdout and stderr, or buffers a test reads back.
#[derive(Debug, Default, Clone)]
enum Streams {
    #[default]
    Process,
    #[cfg(test)]
    Memory(Arc<Mutex<Written>>),
}

/// What an [`Output`] over memory has written.
#[cfg(test)]
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The width of the terminal stdout pretends to be.
    pub width: Option<usize>,
}

impl Output {
    pub fn new(secrets: Redactor) -> Output {
        Output {
            secrets,
            streams: Streams::Process,
        }
    }

    /// An output whose stdout and stderr are kept in memory, and a handle
    /// on them.
    #[cfg(test)]
    pub fn in_memory(secrets: Redactor) -> (Output, Arc<Mutex<Written>>) {
        let written = Arc::new(Mutex::new(Written::default()));
        (
            Output {
                secrets,
                streams: Streams::Memory(Arc::clone(&written)),
            },
            written,
        )
    }

    /// How wide the terminal stdout writes to is, in columns; None when
    /// stdout is not a terminal (a file, a pipe, a GoCD console log), so
    /// nothing is wrapped there. `COLUMNS` wins over what the terminal
    /// says.
    pub fn terminal_width(&self) -> Option<usize> {
        match &self.streams {
            Streams::Process => {
                use std::io::IsTerminal;
                if !io::stdout().is_terminal() {
                    return None;
                }
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.trim().parse::<usize>().ok())
                    .filter(|c| *c > 0)
                    .or_else(terminal_columns)
            }
            #[cfg(test)]
            Streams::Memory(written) => written.lock().unwrap_or_else(|p| p.into_inner()).width,
        }
    }

    /// The run's secrets, for the checks (which redact before they cut).
    pub fn secrets(&self) -> &Redactor {
        &self.secrets
    }

    pub fn secrets_mut(&mut self) -> &mut Redactor {
        &mut self.secrets
    }

    fn stdout(&self, bytes: &[u8]) {
        match &self.streams {
            Streams::Process => {
                let mut stdout = io::stdout().lock();
                let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
            }
            #[cfg(test)]
            Streams::Memory(written) => written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .stdout
                .extend_from_slice(bytes),
        }
    }

    /// Writes `bytes` (text escaped as `markup`) to stdout.
    pub fn print(&self, bytes: &[u8], markup: Markup) {
        self.stdout(&self.secrets.redact_bytes(bytes, markup));
    }

    /// Writes text that is not a report (a summary, a message) to stdout,
    /// shown as `text::visible` shows it: paths and names in it may come
    /// from anywhere.
    pub fn print_text(&self, text: &str) {
        let text = self.secrets.redact(text);
        self.stdout(crate::text::visible(&text).as_bytes());
    }

    /// Writes a line to stderr, shown as `text::visible` shows it: an
    /// error may quote a file name, a report's field or a server's reply.
    pub fn eprint(&self, line: &str) {
        // Hidden first: a secret is found as it is, then shown cleaned.
        let line = self.secrets.redact(line);
        let line = format!("{}\n", crate::text::visible(&line));
        match &self.streams {
            Streams::Process => {
                let _ = io::stderr().write_all(line.as_bytes());
            }
            #[cfg(test)]
            Streams::Memory(written) => written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .stderr
                .extend_from_slice(line.as_bytes()),
        }
    }

    /// Writes `bytes` to `path`: a file atomically, a device or a stream
    /// through (see [`write_report`]).
    pub fn write_file(&self, path: &Path, bytes: &[u8], markup: Markup) -> io::Result<()> {
        write_report(path, &self.secrets.redact_bytes(bytes, markup))
    }
}

/// The columns of the terminal on stdout, as the terminal says.
#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills the winsize it is given and nothing else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// The columns of the console window on stdout.
#[cfg(windows)]
fn terminal_columns() -> Option<usize> {
    use windows_sys::Win32::System::Console::{
        GetConsoleScreenBufferInfo, GetStdHandle, CONSOLE_SCREEN_BUFFER_INFO, STD_OUTPUT_HANDLE,
    };
    // SAFETY: the handle is the process's own stdout; the call fills the
    // struct it is given.
    unsafe {
        let handle = GetStdHandle(STD_OUTPUT_HANDLE);
        let mut info: CONSOLE_SCREEN_BUFFER_INFO = std::mem::zeroed();
        if GetConsoleScreenBufferInfo(handle, &mut info) == 0 {
            return None;
        }
        let columns = i32::from(info.srWindow.Right) - i32::from(info.srWindow.Left) + 1;
        usize::try_from(columns).ok().filter(|c| *c > 0)
    }
}
