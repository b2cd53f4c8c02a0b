//! Model A/B (issue 8, item 7): the prompt evaluated by a second model in its own worker, so
//! the two can be read side by side: how many tokens each tokenizer cuts the same text into
//! (Portuguese costs more tokens on an English tokenizer) and each one's next-token
//! distribution.
//!
//! B reads the prompt only (token ids of A's continuation mean nothing to another
//! vocabulary). Its worker keeps only the newest request, so B is asked again whenever the
//! prompt or the chat setting changed and no request for them is in flight.

use std::sync::Arc;

use crate::engine::{ModelInfo, Position, Reply, Request, TokenView};
use crate::model::{LoadStep, Progress};
use crate::state::{Effect, ModelStatus, State, StateError};

/// How many candidates each side lists.
pub const TOP: usize = 5;

/// Where model B is.
#[derive(Clone, Debug)]
pub enum BStatus {
    Loading(Progress),
    Ready(ModelInfo),
    Failed(StateError),
}

/// One side of the comparison, derived from an evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Side {
    /// The prompt's tokens.
    pub tokens: Vec<TokenView>,
    /// The most likely next tokens with their raw probabilities.
    pub top: Vec<(TokenView, f64)>,
}

/// Model B and its evaluation of the prompt.
#[derive(Clone, Debug)]
pub struct ModelB {
    /// The short name it was opened by.
    pub name: String,
    pub status: BStatus,
    /// The prompt and chat flag the side was computed for, and the side.
    pub side: Option<(String, bool, Side)>,
    /// The newest request's error, with the prompt and chat flag it was for (not asked again
    /// for those).
    pub error: Option<(String, bool, StateError)>,
    /// Derived: model A's side, for A's evaluation with this serial.
    pub a_side: Option<(u64, Side)>,
    awaiting: Option<(u64, String, bool)>,
    next_id: u64,
}

impl ModelB {
    /// Model B, its worker just started.
    pub fn loading(name: &str) -> ModelB {
        ModelB {
            name: name.to_string(),
            status: BStatus::Loading(Progress::new(0.0, LoadStep::Reading)),
            side: None,
            error: None,
            a_side: None,
            awaiting: None,
            next_id: 0,
        }
    }

    /// B's side, when it is for `prompt` and `chat`.
    pub fn side_for(&self, prompt: &str, chat: bool) -> Option<&Side> {
        self.side
            .as_ref()
            .filter(|(p, c, _)| p == prompt && *c == chat)
            .map(|(_, _, side)| side)
    }

    /// Whether a request is in flight.
    pub fn computing(&self) -> bool {
        self.awaiting.is_some()
    }
}

/// The `n` most likely tokens of `logits` with their softmax probabilities (ties: lower id
/// first).
pub fn top_probs(logits: &[f32], n: usize) -> Vec<(u32, f64)> {
    let max = logits
        .iter()
        .copied()
        .filter(|l| !l.is_nan())
        .fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return Vec::new();
    }
    let sum: f64 = logits
        .iter()
        .filter(|l| !l.is_nan())
        .map(|&l| f64::from(l - max).exp())
        .sum();
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(n + 1);
    for (id, &l) in logits.iter().enumerate() {
        if l.is_nan() || (best.len() == n && l <= best[n - 1].1) {
            continue;
        }
        let at = best.partition_point(|&(_, b)| b >= l);
        best.insert(at, (id as u32, l));
        best.truncate(n);
    }
    best.into_iter()
        .map(|(id, l)| (id, f64::from(l - max).exp() / sum))
        .collect()
}

/// A side from an evaluation's prompt positions (`prompt_len` of them) and a vocabulary.
pub fn side_of(positions: &[Position], prompt_len: usize, vocab: &[TokenView]) -> Side {
    let prompt = &positions[..prompt_len.min(positions.len())];
    let view = |id: u32| {
        vocab
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| TokenView {
                id,
                piece: format!("<{id}>"),
                text: format!("<{id}>"),
                special: false,
            })
    };
    let top = prompt
        .last()
        .map(|p| top_probs(&p.logits, TOP))
        .unwrap_or_default();
    Side {
        tokens: prompt.iter().map(|p| p.token.clone()).collect(),
        top: top.into_iter().map(|(id, p)| (view(id), p)).collect(),
    }
}

/// What B's worker says.
pub(super) fn on_reply(s: &mut State, reply: Reply) -> Vec<Effect> {
    let Some(b) = s.models.b.as_mut() else {
        return Vec::new();
    };
    match reply {
        Reply::Progress(p) => {
            if matches!(b.status, BStatus::Loading(_)) {
                b.status = BStatus::Loading(p);
            }
        }
        Reply::Loaded(info) => {
            b.status = BStatus::Ready(info);
            b.awaiting = None;
        }
        Reply::LoadFailed { path, error } => {
            b.status = BStatus::Failed(StateError::Load { path, error });
            b.awaiting = None;
        }
        Reply::Evaluated {
            id,
            prompt_len,
            positions,
            ..
        } => {
            let (Some((_, prompt, chat)), BStatus::Ready(info)) =
                (b.awaiting.take_if(|(a, _, _)| *a == id), &b.status)
            else {
                return Vec::new();
            };
            let side = side_of(&positions, prompt_len, &info.vocab);
            b.side = Some((prompt, chat, side));
            b.error = None;
        }
        // B is never asked for words, and encoders are not opened as B.
        Reply::Word { .. } | Reply::Encoded { .. } | Reply::Inside { .. } | Reply::Served(_) => {}
        Reply::Failed { id, error } => {
            if let Some((_, prompt, chat)) = b.awaiting.take_if(|(a, _, _)| *a == id) {
                b.error = Some((prompt, chat, StateError::Request(Arc::clone(&error))));
            }
        }
    }
    Vec::new()
}

/// Asks B for the current prompt when it is ready and has not got it.
pub(super) fn sync_b(s: &mut State) -> Vec<Effect> {
    let prompt = s.editor.text().to_string();
    let chat = s.chat;
    let Some(b) = s.models.b.as_mut() else {
        return Vec::new();
    };
    let in_flight = b
        .awaiting
        .as_ref()
        .is_some_and(|(_, p, c)| *p == prompt && *c == chat);
    let failed = b
        .error
        .as_ref()
        .is_some_and(|(p, c, _)| *p == prompt && *c == chat);
    if !matches!(b.status, BStatus::Ready(_))
        || b.side_for(&prompt, chat).is_some()
        || in_flight
        || failed
        || (prompt.is_empty() && !chat)
    {
        return Vec::new();
    }
    b.next_id += 1;
    b.awaiting = Some((b.next_id, prompt.clone(), chat));
    vec![Effect::EvaluateB(Request::Evaluate {
        id: b.next_id,
        prompt,
        chat,
        continuation: Vec::new(),
        source: None,
    })]
}

/// Recomputes A's side when A's evaluation changed (once per reply, not per frame).
pub(super) fn refresh(s: &mut State) {
    if s.models.b.is_none() {
        return;
    }
    let fresh = s.fresh();
    let vocab = match &s.model {
        ModelStatus::Ready(info) => Some(Arc::clone(&info.vocab)),
        _ => None,
    };
    let eval = s.eval.as_ref().filter(|_| fresh);
    let Some(b) = s.models.b.as_mut() else {
        return;
    };
    let (Some(eval), Some(vocab)) = (eval, vocab) else {
        b.a_side = None;
        return;
    };
    if b.a_side
        .as_ref()
        .is_some_and(|(serial, _)| *serial == eval.serial)
    {
        return;
    }
    let side = side_of(&eval.positions, eval.prompt_len, &vocab);
    b.a_side = Some((eval.serial, side));
}
