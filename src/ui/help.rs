//! The help overlay, generated from the key table in the current language.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::i18n::Text;
use crate::keymap::{self, HelpRow, Section};
use crate::state::State;

use super::layout::inner;
use super::text::{pad_right, width, wrap_words};
use super::theme::Theme;

/// Where the overlay goes: centred horizontally, from the top down to the key-hint line
/// (which stays visible).
pub fn area(screen: Rect) -> Rect {
    let w = screen.width.min(120);
    let h = screen.height.saturating_sub(1);
    Rect::new(screen.x + (screen.width - w) / 2, screen.y, w, h)
}

/// Splits `s` into lines of at most `w` columns at `sep` (kept at the line ends).
fn split_at(s: &str, sep: char, w: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for (i, part) in s.split(sep).enumerate() {
        let piece = if i == 0 {
            part.to_string()
        } else {
            format!("{sep}{part}")
        };
        let last = lines.last_mut().expect("never empty");
        if !last.is_empty() && width(last) + width(&piece) > w {
            lines.push(piece.trim_start_matches(sep).to_string());
        } else {
            last.push_str(&piece);
        }
    }
    lines
}

/// The lines of one help row: keys (wrapped at `/`) beside the description (wrapped at
/// spaces).
fn row_lines(row: &HelpRow, keys_w: usize, desc_w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let keys = split_at(&row.keys, '/', keys_w);
    let desc = split_at(row.description, ' ', desc_w);
    (0..keys.len().max(desc.len()))
        .map(|i| {
            Line::from(vec![
                Span::raw("  "),
                Span::styled(
                    pad_right(keys.get(i).map_or("", String::as_str), keys_w),
                    theme.key,
                ),
                Span::raw(" "),
                Span::styled(desc.get(i).cloned().unwrap_or_default(), theme.text),
            ])
        })
        .collect()
}

/// Draws the overlay; `scroll` lines are skipped (clamped to the content).
pub fn render(frame: &mut Frame, screen: Rect, state: &State, theme: &Theme, scroll: u16) {
    let lang = state.lang;
    let area = area(screen);
    frame.render_widget(Clear, area);
    let body = inner(area);
    let w = usize::from(body.width);

    let mut lines: Vec<Line<'static>> = [Text::HelpIntro, Text::ProbLegend]
        .into_iter()
        .flat_map(|t| wrap_words(lang.t(t), w))
        .map(|l| Line::from(Span::styled(l, theme.dim)))
        .collect();

    let two_columns = w >= 90;
    let col_w = if two_columns { (w - 2) / 2 } else { w };
    let keys_w = (col_w / 3).clamp(10, 16);
    let desc_w = col_w.saturating_sub(keys_w + 3);
    // The help window's own keys are in its bottom border.
    let sections: Vec<Vec<Line<'static>>> = keymap::help_sections(lang)
        .into_iter()
        .filter(|(section, _)| *section != Section::Help)
        .map(|(section, rows)| {
            let mut lines = vec![Line::from(Span::styled(
                lang.t(section.title()).to_string(),
                theme.header,
            ))];
            for row in &rows {
                lines.extend(row_lines(row, keys_w, desc_w, theme));
            }
            lines
        })
        .collect();

    if two_columns {
        // Split the sections (in order) where the taller column is shortest.
        let heights: Vec<usize> = sections.iter().map(Vec::len).collect();
        let total: usize = heights.iter().sum();
        let split = (0..=sections.len())
            .min_by_key(|&k| {
                let left: usize = heights[..k].iter().sum();
                left.max(total - left)
            })
            .unwrap_or(0);
        let mut sections = sections;
        let right: Vec<Line<'static>> = sections.split_off(split).into_iter().flatten().collect();
        let left: Vec<Line<'static>> = sections.into_iter().flatten().collect();
        for i in 0..left.len().max(right.len()) {
            let mut spans = left.get(i).map(|l| l.spans.clone()).unwrap_or_default();
            let used: usize = spans.iter().map(|x| width(&x.content)).sum();
            spans.push(Span::raw(" ".repeat(col_w.saturating_sub(used) + 2)));
            if let Some(r) = right.get(i) {
                spans.extend(r.spans.clone());
            }
            lines.push(Line::from(spans));
        }
    } else {
        lines.extend(sections.into_iter().flatten());
    }

    let visible = usize::from(body.height);
    let max_scroll = lines.len().saturating_sub(visible);
    let skip = usize::from(scroll).min(max_scroll);
    let more = skip < max_scroll;

    let mut footer: Vec<Span<'static>> = Vec::new();
    if more {
        footer.push(Span::styled(
            format!(" {} ", lang.t(Text::HelpMore)),
            theme.notice,
        ));
    }
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(Text::HelpTitle)),
            theme.title,
        )))
        .title_bottom(Line::from(footer).right_aligned());
    frame.render_widget(block, area);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(skip).take(visible).collect();
    frame.render_widget(Paragraph::new(shown).style(Style::new()), body);
}
