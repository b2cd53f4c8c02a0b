//! Choosing tokens: roll the dice, pick a candidate, undo and redo, autoplay, branches. Every
//! choice goes into the generation [`Tree`](crate::state::Tree), so nothing chosen is lost.

use crate::action::Action;
use crate::i18n::Text;
use crate::state::sync::sync;
use crate::state::tree::{self, Choice, Tree};
use crate::state::{
    AUTOPLAY_DELAYS_MS, Autoplay, Effect, MAX_SELECTABLE_RANK, Mode, State, StopReason, TICK_MS,
};

/// Applies a generation action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Step => {
            s.autoplay = Autoplay::Off;
            return step(s);
        }
        Action::PickRank(n) => return pick(s, n.saturating_sub(1)),
        Action::PickSelected if s.distribution().is_none() => s.mode = Mode::Edit,
        Action::PickSelected => return pick(s, s.selected),
        Action::SelectUp => s.selected = s.selected.saturating_sub(1),
        Action::SelectDown => {
            let vocab = s.distribution().map_or(0, |d| d.candidates.len());
            s.selected = (s.selected + 1)
                .min(vocab.saturating_sub(1))
                .min(MAX_SELECTABLE_RANK);
        }
        Action::Undo | Action::Redo => return undo_redo(s, action == Action::Undo),
        Action::ToggleAutoplay => {
            s.autoplay = match s.autoplay {
                Autoplay::Running { .. } => Autoplay::Off,
                _ => {
                    s.look = None;
                    Autoplay::Running { wait: 0 }
                }
            }
        }
        Action::Faster => s.autoplay_speed = s.autoplay_speed.saturating_sub(1),
        Action::Slower => {
            s.autoplay_speed = (s.autoplay_speed + 1).min(AUTOPLAY_DELAYS_MS.len() - 1)
        }
        Action::ResetGeneration => {
            s.autoplay = Autoplay::Off;
            s.tree = Tree::new();
            s.look = None;
            return sync(s);
        }
        Action::PrevBranch => return switch_branch(s, -1),
        Action::NextBranch => return switch_branch(s, 1),
        _ => {}
    }
    Vec::new()
}

/// Takes back the last token (`undo`) or puts back the one taken back last.
fn undo_redo(s: &mut State, undo: bool) -> Vec<Effect> {
    s.autoplay = Autoplay::Off;
    s.look = None;
    if undo && !s.tree.undo() {
        s.say(Text::NoticeNothingToUndo);
    } else if !undo && !s.tree.redo() {
        s.say(Text::NoticeNothingToRedo);
    }
    sync(s)
}

/// Checks that a token can be chosen at the view's index (model ready, evaluation current, not
/// a prompt token); returns that index.
fn choice_index(s: &mut State) -> Option<usize> {
    if s.model_info().is_none() {
        s.say(Text::NoticeNotReady);
        return None;
    }
    if s.eval.is_none() && s.awaiting.is_none() {
        // Nothing to predict from: an empty prompt.
        s.say(Text::NoticeTypePromptFirst);
        return None;
    }
    if !s.ready() {
        s.say(Text::NoticeBusy);
        return None;
    }
    let index = s.view.as_ref()?.index;
    if index < s.prompt_len() {
        s.say(Text::NoticePromptToken);
        return None;
    }
    Some(index)
}

/// Puts `token` at sequence index `index`: the continuation is cut just before it (the cut
/// part stays in the tree) and the token appended, reusing a branch that already has it.
fn choose(s: &mut State, index: usize, token: u32, choice: Choice) -> Vec<Effect> {
    s.tree.truncate(index - s.prompt_len());
    s.tree.push(token, choice);
    s.look = None;
    sync(s)
}

/// Rolls the dice at the view's position (the step number is the token's index in the
/// sequence, so the same seed replays the same draws) and appends the drawn token.
fn step(s: &mut State) -> Vec<Effect> {
    let Some(index) = choice_index(s) else {
        return Vec::new();
    };
    let Some(dist) = s.distribution() else {
        return Vec::new();
    };
    let draw = dist.sample(index as u64);
    let params = dist.params;
    choose(s, index, draw.id, Choice::Sampled { draw, params })
}

/// Appends the candidate of 0-based `rank` at the view's position.
fn pick(s: &mut State, rank: usize) -> Vec<Effect> {
    let Some(id) = s
        .distribution()
        .and_then(|d| d.candidates.get(rank))
        .map(|c| c.id)
    else {
        s.say(Text::NoticeNoCandidate);
        return Vec::new();
    };
    s.autoplay = Autoplay::Off;
    match choice_index(s) {
        Some(index) => choose(s, index, id, Choice::Picked { rank }),
        None => Vec::new(),
    }
}

fn switch_branch(s: &mut State, delta: isize) -> Vec<Effect> {
    s.autoplay = Autoplay::Off;
    let prompt_len = s.prompt_len();
    let node = match s.look {
        Some(i) if i >= prompt_len => s.tree.node_at(i - prompt_len),
        _ => s.tree.last_fork(),
    };
    match node {
        Some(node) if s.tree.switch_sibling(node, delta) => sync(s),
        _ => {
            s.say(Text::NoticeNoBranch);
            Vec::new()
        }
    }
}

/// Time passes: the spinner turns, and autoplay rolls when its delay is over.
pub(super) fn on_tick(s: &mut State) -> Vec<Effect> {
    s.tick = s.tick.wrapping_add(1);
    let Autoplay::Running { wait } = s.autoplay else {
        return Vec::new();
    };
    if s.awaiting.is_some() || !s.ready() {
        return Vec::new();
    }
    if wait > 0 {
        s.autoplay = Autoplay::Running { wait: wait - 1 };
        return Vec::new();
    }
    let head = s.tree.head();
    let stop_ids = s
        .model_info()
        .map(|m| m.stop_ids.clone())
        .unwrap_or_default();
    if head != tree::ROOT && stop_ids.contains(&s.tree.node(head).token) {
        s.autoplay = Autoplay::Stopped(StopReason::EndOfText);
        return Vec::new();
    }
    if s.tree.depth() >= s.max_new_tokens {
        s.autoplay = Autoplay::Stopped(StopReason::Limit);
        return Vec::new();
    }
    s.look = None;
    let effects = step(s);
    s.autoplay = Autoplay::Running {
        wait: AUTOPLAY_DELAYS_MS[s.autoplay_speed] / TICK_MS,
    };
    effects
}
