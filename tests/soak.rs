//! Headless soak (ignored by default; `scripts/test` runs a short form): the app driven by
//! thousands of random key presses, pastes, resizes and draws at random sizes, with the fake
//! model answering (sometimes late, so stale screens are drawn too). After every step:
//! every shown distribution column sums to 1 ± 1e-6 (raw, tempered and final), and when the
//! evaluation is fresh the prompt's token chips decode back to the prompt text (exactly when
//! the fake vocabulary can spell every character; otherwise dropping only what it cannot, as
//! the fake tokenizer skips unknown characters).
//!
//! `SOAK_STEPS` (default 3000) and `SOAK_SEED` (default 6) choose the run:
//! `SOAK_STEPS=20000 cargo test --test soak -- --ignored --nocapture`.

mod common;

use common::HarnessExt;
use common::fake::FakeModel;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokenscope::action::Action;
use tokenscope::app::Harness;
use tokenscope::engine::Reply;
use tokenscope::i18n::Lang;
use tokenscope::keymap::Context;
use tokenscope::sampling::{Distribution, SamplingParams};
use tokenscope::state::{Msg, Options, State};

/// Characters the fake vocabulary spells on their own (single-character tokens).
const SPELLABLE: [char; 5] = ['e', ' ', '.', '\n', 'ã'];

const PASTES: [&str; 6] = [
    "The capital of France is",
    " Paris. and it has many museums",
    "\n\n",
    "Olá São Paulo 🙂 x",
    " w001 w002 w993",
    "e e e e e e e e e e e e e e e e e e e e e e e e e e e e e e",
];

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A random key press: mostly spellable text, editing keys, mode switches, F-keys, the
/// Explore keys (the lab's included) and, rarely, the quit keys.
fn random_key(rng: &mut ChaCha8Rng) -> KeyEvent {
    const NAMED: [KeyCode; 14] = [
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::Enter,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::BackTab,
    ];
    const EXPLORE: &str = "ie? s123456789uUa+-x[]tTkKpPmMgrRADNn<>vocl#zbyq";
    const CTRL: &str = "nbwukaehdrcq";
    match rng.random_range(0..100) {
        0..40 => key(KeyCode::Char(
            SPELLABLE[rng.random_range(0..SPELLABLE.len())],
        )),
        40..60 => key(NAMED[rng.random_range(0..NAMED.len())]),
        60..64 => key(KeyCode::F([1, 2, 4][rng.random_range(0..3)])),
        64..70 => {
            let c = CTRL.as_bytes()[rng.random_range(0..CTRL.len())] as char;
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
        }
        70..73 => KeyEvent::new(
            [KeyCode::Left, KeyCode::Right, KeyCode::Backspace][rng.random_range(0..3)],
            KeyModifiers::ALT,
        ),
        _ => {
            let c = EXPLORE
                .chars()
                .nth(rng.random_range(0..EXPLORE.len()))
                .unwrap();
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(KeyCode::Char(c), mods)
        }
    }
}

fn random_size(rng: &mut ChaCha8Rng) -> (u16, u16) {
    match rng.random_range(0..10) {
        0 => (1, 1),
        1 => (250, 80),
        2 => (rng.random_range(1..12), rng.random_range(1..6)),
        _ => (rng.random_range(20..=250), rng.random_range(5..=80)),
    }
}

/// Every stage's probabilities of `d` sum to 1 ± 1e-6.
fn check_sums(d: &Distribution, what: &str, step: usize) {
    let sum = |f: fn(&tokenscope::sampling::Candidate) -> f64| -> f64 {
        d.candidates.iter().map(f).sum()
    };
    for (stage, s) in [
        ("raw", sum(|c| c.prob)),
        ("tempered", sum(|c| c.temp_prob)),
        ("final", sum(|c| c.final_prob)),
    ] {
        assert!(
            (s - 1.0).abs() <= 1e-6,
            "step {step}: {what}: the {stage} probabilities sum to {s} (params {:?})",
            d.params
        );
    }
}

/// Whether `chips` is `text` with only characters the fake cannot spell left out.
fn decodes_back(chips: &str, text: &str) -> bool {
    let mut want = chips.chars().peekable();
    for c in text.chars() {
        if want.peek() == Some(&c) {
            want.next();
        } else if SPELLABLE.contains(&c) {
            return false;
        }
    }
    want.next().is_none()
}

#[derive(Default, Debug)]
struct Counts {
    steps: usize,
    keys: usize,
    pastes: usize,
    resizes: usize,
    draws: usize,
    clears: usize,
    replies: usize,
    columns_checked: usize,
    chips_exact: usize,
    chips_partial: usize,
}

fn step_once(h: &mut Harness, fake: &FakeModel, rng: &mut ChaCha8Rng, n: &mut Counts) {
    match rng.random_range(0..100) {
        0..4 => {
            let text = PASTES[rng.random_range(0..PASTES.len())].to_string();
            h.act(Action::Paste(text));
            n.pastes += 1;
        }
        4..7 => {
            let (width, height) = random_size(rng);
            h.send(Msg::Resize { width, height });
            n.resizes += 1;
        }
        7..9 => {
            h.send(Msg::Tick);
        }
        9..12 if h.state.key_context() == Context::Edit => {
            // A burst of deletions (real key presses) that empties the prompt, so the chips are
            // often checked against a prompt the fake spells exactly.
            h.key(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
            for _ in 0..2000 {
                if h.state.editor.text().is_empty() {
                    break;
                }
                h.key(key(KeyCode::Backspace));
                n.keys += 1;
            }
            n.clears += 1;
        }
        _ => {
            h.key(random_key(rng));
            n.keys += 1;
        }
    }
    // The worker answers most of the time; otherwise the screen shows a stale evaluation.
    if rng.random_bool(0.7) {
        n.replies += h.answer(fake);
    }
    if rng.random_bool(0.5) {
        let (w, ht) = random_size(rng);
        h.render(w, ht);
        n.draws += 1;
    }
}

fn check_state(h: &Harness, fake: &FakeModel, step: usize, n: &mut Counts) {
    let s = &h.state;
    if let Some(view) = &s.view {
        if let Some(d) = &view.dist {
            check_sums(d, "the next-token pane", step);
            n.columns_checked += 1;
        }
        for (i, d) in view.columns.iter().enumerate() {
            check_sums(d, &format!("lab column {i}"), step);
            n.columns_checked += 1;
        }
    }
    if !s.fresh() {
        return;
    }
    let seq = s.sequence();
    let prompt_len = s.prompt_len();
    assert!(
        seq.len() >= prompt_len,
        "step {step}: sequence shorter than the prompt"
    );
    let chips: String = seq[..prompt_len]
        .iter()
        .map(|t| t.token.text.as_str())
        .collect();
    let text = s.editor.text();
    let expected: String = fake
        .prompt_tokens(text, s.chat)
        .iter()
        .map(|&id| fake.vocab[id as usize].text.as_str())
        .collect();
    assert_eq!(
        chips, expected,
        "step {step}: chips differ from the tokenization"
    );
    if s.chat {
        return;
    }
    if text.chars().all(|c| SPELLABLE.contains(&c)) || chips == text {
        assert_eq!(
            chips, text,
            "step {step}: chips do not decode to the prompt"
        );
        n.chips_exact += 1;
    } else {
        assert!(
            decodes_back(&chips, text),
            "step {step}: chips {chips:?} are not the prompt {text:?} minus unspellable characters"
        );
        n.chips_partial += 1;
    }
}

#[test]
#[ignore = "soak: run by scripts/test (cargo test --test soak -- --ignored)"]
fn random_keys_keep_the_invariants() {
    let steps: usize = std::env::var("SOAK_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let fake = FakeModel::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let options = Options {
        prompt: "The capital of France is".into(),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(
        Lang::En,
        SamplingParams::default(),
        false,
        options,
    ));
    h.reply(Reply::Loaded(fake.info()));
    let mut n = Counts::default();
    for step in 0..steps {
        step_once(&mut h, &fake, &mut rng, &mut n);
        check_state(&h, &fake, step, &mut n);
        n.steps += 1;
    }
    println!("soak (headless, seed {seed}): {n:?}");
    assert!(
        n.columns_checked > steps / 4,
        "too few distributions seen: {n:?}"
    );
    assert!(n.chips_exact > 0, "no exact chip check happened: {n:?}");
}

#[test]
fn decodes_back_drops_only_unspellable_characters() {
    assert!(decodes_back("The e", "Thxe e"));
    assert!(!decodes_back("The", "The e"));
    assert!(!decodes_back("The e", "The"));
}
