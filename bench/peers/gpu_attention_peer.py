#!/usr/bin/env python3
"""PyTorch peers of the attention kernels (cuda-kernels/flash_attention.cu, decode_attention.cu), on the shapes
the issue names: scaled_dot_product_attention forward and backward on the flash backend (FlashAttention-2;
SDPA's own choice where flash refuses a shape, said in the row), and SDPA over a KV cache for decode.

The inputs are built here and shared with tools/gpu-dev/check_attention.py and check_decode.py, so ours and the
peer read the same memory: packed (B*S, H, D) is (B, S, H, D), viewed as (B, H, S, D) for SDPA; the cache
(B, L, Hkv, D) is viewed as (B, Hkv, L, D).

    python3 bench/peers/gpu_attention_peer.py --out peer-attention.json
"""
import argparse

import torch
import torch.nn.attention
import torch.nn.functional as F

import peer_timing

# (B, Hq, Hkv, S, D, causal): hd128 S=4096 per the targets, plus GQA (Qwen2.5-3B heads), hd64, hd80
ATTN_SHAPES = [(1, 16, 16, 1024, 128, False), (4, 16, 16, 4096, 128, False), (4, 16, 16, 4096, 128, True),
               (4, 16, 2, 4096, 128, True), (4, 16, 16, 4096, 64, True), (16, 16, 16, 1024, 80, False)]
# (B, Hq, Hkv, D, L): a Qwen2.5-3B-shaped layer
DECODE_SHAPES = [(1, 16, 2, 128, 4096), (32, 16, 2, 128, 4096), (1, 16, 2, 128, 32768)]


def attn_tag(b, hq, hkv, s, d, causal):
    return f"hd{d}_s{s}_b{b}_h{hq}" + (f"_kv{hkv}" if hkv != hq else "") + ("_causal" if causal else "_full")


def attn_shape(b, hq, hkv, s, d, causal):
    return f"B={b} Hq={hq} Hkv={hkv} S={s} D={d} {'causal' if causal else 'full'}"


def attn_flops(b, hq, s, d, causal):
    return 4 * b * hq * s * s * d * (0.5 if causal else 1.0)


def attention_inputs(b, hq, hkv, s, d, seed=5, device="cuda"):
    """Packed q, dout (B*S, Hq, D), k, v (B*S, Hkv, D) bf16 (normal, never zeros) and cu_seqlens (B+1) int32."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    n = b * s

    def r(h):
        return torch.randn(n, h, d, generator=g).to(device, torch.bfloat16)
    q, k, v, dout = r(hq), r(hkv), r(hkv), r(hq)
    cu = torch.arange(0, n + 1, s, dtype=torch.int32, device=device)
    return q, k, v, dout, cu


def as_bhsd(t, b, s):
    """(B*S, H, D) -> (B, H, S, D) view of the same memory."""
    return t.view(b, s, t.shape[1], t.shape[2]).transpose(1, 2)


def sdpa(q4, k4, v4, causal, backend):
    gqa = q4.shape[1] != k4.shape[1]
    if backend is None:
        return F.scaled_dot_product_attention(q4, k4, v4, is_causal=causal, enable_gqa=gqa)
    with torch.nn.attention.sdpa_kernel(backend):
        return F.scaled_dot_product_attention(q4, k4, v4, is_causal=causal, enable_gqa=gqa)


def choose_backend(q4, k4, v4, causal):
    """(backend, name): the flash backend when it takes the shape, else SDPA's default choice."""
    flash = torch.nn.attention.SDPBackend.FLASH_ATTENTION
    try:
        sdpa(q4, k4, v4, causal, flash)
        return flash, "flash"
    except Exception:
        return None, "sdpa-default"


def decode_inputs(b, hq, hkv, d, L, seed=9, device="cuda"):
    """q (B, Hq, D), k_cache, v_cache (B, L, Hkv, D) bf16, lengths (B) int32 = L."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    q = torch.randn(b, hq, d, generator=g).to(device, torch.bfloat16)
    kc = torch.randn(b, L, hkv, d, generator=g).to(device, torch.bfloat16)
    vc = torch.randn(b, L, hkv, d, generator=g).to(device, torch.bfloat16)
    return q, kc, vc, torch.full((b,), L, dtype=torch.int32, device=device)


def decode_peer(q, kc, vc):
    """SDPA with one query per sequence over the cache viewed as (B, Hkv, L, D); returns (B, Hq, D)."""
    b, hq, d = q.shape
    out = F.scaled_dot_product_attention(q.view(b, hq, 1, d), kc.transpose(1, 2), vc.transpose(1, 2),
                                         enable_gqa=True)
    return out.view(b, hq, d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = {}
    for b, hq, hkv, s, d, causal in ATTN_SHAPES:
        q, k, v, dout, _ = attention_inputs(b, hq, hkv, s, d)
        q4, k4, v4, do4 = (as_bhsd(t, b, s) for t in (q, k, v, dout))
        backend, bname = choose_backend(q4, k4, v4, causal)
        tag, shape, flops = attn_tag(b, hq, hkv, s, d, causal), attn_shape(b, hq, hkv, s, d, causal), \
            attn_flops(b, hq, s, d, causal)
        t = peer_timing.time_ms(lambda: sdpa(q4, k4, v4, causal, backend))["median"]
        rows[f"attention_fwd_{tag}"] = dict(shape=shape, value=t, unit="ms", tflops=flops / t / 1e9, backend=bname)
        qr, kr, vr = (x.detach().requires_grad_(True) for x in (q4, k4, v4))
        o = sdpa(qr, kr, vr, causal, backend)
        t = peer_timing.time_ms(lambda: torch.autograd.grad(o, (qr, kr, vr), do4, retain_graph=True), reps=20)["median"]
        rows[f"attention_bwd_{tag}"] = dict(shape=shape, value=t, unit="ms", tflops=2.5 * flops / t / 1e9,
                                            backend=bname)
    for b, hq, hkv, d, L in DECODE_SHAPES:
        q, kc, vc, _ = decode_inputs(b, hq, hkv, d, L)
        t = peer_timing.time_ms(lambda: decode_peer(q, kc, vc), reps=50)["median"]
        rows[f"decode_attn_b{b}_l{L}"] = dict(shape=f"B={b} Hq={hq} Hkv={hkv} D={d} L={L}", value=t, unit="ms",
                                              gbps=2 * b * L * hkv * d * 2 / t / 1e6)
    peer_timing.write(a.out, rows)


if __name__ == "__main__":
    main()
