//! `y = x Wᵀ` for long inputs (a prompt) with `W` de-quantized a strip of rows at a time, on
//! AVX-512: exact mode's prefill without a float32 copy of the weights, at the machine's
//! float32 rate.
//!
//! libtorch's float32 GEMM (MKL) takes its AVX2 kernels on AMD CPUs, half of what a Zen 5 core
//! does with 512-bit FMAs, and it needs the weights as floats in memory. Here each strip of
//! [`NR`] weight rows is de-quantized (by the [`Strips`] source: GGUF blocks, ATen's int4 bytes)
//! into a small buffer that stays in the core's L2, transposed so that one `k` is 32 adjacent
//! floats, and multiplied by every row of `x` with a register-blocked kernel: [`MR`] rows of
//! `x` × 32 weights, 24 accumulators, one broadcast and two FMAs per product pair.
//!
//! Each output is one fused multiply-add chain over `k` in order, so the result of a row does
//! not depend on how many rows come with it, on which thread computes it, or on the strip
//! order: the same prompt gives the same bits in a long or a short batch. Strips go to the
//! threads of libtorch's OpenMP team ([`crate::model::omp`]) as they free up.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use tch::{Device, Kind, Tensor};

use crate::model::omp;
use crate::model::slices::{f32s, f32s_mut};

/// Weight rows per strip (two 16-float vectors).
pub const NR: usize = 32;
/// Input rows per kernel call (12 × 2 accumulators of the 32 registers).
pub const MR: usize = 12;

/// A matrix that writes strips of itself as float32, `k`-major.
pub trait Strips: Sync {
    fn rows(&self) -> usize;
    fn cols(&self) -> usize;
    /// Rows `s·NR .. (s + 1)·NR` into `packed` as [cols][NR] (the `NR` weights of one input
    /// column side by side); `scratch` holds NR × cols floats the source may use.
    fn strip(&self, s: usize, scratch: &mut [f32], packed: &mut [f32]);
}

/// [`Strips::strip`] for a source that writes whole rows: `rows_into(r0, out)` de-quantizes rows
/// `r0..` row-major into `out`, then a transpose.
pub fn strip_from_rows(
    rows_into: impl FnOnce(usize, &mut [f32]),
    s: usize,
    scratch: &mut [f32],
    packed: &mut [f32],
) {
    let k = packed.len() / NR;
    assert!(avx512() && k.is_multiple_of(16) && scratch.len() == NR * k);
    rows_into(s * NR, scratch);
    // SAFETY: AVX-512 (checked); both buffers are NR × k floats, k a multiple of 16.
    unsafe { transpose_strip(scratch, packed, k) }
}

/// Whether [`matmul`] runs here for a `rows × cols` matrix: the CPU has AVX-512 and both sides
/// are whole strips and transpose tiles.
pub fn fits(rows: usize, cols: usize) -> bool {
    avx512() && rows.is_multiple_of(NR) && cols.is_multiple_of(16) && cols > 0
}

fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *HAS.get_or_init(|| is_x86_feature_detected!("avx512f"))
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// `y [m, rows] = x [m, cols] · Wᵀ` (row-major slices). Callers check [`fits`] first.
pub fn matmul<W: Strips + ?Sized>(w: &W, x: &[f32], m: usize, y: &mut [f32]) {
    let (n, k) = (w.rows(), w.cols());
    assert!(fits(n, k), "matmul on a {n}×{k} matrix it does not fit");
    assert_eq!(x.len(), m * k, "input size");
    assert_eq!(y.len(), m * n, "output size");
    if m == 0 {
        return;
    }
    let a = pack_inputs(x, m, k);
    let strips = n / NR;
    let next = AtomicUsize::new(0);
    let out = SendPtr(y.as_mut_ptr());
    let team = omp::threads().min(strips);
    omp::parallel(team, &|_, _| {
        let out = &out;
        STRIP.with_borrow_mut(|buf| {
            buf.prepare(k);
            loop {
                let s = next.fetch_add(1, Ordering::Relaxed);
                if s >= strips {
                    break;
                }
                let (scratch, packed) = buf.split();
                w.strip(s, scratch, packed);
                // SAFETY: `fits` checked AVX-512; `packed` holds k × NR floats; every (row,
                // strip) tile of `y` is written by this call alone.
                unsafe {
                    for (i, r0) in (0..m).step_by(MR).enumerate() {
                        let r = MR.min(m - r0);
                        let a = a.as_ptr().add(i * MR * k);
                        kernel_rows(r, k, a, packed.as_ptr(), out.0.add(r0 * n + s * NR), n);
                    }
                }
            }
        });
    });
}

/// [`matmul`] on a tensor: `x` [..., cols] (any float kind, CPU) to float32 [..., rows].
pub fn forward<W: Strips + ?Sized>(w: &W, x: &Tensor) -> Tensor {
    let mut size = x.size();
    let cols = *size.last().expect("non-scalar");
    let x2 = x.to_kind(Kind::Float).reshape([-1, cols]).contiguous();
    let m = x2.size()[0] as usize;
    *size.last_mut().expect("non-scalar") = w.rows() as i64;
    let mut y = Tensor::empty([m as i64, w.rows() as i64], (Kind::Float, Device::Cpu));
    matmul(
        w,
        f32s(&x2).expect("a contiguous float32 CPU input"),
        m,
        f32s_mut(&mut y).expect("a fresh float32 CPU output"),
    );
    y.view(size.as_slice())
}

/// `x` in blocks of [`MR`] rows, each block `k`-major (`[p][i]`, the last block as wide as it is
/// tall), so that a kernel reads its broadcasts one after another.
fn pack_inputs(x: &[f32], m: usize, k: usize) -> Vec<f32> {
    let mut a = vec![0f32; m * k];
    // Blocks of MR rows handed out over the team (a 256 × 1536 input is 1.5 MB to reorder).
    let blocks: Vec<(&[f32], &mut [f32])> = x.chunks(MR * k).zip(a.chunks_mut(MR * k)).collect();
    omp::for_each(blocks, &|(rows, dst)| {
        let r = rows.len() / k;
        for (i, row) in rows.chunks_exact(k).enumerate() {
            for (p, &v) in row.iter().enumerate() {
                dst[p * r + i] = v;
            }
        }
    });
    a
}

struct SendPtr(*mut f32);
// SAFETY: the threads write disjoint tiles of the output (see `matmul`).
unsafe impl Sync for SendPtr {}

/// One thread's strip buffers: the de-quantized rows and their transpose, 64-byte aligned.
#[derive(Default)]
struct Strip {
    data: Vec<f32>,
    k: usize,
}

impl Strip {
    fn prepare(&mut self, k: usize) {
        self.k = k;
        let need = 2 * NR * k + 16;
        if self.data.len() < need {
            self.data = vec![0.0; need];
        }
    }

    fn split(&mut self) -> (&mut [f32], &mut [f32]) {
        let align = self.data.as_ptr().align_offset(64).min(15);
        let k = self.k;
        let (rows, packed) = self.data[align..align + 2 * NR * k].split_at_mut(NR * k);
        (rows, packed)
    }
}

thread_local! {
    /// Reused by every product on a thread (fresh buffers cost their page faults every time).
    static STRIP: RefCell<Strip> = RefCell::new(Strip::default());
}

/// `rows` [NR][k] into `packed` [k][NR], 16 × 16 tiles in registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn transpose_strip(rows: &[f32], packed: &mut [f32], k: usize) {
    use std::arch::x86_64::*;
    debug_assert!(rows.len() >= NR * k && packed.len() >= NR * k && k.is_multiple_of(16));
    for half in 0..NR / 16 {
        for kb in (0..k).step_by(16) {
            // SAFETY: rows `16·half + i` < NR, columns kb..kb + 16 ≤ k, and the same for the
            // packed rows kb + j < k, columns 16·half..+16 < NR.
            unsafe {
                let src = rows.as_ptr().add(16 * half * k + kb);
                let mut r = [_mm512_setzero_ps(); 16];
                for (i, v) in r.iter_mut().enumerate() {
                    *v = _mm512_loadu_ps(src.add(i * k));
                }
                let t = transpose16(r);
                let dst = packed.as_mut_ptr().add(kb * NR + 16 * half);
                for (j, v) in t.iter().enumerate() {
                    _mm512_storeu_ps(dst.add(j * NR), *v);
                }
            }
        }
    }
}

/// Rows of 16 floats in, columns out: 32-bit, 64-bit and 128-bit interleaves.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
fn transpose16(r: [std::arch::x86_64::__m512; 16]) -> [std::arch::x86_64::__m512; 16] {
    use std::arch::x86_64::*;
    let mut a = r;
    for i in 0..8 {
        a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    // Per 128-bit lane L, b[4g + c] holds column 4L + c of rows 4g..4g + 4.
    let mut b = a;
    for g in 0..4 {
        let pd = |v: __m512| _mm512_castps_pd(v);
        let ps = |v: __m512d| _mm512_castpd_ps(v);
        b[4 * g] = ps(_mm512_unpacklo_pd(pd(a[4 * g]), pd(a[4 * g + 2])));
        b[4 * g + 1] = ps(_mm512_unpackhi_pd(pd(a[4 * g]), pd(a[4 * g + 2])));
        b[4 * g + 2] = ps(_mm512_unpacklo_pd(pd(a[4 * g + 1]), pd(a[4 * g + 3])));
        b[4 * g + 3] = ps(_mm512_unpackhi_pd(pd(a[4 * g + 1]), pd(a[4 * g + 3])));
    }
    // A 4 × 4 transpose of 128-bit lanes for each c: column 4L + c is lane L of b[4g + c].
    let mut out = b;
    for c in 0..4 {
        let v = [b[c], b[4 + c], b[8 + c], b[12 + c]];
        let t0 = _mm512_shuffle_f32x4::<0b01_00_01_00>(v[0], v[1]);
        let t1 = _mm512_shuffle_f32x4::<0b11_10_11_10>(v[0], v[1]);
        let t2 = _mm512_shuffle_f32x4::<0b01_00_01_00>(v[2], v[3]);
        let t3 = _mm512_shuffle_f32x4::<0b11_10_11_10>(v[2], v[3]);
        out[c] = _mm512_shuffle_f32x4::<0b10_00_10_00>(t0, t2);
        out[4 + c] = _mm512_shuffle_f32x4::<0b11_01_11_01>(t0, t2);
        out[8 + c] = _mm512_shuffle_f32x4::<0b10_00_10_00>(t1, t3);
        out[12 + c] = _mm512_shuffle_f32x4::<0b11_01_11_01>(t1, t3);
    }
    out
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn transpose_strip(_: &[f32], _: &mut [f32], _: usize) {
    unreachable!("fits() is false off x86_64")
}

/// The kernel for a block of `r` ≤ [`MR`] input rows.
///
/// # Safety
/// AVX-512; `a` is k × r floats, `b` k × NR, `c` r rows of NR floats `ldc` apart.
unsafe fn kernel_rows(r: usize, k: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize) {
    // SAFETY: forwarded.
    unsafe {
        match r {
            12 => kernel::<12>(k, a, b, c, ldc),
            11 => kernel::<11>(k, a, b, c, ldc),
            10 => kernel::<10>(k, a, b, c, ldc),
            9 => kernel::<9>(k, a, b, c, ldc),
            8 => kernel::<8>(k, a, b, c, ldc),
            7 => kernel::<7>(k, a, b, c, ldc),
            6 => kernel::<6>(k, a, b, c, ldc),
            5 => kernel::<5>(k, a, b, c, ldc),
            4 => kernel::<4>(k, a, b, c, ldc),
            3 => kernel::<3>(k, a, b, c, ldc),
            2 => kernel::<2>(k, a, b, c, ldc),
            1 => kernel::<1>(k, a, b, c, ldc),
            _ => unreachable!("block of {r} rows"),
        }
    }
}

/// `R` rows × 32 outputs: per `p`, two loads of the packed weights, `R` broadcasts, `2R` FMAs.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn kernel<const R: usize>(k: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize) {
    use std::arch::x86_64::*;
    let mut lo = [_mm512_setzero_ps(); R];
    let mut hi = [_mm512_setzero_ps(); R];
    // SAFETY: the caller's bounds (see `kernel_rows`).
    unsafe {
        for p in 0..k {
            let b0 = _mm512_loadu_ps(b.add(p * NR));
            let b1 = _mm512_loadu_ps(b.add(p * NR + 16));
            let ap = a.add(p * R);
            for i in 0..R {
                let ai = _mm512_set1_ps(*ap.add(i));
                lo[i] = _mm512_fmadd_ps(ai, b0, lo[i]);
                hi[i] = _mm512_fmadd_ps(ai, b1, hi[i]);
            }
        }
        for i in 0..R {
            _mm512_storeu_ps(c.add(i * ldc), lo[i]);
            _mm512_storeu_ps(c.add(i * ldc + 16), hi[i]);
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn kernel<const R: usize>(_: usize, _: *const f32, _: *const f32, _: *mut f32, _: usize) {
    unreachable!("fits() is false off x86_64")
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A float32 matrix as a strip source.
    pub(in crate::model::gemm) struct Plain {
        pub w: Vec<f32>,
        pub rows: usize,
        pub cols: usize,
    }

    impl Strips for Plain {
        fn rows(&self) -> usize {
            self.rows
        }
        fn cols(&self) -> usize {
            self.cols
        }
        fn strip(&self, s: usize, scratch: &mut [f32], packed: &mut [f32]) {
            let rows = |r0: usize, out: &mut [f32]| {
                out.copy_from_slice(&self.w[r0 * self.cols..r0 * self.cols + out.len()])
            };
            strip_from_rows(rows, s, scratch, packed);
        }
    }

    /// The same fused chain in scalar code: `fma` over k in order.
    fn reference(w: &Plain, x: &[f32], m: usize) -> Vec<f32> {
        let (n, k) = (w.rows, w.cols);
        let mut y = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0f32;
                for p in 0..k {
                    acc = x[i * k + p].mul_add(w.w[j * k + p], acc);
                }
                y[i * n + j] = acc;
            }
        }
        y
    }

    #[test]
    fn equals_the_ordered_fma_chain_to_the_bit() {
        if !fits(32, 16) {
            eprintln!("no AVX-512 here: the kernel does not run");
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for (rows, cols, m) in [(32, 16, 1), (64, 48, 13), (96, 576, 25), (32, 160, 12)] {
            let w = Plain {
                w: (0..rows * cols)
                    .map(|_| rng.random_range(-1.0..1.0))
                    .collect(),
                rows,
                cols,
            };
            let x: Vec<f32> = (0..m * cols).map(|_| rng.random_range(-1.0..1.0)).collect();
            let mut y = vec![f32::NAN; m * rows];
            matmul(&w, &x, m, &mut y);
            let want = reference(&w, &x, m);
            let differ = y
                .iter()
                .zip(&want)
                .position(|(a, b)| a.to_bits() != b.to_bits());
            assert_eq!(differ, None, "{rows}×{cols}, m = {m}");
            // A row's numbers do not depend on the rows batched with it.
            let mut one = vec![0f32; rows];
            matmul(&w, &x[(m - 1) * cols..], 1, &mut one);
            assert_eq!(one, y[(m - 1) * rows..]);
        }
    }

    #[test]
    fn only_whole_strips_fit() {
        if !avx512() {
            return;
        }
        assert!(fits(576, 576) && fits(49152, 576) && fits(96, 1536));
        assert!(!fits(33, 64) && !fits(64, 40) && !fits(64, 0));
    }
}

#[cfg(test)]
mod speed {
    use super::tests::Plain;
    use super::*;

    #[test]
    #[ignore = "a measurement: cargo test --release gemm_rate -- --ignored --nocapture"]
    fn gemm_rate() {
        for (n, k, m) in [
            (1536usize, 576usize, 256usize),
            (576, 1536, 256),
            (49152, 576, 256),
        ] {
            let w = Plain {
                w: vec![0.5; n * k],
                rows: n,
                cols: k,
            };
            let x = vec![0.25f32; m * k];
            let mut y = vec![0f32; m * n];
            for threads in [1, 2] {
                tch::set_num_threads(threads);
                matmul(&w, &x, m, &mut y);
                let t = std::time::Instant::now();
                let reps = 10;
                for _ in 0..reps {
                    matmul(&w, &x, m, &mut y);
                }
                let s = t.elapsed().as_secs_f64() / reps as f64;
                let xt = tch::Tensor::from_slice(&x).view([m as i64, k as i64]);
                let wt = tch::Tensor::from_slice(&w.w).view([n as i64, k as i64]);
                let _ = xt.linear::<tch::Tensor>(&wt, None);
                let t = std::time::Instant::now();
                for _ in 0..reps {
                    let _ = xt.linear::<tch::Tensor>(&wt, None);
                }
                let s2 = t.elapsed().as_secs_f64() / reps as f64;
                let gf = 2.0 * (n * k * m) as f64 / 1e9;
                eprintln!(
                    "{m}×{k}·{n}ᵀ, {threads} threads: gemm {:.2} ms ({:.0} GFLOP/s), MKL {:.2} ms ({:.0} GFLOP/s)",
                    s * 1e3,
                    gf / s,
                    s2 * 1e3,
                    gf / s2
                );
            }
        }
    }
}
