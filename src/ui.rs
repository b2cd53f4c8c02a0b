//! Drawing: `render(frame, &State)` reads the state and draws every pane into the areas that
//! [`layout::layout`] computes; `hit_test` maps a mouse click back to an action with the same
//! layout. Each pane has its own module and takes only what it draws; every style comes from
//! [`theme::Theme`] and every string from the `i18n` catalog.

pub mod distribution;
pub mod generation;
pub mod help;
pub mod layout;
pub mod prompt;
pub mod sampling;
pub mod status;
pub mod text;
pub mod theme;
pub mod tokens;

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

/// Draws the whole screen.
pub fn render(frame: &mut Frame, state: &State) {
    let theme = Theme::new(state.no_color);
    let area = frame.area();
    let Some(areas) = layout::layout(area, state) else {
        too_small(frame, area, state, &theme);
        return;
    };
    prompt::render(frame, areas.prompt, state, &theme);
    tokens::render(frame, areas.tokens, state, &theme);
    sampling::render(frame, areas.sampling, state, &theme);
    distribution::render(frame, areas.next, state, &theme);
    generation::render(frame, areas.generation, state, &theme);
    status::render_status(frame, areas.status, state, &theme);
    status::render_hints(frame, areas.hints, state, &theme);
    if let Overlay::Help { scroll } = state.overlay {
        help::render(frame, area, state, &theme, scroll);
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
        Context::Help if state.mode == Mode::Edit => Context::Edit,
        Context::Help => Context::Explore,
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
    if matches!(state.overlay, Overlay::Help { .. }) {
        return Some(Action::ToggleHelp);
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

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::Harness;
    use crate::app::fake::FakeModel;
    use crate::engine::Reply;
    use crate::i18n::Lang;
    use crate::sampling::SamplingParams;
    use crate::state::{ModelStatus, Options};

    /// A loaded fake model with `prompt` evaluated, in Edit mode or Explore mode.
    fn loaded(lang: Lang, prompt: &str, explore: bool, chat: bool) -> (Harness, FakeModel) {
        let model = FakeModel::new();
        let options = Options {
            prompt: prompt.to_string(),
            explore,
            ..Options::default()
        };
        let mut h = Harness::new(State::new(lang, SamplingParams::default(), chat, options));
        h.reply(Reply::Loaded(model.info()));
        h.answer(&model);
        (h, model)
    }

    /// The screen's rows as text.
    fn rows(h: &mut Harness, width: u16, height: u16) -> Vec<String> {
        let backend = h.render(width, height);
        let buffer = backend.buffer();
        (0..height)
            .map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect())
            .collect()
    }

    #[test]
    fn the_status_line_drops_whole_parts_and_keeps_a_gap() {
        let (mut h, _model) = loaded(Lang::PtBr, "The capital of France is", true, false);
        if let ModelStatus::Ready(info) = &mut h.state.model {
            info.name = "SmolLM2-135M-Instruct.Q4_1".into();
        }
        h.state.eval.as_mut().expect("evaluated").reused = 8;
        for width in 60..=120 {
            let screen = rows(&mut h, width, 30);
            let status = &screen[28];
            assert!(!status.contains('…'), "{width}: {status:?}");
            assert_eq!(
                status.matches('(').count(),
                status.matches(')').count(),
                "{status:?}"
            );
            let right = status.find("texto puro").expect("text mode shown");
            let gap = &status[..right];
            assert!(
                gap.ends_with("   ") || gap.ends_with(" · "),
                "{width}: {status:?}"
            );
            assert!(status.trim_end().ends_with("português"), "{status:?}");
        }
        // Wide enough: everything, the cached count included.
        assert!(rows(&mut h, 120, 30)[28].contains("(8 em cache)"));
    }

    #[test]
    fn hints_name_the_keys_of_the_current_mode() {
        let (mut h, _model) = loaded(Lang::En, "The capital of France is", false, false);
        let screen = rows(&mut h, 100, 30).join("\n");
        assert!(
            screen.contains("no roll yet: Ctrl-N rolls the dice"),
            "{screen}"
        );
        assert!(screen.contains("Ctrl-N rolls the dice;"), "{screen}");
        assert!(screen.contains("Esc,\u{a0}then\u{a0}1–9 picks"), "{screen}");
        assert!(!screen.contains("Space rolls"), "{screen}");
        h.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        let screen = rows(&mut h, 100, 30).join("\n");
        assert!(
            screen.contains("no roll yet: Space rolls the dice"),
            "{screen}"
        );
        assert!(
            screen.contains("Space rolls the dice; 1–9 picks"),
            "{screen}"
        );
        assert!(!screen.contains("Ctrl-N"), "{screen}");
    }

    /// The text inside the Generation pane, row by row.
    fn generation_rows(h: &mut Harness, width: u16, height: u16) -> Vec<String> {
        let backend = h.render(width, height);
        let buffer = backend.buffer();
        let area = layout::layout(Rect::new(0, 0, width, height), &h.state).expect("not too small");
        let body = inner(area.generation);
        (body.y..body.y + body.height)
            .map(|y| {
                (body.x..body.x + body.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn the_generation_pane_keeps_the_end_of_a_long_prompt() {
        let prompt = "The capital of France is Paris and the city has many museums. ".repeat(6);
        let (mut h, _model) = loaded(Lang::En, prompt.trim_end(), true, true);
        for (width, height) in [(100, 30), (80, 24), (60, 16)] {
            let pane = generation_rows(&mut h, width, height);
            let hint = pane
                .iter()
                .position(|r| r.contains("Nothing generated yet"))
                .expect("hint shown");
            assert!(
                hint > 0 && pane[..hint].iter().any(|r| r.contains("assistant")),
                "{pane:#?}"
            );
        }
    }

    #[test]
    fn words_are_not_broken_in_the_generation_pane() {
        let prompt = "The capital of France is Paris and the city has many beautiful museums";
        let (mut h, _model) = loaded(Lang::En, prompt, true, false);
        for width in 60..=100 {
            let text = generation_rows(&mut h, width, 30).join("\n");
            for word in prompt.split(' ') {
                assert!(
                    text.split([' ', '\n']).any(|w| w == word),
                    "{width}: {word:?} broken in {text}"
                );
            }
        }
    }
}
