//! What the decoders share for looking inside: the logit lens (each layer's residual stream at
//! the last position, read through the final norm and the LM head).

use tch::{Device, Kind, Tensor};

use crate::model::{KvCache, ModelError};

/// Runs `ids` through `layers` (which calls its third argument with the residual stream after
/// each layer), keeps the last position of each, and reads all of them through `head` in one
/// product: float32 [layers, vocab] on the CPU.
pub fn lens(
    ids: &[u32],
    cache: &mut KvCache,
    head: impl Fn(&Tensor) -> Tensor,
    layers: impl FnOnce(&[u32], &mut KvCache, &mut dyn FnMut(&Tensor)) -> Result<Tensor, ModelError>,
) -> Result<Tensor, ModelError> {
    let Some(last) = ids.len().checked_sub(1) else {
        return Err(ModelError::EmptySequence);
    };
    let mut rows: Vec<Tensor> = Vec::new();
    let _last_layer = layers(ids, cache, &mut |x| rows.push(x.select(1, last as i64)))?;
    // [layers, hidden] as one batch of rows: the LM head's long-input path, not a matvec each.
    let stacked = Tensor::cat(&rows, 0).unsqueeze(0);
    let logits = head(&stacked).squeeze_dim(0);
    Ok(logits.to_kind(Kind::Float).to_device(Device::Cpu))
}
