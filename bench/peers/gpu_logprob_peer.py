#!/usr/bin/env python3
"""PyTorch peer of the fused log-prob (cuda-kernels/logprob.cu): the unfused path, logits = hidden · Wᵀ in bf16,
log_softmax in f32, gather (and autograd for the backward), at 8192 tokens x 151,936 vocabulary (Qwen2.5),
C = 2048 (Qwen2.5-3B). Times and peak memory. Inputs shared with tools/gpu-dev/check_logprob.py.

    python3 bench/peers/gpu_logprob_peer.py --out peer-logprob.json
"""
import argparse

import torch

import peer_timing

LOGPROB_SHAPES = [(8192, 2048, 151936, 1.0)]   # (N, C, V, temperature)


def logprob_inputs(n, c, vocab, seed=21, device="cuda"):
    """hidden (N, C), weight (V, C) bf16; targets (N) int32 with every 7th masked (-1); dlogp (N) f32."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    hid = torch.randn(n, c, generator=g).to(device, torch.bfloat16)
    w = (torch.randn(vocab, c, generator=g) * 0.05).to(device, torch.bfloat16)
    t = torch.randint(0, vocab, (n,), generator=g, dtype=torch.int32)
    t[::7] = -1
    dlogp = torch.randn(n, generator=g).to(device)
    return hid, w, t.to(device), dlogp


def unfused_logprob(hid, w, t, temperature):
    logits = hid @ w.t()                                               # (N, V) bf16
    lp = torch.log_softmax(logits.float() / temperature, dim=-1)       # (N, V) f32
    out = lp.gather(1, t.long().clamp(min=0).unsqueeze(1)).squeeze(1)
    return torch.where(t < 0, 0.0, out)


def unfused_fwdbwd(hid_r, w_r, t, temperature, dlogp):
    lp = unfused_logprob(hid_r, w_r, t, temperature)
    return torch.autograd.grad(lp, (hid_r, w_r), dlogp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = {}
    for n, c, vocab, temp in LOGPROB_SHAPES:
        hid, w, t, dlogp = logprob_inputs(n, c, vocab)
        shape = f"N={n} C={c} V={vocab}"
        hr, wr = hid.detach().requires_grad_(True), w.detach().requires_grad_(True)
        rows[f"logprob_fwd_peakmem_n{n}_v{vocab}"] = dict(
            shape=shape, unit="MiB", value=peer_timing.peak_mib(lambda: unfused_logprob(hid, w, t, temp)))
        rows[f"logprob_fwdbwd_peakmem_n{n}_v{vocab}"] = dict(
            shape=shape, unit="MiB", value=peer_timing.peak_mib(lambda: unfused_fwdbwd(hr, wr, t, temp, dlogp)))
        rows[f"logprob_fwd_n{n}_v{vocab}"] = dict(
            shape=shape, unit="ms", value=peer_timing.time_ms(lambda: unfused_logprob(hid, w, t, temp), reps=20)["median"])
        rows[f"logprob_fwdbwd_n{n}_v{vocab}"] = dict(
            shape=shape, unit="ms",
            value=peer_timing.time_ms(lambda: unfused_fwdbwd(hr, wr, t, temp, dlogp), reps=20)["median"])
    peer_timing.write(a.out, rows)


if __name__ == "__main__":
    main()
