//! The `tokenscope` binary end to end: its scriptable commands (`tokenize`, `next`, `generate`)
//! as a user or a script runs them.
//!
//! - Bad input of every kind must give one paragraph on stderr starting `error:`, exit status 1,
//!   nothing on stdout, and never a panic.
//! - The JSON of each command is a contract: exact ids and numbers for the default model
//!   (SmolLM2-135M-Instruct Q4_1, installed by `scripts/bootstrap`).
//!
//! Every call starts a process that loads the model (~1–3 s), so each test makes as few calls as
//! it can; failures that need no weights (flags, input, model files) are checked before the
//! weights are read and cost a fraction of that. Damaged model files are made at test time in
//! a temporary folder from the real one; nothing binary is committed.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const PROMPT: &str = "The capital of France is";
const PROMPT_IDS: [u64; 5] = [504, 3575, 282, 4649, 314];

/// The default model; the suite needs it (`scripts/test` installs it first).
fn model() -> PathBuf {
    let p = tokenscope::registry::default_model_path();
    assert!(
        p.exists(),
        "the default model is missing at {}: run scripts/test (or scripts/bootstrap) first",
        p.display()
    );
    p
}

/// The tiny HF Llama of the fixtures (context window 256): fast to load.
fn tiny_llama() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-llama")
}

/// The binary, with no model chosen by the environment and no backtrace requested (so that a
/// panic shows its `RUST_BACKTRACE` hint). Tests run in parallel, so each process gets one
/// libtorch thread unless the test sets `--threads`: several processes with a thread per core
/// each are many times slower.
fn tokenscope<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Command {
    let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenscope"));
    if !args
        .iter()
        .any(|a| a.to_string_lossy().starts_with("--threads"))
    {
        cmd.args(["--threads", "1"]);
    }
    cmd.args(args)
        .env_remove("TOKENSCOPE_MODEL")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Starts `cmd`, feeding `stdin` to it when given.
fn spawn(cmd: &mut Command, stdin: Option<&[u8]>) -> Child {
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("starting tokenscope");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(bytes).expect("writing stdin");
    }
    child
}

fn run<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    run_with_stdin(args, None)
}

fn run_with_stdin<S: AsRef<OsStr>>(
    args: impl IntoIterator<Item = S>,
    stdin: Option<&[u8]>,
) -> Output {
    let child = spawn(&mut tokenscope(args), stdin);
    child.wait_with_output().expect("running tokenscope")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A successful run's stdout, parsed as one JSON document.
#[track_caller]
fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "tokenscope failed ({}): {}",
        out.status,
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn json_run<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Value {
    json(&run(args))
}

/// A failure as the CLI promises it: status 1, nothing on stdout, and one paragraph (one line)
/// on stderr that starts with `error:` and contains every string of `expected`. Returns the
/// message.
#[track_caller]
fn assert_error(out: &Output, expected: &[&str]) -> String {
    let err = stderr(out);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "a panic instead of an error:\n{err}"
    );
    assert_eq!(out.status.code(), Some(1), "exit status; stderr:\n{err}");
    assert!(
        out.stdout.is_empty(),
        "stdout of a failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(err.starts_with("error: "), "{err:?}");
    assert!(err.ends_with('\n'), "{err:?}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "the error should be one paragraph:\n{err}"
    );
    for s in expected {
        assert!(err.contains(s), "{err:?} should mention {s:?}");
    }
    err
}

fn as_ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_u64().expect("an id"))
        .collect()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().expect("a string"))
        .collect()
}

fn f64_of(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

// ---- a model that is missing, or not a model ----------------------------------------------

#[test]
fn missing_default_model_names_the_install_command() {
    let empty = tempfile::tempdir().unwrap();
    for cmd in ["tokenize", "next"] {
        let out = tokenscope([cmd, "hello"])
            .env("XDG_CACHE_HOME", empty.path())
            .env("HOME", empty.path())
            .output()
            .unwrap();
        assert_error(
            &out,
            &[
                "is not installed",
                "scripts/bootstrap --model smollm2-135m",
                &empty.path().display().to_string(),
            ],
        );
    }
}

#[test]
fn nonexistent_model_path_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.gguf");
    let out = run([
        "next".as_ref(),
        "--model".as_ref(),
        path.as_os_str(),
        "hi".as_ref(),
    ]);
    assert_error(
        &out,
        &["does not exist", &path.display().to_string(), "--model"],
    );
}

#[test]
fn a_folder_that_is_no_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["tokenize", "next"] {
        let out = run([
            cmd.as_ref(),
            "--model".as_ref(),
            dir.path().as_os_str(),
            "hi".as_ref(),
        ]);
        assert_error(&out, &["is not a model folder", "config.json", "--model"]);
    }
}

#[test]
fn a_file_that_is_not_gguf_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "just some notes\n").unwrap();
    for cmd in ["tokenize", "generate"] {
        let out = run([
            cmd.as_ref(),
            "--model".as_ref(),
            path.as_os_str(),
            "hi".as_ref(),
        ]);
        assert_error(
            &out,
            &[&path.display().to_string(), "not a GGUF file", "--model"],
        );
    }
}

#[test]
fn truncated_copies_of_the_model_are_refused() {
    let real = std::fs::read(model()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // 1 MB ends inside the tokenizer's metadata; 50 MB inside the tensor data.
    for (len, inside) in [(1_000_000, "tokenizer.ggml"), (50_000_000, "tensor")] {
        let path = dir.path().join(format!("cut-{len}.gguf"));
        std::fs::write(&path, &real[..len]).unwrap();
        for cmd in ["tokenize", "next"] {
            let out = run([
                cmd.as_ref(),
                "--model".as_ref(),
                path.as_os_str(),
                "hi".as_ref(),
            ]);
            assert_error(
                &out,
                &[
                    &path.display().to_string(),
                    "truncated",
                    inside,
                    &format!("({} bytes)", grouped(len)),
                    "cut short",
                ],
            );
        }
    }
}

/// A GGUF string: u64 length, then the bytes.
fn gguf_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

/// Where `needle` starts in `hay`; it must occur exactly once.
#[track_caller]
fn find_once(hay: &[u8], needle: &[u8]) -> usize {
    let mut hits = hay
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| w == &needle);
    let (at, _) = hits.next().expect("the pattern is in the file");
    assert!(hits.next().is_none(), "the pattern occurs more than once");
    at
}

/// A copy of the real model in `dir`, with `patch` applied to its bytes (the file keeps its
/// size, so every tensor still lies inside it).
fn patched_copy(dir: &Path, name: &str, patch: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(model()).unwrap();
    patch(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn unknown_architecture_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = patched_copy(dir.path(), "mamba.gguf", |bytes| {
        let mut key = gguf_string("general.architecture");
        key.extend_from_slice(&8u32.to_le_bytes()); // value type: string
        key.extend_from_slice(&gguf_string("llama"));
        let at = find_once(&bytes[..1 << 20], &key) + key.len() - 5;
        bytes[at..at + 5].copy_from_slice(b"mamba");
    });
    let g = tokenscope::gguf::GgufFile::open(&path).expect("the patched copy parses");
    assert_eq!(g.get_str("general.architecture"), Some("mamba"));
    drop(g);
    let out = run([
        "generate".as_ref(),
        "--model".as_ref(),
        path.as_os_str(),
        "hi".as_ref(),
    ]);
    assert_error(
        &out,
        &[
            &path.display().to_string(),
            "unknown architecture `mamba`",
            "llama",
        ],
    );
}

#[test]
fn unsupported_tensor_type_names_the_tensor_and_the_type() {
    use tokenscope::gguf::{GgmlType, GgufFile};
    const TENSOR: &str = "blk.0.attn_q.weight";
    let dir = tempfile::tempdir().unwrap();
    // Re-type one Q4_1 matrix as IQ4_NL (same block of 32 elements, 18 bytes instead of 20,
    // so its data still lies inside the file): a valid GGUF that tokenscope cannot de-quantize.
    let path = patched_copy(dir.path(), "iq4_nl.gguf", |bytes| {
        let mut info = gguf_string(TENSOR);
        info.extend_from_slice(&2u32.to_le_bytes()); // n_dims
        let header = GgufFile::open(&model()).unwrap().data_offset() as usize;
        let at = find_once(&bytes[..header], &info) + info.len() + 2 * 8; // after the dims
        assert_eq!(bytes[at..at + 4], GgmlType::Q4_1.id().to_le_bytes());
        bytes[at..at + 4].copy_from_slice(&GgmlType::IQ4_NL.id().to_le_bytes());
    });
    let g = GgufFile::open(&path).expect("the patched copy parses");
    assert_eq!(g.tensor(TENSOR).unwrap().ggml_type, GgmlType::IQ4_NL);
    drop(g);
    for precision in ["exact", "fast"] {
        let out = run([
            "next".as_ref(),
            "--precision".as_ref(),
            precision.as_ref(),
            "--model".as_ref(),
            path.as_os_str(),
            "hi".as_ref(),
        ]);
        assert_error(&out, &[TENSOR, "IQ4_NL", "Q4_1", "Q8_0", "llama-quantize"]);
    }
}

// ---- bad text and bad flags ---------------------------------------------------------------

#[test]
fn prompt_longer_than_the_context_window_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    std::fs::write(&path, "Hello world. ".repeat(3000)).unwrap();
    let count = json_run([
        "tokenize".as_ref(),
        "--json".as_ref(),
        "--file".as_ref(),
        path.as_os_str(),
    ])["count"]
        .as_u64()
        .unwrap();
    assert!(count > 8192, "{count} tokens");
    let out = run(["next".as_ref(), "--file".as_ref(), path.as_os_str()]);
    assert_error(
        &out,
        &[
            &format!("the prompt is {} tokens long", grouped(count as usize)),
            "context window holds 8\u{202f}192 tokens",
            &format!("at least {}", grouped(count as usize - 8192)),
        ],
    );
}

#[test]
fn generation_stops_with_a_note_when_the_context_window_fills() {
    // tiny-llama's window is 256 tokens; "a b " is two tokens, and the text starts with one.
    let text = "a b ".repeat(127);
    let prompt = json_run(
        ["tokenize", "--json", "--model"]
            .map(OsStr::new)
            .into_iter()
            .chain([tiny_llama().as_os_str(), text.as_ref()]),
    )["count"]
        .as_u64()
        .unwrap();
    assert_eq!(prompt, 255);
    let out = run(["generate", "--json", "--max-tokens", "50", "--model"]
        .map(OsStr::new)
        .into_iter()
        .chain([tiny_llama().as_os_str(), text.as_ref()]));
    let v = json(&out);
    // 255 → 256 fed back, then one more predicted with no room to feed it: 2 new tokens.
    assert_eq!(v["steps"].as_array().unwrap().len(), 2, "{v}");
    let err = stderr(&out);
    assert!(err.starts_with("note: stopped after 2 new tokens"), "{err}");
    assert!(err.contains("context window (256 tokens)"), "{err}");
}

#[test]
fn empty_prompt_is_refused_by_next_and_generate_but_tokenizes() {
    for cmd in ["next", "generate"] {
        assert_error(&run([cmd, ""]), &["the prompt is empty", "--chat"]);
        assert_error(
            &run_with_stdin([cmd, "-"], Some(b"")),
            &["the prompt is empty"],
        );
    }
    let v = json_run(["tokenize", "--json", ""]);
    assert_eq!(v["count"], 0);
    assert_eq!(as_ids(&v["ids"]), Vec::<u64>::new());
    assert_eq!(strs(&v["pieces"]), Vec::<&str>::new());
    assert_eq!(strs(&v["texts"]), Vec::<&str>::new());
}

#[test]
fn invalid_utf8_input_is_refused_with_its_offset() {
    let bad = b"caf\xe9 au lait";
    for cmd in ["tokenize", "next"] {
        assert_error(
            &run_with_stdin([cmd, "-"], Some(bad)),
            &["standard input is not valid UTF-8", "byte 3", "0xE9"],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.txt");
    std::fs::write(&path, bad).unwrap();
    assert_error(
        &run(["next".as_ref(), "--file".as_ref(), path.as_os_str()]),
        &[
            &format!("the file {} is not valid UTF-8", path.display()),
            "byte 3",
        ],
    );
}

#[test]
fn nonexistent_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.txt");
    for cmd in ["tokenize", "generate"] {
        assert_error(
            &run([cmd.as_ref(), "--file".as_ref(), path.as_os_str()]),
            &[
                &format!("cannot read the --file {}", path.display()),
                "no such file",
            ],
        );
    }
    assert_error(
        &run([
            "tokenize".as_ref(),
            "--file".as_ref(),
            dir.path().as_os_str(),
        ]),
        &["cannot read the --file", "it is a folder"],
    );
}

#[test]
fn bad_sampling_values_name_the_flag_and_the_value() {
    let cases: [(&[&str], &[&str]); 7] = [
        (&["--top-p", "0"], &["--top-p", "greater than 0", "not 0"]),
        (&["--top-p", "1.5"], &["--top-p", "at most 1", "not 1.5"]),
        (
            &["--temperature", "-1"],
            &["--temperature", "≥ 0", "not -1"],
        ),
        (&["--temperature=-0.5"], &["--temperature", "not -0.5"]),
        (&["--temperature", "nan"], &["--temperature", "not NaN"]),
        (&["--temperature", "inf"], &["--temperature", "finite"]),
        (&["--min-p", "2"], &["--min-p", "between 0 and 1", "not 2"]),
    ];
    for (flags, expected) in cases {
        assert_error(&run([&["next"][..], flags, &["hi"]].concat()), expected);
    }
    // `generate` shares the checks.
    for (flags, expected) in &cases[..2] {
        assert_error(&run([&["generate"][..], flags, &["hi"]].concat()), expected);
    }
}

#[test]
fn flags_are_checked_before_the_model_is_needed() {
    // With no model installed, a bad flag value is still the error reported.
    let empty = tempfile::tempdir().unwrap();
    let out = tokenscope(["next", "--top-p", "0", "hi"])
        .env("XDG_CACHE_HOME", empty.path())
        .env("HOME", empty.path())
        .output()
        .unwrap();
    assert_error(&out, &["--top-p"]);
}

#[test]
fn syntax_errors_are_clap_errors_without_panics() {
    // clap's own format: `error:` first, usage hints after, status 2.
    for args in [
        &["next", "--top-k", "abc", "hi"][..],
        &["next", "--top-k", "-1", "hi"],
        &["generate", "--max-tokens", "many", "hi"],
        &["next", "--device", "tpu", "hi"],
        &["next", "--file", "x.txt", "hi"],
        &["next", "--threads", "0", "hi"],
        &["next", "--threads", "100000", "hi"],
        &["next", "--threads", "3000000000", "hi"],
        &["frobnicate"],
    ] {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // An argument that is not UTF-8 is refused by clap too (`-` or --file take any bytes and
    // report them as above).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let out = run([OsStr::new("tokenize"), OsStr::from_bytes(b"caf\xe9")]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.starts_with("error: invalid UTF-8"), "{err}");
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `tokenscope tokenize … | head -1`: the reader goes away before the output is written.
    let text = "word ".repeat(20_000);
    let mut child = tokenscope(["tokenize", text.as_str()]).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "{}: {err}", out.status);
}

// ---- tokenize -----------------------------------------------------------------------------

#[test]
fn tokenize_json_contract() {
    let v = json_run(["tokenize", "--json", PROMPT]);
    assert_eq!(v["model"], "SmolLM2-135M-Instruct.Q4_1");
    assert_eq!(as_ids(&v["ids"]), PROMPT_IDS);
    assert_eq!(v["count"], 5);
    assert_eq!(
        strs(&v["pieces"]),
        ["The", "Ġcapital", "Ġof", "ĠFrance", "Ġis"]
    );
    assert_eq!(
        strs(&v["texts"]),
        ["The", " capital", " of", " France", " is"]
    );
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{keys:?}");

    // 🤖 is F0 9F A4 96: no token holds all four bytes, so each piece shows its bytes.
    let v = json_run(["tokenize", "--json", "🤖"]);
    let texts = strs(&v["texts"]);
    assert!(texts.len() > 1, "{texts:?}");
    assert_eq!(texts.concat(), "<0xF0><0x9F><0xA4><0x96>");
    assert_eq!(texts[0], "<0xF0><0x9F>");
    assert_eq!(v["count"], texts.len());
}

#[test]
fn text_is_taken_exactly_from_argument_stdin_and_file() {
    let text = "  leading spaces, a\ttab and a trailing newline\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prompt.txt");
    std::fs::write(&path, text).unwrap();
    let from_arg = json_run(["tokenize", "--json", text]);
    let from_stdin = json(&run_with_stdin(
        ["tokenize", "--json", "-"],
        Some(text.as_bytes()),
    ));
    let from_file = json_run([
        "tokenize".as_ref(),
        "--json".as_ref(),
        "--file".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(from_arg, from_stdin);
    assert_eq!(from_arg, from_file);
    // Nothing trimmed: the texts put back together are the input, byte for byte.
    assert_eq!(strs(&from_arg["texts"]).concat(), text);
    let trimmed = json_run(["tokenize", "--json", text.trim()]);
    assert_ne!(as_ids(&trimmed["ids"]), as_ids(&from_arg["ids"]));
}

// ---- next ---------------------------------------------------------------------------------

fn candidates(v: &Value) -> &Vec<Value> {
    v["candidates"].as_array().expect("candidates")
}

#[test]
fn next_json_contract_at_default_settings() {
    let v = json_run(["next", "--json", PROMPT]);
    assert_eq!(v["model"], "SmolLM2-135M-Instruct.Q4_1");
    assert_eq!(as_ids(&v["prompt_ids"]), PROMPT_IDS);
    let entropy = f64_of(&v, "entropy_nats");
    assert!((entropy - 1.4812).abs() < 1e-3, "entropy {entropy}");
    let cs = candidates(&v);
    assert_eq!(cs.len(), 20);
    let first = &cs[0];
    assert_eq!(first["id"], 7042);
    assert_eq!(first["text"], " Paris");
    assert_eq!(first["piece"], "ĠParis");
    let logprob = f64_of(first, "logprob");
    assert!((logprob - -0.2581).abs() < 1e-3, "logprob {logprob}");
    let mut total = 0.0;
    for (i, c) in cs.iter().enumerate() {
        assert_eq!(c["rank"], i + 1, "ranks are 1-based and in order");
        let (prob, logprob) = (f64_of(c, "prob"), f64_of(c, "logprob"));
        assert!((prob - logprob.exp()).abs() < 1e-9, "{c}");
        assert!(
            (f64_of(c, "sampled_prob") - prob).abs() < 1e-12,
            "sampled_prob = prob at default settings: {c}"
        );
        assert_eq!(c["kept"], true);
        assert!(c["logit"].is_number());
        if i > 0 {
            assert!(prob <= f64_of(&cs[i - 1], "prob"), "sorted by probability");
        }
        total += prob;
    }
    assert!(total <= 1.0 + 1e-9, "probabilities sum to {total}");
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 10, "{keys:?}");
    assert_eq!(
        first["sampled"][0], first["sampled_prob"],
        "one sampler: the flags"
    );
}

#[test]
fn next_top_k_shows_k_kept_candidates() {
    let v = json_run(["next", "--json", "--top-k", "3", PROMPT]);
    let cs = candidates(&v);
    assert_eq!(cs.len(), 3);
    assert!(cs.iter().all(|c| c["kept"] == true));
    let sampled: f64 = cs.iter().map(|c| f64_of(c, "sampled_prob")).sum();
    assert!(
        (sampled - 1.0).abs() < 1e-9,
        "renormalised over the 3: {sampled}"
    );
    assert!(f64_of(&cs[0], "sampled_prob") > f64_of(&cs[0], "prob"));
}

#[test]
fn next_temperature_zero_is_greedy() {
    let v = json_run(["next", "--json", "--temperature", "0", PROMPT]);
    let cs = candidates(&v);
    assert_eq!(cs.len(), 20);
    for c in cs {
        let want = if c["rank"] == 1 { 1.0 } else { 0.0 };
        assert_eq!(f64_of(c, "sampled_prob"), want, "{c}");
        assert_eq!(c["kept"], c["rank"] == 1, "{c}");
    }
    assert_eq!(cs[0]["id"], 7042);
}

#[test]
fn next_top_p_cuts_after_the_nucleus() {
    let v = json_run(["next", "--json", "--top-p", "0.5", "--show", "10", PROMPT]);
    let cs = candidates(&v);
    assert_eq!(cs.len(), 10);
    // The nucleus is the shortest prefix whose raw mass reaches 0.5: " Paris" (77%) alone.
    let mut before = 0.0;
    for c in cs {
        let kept = before < 0.5;
        assert_eq!(c["kept"], kept, "{c}");
        if !kept {
            assert_eq!(f64_of(c, "sampled_prob"), 0.0, "{c}");
        }
        before += f64_of(c, "prob");
    }
    assert_eq!(cs[0]["kept"], true);
    assert_eq!(f64_of(&cs[0], "sampled_prob"), 1.0);
}

#[test]
fn next_table_is_aligned_with_visible_whitespace() {
    let out = run(["next", "--show", "5", PROMPT]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("5 prompt tokens"), "{text}");
    let header = lines[1];
    assert!(header.starts_with("rank"), "{text}");
    let row = lines[2];
    assert!(row.contains("·Paris"), "{text}");
    assert!(!row.contains(" Paris"), "spaces are shown as ·: {row}");
    // Columns line up by display width (every character here is one column wide).
    let col = |line: &str, s: &str| line[..line.find(s).unwrap()].chars().count();
    assert_eq!(col(header, "token"), col(row, "·Paris"), "{text}");
    let end = |line: &str, s: &str| col(line, s) + s.chars().count();
    assert_eq!(end(header, "model %"), end(row, "77.25%"), "{text}");
    assert_eq!(lines.len(), 2 + 5 + 1, "{text}");
    assert!(lines[7].starts_with("rest of the vocabulary"), "{text}");
}

// ---- generate -----------------------------------------------------------------------------

#[test]
fn generate_greedy_json_contract() {
    let v = json_run([
        "generate",
        "--json",
        "--temperature",
        "0",
        "--max-tokens",
        "30",
        PROMPT,
    ]);
    assert_eq!(v["model"], "SmolLM2-135M-Instruct.Q4_1");
    assert_eq!(as_ids(&v["prompt_ids"]), PROMPT_IDS);
    let steps = v["steps"].as_array().unwrap();
    let ids: Vec<u64> = steps.iter().map(|s| s["id"].as_u64().unwrap()).collect();
    assert_eq!(
        ids,
        [
            7042, 30, 198, 198, 504, 2988, 314, 42, 216, 34, 32, 33, 40, 29, 32, 33, 29, 34, 34,
            216, 33, 34, 42, 33, 34, 42, 37, 35, 30, 2
        ]
    );
    assert_eq!(steps[0]["text"], " Paris");
    assert_eq!(steps[29]["text"], "<|im_end|>");
    for s in steps {
        assert_eq!(s["rank"], 1, "greedy picks rank 1: {s}");
        let p = f64_of(s, "prob");
        assert!(p > 0.0 && p <= 1.0, "{s}");
    }
}

#[test]
fn generate_same_seed_same_output_from_argument_and_stdin() {
    let text = "  Once upon a time\n";
    fn args(input: &str) -> [&str; 9] {
        [
            "generate",
            "--json",
            "--seed",
            "7",
            "--temperature",
            "1.3",
            "--max-tokens",
            "6",
            input,
        ]
    }
    // Three processes at once: the same seed twice, and the same text read from stdin.
    let a = spawn(&mut tokenscope(args(text)), None);
    let b = spawn(&mut tokenscope(args(text)), None);
    let c = spawn(&mut tokenscope(args("-")), Some(text.as_bytes()));
    let [a, b, c] = [a, b, c].map(|child| json(&child.wait_with_output().unwrap()));
    assert_eq!(a, b, "same seed, same output");
    assert_eq!(a, c, "stdin gives the same prompt as the argument");
    assert_eq!(a["steps"].as_array().unwrap().len(), 6);
    let prompt = as_ids(&a["prompt_ids"]);
    assert!(prompt.len() > 4, "{prompt:?}");
}

/// `n` grouped by thousands the way tokenscope writes counts (`9 001`, with a narrow no-break
/// space).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

// ---- the comparison lab on the command line (issue 7) -------------------------------------

#[test]
fn next_with_samplers_and_versus() {
    let v = json_run([
        "next",
        "--json",
        "--sampler",
        "t=0.7,p=0.9",
        "--sampler",
        "order-llama",
        "--versus",
        "The capital of Italy is",
        PROMPT,
    ]);
    let samplers = v["samplers"].as_array().expect("samplers");
    assert_eq!(samplers.len(), 2);
    assert_eq!(samplers[0]["order"], "hf");
    assert_eq!(samplers[1]["order"], "llama");
    assert!((f64_of(&samplers[0], "temperature") - 0.7).abs() < 1e-6);
    for c in candidates(&v) {
        let sampled = c["sampled"].as_array().unwrap();
        assert_eq!(sampled.len(), 2);
        assert_eq!(
            sampled[0], c["sampled_prob"],
            "sampled_prob is the first sampler's"
        );
    }
    let kl = f64_of(&v, "kl_nats");
    assert!(kl > 0.1, "different prompts move the distribution: {kl}");
    let b = &v["versus"];
    assert_eq!(b["prompt_ids"].as_array().unwrap().len(), 5);
    assert_eq!(b["candidates"][0]["text"], " Rome");
    // KL(A‖A) = 0.
    let same = json_run(["next", "--json", "--versus", PROMPT, PROMPT]);
    assert!(f64_of(&same, "kl_nats").abs() < 1e-9);
}

#[test]
fn sample_counts_are_reproducible() {
    let args = ["sample", "--json", "--n", "2000", "--seed", "3", PROMPT];
    let a = json_run(args);
    assert_eq!(a, json_run(args), "same seed, same counts");
    assert_eq!(a["n"], 2000);
    let counts = a["counts"].as_array().unwrap();
    let total: u64 = counts.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 2000);
    assert_eq!(counts[0]["text"], " Paris");
    let share = counts[0]["count"].as_f64().unwrap() / 2000.0;
    assert!(
        (share - f64_of(&counts[0], "sampled_prob")).abs() < 0.05,
        "{share}"
    );
}

#[test]
fn bad_lab_input_is_one_paragraph() {
    for (args, expected) in [
        (
            vec!["next", "--sampler", "t=abc", PROMPT],
            vec!["t", "abc", "0 to 100"],
        ),
        (vec!["next", "--sampler", "p=2", PROMPT], vec!["p", "2"]),
        (vec!["next", "--sampler", "k=-1", PROMPT], vec!["k", "-1"]),
        (
            vec!["next", "--sampler", "q=1", PROMPT],
            vec!["unknown key", "q"],
        ),
        (
            vec![
                "next",
                "--sampler",
                "raw",
                "--sampler",
                "raw",
                "--sampler",
                "raw",
                "--sampler",
                "raw",
                "--sampler",
                "raw",
                PROMPT,
            ],
            vec!["at most 4", "5"],
        ),
        (
            vec!["next", "--versus", "", PROMPT],
            vec!["prompt B", "empty"],
        ),
        (
            vec!["sample", "--n", "0", PROMPT],
            vec!["--n", "1\u{202f}000\u{202f}000", "0"],
        ),
        (vec!["sample", "--n", "99999999", PROMPT], vec!["--n", "99"]),
    ] {
        assert_error(&run(args), &expected);
    }
    let out = run(["--lang", "pt-BR", "next", "--sampler", "p=2", PROMPT]);
    let err = stderr(&out);
    assert!(
        err.starts_with("erro:") && err.contains("amostrador"),
        "{err}"
    );
}
