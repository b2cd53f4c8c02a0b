//! The inside-the-model view of the playground (`I` / F7) with the REAL default model
//! (SmolLM2-135M-Instruct, exact float32, one libtorch thread) answering the headless app the
//! way the engine worker does (`common::RealWorker`): key scripts that cycle the view and move
//! the cursor, the numbers it shows checked against the next-token pane and against the rules
//! (attention rows sum to 1, nothing to the right of the position), and whole-screen snapshots
//! of each view in English and Brazilian Portuguese.
//!
//! Create or update the snapshots with `INSTA_UPDATE=always cargo test --test inside_view`.

mod common;

use common::keys::{ch, press};
use common::{HarnessExt, RealWorker};
use crossterm::event::KeyCode;
use tokenscope::app::Harness;
use tokenscope::engine::inside::{InsideReport, Inspect};
use tokenscope::engine::{Reply, Request};
use tokenscope::i18n::Lang;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::inside::{self, Outcome};
use tokenscope::state::{Effect, InsideView, Mode, Options, State};

const PROMPT: &str = "The capital of France is";

/// The prompt typed (the model answering), then Esc: Explore mode, live cursor.
fn explore(worker: &RealWorker, lang: Lang, prompt: &str) -> Harness {
    let mut h = Harness::new(State::new(
        lang,
        SamplingParams::default(),
        false,
        Options::default(),
    ));
    worker.load(&mut h);
    for c in prompt.chars() {
        h.key(ch(c));
    }
    assert_eq!(worker.answer(&mut h), 1);
    h.key(press(KeyCode::Esc));
    assert_eq!(h.state.mode, Mode::Explore);
    h
}

/// Presses `I` until the view is `view`, answering what it asks.
fn show(h: &mut Harness, worker: &RealWorker, view: InsideView) {
    for _ in 0..4 {
        if h.state.inside.view == view {
            break;
        }
        h.key(ch('I'));
        worker.answer(h);
    }
    assert_eq!(h.state.inside.view, view);
}

/// What the view shows now (computed).
fn report(h: &Harness) -> InsideReport {
    let key = inside::wanted(&h.state).expect("a position to explain");
    match h.state.inside.get(&key) {
        Some(Outcome::Done(c)) => c.report.as_ref().clone(),
        other => panic!("not computed: {other:?}"),
    }
}

fn inspect_requests(h: &Harness) -> usize {
    h.effects
        .iter()
        .filter(|e| matches!(e, Effect::Evaluate(Request::Inspect { .. })))
        .count()
}

#[test]
fn i_and_f7_cycle_the_view_and_moving_the_cursor_back_and_forth_reuses_what_was_computed() {
    let worker = RealWorker::new();
    let mut h = explore(&worker, Lang::En, PROMPT);
    assert_eq!(h.state.inside.view, InsideView::Off);
    h.key(ch('I'));
    assert_eq!(h.state.inside.view, InsideView::Embedding);
    let Some(Request::Inspect { ids, what, .. }) = h.last_request().cloned() else {
        panic!("the view asks the worker");
    };
    // The position the next-token pane explains: the whole prompt when live.
    assert_eq!(ids.len(), 5);
    assert_eq!(what, Inspect::Embedding);
    assert_eq!(worker.answer(&mut h), 1);
    h.key(press(KeyCode::F(7)));
    assert_eq!(h.state.inside.view, InsideView::Lens);
    worker.answer(&mut h);
    h.key(ch('I'));
    assert_eq!(h.state.inside.view, InsideView::Attention);
    worker.answer(&mut h);
    // Back two positions (one view asked at a time: the second waits for the first), one
    // more, then forward and back again: nothing new.
    h.key(press(KeyCode::Left));
    h.key(press(KeyCode::Left));
    assert_eq!(worker.answer(&mut h), 2);
    h.key(press(KeyCode::Left));
    assert_eq!(worker.answer(&mut h), 1);
    let asked = inspect_requests(&h);
    h.key(press(KeyCode::Right));
    h.key(press(KeyCode::Right));
    h.key(press(KeyCode::Left));
    assert_eq!(worker.answer(&mut h), 0);
    assert_eq!(inspect_requests(&h), asked, "cached per ids prefix");
    h.key(ch('I'));
    assert_eq!(h.state.inside.view, InsideView::Off);
}

#[test]
fn the_lens_last_row_is_the_next_token_pane_and_the_recomputed_one_matches_it() {
    let worker = RealWorker::new();
    let mut h = explore(&worker, Lang::En, PROMPT);
    show(&mut h, &worker, InsideView::Lens);
    let InsideReport::Lens(lens) = report(&h) else {
        panic!("a lens");
    };
    assert!(lens.last_from_session);
    assert_eq!(lens.layers.len(), 30);
    let dist = h.state.distribution().expect("the next-token pane");
    for (&(id, p), c) in lens.layers.last().unwrap().iter().zip(&dist.candidates) {
        assert_eq!(id, c.id);
        assert!((p - c.prob).abs() < 1e-9, "{p} vs {}", c.prob);
    }
    // Recomputed from an empty cache, the lens's last layer is the same distribution.
    let Some(Request::Inspect { ids, .. }) = h.last_request().cloned() else {
        panic!("a lens request");
    };
    worker.evaluate(&Request::Evaluate {
        id: 9000,
        prompt: String::new(),
        chat: false,
        continuation: Vec::new(),
        source: None,
    });
    let Some(Reply::Inside { inside, .. }) = worker.evaluate(&Request::Inspect {
        id: 9001,
        ids,
        what: Inspect::Lens,
    }) else {
        panic!("a lens reply");
    };
    let InsideReport::Lens(fresh) = inside.report.as_ref() else {
        panic!("a lens");
    };
    assert!(!fresh.last_from_session);
    for (a, b) in fresh
        .layers
        .last()
        .unwrap()
        .iter()
        .zip(lens.layers.last().unwrap())
    {
        assert_eq!(a.0, b.0);
        assert!((a.1 - b.1).abs() < 1e-4, "{a:?} vs {b:?}");
    }
    // Every layer: the playground's lens (the one position run again on a copy of the KV
    // cache) is the lens of the whole sequence run from an empty cache.
    for (layer, (x, y)) in fresh.layers.iter().zip(&lens.layers).enumerate() {
        for (a, b) in x.iter().zip(y) {
            assert_eq!(a.0, b.0, "layer {}", layer + 1);
            assert!(
                (a.1 - b.1).abs() < 1e-4,
                "layer {}: {a:?} vs {b:?}",
                layer + 1
            );
        }
    }
}

#[test]
fn attention_rows_sum_to_one_and_nothing_right_of_the_position_is_seen() {
    let worker = RealWorker::new();
    let mut h = explore(&worker, Lang::En, PROMPT);
    show(&mut h, &worker, InsideView::Attention);
    // The cursor on the 4th token: the pane explains the 3rd position (what predicted it).
    for _ in 0..2 {
        h.key(press(KeyCode::Left));
        worker.answer(&mut h);
    }
    let InsideReport::Attention(a) = report(&h) else {
        panic!("attention");
    };
    assert_eq!(a.keys, 3, "positions 0..=2 only: the causal mask");
    assert_eq!(a.weights.len(), a.layers * a.heads * a.keys);
    for row in a.weights.chunks(a.keys) {
        let sum: f32 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "{sum}");
    }
    // The playground's attention (the one position again on a copy of the KV cache) is the
    // attention of the prefix run from an empty cache.
    let ids: Vec<u32> = inside::wanted(&h.state).expect("a position").0;
    worker.evaluate(&Request::Evaluate {
        id: 9000,
        prompt: String::new(),
        chat: false,
        continuation: Vec::new(),
        source: None,
    });
    let Some(Reply::Inside { inside: fresh, .. }) = worker.evaluate(&Request::Inspect {
        id: 9001,
        ids,
        what: Inspect::Attention,
    }) else {
        panic!("an attention reply");
    };
    let InsideReport::Attention(fresh) = fresh.report.as_ref() else {
        panic!("attention");
    };
    assert_eq!(
        (fresh.layers, fresh.heads, fresh.keys),
        (a.layers, a.heads, a.keys)
    );
    for (x, y) in fresh.weights.iter().zip(&a.weights) {
        assert!((x - y).abs() < 1e-5, "{x} vs {y}");
    }
    // The two tokens to the right are drawn masked.
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("░░░░░░░ ░░░"), "{screen}");
    // Layer and head keys.
    let asked = inspect_requests(&h);
    assert_eq!(inside::layer(&h.state, a.layers), 29);
    h.key(ch('('));
    assert_eq!(inside::layer(&h.state, a.layers), 28);
    h.key(ch(')'));
    h.key(ch(')'));
    assert_eq!(
        inside::layer(&h.state, a.layers),
        29,
        "no layer after the last"
    );
    h.key(ch('h'));
    assert_eq!(h.state.inside.head, Some(0));
    h.key(ch('H'));
    h.key(ch('H'));
    assert_eq!(h.state.inside.head, Some(a.heads - 1));
    assert_eq!(
        inspect_requests(&h),
        asked,
        "layers and heads are not asked again"
    );
}

#[test]
fn a_typed_word_shows_its_first_token_and_says_when_it_is_several() {
    let worker = RealWorker::new();
    let mut h = explore(&worker, Lang::PtBr, PROMPT);
    show(&mut h, &worker, InsideView::Embedding);
    h.key(ch('f'));
    for c in " gatinho".chars() {
        h.key(ch(c));
    }
    assert_eq!(h.state.inside.field.as_deref(), Some(" gatinho"));
    assert_eq!(
        h.state.editor.text(),
        PROMPT,
        "the prompt is not typed into"
    );
    h.key(press(KeyCode::Enter));
    assert_eq!(worker.answer(&mut h), 1);
    let InsideReport::Embedding(e) = report(&h) else {
        panic!("an embedding");
    };
    assert!(e.word_tokens.unwrap() > 1, "{e:?}");
    assert_eq!(e.neighbours.len(), 20);
    let screen = h.render(100, 30).to_string();
    assert!(
        screen.contains("«·gatinho»: 3 tokens, mostra-se o"),
        "{screen}"
    );
    // An empty field goes back to the selected token.
    h.key(ch('f'));
    h.key(press(KeyCode::Enter));
    assert!(h.state.inside.word.is_none());
}

fn snapshot(view: InsideView, lang: Lang, w: u16, hgt: u16) -> String {
    let worker = RealWorker::new();
    let mut h = explore(&worker, lang, PROMPT);
    show(&mut h, &worker, view);
    h.render(w, hgt).to_string()
}

#[test]
fn embedding_en_100x30() {
    insta::assert_snapshot!(snapshot(InsideView::Embedding, Lang::En, 100, 30));
}

#[test]
fn embedding_pt_br_80x24() {
    insta::assert_snapshot!(snapshot(InsideView::Embedding, Lang::PtBr, 80, 24));
}

#[test]
fn lens_en_160x48() {
    insta::assert_snapshot!(snapshot(InsideView::Lens, Lang::En, 160, 48));
}

#[test]
fn lens_pt_br_80x24() {
    insta::assert_snapshot!(snapshot(InsideView::Lens, Lang::PtBr, 80, 24));
}

#[test]
fn attention_en_100x30() {
    insta::assert_snapshot!(snapshot(InsideView::Attention, Lang::En, 100, 30));
}

#[test]
fn attention_pt_br_80x24() {
    insta::assert_snapshot!(snapshot(InsideView::Attention, Lang::PtBr, 80, 24));
}

/// Timings of the three views on the default model (release: `cargo test --release --test
/// inside_view -- --ignored --nocapture timings`); prints milliseconds, asserts nothing about
/// speed (machines differ).
#[test]
#[ignore]
fn timings() {
    let mut s = common::session();
    let text = "The cat climbed onto the roof because it wanted to see the birds that were \
                singing in the old oak tree beside the house where the children played every \
                summer afternoon until the sun went down behind the hills and the lights came on";
    let all = s.prompt_ids(text, false).expect("tokenize");
    for n in [20, 64] {
        let ids = &all[..n.min(all.len())];
        // For comparison: the plain forward pass over the same ids from an empty cache.
        s.evaluate(&[]).expect("emptying the cache");
        let t = std::time::Instant::now();
        s.evaluate(ids).expect("evaluate");
        println!(
            "{n:>3} tokens  forward pass from an empty cache: {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        for what in [Inspect::Lens, Inspect::Attention, Inspect::Embedding] {
            let times: Vec<f64> = (0..3)
                .map(|_| {
                    let t = std::time::Instant::now();
                    tokenscope::engine::inside::compute(&mut s, ids, &what).expect("compute");
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            let best = times.iter().copied().fold(f64::MAX, f64::min);
            println!(
                "{n:>3} tokens  {what:?}: {best:.1} ms (best of 3; first {:.1} ms)",
                times[0]
            );
        }
    }
}

/// The playground's fast neighbours (the LM head's kernel, cached row norms, exact re-scoring)
/// are the CLI's full float64 scan: same ids in the same order, same cosines.
#[test]
fn fast_neighbours_are_the_full_scan() {
    use tokenscope::model::neighbours;
    let s = common::session();
    let decoder = s.model.decoder.as_ref();
    let norms = neighbours::row_norms(decoder).expect("norms");
    for id in [260u32, 314, 7042, 1000, 40000] {
        let row = neighbours::token_embedding(decoder, id).expect("row");
        let full = neighbours::nearest(decoder, &row.vector, 20, Some(id)).expect("scan");
        let fast = neighbours::nearest_tied(decoder, &row.vector, 20, Some(id), &norms)
            .expect("SmolLM2 is tied")
            .expect("fast");
        assert_eq!(
            fast.iter().map(|n| n.id).collect::<Vec<_>>(),
            full.iter().map(|n| n.id).collect::<Vec<_>>(),
            "token {id}"
        );
        for (a, b) in fast.iter().zip(&full) {
            assert!((a.cosine - b.cosine).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }
}

/// The engine computes the row norms while idle, a chunk per call; the neighbours it then gives
/// are the full float64 scan's (a wrong or partial norm would move them).
#[test]
fn norms_computed_while_idle_give_the_full_scan() {
    use tokenscope::engine::inside::{Inside, InsideReport, Inspect};
    use tokenscope::engine::{Backend, Request, Session};
    use tokenscope::model::{self, DeviceChoice, Precision, neighbours};
    let m = model::load(
        &common::model_path(),
        DeviceChoice::Cpu,
        Precision::Exact,
        &mut |_| {},
    )
    .expect("the default model");
    let mut s = Session::new(m);
    let mut calls = 0;
    while s.idle() {
        calls += 1;
        assert!(calls < 100, "idle work ends");
    }
    assert_eq!(
        calls,
        49_152usize.div_ceil(8192),
        "one chunk of rows per call"
    );
    assert!(!s.idle(), "nothing more to do");
    let ids = s.model.tokenizer.encode(" cat").expect("tokens");
    let request = Request::Inspect {
        id: 7,
        ids: ids.clone(),
        what: Inspect::Embedding,
    };
    let Some(Reply::Inside {
        inside: Inside { report, .. },
        ..
    }) = s.serve(&request)
    else {
        panic!("an inside reply");
    };
    let InsideReport::Embedding(e) = report.as_ref() else {
        panic!("{report:?}");
    };
    let decoder = s.model.decoder.as_ref();
    let last = *ids.last().expect("a token");
    let full =
        neighbours::nearest(decoder, &e.vector, e.neighbours.len(), Some(last)).expect("scan");
    assert_eq!(
        e.neighbours.iter().map(|n| n.id).collect::<Vec<_>>(),
        full.iter().map(|n| n.id).collect::<Vec<_>>()
    );
    for (a, b) in e.neighbours.iter().zip(&full) {
        assert!((a.cosine - b.cosine).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

/// An encoder answers the inside view with the typed "needs a decoder" failure, and the pane
/// says the view is not available for this model (and asks no more).
#[test]
fn an_encoder_answers_not_available_and_the_pane_says_so() {
    use tokenscope::engine::Backend;
    use tokenscope::engine::encoder_session::EncoderSession;
    use tokenscope::model::{ModelError, bert};
    let m = tokenscope::registry::find("bert-tiny").expect("a known name");
    if !m.installed() {
        eprintln!(
            "skipped: bert-tiny is not installed ({})",
            m.install_command()
        );
        return;
    }
    let mut encoder = EncoderSession::new(bert::load(&m.path()).expect("bert-tiny"));
    let worker = RealWorker::new();
    let mut h = explore(&worker, Lang::En, PROMPT);
    h.key(ch('I'));
    let request = h.last_request().cloned().expect("the view asks");
    let reply = encoder.serve(&request).expect("an answer");
    let Reply::Failed { error, .. } = &reply else {
        panic!("{reply:?}");
    };
    assert!(matches!(error.as_ref(), ModelError::InsideNeedsDecoder));
    h.reply(reply);
    assert!(h.state.inside.unavailable);
    let asked = inspect_requests(&h);
    h.key(press(KeyCode::Left));
    assert_eq!(inspect_requests(&h), asked);
    let screen = h.render(100, 30).to_string();
    assert!(screen.contains("Not available for this model"), "{screen}");
}
