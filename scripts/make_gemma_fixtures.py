#!/usr/bin/env python3
"""Golden next-token fixtures for Gemma-3-270M: a float32 numpy forward pass, cross-checked
against llama.cpp on an all-float32 copy of the file.

tokenscope's exact mode de-quantizes the Q4_K_M GGUF to float32 once and computes in float32.
The reference here is written from HF transformers' `modeling_gemma3.py` in numpy (float32
throughout: scaled embeddings, (1 + w) RMSNorm, q/k norms, NEOX RoPE with local/global bases,
sliding window, GELU-tanh MLP, tied head) on weights de-quantized by gguf-py. It is checked
against llama.cpp itself: every tensor is written to a float32 GGUF (about 1.1 GB, in a
temporary folder) that llama.cpp runs with float32 products. llama.cpp rounds GELU's input to
float16 (its `ggml_table_gelu_f16` lookup), so it differs from float32 by ~1e-3 in
log-probability; the numpy pass is the 1e-3 reference and the llama.cpp difference is recorded.

Writes tests/fixtures/gemma-3-270m/next_token.json: for each prompt its ids (llama.cpp's
tokenizer, BOS added as the model asks), the top-20 log-probabilities at the last position
(float64 log-softmax of the float32 logits), a greedy continuation, and llama.cpp's top-20.

Run with the llama-cpp-python built by `scripts/bootstrap --llama-cpp`, with gguf-py (pure
Python + numpy) on the path:
    python3 -m pip install --target /tmp/gguf-py gguf==0.19.0 --no-deps
    PYTHONPATH=/tmp/gguf-py ~/.cache/tokenscope/llama-cpp-python-0.3.36/bin/python \\
        scripts/make_gemma_fixtures.py
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    import gguf
except ImportError:
    sys.exit("gguf-py is needed: see this script's docstring")
import llama_cpp
from llama_cpp import Llama

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tokenscope"
MODEL = CACHE / "models" / "gemma-3-270m-q4_k_m.gguf"
OUT = ROOT / "tests" / "fixtures" / "gemma-3-270m" / "next_token.json"
TOP_K = 20
GREEDY_STEPS = 8

PROMPTS: list[tuple[str, str]] = [
    ("pt_course", "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que"),
    ("pt_capital", "A capital do Brasil é"),
    ("pt_recipe", "Para fazer um bolo de cenoura, você precisa de"),
    ("en_capital", "The capital of France is"),
    ("en_story", "Once upon a time, in a small village,"),
    ("digits", "1, 2, 3, 4, 5,"),
    ("code", "def fibonacci(n):\n    "),
    ("newlines_spaces", "Lista:\n\n-   um\n-   dois\n-"),
    ("accents_emoji", "Café com pão de queijo 🧀 é"),
]


def float32_copy(src: Path, dst: Path) -> None:
    """Every tensor de-quantized to float32; metadata copied as is."""
    reader = gguf.GGUFReader(str(src))
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(str(dst), arch)
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name in (
            "general.architecture",
            "general.file_type",
        ):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), vtype, sub_type=sub)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    for t in reader.tensors:
        w = gguf.dequantize(t.data, t.tensor_type).astype(np.float32)
        assert list(w.shape) == [int(x) for x in reversed(t.shape)], (t.name, w.shape)
        writer.add_tensor(t.name, np.ascontiguousarray(w))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


class Reference:
    """HF `Gemma3ForCausalLM` in float32 numpy (no cache: every call is a full pass)."""

    def __init__(self, path: Path):
        r = gguf.GGUFReader(str(path))
        f = lambda k: r.fields[k].contents()  # noqa: E731
        self.layers = int(f("gemma3.block_count"))
        self.heads = int(f("gemma3.attention.head_count"))
        self.kv = int(f("gemma3.attention.head_count_kv"))
        self.hd = int(f("gemma3.attention.key_length"))
        self.eps = np.float32(f("gemma3.attention.layer_norm_rms_epsilon"))
        self.window = int(f("gemma3.attention.sliding_window"))
        self.global_base = float(f("gemma3.rope.freq_base"))
        self.w = {
            t.name: np.ascontiguousarray(gguf.dequantize(t.data, t.tensor_type).astype(np.float32))
            for t in r.tensors
        }
        self.hidden = self.w["token_embd.weight"].shape[1]

    def norm(self, x, name):
        # GGUF holds HF's (1 + w) already (llama.cpp's converter adds the one).
        v = np.mean(np.square(x), axis=-1, keepdims=True, dtype=np.float32)
        return (x / np.sqrt(v + self.eps)) * self.w[name]

    def rope(self, x, base):  # x [heads, n, hd], NEOX (rotate_half)
        half = self.hd // 2
        inv = (1.0 / (base ** (np.arange(0, self.hd, 2, dtype=np.float32) / self.hd))).astype(np.float32)
        ang = np.arange(x.shape[1], dtype=np.float32)[:, None] * inv[None, :]
        cos = np.concatenate([np.cos(ang)] * 2, -1).astype(np.float32)
        sin = np.concatenate([np.sin(ang)] * 2, -1).astype(np.float32)
        rot = np.concatenate([-x[..., half:], x[..., :half]], -1)
        return x * cos + rot * sin

    def attention(self, x, i):
        n = x.shape[0]
        b = f"blk.{i}."
        q = (x @ self.w[b + "attn_q.weight"].T).reshape(n, self.heads, self.hd).transpose(1, 0, 2)
        k = (x @ self.w[b + "attn_k.weight"].T).reshape(n, self.kv, self.hd).transpose(1, 0, 2)
        v = (x @ self.w[b + "attn_v.weight"].T).reshape(n, self.kv, self.hd).transpose(1, 0, 2)
        q, k = self.norm(q, b + "attn_q_norm.weight"), self.norm(k, b + "attn_k_norm.weight")
        is_global = (i + 1) % 6 == 0
        base = self.global_base if is_global else 10_000.0
        q, k = self.rope(q, base), self.rope(k, base)
        rep = self.heads // self.kv
        k, v = np.repeat(k, rep, 0), np.repeat(v, rep, 0)
        s = (q @ k.transpose(0, 2, 1)) * np.float32(self.hd ** -0.5)
        qi, kj = np.arange(n)[:, None], np.arange(n)[None, :]
        visible = kj <= qi
        if not is_global:
            visible &= (qi - kj) < self.window
        s = np.where(visible[None], s, -np.inf).astype(np.float32)
        p = np.exp(s - s.max(-1, keepdims=True))
        p = p / p.sum(-1, keepdims=True)
        y = (p @ v).transpose(1, 0, 2).reshape(n, self.heads * self.hd)
        return y @ self.w[b + "attn_output.weight"].T

    def mlp(self, x, i):
        b = f"blk.{i}."
        g = x @ self.w[b + "ffn_gate.weight"].T
        u = x @ self.w[b + "ffn_up.weight"].T
        c = np.float32(math.sqrt(2.0 / math.pi))
        gelu = np.float32(0.5) * g * (np.float32(1.0) + np.tanh(c * (g + np.float32(0.044715) * g * g * g)))
        return (gelu * u) @ self.w[b + "ffn_down.weight"].T

    def last_logits(self, ids):
        emb = self.w["token_embd.weight"]
        x = emb[ids] * np.float32(math.sqrt(self.hidden))
        for i in range(self.layers):
            b = f"blk.{i}."
            x = x + self.norm(self.attention(self.norm(x, b + "attn_norm.weight"), i), b + "post_attention_norm.weight")
            x = x + self.norm(self.mlp(self.norm(x, b + "ffn_norm.weight"), i), b + "post_ffw_norm.weight")
        x = self.norm(x[-1:], "output_norm.weight")
        return (x @ emb.T)[0]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    x = logits.astype(np.float64)
    m = x.max()
    return x - (m + math.log(np.exp(x - m).sum()))


def record(ref: Reference, llm: Llama, name: str, text: str) -> dict:
    ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    lp = log_softmax(ref.last_logits(ids))
    top = np.argsort(-lp, kind="stable")[:TOP_K]
    greedy, seq = [], list(ids)
    for _ in range(GREEDY_STEPS):
        nxt = int(np.argmax(ref.last_logits(seq)))
        greedy.append(nxt)
        seq.append(nxt)
    llm.reset()
    llm.eval(ids)
    lp_cpp = log_softmax(np.array(llm.scores[len(ids) - 1], dtype=np.float32))
    return {
        "name": name,
        "text": text,
        "ids": ids,
        "top": [{"id": int(i), "logprob": float(lp[i])} for i in top],
        "greedy": greedy,
        "llama_cpp_f32_top": [{"id": int(i), "logprob": float(lp_cpp[i])} for i in top],
        "llama_cpp_f32_max_abs_diff": float(np.abs(lp_cpp[top] - lp[top]).max()),
    }


def main() -> None:
    if not MODEL.exists():
        sys.exit(f"{MODEL} is missing: run scripts/bootstrap --model gemma-3-270m")
    with tempfile.TemporaryDirectory() as tmp:
        f32 = Path(tmp) / "gemma-3-270m-f32.gguf"
        float32_copy(MODEL, f32)
        llm = Llama(
            model_path=str(f32),
            n_ctx=256,
            n_threads=2,
            logits_all=True,
            verbose=False,
        )
        ref = Reference(MODEL)
        records = [record(ref, llm, n, t) for n, t in PROMPTS]
        for r in records:
            print(f"{r['name']}: llama.cpp f32 vs numpy f32, max |d logprob| {r['llama_cpp_f32_max_abs_diff']:.2e}")
        del llm
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "model": MODEL.name,
        "source": "float32 numpy Gemma3ForCausalLM (scripts/make_gemma_fixtures.py) on weights "
        f"de-quantized by gguf-py; ids and a cross-check from llama.cpp via llama-cpp-python "
        f"{llama_cpp.__version__} on an all-F32 copy",
        "top_k": TOP_K,
        "prompts": records,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(records)} prompts)")


if __name__ == "__main__":
    main()
