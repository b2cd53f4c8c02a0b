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
    kl_from_logs(&log_softmax(a), &log_softmax(b))
}

/// KL(A‖B) from both log-distributions.
fn kl_from_logs(la: &[f64], lb: &[f64]) -> Option<f64> {
    if la.len() != lb.len() || la.is_empty() {
        return None;
    }
    let kl = la
        .iter()
        .zip(lb)
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
    moves_from_logs(&log_softmax(a), &log_softmax(b), n)
}

/// The `n` biggest moves from both log-distributions.
fn moves_from_logs(la: &[f64], lb: &[f64], n: usize) -> Vec<Move> {
    if la.len() != lb.len() {
        return Vec::new();
    }
    let mut moves: Vec<Move> = la
        .iter()
        .zip(lb)
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

/// Everything the A/B line shows, from one log-softmax of each side: KL(A‖B) (`None` for
/// different vocabularies), each side's most likely token, the tokens that moved most, and B's
/// top candidates.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub kl_nats: Option<f64>,
    /// (id, raw probability) of A's and B's most likely tokens.
    pub top_a: (u32, f64),
    pub top_b: (u32, f64),
    pub moves: Vec<Move>,
    /// B's `n` most likely tokens, (id, raw probability).
    pub top_b_list: Vec<(u32, f64)>,
}

impl Comparison {
    /// Compares the raw distributions of `a` and `b`, keeping `n` moves and `n` of B's tokens.
    pub fn new(a: &[f32], b: &[f32], n: usize) -> Self {
        let (la, lb) = (log_softmax(a), log_softmax(b));
        let top = |l: &[f64]| {
            let (id, lp) = l
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &x)| {
                    if x > best.1 { (i, x) } else { best }
                });
            (id as u32, lp.exp())
        };
        let mut order: Vec<u32> = (0..lb.len() as u32).collect();
        let k = n.min(order.len());
        if k > 0 {
            order.select_nth_unstable_by(k - 1, |x, y| {
                lb[*y as usize].total_cmp(&lb[*x as usize]).then(x.cmp(y))
            });
            order.truncate(k);
            order.sort_by(|x, y| lb[*y as usize].total_cmp(&lb[*x as usize]).then(x.cmp(y)));
        }
        Self {
            kl_nats: kl_from_logs(&la, &lb),
            top_a: top(&la),
            top_b: top(&lb),
            moves: moves_from_logs(&la, &lb, n),
            top_b_list: order
                .iter()
                .map(|&id| (id, lb[id as usize].exp()))
                .collect(),
        }
    }
}
