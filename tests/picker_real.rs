//! Model A/B on the real models (issue 8, item 7): SmolLM2 as A and Gemma-3-270M as B read the
//! course's Portuguese sentence side by side, each in its own session, as the two workers of
//! the playground would. The screen is a snapshot (`INSTA_UPDATE=always cargo test --test
//! picker_real`); the numbers on it are checked against each model's own evaluation. Needs
//! gemma-3-270m (`scripts/test` installs it).

mod common;

use common::{FIXED_ELAPSED, FIXED_LOAD_TIME, HarnessExt, RealWorker};
use tokenscope::app::Harness;
use tokenscope::engine::{Reply, Session};
use tokenscope::i18n::Lang;
use tokenscope::model::{self, DeviceChoice, Precision};
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{BStatus, Effect, ModelChoice, Msg, Options, Slot, State};

const SENTENCE: &str = "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que";

fn gemma() -> Session {
    let m = tokenscope::registry::find("gemma-3-270m").expect("a known model");
    assert!(
        m.installed(),
        "gemma-3-270m is not installed: scripts/bootstrap --model gemma-3-270m"
    );
    let loaded = model::load(&m.path(), DeviceChoice::Cpu, Precision::Exact, &mut |_| {})
        .expect("gemma-3-270m loads");
    Session::new(loaded)
}

/// A and B loaded and answered; returns the harness and B's session.
fn both(lang: Lang) -> (Harness, Session, RealWorker) {
    let a = RealWorker::new();
    let options = Options {
        prompt: SENTENCE.to_string(),
        models: ModelChoice::scan(),
        current_model: Some("smollm2-135m".to_string()),
        model_b: Some("gemma-3-270m".to_string()),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
    a.load(&mut h);
    let mut b = gemma();
    let mut effects = h.send(Msg::Side {
        slot: Slot::B,
        reply: Reply::Loaded(b.info(FIXED_LOAD_TIME)),
    });
    while let Some(Effect::EvaluateB(request)) = effects.pop() {
        let mut reply = b.serve(&request).expect("B answers");
        if let Reply::Evaluated { elapsed, .. } = &mut reply {
            *elapsed = FIXED_ELAPSED;
        }
        effects = h.send(Msg::Side {
            slot: Slot::B,
            reply,
        });
    }
    (h, b, a)
}

#[test]
fn portuguese_costs_more_tokens_on_the_english_model() {
    let (h, _b, _a) = both(Lang::PtBr);
    let b = h.state.models.b.as_ref().expect("model B");
    assert!(matches!(b.status, BStatus::Ready(_)), "{:?}", b.status);
    let side_b = b.side_for(SENTENCE, false).expect("B read the prompt");
    let side_a = &b.a_side.as_ref().expect("A read the prompt").1;
    // Gemma's tokenizer adds <bos>; SmolLM2's plain text has none.
    assert_eq!((side_a.tokens.len(), side_b.tokens.len()), (24, 15));
    let top_b: Vec<&str> = side_b.top.iter().map(|(t, _)| t.text.as_str()).collect();
    assert_eq!(top_b[..3], [" ela", " não", " era"], "Gemma's picture");
    let top_a: Vec<&str> = side_a.top.iter().map(|(t, _)| t.text.as_str()).collect();
    assert_eq!(top_a[..2], [" a", " o"], "SmolLM2's fragments");
    // The probabilities beside them are each model's own, summing to at most 1.
    let sum: f64 = side_b.top.iter().map(|(_, p)| *p).sum();
    assert!(sum < 1.0 && side_b.top[0].1 > 0.1, "{sum}");
}

#[test]
fn model_ab_screen_pt_br_160x48() {
    let (mut h, _b, _a) = both(Lang::PtBr);
    insta::assert_snapshot!(h.render(160, 48));
}

#[test]
fn model_ab_screen_en_80x24() {
    let (mut h, _b, _a) = both(Lang::En);
    insta::assert_snapshot!(h.render(80, 24));
}
