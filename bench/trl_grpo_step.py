"""Peer for the CRPO step time: TRL's GRPOTrainer on CPU on the same tiny checkpoint, G, B, lengths, LoRA and a local
reward function (no network, no judge model).

Usage: python bench/trl_grpo_step.py --model DIR --data DIR [--steps 4] [--group-size 4] [--batch-size 4]
       [--max-new-tokens 48] [--threads 2]
Prompts: the first doctor turn's prefix (the patient's opening) of each training record, as chat messages. Reward:
the fraction of a reply's words that are distinct (a cheap local function; the Java side uses the rubric judge,
also local). Prints one JSON line: mean seconds per optimiser step over the steps after the first (warm-up).
"""
import argparse
import glob
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "oracle"))
try:
    import torchvision_shim  # noqa: F401
except ImportError:
    pass

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from peft import LoraConfig  # noqa: E402
from transformers import AutoTokenizer, Qwen2_5_VLForConditionalGeneration, TrainerCallback  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402


def prompts(data_dir, n):
    out = []
    for f in sorted(glob.glob(os.path.join(data_dir, "*.jsonl"))):
        for line in open(f):
            r = json.loads(line)
            if r.get("split", "train") != "train" or len(r["turns"]) < 2:
                continue
            out.append([{"role": "user", "content": r["turns"][0]["text"]}])
            if len(out) >= n:
                return out
    return out


def distinct(completions, **kw):
    rs = []
    for c in completions:
        text = c[0]["content"] if isinstance(c, list) else c
        w = text.split()
        rs.append(len(set(w)) / len(w) if w else 0.0)
    return rs


class Timer(TrainerCallback):
    def __init__(self):
        self.t = []

    def on_step_end(self, args, state, control, **kw):
        self.t.append(time.perf_counter())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--group-size", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="/tmp/trl-grpo-step")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tok = AutoTokenizer.from_pretrained(a.model)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(a.model, torch_dtype=torch.float32)
    ds = Dataset.from_list([{"prompt": p} for p in prompts(a.data, a.batch_size * (a.steps + 1))])
    cfg = GRPOConfig(output_dir=a.out, per_device_train_batch_size=a.batch_size * a.group_size, num_generations=a.group_size,
                     max_completion_length=a.max_new_tokens, max_steps=a.steps, logging_steps=1, learning_rate=2e-4,
                     beta=0.02, use_cpu=True, report_to=[], save_strategy="no", temperature=1.0, bf16=False,
                     gradient_accumulation_steps=1, dataloader_num_workers=0, seed=1)
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.1,
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    timer = Timer()
    tr = GRPOTrainer(model=model, reward_funcs=distinct, args=cfg, train_dataset=ds, processing_class=tok, peft_config=lora,
                     callbacks=[timer])
    t0 = time.perf_counter()
    tr.train()
    ts = [t0] + timer.t
    steps = [b - a for a, b in zip(ts, ts[1:])]
    warm = steps[1:] if len(steps) > 1 else steps
    print(json.dumps({"peer": "trl.GRPOTrainer", "trl": __import__("trl").__version__, "torch": torch.__version__,
                      "threads": a.threads, "G": a.group_size, "B": a.batch_size, "max_new_tokens": a.max_new_tokens,
                      "step_seconds": steps, "mean_step_seconds_after_first": sum(warm) / len(warm)}))


if __name__ == "__main__":
    main()
