//! The command line: the playground (no subcommand) and the scriptable `tokenize`, `next`,
//! `generate`, `fill`, `embed`, `models` and `bench` commands. JSON keys are a stable contract
//! (see README) and stay English; everything else follows `--lang` / `LANG`.
//!
//! Conventions of the scriptable commands:
//! - **Text is taken exactly as given** (argument, `--file PATH`, or `-` for standard input): no
//!   trimming, no added newline; it must be UTF-8.
//! - **Ranks are 1-based**: rank 1 is the most likely token (highest raw logit; ties go to the
//!   lower id), in the JSON (`rank`) and in the tables alike.
//! - **Probabilities**: `prob` / `logprob` are the model's raw distribution (softmax of the
//!   logits at temperature 1, no filters); `sampled_prob` is the distribution the sampler draws
//!   from after temperature → top-k → top-p → min-p (0 for candidates cut).
//! - **Failures** print one paragraph starting `error:` (`erro:`) on stderr and exit with status
//!   1 (command-line syntax errors are clap's: status 2). Flag values and the input are checked
//!   before the model is loaded.

mod args;
mod attention;
mod bench;
mod bench_seq2seq;
mod embed_token;
mod encoder;
mod endpoint;
mod error;
mod generate;
mod input;
mod lab;
mod lens;
mod load;
mod models;
mod next;
mod output;
mod seq2seq;
mod session;
mod tokenize;

use clap::Parser;

pub use args::{
    Cli, Command, Common, DeviceArg, Input, MAX_THREADS, PrecisionArg, SamplingArgs, Seq2SeqArgs,
};
pub use error::CliError;
pub use load::model_path;

use crate::engine::EngineOptions;
use crate::i18n::{Describe, Lang, Text};
use crate::playground::{self, Ending, PlaygroundOptions};
use crate::state::Options;

/// Entry point of the binary.
pub fn main() -> u8 {
    let cli = Cli::parse();
    // A panic the engine catches and survives (issue 6) stays off standard error.
    crate::engine::recover::install_hook(playground::panic_log());
    let lang = Lang::detect(cli.lang.as_deref());
    let result = match &cli.command {
        None => run_playground(&cli, lang),
        Some(command) => run_command(&cli.common, command, lang).map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(_) if output::stdout_closed() => 0,
        Err(e) => {
            let message = output::one_paragraph(&e.describe(lang));
            eprintln!("{}", lang.f(Text::ErrorLine, &[&message]));
            1
        }
    }
}

/// Keeps the C library from handing big blocks back to the kernel after each use: glibc maps
/// every block above 128 KiB–32 MiB freshly and unmaps it on free, so each prompt's products
/// and logits (50 MB for 256 positions) paid their page faults again (~70 ms of a 256-token
/// prefill on the development machine). Blocks up to 64 MiB now come from the heap and stay
/// there for the next prompt; free space beyond 128 MiB at its top is still returned.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two allocator parameters; it is called before any thread of
    // ours exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
    }
}

/// Ends the process with `code` once standard output and error are flushed, without running
/// the C library's exit handlers: those are libtorch's static destructors, which unregister
/// its thousands of operators one by one (~0.1 s after the answer is printed). Nothing of
/// tokenscope's runs at exit: files are written and the terminal restored before this.
pub fn exit(code: u8) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; every buffer that matters is flushed above.
    unsafe { libc::_exit(i32::from(code)) }
}

/// The source text an encoder-decoder's playground starts with (empty without `--source`);
/// `None` for a decoder, which refuses `--source`.
fn playground_source(cli: &Cli, model: &std::path::Path) -> Result<Option<String>, CliError> {
    let seq2seq = crate::model::seq2seq::is_seq2seq(model);
    match (&cli.source, seq2seq) {
        (Some(_), false) => Err(CliError::SourceForDecoder(
            cli.common
                .model
                .clone()
                .unwrap_or_else(|| crate::registry::DEFAULT_MODEL.to_string()),
        )),
        (source, true) => Ok(Some(source.clone().unwrap_or_default())),
        (None, false) => Ok(None),
    }
}

/// The playground: options checked before the terminal is touched; exit status 0 on quit,
/// 128 + the signal's number when a signal ended it.
fn run_playground(cli: &Cli, lang: Lang) -> Result<u8, CliError> {
    if cli.common.endpoint.url.is_some() {
        return run_served_playground(cli, lang);
    }
    let model = cli.common.model_path()?;
    let encoder = encoder::playground_kind(&model)?;
    let model_b = match cli.model_b.as_deref() {
        Some(name) => Some(model_path(Some(name))?),
        None => None,
    };
    let name_of = |p: &std::path::Path| crate::registry::by_path(p).map(|m| m.name.to_string());
    let current_model = name_of(&model);
    let model_b_name = model_b
        .as_deref()
        .map(|p| name_of(p).unwrap_or_else(|| p.display().to_string()));
    let source = playground_source(cli, &model)?;
    let samplers = cli.sampling.samplers()?;
    let params = samplers[0];
    let session = match &cli.session {
        Some(path) if path.exists() => Some((
            path.clone(),
            Some(crate::session_file::SessionFile::read(path).map_err(CliError::Session)?),
        )),
        Some(path) => Some((path.clone(), None)),
        None => None,
    };
    let options = PlaygroundOptions {
        engine: EngineOptions {
            model,
            device: cli.common.device(),
            precision: cli.common.precision(),
            threads: cli.common.threads.unwrap_or(0),
            endpoint: None,
        },
        lang,
        params,
        chat: cli.chat,
        state: Options {
            prompt: cli.prompt.clone().unwrap_or_default(),
            no_color: crate::ui::theme::no_color_from_env(),
            samplers,
            versus: cli.versus.clone(),
            layout: cli.layout.layout(),
            models: crate::state::ModelChoice::scan(),
            current_model,
            model_b: model_b_name,
            source,
            encoder,
            export_dir: cli.export_dir.clone(),
            session,
            ..Options::default()
        },
        model_b,
    };
    finish_playground(options)
}

/// The playground on a served model (`--endpoint URL --model NAME`).
fn run_served_playground(cli: &Cli, lang: Lang) -> Result<u8, CliError> {
    let refused = [
        (cli.chat, "--chat"),
        (cli.model_b.is_some(), "--model-b"),
        (cli.source.is_some(), "--source"),
        (cli.versus.is_some(), "--versus"),
    ];
    let endpoint = endpoint::playground(&cli.common, &refused, lang)?;
    let samplers = cli.sampling.samplers()?;
    let served = crate::state::served::Served::new(
        &crate::endpoint::client::parse_url(&endpoint.url)
            .map(|(base, _)| base)
            .unwrap_or_else(|_| endpoint.url.clone()),
        endpoint.top_n,
    );
    let options = PlaygroundOptions {
        engine: EngineOptions {
            model: std::path::PathBuf::from(&endpoint.url),
            device: cli.common.device(),
            precision: cli.common.precision(),
            threads: 0,
            endpoint: Some(endpoint),
        },
        lang,
        params: samplers[0],
        chat: false,
        state: Options {
            prompt: cli.prompt.clone().unwrap_or_default(),
            no_color: crate::ui::theme::no_color_from_env(),
            samplers,
            layout: cli.layout.layout(),
            served: Some(served),
            ..Options::default()
        },
        model_b: None,
    };
    finish_playground(options)
}

/// Runs the playground and turns how it ended into an exit status.
fn finish_playground(options: PlaygroundOptions) -> Result<u8, CliError> {
    match playground::run(options) {
        Ok(Ending::Quit) => Ok(0),
        Ok(Ending::Signal(n)) => Ok(128u8.saturating_add(n as u8)),
        Err(playground::PlaygroundError::NoTerminal) => Err(CliError::NoTerminal),
        Err(playground::PlaygroundError::Io(report)) => {
            Err(CliError::Playground(format!("{report:#}")))
        }
    }
}

fn run_command(common: &Common, command: &Command, lang: Lang) -> Result<(), CliError> {
    if common.endpoint.url.is_some() {
        return endpoint::run(common, command, lang);
    }
    match command {
        Command::Tokenize { input, json } => tokenize::run(common, &input.read()?, *json, lang),
        Command::Next { .. } => run_next(common, command, lang),
        Command::Sample {
            input,
            sampling,
            chat,
            n,
            json,
        } => {
            let params = sampling.samplers()?[0];
            lab::check_roll_count(*n)?;
            let text = input.read()?;
            session::check_not_empty(common, &text, *chat)?;
            let run = session::evaluate_prompt(common, &text, *chat)?;
            lab::sample(&run, &params, *n, *json, lang)
        }
        Command::Generate {
            input,
            sampling,
            chat,
            max_tokens,
            echo,
            json,
            seq2seq: s2s,
        } => {
            let params = sampling.samplers()?[0];
            if seq2seq::chosen(common, s2s)? {
                let opts = seq2seq::GenerateOptions {
                    max_tokens: *max_tokens,
                    json: *json,
                };
                return seq2seq::generate(common, s2s, input, &params, &opts);
            }
            let text = input.read()?;
            session::check_not_empty(common, &text, *chat)?;
            let run = session::evaluate_prompt(common, &text, *chat)?;
            let opts = generate::GenerateOptions {
                max_tokens: *max_tokens,
                json: *json,
                echo: echo.then(|| text.clone()),
            };
            generate::run(run, &params, &opts, lang)
        }
        Command::Models { json } => models::run(*json, lang),
        Command::Fill { input, show, json } => encoder::fill(common, input, *show, *json, lang),
        Command::Embed { sentences, json } => encoder::embed(common, sentences, *json, lang),
        Command::Attention { .. } | Command::Lens { .. } | Command::EmbedToken { .. } => {
            run_inside(common, command, lang)
        }
        Command::Translate { input, shortlist } => seq2seq::translate(common, input, *shortlist),
        Command::Bench { reps, .. } if seq2seq::is_seq2seq(common)? => {
            bench_seq2seq::run(common, *reps)
        }
        Command::Bench { reps, ids_out } => bench::run(common, *reps, ids_out.as_deref()),
    }
}

/// The views of the inside of a decoder: `attention`, `lens`, `embed-token`.
fn run_inside(common: &Common, command: &Command, lang: Lang) -> Result<(), CliError> {
    if seq2seq::is_seq2seq(common)? {
        return Err(CliError::Model(
            crate::model::ModelError::InsideNeedsDecoder,
        ));
    }
    match command {
        Command::Attention { input, head, json } => {
            let args = attention::AttentionArgs {
                input,
                head: *head,
                json: *json,
            };
            attention::run(common, &args, lang)
        }
        Command::Lens { input, show, json } => lens::run(common, input, *show, *json, lang),
        Command::EmbedToken {
            input,
            index,
            show,
            json,
        } => {
            let args = embed_token::EmbedTokenArgs {
                input,
                index: *index,
                show: *show,
                json: *json,
            };
            embed_token::run(common, &args, lang)
        }
        _ => unreachable!("run_command sends only the inside views here"),
    }
}

/// `tokenscope next`: a decoder's distribution (with sampler columns and prompt B), or an
/// encoder-decoder's with `--source`.
fn run_next(common: &Common, command: &Command, lang: Lang) -> Result<(), CliError> {
    let Command::Next {
        input,
        sampling,
        chat,
        show,
        versus,
        versus_file,
        json,
        seq2seq: s2s,
    } = command
    else {
        unreachable!("run_next is called with Command::Next")
    };
    {
        let samplers = sampling.samplers()?;
        if seq2seq::chosen(common, s2s)? {
            let show = show.unwrap_or(if samplers[0].top_k > 0 {
                samplers[0].top_k
            } else {
                20
            });
            return seq2seq::next(common, s2s, input, &samplers[0], show, *json, lang);
        }
        let show = show.unwrap_or(if samplers[0].top_k > 0 {
            samplers[0].top_k
        } else {
            20
        });
        let text = input.read()?;
        let versus_text = versus_input(versus, versus_file)?;
        session::check_not_empty(common, &text, *chat)?;
        let mut run = session::evaluate_prompt(common, &text, *chat)?;
        let versus = match versus_text {
            Some(b) => Some(lab::Versus::evaluate(&mut run, &b, *chat)?),
            None => None,
        };
        next::run(&run, &samplers, versus.as_ref(), show, *json, lang)
    }
}

/// Prompt B of `next --versus TEXT_B` / `--versus-file PATH`: read and refused when empty.
fn versus_input(
    text: &Option<String>,
    file: &Option<std::path::PathBuf>,
) -> Result<Option<String>, CliError> {
    let b = match (text, file) {
        (None, None) => return Ok(None),
        (_, Some(path)) => Input {
            text: None,
            file: Some(path.clone()),
        }
        .read()?,
        (Some(t), None) => t.clone(),
    };
    if b.is_empty() {
        return Err(CliError::EmptyVersus);
    }
    Ok(Some(b))
}
