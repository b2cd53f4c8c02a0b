#!/usr/bin/env python3
"""Makes the GGUF reader's test fixtures in tests/fixtures/gguf/ with gguf-py as the reference.

    /root/refvenv/bin/python scripts/make_gguf_fixtures.py      # gguf-py 0.19 + numpy

Writes, deterministically (fixed seed):

- `types.gguf`: a GGUF v3 file (gguf.GGUFWriter) with metadata of many kinds and one tensor
  per supported ggml type, each 2-D with an inner dimension that is a multiple of 256,
  plus an unsupported-type tensor (IQ4_NL) and a small 3-D F32 tensor whose values are
  their own row-major index;
- `expected/<tensor name>.f32`: what gguf-py's `gguf.quants.dequantize` makes of each
  supported tensor, as raw little-endian f32 in row-major order.

Types gguf-py can quantize (BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) are quantized from random
normal floats; for the K-quants (which gguf-py only dequantizes) the block bytes are random,
except that every f16 scale is set to a sane finite value.
"""

from pathlib import Path

import gguf
import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import GGUFValueType as V

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "gguf"
SEED = 20261201

# Byte offsets of the ggml_half fields inside each K-quant block (from ggml's block structs).
QK_K = 256
K_QUANT_HALVES = {
    T.Q2_K: [QK_K // 16 + QK_K // 4, QK_K // 16 + QK_K // 4 + 2],  # d, dmin at the end
    T.Q3_K: [QK_K // 8 + QK_K // 4 + 12],  # d at the end
    T.Q4_K: [0, 2],  # d, dmin first
    T.Q5_K: [0, 2],
    T.Q6_K: [QK_K // 2 + QK_K // 4 + QK_K // 16],  # d at the end
}

# (tensor name, type, torch shape). Inner dims are multiples of 256 as the reader's tests want.
TENSORS = [
    ("f32", T.F32, (3, 256)),
    ("f16", T.F16, (3, 256)),
    ("bf16", T.BF16, (3, 256)),
    ("q8_0", T.Q8_0, (4, 256)),
    ("q4_0", T.Q4_0, (4, 256)),
    ("q4_1", T.Q4_1, (4, 256)),
    ("q5_0", T.Q5_0, (4, 256)),
    ("q5_1", T.Q5_1, (4, 256)),
    ("q2_k", T.Q2_K, (3, 512)),
    ("q3_k", T.Q3_K, (3, 512)),
    ("q4_k", T.Q4_K, (3, 512)),
    ("q5_k", T.Q5_K, (3, 512)),
    ("q6_k", T.Q6_K, (3, 512)),
]


def random_k_quant(rng: np.random.Generator, qtype: T, shape: tuple[int, int]) -> np.ndarray:
    """Random block bytes for a K-quant, with every f16 scale a finite value of sane size."""
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    n_blocks = shape[0] * shape[1] // block_size
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for at in K_QUANT_HALVES[qtype]:
        scales = rng.uniform(-0.05, 0.05, size=n_blocks).astype(np.float16)
        blocks[:, at : at + 2] = scales.view(np.uint8).reshape(n_blocks, 2)
    return blocks.reshape(shape[0], shape[1] // block_size * type_size)


def tensor_bytes(rng: np.random.Generator, qtype: T, shape: tuple[int, int]) -> np.ndarray:
    """The tensor as gguf-py would store it: f32/f16 arrays, or uint8 rows of blocks."""
    if qtype in K_QUANT_HALVES:
        return random_k_quant(rng, qtype, shape)
    floats = rng.standard_normal(size=shape).astype(np.float32)
    if qtype == T.F32:
        return floats
    if qtype == T.F16:
        return floats.astype(np.float16)
    return gguf.quants.quantize(floats, qtype)


def main() -> None:
    rng = np.random.default_rng(SEED)
    (OUT / "expected").mkdir(parents=True, exist_ok=True)
    for old in (OUT / "expected").glob("*.f32"):
        old.unlink()

    writer = gguf.GGUFWriter(OUT / "types.gguf", arch="tokenscope-test")
    # Metadata of each kind the reader has a getter for (general.architecture comes first).
    writer.add_string("test.string", "héllo, wörld")
    writer.add_uint32("test.u32", 30)
    writer.add_float32("test.f32", 1e-5)
    writer.add_bool("test.bool", True)
    writer.add_array("test.strings", ["<s>", "hello", " wörld", "</s>"])
    writer.add_array("test.ints", [0, -1, 2, 2147483647])
    writer.add_key_value("test.u8", 255, V.UINT8)
    writer.add_key_value("test.i8", -128, V.INT8)
    writer.add_key_value("test.u16", 65535, V.UINT16)
    writer.add_key_value("test.i16", -32768, V.INT16)
    writer.add_key_value("test.i32", -7, V.INT32)
    writer.add_key_value("test.u64", 2**40, V.UINT64)
    writer.add_key_value("test.i64", -(2**40), V.INT64)
    writer.add_key_value("test.f64", 0.25, V.FLOAT64)
    writer.add_key_value("test.u64s", [1, 2**33], V.ARRAY, sub_type=V.UINT64)
    writer.add_key_value("test.f32s", [0.5, -1.5], V.ARRAY, sub_type=V.FLOAT32)

    for name, qtype, shape in TENSORS:
        data = tensor_bytes(rng, qtype, shape)
        if data.dtype == np.uint8:
            writer.add_tensor(name, data, raw_dtype=qtype)
        else:
            writer.add_tensor(name, data)
        expected = gguf.quants.dequantize(data, qtype).astype("<f4")
        assert expected.shape == shape, (name, expected.shape, shape)
        expected.tofile(OUT / "expected" / f"{name}.f32")

    # A type the reader knows by name but cannot dequantize.
    iq4_nl = rng.integers(0, 256, size=(2, 256 // 32 * 18), dtype=np.uint8)
    writer.add_tensor("unsupported_iq4_nl", iq4_nl, raw_dtype=T.IQ4_NL)
    # Shape check: element [i, j, k] of this [2, 3, 4] tensor is i * 12 + j * 4 + k.
    writer.add_tensor("arange_2x3x4", np.arange(24, dtype=np.float32).reshape(2, 3, 4))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    size = (OUT / "types.gguf").stat().st_size
    print(f"wrote {OUT / 'types.gguf'} ({size} bytes) and {len(TENSORS)} expected .f32 files")


if __name__ == "__main__":
    main()
