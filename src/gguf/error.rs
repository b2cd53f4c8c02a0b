//! What can go wrong reading a GGUF file.

use std::path::PathBuf;

use crate::i18n::{Describe, Lang, Text};

/// An error from opening, parsing or dequantizing a GGUF file.
///
/// A hostile or damaged file always ends here: every size the file declares is checked against
/// the bytes that remain before anything is allocated.
#[derive(Debug)]
pub enum GgufError {
    /// The file could not be opened or memory-mapped.
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The first four bytes are not `GGUF`.
    NotGguf,
    /// A GGUF version other than 2 or 3.
    UnsupportedVersion(u32),
    /// The file ends (or a declared size points) past the bytes that exist.
    Truncated {
        /// What was being read, e.g. `string length of metadata key #3`.
        what: String,
        /// Bytes that were declared or needed.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// The bytes are there but break a rule of the format.
    Invalid(String),
    /// A tensor's type cannot be dequantized by this reader (or is not known at all).
    UnsupportedType {
        /// The tensor's name (empty when [`crate::gguf::dequantize`] was called on bare bytes).
        tensor: String,
        /// The ggml type's name, e.g. `IQ2_XXS`.
        type_name: String,
    },
    /// A metadata key that the caller requires is absent, or holds a value of another type.
    MissingKey(String),
    /// No tensor has this name.
    MissingTensor(String),
}

impl Describe for GgufError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            GgufError::Io { path, source } => lang.f(Text::ErrGgufIo, &[&path.display(), &source]),
            GgufError::NotGguf => lang.t(Text::ErrGgufNotGguf).to_string(),
            GgufError::UnsupportedVersion(v) => lang.f(Text::ErrGgufVersion, &[v]),
            GgufError::Truncated {
                what,
                needed,
                available,
            } => lang.f(Text::ErrGgufTruncated, &[what, needed, available]),
            GgufError::Invalid(why) => lang.f(Text::ErrGgufInvalid, &[why]),
            GgufError::UnsupportedType { tensor, type_name } => lang.f(
                Text::ErrGgufUnsupportedType,
                &[&format!("{tensor:?}"), type_name],
            ),
            GgufError::MissingKey(key) => lang.f(Text::ErrGgufMissingKey, &[&format!("{key:?}")]),
            GgufError::MissingTensor(name) => {
                lang.f(Text::ErrGgufMissingTensor, &[&format!("{name:?}")])
            }
        }
    }
}

impl std::error::Error for GgufError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GgufError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl std::fmt::Display for GgufError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}
