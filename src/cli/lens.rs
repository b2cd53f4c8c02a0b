//! `tokenscope lens`: the logit lens. For the last token of the text, the candidates the model
//! would name if it stopped after each layer (the residual stream through the final norm and
//! the LM head); the last layer is the model's own prediction, the one `next` shows.

use serde::Serialize;

use crate::cli::args::{Common, Input};
use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::cli::session;
use crate::engine::inside::top;
use crate::i18n::{Lang, Text};
use crate::model::ModelError;
use crate::pieces::visible;

#[derive(Serialize)]
struct CandidateJson<'a> {
    id: u32,
    text: &'a str,
    prob: f64,
}

#[derive(Serialize)]
struct LayerJson<'a> {
    /// 1-based: layer 1 is the first block's output.
    layer: usize,
    candidates: Vec<CandidateJson<'a>>,
}

#[derive(Serialize)]
struct LensJson<'a> {
    model: &'a str,
    prompt_ids: &'a [u32],
    layers: Vec<LayerJson<'a>>,
}

/// One layer's top candidates: (id, probability), most likely first, ties to the lower id.
type Top = Vec<(u32, f64)>;

/// Prints each layer's top `show` candidates for the next token after the text.
pub fn run(
    common: &Common,
    input: &Input,
    show: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let text = input.read()?;
    let (session, ids) = session::load_prompt(common, &text, false)?;
    let logits = session
        .model
        .decoder
        .lens(&ids)
        .ok_or(ModelError::InsideNeedsDecoder)??;
    let vocab = session.model.decoder.dims().vocab;
    let flat = Vec::<f32>::try_from(&logits.view([-1])).map_err(ModelError::from)?;
    let tops: Vec<Top> = flat.chunks_exact(vocab).map(|row| top(row, show)).collect();
    let views = session.model.tokenizer.views();
    if json {
        let layers = tops
            .iter()
            .enumerate()
            .map(|(i, t)| LayerJson {
                layer: i + 1,
                candidates: t
                    .iter()
                    .map(|&(id, prob)| CandidateJson {
                        id,
                        text: &views[id as usize].text,
                        prob,
                    })
                    .collect(),
            })
            .collect();
        let out = LensJson {
            model: &session.model.name,
            prompt_ids: &ids,
            layers,
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        return emit(&format!("{line}\n"));
    }
    let name = |id: u32| visible(&views[id as usize].text);
    emit(&text_form(&session.model.name, &tops, &name, lang))
}

/// A layers × candidates table; the layer from which on the final answer stays first is
/// marked `◀`.
fn text_form(model: &str, tops: &[Top], name: &dyn Fn(u32) -> String, lang: Lang) -> String {
    let leader = |t: &Top| t.first().map(|&(id, _)| id);
    let answer = tops.last().and_then(leader);
    let stays = tops
        .iter()
        .rev()
        .take_while(|t| leader(t) == answer)
        .count();
    let first = (stays > 0).then(|| tops.len() - stays);
    let rows: Vec<Vec<String>> = tops
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut row = vec![(i + 1).to_string()];
            row.extend(
                t.iter()
                    .map(|&(id, p)| format!("{} {}%", name(id), lang.num(p * 100.0, 1))),
            );
            row.push(if Some(i) == first {
                "◀".into()
            } else {
                String::new()
            });
            row
        })
        .collect();
    let width = tops.first().map_or(0, Vec::len);
    let mut headers = vec![lang.t(Text::ColLayer).to_string()];
    headers.extend((1..=width).map(|r| r.to_string()));
    headers.push(String::new());
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut right = vec![true];
    right.extend(std::iter::repeat_n(false, width + 1));
    let mut out = format!("{model}: {}\n", lang.f(Text::LensTitle, &[&width]));
    out.push_str(&table(&headers, &right, &rows));
    if let Some(i) = first {
        out.push_str(&lang.f(Text::LensFirstLeads, &[&(i + 1), &tops.len()]));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_is_a_softmax_ordered_by_logit_with_ties_to_the_lower_id() {
        let t = top(&[1.0, 3.0, 3.0, -1.0], 3);
        assert_eq!(t.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 0]);
        let z: f64 = [1.0f64, 3.0, 3.0, -1.0].iter().map(|x| x.exp()).sum();
        assert!((t[0].1 - 3f64.exp() / z).abs() < 1e-12);
        assert_eq!(top(&[0.0; 2], 5).len(), 2);
    }
}
