//! How a sentence-transformers folder turns token vectors into one sentence vector:
//! `1_Pooling/config.json` (mean over the tokens, the `[CLS]` vector, or the max) and, when
//! `modules.json` lists a `Normalize` module, L2 normalisation. A folder without a pooling
//! config gets mean pooling + normalisation, the common sentence-embedding recipe, and says so
//! ([`Pooling::from_config`] is false).

use std::path::Path;

use tch::{Kind, Tensor};

/// How token vectors are pooled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolMode {
    /// The average over every token (special tokens included, as sentence-transformers does).
    Mean,
    /// The first token's vector (`[CLS]` / `<s>`).
    Cls,
    /// The element-wise maximum over the tokens.
    Max,
}

/// The folder's pooling recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pooling {
    pub mode: PoolMode,
    pub normalize: bool,
    /// Read from `1_Pooling/config.json` (false: the default recipe).
    pub from_config: bool,
}

impl Pooling {
    pub fn read(dir: &Path) -> Self {
        let json = |p: &Path| -> Option<serde_json::Value> {
            serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()
        };
        let Some(cfg) = json(&dir.join("1_Pooling/config.json")) else {
            return Self {
                mode: PoolMode::Mean,
                normalize: true,
                from_config: false,
            };
        };
        let on = |k: &str| cfg.get(k).and_then(serde_json::Value::as_bool) == Some(true);
        let mode = if on("pooling_mode_cls_token") {
            PoolMode::Cls
        } else if on("pooling_mode_max_tokens") {
            PoolMode::Max
        } else {
            PoolMode::Mean
        };
        let normalize = json(&dir.join("modules.json"))
            .and_then(|m| {
                m.as_array().map(|a| {
                    a.iter().any(|x| {
                        x.get("type")
                            .and_then(serde_json::Value::as_str)
                            .is_some_and(|t| t.ends_with("Normalize"))
                    })
                })
            })
            .unwrap_or(false);
        Self {
            mode,
            normalize,
            from_config: true,
        }
    }

    /// `[1, n, hidden]` token vectors → one `[hidden]` sentence vector.
    pub fn pool(&self, hidden: &Tensor) -> Tensor {
        let h = hidden.squeeze_dim(0);
        let v = match self.mode {
            PoolMode::Mean => h.mean_dim(0, false, Kind::Float),
            PoolMode::Cls => h.get(0),
            PoolMode::Max => h.amax(0, false),
        };
        if self.normalize { normalize(&v) } else { v }
    }
}

/// `v / max(‖v‖, 1e-12)`, as `torch.nn.functional.normalize`.
pub fn normalize(v: &Tensor) -> Tensor {
    let norm = v.norm().clamp_min(1e-12);
    v / norm
}
