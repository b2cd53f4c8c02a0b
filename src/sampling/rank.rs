//! The one definition of a token's rank, shared by the engine (the GLTR colour of every prompt
//! token) and [`super::Distribution`] (the order of its candidates): by raw logit, highest
//! first; equal logits are ordered by the lower id; a NaN logit counts as −∞.

use super::filters::clean;

/// Rank (0 = most likely) and raw probability (softmax at temperature 1) of token `id` under
/// `logits`. Linear in the vocabulary size, in f64.
///
/// # Panics
/// If `id` is outside `logits`.
pub fn rank_and_prob(logits: &[f32], id: u32) -> (u32, f32) {
    let (rank, prob) = rank_and_prob_f64(logits, id);
    (rank, prob as f32)
}

/// [`rank_and_prob`] with the probability kept in f64, as [`super::Distribution`] keeps its
/// own (products of several, as the word view makes, then compare with the pane's).
pub fn rank_and_prob_f64(logits: &[f32], id: u32) -> (u32, f64) {
    let target = clean(logits[id as usize]);
    let max = logits
        .iter()
        .map(|&l| clean(l))
        .fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f64;
    let mut rank = 0u32;
    for (other, &l) in logits.iter().enumerate() {
        let l = clean(l);
        if max.is_finite() {
            sum += f64::from(l - max).exp();
        }
        rank += u32::from(l > target || (l == target && (other as u32) < id));
    }
    let prob = if max.is_finite() {
        f64::from(target - max).exp() / sum
    } else {
        0.0
    };
    (rank, prob)
}

/// The most likely token under `logits` (rank 0 by [`rank_and_prob`]'s rule: the highest logit,
/// the lower id among equals, NaN as −∞). `None` for an empty slice.
pub fn top1(logits: &[f32]) -> Option<u32> {
    let mut best: Option<(u32, f32)> = None;
    for (id, &l) in logits.iter().enumerate() {
        let l = clean(l);
        if best.is_none_or(|(_, b)| l > b) {
            best = Some((id as u32, l));
        }
    }
    best.map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::{Distribution, SamplingParams};

    #[test]
    fn top1_is_rank_zero() {
        let logits = [1.0, 3.0, 3.0, f32::NAN, 0.0, 3.0];
        let best = top1(&logits).unwrap();
        assert_eq!(best, 1);
        assert_eq!(rank_and_prob(&logits, best).0, 0);
        assert_eq!(top1(&[f32::NAN, -1.0]), Some(1));
        assert_eq!(top1(&[]), None);
    }

    #[test]
    fn ties_go_to_the_lower_id_like_the_distribution() {
        let logits = [1.0, 3.0, 3.0, f32::NAN, 0.0, 3.0];
        let d = Distribution::new(&logits, &SamplingParams::default());
        for c in &d.candidates {
            let (rank, prob) = rank_and_prob(&logits, c.id);
            assert_eq!(rank as usize, c.rank, "id {}", c.id);
            assert!((f64::from(prob) - c.prob).abs() < 1e-6, "id {}", c.id);
        }
        assert_eq!(rank_and_prob(&logits, 2).0, 1);
    }

    #[test]
    fn hand_checked_probabilities() {
        let logits = [0.0, 2f32.ln(), 3f32.ln()];
        let (rank, prob) = rank_and_prob(&logits, 1);
        assert_eq!(rank, 1);
        assert!((prob - 2.0 / 6.0).abs() < 1e-6);
    }
}
