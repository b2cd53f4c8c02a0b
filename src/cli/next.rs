//! `tokenscope next`: the model's next-token distribution for a prompt, as a table or JSON.

use serde::Serialize;

use crate::cli::error::CliError;
use crate::cli::lab::{Columns, SamplerJson, Versus, versus_text};
use crate::cli::output::{emit, table};
use crate::cli::session::PromptRun;
use crate::i18n::{Lang, Text};
use crate::pieces::visible;
use crate::sampling::{SamplingParams, Stage, kl_nats};
use crate::tokenizer::TokenView;

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
    /// Its probability under each sampler column (`samplers`, in order); 0 when cut there.
    sampled: Vec<f64>,
}

#[derive(Serialize)]
struct NextJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    entropy_nats: f64,
    samplers: Vec<SamplerJson>,
    candidates: Vec<CandidateJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    versus: Option<VersusJson<'a>>,
    /// KL(A‖B) in nats over the whole vocabulary of the raw distributions.
    #[serde(skip_serializing_if = "Option::is_none")]
    kl_nats: Option<f64>,
}

/// Prompt B of `next --versus`.
#[derive(Serialize)]
struct VersusJson<'a> {
    prompt_ids: &'a [u32],
    entropy_nats: f64,
    candidates: Vec<CandidateJson<'a>>,
}

/// Prints the distribution after `run`'s prompt under every sampler column (the first one is
/// the table's and `sampled_prob`'s), and prompt B's beside it when given.
pub fn run(
    run: &PromptRun,
    samplers: &[SamplingParams],
    versus: Option<&Versus>,
    show: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let columns = Columns::new(&run.logits, samplers);
    let shown = show.min(columns.first().candidates.len());
    if json {
        emit(&json_line(run, &columns, versus, shown))
    } else {
        let mut text = table_text(run, &columns, shown, lang);
        if let Some(b) = versus {
            text.push_str(&versus_text(run, b, shown, samplers, lang));
        }
        emit(&text)
    }
}

/// The JSON contract: one line.
fn json_line(run: &PromptRun, columns: &Columns, versus: Option<&Versus>, shown: usize) -> String {
    let views = run.session.model.tokenizer.views();
    let first = columns.first();
    let out = NextJson {
        model: &run.session.model.name,
        prompt_ids: &run.ids,
        entropy_nats: first.entropy_raw,
        samplers: columns.json(),
        candidates: candidates_json(&views, columns, shown),
        versus: versus.map(|b| {
            let b_columns = Columns::new(&b.logits, &columns.params());
            VersusJson {
                prompt_ids: &b.ids,
                entropy_nats: b_columns.first().entropy_raw,
                candidates: candidates_json(&views, &b_columns, shown),
            }
        }),
        kl_nats: versus.and_then(|b| kl_nats(&run.logits, &b.logits)),
    };
    let line = serde_json::to_string(&out).expect("serialisable");
    format!("{line}\n")
}

/// The top `shown` candidates of the first column, with every column's probability.
fn candidates_json<'a>(
    views: &'a [TokenView],
    columns: &Columns,
    shown: usize,
) -> Vec<CandidateJson<'a>> {
    columns.first().candidates[..shown]
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
            sampled: columns.sampled(c.rank),
        })
        .collect()
}

/// The summary line, the table of candidates and the rest of the vocabulary, in `lang`.
fn table_text(run: &PromptRun, columns: &Columns, shown: usize, lang: Lang) -> String {
    let dist = columns.first();
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
            let mut row = vec![
                (c.rank + 1).to_string(),
                c.id.to_string(),
                visible(&views[c.id as usize].text),
                percent(c.prob),
                lang.num(c.logprob, 4),
                lang.num(f64::from(c.logit), 3),
            ];
            row.extend(columns.sampled(c.rank).into_iter().map(percent));
            row.push(lang.t(kept_text(c.kept, c.cut_by)).to_string());
            row
        })
        .collect();
    let sampler_headers = columns.headers(lang);
    let mut headers = vec![
        lang.t(Text::ColRankWord),
        "id",
        lang.t(Text::ColToken),
        lang.t(Text::ColModelPercent),
        "logprob",
        "logit",
    ];
    headers.extend(sampler_headers.iter().map(String::as_str));
    headers.push(lang.t(Text::ColKept));
    let mut right = vec![true; headers.len()];
    right[2] = false;
    right[headers.len() - 1] = false;
    text.push_str(&table(&headers, &right, &rows));
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
