//! Where weights come from: a GGUF file or an HF folder of safetensors, behind one name table.

use std::collections::HashMap;
use std::path::Path;

use tch::{Kind, Tensor};

use crate::gguf::GgufFile;
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
            .map_err(|e| ModelError::Io(dir.display().to_string(), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(ModelError::Invalid(format!(
                "{} has no *.safetensors files",
                dir.display()
            )));
        }
        let mut tensors = HashMap::new();
        for f in files {
            let list = Tensor::read_safetensors(&f)
                .map_err(|e| ModelError::Invalid(format!("{}: {e}", f.display())))?;
            tensors.extend(list);
        }
        Ok(Checkpoint::Safetensors(tensors))
    }

    fn name(&self, w: Weight) -> String {
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
                let values = g.dequantize(&name)?;
                Ok(Tensor::from_slice(&values).view(shape.as_slice()))
            }
            Checkpoint::Safetensors(t) => t
                .get(&name)
                .map(|t| t.to_kind(Kind::Float))
                .ok_or(ModelError::MissingTensor(name)),
        }
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
