//! A token's embedding and its nearest neighbours in the embedding table, by cosine similarity
//! (the course's "a vector that shows the token and its meaning relative to the other tokens").
//!
//! The table is read in chunks of rows, de-quantised as the forward pass reads them, and every
//! cosine is computed in float64, so the ranking does not depend on float32 rounding.

use tch::{Device, Kind, Tensor};

use crate::model::{CausalLm, ModelError};

/// Rows de-quantised at a time (8 192 × 640 float64 ≈ 42 MB for Gemma's widest table).
const CHUNK: usize = 8192;

/// One token's row of the embedding table.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenEmbedding {
    pub id: u32,
    /// The row as stored (de-quantised), before any scaling the forward pass applies.
    pub vector: Vec<f32>,
    /// Its Euclidean norm.
    pub norm: f64,
    /// Whether the same matrix is the output layer.
    pub tied: bool,
}

/// A row close to the query vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour {
    pub id: u32,
    pub cosine: f64,
}

/// The row of `id`.
pub fn token_embedding(model: &dyn CausalLm, id: u32) -> Result<TokenEmbedding, ModelError> {
    check_id(model, id)?;
    let table = model
        .embedding_rows(&[id])
        .ok_or(ModelError::InsideNeedsDecoder)?;
    let row = table
        .rows
        .to_kind(Kind::Float)
        .to_device(Device::Cpu)
        .view([-1]);
    let vector = Vec::<f32>::try_from(&row)?;
    let norm = vector
        .iter()
        .map(|&x| f64::from(x).powi(2))
        .sum::<f64>()
        .sqrt();
    Ok(TokenEmbedding {
        id,
        vector,
        norm,
        tied: table.tied,
    })
}

/// The `k` rows most similar to `vector` by cosine, most similar first (ties to the lower id),
/// leaving out `exclude` (the token itself). Rows of norm zero have no direction and are skipped.
pub fn nearest(
    model: &dyn CausalLm,
    vector: &[f32],
    k: usize,
    exclude: Option<u32>,
) -> Result<Vec<Neighbour>, ModelError> {
    let query = Tensor::from_slice(vector).to_kind(Kind::Double);
    let query_norm = f64::try_from(query.norm())?;
    if query_norm == 0.0 {
        // A zero vector has no direction: nothing is near it.
        return Ok(Vec::new());
    }
    let vocab = model.dims().vocab;
    let mut best: Vec<Neighbour> = Vec::with_capacity(k + CHUNK);
    for start in (0..vocab).step_by(CHUNK) {
        let ids: Vec<u32> = (start..vocab.min(start + CHUNK))
            .map(|i| i as u32)
            .collect();
        let rows = model
            .embedding_rows(&ids)
            .ok_or(ModelError::InsideNeedsDecoder)?
            .rows
            .to_device(Device::Cpu)
            .to_kind(Kind::Double);
        let dots = Vec::<f64>::try_from(&rows.mv(&query))?;
        let norms =
            Vec::<f64>::try_from(&rows.square().sum_dim_intlist(1, false, Kind::Double).sqrt())?;
        for ((&id, dot), norm) in ids.iter().zip(dots).zip(norms) {
            if Some(id) == exclude || norm == 0.0 {
                continue;
            }
            best.push(Neighbour {
                id,
                cosine: dot / (norm * query_norm),
            });
        }
        keep_best(&mut best, k);
    }
    Ok(best)
}

/// Rows the fast path keeps by its float32 cosines before re-scoring them exactly.
const SHORTLIST: usize = 256;

/// Every row's Euclidean norm (float64), read in chunks as [`nearest`] reads them: what
/// [`nearest_tied`] divides by (computed once per model by its caller).
pub fn row_norms(model: &dyn CausalLm) -> Result<Vec<f64>, ModelError> {
    let mut norms = Vec::with_capacity(model.dims().vocab);
    while norms.len() < model.dims().vocab {
        norms.extend(row_norms_from(model, norms.len())?);
    }
    Ok(norms)
}

/// The norms of the next chunk of rows from `start` (empty past the end): [`row_norms`] a
/// piece at a time, so the engine can compute them while it waits for requests.
pub fn row_norms_from(model: &dyn CausalLm, start: usize) -> Result<Vec<f64>, ModelError> {
    let vocab = model.dims().vocab;
    let ids: Vec<u32> = (start..vocab.min(start + CHUNK))
        .map(|i| i as u32)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = model
        .embedding_rows(&ids)
        .ok_or(ModelError::InsideNeedsDecoder)?
        .rows
        .to_device(Device::Cpu)
        .to_kind(Kind::Double);
    Ok(Vec::<f64>::try_from(
        &rows.square().sum_dim_intlist(1, false, Kind::Double).sqrt(),
    )?)
}

/// [`nearest`] for a tied model, without reading the table: the dot products with every row
/// come from the LM head's own kernel (one float32 matrix-vector product over the quantised
/// blocks), divided by `norms` ([`row_norms`]); the best [`SHORTLIST`] rows by that are
/// re-scored exactly (float64 over their de-quantised rows), so the cosines are those of
/// [`nearest`] and so is the order wherever float32 rounding is far smaller than the gap to
/// row 256. `None` when the output layer is another matrix.
pub fn nearest_tied(
    model: &dyn CausalLm,
    vector: &[f32],
    k: usize,
    exclude: Option<u32>,
    norms: &[f64],
) -> Option<Result<Vec<Neighbour>, ModelError>> {
    let dots = model.tied_dots(vector)?;
    Some(dots.and_then(|dots| {
        let dots = Vec::<f32>::try_from(&dots)?;
        let mut approx: Vec<Neighbour> = dots
            .iter()
            .zip(norms)
            .enumerate()
            .filter(|&(id, (_, &norm))| norm > 0.0 && Some(id as u32) != exclude)
            .map(|(id, (&dot, &norm))| Neighbour {
                id: id as u32,
                cosine: f64::from(dot) / norm,
            })
            .collect();
        let keep = SHORTLIST.max(k).min(approx.len());
        if keep > 0 && keep < approx.len() {
            approx.select_nth_unstable_by(keep - 1, |a, b| b.cosine.total_cmp(&a.cosine));
        }
        approx.truncate(keep);
        exact(model, vector, &approx, k)
    }))
}

/// The exact float64 cosines of the `candidates` rows with `vector`, best `k` first.
fn exact(
    model: &dyn CausalLm,
    vector: &[f32],
    candidates: &[Neighbour],
    k: usize,
) -> Result<Vec<Neighbour>, ModelError> {
    let query = Tensor::from_slice(vector).to_kind(Kind::Double);
    let query_norm = f64::try_from(query.norm())?;
    if query_norm == 0.0 || candidates.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<u32> = candidates.iter().map(|n| n.id).collect();
    let rows = model
        .embedding_rows(&ids)
        .ok_or(ModelError::InsideNeedsDecoder)?
        .rows
        .to_device(Device::Cpu)
        .to_kind(Kind::Double);
    let dots = Vec::<f64>::try_from(&rows.mv(&query))?;
    let norms =
        Vec::<f64>::try_from(&rows.square().sum_dim_intlist(1, false, Kind::Double).sqrt())?;
    let mut best: Vec<Neighbour> = ids
        .iter()
        .zip(dots)
        .zip(norms)
        .map(|((&id, dot), norm)| Neighbour {
            id,
            cosine: dot / (norm * query_norm),
        })
        .collect();
    keep_best(&mut best, k);
    Ok(best)
}

/// Sorts by cosine (descending, ties to the lower id) and keeps the first `k`.
fn keep_best(best: &mut Vec<Neighbour>, k: usize) {
    best.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.id.cmp(&b.id)));
    best.truncate(k);
}

fn check_id(model: &dyn CausalLm, id: u32) -> Result<(), ModelError> {
    let vocab = model.dims().vocab;
    if id as usize >= vocab {
        return Err(ModelError::OutsideVocabulary { id, vocab });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_best_orders_by_cosine_then_id() {
        let n = |id, cosine| Neighbour { id, cosine };
        let mut v = vec![n(5, 0.1), n(3, 0.9), n(1, 0.9), n(2, -0.5)];
        keep_best(&mut v, 3);
        assert_eq!(v, vec![n(1, 0.9), n(3, 0.9), n(5, 0.1)]);
    }
}
