//! The application state: plain data, changed only by [`update`].
//!
//! `update(&mut State, Msg) -> Vec<Effect>` does no I/O and knows no terminal and no model: it
//! turns actions and worker replies into new state plus effects (a request to evaluate, quit).
//! Derived view data (the distribution at the cursor, the last dice roll) is recomputed at the
//! end of every update whose inputs changed, so `ui::render` only reads.
//!
//! Evaluation bookkeeping: every request gets a fresh id and only the reply to the newest one
//! is accepted. A reply lists every position of the sequence it evaluated; as long as those
//! positions cover the current prompt + continuation (after an undo, a redo onto the same
//! tokens, a switch to a branch already computed…), no new request is needed.

mod branches;
mod edit;
pub mod embeddings;
pub mod encoder;
pub mod export;
pub mod fill;
mod generation;
pub mod inside;
mod interface;
mod look;
pub mod model_b;
mod picker;
mod reply;
mod samplers;
pub mod served;
pub mod session;
mod settings;
pub mod source;
mod sync;
pub mod tree;
mod versus;
mod view;
pub mod words;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::action::{Action, Concern};
use crate::editor::Editor;
use crate::engine::{ModelInfo, Position, Reply, Request, TokenView};
use crate::i18n::{Describe, Lang, Text};
use crate::keymap::Context;
use crate::model::{ModelError, Progress};
use crate::sampling::{Distribution, SamplingParams};

pub use branches::{BranchLine, Branches};
pub use embeddings::Embeddings;
pub use encoder::EncoderKind;
pub use fill::Fill;
pub use inside::{Inside, InsideView};
pub use model_b::{BStatus, ModelB};
pub use picker::{Incoming, ModelChoice, Models, Slot};
pub use samplers::{Lab, ROLL_COUNTS};
pub use source::Source;
pub use tree::{Choice, NodeId, Tree};
pub use versus::Versus;
pub use view::{ROLL_SEGMENTS, Roll, View};
pub use words::Words;

/// Milliseconds between two `Msg::Tick`s (spinner frames and autoplay pacing).
pub const TICK_MS: u64 = 50;

/// Autoplay delays between two dice rolls, fastest first.
pub const AUTOPLAY_DELAYS_MS: [u64; 6] = [0, 100, 250, 500, 1000, 2000];

/// The default autoplay delay (an index into [`AUTOPLAY_DELAYS_MS`]).
pub const DEFAULT_AUTOPLAY_SPEED: usize = 2;

/// Selection in the candidate list goes no deeper than this rank.
pub const MAX_SELECTABLE_RANK: usize = 999;

/// What receives typing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Every printable key goes into the prompt.
    #[default]
    Edit,
    /// Single-letter keys act.
    Explore,
}

/// What is drawn over the screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overlay {
    #[default]
    None,
    /// The key list, scrolled by this many lines.
    Help { scroll: u16 },
    /// "Quit? The generated text will be lost" (y / n).
    ConfirmQuit,
    /// The branch tree: every continuation on its own line.
    Branches,
    /// The model picker (F3).
    Picker,
}

/// How the screen is divided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScreenLayout {
    /// Every pane.
    #[default]
    Standard,
    /// For a class: the prompt and the next-token pane only, large.
    Projector,
}

/// Where the model is.
#[derive(Clone, Debug)]
pub enum ModelStatus {
    Loading(Progress),
    Ready(ModelInfo),
    /// Loading failed ([`State::error`] says why).
    Failed,
}

/// The last error from the worker, kept typed so it is worded in the interface language.
#[derive(Clone, Debug)]
pub enum StateError {
    /// The model at `path` could not be loaded.
    Load {
        path: PathBuf,
        error: Arc<ModelError>,
    },
    /// The newest request failed (the previous numbers stay on screen, marked stale).
    Request(Arc<ModelError>),
}

impl Describe for StateError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            StateError::Load { path, error } => lang.f(
                Text::ErrCannotLoad,
                &[&path.display(), &error.describe(lang)],
            ),
            StateError::Request(error) => error.describe(lang),
        }
    }
}

/// Why autoplay stopped by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The last token is one of the model's stop tokens.
    EndOfText,
    /// The continuation reached `max_new_tokens`.
    Limit,
}

/// Autoplay: rolling the dice on every tick (after a delay).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Autoplay {
    Off,
    /// Rolling; `wait` ticks remain before the next roll.
    Running {
        wait: u64,
    },
    Stopped(StopReason),
}

/// A short message shown in the status line until the next key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: Text,
    pub arg: Option<String>,
}

/// The newest accepted model reply.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The prompt text and chat flag it was computed for.
    pub prompt: String,
    pub chat: bool,
    /// How many leading positions come from the prompt.
    pub prompt_len: usize,
    pub positions: Vec<Position>,
    /// Positions the worker took from its KV cache.
    pub reused: usize,
    pub elapsed: Duration,
    /// Increases with every accepted reply (cache key for derived data).
    pub serial: u64,
}

/// The request waited for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Awaiting {
    pub id: u64,
    pub prompt: String,
    pub chat: bool,
    pub continuation: Vec<u32>,
}

/// Everything that can happen to the state.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A user intent (from a key, a click or a test).
    Action(Action),
    /// A message from the model worker.
    Reply(Reply),
    /// A message from a worker besides the main one (a model loading to replace it, model B).
    Side { slot: Slot, reply: Reply },
    /// Time passes ([`TICK_MS`]): spinner and autoplay.
    Tick,
    /// The terminal has a new size.
    Resize { width: u16, height: u16 },
    /// The screen was drawn and looks like this (plain text, for the export's screenshot).
    Drawn { screen: Arc<str> },
    /// The app wrote an export (or could not).
    Exported(Result<crate::export::Written, Arc<crate::export::FileError>>),
    /// The app saved the session to this file (or could not).
    SessionSaved(Result<PathBuf, Arc<crate::export::FileError>>),
    /// The screen was drawn: the prompt editor's text area is `width` × `height` cells (the UI
    /// reports its layout back, so the state never calls the UI).
    Layout {
        prompt_width: u16,
        prompt_height: u16,
    },
}

/// What the app must do after an update.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Send this request to the model worker.
    Evaluate(Request),
    /// Leave.
    Quit,
    /// Start a worker in `slot` loading the model at `path` (with the main one's device,
    /// precision and threads), replacing any worker already there.
    LoadModel { slot: Slot, path: PathBuf },
    /// The incoming worker becomes the main one; the old main worker is shut down.
    PromoteIncoming,
    /// Shut down the worker in `slot` and forget it.
    DropWorker(Slot),
    /// Send this request to model B's worker.
    EvaluateB(Request),
    /// Write `snapshot` as the four export files into `dir`; answer with `Msg::Exported`.
    Export {
        dir: PathBuf,
        snapshot: Box<crate::export::Snapshot>,
    },
    /// Save `session` to `path` (when given and writable), else to a new file in `dir`; answer
    /// with `Msg::SessionSaved`.
    SaveSession {
        path: Option<PathBuf>,
        dir: PathBuf,
        session: Box<crate::session_file::SessionFile>,
    },
}

/// Start-up options that are not sampling parameters.
#[derive(Clone, Debug)]
pub struct Options {
    /// Initial prompt text.
    pub prompt: String,
    /// Monochrome theme (the `NO_COLOR` convention).
    pub no_color: bool,
    /// Autoplay stops after this many generated tokens.
    pub max_new_tokens: usize,
    /// Start in Explore mode instead of Edit mode.
    pub explore: bool,
    /// Sampler columns to start with (`--sampler SPEC`…); empty = the sampling flags alone.
    pub samplers: Vec<SamplingParams>,
    /// Prompt B to start the A/B comparison with (`--versus TEXT`).
    pub versus: Option<String>,
    /// The layout the screen starts with (`--layout projector`).
    pub layout: ScreenLayout,
    /// The known models, as found on disk (the picker's list).
    pub models: Vec<ModelChoice>,
    /// The main model's short name, when it is a known one.
    pub current_model: Option<String>,
    /// Model B's short name, when its worker was started with the playground (`--model-b`).
    pub model_b: Option<String>,
    /// For an encoder-decoder: the source text the encoder starts with (`None`: a decoder).
    pub source: Option<String>,
    /// For an encoder (BERT-style): which of its views the playground shows.
    pub encoder: Option<EncoderKind>,
    /// Where F9 writes its files and Ctrl-S a new session (`--export-dir`).
    pub export_dir: PathBuf,
    /// The session to start from and save to (`--session FILE`): its path, and its contents
    /// when the file exists.
    pub session: Option<(PathBuf, Option<crate::session_file::SessionFile>)>,
    /// A served model (`--endpoint`): its distributions are partial.
    pub served: Option<served::Served>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            prompt: String::new(),
            no_color: false,
            max_new_tokens: 256,
            explore: false,
            samplers: Vec::new(),
            versus: None,
            layout: ScreenLayout::Standard,
            models: Vec::new(),
            current_model: None,
            model_b: None,
            source: None,
            encoder: None,
            export_dir: PathBuf::from("."),
            session: None,
            served: None,
        }
    }
}

/// One token of the displayed sequence.
#[derive(Clone, Debug)]
pub struct SeqToken<'a> {
    /// Index in the whole sequence.
    pub index: usize,
    pub token: Cow<'a, TokenView>,
    /// GLTR rank (0-based) and raw probability under the previous position; `None` for the
    /// first token and for tokens not evaluated yet.
    pub rank: Option<u32>,
    pub prob: Option<f32>,
    /// Part of the continuation (not the prompt).
    pub generated: bool,
    /// Chosen by hand.
    pub picked: bool,
    /// Not evaluated yet (the model is computing).
    pub pending: bool,
}

/// The whole application state.
#[derive(Clone, Debug)]
pub struct State {
    pub mode: Mode,
    pub overlay: Overlay,
    pub lang: Lang,
    pub editor: Editor,
    pub params: SamplingParams,
    /// The comparison lab's sampler columns (`params` is the selected one's settings).
    pub lab: Lab,
    /// Prompt B of the A/B comparison, when shown.
    pub versus: Option<Versus>,
    /// The temperature to go back to when greedy is switched off.
    pub saved_temperature: f32,
    pub chat: bool,
    pub show_ids: bool,
    pub no_color: bool,
    pub model: ModelStatus,
    pub eval: Option<Evaluation>,
    pub awaiting: Option<Awaiting>,
    next_id: u64,
    pub tree: Tree,
    /// Look-back cursor: index of a token of the sequence, `None` = live (the next token).
    pub look: Option<usize>,
    /// Selected candidate (0-based rank).
    pub selected: usize,
    pub autoplay: Autoplay,
    /// Index into [`AUTOPLAY_DELAYS_MS`].
    pub autoplay_speed: usize,
    pub max_new_tokens: usize,
    pub notice: Option<Notice>,
    /// Last error from the worker (cleared by the next accepted reply).
    pub error: Option<StateError>,
    /// Ticks since start (spinner frame).
    pub tick: u64,
    /// Terminal size.
    pub size: (u16, u16),
    /// The prompt editor's text area (width, height) as last drawn, for vertical motion and
    /// scrolling.
    pub prompt_area: (usize, usize),
    /// Derived: the distribution at the cursor.
    pub view: Option<View>,
    /// Derived: how the token at the cursor (or the last generated one) was chosen.
    pub roll: Option<Roll>,
    serial: u64,
    /// How the screen is divided.
    pub layout: ScreenLayout,
    /// The branch tree's selection and remembered probabilities.
    pub branches: Branches,
    /// The word view of the next-token pane.
    pub words: Words,
    /// The model picker, a model loading to replace this one, model B.
    pub models: Models,
    /// For an encoder-decoder: the source text and what the encoder made of it.
    pub source: Option<Source>,
    /// For a fill-mask encoder: the masks and which one is shown.
    pub fill: Option<Fill>,
    /// For a sentence-embedding encoder: the vectors and their similarities.
    pub embeddings: Option<Embeddings>,
    /// Where exports and sessions go, and the last drawn screen.
    pub files: export::Files,
    /// A session loaded at start, until the model it is checked against is ready.
    pub loaded_session: Option<session::Loaded>,
    /// The inside-the-model view (embedding, logit lens, attention).
    pub inside: Inside,
    /// A served model (`--endpoint`): what its partial numbers are over, the request in flight.
    pub served: Option<served::Served>,
}

impl State {
    /// A fresh state: the prompt in the editor (Edit mode unless `options.explore`), the model
    /// still loading. The first evaluation is requested when the worker reports `Loaded`.
    pub fn new(lang: Lang, params: SamplingParams, chat: bool, options: Options) -> State {
        let session = options.session.clone();
        let mut state = State::fresh_state(lang, params, chat, options);
        if let Some((path, file)) = session {
            state.files.session = Some(path.clone());
            if let Some(file) = file {
                session::restore(&mut state, &file, path);
            }
        }
        state
    }

    fn fresh_state(lang: Lang, params: SamplingParams, chat: bool, options: Options) -> State {
        // An encoder has no chat template and no prompt B.
        let chat = chat && options.encoder.is_none();
        let versus = options
            .versus
            .as_deref()
            .filter(|_| options.encoder.is_none());
        let saved_temperature = if params.temperature > 0.0 {
            params.temperature
        } else {
            1.0
        };
        State {
            mode: if options.explore {
                Mode::Explore
            } else {
                Mode::Edit
            },
            overlay: Overlay::None,
            lang,
            editor: Editor::new(&options.prompt),
            params: options.samplers.first().copied().unwrap_or(params),
            lab: if options.samplers.len() > 1 {
                Lab::from_columns(&options.samplers)
            } else {
                Lab::default()
            },
            versus: versus.map(Versus::new),
            saved_temperature,
            chat,
            show_ids: false,
            no_color: options.no_color,
            model: ModelStatus::Loading(Progress::new(0.0, crate::model::LoadStep::Reading)),
            eval: None,
            awaiting: None,
            next_id: 0,
            tree: Tree::new(),
            look: None,
            selected: 0,
            autoplay: Autoplay::Off,
            autoplay_speed: DEFAULT_AUTOPLAY_SPEED,
            max_new_tokens: options.max_new_tokens,
            notice: None,
            error: None,
            tick: 0,
            size: (100, 30),
            prompt_area: (40, 2),
            view: None,
            roll: None,
            serial: 0,
            layout: options.layout,
            branches: Branches::default(),
            words: Words::default(),
            models: {
                let mut m = Models::new(options.models, options.current_model);
                m.b = options.model_b.as_deref().map(ModelB::loading);
                m
            },
            source: options.source.as_deref().map(Source::new),
            fill: match &options.encoder {
                Some(EncoderKind::FillMask { mask }) => Some(Fill::new(mask)),
                _ => None,
            },
            embeddings: (options.encoder == Some(EncoderKind::Embeddings))
                .then(Embeddings::default),
            files: export::Files {
                export_dir: options.export_dir,
                ..export::Files::default()
            },
            loaded_session: None,
            inside: Inside::default(),
            served: options.served,
        }
    }

    /// Who receives keys now.
    pub fn key_context(&self) -> Context {
        match (self.overlay, self.mode) {
            (Overlay::Help { .. }, _) => Context::Help,
            (Overlay::ConfirmQuit, _) => Context::Confirm,
            (Overlay::Branches, _) => Context::Branches,
            (Overlay::Picker, _) => Context::Picker,
            (Overlay::None, _) if self.inside.field.is_some() => Context::InsideWord,
            (Overlay::None, Mode::Edit) => Context::Edit,
            (Overlay::None, Mode::Explore) => Context::Explore,
        }
    }

    /// The loaded model, if any.
    pub fn model_info(&self) -> Option<&ModelInfo> {
        match &self.model {
            ModelStatus::Ready(info) => Some(info),
            _ => None,
        }
    }

    /// Whether something moves on screen by itself (the app redraws on ticks only then).
    pub fn animating(&self) -> bool {
        self.awaiting.is_some()
            || self.served.as_ref().is_some_and(|s| s.again_at.is_some())
            || matches!(self.autoplay, Autoplay::Running { .. })
            || matches!(self.model, ModelStatus::Loading(_))
            || self.models.incoming.is_some()
            || self
                .models
                .b
                .as_ref()
                .is_some_and(|b| b.computing() || matches!(b.status, model_b::BStatus::Loading(_)))
    }

    /// Whether the last evaluation belongs to the current prompt and chat setting.
    pub fn fresh(&self) -> bool {
        self.eval
            .as_ref()
            .is_some_and(|e| e.prompt == self.editor.text() && e.chat == self.chat)
            && source::evaluation_fresh(self)
    }

    /// How many prompt tokens there are (from the last evaluation).
    pub fn prompt_len(&self) -> usize {
        self.eval.as_ref().map_or(0, |e| e.prompt_len)
    }

    /// How many leading tokens of the current sequence the last evaluation covers.
    pub fn evaluated_len(&self) -> usize {
        let Some(eval) = self.eval.as_ref().filter(|_| self.fresh()) else {
            return 0;
        };
        let generated = &eval.positions[eval.prompt_len.min(eval.positions.len())..];
        let common = self
            .tree
            .tokens()
            .iter()
            .zip(generated)
            .take_while(|(id, p)| **id == p.token.id)
            .count();
        (eval.prompt_len + common).min(eval.positions.len())
    }

    /// The sequence on screen: prompt and continuation, each token with its GLTR rank. While a
    /// new prompt is being evaluated, the previous evaluation is shown as it was.
    pub fn sequence(&self) -> Vec<SeqToken<'_>> {
        let Some(eval) = &self.eval else {
            return Vec::new();
        };
        if !self.fresh() {
            return eval
                .positions
                .iter()
                .enumerate()
                .map(|(i, p)| SeqToken {
                    index: i,
                    token: Cow::Borrowed(&p.token),
                    rank: p.rank,
                    prob: p.prob,
                    generated: i >= eval.prompt_len,
                    picked: false,
                    pending: false,
                })
                .collect();
        }
        let covered = self.evaluated_len();
        let path = self.tree.path();
        let mut out: Vec<SeqToken<'_>> = eval.positions[..covered]
            .iter()
            .enumerate()
            .map(|(i, p)| SeqToken {
                index: i,
                token: Cow::Borrowed(&p.token),
                rank: p.rank,
                prob: p.prob,
                generated: i >= eval.prompt_len,
                picked: i >= eval.prompt_len
                    && matches!(
                        self.tree.node(path[i - eval.prompt_len]).choice,
                        Choice::Picked { .. }
                    ),
                pending: false,
            })
            .collect();
        for (j, &node) in path.iter().enumerate().skip(covered - eval.prompt_len) {
            let n = self.tree.node(node);
            out.push(SeqToken {
                index: eval.prompt_len + j,
                token: self.token_view(n.token),
                rank: None,
                prob: None,
                generated: true,
                picked: matches!(n.choice, Choice::Picked { .. }),
                pending: true,
            });
        }
        out
    }

    /// Length of the displayed sequence.
    pub fn sequence_len(&self) -> usize {
        match &self.eval {
            None => 0,
            Some(e) if !self.fresh() => e.positions.len(),
            Some(e) => e.prompt_len + self.tree.depth(),
        }
    }

    /// How token `id` looks (from the model's vocabulary).
    pub fn token_view(&self, id: u32) -> Cow<'_, TokenView> {
        match self.model_info().and_then(|m| m.vocab.get(id as usize)) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(TokenView {
                id,
                piece: format!("<{id}>"),
                text: format!("<{id}>"),
                special: false,
            }),
        }
    }

    /// Raw model log-probability (nats) of the generated tokens that are evaluated, and how
    /// many there are.
    pub fn generated_logprob(&self) -> (f64, usize) {
        let Some(eval) = self.eval.as_ref().filter(|_| self.fresh()) else {
            return (0.0, 0);
        };
        let covered = self.evaluated_len();
        eval.positions[eval.prompt_len.min(covered)..covered]
            .iter()
            .filter_map(|p| p.prob)
            .fold((0.0, 0), |(sum, n), p| {
                (sum + f64::from(p).max(f64::MIN_POSITIVE).ln(), n + 1)
            })
    }

    /// The distribution shown, if any.
    pub fn distribution(&self) -> Option<&Distribution> {
        self.view.as_ref().and_then(|v| v.dist.as_ref())
    }

    /// Whether the next token can be chosen now (model ready, evaluation current).
    fn ready(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| !v.stale && v.dist.is_some())
            && self.fresh()
            && self.evaluated_len() == self.sequence_len()
    }

    fn say(&mut self, text: Text) {
        self.notice = Some(Notice { text, arg: None });
    }
}

/// Applies one message to the state and returns what the app must do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = match msg {
        // An encoder answers the decoder's actions itself (fill a mask, or say why not).
        // The inside view's word field takes the typing while it is open.
        Msg::Action(action) if inside::intercepts(state, &action) => inside::apply(state, action),
        Msg::Action(action) if encoder::intercepts(state, &action) => {
            state.notice = None;
            encoder::answer(state, action)
        }
        Msg::Action(action) if served::refuses(state, &action) => Vec::new(),
        Msg::Action(action) => {
            state.notice = None;
            match action.concern() {
                Concern::Editing => edit::apply(state, action),
                Concern::Interface => interface::apply(state, action),
                Concern::Generation => generation::apply(state, action),
                Concern::LookBack => look::apply(state, action),
                Concern::Sampling => settings::apply_to_state(state, action),
                Concern::Lab => samplers::apply(state, action),
                Concern::Versus => versus::apply(state, action),
                Concern::Branches => branches::apply(state, action),
                Concern::Words => words::apply(state, action),
                Concern::Models => picker::apply(state, action),
                Concern::Source => source::apply(state, action),
                Concern::Encoder => encoder::apply(state, action),
                Concern::Export => export::apply(state, action),
                Concern::Inside => inside::apply(state, action),
            }
        }
        Msg::Reply(reply) => reply::apply(state, reply),
        Msg::Side { slot, reply } => picker::on_reply(state, slot, reply),
        Msg::Tick => generation::on_tick(state),
        Msg::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Msg::Drawn { screen } => {
            state.files.screen = screen;
            Vec::new()
        }
        Msg::Exported(result) => {
            export::exported(state, result);
            Vec::new()
        }
        Msg::SessionSaved(result) => {
            export::saved(state, result);
            Vec::new()
        }
        Msg::Layout {
            prompt_width,
            prompt_height,
        } => {
            state.prompt_area = (
                usize::from(prompt_width).max(1),
                usize::from(prompt_height).max(1),
            );
            Vec::new()
        }
    };
    after_update(state, &mut effects);
    effects
}

/// What follows every message: the views recomputed, the branches recorded, and the requests
/// the views want (the inside view's first, then the word view's, model B's, a served retry).
fn after_update(state: &mut State, effects: &mut Vec<Effect>) {
    // An encoder's views compute their own (the mask shown, or no distribution at all).
    if !fill::refresh_view(state) {
        view::refresh(state);
    }
    branches::record(state);
    if effects.iter().any(|e| matches!(e, Effect::Evaluate(_))) {
        words::superseded(state);
        inside::superseded(state);
    }
    // The inside view goes before the word view's background requests (the worker serves
    // only the newest): a word asked for meanwhile is asked again later.
    let asked = inside::refresh(state);
    if !asked.is_empty() {
        words::superseded(state);
        effects.extend(asked);
    } else if !state.inside.busy() {
        effects.extend(words::refresh(state));
    }
    model_b::refresh(state);
    effects.extend(model_b::sync_b(state));
    let again = served::refresh(state, effects);
    effects.extend(again);
}
