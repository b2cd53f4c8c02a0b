//! Sentence embeddings in the playground: with an encoder that has no masked-LM head (a
//! sentence-transformers model such as all-MiniLM-L6-v2), every line of the prompt is one
//! sentence; the worker pools each into one normalised vector, and this view keeps them with
//! their cosine-similarity matrix and the most and least similar pair: "a dense, compact
//! representation", where similar meanings score high even with different words.

use crate::engine::encoder_session::SentenceVector;
use crate::model::bert::cosine;

/// The embeddings view's data (from the newest accepted reply).
#[derive(Clone, Debug, Default)]
pub struct Embeddings {
    pub sentences: Vec<SentenceVector>,
    /// `cosine[i][j]`: the similarity of sentences `i` and `j`.
    pub cosine: Vec<Vec<f64>>,
}

/// Two sentences (indices, `a < b`) and their similarity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub cosine: f64,
}

impl Embeddings {
    /// Takes the vectors of a new reply and computes their similarities.
    pub fn accept(&mut self, sentences: Vec<SentenceVector>) {
        self.cosine = sentences
            .iter()
            .map(|a| {
                sentences
                    .iter()
                    .map(|b| cosine(&a.vector, &b.vector))
                    .collect()
            })
            .collect();
        self.sentences = sentences;
    }

    /// The vectors' dimension (0 before the first reply).
    pub fn dim(&self) -> usize {
        self.sentences.first().map_or(0, |s| s.vector.len())
    }

    /// Every pair of different sentences, most similar first (ties: text order).
    pub fn pairs(&self) -> Vec<Pair> {
        let n = self.sentences.len();
        let mut pairs: Vec<Pair> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .map(|(a, b)| Pair {
                a,
                b,
                cosine: self.cosine[a][b],
            })
            .collect();
        pairs.sort_by(|x, y| y.cosine.total_cmp(&x.cosine));
        pairs
    }

    /// The most and the least similar pair (`None` with fewer than two sentences).
    pub fn extremes(&self) -> Option<(Pair, Pair)> {
        let pairs = self.pairs();
        Some((*pairs.first()?, *pairs.last()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(v: &[f32]) -> SentenceVector {
        SentenceVector {
            text: String::new(),
            tokens: 0,
            vector: v.to_vec(),
        }
    }

    #[test]
    fn matrix_and_extremes_by_hand() {
        let mut e = Embeddings::default();
        e.accept(vec![
            sentence(&[1.0, 0.0]),
            sentence(&[0.6, 0.8]),
            sentence(&[0.0, 1.0]),
        ]);
        assert!((e.cosine[0][0] - 1.0).abs() < 1e-12);
        assert!((e.cosine[0][1] - 0.6).abs() < 1e-6);
        assert!((e.cosine[1][2] - 0.8).abs() < 1e-6);
        let (most, least) = e.extremes().unwrap();
        assert_eq!((most.a, most.b), (1, 2));
        assert_eq!((least.a, least.b), (0, 2));
        assert!(least.cosine.abs() < 1e-12);
        e.accept(vec![sentence(&[1.0, 0.0])]);
        assert!(e.extremes().is_none());
    }
}
