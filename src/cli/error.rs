//! Everything a command can fail with, as one typed enum; the words come from the catalog, so
//! `--lang pt-BR` (or `LANG=pt_BR…`) gets every message in Portuguese. A failure prints as one
//! paragraph starting `error:` / `erro:` and exits with status 1.

use std::path::PathBuf;

use crate::i18n::{Describe, Lang, Text, io_error};
use crate::model::ModelError;
use crate::sampling::SpecError;

/// The most draws `sample --n` takes (10 000 take ~10 ms; a million, about a second).
pub const MAX_ROLLS: usize = 1_000_000;

/// What a flag's value must be (the sentence that follows "--flag must be").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Temperature,
    TopP,
    MinP,
}

/// Where the command's text came from (for messages about it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

/// What to do about a model that failed to load, when the error alone does not say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadHint {
    /// The file is no GGUF: say what `--model` takes.
    NotGguf,
    /// The file ends early; `default` when it is an installed model (reinstall it).
    Truncated {
        size: u64,
        reinstall: Option<String>,
    },
    /// A tensor type we cannot read; the ones we can.
    UnsupportedType { supported: String },
    /// A BERT-style encoder given to a decoder command: `fill` / `embed` run it.
    Encoder,
}

/// A command's failure.
#[derive(Debug)]
pub enum CliError {
    /// The playground was started without a terminal.
    NoTerminal,
    /// `--session FILE` cannot be used.
    Session(crate::session_file::SessionError),
    /// A flag's value is out of range.
    BadFlag {
        flag: &'static str,
        rule: Rule,
        value: String,
    },
    /// `--model PATH` does not exist (and is not a known short name).
    ModelNotFound { given: String, names: String },
    /// `--model FOLDER` is not an HF model folder.
    NotAModelFolder {
        path: PathBuf,
        missing: Vec<&'static str>,
    },
    /// A known short name whose files are not installed.
    NotInstalled {
        name: &'static str,
        path: PathBuf,
        command: String,
    },
    /// The model failed to load.
    Load {
        path: PathBuf,
        source: Box<ModelError>,
        hint: Option<LoadHint>,
    },
    /// `--file PATH` could not be read.
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file the command writes (`bench --ids-out PATH`) could not be written.
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Standard input could not be read.
    Stdin(std::io::Error),
    /// The text is not UTF-8: where, and the byte.
    NotUtf8 { source: Source, at: usize, byte: u8 },
    /// No text was given.
    NoText,
    /// The prompt has no tokens (and the model adds no BOS).
    EmptyPrompt,
    /// `--head` past the model's heads.
    HeadOutOfRange { head: usize, heads: usize },
    /// `--index` past the last token of the text.
    IndexOutOfRange { index: usize, tokens: usize },
    /// The prompt is longer than the context window.
    PromptTooLong {
        tokens: usize,
        chat: bool,
        context: usize,
    },
    /// The model failed while running.
    Model(ModelError),
    /// Standard output could not be written.
    Stdout(std::io::Error),
    /// The interactive session failed (terminal I/O and the like).
    Playground(String),
    /// The benchmark text gave too few tokens.
    BenchTextTooShort(usize),
    /// A malformed `--sampler SPEC` (or too many).
    Spec(SpecError),
    /// `--versus` / `--versus-file` gave an empty prompt B.
    EmptyVersus,
    /// `sample --n` out of range.
    BadRollCount(usize),
    /// `--source` given to a decoder-only model (its name).
    SourceForDecoder(String),
    /// An encoder-decoder model without `--source` (its name).
    NoSource(String),
    /// `fill` / `embed`: the encoder failed to load or refused the input.
    Encoder(crate::model::bert::EncoderError),
    /// `--endpoint` failed (issue 9).
    Endpoint(EndpointFailure),
}

/// What `--endpoint` can fail with.
#[derive(Debug)]
pub enum EndpointFailure {
    /// The server could not be used.
    Server(crate::endpoint::EndpointError),
    /// A command or flag an endpoint cannot serve (its name).
    Unsupported(&'static str),
    /// `tokenize --endpoint` against a server without a tokenize route (its URL).
    NoTokenizer(String),
}

impl Describe for EndpointFailure {
    fn describe(&self, lang: Lang) -> String {
        match self {
            EndpointFailure::Server(e) => e.describe(lang),
            EndpointFailure::Unsupported(what) => lang.f(Text::EndpointUnsupported, &[what]),
            EndpointFailure::NoTokenizer(url) => lang.f(Text::EndpointNoTokenizer, &[url]),
        }
    }
}

impl From<crate::endpoint::EndpointError> for CliError {
    fn from(e: crate::endpoint::EndpointError) -> Self {
        CliError::Endpoint(EndpointFailure::Server(e))
    }
}

impl From<ModelError> for CliError {
    fn from(e: ModelError) -> Self {
        CliError::Model(e)
    }
}

impl From<crate::model::bert::EncoderError> for CliError {
    fn from(e: crate::model::bert::EncoderError) -> Self {
        CliError::Encoder(e)
    }
}

impl From<crate::tokenizer::TokenizerError> for CliError {
    fn from(e: crate::tokenizer::TokenizerError) -> Self {
        CliError::Model(ModelError::Tokenizer(e))
    }
}

impl Describe for CliError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            CliError::NoTerminal => lang.t(Text::ErrNoTerminal).to_string(),
            CliError::Session(e) => e.describe(lang),
            CliError::BadFlag { flag, rule, value } => {
                let rule = lang.t(match rule {
                    Rule::Temperature => Text::RuleTemperature,
                    Rule::TopP => Text::RuleTopP,
                    Rule::MinP => Text::RuleMinP,
                });
                lang.f(Text::ErrBadFlag, &[flag, &rule, value])
            }
            CliError::ModelNotFound { given, names } => {
                lang.f(Text::ErrModelNotFound, &[given, names])
            }
            CliError::NotAModelFolder { path, missing } => lang.f(
                Text::ErrNotAModelFolder,
                &[&path.display(), &missing.join(", ")],
            ),
            CliError::NotInstalled {
                name,
                path,
                command,
            } => lang.f(Text::ErrNotInstalled, &[name, &path.display(), command]),
            CliError::Load { path, source, hint } => {
                let mut message = lang.f(
                    Text::ErrCannotLoad,
                    &[&path.display(), &source.describe(lang)],
                );
                if let Some(hint) = hint {
                    message.push_str(". ");
                    message.push_str(&hint_text(hint, lang));
                }
                message
            }
            CliError::ReadFile { path, source } => lang.f(
                Text::ErrReadInputFile,
                &[&path.display(), &io_error(lang, source)],
            ),
            CliError::WriteFile { path, source } => lang.f(
                Text::ErrExportWrite,
                &[&path.display(), &io_error(lang, source)],
            ),
            CliError::Stdin(e) => lang.f(Text::ErrStdin, &[&io_error(lang, e)]),
            CliError::NotUtf8 { source, at, byte } => {
                let source = match source {
                    Source::File(p) => lang.f(Text::TheFile, &[&p.display()]),
                    Source::Stdin => lang.t(Text::StandardInput).to_string(),
                };
                lang.f(Text::ErrNotUtf8, &[&source, at, &format!("{byte:02X}")])
            }
            CliError::NoText => lang.t(Text::ErrNoText).to_string(),
            CliError::EmptyPrompt => lang.t(Text::ErrEmptyPrompt).to_string(),
            CliError::IndexOutOfRange { index, tokens } => lang.f(Text::ErrIndex, &[index, tokens]),
            CliError::HeadOutOfRange { head, heads } => lang.f(Text::ErrHead, &[head, heads]),
            CliError::PromptTooLong {
                tokens,
                chat,
                context,
            } => too_long(*tokens, *chat, *context, lang),
            CliError::Model(e) => e.describe(lang),
            CliError::SourceForDecoder(m) => lang.f(Text::ErrSourceForDecoder, &[m]),
            CliError::NoSource(m) => lang.f(Text::ErrNoSource, &[m]),
            CliError::Encoder(e) => e.describe(lang),
            CliError::Endpoint(e) => e.describe(lang),
            CliError::Stdout(e) => lang.f(Text::ErrStdout, &[&io_error(lang, e)]),
            CliError::Playground(why) => lang.f(Text::ErrPlayground, &[why]),
            CliError::BenchTextTooShort(n) => lang.f(Text::ErrBenchText, &[n]),
            CliError::Spec(e) => e.describe(lang),
            CliError::EmptyVersus => lang.t(Text::ErrEmptyVersus).to_string(),
            CliError::BadRollCount(n) => lang.f(
                Text::ErrBadRollCount,
                &[&lang.int(MAX_ROLLS), &lang.int(*n)],
            ),
        }
    }
}

crate::described_error!(CliError);

/// The prompt does not fit the context window: by how much.
fn too_long(tokens: usize, chat: bool, context: usize, lang: Lang) -> String {
    let text = match chat {
        true => Text::ErrPromptTooLongChat,
        false => Text::ErrPromptTooLong,
    };
    let over = tokens - context;
    lang.f(
        text,
        &[&lang.int(tokens), &lang.int(context), &lang.int(over)],
    )
}

fn hint_text(hint: &LoadHint, lang: Lang) -> String {
    match hint {
        LoadHint::NotGguf => lang.t(Text::HintNotGguf).to_string(),
        LoadHint::Truncated { size, reinstall } => {
            let again = match reinstall {
                Some(command) => lang.f(Text::HintReinstall, &[command]),
                None => lang.t(Text::HintCopyAgain).to_string(),
            };
            lang.f(Text::HintTruncated, &[&lang.int(*size as usize), &again])
        }
        LoadHint::UnsupportedType { supported } => lang.f(Text::HintUnsupportedType, &[supported]),
        LoadHint::Encoder => lang.t(Text::HintEncoder).to_string(),
    }
}
