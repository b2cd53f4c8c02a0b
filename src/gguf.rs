//! A memory-mapped reader for GGUF files, the model format of llama.cpp / ggml.
//!
//! Spec: <https://github.com/ggml-org/ggml/blob/master/docs/gguf.md>. Versions 2 and 3,
//! little-endian. The parts, in the order the file has them:
//!
//! - `reader`: header, metadata key-values, tensor infos, alignment padding (bounds-checked);
//! - `value`: the metadata values ([`Value`]);
//! - `ggml_type`: tensor element types and their block layouts ([`GgmlType`]);
//! - `dequant` and `k_quants`: the tensor data turned into f32 ([`dequantize`]).
//!
//! Shapes are in torch order (outermost first): ggml writes dimensions innermost first, and
//! `reader` reverses them in one place.

mod block;
mod dequant;
mod error;
mod ggml_type;
mod k_quants;
mod reader;
mod value;

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::path::Path;

pub use dequant::{dequantize, dequantize_into};
pub use error::GgufError;
pub use ggml_type::{GgmlType, QK_K};
pub use k_quants::get_scale_min_k4 as scale_min_k4;
pub use value::Value;

/// A tensor's entry in the file (`gguf_tensor_info_t`), checked against the file's size.
#[derive(Clone, Debug)]
pub struct TensorInfo {
    /// The tensor's name, e.g. `blk.0.attn_q.weight`.
    pub name: String,
    /// torch order (outermost first, e.g. `[49152, 576]` for `token_embd`). ggml stores dims
    /// innermost-first; they are reversed in exactly one place (`reader::tensor_info`).
    pub shape: Vec<usize>,
    /// The element type.
    pub ggml_type: GgmlType,
    /// Where the data starts, relative to the start of the data section (a multiple of the
    /// alignment).
    pub offset: u64,
    /// The product of `shape` (1 for a tensor with no dimensions).
    pub n_elements: usize,
    /// The size of the data in bytes.
    pub n_bytes: usize,
}

/// The bytes of a GGUF file: memory-mapped, or owned (for tests and in-memory files).
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Self::Mapped(map) => map,
            Self::Owned(vec) => vec,
        }
    }
}

/// An open GGUF file: its parsed header, and its bytes (tensor data is read in place).
pub struct GgufFile {
    bytes: Bytes,
    version: u32,
    alignment: u64,
    metadata: Vec<(String, Value)>,
    metadata_index: HashMap<String, usize>,
    tensors: Vec<TensorInfo>,
    tensor_index: HashMap<String, usize>,
    data_offset: usize,
}

impl GgufFile {
    /// Memory-maps the file at `path` and parses it.
    pub fn open(path: &Path) -> Result<GgufFile, GgufError> {
        let io = |source| GgufError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: the map is read-only. As with every mmap, another process truncating or
        // rewriting the file while it is open would break the Rust aliasing guarantees; model
        // files are written once and then only read, which is the accepted trade-off (candle
        // and llama.cpp map them too).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        Self::parse(Bytes::Mapped(map))
    }

    /// Parses a GGUF file held in memory (the same parser as [`GgufFile::open`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<GgufFile, GgufError> {
        Self::parse(Bytes::Owned(bytes))
    }

    fn parse(bytes: Bytes) -> Result<GgufFile, GgufError> {
        let header = reader::parse(&bytes)?;
        Ok(GgufFile {
            version: header.version,
            alignment: header.alignment,
            metadata: header.metadata,
            metadata_index: header.metadata_index,
            tensors: header.tensors,
            tensor_index: header.tensor_index,
            data_offset: header.data_offset,
            bytes,
        })
    }

    /// Tells the kernel the pages of `t`'s data will not be needed again, so a loader that has
    /// converted a tensor does not keep the file's copy resident too (no-op for owned bytes).
    /// Reading the tensor again later still works: the pages are re-read from the file.
    pub fn release_pages(&self, t: &TensorInfo) {
        #[cfg(unix)]
        if let Bytes::Mapped(map) = &self.bytes {
            let start = self.data_offset + t.offset as usize;
            // SAFETY: the map is a private, read-only file mapping that is never written, so
            // dropping its pages only means they are read from the file again on next access.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, t.n_bytes)
            };
        }
        #[cfg(not(unix))]
        let _ = t;
    }

    /// The GGUF version (2 or 3).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The alignment of tensor data: `general.alignment`, or 32 when absent.
    pub fn alignment(&self) -> u64 {
        self.alignment
    }

    /// Where the data section starts, in bytes from the start of the file.
    pub fn data_offset(&self) -> u64 {
        self.data_offset as u64
    }

    /// All metadata key-values, in file order.
    pub fn metadata(&self) -> &[(String, Value)] {
        &self.metadata
    }

    /// The value of a metadata key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata_index.get(key).map(|&i| &self.metadata[i].1)
    }

    /// A string value.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// Any integer value (signed or unsigned) that is not negative.
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key)?.as_u64()
    }

    /// A float32 or float64 value (as f32).
    pub fn get_f32(&self, key: &str) -> Option<f32> {
        self.get(key)?.as_f32()
    }

    /// A bool value.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.get(key)?.as_bool()
    }

    /// An array of strings (`None` if any element is not a string).
    pub fn get_str_array(&self, key: &str) -> Option<Vec<&str>> {
        self.get(key)?
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect()
    }

    /// An array of integers of any type, as i64 (`None` if any element is not an integer or
    /// does not fit).
    pub fn get_i64_array(&self, key: &str) -> Option<Vec<i64>> {
        self.get(key)?
            .as_array()?
            .iter()
            .map(Value::as_i64)
            .collect()
    }

    /// An array of floats, as f32 (`None` if any element is not a float).
    pub fn get_f32_array(&self, key: &str) -> Option<Vec<f32>> {
        self.get(key)?
            .as_array()?
            .iter()
            .map(Value::as_f32)
            .collect()
    }

    /// Like [`GgufFile::get_str`], but a missing or mistyped key is [`GgufError::MissingKey`].
    pub fn require_str(&self, key: &str) -> Result<&str, GgufError> {
        self.get_str(key)
            .ok_or_else(|| GgufError::MissingKey(key.to_string()))
    }

    /// Like [`GgufFile::get_u64`], but a missing or mistyped key is [`GgufError::MissingKey`].
    pub fn require_u64(&self, key: &str) -> Result<u64, GgufError> {
        self.get_u64(key)
            .ok_or_else(|| GgufError::MissingKey(key.to_string()))
    }

    /// Like [`GgufFile::get_f32`], but a missing or mistyped key is [`GgufError::MissingKey`].
    pub fn require_f32(&self, key: &str) -> Result<f32, GgufError> {
        self.get_f32(key)
            .ok_or_else(|| GgufError::MissingKey(key.to_string()))
    }

    /// All tensor infos, in file order.
    pub fn tensors(&self) -> &[TensorInfo] {
        &self.tensors
    }

    /// The tensor with this name.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensor_index.get(name).map(|&i| &self.tensors[i])
    }

    /// The raw bytes of a tensor's data: exactly `t.n_bytes` of them.
    ///
    /// # Panics
    ///
    /// If `t` does not come from this file and lies outside its data.
    pub fn tensor_data(&self, t: &TensorInfo) -> &[u8] {
        // Parsing checked offset + n_bytes against the data section, so these fit.
        let start = self.data_offset + t.offset as usize;
        &self.bytes[start..start + t.n_bytes]
    }

    /// Dequantizes the tensor `name` to f32, row-major in `shape` order. Errors name the
    /// tensor and the type.
    pub fn dequantize(&self, name: &str) -> Result<Vec<f32>, GgufError> {
        let t = self
            .tensor(name)
            .ok_or_else(|| GgufError::MissingTensor(name.to_string()))?;
        dequantize(t.ggml_type, self.tensor_data(t), t.n_elements).map_err(|e| match e {
            GgufError::UnsupportedType { type_name, .. } => GgufError::UnsupportedType {
                tensor: name.to_string(),
                type_name,
            },
            GgufError::Invalid(why) => GgufError::Invalid(format!("tensor {name:?}: {why}")),
            other => other,
        })
    }
}

// The model worker thread owns the file; the UI thread may read its metadata.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<GgufFile>();
};

impl fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GgufFile")
            .field("version", &self.version)
            .field("alignment", &self.alignment)
            .field("bytes", &self.bytes.len())
            .field("metadata", &self.metadata.len())
            .field("tensors", &self.tensors.len())
            .finish()
    }
}
