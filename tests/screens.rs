//! Whole-screen snapshots (ratatui `TestBackend` + insta) of deterministic synthetic states:
//! the fake model of `tests/common/fake.rs`, fixed seed, fixed keys. Create or update with
//! `INSTA_UPDATE=always cargo test --test screens`, then read the `.snap` files.

mod common;

use common::HarnessExt;
use common::fake::FakeModel;
use common::keys::{ch as key, sampling};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::action::Action;
use tokenscope::app::Harness;
use tokenscope::engine::Reply;
use tokenscope::i18n::Lang;
use tokenscope::model::{LoadStep, Progress};
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{Options, State};

/// A loaded fake model, the prompt evaluated, in Explore mode.
fn loaded(lang: Lang, prompt: &str) -> (Harness, FakeModel) {
    let model = FakeModel::new();
    let params = sampling();
    let options = Options {
        prompt: prompt.to_string(),
        explore: true,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, params, false, options));
    h.reply(Reply::Loaded(model.info()));
    h.answer(&model);
    (h, model)
}

/// The classroom example: a prompt, two tokens picked by hand (ranks 1 and 3), then two dice
/// rolls (the last one lands on the second most likely token).
fn classroom(lang: Lang) -> Harness {
    let (mut h, model) = loaded(lang, "The capital of France is");
    for c in "13  ".chars() {
        h.key(key(c));
        h.answer(&model);
    }
    h
}

#[test]
fn main_screen_100x30() {
    let mut h = classroom(Lang::En);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn main_screen_80x24() {
    let mut h = classroom(Lang::En);
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn main_screen_160x48() {
    let mut h = classroom(Lang::En);
    insta::assert_snapshot!(h.render(160, 48));
}

#[test]
fn main_screen_pt_br() {
    let mut h = classroom(Lang::PtBr);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn look_back_on_a_generated_token() {
    let mut h = classroom(Lang::En);
    h.key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
    h.key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn help_overlay() {
    let mut h = classroom(Lang::En);
    h.act(Action::ToggleHelp);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn help_overlay_pt_br_80x24() {
    let mut h = classroom(Lang::PtBr);
    h.act(Action::ToggleHelp);
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn editing_while_the_model_loads() {
    let params = SamplingParams::default();
    let mut h = Harness::new(State::new(Lang::En, params, false, Options::default()));
    h.reply(Reply::Progress(Progress::new(0.45, LoadStep::Layers)));
    for c in "Olá, mundo".chars() {
        h.key(key(c));
    }
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn greedy_with_ids_and_chat() {
    let (mut h, model) = loaded(Lang::En, "What is the capital of France?");
    h.key(key('c'));
    h.answer(&model);
    h.key(key('g'));
    h.key(key('#'));
    h.key(key(' '));
    h.answer(&model);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn too_small() {
    let mut h = classroom(Lang::En);
    insta::assert_snapshot!(h.render(50, 14));
}

#[test]
fn no_color_uses_no_colours() {
    use ratatui::style::Color;
    let model = FakeModel::new();
    let options = Options {
        prompt: "The capital of France is".into(),
        explore: true,
        no_color: true,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(
        Lang::En,
        SamplingParams::default(),
        false,
        options,
    ));
    h.reply(Reply::Loaded(model.info()));
    h.answer(&model);
    h.key(key(' '));
    h.answer(&model);
    let backend = h.render(100, 30);
    for cell in backend.buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    // The colour theme does colour the tokens (and never sets a background).
    h.state.no_color = false;
    let backend = h.render(100, 30);
    assert!(
        backend
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset)
    );
    assert!(
        backend
            .buffer()
            .content()
            .iter()
            .all(|c| c.bg == Color::Reset)
    );
}

/// Fast mode's numbers are approximate: the status line names the precision at every size, in
/// both languages, where the device, the token count and the time give way first.
#[test]
fn the_status_line_says_fast_mode_at_80x24_and_160x48() {
    for (lang, w, h, label) in [
        (Lang::PtBr, 80, 24, "rápido int4"),
        (Lang::En, 160, 48, "fast int4"),
        (Lang::En, 80, 24, "fast int4"),
    ] {
        let model = FakeModel::new();
        let options = Options {
            prompt: "The capital of France is".to_string(),
            explore: true,
            ..Options::default()
        };
        let mut harness = Harness::new(State::new(lang, sampling(), false, options));
        let mut info = model.info();
        info.precision = tokenscope::model::Precision::Fast;
        info.name = "SmolLM2-135M-Instruct.Q4_1".into(); // the default model's name, as long
        harness.reply(Reply::Loaded(info));
        harness.answer(&model);
        let screen = harness.render(w, h).to_string();
        let status = screen.lines().nth(h as usize - 2).expect("the status line");
        assert!(status.contains(label), "{w}×{h}: {status}");
    }
}
