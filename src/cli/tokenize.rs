//! `tokenscope tokenize`: how text is cut into tokens, as a one-line view, a table, or JSON.

use serde::Serialize;

use crate::cli::args::Common;
use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::i18n::{Lang, Text};
use crate::pieces::visible;

#[derive(Serialize)]
struct TokenizeJson<'a> {
    model: &'a str,
    ids: &'a [u32],
    pieces: Vec<&'a str>,
    texts: Vec<&'a str>,
    count: usize,
}

/// Prints the tokens of `text` (only the tokenizer is loaded, never the weights).
pub fn run(common: &Common, text: &str, json: bool, lang: Lang) -> Result<(), CliError> {
    let path = common.model_path()?;
    let tok = common.load_tokenizer()?;
    let ids = tok.encode(text)?;
    let views = tok.views();
    let vs: Vec<_> = ids.iter().map(|&i| &views[i as usize]).collect();
    let name = crate::model::display_name(&path);
    if json {
        let out = TokenizeJson {
            model: &name,
            ids: &ids,
            pieces: vs.iter().map(|v| v.piece.as_str()).collect(),
            texts: vs.iter().map(|v| v.text.as_str()).collect(),
            count: ids.len(),
        };
        let line = serde_json::to_string(&out).expect("serialisable");
        return emit(&format!("{line}\n"));
    }
    // One line first (`Eu|·p|edi|…`): the cut at a glance. Pieces are shown as the text they
    // stand for (`·` for a space), never as byte-level vocabulary strings (`Ġ`, `Ã£`): those
    // are in `--json`'s `pieces`.
    let line: Vec<String> = vs.iter().map(|v| visible(&v.text)).collect();
    let rows: Vec<Vec<String>> = vs
        .iter()
        .enumerate()
        .map(|(i, v)| vec![i.to_string(), v.id.to_string(), visible(&v.text)])
        .collect();
    emit(&format!(
        "{name}: {}\n{}\n\n{}",
        lang.count(ids.len(), Text::TokenOne, Text::TokenMany),
        line.join("|"),
        table(
            &["#", "id", lang.t(Text::ColText)],
            &[true, true, false],
            &rows
        )
    ))
}
