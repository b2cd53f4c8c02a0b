//! Saved sessions with the REAL default model (see `tests/screens_real.rs` for why one
//! libtorch thread): Ctrl-S / `S` save, `--session FILE` loads back the same state (the tree of
//! branches and its current node, every sampler column, toggles) and the same screen; corrupt,
//! wrong-version and inconsistent files are refused naming the file and the field, in both
//! languages (and by the binary, with exit status 1); a session of another model is said so,
//! and its branches are dropped when their ids do not fit the vocabulary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::keys::{ch, press, sampling};
use common::{HarnessExt, RealWorker};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::i18n::{Describe, Lang, Text};
use tokenscope::session_file::{SessionError, SessionFile};
use tokenscope::state::{Effect, Options, ScreenLayout, State};

/// A loaded app over `options` (the session in them restored before the model answers).
fn started(worker: &RealWorker, lang: Lang, options: Options) -> Harness {
    let mut h = Harness::new(State::new(lang, sampling(), false, options));
    worker.load(&mut h);
    h
}

fn options(dir: &Path, session: Option<(PathBuf, Option<SessionFile>)>) -> Options {
    Options {
        export_dir: dir.to_path_buf(),
        session,
        ..Options::default()
    }
}

/// A session worth saving: three rolls, a branch picked by hand at the second token, two
/// sampler columns, token ids shown, the projector layout, pt-BR, the look-back cursor set.
fn busy_session(worker: &RealWorker, dir: &Path, file: &Path) -> Harness {
    let mut h = started(
        worker,
        Lang::En,
        options(dir, Some((file.to_path_buf(), None))),
    );
    for c in "Water boils at a temperature of".chars() {
        h.key(ch(c));
    }
    worker.answer(&mut h);
    h.key(press(KeyCode::Esc));
    for _ in 0..3 {
        h.key(ch(' '));
        worker.answer(&mut h);
    }
    h.key(ch('u'));
    h.key(ch('u'));
    h.key(ch('3'));
    worker.answer(&mut h);
    h.key(ch('A'));
    h.key(ch('T'));
    h.key(ch('#'));
    h.key(ch('l'));
    h.key(press(KeyCode::Left));
    assert_eq!(h.state.tree.len(), 4, "two branches");
    assert_eq!(h.state.lab.len(), 2);
    assert_eq!(h.state.lang, Lang::PtBr);
    assert!(h.state.look.is_some());
    h
}

fn save(h: &mut Harness, key: KeyEvent) -> PathBuf {
    let effects = h.key(key);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveSession { .. }))
    );
    assert_eq!(h.perform_files(), 1);
    let notice = h.state.notice.clone().expect("a notice");
    assert_eq!(notice.text, Text::NoticeSessionSaved, "{notice:?}");
    PathBuf::from(notice.arg.expect("the file is named"))
}

#[test]
fn a_saved_session_loads_back_the_same_state_and_screen() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("class.json");
    let mut h = busy_session(&worker, dir.path(), &file);
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(
        save(&mut h, ctrl_s),
        file,
        "--session FILE is created on the first save"
    );
    h.state.notice = None;
    let before = h.render(100, 30).to_string();

    let saved = SessionFile::read(&file).expect("the file reads back");
    assert_eq!(saved.model, h.state.model_info().expect("loaded").name);
    let mut g = started(
        &worker,
        Lang::En,
        options(dir.path(), Some((file.clone(), Some(saved)))),
    );
    assert!(g.state.notice.is_none(), "same model: nothing to say");
    assert_eq!(
        g.state.tree, h.state.tree,
        "the whole tree and its current node"
    );
    assert_eq!(g.state.tree.head(), h.state.tree.head());
    assert_eq!(
        g.state.lab.columns(&g.state.params),
        h.state.lab.columns(&h.state.params)
    );
    assert_eq!(g.state.lab.selected, h.state.lab.selected);
    assert_eq!(g.state.params, h.state.params);
    assert_eq!(g.state.editor.text(), h.state.editor.text());
    assert_eq!(g.state.lang, Lang::PtBr);
    assert_eq!(g.state.show_ids, h.state.show_ids);
    assert_eq!(g.state.look, h.state.look);
    assert_eq!(g.state.chat, h.state.chat);
    let after = g.render(100, 30).to_string();
    assert_eq!(after, before, "the same screen");

    // `S` in Explore saves again to the same file.
    g.key(press(KeyCode::Esc));
    assert_eq!(save(&mut g, ch('S')), file);
}

#[test]
fn without_session_flag_a_new_file_goes_to_the_export_dir() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = started(&worker, Lang::En, options(dir.path(), None));
    h.key(press(KeyCode::Esc));
    h.key(ch('z'));
    let first = save(&mut h, ch('S'));
    let second = save(&mut h, ch('S'));
    assert_ne!(first, second, "never overwritten");
    assert!(first.starts_with(dir.path()));
    let back = SessionFile::read(&first).expect("reads");
    assert!(back.view.projector);
    let g = started(
        &worker,
        Lang::En,
        options(dir.path(), Some((first, Some(back)))),
    );
    assert_eq!(g.state.layout, ScreenLayout::Projector);
}

#[test]
fn an_unwritable_session_file_falls_back_to_the_export_dir() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("no-such-dir").join("s.json");
    let mut h = started(
        &worker,
        Lang::En,
        options(dir.path(), Some((bad.clone(), None))),
    );
    let path = save(
        &mut h,
        KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
    );
    assert_ne!(path, bad);
    assert!(path.starts_with(dir.path()) && path.exists());
}

/// A valid session text to break.
fn valid_text(worker: &RealWorker, dir: &Path) -> String {
    let file = dir.join("valid.json");
    let mut h = busy_session(worker, dir, &file);
    save(&mut h, ch('S'));
    std::fs::read_to_string(&file).expect("read")
}

fn error_for(text: &str) -> SessionError {
    SessionFile::parse(Path::new("bad.json"), text).expect_err("refused")
}

#[test]
fn bad_files_name_the_file_and_the_field_in_both_languages() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let good = valid_text(&worker, dir.path());
    let mut v: serde_json::Value = serde_json::from_str(&good).expect("json");
    SessionFile::parse(Path::new("ok.json"), &good).expect("the valid one is accepted");

    let cases: Vec<(String, &str)> = vec![
        ("{ not json".to_string(), "JSON"),
        (good.replace("\"version\": 1", "\"version\": 7"), "7"),
        (
            {
                let mut w = v.clone();
                w["samplers"] = serde_json::json!("hot");
                w.to_string()
            },
            "samplers",
        ),
        (
            {
                let mut w = v.clone();
                w["tree"]["nodes"][1]["parent"] = serde_json::json!(5);
                w.to_string()
            },
            "tree.nodes[1].parent",
        ),
        (
            {
                let mut w = v.clone();
                w.as_object_mut().expect("object").remove("prompt");
                w.to_string()
            },
            "prompt",
        ),
        (
            {
                let mut w = v.clone();
                w["tree"]["head"] = serde_json::json!(99);
                w.to_string()
            },
            "tree.head",
        ),
        (
            {
                let mut w = v.clone();
                w["tree"]["nodes"][2]["token"] = serde_json::json!("seven");
                w.to_string()
            },
            "tree.nodes[2]",
        ),
        (
            {
                let mut w = v.clone();
                w["samplers"][1]["top_k"] = serde_json::json!(-3);
                w.to_string()
            },
            "samplers[1]",
        ),
    ];
    for (text, field) in &cases {
        let e = error_for(text);
        for lang in [Lang::En, Lang::PtBr] {
            let message = e.describe(lang);
            assert!(message.contains("bad.json"), "{message}");
            assert!(message.contains(field), "{field}: {message}");
            assert!(!message.contains('\n'), "one paragraph: {message}");
        }
        assert_ne!(e.describe(Lang::En), e.describe(Lang::PtBr));
    }
    v["version"] = serde_json::json!(2);
    assert!(matches!(
        error_for(&v.to_string()),
        SessionError::Version { .. }
    ));
}

#[test]
fn the_binary_refuses_a_corrupt_session_with_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\"version\": 1, \"model\": 3}").expect("write");
    for (lang, words) in [("en", "bad field"), ("pt-BR", "campo inválido")] {
        let out = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
            .args(["--lang", lang, "--session"])
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("broken.json") && err.contains(words), "{err}");
        assert!(err.contains("model"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one paragraph: {err}");
    }
}

#[test]
fn a_session_of_another_model_is_said_and_checked_against_the_vocabulary() {
    let worker = RealWorker::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let good = valid_text(&worker, dir.path());
    let mut v: serde_json::Value = serde_json::from_str(&good).expect("json");
    v["model"] = serde_json::json!("another-model");
    let other = SessionFile::parse(Path::new("o.json"), &v.to_string()).expect("valid");
    let tree = other.tree.clone();
    let g = started(
        &worker,
        Lang::En,
        options(dir.path(), Some(("o.json".into(), Some(other)))),
    );
    let notice = g.state.notice.clone().expect("said so");
    assert_eq!(notice.text, Text::NoticeSessionOtherModel);
    assert!(notice.arg.expect("names").contains("another-model"));
    assert_eq!(
        g.state.tree.len(),
        tree.nodes.len(),
        "the ids fit: the tree is kept"
    );

    v["tree"]["nodes"][0]["token"] = serde_json::json!(60_000);
    let wide = SessionFile::parse(Path::new("w.json"), &v.to_string()).expect("valid");
    let mut g = started(
        &worker,
        Lang::PtBr,
        options(dir.path(), Some(("w.json".into(), Some(wide)))),
    );
    let notice = g.state.notice.clone().expect("refused");
    assert_eq!(notice.text, Text::NoticeSessionVocab);
    let arg = notice.arg.expect("why");
    assert!(arg.contains("60000") && arg.contains("49152"), "{arg}");
    assert!(g.state.tree.is_empty(), "the branches are dropped");
    assert_eq!(g.state.editor.text(), "Water boils at a temperature of");
    let screen = g.render(100, 30).to_string();
    assert!(screen.contains("Ramos descartados"), "{screen}");
}
