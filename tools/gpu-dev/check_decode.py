"""Decode attention over a KV cache: v1 and the split (flash-decoding) kernels against the float64 reference,
over head dims 64/80/128, MHA and GQA groups of 1 to 16, ragged lengths (0, 1, Lmax, beyond Lmax), several split
plans; then timings at a 3B-shaped layer (Hq 16, Hkv 2, D 128) against PyTorch SDPA.

    python3 check_decode.py BUILD_DIR RESULTS.jsonl LOG [quick]
"""
import math

import torch

import harness  # first: it puts bench/peers on the path
import gpu_attention_peer as peer  # noqa: E402  (bench/peers: the peer and the shared inputs)
import ops
import refs
from harness import poison, randn, seeded

# (label, B, Hq, Hkv, D, Lmax, lengths)
CASES = [
    ("d64_mha", 3, 8, 8, 64, 300, [1, 150, 300]),
    ("d128_gqa8", 4, 16, 2, 128, 1000, [0, 1, 999, 1000]),
    ("d128_gqa7", 2, 28, 4, 128, 513, [513, 77]),
    ("d80_gqa16", 2, 32, 2, 80, 700, [700, 350]),
    ("d64_mqa_ragged", 5, 4, 1, 64, 64, [64, 3, 17, 64, 0]),
    ("d128_clamp", 2, 8, 4, 128, 100, [105, 100]),   # lengths past Lmax are clamped
]
QUICK = {"d64_mha", "d128_gqa8", "d80_gqa16"}   # under compute-sanitizer
EMU = {"d64_mha", "d64_mqa_ragged"}               # on the CPU emulator
# (label, B, S, Hq, Hkv, D, Lmax, lengths, slots): query rows reading a subset of S cache slots, out of order
SLOT_CASES = [
    ("d64_slots", 3, 5, 8, 2, 64, 96, [5, 96, 40], [4, 0, 2]),
    ("d128_slots", 2, 4, 16, 2, 128, 200, [200, 1], [3, 1]),
]
EMU_SLOTS = {"d64_slots"}


def check_case(h, label, b, hq, hkv, d, lmax, lengths, seed):
    g = seeded(seed)
    q = randn((b, hq, d), g)
    kc, vc = randn((b, lmax, hkv, d), g), randn((b, lmax, hkv, d), g)
    lens = torch.tensor(lengths, dtype=torch.int32, device=harness.DEV)
    scale = 1 / math.sqrt(d)
    ref = refs.decode(q, kc, vc, lengths, scale)
    meta = dict(b=b, hq=hq, hkv=hkv, d=d, lmax=lmax, lengths=lengths)
    out = torch.empty_like(q)
    poison(out)
    h.ops.decode("v1", q, kc, vc, lens, max(lengths), out, scale)
    h.sync("decode v1")
    h.compare(f"decode_v1_{label}", out, ref, "decode_out", **meta)
    used = min(max(lengths), lmax)
    plans = [None, (1, max(used, 1)), (max(1, ops.cdiv(used, 7)), 7), (3, max(1, ops.cdiv(used, 3)))]
    for plan in plans:
        poison(out)
        got = h.ops.decode("split", q, kc, vc, lens, max(lengths), out, scale, plan=plan)
        h.sync(f"decode split {plan}")
        h.compare(f"decode_split_{label}_plan{got[0]}x{got[1]}", out, ref, "decode_out", plan=got, **meta)


def check_slots(h, label, b, s, hq, hkv, d, lmax, lengths, slots, seed):
    g = seeded(seed)
    q = randn((b, hq, d), g)
    kc, vc = randn((s, lmax, hkv, d), g), randn((s, lmax, hkv, d), g)
    lens = torch.tensor(lengths, dtype=torch.int32, device=harness.DEV)
    sl = torch.tensor(slots, dtype=torch.int32, device=harness.DEV)
    scale = 1 / math.sqrt(d)
    ref = refs.decode(q, kc, vc, lengths, scale, slots=slots)
    meta = dict(b=b, s=s, hq=hq, hkv=hkv, d=d, lmax=lmax, lengths=lengths, slots=slots)
    out = torch.empty_like(q)
    for var in ("v1", "split"):
        poison(out)
        h.ops.decode(var, q, kc, vc, lens, max(lengths), out, scale, slots=sl)
        h.sync(f"decode {var} slots")
        h.compare(f"decode_{var}_{label}", out, ref, "decode_out", **meta)


def bench(h, b, hq, hkv, d, L):
    q, kc, vc, lens = peer.decode_inputs(b, hq, hkv, d, L)
    scale = 1 / math.sqrt(d)
    out = torch.empty_like(q)
    shape = f"B={b} Hq={hq} Hkv={hkv} D={d} L={L}"
    nbytes = 2 * b * L * hkv * d * 2
    peer_out = peer.decode_peer(q, kc, vc)
    t_peer = h.time_ms(lambda: peer.decode_peer(q, kc, vc), reps=50)["median"]
    for var in ("v1", "split"):
        scratch = None
        if var == "split":
            ns, _ = ops.decode_plan(b, hq, hkv, L, h.props.multi_processor_count)
            scratch = h.ops.decode_scratch(b, hq, d, ns, q.device)
        fn = lambda: h.ops.decode(var, q, kc, vc, lens, L, out, scale, scratch=scratch)
        poison(out)
        plan = fn()
        h.sync(f"decode {var} {shape}")
        h.compare(f"decode_{var}_b{b}_l{L}_vs_sdpa", out, peer_out, "decode_out")
        t = h.time_ms(fn, reps=50)
        h.bench_row(f"decode_attn_b{b}_l{L}_{var}", shape, t["median"], t_peer, gbps=nbytes / t["median"] / 1e6,
                    peer_gbps=nbytes / t_peer / 1e6, plan=plan, q1=t["q1"], q3=t["q3"])


def body(h, quick):
    seed = 300
    for case in CASES:
        if quick and case[0] not in (EMU if quick == "emu" else QUICK):
            continue
        seed += 1
        h.guard(f"case {case[0]}", check_case, h, *case, seed)
    for case in SLOT_CASES:
        if quick and case[0] not in (EMU_SLOTS if quick == "emu" else QUICK | EMU_SLOTS):
            continue
        seed += 1
        h.guard(f"case {case[0]}", check_slots, h, *case, seed)
    if quick:
        return
    for b, hq, hkv, d, L in peer.DECODE_SHAPES:
        h.guard(f"bench b={b} L={L}", bench, h, b, hq, hkv, d, L)


if __name__ == "__main__":
    harness.main_wrapper("decode", ["decode_attention"], body)
