//! Keeping the model's evaluation in step with what is on screen: a new prompt means a new
//! generation, and an evaluation is requested only when the last one does not cover the
//! current prompt + continuation.

use crate::engine::Request;
use crate::state::tree::Tree;
use crate::state::{Autoplay, Awaiting, Effect, State};

/// A new prompt (or chat setting) means a new generation.
pub(super) fn restart_generation(s: &mut State) {
    s.tree = Tree::new();
    s.look = None;
    s.selected = 0;
    s.autoplay = Autoplay::Off;
}

/// Requests an evaluation unless the last one already covers the current sequence.
pub(super) fn sync(s: &mut State) -> Vec<Effect> {
    if (s.editor.is_empty() && !s.chat && s.source.is_none()) || super::source::blank(s) {
        s.eval = None;
        s.awaiting = None;
        return Vec::new();
    }
    if s.fresh() && s.evaluated_len() == s.sequence_len() {
        s.awaiting = None;
        return Vec::new();
    }
    s.next_id += 1;
    let awaiting = Awaiting {
        id: s.next_id,
        prompt: s.editor.text().to_string(),
        chat: s.chat,
        continuation: s.tree.tokens(),
    };
    let request = Request::Evaluate {
        id: awaiting.id,
        prompt: awaiting.prompt.clone(),
        chat: awaiting.chat,
        continuation: awaiting.continuation.clone(),
        source: super::source::outgoing(s),
    };
    s.awaiting = Some(awaiting);
    super::versus::superseded(s);
    vec![Effect::Evaluate(request)]
}
