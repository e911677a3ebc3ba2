"""PyTorch eager peer of `bin/pulsemind bench sft-step`: one SFT optimiser step of the same model directory on the
same synthetic batch shape, timed on the CPU.

  python bench/peers/sft_step_peer.py --model DIR [--batch 8] [--tokens 256] [--image 112] [--lora-r 16]
      [--threads 2] [--warmup 3] [--reps 10]

The step (as ours, train/SyntheticSftStep): B sequences of T tokens, each <|vision_start|>, the (image/28)^2 pads of
one square image, <|vision_end|>, then random text ids uniform in [0, vision_start - 16); pixel values N(0, 1) for a
(1, image/14, image/14) patch grid; labels = next tokens except the image markers (-100); transformers'
Qwen2_5_VLForConditionalGeneration loaded from DIR in f32, eager PyTorch (no compile), SDPA attention; LoRA via PEFT
(r, alpha 32, dropout 0.1 on q, k, v, o, gate, up, down of the text decoder; vision tower frozen) or, with
--lora-r 0, every text parameter trained; loss.backward(), clip_grad_norm_(1.0), torch.optim.AdamW(lr 2e-4), zero_grad.
Prints one JSON line: median_s, min_s, reps, threads, loss.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "oracle"))
try:
    import torchvision_shim  # noqa: F401,E402
except ModuleNotFoundError:  # no torchvision installed: not needed (no image processor is used)
    pass

import torch  # noqa: E402
from transformers import Qwen2_5_VLForConditionalGeneration  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def batch(cfg, b, t, image, gen):
    vc = cfg.vision_config
    side = image // vc.patch_size
    patches, tokens = side * side, side * side // (vc.spatial_merge_size ** 2)
    vs, ve, pad = cfg.vision_start_token_id, cfg.vision_end_token_id, cfg.image_token_id
    ids = torch.randint(0, vs - 16, (b, t), generator=gen)
    ids[:, 0] = vs
    ids[:, 1:1 + tokens] = pad
    ids[:, 1 + tokens] = ve
    labels = ids.clone()
    labels[(ids == pad) | (ids == vs) | (ids == ve)] = -100  # transformers shifts labels inside the loss
    patch_dim = vc.in_channels * vc.temporal_patch_size * vc.patch_size ** 2
    pixels = torch.randn(b * patches, patch_dim, generator=gen)
    return dict(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels, pixel_values=pixels,
                image_grid_thw=torch.tensor([[1, side, side]] * b), mm_token_type_ids=(ids == pad).long())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--image", type=int, default=112)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--reps", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(a.model, dtype=torch.float32, attn_implementation="sdpa")
    if a.lora_r > 0:
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=a.lora_r, lora_alpha=32, lora_dropout=0.1, target_modules=TARGETS,
                                                 exclude_modules=".*visual.*"))
    else:
        for n, p in model.named_parameters():
            p.requires_grad_("visual" not in n)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    inputs = batch(model.config, a.batch, a.tokens, a.image, torch.Generator().manual_seed(1))

    def step():
        t0 = time.perf_counter()
        loss = model(**inputs).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return time.perf_counter() - t0, loss.item()

    for _ in range(a.warmup):
        step()
    times, losses = [], []
    for _ in range(a.reps):
        dt, loss = step()
        times.append(dt)
        losses.append(loss)
    print(json.dumps(dict(peer="transformers eager", torch=torch.__version__, threads=torch.get_num_threads(),
                          batch=a.batch, tokens=a.tokens, image=a.image, lora_r=a.lora_r,
                          trainable=sum(p.numel() for p in params), parameters=sum(p.numel() for p in model.parameters()),
                          median_s=statistics.median(times), min_s=min(times), reps=a.reps, warmup=a.warmup,
                          first_loss=losses[0], last_loss=losses[-1])))


if __name__ == "__main__":
    main()
