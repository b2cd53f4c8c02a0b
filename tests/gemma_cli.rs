//! The binary on Gemma-3-270M and on broken SentencePiece / Gemma files made at test time from
//! the real one (nothing binary is committed): each failure is one localized paragraph on
//! stderr starting `error:`, exit status 1, nothing on stdout. Skips, saying so, when the model
//! is not installed (`scripts/test` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SENTENCE: &str = "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que";

fn gemma() -> Option<PathBuf> {
    let m = tokenscope::registry::find("gemma-3-270m").expect("a known model");
    if m.installed() {
        Some(m.path())
    } else {
        eprintln!(
            "skipped: gemma-3-270m is not installed ({})",
            m.install_command()
        );
        None
    }
}

fn run(args: &[&str], lang: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(["--threads", "1", "--lang", lang])
        .args(args)
        .env_remove("TOKENSCOPE_MODEL")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("running tokenscope")
}

/// Status 1, empty stdout, one `error:` (pt-BR `erro:`) line containing every expected string.
#[track_caller]
fn assert_error(out: &Output, expected: &[&str]) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "a panic:\n{err}");
    assert_eq!(out.status.code(), Some(1), "exit status; stderr:\n{err}");
    assert!(out.stdout.is_empty(), "stdout of a failure");
    assert!(
        err.starts_with("error: ") || err.starts_with("erro: "),
        "{err:?}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one paragraph:\n{err}");
    for s in expected {
        assert!(err.contains(s), "{err:?} should mention {s:?}");
    }
    err
}

/// A copy of the model with the first occurrence (in its metadata) of `from` replaced by `to`
/// (same length, so every offset stays valid).
fn patched(dir: &Path, name: &str, real: &[u8], from: &[u8], to: &[u8]) -> PathBuf {
    assert_eq!(from.len(), to.len());
    let mut bytes = real.to_vec();
    let at = bytes[..8 << 20]
        .windows(from.len())
        .position(|w| w == from)
        .expect("the pattern is in the metadata");
    bytes[at..at + to.len()].copy_from_slice(to);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn tokenize_and_next_on_the_course_sentence() {
    let Some(path) = gemma() else { return };
    let model = path.to_str().unwrap();
    let out = run(
        &["tokenize", "--model", "gemma-3-270m", "--json", SENTENCE],
        "en",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["count"], 15);
    assert_eq!(v["ids"][0], 2, "BOS first");
    assert_eq!(v["pieces"][0], "<bos>");
    let out = run(&["next", "--model", model, "--json", SENTENCE], "en");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = serde_json::to_string(&v).unwrap();
    assert!(
        text.contains("\" ela\""),
        "{}",
        &text[..text.len().min(600)]
    );
}

#[test]
fn broken_gemma_files_are_one_paragraph() {
    let Some(path) = gemma() else { return };
    let real = std::fs::read(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // A SentencePiece vocabulary without scores (the key renamed, same length).
    let no_scores = patched(
        dir.path(),
        "no-scores.gguf",
        &real,
        b"tokenizer.ggml.scores",
        b"tokenizer.ggml.xcores",
    );
    for cmd in ["tokenize", "next"] {
        let out = run(&[cmd, "--model", no_scores.to_str().unwrap(), "oi"], "en");
        assert_error(
            &out,
            &["SentencePiece", "tokenizer.ggml.scores", "262\u{202f}144"],
        );
    }
    let out = run(
        &["next", "--model", no_scores.to_str().unwrap(), "oi"],
        "pt-BR",
    );
    assert_error(&out, &["tokenizador SentencePiece", "pontuações"]);

    // An architecture we do not run: named, with the list of those we do.
    let arch = |name: &str| {
        let mut v = Vec::new();
        for s in ["general.architecture", name] {
            v.extend_from_slice(&(s.len() as u64).to_le_bytes());
            v.extend_from_slice(s.as_bytes());
            if s != name {
                v.extend_from_slice(&8u32.to_le_bytes()); // value type: string
            }
        }
        v
    };
    let other = patched(
        dir.path(),
        "gemma9.gguf",
        &real,
        &arch("gemma3"),
        &arch("gemma9"),
    );
    let other = other.to_str().unwrap();
    let out = run(&["next", "--model", other, "oi"], "en");
    assert_error(&out, &["`gemma9`", "llama", "qwen2", "gemma3"]);
    let out = run(&["next", "--model", other, "oi"], "pt-BR");
    assert_error(&out, &["`gemma9`", "desconhecida", "gemma3"]);

    // Truncated: inside the vocabulary's metadata, and inside the tensor data.
    for len in [2_000_000, 120_000_000] {
        let cut = dir.path().join(format!("cut-{len}.gguf"));
        std::fs::write(&cut, &real[..len]).unwrap();
        let out = run(&["next", "--model", cut.to_str().unwrap(), "oi"], "en");
        assert_error(&out, &[cut.to_str().unwrap(), "truncated"]);
    }
}
