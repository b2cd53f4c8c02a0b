//! Fill-mask (an encoder with a masked-LM head): the pane where a decoder's generation goes
//! says what the encoder did — which mask is shown and how to change it, how many tokens it
//! read on each side, the ones it attended to most, that a word *after* the mask changes the
//! distribution (a decoder cannot see it), and the prompt with the best guess filled in. The
//! token chips are coloured by side of the mask ([`chip_style`], [`legend`]); the next-token
//! pane's title and empty message come from here too.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::action::Action;
use crate::i18n::Text;
use crate::keymap::{self, Context};
use crate::state::fill::{self, ChipSide, WEAK_FILL_MODELS};
use crate::state::{ModelStatus, State};

use super::text::{token_label, truncate, width};
use super::theme::Theme;

/// The style of a token chip by its side of the mask shown (`base` when there is no mask).
pub fn chip_style(side: Option<ChipSide>, base: Style, theme: &Theme) -> Style {
    let strong = |s: Style| s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    match side {
        Some(ChipSide::Shown) => theme.mask_token,
        Some(ChipSide::OtherMask) => theme.special.add_modifier(Modifier::BOLD),
        Some(ChipSide::Left { strong: s }) => match s {
            true => strong(theme.context_left),
            false => theme.context_left,
        },
        Some(ChipSide::Right { strong: s }) => match s {
            true => strong(theme.context_right),
            false => theme.context_right,
        },
        Some(ChipSide::Special) | None => base,
    }
}

/// The chips' legend in fill-mask mode: "◀ read left · read right ▶ · underlined: most
/// attention" (shorter when narrow).
pub fn legend(state: &State, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let full = vec![
        Span::styled(lang.t(Text::FillLeft).to_string(), theme.context_left),
        Span::styled(" · ", theme.dim),
        Span::styled(lang.t(Text::FillRight).to_string(), theme.context_right),
        Span::styled(" · ", theme.dim),
        Span::styled(
            lang.t(Text::FillStrong).to_string(),
            theme.dim.add_modifier(Modifier::UNDERLINED),
        ),
    ];
    let width_of = |spans: &[Span<'_>]| spans.iter().map(|s| width(&s.content)).sum::<usize>();
    if width_of(&full) <= w {
        return vec![Line::from(full)];
    }
    vec![Line::from(full[..3].to_vec())]
}

/// The next-token pane's title in fill-mask mode: "At [MASK] 1 of 2 (token 5)".
pub fn title(state: &State) -> Option<String> {
    let f = state.fill.as_ref()?;
    let lang = state.lang;
    Some(match f.shown() {
        Some(m) => lang.f(
            Text::FillTitle,
            &[
                &f.mask,
                &(f.chosen + 1),
                &f.masks.len(),
                &lang.int(m.position),
            ],
        ),
        None => lang.t(Text::FillTitleEmpty).to_string(),
    })
}

/// The next-token pane's message when the prompt has no mask.
pub fn empty_message(state: &State) -> Option<String> {
    let f = state.fill.as_ref()?;
    let ready = matches!(state.model, ModelStatus::Ready(_));
    (ready && f.masks.is_empty() && state.fresh())
        .then(|| state.lang.f(Text::FillTypeMask, &[&f.mask]))
}

/// Draws the fill pane (in the generation pane's place).
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(Span::styled(
            format!(" {} ", lang.t(Text::FillPaneTitle)),
            theme.title,
        )));
    let body = super::layout::inner(area);
    frame.render_widget(block, area);
    let lines = lines(state, usize::from(body.width), theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
}

/// The pane's lines, most important first (a short pane shows the first ones).
fn lines(state: &State, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let Some(f) = state.fill.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match f.shown().filter(|_| state.fresh()) {
        Some(m) => {
            let n = state.eval.as_ref().map_or(0, |e| e.positions.len());
            let (left, right) = (m.position, n.saturating_sub(m.position + 1));
            let sides = lang.f(
                Text::FillSides,
                &[
                    &(f.chosen + 1),
                    &f.masks.len(),
                    &lang.int(left),
                    &lang.int(right),
                ],
            );
            let mut line = vec![Span::styled(sides, theme.text)];
            if f.masks.len() > 1 {
                let next = keymap::key_label(Context::Explore, &Action::NextMask, lang)
                    .unwrap_or_default();
                line.push(Span::styled(
                    format!(" · {}", lang.f(Text::FillNextMaskHint, &[&next])),
                    theme.key,
                ));
            }
            out.push(Line::from(line));
            out.push(Line::from(Span::styled(
                lang.t(Text::FillBothSides).to_string(),
                theme.notice,
            )));
        }
        None => out.push(Line::from(Span::styled(
            lang.f(Text::FillTypeMask, &[&f.mask]),
            theme.dim,
        ))),
    }
    let weak = state
        .models
        .current
        .as_deref()
        .is_some_and(|c| WEAK_FILL_MODELS.contains(&c));
    if weak {
        out.push(Line::from(Span::styled(
            lang.t(Text::FillWeakModel).to_string(),
            theme.warning,
        )));
    }
    if f.shown().is_some() && state.fresh() {
        out.extend(details(state, w, theme));
    }
    out
}

/// The best guess filled in, and the tokens the mask attended to most.
fn details(state: &State, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lang = state.lang;
    let mut out = Vec::new();
    if let Some(guess) = fill::best_guess(state) {
        let guess = truncate(&guess.replace('\n', " "), w.saturating_sub(2) * 2);
        out.push(Line::from(vec![
            Span::styled(format!("{} ", lang.t(Text::FillBestGuess)), theme.dim),
            Span::styled(guess, theme.text),
        ]));
    }
    let strongest: Vec<String> = fill::strongest(state)
        .iter()
        .map(|t| truncate(&token_label(&t.text, t.special), 14))
        .collect();
    if !strongest.is_empty() {
        out.push(Line::from(vec![
            Span::styled(format!("{} ", lang.t(Text::FillMostAttention)), theme.dim),
            Span::styled(strongest.join(" · "), theme.value),
        ]));
    }
    out
}
