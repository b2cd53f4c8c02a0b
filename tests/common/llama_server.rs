//! llama.cpp's OpenAI-compatible server (llama-cpp-python 0.3.36, built into the cache by
//! `scripts/bootstrap --llama-cpp`, which `scripts/test` runs) on loopback, started by
//! `scripts/llama-server` and stopped when dropped. Shared by the tests of `--endpoint`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A free port on 127.0.0.1 (the listener is closed again at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// tokenscope's per-user cache (`$XDG_CACHE_HOME/tokenscope` or `~/.cache/tokenscope`).
pub fn cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"))
        .join("tokenscope")
}

/// A plain GET's body.
pub fn get(url: &str) -> Result<String, ureq::Error> {
    ureq::get(url).call()?.body_mut().read_to_string()
}

/// llama.cpp's server on the default model, stopped when dropped.
pub struct LlamaServer {
    child: Child,
    pub url: String,
    pub port: u16,
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl LlamaServer {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// With more `scripts/llama-server` flags (`--model GGUF --alias NAME`).
    pub fn start_with(flags: &[&str]) -> Self {
        Self::start_on(free_port(), flags)
    }

    /// On `port` (to come back where a stopped one was).
    pub fn start_on(port: u16, flags: &[&str]) -> Self {
        let venv = cache().join("llama-cpp-python-0.3.36");
        assert!(
            venv.join(".complete").exists(),
            "llama.cpp's server (llama-cpp-python 0.3.36) is not installed at {}: run \
             `scripts/bootstrap --llama-cpp` (about 10 minutes, once) or `scripts/test`, which \
             installs it",
            venv.display()
        );
        let log = tempfile::NamedTempFile::new().expect("log file");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/llama-server");
        let child = Command::new(script)
            .args(["--port", &port.to_string()])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(log.reopen().expect("log"))
            .stderr(log.reopen().expect("log"))
            .spawn()
            .expect("scripts/llama-server starts");
        let mut server = LlamaServer {
            child,
            url: format!("http://127.0.0.1:{port}/v1"),
            port,
        };
        let started = Instant::now();
        while get(&format!("{}/models", server.url)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                let text = std::fs::read_to_string(log.path()).unwrap_or_default();
                panic!("the llama.cpp server exited ({status}):\n{text}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "the llama.cpp server did not start in 180 s"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        server
    }

    /// Stops the server (a kill, as a crash would) and waits for it to be gone.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's own reply to a JSON POST.
    pub fn post(&self, path: &str, body: Value) -> Value {
        let root = self.url.trim_end_matches("/v1");
        let url = format!("{root}{path}");
        let text = ureq::post(&url)
            .content_type("application/json")
            .send(body.to_string())
            .expect("the server answers")
            .body_mut()
            .read_to_string()
            .expect("a body");
        serde_json::from_str(&text).expect("JSON")
    }

    /// The server's own top `n` after `prompt`, most likely first (ties by text; its
    /// `top_logprobs` may add the sampled token beyond them).
    pub fn top(&self, model: &str, prompt: &str, n: usize) -> Vec<(String, f64)> {
        let reply = self.post(
            "/v1/completions",
            serde_json::json!({"model": model, "prompt": prompt, "max_tokens": 1,
                               "temperature": 1.0, "logprobs": n}),
        );
        let top = reply["choices"][0]["logprobs"]["top_logprobs"][0]
            .as_object()
            .expect("top_logprobs")
            .clone();
        let mut top: Vec<(String, f64)> = top
            .into_iter()
            .map(|(k, v)| (k, v.as_f64().expect("a number")))
            .collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(n);
        top
    }
}
