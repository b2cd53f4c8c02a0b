//! The model worker thread: loads the model (reporting progress), then serves requests. Only the
//! newest pending `Evaluate` is served; older ones are dropped unanswered (the state ignores
//! replies it is not waiting for anyway).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use crate::engine::encoder_session::EncoderSession;
use crate::engine::endpoint_session::EndpointSession;
use crate::engine::recover;
use crate::engine::seq2seq::Seq2SeqSession;
use crate::engine::{Backend, EngineHandle, Reply, Request, Session};
use crate::model::{self, DeviceChoice, ModelError, Precision, Progress};

/// How to start the engine.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub model: PathBuf,
    pub device: DeviceChoice,
    pub precision: Precision,
    /// libtorch intra-op threads (0 = leave libtorch's default).
    pub threads: usize,
    /// A served model to talk to instead of loading `model` (`--endpoint URL`).
    pub endpoint: Option<crate::endpoint::EndpointOptions>,
}

/// Starts the worker thread; it begins loading the model at once.
pub fn spawn(opts: EngineOptions) -> EngineHandle {
    let (req_tx, req_rx) = std::sync::mpsc::channel();
    let (reply_tx, reply_rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("model".into())
        .spawn(move || run(opts, req_rx, reply_tx))
        .expect("spawning the model thread");
    EngineHandle {
        requests: req_tx,
        replies: reply_rx,
    }
}

fn run(opts: EngineOptions, requests: Receiver<Request>, replies: UnboundedSender<Reply>) {
    if opts.threads > 0 {
        tch::set_num_threads(opts.threads as i32);
    }
    let started = Instant::now();
    let mut progress = |p| {
        let _ = replies.send(Reply::Progress(p));
    };
    let opened = match &opts.endpoint {
        Some(ep) => EndpointSession::connect(ep.clone(), replies.clone())
            .map(|s| Box::new(s) as Box<dyn Backend>),
        None => open(&opts, &mut progress),
    };
    let mut backend = match opened {
        Ok(b) => b,
        Err(e) => {
            let _ = replies.send(Reply::LoadFailed {
                path: opts.model.clone(),
                error: Arc::new(e),
            });
            return;
        }
    };
    if replies
        .send(Reply::Loaded(backend.info(started.elapsed())))
        .is_err()
    {
        return;
    }
    serve_all(backend.as_mut(), &requests, &replies);
}

/// Answers requests until the state hangs up or asks to shut down; between them, while
/// nothing is asked, the backend's idle work.
fn serve_all(
    backend: &mut dyn Backend,
    requests: &Receiver<Request>,
    replies: &UnboundedSender<Reply>,
) {
    let mut next = None;
    loop {
        let mut request = match next.take() {
            Some(r) => r,
            None => match requests.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
        };
        // Latest request wins: skip everything that is already superseded.
        loop {
            match requests.try_recv() {
                Ok(newer) => request = newer,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let Some(reply) = serve_guarded(backend, &request) else {
            return; // Shutdown
        };
        if replies.send(reply).is_err() {
            return;
        }
        // Work that can wait, a piece at a time, while nothing is asked.
        while next.is_none() {
            match requests.try_recv() {
                Ok(r) => next = Some(r),
                Err(TryRecvError::Empty) => {
                    if !recover::guarded(|| backend.idle()).unwrap_or(false) {
                        break;
                    }
                }
                Err(TryRecvError::Disconnected) => return,
            }
        }
    }
}

/// Serves one request; a panic anywhere in it (the forward pass already retries its own once)
/// becomes a failed reply to that request instead of the end of the model thread (issue 6).
fn serve_guarded(backend: &mut dyn Backend, request: &Request) -> Option<Reply> {
    match recover::guarded(|| backend.serve(request)) {
        Ok(reply) => reply,
        Err(message) => Some(Reply::Failed {
            id: request.id()?,
            error: Arc::new(ModelError::Crashed(message)),
        }),
    }
}

/// Loads what `opts` names and wraps it in the backend that serves it.
fn open(
    opts: &EngineOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Box<dyn Backend>, ModelError> {
    // An encoder-decoder folder (Marian) is served by its own session: encoder once per
    // source, decoder one step per target token. It runs on the CPU in float32.
    if model::seq2seq::is_seq2seq(&opts.model) {
        let loaded = model::seq2seq::load(&opts.model, tch::Device::Cpu)?;
        return Ok(Box::new(Seq2SeqSession::new(loaded)));
    }
    // A BERT-family encoder folder: fill-mask or sentence embeddings, float32 on the CPU.
    if model::bert::is_encoder(&opts.model) {
        let loaded = model::bert::load(&opts.model).map_err(ModelError::Encoder)?;
        return Ok(Box::new(EncoderSession::new(loaded)));
    }
    let loaded = model::load(&opts.model, opts.device, opts.precision, progress)?;
    Ok(Box::new(Session::new(loaded)))
}
