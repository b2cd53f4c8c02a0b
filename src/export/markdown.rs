//! The Markdown export: a header (model, prompt, every sampler column's settings) and one table
//! per view on screen (each view's [`super::Section`] writes its own, with [`table`] and
//! [`code`]), numbers written the interface language's way (`41,23%` in pt-BR), tokens
//! with their spaces made visible (`·gato`) so a slide shows what the model sees.

use crate::i18n::{Lang, Text};
use crate::pieces;

use super::{SamplerSettings, Snapshot};

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
pub(super) fn code(text: &str) -> String {
    let shown = pieces::visible(text).replace('|', "\\|");
    if shown.contains('`') {
        format!("`` {shown} ``")
    } else {
        format!("`{shown}`")
    }
}

/// A Markdown table: a header row, the alignment row (numbers right-aligned) and the rows.
pub(super) fn table(out: &mut String, header: &[String], right: &[bool], rows: &[Vec<String>]) {
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
