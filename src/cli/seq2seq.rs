//! `next`, `generate` and `translate` for encoder-decoder models (`--model marian-en-pt
//! --source TEXT`): the source goes to the encoder once, the TEXT argument (optional) is the
//! start of the target, and the decoder's next-token distribution is that of the target. Same
//! JSON as the decoder commands plus `"source_ids"`. Whether a model is an encoder-decoder is
//! decided from its files before the weights are loaded, so a missing or misplaced `--source`
//! and a too long source fail fast.

use serde::Serialize;

use crate::cli::args::{Common, Input, Seq2SeqArgs};
use crate::cli::error::CliError;
use crate::cli::load::load_error;
use crate::cli::output::emit;
use crate::engine::seq2seq::{Seq2SeqSession, decode_text, greedy};
use crate::model::ModelError;
use crate::model::seq2seq;
use crate::sampling::{Distribution, SamplingParams};
use crate::tokenizer::Tokenizer;

/// Whether `--model` names an encoder-decoder.
pub fn is_seq2seq(common: &Common) -> Result<bool, CliError> {
    Ok(seq2seq::is_seq2seq(&common.model_path()?))
}

/// Whether this command runs the encoder-decoder path; refuses `--source` for a decoder and
/// its absence for an encoder-decoder.
pub fn chosen(common: &Common, args: &Seq2SeqArgs) -> Result<bool, CliError> {
    let path = common.model_path()?;
    let name = common
        .model
        .clone()
        .unwrap_or_else(|| crate::registry::DEFAULT_MODEL.to_string());
    match (seq2seq::is_seq2seq(&path), args.source.is_some()) {
        (true, true) => Ok(true),
        (true, false) => Err(CliError::NoSource(name)),
        (false, true) => Err(CliError::SourceForDecoder(name)),
        (false, false) => Ok(false),
    }
}

/// The session with the source checked (with the tokenizer alone) before the weights load.
struct Run {
    session: Seq2SeqSession,
    source: Vec<u32>,
    target: Vec<u32>,
    /// Shortlist mask (all true without `--shortlist`).
    allowed: Vec<bool>,
}

fn start(common: &Common, source: &str, target: &str, shortlist: bool) -> Result<Run, CliError> {
    let path = common.model_path()?;
    // Check the source with the tokenizer before loading weights.
    let tok = Tokenizer::from_hf_dir(&path).map_err(|e| load_error(&path, ModelError::from(e)))?;
    let n = tok.encode(source)?.len();
    if n == 0 {
        return Err(ModelError::EmptySource.into());
    }
    let max = seq2seq::max_source(&path);
    if n + 1 > max {
        return Err(ModelError::SourceTooLong { tokens: n + 1, max }.into());
    }
    if let Some(t) = common.threads {
        tch::set_num_threads(t.clamp(1, crate::cli::MAX_THREADS) as i32);
    }
    let loaded = seq2seq::load(&path, tch::Device::Cpu).map_err(|e| load_error(&path, e))?;
    let session = Seq2SeqSession::new(loaded);
    let source = session.source_ids(source)?;
    let target = session.target_ids(target)?;
    let allowed = if shortlist {
        session.allowed(&source)
    } else {
        vec![true; session.model.model.dims().vocab]
    };
    Ok(Run {
        session,
        source,
        target,
        allowed,
    })
}

/// The target prefix: the TEXT argument, or nothing.
fn prefix(input: &Input) -> Result<String, CliError> {
    if input.text.is_none() && input.file.is_none() {
        Ok(String::new())
    } else {
        input.read()
    }
}

/// Logits with the ids the shortlist forbids at −∞.
fn masked(logits: &[f32], allowed: &[bool]) -> Vec<f32> {
    logits
        .iter()
        .zip(allowed)
        .map(|(&l, &a)| if a { l } else { f32::NEG_INFINITY })
        .collect()
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    rank: usize,
    id: u32,
    piece: &'a str,
    text: &'a str,
    logit: f32,
    logprob: f64,
    prob: f64,
    sampled_prob: f64,
    kept: bool,
}

#[derive(Serialize)]
struct NextJson<'a> {
    model: &'a str,
    source_ids: &'a [u32],
    prompt_ids: &'a [u32],
    entropy_nats: f64,
    candidates: Vec<CandidateJson<'a>>,
}

/// `next --source`: the target's next-token distribution after the prefix.
pub fn next(
    common: &Common,
    args: &Seq2SeqArgs,
    input: &Input,
    params: &SamplingParams,
    show: usize,
    json: bool,
    lang: crate::i18n::Lang,
) -> Result<(), CliError> {
    let source = args.source.clone().unwrap_or_default();
    let mut run = start(common, &source, &prefix(input)?, args.shortlist)?;
    let e = run.session.evaluate(&run.source, &run.target)?;
    let logits = masked(&e.positions.last().expect("start").logits, &run.allowed);
    let dist = Distribution::new(&logits, params);
    let views = run.session.model.tokenizer.views();
    let shown = &dist.candidates[..show.min(dist.candidates.len())];
    if !json {
        let _ = lang;
        let mut out = String::new();
        for c in shown {
            let v = &views[c.id as usize];
            out.push_str(&format!(
                "{}\t{}\t{:.4}\t{}\n",
                c.rank + 1,
                c.id,
                c.prob,
                v.text
            ));
        }
        return emit(&out);
    }
    let out = NextJson {
        model: &run.session.model.name,
        source_ids: &run.source,
        prompt_ids: &run.target,
        entropy_nats: dist.entropy_raw,
        candidates: shown
            .iter()
            .map(|c| CandidateJson {
                rank: c.rank + 1,
                id: c.id,
                piece: &views[c.id as usize].piece,
                text: &views[c.id as usize].text,
                logit: c.logit,
                logprob: c.logprob,
                prob: c.prob,
                sampled_prob: c.final_prob,
                kept: c.kept,
            })
            .collect(),
    };
    emit(&format!(
        "{}\n",
        serde_json::to_string(&out).expect("serialisable")
    ))
}

/// How `generate --source` stops and prints.
pub struct GenerateOptions {
    pub max_tokens: usize,
    pub json: bool,
}

#[derive(Serialize)]
struct StepJson {
    id: u32,
    text: String,
    prob: f64,
    rank: usize,
}

#[derive(Serialize)]
struct GenerateJson<'a> {
    model: &'a str,
    source_ids: &'a [u32],
    prompt_ids: &'a [u32],
    steps: Vec<StepJson>,
}

/// `generate --source`: steps the target to the end token, `--max-tokens`, or Marian's
/// `max-length-factor` (2.5 × the source's tokens), whichever comes first.
pub fn generate(
    common: &Common,
    args: &Seq2SeqArgs,
    input: &Input,
    params: &SamplingParams,
    opts: &GenerateOptions,
) -> Result<(), CliError> {
    let source = args.source.clone().unwrap_or_default();
    let mut run = start(common, &source, &prefix(input)?, args.shortlist)?;
    let eos = run.session.model.model.dims().eos;
    let limit = opts.max_tokens.min((run.source.len() * 5).div_ceil(2));
    let mut ids = run.target.clone();
    let mut steps = Vec::new();
    while steps.len() < limit {
        let e = run.session.evaluate(&run.source, &ids)?;
        let logits = masked(&e.positions.last().expect("start").logits, &run.allowed);
        let dist = Distribution::new(&logits, params);
        let draw = dist.sample(ids.len() as u64);
        let chosen = &dist.candidates[draw.rank];
        steps.push(StepJson {
            id: chosen.id,
            text: run.session.model.tokenizer.view(chosen.id).text,
            prob: chosen.prob,
            rank: chosen.rank + 1,
        });
        if chosen.id == eos {
            break;
        }
        ids.push(chosen.id);
    }
    if opts.json {
        let out = GenerateJson {
            model: &run.session.model.name,
            source_ids: &run.source,
            prompt_ids: &run.target,
            steps,
        };
        emit(&format!(
            "{}\n",
            serde_json::to_string(&out).expect("serialisable")
        ))
    } else {
        emit(&format!("{}\n", decode_text(&run.session, &ids)))
    }
}

/// `translate`: the greedy translation as plain text.
pub fn translate(common: &Common, input: &Input, shortlist: bool) -> Result<(), CliError> {
    let text = input.read()?;
    if !is_seq2seq(common)? {
        let name = common
            .model
            .clone()
            .unwrap_or_else(|| crate::registry::DEFAULT_MODEL.to_string());
        return Err(CliError::SourceForDecoder(name));
    }
    let mut run = start(common, &text, "", shortlist)?;
    let limit = (run.source.len() * 5).div_ceil(2);
    let out = greedy(&mut run.session, &text, shortlist, limit)?;
    emit(&format!("{}\n", out.text))
}
