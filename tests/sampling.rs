//! Behaviour of `tokenscope::sampling`: cases with answers you can check by hand, then
//! properties over random logits (including a comparison with a naive reference written
//! independently below), then an `#[ignore]`d timing check:
//! `cargo test --release --test sampling -- --ignored --nocapture`.

use std::time::Instant;

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokenscope::sampling::{
    Candidate, Distribution, SamplingParams, Stage, StageOrder, TOP_P_TOLERANCE, uniform,
};

/// Probabilities from f32 logits such as `ln 3` are exact only to about 1e-8.
const F32_TOL: f64 = 1e-7;

fn params(temperature: f32, top_k: usize, top_p: f32, min_p: f32) -> SamplingParams {
    SamplingParams {
        temperature,
        top_k,
        top_p,
        min_p,
        seed: 7,
        order: Default::default(),
    }
}

fn dist(logits: &[f32], params: SamplingParams) -> Distribution {
    Distribution::new(logits, &params)
}

fn by_id(d: &Distribution, id: u32) -> &Candidate {
    d.candidates
        .iter()
        .find(|c| c.id == id)
        .expect("id in vocabulary")
}

fn ids(d: &Distribution) -> Vec<u32> {
    d.candidates.iter().map(|c| c.id).collect()
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "{actual} != {expected} (±{tol})"
    );
}

#[track_caller]
fn assert_all_close(actual: impl IntoIterator<Item = f64>, expected: &[f64], tol: f64) {
    let actual: Vec<f64> = actual.into_iter().collect();
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() <= tol, "{actual:?} != {expected:?} (±{tol})");
    }
}

fn ln(x: f32) -> f32 {
    x.ln()
}

// ---------------------------------------------------------------------------------------------
// Hand-checkable cases
// ---------------------------------------------------------------------------------------------

#[test]
fn raw_probabilities_of_0_ln2_ln3_are_one_sixth_two_sixths_three_sixths() {
    let d = dist(&[0.0, ln(2.0), ln(3.0)], SamplingParams::default());
    assert_eq!(ids(&d), vec![2, 1, 0]);
    let expected = [3.0 / 6.0, 2.0 / 6.0, 1.0 / 6.0];
    assert_all_close(d.candidates.iter().map(|c| c.prob), &expected, F32_TOL);
    let ln_expected: Vec<f64> = expected.iter().map(|p| p.ln()).collect();
    assert_all_close(
        d.candidates.iter().map(|c| c.logprob),
        &ln_expected,
        F32_TOL,
    );
    // T = 1 and no filters: every stage equals the raw distribution.
    for c in &d.candidates {
        for p in [c.temp_prob, c.top_k_prob, c.top_p_prob, c.final_prob] {
            assert_close(p, c.prob, 1e-15);
        }
        assert!(c.kept && c.cut_by.is_none());
    }
    assert_eq!(d.kept, 3);
    assert_all_close(
        d.candidates.iter().map(|c| c.cumulative),
        &[0.5, 5.0 / 6.0, 1.0],
        F32_TOL,
    );
    let entropy = 0.5 * 2f64.ln() + 3f64.ln() / 3.0 + 6f64.ln() / 6.0;
    assert_close(d.entropy_raw, entropy, F32_TOL);
    assert_close(d.entropy_final, entropy, F32_TOL);
}

#[test]
fn temperature_two_takes_the_square_root_of_the_odds() {
    // logits / 2 = [0, ln 2] → 1/3, 2/3; the raw distribution stays 1/5, 4/5.
    let d = dist(&[0.0, ln(4.0)], params(2.0, 0, 1.0, 0.0));
    assert_eq!(ids(&d), vec![1, 0]);
    assert_all_close(
        d.candidates.iter().map(|c| c.temp_prob),
        &[2.0 / 3.0, 1.0 / 3.0],
        F32_TOL,
    );
    assert_all_close(
        d.candidates.iter().map(|c| c.final_prob),
        &[2.0 / 3.0, 1.0 / 3.0],
        F32_TOL,
    );
    assert_all_close(d.candidates.iter().map(|c| c.prob), &[0.8, 0.2], F32_TOL);
    // And T = 0.5 squares them: [0, ln 2] → [0, ln 4] → 4/5, 1/5.
    let d = dist(&[0.0, ln(2.0)], params(0.5, 0, 1.0, 0.0));
    assert_all_close(
        d.candidates.iter().map(|c| c.temp_prob),
        &[0.8, 0.2],
        F32_TOL,
    );
}

#[test]
fn top_k_two_keeps_the_two_best_and_renormalises() {
    let d = dist(&[0.0, ln(2.0), ln(3.0)], params(1.0, 2, 1.0, 0.0));
    assert_all_close(
        d.candidates.iter().map(|c| c.top_k_prob),
        &[0.6, 0.4, 0.0],
        F32_TOL,
    );
    assert_all_close(
        d.candidates.iter().map(|c| c.final_prob),
        &[0.6, 0.4, 0.0],
        F32_TOL,
    );
    assert_all_close(
        d.candidates.iter().map(|c| c.temp_prob),
        &[0.5, 1.0 / 3.0, 1.0 / 6.0],
        F32_TOL,
    );
    let cut = by_id(&d, 0);
    assert_eq!(
        (cut.kept, cut.cut_by, cut.top_p_prob),
        (false, Some(Stage::TopK), 0.0)
    );
    assert_eq!((d.kept, d.kept_after(Stage::TopK)), (2, 2));
    let (raw, fin) = d.mass_beyond(2);
    assert_close(raw, 1.0 / 6.0, F32_TOL);
    assert_eq!(fin, 0.0);
}

#[test]
fn top_k_breaks_ties_by_the_lower_id() {
    let d = dist(&[1.0, 1.0, 1.0, 1.0], params(1.0, 2, 1.0, 0.0));
    assert_eq!(ids(&d), vec![0, 1, 2, 3]);
    assert_eq!(
        d.candidates.iter().map(|c| c.kept).collect::<Vec<_>>(),
        [true, true, false, false]
    );
    assert_all_close(
        d.candidates.iter().map(|c| c.final_prob),
        &[0.5, 0.5, 0.0, 0.0],
        1e-15,
    );
}

#[test]
fn top_p_exactly_on_a_boundary_keeps_the_token_that_reaches_it() {
    // Four equal logits: cumulative masses 0.25, 0.5, 0.75, 1 are exact.
    let logits = [0.0, 0.0, 0.0, 0.0, f32::NEG_INFINITY];
    let kept = |top_p: f32| dist(&logits, params(1.0, 0, top_p, 0.0)).kept;
    assert_eq!(kept(0.5), 2);
    assert_eq!(kept(0.75), 3);
    assert_eq!(kept(0.25), 1);
    assert_eq!(kept(0.501), 3);
    assert_eq!(kept(0.499), 2);
    assert_eq!(kept(0.0), 1); // always at least one
    let d = dist(&logits, params(1.0, 0, 0.5, 0.0));
    assert_eq!(
        d.candidates.iter().map(|c| c.cut_by).collect::<Vec<_>>(),
        [
            None,
            None,
            Some(Stage::TopP),
            Some(Stage::TopP),
            Some(Stage::TopP)
        ]
    );
    assert_all_close(
        d.candidates.iter().map(|c| c.top_p_prob),
        &[0.5, 0.5, 0.0, 0.0, 0.0],
        0.0,
    );
}

#[test]
fn top_p_acts_on_the_renormalised_top_k_distribution() {
    // Raw 1/2, 1/3, 1/6; after top-k 2: 0.6, 0.4. The first token alone reaches 0.55 only
    // after renormalising.
    let d = dist(&[0.0, ln(2.0), ln(3.0)], params(1.0, 2, 0.55, 0.0));
    assert_eq!((d.kept, d.greedy().id), (1, 2));
    assert_eq!(by_id(&d, 1).cut_by, Some(Stage::TopP));
    assert_eq!(by_id(&d, 0).cut_by, Some(Stage::TopK));
}

#[test]
fn temperature_is_applied_before_top_p_and_min_p() {
    // 0.6 / 0.3 / 0.1. At T = 1 the first token reaches top-p 0.55 on its own; at T = 3 the
    // distribution is ∝ ∛0.6, ∛0.3, ∛0.1 ≈ 0.427, 0.339, 0.235 and the nucleus needs two.
    let logits = [ln(0.6), ln(0.3), ln(0.1)];
    assert_eq!(dist(&logits, params(1.0, 0, 0.55, 0.0)).kept, 1);
    let hot = dist(&logits, params(3.0, 0, 0.55, 0.0));
    assert_eq!(hot.kept, 2);
    let roots = [0.6f64.cbrt(), 0.3f64.cbrt(), 0.1f64.cbrt()];
    let expected = roots.map(|r| r / roots.iter().sum::<f64>());
    assert_all_close(
        hot.candidates.iter().map(|c| c.temp_prob),
        &expected,
        F32_TOL,
    );
    // min-p 0.4 cuts a token at 0.3 × the top at T = 1, but not at T = 2 (√0.3 ≈ 0.548).
    let logits = [0.0, ln(0.3)];
    assert_eq!(dist(&logits, params(1.0, 0, 1.0, 0.4)).kept, 1);
    assert_eq!(dist(&logits, params(2.0, 0, 1.0, 0.4)).kept, 2);
}

#[test]
fn min_p_drops_tokens_below_min_p_times_the_top_probability() {
    // Probabilities ∝ 1, 1/2, 1/4, 1/8.
    let logits = [0.0, ln(0.5), ln(0.25), ln(0.125)];
    let d = dist(&logits, params(1.0, 0, 1.0, 0.3));
    assert_eq!(d.kept, 2);
    assert_all_close(
        d.candidates.iter().map(|c| c.final_prob),
        &[2.0 / 3.0, 1.0 / 3.0, 0.0, 0.0],
        F32_TOL,
    );
    assert_eq!(
        d.candidates.iter().map(|c| c.cut_by).collect::<Vec<_>>(),
        [None, None, Some(Stage::MinP), Some(Stage::MinP)]
    );
    assert_eq!(dist(&logits, params(1.0, 0, 1.0, 0.2)).kept, 3);
    assert_eq!(dist(&logits, params(1.0, 0, 1.0, 0.1)).kept, 4);
    // Exactly on the threshold is kept: min-p 1 keeps the tokens tied with the top one.
    let d = dist(&[0.0, 0.0, -1.0], params(1.0, 0, 1.0, 1.0));
    assert_eq!(d.kept, 2);
    assert_eq!(d.candidates[2].cut_by, Some(Stage::MinP));
}

#[test]
fn kept_after_gives_the_cut_line_of_each_stage() {
    // Eight equal logits: top-k 6 → 6, top-p 0.5 (of 6) → 3, min-p 0.5 → all 3 pass.
    let d = dist(&[0.0; 8], params(1.0, 6, 0.5, 0.5));
    let lines: Vec<usize> = [Stage::Greedy, Stage::TopK, Stage::TopP, Stage::MinP]
        .map(|s| d.kept_after(s))
        .to_vec();
    assert_eq!(lines, [8, 6, 3, 3]);
    assert_eq!(d.kept, 3);
    let cuts: Vec<Option<Stage>> = d.candidates.iter().map(|c| c.cut_by).collect();
    let (p, k) = (Some(Stage::TopP), Some(Stage::TopK));
    assert_eq!(cuts, [None, None, None, p, p, p, k, k]);
    // A min-p cut after a top-p cut: probabilities ∝ 1, 1, 1, e^-3 (≈ 0.05), …
    let d = dist(
        &[0.0, 0.0, 0.0, -3.0, -3.0, -9.0],
        params(1.0, 0, 0.99, 0.1),
    );
    let lines: Vec<usize> = [Stage::Greedy, Stage::TopK, Stage::TopP, Stage::MinP]
        .map(|s| d.kept_after(s))
        .to_vec();
    assert_eq!(lines, [6, 6, 5, 3]);
}

#[test]
fn temperature_zero_is_greedy() {
    let logits = [0.5, 3.0, -1.0, 3.0, 2.9];
    for t in [0.0, -1.0, f32::NAN] {
        let d = dist(&logits, params(t, 3, 0.9, 0.05));
        assert!(d.is_greedy());
        assert_eq!(d.params.temperature, 0.0);
        assert_eq!(d.greedy().id, 1); // tie with id 3: the lower id wins
        assert_eq!(d.kept, 1);
        for stage in [Stage::Greedy, Stage::TopK, Stage::TopP, Stage::MinP] {
            assert_eq!(d.kept_after(stage), 1);
        }
        let g = d.greedy();
        assert_eq!(
            (g.temp_prob, g.top_k_prob, g.top_p_prob, g.final_prob),
            (1.0, 1.0, 1.0, 1.0)
        );
        for c in &d.candidates[1..] {
            assert_eq!(
                (c.temp_prob, c.final_prob, c.cut_by),
                (0.0, 0.0, Some(Stage::Greedy))
            );
        }
        assert_eq!(d.entropy_final, 0.0);
        assert_eq!(d.effective_choices_final(), 1.0);
        // The raw distribution is still reported.
        assert_close(d.greedy().prob, by_id(&d, 3).prob, 0.0);
        assert!(d.greedy().prob < 0.5);
        for u in [0.0, 0.3, 0.999_999] {
            assert_eq!(d.draw(u).id, 1);
        }
        for step in 0..50 {
            assert_eq!(d.sample(step).id, 1);
        }
    }
}

#[test]
fn entropy_of_a_uniform_distribution_is_ln_n() {
    let d = dist(&[2.5; 7], SamplingParams::default());
    assert_close(d.entropy_raw, 7f64.ln(), 1e-12);
    assert_close(d.effective_choices_raw(), 7.0, 1e-9);
    assert_close(d.entropy_final, 7f64.ln(), 1e-12);
    let d = dist(&[2.5; 7], params(0.7, 3, 1.0, 0.0));
    assert_close(d.entropy_raw, 7f64.ln(), 1e-12);
    assert_close(d.entropy_final, 3f64.ln(), 1e-12);
    assert_close(d.effective_choices_final(), 3.0, 1e-9);
}

#[test]
fn draws_at_and_around_cumulative_boundaries() {
    // Exact cumulative bar 0.25 | 0.5 | 0.75 | 1.
    let d = dist(&[0.0; 4], SamplingParams::default());
    let at = |u: f64| {
        let draw = d.draw(u);
        (draw.rank, draw.cum_before, draw.cum_after)
    };
    assert_eq!(at(0.0), (0, 0.0, 0.25));
    assert_eq!(at(0.25_f64.next_down()), (0, 0.0, 0.25));
    assert_eq!(at(0.25), (1, 0.25, 0.5)); // [cum_before, cum_after): a boundary belongs above
    assert_eq!(at(0.25_f64.next_up()), (1, 0.25, 0.5));
    assert_eq!(at(0.75), (3, 0.75, 1.0));
    assert_eq!(at(1.0_f64.next_down()), (3, 0.75, 1.0));

    // 1/2 | 1/3 | 1/6, at the boundaries as computed.
    let d = dist(&[0.0, ln(2.0), ln(3.0)], SamplingParams::default());
    let first = d.candidates[0].cumulative;
    assert_close(first, 0.5, F32_TOL);
    assert_eq!(d.draw(first.next_down()).id, 2);
    assert_eq!(d.draw(first).id, 1);
    assert_eq!(d.draw(first.next_up()).id, 1);
    let second = d.candidates[1].cumulative;
    assert_eq!(d.draw(second.next_down()).id, 1);
    assert_eq!(d.draw(second).id, 0);
    let draw = d.draw(0.9);
    assert_eq!(
        (draw.u, draw.rank, draw.id, draw.cum_before, draw.cum_after),
        (0.9, 2, 0, second, 1.0)
    );

    // Cut candidates are never drawn: with top-k 2 the bar is 0.5 | 1.
    let d = dist(&[0.0; 4], params(1.0, 2, 1.0, 0.0));
    assert_eq!(d.draw(0.75).rank, 1);
    assert_eq!(d.draw(1.0_f64.next_down()).rank, 1);
    assert_eq!(d.candidates[3].cumulative, 1.0);
}

#[test]
fn sample_draws_the_uniform_of_its_step_reproducibly() {
    let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin() * 4.0).collect();
    let p = params(0.9, 20, 0.95, 0.02);
    let a = dist(&logits, p);
    let b = dist(&logits, p);
    for step in 0..100 {
        assert_eq!(a.sample(step), a.draw(uniform(p.seed, step)));
        assert_eq!(a.sample(step), b.sample(step));
    }
    // Pinned: if this changes (e.g. a rand/rand_chacha upgrade), saved replays change too.
    assert_eq!(uniform(42, 0), uniform(42, 0));
    assert_ne!(uniform(42, 0), uniform(42, 1));
    assert_ne!(uniform(42, 0), uniform(43, 0));
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    rng.set_stream(5);
    assert_eq!(uniform(42, 5), rng.random::<f64>());
    assert_eq!(uniform(42, 0), PINNED_UNIFORM_42_0);
}

/// `uniform(42, 0)` as first computed (rand 0.9.5, rand_chacha 0.9.0).
const PINNED_UNIFORM_42_0: f64 = 0.6818961923066714;

#[test]
fn rank_of_candidate_and_mass_beyond() {
    let d = dist(&[0.0, ln(2.0), ln(3.0)], params(1.0, 1, 1.0, 0.0));
    assert_eq!(
        [0, 1, 2, 3].map(|id| d.rank_of(id)),
        [Some(2), Some(1), Some(0), None]
    );
    assert_eq!(d.candidate(1).map(|c| c.rank), Some(1));
    let (raw, fin) = d.mass_beyond(1);
    assert_close(raw, 0.5, F32_TOL);
    assert_eq!(fin, 0.0);
    assert_eq!(d.mass_beyond(0).1, 1.0);
    assert_eq!(d.mass_beyond(3), (0.0, 0.0));
    assert_eq!(d.mass_beyond(100), (0.0, 0.0));
}

#[test]
fn out_of_range_parameters_are_clamped() {
    let logits = [0.0, 1.0, 2.0, 3.0];
    let d = dist(&logits, params(1.0, 0, 1.5, 0.0));
    assert_eq!((d.params.top_p, d.kept), (1.0, 4));
    let d = dist(&logits, params(1.0, 0, -0.5, 0.0));
    assert_eq!((d.params.top_p, d.kept), (0.0, 1));
    let d = dist(&logits, params(1.0, 0, f32::NAN, f32::NAN));
    assert_eq!((d.params.top_p, d.params.min_p, d.kept), (1.0, 0.0, 4));
    let d = dist(&logits, params(1.0, 0, 1.0, 2.0));
    assert_eq!((d.params.min_p, d.kept), (1.0, 1));
    let d = dist(&logits, params(1.0, 0, 1.0, -1.0));
    assert_eq!((d.params.min_p, d.kept), (0.0, 4));
    let d = dist(&logits, params(1.0, 99, 1.0, 0.0));
    assert_eq!((d.params.top_k, d.kept), (99, 4));
    // An infinite temperature flattens every finite logit to the same probability.
    let d = dist(
        &[0.0, 5.0, -5.0, f32::NEG_INFINITY],
        params(f32::INFINITY, 0, 1.0, 0.0),
    );
    assert_eq!(d.params.temperature, f32::MAX);
    assert_all_close(
        d.candidates.iter().map(|c| c.temp_prob),
        &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0],
        1e-12,
    );
    assert!(
        SamplingParams {
            temperature: -2.0,
            ..Default::default()
        }
        .is_greedy()
    );
    assert!(!SamplingParams::default().is_greedy());
}

#[test]
fn non_finite_logits() {
    // NaN counts as −∞.
    let d = dist(
        &[f32::NAN, 1.0, f32::NEG_INFINITY, 1.0],
        SamplingParams::default(),
    );
    assert_eq!(ids(&d), vec![1, 3, 0, 2]);
    assert_all_close(
        d.candidates.iter().map(|c| c.prob),
        &[0.5, 0.5, 0.0, 0.0],
        1e-15,
    );
    assert_eq!(by_id(&d, 0).logit, f32::NEG_INFINITY);
    assert_eq!(by_id(&d, 0).logprob, f64::NEG_INFINITY);
    assert_close(d.entropy_raw, 2f64.ln(), 1e-15);
    assert!(
        d.candidates
            .iter()
            .all(|c| !c.prob.is_nan() && !c.final_prob.is_nan())
    );
    // +∞ logits share all the mass.
    let d = dist(
        &[f32::INFINITY, 0.0, f32::INFINITY],
        params(0.5, 0, 1.0, 0.1),
    );
    assert_eq!(ids(&d), vec![0, 2, 1]);
    assert_all_close(
        d.candidates.iter().map(|c| c.final_prob),
        &[0.5, 0.5, 0.0],
        0.0,
    );
    assert_eq!(d.candidates[2].cut_by, Some(Stage::MinP));
    // All −∞: uniform rather than NaN.
    let d = dist(&[f32::NEG_INFINITY; 4], SamplingParams::default());
    assert_all_close(d.candidates.iter().map(|c| c.final_prob), &[0.25; 4], 0.0);
}

#[test]
fn a_single_token_vocabulary() {
    let d = dist(&[-3.0], params(0.7, 5, 0.1, 0.9));
    assert_eq!(
        (d.kept, d.greedy().final_prob, d.entropy_final),
        (1, 1.0, 0.0)
    );
    assert_eq!(d.draw(0.99).id, 0);
}

#[test]
#[should_panic(expected = "at least one logit")]
fn empty_logits_panic() {
    let _ = Distribution::new(&[], &SamplingParams::default());
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Mostly spread values, some small integers so that ties happen.
fn logits_strategy() -> impl Strategy<Value = Vec<f32>> {
    let logit = prop_oneof![4 => -30.0f32..30.0, 1 => (-4i8..=4).prop_map(f32::from)];
    prop::collection::vec(logit, 1..300)
}

fn params_strategy() -> impl Strategy<Value = SamplingParams> {
    (
        prop_oneof![1 => Just(0.0f32), 1 => Just(1.0), 4 => 0.05f32..4.0],
        prop_oneof![1 => Just(0usize), 2 => 1usize..50, 1 => 50usize..400],
        prop_oneof![1 => Just(1.0f32), 1 => Just(0.5), 3 => 0.0f32..1.0],
        prop_oneof![2 => Just(0.0f32), 2 => 0.0f32..0.6, 1 => Just(1.0)],
        any::<u64>(),
    )
        .prop_map(|(temperature, top_k, top_p, min_p, seed)| SamplingParams {
            temperature,
            top_k,
            top_p,
            min_p,
            seed,
            order: if seed % 2 == 0 {
                StageOrder::Hf
            } else {
                StageOrder::LlamaCpp
            },
        })
}

/// The stages computed the obvious way, per token id, with boolean masks: an independent check.
struct Reference {
    prob: Vec<f64>,
    temp: Vec<f64>,
    top_k: Vec<f64>,
    top_p: Vec<f64>,
    fin: Vec<f64>,
    kept: Vec<bool>,
}

fn softmax(xs: &[f64]) -> Vec<f64> {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = xs.iter().map(|x| (x - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

fn renormalise(probs: &[f64], keep: &[bool]) -> Vec<f64> {
    let sum: f64 = probs
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| p)
        .sum();
    probs
        .iter()
        .zip(keep)
        .map(|(p, k)| if *k { p / sum } else { 0.0 })
        .collect()
}

fn reference(logits: &[f32], p: &SamplingParams) -> Reference {
    let n = logits.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| logits[b].partial_cmp(&logits[a]).unwrap().then(a.cmp(&b)));
    let wide: Vec<f64> = logits.iter().map(|&x| f64::from(x)).collect();
    let prob = softmax(&wide);
    let temp = if p.temperature <= 0.0 {
        let mut one_hot = vec![0.0; n];
        one_hot[order[0]] = 1.0;
        one_hot
    } else {
        let t = f64::from(p.temperature);
        softmax(&wide.iter().map(|x| x / t).collect::<Vec<_>>())
    };
    // llama.cpp's order filters the untempered distribution and applies temperature last.
    let llama = p.order == StageOrder::LlamaCpp && p.temperature > 0.0;
    let filtered = if llama { &prob } else { &temp };
    let mut keep = vec![true; n];
    if p.top_k > 0 {
        for &id in order.iter().skip(p.top_k) {
            keep[id] = false;
        }
    }
    let top_k = renormalise(filtered, &keep);
    if p.top_p < 1.0 {
        let (mut cum, mut reached) = (0.0, false);
        for &id in &order {
            if !keep[id] {
                continue;
            }
            if reached {
                keep[id] = false;
            } else {
                cum += top_k[id];
                reached = cum >= f64::from(p.top_p) - TOP_P_TOLERANCE;
            }
        }
    }
    let top_p = renormalise(&top_k, &keep);
    if p.min_p > 0.0 {
        let max = top_p.iter().copied().fold(0.0, f64::max);
        for id in 0..n {
            keep[id] &= top_p[id] >= f64::from(p.min_p) * max;
        }
    }
    let fin = renormalise(if llama { &temp } else { &top_p }, &keep);
    Reference {
        prob,
        temp,
        top_k,
        top_p,
        fin,
        kept: keep,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_stage_sums_to_one(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        let sum = |f: fn(&Candidate) -> f64| d.candidates.iter().map(f).sum::<f64>();
        for (name, total) in [
            ("raw", sum(|c| c.prob)),
            ("temperature", sum(|c| c.temp_prob)),
            ("top-k", sum(|c| c.top_k_prob)),
            ("top-p", sum(|c| c.top_p_prob)),
            ("final", sum(|c| c.final_prob)),
        ] {
            prop_assert!((total - 1.0).abs() <= 1e-9, "{name} sums to {total}");
        }
        for c in &d.candidates {
            prop_assert!((c.logprob.exp() - c.prob).abs() <= 1e-12 * c.prob.max(1e-300));
            prop_assert!((0.0..=1.0).contains(&c.final_prob));
            prop_assert!(c.kept || c.final_prob == 0.0);
        }
        prop_assert!(d.entropy_raw >= 0.0 && d.entropy_final >= 0.0);
        prop_assert!(d.entropy_raw <= (logits.len() as f64).ln() + 1e-9);
    }

    #[test]
    fn matches_the_naive_reference(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        let r = reference(&logits, &p);
        for c in &d.candidates {
            let id = c.id as usize;
            for (stage, got, want) in [
                ("raw", c.prob, r.prob[id]),
                ("temperature", c.temp_prob, r.temp[id]),
                ("top-k", c.top_k_prob, r.top_k[id]),
                ("top-p", c.top_p_prob, r.top_p[id]),
                ("final", c.final_prob, r.fin[id]),
            ] {
                prop_assert!((got - want).abs() <= 1e-9, "{stage} of id {id}: {got} vs {want}");
            }
            if p.temperature > 0.0 {
                prop_assert_eq!(c.kept, r.kept[id], "kept flag of id {}", id);
            }
        }
    }

    #[test]
    fn ranks_are_a_permutation_sorted_by_logit(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        prop_assert_eq!(d.candidates.len(), logits.len());
        let mut seen: Vec<u32> = ids(&d);
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..logits.len() as u32).collect::<Vec<_>>());
        for (rank, c) in d.candidates.iter().enumerate() {
            prop_assert_eq!(c.rank, rank);
            prop_assert_eq!(c.logit, logits[c.id as usize]);
            prop_assert_eq!(d.rank_of(c.id), Some(rank));
        }
        for pair in d.candidates.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            prop_assert!(a.logit > b.logit || (a.logit == b.logit && a.id < b.id));
        }
        prop_assert_eq!(d.greedy().rank, 0);
    }

    #[test]
    fn top_k_keeps_at_most_k(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        if p.top_k > 0 {
            prop_assert!(d.kept <= p.top_k);
            prop_assert!(d.candidates.iter().filter(|c| c.top_k_prob > 0.0).count() <= p.top_k);
            if !d.is_greedy() {
                prop_assert_eq!(d.kept_after(Stage::TopK), p.top_k.min(logits.len()));
            }
        }
    }

    #[test]
    fn top_p_keeps_the_smallest_set_reaching_p(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        let top_p = f64::from(p.top_p);
        let kept = d.kept_after(Stage::TopP);
        prop_assert!(kept >= 1 && kept <= d.kept_after(Stage::TopK));
        if !d.is_greedy() && top_p < 1.0 {
            let mass = |len: usize| d.candidates[..len].iter().map(|c| c.top_k_prob).sum::<f64>();
            prop_assert!(mass(kept) >= top_p - TOP_P_TOLERANCE - 1e-12, "{} < {}", mass(kept), top_p);
            if kept > 1 {
                prop_assert!(mass(kept - 1) < top_p, "{} tokens already reach {}", kept - 1, top_p);
            }
        }
    }

    #[test]
    fn min_p_keeps_only_tokens_near_the_top(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        let min_p = f64::from(p.min_p);
        // HF order: relative to the temperature stage; llama.cpp order: to the raw distribution
        // (ratios do not change when renormalising).
        let seen = |c: &Candidate| match p.order {
            StageOrder::Hf => c.temp_prob,
            StageOrder::LlamaCpp => c.prob,
        };
        let top = seen(d.greedy());
        prop_assert!(d.greedy().kept);
        if !d.is_greedy() && min_p > 0.0 {
            for c in &d.candidates {
                if c.kept {
                    prop_assert!(seen(c) >= min_p * top * (1.0 - 1e-12), "rank {} kept", c.rank);
                }
                if c.cut_by == Some(Stage::MinP) {
                    prop_assert!(seen(c) < min_p * top * (1.0 + 1e-12), "rank {} cut", c.rank);
                }
            }
        }
    }

    #[test]
    fn stages_cut_nested_prefixes(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        let lines = [Stage::Greedy, Stage::TopK, Stage::TopP, Stage::MinP].map(|s| d.kept_after(s));
        prop_assert!(lines.windows(2).all(|w| w[0] >= w[1]), "{:?}", lines);
        prop_assert_eq!(lines[3], d.kept);
        prop_assert!(d.kept >= 1);
        for c in &d.candidates {
            prop_assert_eq!(c.kept, c.rank < d.kept);
            prop_assert_eq!(c.kept, c.cut_by.is_none());
            if !c.kept {
                prop_assert_eq!(c.final_prob, 0.0);
            }
        }
    }

    #[test]
    fn cumulative_is_monotone_and_ends_at_one(logits in logits_strategy(), p in params_strategy()) {
        let d = Distribution::new(&logits, &p);
        let mut running = 0.0;
        for c in &d.candidates {
            running += c.final_prob;
            prop_assert!((c.cumulative - running).abs() <= 1e-9);
        }
        prop_assert!(d.candidates.windows(2).all(|w| w[0].cumulative <= w[1].cumulative));
        prop_assert!(d.candidates[d.kept - 1..].iter().all(|c| c.cumulative == 1.0));
    }

    #[test]
    fn a_draw_lands_on_a_kept_candidate(
        logits in logits_strategy(),
        p in params_strategy(),
        us in prop::collection::vec(0.0f64..1.0, 1..20),
    ) {
        let d = Distribution::new(&logits, &p);
        // Random numbers, plus every boundary of the cumulative bar and the ends.
        let boundaries = d.candidates[..d.kept].iter().map(|c| c.cumulative).filter(|&b| b < 1.0);
        let all: Vec<f64> = us.into_iter().chain(boundaries).chain([0.0, 1.0_f64.next_down()]).collect();
        for u in all {
            let draw = d.draw(u);
            let c = &d.candidates[draw.rank];
            prop_assert!(c.kept && c.final_prob > 0.0, "u {} landed on rank {}", u, draw.rank);
            prop_assert_eq!(draw.id, c.id);
            prop_assert_eq!(draw.u, u);
            prop_assert!(draw.cum_before <= u && u < draw.cum_after, "{:?}", draw);
            prop_assert_eq!(draw.cum_after, c.cumulative);
            let before = if draw.rank == 0 { 0.0 } else { d.candidates[draw.rank - 1].cumulative };
            prop_assert_eq!(draw.cum_before, before);
        }
    }

    #[test]
    fn greedy_draws_always_return_the_argmax(logits in logits_strategy(), p in params_strategy(), step in any::<u64>()) {
        let d = Distribution::new(&logits, &SamplingParams { temperature: 0.0, ..p });
        let best = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let argmax = logits.iter().position(|&x| x == best).unwrap() as u32;
        prop_assert_eq!(d.kept, 1);
        prop_assert_eq!(d.sample(step).id, argmax);
        prop_assert_eq!(d.greedy().final_prob, 1.0);
    }

    #[test]
    fn a_temperature_near_zero_keeps_essentially_the_argmax(
        logits in prop::collection::btree_set(-3000i32..3000, 1..300)
            .prop_map(|set| set.into_iter().map(|i| i as f32 / 100.0).collect::<Vec<_>>())
            .prop_shuffle(),
        u in 0.0f64..1.0,
    ) {
        // Distinct logits at least 0.01 apart: at T = 1e-4 the runner-up has weight e^-100.
        let d = Distribution::new(&logits, &params(1e-4, 0, 1.0, 0.0));
        let best = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let argmax = logits.iter().position(|&x| x == best).unwrap() as u32;
        prop_assert_eq!(d.greedy().id, argmax);
        prop_assert!(d.greedy().final_prob > 1.0 - 1e-12);
        prop_assert!(d.entropy_final < 1e-9);
        prop_assert_eq!(d.draw(u).id, argmax);
    }

    #[test]
    fn uniform_is_in_the_unit_interval_and_reproducible(seed in any::<u64>(), step in any::<u64>()) {
        let u = uniform(seed, step);
        prop_assert!((0.0..1.0).contains(&u));
        prop_assert_eq!(u.to_bits(), uniform(seed, step).to_bits());
    }
}

// ---------------------------------------------------------------------------------------------
// Speed
// ---------------------------------------------------------------------------------------------

/// `cargo test --release --test sampling -- --ignored --nocapture speed`
#[test]
#[ignore = "timing; run in release"]
fn speed_for_a_49152_token_vocabulary() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    // Roughly like a real LM head: mostly around -5..5 with a few tokens far above.
    let mut logits: Vec<f32> = (0..49_152)
        .map(|_| (0..4).map(|_| rng.random::<f32>()).sum::<f32>() * 5.0 - 10.0)
        .collect();
    for i in 0..20 {
        logits[i * 997] = 18.0 - i as f32 * 0.3;
    }
    let settings = [
        SamplingParams::default(),
        params(0.8, 40, 0.95, 0.05),
        params(1.3, 0, 0.9, 0.0),
        params(0.0, 0, 1.0, 0.0),
    ];
    for p in settings {
        let mut times: Vec<f64> = (0..40)
            .map(|_| {
                let start = Instant::now();
                let d = Distribution::new(&logits, &p);
                std::hint::black_box(&d);
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let (best, median) = (times[0], times[times.len() / 2]);
        println!(
            "Distribution::new, 49152 logits, {p:?}: median {median:.3} ms, best {best:.3} ms"
        );
        if !cfg!(debug_assertions) {
            // The best of 40 runs, so that a busy machine does not make this flaky.
            assert!(best < 5.0, "best {best} ms");
        }
    }
}
