#!/usr/bin/env python3
"""PyTorch peer of GpuBench's `generate` rows: Hugging Face transformers `generate` on the GPU, greedy, a
Qwen2.5-3B-shaped decoder (Qwen2ForCausalLM, tied embeddings) with random bf16 weights, prompts of 128 random
ids, 64 new tokens, batch 1 and 32 — the same workload and the same arithmetic as ours:
prefill = one forward over the prompts (last position's logits), decode tokens/s = B·(new − 1) / (generate − prefill).

    python3 bench/peers/gpu_generate_peer.py --out peer-generate.json
"""
import argparse
import time

import torch
import transformers
from transformers import Qwen2Config, Qwen2ForCausalLM

import peer_timing

SHAPE_3B = dict(hidden_size=2048, num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=2,
                intermediate_size=11008, vocab_size=151936, tie_word_embeddings=True, rope_theta=1_000_000.0,
                max_position_embeddings=32768, rms_norm_eps=1e-6)
PROMPT, NEW, BATCHES = 128, 64, (1, 32)


def build():
    torch.manual_seed(0)
    cfg = Qwen2Config(**SHAPE_3B)
    torch.set_default_dtype(torch.bfloat16)
    with torch.device("cuda"):
        model = Qwen2ForCausalLM(cfg).eval()
    torch.set_default_dtype(torch.float32)
    return model, cfg


def bench(model, cfg, batch):
    g = torch.Generator(device="cpu").manual_seed(2)
    ids = torch.randint(0, cfg.vocab_size, (batch, PROMPT), generator=g).cuda()
    mask = torch.ones_like(ids)
    gen = dict(max_new_tokens=NEW, min_new_tokens=NEW, do_sample=False, pad_token_id=0, eos_token_id=None,
               attention_mask=mask)
    with torch.inference_mode():
        model(ids, attention_mask=mask, logits_to_keep=1)  # warm-up
        model.generate(ids, **{**gen, "max_new_tokens": 2, "min_new_tokens": 2})
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        model(ids, attention_mask=mask, logits_to_keep=1)
        torch.cuda.synchronize()
        prefill = time.perf_counter() - t0
        t1 = time.perf_counter()
        out = model.generate(ids, **gen)
        torch.cuda.synchronize()
        total = time.perf_counter() - t1
    assert out.shape == (batch, PROMPT + NEW), out.shape
    decode = max(1e-9, total - prefill)
    return dict(shape=f"Qwen2.5-3B shape, bf16, B={batch} prompt {PROMPT} new {NEW}", value=batch * (NEW - 1) / decode,
                unit="tokens/s", prefill_tokens_per_s=batch * PROMPT / prefill, ms_per_step=decode * 1000 / (NEW - 1),
                peer="transformers-generate", transformers=transformers.__version__)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model, cfg = build()
    rows = {f"decode_3b_b{b}": bench(model, cfg, b) for b in BATCHES}
    peer_timing.write(a.out, rows)


if __name__ == "__main__":
    main()
