//! The elements of a contiguous float32 CPU tensor as a Rust slice, borrowed for as long as
//! the tensor: how the decode step, the block kernels and the session read and write tensors
//! without a copy. Every other tensor (another kind or device, a non-contiguous view) gives
//! `None`.

use tch::{Device, Kind, Tensor};

fn is_plain_f32(t: &Tensor) -> bool {
    t.kind() == Kind::Float && t.device() == Device::Cpu && t.is_contiguous()
}

/// The elements of `t`, read-only.
pub fn f32s(t: &Tensor) -> Option<&[f32]> {
    if !is_plain_f32(t) {
        return None;
    }
    let n = t.numel();
    if n == 0 {
        return Some(&[]);
    }
    // SAFETY: `t` is a contiguous f32 CPU tensor of `n` elements; its storage lives at least as
    // long as the borrow of `t`, and nothing writes it through another handle while the slice
    // lives (weights and tables are never written after load).
    Some(unsafe { std::slice::from_raw_parts(t.data_ptr() as *const f32, n) })
}

/// The elements of `t`, writable.
pub fn f32s_mut(t: &mut Tensor) -> Option<&mut [f32]> {
    if !is_plain_f32(t) {
        return None;
    }
    let n = t.numel();
    if n == 0 {
        return Some(&mut []);
    }
    // SAFETY: as in `f32s`; the exclusive borrow of `t` is the only handle written through
    // while the slice lives.
    Some(unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut f32, n) })
}
