//! The command line in the class's language (issue 14): `--lang` / `LANG` reach table headers,
//! yes/no, "rest of the vocabulary", decimal separators and errors; JSON keys stay English.
//! `tokenize` shows pieces as text; `generate --echo` prints the prompt and marks where the
//! generated part starts. Needs the default model (SmolLM2-135M-Instruct Q4_1, installed by
//! `scripts/bootstrap`), like `tests/cli.rs`.

use std::process::{Command, Output, Stdio};

/// The binary with one libtorch thread and no language from the environment unless given.
fn tokenscope(args: &[&str], lang_env: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenscope"));
    cmd.args(["--threads", "1"])
        .args(args)
        .env_remove("TOKENSCOPE_MODEL")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang_env.unwrap_or("C.UTF-8"))
        .stdin(Stdio::null());
    let out = cmd.output().expect("tokenscope runs");
    assert!(
        tokenscope::registry::default_model_path().exists(),
        "the default model is missing: run scripts/bootstrap first"
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

#[test]
fn tokenize_one_line_view_shows_pieces_as_text_in_both_languages() {
    for (flag, header) in [("pt-BR", "texto"), ("en", "text")] {
        let out = tokenscope(&["tokenize", "--lang", flag, "Eu pedi para não"], None);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let line = text.lines().nth(1).expect("the one-line view");
        assert_eq!(line, "E|u|·p|edi|·para|·n|ão");
        let table_header = text.lines().nth(3).expect("the table header");
        assert!(table_header.ends_with(header), "{table_header:?}");
        // Byte-level vocabulary strings never show outside --json.
        assert!(!text.contains('Ġ') && !text.contains("Ã£"), "{text}");
    }
    // --json keeps the vocabulary's own pieces and English keys.
    let out = tokenscope(&["tokenize", "--lang", "pt-BR", "--json", "não"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["pieces"].as_array().is_some() && v["texts"].as_array().is_some());
    assert!(v["pieces"].to_string().contains('Ġ') || v["pieces"].to_string().contains("Ã"));
}

#[test]
fn next_speaks_portuguese_from_lang_and_english_from_the_flag() {
    let prompt = "A capital do Brasil é";
    let pt = tokenscope(&["next", "--top-k", "3", prompt], Some("pt_BR.UTF-8"));
    assert!(pt.status.success(), "{}", stderr(&pt));
    let text = stdout(&pt);
    assert!(
        text.contains("ranking") && text.contains("após ajustes"),
        "{text}"
    );
    assert!(text.contains(" sim"), "{text}");
    assert!(
        text.contains("resto do vocabulário (49\u{202f}149 tokens)"),
        "{text}"
    );
    assert!(text.contains("28,77%"), "decimal comma: {text}");
    let en = tokenscope(
        &["next", "--lang", "en", "--top-k", "3", prompt],
        Some("pt_BR.UTF-8"),
    );
    let text = stdout(&en);
    assert!(text.contains("28.77%") && text.contains(" yes"), "{text}");
    assert!(text.contains("rest of the vocabulary") || text.contains("rest of vocabulary"));
    // JSON keys stay English whatever the language.
    let json = tokenscope(&["next", "--json", "--top-k", "3", prompt], Some("pt_BR"));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert!(v["candidates"][0]["prob"].is_f64() && v["entropy_nats"].is_f64());
}

#[test]
fn generate_echo_prints_the_prompt_then_marks_the_continuation() {
    let prompt = "Olá, eu sou";
    let out = tokenscope(
        &[
            "generate",
            "--echo",
            "--temperature",
            "0",
            "--max-tokens",
            "4",
            prompt,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let (before, after) = text.split_once('▸').expect("the marker");
    assert_eq!(before, prompt);
    assert!(!after.is_empty());
    // The same continuation as without --echo.
    let plain = tokenscope(
        &[
            "generate",
            "--temperature",
            "0",
            "--max-tokens",
            "4",
            prompt,
        ],
        None,
    );
    assert_eq!(stdout(&plain), after);
}

#[test]
fn errors_follow_the_language() {
    let pt = tokenscope(&["next", "--lang", "pt-BR", "--top-p", "7", "x"], None);
    assert_eq!(pt.status.code(), Some(1));
    assert!(stderr(&pt).starts_with("erro: "), "{}", stderr(&pt));
    assert!(pt.stdout.is_empty());
    let en = tokenscope(&["next", "--top-p", "7", "x"], Some("en_US.UTF-8"));
    assert!(stderr(&en).starts_with("error: "), "{}", stderr(&en));
    let pt_env = tokenscope(&["tokenize", "--model", "/nope", "x"], Some("pt_BR.UTF-8"));
    assert!(
        stderr(&pt_env).contains("não existe"),
        "{}",
        stderr(&pt_env)
    );
}
