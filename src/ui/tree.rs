//! The branch tree overlay: every continuation tried so far on its own line, side by side, with
//! its total log-probability (the sum of ln p of its tokens under the model), the current one
//! marked `▶`, the part shared with the line above dimmed so the fork shows. Enter (or a click)
//! switches to the selected line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::i18n::{Lang, Text};
use crate::state::{BranchLine, State};

use super::layout::inner;
use super::text::{pad_left, token_label, truncate, width};
use super::theme::Theme;

/// Columns of the log-probability column.
const LOGPROB_W: usize = 9;

/// The overlay's area: like the help, from the top down to the key-hint line.
pub fn area(screen: Rect) -> Rect {
    super::help::area(screen)
}

/// The first line shown so that `selected` is visible in `rows` rows.
pub fn first_line(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows.max(1))
}

/// A line's total log-probability, written the local way (`−12,31`), or `?`.
fn logprob_label(line: &BranchLine, lang: Lang) -> String {
    match line.logprob {
        Some(lp) => lang.num(lp, 2),
        None => "?".to_string(),
    }
}

/// A line's text in `w` columns: the shared start dimmed, the rest plain; when too long, the
/// start is elided so the fork stays visible.
fn text_spans(line: &BranchLine, state: &State, w: usize, theme: &Theme) -> Vec<Span<'static>> {
    let label = |ids: &[u32]| -> String {
        ids.iter()
            .map(|&id| {
                let t = state.token_view(id);
                token_label(&t.text, t.special)
            })
            .collect()
    };
    let mut shared_from = 0;
    let mut prefix = String::new();
    while shared_from < line.shared && width(&label(&line.tokens[shared_from..])) > w {
        shared_from += 1;
        prefix = "…".to_string();
    }
    let shared = format!("{prefix}{}", label(&line.tokens[shared_from..line.shared]));
    let rest = label(&line.tokens[line.shared..]);
    let rest = truncate(&rest, w.saturating_sub(width(&shared)));
    vec![
        Span::styled(shared, theme.dim),
        Span::styled(rest, theme.text),
    ]
}

/// Draws the overlay.
pub fn render(frame: &mut Frame, screen: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let area = area(screen);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(Text::BranchesTitle)),
            theme.title,
        )));
    frame.render_widget(block, area);
    let body = inner(area);
    let lines = state.branches.lines(&state.tree);
    if lines.is_empty() {
        let text = super::text::wrap_words(lang.t(Text::BranchesEmpty), usize::from(body.width));
        let shown: Vec<Line<'static>> = text
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim)))
            .collect();
        frame.render_widget(Paragraph::new(shown), body);
        return;
    }
    let rows = usize::from(body.height);
    let first = first_line(state.branches.selected, rows);
    let text_w = usize::from(body.width).saturating_sub(2 + LOGPROB_W + 2);
    let shown: Vec<Line<'static>> = lines
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, line)| {
            let mark = if line.current { "▶ " } else { "  " };
            let mut spans = vec![
                Span::styled(mark, theme.marker),
                Span::styled(pad_left(&logprob_label(line, lang), LOGPROB_W), theme.value),
                Span::raw("  "),
            ];
            spans.extend(text_spans(line, state, text_w, theme));
            let l = Line::from(spans);
            if i == state.branches.selected {
                l.patch_style(ratatui::style::Style::new().add_modifier(theme.selected))
            } else {
                l
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
}

/// The line (an index into the branch list) at screen `row`, if a line is drawn there.
pub fn line_at(screen: Rect, state: &State, row: u16) -> Option<usize> {
    let body = inner(area(screen));
    if row < body.y || row >= body.y + body.height {
        return None;
    }
    let first = first_line(state.branches.selected, usize::from(body.height));
    let index = first + usize::from(row - body.y);
    (index < state.branches.lines(&state.tree).len()).then_some(index)
}
