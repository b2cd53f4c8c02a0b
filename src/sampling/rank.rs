//! The one definition of a token's rank, shared by the engine (the GLTR colour of every prompt
//! token) and [`super::Distribution`] (the order of its candidates): by raw logit, highest
//! first; equal logits are ordered by the lower id; a NaN logit counts as −∞.

use super::filters::clean;

/// Rank (0 = most likely) and raw probability (softmax at temperature 1) of token `id` under
/// `logits`. Linear in the vocabulary size, in f64.
///
/// # Panics
/// If `id` is outside `logits`.
pub fn rank_and_prob(logits: &[f32], id: u32) -> (u32, f32) {
    let (rank, prob) = rank_and_prob_f64(logits, id);
    (rank, prob as f32)
}

/// [`rank_and_prob`] with the probability kept in f64, as [`super::Distribution`] keeps its
/// own (products of several, as the word view makes, then compare with the pane's).
pub fn rank_and_prob_f64(logits: &[f32], id: u32) -> (u32, f64) {
    let target = clean(logits[id as usize]);
    #[cfg(target_arch = "x86_64")]
    {
        if avx512::available() {
            // SAFETY: the CPU has AVX-512F (checked just above).
            let (max, sum, rank) = unsafe { avx512::scan(logits, target, id) };
            return (rank, finish(target, max, sum));
        }
    }
    let max = logits
        .iter()
        .map(|&l| clean(l))
        .fold(f32::NEG_INFINITY, f32::max);
    let (sum, rank) = scan_scalar(logits, 0, target, id, max);
    (rank, finish(target, max, sum))
}

/// `Σ exp(l − max)` (when `max` is finite) and how many logits rank above `id`'s, over
/// `logits`, which start at id `base`.
fn scan_scalar(logits: &[f32], base: usize, target: f32, id: u32, max: f32) -> (f64, u32) {
    let mut sum = 0.0f64;
    let mut rank = 0u32;
    for (j, &l) in logits.iter().enumerate() {
        let l = clean(l);
        if max.is_finite() {
            sum += f64::from(l - max).exp();
        }
        rank += u32::from(l > target || (l == target && ((base + j) as u32) < id));
    }
    (sum, rank)
}

/// The probability from the target's logit, the largest one and `Σ exp(l − max)`.
fn finish(target: f32, max: f32, sum: f64) -> f64 {
    if max.is_finite() {
        f64::from(target - max).exp() / sum
    } else {
        0.0
    }
}

/// The same scan 16 logits at a time: this runs for every prompt position (255 × 49 152
/// exponentials for a 256-token prompt, ~75 ms through libm, ~6 ms here). The exponential is
/// computed in f64 to within an ulp or two (`2ⁿ · e^r` with a degree-12 Taylor polynomial on
/// |r| ≤ ln 2 / 2), each `l − max` rounded in f32 first as above, and summed in 8 lanes: the
/// sum differs from the sequential one in its last bits only.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    pub fn available() -> bool {
        static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *HAS.get_or_init(|| is_x86_feature_detected!("avx512f"))
    }

    /// NaN lanes as −∞, −0 as +0 (`clean`).
    #[target_feature(enable = "avx512f")]
    fn clean(v: __m512) -> __m512 {
        let nan = _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(v, v);
        let v = _mm512_add_ps(v, _mm512_setzero_ps());
        _mm512_mask_blend_ps(nan, v, _mm512_set1_ps(f32::NEG_INFINITY))
    }

    /// 1/0!, 1/1!, …, 1/12!: the Taylor coefficients of `e^r`, computed once at compile time.
    const INV_FACTORIALS: [f64; 13] = {
        let mut c = [1.0f64; 13];
        let mut k = 1;
        while k < 13 {
            c[k] = c[k - 1] / k as f64;
            k += 1;
        }
        c
    };

    /// `e^x` for x ≤ 0 (−∞ included: 0).
    #[target_feature(enable = "avx512f")]
    pub(super) fn exp(x: __m512d) -> __m512d {
        // ln 2 split so that n · LN2_HI is exact for |n| < 2¹¹ (fdlibm's constants).
        const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
        const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
        let x = _mm512_max_pd(x, _mm512_set1_pd(-746.0));
        let n = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
            _mm512_mul_pd(x, _mm512_set1_pd(std::f64::consts::LOG2_E)),
        );
        let r = _mm512_fnmadd_pd(n, _mm512_set1_pd(LN2_HI), x);
        let r = _mm512_fnmadd_pd(n, _mm512_set1_pd(LN2_LO), r);
        let mut p = _mm512_set1_pd(INV_FACTORIALS[12]);
        for c in INV_FACTORIALS[..12].iter().rev() {
            p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(*c));
        }
        _mm512_scalef_pd(p, n)
    }

    /// (max, Σ exp(l − max) when max is finite, rank of `id`) over the cleaned logits.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn scan(logits: &[f32], target: f32, id: u32) -> (f32, f64, u32) {
        let chunks = logits.chunks_exact(16);
        let tail = chunks.remainder();
        let load = |c: &[f32]| {
            // SAFETY: `c` is 16 floats.
            clean(unsafe { _mm512_loadu_ps(c.as_ptr()) })
        };
        let mut mx = _mm512_set1_ps(f32::NEG_INFINITY);
        for c in chunks.clone() {
            mx = _mm512_max_ps(mx, load(c));
        }
        let mut max = _mm512_reduce_max_ps(mx);
        for &l in tail {
            max = max.max(super::clean(l));
        }
        let (t, m) = (_mm512_set1_ps(target), _mm512_set1_ps(max));
        let (mut lo, mut hi) = (_mm512_setzero_pd(), _mm512_setzero_pd());
        let mut rank = 0u32;
        let lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let id_v = _mm512_set1_epi32(id as i32);
        for (i, c) in chunks.enumerate() {
            let v = load(c);
            if max.is_finite() {
                let d = _mm512_sub_ps(v, m);
                lo = _mm512_add_pd(lo, exp(_mm512_cvtps_pd(_mm512_castps512_ps256(d))));
                let d_hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(d)));
                hi = _mm512_add_pd(hi, exp(_mm512_cvtps_pd(d_hi)));
            }
            let gt = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, t);
            let eq = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(v, t);
            let idx = _mm512_add_epi32(lanes, _mm512_set1_epi32(16 * i as i32));
            let below = _mm512_cmplt_epi32_mask(idx, id_v);
            rank += (gt | (eq & below)).count_ones();
        }
        let base = logits.len() - tail.len();
        let (tail_sum, tail_rank) = super::scan_scalar(tail, base, target, id, max);
        let sum = _mm512_reduce_add_pd(_mm512_add_pd(lo, hi)) + tail_sum;
        (max, sum, rank + tail_rank)
    }
}

/// The most likely token under `logits` (rank 0 by [`rank_and_prob`]'s rule: the highest logit,
/// the lower id among equals, NaN as −∞). `None` for an empty slice.
pub fn top1(logits: &[f32]) -> Option<u32> {
    let mut best: Option<(u32, f32)> = None;
    for (id, &l) in logits.iter().enumerate() {
        let l = clean(l);
        if best.is_none_or(|(_, b)| l > b) {
            best = Some((id as u32, l));
        }
    }
    best.map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::{Distribution, SamplingParams};

    #[test]
    fn top1_is_rank_zero() {
        let logits = [1.0, 3.0, 3.0, f32::NAN, 0.0, 3.0];
        let best = top1(&logits).unwrap();
        assert_eq!(best, 1);
        assert_eq!(rank_and_prob(&logits, best).0, 0);
        assert_eq!(top1(&[f32::NAN, -1.0]), Some(1));
        assert_eq!(top1(&[]), None);
    }

    #[test]
    fn ties_go_to_the_lower_id_like_the_distribution() {
        let logits = [1.0, 3.0, 3.0, f32::NAN, 0.0, 3.0];
        let d = Distribution::new(&logits, &SamplingParams::default());
        for c in &d.candidates {
            let (rank, prob) = rank_and_prob(&logits, c.id);
            assert_eq!(rank as usize, c.rank, "id {}", c.id);
            assert!((f64::from(prob) - c.prob).abs() < 1e-6, "id {}", c.id);
        }
        assert_eq!(rank_and_prob(&logits, 2).0, 1);
    }

    /// The vector scan against the scalar definition: same rank, probability to 1e-13.
    #[test]
    fn vector_scan_equals_the_scalar_one() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for len in [1usize, 15, 16, 17, 100, 49_152] {
            let mut logits: Vec<f32> = (0..len).map(|_| rng.random_range(-30.0..30.0)).collect();
            if len > 20 {
                logits[3] = f32::NAN;
                logits[5] = f32::NEG_INFINITY;
                logits[7] = logits[9]; // a tie
                logits[11] = -0.0;
                logits[12] = 0.0;
            }
            for id in [0, len / 2, len - 1, 9.min(len - 1), 12.min(len - 1)] {
                let id = id as u32;
                let target = clean(logits[id as usize]);
                let max = logits
                    .iter()
                    .map(|&l| clean(l))
                    .fold(f32::NEG_INFINITY, f32::max);
                let sum: f64 = logits
                    .iter()
                    .map(|&l| f64::from(clean(l) - max).exp())
                    .sum();
                let rank = logits
                    .iter()
                    .enumerate()
                    .filter(|&(o, &l)| {
                        let l = clean(l);
                        l > target || (l == target && (o as u32) < id)
                    })
                    .count() as u32;
                let (r, p) = rank_and_prob_f64(&logits, id);
                let want = finish(target, max, sum);
                assert_eq!(r, rank, "len {len} id {id}");
                assert!(
                    (p - want).abs() <= 1e-13 * want,
                    "len {len} id {id}: {p} vs {want}"
                );
            }
        }
        // +∞ somewhere: no probability to speak of.
        let mut inf = vec![1.0f32; 40];
        inf.push(f32::INFINITY);
        assert_eq!(rank_and_prob_f64(&inf, 0), (1, 0.0));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn vector_exp_is_within_two_ulps() {
        if !avx512::available() {
            return;
        }
        use std::arch::x86_64::*;
        let mut x = -745.0f64;
        while x <= 0.0 {
            let xs = [
                x,
                x * 0.5,
                x * 0.25,
                x * 0.125,
                x / 7.0,
                x / 100.0,
                x / 1e4,
                0.0,
            ];
            // SAFETY: AVX-512F (checked above).
            let got: [f64; 8] =
                unsafe { std::mem::transmute(avx512::exp(_mm512_loadu_pd(xs.as_ptr()))) };
            for (g, v) in got.iter().zip(xs) {
                let want = v.exp();
                if want > 1e-300 {
                    assert!(
                        (g - want).abs() <= 4.5e-16 * want,
                        "exp({v}) = {g}, want {want}"
                    );
                }
            }
            x += 0.37;
        }
    }

    #[test]
    fn hand_checked_probabilities() {
        let logits = [0.0, 2f32.ln(), 3f32.ln()];
        let (rank, prob) = rank_and_prob(&logits, 1);
        assert_eq!(rank, 1);
        assert!((prob - 2.0 / 6.0).abs() < 1e-6);
    }
}
