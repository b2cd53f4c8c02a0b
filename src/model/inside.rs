//! What the decoders share for looking inside: the logit lens (each layer's residual stream at
//! the last position, read through the final norm and the LM head) and the attention of the
//! last position over every earlier one.

use tch::{Device, Kind, Tensor};

use crate::model::linear::{Linear, LoadOptions};
use crate::model::{KvCache, ModelError};

/// `x` (an embedding row) times every row of a tied LM head, through the head's own kernel:
/// the dot products the neighbours' cosines divide, float32 [vocab] on the CPU.
pub fn tied_dots(lm_head: &Linear, opts: &LoadOptions, x: &[f32]) -> Tensor {
    let _guard = tch::no_grad_guard();
    let x = Tensor::from_slice(x)
        .to_kind(opts.kind)
        .to_device(opts.device)
        .view([1, 1, -1]);
    let dots = lm_head.forward(&x).view([-1]);
    dots.to_kind(Kind::Float).to_device(Device::Cpu)
}

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

/// The softmax attention of one query over the keys: `q` [heads, head_dim] (rotated), `k`
/// [kv_heads, keys, head_dim] (grouped-query heads share a key head), scores multiplied by
/// `scale`; keys before `first_visible` are masked (a sliding window). Float32 [heads, keys] on
/// the CPU, each row summing to 1.
pub fn attention_weights(q: &Tensor, k: &Tensor, scale: f64, first_visible: usize) -> Tensor {
    let q = q.to_kind(Kind::Float);
    let k = k.to_kind(Kind::Float);
    let (heads, _) = q.size2().expect("[heads, head_dim]");
    let (kv_heads, keys, _) = k.size3().expect("[kv_heads, keys, head_dim]");
    let k = k.repeat_interleave_self_int(heads / kv_heads, Some(0), None);
    let scores = q.unsqueeze(1).matmul(&k.transpose(1, 2)).squeeze_dim(1) * scale;
    let hidden = (first_visible as i64).min(keys);
    if hidden > 0 {
        let _masked = scores.narrow(1, 0, hidden).fill_(f64::NEG_INFINITY);
    }
    scores.softmax(-1, Kind::Float).to_device(Device::Cpu)
}

/// Each layer's attention of the last position, [layers, heads, ids.len()]: `layers` runs the
/// model as for [`lens`]; `weights(layer, input, cache)` gives one layer's [heads, keys] from
/// that layer's input at the last position ([1, hidden]) and the filled cache.
pub fn attention(
    ids: &[u32],
    embedded: Tensor,
    cache: &mut KvCache,
    layers: impl FnOnce(&[u32], &mut KvCache, &mut dyn FnMut(&Tensor)) -> Result<Tensor, ModelError>,
    weights: impl Fn(usize, &Tensor, &KvCache) -> Tensor,
) -> Result<Tensor, ModelError> {
    let inputs = layer_inputs(ids, embedded, cache, layers)?;
    let rows: Vec<Tensor> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| weights(i, x, cache))
        .collect();
    Ok(Tensor::stack(&rows, 0))
}

/// The last position of each layer's input: the embeddings, then every layer's output but the
/// last (what `layers` reports after each layer), [1, hidden] each.
fn layer_inputs(
    ids: &[u32],
    embedded: Tensor,
    cache: &mut KvCache,
    layers: impl FnOnce(&[u32], &mut KvCache, &mut dyn FnMut(&Tensor)) -> Result<Tensor, ModelError>,
) -> Result<Vec<Tensor>, ModelError> {
    let Some(last) = ids.len().checked_sub(1) else {
        return Err(ModelError::EmptySequence);
    };
    let mut inputs = vec![embedded.select(1, last as i64)];
    let _last_layer = layers(ids, cache, &mut |x| inputs.push(x.select(1, last as i64)))?;
    inputs.pop();
    Ok(inputs)
}
