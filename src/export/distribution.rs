//! The next-token pane's part of an export: the listed candidates with the model's
//! probability, the running sum top-p reads and each sampler column's probability.

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Text};

use super::markdown::{code, table};
use super::{Section, Snapshot};

/// One candidate row of the distribution section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistRow {
    /// 1-based, as on screen.
    pub rank: usize,
    pub id: u32,
    /// The token as text (what it adds to the sequence).
    pub token: String,
    pub logit: f32,
    /// The model's raw probability (T = 1, no filters).
    pub model_prob: f64,
    /// The running sum top-p reads, down to this rank (the selected column's).
    pub cumulative: f64,
    /// The probability after each sampler column's settings, in column order.
    pub adjusted: Vec<f64>,
}

/// The next-token pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionSection {
    /// The pane's title as on screen.
    pub title: String,
    /// Index in the whole sequence of the token this distribution predicts.
    pub position: usize,
    pub vocab_size: usize,
    /// How many candidates each column keeps.
    pub kept: Vec<usize>,
    /// Entropy (nats) of the model's distribution and of each column's.
    pub entropy_model: f64,
    pub entropy_adjusted: Vec<f64>,
    pub rows: Vec<DistRow>,
    /// A served model's distribution (`--endpoint`): only its top N are known, `vocab_size` is
    /// how many were shown, `entropy_model` a lower bound; `None` for a local model.
    #[serde(default)]
    pub partial: Option<Partial>,
}

/// What a served model's distribution leaves unknown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// How many candidates the server gave.
    pub top_n: usize,
    /// 1 − Σ of the shown probabilities: what the rest of the vocabulary has at least.
    pub rest_mass_lower_bound: f64,
}

impl Section for DistributionSection {
    fn markdown(&self, s: &Snapshot, lang: Lang, out: &mut String) {
        out.push_str(&format!("## {}\n\n", self.title));
        let mut header = vec![
            lang.t(Text::ColRank).to_string(),
            lang.t(Text::ColToken).to_string(),
            lang.t(Text::ColModel).to_string(),
            lang.t(Text::ColCumulative).to_string(),
        ];
        let n = s.samplers.len();
        for i in 0..n {
            header.push(match n {
                1 => lang.t(Text::ColSampled).to_string(),
                _ => lang.f(Text::ExportColumnSampled, &[&(i + 1)]),
            });
        }
        let mut right = vec![true, false, true, true];
        right.extend(std::iter::repeat_n(true, n));
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    r.rank.to_string(),
                    code(&r.token),
                    lang.percent(r.model_prob),
                    lang.percent(r.cumulative),
                ];
                row.extend(r.adjusted.iter().map(|&p| lang.percent(p)));
                row
            })
            .collect();
        table(out, &header, &right, &rows);
        let kept: Vec<String> = self.kept.iter().map(|&k| lang.int(k)).collect();
        let kept_line = match &self.partial {
            Some(p) => lang.f(Text::ExportKeptShown, &[&p.top_n, &kept.join(" / ")]),
            None => lang.f(
                Text::ExportKept,
                &[&lang.int(self.vocab_size), &kept.join(" / ")],
            ),
        };
        out.push_str(&format!("\n{kept_line}\n"));
        if let Some(p) = &self.partial {
            let rest = lang.f(
                Text::ServedAtLeast,
                &[&lang.percent(p.rest_mass_lower_bound)],
            );
            out.push_str(&format!(
                "{}\n",
                lang.f(Text::ExportPartial, &[&p.top_n, &rest])
            ));
        }
        let entropy_model = match self.partial {
            Some(_) => lang.f(Text::ServedAtLeast, &[&lang.num(self.entropy_model, 2)]),
            None => lang.num(self.entropy_model, 2),
        };
        let adjusted: Vec<String> = self
            .entropy_adjusted
            .iter()
            .map(|&e| lang.num(e, 2))
            .collect();
        out.push_str(&format!(
            "{}\n",
            lang.f(
                Text::ExportEntropy,
                &[&entropy_model, &adjusted.join(" / ")]
            )
        ));
    }
}
