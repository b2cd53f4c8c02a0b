//! The prompt editor's actions: change the text (then the generation starts over and a new
//! evaluation is asked for) or move the text cursor.

use crate::action::Action;
use crate::state::sync::{restart_generation, sync};
use crate::state::{Effect, Mode, State};

/// Applies an editing action.
pub(super) fn apply(s: &mut State, action: Action) -> Vec<Effect> {
    // Typed and pasted text is meant for the prompt, whatever the mode.
    s.mode = Mode::Edit;
    let (width, height) = s.prompt_area;
    let to_source = s.source.as_ref().is_some_and(|src| src.focus);
    let to_b = !to_source && s.versus.as_ref().is_some_and(|v| v.focus_b);
    let e = match (&mut s.source, &mut s.versus) {
        (Some(src), _) if src.focus => &mut src.editor,
        (_, Some(v)) if v.focus_b => &mut v.editor,
        _ => &mut s.editor,
    };
    let changed = match action {
        Action::InsertChar(c) => e.insert_char(c),
        Action::Paste(text) => e.insert_str(&text),
        Action::Newline => e.newline(),
        Action::DeleteBack => e.delete_back(),
        Action::DeleteForward => e.delete_forward(),
        Action::DeleteWordBack => e.delete_word_back(),
        Action::KillToLineStart => e.kill_to_line_start(),
        Action::KillToLineEnd => e.kill_to_line_end(),
        motion => {
            move_caret(e, &motion, width);
            false
        }
    };
    e.scroll_to_cursor(width, height);
    if changed && to_b {
        super::versus::sync_b(s)
    } else if changed {
        // A new prompt, or a new source for an encoder-decoder: the generation starts over.
        restart_generation(s);
        sync(s)
    } else {
        Vec::new()
    }
}

/// The cursor motions (and a click in the prompt pane).
fn move_caret(e: &mut crate::editor::Editor, action: &Action, width: usize) {
    match *action {
        Action::CaretLeft => e.left(),
        Action::CaretRight => e.right(),
        Action::CaretUp => e.up(width),
        Action::CaretDown => e.down(width),
        Action::CaretWordLeft => e.word_left(),
        Action::CaretWordRight => e.word_right(),
        Action::CaretLineStart => e.line_start(),
        Action::CaretLineEnd => e.line_end(),
        Action::ClickPrompt { row, col } => e.click(width, usize::from(row), usize::from(col)),
        _ => {}
    }
}
