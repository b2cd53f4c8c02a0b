//! `tokenscope bench`: the latency numbers of the engine on the current machine (median and p95
//! over `reps` runs), printed as a table. Run through `scripts/bench`.

use std::time::{Duration, Instant};

use crate::cli::args::Common;
use crate::cli::error::CliError;
use crate::engine::Session;
use crate::sampling::{Distribution, Preset, SamplingParams, roll_many};

const TEXT: &str = "The history of the printing press begins in the fifteenth century, when \
Johannes Gutenberg combined movable metal type, oil-based ink and a wooden press adapted from \
those used to make wine. Before him, books were copied by hand, slowly and at great cost, so \
that a library of a few hundred volumes was a treasure. Within fifty years presses were running \
in more than two hundred cities across Europe, and millions of books had been printed. Ideas \
travelled faster than ever before: scientists could compare observations, reformers could \
spread pamphlets, and ordinary people began to read in their own languages. ";

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p95 = ((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1;
    (ms(v[v.len() / 2]), ms(v[p95]))
}

fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

fn status_mib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One line of the report: what, p50 ms, p95 ms (NaN when measured once).
type Row = (String, f64, f64);

pub fn run(
    common: &Common,
    reps: usize,
    ids_out: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let reps = reps.max(1);
    let t0 = Instant::now();
    let model = common.load()?;
    let load = t0.elapsed();
    let rss_loaded = status_mib("VmRSS:");
    let peak_loading = peak_rss_mib();
    let mut session = Session::new(model);
    let mut ids = session.prompt_ids(&TEXT.repeat(4), false)?;
    if ids.len() < 256 {
        return Err(CliError::BenchTextTooShort(ids.len()));
    }
    ids.truncate(256);

    if let Some(path) = ids_out {
        let json = serde_json::to_string(&ids).expect("ids serialise");
        std::fs::write(path, json).map_err(|e| CliError::WriteFile {
            path: path.to_path_buf(),
            source: e,
        })?;
    }
    let mut rows = vec![("load model".to_string(), ms(load), f64::NAN)];
    rows.push(first_distribution(&mut session, &ids)?);
    rows.extend(prefill(&mut session, &ids, reps)?);
    rows.push(append_one(&mut session, &ids, reps)?);
    let (decode, logits) = decode(&mut session, &ids, reps)?;
    rows.push(decode);
    rows.push(distribution_only(&logits, reps));
    rows.extend(lab_rows(&logits, reps));
    // Keystroke → redrawn screen: type one character at the end of a 64-token prompt in the
    // playground (headless: keymap, update, model, update, full 100×30 render), then delete it.
    // (Without a BOS the model adds: as text it would be typed as the characters `<bos>`.)
    let skip = usize::from(session.model.tokenizer.bos == Some(ids[0]));
    let prompt =
        String::from_utf8_lossy(&session.model.tokenizer.decode_bytes(&ids[skip..64 + skip]))
            .into_owned();
    let precision = session.model.precision;
    let name = session.model.name.clone();
    rows.push(keystroke(&mut session, &prompt, reps)?);
    print_report(&name, precision, &rows, rss_loaded, peak_loading);
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The first distribution after load (cold caches, one short prompt).
fn first_distribution(session: &mut Session, ids: &[u32]) -> Result<Row, CliError> {
    let t = Instant::now();
    let e = session.evaluate(&ids[..8])?;
    let _ = Distribution::new(
        &e.positions.last().expect("tokens").logits,
        &SamplingParams::default(),
    );
    Ok((
        "first distribution after load (8 tokens)".into(),
        ms(t.elapsed()),
        f64::NAN,
    ))
}

/// Prefill of 16, 64 and 256 tokens into an empty cache.
fn prefill(session: &mut Session, ids: &[u32], reps: usize) -> Result<Vec<Row>, CliError> {
    let mut rows = Vec::new();
    for n in [16usize, 64, 256] {
        let runs = if n == 256 {
            reps.div_ceil(4).max(3)
        } else {
            reps
        };
        let mut v = Vec::new();
        for _ in 0..runs {
            session.evaluate(&[])?;
            let t = Instant::now();
            session.evaluate(&ids[..n])?;
            v.push(t.elapsed());
        }
        let (p50, p95) = stats(v);
        rows.push((format!("prefill {n} tokens"), p50, p95));
    }
    Ok(rows)
}

/// Append one token to a cached 64-token prompt and produce the full distribution.
fn append_one(session: &mut Session, ids: &[u32], reps: usize) -> Result<Row, CliError> {
    let mut v = Vec::new();
    for _ in 0..reps {
        session.evaluate(&ids[..64])?;
        let t = Instant::now();
        let e = session.evaluate(&ids[..65])?;
        let _ = Distribution::new(
            &e.positions.last().expect("tokens").logits,
            &SamplingParams::default(),
        );
        v.push(t.elapsed());
    }
    let (p50, p95) = stats(v);
    Ok((
        "append 1 token to a cached 64-token prompt + distribution".into(),
        p50,
        p95,
    ))
}

/// Greedy decode steps after a 64-token prompt; also returns the last logits.
fn decode(
    session: &mut Session,
    ids: &[u32],
    reps: usize,
) -> Result<(Row, std::sync::Arc<[f32]>), CliError> {
    let params = SamplingParams::default();
    let mut seq = ids[..64].to_vec();
    let mut e = session.evaluate(&seq)?;
    let mut v = Vec::new();
    for _ in 0..reps.max(16) {
        let next = Distribution::new(&e.positions.last().expect("tokens").logits, &params)
            .greedy()
            .id;
        seq.push(next);
        let t = Instant::now();
        e = session.evaluate(&seq)?;
        v.push(t.elapsed());
    }
    let (p50, p95) = stats(v);
    let logits = e.positions.last().expect("tokens").logits.clone();
    Ok((("decode (per token)".into(), p50, p95), logits))
}

/// The distribution alone, from cached logits (what a sampling key costs).
fn distribution_only(logits: &[f32], reps: usize) -> Row {
    let params = SamplingParams {
        top_p: 0.9,
        top_k: 40,
        ..SamplingParams::default()
    };
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let _ = Distribution::new(logits, &params);
        v.push(t.elapsed());
    }
    let (p50, p95) = stats(v);
    (
        format!("distribution from cached logits ({} vocab)", logits.len()),
        p50,
        p95,
    )
}

/// The comparison lab's costs from cached logits: four sampler columns recomputed (what a
/// setting key costs in the lab) and 10 000 draws (roll many).
fn lab_rows(logits: &[f32], reps: usize) -> Vec<Row> {
    let base = SamplingParams::default();
    let columns: Vec<SamplingParams> = [
        Preset::Balanced,
        Preset::Creative,
        Preset::OrderHf,
        Preset::OrderLlama,
    ]
    .map(|p| p.apply(&base))
    .to_vec();
    let time = |f: &mut dyn FnMut()| {
        let v: Vec<Duration> = (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        stats(v)
    };
    let (c50, c95) = time(&mut || {
        let _ = Distribution::many(logits, &columns);
    });
    let dist = Distribution::new(logits, &columns[1]);
    let (r50, r95) = time(&mut || {
        let _ = roll_many(&dist, 10_000, 42);
    });
    vec![
        (
            "lab: 4 sampler columns from cached logits".to_string(),
            c50,
            c95,
        ),
        (
            "lab: roll 10 000 times (T 1.2 · m 0.05)".to_string(),
            r50,
            r95,
        ),
    ]
}

fn print_report(
    name: &str,
    precision: crate::model::Precision,
    rows: &[Row],
    rss_loaded: Option<f64>,
    peak_loading: Option<f64>,
) {
    println!(
        "model {name} · {} · threads {}",
        crate::i18n::Lang::En.t(crate::ui::status::precision_label(precision)),
        tch::get_num_threads()
    );
    println!("{:<60} {:>10} {:>10}", "measurement", "p50 ms", "p95 ms");
    for (name, p50, p95) in rows {
        let p95 = if p95.is_nan() {
            "-".to_string()
        } else {
            format!("{p95:.2}")
        };
        println!("{name:<60} {p50:>10.2} {p95:>10}");
    }
    for (name, v) in [
        ("RSS right after load (MiB)", rss_loaded),
        ("peak RSS during load (MiB)", peak_loading),
        ("RSS at the end (MiB)", status_mib("VmRSS:")),
        ("peak RSS (MiB)", peak_rss_mib()),
    ] {
        if let Some(v) = v {
            println!("{name:<60} {v:>10.0}");
        }
    }
}

fn keystroke(session: &mut Session, prompt: &str, reps: usize) -> Result<Row, CliError> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::Harness;
    use crate::engine::Reply;
    use crate::i18n::Lang;
    use crate::state::{Options, State};

    let options = Options {
        prompt: prompt.to_string(),
        ..Options::default()
    };
    let state = State::new(Lang::En, SamplingParams::default(), false, options);
    let mut h = Harness::new(state);
    let session = std::cell::RefCell::new(session);
    h.reply(Reply::Loaded(session.borrow().info(Duration::ZERO)));
    h.answer_with(|r| session.borrow_mut().serve(r));
    // The real terminal backend, writing its escape sequences nowhere: the measurement includes
    // the diff and the encoding of a redraw, not only the layout.
    let backend = ratatui::backend::CrosstermBackend::new(std::io::sink());
    let mut terminal = ratatui::Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 100, 30)),
        },
    )
    .map_err(CliError::Stdout)?;
    h.draw(&mut terminal).map_err(CliError::Stdout)?;
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let mut v = Vec::new();
    for r in 0..reps.max(20) {
        let c = (b'a' + (r % 26) as u8) as char;
        let t = Instant::now();
        h.key(key(KeyCode::Char(c)));
        if h.answer_with(|r| session.borrow_mut().serve(r)) == 0 {
            return Err(CliError::Playground(
                "the playground sent no request for a keystroke".into(),
            ));
        }
        h.draw(&mut terminal).map_err(CliError::Stdout)?;
        v.push(t.elapsed());
        h.key(key(KeyCode::Backspace));
        h.answer_with(|r| session.borrow_mut().serve(r));
    }
    let (p50, p95) = stats(v);
    Ok((
        "keystroke → redrawn screen (type 1 char after 64 tokens)".into(),
        p50,
        p95,
    ))
}
