//! The inside-the-model view's part of an export (issue 11): the embedding row with its
//! nearest neighbours, the logit lens (layers × top candidates) or the attention of the
//! position over the earlier tokens, whichever is shown. The JSON holds every number the view
//! was computed from (the whole vector, every layer); the Markdown the tables a slide needs.

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Text};

use super::markdown::{code, table};
use super::{Section, Snapshot};

/// A token with the number the view gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoredToken {
    pub id: u32,
    pub text: String,
    /// Cosine (neighbours), probability (lens) or attention weight.
    pub value: f64,
}

/// The embedding view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingExport {
    pub id: u32,
    pub text: String,
    /// The typed word, when the view shows one instead of the selected token.
    pub word: Option<String>,
    /// How many tokens the typed word is (its first one is shown).
    pub word_tokens: Option<usize>,
    pub norm: f64,
    pub min: f32,
    pub max: f32,
    /// The same matrix is the output layer.
    pub tied: bool,
    /// The factor the forward pass multiplies the row by (Gemma: √hidden).
    pub scale: Option<f64>,
    /// Rows the neighbours were chosen from.
    pub rows: usize,
    pub vector: Vec<f32>,
    /// Most similar first (`value` = cosine), the token itself left out.
    pub neighbours: Vec<ScoredToken>,
}

/// One layer of the logit lens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LensLayer {
    /// 1-based, as on screen.
    pub layer: usize,
    /// `value` = probability at temperature 1, most likely first.
    pub candidates: Vec<ScoredToken>,
}

/// The logit lens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LensExport {
    pub vocab: usize,
    /// The 1-based layer from which the final answer is first in every layer up to the last.
    pub settled_from: Option<usize>,
    /// The last layer is the next-token pane's own distribution.
    pub last_from_session: bool,
    pub layers: Vec<LensLayer>,
}

/// The attention view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttentionExport {
    /// The layer shown, 1-based.
    pub layer: usize,
    pub layers: usize,
    pub heads: usize,
    /// The head shown, 1-based; `None` = the mean over heads.
    pub head: Option<usize>,
    /// The shown layer's weights over positions `0..=position` (`value` = weight, in order).
    pub weights: Vec<ScoredToken>,
    /// Every layer's weights for the same head choice, [layers][positions].
    pub all_layers: Vec<Vec<f32>>,
}

/// The inside view, when shown and computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsideSection {
    /// `embedding`, `lens` or `attention`.
    pub view: String,
    /// The token ids up to the explained position (its token last).
    pub ids: Vec<u32>,
    /// 1-based position of that token in the sequence.
    pub position: usize,
    pub embedding: Option<EmbeddingExport>,
    pub lens: Option<LensExport>,
    pub attention: Option<AttentionExport>,
}

impl Section for InsideSection {
    fn markdown(&self, _: &Snapshot, lang: Lang, out: &mut String) {
        if let Some(e) = &self.embedding {
            embedding(e, lang, out);
        }
        if let Some(l) = &self.lens {
            lens(l, lang, out);
        }
        if let Some(a) = &self.attention {
            attention(a, lang, out);
        }
    }
}

fn embedding(e: &EmbeddingExport, lang: Lang, out: &mut String) {
    out.push_str(&format!("## {}\n\n", lang.t(Text::InsideTitleEmbedding)));
    if let Some(word) = &e.word {
        let text = match e.word_tokens {
            Some(n) if n > 1 => lang.f(Text::InsideEmbWord, &[&code(word), &n]),
            _ => lang.f(Text::InsideEmbWordOne, &[&code(word)]),
        };
        out.push_str(&format!("{text}\n\n"));
    }
    let token = lang.f(
        Text::InsideEmbToken,
        &[&code(&e.text), &e.id, &lang.int(e.vector.len())],
    );
    let norm = lang.f(
        Text::InsideEmbNorm,
        &[
            &lang.num(e.norm, 3),
            &lang.num(f64::from(e.min), 3),
            &lang.num(f64::from(e.max), 3),
        ],
    );
    out.push_str(&format!("{token} · {norm}\n\n"));
    let tied = if e.tied {
        Text::InsideEmbTied
    } else {
        Text::InsideEmbUntied
    };
    out.push_str(&format!("{}\n\n", lang.t(tied)));
    if let Some(scale) = e.scale {
        out.push_str(&format!(
            "{}\n\n",
            lang.f(Text::InsideEmbScaled, &[&lang.num(scale, 2)])
        ));
    }
    out.push_str(&format!(
        "{}\n\n",
        lang.f(
            Text::InsideEmbNeighbours,
            &[&e.neighbours.len(), &lang.int(e.rows)]
        )
    ));
    let header = [
        lang.t(Text::ColRank).to_string(),
        lang.t(Text::ColToken).to_string(),
        lang.t(Text::ExportCosine).to_string(),
    ];
    let rows: Vec<Vec<String>> = e
        .neighbours
        .iter()
        .enumerate()
        .map(|(i, n)| vec![(i + 1).to_string(), code(&n.text), lang.num(n.value, 3)])
        .collect();
    table(out, &header, &[true, false, true], &rows);
}

fn lens(l: &LensExport, lang: Lang, out: &mut String) {
    out.push_str(&format!("## {}\n\n", lang.t(Text::InsideTitleLens)));
    let shown = l.layers.first().map_or(0, |x| x.candidates.len());
    out.push_str(&format!(
        "{}\n\n",
        lang.f(Text::InsideLensHead, &[&shown, &lang.int(l.vocab)])
    ));
    let answer = l.layers.last().and_then(|x| x.candidates.first());
    if let (Some(from), Some(a)) = (l.settled_from, answer) {
        out.push_str(&format!(
            "{}\n\n",
            lang.f(Text::InsideLensFirst, &[&code(&a.text), &from])
        ));
    }
    let mut header = vec![lang.t(Text::ExportLayer).to_string()];
    header.extend((1..=shown).map(|i| format!("{} {i}", lang.t(Text::ColRank))));
    let rows: Vec<Vec<String>> = l
        .layers
        .iter()
        .map(|layer| {
            let mut label = layer.layer.to_string();
            if Some(layer.layer) == l.settled_from {
                label.push_str(" ◀");
            }
            if l.last_from_session && layer.layer == l.layers.len() {
                label = format!("{label} ({})", lang.t(Text::InsideLensLast));
            }
            let mut row = vec![label];
            row.extend(
                layer
                    .candidates
                    .iter()
                    .map(|c| format!("{} {}", code(&c.text), lang.percent(c.value))),
            );
            row
        })
        .collect();
    let mut right = vec![true];
    right.extend(std::iter::repeat_n(false, shown));
    table(out, &header, &right, &rows);
}

fn attention(a: &AttentionExport, lang: Lang, out: &mut String) {
    out.push_str(&format!("## {}\n\n", lang.t(Text::InsideTitleAttention)));
    let line = match a.head {
        None => lang.f(Text::InsideAttnMean, &[&a.layer, &a.layers, &a.heads]),
        Some(h) => lang.f(Text::InsideAttnHead, &[&a.layer, &a.layers, &h, &a.heads]),
    };
    out.push_str(&format!("{line}\n\n"));
    let header = [
        lang.t(Text::ExportPosition).to_string(),
        lang.t(Text::ColToken).to_string(),
        lang.t(Text::ExportWeight).to_string(),
    ];
    let rows: Vec<Vec<String>> = a
        .weights
        .iter()
        .enumerate()
        .map(|(i, w)| vec![(i + 1).to_string(), code(&w.text), lang.percent(w.value)])
        .collect();
    table(out, &header, &[true, false, true], &rows);
}
