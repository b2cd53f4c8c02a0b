//! Marian's binary model format, read the way `marian/src/common/binary.cpp` (`loadItems`)
//! writes it (<https://github.com/marian-nmt/marian-dev/blob/master/src/common/binary.cpp>):
//!
//! ```text
//! u64 binaryFileVersion (= 1)
//! u64 numHeaders
//! Header[numHeaders]          each { u64 nameLength, u64 type, u64 shapeLength, u64 dataLength }
//! char[nameLength] × n        every name, NUL-terminated, in header order
//! i32[shapeLength] × n        every shape, in header order
//! u64 offset; u8[offset]      padding so the data starts on a 256-byte boundary
//! u8[dataLength] × n          every item's bytes, in header order
//! ```
//!
//! Types are Marian's `Type` enum (`src/common/types.h`): a class bit plus the element size.
//! `intgemm8` (0x4101) is the architecture-independent int8 matrix of
//! `src/tensors/cpu/integer_common.h`: `rows × cols` int8 values, then one float32 quantisation
//! multiplier `127 / max|W|`; the real value is `int8 / multiplier`. The values are the
//! matrix **as the GEMM's B operand wants it transposed** (`marian-conv` transposes before
//! quantising but keeps the shape): a weight used as `x·W` is stored transposed (element
//! `(r, c)` at byte `c · rows + r`, [`Layout::Transposed`]), while the tied embedding `Wemb`,
//! whose GEMM is `x·Wembᵀ`, is stored as is ([`Layout::AsIs`]). `tests/marian.rs` checks this
//! against the reference translations; any other combination translates into nonsense
//! ("de de de …").

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::i18n::{Describe, Lang, Text, io_error};

/// The only version `binary.cpp` writes.
pub const BINARY_FILE_VERSION: u64 = 1;

/// Errors reading a Marian binary model.
#[derive(Debug)]
pub enum MarianError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file ends inside `field`.
    Truncated {
        path: PathBuf,
        field: String,
        needed: u64,
        available: u64,
    },
    /// A version other than 1.
    BadVersion { path: PathBuf, version: u64 },
    /// A name that is not NUL-terminated UTF-8.
    BadName { path: PathBuf, index: usize },
    /// A type code tokenscope does not read (its hex code).
    UnsupportedType {
        path: PathBuf,
        tensor: String,
        code: u64,
    },
    /// The data length does not fit the shape and type.
    BadSize {
        path: PathBuf,
        tensor: String,
        needed: u64,
        actual: u64,
    },
    /// Tensors the model does not know (it would silently ignore weights).
    UnknownTensors { path: PathBuf, names: Vec<String> },
    /// A tensor the model needs is absent.
    MissingTensor { path: PathBuf, name: String },
    /// A tensor has the wrong shape.
    BadShape {
        path: PathBuf,
        tensor: String,
        shape: Vec<usize>,
        expected: Vec<usize>,
    },
}

impl Describe for MarianError {
    fn describe(&self, lang: Lang) -> String {
        match self {
            MarianError::Io { path, source } => lang.f(
                Text::ErrReadFile,
                &[&path.display(), &io_error(lang, source)],
            ),
            MarianError::Truncated {
                path,
                field,
                needed,
                available,
            } => lang.f(
                Text::ErrMarianTruncated,
                &[&path.display(), field, needed, available],
            ),
            MarianError::BadVersion { path, version } => {
                lang.f(Text::ErrMarianVersion, &[&path.display(), version])
            }
            MarianError::BadName { path, index } => {
                lang.f(Text::ErrMarianName, &[&path.display(), index])
            }
            MarianError::UnsupportedType { path, tensor, code } => lang.f(
                Text::ErrMarianType,
                &[&path.display(), tensor, &format!("0x{code:x}")],
            ),
            MarianError::BadSize {
                path,
                tensor,
                needed,
                actual,
            } => lang.f(
                Text::ErrMarianSize,
                &[&path.display(), tensor, actual, needed],
            ),
            MarianError::UnknownTensors { path, names } => lang.f(
                Text::ErrMarianUnknownTensors,
                &[&path.display(), &names.join(", ")],
            ),
            MarianError::MissingTensor { path, name } => {
                lang.f(Text::ErrMarianMissingTensor, &[&path.display(), name])
            }
            MarianError::BadShape {
                path,
                tensor,
                shape,
                expected,
            } => lang.f(
                Text::ErrMarianShape,
                &[
                    &path.display(),
                    tensor,
                    &format!("{shape:?}"),
                    &format!("{expected:?}"),
                ],
            ),
        }
    }
}

crate::described_error!(MarianError);

/// Element types of `src/common/types.h` that tokenscope reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemType {
    /// `int8` (0x0101): raw bytes (`special:model.yml` is stored as int8 text).
    Int8,
    /// `float32` (0x0404).
    Float32,
    /// `intgemm8` (0x4101): int8, transposed, then a float32 multiplier.
    Intgemm8,
}

impl ItemType {
    fn from_code(code: u64) -> Option<ItemType> {
        match code {
            0x0101 => Some(ItemType::Int8),
            0x0404 => Some(ItemType::Float32),
            0x4101 => Some(ItemType::Intgemm8),
            _ => None,
        }
    }

    /// Bytes the data needs for `elements` values.
    fn bytes_needed(self, elements: u64) -> u64 {
        match self {
            ItemType::Int8 => elements,
            ItemType::Float32 => elements * 4,
            ItemType::Intgemm8 => elements + 4,
        }
    }
}

/// How an `intgemm8` matrix's values are ordered (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Column by column: a weight used as `x·W`.
    Transposed,
    /// Row by row: a matrix used as `x·Mᵀ` (the tied embedding).
    AsIs,
}

/// One item of the file.
#[derive(Clone, Debug)]
pub struct MarianItem {
    pub name: String,
    pub ty: ItemType,
    pub shape: Vec<usize>,
    /// Where its bytes are in [`MarianFile::bytes`].
    pub data: Range<usize>,
}

impl MarianItem {
    pub fn elements(&self) -> usize {
        self.shape.iter().product()
    }
}

/// A whole Marian binary model, read into memory (the bundled models are 17 MB).
#[derive(Debug)]
pub struct MarianFile {
    pub path: PathBuf,
    bytes: Vec<u8>,
    pub items: Vec<MarianItem>,
}

/// Reads fields front to back, naming the field when the bytes run out.
struct Cursor<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: u64, field: &dyn Fn() -> String) -> Result<Range<usize>, MarianError> {
        let available = (self.bytes.len() - self.pos) as u64;
        if n > available {
            return Err(MarianError::Truncated {
                path: self.path.to_path_buf(),
                field: field(),
                needed: n,
                available,
            });
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(start..self.pos)
    }

    fn u64(&mut self, field: &dyn Fn() -> String) -> Result<u64, MarianError> {
        let r = self.take(8, field)?;
        Ok(u64::from_le_bytes(
            self.bytes[r].try_into().expect("8 bytes"),
        ))
    }

    fn i32(&mut self, field: &dyn Fn() -> String) -> Result<i32, MarianError> {
        let r = self.take(4, field)?;
        Ok(i32::from_le_bytes(
            self.bytes[r].try_into().expect("4 bytes"),
        ))
    }
}

/// One header as written.
struct Header {
    name_len: u64,
    code: u64,
    shape_len: u64,
    data_len: u64,
}

impl MarianFile {
    /// Reads and checks a file.
    pub fn open(path: &Path) -> Result<MarianFile, MarianError> {
        let bytes = std::fs::read(path).map_err(|source| MarianError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        MarianFile::parse(path, bytes)
    }

    /// Parses bytes read from `path` (named in errors).
    pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<MarianFile, MarianError> {
        let mut c = Cursor {
            path,
            bytes: &bytes,
            pos: 0,
        };
        let version = c.u64(&|| "binaryFileVersion".into())?;
        if version != BINARY_FILE_VERSION {
            return Err(MarianError::BadVersion {
                path: path.to_path_buf(),
                version,
            });
        }
        let n = c.u64(&|| "numHeaders".into())?;
        // Each header is 32 bytes: refuse a count the file cannot hold before allocating.
        let available = (bytes.len() - c.pos) as u64;
        if n > available / 32 {
            return Err(MarianError::Truncated {
                path: path.to_path_buf(),
                field: format!("headers ({n} × 32 bytes)"),
                needed: n.saturating_mul(32),
                available,
            });
        }
        let headers = read_headers(&mut c, n as usize)?;
        let names = read_names(&mut c, &headers)?;
        let shapes = read_shapes(&mut c, &headers, &names)?;
        let pad = c.u64(&|| "offset (padding length)".into())?;
        c.take(pad, &|| "padding".into())?;
        let mut items = Vec::with_capacity(headers.len());
        for ((h, name), shape) in headers.iter().zip(names).zip(shapes) {
            let data = c.take(h.data_len, &|| format!("data of `{name}`"))?;
            let ty = ItemType::from_code(h.code).ok_or_else(|| MarianError::UnsupportedType {
                path: path.to_path_buf(),
                tensor: name.clone(),
                code: h.code,
            })?;
            let elements = shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d as u64));
            let needed = elements.map_or(u64::MAX, |e| ty.bytes_needed(e));
            if needed > h.data_len {
                return Err(MarianError::BadSize {
                    path: path.to_path_buf(),
                    tensor: name,
                    needed,
                    actual: h.data_len,
                });
            }
            items.push(MarianItem {
                name,
                ty,
                shape,
                data,
            });
        }
        Ok(MarianFile {
            path: path.to_path_buf(),
            bytes,
            items,
        })
    }

    pub fn get(&self, name: &str) -> Option<&MarianItem> {
        self.items.iter().find(|i| i.name == name)
    }

    /// The raw bytes of an item.
    pub fn raw(&self, item: &MarianItem) -> &[u8] {
        &self.bytes[item.data.clone()]
    }

    /// The model's own configuration (`special:model.yml`), when present.
    pub fn model_yml(&self) -> Option<String> {
        let item = self.get("special:model.yml")?;
        let raw = self.raw(item);
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        Some(String::from_utf8_lossy(&raw[..end]).into_owned())
    }

    /// An item as float32 values in row-major `shape` order, de-quantising `intgemm8`
    /// (`int8 / multiplier`, undoing the transposed storage). Checks the shape.
    pub fn f32_tensor(
        &self,
        name: &str,
        expected: &[usize],
        layout: Layout,
    ) -> Result<Vec<f32>, MarianError> {
        let item = self.get(name).ok_or_else(|| MarianError::MissingTensor {
            path: self.path.clone(),
            name: name.to_string(),
        })?;
        if item.shape != expected {
            return Err(MarianError::BadShape {
                path: self.path.clone(),
                tensor: name.to_string(),
                shape: item.shape.clone(),
                expected: expected.to_vec(),
            });
        }
        let raw = self.raw(item);
        let n = item.elements();
        Ok(match item.ty {
            ItemType::Float32 => raw[..n * 4]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect(),
            ItemType::Int8 => raw[..n].iter().map(|&b| b as i8 as f32).collect(),
            ItemType::Intgemm8 => dequantize_intgemm8(raw, &item.shape, layout),
        })
    }
}

/// `rows × cols` int8 in `layout` order, then the f32 multiplier.
fn dequantize_intgemm8(raw: &[u8], shape: &[usize], layout: Layout) -> Vec<f32> {
    let n: usize = shape.iter().product();
    if layout == Layout::AsIs {
        let mult = f32::from_le_bytes(raw[n..n + 4].try_into().expect("4 bytes"));
        return raw[..n].iter().map(|&q| q as i8 as f32 / mult).collect();
    }
    let cols = *shape.last().unwrap_or(&1);
    let rows = n / cols.max(1);
    let mult = f32::from_le_bytes(raw[n..n + 4].try_into().expect("4 bytes"));
    let mut out = vec![0f32; n];
    for c in 0..cols {
        let column = &raw[c * rows..(c + 1) * rows];
        for (r, &q) in column.iter().enumerate() {
            out[r * cols + c] = q as i8 as f32 / mult;
        }
    }
    out
}

fn read_headers(c: &mut Cursor, n: usize) -> Result<Vec<Header>, MarianError> {
    (0..n)
        .map(|i| {
            Ok(Header {
                name_len: c.u64(&|| format!("header {i}: nameLength"))?,
                code: c.u64(&|| format!("header {i}: type"))?,
                shape_len: c.u64(&|| format!("header {i}: shapeLength"))?,
                data_len: c.u64(&|| format!("header {i}: dataLength"))?,
            })
        })
        .collect()
}

fn read_names(c: &mut Cursor, headers: &[Header]) -> Result<Vec<String>, MarianError> {
    let mut names = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let r = c.take(h.name_len, &|| format!("name of item {i}"))?;
        let raw = &c.bytes[r];
        let bad = || MarianError::BadName {
            path: c.path.to_path_buf(),
            index: i,
        };
        let (last, body) = raw.split_last().ok_or_else(bad)?;
        if *last != 0 {
            return Err(bad());
        }
        names.push(std::str::from_utf8(body).map_err(|_| bad())?.to_string());
    }
    Ok(names)
}

fn read_shapes(
    c: &mut Cursor,
    headers: &[Header],
    names: &[String],
) -> Result<Vec<Vec<usize>>, MarianError> {
    let mut shapes = Vec::with_capacity(headers.len());
    for (h, name) in headers.iter().zip(names) {
        let field = || format!("shape of `{name}`");
        let available = (c.bytes.len() - c.pos) as u64 / 4;
        if h.shape_len > available {
            c.take(h.shape_len.saturating_mul(4), &field)?;
        }
        let mut shape = Vec::with_capacity(h.shape_len as usize);
        for _ in 0..h.shape_len {
            let d = c.i32(&field)?;
            shape.push(usize::try_from(d).map_err(|_| MarianError::BadShape {
                path: c.path.to_path_buf(),
                tensor: name.clone(),
                shape: vec![],
                expected: vec![],
            })?);
        }
        shapes.push(shape);
    }
    Ok(shapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a file the way `binary.cpp` does.
    pub(crate) fn write(items: &[(&str, u64, &[i32], &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(1u64.to_le_bytes());
        out.extend((items.len() as u64).to_le_bytes());
        for (name, code, shape, data) in items {
            for v in [
                name.len() as u64 + 1,
                *code,
                shape.len() as u64,
                data.len() as u64,
            ] {
                out.extend(v.to_le_bytes());
            }
        }
        for (name, ..) in items {
            out.extend(name.as_bytes());
            out.push(0);
        }
        for (_, _, shape, _) in items {
            for d in *shape {
                out.extend(d.to_le_bytes());
            }
        }
        let pad = (256 - (out.len() + 8) % 256) % 256;
        out.extend((pad as u64).to_le_bytes());
        out.extend(vec![0u8; pad]);
        for (.., data) in items {
            out.extend(*data);
        }
        out
    }

    #[test]
    fn intgemm8_is_transposed_and_divided_by_its_multiplier() {
        // W = [[1, 2, 3], [4, 5, 6]] (2 × 3), multiplier 2: stored column by column.
        let mut data: Vec<u8> = [1i8, 4, 2, 5, 3, 6].iter().map(|&v| v as u8).collect();
        data.extend(2f32.to_le_bytes());
        let bytes = write(&[("w", 0x4101, &[2, 3], &data)]);
        let f = MarianFile::parse(Path::new("t.bin"), bytes).unwrap();
        let w = f.f32_tensor("w", &[2, 3], Layout::Transposed).unwrap();
        assert_eq!(w, vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
        let w = f.f32_tensor("w", &[2, 3], Layout::AsIs).unwrap();
        assert_eq!(w, vec![0.5, 2.0, 1.0, 2.5, 1.5, 3.0]);
    }

    #[test]
    fn float32_and_missing() {
        let data: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let bytes = write(&[("b", 0x404, &[1, 2], &data)]);
        let f = MarianFile::parse(Path::new("t.bin"), bytes).unwrap();
        assert_eq!(
            f.f32_tensor("b", &[1, 2], Layout::AsIs).unwrap(),
            vec![1.5, -2.0]
        );
        let e = f
            .f32_tensor("c", &[1], Layout::AsIs)
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.bin") && e.contains("`c`"), "{e}");
        let e = f
            .f32_tensor("b", &[2, 1], Layout::AsIs)
            .unwrap_err()
            .to_string();
        assert!(e.contains("[1, 2]") && e.contains("[2, 1]"), "{e}");
    }

    #[test]
    fn truncation_names_the_field() {
        let data: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let bytes = write(&[("bias", 0x404, &[1, 2], &data)]);
        let cut = bytes[..bytes.len() - 1].to_vec();
        let e = MarianFile::parse(Path::new("m.bin"), cut)
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.bin") && e.contains("data of `bias`"), "{e}");
    }
}
