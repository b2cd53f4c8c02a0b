//! The two bottom lines: facts about the model and the last computation, then the mode and
//! the key hints for it (generated from the keymap).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::engine::Device;
use crate::i18n::Describe;
use crate::i18n::{Lang, Text};
use crate::keymap::{self, Context};
use crate::model::{LoadStep, Precision};
use crate::state::{ModelStatus, State};

use super::text::{line_width, truncate, width};
use super::theme::Theme;

/// Braille spinner frames, one per tick.
const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// One part of the status line: its spans, whether it joins the previous part without a
/// `·` separator, and when it goes if the line is too narrow (lower goes first; `KEEP` never).
struct Part {
    spans: Vec<Span<'static>>,
    attached: bool,
    drop_order: u8,
}

const KEEP: u8 = u8::MAX;

impl Part {
    fn new(drop_order: u8, spans: Vec<Span<'static>>) -> Part {
        Part {
            spans,
            attached: false,
            drop_order,
        }
    }

    fn attached(mut self) -> Part {
        self.attached = true;
        self
    }
}

/// The parts joined with ` · ` separators.
fn join(parts: &[Part], theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        if n > 0 && !part.attached {
            spans.push(Span::styled(" · ", theme.dim));
        }
        spans.extend(part.spans.iter().cloned());
    }
    spans
}

fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| width(&s.content)).sum()
}

/// Drops whole parts, lowest `drop_order` first, until `fits` says the joined parts fit.
fn drop_until(parts: &mut Vec<Part>, fits: impl Fn(&[Part]) -> bool) {
    while !fits(parts) {
        let Some(i) = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.drop_order != KEEP)
            .min_by_key(|(_, p)| p.drop_order)
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(i);
    }
}

/// Draws the status line: facts about the model and the last computation on the left, notices,
/// the text mode and the language on the right. When they do not fit, whole parts are dropped
/// (the cached count first), never cut mid-word, and a ` · ` gap always separates the two sides.
pub fn render_status(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let left = left_parts(state, theme);
    let right = right_parts(state, theme);
    let line = arrange(left, right, usize::from(area.width), theme);
    frame.render_widget(Paragraph::new(line), area);
}

/// The model (or its loading progress), the sequence length, the last computation.
fn left_parts(state: &State, theme: &Theme) -> Vec<Part> {
    let lang = state.lang;
    let mut left = model_parts(state, theme);
    left.extend(other_model_parts(state, theme));
    let count = state.sequence_len();
    if count > 0 {
        left.push(Part::new(
            5,
            vec![Span::styled(
                lang.f(Text::TokenCount, &[&lang.int(count)]),
                theme.text,
            )],
        ));
    }
    if let Some(eval) = &state.eval {
        left.push(Part::new(
            4,
            vec![Span::styled(
                lang.f(Text::Millis, &[&eval.elapsed.as_millis()]),
                theme.text,
            )],
        ));
        if eval.reused > 0 {
            left.push(
                Part::new(
                    1,
                    vec![Span::styled(
                        format!(" ({})", lang.f(Text::CachedCount, &[&eval.reused])),
                        theme.dim,
                    )],
                )
                .attached(),
            );
        }
    }
    if state.awaiting.is_some() && state.model_info().is_some() {
        let frame_no = (state.tick % SPINNER.len() as u64) as usize;
        left.push(
            Part::new(
                KEEP,
                vec![Span::styled(
                    format!(
                        " {} {}",
                        SPINNER[frame_no],
                        super::served::in_flight(state)
                            .unwrap_or_else(|| lang.t(Text::Computing).to_string())
                    ),
                    theme.notice,
                )],
            )
            .attached(),
        );
    }
    left
}

/// The model's name, device and precision, or how far loading is.
fn model_parts(state: &State, theme: &Theme) -> Vec<Part> {
    let lang = state.lang;
    let mut left: Vec<Part> = Vec::new();
    match &state.model {
        ModelStatus::Loading(progress) => {
            let (fraction, step) = (progress.fraction, load_step(progress.step, lang));
            let cells = 12;
            let filled = ((fraction.clamp(0.0, 1.0) * cells as f32).round() as usize).min(cells);
            left.push(Part::new(
                KEEP,
                vec![
                    Span::styled(format!("{} ", lang.t(Text::Loading)), theme.text),
                    Span::styled("█".repeat(filled), theme.bar),
                    Span::styled("░".repeat(cells - filled), theme.bar_ghost),
                    Span::styled(format!(" {:.0}%", fraction * 100.0), theme.value),
                ],
            ));
            left.push(Part::new(0, vec![Span::styled(format!(" {step}"), theme.dim)]).attached());
        }
        ModelStatus::Failed => left.push(Part::new(
            KEEP,
            vec![Span::styled(lang.t(Text::NoModel), theme.error)],
        )),
        ModelStatus::Ready(info) => {
            left.push(Part::new(
                KEEP,
                vec![Span::styled(info.name.clone(), theme.value)],
            ));
            if let Some(s) = &state.served {
                // A served model: where, not a device and precision it does not tell.
                left.push(Part::new(
                    3,
                    vec![Span::styled(
                        format!("{} {}", lang.t(Text::ServedDevice), s.url),
                        theme.text,
                    )],
                ));
                return left;
            }
            left.push(Part::new(
                3,
                vec![Span::styled(device_label(info.device, lang), theme.text)],
            ));
            // Fast mode's numbers are approximate, and the line says so as long as anything
            // beside the name fits; exact (the default) gives way early.
            let order = match info.precision {
                Precision::Exact => 2,
                Precision::Fast => 6,
            };
            left.push(Part::new(
                order,
                vec![Span::styled(
                    lang.t(precision_label(info.precision)),
                    theme.text,
                )],
            ));
        }
    }
    left
}

/// A model loading to replace the current one (with its progress) and model B.
fn other_model_parts(state: &State, theme: &Theme) -> Vec<Part> {
    let lang = state.lang;
    let mut parts = Vec::new();
    if let Some(incoming) = &state.models.incoming {
        let pct = lang.num(f64::from(incoming.progress.fraction) * 100.0, 0);
        parts.push(Part::new(
            KEEP,
            vec![Span::styled(
                format!("{} {pct}%", lang.f(Text::StatusIncoming, &[&incoming.name])),
                theme.notice,
            )],
        ));
    }
    if let Some(b) = &state.models.b {
        parts.push(Part::new(
            6,
            vec![Span::styled(
                lang.f(Text::StatusModelB, &[&b.name]),
                theme.text,
            )],
        ));
    }
    parts
}

/// The error or notice, the text mode and the language.
fn right_parts(state: &State, theme: &Theme) -> Vec<Part> {
    let lang = state.lang;
    let mut right: Vec<Part> = Vec::new();
    if let Some(error) = &state.error {
        let text = super::served::error_text(state, error)
            .unwrap_or_else(|| lang.f(Text::ErrorPrefix, &[&error.describe(lang)]));
        right.push(Part::new(KEEP, vec![Span::styled(text, theme.error)]));
    } else if let Some(notice) = &state.notice {
        let text = match &notice.arg {
            Some(arg) => lang.f(notice.text, &[arg]),
            None => lang.t(notice.text).to_string(),
        };
        right.push(Part::new(KEEP, vec![Span::styled(text, theme.notice)]));
    }
    let text_mode = if state.chat {
        Text::ChatLabel
    } else {
        Text::RawTextLabel
    };
    right.push(Part::new(
        1,
        vec![Span::styled(lang.t(text_mode), theme.dim)],
    ));
    right.push(Part::new(
        0,
        vec![Span::styled(lang.t(Text::LanguageName), theme.dim)],
    ));
    right
}

/// Both sides on one line of `w` columns: parts dropped until they fit, the gap between them.
fn arrange(mut left: Vec<Part>, mut right: Vec<Part>, w: usize, theme: &Theme) -> Line<'static> {
    // One column of margin on each side, and the ` · ` gap between the two sides.
    const MARGIN: usize = 1;
    const GAP: usize = 3;
    // The right side (errors and notices first) wins: it gives up its own extras only when it
    // cannot fit beside the model's name.
    let name_w = left.first().map_or(0, |p| spans_width(&p.spans)).min(w / 2);
    drop_until(&mut right, |parts| {
        2 * MARGIN + name_w + GAP + spans_width(&join(parts, theme)) <= w
    });
    let right_spans = join(&right, theme);
    let right_w = spans_width(&right_spans);
    drop_until(&mut left, |parts| {
        2 * MARGIN + spans_width(&join(parts, theme)) + GAP + right_w <= w
    });
    let mut spans = vec![Span::raw(" ".repeat(MARGIN))];
    let left_spans = join(&left, theme);
    let left_room = w.saturating_sub(2 * MARGIN + GAP + right_w);
    spans.extend(fit_spans(left_spans, left_room));
    let used = spans_width(&spans);
    let pad = w.saturating_sub(used + right_w + MARGIN);
    if pad < 2 * GAP {
        // Close together: the gap is a separator.
        spans.push(Span::raw(" ".repeat(pad.saturating_sub(2))));
        spans.push(Span::styled("· ", theme.dim));
    } else {
        spans.push(Span::raw(" ".repeat(pad)));
    }
    spans.extend(fit_spans(
        right_spans,
        w.saturating_sub(used + GAP + MARGIN),
    ));
    spans.push(Span::raw(" ".repeat(MARGIN)));
    Line::from(spans)
}

/// `spans` cut to `room` columns (the last resort when even the parts that are kept do not
/// fit: a very long notice or model name).
fn fit_spans(spans: Vec<Span<'static>>, room: usize) -> Vec<Span<'static>> {
    if spans_width(&spans) <= room {
        return spans;
    }
    let mut out: Vec<Span<'static>> = Vec::new();
    for span in spans {
        let used = spans_width(&out);
        if used + width(&span.content) > room {
            out.push(Span::styled(
                truncate(&span.content, room.saturating_sub(used)),
                span.style,
            ));
            break;
        }
        out.push(span);
    }
    out
}

/// Draws the mode badge and as many key hints as fit, most important first.
pub fn render_hints(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let ctx = state.key_context();
    let (badge, style) = match ctx {
        Context::Edit => (Text::ModeEdit, theme.badge_edit),
        Context::Explore => (Text::ModeExplore, theme.badge_explore),
        Context::Help => (Text::ModeHelp, theme.badge_help),
        Context::Confirm => (Text::ModeConfirm, theme.badge_help),
        Context::Branches => (Text::ModeBranches, theme.badge_help),
        Context::Picker => (Text::ModeModels, theme.badge_help),
        Context::InsideWord => (Text::ModeInsideWord, theme.badge_help),
    };
    let w = usize::from(area.width);
    let mut line = Line::from(vec![
        Span::styled(format!(" {} ", lang.t(badge)), style),
        Span::raw(" "),
    ]);
    let hints = keymap::hints(ctx, lang)
        .into_iter()
        .filter(|h| crate::state::encoder::offers(state, &h.action))
        .filter(|h| crate::state::inside::offers(state, &h.action));
    for (n, hint) in hints.enumerate() {
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

/// The words for a loading step.
pub fn load_step(step: LoadStep, lang: Lang) -> &'static str {
    lang.t(match step {
        LoadStep::Reading => Text::StepReading,
        LoadStep::Tokenizer => Text::StepTokenizer,
        LoadStep::Embeddings => Text::StepEmbeddings,
        LoadStep::Layers => Text::StepLayers,
        LoadStep::Output => Text::StepOutput,
    })
}

/// `exact f32` / `exato f32`, `fast int4` / `rápido int4`.
pub fn precision_label(p: Precision) -> Text {
    match p {
        Precision::Exact => Text::PrecisionExact,
        Precision::Fast => Text::PrecisionFast,
    }
}

/// `cpu`, `cuda:0`.
pub fn device_label(d: Device, lang: Lang) -> String {
    match d {
        Device::Cpu => lang.t(Text::DeviceCpu).to_string(),
        Device::Cuda(i) => format!("cuda:{i}"),
    }
}
