"""Fused LM head + log-prob, chunked over the vocabulary: forward (logp, lse) and backward (dhidden overwritten,
dweight accumulated or skipped) against the materialised float64 reference; then time and peak memory at
8192 tokens x 151,936 vocabulary against the unfused PyTorch path (logits, log_softmax, gather).

    python3 check_logprob.py BUILD_DIR RESULTS.jsonl LOG [quick]
"""
import torch

import harness  # first: it puts bench/peers on the path
import gpu_logprob_peer as peer  # noqa: E402  (bench/peers: the peer and the shared inputs)
import peer_timing
import refs
from harness import poison, randn, seeded

# (label, N, C, V, chunk, temperature)
CASES = [
    ("multi_chunk", 257, 96, 1000, 256, 0.7),
    ("one_chunk", 64, 64, 300, 1024, 1.0),
    ("exact_chunks", 130, 128, 1024, 256, 1.3),
]


def targets_for(n, vocab, g):
    t = torch.randint(0, vocab, (n,), generator=g, dtype=torch.int32)
    t[::7] = -1                       # masked prompt tokens
    t[1] = 0
    t[2] = vocab - 1
    return t.to(harness.DEV)


def check_case(h, label, n, c, vocab, chunk, temp, seed):
    g = seeded(seed)
    hid = randn((n, c), g)
    w = randn((vocab, c), g, scale=0.5)
    t = targets_for(n, vocab, g)
    logp, lse = torch.empty(n, device=harness.DEV), torch.empty(n, device=harness.DEV)
    zbuf, sumbuf = torch.empty(n * chunk, device=harness.DEV), torch.empty(n, device=harness.DEV)
    poison(logp, lse, zbuf, sumbuf)
    h.ops.logprob_fwd(hid, w, t, temp, logp, lse, chunk, zbuf, sumbuf)
    h.sync("logprob fwd")
    rlogp, rlse = refs.logprob_fwd(hid, w, t, temp)
    meta = dict(n=n, c=c, vocab=vocab, chunk=chunk, temperature=temp)
    h.compare(f"logprob_fwd_{label}_logp", logp, rlogp, "logprob", **meta)
    h.compare(f"logprob_fwd_{label}_lse", lse, rlse, "logprob", **meta)
    h.expect(f"logprob_fwd_{label}_masked_zero", bool((logp[t < 0] == 0).all()), "logp = 0 where target < 0")

    dlogp = randn((n,), g, dtype=torch.float32)
    rdh, rdw = refs.logprob_bwd(hid, w, t, temp, lse, dlogp)
    dw0 = randn((vocab, c), g, dtype=torch.float32)
    for with_dw in (True, False):
        dh = torch.empty(n, c, dtype=torch.bfloat16, device=harness.DEV)
        dw = dw0.clone() if with_dw else None
        dzbuf = torch.empty(n * chunk, dtype=torch.bfloat16, device=harness.DEV)
        dh32 = torch.empty(n, c, device=harness.DEV)
        poison(dh, zbuf, dzbuf, dh32)
        h.ops.logprob_bwd(hid, w, t, temp, lse, dlogp, dh, dw, chunk, zbuf, dzbuf, dh32)
        h.sync("logprob bwd")
        sfx = "" if with_dw else "_frozen_head"
        h.compare(f"logprob_bwd_{label}{sfx}_dhidden", dh, rdh, "logprob_grad", **meta)
        if with_dw:
            h.compare(f"logprob_bwd_{label}_dweight_accumulated", dw - dw0, rdw, "logprob_grad", **meta)


def bench(h, n, c, vocab, chunk, temp):
    hid, w, t, dlogp = peer.logprob_inputs(n, c, vocab)
    shape = f"N={n} C={c} V={vocab} chunk={chunk}"
    state = {"dw": torch.zeros(vocab, c, device=harness.DEV)}   # the f32 head gradient accumulated into

    def ours_fwd():
        logp, lse = torch.empty(n, device=harness.DEV), torch.empty(n, device=harness.DEV)
        zbuf, sumbuf = torch.empty(n * chunk, device=harness.DEV), torch.empty(n, device=harness.DEV)
        h.ops.logprob_fwd(hid, w, t, temp, logp, lse, chunk, zbuf, sumbuf)
        state["fwd"] = (logp, lse)

    def ours_fwdbwd():
        ours_fwd()
        _, lse = state["fwd"]
        dh = torch.empty(n, c, dtype=torch.bfloat16, device=harness.DEV)
        zbuf = torch.empty(n * chunk, device=harness.DEV)
        dzbuf = torch.empty(n * chunk, dtype=torch.bfloat16, device=harness.DEV)
        dh32 = torch.empty(n, c, device=harness.DEV)
        h.ops.logprob_bwd(hid, w, t, temp, lse, dlogp, dh, state["dw"], chunk, zbuf, dzbuf, dh32)

    hr, wr = hid.detach().requires_grad_(True), w.detach().requires_grad_(True)
    ours_fwd()
    h.sync("logprob fwd at scale")
    rows = slice(0, 64)  # float64 check of a slice of rows over the full vocabulary
    rlogp, rlse = refs.logprob_fwd(hid[rows], w, t[rows], temp)
    h.compare(f"logprob_fwd_bigshape_chunk{chunk}_rows_logp", state["fwd"][0][rows], rlogp, "logprob", shape=shape)
    h.compare(f"logprob_fwd_bigshape_chunk{chunk}_rows_lse", state["fwd"][1][rows], rlse, "logprob", shape=shape)

    sfx = f"n{n}_v{vocab}_chunk{chunk}"
    h.bench_row(f"logprob_fwd_peakmem_{sfx}", shape, peer_timing.peak_mib(ours_fwd),
                peer_timing.peak_mib(lambda: peer.unfused_logprob(hid, w, t, temp)), unit="MiB",
                logits_bf16_mib=n * vocab * 2 / 2 ** 20, logits_f32_mib=n * vocab * 4 / 2 ** 20)
    h.bench_row(f"logprob_fwdbwd_peakmem_{sfx}", shape, peer_timing.peak_mib(ours_fwdbwd),
                peer_timing.peak_mib(lambda: peer.unfused_fwdbwd(hr, wr, t, temp, dlogp)), unit="MiB",
                note="ours accumulates into an existing f32 (V, C) head gradient; the peer allocates its bf16 one")
    gemm_flops = 2 * n * vocab * c
    t_ours = h.time_ms(ours_fwd, reps=20)["median"]
    t_peer = h.time_ms(lambda: peer.unfused_logprob(hid, w, t, temp), reps=20)["median"]
    h.bench_row(f"logprob_fwd_{sfx}", shape, t_ours, t_peer, gemm_tflops=gemm_flops / t_ours / 1e9,
                gemm_mode=h.gemm.mode)
    t_ours_b = h.time_ms(ours_fwdbwd, reps=20)["median"]
    t_peer_b = h.time_ms(lambda: peer.unfused_fwdbwd(hr, wr, t, temp, dlogp), reps=20)["median"]
    h.bench_row(f"logprob_fwdbwd_{sfx}", shape, t_ours_b, t_peer_b, gemm_tflops=4 * gemm_flops / t_ours_b / 1e9,
                gemm_mode=h.gemm.mode, note="ours: 4 GEMMs per chunk (logits in fwd and again in bwd, dhidden, dweight)")


def body(h, quick):
    h.log(f"GEMM path: {h.gemm.probe(h.dev)}")
    seed = 500
    for case in CASES:
        seed += 1
        h.guard(f"case {case[0]}", check_case, h, *case, seed)
        if quick:
            break
    if quick:
        return
    for n, c, vocab, temp in peer.LOGPROB_SHAPES:
        for chunk in (8192, 4096):
            h.guard(f"bench chunk {chunk}", bench, h, n, c, vocab, chunk, temp)


if __name__ == "__main__":
    harness.main_wrapper("logprob", ["logprob"], body)
