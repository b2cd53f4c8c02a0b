//! Whole-screen snapshots (ratatui `TestBackend` + insta) with the REAL default model
//! (SmolLM2-135M-Instruct, exact float32 on the CPU) answering the headless app's requests, the
//! way the engine worker does (`common::RealWorker`). Deterministic: fixed sampling seed, fixed
//! `elapsed` and load time in the replies, an empty KV cache at the start of every test (so the
//! "cached" counts do not depend on test order), and prompts whose top candidates are far apart
//! (probabilities are printed with two decimals, robust to float noise).
//!
//! Create or update with `INSTA_UPDATE=always cargo test --test screens_real`, then read the
//! `.snap` files; the numbers agree with `tokenscope next "<prompt>"`.

mod common;

use common::RealWorker;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::i18n::Lang;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{Mode, Options, State};

const PROMPT: &str = "The capital of France is";

fn ch(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Seed 42, temperature 0.8, top-p 0.9.
fn sampling() -> SamplingParams {
    SamplingParams {
        temperature: 0.8,
        top_k: 0,
        top_p: 0.9,
        min_p: 0.0,
        seed: 42,
    }
}

/// A fresh app with the model loaded, nothing typed yet (Edit mode).
fn started(worker: &RealWorker, lang: Lang, params: SamplingParams) -> Harness {
    let mut h = Harness::new(State::new(lang, params, false, Options::default()));
    assert_eq!(worker.load(&mut h), 0, "nothing to evaluate yet");
    h
}

/// Types `text` key by key, the model answering after every key (a slow typist).
fn type_text(h: &mut Harness, worker: &RealWorker, text: &str) {
    for c in text.chars() {
        h.key(ch(c));
        worker.answer(h);
    }
    assert_eq!(h.state.editor.text(), text);
    assert!(h.state.awaiting.is_none());
}

/// The prompt typed, then Esc and three dice rolls (Space) under seed 42, T 0.8, top-p 0.9.
fn three_steps(worker: &RealWorker, lang: Lang) -> Harness {
    let mut h = started(worker, lang, sampling());
    type_text(&mut h, worker, PROMPT);
    h.key(press(KeyCode::Esc));
    assert_eq!(h.state.mode, Mode::Explore);
    for _ in 0..3 {
        h.key(ch(' '));
        assert_eq!(worker.answer(&mut h), 1);
    }
    assert_eq!(h.state.tree.depth(), 3);
    h
}

#[test]
fn typed_prompt_in_edit_mode_100x30() {
    let worker = RealWorker::new();
    let mut h = started(&worker, Lang::En, SamplingParams::default());
    type_text(&mut h, &worker, PROMPT);
    assert_eq!(h.state.mode, Mode::Edit);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn three_dice_rolls_100x30() {
    let worker = RealWorker::new();
    let mut h = three_steps(&worker, Lang::En);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn three_dice_rolls_80x24() {
    let worker = RealWorker::new();
    let mut h = three_steps(&worker, Lang::En);
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn look_back_on_the_first_generated_token() {
    let worker = RealWorker::new();
    let mut h = three_steps(&worker, Lang::En);
    for _ in 0..3 {
        h.key(press(KeyCode::Left));
    }
    assert_eq!(h.state.look, Some(h.state.prompt_len()));
    assert!(h.state.awaiting.is_none(), "looking back needs no model call");
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn three_dice_rolls_pt_br() {
    let worker = RealWorker::new();
    let mut h = three_steps(&worker, Lang::PtBr);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn chat_template_with_a_user_message() {
    let worker = RealWorker::new();
    let mut h = started(&worker, Lang::En, sampling());
    type_text(&mut h, &worker, "What is the capital of France?");
    h.key(press(KeyCode::Esc));
    h.key(ch('c'));
    assert_eq!(worker.answer(&mut h), 1);
    assert!(h.state.chat);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn help_overlay_over_the_real_model() {
    let worker = RealWorker::new();
    let mut h = three_steps(&worker, Lang::En);
    h.key(ch('?'));
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
#[ignore]
fn zz_margins() {
    fn report(name: &str, h: &Harness) {
        let d = h.state.distribution().unwrap();
        let mut worst = (f64::MAX, String::new());
        for c in d.candidates.iter().take(16) {
            for (what, v) in [("prob", c.prob * 100.0), ("final", c.final_prob * 100.0), ("logit", c.logit as f64)] {
                let x = v * 100.0;
                let dist = ((x - x.floor()) - 0.5).abs();
                if dist < worst.0 { worst = (dist / 100.0, format!("{what} rank {} = {v}", c.rank)); }
            }
        }
        eprintln!("{name}: worst margin {:e} at {}", worst.0, worst.1);
        for c in d.candidates.iter().take(16).collect::<Vec<_>>().windows(2) {
            let gap = c[0].logit - c[1].logit;
            if gap < 0.01 { eprintln!("  near tie ranks {} {}: {gap}", c[0].rank, c[1].rank); }
        }
        if let Some(r) = &h.state.roll { eprintln!("  roll range {:?} u {:?}", r.range, r.choice); }
        eprintln!("  entropies {} {}", d.entropy_raw, d.entropy_final);
    }
    let worker = RealWorker::new();
    let mut h = started(&worker, Lang::En, SamplingParams::default());
    type_text(&mut h, &worker, PROMPT);
    report("typed", &h);
    drop(h);
    let mut h = started(&worker, Lang::En, sampling());
    type_text(&mut h, &worker, PROMPT);
    h.key(press(KeyCode::Esc));
    for _ in 0..3 { h.key(ch(' ')); worker.answer(&mut h); report("step", &h); }
    for _ in 0..3 { h.key(press(KeyCode::Left)); report("look", &h); }
    let mut h = started(&worker, Lang::En, sampling());
    type_text(&mut h, &worker, "What is the capital of France?");
    h.key(press(KeyCode::Esc)); h.key(ch('c')); worker.answer(&mut h);
    report("chat", &h);
}
