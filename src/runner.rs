//! Runs checks concurrently on a bounded pool and returns their outcomes in
//! spec order. No check can hold the run past its own timeout (plus a
//! grace) or past the run's total timeout: a worker stuck in a system call
//! (a dead NFS mount, a DNS lookup) is abandoned and replaced.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::checks::Check;
use crate::checks::{Budget, Outcome, Status};
use crate::interrupt;
use crate::quantity::format_duration;

/// How much longer than its timeout a check may take before it is abandoned.
/// Spawned commands are killed at their timeout and normally report well
/// within this.
const GRACE: Duration = Duration::from_secs(2);

/// How often the watcher looks for checks past their limit.
const WATCH_INTERVAL: Duration = Duration::from_millis(250);

/// Evaluates one check; the real one is `checks::evaluate` on the real world.
pub(crate) type Evaluate = dyn Fn(&Check, &Budget) -> Outcome + Send + Sync;

/// Running failing checks again until they pass (`--retry-timeout`,
/// `--sleep`): for a machine that is still coming up.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// No new attempt starts once this much time has passed since the
    /// first (counting the sleep before it).
    pub timeout: Duration,
    /// The pause between attempts.
    pub sleep: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    pub jobs: usize,
    /// For a check without its own `timeout`.
    pub default_timeout: Duration,
    /// For the whole run.
    pub total_timeout: Duration,
}

/// One check's progress. Each field is written once, so workers and the
/// watcher need no lock to share it: whoever sets `result` first wins.
#[derive(Default)]
struct Slot {
    started: OnceLock<Instant>,
    result: OnceLock<Outcome>,
}

struct Shared {
    checks: Vec<Arc<Check>>,
    slots: Vec<Slot>,
    next: AtomicUsize,
    done: AtomicUsize,
    evaluate: Arc<Evaluate>,
    budget: Budget,
    wake: Condvar,
    wake_lock: Mutex<()>,
}

impl Shared {
    fn finish(&self, i: usize, outcome: Outcome) {
        if self.slots[i].result.set(outcome).is_ok()
            && self.done.fetch_add(1, Ordering::AcqRel) + 1 == self.checks.len()
        {
            self.notify();
        }
    }

    fn notify(&self) {
        let _guard = self.wake_lock.lock();
        self.wake.notify_all();
    }

    /// The latest a started check may still report.
    fn limit(&self, i: usize, started: Instant) -> Instant {
        started + self.checks[i].timeout(self.budget.default_timeout) + GRACE
    }
}

/// How a run ended.
#[derive(Debug)]
pub struct Finished {
    /// One per check, in the order the checks were given.
    pub outcomes: Vec<Outcome>,
    /// The signal that stopped the run (Ctrl-C, GoCD cancelling the job);
    /// the commands it had started are killed.
    pub interrupted: Option<i32>,
}

/// Runs every check, then, with `retry`, the first `retried` of them that
/// failed again (after a pause) until they pass or the retry time is up.
/// Ctrl-C ends the pause at once. Each outcome counts its attempts.
pub fn run_with_retries(
    checks: Vec<Arc<Check>>,
    evaluate: Arc<Evaluate>,
    limits: RunLimits,
    retry: Option<Retry>,
    retried: usize,
) -> Finished {
    let first = Instant::now();
    let mut finished = run_checks(checks.clone(), Arc::clone(&evaluate), limits);
    let Some(retry) = retry else {
        return finished;
    };
    loop {
        if finished.interrupted.is_some() {
            return finished;
        }
        let failing: Vec<usize> = (0..retried.min(checks.len()))
            .filter(|&i| finished.outcomes[i].status.is_failure())
            .collect();
        if failing.is_empty() || first.elapsed() + retry.sleep >= retry.timeout {
            return finished;
        }
        if let Some(signal) = pause(retry.sleep) {
            finished.interrupted = Some(signal);
            return finished;
        }
        let again = run_checks(
            failing.iter().map(|&i| Arc::clone(&checks[i])).collect(),
            Arc::clone(&evaluate),
            limits,
        );
        for (&i, outcome) in failing.iter().zip(again.outcomes) {
            let attempts = finished.outcomes[i].attempts + 1;
            finished.outcomes[i] = Outcome {
                attempts,
                ..outcome
            };
        }
        finished.interrupted = again.interrupted;
    }
}

/// Sleeps, waking early for a signal (which it returns).
fn pause(length: Duration) -> Option<i32> {
    let until = Instant::now() + length;
    loop {
        if let Some(signal) = interrupt::received() {
            return Some(signal);
        }
        let now = Instant::now();
        if now >= until {
            return None;
        }
        thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}

/// Runs every check and returns one outcome per check, in the same order.
pub fn run_checks(checks: Vec<Arc<Check>>, evaluate: Arc<Evaluate>, limits: RunLimits) -> Finished {
    let n = checks.len();
    let budget = Budget {
        default_timeout: limits.default_timeout,
        deadline: Instant::now() + limits.total_timeout,
    };
    let shared = Arc::new(Shared {
        slots: (0..n).map(|_| Slot::default()).collect(),
        checks,
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        evaluate,
        budget,
        wake: Condvar::new(),
        wake_lock: Mutex::new(()),
    });
    for _ in 0..limits.jobs.clamp(1, n.max(1)) {
        spawn_worker(&shared);
    }
    let interrupted = watch(&shared, limits.total_timeout);
    let outcomes = shared
        .slots
        .iter()
        .map(|slot| {
            slot.result.get().cloned().unwrap_or_else(|| {
                Outcome::error(match interrupted {
                    Some(signal) => {
                        format!("not finished: the run was interrupted (signal {signal})")
                    }
                    None => "no result".to_string(),
                })
            })
        })
        .collect();
    Finished {
        outcomes,
        interrupted,
    }
}

/// Waits until every check has a result, abandoning checks that overstay
/// their limit and ending the run at the total timeout. Returns the signal
/// that interrupted the run, if one did.
fn watch(shared: &Arc<Shared>, total_timeout: Duration) -> Option<i32> {
    let n = shared.checks.len();
    let deadline = shared.budget.deadline;
    let mut guard = shared.wake_lock.lock().unwrap_or_else(|p| p.into_inner());
    while shared.done.load(Ordering::Acquire) < n {
        if let Some(signal) = interrupt::received() {
            interrupt::kill_started_commands();
            return Some(signal);
        }
        let now = Instant::now();
        if now >= deadline {
            // Commands still running would outlive the probe; the probe leaves
            // the machine as it found it.
            interrupt::kill_started_commands();
            for slot in &shared.slots {
                let message = match slot.started.get() {
                    Some(_) => format!(
                        "did not finish before the run's total timeout ({}) expired",
                        format_duration(total_timeout)
                    ),
                    None => format!(
                        "not run: the run's total timeout ({}) expired first",
                        format_duration(total_timeout)
                    ),
                };
                // Not `finish`: that would wake this very thread, which holds
                // the lock it wakes through.
                if slot.result.set(Outcome::error(message)).is_ok() {
                    shared.done.fetch_add(1, Ordering::AcqRel);
                }
            }
            break;
        }
        let mut wake_at = deadline;
        for (i, slot) in shared.slots.iter().enumerate() {
            let (Some(&start), None) = (slot.started.get(), slot.result.get()) else {
                continue;
            };
            let limit = shared.limit(i, start);
            if now < limit {
                wake_at = wake_at.min(limit);
                continue;
            }
            let outcome = Outcome {
                duration: now - start,
                ..Outcome::new(
                    Status::Fail,
                    format!(
                        "timed out after {}: the check was still blocked (e.g. on a hung filesystem or network) and was abandoned",
                        format_duration(now - start)
                    ),
                )
            };
            if slot.result.set(outcome).is_ok() {
                shared.done.fetch_add(1, Ordering::AcqRel);
                // The stuck worker is lost; keep the pool at its size.
                spawn_worker(shared);
            }
        }
        if shared.done.load(Ordering::Acquire) >= n {
            break;
        }
        // Workers only wake the watcher when the last check is done; checks
        // that start meanwhile are looked at on the next round.
        let wait = wake_at
            .saturating_duration_since(Instant::now())
            .min(WATCH_INTERVAL);
        guard = shared
            .wake
            .wait_timeout(guard, wait)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    None
}

fn spawn_worker(shared: &Arc<Shared>) {
    let shared = Arc::clone(shared);
    thread::spawn(move || loop {
        let i = shared.next.fetch_add(1, Ordering::AcqRel);
        if i >= shared.checks.len() {
            return;
        }
        let start = Instant::now();
        let _ = shared.slots[i].started.set(start);
        let mut outcome = (shared.evaluate)(shared.checks[i].as_ref(), &shared.budget);
        outcome.duration = start.elapsed();
        shared.finish(i, outcome);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, timeout: Option<Duration>) -> Arc<Check> {
        let yaml = match timeout {
            Some(t) => format!("env: {name}\ntimeout: {}ms", t.as_millis()),
            None => format!("env: {name}"),
        };
        Arc::new(crate::checks::testing::check(&yaml))
    }

    fn limits(jobs: usize) -> RunLimits {
        RunLimits {
            jobs,
            default_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
        }
    }

    fn subject(c: &Check) -> String {
        c.kind.subject()
    }

    #[test]
    fn results_come_back_in_spec_order_whatever_finishes_first() {
        // Earlier checks take longer, so they finish last.
        let checks: Vec<Arc<Check>> = (0..8).map(|i| check(&format!("V{i}"), None)).collect();
        let evaluate = Arc::new(|c: &Check, _: &Budget| {
            let i: u64 = subject(c)[1..].parse().unwrap_or(0);
            thread::sleep(Duration::from_millis(5 * (8 - i)));
            Outcome::pass(subject(c))
        });
        let outcomes = run_checks(checks, evaluate, limits(8)).outcomes;
        let messages: Vec<String> = outcomes.into_iter().map(|o| o.message).collect();
        let expected: Vec<String> = (0..8).map(|i| format!("V{i}")).collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn the_pool_is_bounded() {
        let running = Arc::new(Mutex::new((0usize, 0usize)));
        let seen = Arc::clone(&running);
        let evaluate = Arc::new(move |c: &Check, _: &Budget| {
            {
                let mut r = seen.lock().unwrap_or_else(|p| p.into_inner());
                r.0 += 1;
                r.1 = r.1.max(r.0);
            }
            thread::sleep(Duration::from_millis(10));
            seen.lock().unwrap_or_else(|p| p.into_inner()).0 -= 1;
            Outcome::pass(subject(c))
        });
        let checks: Vec<Arc<Check>> = (0..12).map(|i| check(&format!("V{i}"), None)).collect();
        let outcomes = run_checks(checks, evaluate, limits(3)).outcomes;
        assert_eq!(outcomes.len(), 12);
        let max = running.lock().unwrap_or_else(|p| p.into_inner()).1;
        assert!(max <= 3, "{max} checks ran at once with 3 jobs");
    }

    #[test]
    fn a_stuck_check_is_abandoned_and_the_rest_still_run() {
        let evaluate = Arc::new(|c: &Check, _: &Budget| {
            if subject(c) == "STUCK" {
                thread::sleep(Duration::from_secs(3600));
            }
            Outcome::pass(subject(c))
        });
        let checks = vec![
            check("STUCK", Some(Duration::from_millis(50))),
            check("A", None),
            check("B", None),
        ];
        // One job: the others can only run if the stuck worker is replaced.
        let outcomes = run_checks(checks, evaluate, limits(1)).outcomes;
        assert_eq!(outcomes[0].status, Status::Fail);
        assert!(
            outcomes[0].message.starts_with("timed out after"),
            "{}",
            outcomes[0].message
        );
        assert_eq!(outcomes[1].status, Status::Pass);
        assert_eq!(outcomes[2].status, Status::Pass);
    }

    #[test]
    fn the_total_timeout_ends_the_run() {
        let evaluate = Arc::new(|_: &Check, _: &Budget| {
            thread::sleep(Duration::from_secs(3600));
            Outcome::pass("never")
        });
        let checks = vec![check("A", None), check("B", None)];
        let outcomes = run_checks(
            checks,
            evaluate,
            RunLimits {
                jobs: 1,
                default_timeout: Duration::from_secs(3600),
                total_timeout: Duration::from_millis(100),
            },
        )
        .outcomes;
        assert_eq!(outcomes[0].status, Status::Error);
        assert!(outcomes[0]
            .message
            .starts_with("did not finish before the run's total timeout"));
        assert!(outcomes[1]
            .message
            .starts_with("not run: the run's total timeout"));
    }

    #[test]
    fn no_checks_no_hang() {
        let outcomes = run_checks(
            Vec::new(),
            Arc::new(|_: &Check, _: &Budget| Outcome::pass("")),
            limits(4),
        );
        assert!(outcomes.outcomes.is_empty());
        assert_eq!(outcomes.interrupted, None);
    }

    #[test]
    fn failing_checks_run_again_until_they_pass_and_count_their_attempts() {
        use std::sync::atomic::AtomicU32;
        // B fails twice, then passes; A passes at once; C always fails but
        // is not among the retried.
        let runs_of_b = Arc::new(AtomicU32::new(0));
        let b = Arc::clone(&runs_of_b);
        let evaluate = Arc::new(move |c: &Check, _: &Budget| match subject(c).as_str() {
            "B" if b.fetch_add(1, Ordering::SeqCst) < 2 => Outcome::fail("not yet"),
            "C" => Outcome::fail("never"),
            _ => Outcome::pass("ok"),
        });
        let checks = vec![check("A", None), check("B", None), check("C", None)];
        let retry = Retry {
            timeout: Duration::from_secs(30),
            sleep: Duration::from_millis(10),
        };
        let finished = run_with_retries(checks, evaluate, limits(2), Some(retry), 2);
        let attempts: Vec<u32> = finished.outcomes.iter().map(|o| o.attempts).collect();
        assert_eq!(attempts, [1, 3, 1]);
        assert_eq!(finished.outcomes[1].status, Status::Pass);
        assert_eq!(
            finished.outcomes[1].message_with_attempts(),
            "ok (passed on attempt 3)"
        );
        assert_eq!(runs_of_b.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn retrying_stops_when_the_time_is_up() {
        let evaluate = Arc::new(|_: &Check, _: &Budget| Outcome::fail("down"));
        let retry = Retry {
            timeout: Duration::from_millis(300),
            sleep: Duration::from_millis(100),
        };
        let started = Instant::now();
        let finished =
            run_with_retries(vec![check("A", None)], evaluate, limits(1), Some(retry), 1);
        let o = &finished.outcomes[0];
        assert_eq!(o.status, Status::Fail);
        // Attempts start at 0, ~100 and ~200 ms; one at ~300 would pass the limit.
        assert!((2..=3).contains(&o.attempts), "{}", o.attempts);
        assert_eq!(
            o.message_with_attempts(),
            format!("down ({} attempts)", o.attempts)
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        // Without retry: once.
        let evaluate = Arc::new(|_: &Check, _: &Budget| Outcome::fail("down"));
        let once = run_with_retries(vec![check("A", None)], evaluate, limits(1), None, 1);
        assert_eq!(once.outcomes[0].attempts, 1);
        assert_eq!(once.outcomes[0].attempts_note(), None);
    }
}
