#!/usr/bin/env python3
"""Peer for `bin/pulsemind bench generate --batch B --temperature T --top-p P`: batched rollout throughput of
Hugging Face transformers `generate` on PyTorch CPU, the same shape with random weights.

B prompts of --prompt random ids (equal lengths: no padding, the case most favourable to transformers), exactly
--new new tokens each (EOS off), sampled with temperature T and top-p P (top-k off, as ours). Throughput = B * new /
the whole generate call, prefill included: the figure `bench generate` reports as throughput_tokens_per_s. Median
of --reps after --warmup untimed calls. Prints one JSON line.
Run: /tmp/oracle/bin/python bench/peers/hf_rollout.py --batch 16 --prompt 64 --new 64 --threads 2
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "oracle"))
import torchvision_shim  # noqa: F401,E402  (must precede transformers, which otherwise fails to import torchvision here)
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

from hf_generate import SHAPES  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="qwen2.5-0.5b", choices=SHAPES)
    ap.add_argument("--prompt", type=int, default=64)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--top-p", type=float, default=0.9)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--reps", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = Qwen2Config(rms_norm_eps=1e-6, **SHAPES[a.shape])
    model = Qwen2ForCausalLM(cfg).eval().to(torch.float32)
    ids = torch.randint(0, cfg.vocab_size, (a.batch, a.prompt))

    def run(n, seed):
        torch.manual_seed(seed)
        t = time.perf_counter()
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, min_new_tokens=n, do_sample=True,
                             temperature=a.temperature, top_p=a.top_p, top_k=0, pad_token_id=0, eos_token_id=None)
        assert out.shape == (a.batch, a.prompt + n)
        return time.perf_counter() - t

    with torch.inference_mode():
        for i in range(a.warmup):
            run(a.new, 100 + i)  # full length, as our bench warms up
        total = [run(a.new, i) for i in range(a.reps)]
    s = statistics.median(total)
    print(json.dumps({"peer": "transformers-generate", "torch": torch.__version__, "transformers": transformers.__version__,
                      "shape": a.shape, "threads": a.threads, "batch": a.batch, "prompt": a.prompt, "new": a.new,
                      "sampling": f"T={a.temperature} top-p={a.top_p}", "total_s": s,
                      "throughput_tokens_per_s": a.batch * a.new / s}))


if __name__ == "__main__":
    main()
