//! Gemma-3-270M against independent references: token ids from llama.cpp
//! (scripts/make_spm_fixtures.py) and next-token log-probabilities from transformers in float32
//! on the same de-quantized weights (scripts/make_gemma_fixtures.py). `scripts/test` installs
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
