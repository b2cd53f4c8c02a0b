//! The branch tree's part of an export: every continuation with its log-probability.

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Text};

use super::markdown::{code, table};
use super::{Section, Snapshot};

/// One continuation of the branch tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BranchRow {
    pub ids: Vec<u32>,
    pub text: String,
    /// Sum of ln p over its tokens (nats); `None` while one is not evaluated.
    pub logprob: Option<f64>,
    pub current: bool,
}

/// The branch tree, when shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BranchesSection {
    pub branches: Vec<BranchRow>,
}

impl Section for BranchesSection {
    fn markdown(&self, _: &Snapshot, lang: Lang, out: &mut String) {
        out.push_str(&format!("## {}\n\n", lang.t(Text::ExportBranches)));
        let header = [
            "".to_string(),
            lang.t(Text::ExportContinuation).to_string(),
            lang.t(Text::ExportLogProb).to_string(),
        ];
        let rows: Vec<Vec<String>> = self
            .branches
            .iter()
            .map(|b| {
                vec![
                    if b.current { "▶" } else { "" }.to_string(),
                    code(&b.text),
                    b.logprob.map_or("—".to_string(), |l| lang.num(l, 3)),
                ]
            })
            .collect();
        table(out, &header, &[false, false, true], &rows);
    }
}
