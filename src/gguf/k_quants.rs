//! The K-quants: 256-element super-blocks of 16 or 8 sub-blocks, each with its own quantized
//! scale (and minimum), written like `dequantize_row_q*_K` in ggml's `ggml-quants.c`.
//!
//! Block layouts are ggml's C structs, sizes asserted at compile time against the type table.
//! Operations keep ggml's order (`d * sc` first, then `* q`, then `- m`), so results equal
//! ggml's and gguf-py's bit for bit.

use super::GgmlType;
use super::block::{f16_at, layout_is};
use super::ggml_type::QK_K;

/// `K_SCALE_SIZE`: bytes of packed 6-bit scales and minimums in Q4_K and Q5_K.
const K_SCALE_SIZE: usize = 12;

// ---- Q2_K ---------------------------------------------------------------------------------

/// `block_q2_K { uint8_t scales[QK_K/16]; uint8_t qs[QK_K/4]; ggml_half d; ggml_half dmin; }`:
/// 16 sub-blocks of 16; each `scales` byte holds a 4-bit scale (low) and minimum (high);
/// `x = d * sc * q - dmin * m` with 2-bit `q`.
const BLOCK_Q2_K: usize = QK_K / 16 + QK_K / 4 + 2 + 2;
const _: () = assert!(BLOCK_Q2_K == 84);
const _: () = assert!(layout_is(GgmlType::Q2_K, QK_K, BLOCK_Q2_K));

pub(super) fn dequantize_row_q2_k(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q2_K>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK_K>().0)
    {
        let scales = &b[..QK_K / 16];
        let qs = &b[QK_K / 16..QK_K / 16 + QK_K / 4];
        let d = f16_at(b, QK_K / 16 + QK_K / 4);
        let min = f16_at(b, QK_K / 16 + QK_K / 4 + 2);

        let mut is = 0;
        // Two halves of 128; in each, 32 bytes of `qs` give four 2-bit planes (shift 0..6).
        for (n, q) in qs.chunks_exact(32).enumerate() {
            for j in 0..4 {
                let shift = 2 * j;
                for half in 0..2 {
                    let sc = scales[is];
                    is += 1;
                    let dl = d * f32::from(sc & 0x0F);
                    let ml = min * f32::from(sc >> 4);
                    let base = n * 128 + j * 32 + half * 16;
                    for l in 0..16 {
                        let q = (q[half * 16 + l] >> shift) & 3;
                        y[base + l] = dl * f32::from(q) - ml;
                    }
                }
            }
        }
    }
}

// ---- Q3_K ---------------------------------------------------------------------------------

/// `block_q3_K { uint8_t hmask[QK_K/8]; uint8_t qs[QK_K/4]; uint8_t scales[12]; ggml_half d; }`:
/// 16 sub-blocks of 16 with 6-bit signed scales (offset 32); 2 low bits from `qs`, and a
/// high bit from `hmask` that, oddly, *subtracts* 4 when it is clear;
/// `x = d * (sc - 32) * (q - (h ? 0 : 4))`.
const BLOCK_Q3_K: usize = QK_K / 8 + QK_K / 4 + 12 + 2;
const _: () = assert!(BLOCK_Q3_K == 110);
const _: () = assert!(layout_is(GgmlType::Q3_K, QK_K, BLOCK_Q3_K));

/// The 16 six-bit scales of a Q3_K block. Scale `i` has its low 4 bits in byte `i % 8` (low
/// nibble for `i < 8`, high nibble after) and its high 2 bits in byte `8 + i % 4`, at bit
/// `2 * (i / 4)`. (ggml does the same with `kmask1`/`kmask2` on four `u32`s.)
fn q3_k_scales(packed: &[u8]) -> [i8; 16] {
    std::array::from_fn(|i| {
        let low = (packed[i % 8] >> (4 * (i / 8))) & 0x0F;
        let high = (packed[8 + i % 4] >> (2 * (i / 4))) & 0x03;
        ((low | (high << 4)) as i8) - 32
    })
}

pub(super) fn dequantize_row_q3_k(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q3_K>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK_K>().0)
    {
        let hmask = &b[..QK_K / 8];
        let qs = &b[QK_K / 8..QK_K / 8 + QK_K / 4];
        let scales = q3_k_scales(&b[QK_K / 8 + QK_K / 4..QK_K / 8 + QK_K / 4 + 12]);
        let d_all = f16_at(b, QK_K / 8 + QK_K / 4 + 12);

        let mut is = 0;
        let mut m = 1u8; // the hmask bit of the current 32-element plane
        for (n, q) in qs.chunks_exact(32).enumerate() {
            for j in 0..4 {
                let shift = 2 * j;
                for half in 0..2 {
                    let dl = d_all * f32::from(scales[is]);
                    is += 1;
                    let base = n * 128 + j * 32 + half * 16;
                    for l in 0..16 {
                        let k = half * 16 + l;
                        let low = ((q[k] >> shift) & 3) as i8;
                        let q = low - if hmask[k] & m != 0 { 0 } else { 4 };
                        y[base + l] = dl * f32::from(q);
                    }
                }
                m <<= 1;
            }
        }
    }
}

// ---- Q4_K ---------------------------------------------------------------------------------

/// `block_q4_K { ggml_half d; ggml_half dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K/2]; }`:
/// 8 sub-blocks of 32 with 6-bit scales and minimums (see [`get_scale_min_k4`]); each 32 bytes
/// of `qs` hold two sub-blocks, low nibbles first; `x = d * sc * q - dmin * m`.
const BLOCK_Q4_K: usize = 2 + 2 + K_SCALE_SIZE + QK_K / 2;
const _: () = assert!(BLOCK_Q4_K == 144);
const _: () = assert!(layout_is(GgmlType::Q4_K, QK_K, BLOCK_Q4_K));

/// `get_scale_min_k4`: scale and minimum of sub-block `j` (0..8) from the 12 packed bytes.
/// Sub-blocks 0..4 use the low 6 bits of bytes `j` and `j + 4`; sub-blocks 4..8 take 4 bits
/// from byte `j + 4` and their top 2 bits from the spare bits of bytes `j - 4` and `j`.
#[inline(always)]
pub fn get_scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

pub(super) fn dequantize_row_q4_k(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q4_K>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK_K>().0)
    {
        let d = f16_at(b, 0);
        let min = f16_at(b, 2);
        let scales = &b[4..4 + K_SCALE_SIZE];
        let qs = &b[4 + K_SCALE_SIZE..];

        // Four 64-element steps; each uses 32 bytes of `qs` and two sub-blocks.
        for ((is, q), y) in (0..)
            .step_by(2)
            .zip(qs.chunks_exact(32))
            .zip(y.chunks_exact_mut(64))
        {
            let (sc, m) = get_scale_min_k4(is, scales);
            let (d1, m1) = (d * f32::from(sc), min * f32::from(m));
            let (sc, m) = get_scale_min_k4(is + 1, scales);
            let (d2, m2) = (d * f32::from(sc), min * f32::from(m));
            let (lo, hi) = y.split_at_mut(32);
            for l in 0..32 {
                lo[l] = d1 * f32::from(q[l] & 0x0F) - m1;
                hi[l] = d2 * f32::from(q[l] >> 4) - m2;
            }
        }
    }
}

// ---- Q5_K ---------------------------------------------------------------------------------

/// `block_q5_K { ggml_half d; ggml_half dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K/8];
/// uint8_t qs[QK_K/2]; }`: as Q4_K, plus a 5th bit per element from `qh` (bit `2i` for the low
/// nibbles of step `i`, bit `2i + 1` for the high ones); `x = d * sc * q - dmin * m`.
const BLOCK_Q5_K: usize = 2 + 2 + K_SCALE_SIZE + QK_K / 8 + QK_K / 2;
const _: () = assert!(BLOCK_Q5_K == 176);
const _: () = assert!(layout_is(GgmlType::Q5_K, QK_K, BLOCK_Q5_K));

pub(super) fn dequantize_row_q5_k(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q5_K>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK_K>().0)
    {
        let d = f16_at(b, 0);
        let min = f16_at(b, 2);
        let scales = &b[4..4 + K_SCALE_SIZE];
        let qh = &b[4 + K_SCALE_SIZE..4 + K_SCALE_SIZE + QK_K / 8];
        let ql = &b[4 + K_SCALE_SIZE + QK_K / 8..];

        let (mut u1, mut u2) = (1u8, 2u8);
        for ((is, q), y) in (0..)
            .step_by(2)
            .zip(ql.chunks_exact(32))
            .zip(y.chunks_exact_mut(64))
        {
            let (sc, m) = get_scale_min_k4(is, scales);
            let (d1, m1) = (d * f32::from(sc), min * f32::from(m));
            let (sc, m) = get_scale_min_k4(is + 1, scales);
            let (d2, m2) = (d * f32::from(sc), min * f32::from(m));
            let (lo, hi) = y.split_at_mut(32);
            for l in 0..32 {
                let h1 = if qh[l] & u1 != 0 { 16 } else { 0 };
                let h2 = if qh[l] & u2 != 0 { 16 } else { 0 };
                lo[l] = d1 * f32::from((q[l] & 0x0F) + h1) - m1;
                hi[l] = d2 * f32::from((q[l] >> 4) + h2) - m2;
            }
            u1 <<= 2;
            u2 <<= 2;
        }
    }
}

// ---- Q6_K ---------------------------------------------------------------------------------

/// `block_q6_K { uint8_t ql[QK_K/2]; uint8_t qh[QK_K/4]; int8_t scales[QK_K/16]; ggml_half d; }`:
/// 16 sub-blocks of 16 with signed 8-bit scales; 4 low bits from `ql`, 2 high bits from `qh`;
/// `x = d * sc * (q - 32)`.
const BLOCK_Q6_K: usize = QK_K / 2 + QK_K / 4 + QK_K / 16 + 2;
const _: () = assert!(BLOCK_Q6_K == 210);
const _: () = assert!(layout_is(GgmlType::Q6_K, QK_K, BLOCK_Q6_K));

pub(super) fn dequantize_row_q6_k(x: &[u8], y: &mut [f32]) {
    for (b, y) in x
        .as_chunks::<BLOCK_Q6_K>()
        .0
        .iter()
        .zip(y.as_chunks_mut::<QK_K>().0)
    {
        let ql = &b[..QK_K / 2];
        let qh = &b[QK_K / 2..QK_K / 2 + QK_K / 4];
        let sc = &b[QK_K / 2 + QK_K / 4..QK_K / 2 + QK_K / 4 + QK_K / 16];
        let d = f16_at(b, QK_K / 2 + QK_K / 4 + QK_K / 16);

        // Two halves of 128 elements, each from 64 bytes of `ql`, 32 of `qh`, 8 scales.
        for (((ql, qh), sc), y) in ql
            .chunks_exact(64)
            .zip(qh.chunks_exact(32))
            .zip(sc.chunks_exact(8))
            .zip(y.chunks_exact_mut(128))
        {
            let scale = |i: usize| d * f32::from(sc[i] as i8);
            for l in 0..32 {
                let is = l / 16;
                let q1 = ((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) as i8 - 32;
                let q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
                let q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
                let q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
                y[l] = scale(is) * f32::from(q1);
                y[l + 32] = scale(is + 2) * f32::from(q2);
                y[l + 64] = scale(is + 4) * f32::from(q3);
                y[l + 96] = scale(is + 6) * f32::from(q4);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ggml's own unpacking of the Q3_K scales (`kmask1`/`kmask2` on four u32s), to check
    /// [`q3_k_scales`] against.
    fn q3_k_scales_like_ggml(packed: &[u8]) -> [i8; 16] {
        const KMASK1: u32 = 0x0303_0303;
        const KMASK2: u32 = 0x0f0f_0f0f;
        let mut aux = [0u32; 4];
        for (i, a) in aux.iter_mut().take(3).enumerate() {
            *a = u32::from_le_bytes(packed[4 * i..4 * i + 4].try_into().unwrap());
        }
        let tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & KMASK2) | (((tmp >> 4) & KMASK1) << 4);
        aux[3] = ((aux[1] >> 4) & KMASK2) | (((tmp >> 6) & KMASK1) << 4);
        aux[0] = (aux[0] & KMASK2) | ((tmp & KMASK1) << 4);
        aux[1] = (aux[1] & KMASK2) | (((tmp >> 2) & KMASK1) << 4);
        let bytes: Vec<u8> = aux.iter().flat_map(|a| a.to_le_bytes()).collect();
        std::array::from_fn(|i| bytes[i] as i8 - 32)
    }

    #[test]
    fn q3_k_scales_unpack_like_ggml() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..100 {
            let packed: Vec<u8> = (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            assert_eq!(q3_k_scales(&packed), q3_k_scales_like_ggml(&packed));
        }
    }

    #[test]
    fn scale_min_k4_by_hand() {
        // Sub-block 5: scale = low nibble of byte 9 | top bits of byte 1 << 4,
        //              min   = high nibble of byte 9 | top bits of byte 5 << 4.
        let mut q = [0u8; 12];
        q[1] = 0b1100_0000;
        q[5] = 0b0100_0000;
        q[9] = 0x7A;
        assert_eq!(get_scale_min_k4(5, &q), (0x0A | 0x30, 0x07 | 0x10));
        q[2] = 0b1010_1010;
        q[6] = 0b0111_1111;
        assert_eq!(get_scale_min_k4(2, &q), (0b10_1010, 0b11_1111));
    }
}
