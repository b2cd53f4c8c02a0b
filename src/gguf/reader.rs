//! The GGUF layout, read in the order the spec writes it (GGUF v2 and v3, little-endian):
//!
//! ```text
//! gguf_header_t       magic "GGUF" · version u32 · tensor_count u64 · metadata_kv_count u64
//!                     metadata_kv[metadata_kv_count]   (key: gguf_string_t, type u32, value)
//! gguf_tensor_info_t  tensor_infos[tensor_count]       (name, n_dims u32, dims u64[n_dims],
//!                                                        type u32, offset u64)
//! padding             zeros up to a multiple of ALIGNMENT
//! tensor_data         each tensor at data_start + offset (a multiple of ALIGNMENT)
//! ```
//!
//! Every count, length and offset the file declares is checked against the bytes that remain
//! before anything is allocated, with checked arithmetic, so a hostile file is an error and
//! never a panic or a giant allocation.

use std::collections::HashMap;

use super::value::ValueType;
use super::{GgmlType, GgufError, TensorInfo, Value};

/// `GGUF_MAGIC`: the first four bytes of every GGUF file.
const GGUF_MAGIC: [u8; 4] = *b"GGUF";
/// `GGUF_DEFAULT_ALIGNMENT`, used when `general.alignment` is absent.
pub(super) const DEFAULT_ALIGNMENT: u64 = 32;
/// The metadata key that overrides the alignment.
const ALIGNMENT_KEY: &str = "general.alignment";
/// `GGML_MAX_DIMS`.
const GGML_MAX_DIMS: u32 = 4;
/// The spec: "name: the name of the tensor. It is a standard GGUF string, with the caveat that
/// it must be at most 64 bytes long."
const MAX_TENSOR_NAME_BYTES: usize = 64;
/// Arrays may hold arrays; deeper than this is refused (real files nest at most once), which
/// also keeps the recursion off the end of the stack.
const MAX_ARRAY_NESTING: usize = 8;
/// The most elements reserved up front for one array; past this a `Vec` grows only as elements
/// are actually read, so a declared count can never reserve more than the file backs up.
const MAX_PREALLOCATED_ELEMENTS: usize = 1 << 16;
/// The fewest bytes one `gguf_metadata_kv_t` takes: key length, value type, a 1-byte value.
const MIN_KV_BYTES: u64 = 8 + 4 + 1;
/// The fewest bytes one `gguf_tensor_info_t` takes: name length, n_dims, type, offset.
const MIN_TENSOR_INFO_BYTES: u64 = 8 + 4 + 4 + 8;

/// Everything before the tensor data.
pub(super) struct Header {
    pub version: u32,
    pub alignment: u64,
    pub metadata: Vec<(String, Value)>,
    pub metadata_index: HashMap<String, usize>,
    pub tensors: Vec<TensorInfo>,
    pub tensor_index: HashMap<String, usize>,
    /// Where the data section starts in the file (never past its end).
    pub data_offset: usize,
}

/// Parses the header, metadata and tensor infos of a whole GGUF file, and checks that every
/// tensor's data lies inside it.
pub(super) fn parse(bytes: &[u8]) -> Result<Header, GgufError> {
    let mut r = Reader { bytes, pos: 0 };
    let (version, tensor_count, metadata_kv_count) = read_header(&mut r)?;
    let (metadata, metadata_index) = read_metadata(&mut r, metadata_kv_count)?;
    let alignment = alignment_of(&metadata, &metadata_index)?;
    let (tensors, tensor_index) = read_tensor_infos(&mut r, tensor_count, alignment)?;

    // uint8_t _padding[]: the data section starts at the next multiple of the alignment.
    let data_start = align_up(r.pos as u64, alignment)
        .ok_or_else(|| GgufError::Invalid("the data section starts past 2^64".into()))?;
    let file_len = bytes.len() as u64;
    check_tensor_data(&tensors, file_len.saturating_sub(data_start))?;

    Ok(Header {
        version,
        alignment,
        metadata,
        metadata_index,
        tensors,
        tensor_index,
        // Past the end only when there is no tensor data at all; clamp so slicing is safe.
        data_offset: usize::try_from(data_start.min(file_len))
            .expect("a length of an in-memory slice fits in usize"),
    })
}

/// `gguf_header_t`: magic, version, tensor count, metadata count.
fn read_header(r: &mut Reader<'_>) -> Result<(u32, u64, u64), GgufError> {
    let bytes = r.bytes;
    if bytes.len() < GGUF_MAGIC.len() || bytes[..GGUF_MAGIC.len()] != GGUF_MAGIC {
        return Err(GgufError::NotGguf);
    }
    r.pos = GGUF_MAGIC.len();
    let version = r.u32(|| "the version".into())?;
    match version {
        2 | 3 => {}
        v if matches!(v.swap_bytes(), 2 | 3) => {
            return Err(GgufError::Invalid(
                "big-endian GGUF files are not supported".into(),
            ));
        }
        v => return Err(GgufError::UnsupportedVersion(v)),
    }
    let tensor_count = r.u64(|| "the tensor count".into())?;
    let metadata_kv_count = r.u64(|| "the metadata count".into())?;
    Ok((version, tensor_count, metadata_kv_count))
}

/// The metadata key/value pairs and an index by key.
type Metadata = (Vec<(String, Value)>, HashMap<String, usize>);

/// `gguf_metadata_kv_t metadata_kv[metadata_kv_count]`.
fn read_metadata(r: &mut Reader<'_>, metadata_kv_count: u64) -> Result<Metadata, GgufError> {
    r.check_count(metadata_kv_count, MIN_KV_BYTES, || {
        format!("{metadata_kv_count} metadata entries")
    })?;
    let mut metadata = Vec::with_capacity(preallocation(metadata_kv_count));
    let mut metadata_index = HashMap::with_capacity(preallocation(metadata_kv_count));
    for i in 0..metadata_kv_count {
        let key = r.string(|| format!("metadata key #{i}"))?;
        let tag = r.u32(|| format!("the value type of metadata key {key:?}"))?;
        let value_type = ValueType::from_tag(tag).ok_or_else(|| {
            GgufError::Invalid(format!("metadata key {key:?} has unknown value type {tag}"))
        })?;
        let value = r.value(value_type, &key, 0)?;
        if metadata_index.insert(key.clone(), metadata.len()).is_some() {
            return Err(GgufError::Invalid(format!(
                "metadata key {key:?} appears twice"
            )));
        }
        metadata.push((key, value));
    }
    Ok((metadata, metadata_index))
}

/// `general.alignment`, or the default.
fn alignment_of(
    metadata: &[(String, Value)],
    metadata_index: &HashMap<String, usize>,
) -> Result<u64, GgufError> {
    match metadata_index.get(ALIGNMENT_KEY).map(|&i| &metadata[i].1) {
        None => Ok(DEFAULT_ALIGNMENT),
        Some(&Value::U32(a)) if a.is_power_of_two() => Ok(u64::from(a)),
        Some(other) => Err(GgufError::Invalid(format!(
            "{ALIGNMENT_KEY} must be a uint32 power of two, not {other:?}"
        ))),
    }
}

/// `gguf_tensor_info_t tensor_infos[tensor_count]` and an index by name.
fn read_tensor_infos(
    r: &mut Reader<'_>,
    tensor_count: u64,
    alignment: u64,
) -> Result<(Vec<TensorInfo>, HashMap<String, usize>), GgufError> {
    r.check_count(tensor_count, MIN_TENSOR_INFO_BYTES, || {
        format!("{tensor_count} tensor infos")
    })?;
    let mut tensors = Vec::with_capacity(preallocation(tensor_count));
    let mut tensor_index = HashMap::with_capacity(preallocation(tensor_count));
    for i in 0..tensor_count {
        let info = r.tensor_info(i, alignment)?;
        if tensor_index
            .insert(info.name.clone(), tensors.len())
            .is_some()
        {
            return Err(GgufError::Invalid(format!(
                "tensor name {:?} appears twice",
                info.name
            )));
        }
        tensors.push(info);
    }
    Ok((tensors, tensor_index))
}

/// Every tensor's bytes lie inside the data section (`data_len` bytes).
fn check_tensor_data(tensors: &[TensorInfo], data_len: u64) -> Result<(), GgufError> {
    for t in tensors {
        // Tensors may overlap (the spec does not forbid it); they must only lie in the file.
        // A sum that overflows u64 is past the end of any file.
        let end = t.offset.checked_add(t.n_bytes as u64);
        if end.is_none_or(|end| end > data_len) {
            return Err(GgufError::Truncated {
                what: format!(
                    "the data section (tensor {:?}: {} bytes at offset {})",
                    t.name, t.n_bytes, t.offset
                ),
                needed: end.unwrap_or(u64::MAX),
                available: data_len,
            });
        }
    }
    Ok(())
}

/// How many elements to reserve for `count` declared ones (see [`MAX_PREALLOCATED_ELEMENTS`]).
fn preallocation(count: u64) -> usize {
    usize::try_from(count).map_or(MAX_PREALLOCATED_ELEMENTS, |n| {
        n.min(MAX_PREALLOCATED_ELEMENTS)
    })
}

/// `offset` rounded up to a multiple of `alignment` (a power of two), if that fits.
fn align_up(offset: u64, alignment: u64) -> Option<u64> {
    Some(offset.checked_add(alignment - 1)? & !(alignment - 1))
}

/// A cursor over the file's bytes. Each read names what it reads (lazily, as a closure, so the
/// message costs nothing unless it is needed) for the error if the bytes run out.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> u64 {
        (self.bytes.len() - self.pos) as u64
    }

    /// The next `n` bytes, if that many remain.
    fn take(&mut self, n: u64, what: impl FnOnce() -> String) -> Result<&'a [u8], GgufError> {
        let available = self.remaining();
        if n > available {
            return Err(GgufError::Truncated {
                what: what(),
                needed: n,
                available,
            });
        }
        let n = n as usize; // n <= remaining, which is a usize
        let taken = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(taken)
    }

    fn array<const N: usize>(
        &mut self,
        what: impl FnOnce() -> String,
    ) -> Result<[u8; N], GgufError> {
        let taken = self.take(N as u64, what)?;
        Ok(taken.try_into().expect("take returns exactly N bytes"))
    }

    fn u32(&mut self, what: impl FnOnce() -> String) -> Result<u32, GgufError> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: impl FnOnce() -> String) -> Result<u64, GgufError> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// Checks that `count` items of at least `min_size` bytes each can fit in what remains.
    fn check_count(
        &self,
        count: u64,
        min_size: u64,
        what: impl FnOnce() -> String,
    ) -> Result<(), GgufError> {
        let available = self.remaining();
        match count.checked_mul(min_size) {
            Some(needed) if needed <= available => Ok(()),
            needed => Err(GgufError::Truncated {
                what: what(),
                needed: needed.unwrap_or(u64::MAX),
                available,
            }),
        }
    }

    /// `gguf_string_t`: a `u64` length, then that many bytes of UTF-8 (no terminator).
    ///
    /// The spec says UTF-8, but some converters wrote token strings that are not; those bytes
    /// become U+FFFD rather than making the whole file unreadable (candle does the same).
    fn string(&mut self, what: impl Fn() -> String) -> Result<String, GgufError> {
        let len = self.u64(|| format!("the length of {}", what()))?;
        let bytes = self.take(len, what)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    /// `gguf_metadata_value_t` of type `ty`, for the metadata key `key`.
    fn value(&mut self, ty: ValueType, key: &str, depth: usize) -> Result<Value, GgufError> {
        let what = || format!("the value of metadata key {key:?}");
        Ok(match ty {
            ValueType::U8 => Value::U8(u8::from_le_bytes(self.array(what)?)),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.array(what)?)),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.array(what)?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.array(what)?)),
            ValueType::U32 => Value::U32(u32::from_le_bytes(self.array(what)?)),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.array(what)?)),
            ValueType::U64 => Value::U64(u64::from_le_bytes(self.array(what)?)),
            ValueType::I64 => Value::I64(i64::from_le_bytes(self.array(what)?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.array(what)?)),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.array(what)?)),
            // "1-byte value where 0 is false and 1 is true. Anything else is invalid."
            ValueType::Bool => match self.array::<1>(what)? {
                [0] => Value::Bool(false),
                [1] => Value::Bool(true),
                [b] => {
                    return Err(GgufError::Invalid(format!(
                        "metadata key {key:?} holds bool byte {b}, which is neither 0 nor 1"
                    )));
                }
            },
            ValueType::String => Value::String(self.string(what)?),
            // { type: gguf_metadata_value_type, len: u64, array: gguf_metadata_value_t[len] }
            ValueType::Array => {
                let tag = self.u32(|| format!("the element type of array {key:?}"))?;
                let element_type = ValueType::from_tag(tag).ok_or_else(|| {
                    GgufError::Invalid(format!("array {key:?} has unknown element type {tag}"))
                })?;
                if element_type == ValueType::Array && depth + 1 >= MAX_ARRAY_NESTING {
                    return Err(GgufError::Invalid(format!(
                        "array {key:?} nests arrays deeper than {MAX_ARRAY_NESTING}"
                    )));
                }
                let len = self.u64(|| format!("the length of array {key:?}"))?;
                self.check_count(len, element_type.min_size(), || {
                    format!("{len} elements of array {key:?}")
                })?;
                let mut items = Vec::with_capacity(preallocation(len));
                for _ in 0..len {
                    items.push(self.value(element_type, key, depth + 1)?);
                }
                Value::Array(items)
            }
        })
    }

    /// `gguf_tensor_info_t` number `i`.
    fn tensor_info(&mut self, i: u64, alignment: u64) -> Result<TensorInfo, GgufError> {
        let name = self.string(|| format!("the name of tensor #{i}"))?;
        if name.len() > MAX_TENSOR_NAME_BYTES {
            return Err(GgufError::Invalid(format!(
                "tensor #{i} has a {}-byte name; GGUF allows at most {MAX_TENSOR_NAME_BYTES}",
                name.len()
            )));
        }
        let n_dims = self.u32(|| format!("the dimension count of tensor {name:?}"))?;
        if n_dims > GGML_MAX_DIMS {
            return Err(GgufError::Invalid(format!(
                "tensor {name:?} has {n_dims} dimensions; GGUF allows at most {GGML_MAX_DIMS}"
            )));
        }
        let mut ne = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            ne.push(self.u64(|| format!("the dimensions of tensor {name:?}"))?);
        }
        let type_id = self.u32(|| format!("the type of tensor {name:?}"))?;
        let offset = self.u64(|| format!("the data offset of tensor {name:?}"))?;

        let ggml_type = GgmlType::from_id(type_id);
        // A type whose block layout is unknown has no knowable size, so the file cannot be
        // checked (llama.cpp refuses such files too).
        let (Some(block_size), Some(type_size)) = (ggml_type.block_size(), ggml_type.type_size())
        else {
            return Err(GgufError::UnsupportedType {
                tensor: name,
                type_name: ggml_type.to_string(),
            });
        };
        let invalid = |why: String| GgufError::Invalid(format!("tensor {name:?}: {why}"));
        let n_elements = ne
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| invalid(format!("dimensions {ne:?} overflow")))?;
        // Blocks never straddle rows: the innermost dimension holds whole blocks.
        let row = ne.first().copied().unwrap_or(1);
        if !row.is_multiple_of(block_size as u64) {
            return Err(invalid(format!(
                "its rows of {row} elements are not whole {ggml_type} blocks of {block_size}"
            )));
        }
        let n_bytes = (n_elements / block_size)
            .checked_mul(type_size)
            .ok_or_else(|| invalid(format!("dimensions {ne:?} overflow")))?;
        if !offset.is_multiple_of(alignment) {
            return Err(invalid(format!(
                "data offset {offset} is not a multiple of the alignment {alignment}"
            )));
        }

        // ggml writes dimensions innermost first (ne[0] is the length of a row); tokenscope
        // uses torch order, outermost first. This is the one place where they are reversed.
        let shape = ne.iter().rev().map(|&d| d as usize).collect(); // each d <= n_elements
        Ok(TensorInfo {
            name,
            shape,
            ggml_type,
            offset,
            n_elements,
            n_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_up_rounds_to_the_next_multiple() {
        assert_eq!(align_up(0, 32), Some(0));
        assert_eq!(align_up(1, 32), Some(32));
        assert_eq!(align_up(32, 32), Some(32));
        assert_eq!(align_up(33, 1), Some(33));
        assert_eq!(align_up(u64::MAX - 3, 32), None);
    }

    #[test]
    fn preallocation_is_capped() {
        assert_eq!(preallocation(3), 3);
        assert_eq!(preallocation(u64::MAX), MAX_PREALLOCATED_ELEMENTS);
    }

    #[test]
    fn short_or_foreign_files_are_not_gguf() {
        assert!(matches!(parse(b""), Err(GgufError::NotGguf)));
        assert!(matches!(parse(b"GGU"), Err(GgufError::NotGguf)));
        assert!(matches!(parse(b"GGML\x03\0\0\0"), Err(GgufError::NotGguf)));
        assert!(matches!(
            parse(b"GGUF\x01\0\0\0"),
            Err(GgufError::UnsupportedVersion(1))
        ));
        assert!(matches!(
            parse(b"GGUF\0\0\0\x03"),
            Err(GgufError::Invalid(_))
        ));
        assert!(matches!(
            parse(b"GGUF\x03\0\0"),
            Err(GgufError::Truncated { .. })
        ));
    }
}
