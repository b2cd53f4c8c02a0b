//! The comparison lab in the "Next token" pane: the model's column plus one column per sampler
//! setting, side by side over the same candidates (the raw ranking, so a token cut in one
//! column reads a dimmed `0%` there). Each column's header names its settings and says how many
//! tokens it keeps, its entropy and its effective number of choices; `✂` marks where it cuts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::i18n::{Lang, Text};
use crate::sampling::{Distribution, StageOrder, spec};
use crate::state::State;

use super::layout::{candidate_window_start, inner};
use super::text::{pad_left, pad_right, short_percent, token_label, truncate, width};
use super::theme::Theme;

/// Widths of the fixed columns: gutter + rank, token, model.
const RANK_W: usize = 4;
const MODEL_W: usize = 7;

/// A bar of `p` in `w` cells (eighth blocks for the last cell).
pub fn bar(p: f64, w: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (p.clamp(0.0, 1.0) * (w * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    pad_right(&s, w)
}

/// Draws the pane with every sampler column.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = super::distribution::block(state, theme);
    let Some(view) = state.view.as_ref() else {
        return;
    };
    let lang = state.lang;
    let body = inner(area);
    let count = lang.f(Text::LabColumns, &[&view.columns.len()]);
    let title = super::distribution::title(state);
    let block = if width(&title) + width(&count) + 8 <= usize::from(area.width) {
        block.title(Line::from(Span::styled(format!(" {count} "), theme.dim)).right_aligned())
    } else {
        block
    };
    let block = super::served::bottom_note(block, state, area.width, theme);
    frame.render_widget(block, area);
    let ncols = view.columns.len();
    let inner_w = usize::from(body.width);
    let token_w = inner_w
        .saturating_sub(RANK_W + MODEL_W + ncols * 7)
        .clamp(4, 14);
    let cell_w = (inner_w.saturating_sub(RANK_W + token_w + MODEL_W) / ncols.max(1)).max(6);
    let geometry = Geometry { token_w, cell_w };
    let mut lines = header_lines(&view.columns, state, &geometry, theme);
    let rows = usize::from(body.height).saturating_sub(lines.len() + 1);
    let start = candidate_window_start(state.selected, rows);
    let raw = view.dist.as_ref().expect("a lab view has a distribution");
    for rank in start..(start + rows).min(raw.candidates.len()) {
        lines.push(row_line(rank, raw, &view.columns, state, &geometry, theme));
    }
    lines.push(footer_line(&view.columns, start + rows, state, theme));
    let lines = if view.stale {
        lines
            .into_iter()
            .map(|l| l.patch_style(theme.pending))
            .collect()
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines), body);
}

struct Geometry {
    token_w: usize,
    cell_w: usize,
}

/// The header: each column's settings spelled out (one line, or one per column when they do
/// not fit), then the column numbers (the selected one highlighted), then each column's kept
/// count and effective number of choices.
fn header_lines(
    columns: &[Distribution],
    state: &State,
    g: &Geometry,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let lang = state.lang;
    let selected_style = |i: usize| {
        if i == state.lab.selected {
            theme.header.add_modifier(Modifier::REVERSED)
        } else {
            theme.header
        }
    };
    let names: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} {}", i + 1, column_name(d, lang)))
        .collect();
    let total_w = RANK_W + g.token_w + MODEL_W + g.cell_w * columns.len();
    let mut lines = Vec::new();
    if names.iter().map(|n| n.chars().count() + 3).sum::<usize>() <= total_w {
        let mut spans = Vec::new();
        for (i, n) in names.iter().enumerate() {
            spans.push(Span::styled(n.clone(), selected_style(i)));
            spans.push(Span::raw("   "));
        }
        lines.push(Line::from(spans));
    } else {
        for (i, n) in names.iter().enumerate() {
            lines.push(Line::from(Span::styled(
                truncate(n, total_w),
                selected_style(i),
            )));
        }
    }
    let lead = pad_right("", RANK_W + g.token_w);
    let mut numbers = vec![
        Span::raw(lead.clone()),
        Span::styled(pad_left(lang.t(Text::ColModel), MODEL_W), theme.header),
    ];
    let mut stats = vec![Span::raw(lead), Span::raw(pad_left("", MODEL_W))];
    for (i, d) in columns.iter().enumerate() {
        numbers.push(Span::raw(pad_left("", g.cell_w - 3)));
        numbers.push(Span::styled(format!(" {} ", i + 1), selected_style(i)));
        let stat = format!(
            "{}✓ ≈{}",
            lang.int(d.kept),
            compact(lang, d.effective_choices_final())
        );
        stats.push(Span::styled(
            pad_left(&truncate(&stat, g.cell_w - 1), g.cell_w),
            theme.dim,
        ));
    }
    lines.push(Line::from(numbers));
    lines.push(Line::from(stats));
    lines
}

/// A column's settings in words: `T 0.7 · p 0.9`, the order named when it is llama.cpp's.
fn column_name(d: &Distribution, lang: Lang) -> String {
    let mut name = spec::header(&d.params, lang);
    if d.params.order == StageOrder::LlamaCpp && !name.contains("llama") {
        name.push_str(" · llama");
    }
    name
}

/// One candidate: rank, token, the model's probability, then each column's.
fn row_line(
    rank: usize,
    raw: &Distribution,
    columns: &[Distribution],
    state: &State,
    g: &Geometry,
    theme: &Theme,
) -> Line<'static> {
    let lang = state.lang;
    let c = &raw.candidates[rank];
    let token = state.token_view(c.id);
    let label = truncate(&token_label(&token.text, token.special), g.token_w);
    let mut spans = vec![
        Span::styled(pad_left(&(rank + 1).to_string(), RANK_W - 1), theme.dim),
        Span::raw(" "),
        Span::styled(pad_right(&label, g.token_w), theme.text),
        Span::styled(pad_left(&short_percent(lang, c.prob), MODEL_W), theme.text),
    ];
    for (i, d) in columns.iter().enumerate() {
        let p = d.candidates[rank].final_prob;
        let first_cut = rank == d.kept && rank > 0;
        let number = short_percent(lang, p);
        let mark = if first_cut { "✂" } else { "" };
        let bar_w = g.cell_w.saturating_sub(number.chars().count() + 2);
        let bar_w = if bar_w >= 3 { bar_w } else { 0 };
        let mut style = if d.candidates[rank].kept {
            theme.bar
        } else {
            theme.cut_row
        };
        if i == state.lab.selected {
            style = style.add_modifier(Modifier::BOLD);
        }
        let cell = format!(
            " {}{}",
            bar(p, bar_w),
            pad_left(&format!("{mark}{number}"), g.cell_w - 1 - bar_w)
        );
        spans.push(Span::styled(cell, style));
    }
    let line = Line::from(spans);
    if rank == state.selected {
        line.patch_style(Style::new().add_modifier(theme.selected))
    } else {
        line
    }
}

/// Where the columns cut when that is below the visible rows, and the order of each column.
fn footer_line(
    columns: &[Distribution],
    shown_to: usize,
    state: &State,
    theme: &Theme,
) -> Line<'static> {
    let lang = state.lang;
    let parts: Vec<String> = columns
        .iter()
        .enumerate()
        // Only a real cut (a column that keeps everything cuts nothing).
        .filter(|(_, d)| d.kept > shown_to && d.kept < d.candidates.len())
        .map(|(i, d)| lang.f(Text::LabCutBelow, &[&(i + 1), &lang.int(d.kept)]))
        .collect();
    let text = if parts.is_empty() {
        lang.t(Text::LabLegend).to_string()
    } else {
        parts.join(" · ")
    };
    Line::from(Span::styled(text, theme.dim))
}

/// A positive number in few characters: one decimal below 100, none above.
fn compact(lang: Lang, x: f64) -> String {
    lang.num(x, if x >= 100.0 { 0 } else { 1 })
}
