//! One decode step on the CPU in plain Rust: the vector operations of a single token (norms,
//! rotary embeddings, attention over the cache, the gated activation, residual adds) on `f32`
//! slices, so a step costs the matrix products and almost nothing else.
//!
//! Run through libtorch, a single-token step of a 30-layer model is ~900 small tensor ops, each
//! with its dispatch, its allocation and an OpenMP fork–join; for a 135M model that overhead
//! was a third of the step. The products themselves go through [`Linear::matvec`] (the
//! block-quant kernel, or one libtorch call per product for the other layouts). Everything is
//! float32 with the same formulas as the tensor path, so the two agree to rounding (tested
//! against it in the decoders' files).

use crate::model::config::RopeStyle;

/// A step runs inputs of at most this many tokens (a decode step, a keystroke), one token
/// after another; longer ones go through libtorch's tensor ops, whose products are worth
/// their dispatch there. The block kernel takes as many rows
/// ([`crate::model::linear::QUANT_MAX_ROWS`]), so each product is one kernel call.
pub const MAX_TOKENS: usize = 4;

/// `a · b` with eight partial sums (vectorised by the compiler).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            acc[j] += x[j] * y[j];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// Root-mean-square norm of `x` into `out`: `x / √(mean(x²) + eps) · w`.
pub fn rms_norm(x: &[f32], w: &[f32], eps: f64, out: &mut [f32]) {
    let mean = dot(x, x) / x.len() as f32;
    let r = 1.0 / (mean + eps as f32).sqrt();
    for ((o, &v), &g) in out.iter_mut().zip(x).zip(w) {
        *o = v * r * g;
    }
}

/// `x += y`.
pub fn add(x: &mut [f32], y: &[f32]) {
    for (a, &b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// SwiGLU's `silu(gate) · up` for `gu` = [gate | up], into `out` (half of `gu`'s length).
pub fn silu_mul(gu: &[f32], out: &mut [f32]) {
    let (gate, up) = gu.split_at(out.len());
    for ((o, &g), &u) in out.iter_mut().zip(gate).zip(up) {
        *o = g / (1.0 + (-g).exp()) * u;
    }
}

/// Rotates each head of `x` (heads × `cos.len()`, one position) in place with the tables of
/// [`crate::model::rope::Rope`]: `x · cos + partner(x) · sin`.
pub fn rope(x: &mut [f32], cos: &[f32], sin: &[f32], style: RopeStyle) {
    let d = cos.len();
    let mut partner = vec![0f32; d];
    for head in x.chunks_exact_mut(d) {
        match style {
            RopeStyle::Interleaved => {
                for i in (0..d).step_by(2) {
                    partner[i] = head[i + 1];
                    partner[i + 1] = head[i];
                }
            }
            RopeStyle::HalfSplit => {
                let half = d / 2;
                partner[..half].copy_from_slice(&head[half..]);
                partner[half..].copy_from_slice(&head[..half]);
            }
        }
        for j in 0..d {
            head[j] = head[j] * cos[j] + partner[j] * sin[j];
        }
    }
}

/// The key/value cache of one layer as the step sees it: [kv_heads, capacity, head_dim].
pub struct LayerCache<'a> {
    pub k: &'a mut [f32],
    pub v: &'a mut [f32],
    pub capacity: usize,
    pub head_dim: usize,
}

impl LayerCache<'_> {
    /// Stores the keys and values of `kv_heads` heads at position `pos`.
    pub fn write(&mut self, pos: usize, k: &[f32], v: &[f32]) {
        let d = self.head_dim;
        for (g, (kh, vh)) in k.chunks_exact(d).zip(v.chunks_exact(d)).enumerate() {
            let at = (g * self.capacity + pos) * d;
            self.k[at..at + d].copy_from_slice(kh);
            self.v[at..at + d].copy_from_slice(vh);
        }
    }

    /// Grouped-query attention of one query (`q`: heads × head_dim) over positions `from..=pos`
    /// (`from` > 0 for a sliding window), into `out` (heads × head_dim); `scale` multiplies
    /// the scores.
    pub fn attend(&self, q: &[f32], from: usize, pos: usize, scale: f32, out: &mut [f32]) {
        let d = self.head_dim;
        let heads = q.len() / d;
        let kv_heads = self.k.len() / (self.capacity * d);
        let group = heads / kv_heads;
        let mut scores = vec![0f32; pos + 1 - from];
        for (h, (qh, oh)) in q.chunks_exact(d).zip(out.chunks_exact_mut(d)).enumerate() {
            let base = (h / group) * self.capacity * d;
            let mut max = f32::NEG_INFINITY;
            for (t, s) in scores.iter_mut().enumerate() {
                let at = base + (from + t) * d;
                let v = dot(qh, &self.k[at..at + d]) * scale;
                *s = v;
                max = max.max(v);
            }
            let mut sum = 0f32;
            for s in scores.iter_mut() {
                *s = (*s - max).exp();
                sum += *s;
            }
            oh.fill(0.0);
            for (t, &p) in scores.iter().enumerate() {
                let at = base + (from + t) * d;
                let w = p / sum;
                for (o, &v) in oh.iter_mut().zip(&self.v[at..at + d]) {
                    *o += w * v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Tensor;

    fn close(a: &[f32], b: &[f32], tol: f32) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol, "element {i}: {x} vs {y}");
        }
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 2000) as f32 / 1000.0
                    - 1.0
            })
            .collect()
    }

    #[test]
    fn rms_norm_equals_libtorch() {
        let (x, w) = (values(576, 1), values(576, 2));
        let mut out = vec![0f32; 576];
        rms_norm(&x, &w, 1e-5, &mut out);
        let t = Tensor::from_slice(&x).rms_norm([576], Some(&Tensor::from_slice(&w)), 1e-5);
        close(&out, &Vec::<f32>::try_from(&t).unwrap(), 1e-5);
    }

    #[test]
    fn silu_mul_equals_libtorch() {
        let gu = values(64, 3);
        let mut out = vec![0f32; 32];
        silu_mul(&gu, &mut out);
        let t = Tensor::from_slice(&gu);
        let want = t.narrow(0, 0, 32).silu() * t.narrow(0, 32, 32);
        close(&out, &Vec::<f32>::try_from(&want).unwrap(), 1e-6);
    }

    #[test]
    fn attention_equals_scaled_dot_product_attention() {
        let (heads, kv, d, cap, pos) = (6usize, 2usize, 16usize, 12usize, 9usize);
        let keys = values(kv * cap * d, 4);
        let vals = values(kv * cap * d, 5);
        let q = values(heads * d, 6);
        let (mut k, mut v) = (keys.clone(), vals.clone());
        let cache = LayerCache {
            k: &mut k,
            v: &mut v,
            capacity: cap,
            head_dim: d,
        };
        let mut out = vec![0f32; heads * d];
        let scale = 1.0 / (d as f32).sqrt();
        cache.attend(&q, 0, pos, scale, &mut out);
        let kt = Tensor::from_slice(&keys)
            .view([1, kv as i64, cap as i64, d as i64])
            .narrow(2, 0, pos as i64 + 1);
        let vt = Tensor::from_slice(&vals)
            .view([1, kv as i64, cap as i64, d as i64])
            .narrow(2, 0, pos as i64 + 1);
        let qt = Tensor::from_slice(&q).view([1, heads as i64, 1, d as i64]);
        // libtorch's attention of `qt` over the keys and values from position `from` on.
        let sdpa = |from: i64| {
            let n = pos as i64 + 1 - from;
            let (k, v) = (kt.narrow(2, from, n), vt.narrow(2, from, n));
            let a = Tensor::scaled_dot_product_attention(
                &qt,
                &k,
                &v,
                None::<Tensor>,
                0.0,
                false,
                None,
                true,
            );
            Vec::<f32>::try_from(&a.view([-1])).unwrap()
        };
        close(&out, &sdpa(0), 1e-5);
        // A window that starts later sees only its keys: the same as the tensors cut there.
        cache.attend(&q, 4, pos, scale, &mut out);
        close(&out, &sdpa(4), 1e-5);
    }

    #[test]
    fn rope_pairs_as_the_styles_say() {
        let x = vec![1.0, 2.0, 3.0, 4.0];
        let cos = vec![0.5; 4];
        let sin = vec![-1.0, 1.0, -1.0, 1.0];
        let mut y = x.clone();
        rope(&mut y, &cos, &sin, RopeStyle::Interleaved);
        assert_eq!(y, vec![0.5 - 2.0, 1.0 + 1.0, 1.5 - 4.0, 2.0 + 3.0]);
        let mut y = x.clone();
        rope(&mut y, &cos, &sin, RopeStyle::HalfSplit);
        assert_eq!(y, vec![0.5 - 3.0, 1.0 + 4.0, 1.5 - 1.0, 2.0 + 2.0]);
    }
}
