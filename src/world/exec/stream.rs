//! Reading a command's stdout or stderr on a thread of its own: the first
//! MiB kept, the rest read line by line (in overlapping windows for a long
//! line) and matched against what the check watches, in bounded memory and
//! no longer than the check's time.

use std::io::Read;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::world::{Captured, LineMatcher};

/// Bytes kept per stream; the rest is read line by line (for versions and
/// the check's patterns) and dropped, so the command is never blocked on a
/// full pipe and memory stays bounded.
pub const OUTPUT_CAP: usize = 1 << 20;

/// Past the cap, the most bytes of kept lines per stream.
pub const LATER_LIMIT: usize = 256 * 1024;

/// Past the cap, a longer line is looked at in windows of this many bytes
/// that overlap by [`crate::spec::OVERLAP`].
pub(super) const LINE_LIMIT: usize = 64 * 1024;

const _: () = assert!(crate::spec::OVERLAP < LINE_LIMIT);

/// How much output, at most, is read once the command has ended: a pipe
/// holds less (64 KiB on Linux, at most 1 MiB when its writer enlarges
/// it), so more is a process the command left behind (a daemon) writing
/// on, which is not waited for. A daemon that writes slowly is read until
/// the check's time is up.
pub(super) const DRAIN_MAX_BYTES: u64 = 2 << 20;

/// What a kept line costs beyond its bytes, counted against
/// [`LATER_LIMIT`], so that many empty lines are bounded too.
pub(super) const ENTRY_COST: usize = 32;

/// How long to wait for output still in the pipes once the process group is
/// gone. Only a process that escaped the group (a daemon) can hold a pipe
/// open that long.
pub(super) const DRAIN_GRACE: Duration = Duration::from_millis(200);

/// A stream being read on its own thread. What was read so far is shared,
/// so that a stream a daemon keeps open still yields what came before.
pub(super) struct Reader {
    captured: Arc<Mutex<Captured>>,
    done: mpsc::Receiver<()>,
}

/// `watch`: the request's patterns, None where one is for the other stream.
pub(super) fn spawn_reader(
    mut stream: impl Read + Send + 'static,
    watch: Vec<Option<Arc<dyn LineMatcher>>>,
    deadline: Instant,
) -> Reader {
    let captured = Arc::new(Mutex::new(Captured {
        watched: vec![false; watch.len()],
        ..Captured::default()
    }));
    let shared = Arc::clone(&captured);
    let (tx, done) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        let mut later = Later::new(watch, deadline);
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut captured = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    captured.total += n as u64;
                    let room = OUTPUT_CAP.saturating_sub(captured.bytes.len());
                    let kept = n.min(room);
                    captured.bytes.extend_from_slice(&buf[..kept]);
                    if kept < n {
                        if later.line_number == 0 {
                            // The line the cap cuts is numbered from the
                            // head, and read whole: its start too.
                            later.line_number =
                                captured.bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
                            let start = captured
                                .bytes
                                .iter()
                                .rposition(|b| *b == b'\n')
                                .map_or(0, |i| i + 1);
                            let cut = captured.bytes[start..].to_vec();
                            later.take(&cut, &mut captured);
                        }
                        later.feed(&buf[kept..n], &mut captured);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let mut captured = shared.lock().unwrap_or_else(PoisonError::into_inner);
        later.finish(&mut captured);
        drop(captured);
        let _ = tx.send(());
    });
    Reader { captured, done }
}

/// The reading of a stream past its cap: line by line, each line matched
/// against the watched patterns and kept when it may hold a version, all
/// in bounded memory, and no matching once the command's time is up. A
/// line longer than [`LINE_LIMIT`] is looked at in overlapping windows.
struct Later {
    watch: Vec<Option<Arc<dyn LineMatcher>>>,
    deadline: Instant,
    /// The line being read, or its last window.
    line: Vec<u8>,
    /// Whether `line` starts inside the line (after a window was looked
    /// at): its first character is only context then.
    continued: bool,
    /// Its number, from 1; 0 until the cap is reached.
    line_number: u64,
    kept_bytes: usize,
}

impl Later {
    fn new(watch: Vec<Option<Arc<dyn LineMatcher>>>, deadline: Instant) -> Later {
        Later {
            watch,
            deadline,
            line: Vec::new(),
            continued: false,
            line_number: 0,
            kept_bytes: 0,
        }
    }

    fn feed(&mut self, mut bytes: &[u8], captured: &mut Captured) {
        while let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            self.take(&bytes[..end], captured);
            self.line_done(captured);
            bytes = &bytes[end + 1..];
        }
        self.take(bytes, captured);
    }

    /// Adds to the line being read; a full window is looked at and all but
    /// its last [`crate::spec::OVERLAP`] bytes let go.
    fn take(&mut self, mut bytes: &[u8], captured: &mut Captured) {
        loop {
            let room = LINE_LIMIT.saturating_sub(self.line.len());
            if bytes.len() <= room {
                self.line.extend_from_slice(bytes);
                return;
            }
            self.line.extend_from_slice(&bytes[..room]);
            bytes = &bytes[room..];
            self.look(captured, true);
            let keep_from = self.line.len() - crate::spec::OVERLAP;
            self.line.drain(..keep_from);
            self.continued = true;
        }
    }

    fn finish(&mut self, captured: &mut Captured) {
        if !self.line.is_empty() || self.continued {
            self.line_done(captured);
        }
    }

    fn line_done(&mut self, captured: &mut Captured) {
        self.look(captured, false);
        self.line.clear();
        self.continued = false;
        self.line_number += 1;
    }

    /// Matches the line (or a window of it, `more` following) against the
    /// watched patterns, and keeps it when one matched. The window's first character (when it continues a line)
    /// and its last (when more follows) are context only: the windows
    /// either side search them.
    fn look(&mut self, captured: &mut Captured, more: bool) {
        if captured.unscanned {
            return;
        }
        if Instant::now() >= self.deadline {
            captured.unscanned = true;
            return;
        }
        let text = String::from_utf8_lossy(&self.line);
        let text = text.strip_suffix('\r').filter(|_| !more).unwrap_or(&text);
        let start = if self.continued {
            text.char_indices().nth(1).map_or(text.len(), |(i, _)| i)
        } else {
            0
        };
        let end = if more {
            text.char_indices()
                .next_back()
                .map_or(0, |(i, _)| i)
                .max(start)
        } else {
            text.len()
        };
        let mut keep = false;
        for (i, pattern) in self.watch.iter().enumerate() {
            if let Some(p) = pattern {
                if (!captured.watched[i] || p.keeps_every_line()) && p.is_match_in(text, start..end)
                {
                    captured.watched[i] = true;
                    keep = true;
                }
            }
        }
        // A window of a long line is kept marked as such (`…` where the
        // line goes on), so that `^` and `$` do not match at its cuts when
        // the kept lines are searched again.
        let kept = format!(
            "{}{}{}",
            if self.continued { "…" } else { "" },
            &text[start..end],
            if more { "…" } else { "" }
        );
        let cost = kept.len() + ENTRY_COST;
        if keep && self.kept_bytes + cost <= LATER_LIMIT {
            self.kept_bytes += cost;
            captured.later.push((self.line_number, kept));
        }
    }
}

/// What a reader read. Once the command is gone, the reader is waited for
/// as long as it still gets output (up to the command's deadline), but not
/// for more than [`DRAIN_MAX_BYTES`] of it: a pipe a daemon holds open is
/// given up on after [`DRAIN_GRACE`] of silence, or once it has written
/// more than any pipe holds.
pub(super) fn collect(reader: Option<Reader>, deadline: Instant) -> Captured {
    let Some(reader) = reader else {
        return Captured::default();
    };
    let total = || {
        reader
            .captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    };
    let at_exit = total();
    let mut seen = at_exit;
    let finished = loop {
        if reader.done.recv_timeout(DRAIN_GRACE).is_ok() {
            break true;
        }
        let now = total();
        if now == seen || now - at_exit > DRAIN_MAX_BYTES || Instant::now() >= deadline {
            break false;
        }
        seen = now;
    };
    let mut captured = std::mem::take(
        &mut *reader
            .captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    captured.incomplete = !finished;
    captured
}
