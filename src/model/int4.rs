//! Fast mode: 4-bit weights multiplied by ATen's `_weight_int4pack_mm_for_cpu`.
//!
//! ATen's int4 format dequantizes as `w = (q − 8) · scale + zero` per group of `group` inputs.
//! GGUF's Q4_1 blocks (32 weights: `w = d · q + m`) map onto it *exactly* with `scale = d` and
//! `zero = m + 8d`; Q4_0 (`w = d · (q − 8)`) with `scale = d`, `zero = 0`. Other weights (e.g. the
//! Q8_0 embedding used as LM head) are re-quantized with min/max per group, which is lossy.
//! Activations go through the kernel in bfloat16 (with f32 activations it is 10× slower), so
//! fast mode is approximate and labelled as such.

use half::f16;
use tch::{Kind, Tensor};

use crate::gguf::GgmlType;
use crate::model::ModelError;
use crate::model::gemm;
use crate::model::int4_pack::{Blocks, Layout, aten_pack};
use crate::model::weights::{Checkpoint, Weight};

/// Inputs per scale/zero group (GGUF's 4-bit block size).
const GROUP: usize = 32;
const Q4_0_BLOCK_BYTES: usize = 2 + 16;
const Q4_1_BLOCK_BYTES: usize = 2 + 2 + 16;

/// A linear layer with int4-packed weights.
pub struct Int4Linear {
    packed: Tensor,
    /// [in / GROUP, out, 2] (scale, zero) in bfloat16.
    scales_zeros: Tensor,
    out: i64,
    inp: usize,
    bias: Option<Tensor>,
    /// The packed bytes are in ATen's AVX-512 layout, whole 64-row blocks, so long inputs
    /// go through [`gemm`] (see [`Int4Linear::forward`]).
    strips: bool,
}

impl Int4Linear {
    fn new(
        q: Vec<i32>,
        scales_zeros: Vec<f32>,
        out: usize,
        inp: usize,
        bias: Option<&Tensor>,
    ) -> Self {
        let q = Tensor::from_slice(&q).view([out as i64, inp as i64]);
        let packed = q.internal_convert_weight_to_int4pack_for_cpu(1);
        Self::with_packed(packed, scales_zeros, out, inp, bias)
    }

    fn with_packed(
        packed: Tensor,
        scales_zeros: Vec<f32>,
        out: usize,
        inp: usize,
        bias: Option<&Tensor>,
    ) -> Self {
        // scales_zeros arrives as [out, in/GROUP, 2]; ATen wants [in/GROUP, out, 2].
        let sz = Tensor::from_slice(&scales_zeros)
            .view([out as i64, (inp / GROUP) as i64, 2])
            .transpose(0, 1)
            .contiguous()
            .to_kind(Kind::BFloat16);
        let strips = Layout::detect() == Some(Layout::Avx512)
            && out.is_multiple_of(64)
            && gemm::fits(out, inp)
            && packed.kind() == Kind::Uint8
            && packed.is_contiguous();
        Self {
            packed,
            scales_zeros: sz,
            out: out as i64,
            inp,
            bias: bias.map(|b| b.to_kind(Kind::Float)),
            strips,
        }
    }

    /// Packs GGUF Q4_0/Q4_1 tensors exactly (rows of `ws` stacked); `None` if any of them has
    /// another type or the checkpoint is not GGUF.
    pub fn from_checkpoint(
        ck: &Checkpoint,
        ws: &[Weight],
        bias: Option<&Tensor>,
    ) -> Result<Option<Self>, ModelError> {
        let Checkpoint::Gguf(g) = ck else {
            return Ok(None);
        };
        // Each matrix's blocks, and whether its blocks carry a minimum (Q4_1) or not (Q4_0).
        let mut mats: Vec<(Blocks, bool)> = Vec::with_capacity(ws.len());
        let mut inp = 0;
        for &w in ws {
            let name = w.gguf_name();
            let info = g
                .tensor(&name)
                .ok_or(ModelError::MissingTensor(name.clone()))?;
            let [rows, cols] = info.shape[..] else {
                return Ok(None);
            };
            if cols % GROUP != 0 || (inp != 0 && inp != cols) {
                return Ok(None);
            }
            let (block_bytes, has_min) = match info.ggml_type {
                GgmlType::Q4_1 => (Q4_1_BLOCK_BYTES, true),
                GgmlType::Q4_0 => (Q4_0_BLOCK_BYTES, false),
                _ => return Ok(None),
            };
            let blocks = Blocks {
                data: g.tensor_data(info),
                rows,
                block_bytes,
            };
            mats.push((blocks, has_min));
            inp = cols;
        }
        let out: usize = mats.iter().map(|(m, _)| m.rows).sum();
        if !out.is_multiple_of(16) {
            return Ok(None); // ATen's kernel takes rows in sixteens
        }
        let mut sz = Vec::with_capacity(out * inp / GROUP * 2);
        for (m, has_min) in &mats {
            for block in m.data.chunks_exact(m.block_bytes) {
                let d = f16::from_le_bytes([block[0], block[1]]).to_f32();
                let zero = if *has_min {
                    f16::from_le_bytes([block[2], block[3]]).to_f32() + 8.0 * d
                } else {
                    0.0
                };
                sz.extend([d, zero]);
            }
        }
        // ATen's packed bytes written here where this libtorch's layout is known (the same
        // bytes, see `int4_pack`), otherwise ATen packs the int32 values itself.
        let mats: Vec<Blocks> = mats.into_iter().map(|(m, _)| m).collect();
        let packed = match Layout::detect() {
            Some(layout) => layout.pack(&mats, inp),
            None => aten_pack(&mats, inp),
        };
        Ok(Some(Self::with_packed(packed, sz, out, inp, bias)))
    }

    /// Quantizes a float matrix [out, in] with min/max per group of 32 (lossy).
    pub fn quantize(w: &Tensor, bias: Option<&Tensor>) -> Self {
        let (out, inp) = w.size2().expect("matrix");
        let (out, inp) = (out as usize, inp as usize);
        let values =
            Vec::<f32>::try_from(&w.to_kind(Kind::Float).contiguous().view([-1])).expect("f32");
        let mut q = Vec::with_capacity(values.len());
        let mut sz = Vec::with_capacity(values.len() / GROUP * 2);
        for group in values.chunks_exact(GROUP) {
            let min = group.iter().copied().fold(f32::INFINITY, f32::min);
            let max = group.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let scale = if max > min { (max - min) / 15.0 } else { 1.0 };
            q.extend(
                group
                    .iter()
                    .map(|&v| ((v - min) / scale).round().clamp(0.0, 15.0) as i32),
            );
            sz.extend([scale, min + 8.0 * scale]);
        }
        Self::new(q, sz, out, inp, bias)
    }

    /// `y = W x + b` for one input row with ATen's numbers (the input rounded to bfloat16, each
    /// weight `fma(q − 8, scale, zero)`, float32 sums, the output rounded to bfloat16): straight
    /// from the packed bytes on libtorch's threads where the layout allows, else one libtorch
    /// call.
    pub fn matvec(&self, x: &[f32], y: &mut [f32]) {
        if self.strips {
            self.packed_int4().matvec(x, y);
            if let Some(b) = &self.bias {
                let b = crate::model::slices::f32s(b).expect("a float32 CPU bias");
                crate::model::step::add(y, b);
            }
            return;
        }
        // tch's `Element` for `half::bf16` says `Half`, so the bits travel as i16.
        let bits: Vec<i16> = x
            .iter()
            .map(|&v| half::bf16::from_f32(v).to_bits() as i16)
            .collect();
        let out = Tensor::from_slice(&bits)
            .view_dtype(Kind::BFloat16)
            .view([1, -1])
            .internal_weight_int4pack_mm_for_cpu(&self.packed, GROUP as i64, &self.scales_zeros);
        let mut yb = vec![0i16; y.len()];
        out.view_dtype(Kind::Int16).copy_data(&mut yb, y.len());
        for (o, b) in y.iter_mut().zip(yb) {
            *o = half::bf16::from_bits(b as u16).to_f32();
        }
        if let Some(b) = &self.bias {
            crate::model::step::add(
                y,
                crate::model::slices::f32s(b).expect("a float32 CPU bias"),
            );
        }
    }

    /// `y = x Wᵀ + b`. Inputs of more than [`crate::model::step::MAX_TOKENS`] rows go through
    /// [`gemm`] where the layout allows (~2× ATen's int4 kernel for a prompt) with ATen's
    /// numbers: the input rounded to bfloat16, each weight `fma(q − 8, scale, zero)`, float32
    /// sums, the output rounded to bfloat16.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let size = x.size();
        let inp = *size.last().expect("non-scalar");
        let x2 = x.reshape([-1, inp]).to_kind(Kind::BFloat16);
        let long = x2.size()[0] > crate::model::step::MAX_TOKENS as i64;
        let y = if self.strips && long && x.device() == tch::Device::Cpu {
            gemm::forward(&self.packed_int4(), &x2)
                .to_kind(Kind::BFloat16)
                .to_kind(Kind::Float)
        } else {
            x2.internal_weight_int4pack_mm_for_cpu(&self.packed, GROUP as i64, &self.scales_zeros)
                .to_kind(Kind::Float)
        };
        let mut out_size = size.clone();
        *out_size.last_mut().expect("non-scalar") = self.out;
        let y = y.view(out_size.as_slice());
        match &self.bias {
            Some(b) => y + b,
            None => y,
        }
    }
}

/// An [`Int4Linear`]'s packed bytes and (scale, zero) pairs, borrowed for one product.
struct PackedInt4<'a> {
    bytes: &'a [u8],
    /// One `(scale, zero)` bfloat16 pair per group and row, as a u32 (scale in the low half).
    sz: &'a [u32],
    n: usize,
    k: usize,
}

impl Int4Linear {
    fn packed_int4(&self) -> PackedInt4<'_> {
        assert!(self.strips, "strips of a layout gemm does not read");
        let (n, k) = (self.out as usize, self.inp);
        // SAFETY: `packed` is a contiguous uint8 tensor of n · k / 2 bytes and `scales_zeros` a
        // contiguous bfloat16 one of k / GROUP · n · 2 values, never written after load; the
        // slices borrow `self`.
        unsafe {
            PackedInt4 {
                bytes: std::slice::from_raw_parts(self.packed.data_ptr() as *const u8, n * k / 2),
                sz: std::slice::from_raw_parts(
                    self.scales_zeros.data_ptr() as *const u32,
                    k / GROUP * n,
                ),
                n,
                k,
            }
        }
    }
}

impl PackedInt4<'_> {
    /// `y = W x` as [`Int4Linear::matvec`] says, 64-row blocks shared out over the OpenMP team.
    fn matvec(&self, x: &[f32], y: &mut [f32]) {
        assert!(x.len() == self.k && y.len() == self.n, "matvec sizes");
        let xb: Vec<f32> = x
            .iter()
            .map(|&v| half::bf16::from_f32(v).to_f32())
            .collect();
        // 64-row blocks in contiguous shares, one per thread of libtorch's team.
        let blocks = self.n / 64;
        let share = blocks.div_ceil(crate::model::omp::threads().min(blocks));
        let shares: Vec<(usize, &mut [f32])> = y.chunks_mut(64 * share).enumerate().collect();
        crate::model::omp::for_each(shares, &|(t, y)| {
            for (i, rows) in y.chunks_exact_mut(64).enumerate() {
                // SAFETY: AVX-512 (a `PackedInt4` needs it); `rows` are the 64 rows of block
                // t · share + i.
                unsafe { int4_block_dot(self, &xb, t * share + i, rows) };
            }
        });
        for v in y.iter_mut() {
            *v = half::bf16::from_f32(*v).to_f32();
        }
    }
}

/// The scales and zeros of 16 rows from their bfloat16 pairs at `pairs` (scale in the low half
/// of each u32), as float32.
///
/// # Safety
/// AVX-512; `pairs` points at 16 readable u32.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn scale_zero(pairs: *const u32) -> (std::arch::x86_64::__m512, std::arch::x86_64::__m512) {
    use std::arch::x86_64::*;
    // SAFETY: the caller's.
    let p = unsafe { _mm512_loadu_si512(pairs.cast()) };
    let high = _mm512_set1_epi32(0xFFFF_0000u32 as i32);
    (
        _mm512_castsi512_ps(_mm512_slli_epi32::<16>(p)),
        _mm512_castsi512_ps(_mm512_and_si512(p, high)),
    )
}

/// Rows 64b..64b + 64 of `W x` into `out`: per column, 32 bytes give the 64 rows' values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn int4_block_dot(m: &PackedInt4, x: &[f32], b: usize, out: &mut [f32]) {
    use std::arch::x86_64::*;
    let (n, k) = (m.n, m.k);
    let base = b * 64 * k / 2;
    let mask = _mm256_set1_epi8(0x0F);
    let eight = _mm512_set1_epi32(8);
    let mut acc = [_mm512_setzero_ps(); 4];
    for g in 0..k / GROUP {
        // SAFETY: rows 64b..64b + 64 ≤ n of group g; columns 32g..32g + 32 of the block's bytes.
        unsafe {
            let pairs = m.sz.as_ptr().add(g * n + 64 * b);
            let [(s0, z0), (s1, z1), (s2, z2), (s3, z3)] =
                [0, 16, 32, 48].map(|i| scale_zero(pairs.add(i)));
            let (sc, zr) = ([s0, s1, s2, s3], [z0, z1, z2, z3]);
            for kk in 32 * g..32 * g + 32 {
                let bytes = _mm256_loadu_si256(m.bytes.as_ptr().add(base + 32 * kk).cast());
                let lo = _mm256_and_si256(bytes, mask);
                let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(bytes), mask);
                let parts = [
                    _mm256_castsi256_si128(lo),
                    _mm256_extracti128_si256::<1>(lo),
                    _mm256_castsi256_si128(hi),
                    _mm256_extracti128_si256::<1>(hi),
                ];
                let xk = _mm512_set1_ps(*x.get_unchecked(kk));
                for i in 0..4 {
                    let q = _mm512_sub_epi32(_mm512_cvtepu8_epi32(parts[i]), eight);
                    let w = _mm512_fmadd_ps(_mm512_cvtepi32_ps(q), sc[i], zr[i]);
                    acc[i] = _mm512_fmadd_ps(xk, w, acc[i]);
                }
            }
        }
    }
    for (o, a) in out.chunks_exact_mut(16).zip(acc) {
        // SAFETY: `o` is 16 floats.
        unsafe { _mm512_storeu_ps(o.as_mut_ptr(), a) };
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn int4_block_dot(_: &PackedInt4, _: &[f32], _: usize, _: &mut [f32]) {
    unreachable!("no strips off x86_64")
}

impl gemm::Strips for PackedInt4<'_> {
    fn rows(&self) -> usize {
        self.n
    }

    fn cols(&self) -> usize {
        self.k
    }

    /// Straight from the packed bytes, which are `k`-major already: in ATen's AVX-512 layout
    /// the 32 bytes of column `k` of a 64-row block hold rows 0..32 in their low nibbles and
    /// rows 32..64 in their high ones (see [`crate::model::int4_pack`]).
    fn strip(&self, s: usize, _scratch: &mut [f32], packed: &mut [f32]) {
        assert!(packed.len() == gemm::NR * self.k && (s + 1) * gemm::NR <= self.n);
        // SAFETY: `PackedInt4` exists only where AVX-512 runs (`strips` needs `gemm::fits`).
        unsafe { int4_strip(self.bytes, self.sz, self.n, self.k, s, packed) }
    }
}

/// Strip `s` of an AVX-512-packed int4 matrix [n, k] as [k][32] floats (`sz` as in
/// [`PackedInt4`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn int4_strip(bytes: &[u8], sz: &[u32], n: usize, k: usize, s: usize, out: &mut [f32]) {
    use std::arch::x86_64::*;
    let r0 = s * gemm::NR;
    let base = r0 / 64 * 64 * k / 2;
    let shift = _mm_set_epi64x(0, if r0 % 64 == 32 { 4 } else { 0 });
    let (mask, eight) = (_mm_set1_epi8(0x0F), _mm512_set1_ps(8.0));
    for g in 0..k / GROUP {
        // SAFETY: rows r0..r0 + 32 < n of group g < k / GROUP; bytes of columns
        // 32g..32g + 32 of the row block; `out` has k · 32 floats.
        unsafe {
            let pairs = sz.as_ptr().add(g * n + r0);
            let ((s0, z0), (s1, z1)) = (scale_zero(pairs), scale_zero(pairs.add(16)));
            for kk in 32 * g..32 * g + 32 {
                let src = bytes.as_ptr().add(base + 32 * kk);
                let q = |at: usize| {
                    let b = _mm_srl_epi16(_mm_loadu_si128(src.add(at).cast()), shift);
                    let v = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(b, mask)));
                    _mm512_sub_ps(v, eight)
                };
                let dst = out.as_mut_ptr().add(kk * gemm::NR);
                _mm512_storeu_ps(dst, _mm512_fmadd_ps(q(0), s0, z0));
                _mm512_storeu_ps(dst.add(16), _mm512_fmadd_ps(q(16), s1, z1));
            }
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn int4_strip(_: &[u8], _: &[u32], _: usize, _: usize, _: usize, _: &mut [f32]) {
    unreachable!("no strips off x86_64")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long inputs through `gemm` give ATen's int4 product (the same weights and roundings, up
    /// to summation order: within a bfloat16 step of the output).
    #[test]
    fn strips_equal_atens_int4_product() {
        let _guard = tch::no_grad_guard();
        tch::manual_seed(5);
        let opts = (Kind::Float, tch::Device::Cpu);
        let (out, inp) = (192, 96);
        let l = Int4Linear::quantize(&Tensor::randn([out, inp], opts), None);
        if !l.strips {
            eprintln!("no AVX-512 int4 layout here: ATen's kernel serves every input");
            return;
        }
        let x = Tensor::randn([2, 7, inp], opts);
        let got = l.forward(&x);
        let want = x
            .reshape([-1, inp])
            .to_kind(Kind::BFloat16)
            .internal_weight_int4pack_mm_for_cpu(&l.packed, GROUP as i64, &l.scales_zeros)
            .to_kind(Kind::Float)
            .view([2, 7, out]);
        let err = (&got - &want).abs().max().double_value(&[]);
        let scale = want.abs().max().double_value(&[]);
        assert!(err <= scale / 128.0, "{err} vs scale {scale}");
        let close = (&got - &want)
            .abs()
            .le(1e-6)
            .to_kind(Kind::Float)
            .mean(Kind::Float);
        assert!(close.double_value(&[]) > 0.9, "most outputs equal");
        // One row through the block kernel, against the same product.
        let x1 = Vec::<f32>::try_from(x.get(1).get(3)).unwrap();
        let mut y1 = vec![0f32; out as usize];
        l.matvec(&x1, &mut y1);
        let want1 = Vec::<f32>::try_from(want.get(1).get(3)).unwrap();
        let scale1 = want1.iter().fold(0f32, |a, v| a.max(v.abs()));
        for (g, w) in y1.iter().zip(&want1) {
            assert!((g - w).abs() <= scale1 / 128.0, "{g} vs {w}");
        }
        let same = y1.iter().zip(&want1).filter(|(g, w)| g == w).count();
        assert!(
            same * 10 > 9 * y1.len(),
            "most outputs equal: {same} of {}",
            y1.len()
        );
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    #[test]
    #[ignore = "a measurement: cargo test --release int4_matvec_rate -- --ignored --nocapture"]
    fn int4_matvec_rate() {
        let _guard = tch::no_grad_guard();
        let opts = (Kind::Float, tch::Device::Cpu);
        for (out, inp) in [(3072i64, 576i64), (576, 1536), (960, 576)] {
            let l = Int4Linear::quantize(&Tensor::randn([out, inp], opts), None);
            let x = vec![0.3f32; inp as usize];
            let mut y = vec![0f32; out as usize];
            for threads in [1, 2] {
                tch::set_num_threads(threads);
                let reps = 2000;
                let t = std::time::Instant::now();
                for _ in 0..reps {
                    l.matvec(&x, &mut y);
                }
                let ours = t.elapsed().as_secs_f64() / reps as f64 * 1e6;
                let xt = Tensor::from_slice(&x).view([1, -1]).to_kind(Kind::BFloat16);
                let t = std::time::Instant::now();
                for _ in 0..reps {
                    let _ = xt.internal_weight_int4pack_mm_for_cpu(&l.packed, 32, &l.scales_zeros);
                }
                let aten = t.elapsed().as_secs_f64() / reps as f64 * 1e6;
                eprintln!("{out}×{inp}, {threads} threads: ours {ours:.1} µs, ATen {aten:.1} µs");
            }
        }
    }
}
