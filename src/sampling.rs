//! Sampling as pure math over a logits slice: temperature → top-k → top-p → min-p → renormalise,
//! reporting the whole distribution (raw and after each stage), not just the chosen token.
//!
//! [`Distribution::new`] takes the logits of one position (indexed by token id) and a
//! [`SamplingParams`], and returns every token of the vocabulary as a [`Candidate`], sorted by
//! raw logit (highest first, ties broken by the lower id), with its probability after each stage.
//! A draw is then an inverse-CDF lookup of one uniform number in `[0, 1)` on the final
//! cumulative bar ([`Distribution::draw`]); the number comes from a seeded ChaCha stream per step
//! ([`uniform`]), so undo, redo and replays reproduce the same tokens.
//!
//! # Stage order
//!
//! 1. **Raw.** `prob = softmax(logits)` over the full vocabulary (temperature 1, no filters).
//! 2. **Temperature.** `temp_prob = softmax(logits / T)` over the full vocabulary. `T = 0` means
//!    greedy: the argmax (rank 0) gets probability 1, every other token is cut with
//!    [`Stage::Greedy`], and the filters below keep just that token.
//! 3. **Top-k.** Keep the `top_k` highest-ranked tokens (exactly `k`: a tie at the boundary is
//!    broken by rank, i.e. by the lower id), renormalise → `top_k_prob`.
//! 4. **Top-p** (nucleus), on the renormalised top-k distribution: keep the smallest prefix of
//!    ranks whose cumulative mass reaches `top_p`, always at least one token, renormalise →
//!    `top_p_prob`. "Reaches" is `>= top_p − 1e-9` ([`TOP_P_TOLERANCE`]), so that a boundary
//!    hit exactly on paper is not lost to rounding.
//! 5. **Min-p**: drop tokens whose probability is below `min_p ×` the highest probability at
//!    this point (the rank-0 token, which is therefore always kept), renormalise → `final_prob`,
//!    the distribution a draw uses.
//!
//! Every stage keeps a *prefix* of the ranks (temperature is monotone, so it never reorders), so
//! the UI can draw one cut line per stage at [`Distribution::kept_after`]; a removed candidate
//! records the first stage that removed it in `cut_by`. Tokens whose probability underflows to
//! exactly 0 but that no filter removed stay `kept` (with `final_prob` 0; a draw never lands on
//! them).
//!
//! ## Compared with HF transformers and llama.cpp
//!
//! The order above is the one of HF transformers' sampling logits processors
//! (`TemperatureLogitsWarper` → `TopKLogitsWarper` → `TopPLogitsWarper` → `MinPLogitsWarper`;
//! `generate` builds them in that order), so `top_p` and `min_p` act on the distribution *after*
//! temperature. Two small differences from HF: its top-k keeps every token tied with the k-th
//! logit (here exactly `k`), and it rejects out-of-range values instead of clamping them.
//!
//! llama.cpp's default sampler chain applies temperature **last**:
//! `penalties → dry → top_n_sigma → top_k → typical_p → top_p → min_p → xtc → temperature`.
//! Top-k is the same either way (temperature never reorders tokens), but top-p and min-p see
//! the untempered (T = 1) distribution there and the tempered one here, so at `T ≠ 1` their kept
//! sets differ:
//!
//! * min-p keeps token `i` when `(logit_i − logit_max) / T ≥ ln(min_p)` here, but when
//!   `logit_i − logit_max ≥ ln(min_p)` in llama.cpp. At `T > 1` more tokens survive here; at
//!   `T < 1` fewer.
//! * top-p: a high temperature flattens the distribution before the nucleus is taken here, so
//!   the nucleus grows (with probabilities 0.6/0.3/0.1 and `top_p` 0.6, T = 1 keeps one token and
//!   T = 3 keeps two); in llama.cpp the nucleus is fixed at T = 1 and temperature only reshapes
//!   the probabilities inside it.
//!
//! In both, temperature 0 (llama.cpp: `≤ 0`) means greedy.
//!
//! # Parameter validation
//!
//! Out-of-range parameters are clamped, never rejected ([`SamplingParams::validated`]); the
//! [`Distribution`] stores the clamped values in `params`, so the UI can show what was used:
//!
//! * `temperature`: NaN or `≤ 0` → 0 (greedy); `+∞` → `f32::MAX` (uniform over finite logits).
//! * `top_k`: 0 disables the stage; `k ≥` vocabulary size keeps everything.
//! * `top_p`: NaN → 1.0; clamped to `[0, 1]`; `1.0` disables the stage; `0` keeps one token.
//! * `min_p`: NaN → 0.0; clamped to `[0, 1]`; `0` disables the stage; `1` keeps the tokens tied
//!   with the top one.
//!
//! # Numerics
//!
//! Everything is computed in `f64` with the max-subtraction trick. A NaN logit is treated as
//! `−∞` (probability 0, and shown as `−∞` in `Candidate::logit`). If some logits are `+∞`, they
//! share the whole mass equally; if every logit is `−∞`/NaN, the distribution is uniform.
//! Entropies are in nats and skip zero-probability entries.
//!
//! Cost: one radix sort of the vocabulary plus a few linear passes (two `exp` per token when
//! `T ≠ 1`): about 1.1–1.3 ms for a 49 152-token vocabulary in a release build (measured by the
//! ignored test `speed_for_a_49152_token_vocabulary` in `tests/sampling.rs`).

mod compare;
mod draw;
mod filters;
mod rank;
mod rolls;
pub mod spec;

pub use compare::{Comparison, Move, biggest_moves, kl_nats};
pub use draw::{Draw, uniform};
pub use rank::{rank_and_prob, rank_and_prob_f64, top1};
pub use rolls::{Rolls, roll_many};
pub use spec::{MAX_SAMPLERS, Preset, SpecError, parse_spec};

/// Every sampling setting in one place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SamplingParams {
    /// 0 means greedy (argmax). Otherwise logits are divided by it.
    pub temperature: f32,
    /// Keep the `top_k` most likely tokens; 0 disables the stage.
    pub top_k: usize,
    /// Keep the smallest set of most likely tokens whose mass reaches `top_p`; 1.0 disables it.
    pub top_p: f32,
    /// Drop tokens whose probability is below `min_p` × the top probability; 0.0 disables it.
    pub min_p: f32,
    /// Seed of the ChaCha RNG used for draws.
    pub seed: u64,
    /// Where temperature sits in the chain (HF transformers: first; llama.cpp: last).
    pub order: StageOrder,
}

/// The order of the sampling stages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StageOrder {
    /// HF transformers: temperature → top-k → top-p → min-p (the filters see the tempered
    /// distribution).
    #[default]
    Hf,
    /// llama.cpp's default chain: top-k → top-p → min-p on the untempered (T = 1)
    /// distribution, then temperature over the survivors.
    LlamaCpp,
}

impl StageOrder {
    /// The other order.
    pub fn toggled(self) -> Self {
        match self {
            StageOrder::Hf => StageOrder::LlamaCpp,
            StageOrder::LlamaCpp => StageOrder::Hf,
        }
    }

    /// The name used in sampler specs and JSON (`hf`, `llama`).
    pub fn as_str(self) -> &'static str {
        match self {
            StageOrder::Hf => "hf",
            StageOrder::LlamaCpp => "llama",
        }
    }
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
            min_p: 0.0,
            seed: 42,
            order: StageOrder::Hf,
        }
    }
}

/// The stage that removed a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Greedy,
    TopK,
    TopP,
    MinP,
}

/// Top-p counts a cumulative mass within this much below `top_p` as reaching it.
pub const TOP_P_TOLERANCE: f64 = 1e-9;

impl SamplingParams {
    /// The parameters as [`Distribution::new`] uses them: out-of-range values clamped (see the
    /// module documentation, "Parameter validation").
    pub fn validated(&self) -> Self {
        let temperature = if self.temperature.is_nan() || self.temperature <= 0.0 {
            0.0
        } else {
            self.temperature.min(f32::MAX)
        };
        let top_p = if self.top_p.is_nan() {
            1.0
        } else {
            self.top_p.clamp(0.0, 1.0)
        };
        let min_p = if self.min_p.is_nan() {
            0.0
        } else {
            self.min_p.clamp(0.0, 1.0)
        };
        Self {
            temperature,
            top_p,
            min_p,
            ..*self
        }
    }

    /// Whether these parameters pick the argmax (temperature 0, negative or NaN).
    pub fn is_greedy(&self) -> bool {
        self.validated().temperature == 0.0
    }
}

impl Stage {
    /// Position in the pipeline: Greedy (the temperature stage) < TopK < TopP < MinP.
    fn position(self) -> u8 {
        match self {
            Stage::Greedy => 0,
            Stage::TopK => 1,
            Stage::TopP => 2,
            Stage::MinP => 3,
        }
    }
}

/// One token of the vocabulary, with its probability after every stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// 0-based, by raw logit descending (ties broken by lower id first).
    pub rank: usize,
    pub id: u32,
    /// The logit as given (a NaN is reported as −∞).
    pub logit: f32,
    /// Raw: log-softmax of the logits over the full vocabulary (T = 1, no filters).
    pub logprob: f64,
    /// Raw probability, `exp(logprob)`.
    pub prob: f64,
    /// After temperature: `softmax(logit / T)` over the full vocabulary (greedy: 1 for the
    /// argmax, 0 else).
    pub temp_prob: f64,
    /// After top-k, renormalised over what is kept (0 when cut here or earlier).
    pub top_k_prob: f64,
    /// After top-p, renormalised (0 when cut here or earlier).
    pub top_p_prob: f64,
    /// After min-p and the final renormalisation: the distribution a draw uses.
    pub final_prob: f64,
    /// Survives every stage.
    pub kept: bool,
    /// The first stage that removed it; `None` when kept.
    pub cut_by: Option<Stage>,
    /// Sum of `final_prob` over ranks `0..=rank` (the cumulative bar the dice lands on); exactly
    /// 1 from the last kept rank on.
    pub cumulative: f64,
}

/// The next-token distribution of one position, raw and after each sampling stage.
#[derive(Clone, Debug)]
pub struct Distribution {
    /// The parameters used, after [`SamplingParams::validated`].
    pub params: SamplingParams,
    /// The whole vocabulary, sorted by rank.
    pub candidates: Vec<Candidate>,
    /// Entropy of `prob`, in nats.
    pub entropy_raw: f64,
    /// Entropy of `final_prob`, in nats.
    pub entropy_final: f64,
    /// How many candidates survive all stages (they are ranks `0..kept`).
    pub kept: usize,
}

/// The weights the stages read, relative to rank 0 (weight 1).
#[derive(Clone, Copy)]
struct StageWeights<'a> {
    raw: &'a filters::Weights,
    /// Tempered weights and their prefix sums: what the final distribution renormalises.
    temp: &'a filters::Weights,
    prefix: &'a [f64],
    /// What top-k / top-p / min-p see (`temp` in HF order, `raw` in llama.cpp order).
    filter: &'a filters::Weights,
    filter_prefix: &'a [f64],
    greedy: bool,
}

/// The vocabulary in rank order with its raw (T = 1) weights: what every setting shares.
struct Ranked {
    order: Vec<u32>,
    sorted: Vec<f32>,
    /// Raw stage (T = 1). Rank 0 holds the maximum, so its weight is exactly exp(0) = 1.
    raw: filters::Weights,
}

impl Ranked {
    /// # Panics
    /// If `logits` is empty (or longer than `u32::MAX`).
    fn new(logits: &[f32]) -> Self {
        assert!(
            !logits.is_empty(),
            "Distribution::new needs at least one logit"
        );
        assert!(
            u32::try_from(logits.len()).is_ok(),
            "vocabulary larger than u32 ids"
        );
        let order = filters::rank_order(logits);
        let sorted: Vec<f32> = order
            .iter()
            .map(|&id| filters::clean(logits[id as usize]))
            .collect();
        let raw = filters::Weights::new(&sorted, 1.0);
        Self { order, sorted, raw }
    }
}

/// How many ranks each stage keeps (each keeps a prefix of the ranks).
struct StageLengths {
    k: usize,
    p: usize,
    min_p: usize,
    n: usize,
}

impl StageLengths {
    /// `filter` and `prefix` are the weights the filters see (tempered in HF order, raw in
    /// llama.cpp order) and their prefix sums.
    fn new(filter: &filters::Weights, prefix: &[f64], params: &SamplingParams, n: usize) -> Self {
        if params.temperature == 0.0 {
            return Self {
                k: 1,
                p: 1,
                min_p: 1,
                n,
            };
        }
        let k = filters::top_k_len(n, params.top_k);
        let p = filters::top_p_len(prefix, k, f64::from(params.top_p));
        let min_p = filters::min_p_len(&filter.exp, p, f64::from(params.min_p));
        Self { k, p, min_p, n }
    }

    /// Every candidate with its probability after each stage, and the raw and final entropies.
    fn candidates(
        &self,
        order: &[u32],
        sorted: &[f32],
        w: &StageWeights<'_>,
    ) -> (Vec<Candidate>, f64, f64) {
        let StageWeights {
            raw,
            temp,
            prefix,
            filter,
            filter_prefix,
            greedy,
        } = *w;
        let raw_total: f64 = raw.exp.iter().sum();
        let ln_raw_total = raw_total.ln();
        // Multiplying by reciprocals is measurably faster than dividing 49 152 × 5 times.
        let inv_raw = 1.0 / raw_total;
        let [inv_temp, inv_final] = [self.n, self.min_p].map(|len| 1.0 / prefix[len]);
        let [inv_k, inv_p] = [self.k, self.p].map(|len| 1.0 / filter_prefix[len]);
        let ln_final_total = prefix[self.min_p].ln();
        let mut entropy_raw = 0.0;
        let mut entropy_final = 0.0;
        let candidates = (0..self.n)
            .map(|rank| {
                let w = temp.exp[rank];
                let fw = filter.exp[rank];
                let share = |len: usize, inv: f64| if rank < len { w * inv } else { 0.0 };
                let filter_share = |len: usize, inv: f64| if rank < len { fw * inv } else { 0.0 };
                let prob = raw.exp[rank] * inv_raw;
                let logprob = raw.shifted[rank] - ln_raw_total;
                if prob > 0.0 {
                    entropy_raw -= prob * logprob;
                }
                let final_prob = share(self.min_p, inv_final);
                if final_prob > 0.0 {
                    entropy_final -= final_prob * (temp.shifted[rank] - ln_final_total);
                }
                let cut_by = if rank < self.min_p {
                    None
                } else if greedy {
                    Some(Stage::Greedy)
                } else if rank < self.p {
                    Some(Stage::MinP)
                } else if rank < self.k {
                    Some(Stage::TopP)
                } else {
                    Some(Stage::TopK)
                };
                Candidate {
                    rank,
                    id: order[rank],
                    logit: sorted[rank],
                    logprob,
                    prob,
                    temp_prob: w * inv_temp,
                    top_k_prob: filter_share(self.k, inv_k),
                    top_p_prob: filter_share(self.p, inv_p),
                    final_prob,
                    kept: cut_by.is_none(),
                    cut_by,
                    cumulative: prefix[(rank + 1).min(self.min_p)] / prefix[self.min_p],
                }
            })
            .collect();
        (candidates, entropy_raw.max(0.0), entropy_final.max(0.0))
    }
}

impl Distribution {
    /// Computes every stage for `logits` (indexed by token id).
    ///
    /// # Panics
    /// If `logits` is empty (or longer than `u32::MAX`).
    pub fn new(logits: &[f32], params: &SamplingParams) -> Self {
        Self::from_ranked(&Ranked::new(logits), params)
    }

    /// One distribution per settings over the same logits, ranking the vocabulary once (the
    /// lab's columns).
    pub fn many(logits: &[f32], params: &[SamplingParams]) -> Vec<Self> {
        let ranked = Ranked::new(logits);
        params
            .iter()
            .map(|p| Self::from_ranked(&ranked, p))
            .collect()
    }

    /// Every stage for logits already ranked.
    fn from_ranked(ranked: &Ranked, params: &SamplingParams) -> Self {
        let params = params.validated();
        let Ranked { order, sorted, raw } = ranked;
        let n = order.len();

        // Temperature stage, as weights relative to rank 0 (weight 1) and their prefix sums.
        let greedy = params.temperature == 0.0;
        let temp = if greedy {
            filters::Weights::one_hot(n)
        } else if params.temperature == 1.0 {
            raw.clone()
        } else {
            filters::Weights::new(sorted, f64::from(params.temperature))
        };
        let prefix = filters::prefix_sums(&temp.exp);
        // llama.cpp filters the untempered distribution; temperature then reshapes the survivors.
        let raw_prefix;
        let (filter, filter_prefix) = match params.order {
            StageOrder::LlamaCpp if !greedy && params.temperature != 1.0 => {
                raw_prefix = filters::prefix_sums(&raw.exp);
                (raw, raw_prefix.as_slice())
            }
            _ => (&temp, prefix.as_slice()),
        };

        // Each stage keeps a prefix of the ranks.
        let lens = StageLengths::new(filter, filter_prefix, &params, n);
        let weights = StageWeights {
            raw,
            temp: &temp,
            prefix: &prefix,
            filter,
            filter_prefix,
            greedy,
        };
        let (candidates, entropy_raw, entropy_final) = lens.candidates(order, sorted, &weights);

        Self {
            params,
            candidates,
            entropy_raw: entropy_raw.max(0.0),
            entropy_final: entropy_final.max(0.0),
            kept: lens.min_p,
        }
    }

    /// `exp(entropy_raw)`: the number of equally likely tokens with the same uncertainty
    /// (the perplexity of this one position).
    pub fn effective_choices_raw(&self) -> f64 {
        self.entropy_raw.exp()
    }

    /// `exp(entropy_final)`, after every stage.
    pub fn effective_choices_final(&self) -> f64 {
        self.entropy_final.exp()
    }

    /// `(raw, final)` probability mass of the ranks `>= shown` (what a table of the top `shown`
    /// rows leaves out).
    pub fn mass_beyond(&self, shown: usize) -> (f64, f64) {
        let tail = self.candidates.get(shown..).unwrap_or_default();
        tail.iter().fold((0.0, 0.0), |(raw, fin), c| {
            (raw + c.prob, fin + c.final_prob)
        })
    }

    /// The rank of token `id`, `None` when it is outside the vocabulary. Linear in its size.
    pub fn rank_of(&self, id: u32) -> Option<usize> {
        self.candidates.iter().position(|c| c.id == id)
    }

    /// The candidate of token `id`. Linear in the vocabulary size.
    pub fn candidate(&self, id: u32) -> Option<&Candidate> {
        self.rank_of(id).map(|rank| &self.candidates[rank])
    }

    /// The most likely token (rank 0), which every stage keeps.
    pub fn greedy(&self) -> &Candidate {
        &self.candidates[0]
    }

    /// Whether the temperature is 0, so every draw returns [`Distribution::greedy`].
    pub fn is_greedy(&self) -> bool {
        self.params.temperature == 0.0
    }

    /// How many candidates are left after `stage` (they are ranks `0..kept_after(stage)`), for
    /// the cut lines of the UI. `Stage::Greedy` stands for the temperature stage: the whole
    /// vocabulary, or 1 when greedy.
    pub fn kept_after(&self, stage: Stage) -> usize {
        self.candidates
            .partition_point(|c| c.cut_by.is_none_or(|cut| cut.position() > stage.position()))
    }
}
