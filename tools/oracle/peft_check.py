"""Shows that Hugging Face tools load what `model init`, `train sft` and `model merge` write.

  python tools/oracle/peft_check.py --model MODEL_DIR --adapter RUN/checkpoints/latest --merged MERGED_DIR

1. transformers loads MODEL_DIR (`model init` output) and its tokenizer; the tokenizer's ids for a few texts are
   printed so they can be compared with ours.
2. PEFT loads the adapter (PeftModel.from_pretrained) with every key matched: no missing or unexpected LoRA keys.
3. transformers loads MERGED_DIR (`model merge` output), and its logits equal the PEFT model's (merged = base + B·A).
Exit status 0 only when all three hold.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torchvision_shim  # noqa: F401,E402
except ModuleNotFoundError:  # no torchvision installed: not needed here (no image processor is used)
    pass

import torch  # noqa: E402
from peft import PeftModel  # noqa: E402
from transformers import AutoTokenizer, Qwen2_5_VLForConditionalGeneration  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--adapter", required=True)
    ap.add_argument("--merged", required=True)
    a = ap.parse_args()
    tok = AutoTokenizer.from_pretrained(a.model)
    for text in ["Hello doctor. My skin has a rash.", "<|im_start|>user\n皮疹<|im_end|>"]:
        print("ids", text.encode("unicode_escape").decode(), tok(text)["input_ids"])
    base = Qwen2_5_VLForConditionalGeneration.from_pretrained(a.model, dtype=torch.float32).eval()
    peft = PeftModel.from_pretrained(base, a.adapter).eval()
    n_lora = sum(1 for n, _ in peft.named_parameters() if "lora_" in n)
    print("PEFT LoRA tensors loaded:", n_lora)
    ids = torch.tensor([tok("Thank you, that helps. Has it changed in size?")["input_ids"]])
    with torch.no_grad():
        want = peft(input_ids=ids).logits
        merged = Qwen2_5_VLForConditionalGeneration.from_pretrained(a.merged, dtype=torch.float32).eval()
        got = merged(input_ids=ids).logits
    diff = (want - got).abs().max().item()
    print("max |PEFT logits - merged logits| =", diff)
    ok = n_lora > 0 and diff < 1e-3
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
