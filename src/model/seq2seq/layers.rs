//! Blocks the HF encoder-decoders share, each loading itself from a [`Weights`] bag by its
//! checkpoint name: [`Linear`] (`x·Wᵀ + b`, stored `[out, in]` as torch does), [`LayerNorm`]
//! (with mean and bias, or T5's RMS-style one without either), multi-head attention helpers and
//! the [`Activation`]s config.json names. Float32 throughout.
//!
//! Decoder caches: each decoder step pushes, per layer, its self-attention keys then values
//! (`[1, heads, 1, d_head]`, so `2·layer` and `2·layer + 1`); [`past_keys_values`] joins them
//! with the new step's.

use std::collections::HashMap;
use std::path::Path;

use tch::{Device, Kind, Tensor};

use crate::model::ModelError;
use crate::model::seq2seq::DecoderCache;
use crate::model::weights::Checkpoint;

/// The tensors of an HF folder by name (every `*.safetensors` file), float32 on `device`.
pub struct Weights {
    tensors: HashMap<String, Tensor>,
    device: Device,
}

impl Weights {
    pub fn open(dir: &Path, device: Device) -> Result<Self, ModelError> {
        match Checkpoint::open_safetensors_dir(dir)? {
            Checkpoint::Safetensors(tensors) => Ok(Self { tensors, device }),
            Checkpoint::Gguf(_) => Err(ModelError::NoWeights(dir.to_path_buf())),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    /// The tensor `name` with exactly `shape`; a missing tensor is named in the error.
    pub fn need(&self, name: &str, shape: &[usize]) -> Result<Tensor, ModelError> {
        let t = self
            .tensors
            .get(name)
            .ok_or_else(|| ModelError::MissingTensor(name.to_string()))?;
        let got: Vec<usize> = t.size().iter().map(|&d| d as usize).collect();
        if got != shape {
            return Err(ModelError::BadShape {
                tensor: name.to_string(),
                shape: got,
                expected: format!("{shape:?}"),
            });
        }
        Ok(t.to_kind(Kind::Float).to(self.device))
    }

    /// The first of `names` the folder has (tied tensors are saved under one of their names);
    /// when none is there, the error names the first.
    pub fn first(&self, names: &[&str], shape: &[usize]) -> Result<Tensor, ModelError> {
        let name = names.iter().find(|n| self.has(n)).unwrap_or(&names[0]);
        self.need(name, shape)
    }
}

/// `y = x·Wᵀ + b`, `W` kept transposed `[in, out]` for the matmul.
pub struct Linear {
    w: Tensor,
    b: Option<Tensor>,
}

impl Linear {
    /// `prefix.weight` `[dout, din]` and, when `bias`, `prefix.bias` `[dout]`.
    pub fn load(
        w: &Weights,
        prefix: &str,
        din: usize,
        dout: usize,
        bias: bool,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            w: w.need(&format!("{prefix}.weight"), &[dout, din])?
                .transpose(0, 1)
                .contiguous(),
            b: if bias {
                Some(w.need(&format!("{prefix}.bias"), &[dout])?)
            } else {
                None
            },
        })
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let y = x.matmul(&self.w);
        match &self.b {
            Some(b) => y + b,
            None => y,
        }
    }
}

/// A layer norm: `nn.LayerNorm` (mean removed, bias) or T5's (`T5LayerNorm`: no mean, no
/// bias, `x / sqrt(mean(x²) + eps) · w`).
pub struct LayerNorm {
    weight: Tensor,
    bias: Option<Tensor>,
    eps: f64,
}

impl LayerNorm {
    /// `prefix.weight` and `prefix.bias`.
    pub fn load(w: &Weights, prefix: &str, d: usize, eps: f64) -> Result<Self, ModelError> {
        Ok(Self {
            weight: w.need(&format!("{prefix}.weight"), &[d])?,
            bias: Some(w.need(&format!("{prefix}.bias"), &[d])?),
            eps,
        })
    }

    /// T5's: `prefix.weight` only.
    pub fn load_rms(w: &Weights, prefix: &str, d: usize, eps: f64) -> Result<Self, ModelError> {
        Ok(Self {
            weight: w.need(&format!("{prefix}.weight"), &[d])?,
            bias: None,
            eps,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        match &self.bias {
            Some(b) => {
                let d = x.size()[x.dim() - 1];
                x.layer_norm([d], Some(&self.weight), Some(b), self.eps, false)
            }
            None => {
                let var = x.pow_tensor_scalar(2).mean_dim(-1, true, Kind::Float);
                x * (var + self.eps).rsqrt() * &self.weight
            }
        }
    }
}

/// The feed-forward activations config.json names (`activation_function`, T5's
/// `feed_forward_proj`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    /// Exact (erf) GELU: `gelu`.
    Gelu,
    /// The tanh approximation: `gelu_new` / `gelu_pytorch_tanh` (T5 v1.1's `gated-gelu`).
    GeluTanh,
    /// `silu` / `swish`.
    Silu,
}

impl Activation {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "relu" => Activation::Relu,
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "silu" | "swish" => Activation::Silu,
            _ => return None,
        })
    }

    pub fn forward(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Relu => x.relu(),
            Activation::Gelu => x.gelu("none"),
            Activation::GeluTanh => x.gelu("tanh"),
            Activation::Silu => x.silu(),
        }
    }
}

/// `[1, t, heads·d_head]` → `[1, heads, t, d_head]`.
pub fn split_heads(x: &Tensor, heads: i64) -> Tensor {
    let (b, t, d) = x.size3().expect("[1, t, d]");
    x.view([b, t, heads, d / heads]).transpose(1, 2)
}

/// `softmax(scale · q·kᵀ + bias)·v` with `q` `[1, h, t, dh]`, `k`/`v` `[1, h, s, dh]`; returns
/// the context `[1, t, h·dh]` and the weights `[1, h, t, s]`. `bias` (T5's position bias, a
/// causal mask, or both) is added to the logits.
pub fn attend(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    bias: Option<&Tensor>,
    scale: f64,
) -> (Tensor, Tensor) {
    let mut logits = q.matmul(&k.transpose(-2, -1));
    if scale != 1.0 {
        logits *= scale;
    }
    if let Some(b) = bias {
        logits += b;
    }
    let weights = logits.softmax(-1, Kind::Float);
    let (b, h, t, dh) = q.size4().expect("[1, h, t, dh]");
    let ctx = weights
        .matmul(v)
        .transpose(1, 2)
        .contiguous()
        .view([b, t, h * dh]);
    (ctx, weights)
}

/// `[t, t]` with `−∞` above the diagonal: position `i` sees keys `0..=i`.
pub fn causal_mask(t: i64, device: Device) -> Tensor {
    Tensor::full([t, t], f64::NEG_INFINITY, (Kind::Float, device)).triu(1)
}

/// This step's keys and values joined after the cached ones of `layer`.
pub fn past_keys_values(
    cache: Option<&DecoderCache>,
    layer: usize,
    k: &Tensor,
    v: &Tensor,
) -> (Tensor, Tensor) {
    let past = cache.and_then(|c| Some((c.concat(2 * layer, 2)?, c.concat(2 * layer + 1, 2)?)));
    match past {
        Some((pk, pv)) => (Tensor::cat(&[&pk, k], 2), Tensor::cat(&[&pv, v], 2)),
        None => (k.shallow_clone(), v.shallow_clone()),
    }
}

/// Embedding rows of `ids`, `[1, n, d]`.
pub fn embed(table: &Tensor, ids: &[u32]) -> Tensor {
    let idx: Vec<i64> = ids.iter().map(|&i| i as i64).collect();
    table
        .index_select(0, &Tensor::from_slice(&idx).to(table.device()))
        .unsqueeze(0)
}

/// Last-layer cross-attention `[1, h, t, s]` of the newest position, mean over heads.
pub fn mean_last_row(weights: &Tensor) -> Result<Vec<f32>, ModelError> {
    let last = weights.select(2, -1).mean_dim(1, false, Kind::Float);
    Ok(Vec::<f32>::try_from(&last.view([-1]).to(Device::Cpu))?)
}

/// Refuses ids outside the vocabulary.
pub fn check_ids(ids: &[u32], vocab: usize) -> Result<(), ModelError> {
    match ids.iter().find(|&&id| id as usize >= vocab) {
        Some(&id) => Err(ModelError::OutsideVocabulary { id, vocab }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_mask_hides_the_future_only() {
        let m = causal_mask(3, Device::Cpu);
        let v = Vec::<f32>::try_from(&m.view([-1])).unwrap();
        assert_eq!(v[0], 0.0);
        assert_eq!(v[1], f32::NEG_INFINITY);
        assert_eq!(v[3], 0.0);
        assert_eq!(v[4], 0.0);
        assert_eq!(v[5], f32::NEG_INFINITY);
        assert_eq!(v[8], 0.0);
    }

    #[test]
    fn rms_norm_divides_by_the_root_mean_square() {
        // [3, 4]: mean of squares 12.5, so each is divided by sqrt(12.5).
        let norm = LayerNorm {
            weight: Tensor::from_slice(&[1f32, 2.0]),
            bias: None,
            eps: 0.0,
        };
        let y = norm.forward(&Tensor::from_slice(&[3f32, 4.0]).view([1, 2]));
        let v = Vec::<f32>::try_from(&y.view([-1])).unwrap();
        let r = 12.5f32.sqrt();
        assert!((v[0] - 3.0 / r).abs() < 1e-6 && (v[1] - 8.0 / r).abs() < 1e-6);
    }
}
