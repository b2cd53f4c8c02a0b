//! ATen's packed int4 weight layout (`_convert_weight_to_int4pack_for_cpu`), written straight
//! from GGUF 4-bit blocks.
//!
//! ATen packs an [N, K] matrix of 4-bit values, handed to it as int32, into [N, K/2] bytes in
//! blocks of `BLOCK_N` rows (64 where its kernels are AVX-512, 32 otherwise). Block `i` (rows
//! `r = i·BLOCK_N ..`, `nb` of them) fills bytes `r·K/2 ..` column by column; for column `k`:
//!
//! - AVX-512, full block: byte `32k + d` = `w[r+d+32][k] << 4 | w[r+d][k]` and byte
//!   `32k + 16 + d` = `w[r+d+48][k] << 4 | w[r+d+16][k]`, for `d` in 0..16;
//! - AVX2, full block: byte `16k + d` = `w[r+d+16][k] << 4 | w[r+d][k]`, `d` in 0..16;
//! - any other block (a last, shorter one; every block without vector kernels): byte
//!   `k·nb/2 + n/2` = `w[r+n+1][k] << 4 | w[r+n][k]`, `n` in 0, 2, …
//!
//! Which one this libtorch uses depends on the CPU it dispatches for, so the layout is not
//! assumed: [`Layout::detect`] packs a probe matrix both through ATen and in each layout and
//! keeps the one whose bytes are ATen's (none: the caller goes through ATen). Writing the bytes
//! here skips the int32 matrix (4 bytes per weight, 425 MB for a 135M model) ATen reads.

use std::sync::OnceLock;

use tch::{Device, Kind, Tensor};

/// Weights per GGUF 4-bit block.
const GROUP: usize = 32;

/// One of ATen's packings (see the module text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Avx512,
    Avx2,
    Plain,
}

/// A 4-bit GGUF matrix: `rows` rows of `cols / 32` blocks of `block_bytes` bytes whose last 16
/// bytes hold the values (element j low nibble of byte j, element j + 16 its high nibble).
pub struct Blocks<'a> {
    pub data: &'a [u8],
    pub rows: usize,
    pub block_bytes: usize,
}

impl Blocks<'_> {
    /// The 32 values of block `b` of row `r`.
    fn values(&self, cols: usize, r: usize, b: usize) -> [u8; GROUP] {
        let start = (r * cols / GROUP + b) * self.block_bytes;
        let qs = &self.data[start + self.block_bytes - 16..start + self.block_bytes];
        let mut v = [0u8; GROUP];
        for (j, &byte) in qs.iter().enumerate() {
            v[j] = byte & 0x0F;
            v[j + 16] = byte >> 4;
        }
        v
    }
}

impl Layout {
    fn block_n(self) -> usize {
        match self {
            Layout::Avx512 => 64,
            Layout::Avx2 | Layout::Plain => 32,
        }
    }

    /// The layout this libtorch packs with, found once; `None` when no layout written here
    /// reproduces its bytes.
    pub fn detect() -> Option<Layout> {
        static FOUND: OnceLock<Option<Layout>> = OnceLock::new();
        *FOUND.get_or_init(|| {
            let _guard = tch::no_grad_guard();
            // 112 rows: a full block of either size and a last, shorter one; 3 column blocks.
            let (rows, cols, block_bytes) = (112, 96, 18);
            let data = probe_blocks(rows, cols, block_bytes);
            let m = Blocks {
                data: &data,
                rows,
                block_bytes,
            };
            let aten = aten_pack(std::slice::from_ref(&m), cols);
            [Layout::Avx512, Layout::Avx2, Layout::Plain]
                .into_iter()
                .find(|&l| l.pack(std::slice::from_ref(&m), cols).equal(&aten))
        })
    }

    /// `mats` stacked by rows, `cols` columns each, packed: a uint8 tensor [N, cols / 2],
    /// written in place, its row blocks split over libtorch's threads (this is most of fast mode's
    /// load).
    pub fn pack(self, mats: &[Blocks], cols: usize) -> Tensor {
        let n: usize = mats.iter().map(|m| m.rows).sum();
        let t = Tensor::empty([n as i64, (cols / 2) as i64], (Kind::Uint8, Device::Cpu));
        if n == 0 {
            return t;
        }
        // SAFETY: a fresh contiguous uint8 tensor of n · cols / 2 bytes, written through this
        // slice only while it lives.
        let out = unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut u8, n * cols / 2) };
        // Row blocks handed out over the team.
        let block_n = self.block_n();
        let blocks: Vec<(usize, &mut [u8])> =
            out.chunks_mut(block_n * cols / 2).enumerate().collect();
        crate::model::omp::for_each(blocks, &|(i, out)| {
            self.pack_rows(mats, cols, i * block_n, out)
        });
        t
    }

    /// The packed bytes of rows `r_start..` (one or more whole row blocks) into `out`.
    fn pack_rows(self, mats: &[Blocks], cols: usize, r_start: usize, out: &mut [u8]) {
        let n = r_start + out.len() / (cols / 2);
        // Global row → (matrix, row in it).
        let locate = |mut r: usize| {
            for m in mats {
                if r < m.rows {
                    return (m, r);
                }
                r -= m.rows;
            }
            unreachable!("row in range")
        };
        let block_n = self.block_n();
        // The values of one block of rows and one column block, column by column: tile[j][i]
        // is row r0 + i, column 32b + j (so each output byte range reads contiguous rows).
        let mut tile = [[0u8; 64]; GROUP];
        for r0 in (r_start..n).step_by(block_n) {
            let nb = block_n.min(n - r0);
            let dst = &mut out[(r0 - r_start) * cols / 2..(r0 - r_start + nb) * cols / 2];
            for b in 0..cols / GROUP {
                for (i, row) in (r0..r0 + nb).enumerate() {
                    let (m, r) = locate(row);
                    for (j, v) in m.values(cols, r, b).into_iter().enumerate() {
                        tile[j][i] = v;
                    }
                }
                for (j, w) in tile.iter().enumerate() {
                    let k = b * GROUP + j;
                    match (self, nb == block_n) {
                        (Layout::Avx512, true) => {
                            let o = &mut dst[32 * k..32 * k + 32];
                            for d in 0..16 {
                                o[d] = (w[d + 32] << 4) | w[d];
                                o[16 + d] = (w[d + 48] << 4) | w[d + 16];
                            }
                        }
                        (Layout::Avx2, true) => {
                            let o = &mut dst[16 * k..16 * k + 16];
                            for d in 0..16 {
                                o[d] = (w[d + 16] << 4) | w[d];
                            }
                        }
                        _ => {
                            let o = &mut dst[k * nb / 2..(k + 1) * nb / 2];
                            for (p, o) in o.iter_mut().enumerate() {
                                *o = (w[2 * p + 1] << 4) | w[2 * p];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The same matrices packed by ATen from their int32 values.
pub fn aten_pack(mats: &[Blocks], cols: usize) -> Tensor {
    let n: usize = mats.iter().map(|m| m.rows).sum();
    let mut q = Vec::with_capacity(n * cols);
    for m in mats {
        for r in 0..m.rows {
            for b in 0..cols / GROUP {
                q.extend(m.values(cols, r, b).map(i32::from));
            }
        }
    }
    Tensor::from_slice(&q)
        .view([n as i64, cols as i64])
        .to_device(Device::Cpu)
        .to_kind(Kind::Int)
        .internal_convert_weight_to_int4pack_for_cpu(1)
}

/// Pseudo-random blocks (xorshift): a layout that puts values in other places gives other
/// bytes.
fn probe_blocks(rows: usize, cols: usize, block_bytes: usize) -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    let mut data = Vec::with_capacity(rows * cols / GROUP * block_bytes);
    for _ in 0..rows * cols / GROUP {
        for _ in 0..block_bytes {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data.push(x as u8);
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This libtorch's layout is one written here, and packing in it equals ATen's packing
    /// for matrices stacked with row counts that are not multiples of its blocks.
    #[test]
    fn the_detected_layout_is_atens() {
        let layout = Layout::detect().expect("a known layout for this libtorch");
        eprintln!("this libtorch packs int4 weights in the {layout:?} layout");
        let cols = 64;
        let (a, b) = (probe_blocks(80, cols, 20), probe_blocks(48, cols, 20));
        let mats = [
            Blocks {
                data: &a,
                rows: 80,
                block_bytes: 20,
            },
            Blocks {
                data: &b,
                rows: 48,
                block_bytes: 20,
            },
        ];
        assert!(layout.pack(&mats, cols).equal(&aten_pack(&mats, cols)));
        // And the check can fail: the other layouts give other bytes here.
        for other in [Layout::Avx512, Layout::Avx2, Layout::Plain] {
            if other != layout {
                assert!(!other.pack(&mats, cols).equal(&aten_pack(&mats, cols)));
            }
        }
    }
}
