//! HF encoder-decoder folders (T5 v1.0, T5 v1.1 / FLAN-style gated, BART, `MarianMTModel`)
//! against transformers, on tiny random checkpoints from `scripts/make_seq2seq_fixtures.py`:
//! the source ids equal the tokenizer's post-processed ids, the logits of 10 cached decoder
//! steps along the greedy path are within 1e-4 of transformers' and 10 greedy steps pick the
//! same ids; the cache-free pass agrees with the cached steps; the CLI runs on such a folder;
//! and bad folders fail naming what is wrong. Needs nothing installed (fixtures are in git).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use tokenscope::engine::seq2seq::{Seq2SeqSession, argmax, greedy};
use tokenscope::i18n::{Describe, Lang};
use tokenscope::model::seq2seq::{self, DecoderCache};

const TOLERANCE: f32 = 1e-4;

#[derive(Deserialize)]
struct Case {
    source: String,
    source_ids: Vec<u32>,
    step_logits: Vec<Vec<f32>>,
    greedy_ids: Vec<u32>,
}

#[derive(Deserialize)]
struct Expected {
    model_type: String,
    vocab: usize,
    tokenizer_size: usize,
    decoder_start_token_id: u32,
    eos_token_id: u32,
    cases: Vec<Case>,
}

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seq2seq")
        .join(name)
}

fn expected(name: &str) -> Expected {
    serde_json::from_str(&std::fs::read_to_string(dir(name).join("expected.json")).unwrap())
        .unwrap()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "vocabulary sizes");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn check(name: &str) {
    let exp = expected(name);
    assert!(seq2seq::is_seq2seq(&dir(name)), "{name} is recognised");
    let loaded = seq2seq::load(&dir(name), tch::Device::Cpu).unwrap();
    let dims = loaded.model.dims();
    assert_eq!(dims.decoder_start, Some(exp.decoder_start_token_id));
    assert_eq!(dims.eos, exp.eos_token_id);
    assert_eq!(dims.vocab, exp.vocab);
    // Ids past the tokenizer (T5's padded rows) have views too.
    let views = loaded.tokenizer.views();
    assert_eq!(views.len(), exp.vocab);
    if exp.tokenizer_size < exp.vocab {
        assert_eq!(
            views[exp.tokenizer_size].text,
            format!("<id {}>", exp.tokenizer_size)
        );
    }
    let mut session = Seq2SeqSession::new(loaded);
    for case in &exp.cases {
        let src = session.source_ids(&case.source).unwrap();
        assert_eq!(
            src, case.source_ids,
            "{name} ({}): source ids",
            exp.model_type
        );
        let model = &session.model.model;
        let enc = model.encode(&src).unwrap();
        // Our own greedy path, step by step with the cache.
        let mut cache = DecoderCache::default();
        let mut prev = None;
        let mut ours = Vec::new();
        let mut worst = 0f32;
        for (step, want) in case.step_logits.iter().enumerate() {
            let out = model.decode_step(&enc, prev, &mut cache).unwrap();
            let got = Vec::<f32>::try_from(&out.logits).unwrap();
            let d = max_diff(&got, want);
            worst = worst.max(d);
            assert!(d < TOLERANCE, "{name}: step {step} logits differ by {d}");
            assert_eq!(out.cross_attention.len(), src.len());
            let next = argmax(&got, &vec![true; got.len()]);
            ours.push(next);
            prev = Some(next);
        }
        assert_eq!(ours, case.greedy_ids, "{name}: 10 greedy ids");
        // No cache: every position at once.
        let full = model.decode_full(&enc, &ours[..ours.len() - 1]).unwrap();
        for (step, want) in case.step_logits.iter().enumerate() {
            let row = Vec::<f32>::try_from(&full.get(step as i64)).unwrap();
            let d = max_diff(&row, want);
            assert!(d < TOLERANCE, "{name}: full pass, position {step}: {d}");
        }
        // The session's greedy translation stops at the end token.
        let g = greedy(&mut session, &case.source, false, 10).unwrap();
        let until_eos: Vec<u32> = case
            .greedy_ids
            .iter()
            .copied()
            .take_while(|&i| i != exp.eos_token_id)
            .collect();
        assert_eq!(g.ids, until_eos, "{name}: session greedy");
        eprintln!(
            "{name}: {:?} worst logit difference {worst:.2e}",
            case.source
        );
    }
}

#[test]
fn t5_v1_0_matches_transformers() {
    check("t5-v1_0");
}

#[test]
fn t5_v1_1_gated_gelu_untied_head_matches_transformers() {
    check("t5-v1_1");
}

#[test]
fn bart_matches_transformers() {
    check("bart");
}

#[test]
fn marian_mt_matches_transformers() {
    check("marian-mt");
}

/// A copy of a fixture folder, with `edit` applied to its config.json and `drop` removed from
/// its weights.
fn broken_copy(
    name: &str,
    edit: impl Fn(&mut serde_json::Value),
    drop: Option<&str>,
) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for f in [
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "model.safetensors",
    ] {
        std::fs::copy(dir(name).join(f), tmp.path().join(f)).unwrap();
    }
    let cfg_path = tmp.path().join("config.json");
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cfg_path).unwrap()).unwrap();
    edit(&mut cfg);
    std::fs::write(&cfg_path, cfg.to_string()).unwrap();
    if let Some(drop) = drop {
        let st = tmp.path().join("model.safetensors");
        let kept: Vec<(String, tch::Tensor)> = tch::Tensor::read_safetensors(&st)
            .unwrap()
            .into_iter()
            .filter(|(n, _)| n != drop)
            .collect();
        tch::Tensor::write_safetensors(&kept, &st).unwrap();
    }
    tmp
}

fn load_error(path: &Path) -> (String, String) {
    let e = match seq2seq::load(path, tch::Device::Cpu) {
        Ok(_) => panic!("{} loaded", path.display()),
        Err(e) => e,
    };
    (e.describe(Lang::En), e.describe(Lang::PtBr))
}

#[test]
fn an_unknown_model_type_names_the_supported_ones() {
    let tmp = broken_copy("t5-v1_0", |c| c["model_type"] = "pegasus".into(), None);
    assert!(seq2seq::is_seq2seq(tmp.path()), "is_encoder_decoder: true");
    let (en, pt) = load_error(tmp.path());
    for msg in [&en, &pt] {
        assert!(
            msg.contains("pegasus") && msg.contains("t5, bart, marian"),
            "{msg}"
        );
    }
    assert_ne!(en, pt);
}

#[test]
fn a_missing_tensor_is_named() {
    for (name, tensor) in [
        (
            "t5-v1_1",
            "decoder.block.1.layer.2.DenseReluDense.wi_1.weight",
        ),
        ("bart", "model.decoder.layernorm_embedding.weight"),
        ("marian-mt", "model.encoder.layers.0.fc2.bias"),
    ] {
        let tmp = broken_copy(name, |_| {}, Some(tensor));
        let (en, pt) = load_error(tmp.path());
        assert!(en.contains(tensor) && pt.contains(tensor), "{en} / {pt}");
    }
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(args)
        .env_remove("TOKENSCOPE_MODEL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_cli_runs_an_hf_folder() {
    let path = dir("t5-v1_1");
    let model = path.to_str().unwrap();
    let exp = expected("t5-v1_1");
    let case = &exp.cases[0];
    let (code, out, err) = run(&["next", "--json", "--model", model, "--source", &case.source]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<u32> = serde_json::from_value(v["source_ids"].clone()).unwrap();
    assert_eq!(ids, case.source_ids);
    assert_eq!(v["candidates"][0]["id"], case.greedy_ids[0]);
    let (code, out, err) = run(&[
        "generate",
        "--json",
        "--temperature",
        "0",
        "--max-tokens",
        "10",
        "--model",
        model,
        "--source",
        &case.source,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["steps"].as_array().unwrap();
    let picked: Vec<u64> = steps.iter().map(|s| s["id"].as_u64().unwrap()).collect();
    let want: Vec<u64> = case
        .greedy_ids
        .iter()
        .take(picked.len())
        .map(|&i| i as u64)
        .collect();
    assert_eq!(picked, want, "{out}");
    let (code, _, err) = run(&["translate", "--model", model, &case.source]);
    assert_eq!(code, 0, "{err}");
    // Candidates past the tokenizer's ids (T5's padded rows) are listed, not a crash.
    let exp = expected("t5-v1_0");
    let case = &exp.cases[1];
    let path = dir("t5-v1_0");
    let (code, out, err) = run(&[
        "next",
        "--json",
        "--model",
        path.to_str().unwrap(),
        "--source",
        &case.source,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["candidates"][0]["id"], case.greedy_ids[0]);
    let past = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_u64().unwrap() as usize >= exp.tokenizer_size);
    assert!(past.count() > 0, "{out}");
    let (code, _, err) = run(&["next", "--model", model, "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("--source"), "{err}");
}

#[test]
fn decoder_and_encoder_folders_are_not_encoder_decoders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for d in ["tiny-llama", "tiny-qwen2", "encoders/tiny-bert"] {
        assert!(!seq2seq::is_seq2seq(&root.join(d)), "{d}");
    }
    for name in ["t5-v1_0", "bart", "marian-mt"] {
        let max = seq2seq::max_source(&dir(name));
        assert_eq!(max, if name == "t5-v1_0" { 512 } else { 64 }, "{name}");
    }
}

#[test]
fn a_source_longer_than_the_position_table_is_one_paragraph() {
    let path = dir("bart");
    let long = "The cat sat on the mat. ".repeat(20);
    let (code, out, err) = run(&["next", "--model", path.to_str().unwrap(), "--source", &long]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("64") && !err.contains("panicked"), "{err}");
}
