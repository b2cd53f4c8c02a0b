//! What a server's top-N log-probabilities say, and what they do not.
//!
//! With `p_1 ≥ … ≥ p_n` shown out of a vocabulary of unknown size:
//! - the hidden tokens hold `r = 1 − Σ p_i` (reported as a lower bound: rounding and merged
//!   entries can only hide more);
//! - every hidden token has `q ≤ c` with `c = max(p_n, r)`: a token outside the top N has at
//!   most `p_n`, and one the server left out because its text collided with another's
//!   (servers key `top_logprobs` by text) has at most `r`. So `−Σ q log q ≥ −r log c`, and the
//!   entropy is at least `−Σ p_i log p_i − r log c`; it has no upper bound without the
//!   vocabulary's size;
//! - sampler columns (temperature, top-k, top-p, min-p) are computed over the shown tokens only,
//!   renormalised among them.

use crate::sampling::{Distribution, SamplingParams};

/// One candidate the server showed: its text and raw log-probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub text: String,
    pub logprob: f64,
}

/// The top N of an unknown vocabulary, most likely first.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialDistribution {
    /// How many the server was asked for.
    pub top_n: usize,
    /// What it showed (at most `top_n`; fewer when entries share a text), most likely first.
    pub shown: Vec<Shown>,
}

impl PartialDistribution {
    /// Sorts the server's entries (most likely first, ties by text) and keeps the top `top_n`
    /// (a server may add the sampled token beyond them).
    pub fn new(top_n: usize, entries: impl IntoIterator<Item = (String, f64)>) -> Self {
        let mut shown: Vec<Shown> = entries
            .into_iter()
            .filter(|(_, lp)| lp.is_finite() || *lp == f64::NEG_INFINITY)
            .map(|(text, logprob)| Shown { text, logprob })
            .collect();
        shown.sort_by(|a, b| b.logprob.total_cmp(&a.logprob).then(a.text.cmp(&b.text)));
        shown.truncate(top_n);
        Self { top_n, shown }
    }

    /// Σ of the shown probabilities.
    pub fn shown_mass(&self) -> f64 {
        self.shown.iter().map(|s| s.logprob.exp()).sum::<f64>()
    }

    /// `1 − Σ shown`, clamped at 0: at least this much probability is on tokens not shown.
    pub fn rest_mass_lower_bound(&self) -> f64 {
        (1.0 - self.shown_mass()).max(0.0)
    }

    /// A lower bound on the entropy (nats) of the whole distribution (see the module doc).
    pub fn entropy_lower_bound(&self) -> f64 {
        let shown: f64 = self
            .shown
            .iter()
            .map(|s| {
                let p = s.logprob.exp();
                if p > 0.0 { -p * s.logprob } else { 0.0 }
            })
            .sum();
        let rest = self.rest_mass_lower_bound();
        let hidden = match self.shown.last() {
            Some(last) if rest > 0.0 => -rest * last.logprob.exp().max(rest).ln(),
            _ => 0.0,
        };
        shown + hidden
    }

    /// The sampler's distribution over the shown tokens only (candidate ids index `shown`).
    pub fn sampler(&self, params: &SamplingParams) -> Distribution {
        let logits: Vec<f32> = self.shown.iter().map(|s| s.logprob as f32).collect();
        Distribution::new(&logits, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(ps: &[f64]) -> PartialDistribution {
        let entries = ps
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("t{i}"), p.ln()));
        PartialDistribution::new(ps.len(), entries)
    }

    #[test]
    fn rest_mass_is_what_the_shown_leave() {
        let d = dist(&[0.5, 0.25, 0.125]);
        assert!((d.rest_mass_lower_bound() - 0.125).abs() < 1e-12);
        assert_eq!(dist(&[0.6, 0.5]).rest_mass_lower_bound(), 0.0);
    }

    #[test]
    fn entropy_bound_by_hand() {
        // Shown 1/2, 1/4; hidden 1/4, each at most 1/4: H ≥ ½ln2 + ¼ln4 + ¼ln4 = 1.5 ln 2,
        // which is exact when the hidden quarter is one token.
        let d = dist(&[0.5, 0.25]);
        assert!((d.entropy_lower_bound() - 1.5 * 2f64.ln()).abs() < 1e-12);
        // More hidden than the smallest shown: a hidden token may hold all of it (a text
        // collision), so the cap is the rest itself: H ≥ ½ln2 + ½ln2.
        let d = dist(&[0.5]);
        assert!((d.entropy_lower_bound() - 2f64.ln()).abs() < 1e-12);
        // The whole distribution shown: the bound is the entropy.
        let d = dist(&[0.5, 0.5]);
        assert!((d.entropy_lower_bound() - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn sorted_and_cut_to_top_n() {
        let entries = [
            ("b".to_string(), -3.0),
            ("a".into(), -1.0),
            ("c".into(), -2.0),
        ];
        let d = PartialDistribution::new(2, entries);
        let texts: Vec<&str> = d.shown.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["a", "c"]);
    }

    #[test]
    fn sampler_renormalises_over_the_shown() {
        let d = dist(&[0.3, 0.1]);
        let s = d.sampler(&SamplingParams::default());
        assert!((s.candidates[0].final_prob - 0.75).abs() < 1e-6);
        assert!((s.candidates[1].final_prob - 0.25).abs() < 1e-6);
    }
}
