//! Helpers shared by the block readers ([`super::dequant`], [`super::k_quants`]): the layout
//! check that their compile-time asserts use, and the little-endian half-precision read.

use super::GgmlType;

/// Whether `t` has `block` elements per block and `size` bytes per block in the type table.
pub(super) const fn layout_is(t: GgmlType, block: usize, size: usize) -> bool {
    matches!(t.block_size(), Some(b) if b == block) && matches!(t.type_size(), Some(s) if s == size)
}

/// Reads the little-endian `ggml_half` at `bytes[at..at + 2]` as f32 (exact).
#[inline(always)]
pub(super) fn f16_at(bytes: &[u8], at: usize) -> f32 {
    half::f16::from_le_bytes([bytes[at], bytes[at + 1]]).to_f32()
}
