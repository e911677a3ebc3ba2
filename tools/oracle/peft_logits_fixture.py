"""Logits of a `model init` checkpoint with a `train sft` LoRA adapter, as PEFT computes them.

  python tools/oracle/peft_logits_fixture.py --model MODEL_DIR --adapter RUN/checkpoints/latest \
      --out java/src/test/resources/oracle/peft-micro

Copies MODEL_DIR to OUT/model and the adapter to OUT/adapter (its base_model_name_or_path made relative), loads them
with transformers + PEFT (PeftModel.from_pretrained, every LoRA key matched) in F32 on one thread, and writes for a
text prompt and a prompt with one image (random pixel values for a 4x4-patch grid, i.e. 4 image tokens):
  OUT/expected.json          per prompt: input_ids, image_grid_thw, the largest |PEFT - base| logit (how much the
                             adapter moves the logits, so a test can tell "adapter applied" from "adapter ignored")
  OUT/logits.safetensors     <prompt>.logits (L, V) of the PEFT model, adapters on
  OUT/pixel_values.safetensors  <prompt>.pixel_values (patches, 3*2*14*14) for the image prompt
The Java test PeftLogitsParityTest reads these; it never runs Python.
"""
import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torchvision_shim  # noqa: F401,E402
except ModuleNotFoundError:  # no torchvision: fine here, pixel values are made without the image processor
    pass

import peft  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from peft import PeftModel  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import AutoTokenizer, Qwen2_5_VLForConditionalGeneration  # noqa: E402

MODEL_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
               "preprocessor_config.json", "generation_config.json"]
GRID = [1, 4, 4]  # (t, h, w) in patches: 16 patches, 4 tokens after the 2x2 merge


def copy_inputs(model, adapter, out):
    os.makedirs(os.path.join(out, "model"), exist_ok=True)
    os.makedirs(os.path.join(out, "adapter"), exist_ok=True)
    for f in MODEL_FILES:
        if os.path.exists(os.path.join(model, f)):
            shutil.copyfile(os.path.join(model, f), os.path.join(out, "model", f))
    shutil.copyfile(os.path.join(adapter, "adapter_model.safetensors"), os.path.join(out, "adapter", "adapter_model.safetensors"))
    with open(os.path.join(adapter, "adapter_config.json")) as f:
        cfg = json.load(f)
    cfg["base_model_name_or_path"] = "../model"
    with open(os.path.join(out, "adapter", "adapter_config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--adapter", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    copy_inputs(a.model, a.adapter, a.out)
    mdir, adir = os.path.join(a.out, "model"), os.path.join(a.out, "adapter")

    tok = AutoTokenizer.from_pretrained(mdir)
    base = Qwen2_5_VLForConditionalGeneration.from_pretrained(mdir, dtype=torch.float32).eval()
    model = PeftModel.from_pretrained(base, adir).eval()
    n_lora = sum(1 for n, _ in model.named_parameters() if "lora_" in n)
    with open(os.path.join(adir, "adapter_config.json")) as f:
        r = json.load(f)["r"]
    n_b = sum(1 for n, p in model.named_parameters() if "lora_B" in n and p.abs().max().item() > 0)
    print("PEFT LoRA tensors loaded:", n_lora, "; non-zero B matrices:", n_b, "; r =", r)
    assert n_lora > 0 and n_b == n_lora // 2, "every B must be non-zero (train a few steps first)"

    cfg = base.config
    pad, vstart, vend = cfg.image_token_id, cfg.vision_start_token_id, cfg.vision_end_token_id
    merge = cfg.vision_config.spatial_merge_size
    n_img = GRID[0] * GRID[1] * GRID[2] // (merge * merge)
    text_ids = tok("<|im_start|>user\nHello doctor. My skin has a rash since Monday.<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    before = tok("<|im_start|>user\n")["input_ids"]
    after = tok("What is this spot?<|im_end|>\n<|im_start|>assistant\nIt looks")["input_ids"]
    image_ids = before + [vstart] + [pad] * n_img + [vend] + after
    patch_dim = cfg.vision_config.in_channels * cfg.vision_config.temporal_patch_size * cfg.vision_config.patch_size ** 2
    pixels = torch.randn(GRID[0] * GRID[1] * GRID[2], patch_dim, dtype=torch.float32)

    prompts = [("text", text_ids, None), ("image", image_ids, pixels)]
    tensors, pix_out, entries = {}, {}, []
    for name, ids, pix in prompts:
        x = torch.tensor([ids])
        kw = {"input_ids": x}
        if pix is not None:
            kw["pixel_values"] = pix
            kw["image_grid_thw"] = torch.tensor([GRID])
            kw["mm_token_type_ids"] = (x == pad).long()  # transformers 5 finds image positions from these
            pix_out[name + ".pixel_values"] = pix.contiguous()
        with torch.no_grad():
            got = model(**kw).logits[0].float()
            with model.disable_adapter():
                ref = model(**kw).logits[0].float()
        effect = (got - ref).abs().max().item()
        print(f"{name}: {len(ids)} tokens, max |PEFT - base| logit = {effect:.4g}, max |logit| = {got.abs().max().item():.4g}")
        tensors[name + ".logits"] = got.contiguous()
        entries.append({"name": name, "input_ids": ids, "image_grid_thw": [GRID] if pix is not None else [],
                        "max_adapter_effect": effect})
    save_file(tensors, os.path.join(a.out, "logits.safetensors"))
    save_file(pix_out, os.path.join(a.out, "pixel_values.safetensors"))
    with open(os.path.join(a.out, "expected.json"), "w") as f:
        json.dump({"prompts": entries, "lora_tensors": n_lora,
                   "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}},
                  f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
