//! Prompt A/B: prompt B (with its cursor when typing goes there), its tokens, and the
//! comparison with A: KL(A‖B), each side's most likely token, the tokens whose probability
//! moved most, and B's top candidates. Drawn where the generation pane goes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::i18n::Text;
use crate::pieces::visible;
use crate::state::{Mode, State, Versus};

use super::layout::inner;
use super::text::short_percent;
use super::theme::Theme;

/// Draws the pane (nothing when A/B is off).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(v) = state.versus.as_ref() else {
        return;
    };
    let lang = state.lang;
    let side = if v.focus_b { "B" } else { "A" };
    let block = Block::bordered()
        .border_style(if v.focus_b && state.mode == Mode::Edit {
            theme.border_focus
        } else {
            theme.border
        })
        .title(Line::from(Span::styled(
            format!(" {} ", lang.f(Text::VersusTitle, &[&side])),
            theme.title,
        )));
    let body = inner(area);
    frame.render_widget(block, area);
    let mut lines = vec![prompt_line(v, state, theme)];
    lines.extend(comparison_lines(v, state, theme));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

/// Prompt B, with a cursor when it receives the typing.
fn prompt_line(v: &Versus, state: &State, theme: &Theme) -> Line<'static> {
    let text = v.editor.text();
    if text.is_empty() && !(v.focus_b && state.mode == Mode::Edit) {
        return Line::from(Span::styled(state.lang.t(Text::VersusEmpty), theme.dim));
    }
    let at = v.editor.cursor().min(text.len());
    let mut spans = vec![Span::styled("B› ", theme.header)];
    if v.focus_b && state.mode == Mode::Edit {
        let (before, after) = text.split_at(at);
        let mut rest = after.chars();
        let under = rest.next().map_or(" ".to_string(), |c| c.to_string());
        spans.push(Span::styled(before.to_string(), theme.text));
        spans.push(Span::styled(under, theme.cursor_token));
        spans.push(Span::styled(rest.as_str().to_string(), theme.text));
    } else {
        spans.push(Span::styled(text.to_string(), theme.text));
    }
    Line::from(spans)
}

/// B's tokens, the KL line, the moves and B's top candidates (from the comparison the state
/// keeps); a note while B is computed.
fn comparison_lines(v: &Versus, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let Some(c) = v.comparison.as_ref() else {
        if v.editor.is_empty() {
            return Vec::new();
        }
        return vec![Line::from(Span::styled(
            lang.t(Text::VersusWaiting),
            theme.pending,
        ))];
    };
    let tokens: Vec<String> = v
        .eval
        .as_ref()
        .map(|(_, ps)| ps.iter().map(|p| visible(&p.token.text)).collect())
        .unwrap_or_default();
    let name = |id: u32| format!("«{}»", visible(&state.token_view(id).text));
    let kl = c.kl_nats.map_or("—".into(), |kl| lang.num(kl, 3));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(tokens.join("|"), theme.dim),
            Span::styled(
                format!(
                    "  ({})",
                    lang.count(tokens.len(), Text::TokenOne, Text::TokenMany)
                ),
                theme.dim,
            ),
        ]),
        Line::from(Span::styled(
            lang.f(
                Text::VersusKl,
                &[
                    &kl,
                    &name(c.top_a.0),
                    &short_percent(lang, c.top_a.1),
                    &name(c.top_b.0),
                    &short_percent(lang, c.top_b.1),
                ],
            ),
            theme.value,
        )),
    ];
    let moves: Vec<String> = c
        .moves
        .iter()
        .take(4)
        .map(|m| {
            format!(
                "{} {}→{}",
                name(m.id),
                short_percent(lang, m.prob_a),
                short_percent(lang, m.prob_b)
            )
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", lang.t(Text::VersusMovedShort)), theme.dim),
        Span::styled(moves.join(" · "), theme.text),
    ]));
    let top: Vec<String> = c
        .top_b_list
        .iter()
        .enumerate()
        .map(|(i, &(id, p))| format!("{} {} {}", i + 1, name(id), short_percent(lang, p)))
        .collect();
    lines.push(Line::from(Span::styled(
        format!("B: {}", top.join("  ")),
        theme.text,
    )));
    lines
}
