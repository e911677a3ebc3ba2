#!/usr/bin/env python3
"""Peer for `bin/pulsemind bench generate`: Hugging Face transformers on PyTorch CPU, same shape, random weights.

Prefill = generate(1 new token); decode = the median time between consecutive new tokens of generate(N), taken
from a streamer's hand-overs (as `bin/pulsemind bench generate` times its engine's), medians of --reps after
--warmup untimed runs. A measurement that is not positive is refused, not printed. Prints one JSON line.
Run: /tmp/oracle/bin/python bench/peers/hf_generate.py --shape qwen2.5-0.5b --prompt 128 --new 32 --threads 2
"""
import argparse
import json
import statistics
import time

import torch
import transformers
from transformers import Qwen2Config, Qwen2ForCausalLM

SHAPES = {
    "qwen2.5-0.5b": dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                         intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True, rope_theta=1_000_000.0,
                         max_position_embeddings=32768),
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                 intermediate_size=128, vocab_size=512, tie_word_embeddings=True, rope_theta=10000.0,
                 max_position_embeddings=4096),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="qwen2.5-0.5b", choices=SHAPES)
    ap.add_argument("--prompt", type=int, default=128)
    ap.add_argument("--new", type=int, default=32)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dtype", default="f32", choices=["f32", "bf16"],
                    help="weights and compute dtype; bf16 uses PyTorch's bf16 CPU kernels (AVX512-BF16 where present)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = Qwen2Config(rms_norm_eps=1e-6, **SHAPES[a.shape])
    model = Qwen2ForCausalLM(cfg).eval().to(torch.float32 if a.dtype == "f32" else torch.bfloat16)
    ids = torch.randint(0, cfg.vocab_size, (a.batch, a.prompt))
    class Stamps:  # a generate() streamer: put() gets the prompt first, then each new token as it is chosen
        def __init__(self):
            self.at = []
        def put(self, value):
            self.at.append(time.perf_counter())
        def end(self):
            pass

    def run(n):
        """(total seconds, median seconds between consecutive new tokens or None)"""
        st = Stamps()
        t = time.perf_counter()
        out = model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0, eos_token_id=None,
                             streamer=st if a.batch == 1 else None)
        total = time.perf_counter() - t
        assert out.shape[1] == a.prompt + n
        new = st.at[1:]  # the first put() is the prompt
        steps = [b - x for x, b in zip(new, new[1:])]
        return total, (statistics.median(steps) if steps else None)

    with torch.inference_mode():
        for _ in range(a.warmup):
            run(min(a.new, 4))
        one, full, step = [], [], []
        for _ in range(a.reps):
            one.append(run(1)[0])
            total, s = run(a.new)
            full.append(total)
            if s is not None:
                step.append(s)
    prefill = statistics.median(one)
    # per-token steps where the streamer gives them (batch 1); for batches, (generate(N) - generate(1)) / (N - 1)
    decode_s = statistics.median(step) if step else (statistics.median(full) - prefill) / (a.new - 1)
    if not decode_s > 0:
        raise SystemExit(f"hf_generate: decode time {decode_s} s is not positive: the measurement is invalid")
    print(json.dumps({"peer": "transformers-generate", "torch": torch.__version__, "transformers": transformers.__version__,
                      "shape": a.shape, "dtype": a.dtype, "threads": a.threads, "batch": a.batch, "prompt": a.prompt, "new": a.new,
                      "prefill_tokens_per_s": a.batch * a.prompt / prefill,
                      "decode_tokens_per_s": a.batch / decode_s}))


if __name__ == "__main__":
    main()
