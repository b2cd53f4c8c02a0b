//! Rolling the dice many times: N seeded draws from one distribution, counted per token, to set
//! the empirical frequencies beside the probabilities they estimate.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Distribution;

/// The stream of the roll-many RNG (the step dice use streams 0, 1, 2, …; this one is far away).
const ROLLS_STREAM: u64 = u64::MAX;

/// The outcome of [`roll_many`].
#[derive(Clone, Debug, PartialEq)]
pub struct Rolls {
    pub n: usize,
    pub seed: u64,
    /// `(rank, id, count)` of every token drawn at least once, most drawn first (ties by rank).
    pub counts: Vec<(usize, u32, usize)>,
}

impl Rolls {
    /// How many different tokens came up.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// How often token `id` came up.
    pub fn count_of(&self, id: u32) -> usize {
        self.counts.iter().find(|c| c.1 == id).map_or(0, |c| c.2)
    }
}

/// `n` draws from `dist` (ChaCha8 seeded with `seed`, its own stream): the same `(dist, n,
/// seed)` always gives the same counts. Each draw is an inverse-CDF lookup on the kept ranks,
/// exactly like a generation step's dice.
pub fn roll_many(dist: &Distribution, n: usize, seed: u64) -> Rolls {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(ROLLS_STREAM);
    let mut per_rank = vec![0usize; dist.kept];
    for _ in 0..n {
        per_rank[dist.draw(rng.random::<f64>()).rank] += 1;
    }
    let mut counts: Vec<(usize, u32, usize)> = per_rank
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(rank, &c)| (rank, dist.candidates[rank].id, c))
        .collect();
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Rolls { n, seed, counts }
}
