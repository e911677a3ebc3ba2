#!/usr/bin/env python3
"""Peer for `bin/pulsemind bench loader`: a PyTorch DataLoader whose workers prepare Qwen2.5-VL SFT samples with
transformers, the way a TRL-style pipeline does, on the same MediScope records and the same model directory.

Per record (in a worker): read the JSON line, open its images with PIL (RGB), build the chat messages exactly as
QwenSampleEncoder does (patient -> user, doctor -> assistant, a turn's images as image parts before its text),
processor.apply_chat_template(tokenize=False), processor(text, images) (Qwen2.5-VL processor: tokenizer, image
processor, pad expansion), and the assistant-only loss mask:
  --mask scan          <|im_start|>assistant\\n ... <|im_end|> token spans (a loop over the ids, cheap), default;
  --mask transformers  apply_chat_template(return_assistant_tokens_mask=True) with a {% generation %} template
                       (what TRL's assistant_only_loss does; slower: offsets and a second render).
The peer does not compute M-RoPE positions (transformers does that in the model's forward); ours does, so the
comparison favours the peer. Samples are packed per batch (torch.cat, cu_seqlens) as our PACKED loader does.

Modes:
  run (default)   one JSON line: samples/s per epoch and checksums (tokens, trained tokens, patches, pixel sum)
  make-model-dir  writes a Qwen2.5-VL model directory without weights: Qwen's real tokenizer (the committed
                  oracle copy), Qwen2.5-VL's chat template and published processor settings, a 3B config.json
Run with the oracle venv: /tmp/oracle/bin/python bench/peers/loader_peer.py --data DIR --model DIR --workers 2
"""
import argparse
import gzip
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "oracle"))
import torchvision_shim  # noqa: F401,E402  (the default, torchvision-backed image processor, as the oracle uses)

import torch  # noqa: E402
import transformers  # noqa: E402
from PIL import Image  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402
from transformers import AutoProcessor  # noqa: E402

ORACLE = os.path.join(REPO, "java", "src", "test", "resources", "oracle")


# ---------------------------------------------------------------------------------------------- the model directory

# Qwen2.5-VL-3B-Instruct's published config.json (only the token ids and merge size matter to data loading)
QWEN25VL_3B_CONFIG = {
    "architectures": ["Qwen2_5_VLForConditionalGeneration"], "attention_dropout": 0.0, "bos_token_id": 151643,
    "eos_token_id": 151645, "vision_start_token_id": 151652, "vision_end_token_id": 151653,
    "vision_token_id": 151654, "image_token_id": 151655, "video_token_id": 151656, "hidden_act": "silu",
    "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 11008, "max_position_embeddings": 128000,
    "max_window_layers": 70, "model_type": "qwen2_5_vl", "num_attention_heads": 16, "num_hidden_layers": 36,
    "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
    "tie_word_embeddings": True, "torch_dtype": "bfloat16", "transformers_version": "4.41.2", "use_cache": True,
    "use_sliding_window": False,
    "vision_config": {"depth": 32, "hidden_act": "silu", "hidden_size": 1280, "intermediate_size": 3420,
                      "num_heads": 16, "in_chans": 3, "out_hidden_size": 2048, "patch_size": 14,
                      "spatial_merge_size": 2, "spatial_patch_size": 14, "window_size": 112,
                      "fullatt_block_indexes": [7, 15, 23, 31], "tokens_per_second": 2, "temporal_patch_size": 2},
    "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vocab_size": 151936}
MIN_PIXELS, MAX_PIXELS = 3136, 12845056  # Qwen2.5-VL's published preprocessor_config.json


def make_model_dir(out):
    from tokenizers import Tokenizer
    from transformers import (PreTrainedTokenizerFast, Qwen2_5_VLProcessor, Qwen2VLImageProcessor,
                              Qwen2VLVideoProcessor)
    with gzip.open(os.path.join(ORACLE, "tokenizer", "qwen-tokenizer.json.gz"), "rb") as f:
        qwen = json.loads(f.read().decode("utf-8"))
    # Qwen3's file appends <think> and tool tokens after id 151664; Qwen2.5-VL stops there (see tools/oracle)
    qwen["added_tokens"] = [t for t in qwen["added_tokens"] if t["id"] <= 151664]
    template = open(os.path.join(ORACLE, "tiny-tied-f32", "chat_template.jinja"), encoding="utf-8").read()
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(qwen)), eos_token="<|im_end|>",
                                  pad_token="<|endoftext|>", errors="replace", clean_up_tokenization_spaces=False,
                                  model_max_length=131072)
    proc = Qwen2_5_VLProcessor(image_processor=Qwen2VLImageProcessor(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS),
                               tokenizer=tok, video_processor=Qwen2VLVideoProcessor(), chat_template=template)
    os.makedirs(out, exist_ok=True)
    proc.save_pretrained(out)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(QWEN25VL_3B_CONFIG, f, indent=1)
    loaded = AutoProcessor.from_pretrained(out)  # as the benchmark will load it
    assert loaded.tokenizer.convert_tokens_to_ids("<|image_pad|>") == QWEN25VL_3B_CONFIG["image_token_id"]
    assert dict(loaded.image_processor.size) == {"shortest_edge": MIN_PIXELS, "longest_edge": MAX_PIXELS}
    print(json.dumps({"model_dir": out, "vocab": len(loaded.tokenizer), "min_pixels": MIN_PIXELS,
                      "max_pixels": MAX_PIXELS, "image_processor": type(loaded.image_processor).__name__}))


# ---------------------------------------------------------------------------------------------- the pipeline

GENERATION_TEMPLATE = None  # set from tools/oracle/encoder_fixtures.py when --mask transformers


def messages(record, system, images):
    out = [] if system is None else [{"role": "system", "content": system}]
    for t in record["turns"]:
        role = "assistant" if t["role"] == "doctor" else "user"
        if not t.get("images"):
            out.append({"role": role, "content": t["text"]})
            continue
        parts = [{"type": "image", "image": images[i]} for i in t["images"]]
        if t["text"]:
            parts.append({"type": "text", "text": t["text"]})
        out.append({"role": role, "content": parts})
    return out


class MediScope(Dataset):
    """Records of a dataset's *.jsonl shards, read by byte offset in the worker (as our RecordIndex does)."""

    def __init__(self, root, processor, system, mask):
        self.root, self.processor, self.system, self.mask = root, processor, system, mask
        self.index = []
        shards = sorted(os.path.join(root, f) for f in os.listdir(root) if f.endswith(".jsonl"))
        for s in shards:
            off = 0
            with open(s, "rb") as f:
                for line in f:
                    if line.strip():
                        self.index.append((s, off, len(line)))
                    off += len(line)
        tok = processor.tokenizer
        self.im_start, self.im_end = tok.convert_tokens_to_ids("<|im_start|>"), tok.convert_tokens_to_ids("<|im_end|>")
        self.header = tok.encode("assistant\n", add_special_tokens=False)
        self.vision = set(tok.convert_tokens_to_ids(["<|vision_start|>", "<|image_pad|>", "<|vision_end|>"]))

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        path, off, n = self.index[i]
        with open(path, "rb") as f:
            f.seek(off)
            record = json.loads(f.read(n))
        images = {im["id"]: Image.open(os.path.join(self.root, im["path"])).convert("RGB") for im in record["images"]}
        msgs = messages(record, self.system, images)
        pics = [p["image"] for m in msgs if isinstance(m["content"], list) for p in m["content"] if p["type"] == "image"]
        if self.mask == "transformers":
            out = self.processor.apply_chat_template(msgs, tokenize=True, return_dict=True, add_generation_prompt=False,
                                                     chat_template=GENERATION_TEMPLATE, return_tensors="pt",
                                                     return_assistant_tokens_mask=True)
            ids = out["input_ids"][0]
            mask = torch.as_tensor(out["assistant_masks"])[0]
            mask[torch.isin(ids, torch.tensor(sorted(self.vision)))] = 0
        else:
            text = self.processor.apply_chat_template(msgs, tokenize=False, add_generation_prompt=False)
            out = self.processor(text=[text], images=pics or None, return_tensors="pt")
            ids = out["input_ids"][0]
            mask = torch.tensor(self.scan(ids.tolist()), dtype=torch.int64)
        return {"id": record["id"], "input_ids": ids, "loss_mask": mask,
                "pixel_values": out.get("pixel_values"), "image_grid_thw": out.get("image_grid_thw")}

    def scan(self, ids):
        """1 from after <|im_start|>assistant\\n through the next <|im_end|>; image tokens 0."""
        mask, h, i, n = [0] * len(ids), len(self.header), 0, len(ids)
        while i < n:
            if ids[i] == self.im_start and ids[i + 1:i + 1 + h] == self.header:
                j = i + 1 + h
                while ids[j] != self.im_end:
                    mask[j] = 0 if ids[j] in self.vision else 1
                    j += 1
                mask[j] = 1
                i = j
            i += 1
        return mask


def pack(samples):
    """Samples back to back with cu_seqlens, as the PACKED layout."""
    lengths = torch.tensor([len(s["input_ids"]) for s in samples])
    pv = [s["pixel_values"] for s in samples if s["pixel_values"] is not None]
    grids = [s["image_grid_thw"] for s in samples if s["image_grid_thw"] is not None]
    return {"ids": [s["id"] for s in samples], "input_ids": torch.cat([s["input_ids"] for s in samples]),
            "loss_mask": torch.cat([s["loss_mask"] for s in samples]),
            "cu_seqlens": torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)]),
            "pixel_values": torch.cat(pv) if pv else None, "image_grid_thw": torch.cat(grids) if grids else None}


def epoch(loader, checksum):
    samples = tokens = trained = patches = 0
    pixel_sum = 0.0
    t0 = time.perf_counter()
    for b in loader:
        samples += len(b["ids"])
        tokens += int(b["cu_seqlens"][-1])
        trained += int(b["loss_mask"].sum())
        if b["pixel_values"] is not None:
            patches += int(b["pixel_values"].shape[0])
            if checksum:
                pixel_sum += float(b["pixel_values"].double().sum())
    return {"seconds": time.perf_counter() - t0, "samples": samples, "tokens": tokens, "trained": trained,
            "patches": patches, "pixel_sum": pixel_sum}


def run(a):
    global GENERATION_TEMPLATE
    if a.mask == "transformers":
        import encoder_fixtures
        GENERATION_TEMPLATE = encoder_fixtures.GENERATION_TEMPLATE
    processor = AutoProcessor.from_pretrained(a.model)
    ds = MediScope(a.data, processor, a.system, a.mask)
    g = torch.Generator()
    g.manual_seed(a.seed)
    loader = DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers, collate_fn=pack, generator=g,
                        persistent_workers=a.workers > 0, prefetch_factor=2 if a.workers > 0 else None)
    warm = [epoch(loader, True) for _ in range(a.warmup)]  # worker start-up, and the pixel checksum
    timed = [epoch(loader, False) for _ in range(a.reps)]
    ref = warm[0]
    for e in warm + timed:
        assert e["samples"] == len(ds), f"epoch produced {e['samples']} samples for {len(ds)} records"
        assert (e["tokens"], e["trained"], e["patches"]) == (ref["tokens"], ref["trained"], ref["patches"]), (e, ref)
    rates = [e["samples"] / e["seconds"] for e in timed]
    import PIL
    import statistics
    print(json.dumps({
        "side": "peer", "peer": f"torch.utils.data.DataLoader(num_workers={a.workers}) + transformers "
                                f"{type(processor).__name__} ({type(processor.image_processor).__name__})",
        "python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
        "pillow": PIL.__version__, "workers": a.workers, "batch": a.batch, "mask": a.mask, "records": len(ds),
        "warmup_samples_per_s": [round(e["samples"] / e["seconds"], 2) for e in warm],
        "samples_per_s": [round(r, 2) for r in rates], "median_samples_per_s": round(statistics.median(rates), 2),
        "tokens": ref["tokens"], "trained_tokens": ref["trained"], "patches": ref["patches"],
        "pixel_sum": ref["pixel_sum"]}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="run", choices=["run", "make-model-dir"])
    ap.add_argument("--data", help="MediScope dataset directory")
    ap.add_argument("--model", required=True, help="model directory (make-model-dir: where to write it)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--system", default=None)
    ap.add_argument("--mask", default="scan", choices=["scan", "transformers"])
    a = ap.parse_args()
    if a.mode == "make-model-dir":
        make_model_dir(a.model)
    else:
        if not a.data:
            ap.error("--data is required")
        run(a)


if __name__ == "__main__":
    main()
