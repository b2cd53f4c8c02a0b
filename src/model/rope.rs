//! Rotary position embeddings, with the two pairings checkpoints use (see [`RopeStyle`]).

use tch::{Device, Kind, Tensor};

use crate::model::config::{Config, RopeStyle};

/// Precomputed cos/sin tables for every position of the context window.
pub struct Rope {
    style: RopeStyle,
    /// [positions, head_dim / 2]
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
        let positions = cfg.context_length.max(1);
        let pos = Tensor::arange(positions as i64, (Kind::Double, Device::Cpu));
        let angles = pos.outer(&Tensor::from_slice(&inv_freq));
        Self {
            style: cfg.rope_style,
            cos: angles.cos().to_kind(kind).to_device(device),
            sin: angles.sin().to_kind(kind).to_device(device),
        }
    }

    /// Rotates `x` [batch, heads, n, head_dim] whose first row sits at position `start`.
    pub fn apply(&self, x: &Tensor, start: usize) -> Tensor {
        let (b, h, n, d) = x.size4().expect("rope input is 4-D");
        let cos = self.cos.narrow(0, start as i64, n);
        let sin = self.sin.narrow(0, start as i64, n);
        match self.style {
            RopeStyle::Interleaved => {
                let pairs = x.view([b, h, n, d / 2, 2]);
                let x0 = pairs.select(-1, 0);
                let x1 = pairs.select(-1, 1);
                let r0 = &x0 * &cos - &x1 * &sin;
                let r1 = &x0 * &sin + &x1 * &cos;
                Tensor::stack(&[r0, r1], -1).view([b, h, n, d])
            }
            RopeStyle::HalfSplit => {
                let x1 = x.narrow(-1, 0, d / 2);
                let x2 = x.narrow(-1, d / 2, d / 2);
                Tensor::cat(&[&x1 * &cos - &x2 * &sin, &x2 * &cos + &x1 * &sin], -1)
            }
        }
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
