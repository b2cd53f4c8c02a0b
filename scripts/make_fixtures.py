#!/usr/bin/env python3
"""Independent reference fixtures for tokenscope's SmolLM2-135M-Instruct (Q4_1 GGUF) engine.

Writes, under tests/fixtures/reference/:
  tokenizer.json   -- token ids for a varied corpus (special-token look-alikes kept as TEXT, no BOS)
                      plus chat-template renderings (special tokens parsed)
  next_token.json  -- top-20 log-probabilities of the next token (and top-5 at 3 earlier positions)
  greedy.json      -- 30-token greedy continuations (argmax each step, no stop at EOS)

Reference implementation: Hugging Face transformers, loading the GGUF de-quantized to float32
(transformers reverses llama.cpp's q/k row permutation itself). As an independent cross-check the
script also rebuilds the model from gguf-py de-quantized tensors with its own un-permutation and
compares logits; if llama-cpp-python is installed it is used as a second opinion on the token ids
(and, loosely, on the logits -- llama.cpp runs the quantized matmuls natively, so it is only
expected to agree to a few hundredths of a nat).

Usage (deterministic and re-runnable; takes a few minutes on a 2-core CPU):
    HF_HUB_OFFLINE=1 /root/refvenv/bin/python scripts/make_fixtures.py \
        [--model ~/.cache/tokenscope/models/SmolLM2-135M-Instruct.Q4_1.gguf] [--out tests/fixtures/reference]
        [--no-crosscheck] [--no-llama-cpp]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import sys
import unicodedata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
DEFAULT_MODEL = Path.home() / ".cache/tokenscope/models/SmolLM2-135M-Instruct.Q4_1.gguf"
REPO = Path(__file__).resolve().parent.parent

TOP_K = 20
TOP_K_PREFIX = 5
GREEDY_STEPS = 30

# --------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------

TOKENIZER_CASES: list[tuple[str, str]] = [
    ("empty", ""),
    ("single_space", " "),
    ("capital_france", "The capital of France is"),
    ("hi_im_end_text", "hi<|im_end|>"),
    ("spaces_newlines_digits_emoji", "  hello\n\nworld 12345 🤖"),
    ("pt_mae", "Eu pedi para minha mãe"),
    ("pt_acao", "ação, coração, pão"),
    ("pt_sentence", "Você já comeu pão de queijo? É delicioso, não é? Açúcar, café e maçã."),
    ("nfc_coracao", unicodedata.normalize("NFC", "coração")),
    ("nfd_coracao", unicodedata.normalize("NFD", "coração")),
    ("nfc_cafe", unicodedata.normalize("NFC", "café")),
    ("nfd_cafe", unicodedata.normalize("NFD", "café")),
    ("emoji_simple", "I love 🍕 and 🎉!"),
    ("emoji_zwj_technologist", "👩‍💻"),
    ("emoji_zwj_family", "👨‍👩‍👧"),
    ("emoji_flags", "🇧🇷 🇵🇹 🇺🇸 🇯🇵"),
    ("emoji_skin_tone", "👍🏽 👋🏿"),
    ("cjk_chinese", "我爱自然语言处理。"),
    ("japanese", "こんにちは、世界！カタカナと漢字。"),
    ("korean", "안녕하세요 세계"),
    ("arabic", "مرحبا بالعالم"),
    ("russian", "Привет, мир!"),
    ("greek_math", "αβγ ∑ ∫ √2 ≈ 1.414 ≠ π"),
    ("python_code", "def add(a, b):\n    return a + b\n\nprint(add(2, 3))\n"),
    ("rust_code", "fn main() {\n    let v: Vec<u32> = (1..=3).collect();\n    println!(\"{:?}\", v);\n}\n"),
    ("json_code", '{"name": "tokenscope", "version": [0, 1, 0], "ok": true, "x": null}'),
    ("whitespace_run", "a     b"),
    ("whitespace_only", "    "),
    ("leading_trailing_spaces", "   leading and trailing   "),
    ("tabs", "\tindented\twith\t\ttabs\t"),
    ("crlf", "line one\r\nline two\r\n"),
    ("three_newlines", "\n\n\n"),
    ("newline_mixed", "a\n b\n\n  c \n"),
    ("digits_pi_million", "3.14159 and 1,000,000"),
    ("digits_long", "12345678901234567890"),
    ("digits_in_words", "abc123def 4567 v2.0.1"),
    ("special_im_start_user", "<|im_start|>user"),
    ("special_endoftext", "<|endoftext|>"),
    ("special_full_turn", "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n"),
    ("contractions", "I'm, you're, it's, we'll"),
    ("contractions_more", "They've said he'd've done it, didn't they? Don't! I'D"),
    ("url", "See https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct?x=1&y=2#top"),
    ("email", "mail me at someone@example.com."),
    ("markdown", "# Title\n\n- **bold** and _italic_\n- `code` [link](http://a.b)\n\n> quote"),
    ("punctuation_run", "Wait... what?!?! -- (yes) [no] {maybe};"),
    ("mixed_scripts", "Hello Olá 你好 こんにちは مرحبا 👋"),
    ("repeated_chars", "aaaaaaaaaaaaaaaaaaaaaaaa"),
    ("uppercase", "HELLO WORLD, THIS IS LOUD"),
    ("nbsp_and_zwsp", "non\u00a0breaking\u200bzero width"),
    ("control_chars", "bell\x07 nul-free \x1b[31mred\x1b[0m"),
]

CHAT_MESSAGES: list[tuple[str, str]] = [
    ("chat_capital", "What is the capital of France?"),
    ("chat_portuguese", "Eu pedi para minha mãe um pão de queijo. O que é isso?"),
    ("chat_code", "Write a Python function that reverses a string.\nKeep it short. 🙂"),
]

LONG_PROSE = (
    "The lighthouse keeper had lived on the island for almost thirty years, and in that time he had "
    "learned to read the sea the way other people read newspapers. In the mornings he walked along the "
    "rocky shore with a tin cup of coffee, noting which birds had arrived overnight, how high the tide "
    "had climbed, and whether the wind smelled of rain or of salt alone. The supply boat came once every "
    "two weeks, bringing flour, lamp oil, letters, and sometimes a crate of oranges that he rationed "
    "carefully until the next delivery. He did not mind the solitude.\n\n"
    "One evening in late September, as the sun slid behind a bank of violet clouds, he noticed a light "
    "where no light should have been. It flickered on the water about a mile to the north, too low to be "
    "a ship and too steady to be a reflection. He watched it through his brass telescope for nearly an "
    "hour. It did not move with the waves, and it did not drift with the current. When the lamp at the "
    "top of the tower began its slow rotation, the strange light dimmed, as if it were shy of being "
    "seen, and when the beam swung away again, it brightened.\n\n"
    "He wrote everything down in the logbook, as he had been trained to do: the time, the bearing, the "
    "weather, the state of the sea. Then, because he was a careful man but also a curious one, he pulled "
    "on his heavy coat, checked the batteries in his flashlight, and went down to the small wooden boat "
    "tied at the bottom of the stone steps. The water was calm, almost oily, and the oars made barely a "
    "sound as he rowed toward the light. Halfway there, he stopped and listened. Beneath the gentle "
    "slap of the water against the hull, he could hear something else, a low and patient humming, like "
    "a choir singing very far away. He held his breath, gripped the oars more tightly, and kept rowing "
    "toward the"
)

NEXT_TOKEN_PROMPTS: list[tuple[str, str, bool]] = [
    # (name, text, parse_special)
    ("one_token", "Hello", False),
    ("capital_france", "The capital of France is", False),
    ("english_story", "Once upon a time, there was a little", False),
    ("portuguese", "Eu pedi para minha mãe um pão de queijo, e ela disse que", False),
    ("code_python", "def fibonacci(n):\n    if n < 2:\n        return n\n    return", False),
    ("code_rust", "fn main() {\n    let v: Vec<i32> = (1..=10).collect();\n    let total: i32 = v.iter().", False),
    ("emoji_numbers", "I counted 1, 2, 3 🍕🍕🍕 and then", False),
    ("chat_capital", None, True),  # filled with the chat template rendering
    ("long_prose", LONG_PROSE, False),
]

GREEDY_PROMPTS: list[tuple[str, str, bool]] = [
    ("capital_france", "The capital of France is", False),
    ("english_story", "Once upon a time, there was a little", False),
    ("portuguese", "Eu pedi para minha mãe um pão de queijo, e ela disse que", False),
    ("code_python", "def fibonacci(n):\n    if n < 2:\n        return n\n    return", False),
    ("chat_capital", None, True),
    ("chat_portuguese", None, True),
]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def encode_plain(tok, text: str) -> list[int]:
    """Special-token look-alikes are plain text; no BOS."""
    return list(tok(text, add_special_tokens=False, split_special_tokens=True)["input_ids"])


def encode_special(tok, text: str) -> list[int]:
    """Special tokens in the text are parsed as special tokens; no BOS."""
    return list(tok(text, add_special_tokens=False, split_special_tokens=False)["input_ids"])


def chat_text(tok, message: str) -> str:
    return tok.apply_chat_template(
        [{"role": "user", "content": message}], tokenize=False, add_generation_prompt=True
    )


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    # Keep long number arrays on one line so the files stay small but diffable per record.
    text = _compact_number_lists(text)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size} bytes)")


def _compact_number_lists(text: str) -> str:
    import re

    pat = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")
    text = pat.sub(lambda m: "[" + ", ".join(s.strip() for s in m.group(1).split(",")) + "]", text)
    # Objects holding only numbers ({"id", "logprob", "logit"} etc.) go on one line each.
    flat = re.compile(r"\{\n(\s*\"\w+\": -?[\d.eE+-]+,?\n)+\s*\}")
    return flat.sub(lambda m: "{" + " ".join(x.strip() for x in m.group(0)[1:-1].split("\n") if x.strip()) + "}", text)


# --------------------------------------------------------------------------------------------
# Model loading
# --------------------------------------------------------------------------------------------

def load_transformers(model_path: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    d, name = str(model_path.parent), model_path.name
    tok = AutoTokenizer.from_pretrained(d, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(
        d, gguf_file=name, dtype=torch.float32, attn_implementation="eager"
    )
    model.eval()
    return tok, model


def build_from_gguf_py(model_path: Path):
    """Independent build: gguf-py dequantization + our own un-permutation of attn_q / attn_k."""
    import gguf
    from transformers import LlamaConfig, LlamaForCausalLM

    r = gguf.GGUFReader(str(model_path))
    f = {k: v.contents() for k, v in r.fields.items() if not k.startswith("tokenizer.ggml.")}
    n_head = int(f["llama.attention.head_count"])
    n_kv = int(f["llama.attention.head_count_kv"])
    cfg = LlamaConfig(
        vocab_size=int(f["llama.vocab_size"]),
        hidden_size=int(f["llama.embedding_length"]),
        intermediate_size=int(f["llama.feed_forward_length"]),
        num_hidden_layers=int(f["llama.block_count"]),
        num_attention_heads=n_head,
        num_key_value_heads=n_kv,
        rms_norm_eps=float(f["llama.attention.layer_norm_rms_epsilon"]),
        rope_theta=float(f["llama.rope.freq_base"]),
        max_position_embeddings=int(f["llama.context_length"]),
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
    )
    # transformers >= 5 keeps rope settings in rope_parameters; make sure the theta is right.
    if getattr(cfg, "rope_parameters", None) is not None:
        cfg.rope_parameters["rope_theta"] = float(f["llama.rope.freq_base"])
    cfg._attn_implementation = "eager"
    model = LlamaForCausalLM(cfg).eval()

    def unpermute(w: np.ndarray, heads: int) -> np.ndarray:
        # llama.cpp convert: w.reshape(h, 2, rows//h//2, cols).swapaxes(1, 2).reshape(rows, cols)
        rows = w.shape[0]
        return w.reshape(heads, rows // heads // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

    names = {
        "token_embd.weight": "model.embed_tokens.weight",
        "output_norm.weight": "model.norm.weight",
    }
    per_layer = {
        "attn_norm": "input_layernorm",
        "ffn_norm": "post_attention_layernorm",
        "attn_q": "self_attn.q_proj",
        "attn_k": "self_attn.k_proj",
        "attn_v": "self_attn.v_proj",
        "attn_output": "self_attn.o_proj",
        "ffn_gate": "mlp.gate_proj",
        "ffn_up": "mlp.up_proj",
        "ffn_down": "mlp.down_proj",
    }
    sd = {}
    for t in r.tensors:
        w = gguf.dequantize(t.data, t.tensor_type).astype(np.float32)
        assert list(w.shape) == [int(x) for x in reversed(t.shape)], (t.name, w.shape, t.shape)
        if t.name in names:
            key = names[t.name]
        else:
            _, layer, kind, _ = t.name.split(".")
            key = f"model.layers.{layer}.{per_layer[kind]}.weight"
            if kind == "attn_q":
                w = unpermute(w, n_head)
            elif kind == "attn_k":
                w = unpermute(w, n_kv)
        sd[key] = torch.from_numpy(np.ascontiguousarray(w))
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected, unexpected
    assert set(missing) <= {"lm_head.weight"}, missing
    model.tie_weights()
    return model


# --------------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------------

@torch.no_grad()
def logits_for(model, ids: list[int]) -> torch.Tensor:
    x = torch.tensor([ids], dtype=torch.long)
    out = model(input_ids=x, use_cache=False)
    return out.logits[0].float()  # [seq, vocab], float32


def top_entries(logits_row: torch.Tensor, k: int) -> list[dict]:
    # log_softmax over the full vocabulary, computed in float64 from the float32 logits.
    lp = torch.log_softmax(logits_row.double(), dim=-1)
    vals, idx = torch.topk(lp, k)
    return [
        {"id": int(i), "logprob": float(v), "logit": float(logits_row[int(i)])}
        for v, i in zip(vals.tolist(), idx.tolist())
    ]


def prefix_positions(n: int) -> list[int]:
    """First, middle and second-to-last positions (all strictly before the last)."""
    if n < 2:
        return []
    cand = [0, (n - 1) // 2, n - 2]
    out: list[int] = []
    for p in cand:
        if p not in out:
            out.append(p)
    return out


@torch.no_grad()
def greedy(model, ids: list[int], steps: int):
    seq = list(ids)
    record = []
    for _ in range(steps):
        row = logits_for(model, seq)[-1]
        lp = torch.log_softmax(row.double(), dim=-1)
        vals, idx = torch.topk(lp, 2)
        nxt = int(idx[0])
        record.append({"id": nxt, "logprob": float(vals[0]), "margin": float(vals[0] - vals[1])})
        seq.append(nxt)
    return seq[len(ids):], record


# --------------------------------------------------------------------------------------------
# llama.cpp second opinion (optional)
# --------------------------------------------------------------------------------------------

def try_llama_cpp(model_path: Path, enabled: bool):
    if not enabled:
        return None
    try:
        import llama_cpp  # type: ignore
    except Exception as e:  # pragma: no cover - optional
        print(f"llama-cpp-python not available ({e}); skipping second opinion")
        return None
    return llama_cpp


def write_f32_gguf(model_path: Path, out_path: Path) -> None:
    """Copy of the GGUF with every tensor de-quantized to F32 (gguf-py), metadata unchanged.

    Running llama.cpp on it removes llama.cpp's activation quantization (Q8_1 for Q4_1 matmuls), so its
    logits can be compared with the transformers reference tightly."""
    import gguf

    r = gguf.GGUFReader(str(model_path))
    w = gguf.GGUFWriter(str(out_path), arch=str(r.fields["general.architecture"].contents()))
    for field in r.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue
        vt = field.types[0]
        sub = field.types[-1] if vt == gguf.GGUFValueType.ARRAY else None
        val = field.contents()
        if field.name == "general.file_type":
            val = int(gguf.LlamaFileType.ALL_F32)
        w.add_key_value(field.name, val, vt, sub_type=sub)
    for t in r.tensors:
        w.add_tensor(t.name, np.ascontiguousarray(gguf.dequantize(t.data, t.tensor_type).astype(np.float32)))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def llama_cpp_logprobs(lc_model, ids: list[int], positions: list[int]) -> dict[int, torch.Tensor]:
    lc_model.reset()
    lc_model.eval(ids)
    return {
        p: torch.log_softmax(torch.tensor(np.array(lc_model.scores[p], dtype=np.float32)).double(), -1)
        for p in positions
    }


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--out", type=Path, default=REPO / "tests/fixtures/reference")
    ap.add_argument("--no-crosscheck", action="store_true", help="skip the gguf-py rebuild comparison")
    ap.add_argument("--no-llama-cpp", action="store_true", help="skip llama-cpp-python even if installed")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)  # fixed reduction order => bit-identical reruns on the same machine
    torch.use_deterministic_algorithms(True)

    model_path = args.model.expanduser().resolve()
    sha = sha256_file(model_path)
    if sha != MODEL_SHA256:
        print(f"warning: model sha256 {sha} != expected {MODEL_SHA256}", file=sys.stderr)

    import gguf
    import tokenizers
    import transformers

    tok, model = load_transformers(model_path)
    llama_cpp = try_llama_cpp(model_path, not args.no_llama_cpp)
    lc_vocab = None
    if llama_cpp is not None:
        lc_vocab = llama_cpp.Llama(model_path=str(model_path), vocab_only=True, verbose=False)

    source = f"transformers {transformers.__version__} (tokenizers {tokenizers.__version__})"
    if llama_cpp is not None:
        source += f" + llama.cpp via llama-cpp-python {llama_cpp.__version__}"
    model_info = {
        "file": model_path.name,
        "sha256": sha,
        "loader": "transformers AutoModelForCausalLM.from_pretrained(gguf_file=..., dtype=float32, "
        "attn_implementation='eager'); weights de-quantized to float32",
        "versions": {
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "gguf": importlib.metadata.version("gguf"),
            "tokenizers": tokenizers.__version__,
            "llama_cpp_python": getattr(llama_cpp, "__version__", None) if llama_cpp else None,
        },
    }

    # ---- sanity checks against known values ---------------------------------------------
    known = {
        "The capital of France is": [504, 3575, 282, 4649, 314],
        "hi<|im_end|>": [6004, 44, 108, 306, 79, 486, 108, 46],
        "  hello\n\nworld 12345 🤖": [216, 33662, 198, 198, 6693, 216, 33, 34, 35, 36, 37, 15107, 114, 240],
    }
    for text, ids in known.items():
        got = encode_plain(tok, text)
        assert got == ids, (text, got, ids)

    # ---- tokenizer.json ------------------------------------------------------------------
    names = [n for n, _ in TOKENIZER_CASES]
    assert len(names) == len(set(names))
    cases = []
    lc_mismatch = []
    for name, text in TOKENIZER_CASES:
        ids = encode_plain(tok, text)
        # the byte-level decode must round-trip exactly
        assert tok.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False) == text, name
        case = {"name": name, "text": text, "ids": ids}
        if lc_vocab is not None:
            lc_ids = lc_vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False)
            if list(lc_ids) != ids:
                lc_mismatch.append(name)
                case["llama_cpp_ids"] = list(lc_ids)
        cases.append(case)
    chat = []
    for name, msg in CHAT_MESSAGES:
        text = chat_text(tok, msg)
        ids = encode_special(tok, text)
        item = {"name": name, "message": msg, "text": text, "ids": ids}
        if lc_vocab is not None:
            lc_ids = list(lc_vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True))
            if lc_ids != ids:
                lc_mismatch.append(name)
                item["llama_cpp_ids"] = lc_ids
        chat.append(item)
    tok_doc = {
        "model": model_info["file"],
        "source": source,
        "encoding": "cases: tok(text, add_special_tokens=False, split_special_tokens=True) -- special-token "
        "look-alikes are plain text, no BOS. chat: tok.apply_chat_template([{role: user, content: m}], "
        "tokenize=False, add_generation_prompt=True), then tok(text, add_special_tokens=False) -- special "
        "tokens parsed, no BOS.",
        "llama_cpp_agreement": None
        if lc_vocab is None
        else {"compared": len(cases) + len(chat), "mismatches": lc_mismatch},
        "cases": cases,
        "chat": chat,
    }
    write_json(args.out / "tokenizer.json", tok_doc)
    chat_by_name = {c["name"]: c for c in chat}

    def prompt_ids(name, text, special):
        if special:
            c = chat_by_name[name]
            return c["text"], c["ids"]
        return text, encode_plain(tok, text)

    # ---- next_token.json -----------------------------------------------------------------
    lc_models = {}
    tmpdir = None
    if llama_cpp is not None:
        import tempfile

        tmpdir = tempfile.TemporaryDirectory(prefix="tokenscope-f32-")
        f32_path = Path(tmpdir.name) / "model-f32.gguf"
        write_f32_gguf(model_path, f32_path)
        for label, path in (("native_q4_1", model_path), ("dequantized_f32", f32_path)):
            lc_models[label] = llama_cpp.Llama(
                model_path=str(path), n_ctx=1024, n_batch=1024, n_ubatch=1024, logits_all=True,
                verbose=False, seed=0, flash_attn=False,
                type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32,  # default KV cache is F16
            )
    records = []
    xcheck_model = None if args.no_crosscheck else build_from_gguf_py(model_path)
    xcheck = {"max_abs_logit_diff_vs_gguf_py_rebuild": 0.0} if xcheck_model is not None else None
    lc_check = {
        label: {
            "max_abs_logprob_diff": 0.0,  # over every recorded (position, id) entry
            "top1_agree": 0,
            "positions_compared": 0,
        }
        for label in lc_models
    } or None
    for name, text, special in NEXT_TOKEN_PROMPTS:
        text, ids = prompt_ids(name, text, special)
        logits = logits_for(model, ids)
        n = len(ids)
        rec = {
            "name": name,
            "text": text,
            "special_tokens_parsed": special,
            "n_tokens": n,
            "ids": ids,
            "top": top_entries(logits[-1], TOP_K),
            "logprobs_at": [
                {"pos": p, "top": top_entries(logits[p], TOP_K_PREFIX)} for p in prefix_positions(n)
            ],
        }
        records.append(rec)
        print(f"  {name}: {n} tokens, top1 {rec['top'][0]['id']} {tok.decode([rec['top'][0]['id']])!r}")
        if xcheck_model is not None:
            d = float((logits_for(xcheck_model, ids) - logits).abs().max())
            xcheck["max_abs_logit_diff_vs_gguf_py_rebuild"] = max(
                xcheck["max_abs_logit_diff_vs_gguf_py_rebuild"], d
            )
        recorded = [(n - 1, rec["top"])] + [(a["pos"], a["top"]) for a in rec["logprobs_at"]]
        for label, lc_model in lc_models.items():
            lps = llama_cpp_logprobs(lc_model, ids, [p for p, _ in recorded])
            c = lc_check[label]
            for p, top in recorded:
                lp = lps[p]
                diff = max(abs(float(lp[e["id"]]) - e["logprob"]) for e in top)
                c["max_abs_logprob_diff"] = max(c["max_abs_logprob_diff"], diff)
                c["top1_agree"] += int(int(lp.argmax()) == top[0]["id"])
                c["positions_compared"] += 1
    counts = [r["n_tokens"] for r in records]
    assert min(counts) == 1 and max(counts) >= 350, counts
    nt_doc = {
        "model": model_info,
        "source": source,
        "definition": "logprob = log_softmax over the full vocabulary (computed in float64 from the float32 "
        "logits of a float32 forward pass, no KV cache, positions 0..n-1, no BOS added). top: 20 "
        "highest at the last position, sorted by logprob descending. logprobs_at: top-5 at earlier "
        "positions (pos = index into ids; predicts ids[pos+1]). logit = raw float32 logit.",
        "checks": {
            "gguf_py_rebuild": xcheck,
            "llama_cpp": lc_check,
            "note": "llama_cpp.native_q4_1 runs the Q4_1 file (activations quantized to Q8_1 inside the "
            "matmuls, so only loose agreement is expected); llama_cpp.dequantized_f32 runs an F32 copy of "
            "the same de-quantized weights made by gguf-py, which must agree tightly.",
        },
        "prompts": records,
    }
    write_json(args.out / "next_token.json", nt_doc)

    # ---- greedy.json ---------------------------------------------------------------------
    grecords = []
    for name, text, special in GREEDY_PROMPTS:
        text, ids = prompt_ids(name, text, special)
        cont, steps = greedy(model, ids, GREEDY_STEPS)
        rec = {
            "name": name,
            "text": text,
            "special_tokens_parsed": special,
            "ids": ids,
            "continuation_ids": cont,
            "continuation_text": tok.decode(cont, skip_special_tokens=False, clean_up_tokenization_spaces=False),
            "steps": steps,
        }
        grecords.append(rec)
        print(f"  greedy {name}: {rec['continuation_text']!r} (min margin {min(s['margin'] for s in steps):.4f})")
    cap = grecords[0]
    assert " Paris" in cap["continuation_text"], cap["continuation_text"]
    g_doc = {
        "model": model_info,
        "source": source,
        "definition": f"{GREEDY_STEPS} steps; each step runs the full sequence (no KV cache) and appends "
        "argmax of the last position's logits; no stopping at EOS. steps[i] = {id, logprob of it, "
        "margin = logprob(top1) - logprob(top2)} -- a tiny margin marks a near-tie where a different "
        "implementation may legitimately diverge.",
        "prompts": grecords,
    }
    write_json(args.out / "greedy.json", g_doc)
    if xcheck is not None:
        print(f"gguf-py rebuild cross-check: {xcheck}")
    if lc_check is not None:
        print(f"llama.cpp logits check: {lc_check}")
    if tmpdir is not None:
        lc_models.clear()
        tmpdir.cleanup()
    if lc_vocab is not None:
        print(f"llama.cpp tokenizer mismatches: {lc_mismatch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
