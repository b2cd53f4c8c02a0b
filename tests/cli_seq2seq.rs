//! The encoder-decoder CLI contract: `next --json --source` adds `source_ids`, `generate --json
//! --temperature 0 --source` steps to the end token and spells the reference translation, and
//! bad input (a decoder given `--source`, a translation model without it, a source longer than
//! the model reads) is one localized paragraph with exit status 1. Needs the marian-en-pt
//! model (`scripts/bootstrap --model marian-en-pt`); skipped with a note otherwise.

use std::process::Command;

fn installed() -> bool {
    let m = tokenscope::registry::find("marian-en-pt").unwrap();
    if !m.installed() {
        eprintln!(
            "skipped: marian-en-pt is not installed ({})",
            m.install_command()
        );
    }
    m.installed()
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
fn next_json_reports_source_ids_and_the_target_distribution() {
    if !installed() {
        return;
    }
    let src = "The cat sat on the mat.";
    let (code, out, err) = run(&[
        "next",
        "--json",
        "--model",
        "marian-en-pt",
        "--source",
        src,
        "O gato",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source_ids: Vec<u64> = serde_json::from_value(v["source_ids"].clone()).unwrap();
    assert_eq!(*source_ids.last().unwrap(), 0, "ends with </s>");
    assert_eq!(v["prompt_ids"].as_array().unwrap().len(), 2);
    let first = &v["candidates"][0];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["text"], " sent");
    let total: f64 = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["prob"].as_f64().unwrap())
        .sum();
    assert!(total > 0.9 && total <= 1.0 + 1e-9, "{total}");
}

#[test]
fn greedy_generate_spells_the_reference_translation() {
    if !installed() {
        return;
    }
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/marian/en-pt.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let case = &fixture["cases"][2];
    let src = case["source"].as_str().unwrap();
    let (code, out, err) = run(&[
        "generate",
        "--json",
        "--temperature",
        "0",
        "--model",
        "marian-en-pt",
        "--source",
        src,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["id"], 0, "stops at </s>");
    let text: String = steps[..steps.len() - 1]
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(text.trim_start(), case["raw"].as_str().unwrap());
    assert!(steps.iter().all(|s| s["rank"] == 1), "greedy picks rank 1");
    let (code, out, _) = run(&["translate", "--model", "marian-en-pt", src]);
    assert_eq!((code, out.trim_end()), (0, case["raw"].as_str().unwrap()));
}

fn one_paragraph_failure(args: &[&str], starts: &str, contains: &str) {
    let (code, out, err) = run(args);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.trim_end().lines().count(), 1, "one paragraph: {err}");
    assert!(err.starts_with(starts) && err.contains(contains), "{err}");
}

#[test]
fn bad_input_is_one_localized_paragraph_and_exit_1() {
    if !installed() {
        return;
    }
    one_paragraph_failure(
        &["next", "--model", "marian-en-pt", "hello"],
        "error: marian-en-pt is an encoder-decoder",
        "--source TEXT",
    );
    one_paragraph_failure(
        &["--lang", "pt-BR", "generate", "--model", "marian-en-pt"],
        "erro: marian-en-pt é um modelo codificador-decodificador",
        "--source TEXTO",
    );
    let long = "word ".repeat(300);
    one_paragraph_failure(
        &["next", "--model", "marian-en-pt", "--source", &long],
        "error: the source has 301 tokens",
        "at most 256",
    );
    one_paragraph_failure(
        &[
            "--lang",
            "pt-BR",
            "next",
            "--model",
            "marian-en-pt",
            "--source",
            &long,
        ],
        "erro: o texto de origem tem 301 tokens",
        "256",
    );
    if tokenscope::registry::find("smollm2-135m")
        .unwrap()
        .installed()
    {
        one_paragraph_failure(
            &["next", "--model", "smollm2-135m", "--source", "hello", "x"],
            "error: `--source` is for encoder-decoder",
            "smollm2-135m is a decoder-only model",
        );
    }
}
