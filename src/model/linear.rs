//! Linear layers `y = x Wᵀ + b` in the layouts the decoders use, and the one function that
//! picks a layout for a checkpoint's matrix ([`Linear::load`]).

use std::sync::{Arc, Mutex, OnceLock};

use tch::{Device, Kind, Tensor};

use crate::model::int4::Int4Linear;
use crate::model::qgemv::QuantMatrix;
use crate::model::qpanel;
use crate::model::weights::{Checkpoint, Weight};
use crate::model::{ModelError, Precision};

/// How a model is loaded: decided once by the caller, read by every `load`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    pub device: Device,
    /// Activations and dense weights: float32 on the CPU, bfloat16 on a GPU.
    pub kind: Kind,
    pub precision: Precision,
    /// Keep GGUF block quants for short inputs (decode steps) through the SIMD kernel of
    /// [`crate::model::qgemv`]: same weights to the bit, ~5× fewer bytes per step.
    pub quant_kernel: bool,
}

impl LoadOptions {
    /// The options for `device` and `precision`: the block-quant kernel wherever a SIMD kernel
    /// runs (on the CPU).
    pub fn new(device: Device, precision: Precision) -> Self {
        let kind = if device.is_cuda() {
            Kind::BFloat16
        } else {
            Kind::Float
        };
        Self {
            device,
            kind,
            precision,
            quant_kernel: !device.is_cuda() && crate::model::qgemv::accelerated(),
        }
    }

    /// Fast mode's int4 matrices (CPU only: ATen's int4 kernel is a CPU one).
    pub fn int4(&self) -> bool {
        self.precision == Precision::Fast && !self.device.is_cuda()
    }
}

/// A dense weight stored transposed, [in, out], so decode is a plain `matmul` (1.7× faster
/// than `linear` on [out, in] for the big LM head on CPU).
pub struct Dense {
    pub w_t: Tensor,
    pub bias: Option<Tensor>,
}

impl Dense {
    pub fn new(w: &Tensor, bias: Option<Tensor>, opts: &LoadOptions) -> Self {
        Dense {
            w_t: w
                .to_kind(opts.kind)
                .to_device(opts.device)
                .transpose(0, 1)
                .contiguous(),
            bias: bias.map(|b| b.to_kind(opts.kind).to_device(opts.device)),
        }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let y = x.matmul(&self.w_t);
        match &self.bias {
            Some(b) => y + b,
            None => y,
        }
    }
}

/// bfloat16 weights [out, in] used through `linear` (fast mode's LM head: with two threads it
/// is the fastest float layout for a 49152×576 product, and 8-bit embeddings lose far less in
/// bfloat16 than re-quantized to 4 bits).
pub struct Bf16 {
    pub w: Tensor,
}

impl Bf16 {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.to_kind(Kind::BFloat16)
            .linear::<Tensor>(&self.w, None)
            .to_kind(x.kind())
    }
}

/// What serves the inputs too long for the block-quant kernel.
pub enum LongInputs {
    /// Panels de-quantized on the fly from the same blocks (exact mode: no float copy, see
    /// [`crate::model::qpanel`]).
    Panels,
    /// A bfloat16 copy for inputs of more than [`BF16_MIN_ROWS`] rows, panels below (fast
    /// mode's tied LM head). The copy is made after load, not during it (see [`LazyBf16`]).
    Bf16(LazyBf16),
}

/// Inputs from this many rows on use [`LongInputs::Bf16`]'s copy; shorter ones (a first short
/// prompt) the panels, which need no copy. Chosen by the row count alone, never by whether
/// the copy exists yet, so the same input always gets the same numbers.
pub const BF16_MIN_ROWS: i64 = 9;

/// Rows of the bfloat16 copy written per [`LazyBf16::advance`] call (~2 ms).
pub const BF16_ROWS_PER_STEP: usize = 2048;

/// A bfloat16 copy of a block-quant matrix, made from its blocks a slice at a time while the
/// engine is idle ([`LazyBf16::advance`]), or all at once when a long input needs it first.
/// For SmolLM2's tied head that is 49 152 × 576 weights, ~70 ms that are no longer part of
/// the load before the first distribution.
#[derive(Default)]
pub struct LazyBf16 {
    ready: OnceLock<Bf16>,
    /// The copy being written and how many rows are done.
    partial: Mutex<Option<(Tensor, usize)>>,
}

impl LazyBf16 {
    /// Writes the next rows of the copy; `true` once it is complete.
    pub fn advance(&self, q: &QuantMatrix, rows: usize) -> bool {
        if self.ready.get().is_some() {
            return true;
        }
        let mut partial = self.partial.lock().unwrap_or_else(|e| e.into_inner());
        let (w, done) = partial.get_or_insert_with(|| {
            let size = [q.rows() as i64, q.cols() as i64];
            (Tensor::empty(size, (Kind::BFloat16, Device::Cpu)), 0)
        });
        let n = rows.min(q.rows() - *done);
        let mut f32s = vec![0f32; n * q.cols()];
        qpanel::dequantize_rows(q, *done, &mut f32s);
        let chunk = Tensor::from_slice(&f32s).view([n as i64, q.cols() as i64]);
        w.narrow(0, *done as i64, n as i64)
            .copy_(&chunk.to_kind(Kind::BFloat16));
        *done += n;
        if *done == q.rows() {
            let (w, _) = partial.take().expect("the copy being written");
            let _ = self.ready.set(Bf16 { w });
            return true;
        }
        false
    }

    /// The copy, finishing it first if needed (in the same slices: one float32 slice at a time
    /// in memory, not the whole matrix).
    pub(crate) fn get(&self, q: &QuantMatrix) -> &Bf16 {
        while !self.advance(q, BF16_ROWS_PER_STEP) {}
        self.ready.get().expect("complete")
    }
}

/// GGUF block quants read directly: through the SIMD kernel for inputs of at most
/// [`QUANT_MAX_ROWS`] rows (decode steps, typing), otherwise as [`LongInputs`] says.
pub struct Quant {
    /// Shared with the token embeddings when the head is tied.
    pub q: Arc<QuantMatrix>,
    pub bias: Option<Tensor>,
    pub long: LongInputs,
}

/// Inputs with at most this many rows use [`Quant`]'s block-quant kernel.
pub const QUANT_MAX_ROWS: i64 = crate::model::step::MAX_TOKENS as i64;

/// A linear layer `y = x Wᵀ + b`.
pub enum Linear {
    Dense(Dense),
    /// 4-bit weights in ATen's int4 packed format (fast mode).
    Int4(Int4Linear),
    Bf16(Bf16),
    Quant(Quant),
}

impl Linear {
    /// The matrices `ws` stacked along their rows (one fused product, e.g. q, k and v) with an
    /// optional bias: int4 in fast mode when they are Q4_0/Q4_1; otherwise the block quants
    /// alone when the kernel runs here and reads their type (in fast mode too: Gemma's Q4_K,
    /// Q5_0, Q6_K and Q8_0 have no int4 form, and the exact kernel beats a float copy on both
    /// speed and memory); a float copy otherwise.
    pub fn load(
        ck: &Checkpoint,
        ws: &[Weight],
        bias: Option<Tensor>,
        opts: &LoadOptions,
    ) -> Result<Linear, ModelError> {
        if opts.int4()
            && let Some(l) = Int4Linear::from_checkpoint(ck, ws, bias.as_ref())?
        {
            return Ok(Linear::Int4(l));
        }
        if let Some(q) = Linear::block_quant(ck, ws, opts)? {
            let bias = bias.map(|b| b.to_kind(opts.kind).to_device(opts.device));
            return Ok(Linear::Quant(Quant {
                q: Arc::new(q),
                bias,
                long: LongInputs::Panels,
            }));
        }
        let parts = ws
            .iter()
            .map(|&w| ck.load(w))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Linear::Dense(Dense::new(
            &Tensor::cat(&parts, 0),
            bias,
            opts,
        )))
    }

    /// The block quants of `ws`, when they are read directly (a SIMD kernel runs here and every
    /// matrix is of a type it reads).
    pub fn block_quant(
        ck: &Checkpoint,
        ws: &[Weight],
        opts: &LoadOptions,
    ) -> Result<Option<QuantMatrix>, ModelError> {
        if opts.quant_kernel {
            QuantMatrix::from_checkpoint(ck, ws)
        } else {
            Ok(None)
        }
    }

    /// `y = W x + b` for one input row on the CPU (a decode step, see
    /// [`crate::model::step`]): the block-quant kernel straight on the slices, one libtorch
    /// product for the other layouts.
    pub fn matvec(&self, x: &[f32], y: &mut [f32]) {
        let bias = match self {
            Linear::Quant(q) => {
                q.q.matvec(x, y);
                q.bias.as_ref()
            }
            Linear::Int4(l) => return l.matvec(x, y),
            Linear::Dense(_) | Linear::Bf16(_) => {
                let out = self.forward(&Tensor::from_slice(x).view([1, -1]));
                out.to_kind(Kind::Float).copy_data(y, y.len());
                return;
            }
        };
        if let Some(b) = bias {
            let b = crate::model::slices::f32s(b).expect("a float32 CPU bias");
            crate::model::step::add(y, b);
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::Dense(d) => d.forward(x),
            Linear::Int4(l) => l.forward(x),
            Linear::Bf16(b) => b.forward(x),
            Linear::Quant(q) => {
                let cols = *x.size().last().expect("non-scalar");
                let y = if x.numel() as i64 <= QUANT_MAX_ROWS * cols {
                    q.q.forward(x)
                } else {
                    match &q.long {
                        LongInputs::Bf16(b) if x.numel() as i64 >= BF16_MIN_ROWS * cols => {
                            b.get(&q.q).forward(x)
                        }
                        _ => qpanel::matmul(&q.q, x),
                    }
                };
                match &q.bias {
                    Some(b) => y + b,
                    None => y,
                }
            }
        }
    }
}
