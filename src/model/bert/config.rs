//! An encoder's `config.json`, in two steps: the fields as BERT, RoBERTa and DistilBERT spell
//! them ([`FileConfig`]), then one resolved [`EncoderConfig`] with every default decided here.

use std::path::Path;

use serde::Deserialize;

use crate::model::bert::EncoderError;

/// Which member of the BERT family: the tensor names and the two small differences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// BERT (and MiniLM, BERTimbau, mBERT): token-type embeddings, positions from 0.
    Bert,
    /// RoBERTa: positions start after the padding id (`pad_token_id + 1`), one token type.
    Roberta,
    /// DistilBERT: no token types, `q_lin`/`k_lin`… names, `sa_layer_norm`.
    DistilBert,
}

/// The feed-forward non-linearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// The exact, erf-based GELU (`gelu`).
    Gelu,
    /// The tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    GeluTanh,
    Relu,
}

/// `config.json` as written (only what the encoder reads).
#[derive(Deserialize, Debug, Default)]
struct FileConfig {
    model_type: Option<String>,
    vocab_size: Option<usize>,
    hidden_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    intermediate_size: Option<usize>,
    max_position_embeddings: Option<usize>,
    type_vocab_size: Option<usize>,
    layer_norm_eps: Option<f64>,
    hidden_act: Option<String>,
    pad_token_id: Option<usize>,
    // DistilBERT's names.
    dim: Option<usize>,
    n_layers: Option<usize>,
    n_heads: Option<usize>,
    hidden_dim: Option<usize>,
    activation: Option<String>,
}

/// Everything the encoder needs, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct EncoderConfig {
    pub flavor: Flavor,
    pub vocab: usize,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    /// Rows of the position table.
    pub max_positions: usize,
    /// Rows of the token-type table (0: none, DistilBERT).
    pub type_vocab: usize,
    pub eps: f64,
    pub activation: Activation,
    /// The position id of the first token (RoBERTa: `pad_token_id + 1`; others 0).
    pub position_offset: usize,
}

impl EncoderConfig {
    /// The longest input (special tokens included) the position table covers.
    pub fn max_tokens(&self) -> usize {
        self.max_positions.saturating_sub(self.position_offset)
    }

    /// Reads `dir/config.json`; an error names a folder that is no BERT-family encoder.
    pub fn read(dir: &Path) -> Result<Self, EncoderError> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|e| EncoderError::Config {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let file: FileConfig = serde_json::from_str(&text).map_err(|e| EncoderError::Config {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        file.resolve(dir)
    }
}

/// The `model_type` of an HF folder (empty when there is none).
pub fn model_type(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("config.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<FileConfig>(&t).ok())
        .and_then(|c| c.model_type)
        .unwrap_or_default()
}

/// Whether `model_type` names an encoder tokenscope runs.
pub fn flavor_of(model_type: &str) -> Option<Flavor> {
    match model_type {
        "bert" => Some(Flavor::Bert),
        "roberta" | "xlm-roberta" => Some(Flavor::Roberta),
        "distilbert" => Some(Flavor::DistilBert),
        _ => None,
    }
}

fn activation(name: &str) -> Option<Activation> {
    match name {
        "gelu" => Some(Activation::Gelu),
        "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Some(Activation::GeluTanh),
        "relu" => Some(Activation::Relu),
        _ => None,
    }
}

impl FileConfig {
    fn resolve(self, dir: &Path) -> Result<EncoderConfig, EncoderError> {
        let model_type = self.model_type.clone().unwrap_or_default();
        let flavor = flavor_of(&model_type).ok_or_else(|| EncoderError::NotAnEncoder {
            path: dir.to_path_buf(),
            model_type: model_type.clone(),
        })?;
        let missing = |key: &str| EncoderError::Config {
            path: dir.join("config.json"),
            detail: format!("no `{key}`"),
        };
        let distil = flavor == Flavor::DistilBert;
        let pick = |a: Option<usize>, b: Option<usize>, key: &str| {
            if distil { b } else { a }.ok_or_else(|| missing(key))
        };
        let hidden = pick(self.hidden_size, self.dim, "hidden_size")?;
        let heads = pick(
            self.num_attention_heads,
            self.n_heads,
            "num_attention_heads",
        )?;
        let act_name = if distil {
            self.activation.clone()
        } else {
            self.hidden_act.clone()
        }
        .unwrap_or_else(|| "gelu".into());
        let activation = activation(&act_name).ok_or_else(|| EncoderError::Config {
            path: dir.join("config.json"),
            detail: format!("unknown activation `{act_name}`"),
        })?;
        if heads == 0 || hidden % heads != 0 {
            return Err(EncoderError::Config {
                path: dir.join("config.json"),
                detail: format!("{hidden} is not a multiple of {heads} heads"),
            });
        }
        Ok(EncoderConfig {
            flavor,
            vocab: self.vocab_size.ok_or_else(|| missing("vocab_size"))?,
            hidden,
            layers: pick(self.num_hidden_layers, self.n_layers, "num_hidden_layers")?,
            heads,
            intermediate: pick(self.intermediate_size, self.hidden_dim, "intermediate_size")?,
            max_positions: self.max_position_embeddings.unwrap_or(512),
            type_vocab: if distil {
                0
            } else {
                self.type_vocab_size.unwrap_or(2)
            },
            eps: if distil {
                1e-12
            } else {
                self.layer_norm_eps.unwrap_or(1e-12)
            },
            activation,
            position_offset: match flavor {
                Flavor::Roberta => self.pad_token_id.unwrap_or(1) + 1,
                _ => 0,
            },
        })
    }
}
