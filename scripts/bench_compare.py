#!/usr/bin/env python3
"""tokenscope against llama.cpp in one run (scripts/bench --versus-llama-cpp).

Alternates the four backends round by round (exact, fast, llama.cpp on the same GGUF, llama.cpp
on a float32 copy of it; the next round in the reverse order, so a slow stretch of a noisy
machine does not land on one backend), on the same 256 token ids (`tokenscope bench --ids-out`
writes them, scripts/bench_llama_cpp.py reads them), each in a fresh process. Prints every
backend's raw report, then one table: each figure's p50 per backend (the range over the rounds)
and the ratios, each computed within a round.

Usage (scripts/bench does this):
    bench_compare.py --bin target/release/tokenscope --gguf MODEL.gguf --float32 COPY.gguf \\
        --llama-python VENV/bin/python [--rounds 2] [--reps 20] [-- tokenscope model args]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (label, tokenscope's row, llama.cpp's row)
ROWS = [
    ("process start → first distribution (best of 5)", "process start", None),
    ("model load", "load model", "llama.cpp load model"),
    ("prefill 16 tokens", "prefill 16 tokens", "llama.cpp prefill 16 tokens"),
    ("prefill 64 tokens", "prefill 64 tokens", "llama.cpp prefill 64 tokens"),
    ("prefill 256 tokens (all logits / last only)", "prefill 256 tokens",
     "llama.cpp prefill 256 tokens"),
    ("decode, per token", "decode (per token)", "llama.cpp decode (per token)"),
    ("RSS after load (MiB)", "RSS right after load (MiB)", "llama.cpp RSS right after load (MiB)"),
    ("peak RSS (MiB)", "peak RSS (MiB)", "llama.cpp peak RSS (MiB)"),
]
BACKENDS = ["exact", "fast", "llama.cpp Q", "llama.cpp F32"]
RATIOS = [("exact ÷ F32", "exact", "llama.cpp F32"), ("fast ÷ Q", "fast", "llama.cpp Q"),
          ("fast ÷ F32", "fast", "llama.cpp F32")]


def parse(report: str) -> dict[str, float]:
    """`name  p50  p95` (p95 may be `-`) and `name  value` lines → {name: p50 or value}."""
    def num(x: str) -> float | None:
        try:
            return float(x)
        except ValueError:
            return None

    rows = {}
    for line in report.splitlines():
        three = line.rsplit(None, 2)
        if len(three) == 3 and num(three[1]) is not None and (three[2] == "-" or num(three[2]) is not None):
            rows[three[0].strip()] = num(three[1])
            continue
        two = line.rsplit(None, 1)
        if len(two) == 2 and num(two[1]) is not None:
            rows[two[0].strip()] = num(two[1])
    return rows


def run(cmd: list[str]) -> str:
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    print(f"$ {' '.join(cmd)}\n{out}", flush=True)
    return out


def start_to_first(binary: str, model_args: list[str], precision: str) -> float:
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([binary, "next", *model_args, "--precision", precision, "--json",
                        "The capital of France is"], check=True, capture_output=True)
        best = min(best, (time.perf_counter() - t) * 1000)
    return best


def fmt(values: list[float], digits: int) -> str:
    if not values:
        return "—"
    lo, hi = min(values), max(values)
    if f"{lo:.{digits}f}" == f"{hi:.{digits}f}":
        return f"{lo:.{digits}f}"
    return f"{lo:.{digits}f}–{hi:.{digits}f}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--float32", required=True)
    ap.add_argument("--llama-python", required=True)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("model_args", nargs="*")
    a = ap.parse_args()
    results: dict[str, list[dict[str, float]]] = {b: [] for b in BACKENDS}
    with tempfile.TemporaryDirectory() as tmp:
        ids = str(Path(tmp) / "ids.json")
        for r in range(a.rounds):
            order = BACKENDS if r % 2 == 0 else BACKENDS[::-1]
            print(f"== round {r + 1}: {', '.join(order)}", flush=True)
            for b in order:
                if b in ("exact", "fast"):
                    rows = parse(run([a.bin, "bench", *a.model_args, "--precision", b,
                                      "--threads", str(a.threads), "--reps", str(a.reps),
                                      "--ids-out", ids]))
                    rows["process start"] = start_to_first(a.bin, a.model_args, b)
                else:
                    gguf = a.gguf if b == "llama.cpp Q" else a.float32
                    rows = parse(run([a.llama_python, str(HERE / "bench_llama_cpp.py"), gguf,
                                      "--threads", str(a.threads), "--reps", str(a.reps),
                                      "--ids", ids]))
                results[b].append(rows)

    def values(backend: str, label_row: tuple) -> list[float | None]:
        _, ours, theirs = label_row
        key = theirs if backend.startswith("llama") else ours
        return [rows.get(key) if key else None for rows in results[backend]]

    head = ["measurement (p50 ms)", *BACKENDS, *(r[0] for r in RATIOS)]
    table = [head]
    for row in ROWS:
        digits = 0 if "MiB" in row[0] or "process" in row[0] else 1
        cells = [row[0]]
        for b in BACKENDS:
            cells.append(fmt([v for v in values(b, row) if v is not None], digits))
        for _, x, y in RATIOS:
            pairs = zip(values(x, row), values(y, row))
            cells.append(fmt([p / q for p, q in pairs if p is not None and q], 2))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    print(f"== tokenscope vs llama.cpp ({a.rounds} rounds, {a.threads} threads; "
          f"Q = {Path(a.gguf).name}, F32 = its float32 copy; ranges over the rounds)")
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return 0


if __name__ == "__main__":
    sys.exit(main())
