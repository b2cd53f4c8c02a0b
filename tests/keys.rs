//! Scripted key sequences against the headless app (`app::Harness`), asserting on the state and
//! the effects. The model is a six-token made-up vocabulary with hand-made logits, so every
//! probability can be checked by hand.

use std::sync::Arc;
use std::time::Duration;

mod common;

use common::HarnessExt;
use common::keys::{ch, press};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::action::Action;
use tokenscope::app::{Harness, mouse_action};
use tokenscope::engine::{Device, ModelInfo, Position, Reply, Request, TokenView};
use tokenscope::i18n::Describe;
use tokenscope::i18n::Lang;
use tokenscope::model::{ModelError, Precision};
use tokenscope::sampling::{Distribution, SamplingParams};
use tokenscope::state::{Autoplay, Choice, Effect, Mode, Msg, Options, Overlay, State, StopReason};

// ── a tiny model ──────────────────────────────────────────────────────────────────────────

const END: u32 = 0;
const HELLO: u32 = 1;
const WORLD: u32 = 2;
const THERE: u32 = 3;
const BANG: u32 = 4;
const FRIEND: u32 = 5;
const WORDS: [&str; 6] = ["<|end|>", "Hello", " world", " there", "!", " friend"];

fn vocab() -> Arc<Vec<TokenView>> {
    Arc::new(
        WORDS
            .iter()
            .enumerate()
            .map(|(id, w)| TokenView {
                id: id as u32,
                piece: w.to_string(),
                text: w.to_string(),
                special: id == 0,
            })
            .collect(),
    )
}

fn info() -> ModelInfo {
    ModelInfo {
        name: "tiny".into(),
        device: Device::Cpu,
        precision: Precision::Exact,
        vocab_size: WORDS.len(),
        context_length: 64,
        stop_ids: vec![END],
        vocab: vocab(),
        load_time: Duration::ZERO,
    }
}

/// Next-token weights (logits are their logs): after "!" the end token is likely; elsewhere
/// probabilities 0.05, 0.10, 0.15, 0.20, 0.30, 0.20 for ids 0..=5.
fn logits_after(prev: u32) -> Vec<f32> {
    let w: [f32; 6] = if prev == BANG {
        [10.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    } else {
        [1.0, 2.0, 3.0, 4.0, 6.0, 4.0]
    };
    w.iter().map(|x| x.ln()).collect()
}

fn tokenize(prompt: &str) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut rest = prompt;
    while !rest.is_empty() {
        match WORDS
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, w)| rest.starts_with(*w))
            .max_by_key(|(_, w)| w.len())
        {
            Some((id, w)) => {
                ids.push(id as u32);
                rest = &rest[w.len()..];
            }
            None => rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..],
        }
    }
    ids
}

/// Answers a request the way the worker does.
fn worker(request: &Request) -> Option<Reply> {
    let Request::Evaluate {
        id,
        prompt,
        continuation,
        ..
    } = request
    else {
        return None;
    };
    let vocab = vocab();
    let mut ids = tokenize(prompt);
    let prompt_len = ids.len();
    ids.extend(continuation);
    let mut positions: Vec<Position> = Vec::new();
    for &tok in &ids {
        let (rank, prob) = match positions.last() {
            Some(prev) => {
                let c = Distribution::new(&prev.logits, &SamplingParams::default())
                    .candidate(tok)
                    .cloned()
                    .unwrap();
                (Some(c.rank as u32), Some(c.prob as f32))
            }
            None => (None, None),
        };
        positions.push(Position {
            token: vocab[tok as usize].clone(),
            logits: logits_after(tok).into(),
            rank,
            prob,
        });
    }
    Some(Reply::Evaluated {
        id: *id,
        prompt_len,
        positions,
        reused: 0,
        elapsed: Duration::from_millis(3),
        source: None,
    })
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_text(h: &mut Harness, text: &str) {
    for c in text.chars() {
        h.key(ch(c));
    }
}

fn params() -> SamplingParams {
    SamplingParams {
        temperature: 1.0,
        top_k: 0,
        top_p: 1.0,
        min_p: 0.0,
        seed: 7,
        order: Default::default(),
    }
}

/// A harness with the tiny model loaded and `prompt` evaluated, in Explore mode.
fn ready(prompt: &str) -> Harness {
    let options = Options {
        prompt: prompt.into(),
        explore: true,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(Lang::En, params(), false, options));
    h.reply(Reply::Loaded(info()));
    assert_eq!(h.answer_with(worker), 1);
    h
}

fn evaluates(effects: &[Effect]) -> Vec<&Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Evaluate(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn continuation(request: &Request) -> Vec<u32> {
    match request {
        Request::Evaluate { continuation, .. } => continuation.clone(),
        _ => panic!("not an evaluation"),
    }
}

fn ids_by_rank(h: &Harness) -> Vec<u32> {
    h.state
        .distribution()
        .expect("a distribution")
        .candidates
        .iter()
        .map(|c| c.id)
        .collect()
}

// ── typing ────────────────────────────────────────────────────────────────────────────────

#[test]
fn typing_requests_an_evaluation_of_the_prompt() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    assert_eq!(h.state.mode, Mode::Edit, "opens in Edit mode");
    type_text(&mut h, "Hello");
    match h.last_request() {
        Some(Request::Evaluate {
            prompt,
            chat,
            continuation,
            ..
        }) => {
            assert_eq!(prompt, "Hello");
            assert!(!chat);
            assert!(continuation.is_empty());
        }
        other => panic!("expected an evaluation, got {other:?}"),
    }
}

#[test]
fn letters_in_edit_mode_are_typed_never_actions() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    let keys = "qsuUaxtTkKpPmMgrRcl#?ie[]+-123456789 ";
    type_text(&mut h, keys);
    assert_eq!(h.state.editor.text(), keys);
    assert_eq!(h.state.mode, Mode::Edit);
    assert_eq!(h.state.overlay, Overlay::None);
    assert_eq!(h.state.params, params());
    assert_eq!(h.state.lang, Lang::En);
    assert!(!h.state.show_ids && !h.state.chat);
    assert!(
        h.effects.iter().all(|e| matches!(e, Effect::Evaluate(_))),
        "no Quit"
    );
}

#[test]
fn editor_keys_edit_the_prompt() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    type_text(&mut h, "olá mundo");
    h.key(ctrl('w'));
    assert_eq!(h.state.editor.text(), "olá ");
    h.key(press(KeyCode::Backspace));
    h.key(press(KeyCode::Enter));
    type_text(&mut h, "x");
    assert_eq!(h.state.editor.text(), "olá\nx");
    h.key(ctrl('a'));
    h.key(ctrl('k'));
    assert_eq!(h.state.editor.text(), "olá\n");
    h.act(Action::Paste("a\r\nb".into()));
    assert_eq!(h.state.editor.text(), "olá\na\nb", "pasted CRLF becomes LF");
}

#[test]
fn modes_switch_with_esc_tab_i_e_and_enter_on_nothing() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    h.key(press(KeyCode::Esc));
    assert_eq!(h.state.mode, Mode::Explore);
    h.key(ch('i'));
    assert_eq!(h.state.mode, Mode::Edit);
    h.key(press(KeyCode::Tab));
    assert_eq!(h.state.mode, Mode::Explore);
    h.key(ch('e'));
    assert_eq!(h.state.mode, Mode::Edit);
    h.key(press(KeyCode::Tab));
    // Nothing to pick yet (no model): Enter goes back to typing.
    h.key(press(KeyCode::Enter));
    assert_eq!(h.state.mode, Mode::Edit);
}

#[test]
fn quitting() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    assert!(
        matches!(h.key(ctrl('c')).as_slice(), [Effect::Quit]),
        "Ctrl-C quits from Edit mode"
    );
    h.key(press(KeyCode::Esc));
    assert!(
        matches!(h.key(ch('q')).as_slice(), [Effect::Quit]),
        "q quits from Explore mode"
    );
}

#[test]
fn help_opens_and_closes_from_both_modes() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    h.key(press(KeyCode::F(1)));
    assert!(matches!(h.state.overlay, Overlay::Help { .. }));
    h.key(press(KeyCode::Down));
    assert_eq!(h.state.overlay, Overlay::Help { scroll: 1 });
    h.key(ch('x'));
    assert_eq!(
        h.state.editor.text(),
        "",
        "keys do not reach the editor under the help"
    );
    h.key(press(KeyCode::Esc));
    assert_eq!(h.state.overlay, Overlay::None);
    assert_eq!(
        h.state.mode,
        Mode::Edit,
        "Esc closed the help, it did not switch modes"
    );
    h.key(press(KeyCode::Esc));
    h.key(ch('?'));
    assert!(matches!(h.state.overlay, Overlay::Help { .. }));
    h.key(ch('?'));
    assert_eq!(h.state.overlay, Overlay::None);
}

// ── replies ───────────────────────────────────────────────────────────────────────────────

#[test]
fn an_evaluation_gives_candidates_in_rank_order() {
    let h = ready("Hello world");
    assert_eq!(h.state.prompt_len(), 2);
    assert_eq!(
        ids_by_rank(&h),
        [BANG, THERE, FRIEND, WORLD, HELLO, END],
        "ties go to the lower id"
    );
    let d = h.state.distribution().unwrap();
    let probs: Vec<f64> = d.candidates.iter().map(|c| c.prob).collect();
    for (p, want) in probs.iter().zip([0.30, 0.20, 0.20, 0.15, 0.10, 0.05]) {
        assert!((p - want).abs() < 1e-6, "{probs:?}");
    }
    // The second prompt token's GLTR rank: " world" is rank 3 after "Hello".
    assert_eq!(h.state.sequence()[1].rank, Some(3));
}

#[test]
fn stale_replies_are_dropped() {
    let mut h = Harness::new(State::new(Lang::En, params(), false, Options::default()));
    h.reply(Reply::Loaded(info()));
    type_text(&mut h, "Hello");
    let first = h.last_request().cloned().unwrap();
    type_text(&mut h, " world");
    let newest = h.last_request().cloned().unwrap();
    h.reply(worker(&first).unwrap());
    assert!(h.state.eval.is_none(), "reply to an old request ignored");
    assert!(h.state.awaiting.is_some());
    h.reply(worker(&newest).unwrap());
    assert_eq!(h.state.eval.as_ref().unwrap().prompt, "Hello world");
    assert!(h.state.awaiting.is_none());
    // A late copy of the accepted reply changes nothing.
    h.reply(worker(&first).unwrap());
    assert_eq!(h.state.eval.as_ref().unwrap().prompt, "Hello world");
}

#[test]
fn a_failure_is_shown_and_cleared_by_the_next_success() {
    let mut h = ready("Hello");
    h.key(ch(' '));
    let Some(Request::Evaluate { id, .. }) = h.last_request().cloned() else {
        panic!()
    };
    h.reply(Reply::Failed {
        id,
        error: Arc::new(ModelError::ContextFull {
            needed: 70,
            context: 64,
        }),
    });
    let error = h.state.error.as_ref().expect("an error is shown");
    assert!(error.describe(Lang::En).contains("70 tokens"), "{error:?}");
    assert!(
        error.describe(Lang::PtBr).contains("janela de contexto"),
        "{error:?}"
    );
    assert!(h.state.awaiting.is_none());
    h.key(ch('u'));
    h.key(ch(' '));
    h.answer_with(worker);
    assert!(h.state.error.is_none());
}

// ── generation ────────────────────────────────────────────────────────────────────────────

#[test]
fn step_appends_the_drawn_token_and_requests_the_continuation() {
    let mut h = ready("Hello world");
    let dist = h.state.distribution().unwrap().clone();
    let effects = h.key(ch(' '));
    // The dice for the token at index 2 (the sequence's third token).
    let draw = dist.sample(2);
    let requests = evaluates(&effects);
    assert_eq!(requests.len(), 1);
    assert_eq!(continuation(requests[0]), [draw.id]);
    assert_eq!(h.state.tree.tokens(), [draw.id]);
    assert!(
        matches!(h.state.tree.node(h.state.tree.head()).choice, Choice::Sampled { draw: d, .. } if d == draw)
    );
    let roll = h
        .state
        .roll
        .as_ref()
        .expect("the dice roll is shown right away");
    assert_eq!(roll.rank, draw.rank);
    assert!(roll.range.0 <= draw.u && draw.u < roll.range.1);
}

#[test]
fn stepping_is_reproducible_after_undo() {
    let mut h = ready("Hello world");
    h.key(ch('s'));
    h.answer_with(worker);
    h.key(ch(' '));
    h.answer_with(worker);
    let first = h.state.tree.tokens();
    h.key(ch('u'));
    h.key(ch('u'));
    h.key(ch(' '));
    h.answer_with(worker);
    h.key(ch(' '));
    h.answer_with(worker);
    assert_eq!(
        h.state.tree.tokens(),
        first,
        "same seed, same steps, same tokens"
    );
    assert_eq!(
        h.state.tree.len(),
        2,
        "the same branch was reused, not duplicated"
    );
}

#[test]
fn number_keys_pick_by_rank() {
    let mut h = ready("Hello world");
    let effects = h.key(ch('2'));
    assert_eq!(continuation(evaluates(&effects)[0]), [THERE]);
    h.answer_with(worker);
    h.key(ch('1'));
    h.answer_with(worker);
    assert_eq!(h.state.tree.tokens(), [THERE, BANG]);
    assert!(matches!(
        h.state.tree.node(h.state.tree.head()).choice,
        Choice::Picked { rank: 0 }
    ));
    // Rank 9 does not exist in a six-token vocabulary.
    let effects = h.key(ch('9'));
    assert!(evaluates(&effects).is_empty());
    assert!(h.state.notice.is_some());
}

#[test]
fn arrows_and_enter_pick_the_selected_candidate() {
    let mut h = ready("Hello world");
    h.key(press(KeyCode::Down));
    h.key(press(KeyCode::Down));
    h.key(press(KeyCode::Up));
    assert_eq!(h.state.selected, 1);
    let effects = h.key(press(KeyCode::Enter));
    assert_eq!(continuation(evaluates(&effects)[0]), [THERE]);
}

#[test]
fn choosing_waits_for_the_model() {
    let mut h = ready("Hello world");
    h.key(ch(' '));
    // No reply yet: a second step is refused, not drawn from the old distribution.
    let effects = h.key(ch(' '));
    assert!(evaluates(&effects).is_empty());
    assert_eq!(h.state.tree.depth(), 1);
}

#[test]
fn undo_and_redo_need_no_model_call() {
    let mut h = ready("Hello world");
    h.key(ch('1'));
    h.answer_with(worker);
    h.key(ch('1'));
    h.answer_with(worker);
    assert_eq!(h.state.tree.tokens(), [BANG, END]);
    let effects = h.key(ch('u'));
    assert!(
        evaluates(&effects).is_empty(),
        "the last evaluation covers the shorter sequence"
    );
    assert_eq!(h.state.tree.tokens(), [BANG]);
    assert_eq!(
        ids_by_rank(&h)[0],
        END,
        "the distribution after '!' is shown again"
    );
    let effects = h.key(ch('U'));
    assert!(evaluates(&effects).is_empty());
    assert_eq!(h.state.tree.tokens(), [BANG, END]);
    h.key(ctrl('r'));
    assert!(h.state.notice.is_some(), "nothing more to redo");
    h.key(ch('x'));
    assert!(h.state.tree.tokens().is_empty(), "x clears the generation");
}

#[test]
fn picking_from_a_look_back_cursor_starts_a_branch() {
    let mut h = ready("Hello world");
    for c in ['1', '1', '1'] {
        h.key(ch(c));
        h.answer_with(worker);
    }
    assert_eq!(h.state.tree.tokens(), [BANG, END, BANG]);
    // Look at the 4th token (index 3, the first generated one: "!").
    h.key(press(KeyCode::Left));
    h.key(press(KeyCode::Left));
    h.key(press(KeyCode::Left));
    assert_eq!(h.state.look, Some(2));
    let view = h.state.view.as_ref().unwrap();
    assert_eq!(view.index, 2);
    assert_eq!(
        view.actual,
        Some((BANG, Some(0))),
        "the token there was the model's first choice"
    );
    assert_eq!(h.state.selected, 0, "selection starts on the actual token");
    // Pick rank 3 there instead: a new branch.
    let effects = h.key(ch('3'));
    assert_eq!(continuation(evaluates(&effects)[0]), [FRIEND]);
    h.answer_with(worker);
    assert_eq!(h.state.look, None);
    assert_eq!(h.state.tree.tokens(), [FRIEND]);
    let head = h.state.tree.head();
    assert_eq!(h.state.tree.sibling_position(head), (2, 2));
    // Switch back to the first branch: its whole continuation returns.
    h.key(ch('['));
    assert_eq!(h.state.tree.tokens(), [BANG, END, BANG]);
    h.key(ch(']'));
    assert_eq!(h.state.tree.tokens(), [FRIEND]);
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("branch 2/2"), "{screen}");
}

#[test]
fn a_prompt_token_cannot_be_replaced_from_look_back() {
    let mut h = ready("Hello world");
    h.key(press(KeyCode::Home));
    assert_eq!(h.state.look, Some(0));
    assert!(
        h.state.distribution().is_none(),
        "nothing predicts the first token"
    );
    h.key(press(KeyCode::Right));
    assert_eq!(
        h.state.view.as_ref().unwrap().actual,
        Some((WORLD, Some(3)))
    );
    let effects = h.key(ch('1'));
    assert!(evaluates(&effects).is_empty());
    assert!(h.state.notice.is_some());
    h.key(press(KeyCode::End));
    assert_eq!(h.state.look, None);
}

#[test]
fn editing_the_prompt_starts_a_fresh_generation() {
    let mut h = ready("Hello");
    h.key(ch('1'));
    h.answer_with(worker);
    h.key(ch('i'));
    type_text(&mut h, " world");
    match h.last_request() {
        Some(Request::Evaluate {
            prompt,
            continuation,
            ..
        }) => {
            assert_eq!(prompt, "Hello world");
            assert!(continuation.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(h.state.tree.is_empty());
}

#[test]
fn chat_toggle_reevaluates() {
    let mut h = ready("Hello");
    let effects = h.key(ch('c'));
    assert!(h.state.chat);
    assert!(matches!(
        evaluates(&effects)[0],
        Request::Evaluate { chat: true, .. }
    ));
}

// ── sampling settings ─────────────────────────────────────────────────────────────────────

#[test]
fn sampling_keys_change_the_distribution_without_a_model_call() {
    let mut h = ready("Hello world");
    let before = h.effects.len();
    assert_eq!(h.state.distribution().unwrap().kept, 6);

    h.key(ch('k'));
    assert_eq!(h.state.params.top_k, 1000);
    for _ in 0..11 {
        h.key(ch('k'));
    }
    assert_eq!(h.state.params.top_k, 1);
    assert_eq!(h.state.distribution().unwrap().kept, 1);
    h.key(ch('K'));
    h.key(ch('K'));
    assert_eq!(h.state.params.top_k, 3);
    assert_eq!(h.state.distribution().unwrap().kept, 3);

    h.key(ch('p'));
    assert!((h.state.params.top_p - 0.99).abs() < 1e-6);
    for _ in 0..7 {
        h.key(ch('p'));
    }
    assert!((h.state.params.top_p - 0.4).abs() < 1e-6);
    // After top-k 3 the kept mass is renormalised to 0.43 / 0.29 / 0.29: 0.43 alone reaches 0.4.
    assert_eq!(h.state.distribution().unwrap().kept, 1);
    for _ in 0..10 {
        h.key(ch('K'));
    }
    assert_eq!(h.state.params.top_k, 0, "top-k off again");
    // Without top-k: 0.30 + 0.20 reaches 0.4, two tokens.
    assert_eq!(h.state.distribution().unwrap().kept, 2);

    h.key(ch('M'));
    h.key(ch('M'));
    h.key(ch('M'));
    h.key(ch('M'));
    h.key(ch('M'));
    assert!((h.state.params.min_p - 0.2).abs() < 1e-6);
    h.key(ch('m'));
    assert!((h.state.params.min_p - 0.1).abs() < 1e-6);

    h.key(ch('t'));
    assert!((h.state.params.temperature - 0.9).abs() < 1e-6);
    h.key(ch('T'));
    h.key(ch('T'));
    assert!((h.state.params.temperature - 1.1).abs() < 1e-6);
    h.key(ch('g'));
    assert_eq!(h.state.params.temperature, 0.0);
    assert_eq!(h.state.distribution().unwrap().kept, 1, "greedy keeps one");
    h.key(ch('g'));
    assert!(
        (h.state.params.temperature - 1.1).abs() < 1e-6,
        "greedy off restores the temperature"
    );

    h.key(ch('r'));
    assert_eq!(h.state.params.seed, 8);
    h.key(ch('R'));
    h.key(ch('R'));
    assert_eq!(h.state.params.seed, 6);

    assert!(
        evaluates(&h.effects[before..]).is_empty(),
        "no model call for sampling keys"
    );
}

#[test]
fn the_seed_changes_the_roll() {
    let mut h = ready("Hello world");
    let tokens: Vec<u32> = (0..8)
        .map(|_| {
            h.key(ch('r'));
            let d = h.state.distribution().unwrap();
            d.sample(2).id
        })
        .collect();
    assert!(tokens.iter().any(|&t| t != tokens[0]), "{tokens:?}");
}

// ── autoplay ──────────────────────────────────────────────────────────────────────────────

fn run_ticks(h: &mut Harness, n: usize) {
    for _ in 0..n {
        h.send(Msg::Tick);
        h.answer_with(worker);
    }
}

#[test]
fn autoplay_stops_at_the_end_of_text() {
    let mut h = ready("Hello world");
    h.key(ch('g'));
    h.key(ch('-'));
    h.key(ch('+'));
    h.key(ch('+'));
    h.key(ch('+'));
    h.key(ch('a'));
    assert!(matches!(h.state.autoplay, Autoplay::Running { .. }));
    run_ticks(&mut h, 50);
    assert_eq!(h.state.autoplay, Autoplay::Stopped(StopReason::EndOfText));
    assert_eq!(
        h.state.tree.tokens(),
        [BANG, END],
        "greedy: '!' then the end token"
    );
}

#[test]
fn autoplay_stops_at_the_token_limit() {
    let options = Options {
        prompt: "Hello".into(),
        explore: true,
        max_new_tokens: 1,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(Lang::En, params(), false, options));
    h.reply(Reply::Loaded(info()));
    h.answer_with(worker);
    h.key(ch('g'));
    h.key(ch('a'));
    run_ticks(&mut h, 50);
    assert_eq!(h.state.autoplay, Autoplay::Stopped(StopReason::Limit));
    assert_eq!(h.state.tree.tokens(), [BANG]);
    h.key(ch('a'));
    assert!(matches!(h.state.autoplay, Autoplay::Running { .. }));
    h.key(ch('a'));
    assert_eq!(h.state.autoplay, Autoplay::Off);
}

// ── view ──────────────────────────────────────────────────────────────────────────────────

#[test]
fn language_switch_changes_the_rendered_text() {
    let mut h = ready("Hello world");
    let en = h.render(100, 30).to_string();
    assert!(
        en.contains("Next token") && en.contains("effective choices"),
        "{en}"
    );
    h.key(ch('l'));
    assert_eq!(h.state.lang, Lang::PtBr);
    let pt = h.render(100, 30).to_string();
    assert!(
        pt.contains("Próximo token") && pt.contains("entropia") && pt.contains("temperatura"),
        "{pt}"
    );
    h.key(ch('l'));
    assert_eq!(h.state.lang, Lang::En);
}

#[test]
fn ids_toggle_shows_token_ids() {
    let mut h = ready("Hello world");
    h.key(ch('#'));
    assert!(h.state.show_ids);
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("Hello#1"), "{screen}");
}

#[test]
fn clicking_a_candidate_row_picks_it() {
    let mut h = ready("Hello world");
    h.render(100, 30);
    let area = ratatui::layout::Rect::new(0, 0, 100, 30);
    let areas = tokenscope::ui::layout::layout(area, &h.state).unwrap();
    // Inside the pane: a header row, then rank 1, rank 2, …
    let (x, y) = (areas.next.x + 5, areas.next.y + 1 + 1 + 1);
    let mouse = crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(
        mouse_action(&h.state, area, mouse),
        Some(Action::PickRank(2))
    );
    // A click on a token chip moves the look-back cursor there.
    let chip = crossterm::event::MouseEvent {
        column: areas.tokens.x + 2,
        row: areas.tokens.y + 1,
        ..mouse
    };
    assert_eq!(mouse_action(&h.state, area, chip), Some(Action::LookAt(0)));
}

// ── robustness ────────────────────────────────────────────────────────────────────────────

mod random_sessions {
    use super::*;
    use proptest::prelude::*;
    use tokenscope::keymap::{BINDINGS, KeyPat};

    /// Every key of the table, plus a few characters and a paste.
    fn inputs() -> Vec<Msg> {
        let mut keys: Vec<Msg> = BINDINGS
            .iter()
            .filter_map(|b| match b.key {
                KeyPat::Key(k) => Some(KeyEvent::new(k.code, k.mods)),
                KeyPat::AnyChar => None,
            })
            .filter(|k| !(k.code == KeyCode::Char('c') && k.modifiers == KeyModifiers::CONTROL))
            .map(|k| {
                Msg::Action(
                    tokenscope::keymap::resolve(tokenscope::keymap::Context::Explore, &k)
                        .unwrap_or(Action::LookLive),
                )
            })
            .collect();
        for a in [
            Action::InsertChar('a'),
            Action::InsertChar('ã'),
            Action::InsertChar('\n'),
            Action::Paste("Hello world\r\n!".into()),
            Action::DeleteBack,
            Action::CaretUp,
            Action::LookAt(1),
            Action::PickRank(40),
            Action::ClickPrompt { row: 0, col: 3 },
            Action::ScrollHelp(-3),
        ] {
            keys.push(Msg::Action(a));
        }
        keys.push(Msg::Tick);
        keys
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any sequence of inputs, answered or not, keeps the state consistent and renders at
        /// any size.
        #[test]
        fn never_panics(script in prop::collection::vec((0usize..200, any::<bool>()), 0..80), w in 20u16..200, hgt in 5u16..70) {
            let inputs = inputs();
            let mut h = ready("Hello world");
            for (i, answer) in script {
                let msg = inputs[i % inputs.len()].clone();
                if matches!(msg, Msg::Action(Action::Quit)) {
                    continue;
                }
                h.send(msg);
                if answer {
                    h.answer_with(worker);
                }
                let len = h.state.sequence_len();
                prop_assert!(h.state.look.is_none_or(|l| l < len));
                if let Some(d) = h.state.distribution() {
                    prop_assert!(h.state.selected < d.candidates.len());
                }
            }
            h.render(w, hgt);
            h.render(100, 30);
        }
    }
}
