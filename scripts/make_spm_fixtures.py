#!/usr/bin/env python3
"""Reference token ids for SentencePiece GGUF tokenizers, from llama.cpp.

Writes tests/fixtures/gemma-3-270m/tokenizer.json: for each text of a varied corpus (whitespace
runs, newlines, digits, accents, NFC/NFD, CJK, emoji, byte fallback, control markers typed as
text) the ids llama.cpp gives with `tokenize(text, add_bos=True, special=False)` (BOS added as
the model asks, typed markers stay text) and, for template-like texts, with `special=True`.

Run with the llama-cpp-python that `scripts/bootstrap --llama-cpp` builds:
    ~/.cache/tokenscope/llama-cpp-python-0.3.36/bin/python scripts/make_spm_fixtures.py
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

import llama_cpp
from llama_cpp import Llama

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tokenscope"
MODEL = CACHE / "models" / "gemma-3-270m-q4_k_m.gguf"
OUT = ROOT / "tests" / "fixtures" / "gemma-3-270m" / "tokenizer.json"

CASES: list[tuple[str, str]] = [
    ("empty", ""),
    ("single_space", " "),
    ("capital_france", "The capital of France is"),
    ("pt_course_sentence", "Eu pedi para minha mãe comprar uma camisa para mim, ela disse que"),
    ("pt_acao", "ação, coração, pão"),
    ("pt_sentence", "Você já comeu pão de queijo? É delicioso, não é? Açúcar, café e maçã."),
    ("nfc_coracao", unicodedata.normalize("NFC", "coração")),
    ("nfd_coracao", unicodedata.normalize("NFD", "coração")),
    ("nfd_cafe", unicodedata.normalize("NFD", "café")),
    ("spaces_newlines_digits_emoji", "  hello\n\nworld 12345 🤖"),
    ("emoji_simple", "I love 🍕 and 🎉!"),
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
    ("json_code", '{"name": "tokenscope", "version": [0, 1, 0], "ok": true}'),
    ("whitespace_run", "a     b"),
    ("whitespace_only", "    "),
    ("whitespace_very_long", "x" + " " * 45 + "y"),
    ("leading_trailing_spaces", "   leading and trailing   "),
    ("tabs", "\tindented\twith\t\ttabs\t"),
    ("crlf", "line one\r\nline two\r\n"),
    ("three_newlines", "\n\n\n"),
    ("newlines_very_long", "a" + "\n" * 40 + "b"),
    ("newline_mixed", "a\n b\n\n  c \n"),
    ("digits_pi_million", "3.14159 and 1,000,000"),
    ("digits_long", "12345678901234567890"),
    ("digits_in_words", "abc123def 4567 v2.0.1"),
    ("typed_bos", "<bos>hello"),
    ("typed_turn", "<start_of_turn>user\nhello<end_of_turn>\n<start_of_turn>model\n"),
    ("typed_multimodal", "see [multimodal] here"),
    ("typed_im_start", "<|im_start|>user"),
    ("byte_fallback_private_use", "\ue000\U000f0000 x"),
    ("byte_fallback_rare", "𓀀𓁐 ꙮ"),
    ("control_chars", "bell\x07 nul-free \x1b[31mred\x1b[0m"),
    ("nbsp_and_zwsp", "non\u00a0breaking\u200bzero width"),
    ("url", "See https://huggingface.co/google/gemma-3-270m?x=1&y=2#top"),
    ("markdown", "# Title\n\n- **bold** and _italic_\n- `code` [link](http://a.b)\n\n> quote"),
    ("repeated_chars", "aaaaaaaaaaaaaaaaaaaaaaaa"),
    ("uppercase", "HELLO WORLD, THIS IS LOUD"),
    ("mixed_scripts", "Hello Olá 你好 こんにちは مرحبا 👋"),
]

# Template text: control markers become control tokens (`special=True`), no BOS added.
TEMPLATE_CASES: list[tuple[str, str]] = [
    ("turn", "<start_of_turn>user\nOi, tudo bem?<end_of_turn>\n<start_of_turn>model\n"),
    ("bos_in_text", "<bos><start_of_turn>user\nhi<end_of_turn>\n"),
]


def main() -> None:
    if not MODEL.exists():
        sys.exit(f"{MODEL} is missing: run scripts/bootstrap --model gemma-3-270m")
    llm = Llama(model_path=str(MODEL), vocab_only=True, verbose=False)
    cases = []
    for name, text in CASES:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        cases.append({"name": name, "text": text, "ids": ids})
    template = []
    for name, text in TEMPLATE_CASES:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        template.append({"name": name, "text": text, "ids": ids})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "model": MODEL.name,
        "source": f"llama.cpp via llama-cpp-python {llama_cpp.__version__}",
        "encoding": "cases: tokenize(text, add_bos=True, special=False) -- typed control "
        "markers stay text, BOS as the model asks; template: tokenize(text, add_bos=False, "
        "special=True)",
        "cases": cases,
        "template": template,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(cases)} cases, {len(template)} template cases)")


if __name__ == "__main__":
    main()
