//! The model picker (issue 8, item 6) and model B's bookkeeping (item 7), as state: the old
//! model answers until the new one reports `Loaded`; a `LoadFailed` leaves the old one running
//! with the error worded in the interface language; encoders and missing models are not
//! loaded. The workers are played by the fake model (`tests/common/fake.rs`); the load error is
//! a real one, from loading a file that is not there. Screens: `INSTA_UPDATE=always cargo test
//! --test picker`.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::HarnessExt;
use common::fake::FakeModel;
use common::keys::{ch, press};
use crossterm::event::KeyCode;
use tokenscope::app::Harness;
use tokenscope::engine::{ModelInfo, Reply, Request};
use tokenscope::i18n::{Describe, Lang, Text};
use tokenscope::model::{self, DeviceChoice, LoadStep, Precision, Progress};
use tokenscope::registry::KNOWN_MODELS;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::model_b::top_probs;
use tokenscope::state::{
    BStatus, Effect, ModelChoice, ModelStatus, Msg, Options, Overlay, Slot, State,
};

const PROMPT: &str = "The capital of France is";

/// Every known model, the first `installed` of them installed (at made-up paths: nothing is
/// read from them in these tests), with the sizes the registry gives.
fn catalog(installed: usize) -> Vec<ModelChoice> {
    KNOWN_MODELS
        .iter()
        .enumerate()
        .map(|(i, m)| ModelChoice {
            model: m,
            path: PathBuf::from(format!("/models/{}", m.relative_path)),
            installed: i < installed,
            size_bytes: m.size_bytes,
        })
        .collect()
}

fn harness(lang: Lang, installed: usize) -> (Harness, FakeModel) {
    let model = FakeModel::new();
    let options = Options {
        prompt: PROMPT.to_string(),
        explore: true,
        models: catalog(installed),
        current_model: Some("smollm2-135m".to_string()),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
    h.reply(Reply::Loaded(model.info()));
    h.answer(&model);
    (h, model)
}

/// What the second model reports once loaded (the fake again, under another name).
fn other_info(model: &FakeModel) -> ModelInfo {
    ModelInfo {
        name: "gemma-3-270m-q4_k_m".to_string(),
        ..model.info()
    }
}

fn model_name(h: &Harness) -> String {
    match &h.state.model {
        ModelStatus::Ready(info) => info.name.clone(),
        other => panic!("no model ready: {other:?}"),
    }
}

fn side(h: &mut Harness, slot: Slot, reply: Reply) -> Vec<Effect> {
    h.send(Msg::Side { slot, reply })
}

/// F3, down to gemma-3-270m, Enter.
fn choose_gemma(h: &mut Harness) -> Vec<Effect> {
    h.key(press(KeyCode::F(3)));
    assert_eq!(h.state.overlay, Overlay::Picker);
    h.key(press(KeyCode::Down));
    h.key(press(KeyCode::Enter))
}

#[test]
fn the_old_model_answers_until_the_new_one_is_loaded() {
    let (mut h, model) = harness(Lang::En, 2);
    let effects = choose_gemma(&mut h);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadModel { slot: Slot::Incoming, path }] if path.ends_with("gemma-3-270m-q4_k_m.gguf")
    ));
    assert_eq!(h.state.overlay, Overlay::None);
    side(
        &mut h,
        Slot::Incoming,
        Reply::Progress(Progress::new(0.4, LoadStep::Layers)),
    );
    assert_eq!(
        h.state.models.incoming.as_ref().unwrap().progress.fraction,
        0.4
    );

    // Meanwhile the current model keeps answering: two dice rolls go to the main worker.
    for _ in 0..2 {
        let effects = h.key(ch(' '));
        assert!(matches!(effects.as_slice(), [Effect::Evaluate(_)]));
        h.answer(&model);
    }
    assert_eq!(h.state.tree.depth(), 2);
    assert_eq!(model_name(&h), "tiny-fake");

    let effects = side(&mut h, Slot::Incoming, Reply::Loaded(other_info(&model)));
    assert!(matches!(effects[0], Effect::PromoteIncoming), "{effects:?}");
    let Some(Effect::Evaluate(Request::Evaluate {
        prompt,
        continuation,
        ..
    })) = effects.get(1)
    else {
        panic!("the prompt is evaluated by the new model: {effects:?}");
    };
    assert_eq!(prompt, PROMPT);
    assert!(continuation.is_empty(), "the generation starts over");
    assert_eq!(h.state.tree.depth(), 0);
    assert_eq!(h.state.editor.text(), PROMPT);
    assert_eq!(model_name(&h), "gemma-3-270m-q4_k_m");
    assert_eq!(h.state.models.current.as_deref(), Some("gemma-3-270m"));
    assert!(h.state.models.incoming.is_none());
    let notice = h
        .state
        .notice
        .as_ref()
        .expect("a note says the generation was reset");
    assert_eq!(notice.text, Text::NoticeSwitched);
}

#[test]
fn a_failed_load_keeps_the_current_model() {
    let (mut h, model) = harness(Lang::PtBr, 2);
    h.key(ch(' '));
    h.answer(&model);
    choose_gemma(&mut h);
    let missing = PathBuf::from("/nonexistent/gemma-3-270m-q4_k_m.gguf");
    let error = model::load(&missing, DeviceChoice::Cpu, Precision::Exact, &mut |_| {})
        .err()
        .expect("a missing file does not load");
    let effects = side(
        &mut h,
        Slot::Incoming,
        Reply::LoadFailed {
            path: missing,
            error: Arc::new(error),
        },
    );
    assert!(matches!(
        effects.as_slice(),
        [Effect::DropWorker(Slot::Incoming)]
    ));
    assert_eq!(model_name(&h), "tiny-fake");
    assert_eq!(h.state.tree.depth(), 1, "the generation is kept");
    let err = h.state.error.as_ref().expect("the error is shown");
    let (pt, en) = (err.describe(Lang::PtBr), err.describe(Lang::En));
    assert!(pt.contains("/nonexistent/gemma"), "{pt}");
    assert_ne!(pt, en, "worded in the interface language");
    // Still usable.
    assert!(matches!(h.key(ch(' ')).as_slice(), [Effect::Evaluate(_)]));
}

#[test]
fn encoders_and_missing_models_are_not_loaded() {
    let (mut h, _) = harness(Lang::En, 3);
    h.key(press(KeyCode::F(3)));
    h.key(press(KeyCode::Down));
    h.key(press(KeyCode::Down)); // all-minilm-l6-v2, installed, an encoder
    assert!(h.key(press(KeyCode::Enter)).is_empty());
    assert_eq!(
        h.state.notice.as_ref().unwrap().text,
        Text::NoticeNotDecoder
    );
    assert_eq!(h.state.overlay, Overlay::Picker, "the picker stays open");
    h.key(press(KeyCode::Down)); // bert-tiny, not installed
    assert!(h.key(press(KeyCode::Enter)).is_empty());
    let notice = h.state.notice.as_ref().unwrap();
    assert_eq!(notice.text, Text::NoticeNotInstalled);
    assert_eq!(
        notice.arg.as_deref(),
        Some("scripts/bootstrap --model bert-tiny")
    );
    assert!(h.state.models.incoming.is_none());
}

#[test]
fn model_b_reads_the_prompt_in_its_own_worker() {
    let (mut h, model) = harness(Lang::En, 2);
    h.key(press(KeyCode::F(3)));
    h.key(press(KeyCode::Down));
    let effects = h.key(ch('b'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadModel { slot: Slot::B, .. }]
    ));
    assert!(matches!(
        h.state.models.b.as_ref().unwrap().status,
        BStatus::Loading(_)
    ));
    let effects = side(&mut h, Slot::B, Reply::Loaded(other_info(&model)));
    let [Effect::EvaluateB(request)] = effects.as_slice() else {
        panic!("B is asked for the prompt: {effects:?}");
    };
    let reply = model.evaluate(request).expect("a reply");
    side(&mut h, Slot::B, reply);
    let b = h.state.models.b.as_ref().unwrap();
    let side_b = b.side_for(PROMPT, false).expect("B's side");
    let side_a = &b.a_side.as_ref().expect("A's side").1;
    assert_eq!(
        side_b.tokens.len(),
        model.prompt_tokens(PROMPT, false).len()
    );
    assert_eq!(side_a.tokens.len(), side_b.tokens.len());
    assert_eq!(side_b.top.len(), 5);
    // Typing changes the prompt: B is asked again; A's own requests still go to A's worker.
    h.key(ch('i'));
    let effects = h.key(ch('.'));
    assert!(effects.iter().any(|e| matches!(e, Effect::Evaluate(_))));
    assert!(effects.iter().any(|e| matches!(e, Effect::EvaluateB(_))));
    h.key(press(KeyCode::F(3)));
    assert!(matches!(
        h.key(ch('x')).as_slice(),
        [Effect::DropWorker(Slot::B)]
    ));
    assert!(h.state.models.b.is_none());
}

#[test]
fn top_probabilities_by_hand() {
    // softmax [0, ln 2, ln 3] = 1/6, 2/6, 3/6.
    let top = top_probs(&[0.0, 2f32.ln(), 3f32.ln()], 2);
    assert_eq!(top.iter().map(|t| t.0).collect::<Vec<_>>(), [2, 1]);
    assert!((top[0].1 - 0.5).abs() < 1e-6 && (top[1].1 - 1.0 / 3.0).abs() < 1e-6);
    assert!(top_probs(&[f32::NAN], 3).is_empty());
}

#[test]
fn picker_screen_en() {
    let (mut h, _) = harness(Lang::En, 2);
    h.key(press(KeyCode::F(3)));
    h.key(press(KeyCode::Down));
    h.key(ch('b'));
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn picker_screen_pt_br_while_switching() {
    let (mut h, _) = harness(Lang::PtBr, 3);
    choose_gemma(&mut h);
    side(
        &mut h,
        Slot::Incoming,
        Reply::Progress(Progress::new(0.55, LoadStep::Layers)),
    );
    h.key(press(KeyCode::F(3)));
    insta::assert_snapshot!(h.render(100, 30));
}
