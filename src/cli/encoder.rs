//! `fill` and `embed`: what an encoder (BERT-style) does. `fill` gives the masked-LM
//! distribution at every `[MASK]`, computed from the words on both sides of it; `embed` gives
//! one pooled, L2-normalised vector per sentence and their cosine similarities. The input is
//! checked with the tokenizer alone (a mask present, the length within the position table) and
//! the folder is checked to be an encoder before the weights load.

use std::io::BufRead;
use std::path::Path;

use serde::Serialize;

use crate::cli::args::{Common, Input};
use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::i18n::{Lang, Text};
use crate::model::bert::{self, EncoderError, EncoderTokenizer, LoadedEncoder, PoolMode};
use crate::pieces::visible;

/// One ranked candidate at a mask.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CandidateJson {
    rank: usize,
    id: u32,
    piece: String,
    text: String,
    logit: f32,
    logprob: f64,
    prob: f64,
}

#[derive(Serialize)]
struct MaskJson {
    position: usize,
    candidates: Vec<CandidateJson>,
}

#[derive(Serialize)]
struct FillJson<'a> {
    model: &'a str,
    ids: &'a [u32],
    masks: Vec<MaskJson>,
}

#[derive(Serialize)]
struct EmbedJson<'a> {
    model: &'a str,
    dim: usize,
    vectors: &'a [Vec<f32>],
    cosine: &'a [Vec<f64>],
}

/// Log-probabilities of `logits` (softmax at temperature 1, in f64), ids ranked by logit
/// (ties: the lower id first), and the entropy in nats.
pub fn ranked(logits: &[f32]) -> (Vec<(u32, f64)>, f64) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&l| (f64::from(l) - max).exp()).sum();
    let lse = max + sum.ln();
    let mut ids: Vec<u32> = (0..logits.len() as u32).collect();
    ids.sort_by(|&a, &b| {
        logits[b as usize]
            .total_cmp(&logits[a as usize])
            .then(a.cmp(&b))
    });
    let lp = |id: u32| f64::from(logits[id as usize]) - lse;
    let entropy = -ids.iter().map(|&i| lp(i).exp() * lp(i)).sum::<f64>();
    (ids.into_iter().map(|i| (i, lp(i))).collect(), entropy)
}

/// Refuses a model that is not a BERT-family encoder folder (a decoder, a GGUF file).
fn check_encoder(path: &Path) -> Result<(), CliError> {
    if bert::is_encoder(path) {
        return Ok(());
    }
    Err(EncoderError::NotAnEncoder {
        path: path.to_path_buf(),
        model_type: bert::config::model_type(path),
    }
    .into())
}

fn check_length(path: &Path, ids: &[u32]) -> Result<(), CliError> {
    let max = bert::EncoderConfig::read(path)?.max_tokens();
    if ids.len() > max {
        return Err(EncoderError::TooLong {
            tokens: ids.len(),
            max,
        }
        .into());
    }
    Ok(())
}

fn load(common: &Common, path: &Path) -> Result<LoadedEncoder, CliError> {
    if let Some(t) = common.threads {
        tch::set_num_threads(t.clamp(1, crate::cli::MAX_THREADS) as i32);
    }
    Ok(bert::load(path)?)
}

/// `tokenscope fill [--json] TEXT_WITH_MASK`.
pub fn fill(
    common: &Common,
    input: &Input,
    show: usize,
    json: bool,
    lang: Lang,
) -> Result<(), CliError> {
    let path = common.model_path()?;
    let text = input.read()?;
    check_encoder(&path)?;
    let tok = EncoderTokenizer::load(&path)?;
    let ids = tok.encode(&text)?;
    let positions: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == tok.mask_id).collect();
    if positions.is_empty() {
        return Err(EncoderError::NoMask.into());
    }
    check_length(&path, &ids)?;
    let enc = load(common, &path)?;
    let encoded = enc.model.encode(&ids)?;
    let logits = enc
        .model
        .mlm_logits(&encoded, &positions)?
        .ok_or_else(|| EncoderError::NoMlmHead(enc.name.clone()))?;
    let masks: Vec<(usize, Vec<CandidateJson>, f64, f64)> = positions
        .iter()
        .zip(&logits)
        .map(|(&p, l)| {
            let (all, entropy) = ranked(l);
            let shown: Vec<CandidateJson> = all
                .iter()
                .take(show)
                .enumerate()
                .map(|(r, &(id, logprob))| CandidateJson {
                    rank: r + 1,
                    id,
                    piece: enc.tokenizer.pieces[id as usize].clone(),
                    text: enc.tokenizer.texts[id as usize].clone(),
                    logit: l[id as usize],
                    logprob,
                    prob: logprob.exp(),
                })
                .collect();
            let rest = 1.0 - shown.iter().map(|c| c.prob).sum::<f64>();
            (p, shown, entropy, rest.max(0.0))
        })
        .collect();
    if json {
        let out = FillJson {
            model: &enc.name,
            ids: &ids,
            masks: masks
                .into_iter()
                .map(|(position, candidates, ..)| MaskJson {
                    position,
                    candidates,
                })
                .collect(),
        };
        let mut s = serde_json::to_string(&out).expect("serialisable");
        s.push('\n');
        return emit(&s);
    }
    emit(&fill_text(&enc, ids.len(), &masks, lang))
}

/// The plain-text report of `fill`: per mask a summary line, a table and the rest.
fn fill_text(
    enc: &LoadedEncoder,
    n: usize,
    masks: &[(usize, Vec<CandidateJson>, f64, f64)],
    lang: Lang,
) -> String {
    let vocab = enc.tokenizer.vocab();
    let percent = |p: f64| format!("{}%", lang.num(p * 100.0, 2));
    let tokens = |k: usize| lang.count(k, Text::TokenOne, Text::TokenMany);
    let mut text = String::new();
    for (i, (pos, cands, entropy, rest)) in masks.iter().enumerate() {
        text.push_str(&lang.f(
            Text::FillHeader,
            &[
                &enc.name,
                &(i + 1),
                &masks.len(),
                pos,
                &tokens(*pos),
                &tokens(n - pos - 1),
                &lang.num(*entropy, 3),
            ],
        ));
        text.push('\n');
        let rows: Vec<Vec<String>> = cands
            .iter()
            .map(|c| {
                vec![
                    c.rank.to_string(),
                    c.id.to_string(),
                    visible(&c.text),
                    percent(c.prob),
                    lang.num(c.logprob, 4),
                    lang.num(f64::from(c.logit), 3),
                ]
            })
            .collect();
        let headers = [
            lang.t(Text::ColRankWord),
            "id",
            lang.t(Text::ColToken),
            lang.t(Text::ColModelPercent),
            "logprob",
            "logit",
        ];
        text.push_str(&table(
            &headers,
            &[true, true, false, true, true, true],
            &rows,
        ));
        let left = tokens(vocab.saturating_sub(cands.len()));
        text.push_str(&lang.f(Text::FillRest, &[&left, &percent(*rest)]));
        text.push('\n');
    }
    if enc.name == "bert-tiny" {
        text.push_str(lang.t(Text::FillWeak));
        text.push('\n');
    }
    text
}

/// The sentences of `embed`: the arguments, or standard input's non-empty lines for `-`.
fn sentences(args: &[String]) -> Result<Vec<String>, CliError> {
    let list = if args.len() == 1 && args[0] == "-" {
        let mut v = Vec::new();
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(CliError::Stdin)?;
            let line = line.trim_end_matches('\r');
            if !line.trim().is_empty() {
                v.push(line.to_string());
            }
        }
        v
    } else {
        args.to_vec()
    };
    if list.is_empty() {
        return Err(EncoderError::NoSentences.into());
    }
    Ok(list)
}

/// `tokenscope embed [--json] SENTENCE…`.
pub fn embed(common: &Common, args: &[String], json: bool, lang: Lang) -> Result<(), CliError> {
    let path = common.model_path()?;
    let list = sentences(args)?;
    check_encoder(&path)?;
    let tok = EncoderTokenizer::load(&path)?;
    for s in &list {
        check_length(&path, &tok.encode(s)?)?;
    }
    let enc = load(common, &path)?;
    let vectors: Vec<Vec<f32>> = list
        .iter()
        .map(|s| bert::embed(&enc, s).map(|v| unit(&v)))
        .collect::<Result<_, _>>()?;
    let cosine: Vec<Vec<f64>> = vectors
        .iter()
        .map(|a| vectors.iter().map(|b| bert::cosine(a, b)).collect())
        .collect();
    let dim = vectors[0].len();
    if json {
        let out = EmbedJson {
            model: &enc.name,
            dim,
            vectors: &vectors,
            cosine: &cosine,
        };
        let mut s = serde_json::to_string(&out).expect("serialisable");
        s.push('\n');
        return emit(&s);
    }
    emit(&embed_text(&enc, &list, &vectors, &cosine, lang))
}

/// `v / ‖v‖` (the folder's own normalisation, if any, already made it so).
fn unit(v: &[f32]) -> Vec<f32> {
    let n = v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
    if n == 0.0 {
        v.to_vec()
    } else {
        v.iter().map(|&x| (f64::from(x) / n) as f32).collect()
    }
}

/// The most and the least similar pair (`i < j`), when there are two sentences or more.
pub fn extreme_pairs(cosine: &[Vec<f64>]) -> Option<((usize, usize), (usize, usize))> {
    let n = cosine.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect();
    let c = |&(i, j): &(usize, usize)| cosine[i][j];
    let most = *pairs.iter().max_by(|a, b| c(a).total_cmp(&c(b)))?;
    let least = *pairs.iter().min_by(|a, b| c(a).total_cmp(&c(b)))?;
    Some((most, least))
}

fn pooling_text(enc: &LoadedEncoder, lang: Lang) -> String {
    let p = enc.pooling;
    let mode = lang.t(match p.mode {
        PoolMode::Mean => Text::PoolMean,
        PoolMode::Cls => Text::PoolCls,
        PoolMode::Max => Text::PoolMax,
    });
    let text = lang.f(Text::PoolNormalized, &[&mode]);
    if p.from_config {
        text
    } else {
        lang.f(Text::PoolDefault, &[&text])
    }
}

/// The plain-text report of `embed`: the vectors' first numbers, the cosine matrix, the most
/// and least similar pair.
fn embed_text(
    enc: &LoadedEncoder,
    list: &[String],
    vectors: &[Vec<f32>],
    cosine: &[Vec<f64>],
    lang: Lang,
) -> String {
    const SHOWN: usize = 6;
    let dim = vectors[0].len();
    let mut text = lang.f(
        Text::EmbedHeader,
        &[
            &enc.name,
            &lang.count(list.len(), Text::SentenceOne, Text::SentenceMany),
            &lang.int(dim),
            &pooling_text(enc, lang),
        ],
    );
    text.push('\n');
    let rows: Vec<Vec<String>> = list
        .iter()
        .zip(vectors)
        .enumerate()
        .map(|(i, (s, v))| {
            let nums: Vec<String> = v
                .iter()
                .take(SHOWN)
                .map(|&x| lang.num(f64::from(x), 3))
                .collect();
            vec![
                (i + 1).to_string(),
                s.clone(),
                format!("{} …", nums.join(" ")),
            ]
        })
        .collect();
    let vec_header = lang.f(Text::ColVectorStart, &[&SHOWN.min(dim)]);
    text.push_str(&table(
        &["#", lang.t(Text::ColSentence), &vec_header],
        &[true, false, false],
        &rows,
    ));
    text.push('\n');
    text.push_str(lang.t(Text::CosineTitle));
    text.push('\n');
    let numbers: Vec<String> = (1..=list.len()).map(|i| i.to_string()).collect();
    let mut headers = vec![""];
    headers.extend(numbers.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = cosine
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = vec![(i + 1).to_string()];
            r.extend(row.iter().map(|&c| lang.num(c, 3)));
            r
        })
        .collect();
    text.push_str(&table(&headers, &vec![true; headers.len()], &rows));
    if let Some(((a, b), (c, d))) = extreme_pairs(cosine) {
        let name = |i: usize| format!("{}. \"{}\"", i + 1, list[i]);
        let pairs = [(Text::EmbedMost, (a, b)), (Text::EmbedLeast, (c, d))];
        // Two sentences make one pair: it is both, say it once.
        let shown = if list.len() > 2 {
            &pairs[..]
        } else {
            &pairs[..1]
        };
        for &(t, (i, j)) in shown {
            text.push_str(&lang.f(t, &[&name(i), &name(j), &lang.num(cosine[i][j], 3)]));
            text.push('\n');
        }
    }
    text
}

/// Which encoder view the playground shows for `model` (`None`: not an encoder): fill-mask
/// when the folder has a masked-LM head, else sentence embeddings. Reads the tokenizer (for
/// the mask's spelling) and the weights' header only.
pub fn playground_kind(model: &Path) -> Result<Option<crate::state::EncoderKind>, CliError> {
    if !bert::is_encoder(model) {
        return Ok(None);
    }
    if !bert::probe::has_mlm_head(model) {
        return Ok(Some(crate::state::EncoderKind::Embeddings));
    }
    let tok = EncoderTokenizer::load(model)?;
    Ok(Some(crate::state::EncoderKind::FillMask {
        mask: tok.mask_text,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_probabilities_by_hand() {
        // logits [0, ln 2, ln 3] → 1/6, 2/6, 3/6.
        let (r, h) = ranked(&[0.0, 2f32.ln(), 3f32.ln()]);
        let ids: Vec<u32> = r.iter().map(|c| c.0).collect();
        assert_eq!(ids, [2, 1, 0]);
        for (&(_, lp), p) in r.iter().zip([0.5, 1.0 / 3.0, 1.0 / 6.0]) {
            assert!((lp.exp() - p).abs() < 1e-6);
        }
        let want: f64 = -[0.5f64, 1.0 / 3.0, 1.0 / 6.0]
            .iter()
            .map(|p| p * p.ln())
            .sum::<f64>();
        assert!((h - want).abs() < 1e-6);
        // Ties: lower id first.
        assert_eq!(ranked(&[1.0, 1.0]).0[0].0, 0);
    }

    #[test]
    fn extreme_pairs_by_hand() {
        let c = vec![
            vec![1.0, 0.9, 0.1],
            vec![0.9, 1.0, 0.5],
            vec![0.1, 0.5, 1.0],
        ];
        assert_eq!(extreme_pairs(&c), Some(((0, 1), (0, 2))));
        assert_eq!(extreme_pairs(&[vec![1.0]]), None);
    }
}
