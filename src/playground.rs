//! Starting the interactive playground: checks, terminal, runtime, model worker, state, loop.
//! The terminal is restored on every way out: quit, error, panic (ratatui's hook, installed after
//! color-eyre's) and SIGTERM/SIGHUP.

use std::io::IsTerminal;

use crate::cli::Cli;
use crate::engine::{self, EngineOptions};
use crate::i18n::Lang;
use crate::state::{Options, State};
use crate::{app, ui};

/// Runs the playground until the user quits.
pub fn main(cli: &Cli) -> Result<(), String> {
    // Fail before touching the terminal when there is nothing to run.
    let model = cli.common.model_path().map_err(|e| e.0)?;
    let params = cli.sampling.params()?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(
            "the playground needs an interactive terminal; for scripts use \
                    `tokenscope tokenize`, `next` or `generate` (see --help)"
                .into(),
        );
    }
    color_eyre::install().map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the event loop: {e}"))?;
    let engine = engine::spawn(EngineOptions {
        model,
        device: cli.common.device(),
        precision: cli.common.precision(),
        threads: cli.common.threads.unwrap_or(0),
    });
    let lang = Lang::detect(cli.lang.as_deref());
    let options = Options {
        prompt: cli.prompt.clone().unwrap_or_default(),
        no_color: ui::theme::no_color_from_env(),
        ..Options::default()
    };
    let state = State::new(lang, params, cli.chat, options);
    let mut terminal = ratatui::init();
    let result = runtime.block_on(async {
        tokio::select! {
            r = app::run(&mut terminal, engine, state) => r,
            _ = terminated() => Ok(()),
        }
    });
    ratatui::restore();
    result.map_err(|e| format!("{e:?}"))
}

/// Resolves on SIGTERM or SIGHUP (never on other platforms).
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = hup.recv() => {},
                }
            }
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await
}
