//! Encoder-decoder models behind one small trait, [`Seq2SeqLm`]: the encoder reads the whole
//! source once ([`Seq2SeqLm::encode`]); the decoder then writes the target one token at a time
//! ([`Seq2SeqLm::decode_step`]), each step reading the encoder's output through
//! cross-attention and its own earlier steps through a [`DecoderCache`] that can be truncated to
//! any prefix (undo, editing the target). [`Seq2SeqLm::decode_full`] recomputes every position
//! without a cache (the test that both agree lives in `tests/marian.rs`).
//!
//! Architectures: Marian's transformer encoder + SSRU decoder (`marian.rs`, the Bergamot models
//! of `marian-en-pt` / `marian-pt-en`); and HF folders (`hf.rs`: config.json + safetensors +
//! tokenizer.json) of T5 / FLAN-T5 (`t5.rs`), BART (`bart.rs`) and `MarianMTModel`
//! (`marian_mt.rs`), their shared blocks in `layers.rs`.

pub mod bart;
pub mod hf;
pub mod layers;
pub mod marian;
pub mod marian_mt;
pub mod t5;

use std::path::{Path, PathBuf};

use tch::Tensor;

pub use marian::Marian;

use crate::marian::Shortlist;
use crate::model::ModelError;
use crate::tokenizer::Tokenizer;

/// Sizes and special ids of an encoder-decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seq2SeqDims {
    pub vocab: usize,
    pub d_model: usize,
    /// The longest source (tokens, with the end-of-source token) tokenscope feeds the encoder.
    pub max_source: usize,
    /// The id that ends the source and the target.
    pub eos: u32,
    /// The token fed at step 0: `None` for Marian, whose first decoder input is a zero vector.
    pub decoder_start: Option<u32>,
}

/// What the encoder made of one source, with the per-layer cross-attention keys and values
/// every decoder step reads (computed once per source).
pub struct Encoded {
    /// The source ids (with the end-of-source token).
    pub source: Vec<u32>,
    /// `[1, source, d]`.
    pub states: Tensor,
    /// Per decoder layer: keys and values `[1, heads, source, d_head]`.
    pub cross: Vec<(Tensor, Tensor)>,
}

/// What each decoder step left for the next one: per step, per layer, the tensors the layer
/// keeps (Marian's SSRU: its cell state). Truncating to `n` returns to the state after `n`
/// steps.
#[derive(Default)]
pub struct DecoderCache {
    steps: Vec<Vec<Tensor>>,
}

impl DecoderCache {
    /// Steps taken.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn truncate(&mut self, n: usize) {
        self.steps.truncate(n);
    }

    /// The last step's state of `layer`, if any step was taken.
    pub fn last(&self, layer: usize) -> Option<&Tensor> {
        self.steps.last().map(|s| &s[layer])
    }

    pub fn push(&mut self, step: Vec<Tensor>) {
        self.steps.push(step);
    }

    /// Every step's tensor `index` joined along `dim` (a transformer decoder's keys or values
    /// of all earlier steps), `None` before the first step.
    pub fn concat(&self, index: usize, dim: i64) -> Option<Tensor> {
        if self.steps.is_empty() {
            return None;
        }
        let parts: Vec<&Tensor> = self.steps.iter().map(|s| &s[index]).collect();
        Some(Tensor::cat(&parts, dim))
    }
}

/// One decoder step's result.
pub struct StepOutput {
    /// Next-token logits, `[vocab]`, float32 on the CPU.
    pub logits: Tensor,
    /// Cross-attention of this step over the source tokens (last layer, mean over heads).
    pub cross_attention: Vec<f32>,
}

/// An encoder-decoder language model.
pub trait Seq2SeqLm: Send {
    fn dims(&self) -> Seq2SeqDims;
    /// Runs the encoder over `source` (ids with the end-of-source token).
    fn encode(&self, source: &[u32]) -> Result<Encoded, ModelError>;
    /// One decoder step: `prev` is the previous target token (`None` at step 0); reads and
    /// extends `cache`.
    fn decode_step(
        &self,
        enc: &Encoded,
        prev: Option<u32>,
        cache: &mut DecoderCache,
    ) -> Result<StepOutput, ModelError>;
    /// Every position at once, no cache: the logits after the start and after each of
    /// `target`, `[target.len() + 1, vocab]`.
    fn decode_full(&self, enc: &Encoded, target: &[u32]) -> Result<Tensor, ModelError>;
    /// The token put before the source (BART's `<s>`); `None`: the source is its tokens and
    /// the end token.
    fn source_start(&self) -> Option<u32> {
        None
    }
}

/// A loaded encoder-decoder with its tokenizer (source and target share it) and, for Marian,
/// its lexical shortlist.
pub struct LoadedSeq2Seq {
    pub model: Box<dyn Seq2SeqLm>,
    pub tokenizer: Tokenizer,
    pub shortlist: Option<Shortlist>,
    /// Display name, e.g. `marian-en-pt`.
    pub name: String,
}

/// Whether `path` is an encoder-decoder tokenscope runs: a folder holding a Marian binary
/// model, or an HF folder whose config.json is an encoder-decoder's.
pub fn is_seq2seq(path: &Path) -> bool {
    marian_files(path).is_some() || hf::is_hf_seq2seq(path)
}

/// The longest source the model in `path` reads, decided from its files before loading.
pub fn max_source(path: &Path) -> usize {
    hf::max_source(path).unwrap_or(marian::MAX_SOURCE)
}

/// The Marian model, vocabulary-side `tokenizer.json` and shortlist in a folder.
fn marian_files(dir: &Path) -> Option<(PathBuf, Option<PathBuf>)> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut model = None;
    let mut lex = None;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("model.") && name.ends_with(".bin") {
            model = Some(e.path());
        } else if name.starts_with("lex.") && name.ends_with(".bin") {
            lex = Some(e.path());
        }
    }
    Some((model?, lex))
}

/// Loads an encoder-decoder folder.
pub fn load(path: &Path, device: tch::Device) -> Result<LoadedSeq2Seq, ModelError> {
    if hf::is_hf_seq2seq(path) {
        return hf::load(path, device);
    }
    let (model_path, lex) =
        marian_files(path).ok_or_else(|| ModelError::NoWeights(path.to_path_buf()))?;
    let tokenizer = Tokenizer::from_hf_dir(path)?;
    let model = Marian::load(&model_path, device)?;
    let shortlist = match lex {
        Some(p) => Some(Shortlist::open(&p).map_err(ModelError::Marian)?),
        None => None,
    };
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(LoadedSeq2Seq {
        model: Box::new(model),
        tokenizer,
        shortlist,
        name,
    })
}
