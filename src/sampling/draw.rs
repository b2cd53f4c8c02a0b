//! The dice: a reproducible uniform number per generation step, and the inverse-CDF lookup
//! that turns it into a token.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Distribution;

/// One draw: where the uniform number `u` landed on the final cumulative bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw {
    /// The uniform number used, in `[0, 1)`.
    pub u: f64,
    /// The rank drawn (a kept candidate).
    pub rank: usize,
    /// Its token id.
    pub id: u32,
    /// Cumulative final probability before this candidate; `cum_before <= u`.
    pub cum_before: f64,
    /// Cumulative final probability including it; `u < cum_after`.
    pub cum_after: f64,
}

/// The uniform number for generation step `step` under `seed`: ChaCha8Rng seeded with `seed`,
/// stream `step` (`set_stream`), first `f64`. Same `(seed, step)` → same number, so undo/redo
/// and replays are reproducible.
pub fn uniform(seed: u64, step: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(step);
    rng.random::<f64>()
}

impl Distribution {
    /// Inverse CDF over `final_prob` in rank order: the first kept candidate whose `cumulative`
    /// exceeds `u`. `u` is clamped into `[0, 1)` (NaN → 0). A greedy distribution always
    /// returns rank 0.
    pub fn draw(&self, u: f64) -> Draw {
        let u = if u.is_nan() {
            0.0
        } else {
            u.clamp(0.0, 1.0_f64.next_down())
        };
        let kept = &self.candidates[..self.kept];
        // The last kept cumulative is exactly 1 > u, so this is always a kept rank.
        let rank = kept
            .partition_point(|c| c.cumulative <= u)
            .min(self.kept - 1);
        let cum_before = if rank == 0 {
            0.0
        } else {
            kept[rank - 1].cumulative
        };
        Draw {
            u,
            rank,
            id: kept[rank].id,
            cum_before,
            cum_after: kept[rank].cumulative,
        }
    }

    /// The draw of generation step `step`: [`Distribution::draw`] of
    /// [`uniform`]`(params.seed, step)`; the argmax when the temperature is 0.
    pub fn sample(&self, step: u64) -> Draw {
        self.draw(uniform(self.params.seed, step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_is_reproducible_and_depends_on_seed_and_step() {
        assert_eq!(uniform(42, 7), uniform(42, 7));
        assert_ne!(uniform(42, 7), uniform(42, 8));
        assert_ne!(uniform(42, 7), uniform(43, 7));
        for step in 0..1000 {
            let u = uniform(1, step);
            assert!((0.0..1.0).contains(&u), "{u}");
        }
    }

    #[test]
    fn draw_clamps_out_of_range_u() {
        let d = Distribution::new(&[0.0, 0.0], &Default::default());
        assert_eq!(d.draw(-3.0).rank, 0);
        assert_eq!(d.draw(f64::NAN).u, 0.0);
        let last = d.draw(1.0);
        assert_eq!(last.rank, 1);
        assert!(last.u < 1.0);
        assert_eq!(d.draw(7.0).rank, 1);
    }
}
