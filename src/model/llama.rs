//! The Llama-family decoder (SmolLM2, Llama 2/3, TinyLlama, Mistral, Qwen2) as a tree of small
//! structs named like the checkpoint: `Llama` → `Block` → (`RmsNorm`, `Attention`, `Mlp`), each
//! loading itself. Weights are immutable; the only state is the [`KvCache`] passed in.

use std::sync::Arc;

use tch::{Device, Kind, Tensor};

use crate::model::config::Config;
use crate::model::inside;
use crate::model::int4::Int4Linear;
use crate::model::kv_cache::KvCache;
use crate::model::linear::{
    BF16_ROWS_PER_STEP, Bf16, Dense, LazyBf16, Linear, LoadOptions, LongInputs, Quant,
};
use crate::model::qgemv::QuantMatrix;
use crate::model::qpanel;
use crate::model::rope::Rope;
use crate::model::slices::{f32s, f32s_mut};
use crate::model::step;
use crate::model::weights::{Checkpoint, Weight};
use crate::model::{CausalLm, Dims, LoadStep, ModelError, Precision, Progress, TokenRows};

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
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            weight: ck.load(w)?.to_kind(opts.kind).to_device(opts.device),
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
    fn load(
        ck: &Checkpoint,
        i: usize,
        cfg: &Config,
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
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
        Ok(Self {
            qkv: Linear::load(
                ck,
                &[Weight::AttnQ(i), Weight::AttnK(i), Weight::AttnV(i)],
                bias,
                opts,
            )?,
            o: Linear::load(ck, &[Weight::AttnOutput(i)], None, opts)?,
            heads: cfg.heads as i64,
            kv_heads: cfg.kv_heads as i64,
            head_dim: cfg.head_dim as i64,
        })
    }

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
        let mut qkv = self.qkv.forward(x);
        // q and k are adjacent in the fused output: rotate them in one go, [b, n, h + kv, d]:
        // in place with the decode step's loop where the product is float32 on the CPU (one
        // pass instead of five tensor ops), through tensor ops elsewhere.
        let qk = if rotate_in_place(&mut qkv, ((h + kv) * d) as usize, start, rope) {
            qkv.narrow(-1, 0, (h + kv) * d).view([b, n, h + kv, d])
        } else {
            rope.apply(
                &qkv.narrow(-1, 0, (h + kv) * d).view([b, n, h + kv, d]),
                start,
            )
        };
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
        // From position 0 the two alignments agree, and SDPA's own causal mode skips the key
        // blocks above the diagonal without reading a mask.
        let causal = start == 0 && n > 1;
        let mask = (n > 1 && !causal).then(|| {
            Tensor::ones([n, start as i64 + n], (Kind::Bool, x.device())).tril(start as i64)
        });
        let y = Tensor::scaled_dot_product_attention(&q, &k, &v, mask, 0.0, causal, None, true);
        self.o.forward(&y.transpose(1, 2).reshape([b, n, h * d]))
    }
}

/// Rotates the first `rotated` values of each row of `qkv` (a fresh contiguous float32 CPU
/// product, rows at positions `start..`) with [`step::rope`]; `false`, untouched, for any
/// other tensor or a position past the tables.
fn rotate_in_place(qkv: &mut Tensor, rotated: usize, start: usize, rope: &Rope) -> bool {
    let width = *qkv.size().last().expect("non-scalar") as usize;
    let rows = qkv.numel() / width.max(1);
    if rope.tables_at(start + rows.saturating_sub(1)).is_none() {
        return false;
    }
    let Some(values) = f32s_mut(qkv) else {
        return false;
    };
    for (i, row) in values.chunks_exact_mut(width).enumerate() {
        let (cos, sin, style) = rope.tables_at(start + i).expect("checked above");
        step::rope(&mut row[..rotated], cos, sin, style);
    }
    true
}

impl Attention {
    /// The attention probabilities [heads, pos + 1] of the query at `pos` for the layer input
    /// `x` [1, 1, hidden] (already normed), over the keys the cache holds for `layer`.
    fn weights_at(
        &self,
        x: &Tensor,
        pos: usize,
        layer: usize,
        cache: &KvCache,
        rope: &Rope,
    ) -> Tensor {
        let (h, kv, d) = (self.heads, self.kv_heads, self.head_dim);
        let qkv = self.qkv.forward(x);
        let qk = rope.apply(
            &qkv.narrow(-1, 0, (h + kv) * d).view([1, 1, h + kv, d]),
            pos,
        );
        let q = qk.narrow(2, 0, h).view([h, d]);
        let k = cache.keys(layer, pos + 1).squeeze_dim(0);
        inside::attention_weights(&q, &k, 1.0 / (d as f64).sqrt(), 0)
    }
}

/// SwiGLU feed-forward: down(silu(gate(x)) · up(x)), with gate and up fused.
pub struct Mlp {
    gate_up: Linear,
    down: Linear,
    intermediate: i64,
}

impl Mlp {
    fn load(
        ck: &Checkpoint,
        i: usize,
        cfg: &Config,
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            gate_up: Linear::load(ck, &[Weight::FfnGate(i), Weight::FfnUp(i)], None, opts)?,
            down: Linear::load(ck, &[Weight::FfnDown(i)], None, opts)?,
            intermediate: cfg.intermediate as i64,
        })
    }

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
    fn load(
        ck: &Checkpoint,
        i: usize,
        cfg: &Config,
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            attn_norm: RmsNorm::load(ck, Weight::AttnNorm(i), cfg, opts)?,
            attn: Attention::load(ck, i, cfg, opts)?,
            ffn_norm: RmsNorm::load(ck, Weight::FfnNorm(i), cfg, opts)?,
            mlp: Mlp::load(ck, i, cfg, opts)?,
        })
    }

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

/// Where the token embeddings are read from.
pub(crate) enum Embedding {
    /// A [vocab, hidden] table.
    Rows(Tensor),
    /// The columns of a tied LM head's [hidden, vocab] matrix (the same storage: one copy).
    HeadColumns(Tensor),
    /// The GGUF blocks, de-quantized one row per token (float32 on the CPU; shared with a
    /// tied head in exact mode).
    Quant(Arc<QuantMatrix>),
}

impl Embedding {
    /// The rows of `ids`, [ids.len(), hidden], on `device` (the block rows are read straight
    /// from the ids, without a round trip through a tensor).
    pub(crate) fn forward(&self, ids: &[u32], device: Device) -> Tensor {
        let ids: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
        let index = || Tensor::from_slice(&ids).to_device(device);
        match self {
            Embedding::Rows(t) => t.index_select(0, &index()),
            Embedding::HeadColumns(w_t) => w_t.index_select(1, &index()).transpose(0, 1),
            Embedding::Quant(q) => qpanel::gather_rows(q, &ids),
        }
    }

    /// The row of `id` into `out` (float32, CPU).
    pub(crate) fn row_into(&self, id: u32, out: &mut [f32]) {
        match self {
            Embedding::Quant(q) => qpanel::dequantize_rows(q, id as usize, out),
            _ => self
                .forward(&[id], Device::Cpu)
                .to_kind(Kind::Float)
                .copy_data(out, out.len()),
        }
    }
}

/// The output layer and the embedding table it may share its weights with.
pub(crate) struct Head {
    pub(crate) lm_head: Linear,
    pub(crate) embedding: Embedding,
    /// The output layer is the embedding matrix itself (no `output.weight`).
    pub(crate) tied: bool,
}

impl Head {
    /// The embeddings come from the GGUF blocks wherever the block kernels run (no float
    /// table). A tied head (no `output.weight`) reads the same matrix: exact mode multiplies by
    /// the blocks themselves, fast mode keeps a bfloat16 copy for long inputs; without the
    /// kernels one float copy serves both.
    pub(crate) fn load(ck: &Checkpoint, opts: &LoadOptions) -> Result<Self, ModelError> {
        let tied = !ck.has(Weight::Output);
        let on_device = |t: Tensor| t.to_kind(opts.kind).to_device(opts.device);
        let blocks = match opts.quant_kernel {
            true => QuantMatrix::from_checkpoint(ck, &[Weight::TokenEmbd])?.map(Arc::new),
            false => None,
        };
        let lm_head = match (tied, opts.int4(), &blocks) {
            (true, false, Some(q)) if opts.precision == Precision::Exact => Linear::Quant(Quant {
                q: Arc::clone(q),
                bias: None,
                long: LongInputs::Panels,
            }),
            (true, false, _) => {
                let w_t = on_device(ck.load_transposed(Weight::TokenEmbd)?);
                let embedding = Embedding::HeadColumns(w_t.shallow_clone());
                let lm_head = Linear::Dense(Dense { w_t, bias: None });
                return Ok(Head {
                    lm_head,
                    embedding,
                    tied,
                });
            }
            (true, true, Some(q)) => Linear::Quant(Quant {
                q: Arc::clone(q),
                bias: None,
                long: LongInputs::Bf16(LazyBf16::default()),
            }),
            (true, true, None) => Linear::Bf16(Bf16 {
                w: ck.load(Weight::TokenEmbd)?.to_kind(Kind::BFloat16),
            }),
            (false, true, _) => match Int4Linear::from_checkpoint(ck, &[Weight::Output], None)? {
                Some(l) => Linear::Int4(l),
                None => Linear::Int4(Int4Linear::quantize(&ck.load(Weight::Output)?, None)),
            },
            (false, false, _) => match Linear::block_quant(ck, &[Weight::Output], opts)? {
                Some(q) => Linear::Quant(Quant {
                    q: Arc::new(q),
                    bias: None,
                    long: LongInputs::Panels,
                }),
                None => Linear::Dense(Dense {
                    w_t: on_device(ck.load_transposed(Weight::Output)?),
                    bias: None,
                }),
            },
        };
        let embedding = match blocks {
            Some(q) => Embedding::Quant(q),
            None => Embedding::Rows(on_device(ck.load(Weight::TokenEmbd)?)),
        };
        Ok(Head {
            lm_head,
            embedding,
            tied,
        })
    }
}

/// The whole decoder.
pub struct Llama {
    pub cfg: Config,
    embedding: Embedding,
    tied: bool,
    blocks: Vec<Block>,
    norm: RmsNorm,
    lm_head: Linear,
    rope: Rope,
    opts: LoadOptions,
}

impl Llama {
    /// Builds the model; `progress` hears about each step.
    pub fn load(
        ck: &Checkpoint,
        cfg: Config,
        opts: &LoadOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Self, ModelError> {
        let _guard = tch::no_grad_guard();
        progress(Progress::new(0.0, LoadStep::Embeddings));
        let cfg = cfg.with_vocab_from(ck)?;
        let mut blocks = Vec::with_capacity(cfg.layers);
        for i in 0..cfg.layers {
            progress(Progress::new(
                0.1 + 0.8 * i as f32 / cfg.layers as f32,
                LoadStep::Layers,
            ));
            blocks.push(Block::load(ck, i, &cfg, opts)?);
        }
        progress(Progress::new(0.9, LoadStep::Output));
        let norm = RmsNorm::load(ck, Weight::OutputNorm, &cfg, opts)?;
        let Head {
            lm_head,
            embedding,
            tied,
        } = Head::load(ck, opts)?;
        let freq_factors = match ck.load_optional(Weight::RopeFreqs)? {
            Some(t) => Some(Vec::<f32>::try_from(&t.to_kind(Kind::Float))?),
            None => None,
        };
        let rope = Rope::new(&cfg, freq_factors.as_deref(), opts.device, opts.kind);
        Ok(Self {
            cfg,
            embedding,
            tied,
            blocks,
            norm,
            lm_head,
            rope,
            opts: *opts,
        })
    }
}

impl CausalLm for Llama {
    fn dims(&self) -> Dims {
        Dims {
            vocab: self.cfg.vocab,
            context_length: self.cfg.context_length,
        }
    }

    fn new_cache(&self) -> KvCache {
        KvCache::new(
            self.cfg.layers,
            self.cfg.kv_heads,
            self.cfg.head_dim,
            self.cfg.context_length,
            self.opts.kind,
            self.opts.device,
        )
    }

    fn embedding_rows(&self, ids: &[u32]) -> Option<TokenRows> {
        let _guard = tch::no_grad_guard();
        Some(TokenRows {
            rows: self.embedding.forward(ids, self.opts.device),
            tied: self.tied,
        })
    }

    fn tied_dots(&self, x: &[f32]) -> Option<Result<Tensor, ModelError>> {
        if !self.tied {
            return None;
        }
        Some(Ok(inside::tied_dots(&self.lm_head, &self.opts, x)))
    }

    fn prepare(&self) -> bool {
        let _guard = tch::no_grad_guard();
        match &self.lm_head {
            Linear::Quant(Quant {
                q,
                long: LongInputs::Bf16(copy),
                ..
            }) => !copy.advance(q, BF16_ROWS_PER_STEP),
            _ => false,
        }
    }

    fn forward(&self, ids: &[u32], cache: &mut KvCache) -> Result<Tensor, ModelError> {
        let _guard = tch::no_grad_guard();
        match self.steps(ids, cache) {
            Some(logits) => logits,
            None => self.forward_tensors(ids, cache),
        }
    }

    fn attention_cached(
        &self,
        last: u32,
        cache: &mut KvCache,
    ) -> Option<Result<Tensor, ModelError>> {
        Some(self.attention_from(&[last], cache))
    }

    fn attention(&self, ids: &[u32]) -> Option<Result<Tensor, ModelError>> {
        Some(self.attention_rows(ids))
    }

    fn lens_cached(&self, last: u32, cache: &mut KvCache) -> Option<Result<Tensor, ModelError>> {
        let _guard = tch::no_grad_guard();
        let head = |x: &Tensor| self.lm_head.forward(&self.norm.forward(x));
        Some(inside::lens(&[last], cache, head, |ids, cache, each| {
            self.residual(ids, cache, each)
        }))
    }

    fn lens(&self, ids: &[u32]) -> Option<Result<Tensor, ModelError>> {
        let _guard = tch::no_grad_guard();
        let mut cache = self.new_cache();
        let head = |x: &Tensor| self.lm_head.forward(&self.norm.forward(x));
        Some(inside::lens(ids, &mut cache, head, |ids, cache, each| {
            self.residual(ids, cache, each)
        }))
    }
}

impl Llama {
    /// A few tokens (typing, a decode step: at most [`step::MAX_TOKENS`]) one [`Self::step`]
    /// after another, their logits [n, vocab]; `None` for longer inputs or where a step does
    /// not run, with the cache as it was.
    fn steps(&self, ids: &[u32], cache: &mut KvCache) -> Option<Result<Tensor, ModelError>> {
        if ids.is_empty() || ids.len() > step::MAX_TOKENS {
            return None;
        }
        let start = cache.len();
        let vocab = self.cfg.vocab;
        let mut logits =
            Tensor::empty([ids.len() as i64, vocab as i64], (Kind::Float, Device::Cpu));
        let rows = f32s_mut(&mut logits).expect("a fresh float32 CPU tensor");
        for (&id, row) in ids.iter().zip(rows.chunks_exact_mut(vocab)) {
            match self.step(id, cache, row) {
                Some(Ok(())) => {}
                Some(Err(e)) => {
                    cache.truncate(start);
                    return Some(Err(e));
                }
                None => {
                    cache.truncate(start);
                    return None;
                }
            }
        }
        Some(Ok(logits))
    }

    /// The forward pass through libtorch's tensor ops (long inputs, a GPU, bfloat16).
    fn forward_tensors(&self, ids: &[u32], cache: &mut KvCache) -> Result<Tensor, ModelError> {
        let x = self.residual(ids, cache, &mut |_| ())?;
        let logits = self.lm_head.forward(&self.norm.forward(&x)).squeeze_dim(0);
        Ok(logits.to_kind(Kind::Float).to_device(Device::Cpu))
    }

    /// One token at position `cache.len()` in plain Rust on float32 slices (see
    /// [`crate::model::step`]): the computation of [`Self::residual`] and the head, without a
    /// tensor op between the products; its logits into `logits`. `None` where the inputs are
    /// not float32 on the CPU (a GPU, bfloat16): the tensor path runs instead.
    fn step(
        &self,
        id: u32,
        cache: &mut KvCache,
        logits: &mut [f32],
    ) -> Option<Result<(), ModelError>> {
        use crate::model::step::{add, rms_norm, rope, silu_mul};
        if self.opts.device != Device::Cpu || self.opts.kind != Kind::Float || !cache.is_cpu_f32() {
            return None;
        }
        let pos = cache.len();
        if pos + 1 > self.cfg.context_length {
            return Some(Err(ModelError::ContextFull {
                needed: pos + 1,
                context: self.cfg.context_length,
            }));
        }
        let (cos, sin, style) = self.rope.tables_at(pos)?;
        let c = &self.cfg;
        let (h, kv, d) = (c.heads, c.kv_heads, c.head_dim);
        let mut x = vec![0f32; c.hidden];
        let mut xn = vec![0f32; c.hidden];
        let mut out = vec![0f32; c.hidden];
        let mut qkv = vec![0f32; (h + 2 * kv) * d];
        let mut att = vec![0f32; h * d];
        let mut gu = vec![0f32; 2 * c.intermediate];
        let mut act = vec![0f32; c.intermediate];
        self.embedding.row_into(id, &mut x);
        cache.reserve(pos + 1);
        let scale = 1.0 / (d as f32).sqrt();
        for (i, b) in self.blocks.iter().enumerate() {
            rms_norm(&x, f32s(&b.attn_norm.weight)?, b.attn_norm.eps, &mut xn);
            b.attn.qkv.matvec(&xn, &mut qkv);
            let (qk, v) = qkv.split_at_mut((h + kv) * d);
            rope(qk, cos, sin, style);
            let (q, k) = qk.split_at(h * d);
            let mut layer = cache.layer_f32(i)?;
            layer.write(pos, k, v);
            layer.attend(q, 0, pos, scale, &mut att);
            b.attn.o.matvec(&att, &mut out);
            add(&mut x, &out);
            rms_norm(&x, f32s(&b.ffn_norm.weight)?, b.ffn_norm.eps, &mut xn);
            b.mlp.gate_up.matvec(&xn, &mut gu);
            silu_mul(&gu, &mut act);
            b.mlp.down.matvec(&act, &mut out);
            add(&mut x, &out);
        }
        cache.set_len(pos + 1);
        rms_norm(&x, f32s(&self.norm.weight)?, self.norm.eps, &mut xn);
        self.lm_head.matvec(&xn, logits);
        Some(Ok(()))
    }

    fn attention_rows(&self, ids: &[u32]) -> Result<Tensor, ModelError> {
        let mut cache = self.new_cache();
        self.attention_from(ids, &mut cache)
    }

    /// The attention of the last of `ids`, run after the positions already in `cache`.
    fn attention_from(&self, ids: &[u32], cache: &mut KvCache) -> Result<Tensor, ModelError> {
        let _guard = tch::no_grad_guard();
        let embedded = self.embedding.forward(ids, self.opts.device).unsqueeze(0);
        let pos = cache.len() + ids.len().saturating_sub(1);
        inside::attention(
            ids,
            embedded,
            cache,
            |ids, cache, each| self.residual(ids, cache, each),
            |i, x, cache| {
                let b = &self.blocks[i];
                let x = b.attn_norm.forward(&x.unsqueeze(0));
                b.attn.weights_at(&x, pos, i, cache, &self.rope)
            },
        )
    }

    /// Runs `ids` at positions `cache.len()..` through every block; `each` sees the residual
    /// stream [1, n, hidden] after each layer. Returns the last layer's (before the final norm).
    fn residual(
        &self,
        ids: &[u32],
        cache: &mut KvCache,
        each: &mut dyn FnMut(&Tensor),
    ) -> Result<Tensor, ModelError> {
        let start = cache.len();
        let end = start + ids.len();
        if end > self.cfg.context_length {
            return Err(ModelError::ContextFull {
                needed: end,
                context: self.cfg.context_length,
            });
        }
        let mut x = self.embedding.forward(ids, self.opts.device).unsqueeze(0);
        cache.reserve(end);
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(&x, start, i, cache, &self.rope);
            each(&x);
        }
        cache.set_len(end);
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::linear::BF16_MIN_ROWS;
    use crate::model::{Precision, Resolved, Source};

    /// The default model's decoder and the ids of `text`.
    fn default_model(precision: Precision, text: &str) -> (Llama, Vec<u32>) {
        let path = crate::registry::default_model_path();
        assert!(
            path.exists(),
            "run scripts/bootstrap first: {} is missing",
            path.display()
        );
        let source = Source::open(&path).unwrap();
        let ids = source.tokenizer().unwrap().encode(text).unwrap();
        let (ck, cfg) = source.config().unwrap();
        let Resolved::Llama(cfg) = cfg else {
            panic!("the default model is a llama")
        };
        let opts = LoadOptions::new(Device::Cpu, precision);
        (Llama::load(&ck, cfg, &opts, &mut |_| ()).unwrap(), ids)
    }

    const TEXT: &str = "The lighthouse keeper walked along the shore every morning, watching the";

    /// Fast mode's int4 product for one row in a step (bfloat16 bits in and out through
    /// `Linear::matvec`) is the tensor path's product to the bit, for one row or among several.
    #[test]
    fn int4_matvec_is_the_tensor_product() {
        let _guard = tch::no_grad_guard();
        let (m, _) = default_model(Precision::Fast, "x");
        let l = &m.blocks[0].mlp.gate_up;
        assert!(matches!(l, Linear::Int4(_)));
        tch::manual_seed(7);
        let x = Tensor::randn([1, m.cfg.hidden as i64], (Kind::Float, Device::Cpu));
        let xs: Vec<f32> = Vec::try_from(x.view([-1])).unwrap();
        let mut y = vec![0f32; 2 * m.cfg.intermediate];
        l.matvec(&xs, &mut y);
        let one = l.forward(&x).view([-1]);
        let among = l.forward(&x.repeat([3, 1])).get(1);
        assert_eq!(Vec::<f32>::try_from(&one).unwrap(), y);
        assert_eq!(Vec::<f32>::try_from(&among).unwrap(), y);
    }

    /// Fast mode's bfloat16 head is made after load, in idle slices, yet a prompt's numbers
    /// depend only on its length: the same before, during and after the copy, and the copy is
    /// the one the load used to make (the de-quantized embeddings rounded to bfloat16).
    #[test]
    fn the_deferred_head_changes_no_number() {
        let _guard = tch::no_grad_guard();
        let (m, ids) = default_model(Precision::Fast, TEXT);
        assert!(ids.len() > BF16_MIN_ROWS as usize);
        let short = &ids[..BF16_MIN_ROWS as usize - 1];
        let run = |ids: &[u32]| m.forward_tensors(ids, &mut m.new_cache()).unwrap();
        let short_before = run(short);
        assert!(m.prepare(), "a first slice, more to come");
        let (short_during, long_during) = (run(short), run(&ids));
        assert!(!m.prepare(), "the long prompt finished the copy");
        assert!(short_before.equal(&short_during) && short_during.equal(&run(short)));
        assert!(long_during.equal(&run(&ids)));
        let Linear::Quant(Quant {
            long: LongInputs::Bf16(copy),
            q,
            ..
        }) = &m.lm_head
        else {
            panic!("fast mode's tied head reads the blocks and keeps a bfloat16 copy")
        };
        let path = crate::registry::default_model_path();
        let (ck, _) = Source::open(&path).unwrap().config().unwrap();
        let eager = ck.load(Weight::TokenEmbd).unwrap().to_kind(Kind::BFloat16);
        assert!(copy.get(q).w.equal(&eager));
    }

    /// A decode step in plain Rust computes what the tensor path computes for the same tokens
    /// (the same products, the vector ops in float32 in another order), so typing and decoding
    /// show the numbers a full pass would: to 2e-4 in exact mode. In fast mode each int4
    /// product rounds its input to bfloat16, and a last-bit difference in float32 sometimes
    /// rounds the other way; over 30 layers that is noise of the size of fast mode's own error
    /// (0.14 nats measured, the same as its distance to float32), so there the bound is fast
    /// mode's 0.5 and the same most likely token.
    #[test]
    fn steps_equal_the_tensor_path() {
        let _guard = tch::no_grad_guard();
        for (precision, bound) in [(Precision::Exact, 2e-4), (Precision::Fast, 0.5)] {
            let (m, ids) = default_model(precision, TEXT);
            let (prefix, rest) = ids.split_at(ids.len() - 4);
            let mut a = m.new_cache();
            let mut b = m.new_cache();
            let _ = m.forward_tensors(prefix, &mut a).unwrap();
            let _ = m.forward_tensors(prefix, &mut b).unwrap();
            let mut worst = 0f32;
            // Three tokens, then one more step: each logit row, and the cache it leaves.
            for chunk in [&rest[..3], &rest[3..]] {
                let want = m.forward_tensors(chunk, &mut a).unwrap();
                let got = m
                    .steps(chunk, &mut b)
                    .expect("a step runs on the CPU")
                    .unwrap();
                assert_eq!(a.len(), b.len());
                let (w, g) = (
                    want.log_softmax(-1, Kind::Float),
                    got.log_softmax(-1, Kind::Float),
                );
                assert_eq!(w.argmax(-1, false), g.argmax(-1, false), "{precision:?}");
                worst = worst.max(f32::try_from((w - g).abs().max()).unwrap());
            }
            assert!(worst < bound, "{precision:?}: max |Δ log-prob| {worst}");
            eprintln!("{precision:?}: steps vs tensor path, max |Δ log-prob| {worst:.2e}");
        }
    }
}
