"""Flash attention, forward and backward: every variant against the float64 reference over head dims 64/80/128,
causal and not, MHA/GQA/MQA, packed segments of odd and empty lengths; then timings against PyTorch's SDPA
(flash backend) at hd128, S = 4096.

    python3 check_attention.py BUILD_DIR RESULTS.jsonl LOG [quick]
"""
import math

import torch

import harness  # first: it puts bench/peers on the path
import gpu_attention_peer as peer  # noqa: E402  (bench/peers: the peer and the shared inputs)
import refs
from harness import poison, randn, seeded

FWD_VARIANTS = ("v1", "v2", "v3")
BWD_VARIANTS = ("v1", "v2")

# (label, D, Hq, Hkv, [(Lq, Lk) per segment], scale multiplier, input scale)
CASES = [
    ("d64_mha", 64, 4, 4, [(1, 1), (17, 17), (64, 64), (100, 100)], 1.0, 1.0),
    ("d80_gqa3", 80, 6, 2, [(33, 33), (128, 128), (0, 0), (5, 70), (130, 200)], 1.0, 1.0),
    ("d128_mqa", 128, 8, 1, [(257, 257), (3, 300)], 1.0, 1.0),
    ("d128_gqa2_long", 128, 4, 2, [(1024, 1024)], 1.0, 1.0),
    ("d128_peaky", 128, 2, 2, [(200, 333)], 1.3, 3.0),   # large scores: online rescaling matters
    ("d64_nokeys", 64, 2, 2, [(7, 0), (9, 9), (0, 5)], 1.0, 1.0),  # queries with no key: out 0, lse -inf
    ("d80_cross", 80, 4, 4, [(70, 10), (1, 129)], 1.0, 1.0),      # Lq > Lk: non-causal only
]
QUICK = {"d64_mha", "d80_gqa3", "d128_mqa", "d64_nokeys"}   # under compute-sanitizer
EMU = {"d64_mha", "d64_nokeys"}                              # on the CPU emulator


def make_case(label, d, hq, hkv, segs, smul, insc, seed):
    g = seeded(seed)
    cu_q = [0]
    cu_k = [0]
    for lq, lk in segs:
        cu_q.append(cu_q[-1] + lq)
        cu_k.append(cu_k[-1] + lk)
    nq, nk = cu_q[-1], cu_k[-1]
    return dict(
        label=label, d=d, hq=hq, hkv=hkv, segs=segs, scale=smul / math.sqrt(d),
        q=randn((nq, hq, d), g, scale=insc), k=randn((nk, hkv, d), g, scale=insc), v=randn((nk, hkv, d), g),
        dout=randn((nq, hq, d), g),
        cu_q=torch.tensor(cu_q, dtype=torch.int32, device=harness.DEV),
        cu_k=torch.tensor(cu_k, dtype=torch.int32, device=harness.DEV),
        cu_q_host=cu_q, cu_k_host=cu_k,
        max_lq=max(lq for lq, _ in segs), max_lk=max(lk for _, lk in segs))


def run_fwd(h, variant, c, causal):
    out = torch.empty_like(c["q"])
    lse = torch.empty(c["hq"], c["q"].shape[0], dtype=torch.float32, device=harness.DEV)
    poison(out, lse)
    h.ops.attn_fwd(variant, c["q"], c["k"], c["v"], c["cu_q"], c["cu_k"], c["max_lq"], out, lse, causal, c["scale"])
    h.sync(f"attn_fwd {variant}")
    return out, lse


def run_bwd(h, variant, c, causal, out, lse):
    dq, dk, dv = torch.empty_like(c["q"]), torch.empty_like(c["k"]), torch.empty_like(c["v"])
    delta = torch.empty(c["hq"], c["q"].shape[0], dtype=torch.float32, device=harness.DEV)
    poison(dq, dk, dv, delta)
    h.ops.attn_bwd(variant, c["q"], c["k"], c["v"], out, lse, c["dout"], c["cu_q"], c["cu_k"], c["max_lq"],
                   c["max_lk"], dq, dk, dv, causal, c["scale"], delta)
    h.sync(f"attn_bwd {variant}")
    return dq, dk, dv


def check_case(h, spec, causal, seed):
    c = make_case(*spec, seed=seed)
    tag = f"{c['label']}_{'causal' if causal else 'full'}"
    meta = dict(d=c["d"], hq=c["hq"], hkv=c["hkv"], segs=c["segs"], causal=causal)
    ref_out, ref_lse = refs.attention_fwd(c["q"], c["k"], c["v"], c["cu_q_host"], c["cu_k_host"], causal, c["scale"])
    for var in FWD_VARIANTS:
        if var != "v1" and c["d"] not in (64, 80, 128):
            continue
        out, lse = run_fwd(h, var, c, causal)
        h.compare(f"attn_fwd_{var}_{tag}_out", out, ref_out, "attn_out", **meta)
        h.compare(f"attn_fwd_{var}_{tag}_lse", lse, ref_lse, "attn_lse", **meta)
    # The backward gets the reference forward's outputs rounded as the forward stores them.
    out_in, lse_in = ref_out.to(torch.bfloat16), ref_lse.float()
    rdq, rdk, rdv = refs.attention_bwd(c["q"], c["k"], c["v"], out_in, lse_in, c["dout"], c["cu_q_host"],
                                       c["cu_k_host"], causal, c["scale"])
    for var in BWD_VARIANTS:
        dq, dk, dv = run_bwd(h, var, c, causal, out_in, lse_in)
        h.compare(f"attn_bwd_{var}_{tag}_dq", dq, rdq, "attn_grad", **meta)
        h.compare(f"attn_bwd_{var}_{tag}_dk", dk, rdk, "attn_grad", **meta)
        h.compare(f"attn_bwd_{var}_{tag}_dv", dv, rdv, "attn_grad", **meta)
        if var == "v2":
            dq2, dk2, dv2 = run_bwd(h, var, c, causal, out_in, lse_in)
            same = all(torch.equal(a, b) for a, b in ((dq, dq2), (dk, dk2), (dv, dv2)))
            h.expect(f"attn_bwd_v2_{tag}_deterministic", same, "two runs bit-identical")


def check_naive(h):
    """A tiny case against loop-by-loop numpy (independent of the torch reference)."""
    c = make_case("tiny", 64, 2, 1, [(3, 5), (6, 6), (1, 1)], 1.0, 1.0, seed=11)
    ref_out, ref_lse = refs.attention_naive(c["q"], c["k"], c["v"], c["cu_q_host"], c["cu_k_host"], True, c["scale"])
    for var in FWD_VARIANTS:
        out, lse = run_fwd(h, var, c, True)
        h.compare(f"attn_fwd_{var}_tiny_vs_numpy_out", out, torch.from_numpy(ref_out), "attn_out")
        h.compare(f"attn_fwd_{var}_tiny_vs_numpy_lse", lse, torch.from_numpy(ref_lse), "attn_lse")


# ----------------------------------------------------------------------------------------------- benchmarks

def bench_shape(h, b, hq, hkv, s, d, causal):
    q, k, v, dout, cu = peer.attention_inputs(b, hq, hkv, s, d)
    n, scale = b * s, 1 / math.sqrt(d)
    shape, tag = peer.attn_shape(b, hq, hkv, s, d, causal), peer.attn_tag(b, hq, hkv, s, d, causal)
    flops = peer.attn_flops(b, hq, s, d, causal)
    q4, k4, v4, do4 = (peer.as_bhsd(t, b, s) for t in (q, k, v, dout))
    backend, backend_name = peer.choose_backend(q4, k4, v4, causal)
    ref4 = peer.sdpa(q4, k4, v4, causal, backend)
    t_peer = h.time_ms(lambda: peer.sdpa(q4, k4, v4, causal, backend))["median"]
    out = torch.empty_like(q)
    lse = torch.empty(hq, n, dtype=torch.float32, device=harness.DEV)
    for var in FWD_VARIANTS:
        if var == "v1" and s * b > 8192:
            continue  # seconds per call at this size; v1 is timed on the small shape
        fn = lambda: h.ops.attn_fwd(var, q, k, v, cu, cu, s, out, lse, causal, scale)
        poison(out)
        fn()
        h.sync(f"attn_fwd {var} {shape}")
        h.compare(f"attn_fwd_{var}_{tag}_vs_sdpa", out, ref4.transpose(1, 2).reshape(n, hq, d), "attn_out_peer")
        t = h.time_ms(fn)
        h.bench_row(f"attention_fwd_{tag}_{var}", shape, t["median"], t_peer, tflops=flops / t["median"] / 1e9,
                    peer_tflops=flops / t_peer / 1e9, q1=t["q1"], q3=t["q3"], peer_backend=backend_name)
    # backward (FlashAttention's FLOP convention: 2.5x the forward), from our forward's out and lse
    out_ref, lse_ref = out.clone(), lse.clone()
    qr, kr, vr = (t.detach().requires_grad_(True) for t in (q4, k4, v4))
    o = peer.sdpa(qr, kr, vr, causal, backend)
    pg = torch.autograd.grad(o, (qr, kr, vr), do4, retain_graph=True)
    t_peer_b = h.time_ms(lambda: torch.autograd.grad(o, (qr, kr, vr), do4, retain_graph=True), reps=20)["median"]
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    delta = torch.empty(hq, n, dtype=torch.float32, device=harness.DEV)
    for var in BWD_VARIANTS:
        if var == "v1" and s * b > 8192:
            continue
        fn = lambda: h.ops.attn_bwd(var, q, k, v, out_ref, lse_ref, dout, cu, cu, s, s, dq, dk, dv, causal, scale,
                                    delta)
        poison(dq, dk, dv)
        fn()
        h.sync(f"attn_bwd {var} {shape}")
        for nm, got, ref in (("dq", dq, pg[0]), ("dk", dk, pg[1]), ("dv", dv, pg[2])):
            h.compare(f"attn_bwd_{var}_{tag}_{nm}_vs_sdpa", got, ref.transpose(1, 2).reshape(got.shape),
                      "attn_grad_peer")
        t = h.time_ms(fn, reps=20)
        h.bench_row(f"attention_bwd_{tag}_{var}", shape, t["median"], t_peer_b,
                    tflops=2.5 * flops / t["median"] / 1e9, peer_tflops=2.5 * flops / t_peer_b / 1e9, q1=t["q1"],
                    q3=t["q3"], peer_backend=backend_name,
                    note="dq in its own pass (deterministic): 7 matmuls vs the peer's 5")


def body(h, quick):
    h.guard("naive tiny", check_naive, h)
    seed = 100
    for spec in CASES:
        if quick and spec[0] not in (EMU if quick == "emu" else QUICK):
            continue
        for causal in (False, True):
            if causal and any(lq > lk for lq, lk in spec[4]):
                continue
            seed += 1
            h.guard(f"case {spec[0]} causal={causal}", check_case, h, spec, causal, seed)
    if quick:
        return
    for b, hq, hkv, s, d, causal in peer.ATTN_SHAPES:
        h.guard(f"bench {b}x{hq}x{s}x{d} causal={causal}", bench_shape, h, b, hq, hkv, s, d, causal)


harness.TOL["attn_out_peer"] = dict(atol=2e-2, rtol=2e-2, rel=1.5e-2)   # two bf16 approximations
harness.TOL["attn_grad_peer"] = dict(atol=4e-2, atol_rms=True, rtol=4e-2, rel=3e-2)

if __name__ == "__main__":
    harness.main_wrapper("attention", ["flash_attention"], body)
