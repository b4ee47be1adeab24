//! Runs checks concurrently on a bounded pool and returns their outcomes in
//! spec order. No check can hold the run past its own timeout (plus a
//! grace) or past the run's total timeout: a worker stuck in a system call
//! (a dead NFS mount, a DNS lookup) is abandoned and replaced.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::checks::{Budget, Outcome, Status};
use crate::quantity::format_duration;
use crate::spec::Check;

/// How much longer than its timeout a check may take before it is abandoned.
/// Spawned commands are killed at their timeout and normally report well
/// within this.
const GRACE: Duration = Duration::from_secs(2);

/// Evaluates one check; the real one is `checks::evaluate` on the real world.
pub type Evaluate = dyn Fn(&Check, &Budget) -> Outcome + Send + Sync;

#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    pub jobs: usize,
    /// For a check without its own `timeout`.
    pub default_timeout: Duration,
    /// For the whole run.
    pub total_timeout: Duration,
}

struct State {
    next: usize,
    started: Vec<Option<Instant>>,
    results: Vec<Option<Outcome>>,
    done: usize,
}

struct Shared {
    checks: Vec<Check>,
    state: Mutex<State>,
    changed: Condvar,
    evaluate: Box<Evaluate>,
    budget: Budget,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked cannot leave the state half-updated (every
        // update is a single assignment), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs every check and returns one outcome per check, in the same order.
pub fn run_checks(checks: Vec<Check>, evaluate: Box<Evaluate>, limits: RunLimits) -> Vec<Outcome> {
    let n = checks.len();
    let started_at = Instant::now();
    let budget = Budget {
        default_timeout: limits.default_timeout,
        deadline: started_at + limits.total_timeout,
    };
    let shared = Arc::new(Shared {
        checks,
        state: Mutex::new(State {
            next: 0,
            started: vec![None; n],
            results: vec![None; n],
            done: 0,
        }),
        changed: Condvar::new(),
        evaluate,
        budget,
    });
    for _ in 0..limits.jobs.clamp(1, n.max(1)) {
        spawn_worker(&shared);
    }

    let mut state = shared.lock();
    while state.done < n {
        let now = Instant::now();
        if now >= budget.deadline {
            for i in 0..n {
                if state.results[i].is_none() {
                    let message = match state.started[i] {
                        Some(_) => format!(
                            "did not finish before the run's total timeout ({}) expired",
                            format_duration(limits.total_timeout)
                        ),
                        None => format!(
                            "not run: the run's total timeout ({}) expired first",
                            format_duration(limits.total_timeout)
                        ),
                    };
                    state.results[i] = Some(Outcome::error(message));
                    state.done += 1;
                }
            }
            break;
        }
        let mut wake_at = budget.deadline;
        for i in 0..n {
            let (Some(start), None) = (state.started[i], &state.results[i]) else {
                continue;
            };
            let allowed = check_timeout(&shared.checks[i], &budget) + GRACE;
            if now >= start + allowed {
                state.results[i] = Some(Outcome {
                    duration: now - start,
                    ..Outcome::new(
                        Status::Fail,
                        format!(
                            "timed out after {}: the check was still blocked (e.g. on a hung filesystem or network) and was abandoned",
                            format_duration(now - start)
                        ),
                    )
                });
                state.done += 1;
                // The stuck worker is lost; keep the pool at its size.
                spawn_worker(&shared);
            } else {
                wake_at = wake_at.min(start + allowed);
            }
        }
        if state.done >= n {
            break;
        }
        let wait = wake_at.saturating_duration_since(Instant::now());
        state = shared
            .changed
            .wait_timeout(state, wait)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
    state
        .results
        .iter_mut()
        .map(|r| r.take().unwrap_or_else(|| Outcome::error("no result")))
        .collect()
}

fn check_timeout(check: &Check, budget: &Budget) -> Duration {
    check.common.timeout.map_or(budget.default_timeout, |t| t.0)
}

fn spawn_worker(shared: &Arc<Shared>) {
    let shared = Arc::clone(shared);
    thread::spawn(move || loop {
        let i = {
            let mut state = shared.lock();
            if state.next >= shared.checks.len() {
                return;
            }
            let i = state.next;
            state.next += 1;
            state.started[i] = Some(Instant::now());
            i
        };
        // The watcher sleeps until the next deadline it knows of; tell it
        // about this one.
        shared.changed.notify_all();
        let start = Instant::now();
        let mut outcome = (shared.evaluate)(&shared.checks[i], &shared.budget);
        outcome.duration = start.elapsed();
        let mut state = shared.lock();
        if state.results[i].is_none() {
            state.results[i] = Some(outcome);
            state.done += 1;
        }
        drop(state);
        shared.changed.notify_all();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{CheckCommon, CheckKind, DurationText, EnvCheck};

    fn check(name: &str, timeout: Option<Duration>) -> Check {
        Check {
            id: format!("t/env:{name}"),
            resource: "t".into(),
            common: CheckCommon {
                timeout: timeout.map(DurationText),
                ..CheckCommon::default()
            },
            kind: CheckKind::Env(EnvCheck {
                env: name.into(),
                set: None,
                equals: None,
                matches: None,
            }),
            source: "t.yaml:1".into(),
        }
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
        let checks: Vec<Check> = (0..8).map(|i| check(&format!("V{i}"), None)).collect();
        let evaluate = Box::new(|c: &Check, _: &Budget| {
            let i: u64 = subject(c)[1..].parse().unwrap_or(0);
            thread::sleep(Duration::from_millis(5 * (8 - i)));
            Outcome::pass(subject(c))
        });
        let outcomes = run_checks(checks, evaluate, limits(8));
        let messages: Vec<String> = outcomes.into_iter().map(|o| o.message).collect();
        let expected: Vec<String> = (0..8).map(|i| format!("V{i}")).collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn the_pool_is_bounded() {
        let running = Arc::new(Mutex::new((0usize, 0usize)));
        let seen = Arc::clone(&running);
        let evaluate = Box::new(move |c: &Check, _: &Budget| {
            {
                let mut r = seen.lock().unwrap_or_else(|p| p.into_inner());
                r.0 += 1;
                r.1 = r.1.max(r.0);
            }
            thread::sleep(Duration::from_millis(10));
            seen.lock().unwrap_or_else(|p| p.into_inner()).0 -= 1;
            Outcome::pass(subject(c))
        });
        let checks: Vec<Check> = (0..12).map(|i| check(&format!("V{i}"), None)).collect();
        let outcomes = run_checks(checks, evaluate, limits(3));
        assert_eq!(outcomes.len(), 12);
        let max = running.lock().unwrap_or_else(|p| p.into_inner()).1;
        assert!(max <= 3, "{max} checks ran at once with 3 jobs");
    }

    #[test]
    fn a_stuck_check_is_abandoned_and_the_rest_still_run() {
        let evaluate = Box::new(|c: &Check, _: &Budget| {
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
        let outcomes = run_checks(checks, evaluate, limits(1));
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
        let evaluate = Box::new(|_: &Check, _: &Budget| {
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
        );
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
            Box::new(|_: &Check, _: &Budget| Outcome::pass("")),
            limits(4),
        );
        assert!(outcomes.is_empty());
    }
}
