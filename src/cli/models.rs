//! `tokenscope models`: the models tokenscope knows by name, whether each is installed, its
//! size, and the command that installs it.

use serde::Serialize;

use crate::cli::error::CliError;
use crate::cli::output::{emit, table};
use crate::i18n::{Lang, Text};
use crate::registry::{Family, KNOWN_MODELS, KnownModel};

#[derive(Serialize)]
struct ModelJson {
    name: &'static str,
    title: &'static str,
    /// `decoder`, `encoder` or `encoder-decoder`.
    kind: &'static str,
    installed: bool,
    path: String,
    size_bytes: u64,
    install: String,
}

fn kind(m: &KnownModel) -> &'static str {
    match m.family {
        Family::Decoder => "decoder",
        Family::Encoder => "encoder",
        Family::EncoderDecoder => "encoder-decoder",
    }
}

/// Prints the list.
pub fn run(json: bool, lang: Lang) -> Result<(), CliError> {
    if json {
        let list: Vec<ModelJson> = KNOWN_MODELS
            .iter()
            .map(|m| ModelJson {
                name: m.name,
                title: m.title,
                kind: kind(m),
                installed: m.installed(),
                path: m.path().display().to_string(),
                size_bytes: m.size_bytes,
                install: m.install_command(),
            })
            .collect();
        let line = serde_json::to_string(&list).expect("serialisable");
        return emit(&format!("{line}\n"));
    }
    let rows: Vec<Vec<String>> = KNOWN_MODELS
        .iter()
        .map(|m| {
            let family = lang.t(match m.family {
                Family::Decoder => Text::FamilyDecoder,
                Family::Encoder => Text::FamilyEncoder,
                Family::EncoderDecoder => Text::FamilyEncoderDecoder,
            });
            vec![
                m.name.to_string(),
                family.to_string(),
                lang.f(Text::SizeMb, &[&lang.num(m.size_bytes as f64 / 1e6, 0)]),
                if m.installed() {
                    lang.t(Text::Installed).to_string()
                } else {
                    m.install_command()
                },
                m.title.to_string(),
            ]
        })
        .collect();
    let mut text = table(
        &[
            lang.t(Text::ColName),
            lang.t(Text::ColKind),
            lang.t(Text::ColSize),
            lang.t(Text::ColInstalled),
            lang.t(Text::ColModelTitle),
        ],
        &[false, false, true, false, false],
        &rows,
    );
    text.push_str(&lang.f(
        Text::ModelsFooter,
        &[&crate::registry::model_dir().display()],
    ));
    text.push('\n');
    emit(&text)
}
