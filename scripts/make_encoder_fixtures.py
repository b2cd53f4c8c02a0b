#!/usr/bin/env python3
"""Reference fixtures for tokenscope's BERT-family encoders (tests/encoders.rs), from transformers.

Writes under tests/fixtures/encoders/:
  tiny-bert/        BertForMaskedLM, LayerNorm tensors renamed to the old `gamma` / `beta`, tied
                    decoder (no cls.predictions.decoder.weight), vocab.txt only (no tokenizer.json:
                    the WordPiece fallback), hidden_act gelu
  tiny-distilbert/  DistilBertForMaskedLM, tokenizer.json (WordPiece, same vocabulary),
                    1_Pooling/config.json with CLS pooling
  tiny-roberta/     RobertaForMaskedLM, byte-level BPE tokenizer.json trained on TRAIN_TEXT,
                    hidden_act gelu_new, 1_Pooling (mean) + modules.json with Normalize
  each with expected.json: per text, the ids, every position's full-vocabulary logits and the
  pooled embedding (the folder's pooling; mean + L2 normalisation without a pooling config)
  real.json         the two installed models: bert-tiny fill-mask (ids, the top 20 log-probs at
                    each mask) and embeddings of SENTENCES for all-minilm-l6-v2 and bert-tiny
                    (mean pooling over the attention mask, L2-normalised, + cosine matrix)

Tiny sizes: hidden 32, 2 layers, 4 heads, intermediate 64, max positions 64; weights from
transformers' own initialisation with a fixed seed, then LayerNorms and biases perturbed
(N(0, 0.1^2)) so that a swapped weight/bias cannot pass. torch.set_num_threads(1); reruns reproduce
the files. Needs the real models installed (scripts/bootstrap --model all-minilm-l6-v2 --model bert-tiny).

Usage:
    HF_HUB_OFFLINE=1 /root/refvenv/bin/python scripts/make_encoder_fixtures.py [--out tests/fixtures/encoders]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEED = 20261203
MODELS = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tokenscope/models"

WORDS = (
    "the a an of to and in is was it that for on with as by at from this be are or his her "
    "cat dog fox sun sky sea paris france brazil capital city river house book man woman king "
    "queen red blue green big small quick brown lazy jumps runs sleeps reads writes model "
    "language token encoder decoder word sentence meaning music food happy sad good bad"
).split()
TINY_TEXTS = [
    "the cat [MASK] on the house .",
    "paris is the capital of [MASK] .",
    "the [MASK] fox jumps over the [MASK] dog",
    "an encoder reads the whole sentence",
]
TRAIN_TEXT = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps in the sun.",
    "Paris is the capital of France. Brasilia is the capital of Brazil.",
    "An encoder reads the whole sentence; a decoder writes one token at a time.",
]
FILL_TEXTS = [
    "the capital of france is [MASK].",
    "the man went to the [MASK] to buy some milk.",
    "i love to eat [MASK] and [MASK] for breakfast.",
    "the quick brown fox jumps over the lazy [MASK].",
]
SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
]
TOP = 20


def wordpiece_vocab() -> list[str]:
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces = list(".,;!?") + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += ["##" + chr(c) for c in range(ord("a"), ord("z") + 1)] + ["##s", "##ed", "##ing"]
    out = []
    for p in special + WORDS + pieces:
        if p not in out:
            out.append(p)
    return out


def wordpiece_tokenizer(folder: Path):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertTokenizerFast

    vocab = wordpiece_vocab()
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tk = Tokenizer(models.WordPiece({p: i for i, p in enumerate(vocab)}, unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.post_processor = processors.BertProcessing(("[SEP]", 3), ("[CLS]", 2))
    tk.decoder = decoders.WordPiece()
    tok = BertTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", sep_token="[SEP]",
                            pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]")
    tok.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    return tok


def bpe_tokenizer(folder: Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import RobertaTokenizerFast

    special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(TRAIN_TEXT + [" ".join(WORDS)], trainer)
    tk.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok = RobertaTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>",
                               sep_token="</s>", cls_token="<s>", unk_token="<unk>",
                               pad_token="<pad>", mask_token="<mask>")
    tok.save_pretrained(folder)
    return tok


def perturb(model, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
            elif "LayerNorm" in name or "layer_norm" in name:
                p.add_(torch.randn(p.shape, generator=g) * 0.1)


def pooled(hidden, mask, mode: str, normalize: bool):
    if mode == "cls":
        v = hidden[:, 0]
    else:
        m = mask.unsqueeze(-1).to(hidden.dtype)
        v = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    if normalize:
        v = torch.nn.functional.normalize(v, p=2, dim=-1)
    return v[0]


def write_pooling(folder: Path, dim: int, mode: str, normalize: bool) -> None:
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling/config.json").write_text(json.dumps({
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": mode == "cls",
        "pooling_mode_mean_tokens": mode == "mean",
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    }, indent=2))
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize",
                        "type": "sentence_transformers.models.Normalize"})
    (folder / "modules.json").write_text(json.dumps(modules, indent=2))


def rename_old_layernorm(folder: Path) -> None:
    """LayerNorm `weight` / `bias` → `gamma` / `beta`, as old TF-converted BERT checkpoints spell them."""
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    tensors = load_file(path)
    renamed = {}
    for k, v in tensors.items():
        if "LayerNorm" in k:
            k = k.replace(".weight", ".gamma").replace(".bias", ".beta")
        renamed[k] = v.contiguous()
    assert not any(k.endswith("decoder.weight") for k in renamed), "the decoder should be tied"
    save_file(renamed, path, metadata={"format": "pt"})


def expected(model, tok, texts, mode: str, normalize: bool, mask_word: str) -> dict:
    cases = []
    for text in texts:
        text = text.replace("[MASK]", mask_word)
        enc = tok(text, return_tensors="pt")
        with torch.no_grad():
            out = model(**{k: v for k, v in enc.items() if k != "token_type_ids"}, output_hidden_states=True)
        cases.append({
            "text": text,
            "ids": enc["input_ids"][0].tolist(),
            "logits": [[round(x, 6) for x in row] for row in out.logits[0].tolist()],
            "embedding": [round(x, 7) for x in pooled(out.hidden_states[-1], enc["attention_mask"], mode, normalize).tolist()],
        })
    return {"pooling": mode, "normalize": normalize, "cases": cases}


def tiny(kind: str, out: Path) -> None:
    from transformers import (BertConfig, BertForMaskedLM, DistilBertConfig, DistilBertForMaskedLM,
                              RobertaConfig, RobertaForMaskedLM)

    folder = out / f"tiny-{kind}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    torch.manual_seed(SEED)
    if kind == "roberta":
        tok = bpe_tokenizer(folder)
        cfg = RobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                            intermediate_size=64, max_position_embeddings=66, type_vocab_size=1,
                            hidden_act="gelu_new", pad_token_id=1, bos_token_id=0, eos_token_id=2)
        model = RobertaForMaskedLM(cfg)
        mode, normalize, mask = "mean", True, "<mask>"
    else:
        tok = wordpiece_tokenizer(folder)
        if kind == "bert":
            cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                             intermediate_size=64, max_position_embeddings=64, type_vocab_size=2)
            model = BertForMaskedLM(cfg)
            mode, normalize = "mean", True
        else:
            cfg = DistilBertConfig(vocab_size=len(tok), dim=32, n_layers=2, n_heads=4, hidden_dim=64,
                                   max_position_embeddings=64)
            model = DistilBertForMaskedLM(cfg)
            mode, normalize = "cls", False
        mask = "[MASK]"
    perturb(model, SEED + 1)
    model.eval()
    model.save_pretrained(folder, safe_serialization=True)
    if kind == "bert":
        rename_old_layernorm(folder)
        (folder / "tokenizer.json").unlink()
    else:
        write_pooling(folder, 32, mode, normalize)
    data = expected(model, tok, TINY_TEXTS, mode, normalize, mask)
    data["source"] = f"transformers; scripts/make_encoder_fixtures.py (seed {SEED})"
    (folder / "expected.json").write_text(json.dumps(data) + "\n")


def real(out: Path) -> None:
    from transformers import AutoModel, AutoTokenizer, BertForMaskedLM

    data = {"source": "transformers; scripts/make_encoder_fixtures.py", "fill": [], "embed": {}}
    path = MODELS / "bert-tiny"
    tok = AutoTokenizer.from_pretrained(path)
    mlm, info = BertForMaskedLM.from_pretrained(path, output_loading_info=True)
    assert not info["missing_keys"], info
    mlm.eval()
    for text in FILL_TEXTS:
        enc = tok(text, return_tensors="pt")
        with torch.no_grad():
            logits = mlm(**enc).logits[0]
        masks = []
        for pos in (enc["input_ids"][0] == tok.mask_token_id).nonzero().flatten().tolist():
            lp = torch.log_softmax(logits[pos].double(), -1)
            top = torch.topk(lp, TOP)
            masks.append({"position": pos, "ids": top.indices.tolist(),
                          "logprobs": [round(x, 7) for x in top.values.tolist()]})
        data["fill"].append({"text": text, "ids": enc["input_ids"][0].tolist(), "masks": masks})
    for name in ["all-minilm-l6-v2", "bert-tiny"]:
        path = MODELS / name
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path).eval()
        vectors = []
        for s in SENTENCES:
            enc = tok(s, return_tensors="pt")
            with torch.no_grad():
                hidden = model(**enc).last_hidden_state
            vectors.append(pooled(hidden, enc["attention_mask"], "mean", True))
        v = torch.stack(vectors)
        data["embed"][name] = {
            "sentences": SENTENCES,
            "vectors": [[round(x, 7) for x in row] for row in v.tolist()],
            "cosine": [[round(x, 7) for x in row] for row in (v @ v.T).tolist()],
        }
    (out / "real.json").write_text(json.dumps(data) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "tests/fixtures/encoders")
    args = ap.parse_args()
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in ["bert", "distilbert", "roberta"]:
        tiny(kind, args.out)
    real(args.out)
    for p in sorted(args.out.rglob("*")):
        if p.is_file():
            print(f"{p.relative_to(REPO)}  {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
