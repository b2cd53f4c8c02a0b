//! The words a served model's (`--endpoint`) panes need to say what is not known: the top N
//! of an unknown vocabulary, bounds where a local model has exact numbers, the sampler over the
//! shown only, the request in flight and a server that is slow or down. Every function answers
//! `None` for a local model, so its screens do not change.

use crate::i18n::{Describe, Lang, Text};
use crate::sampling::Distribution;
use crate::state::State;
use crate::state::served::{self, Bounds};

use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::text::width;
use super::theme::Theme;

/// How many candidates each request asks for, when the model is served.
pub fn top_n(state: &State) -> Option<usize> {
    state.served.as_ref().map(|s| s.top_n)
}

/// The next-token pane's right title: "top 20 of an unknown vocabulary", or its short form
/// when the long one does not fit in `room` columns.
pub fn kept_title(state: &State, room: usize) -> Option<String> {
    let n = top_n(state)?;
    let lang = state.lang;
    let long = lang.f(Text::ServedTopOf, &[&lang.int(n)]);
    Some(if width(&long) <= room {
        long
    } else {
        lang.f(Text::ServedTopOfShort, &[&lang.int(n)])
    })
}

/// The bottom note: the sampler's numbers are over the shown only (and, when the top title
/// had no room for it, "top 20 of ?" first).
pub fn sampled_note(state: &State, dist: &Distribution, with_top: bool) -> Option<String> {
    let n = top_n(state)?;
    let lang = state.lang;
    let note = lang.f(Text::ServedSampledNote, &[&lang.int(dist.candidates.len())]);
    Some(if with_top {
        let top = lang.f(Text::ServedTopOfShort, &[&lang.int(n)]);
        format!("{top} · {note}")
    } else {
        note
    })
}

/// The lab's and the roll-many view's block with the note that their columns and draws are
/// over the shown only ("top 20 of ? · sampled: over the 20 shown only" when it fits).
pub fn bottom_note<'a>(
    block: Block<'a>,
    state: &State,
    area_width: u16,
    theme: &Theme,
) -> Block<'a> {
    let Some(dist) = state.distribution() else {
        return block;
    };
    let room = usize::from(area_width).saturating_sub(4);
    let note = sampled_note(state, dist, true)
        .filter(|n| width(n) <= room)
        .or_else(|| sampled_note(state, dist, false).filter(|n| width(n) <= room));
    match note {
        Some(n) => block
            .title_bottom(Line::from(Span::styled(format!(" {n} "), theme.dim)).right_aligned()),
        None => block,
    }
}

/// The rest row's label (`more`: shown candidates not listed) and its raw mass, a lower bound
/// (`listed_rest`: what the unlisted shown candidates hold).
pub fn rest(
    state: &State,
    dist: &Distribution,
    more: usize,
    listed_rest: f64,
    room: usize,
) -> Option<(String, String)> {
    let n = top_n(state)?;
    let lang = state.lang;
    let bounds = Bounds::of(dist);
    let mut label = lang.f(Text::ServedRest, &[&lang.int(more), &lang.int(n)]);
    if width(&label) + 1 > room {
        label = lang.f(Text::ServedRestShort, &[&lang.int(n)]);
        if width(&label) + 1 > room {
            label = lang.f(Text::ServedTopOfShort, &[&lang.int(n)]);
        }
    }
    let raw = at_least(lang, &lang.percent(listed_rest + bounds.rest_at_least));
    Some((label, raw))
}

/// "≥ x": a number that is a lower bound.
pub fn at_least(lang: Lang, number: &str) -> String {
    lang.f(Text::ServedAtLeast, &[&number])
}

/// The pane's message where the server gave no distribution (inside the prompt).
pub fn no_distribution(state: &State) -> Option<String> {
    top_n(state)?;
    let v = state.view.as_ref()?;
    (v.index > 0 && v.dist.is_none()).then(|| state.lang.t(Text::ServedNoDistribution).to_string())
}

/// Look-back at a token the server did not list: "outside the top 20".
pub fn outside_top(state: &State) -> Option<String> {
    let n = top_n(state)?;
    let v = state.view.as_ref()?;
    matches!(v.actual, Some((_, None)))
        .then(|| state.lang.f(Text::ServedOutsideTop, &[&state.lang.int(n)]))
}

/// The status line's part while a request is out: its age, or the retry under way.
pub fn in_flight(state: &State) -> Option<String> {
    let s = state.served.as_ref()?;
    let lang = state.lang;
    if let Some(r) = &s.retry {
        return Some(lang.f(
            Text::ServedRetrying,
            &[
                &r.error.short(lang),
                &r.next,
                &r.attempts,
                &lang.num(r.wait_ms as f64 / 1000.0, 1),
            ],
        ));
    }
    let ms = served::in_flight_ms(state)?;
    Some(lang.f(Text::ServedInFlight, &[&lang.num(ms as f64 / 1000.0, 1)]))
}

/// After a failed request: the error, and when it is asked again.
pub fn error_text(state: &State, error: &dyn Describe) -> Option<String> {
    let again = served::again_in_ms(state)?;
    let lang = state.lang;
    let when = lang.f(
        Text::ServedAgainIn,
        &[&lang.int(again.div_ceil(1000) as usize)],
    );
    // The retry first: the error's advice is long and is what narrow screens cut.
    Some(format!(
        "{when} · {}",
        lang.f(Text::ErrorPrefix, &[&error.describe(lang)])
    ))
}

/// The tokens pane's note on the prompt's colours.
pub fn prompt_note(state: &State) -> Option<String> {
    let s = state.served.as_ref()?;
    let lang = state.lang;
    let text = if s.prompt_scored {
        Text::ServedPromptScored
    } else {
        Text::ServedPromptUnscored
    };
    Some(format!(
        "{} · {}",
        lang.t(text),
        lang.f(Text::ServedRankLegend, &[&lang.int(s.top_n)])
    ))
}

/// The dice roll's note: drawn over the shown only.
pub fn dice_note(state: &State, shown: usize) -> Option<String> {
    top_n(state)?;
    Some(
        state
            .lang
            .f(Text::ServedDiceNote, &[&state.lang.int(shown)]),
    )
}
