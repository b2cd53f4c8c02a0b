//! The playground on a served model (`--endpoint`, issue 9), driven headless through a real
//! llama.cpp server (llama-cpp-python 0.3.36 on the default model, `scripts/llama-server`;
//! `scripts/bootstrap --llama-cpp`, which `scripts/test` runs, installs it):
//!
//! - the next-token pane shows exactly the server's own top-20 log-probabilities, and says
//!   what it does not know (top 20 of an unknown vocabulary, the rest and the entropy as
//!   lower bounds, the sampler over the shown only) — snapshots in English and pt-BR, of
//!   replies captured live from the server;
//! - five greedy steps in the playground equal the server's own greedy completion;
//! - a server killed mid-session: a status line, the prompt and the tree kept; after a
//!   restart on the same port the next request (asked again by the state itself) works.
//!
//! The worker is played synchronously: the real [`EndpointSession`] answers each newest
//! request, and the notes it sends on its channel (vocabulary, retries) are delivered before
//! its reply, in order, as the worker thread's channel would.

mod common;

use std::cell::{Cell, RefCell};
use std::time::Duration;

use tokenscope::action::Action;
use tokenscope::app::Harness;
use tokenscope::endpoint::EndpointOptions;
use tokenscope::engine::endpoint_session::EndpointSession;
use tokenscope::engine::{Backend, Reply};
use tokenscope::i18n::Lang;
use tokenscope::sampling::SamplingParams;
use tokenscope::state::served::Served;
use tokenscope::state::{Effect, Msg, Options, State};
use tokio::sync::mpsc::UnboundedReceiver;

use common::HarnessExt;
use common::llama_server::LlamaServer;

const PROMPT: &str = "The capital of France is";

/// The real endpoint backend, answering a harness the way the worker thread does.
struct ServedWorker {
    session: RefCell<EndpointSession>,
    notes: RefCell<UnboundedReceiver<Reply>>,
    answered: Cell<usize>,
}

fn options(url: &str, model: &str) -> EndpointOptions {
    EndpointOptions {
        url: url.to_string(),
        model: Some(model.into()),
        key: None,
        timeout: Duration::from_secs(20),
        retries: 1,
        top_n: 20,
    }
}

impl ServedWorker {
    fn connect(url: &str) -> Self {
        Self::connect_to(url, "smollm2")
    }

    fn connect_to(url: &str, model: &str) -> Self {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let session = EndpointSession::connect(options(url, model), tx).expect("connects");
        ServedWorker {
            session: RefCell::new(session),
            notes: RefCell::new(rx),
            answered: Cell::new(0),
        }
    }

    /// Answers the newest request sent since the last call, its notes first; repeats while
    /// answers cause requests. Returns how many replies were delivered.
    fn answer(&self, h: &mut Harness) -> usize {
        let mut delivered = 0;
        loop {
            let newest = h.effects[self.answered.get()..]
                .iter()
                .rev()
                .find_map(|e| match e {
                    Effect::Evaluate(r) => Some(r.clone()),
                    _ => None,
                });
            self.answered.set(h.effects.len());
            let Some(request) = newest else {
                return delivered;
            };
            let reply = self.session.borrow_mut().serve(&request).expect("a reply");
            while let Ok(note) = self.notes.borrow_mut().try_recv() {
                h.reply(note);
            }
            h.reply(fixed_elapsed(reply));
            delivered += 1;
        }
    }
}

/// Replies with a fixed `elapsed`, so screens do not depend on the server's speed.
fn fixed_elapsed(mut reply: Reply) -> Reply {
    if let Reply::Evaluated { elapsed, .. } = &mut reply {
        *elapsed = Duration::from_millis(42);
    }
    reply
}

/// A playground on the server, the prompt evaluated, in Explore mode.
fn playground(server: &LlamaServer, worker: &ServedWorker, lang: Lang, prompt: &str) -> Harness {
    let options = Options {
        prompt: prompt.to_string(),
        explore: true,
        served: Some(Served::new(&server.url, 20)),
        ..Options::default()
    };
    let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
    worker.answered.set(0);
    let info = worker.session.borrow().info(Duration::from_millis(1500));
    h.reply(Reply::Loaded(info));
    worker.answer(&mut h);
    h
}

/// The text of each candidate of the pane's distribution and the probability it shows.
fn pane(h: &Harness) -> Vec<(String, f64)> {
    let dist = h.state.distribution().expect("a distribution");
    dist.candidates
        .iter()
        .map(|c| (h.state.token_view(c.id).text.clone(), c.prob))
        .collect()
}

#[test]
fn the_playground_through_a_real_llama_cpp_server() {
    let mut server = LlamaServer::start();
    let worker = ServedWorker::connect(&server.url);
    the_pane_shows_exactly_the_servers_logprobs(&server, &worker);
    five_greedy_steps_equal_the_servers_greedy_completion(&server, &worker);
    partial_pane_snapshots(&server, &worker);
    a_killed_server_keeps_the_session_and_a_restarted_one_continues(&mut server, &worker);
}

fn the_pane_shows_exactly_the_servers_logprobs(server: &LlamaServer, worker: &ServedWorker) {
    let mut h = playground(server, worker, Lang::En, PROMPT);
    let theirs = server.top("smollm2", PROMPT, 20);
    let ours = pane(&h);
    assert_eq!(ours.len(), 20);
    for ((t, p), (tt, lp)) in ours.iter().zip(&theirs) {
        assert_eq!(t, tt);
        // The state keeps the server's log-probability as an f32 logit.
        assert!((p - lp.exp()).abs() < 1e-6, "{t:?}: {p} vs {}", lp.exp());
    }
    // The sampler (temperature 1, no filters) renormalises over the shown only.
    let dist = h.state.distribution().unwrap();
    let shown: f64 = theirs.iter().map(|(_, lp)| lp.exp()).sum();
    assert!((dist.candidates[0].final_prob - theirs[0].1.exp() / shown).abs() < 1e-5);
    // The prompt's tokens are the server's (its tokenize and detokenize routes).
    let seq: Vec<String> = h
        .state
        .sequence()
        .iter()
        .map(|t| t.token.text.clone())
        .collect();
    assert_eq!(seq, ["The", " capital", " of", " France", " is"]);
    let served = h.state.served.as_ref().unwrap();
    assert!(served.tokenized);
    // llama-cpp-python 0.3 echoes SmolLM2's prompt misaligned: its colours are unavailable.
    assert!(!served.prompt_scored);
    let screen = h.clone_render(160, 48);
    assert!(
        screen.contains("top 20 of an unknown vocabulary"),
        "{screen}"
    );
    let rest = format!("≥{:.2}%", (1.0 - shown) * 100.0);
    assert!(screen.contains(&rest), "{rest} in\n{screen}");
    assert!(
        screen.contains("sampled: over the 20 shown only"),
        "{screen}"
    );
    // F9's export says the same: top 20 of an unknown vocabulary, the rest as a lower bound.
    let snap = tokenscope::state::export::snapshot(&h.state);
    let d = snap.distribution.as_ref().expect("the pane is exported");
    let partial = d
        .partial
        .as_ref()
        .expect("a served distribution is partial");
    assert_eq!(partial.top_n, 20);
    assert!((partial.rest_mass_lower_bound - (1.0 - shown)).abs() < 1e-5);
    for (row, (t, lp)) in d.rows.iter().zip(&theirs) {
        assert_eq!(&row.token, t);
        assert!((row.model_prob - lp.exp()).abs() < 1e-6);
    }
    let md = tokenscope::export::markdown::render(&snap, Lang::En);
    assert!(md.contains("Kept (of the 20 shown)"), "{md}");
    assert!(md.contains("Only the server's top 20 are known"), "{md}");
}

/// Greedy on the raw distribution: llama-cpp-python's completions default to a repetition
/// penalty of 1.1, which its log-probabilities do not include. The prompt is one whose greedy
/// continuation reads back as the same tokens (tests/endpoint.rs says why that matters).
fn five_greedy_steps_equal_the_servers_greedy_completion(
    server: &LlamaServer,
    worker: &ServedWorker,
) {
    let prompt = "Once upon a time, there was a";
    let reply = server.post(
        "/v1/completions",
        serde_json::json!({"model": "smollm2", "prompt": prompt, "max_tokens": 5,
                           "temperature": 0.0, "repeat_penalty": 1.0}),
    );
    let theirs = reply["choices"][0]["text"].as_str().expect("text");
    let mut h = playground(server, worker, Lang::En, prompt);
    h.act(Action::ToggleGreedy);
    for _ in 0..5 {
        h.act(Action::Step);
        worker.answer(&mut h);
    }
    let ours: String = h
        .state
        .tree
        .tokens()
        .iter()
        .map(|&id| h.state.token_view(id).text.clone())
        .collect();
    assert_eq!(h.state.tree.depth(), 5);
    assert_eq!(ours, theirs);
    // Every generated token was the server's most likely one.
    for t in h.state.sequence().iter().filter(|t| t.generated) {
        assert_eq!(t.rank, Some(0), "{:?}", t.token.text);
    }
}

/// The screen with the server's port written `PORT` (it changes from run to run).
fn screen(h: &mut Harness, server: &LlamaServer, w: u16, ht: u16) -> String {
    h.clone_render(w, ht)
        .replace(&format!(":{}/", server.port), ":PORT/")
}

fn partial_pane_snapshots(server: &LlamaServer, worker: &ServedWorker) {
    for (lang, name, (w, ht)) in [
        (Lang::En, "endpoint_partial_pane_en", (160, 48)),
        (Lang::PtBr, "endpoint_partial_pane_pt_br", (80, 24)),
    ] {
        let mut h = playground(server, worker, lang, PROMPT);
        h.act(Action::ToggleGreedy);
        h.act(Action::Step);
        worker.answer(&mut h);
        insta::assert_snapshot!(name, screen(&mut h, server, w, ht));
    }
}

fn a_killed_server_keeps_the_session_and_a_restarted_one_continues(
    server: &mut LlamaServer,
    worker: &ServedWorker,
) {
    let mut h = playground(server, worker, Lang::En, PROMPT);
    h.act(Action::ToggleGreedy);
    for _ in 0..2 {
        h.act(Action::Step);
        worker.answer(&mut h);
    }
    let tree = h.state.tree.tokens();
    assert_eq!(tree.len(), 2);
    server.stop();
    h.act(Action::Step);
    worker.answer(&mut h);
    let text = h.clone_render(160, 48);
    assert!(text.contains("error: could not connect to"), "{text}");
    assert!(text.contains("asking again in"), "{text}");
    assert!(h.state.error.is_some());
    // The prompt and the tree are kept: the step was chosen from the distribution on screen
    // and waits to be evaluated.
    assert_eq!(h.state.editor.text(), PROMPT);
    let tree = h.state.tree.tokens();
    assert_eq!(tree.len(), 3);
    // Back on the same port; the state asks again by itself after a few seconds of ticks.
    let port = server.port;
    *server = LlamaServer::start_on(port, &[]);
    let mut asked = false;
    for _ in 0..200 {
        h.send(Msg::Tick);
        if worker.answer(&mut h) > 0 {
            asked = true;
            break;
        }
    }
    assert!(asked, "the state asked again");
    assert!(h.state.error.is_none(), "{:?}", h.state.error);
    assert_eq!(h.state.tree.tokens(), tree);
    h.act(Action::Step);
    worker.answer(&mut h);
    assert_eq!(h.state.evaluated_len(), h.state.sequence_len());
    assert_eq!(h.state.tree.depth(), 4, "a step after the restart works");
}

/// Rendering for the assertions above.
trait Render {
    fn clone_render(&mut self, w: u16, h: u16) -> String;
}

impl Render for Harness {
    fn clone_render(&mut self, w: u16, h: u16) -> String {
        self.render(w, h).to_string()
    }
}

/// The status line while a request is out (its age, by the ticks), during a retry, and after
/// a failure (when it is asked again), in both languages. No server: the replies are the
/// ones the worker sends.
#[test]
fn the_status_line_says_how_long_and_what_failed() {
    use std::sync::Arc;
    use tokenscope::endpoint::EndpointError;
    use tokenscope::engine::endpoint_session::ServedNote;
    use tokenscope::engine::{ModelInfo, TokenView};
    use tokenscope::model::ModelError;

    for (lang, age, retry, again) in [
        (
            Lang::En,
            "asking the server… 1.0 s",
            "server: no connection; retry 2/3 in 0.5 s",
            "asking again in 3 s",
        ),
        (
            Lang::PtBr,
            "consultando o servidor… 1,0 s",
            "servidor: sem conexão; nova tentativa 2/3 em 0,5 s",
            "perguntando de novo em 3 s",
        ),
    ] {
        let options = Options {
            prompt: PROMPT.into(),
            explore: true,
            served: Some(Served::new("http://127.0.0.1:9/v1", 20)),
            ..Options::default()
        };
        let mut h = Harness::new(State::new(lang, SamplingParams::default(), false, options));
        let vocab = vec![TokenView {
            id: 0,
            piece: "∅".into(),
            text: "∅".into(),
            special: true,
        }];
        let info = ModelInfo {
            name: "smollm2".into(),
            vocab: Arc::new(vocab),
            stop_ids: vec![0],
            ..ModelInfo::default()
        };
        h.reply(Reply::Loaded(info));
        let id = match h.last_request() {
            Some(tokenscope::engine::Request::Evaluate { id, .. }) => *id,
            other => panic!("a request goes out: {other:?}"),
        };
        for _ in 0..20 {
            h.send(Msg::Tick);
        }
        let screen = h.clone_render(160, 48);
        assert!(screen.contains(age), "{age} in\n{screen}");
        let error = EndpointError::Unreachable {
            url: "http://127.0.0.1:9/v1/completions".into(),
            attempts: 1,
        };
        h.reply(Reply::Served(ServedNote::Retrying {
            error: error.clone(),
            next: 2,
            attempts: 3,
            wait: Duration::from_millis(500),
        }));
        let screen = h.clone_render(160, 48);
        assert!(screen.contains(retry), "{retry} in\n{screen}");
        h.reply(Reply::Failed {
            id,
            error: Arc::new(ModelError::Endpoint(error)),
        });
        let screen = h.clone_render(160, 48);
        assert!(screen.contains(again), "{again} in\n{screen}");
        assert_eq!(h.state.editor.text(), PROMPT);
        // After the wait, the state asks again by itself.
        let before = h.effects.len();
        for _ in 0..70 {
            h.send(Msg::Tick);
        }
        let asked = h.effects[before..]
            .iter()
            .any(|e| matches!(e, Effect::Evaluate(_)));
        assert!(asked, "asked again");
    }
}

/// On a model with a BOS token (Gemma 3) llama-cpp-python echoes the prompt aligned: the
/// prompt's tokens get the server's probabilities (the echo leaves out `<bos>`, which the
/// tokenize route gives: the scores are matched to the prompt's last tokens).
#[test]
fn prompt_probabilities_from_an_aligned_echo() {
    let gemma = common::llama_server::cache().join("models/gemma-3-270m-q4_k_m.gguf");
    assert!(
        gemma.exists(),
        "Gemma 3 is not installed at {}: run `scripts/bootstrap --model gemma-3-270m` (or \
         scripts/test)",
        gemma.display()
    );
    let server = LlamaServer::start_with(&["--model", gemma.to_str().unwrap(), "--alias", "gemma"]);
    let worker = ServedWorker::connect_to(&server.url, "gemma");
    let prompt = "O Brasil é um país";
    let h = playground(&server, &worker, Lang::En, prompt);
    assert!(h.state.served.as_ref().unwrap().prompt_scored);
    let reply = server.post(
        "/v1/completions",
        serde_json::json!({"model": "gemma", "prompt": prompt, "max_tokens": 1,
                           "temperature": 1.0, "logprobs": 20, "echo": true}),
    );
    let lp = &reply["choices"][0]["logprobs"];
    let seq = h.state.sequence();
    let texts: Vec<&str> = seq.iter().skip(1).map(|t| t.token.text.as_str()).collect();
    assert_eq!(texts, ["O", " Brasil", " é", " um", " país"]);
    assert_eq!(seq[0].prob, None, "<bos> is not scored");
    for i in 1..seq.len() {
        let theirs = lp["token_logprobs"][i - 1].as_f64().map(|l| l.exp() as f32);
        assert_eq!(seq[i].prob, theirs, "{:?}", seq[i].token.text);
        assert_eq!(seq[i].rank, None, "ranks are not given");
    }
}
