"""Shared machinery of the GPU checks: module loading, result records (JSON lines, flushed as they come, so a
crash loses nothing already measured), comparisons against references with the tolerance table, and timing.
"""
import json
import math
import os
import sys
import time
import traceback
from types import SimpleNamespace

import torch

import cudrv
import ops

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "peers"))
import peer_timing  # noqa: E402  (one timing method for ours and the peers)

# Tolerances: pass iff every element has |x − ref| <= atol + rtol·|ref| AND ‖x − ref‖ / ‖ref‖ <= rel.
# atol is absolute, in units of the reference's RMS where marked "rms" (gradients whose scale depends on
# the sequence length). Infinite references must be matched exactly; NaN never passes.
TOL = {
    # bf16 output (2^-9 relative rounding) of an f32-accumulated average; P rounded to bf16 in v2.
    "attn_out": dict(atol=1e-2, rtol=1e-2, rel=1e-2),
    # f32 from bf16 products accumulated in f32; exp2 on the SFU (2^-22).
    "attn_lse": dict(atol=2e-4, rtol=1e-5, rel=1e-5),
    # bf16 outputs of sums of bf16-rounded dS/P products over up to a few thousand rows.
    "attn_grad": dict(atol=2e-2, atol_rms=True, rtol=2e-2, rel=2e-2),
    "decode_out": dict(atol=1e-2, rtol=1e-2, rel=1e-2),
    # chunk logits from an f32-output GEMM of bf16 operands, lse in f32.
    "logprob": dict(atol=2e-3, rtol=1e-4, rel=1e-4),
    # dlogits rounded to bf16 before the GEMMs: the target's term g(1 − p)/T is the largest and its 2^-9 rounding,
    # times |W|, lands on outputs that are small after cancellation (seen: 0.014 at |ref| 0.37, rms 1).
    "logprob_grad": dict(atol=3e-2, atol_rms=True, rtol=1e-2, rel=1e-2),
}


DEV = "cuda"  # "cpu" when the checks run on the CPU emulator (main_wrapper's "emu" mode)


class ContextLost(RuntimeError):
    pass


def compare_stats(got, ref, tol):
    """|x − ref| <= atol + rtol·|ref| elementwise and ‖x − ref‖/‖ref‖ <= rel; infinities must match exactly;
    NaN in `got` always fails. Returns the figures for the record."""
    g = got.detach().double()                    # on the GPU when the output is there: big checks stay fast
    r = ref.detach().to(g.device).double()
    if g.shape != r.shape:
        return dict(passed=False, error=f"shape {tuple(g.shape)} != reference {tuple(r.shape)}", max_err=math.inf,
                    rel_l2=math.inf, atol=tol["atol"], rtol=tol["rtol"], rel_tol=tol["rel"], bad=g.numel(),
                    total=g.numel(), first_bad=None)
    finite = torch.isfinite(r)
    rms = float(r[finite].pow(2).mean().sqrt()) if finite.any() else 0.0
    atol = tol["atol"] * (rms if tol.get("atol_rms") else 1.0)
    both = finite & torch.isfinite(g)
    diff = torch.where(both, (g - r).abs(), torch.zeros_like(r))
    bad = torch.isnan(g) | (finite & ~torch.isfinite(g)) | (~finite & (g != r)) \
        | (both & (diff > atol + tol["rtol"] * r.abs()))
    nbad = int(bad.sum())
    num = float(diff.norm())
    den = float(torch.where(finite, r, torch.zeros_like(r)).norm())
    rel = num / den if den > 0 else num
    first = None
    if nbad:
        idx = torch.nonzero(bad)[0].tolist()
        first = dict(index=idx, got=float(g[tuple(idx)]), ref=float(r[tuple(idx)]))
    return dict(passed=nbad == 0 and rel <= tol["rel"], max_err=float(diff.max()) if diff.numel() else 0.0,
                rel_l2=rel, atol=atol, rtol=tol["rtol"], rel_tol=tol["rel"], bad=nbad, total=g.numel(),
                first_bad=first)


class Harness:
    def __init__(self, family, build_dir, jsonl_path, log_path, modules, emulate=False):
        global DEV
        self.family, self.build_dir, self.emulate = family, build_dir, emulate
        self.out = open(jsonl_path, "a")
        self.log_file = open(log_path, "a")
        self.failures = 0
        if emulate:  # the real kernel sources on the CPU emulator: a rehearsal of these scripts without a GPU
            import emu
            DEV = "cpu"
            self.dev = torch.device("cpu")
            self.props = SimpleNamespace(multi_processor_count=8, name="cpu emulator")
            self.drv = emu.EmuDriver(emu.build_library(os.environ.get("NVCC", "nvcc")))
        else:
            torch.cuda.init()
            torch.empty(1, device="cuda")  # PyTorch's context is now current; the kernels share it
            self.dev = torch.device("cuda")
            self.props = torch.cuda.get_device_properties(0)
            self.drv = cudrv.Driver()
            self.drv.ensure_context()
        self.kernels = {}
        for m in modules:
            self._load(m)
        self.gemm = ops.Gemm()
        stream = (lambda: 0) if emulate else (lambda: torch.cuda.current_stream().cuda_stream)
        self.ops = ops.Ops(self.kernels, stream=stream, sms=self.props.multi_processor_count, gemm=self.gemm)

    def _load(self, module):
        fatbin = os.path.join(self.build_dir, module + ".fatbin")
        sigs_path = os.path.join(self.build_dir, module + ".sigs.json")
        try:
            if self.emulate:
                import build
                import signatures
                sigs = signatures.signatures_of(os.environ.get("NVCC", "nvcc"),
                                                os.path.join(build.KERNEL_DIR, module + ".cu"))
                mod = None
            else:
                sigs = json.load(open(sigs_path))
                mod = self.drv.load_module(open(fatbin, "rb").read())
        except Exception as e:
            self.fail(f"load {module}", f"{type(e).__name__}: {e}")
            return
        for name, types in sigs.items():
            try:
                fn = self.drv.function(mod, name, types)
                res = fn.resources()
                res["param_sizes"] = fn.check_param_sizes()
                self.kernels[name] = fn
                self.record("kernel", name=name, module=module, **res)
            except Exception as e:
                self.fail(f"function {name}", f"{type(e).__name__}: {e}")

    # ------------------------------------------------------------------ records

    def log(self, msg):
        line = f"[{self.family}] {msg}"
        print(line, flush=True)
        self.log_file.write(line + "\n")
        self.log_file.flush()

    def record(self, kind, **fields):
        fields = {"kind": kind, "family": self.family, **fields}
        self.out.write(json.dumps(fields, default=str) + "\n")
        self.out.flush()

    def fail(self, what, detail):
        self.failures += 1
        self.log(f"FAIL {what}: {detail}")
        self.record("failure", what=what, detail=detail[-4000:])

    def guard(self, what, fn, *args, **kw):
        """Runs one check or benchmark; a failure is recorded and the next one runs, unless the CUDA context
        is gone (an illegal address poisons it), in which case the family stops (the parent goes on)."""
        try:
            return fn(*args, **kw)
        except Exception as e:
            self.fail(what, f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
            try:
                self.device_sync()
            except Exception as e2:
                self.fail("context", f"lost after {what}: {e2}")
                raise ContextLost(str(e2)) from e
            return None

    def device_sync(self):
        if not self.emulate:
            torch.cuda.synchronize()

    def sync(self, what):
        """Synchronises and turns an asynchronous kernel fault into an exception naming `what`."""
        try:
            self.device_sync()
        except Exception as e:
            raise ContextLost(f"{what}: {e}") from e

    # ------------------------------------------------------------------ comparisons

    def compare(self, name, got, ref, tol_key, **meta):
        """Records a validation row; returns whether it passed."""
        st = compare_stats(got, ref, TOL[tol_key])
        self.record("validation", name=name, **st, **meta)
        first = st["first_bad"]
        self.log(f"{'ok  ' if st['passed'] else 'FAIL'} {name}: max_err {st['max_err']:.3e} rel_l2 "
                 f"{st['rel_l2']:.2e} bad {st['bad']}/{st['total']}" + (f" first {first}" if first else "")
                 + (f" {st['error']}" if st.get("error") else ""))
        if not st["passed"]:
            self.failures += 1
        return st["passed"]

    def expect(self, name, cond, detail="", **meta):
        self.record("validation", name=name, passed=bool(cond), detail=detail, **meta)
        self.log(f"{'ok  ' if cond else 'FAIL'} {name} {detail}")
        if not cond:
            self.failures += 1
        return bool(cond)

    # ------------------------------------------------------------------ timing

    def time_ms(self, fn, reps=30, warmup=5, flush=True):
        """Median (and quartiles) of CUDA-event times of fn(), L2 flushed before each repetition."""
        return peer_timing.time_ms(fn, reps=reps, warmup=warmup, flush=flush)

    def bench_row(self, name, shape, ours, peer, unit="ms", **extra):
        """A result row: ratio = peer / ours (> 1 means ours is faster or smaller)."""
        ratio = peer / ours if ours and peer else None
        self.record("bench", name=name, shape=shape, ours=ours, peer=peer, unit=unit, ratio=ratio, **extra)
        self.log(f"bench {name} [{shape}]: ours {ours:.4g} {unit}  peer {peer if peer is None else f'{peer:.4g}'} "
                 f"{unit}  ratio {ratio if ratio is None else f'{ratio:.3f}'}  "
                 + " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in extra.items()))

    def close(self):
        self.record("done", failures=self.failures)
        self.out.close()
        self.log_file.close()


def main_wrapper(family, modules, body):
    """Entry point of a family script: python3 check_X.py BUILD_DIR JSONL LOG [quick|emu].
    quick: the small validation shapes, no benchmarks (for compute-sanitizer); emu: fewer still, on the CPU
    emulator (BUILD_DIR unused), to rehearse the scripts without a GPU. body(h, mode) gets None, "quick" or "emu"."""
    build_dir, jsonl, log = sys.argv[1], sys.argv[2], sys.argv[3]
    mode = sys.argv[4] if len(sys.argv) > 4 else None
    if mode not in (None, "quick", "emu"):
        raise SystemExit(f"unknown mode {mode!r}")
    quick = mode
    t0 = time.time()
    try:
        h = Harness(family, build_dir, jsonl, log, modules, emulate=mode == "emu")
    except Exception as e:  # no device, no module: say so in the results, not only on stderr
        detail = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
        with open(jsonl, "a") as f:
            f.write(json.dumps(dict(kind="failure", family=family, what="setup", detail=detail[-4000:])) + "\n")
        print(f"[{family}] FAIL setup: {detail}", flush=True)
        sys.exit(2)
    try:
        body(h, quick)
    except ContextLost as e:
        h.log(f"stopped: CUDA context lost ({e})")
    except Exception as e:
        h.fail("script", f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
    h.log(f"done in {time.time() - t0:.1f} s, {h.failures} failure(s)")
    failures = h.failures
    h.close()
    sys.exit(1 if failures else 0)


def seeded(seed):
    return torch.Generator(device="cpu").manual_seed(seed)


def randn(shape, gen, dtype=torch.bfloat16, scale=1.0):
    return (torch.randn(*shape, generator=gen) * scale).to(DEV, dtype)


def poison(*tensors):
    """Fills outputs with NaN (floats) or a sentinel (ints), so an unwritten element fails its check."""
    for t in tensors:
        if t is None:
            continue
        if t.is_floating_point():
            t.fill_(math.nan)
        else:
            t.fill_(-7)
