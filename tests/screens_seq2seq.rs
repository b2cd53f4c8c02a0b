//! The playground with an encoder-decoder: the REAL Bergamot tiny Marian model `marian-en-pt`
//! (a [`Seq2SeqSession`], as the worker builds it for that folder) answering the headless
//! app's requests. Key scripts check that the source goes with every request, that the encoder
//! runs once per source text and the decoder once per target token, that `F5` moves typing
//! between the source and the target, and that stepping, undo and editing the source work on
//! the target; whole-screen snapshots (fixed `elapsed` and encoder time, libtorch on one
//! thread) show the source pane, its token chips with cross-attention bars and the two
//! counters.
//!
//! Needs `scripts/bootstrap --model marian-en-pt`; skipped (with a note) when it is absent.
//! Create or update the snapshots with `INSTA_UPDATE=always cargo test --test screens_seq2seq`.

mod common;

use std::cell::RefCell;
use std::time::Duration;

use common::HarnessExt;
use common::keys::{ch, press};
use crossterm::event::KeyCode;
use tokenscope::app::Harness;
use tokenscope::engine::seq2seq::Seq2SeqSession;
use tokenscope::engine::{Backend, Reply, Request};
use tokenscope::i18n::Lang;
use tokenscope::model::seq2seq;
use tokenscope::registry;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{Mode, Options, State};

const SOURCE: &str = "The cat sat on the mat.";

/// The worker, played synchronously: the real session, replies with fixed timings.
struct Worker {
    session: RefCell<Seq2SeqSession>,
    /// The source report of every reply: (encoded now, encoder runs, decoder steps).
    log: RefCell<Vec<(bool, u64, u64)>>,
}

impl Worker {
    fn new() -> Option<Worker> {
        let m = registry::find("marian-en-pt").expect("a known name");
        if !m.installed() {
            eprintln!(
                "skipped: marian-en-pt is not installed ({})",
                m.install_command()
            );
            return None;
        }
        tch::set_num_threads(1);
        let loaded = seq2seq::load(&m.path(), tch::Device::Cpu).expect("loading marian-en-pt");
        Some(Worker {
            session: RefCell::new(Seq2SeqSession::new(loaded)),
            log: RefCell::new(Vec::new()),
        })
    }

    fn serve(&self, request: &Request) -> Option<Reply> {
        let mut reply = self.session.borrow_mut().serve(request)?;
        if let Reply::Evaluated {
            elapsed, source, ..
        } = &mut reply
        {
            *elapsed = Duration::from_millis(3);
            let report = source
                .as_mut()
                .expect("an encoder-decoder reports its source");
            report.encode_time = Duration::from_micros(4_200);
            self.log
                .borrow_mut()
                .push((report.encoded, report.encoder_runs, report.decoder_steps));
        }
        Some(reply)
    }

    fn answer(&self, h: &mut Harness) -> usize {
        h.answer_with(|r| self.serve(r))
    }

    /// The newest (encoded now, encoder runs, decoder steps).
    fn last(&self) -> (bool, u64, u64) {
        *self.log.borrow().last().expect("a reply")
    }
}

fn greedy() -> SamplingParams {
    SamplingParams {
        temperature: 0.0,
        top_k: 0,
        top_p: 1.0,
        min_p: 0.0,
        seed: 42,
        order: Default::default(),
    }
}

/// The app with the model loaded and `source` evaluated (Explore mode unless `source` is
/// empty).
fn started(worker: &Worker, lang: Lang, source: &str) -> Harness {
    let options = Options {
        source: Some(source.to_string()),
        explore: !source.is_empty(),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, greedy(), false, options));
    let info = worker.session.borrow().info(Duration::from_millis(500));
    h.reply(Reply::Loaded(info));
    worker.answer(&mut h);
    h
}

/// The text of the target so far, as the Tokens pane has it (without the start token).
fn target_text(h: &Harness) -> String {
    h.state
        .sequence()
        .iter()
        .skip(1)
        .map(|t| t.token.text.clone())
        .collect()
}

#[test]
fn the_source_goes_with_every_request_and_the_encoder_runs_once() {
    let Some(worker) = Worker::new() else { return };
    let mut h = started(&worker, Lang::En, SOURCE);
    let Some(Request::Evaluate { source, prompt, .. }) = h.last_request() else {
        panic!("an evaluation was requested");
    };
    assert_eq!(source.as_deref(), Some(SOURCE));
    assert_eq!(prompt, "", "the target starts empty");
    assert_eq!(worker.last(), (true, 1, 1), "encoder once, the start step");
    for _ in 0..4 {
        h.key(ch(' '));
        worker.answer(&mut h);
    }
    // Each step ran the decoder once more and never the encoder.
    assert_eq!(worker.last(), (false, 1, 1));
    assert_eq!(h.state.sequence_len(), 5);
    assert_eq!(target_text(&h), " O gato sentou");
    let src = h.state.source.as_ref().unwrap();
    assert_eq!(src.encoder_runs, 1);
    assert_eq!(src.decoder_steps, 5);
    assert_eq!(src.tokens().len(), 8, "seven pieces and </s>");
    let attention = &src.report().unwrap().cross_attention;
    assert_eq!(attention.len(), 8);
    let sum: f32 = attention.iter().sum();
    assert!(
        (sum - 1.0).abs() < 1e-4,
        "a distribution over the source: {sum}"
    );
    // Undo is served from the decoder cache: no step runs.
    h.key(ch('u'));
    assert_eq!(h.state.sequence_len(), 4);
    assert_eq!(
        worker.answer(&mut h),
        0,
        "the reply already covers the shorter target"
    );
}

#[test]
fn f3_moves_typing_between_source_and_target_and_a_new_source_starts_over() {
    let Some(worker) = Worker::new() else { return };
    let mut h = started(&worker, Lang::En, SOURCE);
    h.key(ch(' '));
    worker.answer(&mut h);
    assert_eq!(h.state.sequence_len(), 2);
    // A given source: typing goes into the target first.
    h.key(press(KeyCode::F(5)));
    assert_eq!(h.state.mode, Mode::Edit);
    assert!(
        h.state.source.as_ref().unwrap().focus,
        "F5 went to the source"
    );
    h.key(press(KeyCode::End));
    for c in " It was happy.".chars() {
        h.key(ch(c));
    }
    worker.answer(&mut h);
    let Some(Request::Evaluate { source, prompt, .. }) = h.last_request() else {
        panic!("an evaluation was requested");
    };
    assert_eq!(
        source.as_deref(),
        Some("The cat sat on the mat. It was happy.")
    );
    assert_eq!(prompt, "");
    assert_eq!(h.state.sequence_len(), 1, "the translation started over");
    // Only the newest request was served: one more encoder run.
    assert!(worker.last().0, "the new source was encoded");
    assert_eq!(h.state.source.as_ref().unwrap().encoder_runs, 2);
    // Back to the target: typing there is the start of the translation.
    h.key(press(KeyCode::F(5)));
    for c in "Um".chars() {
        h.key(ch(c));
    }
    worker.answer(&mut h);
    assert_eq!(h.state.editor.text(), "Um");
    let Some(Request::Evaluate { source, prompt, .. }) = h.last_request() else {
        panic!("an evaluation was requested");
    };
    assert_eq!(
        source.as_deref(),
        Some("The cat sat on the mat. It was happy.")
    );
    assert_eq!(prompt, "Um");
    assert!(!worker.last().0, "the same source is not encoded again");
    assert!(h.state.fresh());
}

#[test]
fn an_empty_source_asks_for_nothing_and_has_the_focus() {
    let Some(worker) = Worker::new() else { return };
    let mut h = started(&worker, Lang::En, "");
    assert!(worker.log.borrow().is_empty(), "nothing to encode");
    assert!(h.state.source.as_ref().unwrap().focus);
    for c in "Hello.".chars() {
        h.key(ch(c));
    }
    assert_eq!(worker.answer(&mut h), 1);
    assert_eq!(worker.last(), (true, 1, 1));
    assert_eq!(h.state.editor.text(), "", "the target is untouched");
}

#[test]
fn screen_after_four_steps_100x30() {
    let Some(worker) = Worker::new() else { return };
    let mut h = started(&worker, Lang::En, SOURCE);
    for _ in 0..4 {
        h.key(ch(' '));
        worker.answer(&mut h);
    }
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn screen_pt_br_80x24_while_typing_the_source() {
    let Some(worker) = Worker::new() else { return };
    let mut h = started(&worker, Lang::PtBr, "");
    for c in "The cat sat on the mat.".chars() {
        h.key(ch(c));
    }
    worker.answer(&mut h);
    h.key(press(KeyCode::Esc));
    for _ in 0..2 {
        h.key(ch(' '));
        worker.answer(&mut h);
    }
    insta::assert_snapshot!(h.render(80, 24));
}
