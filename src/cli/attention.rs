//! `tokenscope attention`: where the last token of the text looks. For each layer, the
//! attention probabilities over every position up to it (mean over heads, or one head); the
//! model is causal, so nothing after the last token exists to look at.

use serde::Serialize;

use crate::cli::args::{Common, Input};
use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::cli::session;
use crate::i18n::{Lang, Text};
use crate::model::ModelError;
use crate::pieces::visible;

#[derive(Serialize)]
struct LayerJson {
    /// 1-based.
    layer: usize,
    /// One weight per position of the prompt (they sum to 1).
    weights: Vec<f32>,
}

#[derive(Serialize)]
struct AttentionJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    texts: Vec<&'a str>,
    heads: usize,
    /// The head shown (0-based), or `null` for the mean over heads.
    head: Option<usize>,
    layers: Vec<LayerJson>,
}

/// What to show: the text, one head or the mean, JSON or a table.
pub struct AttentionArgs<'a> {
    pub input: &'a Input,
    pub head: Option<usize>,
    pub json: bool,
}

/// Prints each layer's attention of the last position over the prompt.
pub fn run(common: &Common, args: &AttentionArgs, lang: Lang) -> Result<(), CliError> {
    let text = args.input.read()?;
    let (session, ids) = session::load_prompt(common, &text, false)?;
    let weights = session
        .model
        .decoder
        .attention(&ids)
        .ok_or(ModelError::InsideNeedsDecoder)??;
    let (_, heads, _) = weights.size3().map_err(ModelError::from)?;
    let heads = heads as usize;
    let chosen = match args.head {
        Some(h) if h >= heads => return Err(CliError::HeadOutOfRange { head: h, heads }),
        Some(h) => weights.select(1, h as i64),
        None => weights.mean_dim(1, false, tch::Kind::Float),
    };
    let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&chosen).map_err(ModelError::from)?;
    let views = session.model.tokenizer.views();
    let texts: Vec<&str> = ids
        .iter()
        .map(|&i| views[i as usize].text.as_str())
        .collect();
    if args.json {
        let out = AttentionJson {
            model: &session.model.name,
            prompt_ids: &ids,
            texts,
            heads,
            head: args.head,
            layers: rows
                .into_iter()
                .enumerate()
                .map(|(i, weights)| LayerJson {
                    layer: i + 1,
                    weights,
                })
                .collect(),
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        return emit(&format!("{line}\n"));
    }
    let which = match args.head {
        Some(h) => lang.f(Text::AttentionHead, &[&h]),
        None => lang.t(Text::AttentionMean).to_string(),
    };
    let title = lang.f(
        Text::AttentionTitle,
        &[
            &(ids.len() - 1),
            &visible(texts[ids.len() - 1]),
            &ids.len().min(SHOWN),
            &ids.len(),
            &which,
        ],
    );
    emit(&text_form(&session.model.name, &title, &texts, &rows, lang))
}

/// Positions listed per layer in the text form (`--json` has every one).
const SHOWN: usize = 4;

/// Per layer, the most attended positions with their weights.
fn text_form(model: &str, title: &str, texts: &[&str], rows: &[Vec<f32>], lang: Lang) -> String {
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut order: Vec<usize> = (0..w.len()).collect();
            order.sort_by(|&a, &b| w[b].total_cmp(&w[a]).then(a.cmp(&b)));
            let mut row = vec![(i + 1).to_string()];
            row.extend(order.iter().take(SHOWN).map(|&p| {
                let pct = lang.num(f64::from(w[p]) * 100.0, 1);
                format!("{p}:{} {pct}%", visible(texts[p]))
            }));
            row
        })
        .collect();
    let width = table_rows.first().map_or(1, Vec::len) - 1;
    let mut headers = vec![lang.t(Text::ColLayer).to_string()];
    headers.extend((1..=width).map(|r| r.to_string()));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut right = vec![true];
    right.extend(std::iter::repeat_n(false, width));
    format!("{model}: {title}\n{}", table(&headers, &right, &table_rows))
}
