//! HF encoder-decoder folders: `config.json` + `model.safetensors` + `tokenizer.json`, as
//! `save_pretrained` writes them (e.g. `google/flan-t5-small`, `facebook/bart-base`, a
//! `Helsinki-NLP/opus-mt-*` whose tokenizer was saved as `tokenizer.json`). A folder is an
//! encoder-decoder when its config.json says `"is_encoder_decoder": true` or names one of
//! [`SUPPORTED`]; its `model_type` picks the file that runs it.
//!
//! The tokenizer's post-processor (T5's `$A </s>`, BART's `<s> $A </s>`) is switched off: the
//! session adds the end token (and, for BART, [`Seq2SeqLm::source_start`]) itself, and the
//! target prefix must get none.

use std::path::Path;

use serde_json::Value;
use tch::Device;

use crate::model::ModelError;
use crate::model::seq2seq::{LoadedSeq2Seq, Seq2SeqLm};
use crate::tokenizer::Tokenizer;

use super::bart::Bart;
use super::layers::Weights;
use super::marian_mt::MarianMt;
use super::t5::T5;

/// The `model_type`s tokenscope runs as encoder-decoders.
pub const SUPPORTED: &[&str] = &["t5", "bart", "marian"];

/// A folder's `config.json`, with typed getters that name the missing key.
pub struct HfConfig {
    json: Value,
}

impl HfConfig {
    pub fn read(dir: &Path) -> Result<Self, ModelError> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|source| ModelError::Io {
            path: path.clone(),
            source,
        })?;
        let json = serde_json::from_str(&text).map_err(|e| ModelError::Config {
            file: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Ok(Self { json })
    }

    pub fn model_type(&self) -> &str {
        self.json
            .get("model_type")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// A number; a list (`eos_token_id: [1]`) gives its first element.
    fn number(&self, key: &str) -> Option<u64> {
        match self.json.get(key)? {
            Value::Array(a) => a.first()?.as_u64(),
            v => v.as_u64(),
        }
    }

    pub fn usize(&self, key: &str) -> Result<usize, ModelError> {
        self.number(key)
            .map(|n| n as usize)
            .ok_or_else(|| ModelError::MissingKey(format!("config.json: {key}")))
    }

    pub fn usize_or(&self, key: &str, default: usize) -> usize {
        self.number(key).map_or(default, |n| n as usize)
    }

    pub fn u32(&self, key: &str) -> Result<u32, ModelError> {
        Ok(self.usize(key)? as u32)
    }

    pub fn opt_u32(&self, key: &str) -> Option<u32> {
        self.number(key).map(|n| n as u32)
    }

    pub fn f64_or(&self, key: &str, default: f64) -> f64 {
        self.json
            .get(key)
            .and_then(Value::as_f64)
            .unwrap_or(default)
    }

    pub fn bool_or(&self, key: &str, default: bool) -> bool {
        self.json
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }

    pub fn str_or<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.json
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
    }

    /// A config.json inconsistency, for the error.
    pub fn bad(&self, detail: String) -> ModelError {
        ModelError::Config {
            file: "config.json".into(),
            detail,
        }
    }
}

/// Whether `dir`'s config.json describes an encoder-decoder.
pub fn is_hf_seq2seq(dir: &Path) -> bool {
    let Ok(cfg) = HfConfig::read(dir) else {
        return false;
    };
    cfg.bool_or("is_encoder_decoder", false) || SUPPORTED.contains(&cfg.model_type())
}

/// The longest source an HF folder's model reads (T5's relative positions have no table:
/// `n_positions`, 512 by default); `None` when `dir` is not an HF encoder-decoder.
pub fn max_source(dir: &Path) -> Option<usize> {
    if !is_hf_seq2seq(dir) {
        return None;
    }
    let cfg = HfConfig::read(dir).ok()?;
    Some(match cfg.model_type() {
        "t5" => cfg.usize_or("n_positions", 512),
        _ => cfg.usize_or("max_position_embeddings", 512),
    })
}

/// Loads an HF encoder-decoder folder.
pub fn load(dir: &Path, device: Device) -> Result<LoadedSeq2Seq, ModelError> {
    let cfg = HfConfig::read(dir)?;
    if !SUPPORTED.contains(&cfg.model_type()) {
        return Err(ModelError::UnknownSeq2Seq(cfg.model_type().to_string()));
    }
    let tokenizer = Tokenizer::from_hf_dir(dir)?.without_post_processor();
    let weights = Weights::open(dir, device)?;
    let model: Box<dyn Seq2SeqLm> = match cfg.model_type() {
        "t5" => Box::new(T5::load(&cfg, &weights, device)?),
        "bart" => Box::new(Bart::load(&cfg, &weights, device)?),
        _ => Box::new(MarianMt::load(&cfg, &weights, device)?),
    };
    let vocab = model.dims().vocab;
    if tokenizer.views().len() > vocab {
        return Err(cfg.bad(format!(
            "tokenizer.json has {} tokens, more than vocab_size {vocab}",
            tokenizer.views().len()
        )));
    }
    let tokenizer = tokenizer.cover(vocab);
    let name = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(LoadedSeq2Seq {
        model,
        tokenizer,
        shortlist: None,
        name,
    })
}
