//! Gemma-3-270M against independent references: token ids from llama.cpp
//! (scripts/make_spm_fixtures.py) and next-token log-probabilities from a float32 numpy pass
//! written from HF's `modeling_gemma3.py` on the same de-quantized weights, itself checked
//! against llama.cpp on an all-F32 copy (scripts/make_gemma_fixtures.py). `scripts/test` installs
//! the model; without it these tests say so and pass.

mod common;

use std::path::PathBuf;

use common::{fixture, ids};
use tokenscope::model::load_tokenizer;

/// The installed Gemma GGUF, or `None` (with a note on stderr) when it is not installed.
fn gemma() -> Option<PathBuf> {
    let m = tokenscope::registry::find("gemma-3-270m").expect("a known model");
    if m.installed() {
        Some(m.path())
    } else {
        eprintln!(
            "skipped: gemma-3-270m is not installed ({}; scripts/test does it)",
            m.install_command()
        );
        None
    }
}

#[test]
fn sentencepiece_ids_match_llama_cpp() {
    let Some(path) = gemma() else { return };
    let tok = load_tokenizer(&path).expect("tokenizer");
    let f = fixture("gemma-3-270m/tokenizer.json");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (key, template) in [("cases", false), ("template", true)] {
        for case in f[key].as_array().unwrap() {
            let text = case["text"].as_str().unwrap();
            let got = if template {
                tok.encode_template(text).unwrap()
            } else {
                tok.encode(text).unwrap()
            };
            let want = ids(&case["ids"]);
            if got != want {
                failures.push(format!(
                    "{key} {}: {text:?}\n  got  {got:?}\n  want {want:?}",
                    case["name"]
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 45, "{checked} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bos_is_added_and_shown_and_text_decodes_back() {
    let Some(path) = gemma() else { return };
    let tok = load_tokenizer(&path).expect("tokenizer");
    let text = "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que";
    let got = tok.encode(text).unwrap();
    assert_eq!(Some(got[0]), tok.bos);
    let bos = tok.view(got[0]);
    assert!(bos.special && bos.piece == "<bos>", "{bos:?}");
    assert_eq!(tok.decode_bytes(&got[1..]), text.as_bytes());
    // Typed control markers stay text.
    let typed = tok.encode("<start_of_turn>").unwrap();
    assert!(!typed[1..].contains(&tok.token_id("<start_of_turn>").unwrap()));
}

const LOGPROB_TOL: f64 = 1e-3;

fn load_exact(path: &std::path::Path) -> tokenscope::model::LoadedModel {
    tokenscope::model::load(
        path,
        tokenscope::model::DeviceChoice::Cpu,
        tokenscope::model::Precision::Exact,
        &mut |_| {},
    )
    .expect("loading gemma-3-270m")
}

/// Last-position log-probabilities of `ids` after a fresh prefill.
fn last_logprobs(m: &tokenscope::model::LoadedModel, ids: &[u32]) -> Vec<f64> {
    let mut cache = m.decoder.new_cache();
    let logits = m.decoder.forward(ids, &mut cache).expect("forward");
    let last = logits.get(ids.len() as i64 - 1);
    common::log_softmax(&Vec::<f32>::try_from(&last).unwrap())
}

#[test]
fn exact_mode_matches_the_float32_reference() {
    let Some(path) = gemma() else { return };
    let m = load_exact(&path);
    let f = fixture("gemma-3-270m/next_token.json");
    let prompts = f["prompts"].as_array().unwrap();
    assert!(prompts.len() >= 9);
    let mut worst = 0f64;
    for p in prompts {
        let text = p["text"].as_str().unwrap();
        let want_ids = ids(&p["ids"]);
        assert_eq!(m.tokenizer.encode(text).unwrap(), want_ids, "{}", p["name"]);
        let lp = last_logprobs(&m, &want_ids);
        for t in p["top"].as_array().unwrap() {
            let id = t["id"].as_u64().unwrap() as usize;
            let want = t["logprob"].as_f64().unwrap();
            let diff = (lp[id] - want).abs();
            worst = worst.max(diff);
            assert!(
                diff <= LOGPROB_TOL,
                "{} token {id}: {} vs the reference {want}",
                p["name"],
                lp[id]
            );
        }
        // Greedy continuation, one cached step at a time.
        let mut cache = m.decoder.new_cache();
        let mut logits = m.decoder.forward(&want_ids, &mut cache).unwrap();
        let mut got = Vec::new();
        for _ in 0..ids(&p["greedy"]).len() {
            let next = logits
                .get(logits.size()[0] - 1)
                .argmax(0, false)
                .int64_value(&[]) as u32;
            got.push(next);
            logits = m.decoder.forward(&[next], &mut cache).unwrap();
        }
        assert_eq!(got, ids(&p["greedy"]), "{} greedy", p["name"]);
    }
    eprintln!("worst |Δ logprob| over the top-20s: {worst:.2e}");
}

#[test]
fn course_sentence_reads_like_portuguese() {
    let Some(path) = gemma() else { return };
    let m = load_exact(&path);
    let text = "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que";
    let ids = m.tokenizer.encode(text).unwrap();
    assert_eq!(ids.len(), 15, "BOS + 14 pieces");
    let lp = last_logprobs(&m, &ids);
    let p = |piece: &str| lp[m.tokenizer.token_id(piece).unwrap() as usize].exp();
    assert!((p("▁ela") - 0.16).abs() < 0.01, "ela {}", p("▁ela"));
    assert!((p("▁não") - 0.08).abs() < 0.01, "não {}", p("▁não"));
    assert!((p("▁era") - 0.07).abs() < 0.01, "era {}", p("▁era"));
}

#[test]
fn incremental_decoding_equals_the_full_pass() {
    let Some(path) = gemma() else { return };
    let m = load_exact(&path);
    let ids = m
        .tokenizer
        .encode("A capital do Brasil é Brasília, e a de Portugal é")
        .unwrap();
    let mut full_cache = m.decoder.new_cache();
    let full = m.decoder.forward(&ids, &mut full_cache).unwrap();
    // Prefix in one go, then one token at a time (the decode path and its kernels).
    let split = 5;
    let mut cache = m.decoder.new_cache();
    let _prefix = m.decoder.forward(&ids[..split], &mut cache).unwrap();
    for (k, &id) in ids.iter().enumerate().skip(split) {
        let step = m.decoder.forward(&[id], &mut cache).unwrap();
        let a = common::log_softmax(&Vec::<f32>::try_from(&step.get(0)).unwrap());
        let b = common::log_softmax(&Vec::<f32>::try_from(&full.get(k as i64)).unwrap());
        let worst = a
            .iter()
            .zip(&b)
            .filter(|(_, y)| **y > -15.0)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-4, "position {k}: max |Δ logprob| {worst}");
    }
    // Truncating the cache and running again gives the same numbers.
    cache.truncate(split);
    let again = m.decoder.forward(&ids[split..], &mut cache).unwrap();
    let diff = (&again - &full.narrow(0, split as i64, (ids.len() - split) as i64))
        .abs()
        .max()
        .double_value(&[]);
    assert!(diff < 1e-3, "after truncate: max |Δ logit| {diff}");
}
