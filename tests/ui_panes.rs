//! Pane details drawn from the fake model: the status line, hints, the generation pane (the
//! screen-wide snapshots are in `screens.rs`).

mod common;

use common::HarnessExt;
use common::fake::FakeModel;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use tokenscope::app::Harness;
use tokenscope::engine::Reply;
use tokenscope::i18n::Lang;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{ModelStatus, Options, State};
use tokenscope::ui::layout::{self, inner};

/// A loaded fake model with `prompt` evaluated, in Edit mode or Explore mode.
fn loaded(lang: Lang, prompt: &str, explore: bool, chat: bool) -> (Harness, FakeModel) {
    let model = FakeModel::new();
    let options = Options {
        prompt: prompt.to_string(),
        explore,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), chat, options));
    h.reply(Reply::Loaded(model.info()));
    h.answer(&model);
    (h, model)
}

/// The screen's rows as text.
fn rows(h: &mut Harness, width: u16, height: u16) -> Vec<String> {
    let backend = h.render(width, height);
    let buffer = backend.buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn the_status_line_drops_whole_parts_and_keeps_a_gap() {
    let (mut h, _model) = loaded(Lang::PtBr, "The capital of France is", true, false);
    if let ModelStatus::Ready(info) = &mut h.state.model {
        info.name = "SmolLM2-135M-Instruct.Q4_1".into();
    }
    h.state.eval.as_mut().expect("evaluated").reused = 8;
    for width in 60..=120 {
        let screen = rows(&mut h, width, 30);
        let status = &screen[28];
        assert!(!status.contains('…'), "{width}: {status:?}");
        assert_eq!(
            status.matches('(').count(),
            status.matches(')').count(),
            "{status:?}"
        );
        let right = status.find("texto puro").expect("text mode shown");
        let gap = &status[..right];
        assert!(
            gap.ends_with("   ") || gap.ends_with(" · "),
            "{width}: {status:?}"
        );
        assert!(status.trim_end().ends_with("português"), "{status:?}");
    }
    // Wide enough: everything, the cached count included.
    assert!(rows(&mut h, 120, 30)[28].contains("(8 em cache)"));
}

#[test]
fn hints_name_the_keys_of_the_current_mode() {
    let (mut h, _model) = loaded(Lang::En, "The capital of France is", false, false);
    let screen = rows(&mut h, 100, 30).join("\n");
    assert!(
        screen.contains("no roll yet: Ctrl-N rolls the dice"),
        "{screen}"
    );
    assert!(screen.contains("Ctrl-N rolls the dice;"), "{screen}");
    assert!(screen.contains("Esc,\u{a0}then\u{a0}1–9 picks"), "{screen}");
    assert!(!screen.contains("Space rolls"), "{screen}");
    h.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    let screen = rows(&mut h, 100, 30).join("\n");
    assert!(
        screen.contains("no roll yet: Space rolls the dice"),
        "{screen}"
    );
    assert!(
        screen.contains("Space rolls the dice; 1–9 picks"),
        "{screen}"
    );
    assert!(!screen.contains("Ctrl-N"), "{screen}");
}

/// The text inside the Generation pane, row by row.
fn generation_rows(h: &mut Harness, width: u16, height: u16) -> Vec<String> {
    let backend = h.render(width, height);
    let buffer = backend.buffer();
    let area = layout::layout(Rect::new(0, 0, width, height), &h.state).expect("not too small");
    let body = inner(area.generation);
    (body.y..body.y + body.height)
        .map(|y| {
            (body.x..body.x + body.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

#[test]
fn the_generation_pane_keeps_the_end_of_a_long_prompt() {
    let prompt = "The capital of France is Paris and the city has many museums. ".repeat(6);
    let (mut h, _model) = loaded(Lang::En, prompt.trim_end(), true, true);
    for (width, height) in [(100, 30), (80, 24), (60, 16)] {
        let pane = generation_rows(&mut h, width, height);
        let hint = pane
            .iter()
            .position(|r| r.contains("Nothing generated yet"))
            .expect("hint shown");
        assert!(
            hint > 0 && pane[..hint].iter().any(|r| r.contains("assistant")),
            "{pane:#?}"
        );
    }
}

#[test]
fn words_are_not_broken_in_the_generation_pane() {
    let prompt = "The capital of France is Paris and the city has many beautiful museums";
    let (mut h, _model) = loaded(Lang::En, prompt, true, false);
    for width in 60..=100 {
        let text = generation_rows(&mut h, width, 30).join("\n");
        for word in prompt.split(' ') {
            assert!(
                text.split([' ', '\n']).any(|w| w == word),
                "{width}: {word:?} broken in {text}"
            );
        }
    }
}
