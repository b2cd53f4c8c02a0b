//! The "Source · encoder" pane of an encoder-decoder: the text the encoder reads (edited here
//! when it has the focus), its tokens, each followed by a bar for how much the newest decoder
//! step's cross-attention rests on it (last layer, mean of the heads), and a footer saying the
//! encoder ran once for this source while the decoder runs once per target token.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_segmentation::UnicodeSegmentation;

use crate::editor::grapheme_display;
use crate::engine::TokenView;
use crate::i18n::{Lang, Text};
use crate::keymap::{self, Context};
use crate::state::{Mode, Source, State};

use super::text::{line_width, token_label, width, wrap};
use super::theme::Theme;

/// Bar glyphs for an attention share, smallest first.
const BARS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// The bar for `weight` on a scale where `max` is the tallest.
pub fn bar(weight: f32, max: f32) -> &'static str {
    if max <= 0.0 || !weight.is_finite() {
        return BARS[0];
    }
    let level = ((weight / max) * (BARS.len() - 1) as f32).round();
    BARS[(level.max(0.0) as usize).min(BARS.len() - 1)]
}

/// How many rows the pane's inside needs at `width` columns: the text, then the label and
/// the token chips.
pub fn rows_needed(src: &Source, width: usize) -> usize {
    let text_rows = src.editor.rows(width.max(1)).len().max(1);
    let attention = src.report().map_or(&[][..], |r| &r.cross_attention[..]);
    let chips = chip_lines(src.tokens(), attention, width, &Theme::mono()).len();
    text_rows + if chips > 0 { chips + 1 } else { 0 }
}

/// The newest decoder step (1-based) of the current evaluation, when it is fresh.
pub fn newest_step(state: &State) -> Option<usize> {
    state
        .eval
        .as_ref()
        .filter(|_| state.fresh())
        .map(|e| e.positions.len())
}

/// "decoder: step K, one per token", for the target pane's bottom border (empty before the
/// first step).
pub fn decoder_footer(state: &State, area_width: u16, theme: &Theme) -> Line<'static> {
    match newest_step(state) {
        Some(step) if state.source.is_some() => {
            let lang = state.lang;
            let mut text = lang.f(Text::DecoderStep, &[&lang.int(step)]);
            if width(&text) + 4 > usize::from(area_width) {
                text = lang.f(Text::DecoderStepShort, &[&lang.int(step)]);
            }
            Line::from(Span::styled(format!(" {text} "), theme.dim))
        }
        _ => Line::default(),
    }
}

/// Draws the pane (nothing for a decoder-only model).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(src) = &state.source else { return };
    let lang = state.lang;
    let focused = src.focus && state.mode == Mode::Edit;
    let block = Block::bordered()
        .border_style(if focused {
            theme.border_focus
        } else {
            theme.border
        })
        .title(title(state, area.width, theme))
        .title_bottom(footer(state, src, area.width, theme));
    let body = block.inner(area);
    frame.render_widget(block, area);
    let (w, h) = (usize::from(body.width), usize::from(body.height));
    if w == 0 || h == 0 {
        return;
    }
    let tokens = src.tokens();
    let attention = src.report().map_or(&[][..], |r| &r.cross_attention[..]);
    let chips = chip_lines(tokens, attention, w, theme);
    // The text keeps at least one row; the label and the chips take what is left.
    let text_room = h.saturating_sub(chips.len() + 1).max(1);
    let (mut lines, cursor) = text_lines(src, lang, w, text_room, theme);
    let room = h.saturating_sub(lines.len());
    // The label only where the chips keep their rows.
    if !chips.is_empty() && room < chips.len() + 1 {
        lines.extend(chips);
    } else if !chips.is_empty() {
        let step = newest_step(state).unwrap_or(0);
        let long = lang.f(Text::SourceAttention, &[&lang.int(step)]);
        let label = if width(&long) <= w {
            long
        } else {
            lang.f(Text::SourceAttentionShort, &[&lang.int(step)])
        };
        lines.push(Line::from(Span::styled(label, theme.dim)));
        lines.extend(chips);
    }
    lines.truncate(h);
    frame.render_widget(Paragraph::new(lines), body);
    if let Some((row, col)) = cursor
        && focused
        && state.key_context() == Context::Edit
    {
        frame.set_cursor_position(Position::new(
            body.x + col.min(w - 1) as u16,
            body.y + row as u16,
        ));
    }
}

/// " Source · encoder " and, when it fits, the key that switches to the target.
fn title(state: &State, area_width: u16, theme: &Theme) -> Line<'static> {
    let lang = state.lang;
    let mut title = Line::from(Span::styled(
        format!(" {} ", lang.t(Text::SourceTitle)),
        theme.title,
    ));
    if let Some(key) = keymap::key_label(
        Context::Edit,
        &crate::action::Action::SwitchSourceTarget,
        lang,
    ) {
        let hint = format!(" {} ", lang.f(Text::SourceSwitchHint, &[&key]));
        if line_width(&title) + width(&hint) + 2 <= usize::from(area_width) {
            title.spans.push(Span::styled(hint, theme.dim));
        }
    }
    title
}

/// "encoder ran once: N tokens, X ms", or "encoding…" while the source is being read.
fn footer(state: &State, src: &Source, area_width: u16, theme: &Theme) -> Line<'static> {
    let lang = state.lang;
    let text = match newest_step(state) {
        Some(_) if src.fresh() => {
            let ms = lang.f(
                Text::Millis,
                &[&lang.num(src.encode_time().as_secs_f64() * 1000.0, 1)],
            );
            let long = lang.f(Text::SourceStats, &[&lang.int(src.tokens().len()), &ms]);
            if width(&long) + 4 <= usize::from(area_width) {
                long
            } else {
                lang.f(Text::SourceStatsShort, &[&ms])
            }
        }
        _ if state.awaiting.is_some() && !src.editor.is_empty() => {
            lang.t(Text::SourceEncoding).to_string()
        }
        _ => return Line::default(),
    };
    Line::from(Span::styled(format!(" {text} "), theme.dim))
}

/// The source text in rows of `w` columns (scrolled so the caret shows), and where the caret
/// is on screen.
fn text_lines(
    src: &Source,
    lang: Lang,
    w: usize,
    h: usize,
    theme: &Theme,
) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
    let editor = &src.editor;
    let text = editor.text();
    if text.is_empty() {
        let placeholder = Line::from(Span::styled(lang.t(Text::SourcePlaceholder), theme.dim));
        return (vec![placeholder], Some((0, 0)));
    }
    let rows = editor.rows(w);
    let (cursor_row, cursor_col) = editor.cursor_position(w);
    // At most the rows that leave room for the chips, and never past the caret.
    let shown = rows.len().min(h.max(1));
    let scroll = if src.focus {
        (cursor_row + 1).saturating_sub(shown)
    } else {
        0
    };
    let lines = rows
        .iter()
        .skip(scroll)
        .take(shown)
        .map(|r| {
            let s: String = text[r.start..r.end]
                .graphemes(true)
                .map(grapheme_display)
                .collect();
            Line::from(Span::styled(s, theme.text))
        })
        .collect();
    (
        lines,
        cursor_row.checked_sub(scroll).map(|r| (r, cursor_col)),
    )
}

/// The source tokens as chips, each followed by its cross-attention bar (the most attended
/// token's chip highlighted), wrapped at `w` columns.
fn chip_lines(
    tokens: &[TokenView],
    attention: &[f32],
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if tokens.is_empty() {
        return Vec::new();
    }
    let max = attention.iter().copied().fold(0.0f32, f32::max);
    let top = attention
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i);
    let mut pieces: Vec<(String, Style)> = Vec::with_capacity(tokens.len() * 3);
    for (i, t) in tokens.iter().enumerate() {
        let text = if t.text.is_empty() { &t.piece } else { &t.text };
        let mut style = if t.special { theme.special } else { theme.text };
        if i % 2 == 1 {
            style = style.add_modifier(theme.chip_alt);
        }
        if Some(i) == top {
            style = style.patch(theme.cursor_token);
        }
        pieces.push((token_label(text, t.special), style));
        if let Some(&a) = attention.get(i) {
            pieces.push((bar(a, max).to_string(), theme.bar));
        }
        pieces.push((" ".to_string(), theme.dim));
    }
    wrap(&pieces, w)
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_to_the_largest_weight() {
        assert_eq!(bar(0.5, 0.5), "█");
        assert_eq!(bar(0.0, 0.5), "▁");
        assert_eq!(bar(0.25, 0.5), "▅"); // 3.5 rounds to 4
        assert_eq!(bar(0.3, 0.0), "▁");
        assert_eq!(bar(f32::NAN, 1.0), "▁");
    }
}
