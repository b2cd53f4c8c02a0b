//! The inside-the-model pane (`I` / F7): it takes the right-hand side (the next-token and
//! generation panes) while on, and shows, for the position the next-token pane explains, the
//! token's embedding row and neighbours, the logit lens, or the attention over the tokens.
//! Every list says how much of the whole it shows ("top 5 of 49 152").

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::action::Action;
use crate::engine::inside::{AttentionReport, EmbeddingReport, InsideReport, LensReport};
use crate::i18n::{Describe, Text};
use crate::keymap::{self, Context};
use crate::state::inside::{self, Outcome};
use crate::state::{InsideView, State};
use crate::ui::layout::inner;
use crate::ui::text::{
    pad_left, pad_right, short_percent, token_label, truncate, wrap, wrap_words,
};
use crate::ui::theme::Theme;

/// Where the pane goes: over the next-token and generation panes.
pub fn area(next: Rect, generation: Rect) -> Rect {
    Rect::new(next.x, next.y, next.width, next.height + generation.height)
}

/// Draws the pane.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let title = match state.inside.view {
        InsideView::Embedding => Text::InsideTitleEmbedding,
        InsideView::Lens => Text::InsideTitleLens,
        InsideView::Attention | InsideView::Off => Text::InsideTitleAttention,
    };
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(title)),
            theme.title,
        )));
    let body = inner(area);
    frame.render_widget(block, area);
    let lines = body_lines(
        state,
        usize::from(body.width),
        usize::from(body.height),
        theme,
    );
    frame.render_widget(Paragraph::new(lines), body);
}

/// The pane's lines for a body `w` × `h`.
pub fn body_lines(s: &State, w: usize, h: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = s.lang;
    let message = |text: String, style: Style| -> Vec<Line<'static>> {
        wrap_words(&text, w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect()
    };
    if s.inside.unavailable || crate::state::encoder::active(s) || s.source.is_some() {
        return message(lang.t(Text::InsideUnavailable).to_string(), theme.dim);
    }
    let mut out = field_lines(s, w, theme);
    let Some(key) = inside::wanted(s) else {
        let text = match s.awaiting.is_some() {
            true => lang.t(Text::InsideComputing),
            false => lang.t(Text::InsideNothing),
        };
        out.extend(message(text.to_string(), theme.dim));
        return out;
    };
    if !key.0.is_empty() {
        out.push(subject_line(s, &key.0, theme));
    }
    let room = h.saturating_sub(out.len());
    match s.inside.get(&key) {
        None => out.extend(message(
            lang.t(Text::InsideComputing).to_string(),
            theme.notice,
        )),
        Some(Outcome::Failed(e)) => out.extend(message(
            lang.f(Text::InsideFailed, &[&e.describe(lang)]),
            theme.error,
        )),
        Some(Outcome::Done(c)) => out.extend(match c.report.as_ref() {
            InsideReport::Embedding(e) => embedding_lines(s, e, w, room, theme),
            InsideReport::Lens(l) => lens_lines(s, l, w, room, theme),
            InsideReport::Attention(a) => attention_lines(s, a, &key.0, w, room, theme),
        }),
    }
    out.truncate(h);
    out
}

/// The word field, while open (the embedding view's `/`).
fn field_lines(s: &State, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let Some(field) = &s.inside.field else {
        return Vec::new();
    };
    let lang = s.lang;
    vec![Line::from(vec![
        Span::styled(lang.t(Text::InsideWordPrompt).to_string(), theme.key),
        Span::styled(format!("{field}▏"), theme.value),
    ])]
    .into_iter()
    .chain(dim_lines(lang.t(Text::InsideWordHelp), w, theme.dim))
    .collect()
}

/// "at «·gato», position 5 of 7": the position the view explains.
fn subject_line(s: &State, ids: &[u32], theme: &Theme) -> Line<'static> {
    let lang = s.lang;
    let Some(&last) = ids.last() else {
        return Line::default();
    };
    let token = s.token_view(last);
    let label = lang.quote(&token_label(&token.text, token.special));
    Line::from(Span::styled(
        lang.f(
            Text::InsideAt,
            &[&label, &lang.int(ids.len()), &lang.int(s.sequence_len())],
        ),
        theme.dim,
    ))
}

fn embedding_lines(
    s: &State,
    e: &EmbeddingReport,
    w: usize,
    h: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let lang = s.lang;
    let token = s.token_view(e.id);
    let label = lang.quote(&token_label(&token.text, token.special));
    let mut out = Vec::new();
    if let Some(word) = &s.inside.word {
        let word = lang.quote(&token_label(word, false));
        let text = match e.word_tokens {
            Some(n) if n > 1 => lang.f(Text::InsideEmbWord, &[&word, &n]),
            _ => lang.f(Text::InsideEmbWordOne, &[&word]),
        };
        out.extend(dim_lines(&text, w, theme.notice));
    }
    let head = lang.f(
        Text::InsideEmbToken,
        &[&label, &e.id, &lang.int(e.vector.len())],
    );
    out.push(Line::from(Span::styled(truncate(&head, w), theme.value)));
    let (lo, hi) = e
        .vector
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let facts = lang.f(
        Text::InsideEmbNorm,
        &[
            &lang.num(e.norm, 3),
            &lang.num(f64::from(lo), 3),
            &lang.num(f64::from(hi), 3),
        ],
    );
    out.push(Line::from(Span::styled(truncate(&facts, w), theme.text)));
    let per = e.vector.len().div_ceil(e.vector.len().min(w * 2).max(1));
    out.extend(heat_strip(&e.vector, w, theme));
    if per > 1 {
        let text = lang.f(Text::InsideEmbStrip, &[&per]);
        out.push(Line::from(Span::styled(truncate(&text, w), theme.dim)));
    }
    out.extend(note_lines(s, e, w, theme));
    let room = h.saturating_sub(out.len() + 2);
    out.push(Line::from(Span::styled(
        truncate(
            &lang.f(
                Text::InsideEmbNeighbours,
                &[&room.min(e.neighbours.len()), &lang.int(e.rows)],
            ),
            w,
        ),
        theme.header,
    )));
    out.extend(neighbour_rows(s, e, w, room, theme));
    if let Some(k) = keymap::key_label(Context::Explore, &Action::InsideWordOpen, lang)
        && s.inside.field.is_none()
    {
        let hint = lang.f(Text::InsideWordHint, &[&k]);
        out.push(Line::from(Span::styled(truncate(&hint, w), theme.dim)));
    }
    out
}

/// Whether the table is also the output layer, and the scale the model applies to its rows.
fn note_lines(s: &State, e: &EmbeddingReport, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = s.lang;
    let tied = match e.tied {
        true => Text::InsideEmbTied,
        false => Text::InsideEmbUntied,
    };
    let mut out = dim_lines(lang.t(tied), w, theme.dim);
    if let Some(scale) = e.scale {
        let text = lang.f(Text::InsideEmbScaled, &[&lang.num(scale, 2)]);
        out.extend(dim_lines(&text, w, theme.dim));
    }
    out
}

/// The vector as one or two rows of cells; each cell shows the component of largest size among
/// the ones it covers (height = size, colour = sign), so the strip is honest about extremes.
fn heat_strip(v: &[f32], w: usize, theme: &Theme) -> Vec<Line<'static>> {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let cells = v.len().min(w * 2).max(1);
    let per = v.len().div_ceil(cells);
    let max = v
        .iter()
        .fold(0f32, |m, x| m.max(x.abs()))
        .max(f32::MIN_POSITIVE);
    let spans: Vec<Span<'static>> = v
        .chunks(per)
        .map(|chunk| {
            let x = chunk
                .iter()
                .copied()
                .fold(0f32, |m, x| if x.abs() > m.abs() { x } else { m });
            let level = ((x.abs() / max) * 7.0).round() as usize;
            let style = if x < 0.0 {
                theme.vector_neg
            } else {
                theme.vector_pos
            };
            Span::styled(LEVELS[level.min(7)].to_string(), style)
        })
        .collect();
    spans
        .chunks(w.max(1))
        .map(|row| Line::from(row.to_vec()))
        .collect()
}

fn neighbour_rows(
    s: &State,
    e: &EmbeddingReport,
    w: usize,
    room: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let lang = s.lang;
    let name_w = w.saturating_sub(4 + 8 + 8).clamp(6, 24);
    e.neighbours
        .iter()
        .take(room)
        .enumerate()
        .map(|(i, n)| {
            let t = s.token_view(n.id);
            let mut name = token_label(&t.text, t.special);
            if s.show_ids {
                name = format!("{name} #{}", n.id);
            }
            let bar_w = w.saturating_sub(4 + name_w + 8).min(12);
            let filled = (n.cosine.clamp(0.0, 1.0) * bar_w as f64).round() as usize;
            Line::from(vec![
                Span::styled(pad_left(&(i + 1).to_string(), 3), theme.key),
                Span::raw(" "),
                Span::styled(pad_right(&name, name_w), theme.text),
                Span::styled(pad_left(&lang.num(n.cosine, 3), 7), theme.value),
                Span::raw(" "),
                Span::styled("█".repeat(filled), theme.bar),
            ])
        })
        .collect()
}

fn lens_lines(s: &State, l: &LensReport, w: usize, h: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = s.lang;
    let layers = l.layers.len();
    let label_w = layers.to_string().len().max(2) + 1;
    let shown = l.layers.first().map_or(0, Vec::len);
    let cols = shown.min(w.saturating_sub(label_w) / 13).max(1);
    let cell_w = (w.saturating_sub(label_w) / cols).max(9);
    let mut out = dim_lines(
        &lang.f(Text::InsideLensHead, &[&cols, &lang.int(l.vocab)]),
        w,
        theme.dim,
    );
    let first = l.settled_from();
    let answer = l.layers.last().and_then(|t| t.first().map(|&(id, _)| id));
    // Rows for the table: the newest layers when not all fit (the last one always shows).
    let rows = h.saturating_sub(out.len() + 3).max(1);
    let skip = layers.saturating_sub(rows.saturating_sub(usize::from(layers > rows)));
    if skip > 0 {
        out.push(Line::from(Span::styled(
            truncate(&lang.f(Text::InsideLensHidden, &[&skip]), w),
            theme.dim,
        )));
    }
    for (i, top) in l.layers.iter().enumerate().skip(skip) {
        let marked = Some(i) == first;
        let row_style = if marked { theme.marker } else { theme.key };
        let mut spans = vec![Span::styled(
            pad_left(&(i + 1).to_string(), label_w - 1),
            row_style,
        )];
        spans.push(Span::styled(if marked { "◀" } else { " " }, theme.marker));
        for &(id, p) in top.iter().take(cols) {
            let t = s.token_view(id);
            let pct = pad_left(&short_percent(lang, p), 5);
            let name_w = cell_w.saturating_sub(7);
            let style = if Some(id) == answer {
                theme.value
            } else {
                theme.text
            };
            spans.push(Span::styled(
                pad_right(
                    &truncate(&token_label(&t.text, t.special), name_w),
                    name_w + 1,
                ),
                style,
            ));
            spans.push(Span::styled(format!("{pct} "), theme.dim));
        }
        out.push(Line::from(spans));
    }
    let last = format!(
        "{} {} {}",
        lang.t(Text::ColLayer),
        layers,
        lang.t(Text::InsideLensLast)
    );
    out.push(Line::from(Span::styled(truncate(&last, w), theme.dim)));
    if let (Some(i), Some(a)) = (first, answer) {
        let t = s.token_view(a);
        let text = lang.f(
            Text::InsideLensFirst,
            &[&lang.quote(&token_label(&t.text, t.special)), &(i + 1)],
        );
        out.extend(dim_lines(&text, w, theme.marker));
    }
    out
}

/// `text` wrapped to `w` columns, in `style`.
fn dim_lines(text: &str, w: usize, style: Style) -> Vec<Line<'static>> {
    wrap_words(text, w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

/// How many of the most attended positions are listed with their numbers.
const ATTENTION_TOP: usize = 5;

fn attention_lines(
    s: &State,
    a: &AttentionReport,
    ids: &[u32],
    w: usize,
    h: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let lang = s.lang;
    let layer = inside::layer(s, a.layers);
    let head = s.inside.head.filter(|&h| h < a.heads);
    let weights = a.row(layer, head);
    let title = match head {
        None => lang.f(Text::InsideAttnMean, &[&(layer + 1), &a.layers, &a.heads]),
        Some(hd) => lang.f(
            Text::InsideAttnHead,
            &[&(layer + 1), &a.layers, &(hd + 1), &a.heads],
        ),
    };
    let mut out = vec![Line::from(Span::styled(truncate(&title, w), theme.value))];
    let max = weights
        .iter()
        .copied()
        .fold(0f32, f32::max)
        .max(f32::MIN_POSITIVE);
    let mut pieces: Vec<(String, Style)> = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        let t = s.token_view(id);
        let level = ((weights.get(i).copied().unwrap_or(0.0) / max) * 3.0).round() as usize;
        let mut style = theme.heat[level.min(3)];
        if i + 1 == ids.len() {
            style = style.patch(theme.cursor_token);
        }
        pieces.push((token_label(&t.text, t.special), style));
        pieces.push((" ".into(), Style::new()));
    }
    // What the position cannot see: the tokens after it.
    for t in s.sequence().iter().skip(ids.len()) {
        let label: String = token_label(&t.token.text, t.token.special)
            .chars()
            .map(|_| '░')
            .collect();
        pieces.push((label, theme.masked));
        pieces.push((" ".into(), Style::new()));
    }
    let chips = wrap(&pieces, w);
    let room = h.saturating_sub(5 + ATTENTION_TOP.min(ids.len()));
    let skip = chips.len().saturating_sub(room.max(1));
    out.extend(chips.into_iter().skip(skip));
    out.extend(
        wrap_words(lang.t(Text::InsideAttnLegend), w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim))),
    );
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&x, &y| weights[y].total_cmp(&weights[x]).then(x.cmp(&y)));
    let top = ATTENTION_TOP.min(order.len());
    out.push(Line::from(Span::styled(
        truncate(&lang.f(Text::InsideAttnTop, &[&top, &lang.int(a.keys)]), w),
        theme.header,
    )));
    for &i in order.iter().take(top) {
        let t = s.token_view(ids[i]);
        let name = format!("{} ({})", token_label(&t.text, t.special), lang.int(i + 1));
        out.push(Line::from(vec![
            Span::styled(pad_right(&name, w.saturating_sub(8).min(24)), theme.text),
            Span::styled(
                pad_left(&short_percent(lang, f64::from(weights[i])), 7),
                theme.value,
            ),
        ]));
    }
    out
}
