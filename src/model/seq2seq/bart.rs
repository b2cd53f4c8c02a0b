//! BART (`BartForConditionalGeneration`, `transformers/models/bart/modeling_bart.py`), and the
//! transformer it shares with HF's `MarianMTModel` (`marian_mt.rs` differs only in its
//! positions and the missing embedding norm).
//!
//! The conventions that bite:
//! - **Learned positions are offset by 2** (`BartLearnedPositionalEmbedding`): position `p`
//!   reads row `p + 2` of `embed_positions` (`[max_position_embeddings + 2, d]`); a decoder step
//!   `t` is position `t`.
//! - **`layernorm_embedding`** normalises token + position embeddings before the first layer,
//!   in both stacks; the tokens are multiplied by `sqrt(d)` only when `scale_embedding`.
//! - **Post-norm** layers: `norm(x + sublayer(x))`, eps 1e-5; queries scaled by `d_head^-0.5`.
//! - **The source is `<s> … </s>`** ([`Seq2SeqLm::source_start`]); decoding starts from
//!   `decoder_start_token_id` (`</s>` for BART). `forced_bos_token_id` is a generation rule, not
//!   the model: the distribution shown is the model's own.
//! - The head is the shared embedding (or `lm_head.weight`) plus `final_logits_bias`.

use tch::{Device, Kind, Tensor};

use crate::model::ModelError;
use crate::model::seq2seq::hf::HfConfig;
use crate::model::seq2seq::layers::{
    Activation, LayerNorm, Linear, Weights, attend, causal_mask, check_ids, embed, mean_last_row,
    past_keys_values, split_heads,
};
use crate::model::seq2seq::{DecoderCache, Encoded, Seq2SeqDims, Seq2SeqLm, StepOutput};

/// `nn.LayerNorm`'s default eps, which BART and Marian use.
const LN_EPS: f64 = 1e-5;

/// The configuration of a BART-style model, every default decided.
#[derive(Clone, Debug, PartialEq)]
pub struct BartConfig {
    pub vocab: usize,
    pub d_model: usize,
    pub encoder_layers: usize,
    pub decoder_layers: usize,
    pub encoder_heads: usize,
    pub decoder_heads: usize,
    pub encoder_ffn: usize,
    pub decoder_ffn: usize,
    pub max_positions: usize,
    pub activation: Activation,
    pub scale_embedding: bool,
    pub bos: Option<u32>,
    pub eos: u32,
    pub decoder_start: u32,
}

impl BartConfig {
    pub fn from_hf(cfg: &HfConfig) -> Result<Self, ModelError> {
        let act = cfg.str_or("activation_function", "gelu");
        let activation = Activation::from_name(act)
            .ok_or_else(|| cfg.bad(format!("activation_function `{act}` is not known")))?;
        if cfg.bool_or("normalize_before", false) || cfg.bool_or("add_final_layer_norm", false) {
            return Err(cfg.bad("pre-norm (mBART-style) layers are not implemented".into()));
        }
        let eos = cfg.u32("eos_token_id")?;
        let c = Self {
            vocab: cfg.usize("vocab_size")?,
            d_model: cfg.usize("d_model")?,
            encoder_layers: cfg.usize("encoder_layers")?,
            decoder_layers: cfg.usize("decoder_layers")?,
            encoder_heads: cfg.usize("encoder_attention_heads")?,
            decoder_heads: cfg.usize("decoder_attention_heads")?,
            encoder_ffn: cfg.usize("encoder_ffn_dim")?,
            decoder_ffn: cfg.usize("decoder_ffn_dim")?,
            max_positions: cfg.usize("max_position_embeddings")?,
            activation,
            scale_embedding: cfg.bool_or("scale_embedding", false),
            bos: cfg.opt_u32("bos_token_id"),
            eos,
            decoder_start: cfg.opt_u32("decoder_start_token_id").unwrap_or(eos),
        };
        for h in [c.encoder_heads, c.decoder_heads] {
            if h == 0 || !c.d_model.is_multiple_of(h) {
                return Err(cfg.bad(format!(
                    "d_model {} does not split into {h} heads",
                    c.d_model
                )));
            }
        }
        Ok(c)
    }
}

/// Where position vectors come from.
pub enum Positions {
    /// `embed_positions.weight` of each stack, read at `position + offset`.
    Learned {
        encoder: Tensor,
        decoder: Tensor,
        offset: i64,
    },
    /// A fixed table `[max_positions, d]` (Marian's sinusoids), the same for both stacks.
    Fixed(Tensor),
}

impl Positions {
    /// Rows for positions `start .. start + n`, `[n, d]`.
    fn rows(&self, decoder: bool, start: i64, n: i64) -> Tensor {
        let (table, offset) = match self {
            Positions::Learned {
                encoder,
                decoder: dec,
                offset,
            } => (if decoder { dec } else { encoder }, *offset),
            Positions::Fixed(t) => (t, 0),
        };
        table.narrow(0, start + offset, n)
    }
}

/// `self_attn` / `encoder_attn`: `{q,k,v,out}_proj` with biases.
struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    heads: i64,
    scale: f64,
}

impl Attention {
    fn load(w: &Weights, prefix: &str, d: usize, heads: usize) -> Result<Self, ModelError> {
        let lin = |m: &str| Linear::load(w, &format!("{prefix}.{m}_proj"), d, d, true);
        Ok(Self {
            q: lin("q")?,
            k: lin("k")?,
            v: lin("v")?,
            o: lin("out")?,
            heads: heads as i64,
            scale: ((d / heads) as f64).powf(-0.5),
        })
    }

    fn keys_values(&self, x: &Tensor) -> (Tensor, Tensor) {
        (
            split_heads(&self.k.forward(x), self.heads),
            split_heads(&self.v.forward(x), self.heads),
        )
    }

    fn forward(
        &self,
        x: &Tensor,
        k: &Tensor,
        v: &Tensor,
        mask: Option<&Tensor>,
    ) -> (Tensor, Tensor) {
        let q = split_heads(&self.q.forward(x), self.heads);
        let (ctx, weights) = attend(&q, k, v, mask, self.scale);
        (self.o.forward(&ctx), weights)
    }
}

/// `fc1` → activation → `fc2`, then `final_layer_norm(x + ·)`.
struct FeedForward {
    fc1: Linear,
    fc2: Linear,
    norm: LayerNorm,
    activation: Activation,
}

impl FeedForward {
    fn load(
        w: &Weights,
        prefix: &str,
        d: usize,
        f: usize,
        activation: Activation,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            fc1: Linear::load(w, &format!("{prefix}.fc1"), d, f, true)?,
            fc2: Linear::load(w, &format!("{prefix}.fc2"), f, d, true)?,
            norm: LayerNorm::load(w, &format!("{prefix}.final_layer_norm"), d, LN_EPS)?,
            activation,
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let y = self
            .fc2
            .forward(&self.activation.forward(&self.fc1.forward(x)));
        self.norm.forward(&(x + y))
    }
}

struct EncoderLayer {
    attention: Attention,
    norm: LayerNorm,
    ff: FeedForward,
}

struct DecoderLayer {
    attention: Attention,
    norm: LayerNorm,
    cross: Attention,
    cross_norm: LayerNorm,
    ff: FeedForward,
}

/// A BART-style checkpoint (BART itself, or the body of a `MarianMTModel`).
pub struct Bart {
    cfg: BartConfig,
    /// `model.shared.weight` `[vocab, d]`.
    embedding: Tensor,
    /// `[d, vocab]`.
    head: Tensor,
    /// `final_logits_bias` `[vocab]`.
    logits_bias: Tensor,
    positions: Positions,
    /// `layernorm_embedding` of the encoder and decoder (BART; Marian has none).
    embedding_norms: Option<(LayerNorm, LayerNorm)>,
    encoder: Vec<EncoderLayer>,
    decoder: Vec<DecoderLayer>,
    /// Whether the source starts with `bos` (BART) or is just tokens + `</s>` (Marian).
    source_bos: bool,
}

impl Bart {
    /// A BART checkpoint.
    pub fn load(cfg: &HfConfig, w: &Weights, _device: Device) -> Result<Self, ModelError> {
        let c = BartConfig::from_hf(cfg)?;
        let rows = c.max_positions + 2;
        let positions = Positions::Learned {
            encoder: w.need("model.encoder.embed_positions.weight", &[rows, c.d_model])?,
            decoder: w.need("model.decoder.embed_positions.weight", &[rows, c.d_model])?,
            offset: 2,
        };
        let norm = |stack: &str| {
            LayerNorm::load(
                w,
                &format!("model.{stack}.layernorm_embedding"),
                c.d_model,
                LN_EPS,
            )
        };
        let norms = Some((norm("encoder")?, norm("decoder")?));
        Self::load_body(c, w, positions, norms, true)
    }

    /// The layers and head, with the positions and embedding norms the caller read.
    pub fn load_body(
        c: BartConfig,
        w: &Weights,
        positions: Positions,
        embedding_norms: Option<(LayerNorm, LayerNorm)>,
        source_bos: bool,
    ) -> Result<Self, ModelError> {
        let (v, d) = (c.vocab, c.d_model);
        let embedding = w.first(
            &[
                "model.shared.weight",
                "model.encoder.embed_tokens.weight",
                "model.decoder.embed_tokens.weight",
            ],
            &[v, d],
        )?;
        let head = if w.has("lm_head.weight") {
            w.need("lm_head.weight", &[v, d])?
        } else {
            embedding.shallow_clone()
        }
        .transpose(0, 1)
        .contiguous();
        let logits_bias = if w.has("final_logits_bias") {
            w.need("final_logits_bias", &[1, v])?.view([v as i64])
        } else {
            Tensor::zeros([v as i64], (Kind::Float, embedding.device()))
        };
        let encoder = (0..c.encoder_layers)
            .map(|n| {
                let p = format!("model.encoder.layers.{n}");
                Ok(EncoderLayer {
                    attention: Attention::load(w, &format!("{p}.self_attn"), d, c.encoder_heads)?,
                    norm: LayerNorm::load(w, &format!("{p}.self_attn_layer_norm"), d, LN_EPS)?,
                    ff: FeedForward::load(w, &p, d, c.encoder_ffn, c.activation)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        let decoder = (0..c.decoder_layers)
            .map(|n| {
                let p = format!("model.decoder.layers.{n}");
                Ok(DecoderLayer {
                    attention: Attention::load(w, &format!("{p}.self_attn"), d, c.decoder_heads)?,
                    norm: LayerNorm::load(w, &format!("{p}.self_attn_layer_norm"), d, LN_EPS)?,
                    cross: Attention::load(w, &format!("{p}.encoder_attn"), d, c.decoder_heads)?,
                    cross_norm: LayerNorm::load(
                        w,
                        &format!("{p}.encoder_attn_layer_norm"),
                        d,
                        LN_EPS,
                    )?,
                    ff: FeedForward::load(w, &p, d, c.decoder_ffn, c.activation)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Self {
            cfg: c,
            embedding,
            head,
            logits_bias,
            positions,
            embedding_norms,
            encoder,
            decoder,
            source_bos,
        })
    }

    pub fn config(&self) -> &BartConfig {
        &self.cfg
    }

    /// Token (scaled when `scale_embedding`) + position embeddings, then the stack's embedding
    /// norm, `[1, n, d]`.
    fn embed(&self, ids: &[u32], decoder: bool, start: i64) -> Tensor {
        let mut x = embed(&self.embedding, ids);
        if self.cfg.scale_embedding {
            x *= (self.cfg.d_model as f64).sqrt();
        }
        let x = x + self.positions.rows(decoder, start, ids.len() as i64);
        match &self.embedding_norms {
            Some((enc, dec)) => (if decoder { dec } else { enc }).forward(&x),
            None => x,
        }
    }

    fn check_positions(&self, start: usize, n: usize) -> Result<(), ModelError> {
        if start + n > self.cfg.max_positions {
            return Err(ModelError::ContextFull {
                needed: start + n,
                context: self.cfg.max_positions,
            });
        }
        Ok(())
    }

    /// The decoder over `ids` at positions `cache.len() ..` (no cache: from 0 with a causal
    /// mask): logits `[t, vocab]`, the new keys and values per layer, the last cross-attention.
    fn decode(
        &self,
        enc: &Encoded,
        ids: &[u32],
        cache: Option<&DecoderCache>,
    ) -> Result<(Tensor, Vec<Tensor>, Tensor), ModelError> {
        let start = cache.map_or(0, DecoderCache::len);
        self.check_positions(start, ids.len())?;
        let mut x = self.embed(ids, true, start as i64);
        let mask = cache
            .is_none()
            .then(|| causal_mask(ids.len() as i64, x.device()));
        let mut new = Vec::with_capacity(2 * self.decoder.len());
        let mut attention = None;
        for (i, layer) in self.decoder.iter().enumerate() {
            let (k, v) = layer.attention.keys_values(&x);
            let (pk, pv) = past_keys_values(cache, i, &k, &v);
            new.push(k);
            new.push(v);
            let y = layer.attention.forward(&x, &pk, &pv, mask.as_ref()).0;
            x = layer.norm.forward(&(x + y));
            let (ck, cv) = &enc.cross[i];
            let (y, w) = layer.cross.forward(&x, ck, cv, None);
            x = layer.cross_norm.forward(&(x + y));
            attention = Some(w);
            x = layer.ff.forward(&x);
        }
        let logits = x.squeeze_dim(0).matmul(&self.head) + &self.logits_bias;
        Ok((logits, new, attention.expect("at least one decoder layer")))
    }
}

impl Seq2SeqLm for Bart {
    fn dims(&self) -> Seq2SeqDims {
        Seq2SeqDims {
            vocab: self.cfg.vocab,
            d_model: self.cfg.d_model,
            max_source: self.cfg.max_positions,
            eos: self.cfg.eos,
            decoder_start: Some(self.cfg.decoder_start),
        }
    }

    fn encode(&self, source: &[u32]) -> Result<Encoded, ModelError> {
        check_ids(source, self.cfg.vocab)?;
        if source.is_empty() {
            return Err(ModelError::EmptySource);
        }
        self.check_positions(0, source.len())?;
        let mut x = self.embed(source, false, 0);
        for layer in &self.encoder {
            let (k, v) = layer.attention.keys_values(&x);
            let y = layer.attention.forward(&x, &k, &v, None).0;
            x = layer.norm.forward(&(x + y));
            x = layer.ff.forward(&x);
        }
        let cross = self
            .decoder
            .iter()
            .map(|l| l.cross.keys_values(&x))
            .collect();
        Ok(Encoded {
            source: source.to_vec(),
            states: x,
            cross,
        })
    }

    fn decode_step(
        &self,
        enc: &Encoded,
        prev: Option<u32>,
        cache: &mut DecoderCache,
    ) -> Result<StepOutput, ModelError> {
        let id = prev.unwrap_or(self.cfg.decoder_start);
        check_ids(&[id], self.cfg.vocab)?;
        let (logits, new, attention) = self.decode(enc, &[id], Some(cache))?;
        cache.push(new);
        Ok(StepOutput {
            logits: logits.view([-1]).to(Device::Cpu),
            cross_attention: mean_last_row(&attention)?,
        })
    }

    fn decode_full(&self, enc: &Encoded, target: &[u32]) -> Result<Tensor, ModelError> {
        check_ids(target, self.cfg.vocab)?;
        let ids: Vec<u32> = std::iter::once(self.cfg.decoder_start)
            .chain(target.iter().copied())
            .collect();
        Ok(self.decode(enc, &ids, None)?.0.to(Device::Cpu))
    }

    fn source_start(&self) -> Option<u32> {
        if self.source_bos { self.cfg.bos } else { None }
    }
}
