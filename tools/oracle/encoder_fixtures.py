"""Golden fixtures for QwenSampleEncoder: MediScope records as transformers prepares them for SFT.

Run on CPU with the oracle venv (see README.md):  python tools/oracle/encoder_fixtures.py [--out DIR]
It reads the committed tiny-tied-f32 checkpoint (made by qwen25vl_fixtures.py) and writes oracle/encoder/:
  dataset/                 a hand-made MediScope dataset: data-00000.jsonl (two records) and two PNG images
  expected.json            per case: the chat messages, rendered text, input_ids, loss mask, image_grid_thw,
                           M-RoPE position_ids (3, L) from get_rope_index, and the decoded masked spans
  pixel_values.safetensors per case: the processor's pixel_values (f32)
The mask is transformers' return_assistant_tokens_mask for Qwen's template with a {% generation %} block around
each assistant message's content and its <|im_end|> (the span TRL's assistant_only_loss trains on), with image
placeholder tokens set to 0. Everything is deterministic: a second run rewrites byte-identical files.
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchvision_shim  # noqa: F401,E402  (must precede transformers: it decides the default image backend)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ORACLE = os.path.join(REPO, "java", "src", "test", "resources", "oracle")
MODEL = "tiny-tied-f32"

# Qwen2.5-VL's template (as in qwen25vl_fixtures.QWEN25VL_TEMPLATE) with the assistant message's content and
# <|im_end|> inside {% generation %}: the text it renders is asserted equal to the plain template's below.
CONTENT = ("{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for content in message['content'] %}"
           "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
           "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: "
           "{% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}"
           "{% endif %}{% endfor %}{% endif %}")
GENERATION_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['role'] == 'assistant' %}{% generation %}" + CONTENT + "<|im_end|>{% endgeneration %}{{ '\\n' }}"  # trim_blocks eats a literal newline here
    "{% else %}" + CONTENT + "<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

IMAGES = {  # id -> (file, height, width): one downscaled (over max_pixels), one upscaled (under min_pixels)
    "img1": ("images/rash_100x150.png", 100, 150),
    "img2": ("images/lesion_20x30.png", 20, 30),
}

RECORDS = [
    {"id": "enc-1", "department": "Dermatology", "subspecialty": "Inflammatory skin disease", "language": "en",
     "split": "train", "source": "hand-made encoder fixture",
     "turns": [
         {"role": "patient", "text": "Hello doctor, I have an itchy rash on my forearm.", "images": ["img1"]},
         {"role": "doctor", "text": "How long have you had it, and does it spread?"},
         {"role": "patient", "text": "About two weeks. Here is a closer photo.", "images": ["img2"]},
         {"role": "doctor", "text": "The close-up shows scaling at the edge. Have you used any new soap?"},
         {"role": "patient", "text": "Yes, I changed my laundry detergent last month."},
         {"role": "doctor", "text": "This looks like contact dermatitis. Stop the new detergent, use an emollient, "
                                    "and apply 1% hydrocortisone twice a day for a week."},
     ],
     "images": [{"id": "img1", "path": IMAGES["img1"][0], "modality": "dermatology"},
                {"id": "img2", "path": IMAGES["img2"][0], "modality": "dermatology"}]},
    {"id": "enc-2", "department": "皮肤科", "subspecialty": "色素性皮损", "language": "zh",
     "split": "train", "source": "hand-made encoder fixture",
     "turns": [
         {"role": "patient", "text": "医生您好，这颗痣最近变大了。", "images": ["img2", "img1"]},
         {"role": "doctor", "text": "\n请问它有没有出血或者发痒？"},
         {"role": "patient", "text": "没有出血，偶尔痒。再看一下这张。", "images": ["img1"]},
         {"role": "doctor", "text": "边界不规则，颜色不均匀，建议尽快做皮肤镜检查并考虑切除活检。"},
     ],
     "images": [{"id": "img1", "path": IMAGES["img1"][0], "modality": "dermatology"},
                {"id": "img2", "path": IMAGES["img2"][0], "modality": "dermatology"}]},
]
# case name -> (record id, system prompt or None for the template's default)
CASES = {"default_system": ("enc-1", None),
         "system_prompt": ("enc-2", "You are an experienced dermatologist. Ask before you conclude.")}


def dump_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


def write_dataset(d):
    os.makedirs(os.path.join(d, "images"), exist_ok=True)
    rs = np.random.RandomState(11)
    for _, (path, h, w) in sorted(IMAGES.items()):
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([128 + 100 * np.sin(xx / 7.0), 128 + 100 * np.cos(yy / 5.0), (xx * 3 + yy * 2) % 256], -1)
        noise = rs.randint(-40, 41, size=(h, w, 3))
        Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB").save(os.path.join(d, path))
    with open(os.path.join(d, "data-00000.jsonl"), "w", encoding="utf-8") as f:
        for r in RECORDS:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def messages(record, system, images):
    """patient -> user, doctor -> assistant; a turn's images as image parts before its text (QwenSampleEncoder)."""
    out, shown = [], []
    if system is not None:
        out.append({"role": "system", "content": system})
    by_id = {im["id"]: im for im in record["images"]}
    for t in record["turns"]:
        role = "assistant" if t["role"] == "doctor" else "user"
        if not t.get("images"):
            out.append({"role": role, "content": t["text"]})
            continue
        parts = []
        for iid in t["images"]:
            parts.append({"type": "image", "image": images[by_id[iid]["path"]]})
            shown.append(iid)
        if t["text"]:
            parts.append({"type": "text", "text": t["text"]})
        out.append({"role": role, "content": parts})
    return out, shown


def without_pixels(msgs):
    return [{**m, "content": m["content"] if isinstance(m["content"], str)
             else [{"type": "image"} if p["type"] == "image" else p for p in m["content"]]} for m in msgs]


def case(name, processor, model, dataset):
    rid, system = CASES[name]
    record = next(r for r in RECORDS if r["id"] == rid)
    images = {p: Image.open(os.path.join(dataset, p)).convert("RGB") for p, _, _ in IMAGES.values()}
    msgs, shown = messages(record, system, images)
    text = processor.apply_chat_template(msgs, tokenize=False, add_generation_prompt=False)
    tagged = processor.apply_chat_template(msgs, tokenize=False, add_generation_prompt=False,
                                           chat_template=GENERATION_TEMPLATE)
    assert tagged == text, f"{name}: the generation-tagged template renders differently"
    pics = [p["image"] for m in msgs if isinstance(m["content"], list) for p in m["content"] if p["type"] == "image"]
    plain = processor(text=[text], images=pics, return_tensors="pt")
    out = processor.apply_chat_template(msgs, tokenize=True, return_dict=True, add_generation_prompt=False,
                                        chat_template=GENERATION_TEMPLATE, return_assistant_tokens_mask=True,
                                        return_tensors="pt")
    ids = out["input_ids"]
    assert torch.equal(ids, plain["input_ids"]), f"{name}: tokenized apply_chat_template differs from processor()"
    assert torch.equal(out["pixel_values"], plain["pixel_values"]), name
    cfg = model.config
    vision = torch.tensor([cfg.image_token_id, cfg.vision_start_token_id, cfg.vision_end_token_id])
    mask = torch.as_tensor(out["assistant_masks"])[0].clone()
    mask[torch.isin(ids[0], vision)] = 0  # image placeholders carry no loss
    pos, delta = model.model.get_rope_index(ids, plain["mm_token_type_ids"], image_grid_thw=plain["image_grid_thw"],
                                             attention_mask=plain["attention_mask"])
    tok = processor.tokenizer
    spans, start = [], None
    for i, m in enumerate(mask.tolist() + [0]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            spans.append(tok.decode(ids[0, start:i].tolist()))
            start = None
    row = {"name": name, "record": rid, "system_prompt": system, "messages": without_pixels(msgs), "shown": shown,
           "text": text, "input_ids": ids[0].tolist(), "loss_mask": mask.tolist(),
           "image_grid_thw": plain["image_grid_thw"].tolist(), "position_ids": pos[:, 0, :].tolist(),
           "rope_delta": int(delta.reshape(-1)[0]), "masked_spans": spans}
    return row, plain["pixel_values"].float()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(ORACLE, "encoder"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    model_dir = os.path.join(ORACLE, MODEL)
    processor = AutoProcessor.from_pretrained(model_dir)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(model_dir, dtype=torch.float32).eval()
    dataset = os.path.join(args.out, "dataset")
    write_dataset(dataset)
    rows, tensors = [], {}
    for name in CASES:
        row, pv = case(name, processor, model, dataset)
        rows.append(row)
        tensors[name + ".pixel_values"] = pv.contiguous()
    save_file(tensors, os.path.join(args.out, "pixel_values.safetensors"),
              metadata={"note": "pixel_values per case from the checkpoint's AutoProcessor"})
    dump_json(os.path.join(args.out, "expected.json"), {
        "model": MODEL, "image_processor_class": type(processor.image_processor).__name__,
        "transformers": transformers.__version__, "torch": torch.__version__, "cases": rows})
    h = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(args.out)):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            h.update(os.path.relpath(p, args.out).encode())
            h.update(open(p, "rb").read())
    print("wrote", args.out, "digest", h.hexdigest())


if __name__ == "__main__":
    main()
