#!/usr/bin/env python3
"""Tiny, randomly initialised Hugging Face encoder-decoders for tokenscope's seq2seq tests.

Writes tests/fixtures/seq2seq/<name>/ for
  t5-v1_0    T5ForConditionalGeneration, ReLU feed-forward, tied head (decoder output * d_model^-0.5)
  t5-v1_1    T5ForConditionalGeneration, gated-GELU feed-forward (FLAN-T5 style), untied lm_head
  bart       BartForConditionalGeneration, learned positions (offset 2), layernorm_embedding, GELU
  marian-mt  MarianMTModel, sinusoidal positions, scale_embedding, SiLU, final_logits_bias
each with
  config.json         as save_pretrained writes it (T5: "tie_word_embeddings" set as the hub's
                      v1.0 / v1.1 configs have it)
  model.safetensors   float32 weights
  tokenizer.json      t5-v1_1: a SentencePiece model trained here, converted by transformers'
                      T5Converter (the structure of flan-t5's tokenizer.json); t5-v1_0 and
                      marian-mt: a tiny Unigram (Metaspace; vocabulary counted from TRAIN_TEXT);
                      bart: a byte-level BPE trained with the `tokenizers` library. Each
                      post-processor adds the special tokens the real checkpoints' tokenizers add
  tokenizer_config.json
  expected.json       for each source: its ids (as the tokenizer's post-processor makes them), the
                      full-vocabulary logits of the first STEPS decoder steps along the greedy path,
                      and GREEDY greedy ids (argmax at every step, no stop at the end token),
                      all computed by transformers after reloading the folder with from_pretrained.

T5's vocab_size is padded past the tokenizer's size (as T5's 32 128 rows for 32 100 tokens).
Relative-position buckets are kept small (8 buckets, max distance 12) so that short sources reach
the logarithmic buckets. Weights ~ N(0, 0.2^2); norm weights ~ 1 + N(0, 0.1^2); biases and
final_logits_bias ~ N(0, 0.1^2). Seeded; torch.set_num_threads(1).

Usage:
    HF_HUB_OFFLINE=1 /root/refvenv/bin/python scripts/make_seq2seq_fixtures.py [--out tests/fixtures/seq2seq]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEED = 20261203
VOCAB_TARGET = 300
GREEDY = 10
STEPS = GREEDY
WEIGHT_STD = 0.2
NORM_STD = 0.1
BIAS_STD = 0.1

TRAIN_TEXT = [
    "The cat sat on the mat. The dog sleeps in the sun, and the fox runs into the forest.",
    "O gato sentou no tapete. O cachorro dorme no sol, e a raposa corre para a floresta.",
    "A language model reads a sequence of tokens and predicts the next one.",
    "Um modelo de linguagem lê uma sequência de tokens e prevê o próximo.",
    "translate English to Portuguese: Good morning, teacher! How are you today?",
    "Bom dia, professora! Como você está hoje? Eu pedi um pão de queijo e um café.",
    "The encoder reads the whole source once; the decoder writes one token at a time.",
]

SOURCES = [
    "translate English to Portuguese: The cat sat on the mat.",
    "Bom dia, professora! O modelo lê a frase inteira.",
]


def unigram(specials, post):
    """A tiny SentencePiece-style Unigram tokenizer; `post` is the template after `$A`.

    Its vocabulary is counted, not trained (the Unigram trainer's float sums vary from run to
    run): the specials, every whole word of TRAIN_TEXT (with its `▁`) scored by its log
    frequency, and every character as a fallback, ordered by (score, piece).
    """
    import math
    from collections import Counter

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    words = Counter("\u2581" + w for line in TRAIN_TEXT for w in line.split())
    chars = Counter(c for w in words.elements() for c in w)
    total_w, total_c = sum(words.values()), sum(chars.values())
    scored = [(w, round(math.log(n / total_w), 4)) for w, n in words.items()]
    scored += [(c, round(math.log(n / total_c) - 6.0, 4)) for c, n in chars.items() if c not in words]
    scored.sort(key=lambda p: (-p[1], p[0]))
    vocab = [(t, 0.0) for t in specials] + scored
    tk = Tokenizer(models.Unigram(vocab, unk_id=specials.index("<unk>"), byte_fallback=False))
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tk.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tk.add_special_tokens(specials)
    tk.post_processor = processors.TemplateProcessing(
        single=f"$A {post}", special_tokens=[(post, tk.token_to_id(post))]
    )
    return tk


def t5_converted():
    """A T5 tokenizer.json made the way the hub's (flan-)t5 ones were: a SentencePiece Unigram
    model trained here (pad 0, </s> 1, <unk> 2; single thread, so reruns give the same model)
    converted by transformers' own `T5Converter` (Precompiled normalizer, Metaspace, 8
    `<extra_id_N>` pieces, `$A </s>`). The converter only reads these attributes of a slow
    tokenizer, which transformers 5 no longer has for T5."""
    import io
    import types

    import sentencepiece as spm
    from transformers.convert_slow_tokenizer import T5Converter

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(TRAIN_TEXT),
        model_writer=buf,
        vocab_size=110,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        num_threads=1,
        minloglevel=2,
        hard_vocab_limit=False,
    )
    path = REPO / "target" / "t5-fixture-spiece.model"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(buf.getvalue())
    slow = types.SimpleNamespace(vocab_file=str(path), _extra_ids=8, legacy=True, add_prefix_space=True)
    slow.convert_tokens_to_ids = lambda token: 1  # only asked for "</s>"
    tk = T5Converter(slow).converted()
    path.unlink()
    return tk


def byte_bpe():
    """A tiny byte-level BPE with BART's specials and `<s> $A </s>`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_TARGET,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(TRAIN_TEXT, trainer=trainer)
    tk.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return tk


def randomize(model, gen, skip=()):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if any(s in name for s in skip):
                continue
            if "norm" in name and name.endswith("weight"):
                p.copy_(1 + NORM_STD * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(BIAS_STD * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(WEIGHT_STD * torch.randn(p.shape, generator=gen))
        if hasattr(model, "final_logits_bias"):
            model.final_logits_bias.copy_(BIAS_STD * torch.randn(model.final_logits_bias.shape, generator=gen))


def t5(tk, gated):
    from transformers import T5Config, T5ForConditionalGeneration

    cfg = T5Config(
        # Padded past the tokenizer, as T5's 32 128 rows for 32 100 tokens.
        vocab_size=(tk.get_vocab_size() // 16 + 2) * 16,
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=12,
        feed_forward_proj="gated-gelu" if gated else "relu",
        tie_word_embeddings=not gated,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    return T5ForConditionalGeneration(cfg)


def bart(tk):
    from transformers import BartConfig, BartForConditionalGeneration

    cfg = BartConfig(
        vocab_size=tk.get_vocab_size(),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=64,
        activation_function="gelu",
        scale_embedding=False,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=None,
        forced_eos_token_id=None,
    )
    return BartForConditionalGeneration(cfg)


def marian(tk):
    from transformers import MarianConfig, MarianMTModel

    v = tk.get_vocab_size()
    cfg = MarianConfig(
        vocab_size=v,
        decoder_vocab_size=v,
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=64,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        pad_token_id=v - 1,
        eos_token_id=0,
        decoder_start_token_id=v - 1,
        forced_eos_token_id=None,
    )
    return MarianMTModel(cfg)


@torch.no_grad()
def greedy_reference(model, src_ids, start):
    """Full recomputation at every step (no cache): logits of the first STEPS steps, GREEDY ids."""
    enc = torch.tensor([src_ids])
    dec = [start]
    logits, ids = [], []
    for step in range(GREEDY):
        out = model(input_ids=enc, decoder_input_ids=torch.tensor([dec]), use_cache=False)
        row = out.logits[0, -1].float()
        top = torch.topk(row, 2).values
        assert top[0] - top[1] > 1e-3, f"near tie at step {step}: {top}"
        if step < STEPS:
            logits.append([round(float(x), 6) for x in row])
        nxt = int(row.argmax())
        ids.append(nxt)
        dec.append(nxt)
    return logits, ids


def write(out, name, model, tk, specials, tokenizer_config, cfg_patch, skip=()):
    from transformers import AutoModelForSeq2SeqLM

    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED + sum(map(ord, name)))
    randomize(model, gen, skip)
    if cfg_patch.get("tie_word_embeddings") is False:
        # transformers 5 always ties T5's head in memory; a v1.1 / FLAN checkpoint has its own.
        model.lm_head.weight = torch.nn.Parameter(WEIGHT_STD * torch.randn(model.lm_head.weight.shape, generator=gen))
    model.eval()
    model.save_pretrained(d, safe_serialization=True)
    cfg = json.loads((d / "config.json").read_text())
    cfg.update(cfg_patch)
    cfg.pop("transformers_version", None)
    # The hub's T5 configs predate this key: `tie_word_embeddings` alone decides the rescale.
    cfg.pop("scale_decoder_outputs", None)
    (d / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    for junk in ("generation_config.json",):
        (d / junk).unlink(missing_ok=True)
    tk.save(str(d / "tokenizer.json"))
    (d / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n")
    reloaded = AutoModelForSeq2SeqLM.from_pretrained(d).eval()
    start = cfg["decoder_start_token_id"]
    cases = []
    for text in SOURCES:
        src = tk.encode(text).ids
        logits, ids = greedy_reference(reloaded, src, start)
        ref_logits, _ = greedy_reference(model, src, start)
        assert torch.allclose(torch.tensor(logits), torch.tensor(ref_logits), atol=1e-5), "reload changed the model"
        cases.append({"source": text, "source_ids": src, "step_logits": logits, "greedy_ids": ids})
    expected = {
        "model_type": cfg["model_type"],
        "vocab": cfg["vocab_size"],
        "tokenizer_size": tk.get_vocab_size(),
        "decoder_start_token_id": start,
        "eos_token_id": cfg["eos_token_id"],
        "cases": cases,
    }
    (d / "expected.json").write_text(json.dumps(expected) + "\n")
    for f in d.iterdir():
        assert f.stat().st_size < 2_000_000, f"{f} is too big"
    print(name, {f.name: f.stat().st_size for f in d.iterdir()}, [c["greedy_ids"] for c in cases])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "seq2seq")
    args = ap.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    t5_specials = ["<pad>", "</s>", "<unk>"]
    t5_tok = unigram(t5_specials, "</s>")
    t5_tc = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    write(args.out, "t5-v1_0", t5(t5_tok, gated=False), t5_tok, t5_specials, t5_tc, {"tie_word_embeddings": True})
    flan_tok = t5_converted()
    write(args.out, "t5-v1_1", t5(flan_tok, gated=True), flan_tok, t5_specials, t5_tc, {"tie_word_embeddings": False})
    b_tok = byte_bpe()
    b_tc = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    write(args.out, "bart", bart(b_tok), b_tok, None, b_tc, {})
    m_specials = ["</s>", "<unk>"]
    m_tok = unigram(m_specials, "</s>")
    m_tok.add_special_tokens(["<pad>"])  # the last id, as in opus-mt vocabularies
    m_tc = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    write(args.out, "marian-mt", marian(m_tok), m_tok, m_specials, m_tc, {}, skip=("embed_positions",))


if __name__ == "__main__":
    main()
