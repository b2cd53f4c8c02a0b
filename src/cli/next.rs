//! `tokenscope next`: the model's next-token distribution for a prompt, as a table or JSON.

use serde::Serialize;

use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::cli::session::PromptRun;
use crate::i18n::{Lang, Text};
use crate::pieces::visible;
use crate::sampling::{Distribution, SamplingParams, Stage};

/// One row of `next --json`'s `candidates`.
#[derive(Serialize)]
struct CandidateJson<'a> {
    /// 1-based: 1 is the most likely token (highest raw logit, ties to the lower id).
    rank: usize,
    id: u32,
    piece: &'a str,
    text: &'a str,
    logit: f32,
    /// Raw log-probability (log-softmax of the logits, temperature 1, no filters).
    logprob: f64,
    /// Raw probability, `exp(logprob)`.
    prob: f64,
    /// Probability in the distribution the sampler draws from (after temperature, top-k,
    /// top-p, min-p); 0 when cut. Equals `prob` with the default settings.
    sampled_prob: f64,
    /// Whether the token survives every sampling stage.
    kept: bool,
}

#[derive(Serialize)]
struct NextJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    entropy_nats: f64,
    candidates: Vec<CandidateJson<'a>>,
}

/// Prints the distribution after `run`'s prompt.
pub fn run(
    run: &PromptRun,
    params: &SamplingParams,
    show: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let dist = Distribution::new(&run.logits, params);
    let shown = show.min(dist.candidates.len());
    if json {
        emit(&json_line(run, &dist, shown))
    } else {
        emit(&table_text(run, &dist, shown, lang))
    }
}

/// The JSON contract: one line.
fn json_line(run: &PromptRun, dist: &Distribution, shown: usize) -> String {
    let views = run.session.model.tokenizer.views();
    let shown = &dist.candidates[..shown];
    let out = NextJson {
        model: &run.session.model.name,
        prompt_ids: &run.ids,
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
    let line = serde_json::to_string(&out).expect("serialisable");
    format!("{line}\n")
}

/// The summary line, the table of candidates and the rest of the vocabulary, in `lang`.
fn table_text(run: &PromptRun, dist: &Distribution, shown: usize, lang: Lang) -> String {
    let views = run.session.model.tokenizer.views();
    let shown = &dist.candidates[..shown];
    let mut text = lang.f(
        Text::NextSummary,
        &[
            &run.session.model.name,
            &lang.count(run.ids.len(), Text::PromptTokenOne, Text::PromptTokenMany),
            &lang.num(dist.entropy_raw, 3),
            &lang.num(dist.entropy_final, 3),
            &lang.int(dist.kept),
        ],
    );
    text.push('\n');
    let percent = |p: f64| format!("{}%", lang.num(p * 100.0, 2));
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|c| {
            vec![
                (c.rank + 1).to_string(),
                c.id.to_string(),
                visible(&views[c.id as usize].text),
                percent(c.prob),
                lang.num(c.logprob, 4),
                lang.num(f64::from(c.logit), 3),
                percent(c.final_prob),
                lang.t(kept_text(c.kept, c.cut_by)).to_string(),
            ]
        })
        .collect();
    text.push_str(&table(
        &[
            lang.t(Text::ColRankWord),
            "id",
            lang.t(Text::ColToken),
            lang.t(Text::ColModelPercent),
            "logprob",
            "logit",
            lang.t(Text::ColSampledPercent),
            lang.t(Text::ColKept),
        ],
        &[true, true, false, true, true, true, true, false],
        &rows,
    ));
    let (raw, fin) = dist.mass_beyond(shown.len());
    text.push_str(&lang.f(
        Text::RestOfVocabLine,
        &[
            &lang.count(
                dist.candidates.len() - shown.len(),
                Text::TokenOne,
                Text::TokenMany,
            ),
            &percent(raw),
            &percent(fin),
        ],
    ));
    text.push('\n');
    text
}

/// "yes", or which stage cut the token.
fn kept_text(kept: bool, cut_by: Option<Stage>) -> Text {
    match (kept, cut_by) {
        (true, _) => Text::Yes,
        (false, Some(Stage::Greedy)) => Text::CutGreedy,
        (false, Some(Stage::TopK)) => Text::CutTopK,
        (false, Some(Stage::TopP)) => Text::CutTopP,
        (false, Some(Stage::MinP)) => Text::CutMinP,
        (false, None) => Text::CutPlain,
    }
}
