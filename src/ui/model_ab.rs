//! Model A/B: the prompt as two models read it, side by side: each one's tokens (and how many:
//! Portuguese costs more tokens on an English tokenizer) and its most likely next tokens.
//! Drawn where the generation pane goes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::i18n::{Lang, Text};
use crate::pieces::visible;
use crate::state::model_b::Side;
use crate::state::{BStatus, ModelB, State};

use super::layout::inner;
use super::text::{short_percent, truncate};
use super::theme::Theme;

/// Draws the pane (nothing without model B).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(b) = state.models.b.as_ref() else {
        return;
    };
    let lang = state.lang;
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(Text::AbTitle)),
            theme.title,
        )));
    frame.render_widget(block, area);
    let body = inner(area);
    if body.height == 0 {
        return;
    }
    let a = b.a_side.as_ref().map(|(_, side)| side);
    let b_side = b.side_for(state.editor.text(), state.chat);
    let half = body.width / 2;
    let cols = body.height.saturating_sub(1);
    let left = Rect::new(body.x, body.y, half.saturating_sub(1), cols);
    let right = Rect::new(body.x + half + 1, body.y, body.width - half - 1, cols);
    let a_name = state
        .models
        .current
        .clone()
        .or_else(|| state.model_info().map(|i| i.name.clone()));
    let a_lines = match a {
        Some(side) => side_lines(
            "A",
            a_name.as_deref().unwrap_or("?"),
            side,
            lang,
            theme,
            left,
        ),
        None => waiting("A", a_name.as_deref().unwrap_or("?"), state, theme),
    };
    frame.render_widget(Paragraph::new(a_lines), left);
    // B's sides are one line per row, cut like A's; only its status (loading, an error) wraps.
    let b_widget = match b_side {
        Some(side) => Paragraph::new(side_lines("B", &b.name, side, lang, theme, right)),
        None => Paragraph::new(b_status_lines(b, state, theme)).wrap(Wrap { trim: false }),
    };
    frame.render_widget(b_widget, right);
    if let (Some(a), Some(b)) = (a, b_side) {
        let count = |n: usize| lang.count(n, Text::TokenOne, Text::TokenMany);
        let text = lang.f(
            Text::AbCompare,
            &[&count(a.tokens.len()), &count(b.tokens.len())],
        );
        let footer = Rect::new(body.x, body.y + cols, body.width, 1);
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(text, theme.value))),
            footer,
        );
    }
}

/// A side: its name and token count, its tokens, its top candidates.
fn side_lines(
    label: &str,
    name: &str,
    side: &Side,
    lang: Lang,
    theme: &Theme,
    area: Rect,
) -> Vec<Line<'static>> {
    let w = usize::from(area.width);
    let tokens: Vec<String> = side.tokens.iter().map(|t| visible(&t.text)).collect();
    // The count goes where it fits (the line under both sides gives it too).
    let count = lang.count(side.tokens.len(), Text::TokenOne, Text::TokenMany);
    let fits = label.chars().count() + 1 + name.chars().count() + 3 + count.chars().count() <= w;
    let mut lines = vec![
        header(label, name, theme, fits.then_some(count)),
        Line::from(Span::styled(truncate(&tokens.join("|"), w), theme.dim)),
    ];
    let room = usize::from(area.height).saturating_sub(lines.len());
    for (i, (token, p)) in side.top.iter().take(room).enumerate() {
        let row = format!(
            "{} {} {}",
            i + 1,
            lang.quote(&visible(&token.text)),
            short_percent(lang, *p)
        );
        lines.push(Line::from(Span::styled(truncate(&row, w), theme.text)));
    }
    lines
}

fn header(label: &str, name: &str, theme: &Theme, count: Option<String>) -> Line<'static> {
    let mut spans = vec![
        Span::styled(format!("{label} "), theme.header),
        Span::styled(name.to_string(), theme.value),
    ];
    if let Some(count) = count {
        spans.push(Span::styled(format!(" · {count}"), theme.dim));
    }
    Line::from(spans)
}

/// A side with nothing to show yet: an empty prompt, or the model computing.
fn waiting(label: &str, name: &str, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let text = match state.editor.is_empty() && !state.chat {
        true => Text::AbEmpty,
        false => Text::AbWaiting,
    };
    vec![
        header(label, name, theme, None),
        Line::from(Span::styled(state.lang.t(text), theme.pending)),
    ]
}

/// B while it loads, failed or computes.
fn b_status_lines(b: &ModelB, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let say = |text: String, style| {
        vec![
            header("B", &b.name, theme, None),
            Line::from(Span::styled(text, style)),
        ]
    };
    match &b.status {
        BStatus::Loading(p) => say(
            lang.f(
                Text::AbLoading,
                &[&lang.num(f64::from(p.fraction) * 100.0, 0)],
            ),
            theme.pending,
        ),
        BStatus::Failed(e) => say(describe(e, lang), theme.error),
        BStatus::Ready(_) => match &b.error {
            Some((p, c, e)) if *p == state.editor.text() && *c == state.chat => {
                say(describe(e, lang), theme.error)
            }
            _ => waiting("B", &b.name, state, theme),
        },
    }
}

fn describe(e: &crate::state::StateError, lang: Lang) -> String {
    use crate::i18n::Describe;
    e.describe(lang)
}
