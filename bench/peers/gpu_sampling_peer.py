#!/usr/bin/env python3
"""PyTorch peer of the device sampler (cuda-kernels/sampling.cu): Hugging Face's logits processors written in
plain torch (repetition penalty by gather/scatter over the previous ids, temperature, top-k, top-p by sort and
cumsum, multinomial) on the same inputs as tools/gpu-dev/check_sampling.py's benchmark.

    python3 bench/peers/gpu_sampling_peer.py --out peer-sampling.json
"""
import argparse
import math

import torch

import peer_timing

SAMPLE_SHAPES = [(1, 151936), (32, 151936)]
SAMPLE_CFG = dict(T=0.8, k=50, p=0.9, pen=1.1, nprev=512)


def sampling_inputs(b, vocab, nprev, seed=77, device="cuda"):
    """logits (B, V) f32 and previous ids (B, P) int32, as Hugging Face's input_ids."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    logits = (torch.randn(b, vocab, generator=g) * 3.0).to(device)
    prev = torch.randint(0, vocab, (b, nprev), generator=g, dtype=torch.int32).to(device)
    return logits, prev


def hf_sample(logits, prev, cfg):
    pl = prev.long()
    sc = logits.gather(1, pl)
    lg = logits.scatter(1, pl, torch.where(sc < 0, sc * cfg["pen"], sc / cfg["pen"]))
    lg = lg / cfg["T"]
    kth = torch.topk(lg, cfg["k"], dim=-1).values[:, -1:]
    lg = lg.masked_fill(lg < kth, -math.inf)
    sl, si = torch.sort(lg, descending=False)
    cum = sl.softmax(-1).cumsum(-1)
    rm = cum <= 1 - cfg["p"]
    rm[:, -1] = False
    lg = lg.scatter(1, si, sl.masked_fill(rm, -math.inf))
    return torch.multinomial(lg.softmax(-1), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = {}
    for b, vocab in SAMPLE_SHAPES:
        logits, prev = sampling_inputs(b, vocab, SAMPLE_CFG["nprev"])
        t = peer_timing.time_ms(lambda: hf_sample(logits, prev, SAMPLE_CFG), reps=50)["median"]
        rows[f"sample_b{b}_v{vocab}"] = dict(shape=f"B={b} V={vocab} {SAMPLE_CFG}", value=t, unit="ms")
    peer_timing.write(a.out, rows)


if __name__ == "__main__":
    main()
