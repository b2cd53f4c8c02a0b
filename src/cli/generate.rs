//! `tokenscope generate`: a continuation token by token, streamed as text or as JSON steps.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::error::CliError;
use crate::cli::output::stdout_error;
use crate::cli::session::PromptRun;
use crate::i18n::{Lang, Text};
use crate::pieces::bytes_to_text;
use crate::sampling::{Distribution, SamplingParams};

/// One generated token in `generate --json`'s `steps`.
#[derive(Serialize)]
struct StepJson {
    id: u32,
    /// What the token decodes to on its own (`<0xF0>` for a byte that is not UTF-8 alone).
    text: String,
    /// The model's raw probability of this token (temperature 1, no filters).
    prob: f64,
    /// Its 1-based rank under the raw distribution (1 = the most likely token).
    rank: usize,
}

#[derive(Serialize)]
struct GenerateJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    steps: Vec<StepJson>,
}

/// How `generate` prints.
pub struct GenerateOptions {
    pub max_tokens: usize,
    pub json: bool,
    /// `--echo`: the prompt to print before the continuation, followed by the marker where
    /// the generated part starts.
    pub echo: Option<String>,
}

/// Generates after `run`'s prompt until a stop token, `max_tokens`, or a full context window.
pub fn run(
    mut run: PromptRun,
    params: &SamplingParams,
    opts: &GenerateOptions,
    lang: Lang,
) -> Result<(), CliError> {
    let stop_ids = run.session.stop_ids();
    let context = run.session.context_length();
    let mut context_full = false;
    let mut ids = run.ids.clone();
    let mut logits = std::mem::take(&mut run.logits);
    let mut steps = Vec::new();
    let mut text = Utf8Stream::default();
    let mut stdout = std::io::stdout().lock();
    if let Some(prompt) = opts.echo.as_ref().filter(|_| !opts.json) {
        write!(stdout, "{prompt}{}", lang.t(Text::EchoMarker)).map_err(stdout_error)?;
    }
    for _ in 0..opts.max_tokens {
        let dist = Distribution::new(&logits, params);
        let draw = dist.sample(ids.len() as u64);
        let chosen = &dist.candidates[draw.rank];
        let id = chosen.id;
        let tok = &run.session.model.tokenizer;
        steps.push(StepJson {
            id,
            text: tok.view(id).text,
            prob: chosen.prob,
            rank: chosen.rank + 1,
        });
        let stop = stop_ids.contains(&id);
        if !opts.json && !stop {
            let out = text.push(tok.token_bytes(id));
            stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(stdout_error)?;
        }
        ids.push(id);
        if stop || steps.len() == opts.max_tokens {
            break;
        }
        if ids.len() > context {
            // The newest token was predicted but there is no room left to feed it back.
            context_full = true;
            break;
        }
        let eval = run.session.evaluate(&ids)?;
        logits = eval.positions.last().expect("non-empty").logits.to_vec();
    }
    if opts.json {
        let out = GenerateJson {
            model: &run.session.model.name,
            prompt_ids: &run.ids,
            steps,
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        writeln!(stdout, "{line}").map_err(stdout_error)?;
    } else {
        stdout
            .write_all(text.finish().as_bytes())
            .map_err(stdout_error)?;
        if std::io::stdout().is_terminal() {
            writeln!(stdout).map_err(stdout_error)?;
        }
    }
    stdout.flush().map_err(stdout_error)?;
    if context_full {
        let generated = ids.len() - run.ids.len();
        let note = lang.f(
            Text::NoteContextFull,
            &[&lang.int(generated), &lang.int(context)],
        );
        eprintln!("{}", lang.f(Text::NoteLine, &[&note]));
    }
    Ok(())
}

/// Token bytes in, printable text out: bytes that do not form a whole UTF-8 character yet are
/// held back until they do (an emoji split over three tokens prints once, whole).
#[derive(Default)]
struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Adds `bytes`; returns what can be printed now.
    fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let out = bytes_to_text(&self.pending[..valid]);
        self.pending.drain(..valid);
        out
    }

    /// Whatever is left, as text (`<0xF0>` for bytes that never completed a character).
    fn finish(&mut self) -> String {
        let out = bytes_to_text(&self.pending);
        self.pending.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_characters_print_once_whole() {
        let mut s = Utf8Stream::default();
        let robot = "🤖".as_bytes();
        assert_eq!(s.push(&robot[..2]), "");
        assert_eq!(s.push(&robot[2..]), "🤖");
        assert_eq!(s.push(b" m\xC3"), " m");
        assert_eq!(s.finish(), "<0xC3>");
    }
}
