//! The "quit?" question: a small box in the middle of the screen saying what would be lost,
//! with its keys (from the key table).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::i18n::Text;
use crate::keymap::{self, Context};
use crate::state::State;

use super::layout::inner;
use super::text::{width, wrap_words};
use super::theme::Theme;

/// Draws the question over `screen`.
pub fn render(frame: &mut Frame, screen: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let count = lang.count(state.tree.len(), Text::TokenOne, Text::TokenMany);
    let body = lang.f(Text::ConfirmQuitBody, &[&count]);
    // The question's own keys (the global ones are in the footer).
    let own = [lang.t(Text::KeyConfirmYes), lang.t(Text::KeyConfirmNo)];
    let keys: Vec<String> = keymap::hints(Context::Confirm, lang)
        .into_iter()
        .filter(|h| own.contains(&h.label))
        .map(|h| format!("{} = {}", h.keys, h.label))
        .collect();
    let keys = keys.join(" · ");
    let w = screen
        .width
        .min(u16::try_from(width(&body).max(width(&keys)) + 4).unwrap_or(u16::MAX))
        .min(60);
    let text_w = usize::from(w.saturating_sub(4)).max(1);
    let mut lines: Vec<Line<'static>> = wrap_words(&body, text_w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, theme.text)))
        .collect();
    lines.push(Line::default());
    lines.extend(
        wrap_words(&keys, text_w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.key))),
    );
    let h = (lines.len() as u16 + 2).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + screen.height.saturating_sub(h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(Text::ConfirmQuitTitle)),
            theme.title,
        )));
    frame.render_widget(block, area);
    let body_area = inner(area);
    frame.render_widget(
        Paragraph::new(lines).alignment(Alignment::Center),
        Rect::new(
            body_area.x + 1,
            body_area.y,
            body_area.width.saturating_sub(2),
            body_area.height,
        ),
    );
}
