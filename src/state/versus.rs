//! Prompt A/B: a second prompt B beside the main one, evaluated by the same model worker, and
//! compared with A's next-token distribution (KL divergence, each side's top-1, the tokens
//! whose probability moved most).
//!
//! Only the prompt being edited is evaluated again; the other side's logits stay. The worker
//! serves only the newest request, so B is asked for when A is not waiting for a reply (a B
//! request that an A keystroke superseded is asked again after A's reply).

use std::sync::Arc;

use crate::action::Action;
use crate::editor::Editor;
use crate::engine::{Position, Request};
use crate::sampling::Comparison;
use crate::state::{Effect, Mode, State};

/// The B side.
#[derive(Clone, Debug)]
pub struct Versus {
    pub editor: Editor,
    /// Typing goes into B (else into A).
    pub focus_b: bool,
    /// B's evaluation: the prompt it was computed for and its positions.
    pub eval: Option<(String, Vec<Position>)>,
    /// The request for B in flight: its id and prompt.
    awaiting: Option<(u64, String)>,
    /// Derived: A against B, for the A evaluation (serial) and B prompt in `compared`.
    pub comparison: Option<Comparison>,
    compared: Option<(u64, String)>,
}

/// How many moves and how many of B's candidates the comparison keeps.
const COMPARED: usize = 8;

impl Versus {
    pub fn new(text: &str) -> Self {
        Self {
            editor: Editor::new(text),
            focus_b: false,
            eval: None,
            awaiting: None,
            comparison: None,
            compared: None,
        }
    }

    /// Whether B's evaluation is for B's current text.
    /// Whether prompt B's evaluation is on its way.
    pub fn awaiting(&self) -> bool {
        self.awaiting.is_some()
    }

    pub fn fresh(&self) -> bool {
        self.eval
            .as_ref()
            .is_some_and(|(p, _)| p == self.editor.text())
    }

    /// The next-token logits after B's prompt.
    pub fn logits(&self) -> Option<&Arc<[f32]>> {
        self.eval
            .as_ref()
            .and_then(|(_, positions)| positions.last())
            .map(|p| &p.logits)
    }
}

/// Applies an A/B action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::ToggleVersus => {
            s.versus = match s.versus.take() {
                Some(_) => None,
                None => {
                    let mut v = Versus::new(s.editor.text());
                    v.focus_b = true;
                    s.mode = Mode::Edit;
                    Some(v)
                }
            };
            sync_b(s)
        }
        Action::SwitchPromptSide => {
            if let Some(v) = &mut s.versus {
                v.focus_b = !v.focus_b;
                s.mode = Mode::Edit;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Asks for B's evaluation when it is missing and A is not waiting for its own.
pub(super) fn sync_b(s: &mut State) -> Vec<Effect> {
    if s.awaiting.is_some() || s.model_info().is_none() {
        return Vec::new();
    }
    let Some(v) = &mut s.versus else {
        return Vec::new();
    };
    let text = v.editor.text().to_string();
    if v.fresh() || text.is_empty() || v.awaiting.as_ref().is_some_and(|(_, p)| *p == text) {
        return Vec::new();
    }
    s.next_id += 1;
    v.awaiting = Some((s.next_id, text.clone()));
    vec![Effect::Evaluate(Request::Evaluate {
        id: s.next_id,
        prompt: text,
        chat: s.chat,
        continuation: Vec::new(),
        source: super::source::current(s),
    })]
}

/// An A request is going out: a B request still in flight will be superseded (the worker keeps
/// only the newest), so it is asked for again after A's reply.
pub(super) fn superseded(s: &mut State) {
    if let Some(v) = &mut s.versus {
        v.awaiting = None;
    }
}

/// Takes a reply meant for B; `false` when it is not B's.
pub(super) fn take_reply(s: &mut State, id: u64, positions: &[Position]) -> bool {
    let Some(v) = &mut s.versus else {
        return false;
    };
    match v.awaiting.take_if(|(a, _)| *a == id) {
        Some((_, prompt)) => {
            v.eval = Some((prompt, positions.to_vec()));
            true
        }
        None => false,
    }
}

/// Recomputes the comparison when A's evaluation or B's changed (once per reply, not per frame).
pub(super) fn refresh(s: &mut State) {
    let a = s.eval.as_ref().filter(|_| s.fresh()).and_then(|e| {
        let last = e.prompt_len.checked_sub(1)?;
        Some((e.serial, Arc::clone(&e.positions.get(last)?.logits)))
    });
    let Some(v) = &mut s.versus else {
        return;
    };
    let (Some((serial, a)), Some(b), true) = (a, v.logits().cloned(), v.fresh()) else {
        v.comparison = None;
        v.compared = None;
        return;
    };
    let key = (serial, v.editor.text().to_string());
    if v.compared.as_ref() != Some(&key) {
        v.comparison = Some(Comparison::new(&a, &b, COMPARED));
        v.compared = Some(key);
    }
}
