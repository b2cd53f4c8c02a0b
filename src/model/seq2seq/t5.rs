//! T5 (`T5ForConditionalGeneration`): v1.0 (`feed_forward_proj: relu`, head tied to the
//! embedding) and v1.1 / FLAN-T5 (`gated-gelu`, an untied `lm_head`), as
//! `transformers/models/t5/modeling_t5.py` runs them.
//!
//! The conventions that bite:
//! - **No absolute positions.** Each stack's first layer owns `relative_attention_bias`
//!   (`[buckets, heads]`), a learned bias on the attention logits indexed by the bucket of
//!   `key − query` (exact for small distances, logarithmic up to `max_distance`); every layer of
//!   the stack adds the same bias. Encoder buckets are bidirectional, decoder ones causal.
//! - **Attention logits are not scaled** by `1/sqrt(d_head)` (the scale is folded into the
//!   initialisation); cross-attention has no position bias.
//! - **Pre-norm with T5's LayerNorm:** RMS only (no mean, no bias), eps `layer_norm_epsilon`;
//!   one final norm per stack.
//! - **`gated-gelu` means the tanh GELU** (`gelu_new`): `wo(gelu(wi_0·x) ⊙ wi_1·x)`.
//! - **The tied head rescales:** when config.json does not say `tie_word_embeddings: false`
//!   (v1.0), the decoder output is multiplied by `d_model^-0.5` before the head (the embedding);
//!   v1.1 / FLAN say false and have `lm_head.weight`.
//! - **Decoding starts from `decoder_start_token_id`** (the pad token, 0).

use tch::{Device, Kind, Tensor};

use crate::model::ModelError;
use crate::model::seq2seq::hf::HfConfig;
use crate::model::seq2seq::layers::{
    Activation, LayerNorm, Linear, Weights, attend, causal_mask, check_ids, embed, mean_last_row,
    past_keys_values, split_heads,
};
use crate::model::seq2seq::{DecoderCache, Encoded, Seq2SeqDims, Seq2SeqLm, StepOutput};

/// The T5 configuration, every default decided.
#[derive(Clone, Debug, PartialEq)]
pub struct T5Config {
    pub vocab: usize,
    pub d_model: usize,
    pub d_kv: usize,
    pub d_ff: usize,
    pub heads: usize,
    pub encoder_layers: usize,
    pub decoder_layers: usize,
    pub buckets: usize,
    pub max_distance: usize,
    pub eps: f64,
    pub gated: bool,
    pub activation: Activation,
    /// Multiply the decoder output by `d_model^-0.5` (tied head, v1.0).
    pub rescale_output: bool,
    pub eos: u32,
    pub decoder_start: u32,
    pub max_source: usize,
}

impl T5Config {
    pub fn from_hf(cfg: &HfConfig) -> Result<Self, ModelError> {
        let proj = cfg.str_or("feed_forward_proj", "relu");
        let (gated, act) = match proj.split_once('-') {
            Some(("gated", act)) => (true, act),
            Some(_) => return Err(cfg.bad(format!("feed_forward_proj `{proj}` is not known"))),
            None => (false, proj),
        };
        // transformers: "gated-gelu" runs `gelu_new` (the tanh approximation).
        let act = if proj == "gated-gelu" {
            "gelu_new"
        } else {
            act
        };
        let activation = Activation::from_name(act)
            .ok_or_else(|| cfg.bad(format!("feed_forward_proj `{proj}` is not known")))?;
        let layers = cfg.usize("num_layers")?;
        let heads = cfg.usize("num_heads")?;
        if heads == 0 {
            return Err(cfg.bad("num_heads is 0".into()));
        }
        Ok(Self {
            vocab: cfg.usize("vocab_size")?,
            d_model: cfg.usize("d_model")?,
            d_kv: cfg.usize("d_kv")?,
            d_ff: cfg.usize("d_ff")?,
            heads,
            encoder_layers: layers,
            decoder_layers: cfg.usize_or("num_decoder_layers", layers),
            buckets: cfg.usize_or("relative_attention_num_buckets", 32),
            max_distance: cfg.usize_or("relative_attention_max_distance", 128),
            eps: cfg.f64_or("layer_norm_epsilon", 1e-6),
            gated,
            activation,
            rescale_output: cfg.bool_or("tie_word_embeddings", true),
            eos: cfg.opt_u32("eos_token_id").unwrap_or(1),
            decoder_start: cfg
                .opt_u32("decoder_start_token_id")
                .or(cfg.opt_u32("pad_token_id"))
                .unwrap_or(0),
            max_source: cfg.usize_or("n_positions", 512),
        })
    }

    fn inner(&self) -> usize {
        self.heads * self.d_kv
    }
}

/// The bucket of the relative position `key − query` (`_relative_position_bucket`).
pub fn relative_bucket(relative: i64, bidirectional: bool, buckets: i64, max_distance: i64) -> i64 {
    let (mut buckets, mut base) = (buckets, 0);
    let n = if bidirectional {
        buckets /= 2;
        if relative > 0 {
            base = buckets;
        }
        relative.abs()
    } else {
        (-relative).max(0)
    };
    let max_exact = buckets / 2;
    if n < max_exact {
        return base + n;
    }
    // As torch computes it: float32 log, truncated to an integer.
    let ratio = (n as f32 / max_exact as f32).ln();
    let span = ((max_distance as f64) / (max_exact as f64)).ln() as f32;
    let large = max_exact + (ratio / span * (buckets - max_exact) as f32) as i64;
    base + large.min(buckets - 1)
}

/// `relative_attention_bias` of a stack's first layer.
struct RelativeBias {
    /// `[buckets, heads]`.
    table: Tensor,
    bidirectional: bool,
    buckets: i64,
    max_distance: i64,
}

impl RelativeBias {
    /// The bias `[1, heads, q, k]` for queries at `q_start ..` over keys `0 .. k`.
    fn bias(&self, q_start: i64, q: i64, k: i64) -> Tensor {
        let idx: Vec<i64> = (0..q)
            .flat_map(|i| (0..k).map(move |j| (i, j)))
            .map(|(i, j)| {
                relative_bucket(
                    j - (q_start + i),
                    self.bidirectional,
                    self.buckets,
                    self.max_distance,
                )
            })
            .collect();
        let idx = Tensor::from_slice(&idx).to(self.table.device());
        self.table
            .index_select(0, &idx)
            .view([q, k, -1])
            .permute([2, 0, 1])
            .unsqueeze(0)
    }
}

/// `SelfAttention` / `EncDecAttention`: `q, k, v, o` without biases.
struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    heads: i64,
}

impl Attention {
    fn load(w: &Weights, prefix: &str, cfg: &T5Config) -> Result<Self, ModelError> {
        let (d, inner) = (cfg.d_model, cfg.inner());
        let lin = |m: &str, din, dout| Linear::load(w, &format!("{prefix}.{m}"), din, dout, false);
        Ok(Self {
            q: lin("q", d, inner)?,
            k: lin("k", d, inner)?,
            v: lin("v", d, inner)?,
            o: lin("o", inner, d)?,
            heads: cfg.heads as i64,
        })
    }

    fn keys_values(&self, x: &Tensor) -> (Tensor, Tensor) {
        (
            split_heads(&self.k.forward(x), self.heads),
            split_heads(&self.v.forward(x), self.heads),
        )
    }

    /// Attends from `x` over `(k, v)`, unscaled; returns the output and the weights.
    fn forward(
        &self,
        x: &Tensor,
        k: &Tensor,
        v: &Tensor,
        bias: Option<&Tensor>,
    ) -> (Tensor, Tensor) {
        let q = split_heads(&self.q.forward(x), self.heads);
        let (ctx, weights) = attend(&q, k, v, bias, 1.0);
        (self.o.forward(&ctx), weights)
    }
}

/// `DenseReluDense` (`wi`, `wo`) or its gated form (`wi_0`, `wi_1`, `wo`), with its pre-norm.
struct FeedForward {
    wi: Linear,
    gate: Option<Linear>,
    wo: Linear,
    norm: LayerNorm,
    activation: Activation,
}

impl FeedForward {
    fn load(w: &Weights, prefix: &str, cfg: &T5Config) -> Result<Self, ModelError> {
        let (d, f) = (cfg.d_model, cfg.d_ff);
        let dense = format!("{prefix}.DenseReluDense");
        let (wi, gate) = if cfg.gated {
            (
                Linear::load(w, &format!("{dense}.wi_0"), d, f, false)?,
                Some(Linear::load(w, &format!("{dense}.wi_1"), d, f, false)?),
            )
        } else {
            (Linear::load(w, &format!("{dense}.wi"), d, f, false)?, None)
        };
        Ok(Self {
            wi,
            gate,
            wo: Linear::load(w, &format!("{dense}.wo"), f, d, false)?,
            norm: LayerNorm::load_rms(w, &format!("{prefix}.layer_norm"), d, cfg.eps)?,
            activation: cfg.activation,
        })
    }

    /// `x + ff(norm(x))`.
    fn forward(&self, x: &Tensor) -> Tensor {
        let h = self.norm.forward(x);
        let mut a = self.activation.forward(&self.wi.forward(&h));
        if let Some(g) = &self.gate {
            a *= g.forward(&h);
        }
        x + self.wo.forward(&a)
    }
}

/// `block.N.layer.0` (self-attention) and `layer.1` (feed-forward).
struct EncoderBlock {
    norm: LayerNorm,
    attention: Attention,
    ff: FeedForward,
}

/// `block.N.layer.0` (self), `layer.1` (cross: `EncDecAttention`), `layer.2` (feed-forward).
struct DecoderBlock {
    self_norm: LayerNorm,
    self_attention: Attention,
    cross_norm: LayerNorm,
    cross: Attention,
    ff: FeedForward,
}

/// A T5 checkpoint.
pub struct T5 {
    cfg: T5Config,
    /// `shared.weight`, `[vocab, d]`.
    shared: Tensor,
    /// The head `[d, vocab]` (`lm_head.weight` transposed, or `shared` when tied).
    head: Tensor,
    encoder_bias: RelativeBias,
    decoder_bias: RelativeBias,
    encoder: Vec<EncoderBlock>,
    encoder_norm: LayerNorm,
    decoder: Vec<DecoderBlock>,
    decoder_norm: LayerNorm,
}

impl T5 {
    pub fn load(cfg: &HfConfig, w: &Weights, _device: Device) -> Result<Self, ModelError> {
        let cfg = T5Config::from_hf(cfg)?;
        let (v, d) = (cfg.vocab, cfg.d_model);
        let shared = w.first(
            &[
                "shared.weight",
                "encoder.embed_tokens.weight",
                "decoder.embed_tokens.weight",
            ],
            &[v, d],
        )?;
        let head = if w.has("lm_head.weight") {
            w.need("lm_head.weight", &[v, d])?
        } else {
            shared.shallow_clone()
        }
        .transpose(0, 1)
        .contiguous();
        let bias = |stack: &str, bidirectional| -> Result<RelativeBias, ModelError> {
            Ok(RelativeBias {
                table: w.need(
                    &format!(
                        "{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"
                    ),
                    &[cfg.buckets, cfg.heads],
                )?,
                bidirectional,
                buckets: cfg.buckets as i64,
                max_distance: cfg.max_distance as i64,
            })
        };
        let norm = |name: &str| LayerNorm::load_rms(w, name, d, cfg.eps);
        let encoder = (0..cfg.encoder_layers)
            .map(|n| {
                let p = format!("encoder.block.{n}.layer");
                Ok(EncoderBlock {
                    norm: norm(&format!("{p}.0.layer_norm"))?,
                    attention: Attention::load(w, &format!("{p}.0.SelfAttention"), &cfg)?,
                    ff: FeedForward::load(w, &format!("{p}.1"), &cfg)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        let decoder = (0..cfg.decoder_layers)
            .map(|n| {
                let p = format!("decoder.block.{n}.layer");
                Ok(DecoderBlock {
                    self_norm: norm(&format!("{p}.0.layer_norm"))?,
                    self_attention: Attention::load(w, &format!("{p}.0.SelfAttention"), &cfg)?,
                    cross_norm: norm(&format!("{p}.1.layer_norm"))?,
                    cross: Attention::load(w, &format!("{p}.1.EncDecAttention"), &cfg)?,
                    ff: FeedForward::load(w, &format!("{p}.2"), &cfg)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Self {
            encoder_bias: bias("encoder", true)?,
            decoder_bias: bias("decoder", false)?,
            encoder_norm: norm("encoder.final_layer_norm")?,
            decoder_norm: norm("decoder.final_layer_norm")?,
            cfg,
            shared,
            head,
            encoder,
            decoder,
        })
    }

    pub fn config(&self) -> &T5Config {
        &self.cfg
    }

    /// The decoder over `ids` at positions `start ..` (`cache`: the earlier steps' keys and
    /// values, `None` with `start = 0` for a full pass with a causal mask). Returns the logits
    /// `[t, vocab]`, each layer's new keys and values, and the last layer's cross-attention.
    fn decode(
        &self,
        enc: &Encoded,
        ids: &[u32],
        cache: Option<&DecoderCache>,
    ) -> (Tensor, Vec<Tensor>, Tensor) {
        let start = cache.map_or(0, DecoderCache::len) as i64;
        let t = ids.len() as i64;
        let mut x = embed(&self.shared, ids);
        let mut bias = self.decoder_bias.bias(start, t, start + t);
        if cache.is_none() {
            bias += causal_mask(t, x.device());
        }
        let mut new = Vec::with_capacity(2 * self.decoder.len());
        let mut attention = None;
        for (i, block) in self.decoder.iter().enumerate() {
            let h = block.self_norm.forward(&x);
            let (k, v) = block.self_attention.keys_values(&h);
            let (pk, pv) = past_keys_values(cache, i, &k, &v);
            new.push(k);
            new.push(v);
            x += block.self_attention.forward(&h, &pk, &pv, Some(&bias)).0;
            let h = block.cross_norm.forward(&x);
            let (ck, cv) = &enc.cross[i];
            let (y, w) = block.cross.forward(&h, ck, cv, None);
            x += y;
            attention = Some(w);
            x = block.ff.forward(&x);
        }
        let mut x = self.decoder_norm.forward(&x);
        if self.cfg.rescale_output {
            x *= (self.cfg.d_model as f64).powf(-0.5);
        }
        let logits = x.squeeze_dim(0).matmul(&self.head);
        (logits, new, attention.expect("at least one decoder layer"))
    }

    fn start_and(&self, target: &[u32]) -> Vec<u32> {
        std::iter::once(self.cfg.decoder_start)
            .chain(target.iter().copied())
            .collect()
    }
}

impl Seq2SeqLm for T5 {
    fn dims(&self) -> Seq2SeqDims {
        Seq2SeqDims {
            vocab: self.cfg.vocab,
            d_model: self.cfg.d_model,
            max_source: self.cfg.max_source,
            eos: self.cfg.eos,
            decoder_start: Some(self.cfg.decoder_start),
        }
    }

    fn encode(&self, source: &[u32]) -> Result<Encoded, ModelError> {
        check_ids(source, self.cfg.vocab)?;
        if source.is_empty() || source.len() > self.cfg.max_source {
            return Err(ModelError::ContextFull {
                needed: source.len(),
                context: self.cfg.max_source,
            });
        }
        let n = source.len() as i64;
        let mut x = embed(&self.shared, source);
        let bias = self.encoder_bias.bias(0, n, n);
        for block in &self.encoder {
            let h = block.norm.forward(&x);
            let (k, v) = block.attention.keys_values(&h);
            x += block.attention.forward(&h, &k, &v, Some(&bias)).0;
            x = block.ff.forward(&x);
        }
        let x = self.encoder_norm.forward(&x);
        let cross = self
            .decoder
            .iter()
            .map(|b| b.cross.keys_values(&x))
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
        let (logits, new, attention) = self.decode(enc, &[id], Some(cache));
        cache.push(new);
        Ok(StepOutput {
            logits: logits.view([-1]).to_kind(Kind::Float).to(Device::Cpu),
            cross_attention: mean_last_row(&attention)?,
        })
    }

    fn decode_full(&self, enc: &Encoded, target: &[u32]) -> Result<Tensor, ModelError> {
        check_ids(target, self.cfg.vocab)?;
        Ok(self
            .decode(enc, &self.start_and(target), None)
            .0
            .to(Device::Cpu))
    }
}

#[cfg(test)]
mod tests {
    use super::relative_bucket;

    #[test]
    fn buckets_are_exact_near_and_logarithmic_far() {
        // T5's defaults: 32 buckets, max distance 128; bidirectional: 16 per side, 8 exact.
        assert_eq!(relative_bucket(0, true, 32, 128), 0);
        assert_eq!(relative_bucket(-3, true, 32, 128), 3);
        assert_eq!(relative_bucket(3, true, 32, 128), 19);
        // 8 + floor(ln(16/8) / ln(128/8) · 8) = 8 + floor(0.25 · 8) = 10.
        assert_eq!(relative_bucket(-16, true, 32, 128), 10);
        assert_eq!(relative_bucket(-1000, true, 32, 128), 15);
        // Causal: keys after the query share bucket 0.
        assert_eq!(relative_bucket(5, false, 32, 128), 0);
        assert_eq!(relative_bucket(-5, false, 32, 128), 5);
        assert_eq!(relative_bucket(-1000, false, 32, 128), 31);
    }
}
