//! The models tokenscope knows by short name (`--model gemma-3-270m`): where `scripts/bootstrap`
//! installs each one, what it is, and the command that installs it. `assets/models.md` is the
//! same table for people (sources, licences, checksums); `tests/registry.rs` keeps the two and
//! `scripts/bootstrap` in step.
//!
//! Anything that is not a short name is a path (`--model PATH`: a GGUF file or an HF folder).

use std::path::{Path, PathBuf};

/// What a model does (decides which views the playground offers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Writes one token at a time (GPT-style).
    Decoder,
    /// Reads the whole text (BERT-style): fill-mask, sentence embeddings.
    Encoder,
    /// Reads a source text, writes a target (translation).
    EncoderDecoder,
}

/// One installable model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownModel {
    /// The short name (`--model NAME`, `scripts/bootstrap --model NAME`).
    pub name: &'static str,
    /// What it is, in a few words (not translated: model names and formats).
    pub title: &'static str,
    pub family: Family,
    /// Path under the model cache: a file, or a folder for HF-style models.
    pub relative_path: &'static str,
    /// Bytes on disk once installed (the main file's size for folders).
    pub size_bytes: u64,
    /// Part of the default set that `scripts/run` installs.
    pub default: bool,
}

/// Every model `scripts/bootstrap --model NAME` installs, in the order `tokenscope models` lists
/// them. The first one is the default model.
pub const KNOWN_MODELS: [KnownModel; 6] = [
    KnownModel {
        name: "smollm2-135m",
        title: "SmolLM2-135M-Instruct, GGUF Q4_1 (English)",
        family: Family::Decoder,
        relative_path: "SmolLM2-135M-Instruct.Q4_1.gguf",
        size_bytes: 98_362_432,
        default: true,
    },
    KnownModel {
        name: "gemma-3-270m",
        title: "Gemma 3 270M (base), GGUF Q4_K_M (multilingual: Portuguese)",
        family: Family::Decoder,
        relative_path: "gemma-3-270m-q4_k_m.gguf",
        size_bytes: 253_113_024,
        default: true,
    },
    KnownModel {
        name: "all-minilm-l6-v2",
        title: "all-MiniLM-L6-v2, sentence embeddings (BERT, English)",
        family: Family::Encoder,
        relative_path: "all-minilm-l6-v2",
        size_bytes: 90_868_376,
        default: false,
    },
    KnownModel {
        name: "bert-tiny",
        title: "bert-tiny masked LM (a retrieval fine-tune: weak guesses)",
        family: Family::Encoder,
        relative_path: "bert-tiny",
        size_bytes: 17_671_552,
        default: false,
    },
    KnownModel {
        name: "marian-en-pt",
        title: "Bergamot tiny Marian, English → Portuguese (Brazil)",
        family: Family::EncoderDecoder,
        relative_path: "marian-en-pt",
        size_bytes: 17_140_836,
        default: false,
    },
    KnownModel {
        name: "marian-pt-en",
        title: "Bergamot tiny Marian, Portuguese (Brazil) → English",
        family: Family::EncoderDecoder,
        relative_path: "marian-pt-en",
        size_bytes: 17_140_836,
        default: false,
    },
];

/// The model used when `--model` is not given.
pub const DEFAULT_MODEL: &str = "smollm2-135m";

/// `${XDG_CACHE_HOME:-$HOME/.cache}/tokenscope/models`, where `scripts/bootstrap` installs.
pub fn model_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("tokenscope/models")
}

impl KnownModel {
    /// Where it is (or would be) installed.
    pub fn path(&self) -> PathBuf {
        model_dir().join(self.relative_path)
    }

    /// Whether `scripts/bootstrap` has installed it (the file, or the folder's config).
    pub fn installed(&self) -> bool {
        let p = self.path();
        match self.family {
            Family::Decoder => p.is_file(),
            Family::Encoder => p.join("config.json").is_file(),
            Family::EncoderDecoder => p.is_dir(),
        }
    }

    /// The command that installs it.
    pub fn install_command(&self) -> String {
        format!("scripts/bootstrap --model {}", self.name)
    }
}

/// Bytes `path` takes on disk: a file's length, or the sum over a folder's files (one level
/// down, as the installed models lay them out); `None` when it is not there.
pub fn bytes_on_disk(path: &Path) -> Option<u64> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return Some(meta.len());
    }
    let mut total = 0;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        total += match meta.is_file() {
            true => meta.len(),
            false => bytes_on_disk(&entry.path()).unwrap_or(0),
        };
    }
    Some(total)
}

/// The known model called `name` (case-insensitive).
pub fn find(name: &str) -> Option<&'static KnownModel> {
    KNOWN_MODELS
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name.trim()))
}

/// The known model installed at `path`, if it is one.
pub fn by_path(path: &Path) -> Option<&'static KnownModel> {
    KNOWN_MODELS.iter().find(|m| m.path() == path)
}

/// The default model's path.
pub fn default_model_path() -> PathBuf {
    find(DEFAULT_MODEL)
        .expect("the default model is known")
        .path()
}

/// Whether `s` reads as a short name rather than a path: no path separator, no file extension
/// a model file would have.
pub fn looks_like_name(s: &str) -> bool {
    !s.contains('/') && !s.contains('\\') && !s.ends_with(".gguf") && s != "." && s != ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_case_insensitively() {
        for (i, m) in KNOWN_MODELS.iter().enumerate() {
            assert!(looks_like_name(m.name));
            assert_eq!(find(&m.name.to_uppercase()), Some(m));
            assert!(KNOWN_MODELS[i + 1..].iter().all(|o| o.name != m.name));
        }
        assert_eq!(KNOWN_MODELS[0].name, DEFAULT_MODEL);
        assert!(find("gpt-5").is_none());
    }

    #[test]
    fn paths_are_not_names() {
        assert!(!looks_like_name("./m.gguf"));
        assert!(!looks_like_name("m.gguf"));
        assert!(!looks_like_name("/models/bert"));
        assert!(looks_like_name("gemma-3-270m"));
    }
}
