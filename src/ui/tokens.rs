//! The "Tokens" pane: the sequence cut into token chips, whitespace made visible, every chip
//! coloured by its GLTR rank under the model, with a legend.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::i18n::Text;
use crate::state::{SeqToken, State};

use super::layout::inner;
use super::text::{line_width, token_label, truncate, width};
use super::theme::{Bucket, Theme};

/// Where one chip is drawn, relative to the pane's inside (before scrolling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chip {
    /// Index of the token in the sequence.
    pub index: usize,
    pub row: usize,
    pub col: usize,
    /// The chip's text (whitespace made visible, cut to the pane width).
    pub label: String,
    /// The id shown after the chip, when ids are on.
    pub id: Option<String>,
    /// Whether the look-back cursor is on it (drawn in brackets).
    pub cursor: bool,
}

impl Chip {
    /// Columns taken, brackets and id included.
    pub fn width(&self) -> usize {
        width(&self.label)
            + if self.cursor { 2 } else { 0 }
            + self.id.as_ref().map_or(0, |id| width(id) + 1)
    }
}

/// The text of a token's chip: control tokens as they are, others with visible whitespace (a
/// token that is only a space as `␣`).
pub fn chip_label(t: &SeqToken<'_>) -> String {
    let text = if t.token.text.is_empty() {
        &t.token.piece
    } else {
        &t.token.text
    };
    token_label(text, t.token.special)
}

/// Lays the chips out in rows of `width` columns: a chip that does not fit starts a new row,
/// and a row ends after a chip that holds a line break (so the layout follows the text).
pub fn layout_chips(
    seq: &[SeqToken<'_>],
    width: usize,
    show_ids: bool,
    cursor: Option<usize>,
) -> Vec<Chip> {
    let width = width.max(1);
    let mut chips = Vec::with_capacity(seq.len());
    let (mut row, mut col) = (0, 0);
    for t in seq {
        let is_cursor = cursor == Some(t.index);
        let id = show_ids.then(|| format!("#{}", t.token.id));
        let extra =
            if is_cursor { 2 } else { 0 } + id.as_ref().map_or(0, |id| super::text::width(id) + 1);
        let label = truncate(&chip_label(t), width.saturating_sub(extra).max(1));
        let mut chip = Chip {
            index: t.index,
            row,
            col,
            label,
            id,
            cursor: is_cursor,
        };
        let w = chip.width();
        if col > 0 && col + w > width {
            row += 1;
            col = 0;
            chip.row = row;
            chip.col = 0;
        }
        col += w;
        chips.push(chip);
        if t.token.text.contains('\n') {
            row += 1;
            col = 0;
        }
    }
    chips
}

/// The first chip row shown in a pane with `rows` rows of chips, so that the cursor's chip (or
/// the last one) is visible.
pub fn first_row(chips: &[Chip], rows: usize) -> usize {
    let target = chips
        .iter()
        .find(|c| c.cursor)
        .or(chips.last())
        .map_or(0, |c| c.row);
    (target + 1).saturating_sub(rows.max(1))
}

/// Draws the pane.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let seq = state.sequence();
    let prompt_len = state.prompt_len().min(seq.len());
    let generated = seq.len() - prompt_len;
    let count = if generated > 0 && state.fresh() {
        format!("{} + {}", lang.int(prompt_len), lang.int(generated))
    } else {
        lang.int(seq.len())
    };
    let mut block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.f(Text::TokensTitle, &[&count])),
            theme.title,
        )));
    if state.awaiting.is_some() && state.model_info().is_some() {
        block = block.title(
            Line::from(Span::styled(
                format!(" {} ", lang.t(Text::Computing)),
                theme.dim,
            ))
            .right_aligned(),
        );
    }
    let body = inner(area);
    frame.render_widget(block, area);
    if body.height == 0 {
        return;
    }

    let legend = legend_and_note(state, &seq, body, theme);
    let chip_rows = chip_rows(body, legend.len());
    let chips = layout_chips(&seq, usize::from(body.width), state.show_ids, state.look);
    let first = first_row(&chips, chip_rows);
    // Fill-mask: each chip's side of the mask shown.
    let sides = crate::state::fill::context(state);
    let mut lines: Vec<Line<'static>> = vec![Line::default(); chip_rows];
    for (n, chip) in chips.iter().enumerate() {
        if chip.row < first || chip.row >= first + chip_rows {
            continue;
        }
        let t = &seq[n];
        let mut style = if t.pending {
            theme.pending
        } else if t.token.special {
            theme.special
        } else {
            theme.rank(t.rank)
        };
        if !sides.is_empty() {
            style = super::fill::chip_style(sides.get(t.index).copied(), style, theme);
        }
        if n % 2 == 1 {
            style = style.add_modifier(theme.chip_alt);
        }
        let line = &mut lines[chip.row - first];
        if chip.cursor {
            line.spans.push(Span::styled("[", theme.marker));
            line.spans.push(Span::styled(
                chip.label.clone(),
                style.patch(theme.cursor_token),
            ));
            line.spans.push(Span::styled("]", theme.marker));
        } else {
            line.spans.push(Span::styled(chip.label.clone(), style));
        }
        if let Some(id) = &chip.id {
            line.spans.push(Span::styled(format!("{id} "), theme.dim));
        }
    }
    if seq.is_empty() {
        lines[0] = Line::from(Span::styled(lang.t(Text::NoTokens), theme.dim));
    }
    lines.extend(legend);
    frame.render_widget(Paragraph::new(lines), body);
}

/// Rows left for chips in a pane body of `body` with a legend of `legend_rows` lines.
fn chip_rows(body: Rect, legend_rows: usize) -> usize {
    usize::from(body.height).saturating_sub(legend_rows).max(1)
}

/// Rows of chips in the pane body `body` (for mapping clicks back to chips).
pub fn chip_rows_in(body: Rect, state: &State) -> usize {
    let seq = state.sequence();
    chip_rows(
        body,
        legend_and_note(state, &seq, body, &Theme::mono()).len(),
    )
}

/// The legend, with a served model's note on the prompt's colours above it.
fn legend_and_note(
    state: &State,
    seq: &[SeqToken<'_>],
    body: Rect,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = legend(state, seq, body, theme);
    // A served model: what the colours are over (the prompt's are the server's, or none).
    if let Some(note) = super::served::prompt_note(state)
        && usize::from(body.height) > lines.len() + 1
    {
        let w = usize::from(body.width);
        lines.insert(0, Line::from(Span::styled(truncate(&note, w), theme.dim)));
    }
    lines
}

/// "model rank: 1st 5 ≤10 3 ≤100 0 >100 0 special": each bucket in its style with how many
/// tokens of the sequence fall in it (GLTR's histogram). When one line is too narrow the label
/// goes on a line of its own above the counts (when the pane has rows to spare), and only then
/// are the counts dropped, so the bucket names never stand alone looking like missing numbers.
fn legend(state: &State, seq: &[SeqToken<'_>], body: Rect, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let w = usize::from(body.width);
    if state.fill.is_some() {
        return super::fill::legend(state, w, theme);
    }
    if state.embeddings.is_some() {
        // Nothing ranks an embedding model's tokens.
        return Vec::new();
    }
    let mut counts = [0usize; 4];
    for t in seq.iter().filter(|t| !t.token.special) {
        if let Some(rank) = t.rank {
            counts[Bucket::of(rank) as usize] += 1;
        }
    }
    let labels = [
        Text::GltrTop1,
        Text::GltrTop10,
        Text::GltrTop100,
        Text::GltrBeyond,
    ];
    let label = |text: Text| Span::styled(lang.t(text).to_string(), theme.dim);
    let buckets = |with_counts: bool| {
        let mut spans = Vec::new();
        for (bucket, label) in Bucket::ALL.into_iter().zip(labels) {
            if !spans.is_empty() {
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(lang.t(label).to_string(), theme.gltr(bucket)));
            if with_counts {
                spans.push(Span::styled(
                    format!(" {}", counts[bucket as usize]),
                    theme.dim,
                ));
            }
        }
        spans
    };
    let special = || {
        vec![
            Span::raw(" "),
            Span::styled(lang.t(Text::SpecialLegend).to_string(), theme.special),
        ]
    };
    let one_line = |name: Text, with_counts: bool, with_special: bool| {
        let mut spans = vec![label(name), Span::raw(" ")];
        spans.extend(buckets(with_counts));
        if with_special {
            spans.extend(special());
        }
        vec![Line::from(spans)]
    };
    let two_lines = |with_special: bool| {
        let mut counts_line = buckets(true);
        if with_special {
            counts_line.extend(special());
        }
        vec![Line::from(label(Text::GltrLabel)), Line::from(counts_line)]
    };
    let full = Text::GltrLabel;
    let short = Text::GltrLabelShort;
    let mut candidates = vec![one_line(full, true, true), one_line(full, true, false)];
    // Two lines only where at least two rows of chips remain.
    if body.height >= 4 {
        candidates.extend([two_lines(true), two_lines(false)]);
    }
    candidates.extend([
        one_line(short, true, false),
        one_line(full, false, true),
        one_line(full, false, false),
    ]);
    candidates
        .into_iter()
        .find(|lines| lines.iter().all(|l| line_width(l) <= w))
        .unwrap_or_else(|| one_line(short, false, false))
}
