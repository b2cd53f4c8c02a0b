#!/usr/bin/env python3
"""Tiny, randomly initialised Hugging Face checkpoints for tokenscope's safetensors/HF loading tests.

Writes tests/fixtures/tiny-llama/ (LlamaForCausalLM, untied embeddings), tests/fixtures/tiny-qwen2/
(Qwen2ForCausalLM, q/k/v biases, tied embeddings) and tests/fixtures/tiny-gemma3/ (Gemma3ForCausalLM:
4 layers alternating sliding-window 4 and global attention, RoPE bases 10 000 / 100 000,
query_pre_attn_scalar 24, head_dim 16, (1 + w) norms around 0), each with:
  config.json        -- as written by transformers' save_pretrained (+ top-level "rope_theta" and
                        "torch_dtype" for readers that expect the transformers-4 layout)
  model.safetensors  -- float32 weights (tied checkpoints have no lm_head.weight)
  tokenizer.json     -- a small byte-level BPE trained with the `tokenizers` library on TRAIN_TEXT
  expected.json      -- ids, full-vocabulary logits at the first and last position, 10 greedy ids

Sizes: hidden 64, 2 layers, 4 heads, 2 kv heads, intermediate 128, rope_theta 10000,
vocab = the tokenizer's. Weights ~ N(0, 0.2^2); RMSNorm weights ~ 1 + N(0, 0.1^2); Qwen2 biases ~ N(0, 0.1^2).
Everything is seeded, computed with torch.set_num_threads(1), so reruns reproduce the files.

Usage:
    HF_HUB_OFFLINE=1 /root/refvenv/bin/python scripts/make_tiny_hf.py [--out tests/fixtures]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEED = 20240601
VOCAB_TARGET = 400
GREEDY_STEPS = 10
WEIGHT_STD = 0.2
NORM_STD = 0.1
BIAS_STD = 0.1
GEMMA_GLOBAL_THETA = 100000.0

TRAIN_TEXT = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps in the sun, and the fox runs into the "
    "forest. Every morning the farmer counts his sheep: one, two, three, four, five, six, seven.",
    "A language model reads a sequence of tokens and predicts the next one. It assigns a probability to "
    "every token in the vocabulary, and the playground shows those probabilities as bars.",
    "Eu pedi para minha mãe um pão de queijo. Ela disse que não havia mais pão, só café e maçã. "
    "A ação do coração é bombear o sangue.",
    "fn main() {\n    let v: Vec<u32> = (1..=10).collect();\n    println!(\"{}\", v.iter().sum::<u32>());\n}\n"
    "def add(a, b):\n    return a + b\n",
    "Numbers like 3.14159, 1,000,000 and 2024 appear in text. So do emoji like 🤖 and 🍕, "
    "and other scripts: 你好, こんにちは, مرحبا, Привет.",
    "The lighthouse keeper walked along the shore every morning, watching the birds, the tide and the "
    "clouds. At night the lamp turned slowly, and its beam swept across the dark water.",
]

EXPECTED_TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Eu pedi para minha mãe um pão de queijo 🍕",
    "fn main() { let x = 42; }\n\tdef f(a):  return a",
]

SPECIAL = "<|endoftext|>"


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    def train():
        tk = Tokenizer(models.BPE())
        tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        tk.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=VOCAB_TARGET,
            min_frequency=2,
            special_tokens=[SPECIAL],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        tk.train_from_iterator(TRAIN_TEXT, trainer=trainer)
        return tk

    tk = train()
    # The BPE trainer must be deterministic for this script to be re-runnable.
    assert tk.to_str() == train().to_str(), "tokenizers BPE training is not deterministic"
    return tk


def init_weights(model, seed: int, bias_std: float, norm_center: float = 1.0) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            if name.endswith("norm.weight") or "layernorm" in name:
                p.copy_(norm_center + NORM_STD * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(bias_std * torch.randn(p.shape, generator=g))
            else:
                p.copy_(WEIGHT_STD * torch.randn(p.shape, generator=g))


@torch.no_grad()
def logits_of(model, ids):
    return model(input_ids=torch.tensor([ids]), use_cache=False).logits[0].float()


@torch.no_grad()
def greedy(model, ids, steps):
    seq = list(ids)
    for _ in range(steps):
        seq.append(int(logits_of(model, seq)[-1].argmax()))
    return seq[len(ids):]


def make(kind: str, out: Path, tk) -> None:
    from transformers import (
        AutoModelForCausalLM,
        Gemma3ForCausalLM,
        Gemma3TextConfig,
        LlamaConfig,
        LlamaForCausalLM,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    vocab = tk.get_vocab_size(with_added_tokens=True)
    eos = tk.token_to_id(SPECIAL)
    common = dict(
        vocab_size=vocab,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        bos_token_id=eos,
        eos_token_id=eos,
    )
    if kind == "llama":
        cfg = LlamaConfig(**common, tie_word_embeddings=False, attention_bias=False, mlp_bias=False)
        cls, seed = LlamaForCausalLM, SEED
    elif kind == "qwen2":
        cfg = Qwen2Config(**common, tie_word_embeddings=True, use_sliding_window=False)
        cls, seed = Qwen2ForCausalLM, SEED + 1
    else:
        # Gemma 3: 4 layers alternating local (window 4, shorter than every expected text) and
        # global, their own RoPE bases, query_pre_attn_scalar ≠ head_dim, tied embeddings.
        gemma = {k: v for k, v in common.items() if k != "rope_theta"}
        gemma.update(num_hidden_layers=4, head_dim=16)
        cfg = Gemma3TextConfig(
            **gemma,
            sliding_window=4,
            layer_types=["sliding_attention", "full_attention"] * 2,
            query_pre_attn_scalar=24,
            rope_parameters={
                "full_attention": {"rope_type": "default", "rope_theta": GEMMA_GLOBAL_THETA},
                "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
            },
            tie_word_embeddings=True,
        )
        cls, seed = Gemma3ForCausalLM, SEED + 2
    if kind != "gemma3" and getattr(cfg, "rope_parameters", None) is not None:
        cfg.rope_parameters["rope_theta"] = 10000.0
    torch.manual_seed(seed)
    model = cls(cfg).to(torch.float32).eval()
    # Gemma's norms scale by (1 + w): weights near 0 are its "identity".
    init_weights(model, seed, BIAS_STD, norm_center=0.0 if kind == "gemma3" else 1.0)
    if kind == "qwen2":
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr(), "not tied"
        assert model.model.layers[0].self_attn.q_proj.bias is not None

    d = out / f"tiny-{kind}"
    d.mkdir(parents=True, exist_ok=True)
    for stale in d.iterdir():
        stale.unlink()
    model.save_pretrained(d, safe_serialization=True)
    gen = d / "generation_config.json"
    if gen.exists():
        gen.unlink()
    # Add transformers-4 style top-level keys (transformers 5 nests rope_theta in rope_parameters).
    cj = json.loads((d / "config.json").read_text())
    if kind != "gemma3":
        cj.setdefault("rope_theta", 10000.0)
    cj.setdefault("torch_dtype", "float32")
    cj.setdefault("dtype", "float32")
    (d / "config.json").write_text(json.dumps(cj, indent=2, sort_keys=True) + "\n")
    tk.save(str(d / "tokenizer.json"), pretty=False)

    # Reload from disk so the expected values come from exactly what is in the files.
    m2 = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    from tokenizers import Tokenizer

    tk2 = Tokenizer.from_file(str(d / "tokenizer.json"))
    cases = []
    for text in EXPECTED_TEXTS:
        ids = tk2.encode(text, add_special_tokens=False).ids
        assert tk2.decode(ids, skip_special_tokens=False) == text, text
        lg = logits_of(m2, ids)
        assert torch.allclose(lg, logits_of(model, ids), atol=1e-5), "reload mismatch"
        last, first = lg[-1], lg[0]
        cases.append(
            {
                "text": text,
                "ids": ids,
                "logits_last": [float(x) for x in last.tolist()],
                "logits_first": [float(x) for x in first.tolist()],
                "greedy": greedy(m2, ids, GREEDY_STEPS),
            }
        )
        p = torch.softmax(last.double(), -1)
        ent = float(-(p * p.log()).sum())
        print(
            f"  {kind}: {len(ids)} ids, logits std {float(last.std()):.3f}, max p {float(p.max()):.3f}, "
            f"entropy {ent:.2f} nats, greedy {cases[-1]['greedy']}"
        )
    import tokenizers
    import transformers

    doc = {
        "model": f"tiny-{kind}",
        "source": f"transformers {transformers.__version__}, torch {torch.__version__}, "
        f"tokenizers {tokenizers.__version__}; scripts/make_tiny_hf.py (seed {seed})",
        "definition": "ids = tokenizer.json encode(text, add_special_tokens=False). logits_* = float32 "
        "logits (full vocabulary) of one forward pass over ids (no BOS), at the last / first position. "
        f"greedy = {GREEDY_STEPS} argmax steps, full recompute each step, no stopping at EOS.",
        "vocab_size": vocab,
        "cases": cases,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    import re

    text = re.sub(
        r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]",
        lambda m: "[" + ", ".join(s.strip() for s in m.group(1).split(",")) + "]",
        text,
    )
    (d / "expected.json").write_text(text + "\n", encoding="utf-8")
    for f in sorted(d.iterdir()):
        f.chmod(0o644)  # safetensors writes 0600
        h = hashlib.sha256(f.read_bytes()).hexdigest()[:16]
        print(f"  wrote {f.relative_to(REPO)} ({f.stat().st_size} bytes, sha256 {h}…)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "tests/fixtures")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    tk = build_tokenizer()
    print(f"tokenizer: vocab {tk.get_vocab_size(with_added_tokens=True)}")
    for kind in ("llama", "qwen2", "gemma3"):
        make(kind, args.out, tk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
