//! The model engine: one worker thread owns the model (tch tensors, KV cache) and the tokenizer;
//! everything else talks to it through `Request` / `Reply` messages tagged with ids.
//!
//! The worker keeps only the newest pending `Evaluate` (latest request wins) and the state drops
//! replies whose id is not the one it is waiting for.

use std::sync::Arc;
use std::time::Duration;

pub use crate::tokenizer::TokenView;

use crate::model::{ModelError, Precision, Progress};

/// Where the model runs, as loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    #[default]
    Cpu,
    /// A CUDA GPU (its index).
    Cuda(usize),
}

impl Device {
    pub fn from_tch(d: tch::Device) -> Device {
        match d {
            tch::Device::Cuda(i) => Device::Cuda(i),
            _ => Device::Cpu,
        }
    }
}

/// Facts about the loaded model, shown in the status line.
#[derive(Clone, Debug, Default)]
pub struct ModelInfo {
    /// Short display name, e.g. `SmolLM2-135M-Instruct.Q4_1`.
    pub name: String,
    pub device: Device,
    pub precision: Precision,
    pub vocab_size: usize,
    pub context_length: usize,
    /// Ids that end a generation (EOS, `<|im_end|>`).
    pub stop_ids: Vec<u32>,
    /// Every vocabulary entry rendered as a `TokenView`, indexed by id, so candidates can be shown
    /// without a round trip to the worker.
    pub vocab: Arc<Vec<TokenView>>,
    /// Seconds from start to loaded.
    pub load_time: Duration,
}

/// A request to the model worker.
#[derive(Clone, Debug)]
pub enum Request {
    /// Tokenize `prompt` (through the chat template when `chat` is set), append `continuation`
    /// (already-chosen token ids), run the model over whatever is not already in the KV cache and
    /// reply with `Reply::Evaluated`.
    Evaluate {
        id: u64,
        prompt: String,
        chat: bool,
        continuation: Vec<u32>,
        /// The source text for an encoder-decoder (translation): then `prompt` is the start of
        /// the target and `continuation` the target tokens chosen after it. `None` for
        /// decoder-only models.
        source: Option<String>,
    },
    /// The word view: extend `candidate`, the next token after `base`, greedily to the end of
    /// its word; reply with `Reply::Word`.
    ExtendWord {
        id: u64,
        base: Vec<u32>,
        candidate: u32,
    },
    /// Look inside the model at the last position of `ids` (the prompt and continuation up
    /// to the selected position): its embedding, the logit lens or the attention; reply with
    /// `Reply::Inside` (or `Failed` with `InsideNeedsDecoder` where the model has no layers to
    /// show).
    Inspect {
        id: u64,
        ids: Vec<u32>,
        what: inside::Inspect,
    },
    /// Stop the worker.
    Shutdown,
}

/// One position of an evaluated sequence.
impl Request {
    /// The id its reply carries (`None` for `Shutdown`).
    pub fn id(&self) -> Option<u64> {
        match self {
            Request::Evaluate { id, .. }
            | Request::ExtendWord { id, .. }
            | Request::Inspect { id, .. } => Some(*id),
            Request::Shutdown => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Position {
    pub token: TokenView,
    /// Next-token logits the model produced *after* this token (length = vocabulary size).
    /// Shared, so unchanged prefixes are not copied between replies.
    pub logits: Arc<[f32]>,
    /// Rank (0 = most likely) and raw probability this token had under the previous position's
    /// distribution; `None` for the first token (nothing predicts it).
    pub rank: Option<u32>,
    pub prob: Option<f32>,
}

/// A reply from the model worker.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Loading progress.
    Progress(Progress),
    /// The model is ready.
    Loaded(ModelInfo),
    /// Loading the model at `path` failed: the worker stops.
    LoadFailed {
        path: std::path::PathBuf,
        error: Arc<ModelError>,
    },
    /// Result of `Request::Evaluate`.
    Evaluated {
        id: u64,
        /// How many leading tokens came from the prompt (the rest are the continuation).
        prompt_len: usize,
        positions: Vec<Position>,
        /// How many positions were reused from the KV cache (not recomputed).
        reused: usize,
        /// Wall time of the model call.
        elapsed: Duration,
        /// For an encoder-decoder: the source tokens and what the encoder did (`None` for
        /// decoder-only models). Then `positions[0]` is the decoder's start position and
        /// `prompt_len` counts it.
        source: Option<SourceReport>,
    },
    /// Result of `Request::ExtendWord`.
    Word { id: u64, guess: WordGuess },
    /// An encoder's answer to `Request::Evaluate`: the tokens it read and, per mask, the
    /// masked-LM logits and attention (fill-mask), or one vector per line (embeddings).
    Encoded {
        id: u64,
        report: encoder_session::EncoderReport,
    },
    /// Result of `Request::Inspect`, with what it was asked so it can be cached.
    Inside {
        id: u64,
        ids: Vec<u32>,
        what: inside::Inspect,
        inside: inside::Inside,
    },
    /// Request `id` failed (e.g. the sequence is longer than the context window).
    Failed { id: u64, error: Arc<ModelError> },
    /// From a served model (`--endpoint`): what the numbers of the next reply are over, or a
    /// retry under way.
    Served(endpoint_session::ServedNote),
}

/// The source side of an encoder-decoder's reply.
#[derive(Clone, Debug, Default)]
pub struct SourceReport {
    /// The source tokens the encoder read (with the end-of-source token).
    pub tokens: Vec<TokenView>,
    /// Whether the encoder ran for this reply (false: the source was already encoded).
    pub encoded: bool,
    /// Times the encoder ran since loading.
    pub encoder_runs: u64,
    /// Decoder steps run for this reply (the rest were reused from the cache).
    pub decoder_steps: u64,
    /// The newest step's cross-attention over `tokens` (last layer, mean over heads).
    pub cross_attention: Vec<f32>,
    /// How long the encoder took the last time it ran (for this source).
    pub encode_time: Duration,
}

/// What the worker thread serves: a local decoder ([`Session`]) today; encoders,
/// encoder-decoders and remote endpoints are other implementations behind the same messages.
pub trait Backend {
    /// Facts about the model for the UI.
    fn info(&self, load_time: Duration) -> ModelInfo;
    /// Answers one request; `None` for `Shutdown`.
    fn serve(&mut self, request: &Request) -> Option<Reply>;
    /// A little work done while no request waits (the worker calls it again while it returns
    /// `true` and nothing is asked; each call should take a few milliseconds at most).
    fn idle(&mut self) -> bool {
        false
    }
}

/// The two ends of the worker's channels, as seen from the app.
pub struct EngineHandle {
    /// Requests to the worker (it keeps only the newest pending `Evaluate`).
    pub requests: std::sync::mpsc::Sender<Request>,
    /// Replies from the worker, in order.
    pub replies: tokio::sync::mpsc::UnboundedReceiver<Reply>,
}

pub mod busy;
pub mod encoder_session;
pub mod endpoint_session;
pub mod inside;
pub mod recover;
pub mod seq2seq;
mod session;
pub mod threads;
pub mod words;
mod worker;

pub use session::{Evaluation, Session};
pub use words::WordGuess;
pub use worker::{EngineOptions, spawn};
