//! `tokenscope embed-token`: a token's row of the embedding table (its vector and norm) and the
//! tokens nearest to it by cosine similarity; say whether the table is also the output layer.

use serde::Serialize;

use crate::cli::args::{Common, Input};
use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::i18n::{Lang, Text};
use crate::model::neighbours::{self, Neighbour, TokenEmbedding};
use crate::pieces::visible;
use crate::tokenizer::Tokenizer;

#[derive(Serialize)]
struct NeighbourJson<'a> {
    id: u32,
    text: &'a str,
    cosine: f64,
}

#[derive(Serialize)]
struct EmbedTokenJson<'a> {
    model: &'a str,
    /// How many tokens the text is (`index` chose one of them).
    tokens: usize,
    index: usize,
    id: u32,
    piece: &'a str,
    text: &'a str,
    /// Whether the embedding matrix is also the output layer.
    tied: bool,
    norm: f64,
    vector: &'a [f32],
    neighbours: Vec<NeighbourJson<'a>>,
}

/// What to look up: the text, which of its tokens, how many neighbours.
pub struct EmbedTokenArgs<'a> {
    pub input: &'a Input,
    pub index: Option<usize>,
    pub show: usize,
    pub json: bool,
}

/// Prints the embedding of one token of the text and its nearest neighbours.
pub fn run(common: &Common, args: &EmbedTokenArgs, lang: Lang) -> Result<(), CliError> {
    let text = args.input.read()?;
    let tok = common.load_tokenizer()?;
    let ids: Vec<u32> = content_ids(&tok, &text)?;
    if ids.is_empty() {
        return Err(CliError::EmptyPrompt);
    }
    let index = args.index.unwrap_or(0);
    let Some(&id) = ids.get(index) else {
        return Err(CliError::IndexOutOfRange {
            index,
            tokens: ids.len(),
        });
    };
    let model = common.load()?;
    let decoder = model.decoder.as_ref();
    let embedding = neighbours::token_embedding(decoder, id)?;
    let near = neighbours::nearest(decoder, &embedding.vector, args.show, Some(id))?;
    let views = model.tokenizer.views();
    if args.json {
        let view = &views[id as usize];
        let out = EmbedTokenJson {
            model: &model.name,
            tokens: ids.len(),
            index,
            id,
            piece: &view.piece,
            text: &view.text,
            tied: embedding.tied,
            norm: embedding.norm,
            vector: &embedding.vector,
            neighbours: near
                .iter()
                .map(|n| NeighbourJson {
                    id: n.id,
                    text: &views[n.id as usize].text,
                    cosine: n.cosine,
                })
                .collect(),
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        return emit(&format!("{line}\n"));
    }
    let found = Found {
        name: &model.name,
        tokens: ids.len(),
        index,
        embedding: &embedding,
        near: &near,
    };
    emit(&text_form(&found, &model.tokenizer, lang))
}

/// The ids of what the user typed, without the beginning-of-sequence token the model adds.
fn content_ids(tok: &Tokenizer, text: &str) -> Result<Vec<u32>, CliError> {
    Ok(tok
        .encode(text)?
        .into_iter()
        .filter(|&i| Some(i) != tok.bos)
        .collect())
}

struct Found<'a> {
    name: &'a str,
    tokens: usize,
    index: usize,
    embedding: &'a TokenEmbedding,
    near: &'a [Neighbour],
}

fn text_form(f: &Found, tok: &Tokenizer, lang: Lang) -> String {
    let views = tok.views();
    let e = f.embedding;
    let shown = visible(&views[e.id as usize].text);
    let mut out = format!("{}: «{shown}» id {}\n", f.name, e.id);
    if f.tokens > 1 {
        let pick = lang.f(Text::EmbedTokenPick, &[&f.tokens, &f.index, &shown]);
        out.push_str(&pick);
        out.push('\n');
    }
    let (lo, hi) = e
        .vector
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let facts = lang.f(
        Text::EmbedTokenNorm,
        &[
            &lang.int(e.vector.len()),
            &lang.num(e.norm, 4),
            &lang.num(f64::from(lo), 4),
            &lang.num(f64::from(hi), 4),
        ],
    );
    out.push_str(&facts);
    out.push('\n');
    let tied = match e.tied {
        true => Text::EmbedTokenTied,
        false => Text::EmbedTokenUntied,
    };
    out.push_str(lang.t(tied));
    out.push_str("\n\n");
    out.push_str(lang.t(Text::EmbedTokenNeighbours));
    out.push('\n');
    let rows: Vec<Vec<String>> = f
        .near
        .iter()
        .enumerate()
        .map(|(i, n)| {
            vec![
                (i + 1).to_string(),
                n.id.to_string(),
                visible(&views[n.id as usize].text),
                lang.num(n.cosine, 4),
            ]
        })
        .collect();
    let headers = ["#", "id", lang.t(Text::ColText), lang.t(Text::ColCosine)];
    out.push_str(&table(&headers, &[true, true, false, true], &rows));
    out
}
