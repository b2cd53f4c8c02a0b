//! Shared by the integration tests: the default model, loaded once per test binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use tokenscope::engine::Session;
use tokenscope::model::{self, DeviceChoice, Precision};

/// The default model installed by `scripts/bootstrap` (which `scripts/test` runs first).
pub fn model_path() -> PathBuf {
    let p = tokenscope::cli::default_model_path();
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
                &mut |_, _| {},
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
