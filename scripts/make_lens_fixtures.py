#!/usr/bin/env python3
"""Logit-lens and attention reference for tests/lens.rs: transformers' own residual stream, read through the
final norm and the LM head, for the committed tiny checkpoints (tests/fixtures/tiny-*).

For each model, the first expected.json case's ids are run with output_hidden_states; for every
layer i, the last position's hidden state goes through model.model.norm and lm_head (the last
entry of hidden_states is already normed in transformers, which the script checks against the
model's own logits). Attention: eager attention's probabilities of the last position, per layer
and head. Output: tests/fixtures/lens/<name>.json with {"ids", "layers": [[logits]],
"attention": [[[weight per key] per head] per layer]}.

Run with the reference venv: /root/refvenv/bin/python scripts/make_lens_fixtures.py
"""
import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def lens(name: str) -> dict:
    d = FIXTURES / name
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    case = json.loads((d / "expected.json").read_text(encoding="utf-8"))["cases"][-1]
    ids = case["ids"]
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True, output_attentions=True)
        hs = out.hidden_states  # embeddings, then one per layer
        layers = len(hs) - 1
        assert layers == model.config.num_hidden_layers
        rows = []
        for i in range(1, layers + 1):
            h = hs[i][0, -1]
            normed = h if i == layers else model.model.norm(h)
            rows.append(model.lm_head(normed))
        final = out.logits[0, -1]
        diff = (rows[-1] - final).abs().max().item()
        assert diff < 1e-5, f"{name}: the last hidden state is not the normed one ({diff})"
        attention = [[[round(float(w), 7) for w in head] for head in a[0, :, -1, :]] for a in out.attentions]
    return {
        "model": name,
        "ids": ids,
        "layers": [[round(float(x), 6) for x in r] for r in rows],
        "attention": attention,
    }


def main() -> int:
    (FIXTURES / "lens").mkdir(exist_ok=True)
    for name in ["tiny-llama", "tiny-gemma3"]:
        doc = lens(name)
        path = FIXTURES / "lens" / f"{name}.json"
        path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(doc['layers'])} layers, {len(doc['ids'])} ids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
