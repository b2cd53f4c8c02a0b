//! The event loop: one `tokio::select!` over terminal events, model replies and a tick; every
//! input becomes a `Msg` for `state::update`, whose effects are executed here (send a request,
//! quit). Queued events are drained before drawing, and the screen is drawn only when
//! something changed.
//!
//! [`Harness`] runs the same `update` without a terminal, for tests and scripted sessions.
//!
//! Starting it (what `main`/`playground` does):
//!
//! ```ignore
//! let lang = Lang::detect(cli_lang_flag);                 // --lang, else LC_ALL/LC_MESSAGES/LANG
//! let options = Options { prompt, no_color: ui::theme::no_color_from_env(), ..Options::default() };
//! let state = State::new(lang, sampling_params, chat, options);
//! let engine = engine::spawn(/* … */);                    // EngineHandle
//! let mut terminal = ratatui::init();
//! let result = runtime.block_on(app::run(&mut terminal, engine, state));
//! ratatui::restore();
//! ```

use std::io::stdout;
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEvent, MouseButton, MouseEvent, MouseEventKind,
};
use crossterm::execute;
use futures::{FutureExt, StreamExt};
use ratatui::DefaultTerminal;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use tokio::time::MissedTickBehavior;

mod engines;
pub mod files;

pub use engines::{Engines, Source};

use crate::action::Action;
use crate::engine::{EngineHandle, Reply, Request};
use crate::i18n::Text;
use crate::keymap;
use crate::state::{self, Effect, Msg, Notice, State, TICK_MS};
use crate::ui;

/// Runs the interface until the user quits. Enables bracketed paste and mouse capture for the
/// session and disables them again on the way out (also after an error). The terminal itself
/// (raw mode, alternate screen) is set up and restored by the caller (`ratatui::init` /
/// `ratatui::restore`). On quit, a `Request::Shutdown` is sent to the worker.
pub async fn run(
    terminal: &mut DefaultTerminal,
    engine: EngineHandle,
    state: State,
) -> color_eyre::Result<()> {
    run_engines(terminal, Engines::new(engine, None), state).await
}

/// [`run`] with every worker of the session: the main one, model B's if it was started with
/// the session, and how to start more (the picker's switch and "open as B").
pub async fn run_engines(
    terminal: &mut DefaultTerminal,
    engines: Engines,
    state: State,
) -> color_eyre::Result<()> {
    execute!(stdout(), EnableBracketedPaste, EnableMouseCapture)?;
    let result = event_loop(terminal, engines, state).await;
    let restored = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
    result?;
    restored?;
    Ok(())
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut engine: Engines,
    mut state: State,
) -> color_eyre::Result<()> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(TICK_MS));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let size = terminal.size()?;
    let mut quit = apply(
        &mut state,
        &mut engine,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    let mut dirty = true;

    while !quit {
        if dirty {
            let mut areas = None;
            let frame = terminal.draw(|frame| areas = ui::render(frame, &state))?;
            let drawn = drawn_msg(&state, frame.buffer);
            dirty = false;
            for msg in drawn.into_iter().chain(layout_msg(&state, areas)) {
                apply(&mut state, &mut engine, msg);
            }
        }
        // Terminal events stay events until their turn: a key is resolved in the context the
        // keys before it left (`i` then `q` typed fast types a `q` into the prompt).
        let mut msgs: Vec<Queued> = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => msgs.push(Queued::Event(event)),
                Some(Err(err)) => return Err(err.into()),
                None => break,
            },
            (from, reply) = engine.recv() => match reply {
                Some(reply) => msgs.push(Queued::Msg(reply_msg(from, reply))),
                None if from == Source::Main => {
                    state.notice = Some(Notice { text: Text::NoticeEngineGone, arg: None });
                    dirty = true;
                }
                None => {}
            },
            _ = tick.tick() => {
                if state.animating() {
                    msgs.push(Queued::Msg(Msg::Tick));
                }
            }
        }
        // Drain whatever else is already queued, so a burst (a paste, a fast typist, a series
        // of replies) costs one draw.
        while let Some(Some(Ok(event))) = events.next().now_or_never() {
            msgs.push(Queued::Event(event));
        }
        while let Some((from, reply)) = engine.try_recv() {
            msgs.push(Queued::Msg(reply_msg(from, reply)));
        }
        let area = terminal_area(terminal)?;
        'queue: for queued in msgs {
            let batch = match queued {
                Queued::Event(event) => event_msgs(&state, area, event),
                Queued::Msg(msg) => vec![msg],
            };
            for msg in batch {
                dirty = true;
                if apply(&mut state, &mut engine, msg) {
                    quit = true;
                    break 'queue;
                }
            }
        }
    }
    engine.shutdown();
    Ok(())
}

/// The message for a reply from `from`.
fn reply_msg(from: Source, reply: Reply) -> Msg {
    match from {
        Source::Main => Msg::Reply(reply),
        Source::Other(slot) => Msg::Side { slot, reply },
    }
}

/// Something waiting for its turn in one pass of the loop.
enum Queued {
    /// A terminal event, turned into messages only when its turn comes.
    Event(Event),
    Msg(Msg),
}

/// The `Msg::Layout` telling the state the size of the prompt editor as drawn, when it changed.
fn layout_msg(state: &State, areas: Option<ui::layout::Areas>) -> Option<Msg> {
    let prompt = ui::layout::inner(areas?.prompt);
    let size = (usize::from(prompt.width), usize::from(prompt.height));
    (size != state.prompt_area).then_some(Msg::Layout {
        prompt_width: prompt.width,
        prompt_height: prompt.height,
    })
}

/// The `Msg::Drawn` handing the drawn screen to the state (for the export's screenshot), when
/// it changed.
fn drawn_msg(state: &State, buffer: &ratatui::buffer::Buffer) -> Option<Msg> {
    let screen = crate::export::screenshot::text(buffer);
    (*state.files.screen != *screen).then(|| Msg::Drawn {
        screen: screen.into(),
    })
}

fn terminal_area(terminal: &DefaultTerminal) -> color_eyre::Result<Rect> {
    let size = terminal.size()?;
    Ok(Rect::new(0, 0, size.width, size.height))
}

/// Runs `update` and executes its effects; returns whether to quit.
fn apply(state: &mut State, engine: &mut Engines, msg: Msg) -> bool {
    let mut quit = false;
    for effect in state::update(state, msg) {
        if let Some(answer) = files::perform(&effect, state.lang) {
            quit |= apply(state, engine, answer);
            continue;
        }
        let gone = match effect {
            Effect::Evaluate(request) => engine.main.requests.send(request).is_err(),
            Effect::EvaluateB(request) => !engine.send_b(request),
            Effect::LoadModel { slot, path } => !engine.load(slot, path),
            Effect::PromoteIncoming => {
                engine.promote();
                false
            }
            Effect::DropWorker(slot) => {
                engine.drop_worker(slot);
                false
            }
            Effect::Quit => {
                quit = true;
                false
            }
            Effect::Export { .. } | Effect::SaveSession { .. } => false,
        };
        if gone {
            state.notice = Some(Notice {
                text: Text::NoticeEngineGone,
                arg: None,
            });
        }
    }
    quit
}

/// The messages of a terminal event (none when it means nothing; two for an Esc glued to the
/// next key, see [`keymap::split_escape`]).
pub fn event_msgs(state: &State, area: Rect, event: Event) -> Vec<Msg> {
    match event {
        Event::Key(key) => keymap::resolve_all(state.key_context(), &key)
            .into_iter()
            .map(Msg::Action)
            .collect(),
        other => event_msg(state, area, other).into_iter().collect(),
    }
}

/// The message for a terminal event, if it means anything.
pub fn event_msg(state: &State, area: Rect, event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => keymap::resolve(state.key_context(), &key).map(Msg::Action),
        Event::Paste(text) => match state.key_context() {
            keymap::Context::Edit | keymap::Context::Explore => {
                Some(Msg::Action(Action::Paste(text)))
            }
            _ => None,
        },
        Event::Mouse(mouse) => mouse_action(state, area, mouse).map(Msg::Action),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::FocusGained | Event::FocusLost => None,
    }
}

/// Clicks pick candidates, move the look-back cursor or place the text cursor; the wheel over
/// the candidate list moves the selection.
pub fn mouse_action(state: &State, area: Rect, mouse: MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            ui::hit_test(area, state, mouse.column, mouse.row)
        }
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let areas = ui::layout::layout(area, state)?;
            let next = areas.next;
            let inside = mouse.column >= next.x
                && mouse.column < next.x + next.width
                && mouse.row >= next.y
                && mouse.row < next.y + next.height;
            match (inside, mouse.kind) {
                (true, MouseEventKind::ScrollUp) => Some(Action::SelectUp),
                (true, _) => Some(Action::SelectDown),
                (false, _) => None,
            }
        }
        _ => None,
    }
}

/// The app without a terminal: feed it messages, actions, keys and replies; it runs `update`
/// and hands every effect to an executor (by default it just records them). Benchmarks and
/// scripted sessions drive it; `draw` renders on any ratatui backend.
pub struct Harness {
    pub state: State,
    /// Every effect so far, in order.
    pub effects: Vec<Effect>,
    executor: Box<dyn FnMut(&Effect)>,
    /// How many of `effects` the worker stand-in has seen.
    answered: usize,
    /// How many of `effects` [`Harness::perform_files`] has looked at.
    performed: usize,
}

impl Harness {
    /// A harness that records effects (the state keeps its own terminal size, 100×30 unless
    /// told otherwise by a `Msg::Resize` or [`Harness::render`]).
    pub fn new(state: State) -> Harness {
        Harness::with_executor(state, |_| {})
    }

    /// A harness that also passes every effect to `executor` (e.g. to answer requests).
    pub fn with_executor(state: State, executor: impl FnMut(&Effect) + 'static) -> Harness {
        Harness {
            state,
            effects: Vec::new(),
            executor: Box::new(executor),
            answered: 0,
            performed: 0,
        }
    }

    /// Applies one message; returns its effects.
    pub fn send(&mut self, msg: Msg) -> Vec<Effect> {
        let effects = state::update(&mut self.state, msg);
        for e in &effects {
            (self.executor)(e);
        }
        self.effects.extend(effects.iter().cloned());
        effects
    }

    /// Applies one action.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        self.send(Msg::Action(action))
    }

    /// Presses a key (resolved through the keymap in the current context, as the event loop
    /// does: an Esc glued to the next key is both).
    pub fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let actions = keymap::resolve_all(self.state.key_context(), &key);
        actions.into_iter().flat_map(|a| self.act(a)).collect()
    }

    /// Delivers a worker reply.
    pub fn reply(&mut self, reply: Reply) -> Vec<Effect> {
        self.send(Msg::Reply(reply))
    }

    /// Plays the model worker: answers the newest request sent since the last call (the real
    /// worker also keeps only the newest) with `worker`, and repeats while answers cause new
    /// requests. Returns how many replies were delivered.
    pub fn answer_with(&mut self, worker: impl Fn(&Request) -> Option<Reply>) -> usize {
        let mut delivered = 0;
        loop {
            let newest = self.effects[self.answered..]
                .iter()
                .rev()
                .find_map(|e| match e {
                    Effect::Evaluate(r) => Some(r.clone()),
                    _ => None,
                });
            self.answered = self.effects.len();
            let Some(reply) = newest.and_then(|r| worker(&r)) else {
                return delivered;
            };
            self.reply(reply);
            delivered += 1;
        }
    }

    /// Writes the files asked for since the last call (exports, saved sessions), as the event
    /// loop does, and delivers the answers. Returns how many were written (or failed).
    pub fn perform_files(&mut self) -> usize {
        let mut done = 0;
        while self.performed < self.effects.len() {
            let effect = self.effects[self.performed].clone();
            self.performed += 1;
            if let Some(answer) = files::perform(&effect, self.state.lang) {
                self.send(answer);
                done += 1;
            }
        }
        done
    }

    /// The last `Evaluate` request sent, if any.
    pub fn last_request(&self) -> Option<&Request> {
        self.effects.iter().rev().find_map(|e| match e {
            Effect::Evaluate(r) => Some(r),
            _ => None,
        })
    }

    /// Draws the screen on `terminal` (after telling the state its size) and reports the
    /// layout back to the state, as the event loop does.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let area = terminal.get_frame().area();
        self.send(Msg::Resize {
            width: area.width,
            height: area.height,
        });
        let mut areas = None;
        let frame = terminal.draw(|frame| areas = ui::render(frame, &self.state))?;
        let drawn = drawn_msg(&self.state, frame.buffer);
        for msg in drawn.into_iter().chain(layout_msg(&self.state, areas)) {
            self.send(msg);
        }
        Ok(())
    }
}
