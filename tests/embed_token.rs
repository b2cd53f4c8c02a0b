//! `tokenscope embed-token`: a token's row of the embedding table and its nearest neighbours,
//! checked against an independent computation: the GGUF reader's own de-quantisation of the
//! whole `token_embd.weight` (bit-exact with gguf-py, see tests/gguf.rs) and a plain float64
//! cosine over every row.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use tokenscope::gguf::GgufFile;

fn smollm2() -> PathBuf {
    let p = tokenscope::registry::default_model_path();
    assert!(p.exists(), "run scripts/test (or scripts/bootstrap) first");
    p
}

fn tokenscope(model: &str, lang: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(["--lang", lang, "embed-token", "--model", model])
        .args(args)
        .env_remove("TOKENSCOPE_MODEL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the binary runs")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

/// Top `k` rows by float64 cosine with row `id` (itself left out), ties to the lower id.
fn reference_neighbours(table: &[f32], cols: usize, id: usize, k: usize) -> Vec<(usize, f64)> {
    let row = |i: usize| &table[i * cols..(i + 1) * cols];
    let dot = |a: &[f32], b: &[f32]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| f64::from(x) * f64::from(y))
            .sum()
    };
    let q = row(id);
    let qn = dot(q, q).sqrt();
    let mut all: Vec<(usize, f64)> = (0..table.len() / cols)
        .filter(|&i| i != id)
        .filter_map(|i| {
            let n = dot(row(i), row(i)).sqrt();
            (n > 0.0).then(|| (i, dot(q, row(i)) / (n * qn)))
        })
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

#[test]
fn neighbours_match_a_float64_cosine_over_the_dequantised_table() {
    let path = smollm2();
    let out = json(&tokenscope(
        path.to_str().unwrap(),
        "en",
        &["--json", "--show", "12", " cat"],
    ));
    let id = out["id"].as_u64().unwrap() as usize;
    assert_eq!(out["text"], " cat");
    assert_eq!(out["tokens"], 1);
    assert_eq!(out["tied"], true, "SmolLM2 has no output.weight");

    let gguf = GgufFile::open(&path).unwrap();
    let table = gguf.dequantize("token_embd.weight").unwrap();
    let cols = 576;
    let want_row = &table[id * cols..(id + 1) * cols];
    let got_row: Vec<f32> = out["vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(got_row, want_row, "the row is the de-quantised GGUF row");
    let norm: f64 = want_row
        .iter()
        .map(|&x| f64::from(x).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!((out["norm"].as_f64().unwrap() - norm).abs() < 1e-12);

    let want = reference_neighbours(&table, cols, id, 12);
    let got: Vec<(usize, f64)> = out["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_u64().unwrap() as usize,
                n["cosine"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), 12);
    for ((gi, gc), (wi, wc)) in got.iter().zip(&want) {
        assert_eq!(gi, wi, "neighbour ids in order: got {got:?}, want {want:?}");
        assert!((gc - wc).abs() < 1e-9, "cosine of {gi}: {gc} vs {wc}");
    }
}

#[test]
fn text_form_in_portuguese_and_a_word_of_several_tokens() {
    let path = smollm2();
    let out = tokenscope(path.to_str().unwrap(), "pt-BR", &["--show", "3", "gatinho"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("o texto tem"), "{text}");
    assert!(text.contains("cosseno"), "{text}");
    assert!(text.contains("embeddings amarrados"), "{text}");
    assert!(text.contains("norma "), "{text}");
    let pieces = tokenscope(
        path.to_str().unwrap(),
        "en",
        &["--json", "--index", "1", "gatinho"],
    );
    let v = json(&pieces);
    assert_eq!(v["index"], 1);
    assert!(v["tokens"].as_u64().unwrap() >= 2);
}

#[test]
fn an_index_past_the_text_is_one_clear_error() {
    let path = smollm2();
    let out = tokenscope(path.to_str().unwrap(), "en", &["--index", "7", " cat"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error:"), "{err}");
    assert!(err.contains("--index 7"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn gemma_puts_the_plural_next_to_the_portuguese_word() {
    let gemma = tokenscope::registry::find("gemma-3-270m")
        .expect("a known model")
        .path();
    assert!(
        gemma.exists(),
        "run scripts/test (it installs Gemma-3-270M) first"
    );
    let v = json(&tokenscope(
        gemma.to_str().unwrap(),
        "en",
        &["--json", " gato"],
    ));
    assert_eq!(v["tied"], true);
    assert_eq!(v["vector"].as_array().unwrap().len(), 640);
    let first = &v["neighbours"][0];
    assert_eq!(first["text"], " gatos", "{v}");
    let cosines: Vec<f64> = v["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["cosine"].as_f64().unwrap())
        .collect();
    assert!(cosines.windows(2).all(|w| w[0] >= w[1]), "{cosines:?}");
}
