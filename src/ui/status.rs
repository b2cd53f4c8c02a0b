//! The two bottom lines: facts about the model and the last computation, then the mode and
//! the key hints for it (generated from the keymap).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::i18n::Text;
use crate::keymap::{self, Context};
use crate::state::{ModelStatus, State};

use super::text::{line_width, truncate, width};
use super::theme::Theme;

/// Braille spinner frames, one per tick.
const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// Draws the status line.
pub fn render_status(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let w = usize::from(area.width);
    let sep = || Span::styled(" · ", theme.dim);
    let mut left: Vec<Span<'static>> = vec![Span::raw(" ")];
    match &state.model {
        ModelStatus::Loading { fraction, step } => {
            let cells = 12;
            let filled = ((fraction.clamp(0.0, 1.0) * cells as f32).round() as usize).min(cells);
            left.push(Span::styled(
                format!("{} ", lang.t(Text::Loading)),
                theme.text,
            ));
            left.push(Span::styled("█".repeat(filled), theme.bar));
            left.push(Span::styled("░".repeat(cells - filled), theme.bar_ghost));
            left.push(Span::styled(
                format!(" {:.0}% ", fraction * 100.0),
                theme.value,
            ));
            left.push(Span::styled(step.clone(), theme.dim));
        }
        ModelStatus::Failed(_) => left.push(Span::styled(lang.t(Text::NoModel), theme.error)),
        ModelStatus::Ready(info) => {
            left.push(Span::styled(info.name.clone(), theme.value));
            left.push(sep());
            left.push(Span::styled(info.device.clone(), theme.text));
            left.push(sep());
            left.push(Span::styled(info.precision.clone(), theme.text));
        }
    }
    let count = state.sequence_len();
    if count > 0 {
        left.push(sep());
        left.push(Span::styled(
            lang.f(Text::TokenCount, &[&lang.int(count)]),
            theme.text,
        ));
    }
    if let Some(eval) = &state.eval {
        left.push(sep());
        left.push(Span::styled(
            lang.f(Text::Millis, &[&eval.elapsed.as_millis()]),
            theme.text,
        ));
        if eval.reused > 0 {
            left.push(Span::styled(
                format!(" ({})", lang.f(Text::CachedCount, &[&eval.reused])),
                theme.dim,
            ));
        }
    }
    if state.awaiting.is_some() && state.model_info().is_some() {
        let frame_no = (state.tick % SPINNER.len() as u64) as usize;
        left.push(Span::styled(
            format!(" {} {}", SPINNER[frame_no], lang.t(Text::Computing)),
            theme.notice,
        ));
    }

    let mut right: Vec<Span<'static>> = Vec::new();
    if let Some(error) = &state.error {
        right.push(Span::styled(
            lang.f(Text::ErrorPrefix, &[error]),
            theme.error,
        ));
    } else if let Some(notice) = &state.notice {
        let text = match &notice.arg {
            Some(arg) => lang.f(notice.text, &[arg]),
            None => lang.t(notice.text).to_string(),
        };
        right.push(Span::styled(text, theme.notice));
    }
    if !right.is_empty() {
        right.push(sep());
    }
    right.push(Span::styled(
        if state.chat {
            lang.t(Text::ChatLabel)
        } else {
            lang.t(Text::RawTextLabel)
        },
        theme.dim,
    ));
    right.push(sep());
    right.push(Span::styled(
        format!("{} ", lang.t(Text::LanguageName)),
        theme.dim,
    ));

    let mut left_line = Line::from(left);
    let right_w = right.iter().map(|s| width(&s.content)).sum::<usize>();
    // The right part (errors first) wins; the left part is cut to what remains.
    let room = w.saturating_sub(right_w + 1);
    if line_width(&left_line) > room {
        let mut cut = Line::default();
        for span in left_line.spans {
            let used = line_width(&cut);
            if used + width(&span.content) > room {
                cut.spans.push(Span::styled(
                    truncate(&span.content, room.saturating_sub(used)),
                    span.style,
                ));
                break;
            }
            cut.spans.push(span);
        }
        left_line = cut;
    }
    let pad = w.saturating_sub(line_width(&left_line) + right_w);
    let mut spans = left_line.spans;
    spans.push(Span::raw(" ".repeat(pad)));
    spans.extend(right);
    let mut line = Line::from(spans);
    if line_width(&line) > w {
        line = Line::from(Span::styled(truncate(&line.to_string(), w), theme.text));
    }
    frame.render_widget(Paragraph::new(line), area);
}

/// Draws the mode badge and as many key hints as fit, most important first.
pub fn render_hints(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let ctx = state.key_context();
    let (badge, style) = match ctx {
        Context::Edit => (Text::ModeEdit, theme.badge_edit),
        Context::Explore => (Text::ModeExplore, theme.badge_explore),
        Context::Help => (Text::ModeHelp, theme.badge_help),
    };
    let w = usize::from(area.width);
    let mut line = Line::from(vec![
        Span::styled(format!(" {} ", lang.t(badge)), style),
        Span::raw(" "),
    ]);
    for (n, hint) in keymap::hints(ctx, lang).into_iter().enumerate() {
        let sep = if n == 0 { "" } else { "  " };
        let item = width(sep) + width(&hint.keys) + 1 + width(hint.label);
        if line_width(&line) + item > w {
            break;
        }
        line.spans.push(Span::raw(sep));
        line.spans.push(Span::styled(hint.keys, theme.key));
        line.spans
            .push(Span::styled(format!(" {}", hint.label), theme.dim));
    }
    frame.render_widget(Paragraph::new(line), area);
}
