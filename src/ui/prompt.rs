//! The prompt editor pane; its title says which mode the keyboard is in.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::editor::grapheme_display;
use crate::i18n::Text;
use crate::keymap::Context;
use crate::state::{Mode, State};

use super::layout::inner;
use super::text::{line_width, width};
use super::theme::Theme;
use unicode_segmentation::UnicodeSegmentation;

/// Whether typing goes here, the pane's title and its placeholder: beside an encoder-decoder's
/// source pane this is the target, which has the focus only when the source has not.
fn role(state: &State) -> (bool, Text, Text) {
    let source_focus = state.source.as_ref().is_some_and(|s| s.focus);
    let editing = state.mode == Mode::Edit && !source_focus;
    match state.source {
        Some(_) => (editing, Text::TargetTitle, Text::TargetPlaceholder),
        None => (editing, Text::PromptTitle, Text::PromptPlaceholder),
    }
}

/// Draws the pane and, in Edit mode, places the terminal cursor.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let (editing, title_text, placeholder) = role(state);
    let (badge, badge_style, hint) = match state.mode {
        Mode::Edit => (Text::ModeEdit, theme.badge_edit, Text::ModeEditHint),
        Mode::Explore => (
            Text::ModeExplore,
            theme.badge_explore,
            Text::ModeExploreHint,
        ),
    };
    let mut title = Line::from(vec![
        Span::styled(format!(" {} ", lang.t(title_text)), theme.title),
        Span::styled(format!(" {} ", lang.t(badge)), badge_style),
    ]);
    let chat = format!(" {} ", lang.t(Text::ChatOnNote));
    let room =
        usize::from(area.width).saturating_sub(2 + if state.chat { width(&chat) } else { 0 });
    let hint = format!(" {} ", lang.t(hint));
    if line_width(&title) + width(&hint) <= room {
        title.spans.push(Span::styled(hint, theme.dim));
    }
    let title_w = line_width(&title);
    let mut block = Block::bordered()
        .border_style(if editing {
            theme.border_focus
        } else {
            theme.border
        })
        .title(title)
        .title_bottom(super::source::decoder_footer(state, area.width, theme));
    // The chat note only where it does not cover the mode badge (the status line says "chat"
    // too).
    if state.chat && title_w + width(&chat) + 3 <= usize::from(area.width) {
        block = block.title(Line::from(Span::styled(chat, theme.dim)).right_aligned());
    }
    let body = inner(area);
    frame.render_widget(block, area);
    let w = usize::from(body.width);
    let h = usize::from(body.height);
    if w == 0 || h == 0 {
        return;
    }

    let editor = &state.editor;
    let text = editor.text();
    let rows = editor.rows(w);
    let (cursor_row, cursor_col) = editor.cursor_position(w);
    // The stored scroll was computed for the last known size; make sure the cursor shows.
    let mut scroll = editor.scroll().min(rows.len().saturating_sub(1));
    if cursor_row < scroll {
        scroll = cursor_row;
    } else if cursor_row >= scroll + h {
        scroll = cursor_row + 1 - h;
    }
    let lines: Vec<Line<'static>> = if text.is_empty() {
        vec![Line::from(Span::styled(lang.t(placeholder), theme.dim))]
    } else {
        rows.iter()
            .skip(scroll)
            .take(h)
            .map(|r| {
                let shown: String = text[r.start..r.end]
                    .graphemes(true)
                    .map(grapheme_display)
                    .collect();
                Line::from(Span::styled(shown, theme.text))
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines), body);
    if editing && state.key_context() == Context::Edit {
        let x = body.x + cursor_col.min(w - 1) as u16;
        let y = body.y + (cursor_row - scroll) as u16;
        frame.set_cursor_position(Position::new(x, y));
    }
}
