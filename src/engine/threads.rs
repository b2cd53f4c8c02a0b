//! How many libtorch threads a decode step gets on a busy machine.
//!
//! With two OpenMP threads, every product in a step ends at a barrier where one thread waits
//! for the other. When another process holds the second core, that wait is a scheduler slice:
//! with one core kept busy by another process, fast mode's 5 ms step took 11.7 ms at the median
//! and 137 ms at the 95th percentile (with a compiler running: 19 ms and a second), against
//! 7.0 ms (p95 7.2) with one thread, which has no barrier.
//! [`StepThreads`] watches step times (inputs of at most [`crate::model::step::MAX_TOKENS`]
//! tokens) and moves steps to one thread while they are slow; longer inputs keep every thread.

use std::time::Duration;

/// A step this many times slower per token than the fastest seen with every thread counts as
/// contended.
const SLOW: u32 = 3;
/// Steps on one thread after a contended one, before every thread is tried again; doubled
/// each time the retry is contended too, up to [`MAX_SINGLE_STEPS`].
const SINGLE_STEPS: u32 = 32;
const MAX_SINGLE_STEPS: u32 = 1024;

/// The thread count of decode steps: every configured thread, or one while the machine is busy.
#[derive(Debug)]
pub struct StepThreads {
    /// The configured thread count (libtorch's, when the session started).
    all: i32,
    /// The fastest step seen with every thread, per token.
    best: Option<Duration>,
    /// Steps still to run on one thread.
    single_left: u32,
    /// How many one-thread steps the next contended step earns.
    backoff: u32,
}

impl StepThreads {
    pub fn new(all: i32) -> Self {
        Self {
            all: all.max(1),
            best: None,
            single_left: 0,
            backoff: SINGLE_STEPS,
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
        match self.best {
            Some(best) if per_token > best * SLOW => {
                self.single_left = self.backoff;
                self.backoff = (self.backoff * 2).min(MAX_SINGLE_STEPS);
            }
            _ => {
                self.best = Some(self.best.map_or(per_token, |b| b.min(per_token)));
                self.backoff = SINGLE_STEPS;
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
        let used = run(&mut g, [7; SINGLE_STEPS as usize]);
        assert!(used.iter().all(|&n| n == 1));
        // The retry is still slow: twice as long on one thread this time.
        assert_eq!(run(&mut g, [30]), [2]);
        let used = run(&mut g, [7; 2 * SINGLE_STEPS as usize]);
        assert!(used.iter().all(|&n| n == 1));
        // The machine is quiet again: every thread, and the back-off starts over.
        assert_eq!(run(&mut g, [5, 5]), [2, 2]);
        run(&mut g, [40]);
        assert_eq!(g.single_left, SINGLE_STEPS);
    }

    #[test]
    fn steps_of_several_tokens_are_judged_per_token() {
        let mut g = StepThreads::new(2);
        run(&mut g, [5]);
        g.observe(2, ms(4 * 6), 4);
        assert_eq!(g.next(), 2);
    }

    #[test]
    fn one_configured_thread_stays_one() {
        let mut g = StepThreads::new(1);
        assert_eq!(run(&mut g, [5, 50, 5, 50]), [1, 1, 1, 1]);
    }
}
