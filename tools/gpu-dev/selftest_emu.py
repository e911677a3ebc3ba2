"""Runs the real kernel sources of cuda-kernels/ on the CPU emulator (emu/, one fiber per CUDA thread, warp
collectives per the PTX ISA) through the same host composition as the GPU run (ops.py), on small shapes, and
compares with the float64 references. It proves index arithmetic, fragment layouts, masking, varlen/GQA
handling and control flow (a divergent barrier shows up as a deadlock) before any GPU time is spent; it cannot
prove timing, asynchronous-copy ordering or the hardware's rounding.

    /tmp/oracle/bin/python tools/gpu-dev/selftest_emu.py [attention|decode|logprob|sampling ...]
Minutes on two cores (each CUDA thread is a fiber).
"""
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build  # noqa: E402
import emu  # noqa: E402
import harness  # noqa: E402
import ops  # noqa: E402
import philox  # noqa: E402
import refs  # noqa: E402
import signatures  # noqa: E402

NVCC = os.environ.get("NVCC", "/usr/local/bin/nvcc")
RESULTS = []


def check(name, cond, detail=""):
    RESULTS.append((name, bool(cond), detail))
    print(f"{'ok  ' if cond else 'FAIL'} {name} {detail}", flush=True)


def close(name, got, ref, tol_key):
    st = harness.compare_stats(got, ref, harness.TOL[tol_key])
    check(name, st["passed"], f"max_err {st['max_err']:.2e} rel {st['rel_l2']:.1e} bad {st['bad']}/{st['total']} "
                              f"{st['first_bad'] or ''}")


def make_ops():
    drv = emu.EmuDriver(emu.build_library(NVCC))
    sigs = {}
    for f in build.DEFAULT_FILES:
        sigs.update(signatures.signatures_of(NVCC, os.path.join(build.KERNEL_DIR, f)))
    gemm = ops.Gemm()
    gemm.probe("cpu")
    return ops.Ops({n: drv.function(None, n, t) for n, t in sigs.items()}, sms=8, gemm=gemm)


def packed(segs, hq, hkv, d, g):
    cu_q, cu_k = [0], [0]
    for lq, lk in segs:
        cu_q.append(cu_q[-1] + lq)
        cu_k.append(cu_k[-1] + lk)
    q = torch.randn(cu_q[-1], hq, d, generator=g).to(torch.bfloat16)
    k = torch.randn(cu_k[-1], hkv, d, generator=g).to(torch.bfloat16)
    v = torch.randn(cu_k[-1], hkv, d, generator=g).to(torch.bfloat16)
    return q, k, v, cu_q, cu_k


def test_attention(o):
    g = torch.Generator().manual_seed(1)
    # (D, Hq, Hkv, causal, segments): odd lengths, an empty segment, Lq < Lk, queries without keys, GQA/MQA
    cases = [(64, 4, 2, True, [(70, 70), (3, 130), (0, 0)]),
             (80, 3, 1, False, [(17, 0), (66, 5), (1, 80)]),
             (128, 2, 2, True, [(65, 129)]),
             (128, 4, 1, False, [(33, 33)])]
    for d, hq, hkv, causal, segs in cases:
        q, k, v, cu_q, cu_k = packed(segs, hq, hkv, d, g)
        cq, ck = torch.tensor(cu_q, dtype=torch.int32), torch.tensor(cu_k, dtype=torch.int32)
        mq, mk = max(s[0] for s in segs), max(s[1] for s in segs)
        scale = 1.1 / math.sqrt(d)
        ro, rl = refs.attention_fwd(q, k, v, cu_q, cu_k, causal, scale)
        tag = f"d{d} hq{hq} hkv{hkv} {'causal' if causal else 'full'} {segs}"
        for var in ("v1", "v2", "v3"):
            out, lse = torch.full_like(q, math.nan), torch.full((hq, q.shape[0]), math.nan)
            t0 = time.time()
            o.attn_fwd(var, q, k, v, cq, ck, mq, out, lse, causal, scale)
            close(f"emu attn_fwd {var} {tag} out ({time.time() - t0:.0f} s)", out, ro, "attn_out")
            close(f"emu attn_fwd {var} {tag} lse", lse, rl, "attn_lse")
        dout = torch.randn(q.shape, generator=g).to(torch.bfloat16)
        out_in, lse_in = ro.to(torch.bfloat16), rl.float()
        rdq, rdk, rdv = refs.attention_bwd(q, k, v, out_in, lse_in, dout, cu_q, cu_k, causal, scale)
        for var in ("v1", "v2"):
            dq, dk, dv = (torch.full_like(t, math.nan) for t in (q, k, v))
            delta = torch.full((hq, q.shape[0]), math.nan)
            t0 = time.time()
            o.attn_bwd(var, q, k, v, out_in, lse_in, dout, cq, ck, mq, mk, dq, dk, dv, causal, scale, delta)
            dt = time.time() - t0
            for nm, a, b in (("dq", dq, rdq), ("dk", dk, rdk), ("dv", dv, rdv)):
                close(f"emu attn_bwd {var} {tag} {nm} ({dt:.0f} s)", a, b, "attn_grad")


def test_decode(o):
    g = torch.Generator().manual_seed(2)
    for b, hq, hkv, d, lmax, lens in [(3, 16, 2, 128, 100, [0, 99, 100]), (2, 32, 2, 80, 40, [45, 1]),
                                      (2, 4, 4, 64, 9, [9, 2])]:
        q = torch.randn(b, hq, d, generator=g).to(torch.bfloat16)
        kc = torch.randn(b, lmax, hkv, d, generator=g).to(torch.bfloat16)
        vc = torch.randn(b, lmax, hkv, d, generator=g).to(torch.bfloat16)
        lt = torch.tensor(lens, dtype=torch.int32)
        ref = refs.decode(q, kc, vc, lens, 0.2)
        used = min(max(lens), lmax)
        for var, plan in (("v1", None), ("split", None), ("split", (1, max(used, 1))),
                          ("split", (ops.cdiv(used, 7), 7))):
            out = torch.full_like(q, math.nan)
            got = o.decode(var, q, kc, vc, lt, max(lens), out, 0.2, plan=plan)
            close(f"emu decode {var} plan {got} B={b} Hq={hq} Hkv={hkv} D={d} lengths {lens}", out, ref, "decode_out")
    # query rows reading 2 of 4 cache slots, out of order (an engine decoding a subset of its sequences)
    b, s_, hq, hkv, d, lmax, lens, slots = 2, 4, 8, 2, 64, 20, [20, 3], [3, 1]
    q = torch.randn(b, hq, d, generator=g).to(torch.bfloat16)
    kc = torch.randn(s_, lmax, hkv, d, generator=g).to(torch.bfloat16)
    vc = torch.randn(s_, lmax, hkv, d, generator=g).to(torch.bfloat16)
    ref = refs.decode(q, kc, vc, lens, 0.2, slots=slots)
    for var in ("v1", "split"):
        out = torch.full_like(q, math.nan)
        o.decode(var, q, kc, vc, torch.tensor(lens, dtype=torch.int32), max(lens), out, 0.2,
                 slots=torch.tensor(slots, dtype=torch.int32))
        close(f"emu decode {var} slots {slots} of {s_} lengths {lens}", out, ref, "decode_out")


def test_logprob(o):
    g = torch.Generator().manual_seed(3)
    for n, c, vocab, chunk, temp in [(37, 16, 300, 64, 0.7), (9, 8, 50, 128, 1.0)]:
        h = torch.randn(n, c, generator=g).to(torch.bfloat16)
        w = (torch.randn(vocab, c, generator=g) * 0.5).to(torch.bfloat16)
        t = torch.randint(0, vocab, (n,), generator=g, dtype=torch.int32)
        t[::5] = -1
        logp, lse = torch.full((n,), math.nan), torch.full((n,), math.nan)
        zbuf, sumbuf = torch.full((n * chunk,), math.nan), torch.full((n,), math.nan)
        o.logprob_fwd(h, w, t, temp, logp, lse, chunk, zbuf, sumbuf)
        rlogp, rlse = refs.logprob_fwd(h, w, t, temp)
        close(f"emu logprob fwd logp N={n} V={vocab} chunk={chunk}", logp, rlogp, "logprob")
        close(f"emu logprob fwd lse N={n} V={vocab} chunk={chunk}", lse, rlse, "logprob")
        dl = torch.randn(n, generator=g)
        rdh, rdw = refs.logprob_bwd(h, w, t, temp, lse, dl)
        dh = torch.full((n, c), math.nan).to(torch.bfloat16)
        dw0 = torch.randn(vocab, c, generator=g)
        dw = dw0.clone()
        dzbuf, dh32 = torch.full((n * chunk,), math.nan).to(torch.bfloat16), torch.full((n, c), math.nan)
        o.logprob_bwd(h, w, t, temp, lse, dl, dh, dw, chunk, zbuf, dzbuf, dh32)
        close(f"emu logprob bwd dhidden N={n} V={vocab}", dh, rdh, "logprob_grad")
        close(f"emu logprob bwd dweight N={n} V={vocab}", dw - dw0, rdw, "logprob_grad")


def test_sampling(o):
    g = torch.Generator().manual_seed(4)
    b, vocab = 3, 2000
    x = torch.randn(b, vocab, generator=g) * 0.7   # flat enough that top-p keeps hundreds and draws differ
    x[0, 5] = math.nan
    prev = [[1, 2, 2, int(torch.argmax(x[0, :5]))], [], [vocab - 1, -1, vocab + 2, int(torch.argmax(x[2]))]]
    off = torch.tensor(np.cumsum([0] + [len(p) for p in prev]), dtype=torch.int32)
    pid = torch.tensor(sum(prev, []), dtype=torch.int32)
    for name, (temp, k, p, pen) in {"greedy": (0.0, 0, 1.0, 1.3), "topk": (0.7, 40, 1.0, 1.2),
                                    "topp": (1.0, 0, 0.9, 1.0), "topk_topp": (0.8, 50, 0.8, 1.5),
                                    "full": (1.2, 0, 1.0, 1.0)}.items():
        ids, thr = torch.full((b,), -7, dtype=torch.int32), torch.full((b,), math.nan)
        o.sample(x, off, pid, temp, k, p, pen, 12345, 6, ids, thr)
        ref = [refs.sample_row(x[r].numpy(), prev[r], temp, k, p, pen, 12345, 6, r) for r in range(b)]
        ok_ids = ids.tolist() == [r["id"] for r in ref]
        ok_thr = all((np.float32(r["thresh"]) == t) or (p < 1 and refs.top_p_threshold_ok(
            r["x"], np.ones(vocab, bool) if not 0 < k < vocab else r["x"] >= np.sort(r["x"])[-k], float(t), p)[0])
            for r, t in zip(ref, thr.tolist()))
        check(f"emu sample {name}", ok_ids and ok_thr, f"ids {ids.tolist()} want {[r['id'] for r in ref]} "
                                                       f"thresh {thr.tolist()} want {[r['thresh'] for r in ref]}")
    # per-row streams: row r draws from stream streams[r], whatever its place in the batch
    streams = [7, 0, 3]
    ids = torch.full((b,), -7, dtype=torch.int32)
    o.sample(x, off, pid, 1.0, 0, 0.9, 1.0, 99, 2, ids, None, streams=streams)
    want = [refs.sample_row(x[r].numpy(), prev[r], 1.0, 0, 0.9, 1.0, 99, 2, streams[r])["id"] for r in range(b)]
    check("emu sample per-row streams", ids.tolist() == want, f"ids {ids.tolist()} want {want}")
    ctr = torch.from_numpy(np.array([c for c, _, _ in philox.KAT], dtype=np.uint32).view(np.int32))
    key = torch.from_numpy(np.array([k for _, k, _ in philox.KAT], dtype=np.uint32).view(np.int32))
    out = torch.zeros(3, 4, dtype=torch.int32)
    o.philox(ctr, key, out)
    check("emu philox KAT", [tuple(int(v) for v in r) for r in out.numpy().view(np.uint32)] ==
          [w for _, _, w in philox.KAT])


def main():
    t0 = time.time()
    o = make_ops()
    wanted = sys.argv[1:] or ["attention", "decode", "logprob", "sampling"]
    for name in wanted:
        try:
            globals()[f"test_{name}"](o)
        except Exception as e:
            check(f"emu {name}", False, f"{type(e).__name__}: {e}")
    failed = [r for r in RESULTS if not r[1]]
    print(f"\n{len(RESULTS) - len(failed)}/{len(RESULTS)} passed in {time.time() - t0:.0f} s")
    for f in failed:
        print("FAILED:", f[0], f[2][:300])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
