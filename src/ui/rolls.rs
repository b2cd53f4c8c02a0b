//! Roll many: N seeded draws from the selected column, each drawn token's count beside the
//! probability it estimates: the observed bar (█) over the expected one (▒), so the class sees
//! frequencies approach probabilities as N grows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::sampling::spec;
use crate::state::State;

use super::layout::inner;
use super::text::{pad_left, pad_right, short_percent, token_label, truncate};
use super::theme::Theme;
use crate::i18n::Text;

/// Draws the pane.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = super::distribution::block(state, theme);
    let Some(view) = state.view.as_ref() else {
        return;
    };
    let (Some(rolls), Some(dist)) = (view.rolls.as_ref(), view.dist.as_ref()) else {
        return;
    };
    let lang = state.lang;
    let body = inner(area);
    let block = super::served::bottom_note(block, state, area.width, theme);
    frame.render_widget(block, area);
    let column = format!(
        "{}:{}",
        state.lab.selected + 1,
        spec::header(&dist.params, lang)
    );
    let mut lines = vec![
        Line::from(Span::styled(
            lang.f(
                Text::RollsSummary,
                &[
                    &lang.int(rolls.n),
                    &column,
                    &rolls.seed,
                    &lang.int(rolls.distinct()),
                ],
            ),
            theme.header,
        )),
        Line::from(Span::styled(lang.t(Text::RollsLegend), theme.dim)),
    ];
    let w = usize::from(body.width);
    let token_w = (w / 5).clamp(6, 16);
    let numbers_w = 7 + 1 + 8 + 1 + 7;
    let bar_w = w.saturating_sub(token_w + numbers_w + 2).max(4);
    // One row is kept for the note on what the list leaves out.
    let rows = usize::from(body.height).saturating_sub(lines.len() + 1);
    // Tokens by probability (rank order), so the expected bars fall off smoothly; the counts
    // beside them.
    let kept = dist.kept.min(rows);
    let max_p = dist.candidates[0].final_prob.max(1e-12);
    for c in &dist.candidates[..kept] {
        let count = rolls.count_of(c.id);
        let seen = count as f64 / rolls.n.max(1) as f64;
        let token = state.token_view(c.id);
        let label = truncate(&token_label(&token.text, token.special), token_w);
        let cells = |p: f64| ((p / max_p) * bar_w as f64).round() as usize;
        let (e, o) = (cells(c.final_prob).min(bar_w), cells(seen).min(bar_w));
        let bar: String = (0..bar_w)
            .map(|i| match (i < o, i < e) {
                (true, _) => '█',
                (false, true) => '▒',
                _ => ' ',
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled(pad_right(&label, token_w), theme.text),
            Span::raw(" "),
            Span::styled(bar, theme.bar),
            Span::raw(" "),
            Span::styled(pad_left(&short_percent(lang, c.final_prob), 7), theme.dim),
            Span::styled(pad_left(&lang.int(count), 9), theme.value),
            Span::styled(pad_left(&short_percent(lang, seen), 8), theme.text),
        ]));
    }
    lines.extend(not_listed(dist, rolls, kept, lang, theme));
    frame.render_widget(Paragraph::new(lines), body);
}

/// The list is partial: how many kept tokens and how many draws it does not show.
fn not_listed(
    dist: &crate::sampling::Distribution,
    rolls: &crate::sampling::Rolls,
    listed_ranks: usize,
    lang: crate::i18n::Lang,
    theme: &Theme,
) -> Option<Line<'static>> {
    if dist.kept <= listed_ranks {
        return None;
    }
    let listed: usize = dist.candidates[..listed_ranks]
        .iter()
        .map(|c| rolls.count_of(c.id))
        .sum();
    Some(Line::from(Span::styled(
        lang.f(
            Text::RollsNotListed,
            &[
                &lang.int(dist.kept - listed_ranks),
                &lang.int(rolls.n - listed),
            ],
        ),
        theme.dim,
    )))
}
