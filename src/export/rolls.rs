//! The roll-many view's part of an export: how often each token came up in N seeded draws from
//! the selected column, beside the probability it had.

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Text};

use super::markdown::{code, table};
use super::{Section, Snapshot};

/// One token that came up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollRow {
    /// 1-based rank in the model's ranking.
    pub rank: usize,
    pub id: u32,
    pub token: String,
    /// How many of the draws gave it.
    pub count: usize,
    /// Its probability after the selected column's settings (what the share tends to).
    pub expected: f64,
}

/// The roll-many view, when shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollsSection {
    /// How many draws, and the seed they started from.
    pub n: usize,
    pub seed: u64,
    /// How many different tokens came up.
    pub distinct: usize,
    /// The most drawn first (at most `EXPORT_ROWS` of them).
    pub rows: Vec<RollRow>,
}

impl Section for RollsSection {
    fn markdown(&self, s: &Snapshot, lang: Lang, out: &mut String) {
        let summary = lang.f(
            Text::RollsSummary,
            &[
                &lang.int(self.n),
                &(s.selected_sampler + 1),
                &self.seed,
                &lang.int(self.distinct),
            ],
        );
        out.push_str(&format!("## {summary}\n\n"));
        let header = [
            lang.t(Text::ColRank).to_string(),
            lang.t(Text::ColToken).to_string(),
            lang.t(Text::ColSampled).to_string(),
            lang.t(Text::ExportCount).to_string(),
            lang.t(Text::ExportSeen).to_string(),
        ];
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    code(&r.token),
                    lang.percent(r.expected),
                    lang.int(r.count),
                    lang.percent(r.count as f64 / self.n.max(1) as f64),
                ]
            })
            .collect();
        table(out, &header, &[true, false, true, true, true], &rows);
    }
}
