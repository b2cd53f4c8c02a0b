//! HF's `MarianMTModel` (`transformers/models/marian/modeling_marian.py`; the
//! `Helsinki-NLP/opus-mt-*` checkpoints): BART's post-norm transformer (`bart.rs`) with
//!
//! - **sinusoidal positions, not stored** in the checkpoint (`MarianSinusoidalPositionalEmbedding`):
//!   row `p` is `sin(p / 10000^(2i/d))` in the first half and `cos(…)` in the second (not
//!   interleaved), computed in float64 and rounded to float32; no offset;
//! - **no `layernorm_embedding`**, tokens scaled by `sqrt(d)` (`scale_embedding: true`);
//! - the source is its tokens and `</s>` (no `<s>`); decoding starts from
//!   `decoder_start_token_id`, the pad token (the last id of an opus-mt vocabulary);
//! - `final_logits_bias` on the tied head.
//!
//! Only shared source/target vocabularies (`share_encoder_decoder_embeddings`) are run.

use tch::{Device, Kind, Tensor};

use crate::model::ModelError;
use crate::model::seq2seq::bart::{Bart, BartConfig, Positions};
use crate::model::seq2seq::hf::HfConfig;
use crate::model::seq2seq::layers::Weights;
use crate::model::seq2seq::{DecoderCache, Encoded, Seq2SeqDims, Seq2SeqLm, StepOutput};

/// A `MarianMTModel` checkpoint.
pub struct MarianMt {
    inner: Bart,
}

impl MarianMt {
    pub fn load(cfg: &HfConfig, w: &Weights, device: Device) -> Result<Self, ModelError> {
        let c = BartConfig::from_hf(cfg)?;
        let decoder_vocab = cfg.usize_or("decoder_vocab_size", c.vocab);
        if decoder_vocab != c.vocab || !cfg.bool_or("share_encoder_decoder_embeddings", true) {
            return Err(cfg.bad(format!(
                "separate source ({}) and target ({decoder_vocab}) vocabularies are not implemented",
                c.vocab
            )));
        }
        let table = sinusoids(c.max_positions, c.d_model).to(device);
        let inner = Bart::load_body(c, w, Positions::Fixed(table), None, false)?;
        Ok(Self { inner })
    }

    pub fn config(&self) -> &BartConfig {
        self.inner.config()
    }
}

/// The position table `[n, d]` as `MarianSinusoidalPositionalEmbedding.create_weight` makes it.
pub fn sinusoids(n: usize, d: usize) -> Tensor {
    let sentinel = d.div_ceil(2);
    let mut v = vec![0f32; n * d];
    for p in 0..n {
        for j in 0..d {
            // Column j holds sin of the even angles (j < sentinel) or cos of the odd ones.
            let (k, sin) = if j < sentinel {
                (2 * j, true)
            } else {
                (2 * (j - sentinel) + 1, false)
            };
            let angle = p as f64 / 10000f64.powf((2 * (k / 2)) as f64 / d as f64);
            v[p * d + j] = if sin { angle.sin() } else { angle.cos() } as f32;
        }
    }
    Tensor::from_slice(&v)
        .view([n as i64, d as i64])
        .to_kind(Kind::Float)
}

impl Seq2SeqLm for MarianMt {
    fn dims(&self) -> Seq2SeqDims {
        self.inner.dims()
    }

    fn encode(&self, source: &[u32]) -> Result<Encoded, ModelError> {
        self.inner.encode(source)
    }

    fn decode_step(
        &self,
        enc: &Encoded,
        prev: Option<u32>,
        cache: &mut DecoderCache,
    ) -> Result<StepOutput, ModelError> {
        self.inner.decode_step(enc, prev, cache)
    }

    fn decode_full(&self, enc: &Encoded, target: &[u32]) -> Result<Tensor, ModelError> {
        self.inner.decode_full(enc, target)
    }
}

#[cfg(test)]
mod tests {
    use super::sinusoids;

    #[test]
    fn position_zero_is_sines_zero_then_cosines_one() {
        let t = sinusoids(3, 4);
        let v = Vec::<f32>::try_from(&t.view([-1])).unwrap();
        assert_eq!(&v[..4], &[0.0, 0.0, 1.0, 1.0]);
        // Position 1: sin(1), sin(1/100), cos(1), cos(1/100) for d = 4.
        let want = [1f64.sin(), 0.01f64.sin(), 1f64.cos(), 0.01f64.cos()];
        for (g, w) in v[4..8].iter().zip(want) {
            assert!((*g as f64 - w).abs() < 1e-6);
        }
    }
}
