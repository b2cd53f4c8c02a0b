//! How many libtorch threads a decode step gets on a busy machine.
//!
//! With two OpenMP threads, every product in a step ends at a barrier where one thread waits
//! for the other. When another process holds the second core, that wait is a scheduler slice:
//! with one core kept busy by another process, fast mode's 5 ms step took 11.7 ms at the median
//! and 137 ms at the 95th percentile (with a compiler running: 19 ms and a second), against
//! 7.0 ms (p95 7.2) with one thread, which has no barrier.
//! [`StepThreads`] watches step times (inputs of at most [`crate::model::step::MAX_TOKENS`]
//! tokens) and moves steps to one thread while they are slow. Prompts get a governor of their
//! own ([`StepThreads::prompts`]): a 256-token prefill took 275 ms on a quiet machine, 920 ms with
//! both threads beside a busy core and 570 ms on one thread. Their times are compared within a
//! length class (a power of two), as the cost per token grows with the length.

use std::time::Duration;

/// When runs count as contended and how long they then stay on one thread.
#[derive(Clone, Copy, Debug)]
struct Policy {
    /// A run this many times slower per token than the fastest seen with every thread.
    slow: u32,
    /// Runs on one thread after a contended one, before every thread is tried again; doubled
    /// each time the retry is contended too, up to `max_single`.
    single: u32,
    max_single: u32,
    /// Times compared within a length class (⌊log₂ tokens⌋) rather than all together.
    by_length: bool,
}

/// Decode steps and keystrokes.
const STEPS: Policy = Policy {
    slow: 3,
    single: 32,
    max_single: 1024,
    by_length: false,
};

/// Prompts: they vary more with the machine's state than steps (contention made them 3×).
const PROMPTS: Policy = Policy {
    slow: 2,
    single: 4,
    max_single: 64,
    by_length: true,
};

/// Length classes: ⌊log₂ tokens⌋, the last one for everything longer.
const CLASSES: usize = 12;

/// The thread count of decode steps (or of prompts): every configured thread, or one while the
/// machine is busy.
#[derive(Debug)]
pub struct StepThreads {
    /// The configured thread count (libtorch's, when the session started).
    all: i32,
    policy: Policy,
    /// The fastest run seen with every thread, per token, per length class (steps: one class).
    best: [Option<Duration>; CLASSES],
    /// Runs still to make on one thread.
    single_left: u32,
    /// How many one-thread runs the next contended one earns.
    backoff: u32,
}

impl StepThreads {
    /// The governor of decode steps.
    pub fn new(all: i32) -> Self {
        Self::with(all, STEPS)
    }

    /// The governor of prompts (inputs longer than a step).
    pub fn prompts(all: i32) -> Self {
        Self::with(all, PROMPTS)
    }

    fn with(all: i32, policy: Policy) -> Self {
        Self {
            all: all.max(1),
            policy,
            best: [None; CLASSES],
            single_left: 0,
            backoff: policy.single,
        }
    }

    /// The thread count for the next step.
    pub fn next(&self) -> i32 {
        if self.single_left > 0 { 1 } else { self.all }
    }

    /// What a step of `tokens` tokens run with `threads` took.
    pub fn observe(&mut self, threads: i32, elapsed: Duration, tokens: usize) {
        if self.all == 1 {
            return; // nothing to move to
        }
        let per_token = elapsed / tokens.max(1) as u32;
        if threads == 1 {
            self.single_left = self.single_left.saturating_sub(1);
            return;
        }
        let class = match self.policy.by_length {
            true => (tokens.max(1).ilog2() as usize).min(CLASSES - 1),
            false => 0,
        };
        let best = &mut self.best[class];
        match *best {
            Some(b) if per_token > b * self.policy.slow => {
                self.single_left = self.backoff;
                self.backoff = (self.backoff * 2).min(self.policy.max_single);
            }
            _ => {
                *best = Some(best.map_or(per_token, |b| b.min(per_token)));
                self.backoff = self.policy.single;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    /// Run `times` (ms per one-token step) through the governor; the thread count of each.
    fn run(g: &mut StepThreads, times: impl IntoIterator<Item = u64>) -> Vec<i32> {
        times
            .into_iter()
            .map(|t| {
                let n = g.next();
                g.observe(n, ms(t), 1);
                n
            })
            .collect()
    }

    #[test]
    fn a_quiet_machine_keeps_every_thread() {
        let mut g = StepThreads::new(2);
        let used = run(&mut g, [5, 6, 5, 7, 5, 9, 6, 5].repeat(20));
        assert!(used.iter().all(|&n| n == 2));
    }

    #[test]
    fn a_slow_step_moves_steps_to_one_thread_then_every_thread_is_tried_again() {
        let mut g = StepThreads::new(2);
        let used = run(&mut g, [5, 5, 40]);
        assert_eq!(used, [2, 2, 2]);
        let used = run(&mut g, [7; STEPS.single as usize]);
        assert!(used.iter().all(|&n| n == 1));
        // The retry is still slow: twice as long on one thread this time.
        assert_eq!(run(&mut g, [30]), [2]);
        let used = run(&mut g, [7; 2 * STEPS.single as usize]);
        assert!(used.iter().all(|&n| n == 1));
        // The machine is quiet again: every thread, and the back-off starts over.
        assert_eq!(run(&mut g, [5, 5]), [2, 2]);
        run(&mut g, [40]);
        assert_eq!(g.single_left, STEPS.single);
    }

    #[test]
    fn steps_of_several_tokens_are_judged_per_token() {
        let mut g = StepThreads::new(2);
        run(&mut g, [5]);
        g.observe(2, ms(4 * 6), 4);
        assert_eq!(g.next(), 2);
    }

    #[test]
    fn prompts_are_judged_within_their_length_class() {
        let mut g = StepThreads::prompts(2);
        g.observe(2, ms(256), 256); // 1 ms per token
        // A 16-token prompt at 2 ms per token is its class's first: not contended.
        g.observe(2, ms(32), 16);
        assert_eq!(g.next(), 2);
        // A 256-token prompt 3× slower is.
        g.observe(2, ms(768), 256);
        assert_eq!(g.next(), 1);
        for _ in 0..PROMPTS.single {
            assert_eq!(g.next(), 1);
            g.observe(1, ms(500), 256);
        }
        assert_eq!(g.next(), 2);
    }

    #[test]
    fn one_configured_thread_stays_one() {
        let mut g = StepThreads::new(1);
        assert_eq!(run(&mut g, [5, 50, 5, 50]), [1, 1, 1, 1]);
    }
}
