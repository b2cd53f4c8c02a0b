//! The "Sampling" pane: every setting with the keys that change it, and the last dice roll:
//! where the uniform number `u` landed on the cumulative bar of the kept candidates.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::action::Action;
use crate::i18n::{Lang, Text};
use crate::keymap::{self, Context};
use crate::sampling::StageOrder;
use crate::state::{Choice, Roll, State};

use super::layout::inner;
use super::text::{pad_right, token_label, truncate, width, wrap_words};
use super::theme::Theme;

/// Labels of the keys bound to these actions in Explore mode, joined: `t/T`.
fn keys(actions: &[Action], lang: Lang) -> String {
    let keys: Vec<_> = actions
        .iter()
        .flat_map(|a| keymap::keys_for(Context::Explore, a).into_iter().take(1))
        .collect();
    keymap::join_labels(&keys, lang)
}

/// The title: "Sampling", the selected column when the lab shows several, the stage order
/// when it is llama.cpp's.
fn title(state: &State) -> String {
    let lang = state.lang;
    let mut title = lang.t(Text::SamplingTitle).to_string();
    if state.lab.len() > 1 {
        let column = lang.f(
            Text::SamplingColumn,
            &[&(state.lab.selected + 1), &state.lab.len()],
        );
        title = format!("{title} · {column}");
    }
    if state.params.order == StageOrder::LlamaCpp {
        title = format!("{title} · llama.cpp");
    }
    title
}

/// Draws the pane.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" {} ", title(state)),
            theme.title,
        )));
    let body = inner(area);
    frame.render_widget(block, area);
    let w = usize::from(body.width);
    let mut lines = settings_lines(state, w, theme);
    let mut roll = roll_lines(state, w, theme);
    // A served model's dice is over the shown candidates only: said under the roll's summary.
    if let Some(note) = state
        .roll
        .as_ref()
        .and_then(|r| super::served::dice_note(state, r.candidates))
    {
        roll.insert(1, Line::from(Span::styled(truncate(&note, w), theme.dim)));
    }
    lines.extend(roll);
    frame.render_widget(Paragraph::new(lines), body);
}

/// The four settings as shown: (label, value, keys).
fn settings(state: &State) -> [(String, String, String); 4] {
    let lang = state.lang;
    let p = &state.params;
    let off = lang.t(Text::Off);

    let temperature = if p.temperature <= 0.0 {
        format!("0 · {}", lang.t(Text::Greedy))
    } else {
        lang.num(f64::from(p.temperature), 2)
    };
    let top_k = if p.top_k == 0 {
        off.to_string()
    } else {
        lang.int(p.top_k)
    };
    let top_p = if p.top_p >= 1.0 {
        off.to_string()
    } else {
        lang.num(f64::from(p.top_p), 2)
    };
    let min_p = if p.min_p <= 0.0 {
        off.to_string()
    } else {
        lang.num(f64::from(p.min_p), 2)
    };
    [
        (
            lang.t(Text::Temperature).to_string(),
            temperature,
            keys(&[Action::TemperatureDown, Action::TemperatureUp], lang),
        ),
        (
            "top-k".to_string(),
            top_k,
            keys(&[Action::TopKDown, Action::TopKUp], lang),
        ),
        (
            "top-p".to_string(),
            top_p,
            keys(&[Action::TopPDown, Action::TopPUp], lang),
        ),
        (
            "min-p".to_string(),
            min_p,
            keys(&[Action::MinPDown, Action::MinPUp], lang),
        ),
    ]
}

/// The four settings with their keys, and the draw mode with the seed.
fn settings_lines(state: &State, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let p = &state.params;
    let mode = if p.temperature <= 0.0 {
        lang.t(Text::Greedy)
    } else {
        lang.t(Text::RandomDraw)
    };
    let mode_seed = format!("{mode} · {} {}", lang.t(Text::Seed), p.seed);
    let settings = settings(state);
    // The keys are Explore-mode keys: in Edit mode they type, so they are dimmed there.
    let key_style = if super::pane_context(state) == Context::Explore {
        theme.key
    } else {
        theme.dim
    };
    let label_w = settings.iter().map(|(l, _, _)| width(l)).max().unwrap_or(0) + 1;
    let mut lines: Vec<Line<'static>> = settings
        .into_iter()
        .map(|(label, value, key)| {
            let value_w = w.saturating_sub(label_w + width(&key) + 1);
            Line::from(vec![
                Span::styled(pad_right(&label, label_w), theme.dim),
                Span::styled(pad_right(&value, value_w), theme.value),
                Span::raw(" "),
                Span::styled(key, key_style),
            ])
        })
        .collect();
    let mode_keys = format!(
        "{} {}",
        keys(&[Action::ToggleGreedy], lang),
        keys(&[Action::NextSeed, Action::PrevSeed], lang)
    );
    lines.push(Line::from(vec![
        Span::styled(
            pad_right(&mode_seed, w.saturating_sub(width(&mode_keys) + 1)),
            theme.value,
        ),
        Span::raw(" "),
        Span::styled(mode_keys, key_style),
    ]));
    lines
}

/// The dice: what was drawn, the cumulative bar and where `u` landed.
fn roll_lines(state: &State, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let Some(roll) = &state.roll else {
        return wrap_words(&lang.f(Text::NoRollYet, &[&super::step_keys(state)]), w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim)))
            .collect();
    };
    let token = token_label(&roll.token.text, roll.token.special);
    let rank = roll.rank + 1;
    let summary = match roll.choice {
        Choice::Sampled { params, .. } if params.temperature <= 0.0 => {
            lang.f(Text::GreedyChoice, &[&token])
        }
        Choice::Sampled { draw, params } => {
            let mut roll = format!("u = {} → #{rank} {token}", lang.num(draw.u, 4));
            // In the lab, which column the dice was rolled in.
            if state.lab.len() > 1
                && let Some(i) = state
                    .lab
                    .columns(&state.params)
                    .iter()
                    .position(|c| c.validated() == params)
            {
                roll.push_str(&format!(
                    " · {}",
                    lang.f(Text::SamplingColumn, &[&(i + 1), &state.lab.len()])
                ));
            }
            let label = if state.look.is_some() {
                Text::RollHere
            } else {
                Text::LastRoll
            };
            let labelled = format!("{}: {roll}", lang.t(label));
            if width(&labelled) <= w {
                labelled
            } else {
                roll
            }
        }
        Choice::Picked { .. } => lang.f(Text::PickedByYou, &[&rank, &token]),
    };
    let mut lines = vec![Line::from(Span::styled(truncate(&summary, w), theme.text))];
    lines.push(Line::from(cumulative_bar(roll, w, theme)));
    let u = match roll.choice {
        Choice::Sampled { draw, .. } => Some(draw.u),
        Choice::Picked { .. } => None,
    };
    let range = lang.f(
        Text::CumulativeRange,
        // The same precision as u, so u is never seen outside its interval.
        &[&lang.num(roll.range.0, 4), &lang.num(roll.range.1, 4)],
    );
    let at = u.unwrap_or(roll.range.0);
    let col = ((at * w as f64) as usize).min(w.saturating_sub(1));
    let marker = if u.is_some() { "▲" } else { "△" };
    let right = format!("{marker} {range}");
    let line = if col + width(&right) <= w {
        Line::from(vec![
            Span::raw(" ".repeat(col)),
            Span::styled(right, theme.marker),
        ])
    } else {
        let left = format!("{range} {marker}");
        let pad = (col + 1).saturating_sub(width(&left));
        Line::from(vec![
            Span::raw(" ".repeat(pad)),
            Span::styled(truncate(&left, w), theme.marker),
        ])
    };
    lines.push(line);
    lines.extend(
        wrap_words(lang.t(Text::DiceStripExplained), w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.dim))),
    );
    lines
}

/// One cell per 1/w of probability: the chosen candidate's segment solid (`█`), the other kept
/// candidates' segments alternating `▓`/`▒`, the kept mass beyond the listed segments `░`.
fn cumulative_bar(roll: &Roll, w: usize, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut bounds = Vec::with_capacity(roll.segments.len());
    let mut acc = 0.0;
    for p in &roll.segments {
        acc += p;
        bounds.push(acc);
    }
    for cell in 0..w {
        let mid = (cell as f64 + 0.5) / w as f64;
        let segment = bounds.iter().position(|&b| mid < b);
        let (glyph, style) = match segment {
            Some(i) if i == roll.rank => ("█", theme.segment_chosen),
            Some(i) => (if i % 2 == 0 { "▓" } else { "▒" }, theme.segment[i % 2]),
            None if roll.kept > roll.segments.len() => ("░", theme.bar_ghost),
            None => ("▓", theme.segment[0]),
        };
        match spans.last_mut() {
            Some(last) if last.style == style && last.content.starts_with(glyph) => {
                last.content.to_mut().push_str(glyph);
            }
            _ => spans.push(Span::styled(glyph.to_string(), style)),
        }
    }
    spans
}
