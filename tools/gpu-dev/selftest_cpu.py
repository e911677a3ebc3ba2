"""Everything in tools/gpu-dev that can be checked without a GPU:

  1. the references: attention against loop-by-loop numpy and its backward against autograd; log-prob forward
     and backward against autograd; decode against per-head softmax;
  2. the sampler's algorithm: Philox known answers, the 4 x 8-bit radix selection against sorting, the top-k /
     top-p thresholds against their definitions, and Gumbel-max draws against softmax frequencies;
  3. the kernels' C signatures (from nvcc -E) and every launch the host composition makes, through a dry
     driver whose kernel models write only the outputs each block owns (poisoned outputs elsewhere), compared
     with the references: launch geometry, argument order, scratch layouts, multi-kernel compositions;
  4. shared-memory sizes in ops.py against the static_asserts in flash_attention.cu, and the results
     document assembly of run_all.py;
  5. with --build: compiling every kernel for sm_80, sm_90a and compute_90, without spills.

    /tmp/oracle/bin/python tools/gpu-dev/selftest_cpu.py [--build]
"""
import math
import os
import re
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build  # noqa: E402
import cudrv  # noqa: E402
import emulate  # noqa: E402
import harness  # noqa: E402
import ops  # noqa: E402
import philox  # noqa: E402
import refs  # noqa: E402
import run_all  # noqa: E402
import signatures  # noqa: E402

NVCC = os.environ.get("NVCC", "/usr/local/bin/nvcc")
RESULTS = []


def check(name, cond, detail=""):
    RESULTS.append((name, bool(cond), detail))
    print(f"{'ok  ' if cond else 'FAIL'} {name} {detail}", flush=True)


def close(name, got, ref, tol):
    st = harness.compare_stats(got, ref, tol)
    check(name, st["passed"], f"max_err {st['max_err']:.2e} rel {st['rel_l2']:.1e} bad {st['bad']} "
                              f"{st['first_bad'] or ''}")


F64 = dict(atol=1e-9, rtol=1e-9, rel=1e-9)


def packed(segs, hq, hkv, d, g, dtype=torch.float64):
    cu_q, cu_k = [0], [0]
    for lq, lk in segs:
        cu_q.append(cu_q[-1] + lq)
        cu_k.append(cu_k[-1] + lk)
    q = torch.randn(cu_q[-1], hq, d, generator=g, dtype=dtype)
    k = torch.randn(cu_k[-1], hkv, d, generator=g, dtype=dtype)
    v = torch.randn(cu_k[-1], hkv, d, generator=g, dtype=dtype)
    return q, k, v, cu_q, cu_k


# ------------------------------------------------------------------------------------------------ 1

def test_references():
    g = torch.Generator().manual_seed(1)
    for segs, hq, hkv, causal in [([(3, 5), (6, 6), (1, 1), (0, 0)], 4, 2, True),
                                  ([(4, 0), (5, 3), (2, 7)], 3, 1, False), ([(8, 8)], 2, 2, True)]:
        q, k, v, cu_q, cu_k = packed(segs, hq, hkv, 8, g)
        out, lse = refs.attention_fwd(q, k, v, cu_q, cu_k, causal, 0.37)
        nout, nlse = refs.attention_naive(q, k, v, cu_q, cu_k, causal, 0.37)
        close(f"ref attention fwd vs numpy loops {segs} causal={causal}", out, torch.from_numpy(nout), F64)
        close(f"ref attention lse vs numpy loops {segs}", lse, torch.from_numpy(nlse), F64)
    # Backward vs autograd through the forward (segments where every query sees a key).
    for segs, hq, hkv, causal in [([(3, 5), (6, 6)], 4, 2, True), ([(5, 3), (2, 7)], 6, 3, False)]:
        q, k, v, cu_q, cu_k = packed(segs, hq, hkv, 16, g)
        qa, ka, va = (t.clone().requires_grad_(True) for t in (q, k, v))
        out, lse = refs.attention_fwd(qa, ka, va, cu_q, cu_k, causal, 0.25)
        dout = torch.randn(out.shape, generator=g, dtype=torch.float64)
        gq, gk, gv = torch.autograd.grad(out, (qa, ka, va), dout)
        dq, dk, dv = refs.attention_bwd(q, k, v, out.detach(), lse.detach(), dout, cu_q, cu_k, causal, 0.25)
        for nm, a, b in (("dq", dq, gq), ("dk", dk, gk), ("dv", dv, gv)):
            close(f"ref attention bwd {nm} vs autograd {segs} causal={causal}", a, b, dict(atol=1e-10, rtol=1e-8, rel=1e-9))
        delta = (dout * out.detach()).sum(-1).t()
        dq2, _, _ = refs.attention_bwd(q, k, v, None, lse.detach(), dout, cu_q, cu_k, causal, 0.25, delta=delta)
        close("ref attention bwd with explicit delta", dq2, dq, F64)
    # Log-prob.
    h = torch.randn(9, 6, generator=g, dtype=torch.float64)
    w = torch.randn(13, 6, generator=g, dtype=torch.float64)
    t = torch.tensor([0, 12, -1, 5, 5, -3, 7, 1, 2], dtype=torch.int32)
    logp, lse = refs.logprob_fwd(h, w, t, 0.8)
    full = torch.log_softmax(h @ w.t() / 0.8, -1)
    want = torch.where(t < 0, 0.0, full.gather(1, t.long().clamp(min=0).unsqueeze(1)).squeeze(1))
    close("ref logprob fwd vs log_softmax", logp, want, F64)
    ha, wa = h.clone().requires_grad_(True), w.clone().requires_grad_(True)
    lp, _ = refs.logprob_fwd(ha, wa, t, 0.8)
    dl = torch.randn(9, generator=g, dtype=torch.float64)
    gh, gw = torch.autograd.grad(lp, (ha, wa), dl)
    dh, dw = refs.logprob_bwd(h, w, t, 0.8, lse, dl)
    close("ref logprob bwd dhidden vs autograd", dh, gh, F64)
    close("ref logprob bwd dweight vs autograd", dw, gw, F64)
    # Decode.
    q = torch.randn(3, 4, 8, generator=g, dtype=torch.float64)
    kc, vc = torch.randn(3, 10, 2, 8, generator=g, dtype=torch.float64), torch.randn(3, 10, 2, 8, generator=g,
                                                                                    dtype=torch.float64)
    out = refs.decode(q, kc, vc, [10, 0, 4], 0.3)
    want = torch.zeros_like(out)
    for b, n in enumerate([10, 0, 4]):
        for hh in range(4):
            if n:
                p = torch.softmax(kc[b, :n, hh // 2] @ q[b, hh] * 0.3, 0)
                want[b, hh] = p @ vc[b, :n, hh // 2]
    close("ref decode vs per-head softmax", out, want, F64)


# ------------------------------------------------------------------------------------------------ 2

def test_sampler_algorithm():
    check("philox4x32 known answers", philox.self_test() == 3)
    u = philox.uniforms(np.array([0, 0xFFFFFFFF, 0x80000000], dtype=np.uint32))
    check("uniforms stay inside (0, 1) and are exact in f32", (u > 0).all() and (u < 1).all()
          and (u.astype(np.float32).astype(np.float64) == u).all(), str(u))
    x = np.array([-np.inf, -3.5, -0.0, 0.0, 1e-30, 2.0, np.inf], dtype=np.float32)
    keys = refs.f32_keys(x)
    check("order-preserving keys", (np.diff(keys.astype(np.int64)) >= 0).all()
          and (refs.key_values(keys).view(np.uint32) == x.view(np.uint32)).all())
    rng = np.random.default_rng(5)
    for trial in range(60):
        n = int(rng.integers(1, 400))
        vals = np.round(rng.normal(size=n).astype(np.float32) * (4 if trial % 2 else 1000)) / 4  # ties
        vals = vals.astype(np.float32)
        keys = refs.f32_keys(vals)
        k = int(rng.integers(1, n + 1))
        got = refs.radix_select(keys, np.ones(n, np.uint64), k)
        ok = got == np.sort(keys)[-k]
        w = rng.integers(0, 1000, size=n).astype(np.uint64) * (rng.random(n) < 0.8)
        if w.sum() == 0:
            w[0] = 1
        need = int(rng.integers(1, int(w.sum()) + 1))
        t = refs.radix_select(keys, w, need)
        ok = ok and w[keys >= t].sum() >= need and (w[keys > t].sum() < need)
        if not ok:
            check(f"radix select trial {trial}", False, f"n={n} k={k} need={need}")
            return
    check("radix select (count and weighted) vs sorting, 60 random trials with ties", True)

    row = rng.normal(size=3000).astype(np.float32) * 3
    prev = [5, 5, 17, -1, 3000, int(np.argmax(row))]
    y = refs.penalised(row, prev, 1.5)
    ids = [5, 17, int(np.argmax(row))]
    want = row.copy()
    want[ids] = np.where(row[ids] < 0, row[ids] * np.float32(1.5), row[ids] / np.float32(1.5))
    check("penalty applied once per distinct in-range id", (y == want).all())
    r = refs.sample_row(row, prev, 0.0, 0, 1.0, 1.5, 1, 2, 0)
    check("greedy = argmax of penalised", r["greedy"] and r["id"] == int(np.argmax(y)))
    r = refs.sample_row(row, None, 0.7, 40, 1.0, 1.0, 1, 2, 0)
    xs = (row / np.float32(0.7)).astype(np.float32)
    check("top-k threshold = 40th largest", r["thresh"] == float(np.sort(xs)[-40]) and r["keep"].sum() == 40)
    r = refs.sample_row(row, None, 0.7, 0, 0.8, 1.0, 1, 2, 0)
    ok, ae, ab = refs.top_p_threshold_ok(xs, np.ones_like(xs, bool), r["thresh"], 0.8)
    check("top-p threshold meets its definition", ok, f"mass(>=t) {ae:.6f} mass(>t) {ab:.6f}")
    # Gumbel-max over many rows (distinct counters) follows softmax over the kept set.
    lg = np.array([1.0, 0.5, 0.0, -1.0, 2.0, -9.0], dtype=np.float32)
    counts = np.zeros(6)
    for rr in range(6000):
        counts[refs.sample_row(lg, None, 1.0, 4, 1.0, 1.0, 42, 0, rr)["id"]] += 1
    p = np.exp(lg.astype(np.float64))
    p[[3, 5]] = 0
    p /= p.sum()
    sig = np.sqrt(np.maximum(p * (1 - p), 1e-12) / 6000)
    check("Gumbel-max frequencies match softmax of the top-4 set", (counts[[3, 5]] == 0).all()
          and (np.abs(counts / 6000 - p) < 5 * sig + 1e-9).all(), f"{counts / 6000} vs {p}")


# ------------------------------------------------------------------------------------------------ 3

def load_signatures():
    sigs = {}
    for f in build.DEFAULT_FILES:
        sigs.update(signatures.signatures_of(NVCC, os.path.join(build.KERNEL_DIR, f)))
    return sigs


def dry_ops(sigs):
    drv = cudrv.DryDriver(emulate=emulate.table())
    kernels = {n: drv.function(None, n, t) for n, t in sigs.items()}
    gemm = ops.Gemm()
    gemm.probe("cpu")
    return ops.Ops(kernels, sms=132, gemm=gemm), drv


def test_host_composition(sigs):
    check("signatures: every kernel has an emulator", set(sigs) == set(emulate.table()),
          str(set(sigs) ^ set(emulate.table())))
    o, drv = dry_ops(sigs)
    g = torch.Generator().manual_seed(3)
    tol_out = dict(atol=1e-2, rtol=1e-2, rel=1e-2)
    for d in ops.HEAD_DIMS:
        for causal in (False, True):
            segs = [(70, 70), (3, 130), (0, 0), (129, 129)] if causal else [(70, 5), (3, 130), (0, 4), (129, 129)]
            q, k, v, cu_q, cu_k = packed(segs, 4, 2, d, g, torch.bfloat16)
            cq, ck = torch.tensor(cu_q, dtype=torch.int32), torch.tensor(cu_k, dtype=torch.int32)
            mq, mk = max(s[0] for s in segs), max(s[1] for s in segs)
            rout, rlse = refs.attention_fwd(q, k, v, cu_q, cu_k, causal, 0.1)
            for var in ("v1", "v2", "v3"):
                out, lse = torch.full_like(q, math.nan), torch.full((4, q.shape[0]), math.nan)
                o.attn_fwd(var, q, k, v, cq, ck, mq, out, lse, causal, 0.1)
                close(f"dry attn_fwd {var} d{d} causal={causal}: every row written", out, rout, tol_out)
                close(f"dry attn_fwd {var} d{d} causal={causal}: lse", lse, rlse, dict(atol=1e-5, rtol=1e-5, rel=1e-5))
            dout = torch.randn(q.shape, generator=g).to(torch.bfloat16)
            out_in, lse_in = rout.to(torch.bfloat16), rlse.float()
            rdq, rdk, rdv = refs.attention_bwd(q, k, v, out_in, lse_in, dout, cu_q, cu_k, causal, 0.1)
            for var in ("v1", "v2"):
                dq, dk, dv = (torch.full_like(t, math.nan) for t in (q, k, v))
                delta = torch.full((4, q.shape[0]), math.nan)
                o.attn_bwd(var, q, k, v, out_in, lse_in, dout, cq, ck, mq, mk, dq, dk, dv, causal, 0.1, delta)
                for nm, a, b in (("dq", dq, rdq), ("dk", dk, rdk), ("dv", dv, rdv)):
                    close(f"dry attn_bwd {var} d{d} causal={causal} {nm}", a, b, dict(atol=2e-2, atol_rms=True,
                                                                                      rtol=2e-2, rel=2e-2))
    # decode: v1 and the split plans, incl. empty sequences and clamped lengths
    for b, hq, hkv, d, lmax, lens in [(3, 16, 2, 128, 300, [0, 299, 300]), (2, 32, 2, 80, 65, [70, 1]),
                                      (2, 4, 4, 64, 9, [9, 2])]:
        q = torch.randn(b, hq, d, generator=g).to(torch.bfloat16)
        kc = torch.randn(b, lmax, hkv, d, generator=g).to(torch.bfloat16)
        vc = torch.randn(b, lmax, hkv, d, generator=g).to(torch.bfloat16)
        lt = torch.tensor(lens, dtype=torch.int32)
        ref = refs.decode(q, kc, vc, lens, 0.2)
        used = min(max(lens), lmax)
        for var, plan in (("v1", None), ("split", None), ("split", (1, max(used, 1))), ("split", (ops.cdiv(used, 7), 7))):
            out = torch.full_like(q, math.nan)
            got = o.decode(var, q, kc, vc, lt, max(lens), out, 0.2, plan=plan)
            close(f"dry decode {var} plan {got} B={b} Hq={hq} Hkv={hkv} D={d}", out, ref, tol_out)
    check("decode plan fills the device", ops.decode_plan(1, 16, 2, 4096, 132)[0] * 2 >= 100
          and ops.decode_plan(32, 16, 2, 4096, 132)[0] >= 4 and ops.decode_plan(1, 16, 2, 0, 132) == (1, 1),
          str([ops.decode_plan(1, 16, 2, 4096, 132), ops.decode_plan(32, 16, 2, 4096, 132)]))
    # log-prob: chunk loop, finalize in place, backward GEMM composition, frozen head
    for n, c, vocab, chunk, temp in [(37, 16, 300, 64, 0.7), (20, 8, 50, 128, 1.0), (16, 8, 128, 32, 1.5)]:
        h = torch.randn(n, c, generator=g).to(torch.bfloat16)
        w = (torch.randn(vocab, c, generator=g) * 0.5).to(torch.bfloat16)
        t = torch.randint(0, vocab, (n,), generator=g, dtype=torch.int32)
        t[::5] = -1
        logp, lse = torch.full((n,), math.nan), torch.full((n,), math.nan)
        zbuf, sumbuf = torch.full((n * chunk,), math.nan), torch.full((n,), math.nan)
        o.logprob_fwd(h, w, t, temp, logp, lse, chunk, zbuf, sumbuf)
        rlogp, rlse = refs.logprob_fwd(h, w, t, temp)
        close(f"dry logprob fwd logp N={n} V={vocab} chunk={chunk}", logp, rlogp, dict(atol=1e-4, rtol=1e-5, rel=1e-5))
        close(f"dry logprob fwd lse N={n} V={vocab} chunk={chunk}", lse, rlse, dict(atol=1e-4, rtol=1e-5, rel=1e-5))
        dl = torch.randn(n, generator=g)
        rdh, rdw = refs.logprob_bwd(h, w, t, temp, lse, dl)
        for frozen in (False, True):
            dh = torch.full((n, c), math.nan).to(torch.bfloat16)
            dw0 = torch.randn(vocab, c, generator=g)
            dw = None if frozen else dw0.clone()
            dzbuf, dh32 = torch.full((n * chunk,), math.nan).to(torch.bfloat16), torch.full((n, c), math.nan)
            o.logprob_bwd(h, w, t, temp, lse, dl, dh, dw, chunk, zbuf, dzbuf, dh32)
            tl = dict(atol=1e-2, atol_rms=True, rtol=1e-2, rel=1e-2)
            close(f"dry logprob bwd dhidden frozen={frozen} N={n} V={vocab}", dh, rdh, tl)
            if not frozen:
                close(f"dry logprob bwd dweight accumulated N={n} V={vocab}", dw - dw0, rdw, tl)
    # sampling plumbing: row stride, CSR previous ids, seed/step as 64-bit
    x = torch.randn(5, 100, generator=g) * 3
    big = torch.full((5, 120), math.nan)
    big[:, :100] = x
    lg = big[:, :100]                       # row stride 120
    prev = [[1, 2, 2], [], [99, -1], [int(torch.argmax(x[3]))], [0]]
    off = torch.tensor(np.cumsum([0] + [len(p) for p in prev]), dtype=torch.int32)
    pid = torch.tensor(sum(prev, []), dtype=torch.int32)
    ids, thr = torch.full((5,), -7, dtype=torch.int32), torch.full((5,), math.nan)
    o.sample(lg, off, pid, 0.9, 10, 0.8, 1.4, 2 ** 63 + 5, 2 ** 40 + 3, ids, thr)
    want = [refs.sample_row(x[r].numpy(), prev[r], 0.9, 10, 0.8, 1.4, 2 ** 63 + 5, 2 ** 40 + 3, r)["id"]
            for r in range(5)]
    check("dry sample: ids through stride, CSR and 64-bit seed/step", ids.tolist() == want, f"{ids.tolist()} {want}")
    ctr = torch.from_numpy(np.array([c for c, _, _ in philox.KAT], dtype=np.uint32).view(np.int32))
    key = torch.from_numpy(np.array([k for _, k, _ in philox.KAT], dtype=np.uint32).view(np.int32))
    out = torch.zeros(3, 4, dtype=torch.int32)
    o.philox(ctr, key, out)
    check("dry philox KAT", [tuple(int(v) for v in r) for r in out.numpy().view(np.uint32)] ==
          [w for _, _, w in philox.KAT])
    bad = [l for l in drv.launches if l[3] > 227 * 1024]
    check(f"{len(drv.launches)} dry launches, all within the device's shared memory", not bad, str(bad))


# ------------------------------------------------------------------------------------------------ 4

def test_smem_and_assembly():
    src = open(os.path.join(build.KERNEL_DIR, "flash_attention.cu")).read()
    found = re.findall(r"static_assert\((\w+)_smem_bytes<(\d+), (\d+)(?:, (\d+))?>\(\) == (\d+)", src)
    fns = {"fwd": lambda d, nw, _: ops.fwd_smem(d, nw), "dq": lambda d, nw, _: ops.dq_smem(d, nw),
           "dkdv": lambda d, nw, bmq: ops.dkdv_smem(d, nw) if ops.DKDV_BMQ[d] == bmq else -1}
    mism = [f for f in found if fns[f[0]](int(f[1]), int(f[2]), int(f[3] or 0)) != int(f[4])]
    check("ops.py shared-memory sizes == flash_attention.cu static_asserts", len(found) == 12 and not mism,
          f"{len(found)} asserts, mismatches {mism}")
    check("largest dynamic shared memory fits an A100 (163 KiB)",
          max(ops.dq_smem(128), ops.dkdv_smem(128), ops.fwd_smem(128, 8)) <= 163 * 1024)
    recs = [dict(kind="bench", family="attention", name="attention_fwd_x", shape="s", ours=2.0, peer=3.0, unit="ms",
                 ratio=1.5, tflops=1.0),
            dict(kind="validation", family="attention", name="a", passed=True),
            dict(kind="validation", family="decode", name="b", passed=False),
            dict(kind="failure", family="logprob", what="w", detail="d"),
            dict(kind="kernel", family="sampling", name="k", regs=32)]
    res, lines = run_all.assemble({"device": "dry"}, recs, ["build x"], [], 1.0)
    check("results assembly", res["rows"][0] == dict(name="attention_fwd_x", shape="s", ours=2.0, peer=3.0, unit="ms",
                                                       ratio=1.5, tflops=1.0)
          and res["failures"] == ["build x", "logprob: w", "check b"] and res["summary"]["checks"] == 2
          and res["device"] == "dry", str(res["failures"]))
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "hang.py")
        open(script, "w").write("import subprocess, sys, time\nprint('started', flush=True)\n"
                                "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
                                "time.sleep(60)\n")
        t0 = time.time()
        rc, out, _ = run_all.run_family("hang", script, 3, tmp, tmp, lambda m: None, os.path.join(tmp, "f.log"))
        check("a family past its time limit is ended with its children, its output kept",
              rc == "timeout" and "started" in out and time.time() - t0 < 15, f"rc {rc} out {out!r}")
    st = harness.compare_stats(torch.tensor([1.0, float("nan")]), torch.tensor([1.0, 2.0]), F64)
    st2 = harness.compare_stats(torch.tensor([-math.inf, 1.0]), torch.tensor([-math.inf, 1.0]), F64)
    st3 = harness.compare_stats(torch.tensor([0.0, 1.0]), torch.tensor([-math.inf, 1.0]), F64)
    check("compare: NaN fails, equal infinities pass, a finite value for -inf fails",
          not st["passed"] and st2["passed"] and not st3["passed"])


def test_build():
    out = tempfile.mkdtemp(prefix="gpudev-build-")
    t0 = time.time()
    results, resources, summary = build.build(out, ["sm_80", "sm_90a", "compute_90"], NVCC)
    check("nvcc builds every file for sm_80, sm_90a, compute_90", all(r["ok"] for r in results),
          f"{[(r['file'], r['seconds']) for r in results]} in {time.time() - t0:.0f} s")
    check("no spills or stack frames", not summary["spills"], str(summary["spills"]))
    print(build.table(resources))


def main():
    t0 = time.time()
    test_references()
    test_sampler_algorithm()
    sigs = load_signatures()
    check("signatures parsed", len(sigs) == 26, str(len(sigs)))
    test_host_composition(sigs)
    test_smem_and_assembly()
    if "--build" in sys.argv:
        test_build()
    failed = [r for r in RESULTS if not r[1]]
    print(f"\n{len(RESULTS) - len(failed)}/{len(RESULTS)} passed in {time.time() - t0:.0f} s")
    for f in failed:
        print("FAILED:", f[0], f[2])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
