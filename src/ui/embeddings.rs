//! Sentence embeddings (an encoder without a masked-LM head): in place of the next-token and
//! generation panes, one row per prompt line with its pooled, normalised vector as a compact
//! strip (the first dimensions, bar height = size, colour = sign), the cosine-similarity
//! matrix in the interface language's number format, and the most and least similar pair.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::i18n::{Lang, Text};
use crate::state::embeddings::{Embeddings, Pair};
use crate::state::{ModelStatus, State};

use super::layout::inner;
use super::source::bar;
use super::text::{pad_left, pad_right, truncate, width};
use super::theme::Theme;

/// Columns of one matrix cell (`-0.12` plus a space).
const CELL: usize = 6;

/// The whole right-hand side: `next` and `generation` together.
pub fn area(next: Rect, generation: Rect) -> Rect {
    Rect::new(next.x, next.y, next.width, next.height + generation.height)
}

/// Draws the view.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let Some(e) = state.embeddings.as_ref() else {
        return;
    };
    let mut title = lang.t(Text::EmbedTitle).to_string();
    if e.dim() > 0 {
        title = format!(
            "{title} · {}",
            lang.f(Text::EmbedDim, &[&lang.int(e.dim())])
        );
    }
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(format!(" {title} "), theme.title)));
    let body = inner(area);
    frame.render_widget(block, area);
    if e.sentences.is_empty() || !state.fresh() && state.eval.is_none() {
        let message = match &state.model {
            ModelStatus::Ready(_) => lang.t(Text::EmbedEmpty).to_string(),
            ModelStatus::Loading(p) => lang.f(
                Text::LoadingModel,
                &[&format!("{:.0}%", p.fraction * 100.0)],
            ),
            ModelStatus::Failed => lang.t(Text::NoModel).to_string(),
        };
        let p = Paragraph::new(Line::from(Span::styled(message, theme.dim)))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        frame.render_widget(p, body);
        return;
    }
    let lines = lines(
        e,
        lang,
        usize::from(body.width),
        usize::from(body.height),
        theme,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

/// The view's lines for a body `w` × `h`.
fn lines(e: &Embeddings, lang: Lang, w: usize, h: usize, theme: &Theme) -> Vec<Line<'static>> {
    let n = e.sentences.len();
    // Sentences shown: as many as leave room for the matrix and the pair lines.
    let shown = n.min(h.saturating_sub(7) / 2).max(1);
    let label_w = (w / 3).clamp(8, 28);
    let strip_w = w.saturating_sub(label_w + 4).min(e.dim());
    let mut out = Vec::new();
    out.push(Line::from(Span::styled(
        lang.f(
            Text::EmbedStripHeader,
            &[&lang.int(strip_w), &lang.int(e.dim())],
        ),
        theme.dim,
    )));
    for (i, s) in e.sentences.iter().take(shown).enumerate() {
        let mut spans = vec![
            Span::styled(format!("{} ", i + 1), theme.key),
            Span::styled(
                pad_right(&truncate(&s.text, label_w), label_w + 1),
                theme.text,
            ),
        ];
        spans.extend(strip(&s.vector[..strip_w], theme));
        out.push(Line::from(spans));
    }
    out.push(Line::default());
    out.extend(matrix(e, shown, lang, w, theme));
    if let Some((most, least)) = e.extremes() {
        out.push(Line::default());
        out.push(pair_line(Text::EmbedMostLabel, most, lang, theme));
        out.push(pair_line(Text::EmbedLeastLabel, least, lang, theme));
    }
    out.push(Line::from(Span::styled(
        lang.t(Text::EmbedNote).to_string(),
        theme.dim,
    )));
    out
}

/// One vector as bars: height = size relative to the largest shown, colour = sign.
fn strip(v: &[f32], theme: &Theme) -> Vec<Span<'static>> {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    v.iter()
        .map(|&x| {
            let style = if x < 0.0 {
                theme.vector_neg
            } else {
                theme.vector_pos
            };
            Span::styled(bar(x.abs(), max), style)
        })
        .collect()
}

/// The cosine matrix of the first `shown` sentences (as many columns as fit).
fn matrix(e: &Embeddings, shown: usize, lang: Lang, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let head_w = width(lang.t(Text::EmbedCosine)).max(3) + 1;
    let cols = shown.min(w.saturating_sub(head_w) / CELL).max(1);
    let mut head = vec![Span::styled(
        pad_right(lang.t(Text::EmbedCosine), head_w),
        theme.header,
    )];
    for j in 0..cols {
        head.push(Span::styled(
            pad_left(&(j + 1).to_string(), CELL),
            theme.key,
        ));
    }
    let mut out = vec![Line::from(head)];
    for (i, row) in e.cosine.iter().take(shown).enumerate() {
        let mut spans = vec![Span::styled(
            pad_right(&(i + 1).to_string(), head_w),
            theme.key,
        )];
        for (j, &c) in row.iter().take(cols).enumerate() {
            let style = cell_style(c, i == j, theme);
            spans.push(Span::styled(pad_left(&lang.num(c, 2), CELL), style));
        }
        out.push(Line::from(spans));
    }
    out
}

fn cell_style(c: f64, diagonal: bool, theme: &Theme) -> Style {
    match () {
        _ if diagonal => theme.dim,
        _ if c >= 0.5 => theme.value,
        _ => theme.text,
    }
}

/// "most similar: 1 & 2 (0.61)".
fn pair_line(text: Text, p: Pair, lang: Lang, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{} ", lang.t(text)), theme.dim),
        Span::styled(
            lang.f(
                Text::EmbedPair,
                &[&(p.a + 1), &(p.b + 1), &lang.num(p.cosine, 2)],
            ),
            theme.value,
        ),
    ])
}
