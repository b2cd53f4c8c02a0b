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
    bias: Option<Tensor>,
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
        Self {
            packed,
            scales_zeros: sz,
            out: out as i64,
            bias: bias.map(|b| b.to_kind(Kind::Float)),
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

    /// `y = W x + b` for one input row: the input rounded to bfloat16 as in [`Self::forward`],
    /// one libtorch call.
    pub fn matvec(&self, x: &[f32], y: &mut [f32]) {
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

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let size = x.size();
        let inp = *size.last().expect("non-scalar");
        let x2 = x.reshape([-1, inp]).to_kind(Kind::BFloat16);
        let y = x2
            .internal_weight_int4pack_mm_for_cpu(&self.packed, GROUP as i64, &self.scales_zeros)
            .to_kind(Kind::Float);
        let mut out_size = size.clone();
        *out_size.last_mut().expect("non-scalar") = self.out;
        let y = y.view(out_size.as_slice());
        match &self.bias {
            Some(b) => y + b,
            None => y,
        }
    }
}
