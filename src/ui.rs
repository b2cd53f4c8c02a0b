//! Drawing: `render(frame, &State)` reads the state and draws every pane into the areas that
//! [`layout::layout`] computes; `hit_test` maps a mouse click back to an action with the same
//! layout. Each pane has its own module and takes only what it draws; every style comes from
//! [`theme::Theme`] and every string from the `i18n` catalog.

pub mod confirm;
pub mod distribution;
pub mod embeddings;
pub mod fill;
pub mod generation;
pub mod help;
pub mod inside;
pub mod lab;
pub mod layout;
pub mod model_ab;
pub mod picker;
pub mod prompt;
pub mod rolls;
pub mod sampling;
pub mod served;
pub mod source;
pub mod status;
pub mod text;
pub mod theme;
pub mod tokens;
pub mod tree;
pub mod versus;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::action::Action;
use crate::i18n::Text;
use crate::keymap::{self, Context};
use crate::state::{Mode, Overlay, State};

use layout::{MIN_HEIGHT, MIN_WIDTH, inner};
use theme::Theme;

/// Draws the whole screen; returns where the panes went (`None`: too small for them), which
/// the app reports back to the state.
pub fn render(frame: &mut Frame, state: &State) -> Option<layout::Areas> {
    let theme = Theme::new(state.no_color);
    let area = frame.area();
    let Some(areas) = layout::layout(area, state) else {
        too_small(frame, area, state, &theme);
        return None;
    };
    if !areas.source.is_empty() {
        source::render(frame, areas.source, state, &theme);
    }
    prompt::render(frame, areas.prompt, state, &theme);
    // The projector layout leaves some panes out (zero-sized areas).
    if !areas.tokens.is_empty() {
        tokens::render(frame, areas.tokens, state, &theme);
    }
    if !areas.sampling.is_empty() {
        sampling::render(frame, areas.sampling, state, &theme);
    }
    if state.embeddings.is_some() {
        // Sentence embeddings take the whole right-hand side.
        embeddings::render(
            frame,
            embeddings::area(areas.next, areas.generation),
            state,
            &theme,
        );
        status::render_status(frame, areas.status, state, &theme);
        status::render_hints(frame, areas.hints, state, &theme);
        overlays(frame, area, state, &theme);
        return Some(areas);
    }
    if state.inside.view != crate::state::InsideView::Off {
        // The inside view takes the whole right-hand side while on.
        inside::render(
            frame,
            inside::area(areas.next, areas.generation),
            state,
            &theme,
        );
        status::render_status(frame, areas.status, state, &theme);
        status::render_hints(frame, areas.hints, state, &theme);
        overlays(frame, area, state, &theme);
        return Some(areas);
    }
    match state.view.as_ref().filter(|v| v.dist.is_some()) {
        Some(v) if v.rolls.is_some() => rolls::render(frame, areas.next, state, &theme),
        Some(v) if !v.columns.is_empty() => lab::render(frame, areas.next, state, &theme),
        _ => distribution::render(frame, areas.next, state, &theme),
    }
    if !areas.generation.is_empty() {
        if state.fill.is_some() {
            fill::render(frame, areas.generation, state, &theme);
        } else if state.versus.is_some() {
            versus::render(frame, areas.generation, state, &theme);
        } else if state.models.b.is_some() {
            model_ab::render(frame, areas.generation, state, &theme);
        } else {
            generation::render(frame, areas.generation, state, &theme);
        }
    }
    status::render_status(frame, areas.status, state, &theme);
    status::render_hints(frame, areas.hints, state, &theme);
    overlays(frame, area, state, &theme);
    Some(areas)
}

/// The overlay drawn over the screen, if any.
fn overlays(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    match state.overlay {
        Overlay::Help { scroll } => help::render(frame, area, state, theme, scroll),
        Overlay::Branches => tree::render(frame, area, state, theme),
        Overlay::ConfirmQuit => confirm::render(frame, area, state, theme),
        Overlay::Picker => picker::render(frame, area, state, theme),
        Overlay::None => {}
    }
}

/// "Terminal too small", centred.
fn too_small(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let text = state.lang.f(
        Text::TooSmall,
        &[&area.width, &area.height, &MIN_WIDTH, &MIN_HEIGHT],
    );
    let p = Paragraph::new(Line::from(Span::styled(text, theme.warning)))
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    let y = area.y + area.height.saturating_sub(2) / 2;
    frame.render_widget(
        p,
        Rect::new(
            area.x,
            y,
            area.width,
            area.height.saturating_sub(y - area.y),
        ),
    );
}

/// The context whose keys the panes mention: the keyboard's own, or, under the help overlay,
/// the mode's (the one the keys act in once the overlay closes).
pub fn pane_context(state: &State) -> Context {
    match state.key_context() {
        Context::Help | Context::Confirm | Context::Branches | Context::Picker
            if state.mode == Mode::Edit =>
        {
            Context::Edit
        }
        Context::Help | Context::Confirm | Context::Branches | Context::Picker => Context::Explore,
        ctx => ctx,
    }
}

/// The key that rolls the dice in the current mode: `Space` in Explore, `Ctrl-N` in Edit.
pub fn step_keys(state: &State) -> String {
    keymap::key_label(pane_context(state), &Action::Step, state.lang).unwrap_or_default()
}

/// The keys that pick candidates 1–9 in the current mode: `1–9` in Explore; in Edit, where
/// digits are typed, the way there first (`Esc, then 1–9`).
pub fn pick_keys(state: &State) -> String {
    let lang = state.lang;
    let digits: Vec<keymap::Key> = (1..=9)
        .flat_map(|n| {
            keymap::keys_for(Context::Explore, &Action::PickRank(n))
                .into_iter()
                .take(1)
        })
        .collect();
    let digits = keymap::join_labels(&digits, lang);
    match pane_context(state) {
        Context::Edit => {
            let leave =
                keymap::key_label(Context::Edit, &Action::Explore, lang).unwrap_or_default();
            lang.f(Text::ThenKeys, &[&leave, &digits])
        }
        _ => digits,
    }
}

fn contains(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// The action of a left click at (`column`, `row`) on a screen of size `area`: a candidate row
/// picks it, a token chip puts the look-back cursor on it, the prompt pane places the text
/// cursor; any click closes the help overlay.
pub fn hit_test(area: Rect, state: &State, column: u16, row: u16) -> Option<Action> {
    match state.overlay {
        Overlay::Help { .. } => return Some(Action::ToggleHelp),
        Overlay::Branches => {
            return match tree::line_at(area, state, row) {
                Some(line) => Some(Action::ChooseBranch(Some(line))),
                None => Some(Action::ToggleBranches),
            };
        }
        Overlay::ConfirmQuit => return None,
        Overlay::Picker => return Some(Action::TogglePicker),
        Overlay::None => {}
    }
    let areas = layout::layout(area, state)?;
    let prompt = inner(areas.prompt);
    if contains(prompt, column, row) {
        return Some(Action::ClickPrompt {
            row: row - prompt.y,
            col: column - prompt.x,
        });
    }
    let next = inner(areas.next);
    if contains(next, column, row) && row > next.y {
        let view = state.view.as_ref()?;
        let dist = view.dist.as_ref()?;
        let actual = view.actual.and_then(|(_, r)| r);
        let rows =
            distribution::list_rows(dist, state.selected, actual, usize::from(next.height - 1));
        return match rows.get(usize::from(row - next.y - 1)) {
            Some(distribution::ListRow::Candidate(rank)) => Some(Action::PickRank(rank + 1)),
            _ => None,
        };
    }
    let tokens = inner(areas.tokens);
    if contains(tokens, column, row) {
        let seq = state.sequence();
        let chips =
            tokens::layout_chips(&seq, usize::from(tokens.width), state.show_ids, state.look);
        let first = tokens::first_row(&chips, tokens::chip_rows_in(tokens, state));
        let (r, c) = (
            usize::from(row - tokens.y) + first,
            usize::from(column - tokens.x),
        );
        return chips
            .iter()
            .find(|chip| chip.row == r && c >= chip.col && c < chip.col + chip.width())
            .map(|chip| Action::LookAt(chip.index));
    }
    None
}
