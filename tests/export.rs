//! F9's export with the REAL default model (SmolLM2-135M-Instruct, exact float32, one libtorch
//! thread; see `tests/screens_real.rs`): the JSON read back gives the numbers the state holds,
//! and replaying it (its prompt, continuation ids and settings through the model again) gives
//! them too; the CSV parses back to the same probabilities, its tokens intact; the Markdown in
//! both languages; the screenshot is the screen drawn; a second export never overwrites the
//! first; an unwritable directory is a status line, not a crash.

mod common;

use std::path::{Path, PathBuf};

use common::keys::{ROLL_PROMPT, ch, press, sampling};
use common::{HarnessExt, RealWorker};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::engine::{Reply, Request};
use tokenscope::export::{self, Snapshot};
use tokenscope::i18n::{Lang, Text};
use tokenscope::sampling::{Distribution, SamplingParams};
use tokenscope::state::{Effect, Mode, Options, State};

/// The app with the model loaded, exporting into `dir`.
fn started(worker: &RealWorker, lang: Lang, dir: &Path) -> Harness {
    let options = Options {
        export_dir: dir.to_path_buf(),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, sampling(), false, options));
    worker.load(&mut h);
    h
}

/// `prompt` typed, Esc, then `steps` dice rolls.
fn rolled(worker: &RealWorker, lang: Lang, dir: &Path, prompt: &str, steps: usize) -> Harness {
    let mut h = started(worker, lang, dir);
    for c in prompt.chars() {
        h.key(ch(c));
    }
    worker.answer(&mut h);
    h.key(press(KeyCode::Esc));
    assert_eq!(h.state.mode, Mode::Explore);
    for _ in 0..steps {
        h.key(ch(' '));
        worker.answer(&mut h);
    }
    assert_eq!(h.state.tree.depth(), steps);
    h
}

/// Presses F9, writes the files as the event loop does, and returns them (md, json, csv, txt).
fn export_now(h: &mut Harness) -> Vec<PathBuf> {
    let effects = h.key(press(KeyCode::F(9)));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Export { .. })),
        "F9 asks for an export"
    );
    assert_eq!(h.perform_files(), 1);
    let notice = h.state.notice.clone().expect("a notice names the files");
    assert_eq!(notice.text, Text::NoticeExported, "{notice:?}");
    let arg = notice.arg.expect("the files are named");
    let stem = arg
        .strip_suffix(".{md,json,csv,txt}")
        .unwrap_or_else(|| panic!("{arg}"));
    assert!(stem.starts_with(&*h.state.files.export_dir.to_string_lossy()));
    let out: Vec<PathBuf> = ["md", "json", "csv", "txt"]
        .iter()
        .map(|e| PathBuf::from(format!("{stem}.{e}")))
        .collect();
    for f in &out {
        assert!(f.exists(), "{} written", f.display());
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Equal to the last bit, or off by one unit in the last place (serde_json's default float
/// parser is not always correctly rounded).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.to_bits() as i64 - b.to_bits() as i64).abs() <= 1
}

#[test]
fn json_export_reads_back_the_numbers_of_the_state_and_replays() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), ROLL_PROMPT, 3);
    // A second sampler column: every column's numbers and settings are exported.
    h.key(ch('A'));
    h.render(100, 30);
    let files = export_now(&mut h);
    let text = read(&files[1]);
    let snap: Snapshot = export::json::parse(&text).expect("the export reads back");
    let s = &h.state;

    assert_eq!(snap.version, export::EXPORT_VERSION);
    assert_eq!(snap.model, s.model_info().expect("loaded").name);
    assert_eq!(snap.prompt, ROLL_PROMPT);
    let eval = s.eval.as_ref().expect("evaluated");
    let prompt_ids: Vec<u32> = eval.positions[..eval.prompt_len]
        .iter()
        .map(|p| p.token.id)
        .collect();
    assert_eq!(snap.prompt_ids, prompt_ids);
    assert_eq!(snap.continuation_ids, s.tree.tokens());
    assert_eq!(snap.continuation_ids.len(), 3);
    let columns = s.lab.columns(&s.params);
    assert_eq!(columns.len(), 2);
    let settings: Vec<SamplingParams> = snap
        .samplers
        .iter()
        .map(|c| c.params().expect("a known order"))
        .collect();
    assert_eq!(settings, columns);
    assert_eq!(snap.selected_sampler, 1);
    assert_eq!(snap.seed, s.params.seed);
    assert!(!text.to_lowercase().contains("key"), "no key of any kind");

    let view = s.view.as_ref().expect("a view");
    let dist = snap.distribution.as_ref().expect("the distribution");
    assert_eq!(dist.rows.len(), export::EXPORT_ROWS);
    assert_eq!(dist.position, view.index);
    for (col, d) in view.columns.iter().enumerate() {
        assert_eq!(dist.kept[col], d.kept);
        assert!(same(dist.entropy_adjusted[col], d.entropy_final));
    }
    for row in &dist.rows {
        let c = &view.dist.as_ref().expect("dist").candidates[row.rank - 1];
        assert_eq!(row.id, c.id);
        assert_eq!(row.logit, c.logit);
        assert!(
            same(row.model_prob, c.prob),
            "{} vs {}",
            row.model_prob,
            c.prob
        );
        for (col, d) in view.columns.iter().enumerate() {
            let p = d.candidates[row.rank - 1].final_prob;
            assert!(same(row.adjusted[col], p), "rank {} col {col}", row.rank);
        }
        let cum: f64 = view.dist.as_ref().expect("dist").candidates[..row.rank]
            .iter()
            .map(|c| c.top_k_prob)
            .sum();
        assert!(same(row.cumulative, cum));
    }

    // Replay: the export's prompt, ids and settings through the model again.
    let request = Request::Evaluate {
        id: 1,
        prompt: snap.prompt.clone(),
        chat: snap.chat,
        continuation: snap.continuation_ids.clone(),
        source: None,
    };
    let Some(Reply::Evaluated {
        prompt_len,
        positions,
        ..
    }) = worker.evaluate(&request)
    else {
        panic!("the replay is evaluated");
    };
    let ids: Vec<u32> = positions[..prompt_len].iter().map(|p| p.token.id).collect();
    assert_eq!(
        ids, snap.prompt_ids,
        "the prompt tokenizes to the exported ids"
    );
    let logits = &positions.last().expect("positions").logits;
    for (col, params) in settings.iter().enumerate() {
        let replayed = Distribution::new(logits, params);
        for row in &dist.rows {
            let c = &replayed.candidates[row.rank - 1];
            assert_eq!(c.id, row.id);
            assert!(
                same(c.final_prob, row.adjusted[col]),
                "replayed rank {}",
                row.rank
            );
        }
    }
}

/// One CSV record per line is not enough (a token can hold a newline): a small RFC 4180 reader.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "ends with a record"
    );
    rows
}

#[test]
fn csv_parses_back_to_the_same_probabilities_and_tokens() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    // After `He said` the top candidates hold commas, quotes and leading spaces.
    let mut h = rolled(&worker, Lang::PtBr, dir.path(), "He said", 0);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let rows = parse_csv(&read(&files[2]));
    assert_eq!(
        rows[0],
        [
            "rank",
            "id",
            "token",
            "model_prob",
            "adjusted_prob_1",
            "cumulative"
        ]
    );
    let dist = h.state.distribution().expect("a distribution");
    let listed = &snap.distribution.as_ref().expect("rows").rows;
    assert_eq!(rows.len() - 1, listed.len());
    let mut special = 0;
    for (r, row) in rows[1..].iter().zip(listed) {
        let c = &dist.candidates[row.rank - 1];
        assert_eq!(r[0], row.rank.to_string());
        assert_eq!(r[1].parse::<u32>().expect("id"), c.id);
        let token = &h.state.token_view(c.id).text;
        assert_eq!(&r[2], token, "the token survives quoting");
        special += usize::from(token.contains([',', '"', ' ', '\n']));
        // Shortest round-trip text: exactly the f64 the state holds.
        assert_eq!(r[3].parse::<f64>().expect("p"), c.prob);
        assert_eq!(r[4].parse::<f64>().expect("p"), c.final_prob);
        let cum: f64 = dist.candidates[..row.rank]
            .iter()
            .map(|c| c.top_k_prob)
            .sum();
        assert_eq!(r[5].parse::<f64>().expect("cum"), cum);
    }
    assert!(
        special >= 3,
        "tokens with commas, quotes or spaces are in the file"
    );
    let first = rows[1..]
        .iter()
        .find(|r| r[2].contains(['"', ',']))
        .expect("a comma or quote");
    assert!(!first[2].is_empty());
}

#[test]
fn markdown_in_both_languages() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), ROLL_PROMPT, 3);
    let en = read(&export_now(&mut h)[0]);
    h.key(press(KeyCode::F(2)));
    assert_eq!(h.state.lang, Lang::PtBr);
    let pt = read(&export_now(&mut h)[0]);
    assert!(
        en.contains("| # | token | model | Σ top-p | after settings |"),
        "{en}"
    );
    assert!(pt.contains("Tokens do prompt"), "{pt}");
    // pt-BR writes decimal commas: the same table, other separators.
    let percents = |md: &str, sep: char| {
        md.lines()
            .filter(|l| l.starts_with("| 1 |"))
            .flat_map(|l| {
                l.split('|')
                    .map(str::trim)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|c| c.ends_with('%') && c.contains(sep))
            .count()
    };
    assert!(percents(&en, '.') >= 3 && percents(&pt, ',') >= 3);
    insta::assert_snapshot!("markdown_en", en);
    insta::assert_snapshot!("markdown_pt_br", pt);
}

#[test]
fn screenshot_is_the_screen_drawn() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), ROLL_PROMPT, 1);
    let backend = h.render(100, 30);
    let files = export_now(&mut h);
    let shot = read(&files[3]);
    let expected: String = backend
        .to_string()
        .lines()
        .map(|l| format!("{}\n", l.trim_matches('"').trim_end()))
        .collect();
    assert_eq!(shot, expected);
    assert_eq!(shot.lines().count(), 30);
    assert!(shot.contains("Water boils"));
}

#[test]
fn a_second_export_never_overwrites_the_first() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), ROLL_PROMPT, 0);
    let first = export_now(&mut h);
    let before = read(&first[1]);
    h.key(ch(' '));
    worker.answer(&mut h);
    let second = export_now(&mut h);
    assert_ne!(first, second);
    assert_eq!(read(&first[1]), before, "the first export is untouched");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 8);
}

#[test]
fn an_unwritable_export_dir_is_a_status_line_in_both_languages() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").expect("write");
    let target = blocker.join("exports");
    for lang in [Lang::En, Lang::PtBr] {
        let mut h = rolled(&worker, lang, &target, "Hi", 0);
        h.key(press(KeyCode::F(9)));
        assert_eq!(h.perform_files(), 1);
        let notice = h.state.notice.clone().expect("a notice");
        assert_eq!(notice.text, Text::NoticeExportFailed);
        let arg = notice.arg.expect("why");
        assert!(arg.contains(&*target.to_string_lossy()), "{arg}");
        let line = h.render(100, 30).to_string();
        let words = match lang {
            Lang::En => "Export failed",
            Lang::PtBr => "A exportação falhou",
        };
        assert!(line.contains(words), "{line}");
    }
}

#[test]
fn f9_works_in_edit_mode_and_over_the_branch_tree() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), ROLL_PROMPT, 2);
    h.key(ch('u'));
    h.key(ch('2'));
    worker.answer(&mut h);
    h.key(ch('b'));
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let branches = snap.branches.expect("the branch tree is on screen");
    assert_eq!(branches.branches.len(), 2);
    assert_eq!(branches.branches.iter().filter(|b| b.current).count(), 1);
    assert!(read(&files[0]).contains("## Branches"));
    h.key(press(KeyCode::Esc));
    h.key(ch('i'));
    assert_eq!(h.state.mode, Mode::Edit);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    assert!(snap.branches.is_none());
    assert_eq!(h.state.editor.text(), ROLL_PROMPT, "F9 types nothing");
}

#[test]
fn f9_and_ctrl_s_reach_their_actions_in_every_context() {
    use tokenscope::action::Action;
    use tokenscope::keymap::{Context, resolve};
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    for ctx in [
        Context::Edit,
        Context::Explore,
        Context::Help,
        Context::Branches,
        Context::Picker,
    ] {
        assert_eq!(
            resolve(ctx, &press(KeyCode::F(9))),
            Some(Action::Export),
            "{ctx:?}"
        );
        assert_eq!(resolve(ctx, &ctrl_s), Some(Action::SaveSession), "{ctx:?}");
    }
    assert_eq!(
        resolve(Context::Explore, &ch('S')),
        Some(Action::SaveSession)
    );
    assert_eq!(
        resolve(Context::Edit, &ch('S')),
        Some(Action::InsertChar('S'))
    );
}

#[test]
fn the_word_view_is_exported_when_on() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(
        &worker,
        Lang::PtBr,
        dir.path(),
        "Eu pedi para minha mãe comprar",
        0,
    );
    let files = export_now(&mut h);
    assert!(
        export::json::parse(&read(&files[1]))
            .expect("json")
            .words
            .is_none()
    );
    h.key(ch('w'));
    assert!(
        worker.answer(&mut h) >= export::EXPORT_ROWS,
        "words for the listed rows"
    );
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let words = snap.words.expect("the word view is on screen");
    assert_eq!(words.rows.len(), export::EXPORT_ROWS);
    let base = tokenscope::state::words::base(&h.state).expect("a base");
    for row in &words.rows {
        let w = h.state.words.get(&base, row.id).expect("known");
        assert_eq!(
            (&row.word, &row.ids, row.complete),
            (&w.text, &w.ids, w.complete)
        );
        assert!(same(row.prob, w.prob));
    }
    let md = read(&files[0]);
    assert!(md.contains("## Palavras"), "{md}");
    assert!(
        words.rows.iter().any(|r| r.ids.len() > 1),
        "some words take more tokens"
    );
}

#[test]
fn the_roll_many_view_is_exported_when_shown() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), ROLL_PROMPT, 0);
    h.key(ch('n'));
    assert!(h.state.lab.rolls_shown);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let rolls = snap.rolls.expect("the roll-many view is on screen");
    let state = h
        .state
        .view
        .as_ref()
        .and_then(|v| v.rolls.as_ref())
        .expect("rolls");
    assert_eq!(
        (rolls.n, rolls.seed, rolls.distinct),
        (state.n, state.seed, state.distinct())
    );
    assert_eq!(rolls.rows.iter().map(|r| r.count).sum::<usize>(), state.n);
    for r in &rolls.rows {
        assert_eq!(r.count, state.count_of(r.id));
    }
    assert!(
        read(&files[0]).contains("1\u{202f}000 rolls"),
        "the Markdown says it"
    );
}

/// Presses `I` until the inside view is `view`, answering what it asks.
fn show_inside(h: &mut Harness, worker: &RealWorker, view: tokenscope::state::inside::InsideView) {
    for _ in 0..4 {
        if h.state.inside.view == view {
            break;
        }
        h.key(ch('I'));
        worker.answer(h);
    }
    assert_eq!(h.state.inside.view, view);
}

#[test]
fn the_inside_views_are_exported_with_the_numbers_they_show() {
    use tokenscope::state::inside::InsideView;
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = rolled(&worker, Lang::En, dir.path(), "The capital of France is", 0);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    assert!(snap.inside.is_none(), "no inside view on screen");

    // Embedding: the token's row, its neighbours in order with their cosines.
    show_inside(&mut h, &worker, InsideView::Embedding);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let inside = snap.inside.expect("the embedding view is on screen");
    assert_eq!(inside.view, "embedding");
    assert_eq!(
        inside.ids, snap.prompt_ids,
        "the last prompt token is explained"
    );
    let e = inside.embedding.expect("embedding numbers");
    assert_eq!(e.text, " is");
    assert_eq!(e.vector.len(), 576);
    assert!(e.tied, "SmolLM2 ties its embeddings to the output layer");
    let norm = e
        .vector
        .iter()
        .map(|&v| f64::from(v).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!((norm - e.norm).abs() < 1e-4, "{norm} vs {}", e.norm);
    assert!(e.neighbours.len() >= 10);
    assert!(e.neighbours.windows(2).all(|w| w[0].value >= w[1].value));
    let md = read(&files[0]);
    assert!(md.contains("## Inside · embedding"), "{md}");
    assert!(md.contains(&format!(
        "`{}`",
        tokenscope::pieces::visible(&e.neighbours[0].text)
    )));

    // Lens: every layer, the last one the next-token pane's own distribution.
    show_inside(&mut h, &worker, InsideView::Lens);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let lens = snap
        .inside
        .and_then(|i| i.lens)
        .expect("the lens is on screen");
    assert_eq!(lens.layers.len(), 30);
    assert_eq!(lens.vocab, 49_152);
    let last = &lens.layers.last().expect("layers").candidates;
    let dist = snap.distribution.expect("the next-token pane");
    for (c, row) in last.iter().zip(&dist.rows) {
        assert_eq!(c.id, row.id);
        assert!((c.value - row.model_prob).abs() < 1e-6, "{c:?} vs {row:?}");
    }
    assert_eq!(last[0].text, " Paris");
    let settled = lens.settled_from.expect("the answer settles");
    assert!(
        lens.layers[settled - 1..]
            .iter()
            .all(|l| l.candidates[0].id == last[0].id)
    );
    if settled > 1 {
        assert_ne!(lens.layers[settled - 2].candidates[0].id, last[0].id);
    }
    let md = read(&files[0]);
    assert!(md.contains("## Inside · logit lens"), "{md}");
    assert!(md.contains("| 30 ◀ (= next-token pane) |"), "{md}");

    // Attention, in Portuguese: the last layer's mean over heads, summing to 1.
    show_inside(&mut h, &worker, InsideView::Attention);
    h.key(ch('l'));
    assert_eq!(h.state.lang, Lang::PtBr);
    let files = export_now(&mut h);
    let snap = export::json::parse(&read(&files[1])).expect("json");
    let a = snap
        .inside
        .and_then(|i| i.attention)
        .expect("attention on screen");
    assert_eq!((a.layer, a.layers, a.head), (30, 30, None));
    assert_eq!(a.weights.len(), snap.prompt_ids.len());
    let sum: f64 = a.weights.iter().map(|w| w.value).sum();
    assert!((sum - 1.0).abs() < 1e-5, "{sum}");
    assert_eq!(a.all_layers.len(), 30);
    for (w, &v) in a.weights.iter().zip(a.all_layers.last().expect("layers")) {
        assert_eq!(w.value, f64::from(v));
    }
    let md = read(&files[0]);
    assert!(md.contains("| posição | token | atenção |"), "{md}");
}
