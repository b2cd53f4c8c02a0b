//! The word view's part of an export: each listed candidate completed to a whole word.

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Text};

use super::markdown::{code, table};
use super::{Section, Snapshot};

/// One candidate of the word view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WordRow {
    pub rank: usize,
    pub id: u32,
    /// The candidate completed to the end of its word.
    pub word: String,
    /// The token ids of the word.
    pub ids: Vec<u32>,
    /// Joint probability of the word's tokens.
    pub prob: f64,
    /// Whether the word was completed to its end.
    pub complete: bool,
}

/// The word view, when shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WordsSection {
    pub rows: Vec<WordRow>,
}

impl Section for WordsSection {
    fn markdown(&self, _: &Snapshot, lang: Lang, out: &mut String) {
        out.push_str(&format!("## {}\n\n", lang.t(Text::ExportWords)));
        let header = [
            lang.t(Text::ColRank).to_string(),
            lang.t(Text::ColWord).to_string(),
            lang.t(Text::ColModel).to_string(),
        ];
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|w| {
                let word = if w.complete {
                    code(&w.word)
                } else {
                    format!("{}…", code(&w.word))
                };
                vec![w.rank.to_string(), word, lang.percent(w.prob)]
            })
            .collect();
        table(out, &header, &[true, false, true], &rows);
    }
}
