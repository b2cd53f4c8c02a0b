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

mod settings;
pub mod tree;
mod view;

use std::borrow::Cow;
use std::time::Duration;

use crate::action::Action;
use crate::editor::Editor;
use crate::engine::{ModelInfo, Position, Reply, Request, TokenView};
use crate::i18n::{Lang, Text};
use crate::keymap::Context;
use crate::sampling::{Distribution, SamplingParams};

pub use tree::{Choice, NodeId, Tree};
pub use view::{ROLL_SEGMENTS, Roll, View};

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
}

/// Where the model is.
#[derive(Clone, Debug)]
pub enum ModelStatus {
    Loading { fraction: f32, step: String },
    Ready(ModelInfo),
    Failed(String),
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
    /// Time passes ([`TICK_MS`]): spinner and autoplay.
    Tick,
    /// The terminal has a new size.
    Resize { width: u16, height: u16 },
}

/// What the app must do after an update.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Send this request to the model worker.
    Evaluate(Request),
    /// Leave.
    Quit,
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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            prompt: String::new(),
            no_color: false,
            max_new_tokens: 256,
            explore: false,
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
    pub error: Option<String>,
    /// Ticks since start (spinner frame).
    pub tick: u64,
    /// Terminal size.
    pub size: (u16, u16),
    /// Derived: the distribution at the cursor.
    pub view: Option<View>,
    /// Derived: how the token at the cursor (or the last generated one) was chosen.
    pub roll: Option<Roll>,
    serial: u64,
}

impl State {
    /// A fresh state: the prompt in the editor (Edit mode unless `options.explore`), the model
    /// still loading. The first evaluation is requested when the worker reports `Loaded`.
    pub fn new(lang: Lang, params: SamplingParams, chat: bool, options: Options) -> State {
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
            params,
            saved_temperature,
            chat,
            show_ids: false,
            no_color: options.no_color,
            model: ModelStatus::Loading {
                fraction: 0.0,
                step: String::new(),
            },
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
            view: None,
            roll: None,
            serial: 0,
        }
    }

    /// Who receives keys now.
    pub fn key_context(&self) -> Context {
        match (self.overlay, self.mode) {
            (Overlay::Help { .. }, _) => Context::Help,
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
            || matches!(self.autoplay, Autoplay::Running { .. })
            || matches!(self.model, ModelStatus::Loading { .. })
    }

    /// Whether the last evaluation belongs to the current prompt and chat setting.
    pub fn fresh(&self) -> bool {
        self.eval
            .as_ref()
            .is_some_and(|e| e.prompt == self.editor.text() && e.chat == self.chat)
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
    let effects = match msg {
        Msg::Action(action) => {
            state.notice = None;
            on_action(state, action)
        }
        Msg::Reply(reply) => on_reply(state, reply),
        Msg::Tick => on_tick(state),
        Msg::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
    };
    refresh(state);
    effects
}

fn on_action(s: &mut State, action: Action) -> Vec<Effect> {
    if let Action::Paste(_) = action {
        // Pasted text is meant for the prompt, whatever the mode.
        s.mode = Mode::Edit;
    }
    if action.is_editing() {
        return on_edit(s, action);
    }
    match action {
        Action::Explore => {
            s.mode = Mode::Explore;
            Vec::new()
        }
        Action::Edit => {
            s.mode = Mode::Edit;
            Vec::new()
        }
        Action::ToggleMode => {
            s.mode = match s.mode {
                Mode::Edit => Mode::Explore,
                Mode::Explore => Mode::Edit,
            };
            Vec::new()
        }
        Action::ToggleHelp => {
            s.overlay = match s.overlay {
                Overlay::None => Overlay::Help { scroll: 0 },
                Overlay::Help { .. } => Overlay::None,
            };
            Vec::new()
        }
        Action::ScrollHelp(delta) => {
            if let Overlay::Help { scroll } = &mut s.overlay {
                *scroll = scroll.saturating_add_signed(delta);
            }
            Vec::new()
        }
        Action::ClickPrompt { row, col } => {
            s.mode = Mode::Edit;
            let (w, _) = crate::ui::layout::prompt_text_size(s);
            s.editor.click(w, usize::from(row), usize::from(col));
            Vec::new()
        }
        Action::Step => {
            s.autoplay = Autoplay::Off;
            step(s)
        }
        Action::PickRank(n) => pick(s, n.saturating_sub(1)),
        Action::PickSelected => {
            if s.distribution().is_none() {
                s.mode = Mode::Edit;
                Vec::new()
            } else {
                pick(s, s.selected)
            }
        }
        Action::SelectUp => {
            s.selected = s.selected.saturating_sub(1);
            Vec::new()
        }
        Action::SelectDown => {
            let vocab = s.distribution().map_or(0, |d| d.candidates.len());
            s.selected = (s.selected + 1)
                .min(vocab.saturating_sub(1))
                .min(MAX_SELECTABLE_RANK);
            Vec::new()
        }
        Action::Undo => {
            s.autoplay = Autoplay::Off;
            s.look = None;
            if !s.tree.undo() {
                s.say(Text::NoticeNothingToUndo);
            }
            sync(s)
        }
        Action::Redo => {
            s.autoplay = Autoplay::Off;
            s.look = None;
            if !s.tree.redo() {
                s.say(Text::NoticeNothingToRedo);
            }
            sync(s)
        }
        Action::ToggleAutoplay => {
            s.autoplay = match s.autoplay {
                Autoplay::Running { .. } => Autoplay::Off,
                _ => {
                    s.look = None;
                    Autoplay::Running { wait: 0 }
                }
            };
            Vec::new()
        }
        Action::Faster => {
            s.autoplay_speed = s.autoplay_speed.saturating_sub(1);
            Vec::new()
        }
        Action::Slower => {
            s.autoplay_speed = (s.autoplay_speed + 1).min(AUTOPLAY_DELAYS_MS.len() - 1);
            Vec::new()
        }
        Action::ResetGeneration => {
            s.autoplay = Autoplay::Off;
            s.tree = Tree::new();
            s.look = None;
            sync(s)
        }
        Action::LookBack => {
            let len = s.sequence_len();
            if len > 0 {
                s.look = Some(match s.look {
                    None => len - 1,
                    Some(i) => i.saturating_sub(1),
                });
            }
            Vec::new()
        }
        Action::LookForward => {
            s.look = match s.look {
                Some(i) if i + 1 < s.sequence_len() => Some(i + 1),
                _ => None,
            };
            Vec::new()
        }
        Action::LookFirst => {
            if s.sequence_len() > 0 {
                s.look = Some(0);
            }
            Vec::new()
        }
        Action::LookLive => {
            s.look = None;
            Vec::new()
        }
        Action::LookAt(i) => {
            if i < s.sequence_len() {
                s.look = Some(i);
            }
            Vec::new()
        }
        Action::PrevBranch => switch_branch(s, -1),
        Action::NextBranch => switch_branch(s, 1),
        Action::TemperatureDown
        | Action::TemperatureUp
        | Action::TopKDown
        | Action::TopKUp
        | Action::TopPDown
        | Action::TopPUp
        | Action::MinPDown
        | Action::MinPUp => {
            settings::apply(action, &mut s.params);
            Vec::new()
        }
        Action::ToggleGreedy => {
            if s.params.temperature > 0.0 {
                s.saved_temperature = s.params.temperature;
                s.params.temperature = 0.0;
            } else {
                s.params.temperature = if s.saved_temperature > 0.0 {
                    s.saved_temperature
                } else {
                    1.0
                };
            }
            Vec::new()
        }
        Action::NextSeed => {
            s.params.seed = s.params.seed.wrapping_add(1);
            s.notice = Some(Notice {
                text: Text::NoticeSeed,
                arg: Some(s.params.seed.to_string()),
            });
            Vec::new()
        }
        Action::PrevSeed => {
            s.params.seed = s.params.seed.wrapping_sub(1);
            s.notice = Some(Notice {
                text: Text::NoticeSeed,
                arg: Some(s.params.seed.to_string()),
            });
            Vec::new()
        }
        Action::ToggleChat => {
            s.chat = !s.chat;
            restart_generation(s);
            sync(s)
        }
        Action::ToggleIds => {
            s.show_ids = !s.show_ids;
            Vec::new()
        }
        Action::SwitchLanguage => {
            s.lang = s.lang.next();
            s.say(Text::NoticeLanguage);
            Vec::new()
        }
        Action::Quit => vec![Effect::Quit],
        // Editing actions are handled above.
        _ => Vec::new(),
    }
}

/// Editor keys: change the text (then the generation starts over) or move the text cursor.
fn on_edit(s: &mut State, action: Action) -> Vec<Effect> {
    let (width, height) = crate::ui::layout::prompt_text_size(s);
    let e = &mut s.editor;
    let changed = match action {
        Action::InsertChar(c) => e.insert_char(c),
        Action::Paste(text) => e.insert_str(&text),
        Action::Newline => e.newline(),
        Action::DeleteBack => e.delete_back(),
        Action::DeleteForward => e.delete_forward(),
        Action::DeleteWordBack => e.delete_word_back(),
        Action::KillToLineStart => e.kill_to_line_start(),
        Action::KillToLineEnd => e.kill_to_line_end(),
        Action::CaretLeft => {
            e.left();
            false
        }
        Action::CaretRight => {
            e.right();
            false
        }
        Action::CaretUp => {
            e.up(width);
            false
        }
        Action::CaretDown => {
            e.down(width);
            false
        }
        Action::CaretWordLeft => {
            e.word_left();
            false
        }
        Action::CaretWordRight => {
            e.word_right();
            false
        }
        Action::CaretLineStart => {
            e.line_start();
            false
        }
        Action::CaretLineEnd => {
            e.line_end();
            false
        }
        _ => false,
    };
    e.scroll_to_cursor(width, height);
    if changed {
        restart_generation(s);
        sync(s)
    } else {
        Vec::new()
    }
}

/// A new prompt (or chat setting) means a new generation.
fn restart_generation(s: &mut State) {
    s.tree = Tree::new();
    s.look = None;
    s.selected = 0;
    s.autoplay = Autoplay::Off;
}

/// Requests an evaluation unless the last one already covers the current sequence.
fn sync(s: &mut State) -> Vec<Effect> {
    if s.editor.is_empty() && !s.chat {
        s.eval = None;
        s.awaiting = None;
        return Vec::new();
    }
    if s.fresh() && s.evaluated_len() == s.sequence_len() {
        s.awaiting = None;
        return Vec::new();
    }
    s.next_id += 1;
    let awaiting = Awaiting {
        id: s.next_id,
        prompt: s.editor.text().to_string(),
        chat: s.chat,
        continuation: s.tree.tokens(),
    };
    let request = Request::Evaluate {
        id: awaiting.id,
        prompt: awaiting.prompt.clone(),
        chat: awaiting.chat,
        continuation: awaiting.continuation.clone(),
    };
    s.awaiting = Some(awaiting);
    vec![Effect::Evaluate(request)]
}

/// Checks that a token can be chosen at the view's index (model ready, evaluation current, not
/// a prompt token); returns that index.
fn choice_index(s: &mut State) -> Option<usize> {
    if s.model_info().is_none() {
        s.say(Text::NoticeNotReady);
        return None;
    }
    if !s.ready() {
        s.say(Text::NoticeBusy);
        return None;
    }
    let index = s.view.as_ref()?.index;
    if index < s.prompt_len() {
        s.say(Text::NoticePromptToken);
        return None;
    }
    Some(index)
}

/// Puts `token` at sequence index `index`: the continuation is cut just before it (the cut
/// part stays in the tree) and the token appended, reusing a branch that already has it.
fn choose(s: &mut State, index: usize, token: u32, choice: Choice) -> Vec<Effect> {
    s.tree.truncate(index - s.prompt_len());
    s.tree.push(token, choice);
    s.look = None;
    sync(s)
}

/// Rolls the dice at the view's position (the step number is the token's index in the
/// sequence, so the same seed replays the same draws) and appends the drawn token.
fn step(s: &mut State) -> Vec<Effect> {
    let Some(index) = choice_index(s) else {
        return Vec::new();
    };
    let Some(dist) = s.distribution() else {
        return Vec::new();
    };
    let draw = dist.sample(index as u64);
    let params = dist.params;
    choose(s, index, draw.id, Choice::Sampled { draw, params })
}

/// Appends the candidate of 0-based `rank` at the view's position.
fn pick(s: &mut State, rank: usize) -> Vec<Effect> {
    let Some(id) = s
        .distribution()
        .and_then(|d| d.candidates.get(rank))
        .map(|c| c.id)
    else {
        s.say(Text::NoticeNoCandidate);
        return Vec::new();
    };
    s.autoplay = Autoplay::Off;
    match choice_index(s) {
        Some(index) => choose(s, index, id, Choice::Picked { rank }),
        None => Vec::new(),
    }
}

fn switch_branch(s: &mut State, delta: isize) -> Vec<Effect> {
    s.autoplay = Autoplay::Off;
    let prompt_len = s.prompt_len();
    let node = match s.look {
        Some(i) if i >= prompt_len => s.tree.node_at(i - prompt_len),
        _ => s.tree.last_fork(),
    };
    match node {
        Some(node) if s.tree.switch_sibling(node, delta) => sync(s),
        _ => {
            s.say(Text::NoticeNoBranch);
            Vec::new()
        }
    }
}

fn on_reply(s: &mut State, reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::Progress { fraction, step } => {
            if !matches!(s.model, ModelStatus::Ready(_)) {
                s.model = ModelStatus::Loading { fraction, step };
            }
            Vec::new()
        }
        Reply::Loaded(info) => {
            s.model = ModelStatus::Ready(info);
            // Ask again even if a request went out while loading: the worker keeps only the
            // newest, and this way no reply depends on what it did with early requests.
            s.awaiting = None;
            sync(s)
        }
        Reply::Evaluated {
            id,
            prompt_len,
            positions,
            reused,
            elapsed,
        } => {
            let Some(awaiting) = s.awaiting.take_if(|a| a.id == id) else {
                return Vec::new();
            };
            s.serial += 1;
            s.eval = Some(Evaluation {
                prompt: awaiting.prompt,
                chat: awaiting.chat,
                prompt_len: prompt_len.min(positions.len()),
                positions,
                reused,
                elapsed,
                serial: s.serial,
            });
            s.error = None;
            if s.look.is_some_and(|look| look >= s.sequence_len()) {
                s.look = None;
            }
            Vec::new()
        }
        Reply::Failed { id, message } => {
            if id == 0 {
                // Not tied to a request: loading failed, or the worker broke down.
                if !matches!(s.model, ModelStatus::Ready(_)) {
                    s.model = ModelStatus::Failed(message.clone());
                }
                s.awaiting = None;
                s.autoplay = Autoplay::Off;
                s.error = Some(message);
            } else if s.awaiting.as_ref().is_some_and(|a| a.id == id) {
                s.awaiting = None;
                s.autoplay = Autoplay::Off;
                s.error = Some(message);
            }
            Vec::new()
        }
    }
}

fn on_tick(s: &mut State) -> Vec<Effect> {
    s.tick = s.tick.wrapping_add(1);
    let Autoplay::Running { wait } = s.autoplay else {
        return Vec::new();
    };
    if s.awaiting.is_some() || !s.ready() {
        return Vec::new();
    }
    if wait > 0 {
        s.autoplay = Autoplay::Running { wait: wait - 1 };
        return Vec::new();
    }
    let head = s.tree.head();
    let stop_ids = s
        .model_info()
        .map(|m| m.stop_ids.clone())
        .unwrap_or_default();
    if head != tree::ROOT && stop_ids.contains(&s.tree.node(head).token) {
        s.autoplay = Autoplay::Stopped(StopReason::EndOfText);
        return Vec::new();
    }
    if s.tree.depth() >= s.max_new_tokens {
        s.autoplay = Autoplay::Stopped(StopReason::Limit);
        return Vec::new();
    }
    s.look = None;
    let effects = step(s);
    s.autoplay = Autoplay::Running {
        wait: AUTOPLAY_DELAYS_MS[s.autoplay_speed] / TICK_MS,
    };
    effects
}

/// Recomputes the derived view data whose inputs changed.
fn refresh(s: &mut State) {
    // The look-back cursor stays inside the sequence.
    let len = s.sequence_len();
    if s.look.is_some_and(|i| i >= len) {
        s.look = None;
    }
    let Some(eval) = &s.eval else {
        s.view = None;
        s.roll = None;
        return;
    };
    let fresh = s.fresh();
    let covered = if fresh {
        s.evaluated_len()
    } else {
        eval.positions.len()
    };
    let index = s.look.unwrap_or(len);

    // The distribution at the cursor: logits after the token before it.
    let key = view::ViewKey {
        serial: eval.serial,
        index,
        params: s.params,
    };
    if s.view.as_ref().is_none_or(|v| v.key != key) {
        let old_index = s.view.as_ref().map(|v| v.index);
        if index > covered {
            // Not evaluated yet: keep what is there until the reply comes.
            if let Some(v) = &mut s.view {
                v.stale = true;
            }
        } else {
            let logits = index.checked_sub(1).map(|i| &eval.positions[i].logits);
            let actual = (index < len).then(|| token_at(s, index));
            let view = View::compute(logits, &s.params, actual, !fresh, key);
            if old_index != Some(index) {
                s.selected = view.actual.and_then(|(_, r)| r).unwrap_or(0);
            }
            s.view = Some(view);
        }
    } else if let Some(v) = &mut s.view {
        v.stale = !fresh;
    }

    // The roll: how the generated token at the cursor (or the last one) was chosen.
    let prompt_len = eval.prompt_len;
    let token_index = match s.look {
        Some(i) if fresh && i >= prompt_len => Some(i),
        Some(_) => None,
        None if fresh && s.tree.depth() > 0 => Some(prompt_len + s.tree.depth() - 1),
        None => None,
    };
    let Some(token_index) = token_index.filter(|&i| i >= 1 && i - 1 < covered) else {
        if !fresh || s.tree.depth() == 0 {
            s.roll = None;
        }
        return;
    };
    let Some(node) = s.tree.node_at(token_index - prompt_len) else {
        s.roll = None;
        return;
    };
    let node = s.tree.node(node).clone();
    let params = match node.choice {
        Choice::Sampled { params, .. } => params,
        Choice::Picked { .. } => s.params,
    };
    let key = view::RollKey {
        serial: eval.serial,
        index: token_index,
        token: node.token,
        params,
    };
    if s.roll.as_ref().is_none_or(|r| r.key != key) {
        let logits = eval.positions[token_index - 1].logits.clone();
        let token = s.token_view(node.token).into_owned();
        s.roll = Some(Roll::compute(&logits, &s.params, token, node.choice, key));
    }
}

/// The token id at `index` of the displayed sequence.
fn token_at(s: &State, index: usize) -> u32 {
    let eval = s.eval.as_ref().expect("called with an evaluation");
    if !s.fresh() || index < eval.prompt_len {
        return eval.positions[index].token.id;
    }
    let path = s.tree.path();
    s.tree.node(path[index - eval.prompt_len]).token
}
