//! The comparison lab on screen (fake model, fixed seed): sampler columns at 80×24 (two) and
//! 160×48 (four) in English and Portuguese, the roll-many view, and a key script that adds
//! columns, edits one, rolls 1 000 times. Update with `INSTA_UPDATE=always cargo test --test
//! lab_screens`.

mod common;

use common::HarnessExt;
use common::fake::FakeModel;
use common::keys::ch as key;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::engine::Reply;
use tokenscope::i18n::Lang;
use tokenscope::sampling::{Distribution, SamplingParams, StageOrder};
use tokenscope::state::{Options, State};

fn loaded(lang: Lang, samplers: Vec<SamplingParams>) -> (Harness, FakeModel) {
    let model = FakeModel::new();
    let options = Options {
        prompt: "The capital of France is".to_string(),
        explore: true,
        samplers,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
    h.reply(Reply::Loaded(model.info()));
    h.answer(&model);
    (h, model)
}

fn keys(h: &mut Harness, model: &FakeModel, keys: &str) {
    for c in keys.chars() {
        h.key(key(c));
        h.answer(model);
    }
}

#[test]
fn two_columns_80x24() {
    let (mut h, model) = loaded(Lang::En, Vec::new());
    keys(&mut h, &model, "Avv");
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn four_columns_160x48() {
    let (mut h, model) = loaded(Lang::En, Vec::new());
    keys(&mut h, &model, "AAA");
    insta::assert_snapshot!(h.render(160, 48));
}

#[test]
fn four_columns_160x48_pt_br() {
    let (mut h, model) = loaded(Lang::PtBr, Vec::new());
    keys(&mut h, &model, "AAA");
    insta::assert_snapshot!(h.render(160, 48));
}

#[test]
fn two_columns_80x24_pt_br() {
    let (mut h, model) = loaded(Lang::PtBr, Vec::new());
    keys(&mut h, &model, "Avv");
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn rolls_1000_times() {
    let (mut h, model) = loaded(Lang::En, Vec::new());
    keys(&mut h, &model, "n");
    insta::assert_snapshot!(h.render(100, 30));
}

/// Adds columns, edits the selected one, switches its order, rolls 1 000 times, steps: the
/// state holds what the keys said, every column sums to 1, and the step drew from the selected
/// column.
#[test]
fn key_script_columns_edit_roll_step() {
    let (mut h, model) = loaded(Lang::En, Vec::new());
    keys(&mut h, &model, "AA");
    assert_eq!(h.state.lab.len(), 3);
    assert_eq!(h.state.lab.selected, 2);
    keys(&mut h, &model, "to");
    assert_eq!(h.state.params.order, StageOrder::LlamaCpp);
    let view = h.state.view.as_ref().unwrap();
    assert_eq!(view.columns.len(), 3);
    for d in &view.columns {
        let total: f64 = d.candidates.iter().map(|c| c.final_prob).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
    assert_eq!(view.columns[2].params, h.state.params);
    // The first column stays what it was.
    assert_eq!(
        view.columns[0].params,
        SamplingParams::default().validated()
    );
    keys(&mut h, &model, "n");
    let rolls = h.state.view.as_ref().unwrap().rolls.clone().unwrap();
    assert_eq!(rolls.n, 1000);
    assert_eq!(rolls.counts.iter().map(|c| c.2).sum::<usize>(), 1000);
    keys(&mut h, &model, "N");
    assert_eq!(
        h.state.view.as_ref().unwrap().rolls.as_ref().unwrap().n,
        10_000
    );
    keys(&mut h, &model, "n D");
    assert_eq!(h.state.lab.len(), 2);
    let roll = h.state.roll.as_ref().expect("a step was taken");
    if let tokenscope::state::Choice::Sampled { params, .. } = roll.choice {
        assert_eq!(
            params.order,
            StageOrder::LlamaCpp,
            "drawn from the selected column"
        );
    } else {
        panic!("a dice roll");
    }
    // Removing down to one column leaves the plain view.
    keys(&mut h, &model, "D");
    assert!(h.state.view.as_ref().unwrap().columns.is_empty());
    keys(&mut h, &model, "D");
    assert_eq!(h.state.lab.len(), 1);
    let d: &Distribution = h.state.view.as_ref().unwrap().dist.as_ref().unwrap();
    assert!(d.kept >= 1);
}

fn special(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

/// Prompt A/B: F4 opens B (typing goes there), B is evaluated, the comparison shows KL and
/// both top-1s; editing B leaves A's evaluation alone; Ctrl-B sends typing back to A.
#[test]
fn prompt_a_b_key_script_and_screen() {
    let (mut h, model) = loaded(Lang::En, Vec::new());
    let a_serial = h.state.eval.as_ref().unwrap().serial;
    h.key(special(KeyCode::F(4), KeyModifiers::NONE));
    h.answer(&model);
    let v = h.state.versus.as_ref().expect("prompt B shown");
    assert!(v.focus_b && v.fresh());
    for _ in 0..3 {
        h.key(special(KeyCode::Backspace, KeyModifiers::NONE));
        h.answer(&model);
    }
    for c in " was".chars() {
        h.key(key(c));
        h.answer(&model);
    }
    let v = h.state.versus.as_ref().unwrap();
    assert_eq!(v.editor.text(), "The capital of France was");
    assert!(v.fresh(), "B evaluated again");
    assert_eq!(h.state.editor.text(), "The capital of France is");
    assert_eq!(
        h.state.eval.as_ref().unwrap().serial,
        a_serial,
        "A was not evaluated again"
    );
    insta::assert_snapshot!(h.render(100, 30));
    h.key(special(KeyCode::Char('b'), KeyModifiers::CONTROL));
    h.key(key('!'));
    h.answer(&model);
    assert_eq!(h.state.editor.text(), "The capital of France is!");
    assert!(h.state.versus.as_ref().unwrap().fresh());
}
