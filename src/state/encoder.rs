//! The playground with an encoder (BERT-style) loaded: what it answers and which actions mean
//! nothing for it. An encoder reads the whole text at once and writes nothing, so the
//! decoder's actions (step, generate, undo of generated tokens, branches, the word view, the
//! look-back cursor, prompt A/B, the chat template) answer a status line saying so; picking a
//! candidate fills the mask shown ([`super::fill`]); sentence embeddings have their own view
//! ([`super::embeddings`]).

use crate::action::Action;
use crate::engine::encoder_session::EncoderReport;
use crate::i18n::Text;
use crate::state::{Effect, Evaluation, Notice, State};

/// Which encoder view the playground shows (decided from the folder before loading).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncoderKind {
    /// A masked-LM head: the distribution at each mask; `mask` is the model's own mask token
    /// (`[MASK]`, `<mask>`), which the user types (`[MASK]` works for every model).
    FillMask { mask: String },
    /// No head: one pooled vector per prompt line, their cosine similarities.
    Embeddings,
}

/// Whether an encoder is loaded.
pub fn active(s: &State) -> bool {
    s.fill.is_some() || s.embeddings.is_some()
}

/// Whether the encoder views answer `action` themselves (the decoder's actions: the usual
/// handlers take everything else).
pub(super) fn intercepts(s: &State, action: &Action) -> bool {
    use Action::*;
    active(s)
        && match action {
            // Enter with nothing to pick goes back to typing, as with a decoder.
            PickSelected => s.distribution().is_some(),
            Step | ToggleAutoplay | Undo | Redo | ResetGeneration | PrevBranch | NextBranch
            | ToggleBranches | ToggleWords | ToggleVersus | SwitchPromptSide | ToggleChat
            | LookBack | LookForward | LookFirst | LookLive | LookAt(_) | PickRank(_)
            | PickerOpenAsB => true,
            _ => false,
        }
}

/// Whether the footer should offer `action`: with an encoder loaded, not the decoder's actions
/// it answers with "an encoder does not do that" (picking stays; F6 moves between masks).
pub fn offers(s: &State, action: &Action) -> bool {
    use Action::*;
    match action {
        // F6 is the footer's way between masks (← / → do it too, under their look-back label).
        NextMask => s.fill.is_some(),
        LookBack | LookForward | LookAt(_) => !active(s),
        PickRank(_) | PickSelected => s.fill.is_some() || !intercepts(s, action),
        _ => !intercepts(s, action),
    }
}

/// Answers an action [`intercepts`] took: picking fills the mask shown, ← / → and a click on
/// a mask chip choose the mask; everything else says why an encoder does not do it.
pub(super) fn answer(s: &mut State, action: Action) -> Vec<Effect> {
    use Action::*;
    let fill = s.fill.is_some();
    match action {
        PickRank(n) if fill => super::fill::pick(s, n.saturating_sub(1)),
        PickSelected if fill => super::fill::pick(s, s.selected),
        LookBack | LookForward | LookAt(_) if fill => super::fill::look(s, &action),
        PickerOpenAsB => {
            s.say(Text::NoticeEncoderNoB);
            Vec::new()
        }
        _ => {
            let text = match fill {
                true => Text::NoticeEncoderFills,
                false => Text::NoticeEncoderEmbeds,
            };
            s.notice = Some(Notice { text, arg: None });
            Vec::new()
        }
    }
}

/// Applies an encoder action (the key that shows the next mask).
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    if action == Action::NextMask {
        match &mut s.fill {
            Some(fill) => fill.next_mask(),
            None => s.say(Text::NoticeMasksNeedFill),
        }
    }
    Vec::new()
}

/// An encoder's reply to the newest request: the tokens it read become the evaluation (every
/// position a prompt token), the masks and sentences go to their views.
pub(super) fn accept(s: &mut State, id: u64, report: EncoderReport) -> Vec<Effect> {
    let Some(awaiting) = s.awaiting.take_if(|a| a.id == id) else {
        return Vec::new();
    };
    s.serial += 1;
    s.eval = Some(Evaluation {
        prompt: awaiting.prompt,
        chat: awaiting.chat,
        prompt_len: report.positions.len(),
        positions: report.positions,
        reused: 0,
        elapsed: report.elapsed,
        serial: s.serial,
    });
    s.error = None;
    if let Some(fill) = &mut s.fill {
        fill.accept(report.masks);
    }
    if let Some(e) = &mut s.embeddings {
        e.accept(report.sentences);
    }
    Vec::new()
}
