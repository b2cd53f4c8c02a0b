//! Loading a model (GGUF file or HF folder) into the Llama-family decoder, with its tokenizer.

pub mod config;
pub mod int4;
pub mod kv_cache;
pub mod llama;
pub mod qgemv;
pub mod rope;
pub mod weights;

use std::path::{Path, PathBuf};

pub use config::Config;
pub use kv_cache::KvCache;
pub use llama::Llama;
use weights::Checkpoint;

use crate::gguf::{GgufError, GgufFile};
use crate::tokenizer::{Tokenizer, TokenizerError};

/// Errors while loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error(transparent)]
    Gguf(#[from] GgufError),
    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
    #[error(
        "unknown architecture `{0}`: tokenscope runs llama-family decoders (llama, mistral, qwen2)"
    )]
    UnknownArchitecture(String),
    #[error("the model file lacks the metadata key `{0}`")]
    MissingKey(String),
    #[error("the model file lacks the tensor `{0}`")]
    MissingTensor(String),
    #[error("invalid model: {0}")]
    Invalid(String),
    #[error(
        "the sequence needs {needed} tokens but the model's context window holds {context}: \
         shorten the prompt or undo some generated tokens"
    )]
    ContextFull { needed: usize, context: usize },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
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

impl Precision {
    pub fn label(self) -> &'static str {
        match self {
            Precision::Exact => "exact f32",
            Precision::Fast => "fast int4",
        }
    }
}

/// Where the model runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    #[default]
    Cpu,
    Cuda,
}

/// A model ready to run, with its tokenizer.
pub struct LoadedModel {
    pub llama: Llama,
    pub tokenizer: Tokenizer,
    /// Display name, e.g. `SmolLM2-135M-Instruct.Q4_1`.
    pub name: String,
    pub device: tch::Device,
    pub precision: Precision,
}

/// Loads a GGUF file or an HF folder (`config.json` + `*.safetensors` + `tokenizer.json`).
pub fn load(
    path: &Path,
    device: DeviceChoice,
    precision: Precision,
    progress: &mut dyn FnMut(f32, &str),
) -> Result<LoadedModel, ModelError> {
    let device = match device {
        DeviceChoice::Cuda if tch::Cuda::is_available() => tch::Device::Cuda(0),
        _ => tch::Device::Cpu,
    };
    let name = display_name(path);
    progress(0.0, "reading");
    let (ck, cfg, tokenizer) = if path.is_dir() {
        let cfg_path = path.join("config.json");
        let text = std::fs::read_to_string(&cfg_path)
            .map_err(|e| ModelError::Io(cfg_path.display().to_string(), e))?;
        let cfg = Config::from_hf_json(&text)?;
        let tokenizer = Tokenizer::from_hf_dir(path)?;
        (Checkpoint::open_safetensors_dir(path)?, cfg, tokenizer)
    } else {
        let g = GgufFile::open(path)?;
        let cfg = Config::from_gguf(&g)?;
        let tokenizer = Tokenizer::from_gguf(&g)?;
        (Checkpoint::Gguf(g), cfg, tokenizer)
    };
    let llama = Llama::load(&ck, cfg, device, precision, progress)?;
    drop(ck);
    return_freed_memory();
    Ok(LoadedModel {
        llama,
        tokenizer,
        name,
        device,
        precision,
    })
}

fn display_name(path: &Path) -> String {
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
