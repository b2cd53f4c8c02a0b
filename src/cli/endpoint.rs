//! `tokenize`, `next` and `generate` with `--endpoint URL`: a served model answers. Everything a
//! server does not say is said so: "top N of an unknown vocabulary", the rest of the mass as a
//! lower bound, the entropy as a bound, sampler columns over the shown tokens only.

use std::io::Write;

use serde::Serialize;

use crate::cli::args::{Command, Common};
use crate::cli::error::{CliError, EndpointFailure};
use crate::cli::lab::{Columns, SamplerJson};
use crate::cli::output::{emit, stdout_error, table};
use crate::endpoint::{Endpoint, EndpointOptions, NextToken, RetryNote, ServedToken};
use crate::i18n::{Lang, Text};
use crate::pieces::visible;
use crate::sampling::SamplingParams;

/// The API key from the environment (TOKENSCOPE_API_KEY first); never printed.
fn api_key() -> Option<String> {
    ["TOKENSCOPE_API_KEY", "OPENAI_API_KEY"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
}

/// Connects to `--endpoint` (checks the URL and the model against `/v1/models`); a note on
/// stderr before each retry says why and when.
pub fn open(common: &Common, lang: Lang) -> Result<Endpoint, CliError> {
    let (opts, note) = options(common, lang);
    Ok(Endpoint::connect_with(opts, Some(note))?)
}

/// The playground's endpoint: connected once here, before the terminal is touched (so a bad
/// URL, a server that is down or a model it does not serve is one paragraph and exit 1), and
/// the options with the served model's name for the worker, which connects again. The
/// flags a served model cannot answer are refused.
pub fn playground(
    common: &Common,
    refused: &[(bool, &'static str)],
    lang: Lang,
) -> Result<EndpointOptions, CliError> {
    for &(given, flag) in refused {
        refuse(given, flag)?;
    }
    let ep = open(common, lang)?;
    let (mut opts, _) = options(common, lang);
    opts.model = Some(ep.model.clone());
    opts.top_n = ep.top_n();
    Ok(opts)
}

/// The endpoint's options from the flags and the environment, and the retry note.
fn options(common: &Common, lang: Lang) -> (EndpointOptions, RetryNote) {
    let args = &common.endpoint;
    let url = args.url.clone().unwrap_or_default();
    let note: RetryNote = Box::new(move |error, failed, total, wait| {
        let url = error.url().unwrap_or("");
        let secs = lang.num(wait.as_secs_f64(), 1);
        let next = format!("{}/{}", failed + 1, total);
        let text = lang.f(
            Text::EndpointRetrying,
            &[&url, &error.short(lang), &secs, &next],
        );
        eprintln!("{}", lang.f(Text::NoteLine, &[&text]));
    });
    let opts = EndpointOptions {
        url,
        model: common.model.clone(),
        key: api_key(),
        timeout: std::time::Duration::from_secs(args.timeout),
        retries: args.retries,
        top_n: args.top_logprobs as usize,
    };
    (opts, note)
}

/// Runs `command` against the endpoint, or refuses what an endpoint cannot serve.
pub fn run(common: &Common, command: &Command, lang: Lang) -> Result<(), CliError> {
    match command {
        Command::Tokenize { input, json } => {
            let text = input.read()?;
            tokenize(&open(common, lang)?, &text, *json, lang)
        }
        Command::Next {
            input,
            sampling,
            chat,
            show,
            versus,
            versus_file,
            json,
            seq2seq,
        } => {
            refuse(*chat, "--chat")?;
            refuse(versus.is_some() || versus_file.is_some(), "--versus")?;
            refuse(seq2seq.source.is_some(), "--source")?;
            let samplers = sampling.samplers()?;
            let text = non_empty(input.read()?)?;
            let ep = open(common, lang)?;
            let show = show.unwrap_or(ep.top_n());
            next(&ep, &text, &samplers, show, *json, lang)
        }
        Command::Generate {
            input,
            sampling,
            chat,
            max_tokens,
            echo,
            json,
            seq2seq,
        } => {
            refuse(*chat, "--chat")?;
            refuse(seq2seq.source.is_some(), "--source")?;
            let params = sampling.samplers()?[0];
            let text = non_empty(input.read()?)?;
            let ep = open(common, lang)?;
            let opts = GenerateOptions {
                max_tokens: *max_tokens,
                json: *json,
                echo: *echo,
            };
            generate(&ep, &text, &params, &opts, lang)
        }
        Command::Sample { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported("sample"))),
        Command::Models { json } => models(common, *json, lang),
        Command::Translate { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported(
            "translate",
        ))),
        Command::Fill { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported("fill"))),
        Command::Embed { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported("embed"))),
        Command::Attention { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported(
            "attention",
        ))),
        Command::Lens { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported("lens"))),
        Command::EmbedToken { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported(
            "embed-token",
        ))),
        Command::Bench { .. } => Err(CliError::Endpoint(EndpointFailure::Unsupported("bench"))),
    }
}

fn refuse(given: bool, flag: &'static str) -> Result<(), CliError> {
    if given {
        Err(CliError::Endpoint(EndpointFailure::Unsupported(flag)))
    } else {
        Ok(())
    }
}

fn non_empty(text: String) -> Result<String, CliError> {
    if text.is_empty() {
        Err(CliError::EmptyPrompt)
    } else {
        Ok(text)
    }
}

#[derive(Serialize)]
struct TokenizeJson<'a> {
    backend: &'static str,
    model: &'a str,
    ids: &'a [u32],
    texts: &'a [String],
    count: usize,
}

/// The server's tokens of `text`: ids from its tokenize route, each id's text from its
/// detokenize route (empty strings when it has none).
fn tokenize(ep: &Endpoint, text: &str, json: bool, lang: Lang) -> Result<(), CliError> {
    let ids = ep
        .tokenize(text)?
        .ok_or_else(|| CliError::Endpoint(EndpointFailure::NoTokenizer(ep.url().to_string())))?;
    let texts = ep
        .detokenize_each(&ids)?
        .unwrap_or_else(|| vec![String::new(); ids.len()]);
    if json {
        let out = TokenizeJson {
            backend: "endpoint",
            model: &ep.model,
            ids: &ids,
            texts: &texts,
            count: ids.len(),
        };
        return emit(&format!("{}\n", serde_json::to_string(&out).expect("json")));
    }
    let line: Vec<String> = texts.iter().map(|t| visible(t)).collect();
    let rows: Vec<Vec<String>> = ids
        .iter()
        .zip(&texts)
        .enumerate()
        .map(|(i, (id, t))| vec![i.to_string(), id.to_string(), visible(t)])
        .collect();
    emit(&format!(
        "{}: {}\n{}\n\n{}",
        ep.model,
        lang.count(ids.len(), Text::TokenOne, Text::TokenMany),
        line.join("|"),
        table(
            &["#", "id", lang.t(Text::ColText)],
            &[true, true, false],
            &rows
        )
    ))
}

/// One row of `next --endpoint --json`'s `candidates`.
#[derive(Serialize)]
struct CandidateJson<'a> {
    rank: usize,
    text: &'a str,
    /// As the server sent it.
    logprob: f64,
    prob: f64,
    /// Under the first sampler, over the shown tokens only.
    sampled_prob: f64,
    kept: bool,
    sampled: Vec<f64>,
}

#[derive(Serialize)]
struct NextJson<'a> {
    backend: &'static str,
    endpoint: &'a str,
    model: &'a str,
    /// How many candidates were asked for; `candidates` may hold fewer.
    top_n: usize,
    /// 1 − Σ shown: at least this much is on tokens not shown.
    rest_mass_lower_bound: f64,
    entropy_nats_lower_bound: f64,
    /// From the server's tokenize route; `null` when it has none.
    prompt_ids: Option<Vec<u32>>,
    /// The prompt's tokens with their log-probabilities (`echo`); `null` when not offered.
    prompt_tokens: Option<Vec<PromptTokenJson<'a>>>,
    /// Computed over the shown tokens only.
    samplers: Vec<SamplerJson>,
    candidates: Vec<CandidateJson<'a>>,
}

#[derive(Serialize)]
struct PromptTokenJson<'a> {
    text: &'a str,
    logprob: Option<f64>,
}

/// The next-token distribution after `text`, as far as the server shows it.
fn next(
    ep: &Endpoint,
    text: &str,
    samplers: &[SamplingParams],
    show: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let answer = ep.next_token(text, true)?;
    // Token ids are extra: a server whose tokenize route fails still shows its distribution,
    // with the ids labelled none.
    let ids = ep.tokenize(text).ok().flatten();
    let logits: Vec<f32> = answer.dist.shown.iter().map(|s| s.logprob as f32).collect();
    let columns = Columns::new(&logits, samplers);
    let shown = show.min(logits.len());
    if json {
        return emit(&next_json(ep, &answer, ids, &columns, shown));
    }
    emit(&next_text(
        ep,
        &answer,
        ids.as_deref(),
        &columns,
        shown,
        lang,
    ))
}

fn next_json(
    ep: &Endpoint,
    answer: &NextToken,
    ids: Option<Vec<u32>>,
    columns: &Columns,
    shown: usize,
) -> String {
    let dist = &answer.dist;
    let candidates = columns.first().candidates[..shown]
        .iter()
        .map(|c| CandidateJson {
            rank: c.rank + 1,
            text: &dist.shown[c.id as usize].text,
            logprob: dist.shown[c.id as usize].logprob,
            prob: dist.shown[c.id as usize].logprob.exp(),
            sampled_prob: c.final_prob,
            kept: c.kept,
            sampled: columns.sampled(c.rank),
        })
        .collect();
    let out = NextJson {
        backend: "endpoint",
        endpoint: ep.url(),
        model: &ep.model,
        top_n: dist.top_n,
        rest_mass_lower_bound: dist.rest_mass_lower_bound(),
        entropy_nats_lower_bound: dist.entropy_lower_bound(),
        prompt_ids: ids,
        prompt_tokens: answer.prompt.as_ref().map(|p| {
            p.iter()
                .map(|t| PromptTokenJson {
                    text: &t.text,
                    logprob: t.logprob,
                })
                .collect()
        }),
        samplers: columns.json(),
        candidates,
    };
    format!("{}\n", serde_json::to_string(&out).expect("serialisable"))
}

/// The summary, the table, the rest-of-mass line and what the numbers are over.
fn next_text(
    ep: &Endpoint,
    answer: &NextToken,
    ids: Option<&[u32]>,
    columns: &Columns,
    shown: usize,
    lang: Lang,
) -> String {
    let dist = &answer.dist;
    let percent = |p: f64| format!("{}%", lang.num(p * 100.0, 2));
    let prompt_count = match ids {
        Some(ids) => lang.count(ids.len(), Text::PromptTokenOne, Text::PromptTokenMany),
        None => lang.t(Text::EndpointTokensNone).to_string(),
    };
    let mut text = lang.f(
        Text::EndpointSummary,
        &[
            &ep.model,
            &ep.url(),
            &lang.int(dist.top_n),
            &prompt_count,
            &lang.num(dist.entropy_lower_bound(), 3),
        ],
    );
    text.push('\n');
    let rows: Vec<Vec<String>> = columns.first().candidates[..shown]
        .iter()
        .map(|c| {
            let s = &dist.shown[c.id as usize];
            let mut row = vec![
                (c.rank + 1).to_string(),
                visible(&s.text),
                percent(s.logprob.exp()),
                lang.num(s.logprob, 4),
            ];
            row.extend(columns.sampled(c.rank).into_iter().map(percent));
            row.push(
                lang.t(if c.kept { Text::Yes } else { Text::CutPlain })
                    .to_string(),
            );
            row
        })
        .collect();
    let sampler_headers = columns.headers(lang);
    let mut headers = vec![
        lang.t(Text::ColRankWord),
        lang.t(Text::ColToken),
        lang.t(Text::ColModelPercent),
        "logprob",
    ];
    headers.extend(sampler_headers.iter().map(String::as_str));
    headers.push(lang.t(Text::ColKept));
    let mut right = vec![true; headers.len()];
    right[1] = false;
    right[headers.len() - 1] = false;
    text.push_str(&table(&headers, &right, &rows));
    let rest = percent(dist.rest_mass_lower_bound());
    for line in [
        lang.f(Text::EndpointRestLine, &[&rest]),
        lang.f(Text::EndpointSamplerNote, &[&lang.int(dist.shown.len())]),
        prompt_line(answer.prompt.as_deref(), lang),
    ] {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The prompt's tokens with the probability the server gave each, or "unavailable".
fn prompt_line(prompt: Option<&[ServedToken]>, lang: Lang) -> String {
    let Some(tokens) = prompt else {
        return lang.t(Text::EndpointPromptUnavailable).to_string();
    };
    let cells: Vec<String> = tokens
        .iter()
        .map(|t| match t.logprob {
            Some(lp) => format!("{} {}%", visible(&t.text), lang.num(lp.exp() * 100.0, 1)),
            None => format!("{} —", visible(&t.text)),
        })
        .collect();
    lang.f(Text::EndpointPromptScored, &[&cells.join(" | ")])
}

/// How `generate --endpoint` prints.
struct GenerateOptions {
    max_tokens: usize,
    json: bool,
    echo: bool,
}

#[derive(Serialize)]
struct StepJson {
    text: String,
    prob: f64,
    rank: usize,
    rest_mass_lower_bound: f64,
}

#[derive(Serialize)]
struct GenerateJson<'a> {
    backend: &'static str,
    model: &'a str,
    top_n: usize,
    steps: Vec<StepJson>,
}

/// Steps one token at a time: ask for the top N after the text so far, draw among them with
/// the sampler, append the chosen token's text. Stops at `max_tokens` or at a token with no
/// text of its own (an end-of-sequence token, or a piece of a character).
fn generate(
    ep: &Endpoint,
    prompt: &str,
    params: &SamplingParams,
    opts: &GenerateOptions,
    lang: Lang,
) -> Result<(), CliError> {
    let mut text = prompt.to_string();
    let mut steps = Vec::new();
    let mut stdout = std::io::stdout().lock();
    if opts.echo && !opts.json {
        write!(stdout, "{prompt}{}", lang.t(Text::EchoMarker)).map_err(stdout_error)?;
    }
    let mut stopped_empty = false;
    for step in 0..opts.max_tokens {
        let answer = ep.next_token(&text, false)?;
        let dist = answer.dist.sampler(params);
        let draw = dist.sample(step as u64);
        let chosen = &dist.candidates[draw.rank];
        let token = &answer.dist.shown[chosen.id as usize];
        if token.text.is_empty() {
            stopped_empty = true;
            break;
        }
        text.push_str(&token.text);
        if !opts.json {
            write!(stdout, "{}", token.text)
                .and_then(|()| stdout.flush())
                .map_err(stdout_error)?;
        }
        steps.push(StepJson {
            text: token.text.clone(),
            prob: token.logprob.exp(),
            rank: chosen.rank + 1,
            rest_mass_lower_bound: answer.dist.rest_mass_lower_bound(),
        });
    }
    if opts.json {
        let out = GenerateJson {
            backend: "endpoint",
            model: &ep.model,
            top_n: ep.top_n(),
            steps,
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        writeln!(stdout, "{line}").map_err(stdout_error)?;
    } else if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        writeln!(stdout).map_err(stdout_error)?;
    }
    stdout.flush().map_err(stdout_error)?;
    if stopped_empty {
        eprintln!(
            "{}",
            lang.f(Text::NoteLine, &[&lang.t(Text::EndpointEmptyToken)])
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct ServedJson<'a> {
    name: &'a str,
    backend: &'static str,
}

/// `models --endpoint`: what the server serves (its `/v1/models`).
fn models(common: &Common, json: bool, lang: Lang) -> Result<(), CliError> {
    let (opts, note) = options(common, lang);
    let ep = Endpoint::unchecked(opts, Some(note))?;
    let served = ep.models()?;
    if json {
        let rows: Vec<ServedJson> = served
            .iter()
            .map(|name| ServedJson {
                name,
                backend: "endpoint",
            })
            .collect();
        return emit(&format!(
            "{}\n",
            serde_json::to_string(&rows).expect("json")
        ));
    }
    let mut text = lang.f(Text::EndpointServedAt, &[&ep.url()]);
    text.push('\n');
    for name in &served {
        text.push_str(&format!("  {name}\n"));
    }
    if served.is_empty() {
        text.push_str(&format!("  {}\n", lang.t(Text::EndpointServesNothing)));
    }
    emit(&text)
}
