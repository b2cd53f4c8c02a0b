//! `ggml_type`: the element types a GGUF tensor can have, with their block layouts.
//!
//! One table ([`GgmlType::LAYOUTS`]) holds every id from `ggml.h` (as mirrored by gguf-py's
//! `GGMLQuantizationType` / `GGML_QUANT_SIZES`), so an unsupported type is reported by name and
//! its byte size is still known when the file is parsed. Ids that ggml retired (4, 5, 31–33,
//! 36–38) and ids newer than this table become [`GgmlType::Unknown`].

use std::fmt;

/// `QK_K`: elements per super-block of the K-quants.
pub const QK_K: usize = 256;

/// The type of a tensor's elements, by its `ggml_type` id.
///
/// Names follow ggml (`Q4_K`, not `Q4K`) so that they read like llama.cpp's output.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GgmlType {
    /// 32-bit IEEE float.
    F32,
    /// 16-bit IEEE float.
    F16,
    /// 32 × 4-bit, one f16 scale.
    Q4_0,
    /// 32 × 4-bit, f16 scale and minimum.
    Q4_1,
    /// 32 × 5-bit, one f16 scale.
    Q5_0,
    /// 32 × 5-bit, f16 scale and minimum.
    Q5_1,
    /// 32 × 8-bit, one f16 scale.
    Q8_0,
    /// 32 × 8-bit, f32 scale and sum (an intermediate type for dot products).
    Q8_1,
    /// K-quant, 2-bit.
    Q2_K,
    /// K-quant, 3-bit.
    Q3_K,
    /// K-quant, 4-bit.
    Q4_K,
    /// K-quant, 5-bit.
    Q5_K,
    /// K-quant, 6-bit.
    Q6_K,
    /// K-quant, 8-bit (an intermediate type for dot products).
    Q8_K,
    /// i-quant.
    IQ2_XXS,
    /// i-quant.
    IQ2_XS,
    /// i-quant.
    IQ3_XXS,
    /// i-quant.
    IQ1_S,
    /// i-quant, non-linear 4-bit.
    IQ4_NL,
    /// i-quant.
    IQ3_S,
    /// i-quant.
    IQ2_S,
    /// i-quant.
    IQ4_XS,
    /// 8-bit integer.
    I8,
    /// 16-bit integer.
    I16,
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 64-bit IEEE float.
    F64,
    /// i-quant.
    IQ1_M,
    /// bfloat16.
    BF16,
    /// Ternary.
    TQ1_0,
    /// Ternary.
    TQ2_0,
    /// Microscaling FP4.
    MXFP4,
    /// NVIDIA FP4.
    NVFP4,
    /// 1-bit.
    Q1_0,
    /// An id this table does not know (retired or newer than this reader).
    Unknown(u32),
}

/// One row of the type table: id, variant, name, elements per block, bytes per block.
type Layout = (u32, GgmlType, &'static str, usize, usize);

impl GgmlType {
    /// Every known type: `(id, type, name, block size in elements, type size in bytes)`,
    /// copied from `GGML_QUANT_SIZES` in gguf-py's `constants.py` (which mirrors ggml.c's
    /// `type_traits`). The byte counts are written as ggml's block structs add them up.
    const LAYOUTS: [Layout; 34] = [
        (0, Self::F32, "F32", 1, 4),
        (1, Self::F16, "F16", 1, 2),
        (2, Self::Q4_0, "Q4_0", 32, 2 + 16),
        (3, Self::Q4_1, "Q4_1", 32, 2 + 2 + 16),
        (6, Self::Q5_0, "Q5_0", 32, 2 + 4 + 16),
        (7, Self::Q5_1, "Q5_1", 32, 2 + 2 + 4 + 16),
        (8, Self::Q8_0, "Q8_0", 32, 2 + 32),
        (9, Self::Q8_1, "Q8_1", 32, 4 + 4 + 32),
        (10, Self::Q2_K, "Q2_K", QK_K, 2 + 2 + QK_K / 16 + QK_K / 4),
        (11, Self::Q3_K, "Q3_K", QK_K, 2 + QK_K / 4 + QK_K / 8 + 12),
        (12, Self::Q4_K, "Q4_K", QK_K, 2 + 2 + QK_K / 2 + 12),
        (
            13,
            Self::Q5_K,
            "Q5_K",
            QK_K,
            2 + 2 + QK_K / 2 + QK_K / 8 + 12,
        ),
        (
            14,
            Self::Q6_K,
            "Q6_K",
            QK_K,
            2 + QK_K / 2 + QK_K / 4 + QK_K / 16,
        ),
        (15, Self::Q8_K, "Q8_K", QK_K, 4 + QK_K + QK_K / 8),
        (16, Self::IQ2_XXS, "IQ2_XXS", QK_K, 2 + QK_K / 4),
        (17, Self::IQ2_XS, "IQ2_XS", QK_K, 2 + QK_K / 4 + QK_K / 32),
        (18, Self::IQ3_XXS, "IQ3_XXS", QK_K, 2 + QK_K / 4 + QK_K / 8),
        (19, Self::IQ1_S, "IQ1_S", QK_K, 2 + QK_K / 8 + QK_K / 16),
        (20, Self::IQ4_NL, "IQ4_NL", 32, 2 + 16),
        (
            21,
            Self::IQ3_S,
            "IQ3_S",
            QK_K,
            2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4,
        ),
        (22, Self::IQ2_S, "IQ2_S", QK_K, 2 + QK_K / 4 + QK_K / 16),
        (
            23,
            Self::IQ4_XS,
            "IQ4_XS",
            QK_K,
            2 + 2 + QK_K / 2 + QK_K / 64,
        ),
        (24, Self::I8, "I8", 1, 1),
        (25, Self::I16, "I16", 1, 2),
        (26, Self::I32, "I32", 1, 4),
        (27, Self::I64, "I64", 1, 8),
        (28, Self::F64, "F64", 1, 8),
        (
            29,
            Self::IQ1_M,
            "IQ1_M",
            QK_K,
            QK_K / 8 + QK_K / 16 + QK_K / 32,
        ),
        (30, Self::BF16, "BF16", 1, 2),
        (34, Self::TQ1_0, "TQ1_0", QK_K, 2 + 4 * 13),
        (35, Self::TQ2_0, "TQ2_0", QK_K, 2 + 64),
        (39, Self::MXFP4, "MXFP4", 32, 1 + 16),
        (40, Self::NVFP4, "NVFP4", 64, 4 + 32),
        (41, Self::Q1_0, "Q1_0", 128, 2 + 16),
    ];

    /// The type with this `ggml_type` id ([`GgmlType::Unknown`] if the table lacks it).
    pub const fn from_id(id: u32) -> Self {
        let mut i = 0;
        while i < Self::LAYOUTS.len() {
            if Self::LAYOUTS[i].0 == id {
                return Self::LAYOUTS[i].1;
            }
            i += 1;
        }
        Self::Unknown(id)
    }

    /// The table row of a known type.
    const fn layout(self) -> Option<Layout> {
        if let Self::Unknown(_) = self {
            return None;
        }
        // `PartialEq` is not const: compare the ids (unique, see the tests).
        let id = self.id();
        let mut i = 0;
        while i < Self::LAYOUTS.len() {
            if Self::LAYOUTS[i].0 == id {
                return Some(Self::LAYOUTS[i]);
            }
            i += 1;
        }
        None
    }

    /// The `ggml_type` id written in the file.
    pub const fn id(self) -> u32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q4_0 => 2,
            Self::Q4_1 => 3,
            Self::Q5_0 => 6,
            Self::Q5_1 => 7,
            Self::Q8_0 => 8,
            Self::Q8_1 => 9,
            Self::Q2_K => 10,
            Self::Q3_K => 11,
            Self::Q4_K => 12,
            Self::Q5_K => 13,
            Self::Q6_K => 14,
            Self::Q8_K => 15,
            Self::IQ2_XXS => 16,
            Self::IQ2_XS => 17,
            Self::IQ3_XXS => 18,
            Self::IQ1_S => 19,
            Self::IQ4_NL => 20,
            Self::IQ3_S => 21,
            Self::IQ2_S => 22,
            Self::IQ4_XS => 23,
            Self::I8 => 24,
            Self::I16 => 25,
            Self::I32 => 26,
            Self::I64 => 27,
            Self::F64 => 28,
            Self::IQ1_M => 29,
            Self::BF16 => 30,
            Self::TQ1_0 => 34,
            Self::TQ2_0 => 35,
            Self::MXFP4 => 39,
            Self::NVFP4 => 40,
            Self::Q1_0 => 41,
            Self::Unknown(id) => id,
        }
    }

    /// The name ggml gives the type (`"Q4_K"`), or `"unknown"` for [`GgmlType::Unknown`]
    /// (its `Display` adds the id).
    pub const fn name(self) -> &'static str {
        match self.layout() {
            Some(row) => row.2,
            None => "unknown",
        }
    }

    /// Elements per block (1 for plain floats and integers); `None` for an unknown type.
    pub const fn block_size(self) -> Option<usize> {
        match self.layout() {
            Some(row) => Some(row.3),
            None => None,
        }
    }

    /// Bytes per block; `None` for an unknown type.
    pub const fn type_size(self) -> Option<usize> {
        match self.layout() {
            Some(row) => Some(row.4),
            None => None,
        }
    }

    /// Whether [`crate::gguf::dequantize`] can turn this type into f32.
    pub const fn can_dequantize(self) -> bool {
        matches!(
            self,
            Self::F32
                | Self::F16
                | Self::BF16
                | Self::Q4_0
                | Self::Q4_1
                | Self::Q5_0
                | Self::Q5_1
                | Self::Q8_0
                | Self::Q2_K
                | Self::Q3_K
                | Self::Q4_K
                | Self::Q5_K
                | Self::Q6_K
        )
    }
}

impl fmt::Display for GgmlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(id) => write!(f, "unknown ggml type id {id}"),
            known => f.write_str(known.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for (i, row) in GgmlType::LAYOUTS.iter().enumerate() {
            assert_eq!(GgmlType::from_id(row.0), row.1);
            assert_eq!(row.1.id(), row.0);
            assert_eq!(row.1.name(), row.2);
            assert!(GgmlType::LAYOUTS[..i].iter().all(|other| other.0 != row.0));
        }
        for retired in [4, 5, 31, 32, 33, 36, 37, 38, 42, u32::MAX] {
            let t = GgmlType::from_id(retired);
            assert_eq!(t, GgmlType::Unknown(retired));
            assert_eq!(t.block_size(), None);
            assert_eq!(t.type_size(), None);
            assert_eq!(t.to_string(), format!("unknown ggml type id {retired}"));
        }
    }

    #[test]
    fn sizes_match_ggml() {
        assert_eq!(GgmlType::Q8_0.type_size(), Some(34));
        assert_eq!(GgmlType::Q4_1.type_size(), Some(20));
        assert_eq!(GgmlType::Q4_K.type_size(), Some(144));
        assert_eq!(GgmlType::Q5_K.type_size(), Some(176));
        assert_eq!(GgmlType::Q6_K.type_size(), Some(210));
        assert_eq!(GgmlType::Q6_K.block_size(), Some(256));
        assert_eq!(GgmlType::BF16.to_string(), "BF16");
    }
}
