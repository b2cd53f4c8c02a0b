//! Starting the interactive playground: checks, terminal, runtime, model worker, state, loop.
//!
//! The terminal is restored on every way out: quit, error, panic and a signal from outside.
//! A panic restores it first (ratatui's hook, installed after color-eyre's), then prints the
//! report and where to send it. SIGTERM, SIGHUP and SIGINT end the session with
//! [`Ending::Signal`], which the binary turns into exit status 128 + the signal's number.

use std::io::IsTerminal;

use crate::app;
use crate::engine::{self, EngineOptions};
use crate::i18n::Lang;
use crate::sampling::SamplingParams;
use crate::state::{Options, State};

/// Everything the playground starts with (built by the CLI from its flags).
#[derive(Clone, Debug)]
pub struct PlaygroundOptions {
    pub engine: EngineOptions,
    pub lang: Lang,
    pub params: SamplingParams,
    pub chat: bool,
    pub state: Options,
    /// Model B, loaded beside the main one from the start (`--model-b`).
    pub model_b: Option<std::path::PathBuf>,
}

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// A signal from outside (its number: SIGHUP 1, SIGINT 2, SIGTERM 15).
    Signal(i32),
}

/// Why the playground could not run.
#[derive(Debug)]
pub enum PlaygroundError {
    /// Standard input or output is not a terminal.
    NoTerminal,
    /// The terminal or the event loop failed.
    Io(color_eyre::Report),
}

/// Where to report a crash.
const REPORT_TO: &str = "please report it with the text above at the project's issue tracker \
                         (the README says where)";

/// Runs the playground until the user quits or a signal arrives.
pub fn run(options: PlaygroundOptions) -> Result<Ending, PlaygroundError> {
    // Fail before touching the terminal when there is nothing to run on.
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(PlaygroundError::NoTerminal);
    }
    color_eyre::config::HookBuilder::default()
        .panic_section(REPORT_TO)
        .install()
        .map_err(PlaygroundError::Io)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PlaygroundError::Io(e.into()))?;
    // A served model's playground starts no other worker (no picker, no model B).
    let template = options
        .engine
        .endpoint
        .is_none()
        .then(|| options.engine.clone());
    let mut engines = app::Engines::new(engine::spawn(options.engine.clone()), template);
    if let Some(path) = options.model_b {
        let b = EngineOptions {
            model: path,
            endpoint: None,
            ..options.engine
        };
        engines = engines.with_b(engine::spawn(b));
    }
    let state = State::new(options.lang, options.params, options.chat, options.state);
    let mut terminal = ratatui::init();
    // After ratatui's hook: a panic the engine catches and survives must not restore the terminal.
    engine::recover::install_hook(panic_log());
    let result = runtime.block_on(async {
        tokio::select! {
            r = app::run_engines(&mut terminal, engines, state) => r.map(|()| Ending::Quit),
            n = signalled() => Ok(Ending::Signal(n)),
        }
    });
    ratatui::restore();
    result.map_err(PlaygroundError::Io)
}

/// Where caught (survived) panics are logged, one line each: `TOKENSCOPE_PANIC_LOG` (the soak
/// test sets it and reports them).
pub fn panic_log() -> Option<std::path::PathBuf> {
    std::env::var_os("TOKENSCOPE_PANIC_LOG").map(std::path::PathBuf::from)
}

/// Resolves with the signal's number on SIGTERM, SIGHUP or SIGINT (never on other platforms).
async fn signalled() -> i32 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut hup), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => libc::SIGTERM,
                    _ = hup.recv() => libc::SIGHUP,
                    _ = int.recv() => libc::SIGINT,
                }
            }
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<i32>().await
}
