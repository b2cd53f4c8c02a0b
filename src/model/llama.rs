//! The Llama-family decoder (SmolLM2, Llama 2/3, TinyLlama, Mistral, Qwen2) as a tree of small
//! structs named like the checkpoint: `Llama` → `Block` → (`RmsNorm`, `Attention`, `Mlp`).
//! Weights are immutable; the only state is the [`KvCache`] passed in.

use tch::{Device, Kind, Tensor};

use crate::model::config::Config;
use crate::model::int4::Int4Linear;
use crate::model::kv_cache::KvCache;
use crate::model::qgemv::QuantMatrix;
use crate::model::rope::Rope;
use crate::model::weights::{Checkpoint, Weight};
use crate::model::{ModelError, Precision};

/// A linear layer `y = x Wᵀ + b`.
pub enum Linear {
    /// Weight stored transposed, [in, out], so decode is a plain `matmul` (1.7× faster than
    /// `linear` on [out, in] for the big LM head on CPU).
    Dense { w_t: Tensor, bias: Option<Tensor> },
    /// 4-bit weights in ATen's int4 packed format (fast mode).
    Int4(Int4Linear),
    /// bfloat16 weights [out, in] used through `linear` (fast mode's LM head: with two threads
    /// it is the fastest float layout for a 49152×576 product, and 8-bit embeddings lose far
    /// less in bfloat16 than re-quantized to 4 bits).
    Bf16 { w: Tensor },
    /// Exact mode's GGUF block quants (Q4_0/Q4_1/Q8_0) read directly for inputs of at most
    /// [`QUANT_MAX_ROWS`] rows (decode steps, typing): ~5× fewer bytes than the float32 copy,
    /// same weights to the bit; `dense` (float32, with the bias) serves longer inputs.
    Quant { q: QuantMatrix, dense: Box<Linear> },
}

/// Inputs with at most this many rows use [`Linear::Quant`]'s quantized kernel.
const QUANT_MAX_ROWS: i64 = 4;

impl Linear {
    fn dense(w: &Tensor, bias: Option<Tensor>, device: Device, kind: Kind) -> Self {
        Linear::Dense {
            w_t: w
                .to_kind(kind)
                .to_device(device)
                .transpose(0, 1)
                .contiguous(),
            bias: bias.map(|b| b.to_kind(kind).to_device(device)),
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::Dense { w_t, bias } => {
                let y = x.matmul(w_t);
                match bias {
                    Some(b) => y + b,
                    None => y,
                }
            }
            Linear::Quant { q, dense } => {
                let cols = *x.size().last().expect("non-scalar");
                if x.numel() as i64 > QUANT_MAX_ROWS * cols {
                    return dense.forward(x);
                }
                let y = q.forward(x);
                match &**dense {
                    Linear::Dense { bias: Some(b), .. } => y + b,
                    _ => y,
                }
            }
            Linear::Int4(l) => l.forward(x),
            Linear::Bf16 { w } => x
                .to_kind(Kind::BFloat16)
                .linear::<Tensor>(w, None)
                .to_kind(x.kind()),
        }
    }
}

/// Root-mean-square layer norm.
pub struct RmsNorm {
    weight: Tensor,
    eps: f64,
}

impl RmsNorm {
    fn load(
        ck: &Checkpoint,
        w: Weight,
        cfg: &Config,
        device: Device,
        kind: Kind,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            weight: ck.load(w)?.to_kind(kind).to_device(device),
            eps: cfg.rms_eps,
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let d = *x.size().last().expect("non-scalar");
        x.rms_norm([d], Some(&self.weight), self.eps)
    }
}

/// Grouped-query self-attention with q, k and v fused into one product.
pub struct Attention {
    qkv: Linear,
    o: Linear,
    heads: i64,
    kv_heads: i64,
    head_dim: i64,
}

impl Attention {
    fn forward(
        &self,
        x: &Tensor,
        start: usize,
        layer: usize,
        cache: &mut KvCache,
        rope: &Rope,
    ) -> Tensor {
        let (b, n, _) = x.size3().expect("[batch, n, hidden]");
        let (h, kv, d) = (self.heads, self.kv_heads, self.head_dim);
        let qkv = self.qkv.forward(x);
        // q and k are adjacent in the fused output: rotate them in one go, [b, n, h + kv, d].
        let qk = rope.apply(
            &qkv.narrow(-1, 0, (h + kv) * d).view([b, n, h + kv, d]),
            start,
        );
        let q = qk.narrow(2, 0, h).transpose(1, 2);
        let k = qk.narrow(2, h, kv).transpose(1, 2);
        let v = qkv
            .narrow(-1, (h + kv) * d, kv * d)
            .view([b, n, kv, d])
            .transpose(1, 2);
        let (k, v) = cache.write(layer, start, &k, &v);
        // `is_causal=true` would be WRONG whenever the query is shorter than the keys (every
        // decode step and every chunk after a cached prefix): SDPA's causal mask is aligned
        // top-left, so query 0 would see only key 0. Build the bottom-right-aligned mask
        // ourselves (`tril(start)`: query i sees keys 0..=start+i); a single query sees all.
        let mask = (n > 1).then(|| {
            Tensor::ones([n, start as i64 + n], (Kind::Bool, x.device())).tril(start as i64)
        });
        let y = Tensor::scaled_dot_product_attention(&q, &k, &v, mask, 0.0, false, None, true);
        self.o.forward(&y.transpose(1, 2).reshape([b, n, h * d]))
    }
}

/// SwiGLU feed-forward: down(silu(gate(x)) · up(x)), with gate and up fused.
pub struct Mlp {
    gate_up: Linear,
    down: Linear,
    intermediate: i64,
}

impl Mlp {
    fn forward(&self, x: &Tensor) -> Tensor {
        let gu = self.gate_up.forward(x);
        let gate = gu.narrow(-1, 0, self.intermediate);
        let up = gu.narrow(-1, self.intermediate, self.intermediate);
        self.down.forward(&(gate.silu() * up))
    }
}

/// One transformer block (pre-norm residual).
pub struct Block {
    attn_norm: RmsNorm,
    attn: Attention,
    ffn_norm: RmsNorm,
    mlp: Mlp,
}

impl Block {
    fn forward(
        &self,
        x: &Tensor,
        start: usize,
        layer: usize,
        cache: &mut KvCache,
        rope: &Rope,
    ) -> Tensor {
        let x = x + self
            .attn
            .forward(&self.attn_norm.forward(x), start, layer, cache, rope);
        &x + self.mlp.forward(&self.ffn_norm.forward(&x))
    }
}

/// The whole decoder.
pub struct Llama {
    pub cfg: Config,
    /// `None` when tied in exact mode: embeddings are then read from the LM head's
    /// [hidden, vocab] matrix.
    embed: Option<Tensor>,
    blocks: Vec<Block>,
    norm: RmsNorm,
    lm_head: Linear,
    rope: Rope,
    pub device: Device,
    pub kind: Kind,
}

impl Llama {
    /// Builds the model; `progress(fraction, step)` is called as layers load.
    pub fn load(
        ck: &Checkpoint,
        cfg: Config,
        device: Device,
        precision: Precision,
        progress: &mut dyn FnMut(f32, &str),
    ) -> Result<Self, ModelError> {
        let _guard = tch::no_grad_guard();
        // CPU: exact float32. GPU: bfloat16 weights and activations (f32 is pointless there).
        let kind = if device.is_cuda() {
            Kind::BFloat16
        } else {
            Kind::Float
        };
        let int4 = precision == Precision::Fast && !device.is_cuda();
        let dense = |w: &Tensor, b: Option<Tensor>| Linear::dense(w, b, device, kind);
        // Exact mode on an AVX2/AVX-512 CPU also keeps GGUF block quants for decode (see
        // `Linear::Quant`); `TOKENSCOPE_QGEMV=0` turns that off.
        let quant_kernel = !device.is_cuda()
            && crate::model::qgemv::accelerated()
            && std::env::var_os("TOKENSCOPE_QGEMV").is_none_or(|v| v != "0");
        let quant = precision == Precision::Exact && quant_kernel;
        let with_quant = |ws: &[Weight], l: Linear| -> Result<Linear, ModelError> {
            if quant && let Some(q) = QuantMatrix::from_checkpoint(ck, ws)? {
                return Ok(Linear::Quant {
                    q,
                    dense: Box::new(l),
                });
            }
            Ok(l)
        };
        let matrix = |ws: &[Weight], bias: Option<Tensor>| -> Result<Linear, ModelError> {
            if int4 && let Some(l) = Int4Linear::from_checkpoint(ck, ws, bias.as_ref())? {
                return Ok(Linear::Int4(l));
            }
            let parts = ws
                .iter()
                .map(|&w| ck.load(w))
                .collect::<Result<Vec<_>, _>>()?;
            with_quant(ws, dense(&Tensor::cat(&parts, 0), bias))
        };

        progress(0.0, "embeddings");
        let embd_shape = match ck {
            Checkpoint::Gguf(g) => g
                .tensor(&Weight::TokenEmbd.gguf_name())
                .map(|t| t.shape.clone()),
            Checkpoint::Safetensors(t) => t
                .get(&Weight::TokenEmbd.hf_name())
                .map(|t| t.size().iter().map(|&d| d as usize).collect()),
        }
        .ok_or_else(|| ModelError::MissingTensor("token embeddings".into()))?;
        let [vocab, hidden] = embd_shape[..] else {
            return Err(ModelError::Invalid(format!(
                "token embeddings have shape {embd_shape:?}"
            )));
        };
        if hidden != cfg.hidden {
            return Err(ModelError::Invalid(format!(
                "token embeddings have width {hidden}, the config says {}",
                cfg.hidden
            )));
        }
        let mut cfg = cfg;
        cfg.vocab = vocab;

        let mut blocks = Vec::with_capacity(cfg.layers);
        for i in 0..cfg.layers {
            progress(0.1 + 0.8 * i as f32 / cfg.layers as f32, "layers");
            let bias = if cfg.qkv_bias {
                let parts = [
                    Weight::AttnQBias(i),
                    Weight::AttnKBias(i),
                    Weight::AttnVBias(i),
                ]
                .iter()
                .map(|&w| ck.load(w))
                .collect::<Result<Vec<_>, _>>()?;
                Some(Tensor::cat(&parts, 0))
            } else {
                None
            };
            blocks.push(Block {
                attn_norm: RmsNorm::load(ck, Weight::AttnNorm(i), &cfg, device, kind)?,
                attn: Attention {
                    qkv: matrix(
                        &[Weight::AttnQ(i), Weight::AttnK(i), Weight::AttnV(i)],
                        bias,
                    )?,
                    o: matrix(&[Weight::AttnOutput(i)], None)?,
                    heads: cfg.heads as i64,
                    kv_heads: cfg.kv_heads as i64,
                    head_dim: cfg.head_dim as i64,
                },
                ffn_norm: RmsNorm::load(ck, Weight::FfnNorm(i), &cfg, device, kind)?,
                mlp: Mlp {
                    gate_up: matrix(&[Weight::FfnGate(i), Weight::FfnUp(i)], None)?,
                    down: matrix(&[Weight::FfnDown(i)], None)?,
                    intermediate: cfg.intermediate as i64,
                },
            });
        }
        progress(0.9, "output");
        let norm = RmsNorm::load(ck, Weight::OutputNorm, &cfg, device, kind)?;
        let tied = !ck.has(Weight::Output);
        let (lm_head, embed) = if tied && !int4 {
            // Exact mode reads embeddings from the head's [hidden, vocab] matrix: one copy.
            let w_t = ck
                .load_transposed(Weight::TokenEmbd)?
                .to_kind(kind)
                .to_device(device);
            let head = with_quant(&[Weight::TokenEmbd], Linear::Dense { w_t, bias: None })?;
            (head, None)
        } else {
            let embed = ck.load(Weight::TokenEmbd)?;
            let head = match (tied, int4) {
                // Fast mode: the Q8_0 embedding read exactly by the block-quant kernel for
                // decode steps, bfloat16 for longer inputs.
                (true, _) => {
                    let bf16 = Linear::Bf16 {
                        w: embed.to_kind(Kind::BFloat16),
                    };
                    match QuantMatrix::from_checkpoint(ck, &[Weight::TokenEmbd])? {
                        Some(q) if quant_kernel => Linear::Quant {
                            q,
                            dense: Box::new(bf16),
                        },
                        _ => bf16,
                    }
                }
                (false, true) => match Int4Linear::from_checkpoint(ck, &[Weight::Output], None)? {
                    Some(l) => Linear::Int4(l),
                    None => Linear::Int4(Int4Linear::quantize(&ck.load(Weight::Output)?, None)),
                },
                (false, false) => with_quant(
                    &[Weight::Output],
                    Linear::Dense {
                        w_t: ck
                            .load_transposed(Weight::Output)?
                            .to_kind(kind)
                            .to_device(device),
                        bias: None,
                    },
                )?,
            };
            (head, Some(embed.to_kind(kind).to_device(device)))
        };
        let freq_factors = match ck.load_optional(Weight::RopeFreqs)? {
            Some(t) => Some(
                Vec::<f32>::try_from(&t.to_kind(Kind::Float))
                    .map_err(|e| ModelError::Invalid(e.to_string()))?,
            ),
            None => None,
        };
        let rope = Rope::new(&cfg, freq_factors.as_deref(), device, kind);
        progress(1.0, "ready");
        Ok(Self {
            cfg,
            embed,
            blocks,
            norm,
            lm_head,
            rope,
            device,
            kind,
        })
    }

    /// A fresh, empty KV cache for this model.
    pub fn new_cache(&self) -> KvCache {
        KvCache::new(
            self.cfg.layers,
            self.cfg.kv_heads,
            self.cfg.head_dim,
            self.cfg.context_length,
            self.kind,
            self.device,
        )
    }

    fn embed(&self, ids: &Tensor) -> Tensor {
        match (&self.embed, &self.lm_head) {
            (Some(e), _) => e.index_select(0, ids),
            (None, Linear::Dense { w_t, .. }) => w_t.index_select(1, ids).transpose(0, 1),
            (None, Linear::Quant { dense, .. }) => match &**dense {
                Linear::Dense { w_t, .. } => w_t.index_select(1, ids).transpose(0, 1),
                _ => unreachable!("exact mode's quantized head keeps a dense copy"),
            },
            (None, _) => unreachable!("only exact-mode tied heads double as the embedding table"),
        }
    }

    /// Runs `ids` at positions `cache.len()..`, appending them to the cache; returns the
    /// next-token logits after each of them as float32 [n, vocab] on the CPU.
    pub fn forward(&self, ids: &[u32], cache: &mut KvCache) -> Result<Tensor, ModelError> {
        let _guard = tch::no_grad_guard();
        let start = cache.len();
        let end = start + ids.len();
        if end > self.cfg.context_length {
            return Err(ModelError::ContextFull {
                needed: end,
                context: self.cfg.context_length,
            });
        }
        let ids64: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
        let ids_t = Tensor::from_slice(&ids64).to_device(self.device);
        let mut x = self.embed(&ids_t).unsqueeze(0);
        cache.reserve(end);
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(&x, start, i, cache, &self.rope);
        }
        cache.set_len(end);
        let x = self.norm.forward(&x);
        let logits = self.lm_head.forward(&x).squeeze_dim(0);
        Ok(logits.to_kind(Kind::Float).to_device(Device::Cpu))
    }
}
