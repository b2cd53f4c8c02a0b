//! The Gemma 3 decoder (Gemma-3-270M and its larger text siblings) as a tree of small structs
//! named like the checkpoint: `Gemma3` → `Block` → (`RmsNorm`, `Attention`, `Mlp`). It differs
//! from Llama in ways that each bite somewhere below (HF `modeling_gemma3.py`, llama.cpp
//! `src/models/gemma3.cpp`):
//! - token embeddings are multiplied by √hidden (in the activation dtype);
//! - RMSNorm multiplies by `1 + w` (HF stores `w`; llama.cpp's converter stores `1 + w`);
//! - queries and keys get an RMSNorm per head before RoPE;
//! - norms before *and after* attention and the MLP;
//! - a GELU(tanh)-gated MLP;
//! - local (sliding-window) layers and global layers, each with its own RoPE base;
//! - attention scores scaled by `query_pre_attn_scalar^-½`, not `head_dim^-½`;
//! - a 262 144-token vocabulary with the LM head tied to the embeddings.

use tch::{Device, Kind, Tensor};

use crate::gguf::GgufFile;
use crate::model::config::Config;
use crate::model::inside;
use crate::model::kv_cache::KvCache;
use crate::model::linear::{Linear, LoadOptions};
use crate::model::llama::{Embedding, Head};
use crate::model::rope::Rope;
use crate::model::weights::{Checkpoint, Weight};
use crate::model::{CausalLm, Dims, LoadStep, ModelError, Progress, TokenRows};

/// The longest context we prepare for (the file allows 32 768; RoPE tables and the KV cache
/// for that would cost ~300 MB that a classroom never uses).
const MAX_CONTEXT: usize = 8192;

/// What Gemma 3 adds to the shared [`Config`], resolved once.
#[derive(Clone, Debug, PartialEq)]
pub struct Gemma3Config {
    pub base: Config,
    /// Keys further back than this are invisible to local layers (query i sees keys j with
    /// i − j < window).
    pub sliding_window: usize,
    /// Every `pattern`-th layer (1-based) is global; the others are local.
    pub pattern: usize,
    /// RoPE base of the local layers (the global ones use `base.rope_theta`).
    pub local_rope_theta: f64,
    /// Attention scores are multiplied by this: `query_pre_attn_scalar^-½`.
    pub query_scale: f64,
}

impl Gemma3Config {
    /// Reads a GGUF file's `gemma3.*` keys. llama.cpp writes neither the local RoPE base nor
    /// the layer pattern nor `query_pre_attn_scalar`: it hard-codes 10 000, every 6th layer,
    /// and `key_length` for every size but 27B (`src/llama-model.cpp`, `LLM_ARCH_GEMMA3`), so
    /// we take the same values when the keys are absent.
    pub fn from_gguf(g: &GgufFile, base: Config) -> Result<Self, ModelError> {
        let key = |k: &str| format!("gemma3.{k}");
        let sliding_window = g
            .get_u64(&key("attention.sliding_window"))
            .ok_or_else(|| ModelError::MissingKey(key("attention.sliding_window")))?
            as usize;
        let scalar = g
            .get_f32(&key("attention.query_pre_attn_scalar"))
            .map_or(base.head_dim as f64, f64::from);
        let local_rope_theta = g
            .get_f32(&key("rope.freq_base_swa"))
            .map_or(10_000.0, f64::from);
        let base = Config {
            context_length: base.context_length.min(MAX_CONTEXT),
            tied_embeddings: true,
            ..base
        };
        Ok(Self {
            base,
            sliding_window,
            pattern: 6,
            local_rope_theta,
            query_scale: scalar.powf(-0.5),
        })
    }

    /// Reads an HF `config.json` (`Gemma3ForCausalLM`, transformers 4.5x or 5): the local
    /// layers' RoPE base, the window, which layers are global (`layer_types`, or the older
    /// `sliding_window_pattern`), `query_pre_attn_scalar`. What we do not run is refused by name.
    pub fn from_hf_json(text: &str, base: Config) -> Result<Self, ModelError> {
        let bad = |detail: String| ModelError::Config {
            file: "config.json".into(),
            detail,
        };
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        for key in ["final_logit_softcapping", "attn_logit_softcapping"] {
            if v.get(key).is_some_and(|c| !c.is_null()) {
                return Err(bad(format!("{key} is not supported")));
            }
        }
        if v.get("use_bidirectional_attention") == Some(&serde_json::Value::Bool(true)) {
            return Err(bad("bidirectional attention is not supported".into()));
        }
        let global_rope = v.pointer("/rope_parameters/full_attention/rope_type");
        if global_rope.is_some_and(|t| t != "default")
            || v.get("rope_scaling").is_some_and(|r| !r.is_null())
        {
            return Err(bad(
                "RoPE scaling of the global layers is not supported".into()
            ));
        }
        let num = |key: &str| v.get(key).and_then(serde_json::Value::as_f64);
        let sliding_window =
            num("sliding_window").ok_or_else(|| bad("sliding_window is missing".into()))? as usize;
        let local_rope_theta = v
            .pointer("/rope_parameters/sliding_attention/rope_theta")
            .and_then(serde_json::Value::as_f64)
            .or_else(|| num("rope_local_base_freq"))
            .unwrap_or(10_000.0);
        let pattern = layer_pattern(&v, base.layers).map_err(bad)?;
        let scalar = num("query_pre_attn_scalar").unwrap_or(base.head_dim as f64);
        let base = Config {
            context_length: base.context_length.min(MAX_CONTEXT),
            tied_embeddings: v.get("tie_word_embeddings") != Some(&serde_json::Value::Bool(false)),
            ..base
        };
        Ok(Self {
            base,
            sliding_window,
            pattern,
            local_rope_theta,
            query_scale: scalar.powf(-0.5),
        })
    }

    /// Whether layer `i` attends to the whole context.
    pub fn is_global(&self, i: usize) -> bool {
        (i + 1).is_multiple_of(self.pattern)
    }
}

/// Every how many layers one is global, from `layer_types` (each "sliding_attention" or
/// "full_attention"; it must repeat with one period) or `sliding_window_pattern` (default 6).
fn layer_pattern(v: &serde_json::Value, layers: usize) -> Result<usize, String> {
    let Some(types) = v.get("layer_types").and_then(serde_json::Value::as_array) else {
        let p = v
            .get("sliding_window_pattern")
            .or_else(|| v.get("_sliding_window_pattern"))
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(6);
        return Ok(p.max(1) as usize);
    };
    let global: Vec<bool> = types.iter().map(|t| t == "full_attention").collect();
    if global.len() != layers {
        return Err(format!(
            "layer_types has {} entries for {layers} layers",
            global.len()
        ));
    }
    // A pattern longer than the model (every layer local) never makes a layer global.
    let pattern = global.iter().position(|&g| g).map_or(layers + 1, |i| i + 1);
    if global
        .iter()
        .enumerate()
        .any(|(i, &g)| g != (i + 1).is_multiple_of(pattern))
    {
        return Err(format!(
            "layer_types {types:?} is not one global layer every N"
        ));
    }
    Ok(pattern)
}

/// Gemma's RMSNorm: `x / rms(x) · (1 + w)`. GGUF files already hold `1 + w` (llama.cpp's
/// converter adds the one), HF checkpoints hold `w`: loading decides once.
pub struct RmsNorm {
    scale: Tensor,
    eps: f64,
}

impl RmsNorm {
    fn load(
        ck: &Checkpoint,
        w: Weight,
        cfg: &Config,
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
        let t = ck.load(w)?;
        let scale = match ck {
            Checkpoint::Gguf(_) => t,
            Checkpoint::Safetensors(_) => t + 1.0,
        };
        Ok(Self {
            scale: scale.to_kind(opts.kind).to_device(opts.device),
            eps: cfg.rms_eps,
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let d = *x.size().last().expect("non-scalar");
        x.rms_norm([d], Some(&self.scale), self.eps)
    }
}

/// Grouped-query attention with per-head q/k norms, local or global.
pub struct Attention {
    qkv: Linear,
    o: Linear,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    heads: i64,
    kv_heads: i64,
    head_dim: i64,
    scale: f64,
    /// `Some(window)` for a local (sliding-window) layer.
    window: Option<usize>,
}

impl Attention {
    fn load(
        ck: &Checkpoint,
        i: usize,
        cfg: &Gemma3Config,
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
        let base = &cfg.base;
        Ok(Self {
            qkv: Linear::load(
                ck,
                &[Weight::AttnQ(i), Weight::AttnK(i), Weight::AttnV(i)],
                None,
                opts,
            )?,
            o: Linear::load(ck, &[Weight::AttnOutput(i)], None, opts)?,
            q_norm: RmsNorm::load(ck, Weight::AttnQNorm(i), base, opts)?,
            k_norm: RmsNorm::load(ck, Weight::AttnKNorm(i), base, opts)?,
            heads: base.heads as i64,
            kv_heads: base.kv_heads as i64,
            head_dim: base.head_dim as i64,
            scale: cfg.query_scale,
            window: (!cfg.is_global(i)).then_some(cfg.sliding_window),
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
        let qkv = self.qkv.forward(x);
        // The per-head norms come before RoPE (HF: `q_norm(q_proj(x).view(…))`, then rotate).
        let q = self
            .q_norm
            .forward(&qkv.narrow(-1, 0, h * d).view([b, n, h, d]));
        let k = self
            .k_norm
            .forward(&qkv.narrow(-1, h * d, kv * d).view([b, n, kv, d]));
        let q = rope.apply(&q, start).transpose(1, 2);
        let k = rope.apply(&k, start).transpose(1, 2);
        let v = qkv
            .narrow(-1, (h + kv) * d, kv * d)
            .view([b, n, kv, d])
            .transpose(1, 2);
        let (k, v) = cache.write(layer, start, &k, &v);
        let mask = self.mask(start, n, x.device());
        // The scale is `query_pre_attn_scalar^-½` (256 for 270M, which equals head_dim there
        // but not for every size), given explicitly rather than SDPA's 1/√head_dim.
        let y = Tensor::scaled_dot_product_attention(
            &q,
            &k,
            &v,
            mask,
            0.0,
            false,
            Some(self.scale),
            true,
        );
        self.o.forward(&y.transpose(1, 2).reshape([b, n, h * d]))
    }

    /// Which keys each query sees (`None`: all of them). As in `llama.rs`, SDPA's own causal
    /// mask is aligned top-left and wrong once a cache precedes the queries, so build the
    /// bottom-right-aligned one: query i (at position start + i) sees keys j ≤ start + i, and a
    /// local layer only those with start + i − j < window.
    fn mask(&self, start: usize, n: i64, device: Device) -> Option<Tensor> {
        let total = start as i64 + n;
        let windowed = self.window.filter(|&w| total > w as i64);
        if n == 1 && windowed.is_none() {
            return None;
        }
        let ones = Tensor::ones([n, total], (Kind::Bool, device));
        let causal = ones.tril(start as i64);
        Some(match windowed {
            Some(w) => causal.logical_and(&ones.triu(start as i64 - w as i64 + 1)),
            None => causal,
        })
    }
}

impl Attention {
    /// The attention probabilities [heads, pos + 1] of the query at `pos` for the layer input
    /// `x` [1, 1, hidden] (already normed), over the keys the cache holds for `layer`; a local
    /// layer gives zero to the keys outside its window.
    fn weights_at(
        &self,
        x: &Tensor,
        pos: usize,
        layer: usize,
        cache: &KvCache,
        rope: &Rope,
    ) -> Tensor {
        let (h, d) = (self.heads, self.head_dim);
        let qkv = self.qkv.forward(x);
        let q = self
            .q_norm
            .forward(&qkv.narrow(-1, 0, h * d).view([1, 1, h, d]));
        let q = rope.apply(&q, pos).view([h, d]);
        let k = cache.keys(layer, pos + 1).squeeze_dim(0);
        let first_visible = self.window.map_or(0, |w| (pos + 1).saturating_sub(w));
        inside::attention_weights(&q, &k, self.scale, first_visible)
    }
}

/// GELU(tanh)-gated feed-forward: down(gelu_tanh(gate(x)) · up(x)), gate and up fused.
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
        // `gelu_pytorch_tanh` (HF `hidden_activation`), not the exact erf GELU.
        self.down.forward(&(gate.gelu("tanh") * up))
    }
}

/// One block: each half is norm → op → norm, then the residual add (four norms in all).
pub struct Block {
    attn_norm: RmsNorm,
    attn: Attention,
    post_attn_norm: RmsNorm,
    pre_ffn_norm: RmsNorm,
    mlp: Mlp,
    post_ffn_norm: RmsNorm,
}

impl Block {
    fn load(
        ck: &Checkpoint,
        i: usize,
        cfg: &Gemma3Config,
        opts: &LoadOptions,
    ) -> Result<Self, ModelError> {
        let base = &cfg.base;
        Ok(Self {
            attn_norm: RmsNorm::load(ck, Weight::AttnNorm(i), base, opts)?,
            attn: Attention::load(ck, i, cfg, opts)?,
            post_attn_norm: RmsNorm::load(ck, Weight::PostAttnNorm(i), base, opts)?,
            pre_ffn_norm: RmsNorm::load(ck, Weight::PreFfnNorm(i), base, opts)?,
            mlp: Mlp::load(ck, i, base, opts)?,
            post_ffn_norm: RmsNorm::load(ck, Weight::PostFfnNorm(i), base, opts)?,
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
        let a = self
            .attn
            .forward(&self.attn_norm.forward(x), start, layer, cache, rope);
        let x = x + self.post_attn_norm.forward(&a);
        let m = self.mlp.forward(&self.pre_ffn_norm.forward(&x));
        &x + self.post_ffn_norm.forward(&m)
    }
}

/// The whole decoder.
pub struct Gemma3 {
    pub cfg: Gemma3Config,
    embedding: Embedding,
    /// The LM head is the embedding matrix (Gemma ties them).
    tied: bool,
    /// √hidden, rounded to the activation dtype as HF does (`embed_scale.to(dtype)`).
    embed_scale: f64,
    blocks: Vec<Block>,
    norm: RmsNorm,
    lm_head: Linear,
    local_rope: Rope,
    global_rope: Rope,
    opts: LoadOptions,
}

impl Gemma3 {
    /// Builds the model; `progress` hears about each step.
    pub fn load(
        ck: &Checkpoint,
        cfg: Gemma3Config,
        opts: &LoadOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Self, ModelError> {
        let _guard = tch::no_grad_guard();
        progress(Progress::new(0.0, LoadStep::Embeddings));
        let base = cfg.base.clone().with_vocab_from(ck)?;
        let cfg = Gemma3Config { base, ..cfg };
        let layers = cfg.base.layers;
        let mut blocks = Vec::with_capacity(layers);
        for i in 0..layers {
            progress(Progress::new(
                0.1 + 0.8 * i as f32 / layers as f32,
                LoadStep::Layers,
            ));
            blocks.push(Block::load(ck, i, &cfg, opts)?);
        }
        progress(Progress::new(0.9, LoadStep::Output));
        let norm = RmsNorm::load(ck, Weight::OutputNorm, &cfg.base, opts)?;
        let Head {
            lm_head,
            embedding,
            tied,
        } = Head::load(ck, opts)?;
        let local = Config {
            rope_theta: cfg.local_rope_theta,
            ..cfg.base.clone()
        };
        let embed_scale = match opts.kind {
            Kind::BFloat16 => f64::from(half::bf16::from_f64((cfg.base.hidden as f64).sqrt())),
            _ => f64::from((cfg.base.hidden as f64).sqrt() as f32),
        };
        Ok(Self {
            local_rope: Rope::new(&local, None, opts.device, opts.kind),
            global_rope: Rope::new(&cfg.base, None, opts.device, opts.kind),
            embedding,
            tied,
            embed_scale,
            blocks,
            norm,
            lm_head,
            cfg,
            opts: *opts,
        })
    }
}

impl CausalLm for Gemma3 {
    fn dims(&self) -> Dims {
        Dims {
            vocab: self.cfg.base.vocab,
            context_length: self.cfg.base.context_length,
        }
    }

    fn new_cache(&self) -> KvCache {
        let c = &self.cfg.base;
        KvCache::new(
            c.layers,
            c.kv_heads,
            c.head_dim,
            c.context_length,
            self.opts.kind,
            self.opts.device,
        )
    }

    /// The raw table rows (the forward pass multiplies them by √hidden).
    fn embedding_rows(&self, ids: &[u32]) -> Option<TokenRows> {
        let _guard = tch::no_grad_guard();
        Some(TokenRows {
            rows: self.embedding.forward(ids, self.opts.device),
            tied: self.tied,
        })
    }

    fn embedding_scale(&self) -> Option<f64> {
        Some(self.embed_scale)
    }

    fn tied_dots(&self, x: &[f32]) -> Option<Result<Tensor, ModelError>> {
        if !self.tied {
            return None;
        }
        Some(Ok(inside::tied_dots(&self.lm_head, &self.opts, x)))
    }

    fn forward(&self, ids: &[u32], cache: &mut KvCache) -> Result<Tensor, ModelError> {
        let _guard = tch::no_grad_guard();
        let x = self.residual(ids, cache, &mut |_| ())?;
        let logits = self.lm_head.forward(&self.norm.forward(&x)).squeeze_dim(0);
        Ok(logits.to_kind(Kind::Float).to_device(Device::Cpu))
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

impl Gemma3 {
    fn attention_rows(&self, ids: &[u32]) -> Result<Tensor, ModelError> {
        let mut cache = self.new_cache();
        self.attention_from(ids, &mut cache)
    }

    /// The attention of the last of `ids`, run after the positions already in `cache`.
    fn attention_from(&self, ids: &[u32], cache: &mut KvCache) -> Result<Tensor, ModelError> {
        let _guard = tch::no_grad_guard();
        let embedded =
            self.embedding.forward(ids, self.opts.device).unsqueeze(0) * self.embed_scale;
        let pos = cache.len() + ids.len().saturating_sub(1);
        inside::attention(
            ids,
            embedded,
            cache,
            |ids, cache, each| self.residual(ids, cache, each),
            |i, x, cache| {
                let b = &self.blocks[i];
                let rope = match self.cfg.is_global(i) {
                    true => &self.global_rope,
                    false => &self.local_rope,
                };
                let x = b.attn_norm.forward(&x.unsqueeze(0));
                b.attn.weights_at(&x, pos, i, cache, rope)
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
        let context = self.cfg.base.context_length;
        if end > context {
            return Err(ModelError::ContextFull {
                needed: end,
                context,
            });
        }
        // Scaled embeddings: without the √hidden factor every later norm sees a tiny input.
        let mut x = self.embedding.forward(ids, self.opts.device).unsqueeze(0) * self.embed_scale;
        cache.reserve(end);
        for (i, block) in self.blocks.iter().enumerate() {
            let rope = if self.cfg.is_global(i) {
                &self.global_rope
            } else {
                &self.local_rope
            };
            x = block.forward(&x, start, i, cache, rope);
            each(&x);
        }
        cache.set_len(end);
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attention(window: Option<usize>) -> Attention {
        let t = || Tensor::zeros([1], (Kind::Float, Device::Cpu));
        let dense = || {
            Linear::Dense(crate::model::linear::Dense {
                w_t: t(),
                bias: None,
            })
        };
        let norm = || RmsNorm {
            scale: t(),
            eps: 1e-6,
        };
        Attention {
            qkv: dense(),
            o: dense(),
            q_norm: norm(),
            k_norm: norm(),
            heads: 1,
            kv_heads: 1,
            head_dim: 2,
            scale: 1.0,
            window,
        }
    }

    fn rows(m: &Tensor) -> Vec<Vec<bool>> {
        let (n, k) = m.size2().unwrap();
        (0..n)
            .map(|i| (0..k).map(|j| m.int64_value(&[i, j]) != 0).collect())
            .collect()
    }

    #[test]
    fn sliding_window_hides_keys_window_or_more_back() {
        // Window 2, 3 queries after 2 cached keys: query at position p sees p-1 and p.
        let m = attention(Some(2)).mask(2, 3, Device::Cpu).unwrap();
        let t = true;
        let f = false;
        assert_eq!(
            rows(&m),
            vec![
                vec![f, t, t, f, f],
                vec![f, f, t, t, f],
                vec![f, f, f, t, t]
            ]
        );
        // A global layer sees everything before it.
        let g = attention(None).mask(2, 2, Device::Cpu).unwrap();
        assert_eq!(rows(&g), vec![vec![t, t, t, f], vec![t, t, t, t]]);
        // One query: no mask unless the window cuts.
        assert!(attention(None).mask(9, 1, Device::Cpu).is_none());
        assert!(attention(Some(20)).mask(9, 1, Device::Cpu).is_none());
        let d = attention(Some(4)).mask(9, 1, Device::Cpu).unwrap();
        assert_eq!(rows(&d)[0].iter().filter(|&&b| b).count(), 4);
    }

    #[test]
    fn hf_layer_types_become_a_pattern_and_odd_ones_are_refused() {
        let v = |j: &str| serde_json::from_str::<serde_json::Value>(j).unwrap();
        let s = r#""sliding_attention""#;
        let f = r#""full_attention""#;
        let types = |t: &[&str]| v(&format!(r#"{{"layer_types":[{}]}}"#, t.join(",")));
        assert_eq!(layer_pattern(&types(&[s, s, f, s, s, f]), 6), Ok(3));
        assert_eq!(layer_pattern(&types(&[s, s, s]), 3), Ok(4), "all local");
        assert!(layer_pattern(&types(&[s, f, f]), 3).is_err());
        assert!(layer_pattern(&types(&[s, f]), 3).is_err(), "wrong length");
        assert_eq!(
            layer_pattern(&v(r#"{"sliding_window_pattern":2}"#), 4),
            Ok(2)
        );
        assert_eq!(layer_pattern(&v("{}"), 18), Ok(6));
    }

    #[test]
    fn hf_soft_capping_and_rope_scaling_are_refused_by_name() {
        let base = Config::from_hf_json(
            r#"{"model_type":"gemma3_text","hidden_size":64,"num_hidden_layers":2,
                "num_attention_heads":4,"intermediate_size":128,"vocab_size":300}"#,
        )
        .unwrap();
        for (extra, word) in [
            (
                r#""final_logit_softcapping":30.0"#,
                "final_logit_softcapping",
            ),
            (
                r#""rope_parameters":{"full_attention":{"rope_type":"linear","factor":8.0}}"#,
                "RoPE scaling",
            ),
        ] {
            let text = format!(r#"{{"sliding_window":4,{extra}}}"#);
            let e = Gemma3Config::from_hf_json(&text, base.clone()).unwrap_err();
            assert!(e.to_string().contains(word), "{e}");
        }
    }
}
