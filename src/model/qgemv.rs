//! Exact mode's decode kernel: matrix–vector products straight from GGUF's block quants
//! (Q4_0, Q4_1, Q8_0, and Gemma's Q5_0, Q4_K, Q6_K), so a decode step streams ~3–5× fewer
//! bytes than the float32 copy.
//!
//! Every format is re-laid out at load into one of three 32-element forms, keeping each
//! weight's value to the bit: 4-bit values with a scale and an offset (Q4_0, Q4_1, and Q4_K,
//! whose sub-block scale `d · sc` and minimum `dmin · m` are exact f32 products of an f16 and a
//! 6-bit integer), 8-bit values with a scale (Q8_0, and Q5_0 as `q − 16`), and 8-bit values
//! with a scale per 16 (Q6_K as `q − 32`, scale `d · sc`, again an exact product).
//!
//! Every weight is computed in float32 exactly as the de-quantizer in
//! [`crate::gguf::dequantize`] computes it: `d · q` is exact in f32 (a 4- or 8-bit integer
//! times an 11-bit f16 mantissa), so `fma(d, q, m)` rounds once, like `d · q + m` does. Q4_0's
//! `d · (q − 8)` is stored as `fma(d, q, −8d)`, which is exact as well. Products with the input
//! are accumulated in float32, so results equal a float32 matmul on the de-quantized weights up
//! to summation order.
//!
//! The SIMD kernel uses AVX2 and FMA (8 lanes, one row at a time, four partial sums). An
//! AVX-512 variant (16 lanes, four rows sharing each load of the input, the 16 possible 4-bit
//! weights of a block looked up with `vpermps`) measured ~15% slower on the Zen 4 this was
//! tuned on, and its intrinsics need Rust 1.89. Other CPUs get a portable scalar kernel, which
//! is slower than a float32 matmul, so [`accelerated`] tells callers whether to use this at all.
//!
//! The quantized values are kept one row after another (16 bytes per 4-bit block, 32 per 8-bit
//! block) and the block scales (and offsets) as f32 in arrays of their own, which keeps the
//! SIMD loop free of half-precision conversions at the cost of a few bytes per block.

use std::mem::MaybeUninit;
use std::sync::OnceLock;

use half::f16;
use tch::{Kind, Tensor};

use crate::gguf::GgmlType;
use crate::model::ModelError;
use crate::model::slices::{f32s, f32s_mut};
use crate::model::weights::{Checkpoint, Weight};

/// Weights per block.
const QK: usize = 32;

/// The little-endian f16 at byte `at`, as f32.
fn f16_at(b: &[u8], at: usize) -> f32 {
    f16::from_le_bytes([b[at], b[at + 1]]).to_f32()
}

/// The block formats handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantKind {
    /// 4-bit values with a scale and an offset per block (Q4_0 and Q4_1).
    Q4,
    /// 8-bit signed values with a scale per block (Q8_0, Q5_0).
    Q8,
    /// 8-bit signed values with a scale per 16 values, two per block (Q6_K).
    Q8Half,
}

impl QuantKind {
    /// Bytes of quantized values per block.
    const fn qs_bytes(self) -> usize {
        match self {
            QuantKind::Q4 => QK / 2,
            QuantKind::Q8 | QuantKind::Q8Half => QK,
        }
    }

    /// Scales per block.
    const fn scales(self) -> usize {
        match self {
            QuantKind::Q8Half => 2,
            _ => 1,
        }
    }

    /// The form a GGUF type is kept in, if any.
    fn of(ty: GgmlType) -> Option<Self> {
        match ty {
            GgmlType::Q4_0 | GgmlType::Q4_1 | GgmlType::Q4_K => Some(QuantKind::Q4),
            GgmlType::Q8_0 | GgmlType::Q5_0 => Some(QuantKind::Q8),
            GgmlType::Q6_K => Some(QuantKind::Q8Half),
            _ => None,
        }
    }
}

/// A [rows, cols] matrix of block-quantized weights (row-major, blocks along `cols`).
pub struct QuantMatrix {
    kind: QuantKind,
    rows: usize,
    cols: usize,
    /// Quantized values: `rows · cols / 32` blocks of [`QuantKind::qs_bytes`] bytes.
    qs: Vec<u8>,
    /// Scale `d` per block.
    d: Vec<f32>,
    /// Offset `m` per block (Q4 only; `−8d` for Q4_0).
    m: Vec<f32>,
}

impl QuantMatrix {
    /// An empty matrix with `cols` columns (a multiple of 32).
    fn empty(kind: QuantKind, cols: usize) -> Self {
        Self {
            kind,
            rows: 0,
            cols,
            qs: Vec::new(),
            d: Vec::new(),
            m: Vec::new(),
        }
    }

    /// Appends rows given as raw GGUF blocks of type `ty`; `false` (nothing appended) if `ty`
    /// does not fit this matrix.
    fn push_ggml(&mut self, ty: GgmlType, data: &[u8]) -> bool {
        let (Some(kind), Some(block), Some(elems)) =
            (QuantKind::of(ty), ty.type_size(), ty.block_size())
        else {
            return false;
        };
        if kind != self.kind || !self.cols.is_multiple_of(elems) {
            return false;
        }
        let row_bytes = self.cols / elems * block;
        if !data.len().is_multiple_of(row_bytes) {
            return false;
        }
        // Every GGUF block becomes `elems / 32` blocks of ours: the vectors are sized first and
        // filled in two halves on libtorch's threads (the re-layout is most of a model's load).
        let per = elems / QK;
        let (nq, nd, nm) = (
            per * self.kind.qs_bytes(),
            per * self.kind.scales(),
            if self.kind == QuantKind::Q4 { per } else { 0 },
        );
        let blocks = data.len() / block;
        let (q0, d0, m0) = (self.qs.len(), self.d.len(), self.m.len());
        self.qs.reserve_exact(blocks * nq);
        self.d.reserve_exact(blocks * nd);
        self.m.reserve_exact(blocks * nm);
        // Written in place, uninitialised until then: zero-filling first would fault every page
        // in on this thread alone.
        let half = blocks / 2;
        let (qa, qb) = self.qs.spare_capacity_mut()[..blocks * nq].split_at_mut(half * nq);
        let (da, db) = self.d.spare_capacity_mut()[..blocks * nd].split_at_mut(half * nd);
        let (ma, mb) = self.m.spare_capacity_mut()[..blocks * nm].split_at_mut(half * nm);
        let (src_a, src_b) = data.split_at(half * block);
        let fill = |qs, d, m| Fill { qs, d, m };
        let parts = vec![(src_a, fill(qa, da, ma)), (src_b, fill(qb, db, mb))];
        crate::model::omp::for_each(parts, &|(src, mut out)| {
            for b in src.chunks_exact(block) {
                out.ggml_block(ty, b);
            }
            // Every GGUF block wrote exactly its share: the whole part is initialised.
            assert!(out.qs.is_empty() && out.d.is_empty() && out.m.is_empty());
        });
        // SAFETY: both parts wrote every element of their slices (asserted above), which are
        // the next blocks · (nq, nd, nm) elements of the spare capacity.
        unsafe {
            self.qs.set_len(q0 + blocks * nq);
            self.d.set_len(d0 + blocks * nd);
            self.m.set_len(m0 + blocks * nm);
        }
        self.rows += data.len() / row_bytes;
        true
    }
}

/// The rest of a matrix's vectors (not yet written), filled one of our blocks after another.
struct Fill<'a> {
    qs: &'a mut [MaybeUninit<u8>],
    d: &'a mut [MaybeUninit<f32>],
    m: &'a mut [MaybeUninit<f32>],
}

/// Writes `src` into the front of `dst` and moves `dst` past it.
fn put<T: Copy>(dst: &mut &mut [MaybeUninit<T>], src: &[T]) {
    let (head, tail) = std::mem::take(dst).split_at_mut(src.len());
    for (h, &v) in head.iter_mut().zip(src) {
        h.write(v);
    }
    *dst = tail;
}

impl Fill<'_> {
    /// One GGUF block of type `ty` in our form.
    fn ggml_block(&mut self, ty: GgmlType, b: &[u8]) {
        match ty {
            GgmlType::Q4_0 => {
                let d = f16_at(b, 0);
                self.push_block(&[d], Some(-8.0 * d), &b[2..]);
            }
            GgmlType::Q4_1 => self.push_block(&[f16_at(b, 0)], Some(f16_at(b, 2)), &b[4..]),
            GgmlType::Q8_0 => self.push_block(&[f16_at(b, 0)], None, &b[2..]),
            GgmlType::Q5_0 => self.push_q5_0(b),
            GgmlType::Q4_K => self.push_q4_k(b),
            _ => self.push_q6_k(b),
        }
    }

    /// One 32-element block in this matrix's form.
    fn push_block(&mut self, d: &[f32], m: Option<f32>, qs: &[u8]) {
        put(&mut self.d, d);
        if let Some(m) = m {
            put(&mut self.m, &[m]);
        }
        put(&mut self.qs, qs);
    }

    /// `block_q5_0 { d; qh[4]; qs[16] }`: `x = (q − 16) · d`, kept as the 8-bit `q − 16`.
    fn push_q5_0(&mut self, b: &[u8]) {
        let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
        let mut q = [0u8; QK];
        for j in 0..QK / 2 {
            let lo = (b[6 + j] & 0x0F) | ((((qh >> j) << 4) & 0x10) as u8);
            let hi = (b[6 + j] >> 4) | (((qh >> (j + 12)) & 0x10) as u8);
            q[j] = (lo as i8 - 16) as u8;
            q[j + QK / 2] = (hi as i8 - 16) as u8;
        }
        self.push_block(&[f16_at(b, 0)], None, &q);
    }

    /// `block_q4_K`: 8 sub-blocks of 32, `x = (d · sc) · q − dmin · m` (see
    /// `gguf/k_quants.rs`); each becomes a 4-bit block with scale `d · sc` and offset
    /// `−dmin · m`, both exact in f32, so `fma(q, d', m')` rounds once like the de-quantizer.
    fn push_q4_k(&mut self, b: &[u8]) {
        let (d, min) = (f16_at(b, 0), f16_at(b, 2));
        let scales = &b[4..16];
        for (step, q) in b[16..].chunks_exact(32).enumerate() {
            for (half, shift) in [(0, 0), (1, 4)] {
                let (sc, m) = crate::gguf::scale_min_k4(2 * step + half, scales);
                // Our 4-bit layout: byte j holds element j (low nibble) and j + 16 (high).
                let packed: [u8; QK / 2] = std::array::from_fn(|j| {
                    ((q[j] >> shift) & 0x0F) | (((q[j + 16] >> shift) & 0x0F) << 4)
                });
                self.push_block(&[d * f32::from(sc)], Some(-(min * f32::from(m))), &packed);
            }
        }
    }

    /// `block_q6_K { ql[128]; qh[64]; scales[16]; d }`: `x = (d · sc) · (q − 32)` with a scale
    /// per 16 elements; kept as the 8-bit `q − 32` with two scales per 32-element block.
    fn push_q6_k(&mut self, b: &[u8]) {
        let d = f16_at(b, 208);
        let sc = &b[192..208];
        let mut q = [0i8; 256];
        for h in 0..2 {
            let (ql, qh) = (&b[64 * h..64 * h + 64], &b[128 + 32 * h..128 + 32 * h + 32]);
            for l in 0..32 {
                let y = &mut q[128 * h..];
                y[l] = ((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) as i8 - 32;
                y[l + 32] = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
                y[l + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
                y[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
            }
        }
        for k in 0..256 / QK {
            let s = [2 * k, 2 * k + 1].map(|i| d * f32::from(sc[i] as i8));
            let bytes: [u8; QK] = std::array::from_fn(|j| q[QK * k + j] as u8);
            self.push_block(&s, None, &bytes);
        }
    }
}

impl QuantMatrix {
    /// Builds a matrix from raw GGUF blocks of type `ty` (Q4_0, Q4_1 or Q8_0) holding
    /// `rows` × `cols` weights; `None` for other types or sizes.
    pub fn from_ggml(ty: GgmlType, data: &[u8], cols: usize) -> Option<Self> {
        let kind = QuantKind::of(ty)?;
        if cols == 0 || !cols.is_multiple_of(QK) {
            return None;
        }
        let mut q = Self::empty(kind, cols);
        q.push_ggml(ty, data).then_some(q)
    }

    /// The GGUF matrices `ws` stacked along rows (as one fused product); `None` if the
    /// checkpoint is not GGUF or any of them is not Q4_0/Q4_1/Q8_0 (Q4_0 and Q4_1 mix).
    pub fn from_checkpoint(ck: &Checkpoint, ws: &[Weight]) -> Result<Option<Self>, ModelError> {
        let Checkpoint::Gguf(g) = ck else {
            return Ok(None);
        };
        let mut out: Option<Self> = None;
        for &w in ws {
            let name = w.gguf_name();
            let info = g
                .tensor(&name)
                .ok_or(ModelError::MissingTensor(name.clone()))?;
            let [_, cols] = info.shape[..] else {
                return Ok(None);
            };
            let data = g.tensor_data(info);
            match &mut out {
                None => match Self::from_ggml(info.ggml_type, data, cols) {
                    Some(q) => out = Some(q),
                    None => return Ok(None),
                },
                Some(q) => {
                    if q.cols != cols || !q.push_ggml(info.ggml_type, data) {
                        return Ok(None);
                    }
                }
            }
        }
        Ok(out)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.qs.len() + 4 * (self.d.len() + self.m.len())
    }

    /// `y = W x` for `x` of length `cols` and `y` of length `rows`.
    pub fn matvec(&self, x: &[f32], y: &mut [f32]) {
        assert_eq!(x.len(), self.cols, "input length");
        assert_eq!(y.len(), self.rows, "output length");
        let path = Path::detect();
        let threads = crate::model::omp::threads();
        if threads < 2 || self.rows * self.cols < PARALLEL_MIN_WEIGHTS {
            return self.rows_into(path, x, 0, y);
        }
        // Rows in contiguous shares, one per thread of libtorch's team: each row is computed
        // the same way whichever thread takes it.
        let share = self.rows.div_ceil(threads).next_multiple_of(8);
        let shares: Vec<(usize, &mut [f32])> = y.chunks_mut(share).enumerate().collect();
        crate::model::omp::for_each(shares, &|(t, y)| self.rows_into(path, x, t * share, y));
    }

    /// `y = x Wᵀ` for `x` [..., cols] (float32, CPU): one product per row of `x`.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let size = x.size();
        let cols = *size.last().expect("non-scalar");
        assert_eq!(cols as usize, self.cols, "input width");
        let x2 = x
            .to_kind(Kind::Float)
            .reshape([-1, cols])
            .contiguous()
            .to_device(tch::Device::Cpu);
        let n = x2.size()[0] as usize;
        let mut y = Tensor::empty(
            [n as i64, self.rows as i64],
            (Kind::Float, tch::Device::Cpu),
        );
        {
            let xs = f32s(&x2).expect("a contiguous float32 CPU input");
            let ys = f32s_mut(&mut y).expect("a fresh float32 CPU output");
            for (xr, yr) in xs
                .chunks_exact(self.cols)
                .zip(ys.chunks_exact_mut(self.rows))
            {
                self.matvec(xr, yr);
            }
        }
        let mut out_size = size;
        *out_size.last_mut().expect("non-scalar") = self.rows as i64;
        y = y.view(out_size.as_slice());
        y.to_device(x.device())
    }

    /// Rows `row0..row0 + y.len()` of `W x` into `y`.
    fn rows_into(&self, path: Path, x: &[f32], row0: usize, y: &mut [f32]) {
        debug_assert!(row0 + y.len() <= self.rows);
        match path {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Path::Avx2` is only chosen when the CPU has AVX2 and FMA.
            Path::Avx2 => unsafe { avx2::rows(self, x, row0, y) },
            Path::Scalar => scalar_rows(self, x, row0, y),
        }
    }

    /// The form the blocks are kept in.
    pub(crate) fn kind(&self) -> QuantKind {
        self.kind
    }

    /// Row `r`'s scales, offsets and quantized values.
    #[inline(always)]
    pub(crate) fn row(&self, r: usize) -> (&[f32], &[f32], &[u8]) {
        let nb = self.cols / QK;
        let qb = self.kind.qs_bytes();
        let ns = nb * self.kind.scales();
        let m: &[f32] = match self.kind {
            QuantKind::Q4 => &self.m[r * nb..(r + 1) * nb],
            QuantKind::Q8 | QuantKind::Q8Half => &[],
        };
        (
            &self.d[r * ns..(r + 1) * ns],
            m,
            &self.qs[r * nb * qb..(r + 1) * nb * qb],
        )
    }
}

/// Matrices from this many weights split their rows over the OpenMP team (a region costs a
/// few microseconds; a 576 × 576 product ~40).
const PARALLEL_MIN_WEIGHTS: usize = 1 << 17;

/// Whether a SIMD kernel runs here (the portable one is slower than a float32 matmul).
pub fn accelerated() -> bool {
    Path::detect() != Path::Scalar
}

/// Which kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Scalar,
}

impl Path {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            static PATH: OnceLock<Path> = OnceLock::new();
            *PATH.get_or_init(|| {
                // `TOKENSCOPE_QGEMV_PATH=scalar` picks the portable kernel (for comparisons).
                if std::env::var_os("TOKENSCOPE_QGEMV_PATH").is_some_and(|p| p == "scalar") {
                    Path::Scalar
                } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                    Path::Avx2
                } else {
                    Path::Scalar
                }
            })
        }
        #[cfg(not(target_arch = "x86_64"))]
        Path::Scalar
    }
}

/// The portable kernel: weights exactly as the de-quantizer computes them, 8 partial sums.
fn scalar_rows(mat: &QuantMatrix, x: &[f32], row0: usize, y: &mut [f32]) {
    for (i, out) in y.iter_mut().enumerate() {
        let (d, m, qs) = mat.row(row0 + i);
        let mut acc = [0f32; 8];
        for (b, xb) in x.chunks_exact(QK).enumerate() {
            let mut w = [0f32; QK];
            match mat.kind {
                QuantKind::Q4 => {
                    let q = &qs[b * 16..b * 16 + 16];
                    for j in 0..16 {
                        // d · q is exact, so this rounds once, like the de-quantizer.
                        w[j] = f32::from(q[j] & 0x0F) * d[b] + m[b];
                        w[j + 16] = f32::from(q[j] >> 4) * d[b] + m[b];
                    }
                }
                QuantKind::Q8 => {
                    let q = &qs[b * 32..b * 32 + 32];
                    for j in 0..QK {
                        w[j] = f32::from(q[j] as i8) * d[b];
                    }
                }
                QuantKind::Q8Half => {
                    let q = &qs[b * 32..b * 32 + 32];
                    for j in 0..QK {
                        w[j] = f32::from(q[j] as i8) * d[2 * b + j / 16];
                    }
                }
            }
            for j in 0..QK {
                acc[j % 8] += w[j] * xb[j];
            }
        }
        *out = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{QK, QuantKind, QuantMatrix};

    /// Rows `row0..row0 + y.len()`, one at a time (tiles of 2 rows sharing the loads of `x`
    /// measured slower: the kernel is bound by the work per weight, not by loads).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn rows(mat: &QuantMatrix, x: &[f32], row0: usize, y: &mut [f32]) {
        for (i, out) in y.iter_mut().enumerate() {
            let [v] = match mat.kind {
                QuantKind::Q4 => tile::<true, false, 1>(mat, x, row0 + i),
                QuantKind::Q8 => tile::<false, false, 1>(mat, x, row0 + i),
                QuantKind::Q8Half => tile::<false, true, 1>(mat, x, row0 + i),
            };
            *out = v;
        }
    }

    /// `R` rows starting at `r0`, 4-bit (`Q4`) or 8-bit blocks (`HALF`: a scale per 16).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    fn tile<const Q4: bool, const HALF: bool, const R: usize>(
        mat: &QuantMatrix,
        x: &[f32],
        r0: usize,
    ) -> [f32; R] {
        let nb = mat.cols / QK;
        let qb = if Q4 { 16 } else { 32 };
        let ns = if HALF { 2 } else { 1 };
        assert!(x.len() == nb * QK && (r0 + R) * nb * ns <= mat.d.len());
        assert!(mat.qs.len() * ns == mat.d.len() * qb);
        assert!(!Q4 || mat.m.len() == mat.d.len());
        let xp = x.as_ptr();
        let mask = _mm_set1_epi8(0x0F);
        let mut acc = [[_mm256_setzero_ps(); 4]; R];
        for b in 0..nb {
            // SAFETY: b < nb and x holds nb · 32 floats (asserted above).
            let xv: [__m256; 4] =
                std::array::from_fn(|j| unsafe { _mm256_loadu_ps(xp.add(b * QK + 8 * j)) });
            for (r, acc) in acc.iter_mut().enumerate() {
                let k = (r0 + r) * nb + b;
                // SAFETY: k < (r0 + R) · nb ≤ blocks (asserted above), so the qb value bytes
                // at k · qb, the scales k · ns.. k · ns + ns and the offset k are in bounds.
                unsafe {
                    let p = mat.qs.as_ptr().add(k * qb);
                    let d = _mm256_set1_ps(*mat.d.get_unchecked(k * ns));
                    let d2 = if HALF {
                        _mm256_set1_ps(*mat.d.get_unchecked(k * ns + 1))
                    } else {
                        d
                    };
                    let w: [__m256; 4] = if Q4 {
                        let m = _mm256_set1_ps(*mat.m.get_unchecked(k));
                        let q = _mm_loadu_si128(p.cast());
                        let ql = _mm_and_si128(q, mask);
                        let qh = _mm_and_si128(_mm_srli_epi16(q, 4), mask);
                        let parts = [ql, _mm_srli_si128(ql, 8), qh, _mm_srli_si128(qh, 8)];
                        parts.map(|part| {
                            let f = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(part));
                            _mm256_fmadd_ps(f, d, m)
                        })
                    } else {
                        std::array::from_fn(|j| {
                            let q = _mm_loadl_epi64(p.add(8 * j).cast());
                            let s = if j < 2 { d } else { d2 };
                            _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), s)
                        })
                    };
                    for j in 0..4 {
                        acc[j] = _mm256_fmadd_ps(w[j], xv[j], acc[j]);
                    }
                }
            }
        }
        acc.map(|a| {
            let s = _mm256_add_ps(_mm256_add_ps(a[0], a[1]), _mm256_add_ps(a[2], a[3]));
            let s = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)))
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gguf::dequantize;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    pub(crate) const TYPES: [GgmlType; 6] = [
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q8_0,
        GgmlType::Q5_0,
        GgmlType::Q4_K,
        GgmlType::Q6_K,
    ];

    /// Random blocks with sane f16 scales (random bytes elsewhere: values, packed scales).
    pub(crate) fn random_blocks(
        ty: GgmlType,
        rows: usize,
        cols: usize,
        rng: &mut ChaCha8Rng,
    ) -> Vec<u8> {
        let (block, elems) = (ty.type_size().unwrap(), ty.block_size().unwrap());
        let halves: &[usize] = match ty {
            GgmlType::Q4_1 | GgmlType::Q4_K => &[0, 2],
            GgmlType::Q6_K => &[208],
            _ => &[0],
        };
        let mut out = Vec::new();
        for _ in 0..rows * cols / elems {
            let mut b: Vec<u8> = (0..block).map(|_| rng.random()).collect();
            for (s, &at) in halves.iter().enumerate() {
                let offset = s == 1 && ty == GgmlType::Q4_1;
                let v: f32 = rng.random_range(0.001..0.05) * if offset { -4.0 } else { 1.0 };
                let v = if rng.random_bool(0.1) { -v } else { v };
                b[at..at + 2].copy_from_slice(&f16::from_f32(v).to_le_bytes());
            }
            out.extend(b);
        }
        out
    }

    fn check(ty: GgmlType, rows: usize, cols: usize, seed: u64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = random_blocks(ty, rows, cols, &mut rng);
        let w = dequantize(ty, &data, rows * cols).expect("dequantize");
        let x: Vec<f32> = (0..cols).map(|_| rng.random_range(-2.0..2.0)).collect();
        let q = QuantMatrix::from_ggml(ty, &data, cols).expect("supported");
        assert_eq!((q.rows(), q.cols()), (rows, cols));
        let mut paths = vec![Path::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                paths.push(Path::Avx2);
            }
        }
        let mut scalar = vec![0f32; rows];
        q.rows_into(Path::Scalar, &x, 0, &mut scalar);
        for r in 0..rows {
            let row = &w[r * cols..(r + 1) * cols];
            let exact: f64 = row.iter().zip(&x).map(|(&a, &b)| a as f64 * b as f64).sum();
            let scale: f64 = row
                .iter()
                .zip(&x)
                .map(|(&a, &b)| (a as f64 * b as f64).abs())
                .sum();
            let err = (scalar[r] as f64 - exact).abs();
            assert!(
                err <= 1e-6 * scale.max(1e-30),
                "{ty} {rows}x{cols} row {r}: {} vs {exact} (scale {scale})",
                scalar[r]
            );
        }
        for path in paths {
            let mut y = vec![0f32; rows];
            q.rows_into(path, &x, 0, &mut y);
            // A sub-range too (rows not starting at a tile boundary).
            if rows > 3 {
                let mut part = vec![0f32; rows - 3];
                q.rows_into(path, &x, 3, &mut part);
                assert_eq!(&part[..], &y[3..], "{path:?} offset rows");
            }
            for r in 0..rows {
                let row = &w[r * cols..(r + 1) * cols];
                let scale: f64 = row
                    .iter()
                    .zip(&x)
                    .map(|(&a, &b)| (a as f64 * b as f64).abs())
                    .sum();
                let err = (y[r] as f64 - scalar[r] as f64).abs();
                assert!(
                    err <= 2e-6 * scale.max(1e-30),
                    "{path:?} {ty} row {r}: {} vs {}",
                    y[r],
                    scalar[r]
                );
            }
        }
        // Through the public entry point.
        let mut y = vec![0f32; rows];
        q.matvec(&x, &mut y);
        for r in 0..rows {
            let row = &w[r * cols..(r + 1) * cols];
            let scale: f64 = row
                .iter()
                .zip(&x)
                .map(|(&a, &b)| (a as f64 * b as f64).abs())
                .sum();
            assert!((y[r] as f64 - scalar[r] as f64).abs() <= 2e-6 * scale.max(1e-30));
        }
    }

    #[test]
    fn matches_the_dequantizer_for_every_type_and_shape() {
        let mut seed = 0;
        for ty in TYPES {
            for (rows, cols) in [
                (1, 32usize),
                (3, 64),
                (7, 96),
                (1, 256),
                (33, 576),
                (9, 640),
                (5, 2048),
                (301, 576),
                (257, 1024),
                (517, 1536),
            ] {
                if !cols.is_multiple_of(ty.block_size().unwrap()) {
                    continue;
                }
                seed += 1;
                check(ty, rows, cols, seed);
            }
        }
    }

    #[test]
    fn weights_equal_the_dequantizer_bit_for_bit() {
        // One row with x = e_j picks out weight j exactly.
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        for ty in TYPES {
            let cols = 512;
            let data = random_blocks(ty, 1, cols, &mut rng);
            let w = dequantize(ty, &data, cols).expect("dequantize");
            let q = QuantMatrix::from_ggml(ty, &data, cols).expect("supported");
            for j in 0..cols {
                let mut x = vec![0f32; cols];
                x[j] = 1.0;
                let mut y = [0f32; 1];
                // Bit for bit, except that a zero weight may come out as +0 where the
                // de-quantizer writes −0 (`fma(0, d, −8d)` vs `0 · d`): equal values.
                let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a == 0.0 && b == 0.0);
                q.matvec(&x, &mut y);
                assert!(same(y[0], w[j]), "{ty} weight {j}: {} vs {}", y[0], w[j]);
                q.rows_into(Path::Scalar, &x, 0, &mut y);
                assert!(same(y[0], w[j]), "{ty} weight {j} (scalar)");
            }
        }
    }

    #[test]
    fn forward_matches_a_float_matmul() {
        let _guard = tch::no_grad_guard();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (rows, cols) = (300, 576);
        let data = random_blocks(GgmlType::Q4_1, rows, cols, &mut rng);
        let w = dequantize(GgmlType::Q4_1, &data, rows * cols).expect("dequantize");
        let q = QuantMatrix::from_ggml(GgmlType::Q4_1, &data, cols).expect("supported");
        let wt = Tensor::from_slice(&w)
            .view([rows as i64, cols as i64])
            .transpose(0, 1)
            .contiguous();
        let x = Tensor::randn([1, 3, cols as i64], (Kind::Float, tch::Device::Cpu));
        let a = q.forward(&x);
        let b = x.matmul(&wt);
        assert_eq!(a.size(), vec![1, 3, rows as i64]);
        let diff = (&a - &b).abs().max().double_value(&[]);
        let scale = b.abs().max().double_value(&[]);
        assert!(diff <= 1e-5 * scale, "max diff {diff} (scale {scale})");
    }

    #[test]
    fn other_types_are_refused() {
        assert!(QuantMatrix::from_ggml(GgmlType::F32, &[0; 128], 32).is_none());
        assert!(QuantMatrix::from_ggml(GgmlType::Q4_1, &[0; 20], 48).is_none());
    }
}

#[cfg(test)]
mod bench {
    use std::time::Instant;

    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Every matrix of the default model against a float32 matmul on its de-quantized copy:
    /// `cargo test --release --lib qgemv::bench::real -- --ignored --nocapture`.
    #[test]
    #[ignore = "needs the default model"]
    fn real_model_matches_the_dense_product() {
        let _guard = tch::no_grad_guard();
        let g = crate::gguf::GgufFile::open(&crate::registry::default_model_path()).expect("model");
        let ck = Checkpoint::Gguf(g);
        let mut ws = vec![Weight::TokenEmbd];
        for i in 0..30 {
            ws.extend([
                Weight::AttnQ(i),
                Weight::AttnK(i),
                Weight::AttnV(i),
                Weight::AttnOutput(i),
                Weight::FfnGate(i),
                Weight::FfnUp(i),
                Weight::FfnDown(i),
            ]);
        }
        let (mut rel, mut abs) = (0f64, 0f64);
        for w in ws {
            let q = QuantMatrix::from_checkpoint(&ck, &[w])
                .expect("read")
                .expect("quant");
            let dense = ck.load(w).expect("load").transpose(0, 1).contiguous();
            let x = Tensor::randn([3, q.cols() as i64], (Kind::Float, tch::Device::Cpu));
            let (a, b) = (q.forward(&x), x.matmul(&dense));
            let d = (&a - &b).abs().max().double_value(&[]);
            let scale = b.abs().max().double_value(&[]);
            abs = abs.max(d);
            rel = rel.max(d / scale);
        }
        eprintln!("max |Δ| {abs:e}, max |Δ| / max |y| {rel:e}");
        assert!(rel <= 1e-5);
    }

    /// One decode step's products for SmolLM2-135M (30 layers of Q4_1 + the Q8_0 head):
    /// `cargo test --release --lib qgemv::bench -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing"]
    fn smollm2_decode_step() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut make = |ty: GgmlType, rows: usize, cols: usize| {
            let block = if ty == GgmlType::Q8_0 { 34 } else { 20 };
            let mut data: Vec<u8> = (0..rows * cols / QK * block)
                .map(|_| rng.random())
                .collect();
            for b in data.chunks_exact_mut(block) {
                b[..2].copy_from_slice(&f16::from_f32(0.01).to_le_bytes());
                if block == 20 {
                    b[2..4].copy_from_slice(&f16::from_f32(-0.05).to_le_bytes());
                }
            }
            QuantMatrix::from_ggml(ty, &data, cols).expect("supported")
        };
        let mut ms = Vec::new();
        for _ in 0..30 {
            ms.push(make(GgmlType::Q4_1, 960, 576));
            ms.push(make(GgmlType::Q4_1, 576, 576));
            ms.push(make(GgmlType::Q4_1, 3072, 576));
            ms.push(make(GgmlType::Q4_1, 576, 1536));
        }
        ms.push(make(GgmlType::Q8_0, 49152, 576));
        let bytes: usize = ms.iter().map(QuantMatrix::bytes).sum();
        let xs: Vec<f32> = (0..1536).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut ys = vec![0f32; 49152];
        for _ in 0..3 {
            for m in &ms {
                m.matvec(&xs[..m.cols], &mut ys[..m.rows]);
            }
        }
        let reps = 30;
        let mut times = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            for m in &ms {
                m.matvec(&xs[..m.cols], &mut ys[..m.rows]);
            }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let head = ms.last().expect("head");
        let t = Instant::now();
        for _ in 0..10 {
            head.matvec(&xs[..576], &mut ys);
        }
        let head_ms = t.elapsed().as_secs_f64() * 1e2;
        eprintln!(
            "{:?}: {} MB, step p50 {:.2} ms, min {:.2} ms; head {head_ms:.2} ms",
            Path::detect(),
            bytes / 1_000_000,
            times[reps / 2],
            times[0]
        );
    }
}
