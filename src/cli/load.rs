//! Finding the model a command names (a short name, a GGUF file, an HF folder) and loading it,
//! with a sentence on what to do when loading fails.

use std::path::{Path, PathBuf};

use crate::cli::args::{Common, DeviceArg, MAX_THREADS};
use crate::cli::error::{CliError, LoadHint};
use crate::gguf::{GgmlType, GgufError};
use crate::model::{self, LoadedModel, ModelError};
use crate::registry::{self, KNOWN_MODELS};
use crate::tokenizer::Tokenizer;

/// The model `--model` names (or the default one), checked to exist: a known short name must be
/// installed, a folder must look like an HF model folder.
pub fn model_path(model: Option<&str>) -> Result<PathBuf, CliError> {
    let given = model.unwrap_or(registry::DEFAULT_MODEL);
    if let Some(known) = registry::find(given) {
        return if known.installed() {
            Ok(known.path())
        } else {
            Err(CliError::NotInstalled {
                name: known.name,
                path: known.path(),
                command: known.install_command(),
            })
        };
    }
    let p = PathBuf::from(given);
    if p.is_dir() {
        // An encoder folder may hold BERT's `vocab.txt` instead of `tokenizer.json`.
        let missing: Vec<&'static str> = ["config.json", "tokenizer.json"]
            .into_iter()
            .filter(|f| !p.join(f).is_file())
            .filter(|&f| !(f == "tokenizer.json" && p.join("vocab.txt").is_file()))
            .collect();
        return if missing.is_empty() {
            Ok(p)
        } else {
            Err(CliError::NotAModelFolder { path: p, missing })
        };
    }
    if p.exists() {
        return Ok(p);
    }
    Err(CliError::ModelNotFound {
        given: given.to_string(),
        names: KNOWN_MODELS
            .iter()
            .map(|m| m.name)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

impl Common {
    /// The model path (see [`model_path`]).
    pub fn model_path(&self) -> Result<PathBuf, CliError> {
        model_path(self.model.as_deref())
    }

    /// Loads the model with these flags (threads, device, precision).
    pub fn load(&self) -> Result<LoadedModel, CliError> {
        if let Some(t) = self.threads {
            tch::set_num_threads(t.clamp(1, MAX_THREADS) as i32);
        }
        if self.device == DeviceArg::Cuda && !tch::Cuda::is_available() {
            eprintln!("note: no usable CUDA device (or a CPU-only libtorch); running on the CPU");
        }
        let path = self.model_path()?;
        model::load(&path, self.device(), self.precision(), &mut |_| {})
            .map_err(|e| load_error(&path, e))
    }

    /// Only the tokenizer of the model (`tokenize` needs no weights).
    pub fn load_tokenizer(&self) -> Result<Tokenizer, CliError> {
        let path = self.model_path()?;
        model::load_tokenizer(&path).map_err(|e| load_error(&path, e))
    }
}

/// `cannot load PATH: why`, plus what to do when the error alone does not say.
pub fn load_error(path: &Path, source: ModelError) -> CliError {
    let hint = match &source {
        ModelError::Gguf(g) => gguf_hint(path, g),
        _ if crate::model::bert::is_encoder(path) => Some(LoadHint::Encoder),
        _ => None,
    };
    CliError::Load {
        path: path.to_path_buf(),
        source: Box::new(source),
        hint,
    }
}

/// What to do about a GGUF error.
fn gguf_hint(path: &Path, e: &GgufError) -> Option<LoadHint> {
    match e {
        GgufError::NotGguf => Some(LoadHint::NotGguf),
        GgufError::Truncated { .. } => Some(LoadHint::Truncated {
            size: std::fs::metadata(path).map_or(0, |m| m.len()),
            reinstall: registry::by_path(path).map(|m| m.install_command()),
        }),
        GgufError::UnsupportedType { .. } => Some(LoadHint::UnsupportedType {
            supported: (0..64)
                .map(GgmlType::from_id)
                .filter(|t| t.can_dequantize())
                .map(GgmlType::name)
                .collect::<Vec<_>>()
                .join(", "),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Describe, Lang};

    #[test]
    fn unsupported_type_hint_lists_what_is_supported() {
        let e = GgufError::UnsupportedType {
            tensor: "token_embd.weight".into(),
            type_name: "IQ4_NL".into(),
        };
        let message = load_error(Path::new("m.gguf"), ModelError::Gguf(e)).describe(Lang::En);
        assert!(
            message.starts_with(
                "cannot load m.gguf: tensor \"token_embd.weight\" has type IQ4_NL, which \
                 tokenscope does not support. tokenscope reads the tensor types"
            ),
            "{message}"
        );
        let list = &message[message.find("types ").unwrap()..];
        assert!(list.contains("F32, F16, Q4_0, Q4_1"), "{message}");
        assert!(list.contains("Q6_K") && list.contains("BF16"), "{message}");
        assert!(
            !list.contains("IQ4_NL") && !list.contains("Q8_K"),
            "{message}"
        );
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let e = model_path(Some("no-such-model"))
            .unwrap_err()
            .describe(Lang::PtBr);
        assert!(
            e.contains("no-such-model") && e.contains("gemma-3-270m"),
            "{e}"
        );
        assert!(e.starts_with("o modelo"), "{e}");
    }
}
