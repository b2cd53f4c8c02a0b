#!/usr/bin/env python3
"""llama.cpp on the same GGUF, measured the way `tokenscope bench` measures (for scripts/bench
--versus-llama-cpp): load, prefill of 16/64/256 tokens (fresh context each time; llama.cpp computes
the last position's logits only), decode per token (one token appended to the cache, its logits),
RSS. p50 and p95 in ms over REPS repetitions. Runs in the llama-cpp-python venv that
`scripts/bootstrap --llama-cpp` builds (0.3.36, -DGGML_NATIVE=ON).

Usage: python scripts/bench_llama_cpp.py MODEL.gguf [--threads 2] [--reps 20] [--ids IDS.json]
       python scripts/bench_llama_cpp.py MODEL.gguf --float32-copy OUT.gguf

--ids takes the token ids `tokenscope bench --ids-out` wrote (the same 256 ids for both engines);
without it the script tokenizes its own text. --float32-copy writes every tensor de-quantized to
float32 with llama.cpp's own quantizer (`llama_model_quantize`, ftype ALL_F32), the
"llama.cpp float32" column of scripts/bench --versus-llama-cpp.
"""

import argparse
import ctypes
import json
import resource
import statistics
import sys
import time

import llama_cpp
from llama_cpp import Llama

TEXT = (
    "The lighthouse keeper walked along the shore every morning, watching the birds, the tide and "
    "the clouds. At night the lamp turned slowly, and its beam swept across the dark water. "
)


def rss_mib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def row(name: str, times: list) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"{name:<60} {statistics.median(ms):10.2f} {p95:10.2f}")


def float32_copy(src: str, dst: str, threads: int) -> int:
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_ALL_F32
    params.allow_requantize = True
    params.pure = True
    params.nthread = threads
    rc = llama_cpp.llama_model_quantize(src.encode(), dst.encode(), ctypes.byref(params))
    if rc != 0:
        print(f"llama_model_quantize failed ({rc})", file=sys.stderr)
    return 1 if rc else 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--ids", help="a JSON array of token ids (tokenscope bench --ids-out)")
    ap.add_argument("--float32-copy", metavar="OUT", help="write a float32 copy and exit")
    args = ap.parse_args()
    if args.float32_copy:
        return float32_copy(args.model, args.float32_copy, args.threads)
    t = time.perf_counter()
    llm = Llama(model_path=args.model, n_threads=args.threads, n_threads_batch=args.threads,
                n_ctx=1024, n_batch=512, verbose=False)
    load = time.perf_counter() - t
    print(f"{'llama.cpp load model':<60} {load * 1000:10.2f} {'-':>10}")
    print(f"{'llama.cpp RSS right after load (MiB)':<60} {rss_mib():10d}")
    if args.ids:
        with open(args.ids) as f:
            ids = json.load(f)
    else:
        ids = llm.tokenize((TEXT * 20).encode(), add_bos=False)
    if len(ids) < 64 + args.reps:
        sys.exit(f"{len(ids)} ids: at least {64 + args.reps} are needed")
    for n in (16, 64, 256):
        times = []
        for _ in range(max(3, args.reps // 4)):
            llm.reset()
            llm._ctx.kv_cache_clear()
            t = time.perf_counter()
            llm.eval(ids[:n])
            times.append(time.perf_counter() - t)
        row(f"llama.cpp prefill {n} tokens", times)
    llm.reset()
    llm._ctx.kv_cache_clear()
    llm.eval(ids[:64])
    times = []
    for i in range(args.reps):
        t = time.perf_counter()
        llm.eval([ids[64 + i]])
        times.append(time.perf_counter() - t)
    row("llama.cpp decode (per token)", times)
    print(f"{'llama.cpp RSS at the end (MiB)':<60} {rss_mib():10d}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{'llama.cpp peak RSS (MiB)':<60} {peak:10d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
