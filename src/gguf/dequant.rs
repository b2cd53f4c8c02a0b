//! Dequantization to f32: plain floats and ggml's "legacy" 32-element block quants, written
//! like `dequantize_row_*` in ggml's `ggml-quants.c` (the K-quants live in [`super::k_quants`]).
//!
//! Each block layout is spelled out as ggml's C struct and its size asserted at compile time,
//! both on its own and against the type table in [`GgmlType`]. The arithmetic keeps ggml's
//! order of operations, so results equal ggml's and gguf-py's bit for bit.

use super::block::{f16_at, layout_is};
use super::k_quants;
use super::{GgmlType, GgufError};

/// Dequantizes `n_elements` values of type `t` from `bytes` (exactly their size) to f32, in
/// the order they are stored: row-major with the innermost (ggml `ne[0]`) dimension fastest.
///
/// Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K
/// (see [`GgmlType::can_dequantize`]). Any other type is [`GgufError::UnsupportedType`] with an
/// empty tensor name ([`crate::gguf::GgufFile::dequantize`] fills it in).
pub fn dequantize(t: GgmlType, bytes: &[u8], n_elements: usize) -> Result<Vec<f32>, GgufError> {
    check_sizes(t, bytes, n_elements)?;
    // Sizes are checked, so this allocation is backed by bytes that exist (at most 8× them).
    let mut out = vec![0.0f32; n_elements];
    dequantize_into(t, bytes, &mut out)?;
    Ok(out)
}

/// Like [`dequantize`], but writes into `out` (whose length is the element count).
pub fn dequantize_into(t: GgmlType, bytes: &[u8], out: &mut [f32]) -> Result<(), GgufError> {
    check_sizes(t, bytes, out.len())?;
    match t {
        GgmlType::F32 => dequantize_row_f32(bytes, out),
        GgmlType::F16 => dequantize_row_f16(bytes, out),
        GgmlType::BF16 => dequantize_row_bf16(bytes, out),
        GgmlType::Q4_0 => dequantize_row_q4_0(bytes, out),
        GgmlType::Q4_1 => dequantize_row_q4_1(bytes, out),
        GgmlType::Q5_0 => dequantize_row_q5_0(bytes, out),
        GgmlType::Q5_1 => dequantize_row_q5_1(bytes, out),
        GgmlType::Q8_0 => dequantize_row_q8_0(bytes, out),
        GgmlType::Q2_K => k_quants::dequantize_row_q2_k(bytes, out),
        GgmlType::Q3_K => k_quants::dequantize_row_q3_k(bytes, out),
        GgmlType::Q4_K => k_quants::dequantize_row_q4_k(bytes, out),
        GgmlType::Q5_K => k_quants::dequantize_row_q5_k(bytes, out),
        GgmlType::Q6_K => k_quants::dequantize_row_q6_k(bytes, out),
        other => unreachable!("check_sizes refuses {other}, which cannot be dequantized"),
    }
    Ok(())
}

/// Refuses types that cannot be dequantized, and sizes that are not `n_elements` of `t`.
fn check_sizes(t: GgmlType, bytes: &[u8], n_elements: usize) -> Result<(), GgufError> {
    let (true, Some(block_size), Some(type_size)) =
        (t.can_dequantize(), t.block_size(), t.type_size())
    else {
        return Err(GgufError::UnsupportedType {
            tensor: String::new(),
            type_name: t.to_string(),
        });
    };
    if !n_elements.is_multiple_of(block_size) {
        return Err(GgufError::Invalid(format!(
            "{n_elements} elements are not whole {t} blocks of {block_size}"
        )));
    }
    let expected = (n_elements / block_size).checked_mul(type_size);
    if expected != Some(bytes.len()) {
        return Err(GgufError::Invalid(format!(
            "{n_elements} {t} elements take {} bytes, but {} were given",
            expected.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string()),
            bytes.len()
        )));
    }
    Ok(())
}

// ---- plain floats -----------------------------------------------------------------------

const _: () = assert!(layout_is(GgmlType::F32, 1, 4));
const _: () = assert!(layout_is(GgmlType::F16, 1, 2));
const _: () = assert!(layout_is(GgmlType::BF16, 1, 2));

fn dequantize_row_f32(x: &[u8], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x.as_chunks::<4>().0) {
        *y = f32::from_le_bytes(*x);
    }
}

fn dequantize_row_f16(x: &[u8], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x.as_chunks::<2>().0) {
        *y = half::f16::from_le_bytes(*x).to_f32();
    }
}

/// bfloat16 is the top half of an f32, so widening is a shift (`ggml_compute_bf16_to_fp32`).
fn dequantize_row_bf16(x: &[u8], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x.as_chunks::<2>().0) {
        *y = f32::from_bits(u32::from(u16::from_le_bytes(*x)) << 16);
    }
}

// ---- Q4_0 ---------------------------------------------------------------------------------

/// `QK4_0`: elements per Q4_0 block.
const QK4_0: usize = 32;
/// `block_q4_0 { ggml_half d; uint8_t qs[QK4_0 / 2]; }`: element `j` is the low nibble of
/// `qs[j]`, element `j + 16` the high nibble; `x = (q - 8) * d`.
const BLOCK_Q4_0: usize = 2 + QK4_0 / 2;
const _: () = assert!(BLOCK_Q4_0 == 18);
const _: () = assert!(layout_is(GgmlType::Q4_0, QK4_0, BLOCK_Q4_0));

fn dequantize_row_q4_0(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q4_0>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK4_0>().0)
    {
        let d = f16_at(b, 0);
        let qs = &b[2..];
        for j in 0..QK4_0 / 2 {
            let x0 = i32::from(qs[j] & 0x0F) - 8;
            let x1 = i32::from(qs[j] >> 4) - 8;
            y[j] = x0 as f32 * d;
            y[j + QK4_0 / 2] = x1 as f32 * d;
        }
    }
}

// ---- Q4_1 ---------------------------------------------------------------------------------

/// `QK4_1`: elements per Q4_1 block.
const QK4_1: usize = 32;
/// `block_q4_1 { ggml_half d; ggml_half m; uint8_t qs[QK4_1 / 2]; }`: nibbles as in Q4_0;
/// `x = q * d + m`.
const BLOCK_Q4_1: usize = 2 + 2 + QK4_1 / 2;
const _: () = assert!(BLOCK_Q4_1 == 20);
const _: () = assert!(layout_is(GgmlType::Q4_1, QK4_1, BLOCK_Q4_1));

fn dequantize_row_q4_1(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q4_1>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK4_1>().0)
    {
        let d = f16_at(b, 0);
        let m = f16_at(b, 2);
        let qs = &b[4..];
        for j in 0..QK4_1 / 2 {
            let x0 = qs[j] & 0x0F;
            let x1 = qs[j] >> 4;
            y[j] = f32::from(x0) * d + m;
            y[j + QK4_1 / 2] = f32::from(x1) * d + m;
        }
    }
}

// ---- Q5_0 ---------------------------------------------------------------------------------

/// `QK5_0`: elements per Q5_0 block.
const QK5_0: usize = 32;
/// `block_q5_0 { ggml_half d; uint8_t qh[4]; uint8_t qs[QK5_0 / 2]; }`: the low 4 bits as in
/// Q4_0, bit `j` of the little-endian `u32` `qh` is the 5th bit of element `j`;
/// `x = (q - 16) * d`.
const BLOCK_Q5_0: usize = 2 + 4 + QK5_0 / 2;
const _: () = assert!(BLOCK_Q5_0 == 22);
const _: () = assert!(layout_is(GgmlType::Q5_0, QK5_0, BLOCK_Q5_0));

fn dequantize_row_q5_0(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q5_0>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK5_0>().0)
    {
        let d = f16_at(b, 0);
        let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
        let qs = &b[6..];
        for j in 0..QK5_0 / 2 {
            let xh_0 = (((qh >> j) << 4) & 0x10) as u8;
            let xh_1 = ((qh >> (j + 12)) & 0x10) as u8;
            let x0 = i32::from((qs[j] & 0x0F) | xh_0) - 16;
            let x1 = i32::from((qs[j] >> 4) | xh_1) - 16;
            y[j] = x0 as f32 * d;
            y[j + QK5_0 / 2] = x1 as f32 * d;
        }
    }
}

// ---- Q5_1 ---------------------------------------------------------------------------------

/// `QK5_1`: elements per Q5_1 block.
const QK5_1: usize = 32;
/// `block_q5_1 { ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[QK5_1 / 2]; }`: bits as
/// in Q5_0; `x = q * d + m`.
const BLOCK_Q5_1: usize = 2 + 2 + 4 + QK5_1 / 2;
const _: () = assert!(BLOCK_Q5_1 == 24);
const _: () = assert!(layout_is(GgmlType::Q5_1, QK5_1, BLOCK_Q5_1));

fn dequantize_row_q5_1(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q5_1>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK5_1>().0)
    {
        let d = f16_at(b, 0);
        let m = f16_at(b, 2);
        let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        let qs = &b[8..];
        for j in 0..QK5_1 / 2 {
            let xh_0 = (((qh >> j) << 4) & 0x10) as u8;
            let xh_1 = ((qh >> (j + 12)) & 0x10) as u8;
            let x0 = (qs[j] & 0x0F) | xh_0;
            let x1 = (qs[j] >> 4) | xh_1;
            y[j] = f32::from(x0) * d + m;
            y[j + QK5_1 / 2] = f32::from(x1) * d + m;
        }
    }
}

// ---- Q8_0 ---------------------------------------------------------------------------------

/// `QK8_0`: elements per Q8_0 block.
const QK8_0: usize = 32;
/// `block_q8_0 { ggml_half d; int8_t qs[QK8_0]; }`: `x = q * d`.
const BLOCK_Q8_0: usize = 2 + QK8_0;
const _: () = assert!(BLOCK_Q8_0 == 34);
const _: () = assert!(layout_is(GgmlType::Q8_0, QK8_0, BLOCK_Q8_0));

fn dequantize_row_q8_0(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q8_0>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK8_0>().0)
    {
        let d = f16_at(b, 0);
        for (y, &q) in y.iter_mut().zip(&b[2..]) {
            *y = f32::from(q as i8) * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One block of each legacy type, worked by hand.
    #[test]
    fn legacy_blocks_by_hand() {
        let half = |v: f32| half::f16::from_f32(v).to_le_bytes();

        // Q8_0: d = 0.5, q = 0, 1, -1, 2, -2, ...
        let mut b = half(0.5).to_vec();
        b.extend((0..32).map(|i: i32| (if i % 2 == 1 { i / 2 + 1 } else { -(i / 2) }) as i8 as u8));
        let y = dequantize(GgmlType::Q8_0, &b, 32).unwrap();
        assert_eq!(&y[..5], &[0.0, 0.5, -0.5, 1.0, -1.0]);

        // Q4_0: d = 2, qs[j] = 0xF0 | 9 -> low nibble 9 (1 * 2), high 15 (7 * 2).
        let mut b = half(2.0).to_vec();
        b.extend([0xF9u8; 16]);
        let y = dequantize(GgmlType::Q4_0, &b, 32).unwrap();
        assert_eq!(y[..16], [2.0; 16]);
        assert_eq!(y[16..], [14.0; 16]);

        // Q4_1: d = 1, m = -3, nibbles 3 and 4 -> 0 and 1.
        let mut b = half(1.0).to_vec();
        b.extend(half(-3.0));
        b.extend([0x43u8; 16]);
        let y = dequantize(GgmlType::Q4_1, &b, 32).unwrap();
        assert_eq!(y[..16], [0.0; 16]);
        assert_eq!(y[16..], [1.0; 16]);

        // Q5_0: d = 1, low nibbles 0, qh bit 0 and bit 16 set -> elements 0 and 16 are 16 - 16.
        let mut b = half(1.0).to_vec();
        b.extend(0x0001_0001u32.to_le_bytes());
        b.extend([0u8; 16]);
        let y = dequantize(GgmlType::Q5_0, &b, 32).unwrap();
        assert_eq!((y[0], y[1], y[16], y[17]), (0.0, -16.0, 0.0, -16.0));

        // Q5_1: d = 1, m = 0.5, element 31 gets the 5th bit and nibble 15 -> 31.5.
        let mut b = half(1.0).to_vec();
        b.extend(half(0.5));
        b.extend(0x8000_0000u32.to_le_bytes());
        b.extend([0xF0u8; 16]);
        let y = dequantize(GgmlType::Q5_1, &b, 32).unwrap();
        assert_eq!((y[0], y[15], y[16], y[31]), (0.5, 0.5, 15.5, 31.5));
    }

    #[test]
    fn floats_widen_exactly() {
        let y = dequantize(GgmlType::BF16, &[0x80, 0x3F, 0x00, 0xC0], 2).unwrap();
        assert_eq!(y, [1.0, -2.0]);
        let y = dequantize(GgmlType::F16, &[0x00, 0x3C, 0x00, 0xC0], 2).unwrap();
        assert_eq!(y, [1.0, -2.0]);
        let y = dequantize(GgmlType::F32, &1.5f32.to_le_bytes(), 1).unwrap();
        assert_eq!(y, [1.5]);
    }

    #[test]
    fn wrong_sizes_and_types_are_errors() {
        assert!(matches!(
            dequantize(GgmlType::Q8_0, &[0; 34], 31),
            Err(GgufError::Invalid(_))
        ));
        assert!(matches!(
            dequantize(GgmlType::Q8_0, &[0; 33], 32),
            Err(GgufError::Invalid(_))
        ));
        assert!(matches!(
            dequantize(GgmlType::Q8_0, &[], usize::MAX - 31),
            Err(GgufError::Invalid(_))
        ));
        let err = dequantize(GgmlType::IQ2_XXS, &[0; 66], 256).unwrap_err();
        assert!(err.to_string().contains("IQ2_XXS"), "{err}");
        assert!(matches!(
            dequantize(GgmlType::Unknown(99), &[], 0),
            Err(GgufError::UnsupportedType { .. })
        ));
    }
}
