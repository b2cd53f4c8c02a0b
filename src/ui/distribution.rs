//! The "Next token" pane: the top candidates with their raw ("model") and final ("sampled")
//! probabilities, the line where the sampler cuts, the rest of the vocabulary, and entropy.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::engine::WordGuess;
use crate::i18n::{Describe, Lang, Text};
use crate::keymap::Context;
use crate::sampling::{Distribution, SamplingParams, Stage};
use crate::state::words;
use crate::state::{ModelStatus, State};

use super::layout::{candidate_window_start, inner};
use super::text::{pad_left, pad_right, short_percent, token_label, truncate, width};
use super::theme::Theme;

/// One row of the list below the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListRow {
    /// The candidate of this 0-based rank.
    Candidate(usize),
    /// "── cut: top-p 0.90 ──": the candidates below were removed by this stage.
    Cut(Stage),
    /// "── cut after 45 tokens (top-p 0.90) ──": the cut is below the visible rows.
    CutBelow(Stage),
    /// Everything not listed.
    Rest,
    /// Entropy, raw and after sampling.
    Entropy,
    /// Effective number of choices (e^entropy), raw and after sampling.
    Choices,
}

/// The rows of the list for a pane with `height` rows below the header.
pub fn list_rows(
    dist: &Distribution,
    selected: usize,
    actual: Option<usize>,
    height: usize,
) -> Vec<ListRow> {
    let slots = height.saturating_sub(3).max(1);
    let vocab = dist.candidates.len();
    let kept = dist.kept;
    let start = candidate_window_start(selected, slots).min(vocab.saturating_sub(1));
    let mut n = slots.min(vocab - start);
    let needs_cut = |n: usize| kept > start && kept < vocab && kept <= start + n;
    let cut = if needs_cut(n) && slots > 1 {
        n = (slots - 1).min(vocab - start);
        needs_cut(n)
    } else {
        false
    };
    // A cut below the window is named in the last slot, so the class knows where it is.
    let cut_below = !cut && kept < vocab && kept > start + n && slots > 1;
    if cut_below {
        n -= 1;
    }
    let mut ranks: Vec<usize> = (start..start + n).collect();
    // The actual token (look-back) is always listed, in the last slot if it ranks lower.
    if let Some(a) = actual.filter(|a| !ranks.contains(a))
        && let Some(last) = ranks.last_mut()
    {
        *last = a;
    }
    let mut rows = Vec::with_capacity(height);
    for r in ranks {
        if cut && r == kept {
            rows.push(ListRow::Cut(
                dist.candidates[kept].cut_by.unwrap_or(Stage::TopK),
            ));
        }
        rows.push(ListRow::Candidate(r));
    }
    if cut && !rows.iter().any(|r| matches!(r, ListRow::Cut(_))) {
        rows.push(ListRow::Cut(
            dist.candidates[kept].cut_by.unwrap_or(Stage::TopK),
        ));
    }
    if cut_below {
        rows.push(ListRow::CutBelow(
            dist.candidates[kept].cut_by.unwrap_or(Stage::TopK),
        ));
    }
    rows.extend([ListRow::Rest, ListRow::Entropy, ListRow::Choices]);
    rows
}

/// Column widths, adapted to the pane width and the language's headers.
struct Columns {
    rank: usize,
    token: usize,
    bar: usize,
    model: usize,
    sampled: usize,
    /// The running sum of the model's probability (what top-p adds up); 0 when it does not fit.
    cum: usize,
    logit: usize,
    /// The word view's joint probability; 0 when the view is off (then the logit is shown).
    word: usize,
}

impl Columns {
    fn new(inner_width: usize, lang: Lang, max_rank: usize, words: bool) -> Columns {
        let rank = (max_rank + 1).to_string().len().max(2);
        let model = width(lang.t(Text::ColModel)).max(7);
        let sampled = width(lang.t(Text::ColSampled)).max(7);
        let cum_w = width(lang.t(Text::ColCumulative)).max(6);
        let word = if words {
            width(lang.t(Text::ColWord)).max(7)
        } else {
            0
        };
        let extra = |w: usize| if w > 0 { 1 + w } else { 0 };
        let numbers = |cum: usize, logit: usize| {
            1 + model + extra(cum) + 1 + sampled + extra(logit) + extra(word)
        };
        // gutter, rank, a space after the rank and one after the token
        let fixed = |cum: usize, logit: usize| 1 + rank + 1 + 1 + numbers(cum, logit);
        // The logit gives way first (the word view replaces it), then the cumulative column.
        let (mut cum, mut logit) = (cum_w, if words { 0 } else { 6 });
        if inner_width < fixed(cum, logit) + 8 + 8 {
            logit = 0;
        }
        if inner_width < fixed(cum, logit) + 8 + 6 {
            cum = 0;
        }
        let rest = inner_width.saturating_sub(fixed(cum, logit));
        // Words are longer than tokens: the word view gives the label more of the room.
        let token = if words {
            (rest * 3 / 5).clamp(8, 24).min(rest)
        } else {
            (rest * 2 / 5).clamp(6, 20).min(rest)
        };
        let bar = rest - token;
        Columns {
            rank,
            token,
            bar,
            model,
            sampled,
            cum,
            logit,
            word,
        }
    }

    /// Width of the columns left of the numbers (gutter, rank, token, bar).
    fn label_width(&self) -> usize {
        1 + self.rank + 1 + self.token + 1 + self.bar
    }
}

/// Draws the pane with a single column (`ui::render` picks the lab or the roll-many view when
/// they are on).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let view = state.view.as_ref();
    let dist = view.and_then(|v| v.dist.as_ref());
    let title = title(state);
    let block = block(state, theme);
    let Some(dist) = dist else {
        render_empty(frame, area, block, state, theme);
        return;
    };
    render_single(frame, area, block, &title, dist, state, theme);
}

/// The pane's bordered block with its title (the lab's and the roll-many view's too).
pub fn block<'a>(state: &State, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" {} ", title(state)),
            theme.title,
        )))
}

/// The pane's title: what the distribution predicts.
pub fn title(state: &State) -> String {
    if let Some(t) = super::fill::title(state) {
        return t;
    }
    let lang = state.lang;
    let view = state.view.as_ref();
    let seq = state.sequence();
    let token_text = |i: usize| {
        seq.get(i)
            .map(|t| truncate(&token_label(&t.token.text, t.token.special), 16))
            .unwrap_or_default()
    };
    match (view, state.look) {
        (Some(v), Some(i)) if i < seq.len() => {
            let mut t = lang.f(Text::LookBackTitle, &[&(v.index + 1), &token_text(i)]);
            if v.actual.is_some_and(|(_, r)| r.is_some()) {
                t = format!("{t} · {}", lang.t(Text::ActualMarker));
            } else if let Some(outside) = super::served::outside_top(state) {
                t = format!("{t} · {outside}");
            }
            t
        }
        _ if !seq.is_empty() => lang.f(Text::NextTokenAfter, &[&token_text(seq.len() - 1)]),
        _ => lang.t(Text::NextTokenTitle).to_string(),
    }
}

/// No distribution yet: why (loading, failed, empty prompt, first token).
fn render_empty(frame: &mut Frame, area: Rect, block: Block<'_>, state: &State, theme: &Theme) {
    let body = inner(area);
    {
        frame.render_widget(block, area);
        let message = empty_message(state);
        let p = Paragraph::new(Line::from(Span::styled(message, theme.dim)))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        let y = body.y + body.height / 3;
        frame.render_widget(
            p,
            Rect::new(
                body.x,
                y,
                body.width,
                body.height.saturating_sub(y - body.y),
            ),
        );
    }
}

/// The single column: candidates, cut line, rest of the vocabulary, entropy.
fn render_single(
    frame: &mut Frame,
    area: Rect,
    mut block: Block<'_>,
    title: &str,
    dist: &Distribution,
    state: &State,
    theme: &Theme,
) {
    let lang = state.lang;
    let view = state.view.as_ref();
    let body = inner(area);
    let room = usize::from(area.width).saturating_sub(width(title) + 8);
    let kept = super::served::kept_title(state, room).unwrap_or_else(|| {
        lang.f(
            Text::KeptOf,
            &[&lang.int(dist.kept), &lang.int(dist.candidates.len())],
        )
    });
    // The kept count goes on the right of the top border when both titles fit.
    let kept_fits = width(title) + width(&kept) + 8 <= usize::from(area.width);
    if kept_fits {
        block =
            block.title(Line::from(Span::styled(format!(" {kept} "), theme.dim)).right_aligned());
    }
    let actual = view.and_then(|v| v.actual).and_then(|(_, r)| r);
    let rows = list_rows(
        dist,
        state.selected,
        actual,
        usize::from(body.height.saturating_sub(1)),
    );
    let max_rank = rows
        .iter()
        .filter_map(|r| {
            if let ListRow::Candidate(r) = r {
                Some(*r)
            } else {
                None
            }
        })
        .max()
        .unwrap_or(0);
    let cols = Columns::new(usize::from(body.width), lang, max_rank, state.words.on);
    // The word view says how its words are made in the bottom border; the bar's legend goes
    // above the bars when it fits there, else into the bottom border too when both fit (the
    // column headers already name the two probabilities).
    // A served model's note, with "top 20 of ?" when the top border had no room for it and
    // the bottom has.
    let sampled_note = super::served::sampled_note(state, dist, !kept_fits)
        .filter(|n| width(n) + 4 <= usize::from(area.width))
        .or_else(|| super::served::sampled_note(state, dist, false));
    let legend = sampled_note.as_deref().unwrap_or(lang.t(Text::BarLegend));
    let mut bottom_used = 0;
    if state.words.on {
        let note = lang.t(Text::WordViewTitle);
        bottom_used = width(note) + 4;
        block = block.title_bottom(Line::from(Span::styled(format!(" {note} "), theme.dim)));
    }
    let must_say = sampled_note.is_some();
    if (must_say || width(legend) > cols.bar)
        && bottom_used + width(legend) + 4 <= usize::from(area.width)
    {
        block = block.title_bottom(
            Line::from(Span::styled(format!(" {legend} "), theme.dim)).right_aligned(),
        );
    }
    frame.render_widget(block, area);
    let stale = view.is_some_and(|v| v.stale);
    let lines = single_lines(dist, &rows, &cols, (actual, stale), body, state, theme);
    frame.render_widget(Paragraph::new(lines), body);
}

/// The single column's lines (`look` = the actual token's rank when looking back, and whether
/// the numbers are stale).
fn single_lines<'a>(
    dist: &Distribution,
    rows: &[ListRow],
    cols: &Columns,
    look: (Option<usize>, bool),
    body: Rect,
    state: &State,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let lang = state.lang;
    let (actual, stale) = look;
    let mut lines = vec![header(cols, lang, theme)];
    let explore = state.key_context() == Context::Explore;
    let base = if cols.word > 0 {
        words::base(state)
    } else {
        None
    };
    for row in rows {
        let line = match *row {
            ListRow::Candidate(rank) => candidate_line(
                dist,
                rank,
                cols,
                (state, base.as_deref()),
                theme,
                explore,
                actual == Some(rank),
            ),
            ListRow::Cut(stage) => {
                cut_line(stage, &dist.params, usize::from(body.width), lang, theme)
            }
            ListRow::CutBelow(stage) => {
                let label = lang.f(
                    Text::CutAfter,
                    &[
                        &lang.int(dist.kept),
                        &stage_label(stage, &dist.params, lang),
                    ],
                );
                rule_line(&label, usize::from(body.width), theme)
            }
            ListRow::Rest => served_rest_line(dist, rows, cols, state, theme)
                .unwrap_or_else(|| rest_line(dist, rows, cols, lang, theme)),
            ListRow::Entropy => stat_line(
                &format!("{} ({})", lang.t(Text::Entropy), lang.t(Text::Nats)),
                bound(state, lang.num(dist.entropy_raw, 2)),
                lang.num(dist.entropy_final, 2),
                cols,
                theme,
            ),
            ListRow::Choices => stat_line(
                lang.t(Text::EffectiveChoices),
                bound(state, lang.num(dist.effective_choices_raw(), 1)),
                lang.num(dist.effective_choices_final(), 1),
                cols,
                theme,
            ),
        };
        lines.push(if stale {
            line.patch_style(theme.pending)
        } else {
            line
        });
    }
    lines
}

/// A served model's raw entropy and effective choices are lower bounds: "≥ x".
fn bound(state: &State, number: String) -> String {
    match super::served::top_n(state) {
        Some(_) => super::served::at_least(state.lang, &number),
        None => number,
    }
}

fn empty_message(state: &State) -> String {
    if let Some(m) = super::fill::empty_message(state) {
        return m;
    }
    if let Some(m) = super::served::no_distribution(state) {
        return m;
    }
    let lang = state.lang;
    match &state.model {
        ModelStatus::Loading(progress) => lang.f(
            Text::LoadingModel,
            &[&format!("{:.0}%", progress.fraction * 100.0)],
        ),
        ModelStatus::Failed => match &state.error {
            Some(e) => lang.f(Text::ErrorPrefix, &[&e.describe(lang)]),
            None => lang.t(Text::NoModel).to_string(),
        },
        ModelStatus::Ready(_) if state.editor.is_empty() && !state.chat => {
            lang.t(Text::EmptyPromptHint).to_string()
        }
        ModelStatus::Ready(_) if state.view.as_ref().is_some_and(|v| v.index == 0) => {
            lang.t(Text::FirstTokenHint).to_string()
        }
        ModelStatus::Ready(_) => lang.t(Text::WaitingForModel).to_string(),
    }
}

fn header(cols: &Columns, lang: Lang, theme: &Theme) -> Line<'static> {
    let legend = lang.t(Text::BarLegend);
    let bar_head = if width(legend) <= cols.bar {
        legend
    } else {
        ""
    };
    let mut s = format!(
        " {} {} {} {} {}{}",
        pad_left(lang.t(Text::ColRank), cols.rank),
        pad_right(lang.t(Text::ColToken), cols.token),
        pad_right(bar_head, cols.bar),
        pad_left(lang.t(Text::ColModel), cols.model),
        if cols.cum > 0 {
            format!("{} ", pad_left(lang.t(Text::ColCumulative), cols.cum))
        } else {
            String::new()
        },
        pad_left(lang.t(Text::ColSampled), cols.sampled),
    );
    if cols.logit > 0 {
        s.push(' ');
        s.push_str(&pad_left(lang.t(Text::ColLogit), cols.logit));
    }
    if cols.word > 0 {
        s.push(' ');
        s.push_str(&pad_left(lang.t(Text::ColWord), cols.word));
    }
    Line::from(Span::styled(s, theme.header))
}

/// Two bars side by side, so neither can hide the other: the model's probability (`▒`, its
/// own colour) on the left half, the probability after the settings (`█`) on the right half.
fn bar(prob: f64, final_prob: f64, w: usize, theme: &Theme) -> Vec<Span<'static>> {
    let half = w.saturating_sub(1) / 2;
    let right = w.saturating_sub(half + 1);
    vec![
        Span::styled(eighths_bar(prob, half, '▒'), theme.bar_ghost),
        Span::raw(" "),
        Span::styled(eighths_bar(final_prob, right, '█'), theme.bar),
    ]
}

/// `p` of `w` cells: full cells of `full`, then an eighth block for the remainder (for `█`),
/// padded to `w`.
fn eighths_bar(p: f64, w: usize, full: char) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (p.clamp(0.0, 1.0) * (w * 8) as f64).round() as usize;
    let mut s = full.to_string().repeat(eighths / 8);
    if full == '█' {
        s.push_str(EIGHTHS[eighths % 8]);
    } else if eighths % 8 >= 4 || (eighths > 0 && eighths < 8) {
        // A visible sliver for anything above zero.
        s.push(full);
    }
    pad_right(&s, w)
}

fn logit_text(logit: f32, lang: Lang) -> String {
    if logit == f32::NEG_INFINITY {
        "−∞".to_string()
    } else if logit == f32::INFINITY {
        "+∞".to_string()
    } else {
        lang.num(f64::from(logit), 2)
    }
}

/// One candidate's row (`words`: the state, and the sequence the word view's words follow).
fn candidate_line(
    dist: &Distribution,
    rank: usize,
    cols: &Columns,
    words: (&State, Option<&[u32]>),
    theme: &Theme,
    explore: bool,
    is_actual: bool,
) -> Line<'static> {
    let (state, base) = words;
    let lang = state.lang;
    let c = &dist.candidates[rank];
    let token = state.token_view(c.id);
    let word = base.and_then(|b| state.words.get(b, c.id));
    let mut label = match word {
        Some(w) if w.ids.len() > 1 || !w.complete => word_label(w),
        _ => token_label(&token.text, token.special),
    };
    if state.show_ids {
        label = format!("{label} #{}", c.id);
    }
    let row_style = if c.kept { theme.text } else { theme.cut_row };
    let rank_style = if explore && rank < 9 && c.kept {
        theme.rank_key
    } else {
        row_style
    };
    let token_style = if token.special {
        theme.special.patch(row_style)
    } else {
        row_style
    };
    let mut spans = vec![
        Span::styled(if is_actual { "●" } else { " " }, theme.marker),
        Span::styled(pad_left(&(rank + 1).to_string(), cols.rank), rank_style),
        Span::raw(" "),
        Span::styled(pad_right(&label, cols.token), token_style),
        Span::raw(" "),
    ];
    spans.extend(bar(c.prob, c.final_prob, cols.bar, theme));
    spans.push(Span::styled(
        format!(" {}", pad_left(&lang.percent(c.prob), cols.model)),
        row_style,
    ));
    if cols.cum > 0 {
        // Down the ranking, the running sum of what top-p reads (the distribution after
        // temperature and top-k in HF order, the untempered one after top-k in llama.cpp's):
        // the cut line falls where it reaches top-p.
        let cum: f64 = dist.candidates[..=rank].iter().map(|c| c.top_k_prob).sum();
        spans.push(Span::styled(
            format!(" {}", pad_left(&short_percent(lang, cum), cols.cum)),
            theme.dim,
        ));
    }
    spans.push(Span::styled(
        format!(" {}", pad_left(&lang.percent(c.final_prob), cols.sampled)),
        row_style,
    ));
    if cols.logit > 0 {
        spans.push(Span::styled(
            format!(" {}", pad_left(&logit_text(c.logit, lang), cols.logit)),
            theme.dim,
        ));
    }
    if cols.word > 0 {
        let text = word_cell(word, rank, state);
        spans.push(Span::styled(
            format!(" {}", pad_left(&text, cols.word)),
            row_style,
        ));
    }
    let line = Line::from(spans);
    if rank == state.selected {
        line.patch_style(Style::new().add_modifier(theme.selected))
    } else {
        line
    }
}

/// The word column of a candidate: the word's joint probability, `…` while it is computed,
/// `—` when the model could not complete it, nothing below the ranks that get words.
fn word_cell(word: Option<&WordGuess>, rank: usize, state: &State) -> String {
    match word {
        None if rank < words::word_ranks(state) || rank == state.selected => {
            state.lang.t(Text::WordPending).to_string()
        }
        None => String::new(),
        Some(w) if w.prob.is_nan() => "—".to_string(),
        Some(w) => state.lang.percent(w.prob),
    }
}

/// A completed word as the token column shows it (`…` when it was cut before its end).
fn word_label(word: &WordGuess) -> String {
    let label = token_label(&word.text, false);
    if word.complete {
        label
    } else {
        format!("{label}…")
    }
}

/// The label of a stage with its setting: `top-p 0.90`.
pub fn stage_label(stage: Stage, params: &SamplingParams, lang: Lang) -> String {
    match stage {
        Stage::Greedy => lang.t(Text::StageGreedy).to_string(),
        Stage::TopK => lang.f(Text::StageTopK, &[&params.top_k]),
        Stage::TopP => lang.f(Text::StageTopP, &[&lang.num(f64::from(params.top_p), 2)]),
        Stage::MinP => lang.f(Text::StageMinP, &[&lang.num(f64::from(params.min_p), 2)]),
    }
}

fn cut_line(
    stage: Stage,
    params: &SamplingParams,
    w: usize,
    lang: Lang,
    theme: &Theme,
) -> Line<'static> {
    rule_line(
        &lang.f(Text::CutLine, &[&stage_label(stage, params, lang)]),
        w,
        theme,
    )
}

/// `───  text  ───` across the pane.
fn rule_line(text: &str, w: usize, theme: &Theme) -> Line<'static> {
    let label = format!(" {text} ");
    let left = 3;
    let right = w.saturating_sub(left + width(&label));
    Line::from(Span::styled(
        format!("{}{label}{}", "─".repeat(left), "─".repeat(right)),
        theme.cut_line,
    ))
}

fn rest_line(
    dist: &Distribution,
    rows: &[ListRow],
    cols: &Columns,
    lang: Lang,
    theme: &Theme,
) -> Line<'static> {
    let (raw, fin, count) = rest_mass(dist, rows);
    let mut label = lang.f(Text::RestOfVocab, &[&lang.int(count)]);
    if width(&label) + 1 > cols.label_width() {
        label = lang.f(Text::RestOfVocabShort, &[&lang.int(count)]);
    }
    stat_line(&label, lang.percent(raw), lang.percent(fin), cols, theme)
}

/// A served model's rest row: what the unlisted shown hold plus `1 − Σ shown` (a lower bound).
fn served_rest_line(
    dist: &Distribution,
    rows: &[ListRow],
    cols: &Columns,
    state: &State,
    theme: &Theme,
) -> Option<Line<'static>> {
    let (raw, fin, count) = rest_mass(dist, rows);
    let (label, raw) = super::served::rest(state, dist, count, raw, cols.label_width())?;
    Some(stat_line(&label, raw, state.lang.percent(fin), cols, theme))
}

/// The raw and final mass of the candidates not listed in `rows`, and how many they are.
fn rest_mass(dist: &Distribution, rows: &[ListRow]) -> (f64, f64, usize) {
    let shown: Vec<usize> = rows
        .iter()
        .filter_map(|r| {
            if let ListRow::Candidate(r) = r {
                Some(*r)
            } else {
                None
            }
        })
        .collect();
    // The unshown candidates summed directly (not 1 − the shown ones, whose rounding residue
    // would print as "<0.01%" where every unshown token is cut): those after the last shown
    // rank, plus any gap before it (look-back lists the actual token out of order).
    let mut shown = shown;
    shown.sort_unstable();
    let end = shown.last().map_or(0, |&r| r + 1);
    let (mut raw, mut fin) = dist.mass_beyond(end);
    for (r, c) in dist.candidates[..end].iter().enumerate() {
        if shown.binary_search(&r).is_err() {
            raw += c.prob;
            fin += c.final_prob;
        }
    }
    (raw, fin, dist.candidates.len() - shown.len())
}

fn stat_line(
    label: &str,
    model: String,
    sampled: String,
    cols: &Columns,
    theme: &Theme,
) -> Line<'static> {
    let lw = cols.label_width();
    Line::from(vec![
        Span::styled(pad_right(&format!(" {label}"), lw), theme.dim),
        Span::styled(format!(" {}", pad_left(&model, cols.model)), theme.text),
        Span::raw(if cols.cum > 0 {
            " ".repeat(cols.cum + 1)
        } else {
            String::new()
        }),
        Span::styled(format!(" {}", pad_left(&sampled, cols.sampled)), theme.text),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rest_of_a_cut_vocabulary_is_exactly_zero_after_sampling() {
        // Many small logits: 1 − (the shown rows) would leave a rounding residue.
        let logits: Vec<f32> = (0..5000).map(|i| 10.0 - (i as f32).sqrt() * 0.37).collect();
        let params = SamplingParams {
            temperature: 0.8,
            top_p: 0.3,
            ..SamplingParams::default()
        };
        let dist = Distribution::new(&logits, &params);
        assert!(dist.kept < 10, "{}", dist.kept);
        let theme = Theme::mono();
        let cols = Columns::new(60, Lang::En, 20, false);
        for actual in [None, Some(40)] {
            let rows = list_rows(&dist, 0, actual, 20);
            let line = rest_line(&dist, &rows, &cols, Lang::En, &theme);
            let sampled = line.spans.last().expect("sampled column").content.trim();
            assert_eq!(sampled, "0%");
            let model = line.spans[1].content.trim().to_string();
            assert!(!model.starts_with('<') && model != "0%", "{model}");
        }
    }
}
