//! The logit lens and the attention of the last position against transformers (tests/fixtures/lens, made by
//! scripts/make_lens_fixtures.py from the committed tiny checkpoints), and `tokenscope lens` on
//! the default model against `tokenscope next`: its last layer is the model's own prediction.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use tokenscope::model::{self, DeviceChoice, Precision};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn golden(name: &str) {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join(format!("lens/{name}.json"))).unwrap(),
    )
    .unwrap();
    let ids: Vec<u32> = doc["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    let m = model::load(
        &fixtures().join(name),
        DeviceChoice::Cpu,
        Precision::Exact,
        &mut |_| {},
    )
    .unwrap();
    let got = m.decoder.lens(&ids).expect("decoders have a lens").unwrap();
    let want = doc["layers"].as_array().unwrap();
    let (layers, vocab) = got.size2().unwrap();
    assert_eq!(layers as usize, want.len(), "{name}: one row per layer");
    let got = Vec::<f32>::try_from(&got.view([-1])).unwrap();
    for (i, (row, want)) in got.chunks_exact(vocab as usize).zip(want).enumerate() {
        let want = want.as_array().unwrap();
        assert_eq!(row.len(), want.len());
        let d = row
            .iter()
            .zip(want)
            .map(|(&a, b)| (f64::from(a) - b.as_f64().unwrap()).abs())
            .fold(0.0, f64::max);
        assert!(d < 1e-4, "{name} layer {}: max |Δlogit| {d}", i + 1);
    }
    let got = m
        .decoder
        .attention(&ids)
        .expect("decoders show attention")
        .unwrap();
    let want = doc["attention"].as_array().unwrap();
    let (layers, heads, keys) = got.size3().unwrap();
    assert_eq!((layers as usize, keys as usize), (want.len(), ids.len()));
    let got = Vec::<f32>::try_from(&got.view([-1])).unwrap();
    let mut rows = got.chunks_exact(keys as usize);
    for (layer, want) in want.iter().enumerate() {
        let want = want.as_array().unwrap();
        assert_eq!(want.len(), heads as usize);
        for (head, want) in want.iter().enumerate() {
            let row = rows.next().unwrap();
            let sum: f64 = row.iter().map(|&w| f64::from(w)).sum();
            assert!(
                (sum - 1.0).abs() < 1e-5,
                "{name} layer {layer} head {head}: sum {sum}"
            );
            let d = row
                .iter()
                .zip(want.as_array().unwrap())
                .map(|(&a, b)| (f64::from(a) - b.as_f64().unwrap()).abs())
                .fold(0.0, f64::max);
            assert!(
                d < 1e-5,
                "{name} layer {layer} head {head}: max |Δweight| {d}"
            );
        }
    }
}

#[test]
fn tiny_llama_lens_matches_transformers() {
    golden("tiny-llama");
}

/// Gemma 3: √hidden embeddings, (1 + w) final norm, local and global layers.
#[test]
fn tiny_gemma3_lens_matches_transformers() {
    golden("tiny-gemma3");
}

fn cli(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(args)
        .env_remove("TOKENSCOPE_MODEL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_last_layer_of_the_lens_is_next() {
    let prompt = "The capital of France is";
    let lens = cli(&["lens", "--json", "--show", "5", prompt]);
    let next = cli(&["next", "--json", "--show", "5", prompt]);
    assert_eq!(lens["prompt_ids"], next["prompt_ids"]);
    let layers = lens["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 30, "SmolLM2-135M has 30 blocks");
    for (i, l) in layers.iter().enumerate() {
        assert_eq!(l["layer"], i + 1);
        let p: Vec<f64> = l["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["prob"].as_f64().unwrap())
            .collect();
        assert!(p.windows(2).all(|w| w[0] >= w[1]) && p.iter().sum::<f64>() <= 1.0 + 1e-9);
    }
    let last = layers.last().unwrap()["candidates"].as_array().unwrap();
    for (a, b) in last.iter().zip(next["candidates"].as_array().unwrap()) {
        assert_eq!(a["id"], b["id"]);
        let (pa, pb) = (a["prob"].as_f64().unwrap(), b["prob"].as_f64().unwrap());
        assert!((pa - pb).abs() < 1e-5, "last layer {pa} vs next {pb}");
    }
    // The middle of the stack does not already know the answer.
    assert_ne!(layers[0]["candidates"][0]["id"], last[0]["id"]);
}

#[test]
fn attention_rows_sum_to_one_and_the_mean_is_the_mean_of_the_heads() {
    let prompt = "The capital of France is";
    let mean = cli(&["attention", "--json", prompt]);
    assert_eq!(mean["heads"], 9);
    assert_eq!(mean["texts"].as_array().unwrap().len(), 5);
    let layers = mean["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 30);
    let weights = |v: &Value, layer: usize| -> Vec<f64> {
        v["layers"][layer]["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_f64().unwrap())
            .collect()
    };
    for layer in 0..30 {
        let w = weights(&mean, layer);
        assert_eq!(
            w.len(),
            5,
            "one weight per prompt position, none to the right"
        );
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-5);
    }
    let heads: Vec<Value> = (0..9)
        .map(|h| cli(&["attention", "--json", "--head", &h.to_string(), prompt]))
        .collect();
    for layer in [0, 29] {
        let m = weights(&mean, layer);
        for (p, &mp) in m.iter().enumerate() {
            let avg = heads.iter().map(|h| weights(h, layer)[p]).sum::<f64>() / 9.0;
            assert!((avg - mp).abs() < 1e-6, "layer {layer} position {p}");
        }
    }
}

/// A translation model has no decoder-only layers to show: one paragraph that names the models
/// that do, for each of the three views.
#[test]
fn a_translation_model_is_refused_with_what_to_use_instead() {
    for view in ["lens", "attention", "embed-token"] {
        let out = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
            .args([view, "--model", "marian-en-pt", "the cat"])
            .env_remove("TOKENSCOPE_MODEL")
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{view}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error:"), "{view}: {err}");
        assert!(
            err.contains("decoder-only") && err.contains("smollm2-135m"),
            "{view}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}
