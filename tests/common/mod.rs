//! Shared by the integration tests: the default model, loaded once per test binary; the fake
//! model; drawing the headless app into a `TestBackend`.

#![allow(dead_code)]

pub mod fake;
pub mod keys;
pub mod llama_server;

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use tokenscope::engine::Session;
use tokenscope::model::{self, DeviceChoice, Precision};

/// The default model installed by `scripts/bootstrap` (which `scripts/test` runs first).
pub fn model_path() -> PathBuf {
    let p = tokenscope::registry::default_model_path();
    assert!(
        p.exists(),
        "the default model is missing at {}: run scripts/test (or scripts/bootstrap) first",
        p.display()
    );
    p
}

/// One exact-precision session over the default model, shared by the tests of a binary.
pub fn session() -> std::sync::MutexGuard<'static, Session> {
    static SESSION: OnceLock<Mutex<Session>> = OnceLock::new();
    SESSION
        .get_or_init(|| {
            let m = model::load(
                &model_path(),
                DeviceChoice::Cpu,
                Precision::Exact,
                &mut |_| {},
            )
            .expect("loading the default model");
            Mutex::new(Session::new(m))
        })
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

pub fn fixture(path: &str) -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).expect("fixture JSON")
}

pub fn ids(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .expect("id array")
        .iter()
        .map(|x| x.as_u64().expect("id") as u32)
        .collect()
}

/// log-softmax in f64.
pub fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let lse = logits
        .iter()
        .map(|&l| (l as f64 - max).exp())
        .sum::<f64>()
        .ln()
        + max;
    logits.iter().map(|&l| l as f64 - lse).collect()
}

// ── the real model answering the headless app ──────────────────────────────────────────────

use std::cell::RefCell;
use std::time::Duration;

use tokenscope::app::Harness;
use tokenscope::engine::{ModelInfo, Reply, Request};

/// The `elapsed` written into every reply fed to a harness (real times differ per run).
pub const FIXED_ELAPSED: Duration = Duration::from_millis(42);

/// The load time reported in `Reply::Loaded`.
pub const FIXED_LOAD_TIME: Duration = Duration::from_millis(1500);

/// Plays the engine worker (`src/engine/worker.rs`) synchronously with the real default model:
/// holds the shared [`session`] for as long as it lives (so tests of one binary that use it run
/// one after another and the KV cache is theirs alone), starts from an empty KV cache (so the
/// `reused` counts it reports are the same on every run) and runs libtorch on one thread (so the
/// logits are the same whatever the core count). Every reply it delivers is kept in
/// `replies`.
pub struct RealWorker {
    session: RefCell<std::sync::MutexGuard<'static, Session>>,
    pub replies: RefCell<Vec<Reply>>,
}

impl RealWorker {
    pub fn new() -> RealWorker {
        // One intra-op thread: the last bits of the logits depend on how libtorch splits its
        // work, and rendered numbers near a rounding boundary must not depend on the core count.
        tch::set_num_threads(1);
        let mut s = session();
        // An empty sequence shares no prefix with anything: the cache is emptied.
        s.evaluate(&[]).expect("emptying the KV cache");
        RealWorker {
            session: RefCell::new(s),
            replies: RefCell::new(Vec::new()),
        }
    }

    /// What the worker reports once loaded (with [`FIXED_LOAD_TIME`]).
    pub fn info(&self) -> ModelInfo {
        self.session.borrow().info(FIXED_LOAD_TIME)
    }

    /// The reply the worker gives to `request` (`None` for `Shutdown`), with `elapsed` set to
    /// [`FIXED_ELAPSED`].
    pub fn evaluate(&self, request: &Request) -> Option<Reply> {
        let mut reply = self.session.borrow_mut().serve(request)?;
        if let Reply::Evaluated { elapsed, .. } = &mut reply {
            *elapsed = FIXED_ELAPSED;
        }
        self.replies.borrow_mut().push(reply.clone());
        Some(reply)
    }

    /// Answers the harness's pending requests (newest only, like the worker) until none is left;
    /// returns how many replies were delivered.
    pub fn answer(&self, h: &mut Harness) -> usize {
        h.answer_with(|r| self.evaluate(r))
    }

    /// Delivers `Reply::Loaded` and answers the request it causes.
    pub fn load(&self, h: &mut Harness) -> usize {
        h.reply(Reply::Loaded(self.info()));
        self.answer(h)
    }

    /// The newest `Reply::Evaluated` given: (prompt_len, number of positions, reused).
    pub fn last_evaluated(&self) -> Option<(usize, usize, usize)> {
        self.replies.borrow().iter().rev().find_map(|r| match r {
            Reply::Evaluated {
                prompt_len,
                positions,
                reused,
                ..
            } => Some((*prompt_len, positions.len(), *reused)),
            _ => None,
        })
    }
}

impl Default for RealWorker {
    fn default() -> Self {
        Self::new()
    }
}

// ── drawing and the fake model, for the headless app ──────────────────────────────────────

use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// What the tests add to [`Harness`]: drawing into a `TestBackend`, answering with the fake.
pub trait HarnessExt {
    /// Draws the screen at `width` × `height` (telling the state its size and layout, as the
    /// event loop does) and returns the backend, whose `Display` is the text grid.
    fn render(&mut self, width: u16, height: u16) -> TestBackend;
    /// Answers the pending requests with the fake model.
    fn answer(&mut self, model: &fake::FakeModel) -> usize;
}

impl HarnessExt for Harness {
    fn render(&mut self, width: u16, height: u16) -> TestBackend {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        self.draw(&mut terminal).expect("draw");
        terminal.backend().clone()
    }

    fn answer(&mut self, model: &fake::FakeModel) -> usize {
        self.answer_with(|r| model.evaluate(r))
    }
}
