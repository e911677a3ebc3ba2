"""Golden fixtures for the generation engine's log-probs: transformers' log_softmax of the same steps.

Run on CPU with the oracle venv (see README.md):  python tools/oracle/engine_fixtures.py [--out DIR]
It reads the committed tiny checkpoints (made by qwen25vl_fixtures.py) and writes oracle/engine/expected.json:
per checkpoint and prompt (text, Chinese text, one image, a multi-turn conversation with a system prompt and two
images):
  input_ids, position_ids   the prompt as apply_chat_template(add_generation_prompt=True) + the processor give it,
                            and get_rope_index's M-RoPE positions (from mm_token_type_ids: without them transformers 5
                            silently falls back to 1-D positions)
  greedy                    GREEDY steps of generate(do_sample=False) with the ids the tokenizer does not know and the
                            image placeholder suppressed (what the engine masks): the chosen ids, log_softmax of the
                            raw logits (output_logits, before any processor) at each chosen id, and the TOP_N most
                            likely allowed ids with their log-probs; the smallest top-1/top-2 gap met on the way
  forced                    a fixed completion of FORCED allowed ids drawn with a seeded generator, and the
                            log_softmax of one forward over prompt + completion at each completion token (teacher
                            forcing: what a training step computes for tokens that were sampled)
Everything is f32 (the bf16 checkpoint is widened exactly, as the Java CPU backend widens it); deterministic.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchvision_shim  # noqa: F401,E402  (must precede transformers: it decides the default image backend)

import torch  # noqa: E402
from PIL import Image  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ORACLE = os.path.join(REPO, "java", "src", "test", "resources", "oracle")
MODELS = ["tiny-tied-f32", "tiny-untied-bf16"]
GREEDY, FORCED, TOP_N = 12, 10, 5

PROMPTS = {
    "text": [{"role": "user", "content": "Hello doctor, I have had a headache for three days."}],
    "chinese": [{"role": "user", "content": "患者主诉头痛三天，怎么办？"}],
    "image": [{"role": "user", "content": [{"type": "image", "image": "plain_56x84.png"},
                                           {"type": "text", "text": "Describe the image."}]}],
    "multi_turn": [
        {"role": "system", "content": "You are a careful doctor."},
        {"role": "user", "content": [{"type": "image", "image": "small_30x45.png"}, {"type": "text", "text": "What is this?"}]},
        {"role": "assistant", "content": "A small lesion."},
        {"role": "user", "content": [{"type": "image", "image": "gray_60x40.png"}, {"type": "text", "text": "And this one?"}]},
    ],
}


def inputs_of(processor, messages):
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    images = [Image.open(os.path.join(ORACLE, "images", p["image"])) for m in messages if isinstance(m["content"], list)
              for p in m["content"] if p["type"] == "image"]
    return processor(text=[text], images=images or None, return_tensors="pt")


def banned_ids(processor, model):
    """Ids the engine never generates: those the tokenizer does not know, and the image placeholder."""
    known = set(processor.tokenizer.get_vocab().values())
    vocab = model.config.text_config.vocab_size
    return sorted({i for i in range(vocab) if i not in known} | {model.config.image_token_id})


def top_allowed(logp, banned, n):
    lp = logp.clone()
    lp[banned] = -float("inf")
    v, i = lp.topk(n)
    return [[int(a), float(b)] for a, b in zip(i.tolist(), v.tolist())]


@torch.no_grad()
def greedy(model, inputs, banned):
    model.model.rope_deltas = None
    gen = model.generate(**inputs, max_new_tokens=GREEDY, do_sample=False, num_beams=1, output_logits=True,
                         return_dict_in_generate=True, eos_token_id=[], pad_token_id=0, suppress_tokens=banned)
    ids = gen.sequences[0, inputs["input_ids"].shape[1]:].tolist()
    steps, gaps = [], []
    for k, raw in enumerate(gen.logits):
        logp = torch.log_softmax(raw[0].double(), -1)
        top = top_allowed(logp, banned, TOP_N)
        assert top[0][0] == ids[k], "generate's choice is the most likely allowed id"
        gaps.append(top[0][1] - top[1][1])
        steps.append({"id": ids[k], "logprob": float(logp[ids[k]]), "top": top})
    return {"new_ids": ids, "steps": steps, "min_top2_logprob_gap": min(gaps)}


@torch.no_grad()
def forced(model, inputs, banned, seed):
    g = torch.Generator().manual_seed(seed)
    vocab = model.config.text_config.vocab_size
    allowed = torch.tensor([i for i in range(vocab) if i not in set(banned)])
    completion = allowed[torch.randint(0, len(allowed), (FORCED,), generator=g)]
    n = inputs["input_ids"].shape[1]
    full = dict(inputs)
    full["input_ids"] = torch.cat([inputs["input_ids"], completion.view(1, -1)], 1)
    full["attention_mask"] = torch.ones_like(full["input_ids"])
    full["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], torch.zeros(1, FORCED, dtype=torch.long)], 1)
    model.model.rope_deltas = None
    logits = model(**full).logits[0].double()  # (n + m, V)
    logp = torch.log_softmax(logits[n - 1:n - 1 + FORCED], -1)
    ids = completion.tolist()
    return {"ids": ids, "logprobs": [float(logp[k, ids[k]]) for k in range(FORCED)]}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(ORACLE, "engine"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for mi, name in enumerate(MODELS):
        model_dir = os.path.join(ORACLE, name)
        processor = AutoProcessor.from_pretrained(model_dir)
        model = Qwen2_5_VLForConditionalGeneration.from_pretrained(model_dir, dtype=torch.float32).eval()
        banned = banned_ids(processor, model)
        for pi, (pname, messages) in enumerate(PROMPTS.items()):
            inputs = inputs_of(processor, messages)
            ids = inputs["input_ids"]
            if "pixel_values" in inputs:
                pos, _ = model.model.get_rope_index(ids, inputs["mm_token_type_ids"], image_grid_thw=inputs["image_grid_thw"],
                                                    attention_mask=inputs["attention_mask"])
            else:
                pos = torch.arange(ids.shape[1]).view(1, 1, -1).expand(3, 1, -1)
            rows.append({"model": name, "prompt": pname, "messages": messages, "input_ids": ids[0].tolist(),
                         "position_ids": pos[:, 0, :].tolist(), "greedy": greedy(model, inputs, banned),
                         "forced": forced(model, inputs, banned, 1000 * mi + pi)})
            print(name, pname, "greedy", rows[-1]["greedy"]["new_ids"], "gap", round(rows[-1]["greedy"]["min_top2_logprob_gap"], 4))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "greedy_steps": GREEDY,
                   "forced_tokens": FORCED, "top_n": TOP_N, "images": "oracle/images", "cases": rows},
                  f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.join(args.out, "expected.json"))


if __name__ == "__main__":
    main()
