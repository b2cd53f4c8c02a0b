//! What an encoder folder can do, read from its `model.safetensors` header alone (no weights
//! loaded): whether it has a masked-LM head (fill-mask) or only the base model (sentence
//! embeddings). The playground decides its views from this before the worker loads the model.
//!
//! Header layout (<https://github.com/huggingface/safetensors#format>): 8 bytes little-endian
//! `N`, then `N` bytes of JSON whose keys are the tensor names.

use std::io::Read;
use std::path::Path;

/// The first tensor of each flavour's masked-LM head, as [`super::layers::MlmHead::load`]
/// looks for it (BERT, RoBERTa, DistilBERT).
const HEAD_PREFIXES: [&str; 3] = [
    "cls.predictions.transform.dense",
    "lm_head.dense",
    "vocab_transform",
];

/// The tensor names in `dir/model.safetensors` (empty when it cannot be read).
pub fn tensor_names(dir: &Path) -> Vec<String> {
    let read = || -> std::io::Result<Vec<String>> {
        let mut f = std::fs::File::open(dir.join("model.safetensors"))?;
        let mut len = [0u8; 8];
        f.read_exact(&mut len)?;
        let n = u64::from_le_bytes(len);
        // A header is a few hundred kilobytes at most; refuse nonsense sizes.
        if n > 100_000_000 {
            return Ok(Vec::new());
        }
        let mut header = vec![0u8; n as usize];
        f.read_exact(&mut header)?;
        let json: serde_json::Value = serde_json::from_slice(&header).unwrap_or_default();
        Ok(json
            .as_object()
            .map(|o| o.keys().filter(|k| *k != "__metadata__").cloned().collect())
            .unwrap_or_default())
    };
    read().unwrap_or_default()
}

/// Whether the encoder in `dir` has a masked-LM head (it fills masks).
pub fn has_mlm_head(dir: &Path) -> bool {
    tensor_names(dir)
        .iter()
        .any(|name| HEAD_PREFIXES.iter().any(|p| name.starts_with(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/encoders")
            .join(name)
    }

    #[test]
    fn the_tiny_fixtures_are_read() {
        for name in ["tiny-bert", "tiny-distilbert", "tiny-roberta"] {
            assert!(!tensor_names(&fixture(name)).is_empty(), "{name}");
        }
        for name in ["tiny-bert", "tiny-distilbert", "tiny-roberta"] {
            assert!(has_mlm_head(&fixture(name)), "{name} is a masked LM");
        }
        assert!(!has_mlm_head(&fixture("no-such-folder")));
    }
}
