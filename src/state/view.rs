//! Data derived from the state for the screen: the next-token distribution at the cursor and
//! how the token at the cursor (or the last generated one) was chosen. `update` recomputes them
//! whenever their inputs change, so rendering only reads.

use std::sync::Arc;

use crate::engine::TokenView;
use crate::sampling::{Distribution, Rolls, SamplingParams, roll_many};

use super::State;
use super::served;
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
    /// The lab: one distribution per sampler column (empty with a single column; `dist` is
    /// the selected column's).
    pub columns: Vec<Distribution>,
    /// The roll-many view: draws from the selected column.
    pub rolls: Option<Rolls>,
    pub(super) key: ViewKey,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ViewKey {
    pub serial: u64,
    pub index: usize,
    pub params: SamplingParams,
    /// Every column's settings when there are several.
    pub columns: Vec<SamplingParams>,
    /// How many draws the roll-many view wants, when shown.
    pub rolls: Option<usize>,
    /// Over a served model's shown candidates only (`--endpoint`).
    pub partial: bool,
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
    /// How many candidates the distribution had (a served model's shown ones).
    pub candidates: usize,
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
    /// Over a served model's shown candidates only (`--endpoint`).
    pub partial: bool,
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
        let partial = key.partial;
        let logits = logits.filter(|l| !l.is_empty());
        let dist = logits.map(|l| served::distribution(l, params, partial));
        let actual = actual.map(|id| (id, dist.as_ref().and_then(|d| d.rank_of(id))));
        let columns = match logits {
            Some(l) if key.columns.len() > 1 => served::many(l, &key.columns, partial),
            _ => Vec::new(),
        };
        let rolls = match (&dist, key.rolls) {
            (Some(d), Some(n)) => Some(roll_many(d, n, params.seed)),
            _ => None,
        };
        View {
            index: key.index,
            dist,
            actual,
            stale,
            columns,
            rolls,
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
        let dist = served::distribution(logits, &params, key.partial);
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
            candidates: dist.candidates.len(),
            range,
            key,
        }
    }
}

/// Recomputes the derived view data whose inputs changed.
pub(super) fn refresh(s: &mut State) {
    super::versus::refresh(s);
    // The look-back cursor stays inside the sequence.
    let len = s.sequence_len();
    if s.look.is_some_and(|i| i >= len) {
        s.look = None;
    }
    let Some(eval) = &s.eval else {
        s.view = None;
        s.roll = None;
        return;
    };
    let fresh = s.fresh();
    let covered = if fresh {
        s.evaluated_len()
    } else {
        eval.positions.len()
    };
    let index = s.look.unwrap_or(len);

    // The distribution at the cursor: logits after the token before it.
    let columns = if s.lab.len() > 1 {
        s.lab.columns(&s.params)
    } else {
        Vec::new()
    };
    let key = ViewKey {
        serial: eval.serial,
        index,
        params: s.params,
        columns,
        rolls: s.lab.rolls_shown.then(|| s.lab.rolls()),
        partial: s.served.is_some(),
    };
    if s.view.as_ref().is_none_or(|v| v.key != key) {
        let old_index = s.view.as_ref().map(|v| v.index);
        if index > covered {
            // Not evaluated yet: keep what is there until the reply comes.
            if let Some(v) = &mut s.view {
                v.stale = true;
            }
        } else {
            let logits = index.checked_sub(1).map(|i| &eval.positions[i].logits);
            let actual = (index < len).then(|| token_at(s, index));
            let view = View::compute(logits, &s.params, actual, !fresh, key);
            if old_index != Some(index) {
                s.selected = view.actual.and_then(|(_, r)| r).unwrap_or(0);
            }
            s.view = Some(view);
        }
    } else if let Some(v) = &mut s.view {
        v.stale = !fresh;
    }

    refresh_roll(s, fresh, covered);
}

/// The roll: how the generated token at the cursor (or the last one) was chosen.
fn refresh_roll(s: &mut State, fresh: bool, covered: usize) {
    let Some(eval) = &s.eval else {
        return;
    };
    let prompt_len = eval.prompt_len;
    let token_index = match s.look {
        Some(i) if fresh && i >= prompt_len => Some(i),
        Some(_) => None,
        None if fresh && s.tree.depth() > 0 => Some(prompt_len + s.tree.depth() - 1),
        None => None,
    };
    let Some(token_index) = token_index.filter(|&i| i >= 1 && i - 1 < covered) else {
        if !fresh || s.tree.depth() == 0 {
            s.roll = None;
        }
        return;
    };
    let Some(node) = s.tree.node_at(token_index - prompt_len) else {
        s.roll = None;
        return;
    };
    let node = s.tree.node(node).clone();
    let params = match node.choice {
        Choice::Sampled { params, .. } => params,
        Choice::Picked { .. } => s.params,
    };
    let key = RollKey {
        serial: eval.serial,
        index: token_index,
        token: node.token,
        params,
        partial: s.served.is_some(),
    };
    if s.roll.as_ref().is_none_or(|r| r.key != key) {
        let logits = eval.positions[token_index - 1].logits.clone();
        let token = s.token_view(node.token).into_owned();
        s.roll = Some(Roll::compute(&logits, &s.params, token, node.choice, key));
    }
}

/// The token id at `index` of the displayed sequence.
fn token_at(s: &State, index: usize) -> u32 {
    let eval = s.eval.as_ref().expect("called with an evaluation");
    if !s.fresh() || index < eval.prompt_len {
        return eval.positions[index].token.id;
    }
    let path = s.tree.path();
    s.tree.node(path[index - eval.prompt_len]).token
}
