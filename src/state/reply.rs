//! What the model worker says: loading progress, the model loaded (or not), an evaluation, a
//! failed request. Only the reply to the newest request is taken; a failure keeps the previous
//! numbers on screen, marked stale, with the error in the status line.

use std::sync::Arc;

use crate::engine::Reply;
use crate::state::sync::sync;
use crate::state::{Autoplay, Effect, Evaluation, ModelStatus, State, StateError};

/// Applies a worker reply.
pub(super) fn apply(s: &mut State, reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::Progress(progress) => {
            if !matches!(s.model, ModelStatus::Ready(_)) {
                s.model = ModelStatus::Loading(progress);
            }
            Vec::new()
        }
        Reply::Loaded(info) => {
            s.model = ModelStatus::Ready(info);
            super::session::on_loaded(s);
            s.inside.forget();
            // Ask again even if a request went out while loading: the worker keeps only the
            // newest, and this way no reply depends on what it did with early requests.
            s.awaiting = None;
            sync(s)
        }
        Reply::LoadFailed { path, error } => {
            if !matches!(s.model, ModelStatus::Ready(_)) {
                s.model = ModelStatus::Failed;
            }
            s.awaiting = None;
            s.autoplay = Autoplay::Off;
            s.error = Some(StateError::Load { path, error });
            Vec::new()
        }
        reply @ Reply::Evaluated { .. } => evaluated(s, reply),
        Reply::Encoded { id, report } => super::encoder::accept(s, id, report),
        Reply::Served(note) => {
            super::served::apply(s, note);
            Vec::new()
        }
        Reply::Word { id, guess } => {
            super::words::take_reply(s, id, guess);
            Vec::new()
        }
        reply @ Reply::Inside { .. } => super::inside::take_reply(s, reply),
        Reply::Failed { id, error } => {
            if super::words::take_failure(s, id, &error)
                || super::inside::take_failure(s, id, &error)
            {
                return Vec::new();
            }
            if s.awaiting.as_ref().is_some_and(|a| a.id == id) {
                s.awaiting = None;
                s.autoplay = Autoplay::Off;
                s.error = Some(StateError::Request(Arc::clone(&error)));
            }
            Vec::new()
        }
    }
}

/// An evaluation came back: taken when it answers the newest request.
fn evaluated(s: &mut State, reply: Reply) -> Vec<Effect> {
    let Reply::Evaluated {
        id,
        prompt_len,
        positions,
        reused,
        elapsed,
        source,
    } = reply
    else {
        return Vec::new();
    };
    if super::versus::take_reply(s, id, &positions) {
        return Vec::new();
    }
    let Some(awaiting) = s.awaiting.take_if(|a| a.id == id) else {
        return Vec::new();
    };
    super::source::accept(s, source);
    s.serial += 1;
    s.eval = Some(Evaluation {
        prompt: awaiting.prompt,
        chat: awaiting.chat,
        prompt_len: prompt_len.min(positions.len()),
        positions,
        reused,
        elapsed,
        serial: s.serial,
    });
    s.error = None;
    if s.look.is_some_and(|look| look >= s.sequence_len()) {
        s.look = None;
    }
    super::session::on_evaluated(s);
    super::versus::sync_b(s)
}
