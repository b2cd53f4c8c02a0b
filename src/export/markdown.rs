//! The Markdown export: a header (model, prompt, every sampler column's settings) and one table
//! per view on screen, numbers written the interface language's way (`41,23%` in pt-BR), tokens
//! with their spaces made visible (`·gato`) so a slide shows what the model sees.

use crate::i18n::{Lang, Text};
use crate::pieces;

use super::{
    BranchesSection, DistributionSection, SamplerSettings, Section, Snapshot, WordsSection,
};

/// The whole Markdown document.
pub fn render(s: &Snapshot, lang: Lang) -> String {
    let mut out = format!("# {}\n\n", lang.t(Text::ExportTitle));
    let item = |label: Text, value: &str| format!("- **{}:** {value}\n", lang.t(label));
    out.push_str(&item(Text::ExportModel, &code(&s.model)));
    out.push_str(&item(Text::ExportPrompt, &code(&s.prompt)));
    if let Some(b) = &s.prompt_b {
        out.push_str(&item(Text::ExportPromptB, &code(b)));
    }
    let chat = if s.chat {
        Text::ExportYes
    } else {
        Text::ExportNo
    };
    out.push_str(&item(Text::ExportChat, lang.t(chat)));
    out.push_str(&item(
        Text::ExportPromptTokens,
        &lang.int(s.prompt_ids.len()),
    ));
    if !s.continuation_ids.is_empty() {
        out.push_str(&item(Text::ExportContinuation, &code(&s.continuation)));
    }
    for (i, column) in s.samplers.iter().enumerate() {
        let label = if s.samplers.len() > 1 {
            lang.f(Text::ExportColumn, &[&(i + 1)])
        } else {
            lang.t(Text::ExportSettings).to_string()
        };
        out.push_str(&format!("- **{label}:** {}\n", settings(column, lang)));
    }
    for section in s.sections() {
        out.push('\n');
        section.markdown(s, lang, &mut out);
    }
    out
}

/// One column's settings in words: `temperature 0.80 · top-k 40 · top-p off · …`.
pub fn settings(c: &SamplerSettings, lang: Lang) -> String {
    let off = lang.t(Text::Off);
    let top_k = if c.top_k == 0 {
        off.to_string()
    } else {
        c.top_k.to_string()
    };
    let top_p = if c.top_p >= 1.0 {
        off.to_string()
    } else {
        lang.num(f64::from(c.top_p), 2)
    };
    let min_p = if c.min_p <= 0.0 {
        off.to_string()
    } else {
        lang.num(f64::from(c.min_p), 2)
    };
    lang.f(
        Text::ExportSettingsLine,
        &[
            &lang.num(f64::from(c.temperature), 2),
            &top_k,
            &top_p,
            &min_p,
            &c.seed,
            &c.order,
        ],
    )
}

/// `text` as an inline code span (spaces made visible, table pipes escaped).
fn code(text: &str) -> String {
    let shown = pieces::visible(text).replace('|', "\\|");
    if shown.contains('`') {
        format!("`` {shown} ``")
    } else {
        format!("`{shown}`")
    }
}

/// A Markdown table: a header row, the alignment row (numbers right-aligned) and the rows.
fn table(out: &mut String, header: &[String], right: &[bool], rows: &[Vec<String>]) {
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let align: Vec<&str> = right
        .iter()
        .map(|&r| if r { "---:" } else { ":---" })
        .collect();
    out.push_str(&format!("|{}|\n", align.join("|")));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
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
        out.push_str(&format!(
            "\n{}\n",
            lang.f(
                Text::ExportKept,
                &[&lang.int(self.vocab_size), &kept.join(" / ")]
            )
        ));
        let adjusted: Vec<String> = self
            .entropy_adjusted
            .iter()
            .map(|&e| lang.num(e, 2))
            .collect();
        out.push_str(&format!(
            "{}\n",
            lang.f(
                Text::ExportEntropy,
                &[&lang.num(self.entropy_model, 2), &adjusted.join(" / ")]
            )
        ));
    }
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
