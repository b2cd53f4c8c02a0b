//! Marian's `type: transformer` with an SSRU decoder (`transformer-decoder-autoreg: rnn`,
//! `dec-cell: ssru`): the Bergamot "tiny" translation models. Read from a Marian binary model
//! (`crate::marian::binary`); tensor names as `marian/src/models/transformer.h` makes them.
//!
//! The conventions that bite:
//! - **Post-norm** (`transformer-postprocess: dan`): each sublayer's output is added to its input
//!   and *then* layer-normalised (eps 1e-6, biased variance); no final encoder norm.
//! - **Positions** are sinusoidal, the sines in the first half of the vector and the cosines in
//!   the second (not interleaved), with tensor2tensor's timescales `exp(−i·ln 10⁴/(d/2 − 1))`
//!   (not the paper's `10⁴^(−2i/d)`); embeddings are scaled by `sqrt(d)` first.
//! - **Step 0's decoder input is a zero vector**, not a start token (Marian's
//!   `embeddingsFromPrediction` with no words); step `t`'s is the embedding of target token
//!   `t − 1`, at position `t`.
//! - **SSRU** (`rnn/cells.h`): `f = σ(x·Wf + bf)`, `c = f ⊙ c₋₁ + (1 − f) ⊙ (x·W)`, output
//!   `relu(c)`; then the usual residual + norm (`*_rnn_ffn_ln_*`).
//! - **Tied embeddings** (`tied-embeddings-all`): `Wemb` is the source and target embedding and,
//!   transposed, the output layer (with its own bias `decoder_ff_logit_out_b`).

use std::collections::HashSet;
use std::path::Path;

use tch::{Device, Kind, Tensor};

use crate::marian::{Layout, MarianError, MarianFile};
use crate::model::ModelError;
use crate::model::seq2seq::{DecoderCache, Encoded, Seq2SeqDims, Seq2SeqLm, StepOutput};

/// Marian's layer-norm epsilon in `transformer.h`.
const LN_EPS: f64 = 1e-6;
/// Sources longer than this are refused (Bergamot splits input at 128 tokens; sinusoidal
/// positions have no hard limit, so this is tokenscope's choice).
pub const MAX_SOURCE: usize = 256;

/// The options of `special:model.yml` this implementation depends on, as written there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarianConfig {
    pub dim_emb: usize,
    pub heads: usize,
    pub dim_ffn: usize,
    pub enc_depth: usize,
    pub dec_depth: usize,
    pub vocab: usize,
}

impl MarianConfig {
    /// Reads `model.yml` (flat `key: value` lines plus a `dim-vocabs` list) and refuses the
    /// variants this file does not implement.
    pub fn from_yml(yml: &str) -> Result<MarianConfig, ModelError> {
        let mut map = std::collections::HashMap::new();
        let mut vocabs = Vec::new();
        let mut in_vocabs = false;
        for line in yml.lines() {
            if let Some(v) = line.trim().strip_prefix("- ")
                && in_vocabs
            {
                vocabs.push(v.trim().to_string());
                continue;
            }
            in_vocabs = false;
            if let Some((k, v)) = line.split_once(':') {
                let (k, v) = (k.trim(), v.trim().trim_matches('"'));
                in_vocabs = k == "dim-vocabs" && v.is_empty();
                map.insert(k.to_string(), v.to_string());
            }
        }
        let bad = |detail: String| ModelError::Config {
            file: "special:model.yml".into(),
            detail,
        };
        let get = |k: &str| map.get(k).map(String::as_str).unwrap_or("");
        for (key, want) in [
            ("type", "transformer"),
            ("transformer-decoder-autoreg", "rnn"),
            ("dec-cell", "ssru"),
            ("transformer-postprocess", "dan"),
            ("transformer-preprocess", ""),
            ("transformer-postprocess-emb", "d"),
            ("transformer-ffn-activation", "relu"),
            ("transformer-ffn-depth", "2"),
            ("tied-embeddings-all", "true"),
            ("transformer-train-position-embeddings", "false"),
            ("layer-normalization", "false"),
        ] {
            if get(key) != want {
                return Err(bad(format!(
                    "{key} is `{}`, tokenscope runs `{want}`",
                    get(key)
                )));
            }
        }
        let num = |k: &str| {
            get(k)
                .parse::<usize>()
                .map_err(|_| bad(format!("{k} is `{}`, not a number", get(k))))
        };
        let vocab = vocabs
            .first()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| bad("dim-vocabs is missing".into()))?;
        if vocabs
            .iter()
            .any(|v| v.parse::<usize>().ok() != Some(vocab))
        {
            return Err(bad("the source and target vocabularies differ".into()));
        }
        let cfg = MarianConfig {
            dim_emb: num("dim-emb")?,
            heads: num("transformer-heads")?,
            dim_ffn: num("transformer-dim-ffn")?,
            enc_depth: num("enc-depth")?,
            dec_depth: num("dec-depth")?,
            vocab,
        };
        if cfg.heads == 0
            || !cfg.dim_emb.is_multiple_of(cfg.heads)
            || !cfg.dim_emb.is_multiple_of(2)
        {
            return Err(bad(format!(
                "dim-emb {} does not split into {} heads",
                cfg.dim_emb, cfg.heads
            )));
        }
        Ok(cfg)
    }
}

/// Reads tensors by name, remembering which were used (the rest must be known extras).
struct Loader<'a> {
    file: &'a MarianFile,
    device: Device,
    used: HashSet<String>,
}

impl Loader<'_> {
    fn tensor(&mut self, name: &str, shape: &[usize]) -> Result<Tensor, ModelError> {
        self.tensor_in(name, shape, Layout::Transposed)
    }

    fn tensor_in(
        &mut self,
        name: &str,
        shape: &[usize],
        layout: Layout,
    ) -> Result<Tensor, ModelError> {
        let v = self
            .file
            .f32_tensor(name, shape, layout)
            .map_err(ModelError::Marian)?;
        self.used.insert(name.to_string());
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        Ok(Tensor::from_slice(&v).view(dims.as_slice()).to(self.device))
    }

    /// A `[1, n]` bias or norm parameter as a `[n]` vector.
    fn vector(&mut self, name: &str, n: usize) -> Result<Tensor, ModelError> {
        Ok(self.tensor(name, &[1, n])?.view([n as i64]))
    }

    /// Items nothing read: activation multipliers (`*_QuantMultA`, unused in float32) and
    /// `special:*` are expected; anything else means weights would be ignored.
    fn unknown(&self) -> Vec<String> {
        self.file
            .items
            .iter()
            .map(|i| i.name.clone())
            .filter(|n| {
                !self.used.contains(n) && !n.ends_with("_QuantMultA") && !n.starts_with("special:")
            })
            .collect()
    }
}

/// `x·W + b` with `W` stored `[in, out]` as Marian does.
struct Linear {
    w: Tensor,
    b: Option<Tensor>,
}

impl Linear {
    fn load(
        l: &mut Loader,
        w: &str,
        b: Option<&str>,
        din: usize,
        dout: usize,
    ) -> Result<Self, ModelError> {
        Ok(Linear {
            w: l.tensor(w, &[din, dout])?,
            b: match b {
                Some(b) => Some(l.vector(b, dout)?),
                None => None,
            },
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let y = x.matmul(&self.w);
        match &self.b {
            Some(b) => y + b,
            None => y,
        }
    }
}

/// `prefix_ln_scale` / `prefix_ln_bias`.
struct LayerNorm {
    scale: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    fn load(l: &mut Loader, prefix: &str, d: usize) -> Result<Self, ModelError> {
        Ok(LayerNorm {
            scale: l.vector(&format!("{prefix}_ln_scale"), d)?,
            bias: l.vector(&format!("{prefix}_ln_bias"), d)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let d = x.size()[x.dim() - 1];
        x.layer_norm([d], Some(&self.scale), Some(&self.bias), LN_EPS, false)
    }
}

/// Multi-head attention `prefix_{Wq,bq,Wk,bk,Wv,bv,Wo,bo}`, its post-norm `prefix_Wo_ln_*`.
struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    norm: LayerNorm,
    heads: i64,
}

impl Attention {
    fn load(l: &mut Loader, prefix: &str, cfg: &MarianConfig) -> Result<Self, ModelError> {
        let d = cfg.dim_emb;
        let lin = |l: &mut Loader, m: &str| {
            Linear::load(
                l,
                &format!("{prefix}_W{m}"),
                Some(&format!("{prefix}_b{m}")),
                d,
                d,
            )
        };
        Ok(Attention {
            q: lin(l, "q")?,
            k: lin(l, "k")?,
            v: lin(l, "v")?,
            o: lin(l, "o")?,
            norm: LayerNorm::load(l, &format!("{prefix}_Wo"), d)?,
            heads: cfg.heads as i64,
        })
    }

    /// `[1, t, d]` → `[1, heads, t, d_head]`.
    fn split(&self, x: &Tensor) -> Tensor {
        let (b, t, d) = x.size3().expect("[1, t, d]");
        x.view([b, t, self.heads, d / self.heads]).transpose(1, 2)
    }

    fn keys_values(&self, memory: &Tensor) -> (Tensor, Tensor) {
        (
            self.split(&self.k.forward(memory)),
            self.split(&self.v.forward(memory)),
        )
    }

    /// Attends from `x` over `(k, v)` (no mask: one sentence, every source token visible),
    /// adds the residual and normalises; also returns the attention weights `[1, h, t, s]`.
    fn forward(&self, x: &Tensor, k: &Tensor, v: &Tensor) -> (Tensor, Tensor) {
        let (b, t, d) = x.size3().expect("[1, t, d]");
        let q = self.split(&self.q.forward(x));
        let scale = 1.0 / ((d / self.heads) as f64).sqrt();
        let weights = (q.matmul(&k.transpose(-2, -1)) * scale).softmax(-1, Kind::Float);
        let ctx = weights
            .matmul(v)
            .transpose(1, 2)
            .contiguous()
            .view([b, t, d]);
        (self.norm.forward(&(self.o.forward(&ctx) + x)), weights)
    }
}

/// `prefix_{W1,b1,W2,b2}` with ReLU, post-norm `prefix_ffn_ln_*`.
struct Ffn {
    w1: Linear,
    w2: Linear,
    norm: LayerNorm,
}

impl Ffn {
    fn load(l: &mut Loader, prefix: &str, cfg: &MarianConfig) -> Result<Self, ModelError> {
        let (d, f) = (cfg.dim_emb, cfg.dim_ffn);
        Ok(Ffn {
            w1: Linear::load(
                l,
                &format!("{prefix}_W1"),
                Some(&format!("{prefix}_b1")),
                d,
                f,
            )?,
            w2: Linear::load(
                l,
                &format!("{prefix}_W2"),
                Some(&format!("{prefix}_b2")),
                f,
                d,
            )?,
            norm: LayerNorm::load(l, &format!("{prefix}_ffn"), d)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        self.norm
            .forward(&(self.w2.forward(&self.w1.forward(x).relu()) + x))
    }
}

/// `encoder_lN_self_*` then `encoder_lN_ffn_*`.
struct EncoderLayer {
    attention: Attention,
    ffn: Ffn,
}

/// The SSRU `prefix_{W, Wf, bf}` (no bias on `W`), post-norm `prefix_ffn_ln_*`.
struct Ssru {
    w: Linear,
    wf: Linear,
    norm: LayerNorm,
}

impl Ssru {
    fn load(l: &mut Loader, prefix: &str, d: usize) -> Result<Self, ModelError> {
        Ok(Ssru {
            w: Linear::load(l, &format!("{prefix}_W"), None, d, d)?,
            wf: Linear::load(
                l,
                &format!("{prefix}_Wf"),
                Some(&format!("{prefix}_bf")),
                d,
                d,
            )?,
            norm: LayerNorm::load(l, &format!("{prefix}_ffn"), d)?,
        })
    }

    /// Runs the recurrence over `x` `[1, t, d]` from `state` (`[1, d]`, zeros at the start);
    /// returns the normalised output and every step's cell state `[t]` × `[1, d]`.
    fn forward(&self, x: &Tensor, state: Option<&Tensor>) -> (Tensor, Vec<Tensor>) {
        let xw = self.w.forward(x);
        let f = self.wf.forward(x).sigmoid();
        let t = x.size()[1];
        let mut c = match state {
            Some(s) => s.shallow_clone(),
            None => Tensor::zeros([1, x.size()[2]], (Kind::Float, x.device())),
        };
        let mut cells = Vec::with_capacity(t as usize);
        for i in 0..t {
            let fi = f.select(1, i);
            c = &fi * &c + (1.0 - &fi) * xw.select(1, i);
            cells.push(c.shallow_clone());
        }
        let h = Tensor::stack(&cells, 1).relu();
        (self.norm.forward(&(h + x)), cells)
    }
}

/// `decoder_lN_rnn_*`, then `decoder_lN_context_*` (cross-attention), then `decoder_lN_ffn_*`.
struct DecoderLayer {
    rnn: Ssru,
    context: Attention,
    ffn: Ffn,
}

/// The whole model.
pub struct Marian {
    cfg: MarianConfig,
    /// `Wemb`, `[vocab, d]`.
    embedding: Tensor,
    /// `Wembᵀ`, `[d, vocab]`, contiguous for the output layer.
    output_w: Tensor,
    output_b: Tensor,
    encoder: Vec<EncoderLayer>,
    decoder: Vec<DecoderLayer>,
    device: Device,
}

impl Marian {
    /// Loads a Marian binary model; every tensor in the file must be used (or be a known
    /// extra), else [`MarianError::UnknownTensors`] names the strays.
    pub fn load(path: &Path, device: Device) -> Result<Marian, ModelError> {
        let file = MarianFile::open(path).map_err(ModelError::Marian)?;
        let yml = file.model_yml().ok_or_else(|| {
            ModelError::Marian(MarianError::MissingTensor {
                path: path.to_path_buf(),
                name: "special:model.yml".into(),
            })
        })?;
        let cfg = MarianConfig::from_yml(&yml)?;
        let mut l = Loader {
            file: &file,
            device,
            used: HashSet::new(),
        };
        let d = cfg.dim_emb;
        // The output layer's GEMM is `x·Wembᵀ`, so intgemm stores `Wemb` untransposed.
        let embedding = l.tensor_in("Wemb", &[cfg.vocab, d], Layout::AsIs)?;
        let output_b = l.vector("decoder_ff_logit_out_b", cfg.vocab)?;
        let encoder = (1..=cfg.enc_depth)
            .map(|n| {
                Ok(EncoderLayer {
                    attention: Attention::load(&mut l, &format!("encoder_l{n}_self"), &cfg)?,
                    ffn: Ffn::load(&mut l, &format!("encoder_l{n}_ffn"), &cfg)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        let decoder = (1..=cfg.dec_depth)
            .map(|n| {
                Ok(DecoderLayer {
                    rnn: Ssru::load(&mut l, &format!("decoder_l{n}_rnn"), d)?,
                    context: Attention::load(&mut l, &format!("decoder_l{n}_context"), &cfg)?,
                    ffn: Ffn::load(&mut l, &format!("decoder_l{n}_ffn"), &cfg)?,
                })
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        let unknown = l.unknown();
        if !unknown.is_empty() {
            return Err(ModelError::Marian(MarianError::UnknownTensors {
                path: path.to_path_buf(),
                names: unknown,
            }));
        }
        let output_w = embedding.transpose(0, 1).contiguous();
        Ok(Marian {
            cfg,
            embedding,
            output_w,
            output_b,
            encoder,
            decoder,
            device,
        })
    }

    pub fn config(&self) -> &MarianConfig {
        &self.cfg
    }

    /// Sinusoidal positions `start .. start + n`, `[n, d]`: sines then cosines, computed in f32
    /// as `inits::sinusoidalPositionEmbeddings` (`graph/node_initializers.cpp`) does.
    fn positions(&self, start: usize, n: usize) -> Tensor {
        let d = self.cfg.dim_emb;
        let half = d / 2;
        // tensor2tensor's timescales: `exp(−i · ln(10000) / (d/2 − 1))`, not `10000^(−2i/d)`.
        let increment = 10000f32.ln() / (half as f32 - 1.0);
        let mut v = vec![0f32; n * d];
        for (row, p) in (start..start + n).enumerate() {
            for i in 0..half {
                let x = p as f32 * (i as f32 * -increment).exp();
                v[row * d + i] = x.sin();
                v[row * d + i + half] = x.cos();
            }
        }
        Tensor::from_slice(&v)
            .view([n as i64, d as i64])
            .to(self.device)
    }

    /// `sqrt(d) · Wemb[ids] + positions`, `[1, n, d]`; `None` ids are Marian's zero start.
    fn embed(&self, ids: &[Option<u32>], start: usize) -> Tensor {
        let d = self.cfg.dim_emb as i64;
        let rows: Vec<Tensor> = ids
            .iter()
            .map(|id| match id {
                Some(id) => self.embedding.get(*id as i64),
                None => Tensor::zeros([d], (Kind::Float, self.device)),
            })
            .collect();
        let e = Tensor::stack(&rows, 0) * (d as f64).sqrt();
        (e + self.positions(start, ids.len())).unsqueeze(0)
    }

    fn check_ids(&self, ids: &[u32]) -> Result<(), ModelError> {
        match ids.iter().find(|&&id| id as usize >= self.cfg.vocab) {
            Some(&id) => Err(ModelError::OutsideVocabulary {
                id,
                vocab: self.cfg.vocab,
            }),
            None => Ok(()),
        }
    }

    /// Runs the decoder layers over `x` `[1, t, d]`, starting from `states` (one per layer,
    /// `None` at the start); returns the logits `[t, vocab]`, each layer's cell states per step
    /// and the last layer's cross-attention `[1, h, t, s]`.
    fn decode(
        &self,
        enc: &Encoded,
        mut x: Tensor,
        states: &[Option<Tensor>],
    ) -> (Tensor, Vec<Vec<Tensor>>, Tensor) {
        let mut cells = Vec::with_capacity(self.decoder.len());
        let mut attention = None;
        for (i, layer) in self.decoder.iter().enumerate() {
            let (y, c) = layer.rnn.forward(&x, states[i].as_ref());
            cells.push(c);
            let (k, v) = &enc.cross[i];
            let (y, w) = layer.context.forward(&y, k, v);
            attention = Some(w);
            x = layer.ffn.forward(&y);
        }
        let logits = x.squeeze_dim(0).matmul(&self.output_w) + &self.output_b;
        (
            logits,
            cells,
            attention.expect("at least one decoder layer"),
        )
    }
}

impl Seq2SeqLm for Marian {
    fn dims(&self) -> Seq2SeqDims {
        Seq2SeqDims {
            vocab: self.cfg.vocab,
            d_model: self.cfg.dim_emb,
            max_source: MAX_SOURCE,
            eos: 0,
            decoder_start: None,
        }
    }

    fn encode(&self, source: &[u32]) -> Result<Encoded, ModelError> {
        self.check_ids(source)?;
        if source.is_empty() || source.len() > MAX_SOURCE {
            return Err(ModelError::ContextFull {
                needed: source.len(),
                context: MAX_SOURCE,
            });
        }
        let ids: Vec<Option<u32>> = source.iter().map(|&i| Some(i)).collect();
        let mut x = self.embed(&ids, 0);
        for layer in &self.encoder {
            let (k, v) = layer.attention.keys_values(&x);
            x = layer.attention.forward(&x, &k, &v).0;
            x = layer.ffn.forward(&x);
        }
        let cross = self
            .decoder
            .iter()
            .map(|l| l.context.keys_values(&x))
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
        if let Some(p) = prev {
            self.check_ids(&[p])?;
        }
        let step = cache.len();
        let x = self.embed(&[prev], step);
        let states: Vec<Option<Tensor>> = (0..self.decoder.len())
            .map(|i| cache.last(i).map(Tensor::shallow_clone))
            .collect();
        let (logits, cells, attention) = self.decode(enc, x, &states);
        cache.push(cells.into_iter().map(|mut c| c.remove(0)).collect());
        let mean = attention
            .mean_dim(1, false, Kind::Float)
            .view([-1])
            .to(Device::Cpu);
        Ok(StepOutput {
            logits: logits.view([-1]).to(Device::Cpu),
            cross_attention: Vec::<f32>::try_from(&mean)?,
        })
    }

    fn decode_full(&self, enc: &Encoded, target: &[u32]) -> Result<Tensor, ModelError> {
        self.check_ids(target)?;
        let ids: Vec<Option<u32>> = std::iter::once(None)
            .chain(target.iter().map(|&t| Some(t)))
            .collect();
        let x = self.embed(&ids, 0);
        let states: Vec<Option<Tensor>> = self.decoder.iter().map(|_| None).collect();
        Ok(self.decode(enc, x, &states).0.to(Device::Cpu))
    }
}
