//! Scripted key sequences against the headless app (`app::Harness`) with the REAL default model
//! (SmolLM2-135M-Instruct, exact float32 on the CPU) answering its requests the way the engine
//! worker does (`common::RealWorker`). Assertions are on the state, the requests sent and the
//! replies given; expected ids and log-probabilities come from the independent reference in
//! `tests/fixtures/reference/` (transformers, float32).

mod common;

use common::keys::{ch, press};
use common::{HarnessExt, RealWorker, fixture, ids};
use crossterm::event::KeyCode;
use tokenscope::app::Harness;
use tokenscope::engine::Request;
use tokenscope::i18n::Lang;
use tokenscope::sampling::{Distribution, SamplingParams};
use tokenscope::state::{Autoplay, Choice, Effect, Mode, Msg, Options, State, StopReason};

const PROMPT: &str = "The capital of France is";
const PROMPT_IDS: [u32; 5] = [504, 3575, 282, 4649, 314];
const PARIS: u32 = 7042;
/// Float32 noise between this engine and the reference (and between batch shapes).
const LOGPROB_TOL: f64 = 1e-3;

/// Temperature 1, no filters, seed 42.
fn params() -> SamplingParams {
    SamplingParams::default()
}

/// A fresh app in Edit mode with the model loaded (nothing typed, so nothing evaluated).
fn started(worker: &RealWorker, options: Options) -> Harness {
    let mut h = Harness::new(State::new(Lang::En, params(), false, options));
    worker.load(&mut h);
    h
}

/// Types `text` key by key, the model answering after every key (a slow typist; every answer
/// costs a forward pass, ~0.15 s on a small CPU).
fn type_slowly(h: &mut Harness, worker: &RealWorker, text: &str) {
    for c in text.chars() {
        h.key(ch(c));
        worker.answer(h);
    }
}

/// Types `text`, then the model answers the newest request (a fast typist).
fn type_text(h: &mut Harness, worker: &RealWorker, text: &str) {
    for c in text.chars() {
        h.key(ch(c));
    }
    worker.answer(h);
}

/// The prompt typed and evaluated, then Esc: Explore mode.
fn exploring(worker: &RealWorker) -> Harness {
    let mut h = started(worker, Options::default());
    type_text(&mut h, worker, PROMPT);
    h.key(press(KeyCode::Esc));
    assert_eq!(h.state.mode, Mode::Explore);
    h
}

fn seq_ids(h: &Harness) -> Vec<u32> {
    h.state.sequence().iter().map(|t| t.token.id).collect()
}

fn dist(h: &Harness) -> Distribution {
    h.state.distribution().expect("a distribution").clone()
}

fn evaluate_count(h: &Harness) -> usize {
    h.effects
        .iter()
        .filter(|e| matches!(e, Effect::Evaluate(_)))
        .count()
}

fn last_continuation(h: &Harness) -> Vec<u32> {
    match h.last_request() {
        Some(Request::Evaluate { continuation, .. }) => continuation.clone(),
        other => panic!("expected an evaluation, got {other:?}"),
    }
}

/// The reference prompt `name` of `reference/greedy.json`.
fn greedy_reference(name: &str) -> serde_json::Value {
    fixture("reference/greedy.json")["prompts"]
        .as_array()
        .expect("prompts")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no greedy reference {name}"))
        .clone()
}

// ── typing ────────────────────────────────────────────────────────────────────────────────

#[test]
fn typing_a_prompt_shows_the_models_next_token() {
    let worker = RealWorker::new();
    let mut h = started(&worker, Options::default());
    type_slowly(&mut h, &worker, PROMPT);
    assert_eq!(h.state.mode, Mode::Edit);
    assert!(h.state.awaiting.is_none());
    assert_eq!(seq_ids(&h), PROMPT_IDS);
    assert_eq!(h.state.prompt_len(), 5);
    assert_eq!(
        worker.last_evaluated().unwrap().2,
        4,
        "the last key only changed the last token"
    );
    let d = dist(&h);
    let top = &d.candidates[0];
    assert_eq!(top.id, PARIS);
    assert_eq!(h.state.token_view(top.id).text, " Paris");
    let reference = greedy_reference("capital_france");
    let want = reference["steps"][0]["logprob"].as_f64().unwrap();
    assert!(
        (top.logprob - want).abs() < LOGPROB_TOL,
        "log p(Paris) {} vs reference {want}",
        top.logprob
    );
    // Prompt tokens carry their GLTR rank under the previous position; the first has none.
    let seq = h.state.sequence();
    assert_eq!(seq[0].rank, None);
    assert!(
        seq[1..]
            .iter()
            .all(|t| t.rank.is_some() && t.prob.is_some())
    );
}

#[test]
fn only_the_newest_request_is_answered() {
    let worker = RealWorker::new();
    let mut h = started(&worker, Options::default());
    for c in PROMPT.chars() {
        h.key(ch(c));
    }
    assert_eq!(
        evaluate_count(&h),
        PROMPT.chars().count(),
        "one request per key"
    );
    assert_eq!(
        worker.answer(&mut h),
        1,
        "the worker skips superseded requests"
    );
    assert_eq!(seq_ids(&h), PROMPT_IDS);
    assert_eq!(dist(&h).candidates[0].id, PARIS);
}

#[test]
fn backspace_re_evaluates_and_reuses_the_cache() {
    let worker = RealWorker::new();
    let mut h = started(&worker, Options::default());
    type_text(&mut h, &worker, PROMPT);
    let before = evaluate_count(&h);

    h.key(press(KeyCode::Backspace));
    assert_eq!(
        evaluate_count(&h),
        before + 1,
        "an edit asks the model again"
    );
    match h.last_request() {
        Some(Request::Evaluate { prompt, .. }) => assert_eq!(prompt, "The capital of France i"),
        other => panic!("{other:?}"),
    }
    assert_eq!(worker.answer(&mut h), 1);
    let (prompt_len, len, reused) = worker.last_evaluated().unwrap();
    assert_eq!((prompt_len, len), (5, 5), "\" i\" is one token too");
    assert_eq!(
        reused, 4,
        "\"The capital of France\" came from the KV cache"
    );
    assert_eq!(h.state.eval.as_ref().unwrap().reused, 4);
    assert_eq!(seq_ids(&h)[..4], PROMPT_IDS[..4]);
    assert_ne!(seq_ids(&h)[4], PROMPT_IDS[4]);
    assert_ne!(dist(&h).candidates[0].id, PARIS);

    // Typing the "s" back gives the same tokens and the same distribution again.
    type_text(&mut h, &worker, "s");
    assert_eq!(worker.last_evaluated().unwrap().2, 4);
    assert_eq!(seq_ids(&h), PROMPT_IDS);
    assert_eq!(dist(&h).candidates[0].id, PARIS);
}

// ── generating ────────────────────────────────────────────────────────────────────────────

#[test]
fn a_dice_roll_appends_a_token_with_its_probability() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    let before = dist(&h);
    h.key(ch(' '));
    // Step numbers are sequence indices: the first generated token is index 5.
    let draw = before.sample(5);
    assert_eq!(last_continuation(&h), [draw.id]);
    assert_eq!(worker.answer(&mut h), 1);
    let (_, len, reused) = worker.last_evaluated().unwrap();
    assert_eq!((len, reused), (6, 5), "only the new token was computed");

    let seq = h.state.sequence();
    assert_eq!(seq.len(), 6);
    let t = &seq[5];
    assert!(t.generated && !t.picked && !t.pending);
    assert_eq!(t.token.id, draw.id);
    let c = before.candidate(draw.id).unwrap();
    assert_eq!(t.rank, Some(c.rank as u32));
    let prob = f64::from(t.prob.unwrap());
    assert!(
        (prob - c.prob).abs() < 1e-5,
        "the engine's {prob} vs the distribution's {}",
        c.prob
    );
    assert!(matches!(
        h.state.tree.node(h.state.tree.head()).choice,
        Choice::Sampled { draw: d, .. } if d == draw
    ));
    let roll = h.state.roll.as_ref().expect("the roll is shown");
    assert_eq!(roll.rank, draw.rank);
    assert!(roll.range.0 <= draw.u && draw.u < roll.range.1);
    // The live distribution is now the one after that token.
    assert_eq!(h.state.view.as_ref().unwrap().index, 6);
}

#[test]
fn pick_2_appends_the_second_candidate() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    let second = dist(&h).candidates[1].clone();
    assert_eq!(second.id, 260, "\" the\" is second after \"is\"");
    h.key(ch('2'));
    assert_eq!(h.state.tree.tokens(), [second.id]);
    assert_eq!(worker.answer(&mut h), 1);
    let seq = h.state.sequence();
    let t = &seq[5];
    assert_eq!(t.token.id, second.id);
    assert_eq!(t.rank, Some(1));
    assert!(t.picked);
    assert!((f64::from(t.prob.unwrap()) - second.prob).abs() < 1e-5);
    assert_eq!(
        h.state.tree.node(h.state.tree.head()).choice,
        Choice::Picked { rank: 1 }
    );
}

#[test]
fn undo_and_redo_need_no_model_call() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    h.key(ch('g'));
    for _ in 0..2 {
        h.key(ch(' '));
        assert_eq!(worker.answer(&mut h), 1);
    }
    assert_eq!(h.state.tree.tokens(), [PARIS, 30]);
    let requests = evaluate_count(&h);

    h.key(ch('u'));
    assert_eq!(h.state.tree.tokens(), [PARIS]);
    assert_eq!(seq_ids(&h).len(), 6);
    assert_eq!(
        dist(&h).candidates[0].id,
        30,
        "the live distribution after \" Paris\""
    );
    h.key(ch('u'));
    assert!(h.state.tree.tokens().is_empty());
    assert_eq!(dist(&h).candidates[0].id, PARIS);
    h.key(ch('U'));
    h.key(ch('U'));
    assert_eq!(h.state.tree.tokens(), [PARIS, 30]);
    assert_eq!(
        evaluate_count(&h),
        requests,
        "the last evaluation covers all of it"
    );
    assert!(h.state.awaiting.is_none());
    assert_eq!(
        dist(&h).candidates[0].id,
        198,
        "\"\\n\" follows \" Paris.\""
    );

    h.key(ch('U'));
    assert!(h.state.notice.is_some(), "nothing to redo is said");
    for _ in 0..3 {
        h.key(ch('u'));
    }
    assert!(h.state.tree.tokens().is_empty());
    assert!(h.state.notice.is_some(), "nothing to undo is said");
}

#[test]
fn looking_back_and_picking_another_token_makes_a_branch() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    h.key(ch('g'));
    for _ in 0..3 {
        h.key(ch(' '));
        worker.answer(&mut h);
    }
    let first = h.state.tree.tokens();
    assert_eq!(first, [PARIS, 30, 198]);

    // ← three times: onto the first generated token, " Paris".
    let requests = evaluate_count(&h);
    for _ in 0..3 {
        h.key(press(KeyCode::Left));
    }
    assert_eq!(h.state.look, Some(5));
    assert_eq!(evaluate_count(&h), requests, "looking back is free");
    let view = h.state.view.as_ref().unwrap();
    assert_eq!(view.index, 5);
    assert_eq!(view.actual, Some((PARIS, Some(0))));
    let the = dist(&h).candidates[1].id;

    // Picking rank 2 there replaces " Paris" and everything after it: a second branch.
    h.key(ch('2'));
    assert_eq!(h.state.look, None);
    assert_eq!(h.state.tree.tokens(), [the]);
    assert_eq!(last_continuation(&h), [the]);
    worker.answer(&mut h);
    let fork = h.state.tree.last_fork().expect("a fork");
    assert_eq!(h.state.tree.sibling_position(fork), (2, 2));
    assert_eq!(seq_ids(&h)[5], the);

    // [ goes back to the first branch (down to where it ended), ] forward again.
    h.key(ch('['));
    assert_eq!(h.state.tree.tokens(), first);
    assert_eq!(last_continuation(&h), first);
    assert_eq!(worker.answer(&mut h), 1);
    assert_eq!(
        worker.last_evaluated().unwrap().2,
        5,
        "the prompt is cached"
    );
    assert_eq!(seq_ids(&h)[5..], first);
    assert_eq!(dist(&h).candidates[0].id, 198, "greedy after \"Paris.\\n\"");

    h.key(ch(']'));
    assert_eq!(h.state.tree.tokens(), [the]);
    worker.answer(&mut h);
    assert_eq!(seq_ids(&h)[5..], [the]);
    h.key(ch(']'));
    assert_eq!(h.state.tree.tokens(), first, "] wraps around");
}

#[test]
fn sampling_keys_change_the_distribution_without_a_model_call() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    let requests = evaluate_count(&h);
    let base = dist(&h);
    assert_eq!(base.kept, base.candidates.len(), "no filter yet");

    h.key(ch('t'));
    let cooler = dist(&h);
    assert!(cooler.params.temperature < base.params.temperature);
    assert!(
        cooler.candidates[0].final_prob > base.candidates[0].final_prob,
        "a lower temperature sharpens the distribution"
    );
    h.key(ch('T'));
    h.key(ch('T'));
    let warmer = dist(&h);
    assert!(warmer.params.temperature > base.params.temperature);
    assert!(warmer.candidates[0].final_prob < base.candidates[0].final_prob);
    h.key(ch('t'));

    h.key(ch('p'));
    let nucleus = dist(&h);
    assert!(nucleus.params.top_p < 1.0);
    assert!(nucleus.kept < base.kept);
    let kept: f64 = nucleus.candidates[..nucleus.kept]
        .iter()
        .map(|c| c.prob)
        .sum();
    assert!(kept >= f64::from(nucleus.params.top_p) - 1e-9);

    h.key(ch('g'));
    assert_eq!(dist(&h).kept, 1, "greedy keeps the top token only");

    // The model's own numbers never moved, and nothing was asked of the model.
    for (a, b) in base.candidates.iter().zip(&dist(&h).candidates).take(50) {
        assert_eq!((a.id, a.prob), (b.id, b.prob));
    }
    assert_eq!(evaluate_count(&h), requests);
    assert!(h.state.awaiting.is_none());
}

#[test]
fn the_chat_toggle_wraps_the_prompt_in_the_template() {
    let worker = RealWorker::new();
    let mut h = started(&worker, Options::default());
    let message = "What is the capital of France?";
    type_text(&mut h, &worker, message);
    h.key(press(KeyCode::Esc));
    h.key(ch('c'));
    assert!(h.state.chat);
    match h.last_request() {
        Some(Request::Evaluate { prompt, chat, .. }) => {
            assert_eq!(prompt, message, "the request carries the raw message");
            assert!(*chat);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(worker.answer(&mut h), 1);
    let seq = h.state.sequence();
    assert_eq!(seq[0].token.id, 1);
    assert_eq!(seq[0].token.text, "<|im_start|>");
    assert!(seq[0].token.special);
    // The whole prompt is the reference's rendering of the template.
    let reference = fixture("reference/next_token.json")["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "chat_capital")
        .unwrap()
        .clone();
    assert_eq!(seq_ids(&h), ids(&reference["ids"]));
    assert_eq!(h.state.prompt_len(), 37);

    h.key(ch('c'));
    assert!(!h.state.chat);
    worker.answer(&mut h);
    assert_eq!(seq_ids(&h)[0], 1780, "\"What\" without the template");
    assert!(!h.state.sequence().iter().any(|t| t.token.special));
}

#[test]
fn the_language_switch_changes_the_screen() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("Next token after"), "{screen}");
    h.key(ch('l'));
    assert_eq!(h.state.lang, Lang::PtBr);
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("Próximo token depois de"), "{screen}");
    assert!(!screen.contains("Next token after"), "{screen}");
    assert!(screen.contains("77,25%"), "decimal comma: {screen}");
    h.key(press(KeyCode::F(2)));
    assert_eq!(h.state.lang, Lang::En);
    assert!(h.render(100, 30).to_string().contains("77.25%"));
}

// ── against the reference ─────────────────────────────────────────────────────────────────

#[test]
fn greedy_steps_follow_the_reference_continuation() {
    let worker = RealWorker::new();
    let mut h = exploring(&worker);
    h.key(ch('g'));
    for _ in 0..10 {
        h.key(ch(' '));
        assert_eq!(worker.answer(&mut h), 1);
    }
    let reference = greedy_reference("capital_france");
    let want = ids(&reference["continuation_ids"]);
    assert_eq!(h.state.tree.tokens(), want[..10]);
    assert_eq!(h.state.tree.tokens()[..5], [PARIS, 30, 198, 198, 504]);
    // Every generated token's probability is the reference's.
    let seq = h.state.sequence();
    for (i, t) in seq[5..].iter().enumerate() {
        let want = reference["steps"][i]["logprob"].as_f64().unwrap();
        let got = f64::from(t.prob.unwrap()).ln();
        assert!(
            (got - want).abs() < LOGPROB_TOL,
            "step {i}: {got} vs {want}"
        );
        assert_eq!(t.rank, Some(0));
    }
    let (logp, n) = h.state.generated_logprob();
    let want: f64 = (0..10)
        .map(|i| reference["steps"][i]["logprob"].as_f64().unwrap())
        .sum();
    assert_eq!(n, 10);
    assert!((logp - want).abs() < 10.0 * LOGPROB_TOL, "{logp} vs {want}");
}

#[test]
fn greedy_autoplay_follows_the_reference_and_stops_at_the_limit() {
    let worker = RealWorker::new();
    let options = Options {
        max_new_tokens: 10,
        ..Options::default()
    };
    let mut h = started(&worker, options);
    type_text(&mut h, &worker, PROMPT);
    h.key(press(KeyCode::Esc));
    h.key(ch('g'));
    h.key(ch('a'));
    assert!(matches!(h.state.autoplay, Autoplay::Running { .. }));
    for _ in 0..1000 {
        if !matches!(h.state.autoplay, Autoplay::Running { .. }) {
            break;
        }
        h.send(Msg::Tick);
        worker.answer(&mut h);
    }
    assert_eq!(h.state.autoplay, Autoplay::Stopped(StopReason::Limit));
    let want = ids(&greedy_reference("capital_france")["continuation_ids"]);
    assert_eq!(h.state.tree.tokens(), want[..10]);
}
