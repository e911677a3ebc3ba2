"""Timing shared by the GPU peer scripts and tools/gpu-dev: CUDA events around each repetition, warm-up first,
the L2 flushed (a 256 MiB buffer rewritten) before every repetition, the median reported with quartiles."""
import json

import torch

_flush = {}


def time_ms(fn, reps=30, warmup=5, flush=True):
    if flush and "buf" not in _flush:
        _flush["buf"] = torch.empty(64 * 1024 * 1024, dtype=torch.float32, device="cuda")
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        if flush:
            _flush["buf"].zero_()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b))
    times.sort()
    return dict(median=times[len(times) // 2], q1=times[len(times) // 4], q3=times[(3 * len(times)) // 4], reps=reps)


def peak_mib(fn):
    """Peak memory fn allocates beyond what was allocated before it, in MiB (PyTorch's caching allocator)."""
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    fn()
    torch.cuda.synchronize()
    return (torch.cuda.max_memory_allocated() - base) / 2 ** 20


def write(path, rows):
    """{"device", "torch", "cuda", "rows": {name: {"shape", "value", "unit", ...}}}, as bench/peers/gpu_torch.py."""
    doc = dict(device=torch.cuda.get_device_name(0), torch=torch.__version__, cuda=torch.version.cuda, rows=rows)
    json.dump(doc, open(path, "w"), indent=1)
    for name, r in rows.items():
        print(f"{name:48} {r['shape']:40} {r['value']:10.4g} {r['unit']}")
