//! The playground with an HF encoder-decoder folder (the tiny random T5 v1.1 / FLAN-style and
//! BART checkpoints of `tests/fixtures/seq2seq/`, from `scripts/make_seq2seq_fixtures.py`): the
//! same [`Seq2SeqSession`] the worker builds for such a folder answers the headless app. Greedy
//! steps pick transformers' greedy ids, the encoder runs once and the decoder once per token, the
//! target starts from `decoder_start_token_id` (T5's `<pad>`, BART's `</s>`) and BART's source
//! starts with `<s>`; whole-screen snapshots in English and Portuguese. Needs nothing installed.
//! Create or update the snapshots with `INSTA_UPDATE=always cargo test --test screens_seq2seq_hf`.

mod common;

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use common::HarnessExt;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::engine::seq2seq::Seq2SeqSession;
use tokenscope::engine::{Backend, Reply, Request};
use tokenscope::i18n::Lang;
use tokenscope::model::seq2seq;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{Options, State};

fn folder(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seq2seq")
        .join(name)
}

/// The first source of the fixture and transformers' greedy ids for it.
fn reference(name: &str) -> (String, Vec<u32>) {
    let text = std::fs::read_to_string(folder(name).join("expected.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = &v["cases"][0];
    let ids = serde_json::from_value(case["greedy_ids"].clone()).unwrap();
    (case["source"].as_str().unwrap().to_string(), ids)
}

/// The worker, played synchronously, with fixed timings for stable screens.
fn serve(session: &RefCell<Seq2SeqSession>, request: &Request) -> Option<Reply> {
    let mut reply = session.borrow_mut().serve(request)?;
    if let Reply::Evaluated {
        elapsed, source, ..
    } = &mut reply
    {
        *elapsed = Duration::from_millis(3);
        if let Some(report) = source.as_mut() {
            report.encode_time = Duration::from_micros(4_200);
        }
    }
    Some(reply)
}

fn started(name: &str, lang: Lang, source: &str) -> (Harness, RefCell<Seq2SeqSession>) {
    tch::set_num_threads(1);
    let loaded = seq2seq::load(&folder(name), tch::Device::Cpu).unwrap();
    let session = RefCell::new(Seq2SeqSession::new(loaded));
    let greedy = SamplingParams {
        temperature: 0.0,
        top_k: 0,
        top_p: 1.0,
        min_p: 0.0,
        seed: 42,
        order: Default::default(),
    };
    let options = Options {
        source: Some(source.to_string()),
        explore: true,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, greedy, false, options));
    let info = session.borrow().info(Duration::from_millis(500));
    h.reply(Reply::Loaded(info));
    h.answer_with(|r| serve(&session, r));
    (h, session)
}

fn steps(h: &mut Harness, session: &RefCell<Seq2SeqSession>, n: usize) {
    for _ in 0..n {
        h.key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
        h.answer_with(|r| serve(session, r));
    }
}

#[test]
fn greedy_steps_in_the_playground_pick_transformers_ids() {
    let (source, want) = reference("t5-v1_1");
    let (mut h, session) = started("t5-v1_1", Lang::En, &source);
    steps(&mut h, &session, 4);
    let ids: Vec<u32> = h.state.sequence().iter().map(|t| t.token.id).collect();
    assert_eq!(ids[0], 0, "T5 starts from <pad>");
    assert_eq!(h.state.sequence()[0].token.text, "<pad>");
    assert_eq!(&ids[1..], &want[..4]);
    let src = h.state.source.as_ref().unwrap();
    assert_eq!(src.encoder_runs, 1, "the encoder ran once");
    assert_eq!(src.decoder_steps, 5, "the start step and one per token");
    assert_eq!(session.borrow().encoder_runs, 1);
}

#[test]
fn bart_source_starts_with_bos_and_the_target_with_eos() {
    let (source, want) = reference("bart");
    let (mut h, session) = started("bart", Lang::En, &source);
    steps(&mut h, &session, 2);
    let src = h.state.source.as_ref().unwrap();
    assert_eq!(src.tokens().first().unwrap().text, "<s>");
    assert_eq!(src.tokens().last().unwrap().text, "</s>");
    let ids: Vec<u32> = h.state.sequence().iter().map(|t| t.token.id).collect();
    assert_eq!(ids, vec![2, want[0], want[1]]);
}

#[test]
fn screen_t5_after_four_steps_100x30() {
    let (source, _) = reference("t5-v1_1");
    let (mut h, session) = started("t5-v1_1", Lang::En, &source);
    steps(&mut h, &session, 4);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn screen_bart_pt_br_80x24() {
    let (source, _) = reference("bart");
    let (mut h, session) = started("bart", Lang::PtBr, &source);
    steps(&mut h, &session, 2);
    insta::assert_snapshot!(h.render(80, 24));
}
