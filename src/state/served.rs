//! A served model (`--endpoint`): what the state must know to say what is not known. Its
//! distributions are the top N of a vocabulary of unknown size, so every derived distribution
//! (the pane, the sampler columns, the dice roll) is computed over the shown candidates only;
//! its vocabulary grows as the server names new texts; a request in flight has an age; a
//! failed one is asked again every few seconds, so a server that comes back continues the
//! session (prompt and tree are never touched by a failure).

use std::sync::Arc;

use crate::action::Action;
use crate::endpoint::EndpointError;
use crate::engine::endpoint_session::ServedNote;
use crate::i18n::Text;
use crate::sampling::{Distribution, SamplingParams};

use super::{Effect, ModelStatus, Notice, State, StateError, TICK_MS};

/// How long after a failed request it is asked again.
pub const RETRY_AFTER_MS: u64 = 3000;

/// What the state knows about the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Served {
    /// The API's base URL.
    pub url: String,
    /// How many candidates each request asks for.
    pub top_n: usize,
    /// Whether the server scored the prompt's tokens (aligned `echo`).
    pub prompt_scored: bool,
    /// Whether the prompt's tokens came from the server's tokenize route.
    pub tokenized: bool,
    /// The tick the request in flight went out at.
    pub sent_tick: Option<u64>,
    /// A retry under way (the failure, the attempt next, of how many, the wait in ms).
    pub retry: Option<Retry>,
    /// The tick at which a failed request is asked again.
    pub again_at: Option<u64>,
}

/// A retry the client is waiting for.
#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    pub error: EndpointError,
    pub next: u32,
    pub attempts: u32,
    pub wait_ms: u64,
}

impl Served {
    pub fn new(url: &str, top_n: usize) -> Self {
        Self {
            url: url.to_string(),
            top_n,
            prompt_scored: false,
            tokenized: true,
            sent_tick: None,
            retry: None,
            again_at: None,
        }
    }
}

/// Applies a note from the endpoint's worker.
pub(super) fn apply(s: &mut State, note: ServedNote) {
    let Some(served) = s.served.as_mut() else {
        return;
    };
    match note {
        ServedNote::Evaluated {
            vocab,
            top_n,
            prompt_scored,
            tokenized,
        } => {
            served.top_n = top_n;
            served.prompt_scored = prompt_scored;
            served.tokenized = tokenized;
            served.retry = None;
            if let ModelStatus::Ready(info) = &mut s.model {
                info.vocab = Arc::clone(&vocab);
            }
        }
        ServedNote::Retrying {
            error,
            next,
            attempts,
            wait,
        } => {
            served.retry = Some(Retry {
                error,
                next,
                attempts,
                wait_ms: wait.as_millis() as u64,
            });
        }
    }
}

/// Whether `action` is one a served model does not answer; then the status line says why.
/// The word view would cost a request per greedy step of every candidate; the picker loads
/// local models; prompt B's comparison (KL, biggest moves) needs whole distributions.
pub(super) fn refuses(s: &mut State, action: &Action) -> bool {
    if s.served.is_none() {
        return false;
    }
    let text = match action {
        Action::ToggleWords if !s.words.on => Text::ServedNoWords,
        Action::TogglePicker | Action::PickerOpenAsB => Text::ServedNoPicker,
        Action::ToggleVersus if s.versus.is_none() => Text::ServedNoVersus,
        _ => return false,
    };
    s.notice = Some(Notice { text, arg: None });
    true
}

/// After every update: when the request in flight went out; a failed request asked again
/// every [`RETRY_AFTER_MS`] (only what the screen still needs is asked: `sync` decides).
pub(super) fn refresh(s: &mut State, effects: &[Effect]) -> Vec<Effect> {
    let tick = s.tick;
    let failed = matches!(s.error, Some(StateError::Request(_)));
    let awaiting = s.awaiting.is_some();
    let Some(served) = s.served.as_mut() else {
        return Vec::new();
    };
    if effects.iter().any(|e| matches!(e, Effect::Evaluate(_))) {
        served.sent_tick = Some(tick);
        served.again_at = None;
        return Vec::new();
    }
    if awaiting {
        return Vec::new();
    }
    served.sent_tick = None;
    served.retry = None;
    if !failed {
        served.again_at = None;
        return Vec::new();
    }
    match served.again_at {
        None => {
            served.again_at = Some(tick + RETRY_AFTER_MS / TICK_MS);
            Vec::new()
        }
        Some(at) if tick >= at => {
            served.again_at = None;
            let effects = super::sync::sync(s);
            if let Some(served) = s.served.as_mut()
                && !effects.is_empty()
            {
                served.sent_tick = Some(tick);
            }
            effects
        }
        Some(_) => Vec::new(),
    }
}

/// Milliseconds the request in flight has been out, by the ticks.
pub fn in_flight_ms(s: &State) -> Option<u64> {
    let sent = s.served.as_ref()?.sent_tick?;
    s.awaiting.as_ref()?;
    Some(s.tick.saturating_sub(sent) * TICK_MS)
}

/// Seconds until a failed request is asked again.
pub fn again_in_ms(s: &State) -> Option<u64> {
    let at = s.served.as_ref()?.again_at?;
    Some(at.saturating_sub(s.tick) * TICK_MS)
}

/// The distribution over the candidates of `logits` with a finite log-probability (a server's
/// shown tokens), renormalised among them, with their own ids; `partial` off: over `logits`
/// as they are (a local model's whole vocabulary).
pub fn distribution(logits: &[f32], params: &SamplingParams, partial: bool) -> Distribution {
    if !partial {
        return Distribution::new(logits, params);
    }
    let (ids, shown) = compact(logits);
    let mut dist = Distribution::new(&shown, params);
    // The stages are over the shown (renormalised among them); the raw column is what the
    // server said, and the raw entropy its lower bound.
    for c in &mut dist.candidates {
        c.id = ids[c.id as usize];
        c.logprob = f64::from(c.logit);
        c.prob = c.logprob.exp();
    }
    dist.entropy_raw = Bounds::of(&dist).entropy_at_least;
    dist
}

/// [`distribution`] for several settings at once.
pub fn many(logits: &[f32], params: &[SamplingParams], partial: bool) -> Vec<Distribution> {
    if !partial {
        return Distribution::many(logits, params);
    }
    params
        .iter()
        .map(|p| distribution(logits, p, true))
        .collect()
}

/// The ids with a finite logit and those logits (at least one entry, so a distribution can be
/// made even of nothing shown).
fn compact(logits: &[f32]) -> (Vec<u32>, Vec<f32>) {
    let (ids, shown): (Vec<u32>, Vec<f32>) = logits
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_finite())
        .map(|(i, &l)| (i as u32, l))
        .unzip();
    if ids.is_empty() {
        return (vec![0], vec![0.0]);
    }
    (ids, shown)
}

/// What a partial distribution shows and what it cannot: the shown mass, the rest as a lower
/// bound, the entropy's lower bound (see `endpoint::partial`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    /// How many candidates are shown.
    pub shown: usize,
    /// Σ of the server's probabilities of the shown.
    pub shown_mass: f64,
    /// `1 − Σ shown`: at least this much is on tokens not shown.
    pub rest_at_least: f64,
    /// The entropy (nats) of the whole distribution is at least this.
    pub entropy_at_least: f64,
}

impl Bounds {
    /// From a pane's distribution (its candidates' `logit` are the server's log-probabilities).
    pub fn of(dist: &Distribution) -> Self {
        let entries = dist
            .candidates
            .iter()
            .map(|c| (c.id.to_string(), f64::from(c.logit)));
        let p = crate::endpoint::PartialDistribution::new(dist.candidates.len(), entries);
        Bounds {
            shown: p.shown.len(),
            shown_mass: p.shown_mass(),
            rest_at_least: p.rest_mass_lower_bound(),
            entropy_at_least: p.entropy_lower_bound(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_distribution_is_over_the_shown_with_their_ids() {
        let inf = f32::NEG_INFINITY;
        let logits = [inf, (0.3f32).ln(), inf, (0.1f32).ln()];
        let d = distribution(&logits, &SamplingParams::default(), true);
        assert_eq!(d.candidates.len(), 2);
        assert_eq!(d.candidates[0].id, 1);
        assert_eq!(d.candidates[1].id, 3);
        // The raw column is the server's; the sampler's renormalised among the shown: 0.3 / 0.4
        // and 0.1 / 0.4.
        assert!((d.candidates[0].prob - 0.3).abs() < 1e-6);
        assert!((d.candidates[0].final_prob - 0.75).abs() < 1e-6);
        let b = Bounds::of(&d);
        assert!((b.rest_at_least - 0.6).abs() < 1e-6);
        assert_eq!(b.shown, 2);
    }
}
