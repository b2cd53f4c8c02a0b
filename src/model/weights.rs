//! Where weights come from: a GGUF file or an HF folder of safetensors, behind one name table.

use std::collections::HashMap;
use std::path::Path;

use tch::{Kind, Tensor};

use crate::gguf::{GgufError, GgufFile, dequantize_into};
use crate::model::ModelError;

/// Every tensor the Llama-family decoder reads, named once for both checkpoint formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    TokenEmbd,
    OutputNorm,
    Output,
    /// Llama 3.1 RoPE frequency divisors (GGUF only).
    RopeFreqs,
    AttnNorm(usize),
    AttnQ(usize),
    AttnK(usize),
    AttnV(usize),
    AttnQBias(usize),
    AttnKBias(usize),
    AttnVBias(usize),
    AttnOutput(usize),
    FfnNorm(usize),
    FfnGate(usize),
    FfnUp(usize),
    FfnDown(usize),
    /// Gemma 3: RMSNorm of each query head.
    AttnQNorm(usize),
    /// Gemma 3: RMSNorm of each key head.
    AttnKNorm(usize),
    /// Gemma 3: RMSNorm of the attention output, before the residual add.
    PostAttnNorm(usize),
    /// Gemma 3: RMSNorm before the MLP (Llama's `FfnNorm` has the same GGUF name, but HF
    /// calls Llama's `post_attention_layernorm`).
    PreFfnNorm(usize),
    /// Gemma 3: RMSNorm of the MLP output, before the residual add.
    PostFfnNorm(usize),
}

impl Weight {
    /// The name in a GGUF file (llama.cpp's `LLM_TENSOR_NAMES`).
    pub fn gguf_name(self) -> String {
        use Weight::*;
        match self {
            TokenEmbd => "token_embd.weight".into(),
            OutputNorm => "output_norm.weight".into(),
            Output => "output.weight".into(),
            RopeFreqs => "rope_freqs.weight".into(),
            AttnNorm(i) => format!("blk.{i}.attn_norm.weight"),
            AttnQ(i) => format!("blk.{i}.attn_q.weight"),
            AttnK(i) => format!("blk.{i}.attn_k.weight"),
            AttnV(i) => format!("blk.{i}.attn_v.weight"),
            AttnQBias(i) => format!("blk.{i}.attn_q.bias"),
            AttnKBias(i) => format!("blk.{i}.attn_k.bias"),
            AttnVBias(i) => format!("blk.{i}.attn_v.bias"),
            AttnOutput(i) => format!("blk.{i}.attn_output.weight"),
            FfnNorm(i) => format!("blk.{i}.ffn_norm.weight"),
            FfnGate(i) => format!("blk.{i}.ffn_gate.weight"),
            FfnUp(i) => format!("blk.{i}.ffn_up.weight"),
            FfnDown(i) => format!("blk.{i}.ffn_down.weight"),
            AttnQNorm(i) => format!("blk.{i}.attn_q_norm.weight"),
            AttnKNorm(i) => format!("blk.{i}.attn_k_norm.weight"),
            PostAttnNorm(i) => format!("blk.{i}.post_attention_norm.weight"),
            PreFfnNorm(i) => format!("blk.{i}.ffn_norm.weight"),
            PostFfnNorm(i) => format!("blk.{i}.post_ffw_norm.weight"),
        }
    }

    /// The name in a transformers state dict.
    pub fn hf_name(self) -> String {
        use Weight::*;
        let l = |i: usize, rest: &str| format!("model.layers.{i}.{rest}");
        match self {
            TokenEmbd => "model.embed_tokens.weight".into(),
            OutputNorm => "model.norm.weight".into(),
            Output => "lm_head.weight".into(),
            RopeFreqs => "rope_freqs.weight".into(),
            AttnNorm(i) => l(i, "input_layernorm.weight"),
            AttnQ(i) => l(i, "self_attn.q_proj.weight"),
            AttnK(i) => l(i, "self_attn.k_proj.weight"),
            AttnV(i) => l(i, "self_attn.v_proj.weight"),
            AttnQBias(i) => l(i, "self_attn.q_proj.bias"),
            AttnKBias(i) => l(i, "self_attn.k_proj.bias"),
            AttnVBias(i) => l(i, "self_attn.v_proj.bias"),
            AttnOutput(i) => l(i, "self_attn.o_proj.weight"),
            FfnNorm(i) => l(i, "post_attention_layernorm.weight"),
            FfnGate(i) => l(i, "mlp.gate_proj.weight"),
            FfnUp(i) => l(i, "mlp.up_proj.weight"),
            FfnDown(i) => l(i, "mlp.down_proj.weight"),
            AttnQNorm(i) => l(i, "self_attn.q_norm.weight"),
            AttnKNorm(i) => l(i, "self_attn.k_norm.weight"),
            PostAttnNorm(i) => l(i, "post_attention_layernorm.weight"),
            PreFfnNorm(i) => l(i, "pre_feedforward_layernorm.weight"),
            PostFfnNorm(i) => l(i, "post_feedforward_layernorm.weight"),
        }
    }
}

/// An opened checkpoint.
pub enum Checkpoint {
    Gguf(GgufFile),
    /// All tensors of an HF folder (every shard), as loaded by libtorch.
    Safetensors(HashMap<String, Tensor>),
}

impl Checkpoint {
    /// Loads every `*.safetensors` file of an HF folder.
    pub fn open_safetensors_dir(dir: &Path) -> Result<Self, ModelError> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|source| ModelError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(ModelError::NoWeights(dir.to_path_buf()));
        }
        let mut tensors = HashMap::new();
        for f in files {
            let list = Tensor::read_safetensors(&f).map_err(|e| ModelError::Config {
                file: f.display().to_string(),
                detail: crate::model::one_line(&e.to_string()),
            })?;
            tensors.extend(list);
        }
        Ok(Checkpoint::Safetensors(tensors))
    }

    /// The shape of `w` in torch order, if the checkpoint has it.
    pub fn shape(&self, w: Weight) -> Option<Vec<usize>> {
        let name = self.name(w);
        match self {
            Checkpoint::Gguf(g) => g.tensor(&name).map(|t| t.shape.clone()),
            Checkpoint::Safetensors(t) => t
                .get(&name)
                .map(|t| t.size().iter().map(|&d| d as usize).collect()),
        }
    }

    /// The name of `w` in this checkpoint's format.
    pub fn name(&self, w: Weight) -> String {
        match self {
            Checkpoint::Gguf(_) => w.gguf_name(),
            Checkpoint::Safetensors(_) => w.hf_name(),
        }
    }

    /// Whether the checkpoint holds `w`.
    pub fn has(&self, w: Weight) -> bool {
        let name = self.name(w);
        match self {
            Checkpoint::Gguf(g) => g.tensor(&name).is_some(),
            Checkpoint::Safetensors(t) => t.contains_key(&name),
        }
    }

    /// `w` as an f32 CPU tensor in torch shape order (`[out, in]` for matrices), de-quantized.
    pub fn load(&self, w: Weight) -> Result<Tensor, ModelError> {
        let name = self.name(w);
        match self {
            Checkpoint::Gguf(g) => {
                let info = g
                    .tensor(&name)
                    .ok_or(ModelError::MissingTensor(name.clone()))?;
                let shape: Vec<i64> = info.shape.iter().map(|&d| d as i64).collect();
                let mut t = Tensor::zeros(shape.as_slice(), (Kind::Float, tch::Device::Cpu));
                dequantize_into(info.ggml_type, g.tensor_data(info), f32_slice_mut(&mut t))
                    .map_err(|e| naming(e, &name))?;
                g.release_pages(info);
                Ok(t)
            }
            Checkpoint::Safetensors(t) => t
                .get(&name)
                .map(|t| t.to_kind(Kind::Float))
                .ok_or(ModelError::MissingTensor(name)),
        }
    }

    /// `w` transposed, as an f32 CPU tensor [in, out], written straight into its final layout
    /// (no [out, in] copy is ever held: for a 49152×576 tied embedding that saves 113 MB of
    /// peak memory at load).
    pub fn load_transposed(&self, w: Weight) -> Result<Tensor, ModelError> {
        let Checkpoint::Gguf(g) = self else {
            return Ok(self.load(w)?.transpose(0, 1).contiguous());
        };
        let name = self.name(w);
        let info = g
            .tensor(&name)
            .ok_or(ModelError::MissingTensor(name.clone()))?;
        let [rows, cols] = info.shape[..] else {
            return Err(ModelError::BadShape {
                tensor: name,
                shape: info.shape.clone(),
                expected: "a matrix was expected".into(),
            });
        };
        let data = g.tensor_data(info);
        let row_bytes = data.len() / rows.max(1);
        let mut t = Tensor::zeros([cols as i64, rows as i64], (Kind::Float, tch::Device::Cpu));
        let out = f32_slice_mut(&mut t);
        // 64 rows at a time, so every write below is a run of 64 contiguous floats.
        const CHUNK: usize = 64;
        let mut buf = vec![0f32; CHUNK * cols];
        for r0 in (0..rows).step_by(CHUNK) {
            let n = CHUNK.min(rows - r0);
            for i in 0..n {
                let bytes = &data[(r0 + i) * row_bytes..(r0 + i + 1) * row_bytes];
                dequantize_into(info.ggml_type, bytes, &mut buf[i * cols..(i + 1) * cols])
                    .map_err(|e| naming(e, &name))?;
            }
            for c in 0..cols {
                let dst = &mut out[c * rows + r0..c * rows + r0 + n];
                for (i, d) in dst.iter_mut().enumerate() {
                    *d = buf[i * cols + c];
                }
            }
        }
        g.release_pages(info);
        Ok(t)
    }

    /// Like [`Self::load`], `None` when absent.
    pub fn load_optional(&self, w: Weight) -> Result<Option<Tensor>, ModelError> {
        if self.has(w) {
            self.load(w).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The elements of a freshly allocated, contiguous f32 CPU tensor, to fill in place (no
/// intermediate `Vec` and copy).
fn f32_slice_mut(t: &mut Tensor) -> &mut [f32] {
    crate::model::slices::f32s_mut(t).expect("a fresh contiguous float32 CPU tensor")
}

/// `dequantize_into` does not know which tensor it converts: put the name into its error.
fn naming(e: GgufError, tensor: &str) -> GgufError {
    match e {
        GgufError::UnsupportedType { type_name, .. } => GgufError::UnsupportedType {
            tensor: tensor.to_string(),
            type_name,
        },
        e => e,
    }
}
