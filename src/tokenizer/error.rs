//! What can go wrong while building or using a tokenizer.

use crate::i18n::{Describe, Lang, Text};

/// Errors while building or using a tokenizer.
#[derive(Debug)]
pub enum TokenizerError {
    /// The model file has no tokenizer (this metadata key is missing).
    Missing(String),
    /// A tokenizer type (and pre-tokenizer) that tokenscope does not build from GGUF.
    Unsupported { model: String, pre: String },
    /// The `tokenizers` library refused something (its own message).
    Library(String),
    /// A SentencePiece vocabulary without a score per token (`tokenizer.ggml.scores`), so its
    /// merges cannot be replayed.
    NoScores { tokens: usize, scores: usize },
}

impl Describe for TokenizerError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            TokenizerError::Missing(key) => lang.f(Text::ErrTokenizerMissing, &[key]),
            TokenizerError::Unsupported { model, pre } => {
                lang.f(Text::ErrTokenizerUnsupported, &[model, pre])
            }
            TokenizerError::Library(why) => lang.f(Text::ErrTokenizerLibrary, &[why]),
            TokenizerError::NoScores { tokens, scores } => lang.f(
                Text::ErrTokenizerNoScores,
                &[&lang.int(*tokens), &lang.int(*scores)],
            ),
        }
    }
}

crate::described_error!(TokenizerError);

/// A `tokenizers` library error as ours.
pub fn lib_err(e: impl std::fmt::Display) -> TokenizerError {
    TokenizerError::Library(e.to_string())
}
