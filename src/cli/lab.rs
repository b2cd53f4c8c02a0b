//! The comparison lab on the command line: several sampler columns over one prompt's logits,
//! a second prompt B (`--versus`), and `sample` (roll the dice N times).

use serde::Serialize;

use crate::cli::error::{CliError, MAX_ROLLS};
use crate::cli::output::emit;
use crate::cli::session::PromptRun;
use crate::i18n::{Lang, Text};
use crate::pieces::visible;
use crate::sampling::{Distribution, SamplingParams, biggest_moves, kl_nats, roll_many, spec};

/// One distribution per sampler column (at least one), all over the same logits.
pub struct Columns {
    dists: Vec<Distribution>,
}

/// One sampler of `next --json`'s `samplers`.
#[derive(Serialize)]
pub struct SamplerJson {
    temperature: f32,
    top_k: usize,
    top_p: f32,
    min_p: f32,
    /// `hf` or `llama`.
    order: &'static str,
    kept_count: usize,
    /// Entropy of the distribution this sampler draws from.
    entropy_nats: f64,
}

impl Columns {
    /// # Panics
    /// If `samplers` is empty.
    pub fn new(logits: &[f32], samplers: &[SamplingParams]) -> Self {
        assert!(!samplers.is_empty(), "at least one sampler");
        Self {
            dists: Distribution::many(logits, samplers),
        }
    }

    /// The first column (the table's, `sampled_prob`'s, the one `sample` and `generate` use).
    pub fn first(&self) -> &Distribution {
        &self.dists[0]
    }

    /// The settings of every column, as used (validated).
    pub fn params(&self) -> Vec<SamplingParams> {
        self.dists.iter().map(|d| d.params).collect()
    }

    /// The probability of the candidate at raw `rank` in every column (ranks are the same in
    /// all of them: the raw order).
    pub fn sampled(&self, rank: usize) -> Vec<f64> {
        self.dists
            .iter()
            .map(|d| d.candidates[rank].final_prob)
            .collect()
    }

    /// Column headers for the table: "after settings %" for one sampler, its settings for more.
    pub fn headers(&self, lang: Lang) -> Vec<String> {
        if self.dists.len() == 1 {
            return vec![lang.t(Text::ColSampledPercent).to_string()];
        }
        self.dists
            .iter()
            .map(|d| format!("{} %", spec::header(&d.params, lang)))
            .collect()
    }

    pub fn json(&self) -> Vec<SamplerJson> {
        self.dists
            .iter()
            .map(|d| SamplerJson {
                temperature: d.params.temperature,
                top_k: d.params.top_k,
                top_p: d.params.top_p,
                min_p: d.params.min_p,
                order: d.params.order.as_str(),
                kept_count: d.kept,
                entropy_nats: d.entropy_final,
            })
            .collect()
    }
}

/// Prompt B, evaluated on the same model.
pub struct Versus {
    pub ids: Vec<u32>,
    pub logits: Vec<f32>,
}

impl Versus {
    /// Evaluates `text` after `run`'s prompt was (the KV cache keeps what the two share).
    pub fn evaluate(run: &mut PromptRun, text: &str, chat: bool) -> Result<Self, CliError> {
        let ids = run.session.prompt_ids(text, chat)?;
        if ids.is_empty() {
            return Err(CliError::EmptyVersus);
        }
        let context = run.session.context_length();
        if ids.len() > context {
            return Err(CliError::PromptTooLong {
                tokens: ids.len(),
                chat,
                context,
            });
        }
        let eval = run.session.evaluate(&ids)?;
        let logits = eval.positions.last().expect("non-empty").logits.to_vec();
        Ok(Self { ids, logits })
    }
}

/// The B half of `next --versus`'s table: B's top candidates, KL(A‖B), the tokens that moved.
pub fn versus_text(
    run: &PromptRun,
    b: &Versus,
    shown: usize,
    samplers: &[SamplingParams],
    lang: Lang,
) -> String {
    let views = run.session.model.tokenizer.views();
    let name = |id: u32| format!("«{}»", visible(&views[id as usize].text));
    let dist_b = Distribution::new(&b.logits, &samplers[0]);
    let mut text = format!(
        "\n{}\n",
        lang.f(
            Text::VersusSummary,
            &[
                &lang.count(b.ids.len(), Text::PromptTokenOne, Text::PromptTokenMany),
                &lang.num(dist_b.entropy_raw, 3),
            ],
        )
    );
    for c in &dist_b.candidates[..shown.min(dist_b.candidates.len())] {
        text.push_str(&format!(
            "{:>4}  {:<16} {:>8}\n",
            c.rank + 1,
            name(c.id),
            lang.percent(c.prob)
        ));
    }
    let dist_a = Distribution::new(&run.logits, &samplers[0]);
    let kl = kl_nats(&run.logits, &b.logits).unwrap_or(f64::NAN);
    text.push_str(&lang.f(
        Text::VersusLine,
        &[
            &lang.num(kl, 4),
            &name(dist_a.greedy().id),
            &name(dist_b.greedy().id),
        ],
    ));
    text.push('\n');
    let moves: Vec<String> = biggest_moves(&run.logits, &b.logits, 5)
        .iter()
        .map(|m| {
            format!(
                "{} {} → {}",
                name(m.id),
                lang.percent(m.prob_a),
                lang.percent(m.prob_b)
            )
        })
        .collect();
    text.push_str(&lang.f(Text::VersusMoved, &[&moves.join(" · ")]));
    text.push('\n');
    text
}

/// One token of `sample --json`'s `counts`.
#[derive(Serialize)]
struct CountJson<'a> {
    id: u32,
    text: &'a str,
    count: usize,
    /// The probability the draws estimate (the sampler's distribution).
    sampled_prob: f64,
}

#[derive(Serialize)]
struct SampleJson<'a> {
    n: usize,
    seed: u64,
    distinct: usize,
    counts: Vec<CountJson<'a>>,
}

/// Checks `sample --n` before the model loads.
pub fn check_roll_count(n: usize) -> Result<(), CliError> {
    if (1..=MAX_ROLLS).contains(&n) {
        Ok(())
    } else {
        Err(CliError::BadRollCount(n))
    }
}

/// `tokenscope sample`: `n` seeded draws from the first sampler's distribution, counted.
pub fn sample(
    run: &PromptRun,
    params: &SamplingParams,
    n: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let dist = Distribution::new(&run.logits, params);
    let rolls = roll_many(&dist, n, params.seed);
    let views = run.session.model.tokenizer.views();
    if json {
        let out = SampleJson {
            n,
            seed: params.seed,
            distinct: rolls.distinct(),
            counts: rolls
                .counts
                .iter()
                .map(|&(rank, id, count)| CountJson {
                    id,
                    text: &views[id as usize].text,
                    count,
                    sampled_prob: dist.candidates[rank].final_prob,
                })
                .collect(),
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        return emit(&format!("{line}\n"));
    }
    let mut text = lang.f(
        Text::SampleSummary,
        &[&lang.int(n), &lang.int(rolls.distinct()), &params.seed],
    );
    text.push('\n');
    for &(rank, id, count) in rolls.counts.iter().take(30) {
        text.push_str(&format!(
            "{:>8}  {:>8}  {:>8}  «{}»\n",
            lang.int(count),
            lang.percent(count as f64 / n as f64),
            lang.percent(dist.candidates[rank].final_prob),
            visible(&views[id as usize].text),
        ));
    }
    emit(&text)
}
