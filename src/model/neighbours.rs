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
