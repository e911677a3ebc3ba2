#!/usr/bin/env python3
"""CPU peers for the JMH benchmarks (bench/src/main/java/ai/pulsemind/bench), same shapes, f32, all cores.

numpy/OpenBLAS matmul; PyTorch CPU matmul, scaled_dot_product_attention (causal, forward and backward),
rms_norm, softmax, log_softmax + gather (forward and backward), and a numpy copy of the row-op size.
Each entry is timed `reps` times after a warm-up; prints one JSON object: {"versions": ..., "results": [...]},
each result {"name", "ms_min", "ms_median", "reps"}.
Run: /tmp/oracle/bin/python bench/peers/cpu_peers.py [--quick]
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

GEMM_SIZES = (1024, 2048)
ATTN = dict(b=1, h=8, s=1024, d=64)
ROWS, COLS = 4096, 4096
LP = dict(n=512, c=1024, v=32000)


def timed(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1e3)
    return min(ts), statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = ap.parse_args()
    reps = 3 if args.quick else 15
    torch.set_num_threads(os.cpu_count())
    rng = np.random.default_rng(1)
    out = []

    def record(name, fn, r=reps):
        lo, med = timed(fn, r)
        out.append({"name": name, "ms_min": lo, "ms_median": med, "reps": r})

    for n in GEMM_SIZES:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = np.empty((n, n), np.float32)
        record(f"numpy_matmul_{n}", lambda: np.matmul(a, b, out=c))
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        tc = torch.empty(n, n)
        record(f"torch_matmul_{n}", lambda: torch.matmul(ta, tb, out=tc))

    q, k, v = (torch.rand(ATTN["b"], ATTN["h"], ATTN["s"], ATTN["d"]) * 2 - 1 for _ in range(3))
    with torch.no_grad():
        record("torch_sdpa_causal_fwd", lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
    qg, kg, vg = (t.clone().requires_grad_(True) for t in (q, k, v))
    dout = torch.rand_like(q)
    state = {}

    def fwd():
        state["o"] = F.scaled_dot_product_attention(qg, kg, vg, is_causal=True)

    def bwd():
        state["o"].backward(dout)

    bwd_ms = []
    for i in range(reps + 2):  # forward untimed, backward timed
        fwd()
        t = time.perf_counter()
        bwd()
        if i >= 2:
            bwd_ms.append((time.perf_counter() - t) * 1e3)
        qg.grad = kg.grad = vg.grad = None
    out.append({"name": "torch_sdpa_causal_bwd", "ms_min": min(bwd_ms), "ms_median": statistics.median(bwd_ms), "reps": reps})

    x = torch.rand(ROWS, COLS) * 6 - 3
    w = torch.rand(COLS) * 2 - 1
    with torch.no_grad():
        record("torch_rms_norm", lambda: F.rms_norm(x, (COLS,), w, 1e-6))
        record("torch_softmax", lambda: torch.softmax(x, -1))
    xn, yn = x.numpy(), np.empty((ROWS, COLS), np.float32)
    record("numpy_copy_rows", lambda: np.copyto(yn, xn))

    h = torch.rand(LP["n"], LP["c"]) * 2 - 1
    wv = (torch.rand(LP["v"], LP["c"]) * 2 - 1) * 0.05
    tgt = torch.randint(0, LP["v"], (LP["n"],))

    def logprob(hh, ww):
        return torch.log_softmax(hh @ ww.T, -1).gather(1, tgt[:, None]).squeeze(1)

    with torch.no_grad():
        record("torch_logprob_fwd", lambda: logprob(h, wv), max(3, reps // 3))
    hg, wg = h.clone().requires_grad_(True), wv.clone().requires_grad_(True)
    g = torch.rand(LP["n"])
    lp_ms = []
    for i in range(max(3, reps // 3) + 1):
        lp = logprob(hg, wg)
        t = time.perf_counter()
        lp.backward(g)
        if i >= 1:
            lp_ms.append((time.perf_counter() - t) * 1e3)
        hg.grad = wg.grad = None
    out.append({"name": "torch_logprob_bwd", "ms_min": min(lp_ms), "ms_median": statistics.median(lp_ms), "reps": len(lp_ms)})

    cfg = np.__config__.CONFIG if hasattr(np.__config__, "CONFIG") else {}
    blas = cfg.get("Build Dependencies", {}).get("blas", {})
    print(json.dumps({
        "versions": {"numpy": np.__version__, "torch": torch.__version__,
                     "blas": f"{blas.get('name', '?')} {blas.get('version', '?')}",
                     "torch_threads": torch.get_num_threads()},
        "results": out}))


if __name__ == "__main__":
    main()
