//! The word view (issue 14) on the REAL default model: every candidate that does not end a word
//! is completed greedily to the end of its word, and the word's probability is the product of
//! its tokens' raw probabilities. Checked against an independent path (a plain evaluation of
//! the whole sequence, whose per-token probabilities come from the GLTR statistics), then in
//! the headless app: the `w` key, one request at a time, the cache, the screen.

mod common;

use common::keys::ch;
use common::{HarnessExt, RealWorker, session};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokenscope::app::Harness;
use tokenscope::engine::words::{MAX_WORD_TOKENS, continues_word, extend, leaves_word_open};
use tokenscope::engine::{Reply, Request};
use tokenscope::i18n::Lang;
use tokenscope::sampling::{Distribution, SamplingParams, top1};
use tokenscope::state::words::{base, word_ranks};
use tokenscope::state::{Effect, Options, State};

/// The course's sentence: on SmolLM2 its top candidates include word pieces (" n", " est").
const PROMPT: &str = "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que";

#[test]
fn words_are_greedy_completions_with_the_product_of_their_tokens_probabilities() {
    let mut s = session();
    let base = s.prompt_ids(PROMPT, false).unwrap();
    let logits = s.next_logits(&base).unwrap();
    let dist = Distribution::new(&logits, &SamplingParams::default());
    let mut extended = 0;
    for c in &dist.candidates[..12] {
        let w = extend(&mut s, &base, c.id).unwrap();
        assert_eq!(w.ids[0], c.id);
        assert_eq!(w.base, base);
        assert!(w.ids.len() <= MAX_WORD_TOKENS);
        // Independently: evaluate base + word (+ the token that would come next) from scratch.
        let mut seq = base.clone();
        seq.extend(&w.ids);
        let eval = s.evaluate(&seq).unwrap();
        let mut joint = 1.0f64;
        for (k, &id) in w.ids.iter().enumerate() {
            let p = &eval.positions[base.len() + k];
            assert_eq!(p.token.id, id);
            joint *= f64::from(p.prob.unwrap());
            if k > 0 {
                // Each added token is the most likely one after the tokens before it.
                let prev = &eval.positions[base.len() + k - 1].logits;
                assert_eq!(top1(prev), Some(id), "greedy step {k} of {:?}", w.text);
                assert!(
                    continues_word(&p.token),
                    "{:?} does not continue a word",
                    p.token
                );
            }
        }
        assert!(
            (joint - w.prob).abs() <= 1e-6 * joint.max(1e-12),
            "{:?}: joint {joint} vs {}",
            w.text,
            w.prob
        );
        let first = f64::from(eval.positions[base.len()].prob.unwrap());
        assert!((c.prob - first).abs() < 1e-6, "{} vs {first}", c.prob);
        // It stopped at a boundary: the last token closes the word, or the next one starts a
        // new one; or it was cut at the limit and says so.
        let last = &eval.positions.last().unwrap();
        let next = top1(&last.logits).unwrap();
        let next_view = s.model.tokenizer.view(next);
        if w.complete {
            assert!(
                !leaves_word_open(&last.token) || !continues_word(&next_view),
                "{:?}",
                w.text
            );
        } else {
            assert_eq!(w.ids.len(), MAX_WORD_TOKENS);
        }
        let decoded = String::from_utf8_lossy(&s.model.tokenizer.decode_bytes(&w.ids)).into_owned();
        assert_eq!(w.text, decoded);
        if w.ids.len() > 1 {
            extended += 1;
            assert!(
                w.prob < c.prob,
                "a longer word is less likely than its first token"
            );
        }
    }
    assert!(
        extended >= 1,
        "no word piece among the top 12 of {PROMPT:?}"
    );
}

/// The app with the real model loaded and `PROMPT` evaluated, in Explore mode.
fn ready(worker: &RealWorker, lang: Lang) -> Harness {
    let options = Options {
        prompt: PROMPT.into(),
        explore: true,
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
    assert_eq!(worker.load(&mut h), 1);
    h
}

fn word_requests(effects: &[Effect]) -> Vec<(Vec<u32>, u32)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Evaluate(Request::ExtendWord {
                base, candidate, ..
            }) => Some((base.clone(), *candidate)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_w_key_asks_for_one_word_at_a_time_and_caches_them() {
    let worker = RealWorker::new();
    let mut h = ready(&worker, Lang::En);
    let before = h.effects.len();
    let first = h.key(ch('w'));
    assert!(h.state.words.on);
    assert_eq!(word_requests(&first).len(), 1, "one word at a time");
    // Answering each request causes the next, until every listed candidate has its word.
    let answered = worker.answer(&mut h);
    let ranks = word_ranks(&h.state);
    assert_eq!(answered, ranks);
    let asked = word_requests(&h.effects[before..]);
    assert_eq!(asked.len(), ranks);
    let b = base(&h.state).unwrap();
    let dist = h.state.distribution().unwrap().clone();
    for c in &dist.candidates[..ranks] {
        let w = h
            .state
            .words
            .get(&b, c.id)
            .expect("every top candidate has its word");
        assert!(
            w.prob <= c.prob + 1e-9,
            "{} > {} for {:?}",
            w.prob,
            c.prob,
            w.ids
        );
    }
    assert!(!h.state.words.busy());
    // Off and on again: nothing is recomputed.
    h.key(ch('w'));
    assert!(!h.state.words.on);
    let again = h.key(ch('w'));
    assert!(word_requests(&again).is_empty(), "cached: {again:?}");
    // The same replies as the worker gave: the words are the ones on screen.
    let replies = worker.replies.borrow();
    let words = replies
        .iter()
        .filter(|r| matches!(r, Reply::Word { .. }))
        .count();
    assert_eq!(words, ranks);
}

#[test]
fn typing_supersedes_a_word_request_and_the_new_prompt_gets_its_own_words() {
    let worker = RealWorker::new();
    let mut h = ready(&worker, Lang::En);
    h.key(ch('w'));
    assert!(h.state.words.busy());
    // Edit the prompt before the word is answered: the evaluation goes first.
    h.key(KeyEvent::new(KeyCode::Char('i'), KeyModifiers::NONE));
    let typed = h.key(ch(' '));
    assert!(matches!(
        typed.last(),
        Some(Effect::Evaluate(Request::Evaluate { .. }))
    ));
    assert!(!h.state.words.busy(), "the word request was superseded");
    worker.answer(&mut h);
    let b = base(&h.state).unwrap();
    assert_eq!(h.state.eval.as_ref().unwrap().positions.len(), b.len());
    let top = h.state.distribution().unwrap().candidates[0].id;
    assert!(h.state.words.get(&b, top).is_some());
}

#[test]
fn the_pane_shows_the_word_column_in_both_languages() {
    let worker = RealWorker::new();
    for (lang, column, note) in [
        (Lang::En, "word", "words: greedy, the model's p multiplied"),
        (
            Lang::PtBr,
            "palavra",
            "palavras: gulosa, p do modelo multiplicada",
        ),
    ] {
        let mut h = ready(&worker, lang);
        h.key(ch('w'));
        worker.answer(&mut h);
        let screen = h.render(160, 48).to_string();
        assert!(
            screen.contains(column),
            "{lang:?}: no word column\n{screen}"
        );
        assert!(
            screen.contains(note),
            "{lang:?}: no note on how words are made\n{screen}"
        );
        // A word piece among the candidates is shown completed, with its joint probability.
        let b = base(&h.state).unwrap();
        let dist = h.state.distribution().unwrap().clone();
        let long = dist.candidates[..word_ranks(&h.state)]
            .iter()
            .filter_map(|c| h.state.words.get(&b, c.id))
            .find(|w| w.ids.len() > 1 && w.complete)
            .expect("a completed word piece");
        let shown = tokenscope::pieces::visible(&long.text);
        assert!(
            screen.contains(shown.as_str()),
            "{lang:?}: {shown:?} not on screen\n{screen}"
        );
        let pct = lang.percent(long.prob);
        assert!(
            screen.contains(pct.as_str()),
            "{lang:?}: {pct} not on screen\n{screen}"
        );
    }
}

#[test]
fn a_word_that_cannot_be_completed_shows_a_dash_and_says_why() {
    let worker = RealWorker::new();
    let mut h = ready(&worker, Lang::PtBr);
    let asked = h.key(ch('w'));
    let Some(Effect::Evaluate(Request::ExtendWord { id, candidate, .. })) = asked.last() else {
        panic!("no word request: {asked:?}");
    };
    let (id, candidate) = (*id, *candidate);
    h.reply(Reply::Failed {
        id,
        error: std::sync::Arc::new(tokenscope::model::ModelError::WordsNeedDecoder),
    });
    let b = base(&h.state).unwrap();
    assert!(h.state.words.get(&b, candidate).unwrap().prob.is_nan());
    let screen = h.render(80, 24).to_string();
    assert!(
        screen.contains('—'),
        "no dash for the failed word\n{screen}"
    );
    assert!(
        screen.contains("Não foi possível completar"),
        "no reason\n{screen}"
    );
    // The next candidate is asked for: one failure does not stop the view.
    assert!(h.state.words.busy());
}
