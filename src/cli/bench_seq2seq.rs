//! `tokenscope bench --model marian-en-pt`: encoder and decoder-step latency of an
//! encoder-decoder (median and p95 over `reps` runs).

use std::time::{Duration, Instant};

use crate::cli::args::{Common, MAX_THREADS};
use crate::cli::error::CliError;
use crate::cli::load::load_error;
use crate::engine::seq2seq::Seq2SeqSession;
use crate::model::seq2seq::{self, DecoderCache};

/// A sentence of about 30 source tokens for the bundled EN→PT model (the report gives the real
/// count, end token included).
const SOURCE: &str = "The history of the printing press begins in the fifteenth century, when \
Johannes Gutenberg combined movable metal type, oil-based ink and a wooden press.";

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p95 = ((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1;
    (ms(v[v.len() / 2]), ms(v[p95]))
}

pub fn run(common: &Common, reps: usize) -> Result<(), CliError> {
    let reps = reps.max(1);
    if let Some(t) = common.threads {
        tch::set_num_threads(t.clamp(1, MAX_THREADS) as i32);
    }
    let _guard = tch::no_grad_guard();
    let path = common.model_path()?;
    let started = Instant::now();
    let loaded = seq2seq::load(&path, tch::Device::Cpu).map_err(|e| load_error(&path, e))?;
    let load = started.elapsed();
    let session = Seq2SeqSession::new(loaded);
    let source = session.source_ids(SOURCE)?;
    let model = &session.model.model;
    let mut encode = Vec::with_capacity(reps);
    let mut step = Vec::with_capacity(reps);
    let mut enc = model.encode(&source)?;
    for _ in 0..reps {
        let t = Instant::now();
        enc = model.encode(&source)?;
        encode.push(t.elapsed());
    }
    // Decoder steps at positions 1..=10 after a real prefix, from a fresh cache each rep.
    for _ in 0..reps {
        let mut cache = DecoderCache::default();
        let mut prev = None;
        for _ in 0..10 {
            let t = Instant::now();
            let out = model.decode_step(&enc, prev, &mut cache)?;
            step.push(t.elapsed());
            prev = Some(out.logits.argmax(-1, false).int64_value(&[]) as u32);
        }
    }
    let (e50, e95) = stats(encode);
    let (s50, s95) = stats(step);
    println!(
        "model\t{}\tthreads\t{}",
        session.model.name,
        tch::get_num_threads()
    );
    println!("load\t{:.1} ms", load.as_secs_f64() * 1e3);
    println!(
        "encode {} source tokens\tp50 {e50:.2} ms\tp95 {e95:.2} ms",
        source.len()
    );
    println!("decoder step (with cache)\tp50 {s50:.2} ms\tp95 {s95:.2} ms");
    Ok(())
}
