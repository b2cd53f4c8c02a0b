//! Comparing two next-token distributions of the same vocabulary: KL divergence and the tokens
//! whose probability moved most (the prompt A/B line).

/// `log_softmax(logits)` in f64 (NaN counts as −∞; all −∞ gives a uniform distribution).
fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let clean = |x: f32| {
        if x.is_nan() {
            f64::NEG_INFINITY
        } else {
            f64::from(x)
        }
    };
    let max = logits
        .iter()
        .map(|&x| clean(x))
        .fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        let u = -(logits.len() as f64).ln();
        return vec![u; logits.len()];
    }
    let total: f64 = logits.iter().map(|&x| (clean(x) - max).exp()).sum();
    let ln_total = max + total.ln();
    logits.iter().map(|&x| clean(x) - ln_total).collect()
}

/// KL(A‖B) = Σ_v p_A(v) · (log p_A(v) − log p_B(v)) in nats, over the whole vocabulary of the
/// raw (T = 1) distributions. `None` when the vocabularies differ in size (different models).
/// `+∞` when B gives probability 0 to a token A can produce.
pub fn kl_nats(a: &[f32], b: &[f32]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (la, lb) = (log_softmax(a), log_softmax(b));
    let kl = la
        .iter()
        .zip(&lb)
        .filter(|(x, _)| x.is_finite())
        .map(|(&x, &y)| x.exp() * (x - y))
        .sum::<f64>();
    Some(kl.max(0.0))
}

/// A token whose raw probability differs between A and B.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Move {
    pub id: u32,
    pub prob_a: f64,
    pub prob_b: f64,
}

impl Move {
    /// `prob_b − prob_a`.
    pub fn delta(&self) -> f64 {
        self.prob_b - self.prob_a
    }
}

/// The `n` tokens whose raw probability changed most (by absolute difference, ties by lower id).
pub fn biggest_moves(a: &[f32], b: &[f32], n: usize) -> Vec<Move> {
    if a.len() != b.len() {
        return Vec::new();
    }
    let (la, lb) = (log_softmax(a), log_softmax(b));
    let mut moves: Vec<Move> = la
        .iter()
        .zip(&lb)
        .enumerate()
        .map(|(id, (&x, &y))| Move {
            id: id as u32,
            prob_a: x.exp(),
            prob_b: y.exp(),
        })
        .collect();
    let key = |m: &Move| m.delta().abs();
    let n = n.min(moves.len());
    if n == 0 {
        return Vec::new();
    }
    moves.select_nth_unstable_by(n - 1, |x, y| {
        key(y).total_cmp(&key(x)).then(x.id.cmp(&y.id))
    });
    moves.truncate(n);
    moves.sort_by(|x, y| key(y).total_cmp(&key(x)).then(x.id.cmp(&y.id)));
    moves
}
