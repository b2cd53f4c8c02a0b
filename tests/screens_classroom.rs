//! Issue 14, the classroom: the projector layout, the "quit?" question, the branch tree, the
//! glossary, Esc glued to a key, word-wrapped prompts. Snapshots of the fake model's screens
//! (`INSTA_UPDATE=always cargo test --test screens_classroom` to create them) and key scripts.

mod common;

use common::HarnessExt;
use common::fake::FakeModel;
use common::keys::{ch as key, press, sampling};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::engine::Reply;
use tokenscope::i18n::Lang;
use tokenscope::state::{Effect, Mode, Options, Overlay, ScreenLayout, State};

fn loaded(lang: Lang, prompt: &str, layout: ScreenLayout) -> (Harness, FakeModel) {
    let model = FakeModel::new();
    let params = sampling();
    let options = Options {
        prompt: prompt.to_string(),
        explore: true,
        layout,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, params, false, options));
    h.reply(Reply::Loaded(model.info()));
    h.answer(&model);
    (h, model)
}

/// Picks ranks 1 and 3, undoes the last, picks rank 2: two branches after the first token.
fn two_branches(lang: Lang) -> (Harness, FakeModel) {
    let (mut h, model) = loaded(lang, "The capital of France is", ScreenLayout::Standard);
    for k in [key('1'), key('3'), key('u'), key('2')] {
        h.key(k);
        h.answer(&model);
    }
    (h, model)
}

fn quits(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Quit))
}

#[test]
fn projector_layout_pt_br_80x24() {
    let prompt = "Era uma vez um professor que queria mostrar à turma como um modelo de linguagem \
                  escolhe a próxima palavra";
    let (mut h, _) = loaded(Lang::PtBr, prompt, ScreenLayout::Projector);
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn projector_layout_160x48_and_back() {
    let (mut h, _) = loaded(Lang::En, "The capital of France is", ScreenLayout::Standard);
    h.key(key('z'));
    assert_eq!(h.state.layout, ScreenLayout::Projector);
    insta::assert_snapshot!(h.render(160, 48));
    h.key(key('z'));
    assert_eq!(h.state.layout, ScreenLayout::Standard);
}

#[test]
fn quit_asks_first_when_there_is_generated_text() {
    let (mut h, _) = two_branches(Lang::PtBr);
    assert!(!quits(&h.key(key('q'))), "q with generated text only asks");
    assert_eq!(h.state.overlay, Overlay::ConfirmQuit);
    insta::assert_snapshot!("confirm_quit_pt_br", h.render(80, 24));
    assert!(!quits(&h.key(key('n'))), "n stays");
    assert_eq!(h.state.overlay, Overlay::None);
    h.key(key('q'));
    assert!(quits(&h.key(key('y'))), "y quits");
    // q twice quits too; without generated text q quits at once.
    let (mut h, _) = two_branches(Lang::En);
    h.key(key('q'));
    assert!(quits(&h.key(key('q'))));
    let (mut h, _) = loaded(Lang::En, "Hi", ScreenLayout::Standard);
    assert!(quits(&h.key(key('q'))));
}

#[test]
fn branch_tree_lists_every_continuation_and_switches() {
    let (mut h, model) = two_branches(Lang::En);
    let before = h.state.tree.tokens();
    h.key(key('b'));
    assert_eq!(h.state.overlay, Overlay::Branches);
    let lines = h.state.branches.lines(&h.state.tree);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].current && !lines[0].current);
    // Both branches were evaluated once, so both have a total log-probability.
    assert!(lines.iter().all(|l| l.logprob.is_some_and(|lp| lp < 0.0)));
    insta::assert_snapshot!("branch_tree_en", h.render(100, 30));
    h.key(press(KeyCode::Up));
    h.key(press(KeyCode::Enter));
    h.answer(&model);
    assert_eq!(h.state.overlay, Overlay::None);
    assert_ne!(h.state.tree.tokens(), before);
    assert_eq!(h.state.tree.tokens(), lines[0].tokens);
    h.key(key('b'));
    insta::assert_snapshot!("branch_tree_pt_after_switch", {
        h.state.lang = Lang::PtBr;
        h.render(80, 24)
    });
}

#[test]
fn glossary_at_the_end_of_the_help_80x24() {
    for lang in [Lang::En, Lang::PtBr] {
        let (mut h, _) = loaded(lang, "Hi", ScreenLayout::Standard);
        h.key(press(KeyCode::F(1)));
        for _ in 0..20 {
            h.key(press(KeyCode::PageDown));
        }
        let screen = h.render(80, 24).to_string();
        let term = if lang == Lang::En {
            "Dice strip —"
        } else {
            "Faixa do dado —"
        };
        assert!(screen.contains(term), "{screen}");
        insta::assert_snapshot!(format!("glossary_end_{lang:?}"), screen);
    }
}

#[test]
fn esc_glued_to_a_key_leaves_the_editor_then_acts() {
    let (mut h, _) = two_branches(Lang::En);
    h.key(key('i'));
    assert_eq!(h.state.mode, Mode::Edit);
    // What a terminal sends for Esc, b typed fast.
    h.key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT));
    assert_eq!(h.state.mode, Mode::Explore);
    assert_eq!(h.state.overlay, Overlay::Branches);
}

#[test]
fn generated_count_has_its_plural() {
    let (mut h, model) = loaded(
        Lang::PtBr,
        "The capital of France is",
        ScreenLayout::Standard,
    );
    h.key(key('1'));
    h.answer(&model);
    assert!(h.render(100, 30).to_string().contains("1 gerado "));
    h.key(key('1'));
    h.answer(&model);
    assert!(h.render(100, 30).to_string().contains("2 gerados"));
}
