//! Exact mode without a float32 copy of the weights: long inputs (a prompt, a paste) multiply
//! by panels of rows de-quantized on the fly from the block quants of [`QuantMatrix`], and the
//! token embeddings are read the same way, one row per token.
//!
//! Every weight comes out as [`crate::gguf::dequantize`] computes it (to the bit but for the
//! sign of some zeros in Q4_0; the decode kernel's formulas: `d · q` is exact in f32, so
//! `d · q + m` rounds once), so a panel product equals the float32 matmul on the de-quantized matrix up to summation order.
//! A panel is [`PANEL_FLOATS`] weights (a few MB: it stays in the caches between being
//! written and being read by the GEMM), so the extra memory is one panel, not the matrix.

use tch::{Kind, Tensor};

use crate::model::gemm;
use crate::model::qgemv::{QuantKind, QuantMatrix};

/// Weights per de-quantized panel (4 MiB of float32).
pub const PANEL_FLOATS: usize = 1 << 20;

/// Writes rows `r0..r0 + out.len() / cols` of `mat`, de-quantized, into `out` (row-major).
pub fn dequantize_rows(mat: &QuantMatrix, r0: usize, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { rows_avx2(mat, r0, out) };
        }
    }
    rows_portable(mat, r0, out);
}

/// The same weights with AVX2 and FMA, 8 at a time (`fma(q, d, m)` equals `q · d + m`: the
/// product is exact).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_avx2(mat: &QuantMatrix, r0: usize, out: &mut [f32]) {
    use std::arch::x86_64::*;
    let cols = mat.cols();
    assert!(out.len().is_multiple_of(cols), "whole rows");
    assert!(r0 + out.len() / cols <= mat.rows(), "rows in range");
    let mask = _mm_set1_epi8(0x0F);
    for (i, row_out) in out.chunks_exact_mut(cols).enumerate() {
        let (d, m, qs) = mat.row(r0 + i);
        let kind = mat.kind();
        for (b, w) in row_out.chunks_exact_mut(32).enumerate() {
            let wp = w.as_mut_ptr();
            // SAFETY: the row holds cols / 32 blocks: 16 (Q4) or 32 value bytes each, one scale
            // (two for Q8Half) and, for Q4, one offset; `w` is 32 floats.
            unsafe {
                match kind {
                    QuantKind::Q4 => {
                        let (dv, mv) = (_mm256_set1_ps(d[b]), _mm256_set1_ps(m[b]));
                        let q = _mm_loadu_si128(qs.as_ptr().add(16 * b).cast());
                        let lo = _mm_and_si128(q, mask);
                        let hi = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
                        let parts = [lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)];
                        for (j, part) in parts.into_iter().enumerate() {
                            let f = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(part));
                            _mm256_storeu_ps(wp.add(8 * j), _mm256_fmadd_ps(f, dv, mv));
                        }
                    }
                    QuantKind::Q8 | QuantKind::Q8Half => {
                        let half = matches!(kind, QuantKind::Q8Half);
                        for j in 0..4 {
                            let s = if half { d[2 * b + j / 2] } else { d[b] };
                            let q = _mm_loadl_epi64(qs.as_ptr().add(32 * b + 8 * j).cast());
                            let f = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q));
                            _mm256_storeu_ps(wp.add(8 * j), _mm256_mul_ps(f, _mm256_set1_ps(s)));
                        }
                    }
                }
            }
        }
    }
}

fn rows_portable(mat: &QuantMatrix, r0: usize, out: &mut [f32]) {
    let cols = mat.cols();
    assert!(out.len().is_multiple_of(cols), "whole rows");
    assert!(r0 + out.len() / cols <= mat.rows(), "rows in range");
    for (i, row_out) in out.chunks_exact_mut(cols).enumerate() {
        let (d, m, qs) = mat.row(r0 + i);
        match mat.kind() {
            QuantKind::Q4 => q4_row(d, m, qs, row_out),
            QuantKind::Q8 => q8_row(d, qs, row_out, 1),
            QuantKind::Q8Half => q8_row(d, qs, row_out, 2),
        }
    }
}

/// 4-bit blocks: byte `j` holds element `j` (low nibble) and `j + 16` (high).
#[inline(always)]
fn q4_row(d: &[f32], m: &[f32], qs: &[u8], out: &mut [f32]) {
    for (((w, q), &d), &m) in out
        .chunks_exact_mut(32)
        .zip(qs.chunks_exact(16))
        .zip(d)
        .zip(m)
    {
        let (lo, hi) = w.split_at_mut(16);
        for j in 0..16 {
            lo[j] = f32::from(q[j] & 0x0F) * d + m;
            hi[j] = f32::from(q[j] >> 4) * d + m;
        }
    }
}

/// 8-bit blocks with `per_block` scales (1, or 2 for Q6_K's scale per 16 values).
#[inline(always)]
fn q8_row(d: &[f32], qs: &[u8], out: &mut [f32], per_block: usize) {
    let step = 32 / per_block;
    for ((w, q), &d) in out.chunks_exact_mut(step).zip(qs.chunks_exact(step)).zip(d) {
        for j in 0..step {
            w[j] = f32::from(q[j] as i8) * d;
        }
    }
}

/// The rows `ids` of `mat` (an embedding lookup), [ids.len(), cols] float32 on the CPU.
pub fn gather_rows(mat: &QuantMatrix, ids: &[i64]) -> Tensor {
    let cols = mat.cols();
    let mut out = vec![0f32; ids.len() * cols];
    for (&id, row) in ids.iter().zip(out.chunks_exact_mut(cols)) {
        let id = usize::try_from(id).expect("token ids are not negative");
        dequantize_rows(mat, id, row);
    }
    Tensor::from_slice(&out).view([ids.len() as i64, cols as i64])
}

impl gemm::Strips for QuantMatrix {
    fn rows(&self) -> usize {
        QuantMatrix::rows(self)
    }
    fn cols(&self) -> usize {
        QuantMatrix::cols(self)
    }
    fn strip(&self, s: usize, scratch: &mut [f32], packed: &mut [f32]) {
        let rows = |r0: usize, out: &mut [f32]| dequantize_rows(self, r0, out);
        gemm::strip_from_rows(rows, s, scratch, packed);
    }
}

/// `x Wᵀ` for `x` [..., cols] (float32, CPU): through [`gemm`] where it runs, otherwise one
/// panel of rows of `W` at a time through libtorch's GEMM.
pub fn matmul(mat: &QuantMatrix, x: &Tensor) -> Tensor {
    let (rows, cols) = (mat.rows(), mat.cols());
    if gemm::fits(rows, cols) {
        return gemm::forward(mat, x);
    }
    let panel_rows = (PANEL_FLOATS / cols).clamp(1, rows);
    let x = x.to_kind(Kind::Float);
    SCRATCH.with_borrow_mut(|scratch| {
        if scratch.len() < panel_rows * cols {
            scratch.resize(panel_rows * cols, 0.0);
        }
        let mut size = x.size();
        *size.last_mut().expect("non-scalar") = rows as i64;
        let out = Tensor::empty(size.as_slice(), (Kind::Float, tch::Device::Cpu));
        for r0 in (0..rows).step_by(panel_rows) {
            let n = panel_rows.min(rows - r0);
            let panel = &mut scratch[..n * cols];
            dequantize_rows(mat, r0, panel);
            // SAFETY: `panel` is n · cols initialised floats that outlive the product
            // (computed before the next panel overwrites them); the tensor only reads it.
            let w = unsafe {
                Tensor::from_blob(
                    panel.as_ptr().cast(),
                    &[n as i64, cols as i64],
                    &[cols as i64, 1],
                    Kind::Float,
                    tch::Device::Cpu,
                )
            };
            // Written in place: the whole output is held once, not once more in parts.
            out.narrow(-1, r0 as i64, n as i64)
                .copy_(&x.linear::<Tensor>(&w, None));
        }
        out
    })
}

thread_local! {
    /// One panel's floats, reused by every product on this thread (a fresh 4 MiB buffer per
    /// panel costs its page faults every time).
    static SCRATCH: std::cell::RefCell<Vec<f32>> = std::cell::RefCell::new(vec![0.0; PANEL_FLOATS]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::{GgmlType, dequantize};
    use crate::model::qgemv::tests::{TYPES, random_blocks};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn rows_equal_the_dequantizer_to_the_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for ty in TYPES {
            let (rows, cols) = (37, 512);
            let data = random_blocks(ty, rows, cols, &mut rng);
            let want = dequantize(ty, &data, rows * cols).unwrap();
            let q = QuantMatrix::from_ggml(ty, &data, cols).unwrap();
            let mut got = vec![0f32; rows * cols];
            dequantize_rows(&q, 0, &mut got);
            // Equal as numbers: Q4_0's `q·d − 8d` gives +0 where `(q − 8)·d` gives −0 for a
            // negative d; every other weight is equal to the bit.
            let differ = want
                .iter()
                .zip(&got)
                .position(|(a, b)| a != b || (a.to_bits() != b.to_bits() && *a != 0.0));
            assert_eq!(differ, None, "{ty}: a weight differs from the de-quantizer");
            let mut portable = vec![0f32; rows * cols];
            rows_portable(&q, 0, &mut portable);
            assert_eq!(portable, got, "{ty}: portable and AVX2 loops differ");
            let ids = [5i64, 0, 36, 5];
            let g = gather_rows(&q, &ids);
            for (i, &id) in ids.iter().enumerate() {
                let row = Vec::<f32>::try_from(g.get(i as i64)).unwrap();
                let id = id as usize;
                assert_eq!(row, want[id * cols..(id + 1) * cols], "{ty} row {id}");
            }
        }
    }

    #[test]
    fn panel_product_equals_the_float_matmul() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for ty in [GgmlType::Q4_1, GgmlType::Q6_K] {
            // More rows than one panel, and a last panel that is not full.
            let cols = 256;
            let rows = PANEL_FLOATS / cols * 2 + 17;
            let data = random_blocks(ty, rows, cols, &mut rng);
            let w = Tensor::from_slice(&dequantize(ty, &data, rows * cols).unwrap())
                .view([rows as i64, cols as i64]);
            let q = QuantMatrix::from_ggml(ty, &data, cols).unwrap();
            let x = Tensor::randn([2, 9, cols as i64], (Kind::Float, tch::Device::Cpu));
            let got = matmul(&q, &x);
            let want = x.linear::<Tensor>(&w, None);
            assert_eq!(got.size(), [2, 9, rows as i64]);
            let err = (&got - &want).abs().max().double_value(&[]);
            let scale = want.abs().max().double_value(&[]);
            assert!(err <= 1e-5 * scale, "{ty}: {err} vs scale {scale}");
        }
    }
}
