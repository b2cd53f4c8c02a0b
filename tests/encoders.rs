//! BERT-family encoders against transformers (fixtures from `scripts/make_encoder_fixtures.py`):
//! - tiny random BERT (old `gamma`/`beta` names, tied decoder, `vocab.txt` only), DistilBERT
//!   (CLS pooling) and RoBERTa (byte-level BPE, positions after the padding id, `gelu_new`):
//!   the same ids, every position's masked-LM logits within 1e-4, the pooled vector within 1e-4;
//! - the installed bert-tiny: fill-mask log-probs (top 20 at each mask) within 1e-3;
//! - all-minilm-l6-v2 and bert-tiny: sentence embeddings within 1e-4, cosine ≥ 0.99999.
//!
//! The real-model tests need `scripts/bootstrap --model all-minilm-l6-v2 --model bert-tiny`;
//! they are skipped (with a note) when the models are not installed.

use std::path::PathBuf;

use serde::Deserialize;
use tokenscope::model::bert::{self, Flavor};
use tokenscope::registry;

#[derive(Deserialize)]
struct TinyCase {
    text: String,
    ids: Vec<u32>,
    logits: Vec<Vec<f32>>,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct Tiny {
    cases: Vec<TinyCase>,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encoders")
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn check_tiny(name: &str, flavor: Flavor) {
    let dir = fixtures().join(name);
    let expected: Tiny =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert!(bert::is_encoder(&dir));
    let enc = bert::load(&dir).unwrap();
    assert_eq!(enc.model.config.flavor, flavor);
    assert!(enc.model.has_mlm_head());
    let (mut worst_logit, mut worst_vec) = (0f32, 0f32);
    for case in &expected.cases {
        let ids = enc
            .tokenizer
            .encode(&case.text.replace("<mask>", bert::MASK))
            .unwrap();
        assert_eq!(ids, case.ids, "{name}: ids of {:?}", case.text);
        let encoded = enc.model.encode(&ids).unwrap();
        let logits = enc.model.all_logits(&encoded).unwrap().unwrap();
        assert_eq!(logits.len(), case.logits.len());
        for (pos, (ours, theirs)) in logits.iter().zip(&case.logits).enumerate() {
            let d = max_diff(ours, theirs);
            worst_logit = worst_logit.max(d);
            assert!(
                d < 1e-4,
                "{name}: {:?} position {pos}: logits differ by {d}",
                case.text
            );
        }
        let v = bert::embed(&enc, &case.text.replace("<mask>", bert::MASK)).unwrap();
        let d = max_diff(&v, &case.embedding);
        worst_vec = worst_vec.max(d);
        assert!(
            d < 1e-4,
            "{name}: {:?}: embedding differs by {d}",
            case.text
        );
    }
    eprintln!("{name}: max |Δ logit| {worst_logit:.2e}, max |Δ vector| {worst_vec:.2e}");
}

#[test]
fn tiny_bert_with_old_layernorm_names_tied_decoder_and_vocab_txt() {
    let dir = fixtures().join("tiny-bert");
    assert!(
        !dir.join("tokenizer.json").exists(),
        "the WordPiece fallback is under test"
    );
    check_tiny("tiny-bert", Flavor::Bert);
}

#[test]
fn tiny_distilbert_with_cls_pooling() {
    let dir = fixtures().join("tiny-distilbert");
    assert_eq!(bert::Pooling::read(&dir).mode, bert::PoolMode::Cls);
    check_tiny("tiny-distilbert", Flavor::DistilBert);
}

#[test]
fn tiny_roberta_with_bpe_and_shifted_positions() {
    check_tiny("tiny-roberta", Flavor::Roberta);
}

#[test]
fn too_long_a_text_is_refused_not_truncated() {
    let enc = bert::load(&fixtures().join("tiny-bert")).unwrap();
    let long = "the cat ".repeat(40);
    let ids = enc.tokenizer.encode(&long).unwrap();
    assert_eq!(ids.len(), 82);
    match enc.model.encode(&ids) {
        Err(bert::EncoderError::TooLong {
            tokens: 82,
            max: 64,
        }) => {}
        other => panic!("expected TooLong, got {:?}", other.err()),
    }
}

#[test]
fn a_decoder_folder_is_not_an_encoder() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-llama");
    assert!(!bert::is_encoder(&dir));
    assert!(matches!(
        bert::load(&dir),
        Err(bert::EncoderError::NotAnEncoder { .. })
    ));
}

#[derive(Deserialize)]
struct Mask {
    position: usize,
    ids: Vec<u32>,
    logprobs: Vec<f64>,
}

#[derive(Deserialize)]
struct Fill {
    text: String,
    ids: Vec<u32>,
    masks: Vec<Mask>,
}

#[derive(Deserialize)]
struct Embed {
    sentences: Vec<String>,
    vectors: Vec<Vec<f32>>,
    cosine: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Real {
    fill: Vec<Fill>,
    embed: std::collections::HashMap<String, Embed>,
}

fn real() -> Real {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("real.json")).unwrap()).unwrap()
}

fn installed(name: &str) -> Option<PathBuf> {
    let m = registry::find(name).expect("a known name");
    if m.installed() {
        Some(m.path())
    } else {
        eprintln!("skipped: {name} is not installed ({})", m.install_command());
        None
    }
}

fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let lse = max
        + logits
            .iter()
            .map(|&l| (f64::from(l) - max).exp())
            .sum::<f64>()
            .ln();
    logits.iter().map(|&l| f64::from(l) - lse).collect()
}

#[test]
fn bert_tiny_fill_mask_matches_transformers() {
    let Some(dir) = installed("bert-tiny") else {
        return;
    };
    let enc = bert::load(&dir).unwrap();
    assert!(enc.model.has_mlm_head(), "bert-tiny's tied MLM head");
    let mut worst = 0f64;
    for case in real().fill {
        let ids = enc.tokenizer.encode(&case.text).unwrap();
        assert_eq!(ids, case.ids, "ids of {:?}", case.text);
        let positions: Vec<usize> = case.masks.iter().map(|m| m.position).collect();
        assert!(positions.iter().all(|&p| ids[p] == enc.tokenizer.mask_id));
        let encoded = enc.model.encode(&ids).unwrap();
        let logits = enc.model.mlm_logits(&encoded, &positions).unwrap().unwrap();
        for (mask, l) in case.masks.iter().zip(&logits) {
            let lp = log_softmax(l);
            for (&id, &want) in mask.ids.iter().zip(&mask.logprobs) {
                let got = lp[id as usize];
                worst = worst.max((got - want).abs());
                assert!(
                    (got - want).abs() < 1e-3,
                    "{:?} position {}: id {id}: {got} vs {want}",
                    case.text,
                    mask.position
                );
            }
            // The same top token.
            let best = (0..lp.len())
                .max_by(|&a, &b| lp[a].total_cmp(&lp[b]))
                .unwrap();
            assert_eq!(best as u32, mask.ids[0]);
        }
    }
    eprintln!("bert-tiny fill-mask: max |Δ logprob| over the top 20 of every mask {worst:.2e}");
}

fn check_embeddings(name: &str) {
    let Some(dir) = installed(name) else { return };
    let enc = bert::load(&dir).unwrap();
    let reference = &real().embed[name];
    let ours: Vec<Vec<f32>> = reference
        .sentences
        .iter()
        .map(|s| bert::embed(&enc, s).unwrap())
        .collect();
    let (mut worst, mut lowest) = (0f32, 1f64);
    for (i, (v, want)) in ours.iter().zip(&reference.vectors).enumerate() {
        let d = max_diff(v, want);
        worst = worst.max(d);
        lowest = lowest.min(bert::cosine(v, want));
        assert!(d < 1e-4, "{name}: sentence {i}: differs by {d}");
        let c = bert::cosine(v, want);
        assert!(c >= 0.99999, "{name}: sentence {i}: cosine {c}");
    }
    for (i, row) in reference.cosine.iter().enumerate() {
        for (j, &want) in row.iter().enumerate() {
            let got = bert::cosine(&ours[i], &ours[j]);
            assert!(
                (got - want).abs() < 1e-4,
                "{name}: cosine[{i}][{j}] {got} vs {want}"
            );
        }
    }
    eprintln!("{name}: max |Δ vector| {worst:.2e}, lowest cosine to the reference {lowest:.9}");
}

#[test]
fn all_minilm_embeddings_match_transformers() {
    if let Some(dir) = installed("all-minilm-l6-v2") {
        let p = bert::Pooling::read(&dir);
        assert!(p.from_config && p.normalize && p.mode == bert::PoolMode::Mean);
    }
    check_embeddings("all-minilm-l6-v2");
}

#[test]
fn bert_tiny_embeddings_match_transformers() {
    check_embeddings("bert-tiny");
}
