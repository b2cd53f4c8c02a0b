//! Data derived from the state for the screen: the next-token distribution at the cursor and
//! how the token at the cursor (or the last generated one) was chosen. `update` recomputes them
//! whenever their inputs change, so rendering only reads.

use std::sync::Arc;

use crate::engine::TokenView;
use crate::sampling::{Distribution, SamplingParams};

use super::tree::Choice;

/// The distribution shown in the "Next token" pane.
#[derive(Clone, Debug)]
pub struct View {
    /// Index (in the whole sequence) of the token this distribution predicts: the sequence
    /// length when live, the look-back cursor otherwise.
    pub index: usize,
    /// `None` for index 0: nothing predicts the first token.
    pub dist: Option<Distribution>,
    /// The token actually at `index` when looking back: (id, 0-based rank in `dist`).
    pub actual: Option<(u32, Option<usize>)>,
    /// Computed from an evaluation of an older prompt (a newer one is on its way).
    pub stale: bool,
    pub(super) key: ViewKey,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ViewKey {
    pub serial: u64,
    pub index: usize,
    pub params: SamplingParams,
}

/// How one generated token was chosen, ready to draw as a dice roll.
#[derive(Clone, Debug)]
pub struct Roll {
    /// Index of the token in the whole sequence.
    pub index: usize,
    pub token: TokenView,
    pub choice: Choice,
    /// 0-based rank of the token in the distribution it was chosen from.
    pub rank: usize,
    /// `final_prob` of the kept candidates in rank order, at most [`ROLL_SEGMENTS`] of them
    /// (the rest of the kept mass is `1 − sum`).
    pub segments: Vec<f64>,
    /// How many candidates the sampler kept.
    pub kept: usize,
    /// Cumulative range of the chosen token on the final bar (`cum_before..cum_after`).
    pub range: (f64, f64),
    pub(super) key: RollKey,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct RollKey {
    pub serial: u64,
    pub index: usize,
    pub token: u32,
    /// The settings the roll is shown under (those of the draw, or the current ones for a pick).
    pub params: SamplingParams,
}

/// How many kept candidates a roll keeps for its cumulative bar.
pub const ROLL_SEGMENTS: usize = 64;

impl View {
    pub(super) fn compute(
        logits: Option<&Arc<[f32]>>,
        params: &SamplingParams,
        actual: Option<u32>,
        stale: bool,
        key: ViewKey,
    ) -> View {
        let dist = logits
            .filter(|l| !l.is_empty())
            .map(|l| Distribution::new(l, params));
        let actual = actual.map(|id| (id, dist.as_ref().and_then(|d| d.rank_of(id))));
        View {
            index: key.index,
            dist,
            actual,
            stale,
            key,
        }
    }
}

impl Roll {
    pub(super) fn compute(
        logits: &[f32],
        current: &SamplingParams,
        token: TokenView,
        choice: Choice,
        key: RollKey,
    ) -> Roll {
        let params = match choice {
            Choice::Sampled { params, .. } => params,
            Choice::Picked { .. } => *current,
        };
        let dist = Distribution::new(logits, &params);
        let rank = match choice {
            Choice::Sampled { draw, .. } => draw.rank,
            Choice::Picked { .. } => dist.rank_of(token.id).unwrap_or(0),
        };
        let segments = dist.candidates[..dist.kept.min(ROLL_SEGMENTS)]
            .iter()
            .map(|c| c.final_prob)
            .collect();
        let range = match choice {
            Choice::Sampled { draw, .. } => (draw.cum_before, draw.cum_after),
            Choice::Picked { .. } => {
                let c = &dist.candidates[rank];
                (c.cumulative - c.final_prob, c.cumulative)
            }
        };
        Roll {
            index: key.index,
            token,
            choice,
            rank,
            segments,
            kept: dist.kept,
            range,
            key,
        }
    }
}
