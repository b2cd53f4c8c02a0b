//! The inside-the-model view: for the position the next-token pane explains (the last token
//! before the look-back cursor, or the last token of the sequence when live), the token's
//! embedding and its neighbours, the logit lens, or the attention over the earlier tokens.
//!
//! `I` / F7 cycle off → embedding → lens → attention → off. Each view is asked of the worker
//! for the token ids up to that position, only while nothing else is being evaluated, and kept
//! per (ids, view), so moving the cursor back and forth shows what was computed at once. The
//! embedding view has a one-line field (`/`) for a word whose neighbours to show instead.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::action::Action;
use crate::engine::inside::{AttentionReport, Inside as Computed, InsideReport, Inspect};
use crate::engine::{Reply, Request};
use crate::i18n::{Describe, Text};
use crate::model::ModelError;
use crate::state::{Effect, Notice, State};

/// Views remembered (per ids prefix and view).
const CACHED: usize = 96;

/// Which inside view is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InsideView {
    #[default]
    Off,
    /// The token's embedding row and its nearest neighbours.
    Embedding,
    /// The logit lens: each layer's top candidates.
    Lens,
    /// Where the position looks, per layer (mean over heads or one head).
    Attention,
}

impl InsideView {
    /// The next view in the cycle.
    pub fn next(self) -> InsideView {
        match self {
            InsideView::Off => InsideView::Embedding,
            InsideView::Embedding => InsideView::Lens,
            InsideView::Lens => InsideView::Attention,
            InsideView::Attention => InsideView::Off,
        }
    }
}

/// A view of one position: the ids up to it and what is looked at.
pub type Key = (Vec<u32>, Inspect);

/// What a request for a key gave.
#[derive(Clone, Debug)]
pub enum Outcome {
    Done(Computed),
    Failed(Arc<ModelError>),
}

/// The inside view's state.
#[derive(Clone, Debug, Default)]
pub struct Inside {
    pub view: InsideView,
    /// The attention layer shown, counted back from the last (0 = the last layer).
    pub layer_back: usize,
    /// The attention head shown (`None`: the mean over heads).
    pub head: Option<usize>,
    /// The word field, while it is open (the embedding view's `/`).
    pub field: Option<String>,
    /// The typed word whose embedding is shown instead of the selected token's.
    pub word: Option<String>,
    /// The loaded model has no layers to show (an encoder, a translation model).
    pub unavailable: bool,
    cache: HashMap<Key, Outcome>,
    order: VecDeque<Key>,
    pending: Option<(u64, Key)>,
}

impl Inside {
    /// Whether a view is being computed.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// What was computed for `key`, if anything.
    pub fn get(&self, key: &Key) -> Option<&Outcome> {
        self.cache.get(key)
    }

    /// Forgets every view (a new model), keeping which one is shown.
    pub fn forget(&mut self) {
        *self = Inside {
            view: self.view,
            layer_back: self.layer_back,
            head: self.head,
            ..Inside::default()
        };
    }

    fn store(&mut self, key: Key, outcome: Outcome) {
        if !self.cache.contains_key(&key) {
            if self.order.len() >= CACHED
                && let Some(old) = self.order.pop_front()
            {
                self.cache.remove(&old);
            }
            self.order.push_back(key.clone());
        }
        self.cache.insert(key, outcome);
    }
}

/// The key of what the view shows now, if anything can be shown: the ids up to the position
/// the next-token pane explains (or the typed word), and the view.
pub fn wanted(s: &State) -> Option<Key> {
    let what = match s.inside.view {
        InsideView::Off => return None,
        InsideView::Embedding => match &s.inside.word {
            Some(word) => return Some((Vec::new(), Inspect::Word(word.clone()))),
            None => Inspect::Embedding,
        },
        InsideView::Lens => Inspect::Lens,
        InsideView::Attention => Inspect::Attention,
    };
    Some((super::words::base(s)?, what))
}

/// The attention shown now, when computed.
pub fn attention(s: &State) -> Option<&AttentionReport> {
    match s.inside.get(&wanted(s)?) {
        Some(Outcome::Done(c)) => match c.report.as_ref() {
            InsideReport::Attention(a) => Some(a),
            _ => None,
        },
        _ => None,
    }
}

/// The layer index the attention view shows, for a model of `layers` layers.
pub fn layer(s: &State, layers: usize) -> usize {
    layers.saturating_sub(1 + s.inside.layer_back.min(layers.saturating_sub(1)))
}

/// Whether the inside view takes `action` (the word field's typing).
pub(super) fn intercepts(s: &State, action: &Action) -> bool {
    s.inside.field.is_some()
        && matches!(
            action,
            Action::InsertChar(_) | Action::DeleteBack | Action::Paste(_)
        )
}

/// Whether the footer should offer `action`: the view's own keys only in their view.
pub fn offers(s: &State, action: &Action) -> bool {
    match action {
        Action::InsideLayer(_) | Action::InsideHead(_) => s.inside.view == InsideView::Attention,
        Action::InsideWordOpen => s.inside.view == InsideView::Embedding,
        _ => true,
    }
}

/// Applies an inside-view action (or the field's typing).
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::CycleInside => {
            s.inside.view = s.inside.view.next();
            s.inside.field = None;
            s.notice = Some(Notice {
                text: match s.inside.view {
                    InsideView::Off => Text::NoticeInsideOff,
                    InsideView::Embedding => Text::NoticeInsideEmbedding,
                    InsideView::Lens => Text::NoticeInsideLens,
                    InsideView::Attention => Text::NoticeInsideAttention,
                },
                arg: None,
            });
        }
        Action::InsideLayer(delta) => move_layer(s, delta),
        Action::InsideHead(delta) => move_head(s, delta),
        Action::InsideWordOpen if s.inside.view == InsideView::Embedding => {
            s.inside.field = Some(String::new());
        }
        Action::InsideWordSubmit => {
            // The word as typed: its leading space is part of the token (" gato" ≠ "gato").
            if let Some(word) = s.inside.field.take() {
                s.inside.word = (!word.trim().is_empty()).then_some(word);
            }
        }
        Action::InsideWordClose => s.inside.field = None,
        Action::InsertChar(c) => push(s, &c.to_string()),
        Action::Paste(text) => push(s, text.lines().next().unwrap_or("")),
        Action::DeleteBack => {
            if let Some(f) = &mut s.inside.field {
                f.pop();
            }
        }
        _ => {}
    }
    Vec::new()
}

fn push(s: &mut State, text: &str) {
    if let Some(f) = &mut s.inside.field {
        f.push_str(text);
    }
}

fn move_layer(s: &mut State, delta: i8) {
    let last = attention(s).map_or(i64::MAX, |a| a.layers.saturating_sub(1) as i64);
    let back = s.inside.layer_back as i64 - i64::from(delta);
    s.inside.layer_back = back.clamp(0, last) as usize;
}

/// Heads go 0, 1, … heads − 1, then the mean (`None`), and round again.
fn move_head(s: &mut State, delta: i8) {
    let Some(heads) = attention(s).map(|a| a.heads) else {
        return;
    };
    let slots = heads as i64 + 1; // the heads and the mean (slot `heads`)
    let now = s.inside.head.map_or(heads as i64, |h| h as i64);
    let next = (now + i64::from(delta)).rem_euclid(slots) as usize;
    s.inside.head = (next < heads).then_some(next);
}

/// A view from the worker (kept even when late: its key says what it is).
pub(super) fn take_reply(s: &mut State, reply: Reply) -> Vec<Effect> {
    let Reply::Inside {
        id,
        ids,
        what,
        inside,
    } = reply
    else {
        return Vec::new();
    };
    if s.inside.pending.as_ref().is_some_and(|(p, _)| *p == id) {
        s.inside.pending = None;
    }
    s.inside.store((ids, what), Outcome::Done(inside));
    Vec::new()
}

/// A failed view: not asked again for that key; a model without layers is not asked again.
pub(super) fn take_failure(s: &mut State, id: u64, error: &Arc<ModelError>) -> bool {
    let Some((_, key)) = s.inside.pending.take_if(|(p, _)| *p == id) else {
        return false;
    };
    if matches!(error.as_ref(), ModelError::InsideNeedsDecoder) {
        s.inside.unavailable = true;
    } else {
        s.notice = Some(Notice {
            text: Text::NoticeInsideFailed,
            arg: Some(error.describe(s.lang)),
        });
    }
    s.inside.store(key, Outcome::Failed(Arc::clone(error)));
    true
}

/// Another request went out: the worker keeps only the newest, so the view asked for may be
/// dropped; it is asked again when the worker is free.
pub(super) fn superseded(s: &mut State) {
    s.inside.pending = None;
}

/// Asks for the view shown when it is not known and the worker is free.
pub(super) fn refresh(s: &mut State) -> Vec<Effect> {
    if s.inside.unavailable || s.inside.pending.is_some() || s.awaiting.is_some() {
        return Vec::new();
    }
    if s.versus.as_ref().is_some_and(|v| v.awaiting()) {
        return Vec::new();
    }
    let Some(key) = wanted(s).filter(|k| s.inside.get(k).is_none()) else {
        return Vec::new();
    };
    s.next_id += 1;
    let id = s.next_id;
    s.inside.pending = Some((id, key.clone()));
    let (ids, what) = key;
    vec![Effect::Evaluate(Request::Inspect { id, ids, what })]
}
