//! The word view of the next-token pane: each top candidate that does not end a word is
//! completed (greedily, by the worker) to the end of its word, with the joint probability of its
//! tokens. Words are asked for one at a time and only while the view is on and nothing else is
//! being evaluated; they are cached per distribution (the token sequence they follow), so
//! switching the view off and on, or going back to an earlier prompt, costs nothing.

use std::collections::{HashMap, VecDeque};

use crate::action::Action;
use crate::engine::{Request, WordGuess};
use crate::i18n::{Describe, Text};
use crate::keymap::{self, Context};
use crate::model::ModelError;
use crate::state::{Effect, Notice, State};

/// How many top candidates get their word at least.
pub const WORD_RANKS: usize = 24;

/// How many top candidates get their word: every row the pane can show (it is never taller
/// than the terminal), so no listed candidate is left without one.
pub fn word_ranks(s: &State) -> usize {
    WORD_RANKS.max(usize::from(s.size.1))
}

/// Distributions whose words are remembered.
const CACHED_DISTRIBUTIONS: usize = 64;

/// The word view's state.
#[derive(Clone, Debug, Default)]
pub struct Words {
    /// Whether the pane shows words.
    pub on: bool,
    /// Words found, per token sequence they follow, per candidate id.
    cache: HashMap<Vec<u32>, HashMap<u32, WordGuess>>,
    /// Insertion order of `cache`'s keys (the oldest is dropped first).
    order: VecDeque<Vec<u32>>,
    /// The request in flight: (id, base, candidate).
    pending: Option<(u64, Vec<u32>, u32)>,
}

impl Words {
    /// The word of `candidate` after `base`, when known.
    pub fn get(&self, base: &[u32], candidate: u32) -> Option<&WordGuess> {
        self.cache.get(base).and_then(|m| m.get(&candidate))
    }

    /// Forgets every word (a new model: its ids mean something else), keeping the view on or off.
    pub fn forget(&mut self) {
        let on = self.on;
        *self = Words {
            on,
            ..Words::default()
        };
    }

    /// Whether a word is being computed.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    fn store(&mut self, guess: WordGuess) {
        if !self.cache.contains_key(&guess.base) {
            if self.order.len() >= CACHED_DISTRIBUTIONS
                && let Some(old) = self.order.pop_front()
            {
                self.cache.remove(&old);
            }
            self.order.push_back(guess.base.clone());
        }
        self.cache
            .entry(guess.base.clone())
            .or_default()
            .insert(guess.candidate, guess);
    }
}

/// The key that switches the view.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    if action == Action::ToggleWords {
        s.words.on = !s.words.on;
        s.notice = Some(if s.words.on {
            Notice {
                text: Text::NoticeWordsOn,
                arg: keymap::key_label(Context::Explore, &Action::ToggleWords, s.lang),
            }
        } else {
            Notice {
                text: Text::NoticeWordsOff,
                arg: None,
            }
        });
    }
    Vec::new()
}

/// A word from the worker (any reply whose base is still wanted is kept, even a late one).
pub(super) fn take_reply(s: &mut State, id: u64, guess: WordGuess) {
    if s.words.pending.as_ref().is_some_and(|(p, _, _)| *p == id) {
        s.words.pending = None;
    }
    s.words.store(guess);
}

/// A failed word request: that candidate is not asked again for this distribution (its word
/// column shows `—`), and the status line says why.
pub(super) fn take_failure(s: &mut State, id: u64, error: &ModelError) -> bool {
    let Some((_, base, candidate)) = s.words.pending.take_if(|(p, _, _)| *p == id) else {
        return false;
    };
    s.notice = Some(Notice {
        text: Text::NoticeWordFailed,
        arg: Some(error.describe(s.lang)),
    });
    let token = s.token_view(candidate).into_owned();
    s.words.store(WordGuess {
        base,
        candidate,
        ids: vec![candidate],
        text: token.text,
        prob: f64::NAN,
        complete: false,
    });
    true
}

/// Another request went out: the worker keeps only the newest, so the word asked for may be
/// dropped; it is asked again when the worker is free.
pub(super) fn superseded(s: &mut State) {
    s.words.pending = None;
}

/// The token sequence the shown distribution follows, when it is current.
pub fn base(s: &State) -> Option<Vec<u32>> {
    let view = s.view.as_ref().filter(|v| !v.stale && v.dist.is_some())?;
    let eval = s.eval.as_ref().filter(|_| s.fresh())?;
    if view.index == 0 || view.index > s.evaluated_len() {
        return None;
    }
    Some(
        eval.positions[..view.index]
            .iter()
            .map(|p| p.token.id)
            .collect(),
    )
}

/// Asks for the next missing word when the view is on and the worker is free.
pub(super) fn refresh(s: &mut State) -> Vec<Effect> {
    if !s.words.on || s.words.pending.is_some() || s.awaiting.is_some() {
        return Vec::new();
    }
    if s.versus.as_ref().is_some_and(|v| v.awaiting()) {
        return Vec::new();
    }
    // The lab's columns and the roll-many view show no words.
    if s.view
        .as_ref()
        .is_some_and(|v| !v.columns.is_empty() || v.rolls.is_some())
    {
        return Vec::new();
    }
    let (Some(base), Some(dist)) = (base(s), s.distribution()) else {
        return Vec::new();
    };
    let selected = dist.candidates.get(s.selected).into_iter();
    let wanted = dist
        .candidates
        .iter()
        .take(word_ranks(s))
        .chain(selected)
        .map(|c| c.id)
        .find(|&id| s.words.get(&base, id).is_none());
    let Some(candidate) = wanted else {
        return Vec::new();
    };
    s.next_id += 1;
    let id = s.next_id;
    s.words.pending = Some((id, base.clone(), candidate));
    vec![Effect::Evaluate(Request::ExtendWord {
        id,
        base,
        candidate,
    })]
}
