//! Loading a model (GGUF file or HF folder) into a decoder behind the [`CausalLm`] trait, with
//! its tokenizer. Each architecture is a file of its own (`llama.rs`); [`load`] picks one from
//! the file's metadata.

pub mod bert;
pub mod config;
pub mod gemm;
pub mod gemma3;
pub mod inside;
pub mod int4;
pub mod int4_pack;
pub mod kv_cache;
pub mod linear;
pub mod llama;
pub mod neighbours;
pub mod omp;
pub mod qgemv;
pub mod qpanel;
pub mod rope;
pub mod seq2seq;
pub mod slices;
pub mod step;
pub mod weights;

use std::path::{Path, PathBuf};

pub use config::{Architecture, Config};
pub use gemma3::{Gemma3, Gemma3Config};
pub use kv_cache::KvCache;
pub use linear::LoadOptions;
pub use llama::Llama;
use weights::Checkpoint;

use crate::chat::ChatError;
use crate::gguf::{GgufError, GgufFile};
use crate::i18n::{Describe, Lang, Text, io_error};
use crate::tokenizer::{Tokenizer, TokenizerError};

/// Errors while loading or running a model.
#[derive(Debug)]
pub enum ModelError {
    /// A file of the model could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Gguf(GgufError),
    Tokenizer(TokenizerError),
    Chat(ChatError),
    /// An architecture tokenscope does not run (its name as the file spells it).
    UnknownArchitecture(String),
    /// A metadata key / config field the model needs is missing.
    MissingKey(String),
    /// A tensor the model needs is missing.
    MissingTensor(String),
    /// A tensor has a shape that does not fit the configuration.
    BadShape {
        tensor: String,
        shape: Vec<usize>,
        expected: String,
    },
    /// `config.json` (or another config file) could not be parsed or is inconsistent.
    Config {
        file: String,
        detail: String,
    },
    /// An HF folder without weights.
    NoWeights(PathBuf),
    /// A token id outside the vocabulary was asked for.
    OutsideVocabulary {
        id: u32,
        vocab: usize,
    },
    /// The sequence does not fit the context window.
    ContextFull {
        needed: usize,
        context: usize,
    },
    /// libtorch failed (its own message).
    Torch(tch::TchError),
    /// An encoder-decoder was given no source text.
    EmptySource,
    /// A next-token distribution was asked for after no tokens at all.
    EmptySequence,
    /// The word view was asked of a model that does not write one token after another alone.
    WordsNeedDecoder,
    /// The source has more tokens than the encoder reads.
    SourceTooLong {
        tokens: usize,
        max: usize,
    },
    /// A Marian binary model or shortlist could not be read.
    Marian(crate::marian::MarianError),
    /// A BERT-family encoder could not be loaded or run.
    Encoder(bert::EncoderError),
    /// An HF encoder-decoder folder whose `model_type` tokenscope does not run.
    UnknownSeq2Seq(String),
    /// Embeddings, lens or attention were asked of a model that does not expose its layers.
    InsideNeedsDecoder,
    /// The computation panicked twice in a row (libtorch threw inside an infallible tch call);
    /// the panic's message. The session survives it (issue 6).
    Crashed(String),
    /// A served model (`--endpoint`) failed to answer.
    Endpoint(crate::endpoint::EndpointError),
    /// The word view was asked of a served model (it would cost a request per greedy step).
    WordsNotServed,
}

impl From<GgufError> for ModelError {
    fn from(e: GgufError) -> Self {
        ModelError::Gguf(e)
    }
}

impl From<TokenizerError> for ModelError {
    fn from(e: TokenizerError) -> Self {
        ModelError::Tokenizer(e)
    }
}

impl From<ChatError> for ModelError {
    fn from(e: ChatError) -> Self {
        ModelError::Chat(e)
    }
}

impl From<tch::TchError> for ModelError {
    fn from(e: tch::TchError) -> Self {
        ModelError::Torch(e)
    }
}

/// The architectures [`load`] runs, as GGUF `general.architecture` / HF `model_type` spell them.
pub const SUPPORTED_ARCHITECTURES: &[&str] = &["llama", "mistral", "qwen2", "gemma3"];

impl Describe for ModelError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            ModelError::Io { path, source } => lang.f(
                Text::ErrReadFile,
                &[&path.display(), &io_error(lang, source)],
            ),
            ModelError::Gguf(e) => e.describe(lang),
            ModelError::Tokenizer(e) => e.describe(lang),
            ModelError::Chat(e) => e.describe(lang),
            ModelError::UnknownArchitecture(name) => lang.f(
                Text::ErrUnknownArchitecture,
                &[name, &SUPPORTED_ARCHITECTURES.join(", ")],
            ),
            ModelError::MissingKey(key) => lang.f(Text::ErrMissingKey, &[key]),
            ModelError::MissingTensor(name) => lang.f(Text::ErrMissingTensor, &[name]),
            ModelError::BadShape {
                tensor,
                shape,
                expected,
            } => lang.f(
                Text::ErrBadShape,
                &[tensor, &format!("{shape:?}"), expected],
            ),
            ModelError::Config { file, detail } => lang.f(Text::ErrConfig, &[file, detail]),
            ModelError::NoWeights(dir) => lang.f(Text::ErrNoWeights, &[&dir.display()]),
            ModelError::OutsideVocabulary { id, vocab } => {
                lang.f(Text::ErrOutsideVocabulary, &[id, &lang.int(*vocab)])
            }
            ModelError::ContextFull { needed, context } => lang.f(
                Text::ErrContextFull,
                &[&lang.int(*needed), &lang.int(*context)],
            ),
            ModelError::Torch(e) => lang.f(Text::ErrTorch, &[&one_line(&e.to_string())]),
            ModelError::Marian(e) => e.describe(lang),
            ModelError::Encoder(e) => e.describe(lang),
            ModelError::EmptySource => lang.t(Text::ErrEmptySource).to_string(),
            ModelError::EmptySequence => lang.t(Text::ErrEmptySequence).to_string(),
            ModelError::WordsNeedDecoder => lang.t(Text::ErrWordsNeedDecoder).to_string(),
            ModelError::InsideNeedsDecoder => lang.t(Text::ErrInsideNeedsDecoder).to_string(),
            ModelError::Crashed(message) => lang.f(Text::ErrModelCrashed, &[&one_line(message)]),
            ModelError::Endpoint(e) => e.describe(lang),
            ModelError::WordsNotServed => lang.t(Text::ServedNoWords).to_string(),
            ModelError::SourceTooLong { tokens, max } => lang.f(
                Text::ErrSourceTooLong,
                &[&lang.int(*tokens), &lang.int(*max)],
            ),
            ModelError::UnknownSeq2Seq(name) => lang.f(
                Text::ErrUnknownSeq2Seq,
                &[name, &seq2seq::hf::SUPPORTED.join(", ")],
            ),
        }
    }
}

crate::described_error!(ModelError);

/// libtorch's messages carry a C++ backtrace after "Exception raised from": keep the first part,
/// on one line.
pub fn one_line(message: &str) -> String {
    let message = message
        .find("Exception raised from")
        .map_or(message, |i| &message[..i]);
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Numeric mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// Float32 everywhere (weights de-quantized once at load): the reference numbers.
    #[default]
    Exact,
    /// 4-bit weights through ATen's int4 kernel with bfloat16 activations: faster, approximate.
    Fast,
}

/// Where the model runs, as asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    #[default]
    Cpu,
    Cuda,
}

/// The sizes the engine needs from any decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub vocab: usize,
    pub context_length: usize,
}

/// A decoder that writes one token at a time: what the engine runs, whatever the architecture.
pub trait CausalLm: Send {
    /// Vocabulary and context sizes.
    fn dims(&self) -> Dims;
    /// A fresh, empty KV cache for this model.
    fn new_cache(&self) -> KvCache;
    /// Runs `ids` at positions `cache.len()..`, appending them to the cache; returns the
    /// next-token logits after each of them as float32 [n, vocab] on the CPU.
    fn forward(&self, ids: &[u32], cache: &mut KvCache) -> Result<tch::Tensor, ModelError>;
    /// A few milliseconds of the work the load left for later (fast mode's bfloat16 LM head),
    /// done while the engine is idle; `true` while some remains. Results never depend on it:
    /// what is not ready yet is made when first needed.
    fn prepare(&self) -> bool {
        false
    }
    /// The token-embedding rows of `ids` as stored in the checkpoint (de-quantised), or `None`
    /// where the model does not expose its table.
    fn embedding_rows(&self, _ids: &[u32]) -> Option<TokenRows> {
        None
    }
    /// The factor the forward pass multiplies embedding rows by before the first layer (Gemma:
    /// √hidden), `None` where the rows go in as stored.
    fn embedding_scale(&self) -> Option<f64> {
        None
    }
    /// For a tied model, the dot product of `x` (hidden values) with every row of the
    /// embedding table, through the LM head's own kernel (no final norm): float32 [vocab] on
    /// the CPU. `None` where the output layer is another matrix or is not exposed.
    fn tied_dots(&self, _x: &[f32]) -> Option<Result<tch::Tensor, ModelError>> {
        None
    }
    /// The logit lens over `ids` (run from an empty cache): for the last position, the logits
    /// the final norm and the LM head give after each layer, float32 [layers, vocab] on the
    /// CPU; the last row is the model's own prediction. `None` where the layers are not exposed.
    fn lens(&self, _ids: &[u32]) -> Option<Result<tch::Tensor, ModelError>> {
        None
    }
    /// The logit lens of one more token `last` after the positions already in `cache` (which it
    /// extends): as [`CausalLm::lens`] without running the prefix again. `None` where the layers
    /// are not exposed.
    fn lens_cached(
        &self,
        _last: u32,
        _cache: &mut KvCache,
    ) -> Option<Result<tch::Tensor, ModelError>> {
        None
    }
    /// Where one more token `last` looks, after the positions already in `cache` (which it
    /// extends): as [`CausalLm::attention`] without running the prefix again.
    fn attention_cached(
        &self,
        _last: u32,
        _cache: &mut KvCache,
    ) -> Option<Result<tch::Tensor, ModelError>> {
        None
    }
    /// Where the last position of `ids` looks (run from an empty cache): each layer's
    /// attention probabilities over positions `0..ids.len()`, per head, float32 [layers, heads,
    /// ids.len()] on the CPU. `None` where the layers are not exposed.
    fn attention(&self, _ids: &[u32]) -> Option<Result<tch::Tensor, ModelError>> {
        None
    }
}

/// Rows of a decoder's token-embedding table.
pub struct TokenRows {
    /// [ids, hidden], on the model's device, in its activation dtype.
    pub rows: tch::Tensor,
    /// Whether the same matrix is the output layer (tied embeddings).
    pub tied: bool,
}

/// A step of loading, for the progress line (the UI words it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadStep {
    Reading,
    Tokenizer,
    Embeddings,
    Layers,
    Output,
}

/// How far loading is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// 0 to 1.
    pub fraction: f32,
    pub step: LoadStep,
}

impl Progress {
    pub fn new(fraction: f32, step: LoadStep) -> Self {
        Self { fraction, step }
    }
}

/// A model ready to run, with its tokenizer.
pub struct LoadedModel {
    pub decoder: Box<dyn CausalLm>,
    pub tokenizer: Tokenizer,
    /// Display name, e.g. `SmolLM2-135M-Instruct.Q4_1`.
    pub name: String,
    pub device: tch::Device,
    pub precision: Precision,
}

/// A configuration resolved for the decoder that runs it.
enum Resolved {
    Llama(Config),
    Gemma3(Gemma3Config),
}

/// What a checkpoint is, before its weights are read.
enum Source {
    Gguf(GgufFile),
    HfFolder(PathBuf),
}

impl Source {
    fn open(path: &Path) -> Result<Self, ModelError> {
        if path.is_dir() {
            Ok(Source::HfFolder(path.to_path_buf()))
        } else {
            Ok(Source::Gguf(GgufFile::open(path)?))
        }
    }

    /// The checkpoint and its resolved configuration, per architecture.
    fn config(self) -> Result<(Checkpoint, Resolved), ModelError> {
        match self {
            Source::HfFolder(dir) => {
                let cfg_path = dir.join("config.json");
                let text = std::fs::read_to_string(&cfg_path).map_err(|source| ModelError::Io {
                    path: cfg_path.clone(),
                    source,
                })?;
                let cfg = Config::from_hf_json(&text)?;
                let cfg = match cfg.arch {
                    Architecture::Gemma3 => {
                        Resolved::Gemma3(Gemma3Config::from_hf_json(&text, cfg)?)
                    }
                    Architecture::Llama | Architecture::Qwen2 => Resolved::Llama(cfg),
                };
                Ok((Checkpoint::open_safetensors_dir(&dir)?, cfg))
            }
            Source::Gguf(g) => {
                let cfg = Config::from_gguf(&g)?;
                let cfg = match cfg.arch {
                    Architecture::Gemma3 => Resolved::Gemma3(Gemma3Config::from_gguf(&g, cfg)?),
                    Architecture::Llama | Architecture::Qwen2 => Resolved::Llama(cfg),
                };
                Ok((Checkpoint::Gguf(g), cfg))
            }
        }
    }

    fn tokenizer(&self) -> Result<Tokenizer, ModelError> {
        Ok(match self {
            Source::Gguf(g) => Tokenizer::from_gguf(g)?,
            Source::HfFolder(dir) => Tokenizer::from_hf_dir(dir)?,
        })
    }
}

/// Loads a GGUF file or an HF folder (`config.json` + `*.safetensors` + `tokenizer.json`).
pub fn load(
    path: &Path,
    device: DeviceChoice,
    precision: Precision,
    progress: &mut dyn FnMut(Progress),
) -> Result<LoadedModel, ModelError> {
    let device = match device {
        DeviceChoice::Cuda if tch::Cuda::is_available() => tch::Device::Cuda(0),
        _ => tch::Device::Cpu,
    };
    let opts = LoadOptions::new(device, precision);
    progress(Progress::new(0.0, LoadStep::Reading));
    let source = Source::open(path)?;
    progress(Progress::new(0.02, LoadStep::Tokenizer));
    let tokenizer = source.tokenizer()?;
    let (ck, cfg) = source.config()?;
    // The architecture picks the decoder.
    let decoder: Box<dyn CausalLm> = match cfg {
        Resolved::Llama(cfg) => Box::new(Llama::load(&ck, cfg, &opts, progress)?),
        Resolved::Gemma3(cfg) => Box::new(Gemma3::load(&ck, cfg, &opts, progress)?),
    };
    drop(ck);
    return_freed_memory();
    Ok(LoadedModel {
        decoder,
        tokenizer,
        name: display_name(path),
        device,
        precision,
    })
}

/// Only the tokenizer of a model (no weights are read).
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer, ModelError> {
    Source::open(path)?.tokenizer()
}

/// The name shown for a model: the file name without extension, or the folder name.
pub fn display_name(path: &Path) -> String {
    let p: PathBuf = path.components().collect();
    let base = if p.is_dir() {
        p.file_name()
    } else {
        p.file_stem()
    };
    base.map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Loading frees many short-lived buffers; hand the freed heap back to the OS so the resident
/// size reflects what the model really keeps.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's heap; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
