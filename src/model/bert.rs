//! BERT-family encoders from HF folders: BERT (`BertModel`, `BertForMaskedLM`; MiniLM,
//! BERTimbau, mBERT are BERTs), RoBERTa (`RobertaForMaskedLM`, `RobertaModel`) and DistilBERT
//! (`DistilBertForMaskedLM`, `DistilBertModel`). An encoder reads the whole text at once, every
//! token seeing the tokens on **both** sides (no causal mask), and gives one vector per token:
//! the masked-LM head turns the vector at a `[MASK]` into a distribution over the vocabulary
//! (fill-mask); pooling turns all of them into one sentence vector (embeddings).
//!
//! Folder: `config.json`, `model.safetensors`, `tokenizer.json` (or `vocab.txt`), optionally
//! `1_Pooling/config.json` + `modules.json` (sentence-transformers). Checkpoint conventions
//! handled: LayerNorm parameters named `gamma`/`beta` (old TF conversions), a tied MLM decoder
//! (no `cls.predictions.decoder.weight`: the word embeddings are used), base tensors with or
//! without the `bert.` / `roberta.` / `distilbert.` prefix. Float32 on the CPU.

pub mod config;
pub mod layers;
pub mod pooling;
pub mod probe;
pub mod tokenizer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tch::{Kind, Tensor};

pub use config::{EncoderConfig, Flavor};
pub use pooling::{PoolMode, Pooling};
pub use tokenizer::{EncoderTokenizer, MASK};

use crate::i18n::{Describe, Lang, Text};
use layers::{Embeddings, Layer, MlmHead, Weights};

/// Errors of the encoder path (loading, and inputs it cannot take).
#[derive(Debug)]
pub enum EncoderError {
    /// The folder's `config.json` names no BERT-family encoder (its `model_type`; empty when
    /// it has none, e.g. a GGUF decoder).
    NotAnEncoder {
        path: PathBuf,
        model_type: String,
    },
    Config {
        path: PathBuf,
        detail: String,
    },
    Io {
        path: PathBuf,
        detail: String,
    },
    MissingTensor(String),
    BadShape {
        tensor: String,
        shape: Vec<i64>,
    },
    Tokenizer(String),
    /// `fill` without a mask in the text.
    NoMask,
    /// `fill` on an encoder without a masked-LM head.
    NoMlmHead(String),
    /// More tokens than the position table covers.
    TooLong {
        tokens: usize,
        max: usize,
    },
    /// `embed` with no sentence.
    NoSentences,
    Torch(String),
}

impl From<tch::TchError> for EncoderError {
    fn from(e: tch::TchError) -> Self {
        EncoderError::Torch(crate::model::one_line(&e.to_string()))
    }
}

impl Describe for EncoderError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            EncoderError::NotAnEncoder { path, model_type } => {
                let kind = if model_type.is_empty() {
                    lang.t(Text::EncNoModelType).to_string()
                } else {
                    lang.f(Text::EncModelType, &[&format!("`{model_type}`")])
                };
                lang.f(Text::ErrNotAnEncoder, &[&path.display(), &kind])
            }
            EncoderError::Config { path, detail } => {
                lang.f(Text::ErrConfig, &[&path.display(), detail])
            }
            EncoderError::Io { path, detail } => {
                lang.f(Text::ErrReadFile, &[&path.display(), detail])
            }
            EncoderError::MissingTensor(name) => lang.f(Text::ErrMissingTensor, &[name]),
            EncoderError::BadShape { tensor, shape } => lang.f(
                Text::ErrBadShape,
                &[tensor, &format!("{shape:?}"), &"[vocab_size, hidden_size]"],
            ),
            EncoderError::Tokenizer(why) => lang.f(Text::ErrEncoderTokenizer, &[why]),
            EncoderError::NoMask => lang.f(Text::ErrNoMask, &[&MASK]),
            EncoderError::NoMlmHead(name) => lang.f(Text::ErrNoMlmHead, &[name]),
            EncoderError::TooLong { tokens, max } => lang.f(
                Text::ErrEncoderTooLong,
                &[&lang.int(*tokens), &lang.int(*max)],
            ),
            EncoderError::NoSentences => lang.t(Text::ErrNoSentences).to_string(),
            EncoderError::Torch(why) => lang.f(Text::ErrTorch, &[why]),
        }
    }
}

crate::described_error!(EncoderError);

/// Whether `dir` is an HF folder of a BERT-family encoder (by its `config.json`).
pub fn is_encoder(dir: &Path) -> bool {
    dir.is_dir() && config::flavor_of(&config::model_type(dir)).is_some()
}

/// A loaded encoder.
pub struct Encoder {
    pub config: EncoderConfig,
    embeddings: Embeddings,
    layers: Vec<Layer>,
    head: Option<MlmHead>,
}

/// Every token's last-layer vector, and the last layer's attention.
pub struct Encoded {
    /// `[1, n, hidden]`.
    pub hidden: Tensor,
    /// Last layer, mean over heads: `[n][n]`, row = the token that looks.
    pub attention: Vec<Vec<f32>>,
}

impl Encoder {
    pub fn load(dir: &Path, config: EncoderConfig) -> Result<Self, EncoderError> {
        let path = dir.join("model.safetensors");
        let tensors: HashMap<String, Tensor> = Tensor::read_safetensors(&path)
            .map_err(|e| EncoderError::Io {
                path: path.clone(),
                detail: crate::model::one_line(&e.to_string()),
            })?
            .into_iter()
            .collect();
        let w = Weights::new(tensors, config.flavor);
        let embeddings = Embeddings::load(&w, &config)?;
        let layers = (0..config.layers)
            .map(|i| Layer::load(&w, &config, i))
            .collect::<Result<_, _>>()?;
        let head = MlmHead::load(&w, &config, &embeddings.word)?;
        Ok(Self {
            config,
            embeddings,
            layers,
            head,
        })
    }

    pub fn has_mlm_head(&self) -> bool {
        self.head.is_some()
    }

    /// Runs every layer over `ids` (special tokens included).
    pub fn encode(&self, ids: &[u32]) -> Result<Encoded, EncoderError> {
        let max = self.config.max_tokens();
        if ids.len() > max {
            return Err(EncoderError::TooLong {
                tokens: ids.len(),
                max,
            });
        }
        let _g = tch::no_grad_guard();
        let ids: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
        let mut x = self.embeddings.forward(&Tensor::from_slice(&ids));
        let mut attention = Tensor::zeros([0], (Kind::Float, tch::Device::Cpu));
        for layer in &self.layers {
            let (y, a) = layer.forward(&x);
            x = y;
            attention = a;
        }
        let mean = attention.mean_dim(0, false, Kind::Float);
        let attention = Vec::<Vec<f32>>::try_from(&mean)?;
        Ok(Encoded {
            hidden: x,
            attention,
        })
    }

    /// The masked-LM logits at `positions` (`[vocab]` each), or `None` without a head.
    pub fn mlm_logits(
        &self,
        enc: &Encoded,
        positions: &[usize],
    ) -> Result<Option<Vec<Vec<f32>>>, EncoderError> {
        let Some(head) = &self.head else {
            return Ok(None);
        };
        let _g = tch::no_grad_guard();
        let idx: Vec<i64> = positions.iter().map(|&p| p as i64).collect();
        let h = enc
            .hidden
            .squeeze_dim(0)
            .index_select(0, &Tensor::from_slice(&idx));
        Ok(Some(Vec::<Vec<f32>>::try_from(&head.forward(&h))?))
    }

    /// Every position's masked-LM logits `[n][vocab]` (the tests compare all of them).
    pub fn all_logits(&self, enc: &Encoded) -> Result<Option<Vec<Vec<f32>>>, EncoderError> {
        let n = enc.hidden.size()[1] as usize;
        self.mlm_logits(enc, &(0..n).collect::<Vec<_>>())
    }
}

/// An encoder with its tokenizer and pooling recipe.
pub struct LoadedEncoder {
    pub model: Encoder,
    pub tokenizer: EncoderTokenizer,
    pub pooling: Pooling,
    /// Display name (the folder's name).
    pub name: String,
}

/// Loads an encoder folder; refuses a folder (or file) that is not one.
pub fn load(dir: &Path) -> Result<LoadedEncoder, EncoderError> {
    if !dir.is_dir() {
        return Err(EncoderError::NotAnEncoder {
            path: dir.to_path_buf(),
            model_type: String::new(),
        });
    }
    let config = EncoderConfig::read(dir)?;
    let tokenizer = EncoderTokenizer::load(dir)?;
    let model = Encoder::load(dir, config)?;
    let name = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(LoadedEncoder {
        model,
        tokenizer,
        pooling: Pooling::read(dir),
        name,
    })
}

/// One sentence's vector with the folder's pooling.
pub fn embed(enc: &LoadedEncoder, sentence: &str) -> Result<Vec<f32>, EncoderError> {
    let ids = enc.tokenizer.encode(sentence)?;
    let encoded = enc.model.encode(&ids)?;
    let _g = tch::no_grad_guard();
    Ok(Vec::<f32>::try_from(&enc.pooling.pool(&encoded.hidden))?)
}

/// Cosine similarity of two vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum();
    let na: f64 = a.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_by_hand() {
        assert!((cosine(&[1.0, 0.0], &[0.0, 1.0])).abs() < 1e-12);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-12);
        assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]) - 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }
}
