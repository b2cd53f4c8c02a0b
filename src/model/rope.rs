//! Rotary position embeddings, with the two pairings checkpoints use (see [`RopeStyle`]).

use tch::{Device, Kind, Tensor};

use crate::model::config::{Config, RopeStyle};

/// Precomputed tables for every position of the context window, laid out so that one rotation
/// is `x · cos + partner(x) · sin` (4–6 tensor ops for q and k together, which matters when a
/// decode step is ~1000 small ops):
/// - interleaved: `partner` swaps each pair (2i, 2i+1); `sin` holds (−sin θᵢ, +sin θᵢ);
/// - half-split: `partner` swaps the two halves (a roll by d/2); `sin` holds (−sin θ, +sin θ).
pub struct Rope {
    style: RopeStyle,
    /// [positions, 1, head_dim]: broadcast over the heads of an [n, heads, head_dim] input.
    cos: Tensor,
    sin: Tensor,
}

impl Rope {
    /// `freq_factors` are GGUF's `rope_freqs.weight` (Llama 3.1 scaling); `None` otherwise.
    pub fn new(cfg: &Config, freq_factors: Option<&[f32]>, device: Device, kind: Kind) -> Self {
        let half = cfg.head_dim / 2;
        let inv_freq: Vec<f64> = (0..half)
            .map(|i| {
                let f = cfg.rope_theta.powf(-((2 * i) as f64) / cfg.head_dim as f64);
                let f = match &cfg.llama3_scaling {
                    Some(s) => llama3_scale(f, s),
                    None => f,
                };
                match freq_factors.and_then(|ff| ff.get(i)) {
                    Some(&div) => f / f64::from(div),
                    None => f,
                }
            })
            .collect();
        let positions = cfg.context_length.max(1) as i64;
        let pos = Tensor::arange(positions, (Kind::Double, Device::Cpu));
        let angles = pos.outer(&Tensor::from_slice(&inv_freq)); // [positions, half]
        let (cos, sin) = (angles.cos(), angles.sin());
        let (cos, sin) = match cfg.rope_style {
            // (c0, c0, c1, c1, …) and (−s0, s0, −s1, s1, …)
            RopeStyle::Interleaved => (
                Tensor::stack(&[&cos, &cos], -1).view([positions, -1]),
                Tensor::stack(&[-&sin, sin], -1).view([positions, -1]),
            ),
            // (c0 … c_{h−1}, c0 … c_{h−1}) and (−s…, s…)
            RopeStyle::HalfSplit => (
                Tensor::cat(&[&cos, &cos], -1),
                Tensor::cat(&[-&sin, sin], -1),
            ),
        };
        let prepare = |t: Tensor| t.unsqueeze(1).to_kind(kind).to_device(device);
        Self {
            style: cfg.rope_style,
            cos: prepare(cos),
            sin: prepare(sin),
        }
    }

    /// The tables of position `pos` (head_dim values each) when they are float32 on the CPU,
    /// and the pairing, for a decode step in [`crate::model::step`].
    pub fn tables_at(&self, pos: usize) -> Option<(&[f32], &[f32], RopeStyle)> {
        let (cos, sin) = (
            crate::model::slices::f32s(&self.cos)?,
            crate::model::slices::f32s(&self.sin)?,
        );
        let d = *self.cos.size().last()? as usize;
        let at = pos.checked_mul(d)?;
        Some((cos.get(at..at + d)?, sin.get(at..at + d)?, self.style))
    }

    /// Rotates `x` [batch, n, heads, head_dim] whose first row sits at position `start`.
    pub fn apply(&self, x: &Tensor, start: usize) -> Tensor {
        let size = x.size();
        let (n, d) = (size[1], size[3]);
        let cos = self.cos.narrow(0, start as i64, n);
        let sin = self.sin.narrow(0, start as i64, n);
        let partner = match self.style {
            RopeStyle::Interleaved => x
                .view([size[0], n, size[2], d / 2, 2])
                .flip([-1])
                .view(size.as_slice()),
            RopeStyle::HalfSplit => x.roll([d / 2], [-1]),
        };
        x * cos + partner * sin
    }
}

/// HF's `_compute_llama3_parameters` for one inverse frequency.
fn llama3_scale(inv_freq: f64, s: &crate::model::config::Llama3Scaling) -> f64 {
    let low_wavelen = s.original_max_position_embeddings / s.low_freq_factor;
    let high_wavelen = s.original_max_position_embeddings / s.high_freq_factor;
    let wavelen = 2.0 * std::f64::consts::PI / inv_freq;
    if wavelen < high_wavelen {
        inv_freq
    } else if wavelen > low_wavelen {
        inv_freq / s.factor
    } else {
        let smooth = (s.original_max_position_embeddings / wavelen - s.low_freq_factor)
            / (s.high_freq_factor - s.low_freq_factor);
        (1.0 - smooth) * inv_freq / s.factor + smooth * inv_freq
    }
}
