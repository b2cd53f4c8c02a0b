//! The playground with an encoder: the REAL models `bert-tiny` (fill-mask) and
//! `all-minilm-l6-v2` (sentence embeddings), each behind an [`EncoderSession`] as the worker
//! builds it for their folders, answering the headless app's requests. Key scripts check that
//! the distribution at a `[MASK]` is the one `tokenscope fill --json` prints, that a word
//! typed *after* the mask changes it, that picking a candidate writes it into the prompt, that
//! `F6` moves between masks and that the decoder's actions answer a status line;
//! whole-screen snapshots (fixed `elapsed`, libtorch on one thread) show the views.
//!
//! Needs `scripts/bootstrap --model bert-tiny --model all-minilm-l6-v2`; each test is skipped
//! (with a note) when its model is absent. Create or update the snapshots with
//! `INSTA_UPDATE=always cargo test --test screens_encoders`.

mod common;

use std::time::Duration;

use common::HarnessExt;
use common::keys::{ch, press};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::engine::encoder_session::EncoderSession;
use tokenscope::engine::{Backend, Reply, Request};
use tokenscope::i18n::{Lang, Text};
use tokenscope::model::bert;
use tokenscope::registry;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::{EncoderKind, Options, State};

const FILL: &str = "the cat sat on the [MASK] and purred.";

/// The worker, played synchronously: the real session, replies with a fixed `elapsed`.
struct Worker {
    session: EncoderSession,
    name: &'static str,
}

impl Worker {
    fn new(name: &'static str) -> Option<Worker> {
        let m = registry::find(name).expect("a known name");
        if !m.installed() {
            eprintln!("skipped: {name} is not installed ({})", m.install_command());
            return None;
        }
        tch::set_num_threads(1);
        let loaded = bert::load(&m.path()).expect("loading the encoder");
        Some(Worker {
            session: EncoderSession::new(loaded),
            name,
        })
    }

    fn serve(&mut self, request: &Request) -> Option<Reply> {
        let mut reply = self.session.serve(request)?;
        if let Reply::Encoded { report, .. } = &mut reply {
            report.elapsed = Duration::from_millis(7);
        }
        Some(reply)
    }

    fn answer(&mut self, h: &mut Harness) -> usize {
        let mut n = 0;
        // `answer_with` takes a `Fn`: serve through a cell.
        let cell = std::cell::RefCell::new(self);
        n += h.answer_with(|r| cell.borrow_mut().serve(r));
        n
    }

    fn kind(&self) -> EncoderKind {
        match self.session.fills_masks() {
            true => EncoderKind::FillMask {
                mask: self.session.model.tokenizer.mask_text.clone(),
            },
            false => EncoderKind::Embeddings,
        }
    }
}

fn typed(h: &mut Harness, text: &str) {
    for c in text.chars() {
        h.key(if c == '\n' {
            press(KeyCode::Enter)
        } else {
            ch(c)
        });
    }
}

/// The app with the encoder loaded and `prompt` evaluated.
fn started(worker: &mut Worker, lang: Lang, prompt: &str, explore: bool) -> Harness {
    let options = Options {
        prompt: prompt.to_string(),
        explore,
        encoder: Some(worker.kind()),
        current_model: Some(worker.name.to_string()),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
    let info = worker.session.info(Duration::from_millis(500));
    h.reply(Reply::Loaded(info));
    worker.answer(&mut h);
    h
}

/// (id, raw probability) of the first `n` candidates shown.
fn shown(h: &Harness, n: usize) -> Vec<(u32, f64)> {
    let d = h.state.distribution().expect("a distribution at the mask");
    d.candidates
        .iter()
        .take(n)
        .map(|c| (c.id, c.prob))
        .collect()
}

#[test]
fn the_distribution_at_the_mask_is_the_one_fill_json_prints() {
    let Some(mut worker) = Worker::new("bert-tiny") else {
        return;
    };
    let h = started(&mut worker, Lang::En, FILL, true);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args([
            "fill",
            "--json",
            "--model",
            "bert-tiny",
            "--show",
            "20",
            FILL,
        ])
        .env_remove("TOKENSCOPE_MODEL")
        .output()
        .expect("running tokenscope fill");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mask = &json["masks"][0];
    let view = h.state.view.as_ref().expect("a view");
    assert_eq!(view.index, mask["position"].as_u64().unwrap() as usize);
    let cands = mask["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 20);
    for (c, (id, prob)) in cands.iter().zip(shown(&h, 20)) {
        assert_eq!(c["id"].as_u64().unwrap() as u32, id);
        let expected = c["prob"].as_f64().unwrap();
        assert!((expected - prob).abs() < 1e-6, "{expected} vs {prob}");
    }
    let d = h.state.distribution().unwrap();
    assert_eq!(d.candidates.len(), 30_522, "the full vocabulary");
}

#[test]
fn a_word_after_the_mask_changes_the_distribution() {
    let Some(mut worker) = Worker::new("bert-tiny") else {
        return;
    };
    let mut h = started(
        &mut worker,
        Lang::En,
        "the cat sat on the [MASK] and purred",
        false,
    );
    let before = shown(&h, 10);
    let index = h.state.view.as_ref().unwrap().index;
    // Replace the last word (after the mask) with another one.
    for _ in 0.."purred".len() {
        h.key(press(KeyCode::Backspace));
    }
    typed(&mut h, "barked");
    worker.answer(&mut h);
    assert!(h.state.fresh());
    assert_eq!(h.state.view.as_ref().unwrap().index, index, "same mask");
    let after = shown(&h, 10);
    assert_ne!(before, after, "the encoder read the word after the mask");
    let moved = before
        .iter()
        .zip(&after)
        .map(|(a, b)| (a.1 - b.1).abs())
        .fold(0.0, f64::max);
    assert!(moved > 1e-4, "probabilities moved: {moved}");
}

#[test]
fn typing_a_mask_and_picking_a_candidate_fills_it() {
    let Some(mut worker) = Worker::new("bert-tiny") else {
        return;
    };
    let mut h = started(&mut worker, Lang::En, "", false);
    typed(&mut h, "paris is the capital of");
    worker.answer(&mut h);
    assert!(h.state.distribution().is_none(), "no mask yet");
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("Type [MASK] where"), "{screen}");
    typed(&mut h, " [MASK].");
    worker.answer(&mut h);
    let top = shown(&h, 1)[0].0;
    let word = h.state.token_view(top).text.clone();
    // The decoder's step answers a status line and changes nothing.
    h.key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
    assert_eq!(
        h.state.notice.as_ref().unwrap().text,
        Text::NoticeEncoderFills
    );
    assert_eq!(h.state.editor.text(), "paris is the capital of [MASK].");
    h.key(press(KeyCode::Esc));
    h.key(ch('1'));
    assert_eq!(
        h.state.editor.text(),
        format!("paris is the capital of {word}.")
    );
    assert_eq!(
        h.state.notice.as_ref().unwrap().text,
        Text::NoticeFilledMask
    );
    worker.answer(&mut h);
    assert!(h.state.distribution().is_none(), "no mask left");
}

#[test]
fn f6_moves_between_masks() {
    let Some(mut worker) = Worker::new("bert-tiny") else {
        return;
    };
    let mut h = started(&mut worker, Lang::En, "the [MASK] sat on the [MASK].", true);
    let first = h.state.view.as_ref().unwrap().index;
    let first_top = shown(&h, 3);
    h.key(press(KeyCode::F(6)));
    let second = h.state.view.as_ref().unwrap().index;
    assert!(second > first, "{first} then {second}");
    assert_ne!(shown(&h, 3), first_top);
    // Picking fills the second mask; the first stays.
    h.key(ch('2'));
    assert!(h.state.editor.text().starts_with("the [MASK] sat on the "));
    assert!(!h.state.editor.text().ends_with("[MASK]."));
    h.key(press(KeyCode::F(6)));
    assert_eq!(h.state.fill.as_ref().unwrap().chosen, 0, "wraps around");
}

#[test]
fn fill_mask_100x30_en() {
    let Some(mut worker) = Worker::new("bert-tiny") else {
        return;
    };
    let mut h = started(&mut worker, Lang::En, FILL, true);
    insta::assert_snapshot!(h.render(100, 30));
}

#[test]
fn fill_mask_80x24_pt_br() {
    let Some(mut worker) = Worker::new("bert-tiny") else {
        return;
    };
    let mut h = started(&mut worker, Lang::PtBr, "o gato [MASK] no tapete.", true);
    insta::assert_snapshot!(h.render(80, 24));
}

#[test]
fn embeddings_three_sentences_100x30() {
    let Some(mut worker) = Worker::new("all-minilm-l6-v2") else {
        return;
    };
    let text = "A man is playing a guitar.\nSomeone plays music on a guitar.\nThe stock market fell sharply today.";
    let mut h = started(&mut worker, Lang::En, text, false);
    let e = h.state.embeddings.as_ref().expect("the embeddings view");
    assert_eq!(e.sentences.len(), 3);
    assert_eq!(e.dim(), 384);
    let (most, least) = e.extremes().unwrap();
    assert_eq!((most.a, most.b), (0, 1), "the two guitar sentences");
    assert_eq!(least.b, 2);
    // The same numbers as `embed` (and so transformers, see tests/encoders.rs).
    let m = registry::find("all-minilm-l6-v2").unwrap();
    let enc = bert::load(&m.path()).unwrap();
    let v = bert::embed(&enc, "Someone plays music on a guitar.").unwrap();
    let c = bert::cosine(&v, &e.sentences[1].vector);
    assert!(c > 0.99999, "{c}");
    insta::assert_snapshot!(h.render(100, 30));
    // Nothing to step or pick: a status line says why.
    h.key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
    assert_eq!(
        h.state.notice.as_ref().unwrap().text,
        Text::NoticeEncoderEmbeds
    );
    h.key(press(KeyCode::F(6)));
    assert_eq!(
        h.state.notice.as_ref().unwrap().text,
        Text::NoticeMasksNeedFill
    );
}
