//! `gguf_metadata_value_t`: the values of the key-value metadata.

/// A metadata value, as written in the file (the spec's `gguf_metadata_value_t`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `GGUF_METADATA_VALUE_TYPE_UINT8`
    U8(u8),
    /// `GGUF_METADATA_VALUE_TYPE_INT8`
    I8(i8),
    /// `GGUF_METADATA_VALUE_TYPE_UINT16`
    U16(u16),
    /// `GGUF_METADATA_VALUE_TYPE_INT16`
    I16(i16),
    /// `GGUF_METADATA_VALUE_TYPE_UINT32`
    U32(u32),
    /// `GGUF_METADATA_VALUE_TYPE_INT32`
    I32(i32),
    /// `GGUF_METADATA_VALUE_TYPE_UINT64`
    U64(u64),
    /// `GGUF_METADATA_VALUE_TYPE_INT64`
    I64(i64),
    /// `GGUF_METADATA_VALUE_TYPE_FLOAT32`
    F32(f32),
    /// `GGUF_METADATA_VALUE_TYPE_FLOAT64`
    F64(f64),
    /// `GGUF_METADATA_VALUE_TYPE_BOOL`
    Bool(bool),
    /// `GGUF_METADATA_VALUE_TYPE_STRING`
    String(String),
    /// `GGUF_METADATA_VALUE_TYPE_ARRAY`: the elements share one type (arrays may nest).
    Array(Vec<Value>),
}

impl Value {
    /// The spec's name for this value's type, for messages (`"uint32"`, `"array"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::U8(_) => "uint8",
            Self::I8(_) => "int8",
            Self::U16(_) => "uint16",
            Self::I16(_) => "int16",
            Self::U32(_) => "uint32",
            Self::I32(_) => "int32",
            Self::U64(_) => "uint64",
            Self::I64(_) => "int64",
            Self::F32(_) => "float32",
            Self::F64(_) => "float64",
            Self::Bool(_) => "bool",
            Self::String(_) => "string",
            Self::Array(_) => "array",
        }
    }

    /// Any integer that is not negative, widened to `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Self::U8(v) => Some(v.into()),
            Self::U16(v) => Some(v.into()),
            Self::U32(v) => Some(v.into()),
            Self::U64(v) => Some(v),
            Self::I8(v) => u64::try_from(v).ok(),
            Self::I16(v) => u64::try_from(v).ok(),
            Self::I32(v) => u64::try_from(v).ok(),
            Self::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// Any integer that fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Self::U8(v) => Some(v.into()),
            Self::U16(v) => Some(v.into()),
            Self::U32(v) => Some(v.into()),
            Self::U64(v) => i64::try_from(v).ok(),
            Self::I8(v) => Some(v.into()),
            Self::I16(v) => Some(v.into()),
            Self::I32(v) => Some(v.into()),
            Self::I64(v) => Some(v),
            _ => None,
        }
    }

    /// A float32, or a float64 rounded to f32.
    pub fn as_f32(&self) -> Option<f32> {
        match *self {
            Self::F32(v) => Some(v),
            Self::F64(v) => Some(v as f32),
            _ => None,
        }
    }

    /// A bool.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Self::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// A string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// `gguf_metadata_value_type`: the type tag written before each value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueType {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
}

impl ValueType {
    /// The type with this tag, if the spec defines it.
    pub(crate) fn from_tag(tag: u32) -> Option<Self> {
        Some(match tag {
            0 => Self::U8,
            1 => Self::I8,
            2 => Self::U16,
            3 => Self::I16,
            4 => Self::U32,
            5 => Self::I32,
            6 => Self::F32,
            7 => Self::Bool,
            8 => Self::String,
            9 => Self::Array,
            10 => Self::U64,
            11 => Self::I64,
            12 => Self::F64,
            _ => return None,
        })
    }

    /// The fewest bytes a value of this type takes in the file: a string is at least its
    /// `u64` length, an array at least its element type and `u64` count. Never zero, so a
    /// declared count times this bounds what an array can hold in the bytes that remain.
    pub(crate) fn min_size(self) -> u64 {
        match self {
            Self::U8 | Self::I8 | Self::Bool => 1,
            Self::U16 | Self::I16 => 2,
            Self::U32 | Self::I32 | Self::F32 => 4,
            Self::U64 | Self::I64 | Self::F64 | Self::String => 8,
            Self::Array => 4 + 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_conversions_refuse_what_does_not_fit() {
        assert_eq!(Value::I32(-1).as_u64(), None);
        assert_eq!(Value::I32(7).as_u64(), Some(7));
        assert_eq!(Value::U64(u64::MAX).as_i64(), None);
        assert_eq!(Value::U64(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Value::F32(1.0).as_u64(), None);
        assert_eq!(Value::Bool(true).as_u64(), None);
        assert_eq!(Value::F64(0.5).as_f32(), Some(0.5));
    }

    #[test]
    fn tags_round_trip() {
        for tag in 0..13 {
            let t = ValueType::from_tag(tag).expect("tags 0..=12 are defined");
            assert_eq!(t as u32, tag);
            assert!(t.min_size() >= 1);
        }
        assert_eq!(ValueType::from_tag(13), None);
    }
}
