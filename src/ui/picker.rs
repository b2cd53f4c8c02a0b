//! The model picker (F3): a box over the screen listing the installed models (name, family,
//! size on disk, which is loaded as A or B, a switch under way) and then the known ones that
//! are not installed, with the command that installs each. Models that cannot be switched to
//! (encoders, encoder-decoders) are greyed with the reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::i18n::{Lang, Text};
use crate::keymap::{self, Context};
use crate::registry::Family;
use crate::state::{ModelChoice, State};

use super::layout::inner;
use super::text::{pad_right, truncate};
use super::theme::Theme;

/// Width of the name column.
const NAME_W: usize = 18;

/// The words for a model family.
fn family(f: Family) -> Text {
    match f {
        Family::Decoder => Text::FamilyDecoder,
        Family::Encoder => Text::FamilyEncoder,
        Family::EncoderDecoder => Text::FamilyEncoderDecoder,
    }
}

/// The width of the family column: its longest word in `lang`.
fn family_w(lang: Lang) -> usize {
    [Family::Decoder, Family::Encoder, Family::EncoderDecoder]
        .iter()
        .map(|&f| super::text::width(lang.t(family(f))))
        .max()
        .unwrap_or(0)
}

/// Draws the picker over `screen`.
pub fn render(frame: &mut Frame, screen: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let w = screen.width.saturating_sub(4).min(96);
    let mut lines = rows(state, theme, usize::from(w.saturating_sub(2)));
    lines.push(Line::default());
    lines.push(keys_line(lang, theme));
    let h = (lines.len() as u16 + 2).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + screen.height.saturating_sub(h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, area);
    let title = match state.model_info() {
        Some(info) => format!(
            " {} · {} ",
            lang.t(Text::PickerTitle),
            lang.f(Text::PickerCurrentPath, &[&info.name])
        ),
        None => format!(" {} ", lang.t(Text::PickerTitle)),
    };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(title, theme.title)));
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines), inner(area));
}

/// The list: installed models under one heading, the others under another.
fn rows(state: &State, theme: &Theme, w: usize) -> Vec<Line<'static>> {
    let lang = state.lang;
    let mut lines = Vec::new();
    let catalog = &state.models.catalog;
    let first_missing = catalog.iter().position(|c| !c.installed);
    for (i, choice) in catalog.iter().enumerate() {
        if i == 0 && choice.installed {
            lines.push(heading(lang.t(Text::PickerInstalled), theme));
        }
        if Some(i) == first_missing {
            lines.push(heading(lang.t(Text::PickerNotInstalledHeader), theme));
        }
        lines.push(row(state, choice, i == state.models.selected, theme, w));
    }
    lines
}

fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), theme.header))
}

/// One model: marker, name, family, size, then what is special about it.
fn row(
    state: &State,
    choice: &ModelChoice,
    selected: bool,
    theme: &Theme,
    w: usize,
) -> Line<'static> {
    let lang = state.lang;
    let base = match choice.switchable() {
        true => theme.text,
        false => theme.dim,
    };
    let style = |s: Style| match selected {
        true => s.add_modifier(theme.selected),
        false => s,
    };
    let size = lang.f(
        Text::SizeMb,
        &[&lang.num(choice.size_bytes as f64 / 1e6, 0)],
    );
    let head = format!(
        "{} {} {} {} ",
        if selected { "›" } else { " " },
        pad_right(choice.model.name, NAME_W),
        pad_right(lang.t(family(choice.model.family)), family_w(lang)),
        pad_right(&size, 7),
    );
    let (note, note_style) = note(state, choice, theme);
    let room = w.saturating_sub(super::text::width(&head));
    Line::from(vec![
        Span::styled(head, style(base)),
        Span::styled(truncate(&note, room), style(note_style)),
    ])
}

/// What the row says after the size: loaded as A or B, loading, why it is greyed, or its
/// title.
fn note(state: &State, choice: &ModelChoice, theme: &Theme) -> (String, Style) {
    let lang = state.lang;
    let name = choice.model.name;
    if let Some(incoming) = state.models.incoming.as_ref().filter(|i| i.name == name) {
        let pct = lang.num(f64::from(incoming.progress.fraction) * 100.0, 0);
        return (lang.f(Text::PickerLoadingRow, &[&pct]), theme.notice);
    }
    let mut tags = Vec::new();
    if state.models.current.as_deref() == Some(name) {
        tags.push(lang.t(Text::PickerNowA));
    }
    if state.models.b.as_ref().is_some_and(|b| b.name == name) {
        tags.push(lang.t(Text::PickerNowB));
    }
    if !tags.is_empty() {
        return (tags.join(" · "), theme.value);
    }
    match choice.blocked() {
        Some(Text::PickerNotInstalled) => (choice.model.install_command(), theme.key),
        Some(reason) => (lang.t(reason).to_string(), theme.dim),
        None => (choice.model.title.to_string(), theme.dim),
    }
}

/// The picker's own keys (from the key table).
fn keys_line(lang: Lang, theme: &Theme) -> Line<'static> {
    // The picker's own keys (the global ones are in the footer).
    let own = [
        Text::HintClose,
        Text::HintChoose,
        Text::HintLoad,
        Text::HintAsB,
        Text::HintCloseB,
    ]
    .map(|t| lang.t(t));
    let keys: Vec<String> = keymap::hints(Context::Picker, lang)
        .into_iter()
        .filter(|h| own.contains(&h.label))
        .map(|h| format!("{} {}", h.keys, h.label))
        .collect();
    Line::from(Span::styled(keys.join("  "), theme.key))
}
