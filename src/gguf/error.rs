//! What can go wrong reading a GGUF file.

use std::path::PathBuf;

/// An error from opening, parsing or dequantizing a GGUF file.
///
/// A hostile or damaged file always ends here: every size the file declares is checked against
/// the bytes that remain before anything is allocated.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// The file could not be opened or memory-mapped.
    #[error("cannot read GGUF file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The first four bytes are not `GGUF`.
    #[error("not a GGUF file (it does not start with the magic bytes \"GGUF\")")]
    NotGguf,
    /// A GGUF version other than 2 or 3.
    #[error("unsupported GGUF version {0} (this reader supports versions 2 and 3)")]
    UnsupportedVersion(u32),
    /// The file ends (or a declared size points) past the bytes that exist.
    #[error(
        "GGUF file is truncated or corrupt: {what}: needs {needed} bytes, but only {available} remain"
    )]
    Truncated {
        /// What was being read, e.g. `string length of metadata key #3`.
        what: String,
        /// Bytes that were declared or needed.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// The bytes are there but break a rule of the format.
    #[error("invalid GGUF file: {0}")]
    Invalid(String),
    /// A tensor's type cannot be dequantized by this reader (or is not known at all).
    #[error("tensor {tensor:?} has type {type_name}, which tokenscope does not support")]
    UnsupportedType {
        /// The tensor's name (empty when [`crate::gguf::dequantize`] was called on bare bytes).
        tensor: String,
        /// The ggml type's name, e.g. `IQ2_XXS`.
        type_name: String,
    },
    /// A metadata key that the caller requires is absent, or holds a value of another type.
    #[error("GGUF metadata key {0:?} is missing or has the wrong type")]
    MissingKey(String),
    /// No tensor has this name.
    #[error("GGUF file has no tensor named {0:?}")]
    MissingTensor(String),
}
