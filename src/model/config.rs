//! Model hyper-parameters in two steps: as written in the file (GGUF metadata keys or HF
//! `config.json`), then resolved into one [`Config`] where every default is decided once.

use serde::Deserialize;

use crate::gguf::GgufFile;
use crate::model::ModelError;
use crate::model::weights::{Checkpoint, Weight};

/// Decoder families that share the Llama block structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    /// Llama 2/3, SmolLM, TinyLlama, Mistral.
    Llama,
    /// Qwen2: Llama plus biases on q/k/v.
    Qwen2,
    /// Gemma 3 (its own block structure: see `model/gemma3.rs`).
    Gemma3,
}

/// How rotary embeddings pair the dimensions of a head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RopeStyle {
    /// Adjacent pairs (2i, 2i+1): what GGUF *llama* checkpoints need, because llama.cpp's
    /// converter permutes the rows of attn_q/attn_k for ggml's "normal" RoPE.
    Interleaved,
    /// First half with second half (HF `rotate_half`, a.k.a. NEOX): HF safetensors, and Qwen2
    /// everywhere (its GGUF rows are not permuted).
    HalfSplit,
}

/// Llama 3.1-style frequency scaling of RoPE (HF `rope_scaling.rope_type = "llama3"`).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
pub struct Llama3Scaling {
    pub factor: f64,
    pub low_freq_factor: f64,
    pub high_freq_factor: f64,
    pub original_max_position_embeddings: f64,
}

/// The resolved configuration every other part of the model reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub arch: Architecture,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub rope_theta: f64,
    pub rope_style: RopeStyle,
    pub llama3_scaling: Option<Llama3Scaling>,
    pub rms_eps: f64,
    pub context_length: usize,
    pub tied_embeddings: bool,
    pub qkv_bias: bool,
}

impl Config {
    /// Reads `{arch}.*` keys of a GGUF file.
    pub fn from_gguf(g: &GgufFile) -> Result<Self, ModelError> {
        let arch_name = g
            .get_str("general.architecture")
            .ok_or_else(|| ModelError::MissingKey("general.architecture".into()))?
            .to_string();
        let arch = match arch_name.as_str() {
            "llama" | "mistral" => Architecture::Llama,
            "qwen2" => Architecture::Qwen2,
            "gemma3" => Architecture::Gemma3,
            other => return Err(ModelError::UnknownArchitecture(other.to_string())),
        };
        let key = |k: &str| format!("{arch_name}.{k}");
        let req = |k: &str| -> Result<usize, ModelError> {
            g.get_u64(&key(k))
                .map(|v| v as usize)
                .ok_or_else(|| ModelError::MissingKey(key(k)))
        };
        let hidden = req("embedding_length")?;
        let heads = req("attention.head_count")?;
        let kv_heads = g
            .get_u64(&key("attention.head_count_kv"))
            .map_or(heads, |v| v as usize);
        let vocab = g
            .get_u64(&key("vocab_size"))
            .map(|v| v as usize)
            .or_else(|| g.get_str_array("tokenizer.ggml.tokens").map(|t| t.len()))
            .ok_or_else(|| ModelError::MissingKey(key("vocab_size")))?;
        let head_dim = g
            .get_u64(&key("attention.key_length"))
            .map(|v| v as usize)
            .unwrap_or(hidden / heads.max(1));
        let cfg = Config {
            arch,
            hidden,
            layers: req("block_count")?,
            heads,
            kv_heads,
            head_dim,
            intermediate: req("feed_forward_length")?,
            vocab,
            rope_theta: g
                .get_f32(&key("rope.freq_base"))
                .map_or(10_000.0, f64::from),
            rope_style: match arch {
                Architecture::Llama => RopeStyle::Interleaved,
                // llama.cpp's converter permutes q/k rows only for llama; Gemma is NEOX.
                Architecture::Qwen2 | Architecture::Gemma3 => RopeStyle::HalfSplit,
            },
            // GGUF carries Llama 3.1 scaling as a `rope_freqs.weight` tensor instead.
            llama3_scaling: None,
            rms_eps: g
                .get_f32(&key("attention.layer_norm_rms_epsilon"))
                .map_or(1e-5, f64::from),
            context_length: g
                .get_u64(&key("context_length"))
                .map_or(2048, |v| v as usize),
            tied_embeddings: g.tensor("output.weight").is_none(),
            qkv_bias: g.tensor("blk.0.attn_q.bias").is_some(),
        };
        cfg.validate(
            "the GGUF metadata",
            [
                "block_count",
                "attention.head_count",
                "attention.head_count_kv",
                "embedding_length",
            ],
        )
    }

    /// Reads an HF `config.json`.
    pub fn from_hf_json(text: &str) -> Result<Self, ModelError> {
        let raw: HfConfig = serde_json::from_str(text).map_err(|e| ModelError::Config {
            file: "config.json".into(),
            detail: e.to_string(),
        })?;
        raw.resolve()
    }

    /// The vocabulary size as the embedding matrix has it (GGUF's `vocab_size` key is optional
    /// and HF configs sometimes round it), checked against the hidden size.
    pub fn with_vocab_from(mut self, ck: &Checkpoint) -> Result<Self, ModelError> {
        let tensor = Weight::TokenEmbd;
        let shape = ck
            .shape(tensor)
            .ok_or_else(|| ModelError::MissingTensor(ck.name(tensor)))?;
        let [vocab, hidden] = shape[..] else {
            return Err(ModelError::BadShape {
                tensor: ck.name(tensor),
                shape,
                expected: "[vocabulary, hidden] was expected".into(),
            });
        };
        if hidden != self.hidden {
            return Err(ModelError::BadShape {
                tensor: ck.name(tensor),
                shape,
                expected: format!("the config says the hidden size is {}", self.hidden),
            });
        }
        self.vocab = vocab;
        Ok(self)
    }

    /// Checks the sizes fit together; `file` and the names of the `[layers, heads, kv heads,
    /// hidden]` fields say where a wrong one comes from.
    fn validate(self, file: &str, fields: [&str; 4]) -> Result<Self, ModelError> {
        let [layers, heads, kv_heads, hidden] = fields;
        let bad = |detail: String| {
            Err(ModelError::Config {
                file: file.into(),
                detail,
            })
        };
        for (field, value) in [
            (hidden, self.hidden),
            (heads, self.heads),
            (kv_heads, self.kv_heads),
            (layers, self.layers),
        ] {
            if value == 0 {
                return bad(format!("{field} is 0"));
            }
        }
        if !self.heads.is_multiple_of(self.kv_heads) {
            return bad(format!(
                "{heads} ({}) is not a multiple of {kv_heads} ({})",
                self.heads, self.kv_heads
            ));
        }
        if !self.head_dim.is_multiple_of(2) {
            return bad(format!(
                "the head size {} is odd (RoPE needs pairs; {hidden} / {heads} or head_dim)",
                self.head_dim
            ));
        }
        Ok(self)
    }
}

/// `config.json` as written by transformers (only the fields we read).
#[derive(Debug, Deserialize)]
struct HfConfig {
    model_type: Option<String>,
    #[serde(default)]
    architectures: Vec<String>,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    intermediate_size: usize,
    vocab_size: usize,
    rope_theta: Option<f64>,
    /// transformers ≥ 5 nests RoPE settings here (`rope_theta`, `rope_type`, llama3 factors).
    rope_parameters: Option<serde_json::Value>,
    rope_scaling: Option<serde_json::Value>,
    rms_norm_eps: Option<f64>,
    max_position_embeddings: Option<usize>,
    tie_word_embeddings: Option<bool>,
    attention_bias: Option<bool>,
}

impl HfConfig {
    fn resolve(self) -> Result<Config, ModelError> {
        let kind = self
            .model_type
            .clone()
            .or_else(|| self.architectures.first().cloned())
            .unwrap_or_default();
        let arch = match kind.as_str() {
            "llama" | "mistral" | "LlamaForCausalLM" | "MistralForCausalLM" => Architecture::Llama,
            "qwen2" | "Qwen2ForCausalLM" => Architecture::Qwen2,
            "gemma3_text" | "Gemma3ForCausalLM" => Architecture::Gemma3,
            other => return Err(ModelError::UnknownArchitecture(other.to_string())),
        };
        // Gemma 3 keeps a RoPE setting per layer type: the shared config holds the global
        // layers' (`Gemma3Config::from_hf_json` reads the local ones and checks the scaling).
        let rope_parameters = match arch {
            Architecture::Gemma3 => self
                .rope_parameters
                .as_ref()
                .and_then(|p| p.get("full_attention"))
                .cloned(),
            _ => self.rope_parameters.clone(),
        };
        HfConfig {
            rope_parameters,
            ..self
        }
        .resolve_for(arch)
    }

    fn resolve_for(self, arch: Architecture) -> Result<Config, ModelError> {
        let rope_theta = self.rope_theta.or_else(|| {
            self.rope_parameters
                .as_ref()
                .and_then(|p| p.get("rope_theta"))
                .and_then(|t| t.as_f64())
        });
        let scaling = self.rope_scaling.as_ref().or(self
            .rope_parameters
            .as_ref()
            .filter(|p| p.get("rope_type").and_then(|t| t.as_str()) != Some("default")));
        let llama3_scaling = match scaling {
            Some(v) if v.get("rope_type").and_then(|t| t.as_str()) == Some("llama3") => Some(
                serde_json::from_value(v.clone()).map_err(|e| ModelError::Config {
                    file: "config.json".into(),
                    detail: format!("rope_scaling: {e}"),
                })?,
            ),
            Some(v) if !v.is_null() => {
                return Err(ModelError::Config {
                    file: "config.json".into(),
                    detail: format!("unsupported rope_scaling {v} (only llama3 is supported)"),
                });
            }
            _ => None,
        };
        Config {
            arch,
            hidden: self.hidden_size,
            layers: self.num_hidden_layers,
            heads: self.num_attention_heads,
            kv_heads: self.num_key_value_heads.unwrap_or(self.num_attention_heads),
            head_dim: self
                .head_dim
                .unwrap_or(self.hidden_size / self.num_attention_heads.max(1)),
            intermediate: self.intermediate_size,
            vocab: self.vocab_size,
            rope_theta: rope_theta.unwrap_or(10_000.0),
            rope_style: RopeStyle::HalfSplit,
            llama3_scaling,
            rms_eps: self.rms_norm_eps.unwrap_or(1e-6),
            context_length: self.max_position_embeddings.unwrap_or(2048),
            tied_embeddings: self.tie_word_embeddings.unwrap_or(false),
            qkv_bias: self.attention_bias.unwrap_or(arch == Architecture::Qwen2),
        }
        .validate(
            "config.json",
            [
                "num_hidden_layers",
                "num_attention_heads",
                "num_key_value_heads",
                "hidden_size",
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Describe, Lang};

    #[test]
    fn hf_qwen2_defaults() {
        let c = Config::from_hf_json(
            r#"{"model_type":"qwen2","hidden_size":64,"num_hidden_layers":2,
                "num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":128,
                "vocab_size":300,"tie_word_embeddings":true}"#,
        )
        .unwrap();
        assert_eq!(c.arch, Architecture::Qwen2);
        assert!(c.qkv_bias && c.tied_embeddings);
        assert_eq!((c.head_dim, c.rope_style), (16, RopeStyle::HalfSplit));
    }

    #[test]
    fn unknown_architecture_is_named() {
        let e = Config::from_hf_json(
            r#"{"model_type":"gpt_neox","hidden_size":64,"num_hidden_layers":2,
                "num_attention_heads":4,"intermediate_size":128,"vocab_size":300}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("gpt_neox"), "{e}");
    }

    /// Found by tests/fuzz_readers.rs: sizes that do not fit together name the file and fields.
    #[test]
    fn inconsistent_sizes_name_the_file_and_the_fields() {
        let e = Config::from_hf_json(
            r#"{"model_type":"llama","hidden_size":60,"num_hidden_layers":2,
                "num_attention_heads":5,"num_key_value_heads":2,"intermediate_size":128,
                "vocab_size":300}"#,
        )
        .unwrap_err()
        .describe(Lang::En);
        assert!(e.contains("config.json"), "{e}");
        assert!(
            e.contains("num_attention_heads (5)") && e.contains("num_key_value_heads (2)"),
            "{e}"
        );
        let e = Config::from_hf_json(
            r#"{"model_type":"llama","hidden_size":64,"num_hidden_layers":0,
                "num_attention_heads":4,"intermediate_size":128,"vocab_size":300}"#,
        )
        .unwrap_err()
        .describe(Lang::En);
        assert!(
            e.contains("config.json") && e.contains("num_hidden_layers is 0"),
            "{e}"
        );
    }
}
