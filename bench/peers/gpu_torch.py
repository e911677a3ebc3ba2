#!/usr/bin/env python3
"""PyTorch peer for the CUDA backend's GPU benchmarks (bin/gpu-verify runs it in the same device call).

Times, with CUDA events, warm-up, the L2 flushed before every repetition and the median of --reps runs:
  - torch.matmul(x, w.t()) in bf16 on exactly the GEMM shapes our GpuBench measured (read from --ours);
  - a device-to-device copy of 1 GiB (Tensor.copy_), the framework's view of the bandwidth ceiling;
  - PyTorch's own memory-bound ops on the same shapes as ours (context for the report, not the target's peer).
Inputs are uniform random, never zeros. Writes one JSON file (--out).
"""
import argparse
import json

import torch
import torch.nn.functional as F


def timer(reps, flush):
    def run(fn):
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        times = []
        for i in range(reps):
            flush.fill_(float(i))
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        times.sort()
        return times[len(times) // 2]
    return run


def rand(*shape, dtype=torch.bfloat16):
    return (torch.rand(*shape, device="cuda", dtype=torch.float32) * 2 - 1).to(dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="GpuBench's JSON (shapes to match)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args()
    ours = json.load(open(args.ours))
    props = torch.cuda.get_device_properties(0)
    flush = torch.empty(max(4 * getattr(props, "L2_cache_size", 64 << 20), 256 << 20) // 4, device="cuda")
    t = timer(args.reps, flush)
    out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda, "rows": {}}

    n = 1 << 28
    src, dst = torch.rand(n, device="cuda"), torch.empty(n, device="cuda")
    ms = t(lambda: dst.copy_(src))
    out["copy_gbps"] = 2 * 4 * n / (ms * 1e6)
    del src, dst

    for r in ours["rows"]:
        if r["kind"] != "gemm":
            continue
        m, nn, k = r["m"], r["n"], r["k"]
        x, w = rand(m, k), rand(nn, k)
        c = torch.empty(m, nn, device="cuda", dtype=torch.bfloat16)
        ms = t(lambda: torch.matmul(x, w.t(), out=c))
        ref = (x[:4].float() @ w.float().t())
        err = (c[:4].float() - ref).abs().max().item()
        assert err < 1e-2 * ref.abs().max().item() + 1e-1, f"torch gemm {m}x{nn}x{k} looks wrong ({err})"
        out["rows"][r["name"]] = {"ms": ms, "value": 2 * m * nn * k / (ms * 1e9), "unit": "TFLOP/s"}
        del x, w, c

    # PyTorch's memory-bound ops on our shapes, with the same minimal byte counts as GpuBench
    rows, cols = 1 << 16, 1 << 12
    x, y, o = rand(n), rand(n), torch.empty(n, device="cuda", dtype=torch.bfloat16)
    w, b = rand(cols), rand(cols)
    x2 = x.view(rows, cols)
    cases = {
        "add_bf16": (3 * 2 * n, lambda: torch.add(x, y, out=o)),
        "scale_bf16": (2 * 2 * n, lambda: torch.mul(x, 0.5, out=o)),
        "silu_bf16": (2 * 2 * n, lambda: F.silu(x)),
        "swiglu_bf16": (3 * 2 * n, lambda: F.silu(x) * y),
        "rmsnorm_bf16": (2 * 2 * n + 4 * rows, lambda: F.rms_norm(x2, (cols,), w, 1e-6)),
        "layernorm_bf16": (2 * 2 * n + 8 * rows, lambda: F.layer_norm(x2, (cols,), w, b, 1e-5)),
        "softmax_bf16": (2 * 2 * n, lambda: torch.softmax(x2, -1)),
    }
    for name, (nbytes, fn) in cases.items():
        ms = t(fn)
        out["rows"][name] = {"ms": ms, "value": nbytes / (ms * 1e6), "unit": "GB/s"}
    json.dump(out, open(args.out, "w"), indent=1)
    print(f"[torch] {len(out['rows'])} rows, copy {out['copy_gbps']:.0f} GB/s -> {args.out}")


if __name__ == "__main__":
    main()
