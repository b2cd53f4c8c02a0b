//! The inside-the-model views, served on the worker thread: a token's embedding row and its
//! nearest neighbours, the logit lens and the attention at one position. The position is the
//! last of the ids the request names (the prompt and continuation up to it), so the lens's
//! last row is the very distribution the next-token pane shows for that position: it is taken
//! from the session's stored logits whenever the session has them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::{Reply, Session};
use crate::model::ModelError;
use crate::model::neighbours::{self, Neighbour};

/// How many neighbours the embedding view lists.
pub const NEIGHBOURS: usize = 20;

/// How many candidates each lens row lists.
pub const LENS_TOP: usize = 5;

/// What to look at, for the last position of the request's ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Inspect {
    /// The embedding row of the last token and its nearest neighbours.
    Embedding,
    /// The logit lens: each layer's top candidates for the next token.
    Lens,
    /// Where the last position looks: every layer's attention, per head.
    Attention,
    /// The embedding and neighbours of the first token of a typed word (the ids are unused).
    Word(String),
}

/// A token's row of the embedding table and the rows nearest to it.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddingReport {
    pub id: u32,
    /// The row as stored (de-quantised).
    pub vector: Vec<f32>,
    pub norm: f64,
    /// The same matrix is the output layer.
    pub tied: bool,
    /// The factor the forward pass multiplies the row by (Gemma: √hidden), if any.
    pub scale: Option<f64>,
    /// Most similar first, the token itself left out.
    pub neighbours: Vec<Neighbour>,
    /// For a typed word: how many tokens it is (its first one is shown).
    pub word_tokens: Option<usize>,
    /// How many rows the neighbours were chosen from.
    pub rows: usize,
}

/// The logit lens at one position.
#[derive(Clone, Debug, PartialEq)]
pub struct LensReport {
    /// Per layer (the first block's output first), the top candidates: (id, probability at
    /// temperature 1), most likely first.
    pub layers: Vec<Vec<(u32, f64)>>,
    /// The last row is the session's stored next-token distribution (not recomputed).
    pub last_from_session: bool,
    pub vocab: usize,
}

impl LensReport {
    /// The layer index (0-based) from which on the final answer is the top candidate of every
    /// layer, up to the last; `None` with no layers.
    pub fn settled_from(&self) -> Option<usize> {
        let leader = |t: &Vec<(u32, f64)>| t.first().map(|&(id, _)| id);
        let answer = self.layers.last().and_then(leader);
        let stays = self
            .layers
            .iter()
            .rev()
            .take_while(|t| leader(t) == answer)
            .count();
        (stays > 0).then(|| self.layers.len() - stays)
    }
}

/// The attention of one position over it and every earlier one.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionReport {
    pub layers: usize,
    pub heads: usize,
    /// Positions attended to (the query's own included): `0..keys`.
    pub keys: usize,
    /// [layers, heads, keys], each row summing to 1.
    pub weights: Vec<f32>,
}

impl AttentionReport {
    /// One layer's weights: of head `head`, or the mean over heads.
    pub fn row(&self, layer: usize, head: Option<usize>) -> Vec<f32> {
        let at = |h: usize| {
            let start = (layer * self.heads + h) * self.keys;
            &self.weights[start..start + self.keys]
        };
        match head {
            Some(h) => at(h.min(self.heads - 1)).to_vec(),
            None => (0..self.keys)
                .map(|k| (0..self.heads).map(|h| at(h)[k]).sum::<f32>() / self.heads as f32)
                .collect(),
        }
    }
}

/// One of the three answers.
#[derive(Clone, Debug, PartialEq)]
pub enum InsideReport {
    Embedding(EmbeddingReport),
    Lens(LensReport),
    Attention(AttentionReport),
}

/// A computed view and how long it took.
#[derive(Clone, Debug)]
pub struct Inside {
    pub report: Arc<InsideReport>,
    pub elapsed: Duration,
}

/// Answers `Request::Inspect` for a decoder session.
pub fn serve(session: &mut Session, id: u64, ids: &[u32], what: &Inspect) -> Reply {
    let started = Instant::now();
    match compute(session, ids, what) {
        Ok(report) => Reply::Inside {
            id,
            ids: ids.to_vec(),
            what: what.clone(),
            inside: Inside {
                report: Arc::new(report),
                elapsed: started.elapsed(),
            },
        },
        Err(e) => Reply::Failed {
            id,
            error: Arc::new(e),
        },
    }
}

/// Computes one view.
pub fn compute(
    session: &mut Session,
    ids: &[u32],
    what: &Inspect,
) -> Result<InsideReport, ModelError> {
    match what {
        Inspect::Embedding => {
            let &last = ids.last().ok_or(ModelError::EmptySequence)?;
            embedding(session, last, None).map(InsideReport::Embedding)
        }
        Inspect::Word(word) => {
            let tok = &session.model.tokenizer;
            let content: Vec<u32> = tok
                .encode(word)?
                .into_iter()
                .filter(|&i| Some(i) != tok.bos)
                .collect();
            let &first = content.first().ok_or(ModelError::EmptySequence)?;
            embedding(session, first, Some(content.len())).map(InsideReport::Embedding)
        }
        Inspect::Lens => lens(session, ids).map(InsideReport::Lens),
        Inspect::Attention => attention(session, ids).map(InsideReport::Attention),
    }
}

fn embedding(
    session: &mut Session,
    id: u32,
    word_tokens: Option<usize>,
) -> Result<EmbeddingReport, ModelError> {
    let row = neighbours::token_embedding(session.model.decoder.as_ref(), id)?;
    let near = neighbours_of(session, &row.vector, id, row.tied)?;
    let decoder = session.model.decoder.as_ref();
    Ok(EmbeddingReport {
        id,
        norm: row.norm,
        tied: row.tied,
        scale: decoder.embedding_scale(),
        vector: row.vector,
        neighbours: near,
        word_tokens,
        rows: decoder.dims().vocab,
    })
}

/// The nearest rows to `vector`: through the LM head's kernel and the cached row norms for a
/// tied model (computed the first time), else by reading the whole table.
fn neighbours_of(
    session: &mut Session,
    vector: &[f32],
    id: u32,
    tied: bool,
) -> Result<Vec<Neighbour>, ModelError> {
    let decoder = session.model.decoder.as_ref();
    if session.row_norms.is_none() && tied {
        session.row_norms = Some(neighbours::row_norms(decoder)?.into());
    }
    if let Some(norms) = &session.row_norms
        && let Some(near) = neighbours::nearest_tied(decoder, vector, NEIGHBOURS, Some(id), norms)
    {
        return near;
    }
    neighbours::nearest(decoder, vector, NEIGHBOURS, Some(id))
}

fn lens(session: &Session, ids: &[u32]) -> Result<LensReport, ModelError> {
    let decoder = session.model.decoder.as_ref();
    let &last = ids.last().ok_or(ModelError::EmptySequence)?;
    // The prefix is in the session's cache: run the one position again on a copy of it.
    let cached = session
        .cached_prefix(&ids[..ids.len() - 1])
        .and_then(|mut cache| decoder.lens_cached(last, &mut cache));
    let logits = match cached {
        Some(l) => l?,
        None => decoder.lens(ids).ok_or(ModelError::InsideNeedsDecoder)??,
    };
    let vocab = decoder.dims().vocab;
    let flat = Vec::<f32>::try_from(&logits.view([-1]))?;
    let mut layers: Vec<Vec<(u32, f64)>> = flat
        .chunks_exact(vocab)
        .map(|row| top(row, LENS_TOP))
        .collect();
    let stored = session.stored_logits(ids);
    if let (Some(stored), Some(last)) = (&stored, layers.last_mut()) {
        *last = top(stored, LENS_TOP);
    }
    Ok(LensReport {
        layers,
        last_from_session: stored.is_some(),
        vocab,
    })
}

fn attention(session: &Session, ids: &[u32]) -> Result<AttentionReport, ModelError> {
    let decoder = session.model.decoder.as_ref();
    let &last = ids.last().ok_or(ModelError::EmptySequence)?;
    // As for the lens: the one position again, on a copy of the session's cache.
    let cached = session
        .cached_prefix(&ids[..ids.len() - 1])
        .and_then(|mut cache| decoder.attention_cached(last, &mut cache));
    let t = match cached {
        Some(t) => t?,
        None => decoder
            .attention(ids)
            .ok_or(ModelError::InsideNeedsDecoder)??,
    };
    let (layers, heads, keys) = t.size3()?;
    let weights = Vec::<f32>::try_from(&t.contiguous().view([-1]))?;
    Ok(AttentionReport {
        layers: layers as usize,
        heads: heads as usize,
        keys: keys as usize,
        weights,
    })
}

/// The `k` most likely tokens of a softmax over `logits` (in float64), ties to the lower id.
pub fn top(logits: &[f32], k: usize) -> Vec<(u32, f64)> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| f64::from(l - max).exp()).sum();
    let mut order: Vec<u32> = (0..logits.len() as u32).collect();
    let k = k.min(order.len());
    let by_logit = |a: &u32, b: &u32| {
        logits[*b as usize]
            .total_cmp(&logits[*a as usize])
            .then(a.cmp(b))
    };
    if k > 0 && k < order.len() {
        order.select_nth_unstable_by(k - 1, by_logit);
    }
    order.truncate(k);
    order.sort_by(by_logit);
    order
        .into_iter()
        .map(|id| (id, f64::from(logits[id as usize] - max).exp() / sum))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_is_a_softmax_by_hand() {
        // logits 0, ln 2, ln 3 → 1/6, 2/6, 3/6.
        let l = [0.0, 2f32.ln(), 3f32.ln()];
        let t = top(&l, 2);
        assert_eq!(t[0].0, 2);
        assert!((t[0].1 - 0.5).abs() < 1e-6);
        assert_eq!(t[1].0, 1);
        assert!((t[1].1 - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn attention_mean_over_heads() {
        let r = AttentionReport {
            layers: 1,
            heads: 2,
            keys: 2,
            weights: vec![1.0, 0.0, 0.5, 0.5],
        };
        assert_eq!(r.row(0, None), vec![0.75, 0.25]);
        assert_eq!(r.row(0, Some(1)), vec![0.5, 0.5]);
    }
}
