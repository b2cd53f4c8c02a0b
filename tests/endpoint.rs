//! `--endpoint`: tokenscope as the front-end of a serving engine (issue 9).
//!
//! - Against a real server: llama.cpp's OpenAI-compatible server (llama-cpp-python 0.3.36,
//!   built into the cache by `scripts/bootstrap --llama-cpp`, which `scripts/test` runs)
//!   serving the default model on loopback, started by `scripts/llama-server`. Our `next` must
//!   show exactly the server's own `/v1/completions` log-probabilities, and ten greedy steps
//!   through it must equal the server's own greedy completion.
//! - Faults, from a tiny HTTP listener started here on loopback (it answers `/v1/models` and
//!   then misbehaves as told): connection refused, a stalled server, HTTP 500, malformed JSON,
//!   a 10 MB reply, a reply that is not an OpenAI API, a missing or refused key. Each must give
//!   one clear paragraph on stderr, exit status 1, nothing on stdout, and no panic.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::llama_server::{LlamaServer, cache, free_port};

const PROMPT: &str = "The capital of France is";
const PROMPT_IDS: [u64; 5] = [504, 3575, 282, 4649, 314];

/// The binary, with no key, model or backtrace from the environment.
fn tokenscope(args: &[&str]) -> Output {
    tokenscope_with(args, &[])
}

fn tokenscope_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenscope"));
    for k in [
        "TOKENSCOPE_API_KEY",
        "OPENAI_API_KEY",
        "TOKENSCOPE_MODEL",
        "RUST_BACKTRACE",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    cmd.args(args).stdin(Stdio::null()).output().expect("runs")
}

/// One paragraph on stderr starting `error:` (or `erro:`), exit 1, nothing on stdout; the
/// paragraph is returned.
fn fails(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Notes about retries may come first; the failure is the last line, one paragraph.
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    let (last, notes) = lines.split_last().expect("a message");
    assert!(
        notes
            .iter()
            .all(|l| l.starts_with("note: ") || l.starts_with("nota: ")),
        "{stderr}"
    );
    assert!(
        last.starts_with("error: ") || last.starts_with("erro: "),
        "{stderr}"
    );
    last.to_string()
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

/// The server's own top 20 after `PROMPT`, most likely first.
fn servers_top(server: &LlamaServer) -> Vec<(String, f64)> {
    server.top("smollm2", PROMPT, 20)
}

#[test]
fn through_a_real_llama_cpp_server() {
    let server = LlamaServer::start();
    let url = server.url.as_str();
    next_shows_the_servers_own_logprobs(&server);
    greedy_steps_equal_the_servers_greedy_completion(&server);
    // Tokenization through /extras/tokenize: the same ids as our own tokenizer.
    let out = tokenscope(&["tokenize", "--endpoint", url, "--json", PROMPT]);
    let json = json_of(&out);
    let ids: Vec<u64> = json["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ids, PROMPT_IDS);
    assert_eq!(json["texts"][1], " capital");
    assert_eq!(json["backend"], "endpoint");
    // The text output says what is not known, in both languages.
    let out = tokenscope(&["next", "--endpoint", url, "--lang", "en", PROMPT]);
    let text = String::from_utf8(json_of_text(&out)).unwrap();
    assert!(text.contains("top 20 of an unknown vocabulary"), "{text}");
    assert!(text.contains("entropy ≥"), "{text}");
    assert!(text.contains("at least"), "{text}");
    assert!(text.contains("over the 20 shown tokens only"), "{text}");
    let out = tokenscope(&["next", "--endpoint", url, "--lang", "pt-BR", PROMPT]);
    let text = String::from_utf8(json_of_text(&out)).unwrap();
    assert!(
        text.contains("vocabulário de tamanho desconhecido"),
        "{text}"
    );
    assert!(text.contains("76,77%"), "numbers the Brazilian way: {text}");
    // What it serves.
    let json = json_of(&tokenscope(&["models", "--endpoint", url, "--json"]));
    assert_eq!(
        json,
        serde_json::json!([{"name": "smollm2", "backend": "endpoint"}])
    );
    // A model it does not serve: what it serves is listed.
    let out = tokenscope(&["next", "--endpoint", url, "--model", "gpt-5", PROMPT]);
    let err = fails(&out);
    assert!(err.contains("gpt-5") && err.contains("smollm2"), "{err}");
    // The playground does not take --endpoint yet: said so, exit 1.
    fails(&tokenscope(&["--endpoint", url]));
}

fn json_of_text(out: &Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.clone()
}

fn next_shows_the_servers_own_logprobs(server: &LlamaServer) {
    let out = tokenscope(&["next", "--endpoint", &server.url, "--json", PROMPT]);
    let json = json_of(&out);
    let ours: Vec<(String, f64)> = json["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap().to_string(),
                c["logprob"].as_f64().unwrap(),
            )
        })
        .collect();
    let theirs = servers_top(server);
    assert_eq!(ours.len(), 20);
    assert_eq!(ours, theirs, "our candidates are the server's, bit for bit");
    assert_eq!(json["backend"], "endpoint");
    assert_eq!(json["top_n"], 20);
    assert_eq!(json["model"], "smollm2");
    let shown: f64 = theirs.iter().map(|(_, lp)| lp.exp()).sum();
    let rest = json["rest_mass_lower_bound"].as_f64().unwrap();
    assert!(
        (rest - (1.0 - shown)).abs() < 1e-12,
        "{rest} vs {}",
        1.0 - shown
    );
    assert!(rest > 0.0 && rest < 0.5, "{rest}");
    // The sampler column (temperature 1, no filters) renormalises over the shown tokens.
    let first = &json["candidates"][0];
    let sampled = first["sampled_prob"].as_f64().unwrap();
    assert!((sampled - first["prob"].as_f64().unwrap() / shown).abs() < 1e-5);
    // The bound is below the true entropy. Asked for the whole vocabulary (49 152), the server
    // shows ~48 800 distinct texts (colliding texts merge): their entropy is itself below the
    // true one, and the top-20 bound must be below that.
    let bound = json["entropy_nats_lower_bound"].as_f64().unwrap();
    let reply = server.post(
        "/v1/completions",
        serde_json::json!({"model": "smollm2", "prompt": PROMPT, "max_tokens": 1,
                           "temperature": 1.0, "logprobs": 49152}),
    );
    let all = reply["choices"][0]["logprobs"]["top_logprobs"][0]
        .as_object()
        .expect("top_logprobs");
    assert!(all.len() > 48_000, "{}", all.len());
    let entropy_seen: f64 = all
        .values()
        .map(|v| v.as_f64().unwrap().exp())
        .filter(|&p| p > 0.0)
        .map(|p| -p * p.ln())
        .sum();
    assert!(
        bound > 0.5 && bound < entropy_seen,
        "{bound} vs {entropy_seen}"
    );
    let ids: Vec<u64> = json["prompt_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ids, PROMPT_IDS);
}

/// Stepping appends each chosen token's *text* (llama-cpp-python takes no token ids), so the
/// server re-reads the text: where its own generation made a sequence its tokenizer would merge
/// (`"\n"`, `"\n"` → `"\n\n"`), the two paths part. The prompt here is one whose greedy
/// continuation reads back as the same tokens (checked first); the README says the rest.
fn greedy_steps_equal_the_servers_greedy_completion(server: &LlamaServer) {
    let prompt = "Once upon a time, there was a";
    let reply = server.post(
        "/v1/completions",
        // Greedy on the raw distribution: llama-cpp-python's completions default to a
        // repetition penalty of 1.1, which the log-probabilities (raw logits) do not include.
        serde_json::json!({"model": "smollm2", "prompt": prompt, "max_tokens": 10,
                           "temperature": 0.0, "repeat_penalty": 1.0, "logprobs": 1}),
    );
    let theirs = reply["choices"][0]["text"]
        .as_str()
        .expect("text")
        .to_string();
    let their_tokens = reply["choices"][0]["logprobs"]["tokens"]
        .as_array()
        .unwrap()
        .len();
    let ids = |text: String| {
        let r = server.post("/extras/tokenize", serde_json::json!({"input": text}));
        r["tokens"].as_array().unwrap().len()
    };
    assert_eq!(their_tokens, 10);
    assert_eq!(
        ids(format!("{prompt}{theirs}")),
        ids(prompt.to_string()) + 10,
        "the precondition: the server's continuation reads back as its own 10 tokens"
    );
    let out = tokenscope(&[
        "generate",
        "--endpoint",
        &server.url,
        "--temperature",
        "0",
        "--max-tokens",
        "10",
        "--json",
        prompt,
    ]);
    let json = json_of(&out);
    let steps = json["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 10, "{json}");
    let ours: String = steps.iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert_eq!(ours, theirs);
    assert!(steps.iter().all(|s| s["rank"] == 1));
    // The plain output is the same text.
    let out = tokenscope(&[
        "generate",
        "--endpoint",
        &server.url,
        "--temperature",
        "0",
        "--max-tokens",
        "10",
        prompt,
    ]);
    assert_eq!(String::from_utf8(json_of_text(&out)).unwrap(), theirs);
    // Where the paths part, it is the merge: " Paris", ".", "\n", "\n" read back as 3 tokens.
    assert_eq!(ids(format!("{PROMPT} Paris.\n\n")), PROMPT_IDS.len() + 3);
}

// ── faults ──

/// How the fault server answers.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// `/v1/models` fine, `/v1/completions` HTTP 500 with an OpenAI error body.
    Status500,
    /// `/v1/completions` 200 with a body that is not JSON.
    Malformed,
    /// `/v1/completions` 200 with a 10 MB body.
    Huge,
    /// `/v1/completions` accepted and never answered.
    Stall,
    /// `/v1/models` is a web page.
    NotOpenAi,
    /// Nothing is there: 404 on every route.
    NotFound,
    /// Every route wants a key: 401.
    Unauthorized,
    /// `/v1/completions` allows at most 5 log-probabilities (vLLM's refusal above that) and
    /// answers with 5 (an OpenAI-shaped reply).
    AtMost5,
}

/// What the fault server saw: each request's path and its headers (lower-cased names).
type Seen = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

/// Starts the fault server; returns its base URL and what it saw.
fn fault_server(fault: Fault) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || serve_fault(stream, fault, &log));
        }
    });
    (format!("http://127.0.0.1:{port}/v1"), seen)
}

fn serve_fault(mut stream: TcpStream, fault: Fault, seen: &Seen) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    seen.lock().unwrap().push((path.clone(), headers));
    let models = r#"{"object":"list","data":[{"id":"m","object":"model"}]}"#.to_string();
    let (status, body) = match (fault, path.as_str()) {
        (Fault::Unauthorized, _) => (401, r#"{"detail":"Invalid API key"}"#.to_string()),
        (Fault::NotFound, _) => (404, "<h1>Not Found</h1>".to_string()),
        (Fault::NotOpenAi, _) => (200, "<html><body>It works!</body></html>".to_string()),
        (_, "/v1/models") => (200, models),
        (Fault::Status500, _) => (500, r#"{"error":{"message":"out of memory"}}"#.to_string()),
        (Fault::Malformed, _) => (200, r#"{"choices": [{"text": "x", "logpr"#.to_string()),
        (Fault::Huge, _) => (
            200,
            format!(r#"{{"choices":[{{"text":"{}"}}]}}"#, "a".repeat(10 << 20)),
        ),
        (Fault::AtMost5, "/v1/completions") => at_most_5(&body),
        (Fault::AtMost5, _) => (404, r#"{"detail":"Not Found"}"#.to_string()),
        (Fault::Stall, _) => {
            std::thread::sleep(Duration::from_secs(60));
            return;
        }
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

/// vLLM's refusal for more than 5 log-probabilities, else five candidates of 1/8 each.
fn at_most_5(body: &[u8]) -> (u16, String) {
    let request: Value = serde_json::from_slice(body).expect("a JSON request");
    let asked = request["logprobs"].as_u64().expect("logprobs");
    if asked > 5 {
        let message =
            format!("Requested sample logprobs of {asked}, which is greater than max allowed: 5");
        return (
            400,
            serde_json::json!({"error": {"message": message}}).to_string(),
        );
    }
    let lp = (0.125f64).ln();
    let top: serde_json::Map<String, Value> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|t| (t.to_string(), lp.into()))
        .collect();
    let reply = serde_json::json!({"choices": [{"text": "a", "logprobs": {
        "tokens": ["a"], "text_offset": [0], "token_logprobs": [lp], "top_logprobs": [top]}}]});
    (200, reply.to_string())
}

fn completions_seen(seen: &Seen) -> usize {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p == "/v1/completions")
        .count()
}

#[test]
fn connection_refused_is_said_clearly() {
    let port = free_port(); // bound and released: nothing listens there now
    let url = format!("http://127.0.0.1:{port}/v1");
    let err = fails(&tokenscope(&[
        "next",
        "--endpoint",
        &url,
        "--retries",
        "1",
        PROMPT,
    ]));
    assert!(
        err.contains("could not connect") && err.contains("2 attempts"),
        "{err}"
    );
    let err = fails(&tokenscope(&[
        "next",
        "--endpoint",
        &url,
        "--retries",
        "0",
        "--lang",
        "pt-BR",
        PROMPT,
    ]));
    assert!(err.starts_with("erro: não foi possível conectar"), "{err}");
}

#[test]
fn a_stalled_server_times_out_with_retries() {
    let (url, seen) = fault_server(Fault::Stall);
    let started = Instant::now();
    let out = tokenscope(&[
        "next",
        "--endpoint",
        &url,
        "--timeout",
        "1",
        "--retries",
        "1",
        PROMPT,
    ]);
    let err = fails(&out);
    assert!(
        err.contains("did not answer within 1 s (2 attempts)"),
        "{err}"
    );
    assert_eq!(completions_seen(&seen), 2, "one retry");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn http_500_is_retried_then_reported() {
    let (url, seen) = fault_server(Fault::Status500);
    let err = fails(&tokenscope(&[
        "next",
        "--endpoint",
        &url,
        "--retries",
        "2",
        PROMPT,
    ]));
    assert!(
        err.contains("HTTP 500") && err.contains("out of memory"),
        "{err}"
    );
    assert_eq!(completions_seen(&seen), 3, "two retries with backoff");
    let out = tokenscope(&["next", "--endpoint", &url, "--retries", "1", PROMPT]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("note: ") && stderr.contains("trying again in 0.5 s (attempt 2/2)"),
        "a note says the server is failing and when it is tried again: {stderr}"
    );
    let err = fails(&tokenscope(&[
        "generate",
        "--endpoint",
        &url,
        "--retries",
        "0",
        PROMPT,
    ]));
    assert!(err.contains("HTTP 500"), "{err}");
}

#[test]
fn malformed_json_is_not_an_openai_reply() {
    let (url, seen) = fault_server(Fault::Malformed);
    let err = fails(&tokenscope(&["next", "--endpoint", &url, PROMPT]));
    assert!(err.contains("not as an OpenAI-compatible API"), "{err}");
    assert_eq!(
        completions_seen(&seen),
        1,
        "a malformed reply is not retried"
    );
}

#[test]
fn a_10_mb_reply_is_refused() {
    let (url, _) = fault_server(Fault::Huge);
    let err = fails(&tokenscope(&["next", "--endpoint", &url, PROMPT]));
    assert!(err.contains("larger than 8 MB"), "{err}");
}

#[test]
fn a_server_that_is_not_openai_compatible() {
    for fault in [Fault::NotOpenAi, Fault::NotFound] {
        let (url, _) = fault_server(fault);
        let err = fails(&tokenscope(&["next", "--endpoint", &url, PROMPT]));
        assert!(
            err.contains("not as an OpenAI-compatible API"),
            "{fault:?}: {err}"
        );
    }
}

#[test]
fn the_key_is_sent_and_never_shown() {
    let (url, seen) = fault_server(Fault::Unauthorized);
    let err = fails(&tokenscope(&["next", "--endpoint", &url, PROMPT]));
    assert!(
        err.contains("wants an API key") && err.contains("TOKENSCOPE_API_KEY"),
        "{err}"
    );
    let key = "sk-test-do-not-print-4242";
    let out = tokenscope_with(
        &["next", "--endpoint", &url, PROMPT],
        &[("OPENAI_API_KEY", key)],
    );
    let err = fails(&out);
    assert!(err.contains("refused the API key"), "{err}");
    assert!(!err.contains(key));
    let sent = seen.lock().unwrap().iter().any(|(_, headers)| {
        headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == &format!("Bearer {key}"))
    });
    assert!(sent, "the key goes in the Authorization header");
}

#[test]
fn bad_input_is_one_paragraph() {
    for url in ["ftp://127.0.0.1/v1", "127.0.0.1:8080", "http://"] {
        let err = fails(&tokenscope(&["next", "--endpoint", url, PROMPT]));
        assert!(err.contains("not an http:// or https:// URL"), "{err}");
    }
    let (url, _) = fault_server(Fault::Status500);
    let err = fails(&tokenscope(&[
        "next",
        "--endpoint",
        &url,
        "--model",
        "nope",
        PROMPT,
    ]));
    assert!(
        err.contains("does not serve the model nope") && err.contains(": m."),
        "{err}"
    );
    let err = fails(&tokenscope(&["next", "--endpoint", &url, "--chat", PROMPT]));
    assert!(
        err.contains("--chat is not available with --endpoint"),
        "{err}"
    );
    let err = fails(&tokenscope(&["sample", "--endpoint", &url, PROMPT]));
    assert!(err.contains("sample is not available"), "{err}");
}

#[test]
fn a_server_allowing_fewer_logprobs_is_asked_for_that_many() {
    let (url, _) = fault_server(Fault::AtMost5);
    let json = json_of(&tokenscope(&["next", "--endpoint", &url, "--json", "x"]));
    assert_eq!(json["top_n"], 5, "{json}");
    assert_eq!(json["candidates"].as_array().unwrap().len(), 5);
    let rest = json["rest_mass_lower_bound"].as_f64().unwrap();
    assert!((rest - 3.0 / 8.0).abs() < 1e-12, "{rest}");
    // No tokenize route (404): the ids are labelled none; the echo is not aligned (its one
    // entry starts inside the prompt): the prompt's colouring is labelled unavailable.
    let out = tokenscope(&["next", "--endpoint", &url, "x"]);
    let text = String::from_utf8(json_of_text(&out)).unwrap();
    assert!(text.contains("top 5 of an unknown vocabulary"), "{text}");
    assert!(text.contains("token ids: none"), "{text}");
    assert!(
        text.contains("prompt token colouring: unavailable"),
        "{text}"
    );
    let err = fails(&tokenscope(&["tokenize", "--endpoint", &url, "x"]));
    assert!(err.contains("has no tokenize route"), "{err}");
}

/// On a model with a BOS token (Gemma 3) llama-cpp-python echoes the prompt aligned: each
/// prompt token's log-probability is the one the server gives it as the *next* token after the
/// text before it.
#[test]
fn prompt_scores_from_an_aligned_echo() {
    let gemma = cache().join("models/gemma-3-270m-q4_k_m.gguf");
    assert!(
        gemma.exists(),
        "Gemma 3 is not installed at {}: run `scripts/bootstrap --model gemma-3-270m` (or \
         scripts/test)",
        gemma.display()
    );
    let server = LlamaServer::start_with(&["--model", gemma.to_str().unwrap(), "--alias", "gemma"]);
    let url = server.url.as_str();
    let json = json_of(&tokenscope(&[
        "next",
        "--endpoint",
        url,
        "--json",
        "O Brasil é um país",
    ]));
    let prompt = json["prompt_tokens"]
        .as_array()
        .expect("scored prompt tokens");
    let texts: Vec<&str> = prompt.iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["O", " Brasil", " é", " um", " país"]);
    assert!(
        prompt[0]["logprob"].is_null(),
        "nothing predicts the first token"
    );
    for (prefix, i) in [("O Brasil é", 3), ("O Brasil é um", 4)] {
        let next = json_of(&tokenscope(&[
            "next",
            "--endpoint",
            url,
            "--json",
            "--top-logprobs",
            "50",
            prefix,
        ]));
        let after = next["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["text"] == texts[i])
            .unwrap_or_else(|| panic!("{:?} in the top 50 after {prefix:?}", texts[i]));
        let echoed = prompt[i]["logprob"].as_f64().unwrap();
        let predicted = after["logprob"].as_f64().unwrap();
        assert!(
            (echoed - predicted).abs() < 1e-4,
            "{prefix:?}: {echoed} vs {predicted}"
        );
    }
    let text = String::from_utf8(json_of_text(&tokenscope(&[
        "next",
        "--endpoint",
        url,
        "--lang",
        "pt-BR",
        "O Brasil é um país",
    ])))
    .unwrap();
    assert!(
        text.contains("prompt, como o servidor o pontuou: O — | ·Brasil"),
        "{text}"
    );
}
