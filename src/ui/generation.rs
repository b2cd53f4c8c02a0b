//! The "Generation" pane: the text so far (prompt dimmed, the continuation coloured by GLTR
//! rank, tokens picked by hand underlined), the branch position, undo/redo availability and the
//! model's probability of the whole continuation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::action::Action;
use crate::i18n::Text;
use crate::keymap::{self, Context};
use crate::pieces;
use crate::state::{AUTOPLAY_DELAYS_MS, Autoplay, State, StopReason};

use super::layout::inner;
use super::text::{line_width, truncate, width, wrap, wrap_words};
use super::theme::Theme;

/// Draws the pane.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let depth = if state.fresh() { state.tree.depth() } else { 0 };
    let block = pane_block(state, area, depth, theme);
    let body = inner(area);
    frame.render_widget(block, area);
    if body.height == 0 {
        return;
    }
    let lines = body_lines(state, body, depth, theme);
    frame.render_widget(Paragraph::new(lines), body);
}

/// The border with the title (how many generated, which branch) and the undo/redo keys.
fn pane_block<'a>(state: &State, area: Rect, depth: usize, theme: &Theme) -> Block<'a> {
    let lang = state.lang;
    let tree = &state.tree;
    let mut title = format!(" {} ", lang.t(Text::GenerationTitle));
    if depth > 0 {
        title.push_str(&format!(
            "· {} ",
            lang.count(depth, Text::GeneratedOne, Text::GeneratedCount)
        ));
        let fork = match state.look {
            Some(i) if i >= state.prompt_len() => tree.node_at(i - state.prompt_len()),
            _ => tree.last_fork(),
        };
        if let Some(node) = fork {
            let (i, n) = tree.sibling_position(node);
            if n > 1 {
                title.push_str(&format!("· {} ", lang.f(Text::BranchOf, &[&i, &n])));
            }
        }
    }
    let undo_key = keymap::key_label(Context::Explore, &Action::Undo, lang).unwrap_or_default();
    let redo_key = keymap::key_label(Context::Explore, &Action::Redo, lang).unwrap_or_default();
    // Dim when there is nothing to undo or redo, and in Edit mode, where these keys type.
    let explore = super::pane_context(state) == Context::Explore;
    let can_undo = depth > 0 && explore;
    let can_redo = tree.can_redo() && explore;
    let availability = |ok: bool| if ok { theme.key } else { theme.dim };
    let undo_redo = Line::from(vec![
        Span::raw(" "),
        Span::styled(undo_key, availability(can_undo)),
        Span::styled(
            format!(" {} ", lang.t(Text::UndoLabel)),
            if can_undo { theme.text } else { theme.dim },
        ),
        Span::styled(redo_key, availability(can_redo)),
        Span::styled(
            format!(" {} ", lang.t(Text::RedoLabel)),
            if can_redo { theme.text } else { theme.dim },
        ),
    ])
    .right_aligned();
    // The undo/redo keys give way when they would cover the title.
    let fits = line_width(&undo_redo) + width(&title) + 2 <= usize::from(area.width);
    let mut block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(title, theme.title)));
    if fits {
        block = block.title(undo_redo);
    }
    block
}

/// The text, token by token; a line break in the continuation leaves a dim `↵`, so a
/// generated newline (at the end above all) can be seen.
fn text_pieces(state: &State, theme: &Theme) -> Vec<(String, Style)> {
    let seq = state.sequence();
    let mut pieces: Vec<(String, Style)> = Vec::with_capacity(seq.len());
    for t in &seq {
        let mut style = if !t.generated {
            theme.dim
        } else if t.pending {
            theme.pending
        } else if t.token.special {
            theme.special
        } else {
            theme.rank(t.rank)
        };
        if t.picked {
            style = style.add_modifier(theme.picked);
        }
        if state.look == Some(t.index) {
            style = style.patch(theme.cursor_token).add_modifier(theme.selected);
        }
        let text = readable(&t.token.text);
        if t.generated {
            for (n, part) in text.split('\n').enumerate() {
                if n > 0 {
                    pieces.push((pieces::NEWLINE.to_string(), style.patch(theme.dim)));
                    pieces.push(("\n".to_string(), style));
                }
                if !part.is_empty() {
                    pieces.push((part.to_string(), style));
                }
            }
        } else {
            pieces.push((text, style));
        }
    }
    pieces
}

/// The rows inside the pane: the newest lines of text, the hint before the first token, the
/// footer.
fn body_lines(state: &State, body: Rect, depth: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let w = usize::from(body.width);
    let seq_empty = state.sequence().is_empty();
    let pieces = text_pieces(state, theme);
    // Before the first token the footer's row holds text too, unless it has something to say.
    let footer = footer(state, w, depth, theme);
    let footer_rows = u16::from(depth > 0 || !footer.spans.is_empty());
    let text_rows = usize::from(body.height.saturating_sub(footer_rows)).max(1);
    let mut lines = if seq_empty {
        Vec::new()
    } else {
        wrap(&pieces, w)
    };
    // Before the first token, a prompt that ends in a line break (the chat template's
    // "assistant\n") leaves no empty row above the hint.
    while depth == 0 && lines.last().is_some_and(|l| line_width(l) == 0) {
        lines.pop();
    }
    // Before the first token, the hint's rows are reserved first and the text keeps its
    // newest lines (the end of the prompt is where generation starts).
    let mut hint: Vec<Line<'static>> = Vec::new();
    if depth == 0 && body.height >= 2 {
        let text = lang.f(
            Text::NothingGenerated,
            // No-break spaces keep "Esc, then 1–9" on one line.
            &[
                &super::step_keys(state),
                &super::pick_keys(state).replace(' ', "\u{a0}"),
            ],
        );
        let mut rows = wrap_words(&text, w);
        let room = text_rows.saturating_sub(usize::from(!lines.is_empty()));
        if rows.len() > room {
            rows.truncate(room);
            if let Some(last) = rows.last_mut() {
                *last = truncate(&format!("{last}…"), w);
            }
        }
        hint = rows
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim)))
            .collect();
    }
    let room = text_rows - hint.len();
    if lines.len() > room {
        lines.drain(..lines.len() - room);
    }
    lines.extend(hint);
    while lines.len() < text_rows {
        lines.push(Line::default());
    }
    if footer_rows > 0 {
        lines.push(footer);
    }
    lines
}

/// Token text as running text: line breaks and spaces stay, other control characters (tabs,
/// carriage returns) get their visible stand-ins so they cannot disturb the screen.
fn readable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | ' ' => c.to_string(),
            c if c.is_control() => pieces::visible(&c.to_string()),
            c => c.to_string(),
        })
        .collect()
}

/// Sequence probability, autoplay and legend, as much as fits.
fn footer(state: &State, w: usize, depth: usize, theme: &Theme) -> Line<'static> {
    let lang = state.lang;
    let mut parts: Vec<Span<'static>> = Vec::new();
    match state.autoplay {
        Autoplay::Running { .. } => parts.push(Span::styled(
            lang.f(
                Text::AutoplayOn,
                &[&AUTOPLAY_DELAYS_MS[state.autoplay_speed]],
            ),
            theme.key,
        )),
        Autoplay::Stopped(StopReason::EndOfText) => {
            parts.push(Span::styled(lang.t(Text::StoppedEos), theme.notice))
        }
        Autoplay::Stopped(StopReason::Limit) => parts.push(Span::styled(
            lang.f(Text::StoppedLimit, &[&state.max_new_tokens]),
            theme.notice,
        )),
        Autoplay::Off => {}
    }
    let (logp, n) = state.generated_logprob();
    if depth > 0 && n > 0 {
        let perplexity = (-logp / n as f64).exp();
        parts.push(Span::styled(
            lang.f(
                Text::SequenceStats,
                &[&lang.num(logp, 2), &lang.num(perplexity, 2)],
            ),
            theme.dim,
        ));
    }
    if state.sequence().iter().any(|t| t.picked) {
        parts.push(Span::styled(
            lang.t(Text::PickedLegend),
            theme.dim.add_modifier(theme.picked),
        ));
    }
    let mut line = Line::default();
    for part in parts {
        let sep = if line.spans.is_empty() { 0 } else { 3 };
        if line_width(&line) + sep + super::text::width(&part.content) > w {
            break;
        }
        if sep > 0 {
            line.spans.push(Span::styled(" · ", theme.dim));
        }
        line.spans.push(part);
    }
    line
}
