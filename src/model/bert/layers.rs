//! The blocks of a BERT-family encoder, each named like the checkpoint and loading itself from
//! a [`Weights`] bag: [`Embeddings`], [`Layer`] (post-LayerNorm attention + feed-forward), and
//! the masked-LM head [`MlmHead`]. Float32 throughout.

use std::collections::HashMap;

use tch::{Kind, Tensor};

use crate::model::bert::EncoderError;
use crate::model::bert::config::{Activation, EncoderConfig, Flavor};

/// The tensors of a checkpoint by name, read once.
pub struct Weights {
    tensors: HashMap<String, Tensor>,
    /// The base model's prefix in this file (`bert.`, `roberta.`, `distilbert.` or none: a
    /// `BertModel` saved alone has no prefix).
    prefix: String,
}

impl Weights {
    pub fn new(tensors: HashMap<String, Tensor>, flavor: Flavor) -> Self {
        let wanted = match flavor {
            Flavor::Bert => "bert.",
            Flavor::Roberta => "roberta.",
            Flavor::DistilBert => "distilbert.",
        };
        let prefix = if tensors.keys().any(|k| k.starts_with(wanted)) {
            wanted.to_string()
        } else {
            String::new()
        };
        Self { tensors, prefix }
    }

    /// A tensor by full name. Old (TF-converted) checkpoints name LayerNorm parameters
    /// `gamma` / `beta`: asked for `….weight` / `….bias`, those are tried too.
    pub fn get(&self, name: &str) -> Option<Tensor> {
        let old = name
            .strip_suffix(".weight")
            .map(|s| format!("{s}.gamma"))
            .or_else(|| name.strip_suffix(".bias").map(|s| format!("{s}.beta")));
        self.tensors
            .get(name)
            .or_else(|| old.and_then(|o| self.tensors.get(&o)))
            .map(|t| t.to_kind(Kind::Float))
    }

    pub fn need(&self, name: &str) -> Result<Tensor, EncoderError> {
        self.get(name)
            .ok_or_else(|| EncoderError::MissingTensor(name.to_string()))
    }

    /// A tensor of the base model (under the prefix).
    pub fn base(&self, name: &str) -> Result<Tensor, EncoderError> {
        self.need(&format!("{}{name}", self.prefix))
    }

    /// Whether any tensor name starts with `start`.
    pub fn has_prefix(&self, start: &str) -> bool {
        self.tensors.keys().any(|k| k.starts_with(start))
    }
}

/// `y = x Wᵀ + b`.
pub struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    pub fn load(w: &Weights, name: &str, base: bool) -> Result<Self, EncoderError> {
        let full = |suffix: &str| {
            if base {
                format!("{}{name}.{suffix}", w.prefix)
            } else {
                format!("{name}.{suffix}")
            }
        };
        Ok(Self {
            weight: w.need(&full("weight"))?,
            bias: w.get(&full("bias")),
        })
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        x.linear(&self.weight, self.bias.as_ref())
    }
}

/// LayerNorm over the last dimension.
pub struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    pub fn load(w: &Weights, name: &str, base: bool, eps: f64) -> Result<Self, EncoderError> {
        let name = if base {
            format!("{}{name}", w.prefix)
        } else {
            name.to_string()
        };
        Ok(Self {
            weight: w.need(&format!("{name}.weight"))?,
            bias: w.need(&format!("{name}.bias"))?,
            eps,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let n = self.weight.size()[0];
        x.layer_norm([n], Some(&self.weight), Some(&self.bias), self.eps, false)
    }
}

pub fn activate(x: &Tensor, a: Activation) -> Tensor {
    match a {
        Activation::Gelu => x.gelu("none"),
        Activation::GeluTanh => x.gelu("tanh"),
        Activation::Relu => x.relu(),
    }
}

/// Word + position (+ token type) embeddings, then LayerNorm.
pub struct Embeddings {
    pub word: Tensor,
    position: Tensor,
    token_type: Option<Tensor>,
    norm: LayerNorm,
    position_offset: i64,
}

impl Embeddings {
    pub fn load(w: &Weights, c: &EncoderConfig) -> Result<Self, EncoderError> {
        let word = w.base("embeddings.word_embeddings.weight")?;
        if word.size() != [c.vocab as i64, c.hidden as i64] {
            return Err(EncoderError::BadShape {
                tensor: "embeddings.word_embeddings.weight".into(),
                shape: word.size(),
            });
        }
        Ok(Self {
            word,
            position: w.base("embeddings.position_embeddings.weight")?,
            token_type: if c.type_vocab > 0 {
                Some(w.base("embeddings.token_type_embeddings.weight")?)
            } else {
                None
            },
            norm: LayerNorm::load(w, "embeddings.LayerNorm", true, c.eps)?,
            position_offset: c.position_offset as i64,
        })
    }

    /// `ids`: `[n]` int64 → `[1, n, hidden]`. Every token has type 0 (one sentence).
    pub fn forward(&self, ids: &Tensor) -> Tensor {
        let n = ids.size()[0];
        let pos = Tensor::arange_start(
            self.position_offset,
            self.position_offset + n,
            (Kind::Int64, ids.device()),
        );
        let mut x = self.word.index_select(0, ids) + self.position.index_select(0, &pos);
        if let Some(t) = &self.token_type {
            x += t.get(0);
        }
        self.norm.forward(&x).unsqueeze(0)
    }
}

/// Tensor names of one layer, per flavor.
struct LayerNames {
    q: String,
    k: String,
    v: String,
    out: String,
    attn_norm: String,
    up: String,
    down: String,
    ffn_norm: String,
}

impl LayerNames {
    fn of(flavor: Flavor, i: usize) -> Self {
        match flavor {
            Flavor::DistilBert => {
                let l = |s: &str| format!("transformer.layer.{i}.{s}");
                Self {
                    q: l("attention.q_lin"),
                    k: l("attention.k_lin"),
                    v: l("attention.v_lin"),
                    out: l("attention.out_lin"),
                    attn_norm: l("sa_layer_norm"),
                    up: l("ffn.lin1"),
                    down: l("ffn.lin2"),
                    ffn_norm: l("output_layer_norm"),
                }
            }
            Flavor::Bert | Flavor::Roberta => {
                let l = |s: &str| format!("encoder.layer.{i}.{s}");
                Self {
                    q: l("attention.self.query"),
                    k: l("attention.self.key"),
                    v: l("attention.self.value"),
                    out: l("attention.output.dense"),
                    attn_norm: l("attention.output.LayerNorm"),
                    up: l("intermediate.dense"),
                    down: l("output.dense"),
                    ffn_norm: l("output.LayerNorm"),
                }
            }
        }
    }
}

/// One post-LayerNorm block: `x = LN(x + Attn(x)); x = LN(x + FFN(x))`. Attention is
/// bidirectional: every token sees every other (no causal mask; one unpadded sentence, so no
/// padding mask either).
pub struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    attn_norm: LayerNorm,
    up: Linear,
    down: Linear,
    ffn_norm: LayerNorm,
    heads: i64,
    activation: Activation,
}

impl Layer {
    pub fn load(w: &Weights, c: &EncoderConfig, i: usize) -> Result<Self, EncoderError> {
        let n = LayerNames::of(c.flavor, i);
        Ok(Self {
            q: Linear::load(w, &n.q, true)?,
            k: Linear::load(w, &n.k, true)?,
            v: Linear::load(w, &n.v, true)?,
            out: Linear::load(w, &n.out, true)?,
            attn_norm: LayerNorm::load(w, &n.attn_norm, true, c.eps)?,
            up: Linear::load(w, &n.up, true)?,
            down: Linear::load(w, &n.down, true)?,
            ffn_norm: LayerNorm::load(w, &n.ffn_norm, true, c.eps)?,
            heads: c.heads as i64,
            activation: c.activation,
        })
    }

    /// `[1, n, hidden]` → the same shape, plus the attention weights `[heads, n, n]`.
    pub fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let (b, n, d) = x.size3().expect("[1, n, hidden]");
        let split = |t: Tensor| t.view([b, n, self.heads, d / self.heads]).transpose(1, 2);
        let q = split(self.q.forward(x));
        let k = split(self.k.forward(x));
        let v = split(self.v.forward(x));
        let scale = 1.0 / ((d / self.heads) as f64).sqrt();
        let probs = (q.matmul(&k.transpose(-2, -1)) * scale).softmax(-1, Kind::Float);
        let ctx = probs
            .matmul(&v)
            .transpose(1, 2)
            .contiguous()
            .view([b, n, d]);
        let x = self.attn_norm.forward(&(self.out.forward(&ctx) + x));
        let h = activate(&self.up.forward(&x), self.activation);
        let x = self.ffn_norm.forward(&(self.down.forward(&h) + &x));
        (x, probs.squeeze_dim(0))
    }
}

/// The masked-LM head: dense → activation → LayerNorm → decoder (tied to the word embeddings
/// when the checkpoint has no decoder weight of its own) + bias.
pub struct MlmHead {
    dense: Linear,
    norm: LayerNorm,
    decoder: Tensor,
    bias: Tensor,
    activation: Activation,
}

impl MlmHead {
    /// The head, if the checkpoint has one (`*ForMaskedLM`).
    pub fn load(
        w: &Weights,
        c: &EncoderConfig,
        word: &Tensor,
    ) -> Result<Option<Self>, EncoderError> {
        let (dense, norm, decoder, biases, activation) = match c.flavor {
            Flavor::Bert => (
                "cls.predictions.transform.dense",
                "cls.predictions.transform.LayerNorm",
                "cls.predictions.decoder",
                ["cls.predictions.bias", "cls.predictions.decoder.bias"],
                c.activation,
            ),
            // RoBERTa's head always uses the exact GELU.
            Flavor::Roberta => (
                "lm_head.dense",
                "lm_head.layer_norm",
                "lm_head.decoder",
                ["lm_head.bias", "lm_head.decoder.bias"],
                Activation::Gelu,
            ),
            Flavor::DistilBert => (
                "vocab_transform",
                "vocab_layer_norm",
                "vocab_projector",
                ["vocab_projector.bias", "vocab_projector.bias"],
                c.activation,
            ),
        };
        if !w.has_prefix(dense) {
            return Ok(None);
        }
        let decoder_weight = w
            .get(&format!("{decoder}.weight"))
            .unwrap_or_else(|| word.shallow_clone());
        let bias = biases
            .iter()
            .find_map(|b| w.get(b))
            .unwrap_or_else(|| Tensor::zeros([c.vocab as i64], (Kind::Float, word.device())));
        Ok(Some(Self {
            dense: Linear::load(w, dense, false)?,
            norm: LayerNorm::load(w, norm, false, c.eps)?,
            decoder: decoder_weight,
            bias,
            activation,
        }))
    }

    /// `[n, hidden]` → `[n, vocab]` logits.
    pub fn forward(&self, h: &Tensor) -> Tensor {
        let x = self
            .norm
            .forward(&activate(&self.dense.forward(h), self.activation));
        x.linear(&self.decoder, Some(&self.bias))
    }
}
