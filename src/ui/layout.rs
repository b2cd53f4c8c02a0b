//! Where every pane goes: one pure function of the terminal area and the state, used by the
//! renderer and by the app to map mouse clicks back to what was drawn there.
//!
//! ```text
//! ┌ Prompt ──────────┐┌ Next token ────────────────────┐
//! ├ Tokens ──────────┤│ candidates, cut line, rest,    │
//! │                  ││ entropy                        │
//! ├ Sampling ────────┤├ Generation ────────────────────┤
//! └──────────────────┘└────────────────────────────────┘
//!  status line
//!  key hints
//! ```

use ratatui::layout::Rect;

use crate::state::{ScreenLayout, State};

/// Below this size only a "terminal too small" message is drawn.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The named areas of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// An encoder-decoder's source pane (zero-sized for a decoder).
    pub source: Rect,
    pub prompt: Rect,
    pub tokens: Rect,
    pub sampling: Rect,
    pub next: Rect,
    pub generation: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// Height of the sampling pane (borders included) for a main area `main` rows tall.
fn sampling_height(main: u16) -> u16 {
    if main >= 22 { 10 } else { 8 }
}

/// The panes for `area`, or `None` when it is smaller than [`MIN_WIDTH`] × [`MIN_HEIGHT`].
pub fn layout(area: Rect, state: &State) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    if state.layout == ScreenLayout::Projector {
        return Some(projector(area, state));
    }
    let main = area.height - 2;
    let left_w = (area.width * 2 / 5).clamp(28, 64);
    let right_w = area.width - left_w;

    let sampling_h = sampling_height(main);
    let max_prompt = (main / 3).max(3);
    let rows = state
        .editor
        .rows(usize::from(left_w.saturating_sub(2)))
        .len() as u16;
    // Beside an encoder-decoder's source pane the target may be a single row.
    let min_prompt = if state.source.is_some() { 3 } else { 4 };
    let mut prompt_h = (rows + 2).clamp(min_prompt, max_prompt.max(min_prompt));
    // On the smallest screens the prompt gives up a row so the tokens keep one.
    if main < prompt_h + sampling_h + 3 {
        prompt_h = main.saturating_sub(sampling_h + 3).max(3);
    }
    let mut tokens_h = main - prompt_h - sampling_h;
    // An encoder-decoder's source pane goes on top, taken from the tokens pane.
    let source_h =
        source_height(state, left_w, tokens_h.saturating_sub(3)).min(tokens_h.saturating_sub(1));
    tokens_h -= source_h;

    let generation_h = (main / 3).clamp(5, 12);
    let next_h = main - generation_h;

    let (x, y0) = (area.x, area.y);
    let y = y0 + source_h;
    Some(Areas {
        source: Rect::new(x, y0, left_w, source_h),
        prompt: Rect::new(x, y, left_w, prompt_h),
        tokens: Rect::new(x, y + prompt_h, left_w, tokens_h),
        sampling: Rect::new(x, y + prompt_h + tokens_h, left_w, sampling_h),
        next: Rect::new(x + left_w, y0, right_w, next_h),
        generation: Rect::new(x + left_w, y0 + next_h, right_w, generation_h),
        status: Rect::new(x, y0 + main, area.width, 1),
        hints: Rect::new(x, y0 + main + 1, area.width, 1),
    })
}

/// The projector layout: the prompt across the whole width on top (as tall as its text, at
/// most a third of the screen), the next-token pane taking everything else; the tokens,
/// sampling and generation panes are left out (zero-sized areas draw nothing).
///
/// ```text
/// ┌ Prompt ──────────────────────────────────────────┐
/// └──────────────────────────────────────────────────┘
/// ┌ Next token ──────────────────────────────────────┐
/// │ large bars, fewer rows                           │
/// └──────────────────────────────────────────────────┘
///  status line
///  key hints
/// ```
fn projector(area: Rect, state: &State) -> Areas {
    let main = area.height - 2;
    let rows = state
        .editor
        .rows(usize::from(area.width.saturating_sub(2)))
        .len() as u16;
    let prompt_h = (rows + 2).clamp(3, (main / 3).max(3));
    let source_h = source_height(state, area.width, (main - prompt_h) / 3);
    let (x, y0) = (area.x, area.y);
    let y = y0 + source_h;
    let hidden = Rect::new(x, y0, 0, 0);
    Areas {
        source: Rect::new(x, y0, area.width, source_h),
        prompt: Rect::new(x, y, area.width, prompt_h),
        tokens: hidden,
        sampling: hidden,
        next: Rect::new(x, y + prompt_h, area.width, main - prompt_h - source_h),
        generation: hidden,
        status: Rect::new(x, y0 + main, area.width, 1),
        hints: Rect::new(x, y0 + main + 1, area.width, 1),
    }
}

/// Height of the source pane (borders included) `width` columns wide, at most `room` rows:
/// 0 for a decoder-only model; else its text and token rows, at least 3 rows.
fn source_height(state: &State, width: u16, room: u16) -> u16 {
    let Some(src) = &state.source else { return 0 };
    let rows = super::source::rows_needed(src, usize::from(width.saturating_sub(2)));
    (rows as u16 + 2).clamp(3, 9).min(room.max(3))
}

/// The inside of a bordered pane.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// The first rank shown in a list of `rows` rows, so that the selected rank is visible.
pub fn candidate_window_start(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows)
}
