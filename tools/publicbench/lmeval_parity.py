"""Scores shared multiple-choice outputs with lm-evaluation-harness's own filter and metric, for the Java parity test.

Writes java/src/test/resources/evaluate/publicbench/lmeval/:
  raw/            the questions, in each benchmark's released format (MedQA, MedMCQA, PubMedQA, MMLU): the sample
                  questions of datasets/samples/public-raw, each repeated once per reply style with its own id
  outputs.jsonl   one reply per question: {"id": record id, "task", "output"}
  lmeval.jsonl    lm-eval's verdict per question: {"id", "task", "filtered", "exact_match"}
  summary.json    lm-eval's accuracy per task, and the lm-eval version

lm-eval's side is its own code: the "flexible-extract" filter ensemble of its generative MCQ tasks
(multi_choice_regex with regex_pattern "(\\([A-Z]\\))", group_select 0, ignore_case, ignore_punctuation, then
take_first), built with lm_eval.filters.build_filter_ensemble and applied to lm_eval Instances, and the registered
exact_match metric against "(X)", X the gold letter, as in mmlu_flan_n_shot_generative. Run from the repository root:

    /tmp/oracle/bin/python tools/publicbench/lmeval_parity.py
"""
import json
import os
import shutil

import lm_eval
from lm_eval.api.instance import Instance
from lm_eval.api.registry import get_metric
from lm_eval.filters import build_filter_ensemble

RAW = "datasets/samples/public-raw"
OUT = "java/src/test/resources/evaluate/publicbench/lmeval"
MMLU_MEDICAL = {"anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics", "professional_medicine"}

# Reply styles for lettered questions: L gold letter, T gold text, D a wrong letter, W its text.
LETTERED = [
    "{L}", "({L})", "The answer is ({L}).", "Answer: {L}", "{L}. {T}", "{T}", "The answer is {L}.",
    "I would choose {W}.", "({D}) {W} is the best fit; ({L}) is less likely.", "**Answer:** {L}", "", "I am not sure.",
    "{typo}", "Option {L} is correct because {T} fits the picture.", "(E)", "The correct choice: {L}",
    "{t_lower}", "answer: {l}", "Both {T} and {W} are plausible, but I lean towards {W}.",
]
# PubMedQA: the prompt shows no letters; replies speak yes/no/maybe.
DECISION = [
    "{T}", "{T_cap}.", "The answer is {T}.", "{T_cap}, based on the results.", "The evidence is not conclusive, so maybe.",
    "I do not know.", "", "Answer: {T}", "Unclear; maybe.", "Not really; no.",
]


def typo(text):
    # drop one inner letter: similar to the option, but no longer a substring of anything
    i = max(1, len(text) // 2)
    return (text[:i] + text[i + 1:]).lower()


def lettered_questions():
    qs = []
    for line in open(f"{RAW}/medqa/test.jsonl"):
        row = json.loads(line)
        qs.append(("medqa", row, list(row["options"].values()), row["answer_idx"]))
    for line in open(f"{RAW}/medmcqa/dev.jsonl"):
        row = json.loads(line)
        qs.append(("medmcqa", row, [row[k] for k in ("opa", "opb", "opc", "opd")], "ABCD"[row["cop"] - 1]))
    for line in open(f"{RAW}/mmlu/test.jsonl"):
        row = json.loads(line)
        if row["subject"] in MMLU_MEDICAL:
            qs.append(("mmlu-medical", row, row["choices"], "ABCD"[row["answer"]]))
    return qs


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(f"{OUT}/raw")
    raw = {"medqa": [], "medmcqa": [], "mmlu-medical": []}
    items = []  # (record id, task, choices, gold letter, output)
    for qi, (task, row, choices, gold) in enumerate(lettered_questions()):
        g = "ABCDE".index(gold)
        w = (g + 1) % len(choices)
        for si, style in enumerate(LETTERED):
            out = style.format(L=gold, l=gold.lower(), T=choices[g], W=choices[w], D="ABCDE"[w],
                               typo=typo(choices[g]), t_lower=choices[g].lower())
            r = dict(row)
            base = {"medqa": "mq", "medmcqa": "mc", "mmlu-medical": "mm"}[task]
            r["id"] = f"{base}{qi}s{si}"
            raw[task].append(r)
            prefix = {"medqa": "medqa", "medmcqa": "medmcqa", "mmlu-medical": "mmlu"}[task]
            items.append((f"{prefix}-{r['id']}", task, choices, gold, out))
    pqal = json.load(open(f"{RAW}/pubmedqa/ori_pqal.json"))
    raw_pqa = {}
    for qi, (key, row) in enumerate(pqal.items()):
        t = row["final_decision"]
        for si, style in enumerate(DECISION):
            k = f"{key}{si:02d}"
            raw_pqa[k] = row
            items.append((f"pubmedqa-{k}", "pubmedqa", ["yes", "no", "maybe"], "ABC"[["yes", "no", "maybe"].index(t)],
                          style.format(T=t, T_cap=t.capitalize())))
    with open(f"{OUT}/raw/medqa.jsonl", "w") as f:
        for r in raw["medqa"]: f.write(json.dumps(r) + "\n")
    with open(f"{OUT}/raw/medmcqa.jsonl", "w") as f:
        for r in raw["medmcqa"]: f.write(json.dumps(r) + "\n")
    with open(f"{OUT}/raw/mmlu.jsonl", "w") as f:
        for r in raw["mmlu-medical"]: f.write(json.dumps(r) + "\n")
    json.dump(raw_pqa, open(f"{OUT}/raw/ori_pqal.json", "w"), indent=1)

    ensemble = build_filter_ensemble("flexible-extract", [
        ("multi_choice_regex", {"group_select": 0, "ignore_case": True, "ignore_punctuation": True,
                                "regex_pattern": "(\\([A-Z]\\))"}),
        ("take_first", None),
    ])
    instances = []
    for i, (rid, task, choices, gold, out) in enumerate(items):
        inst = Instance(request_type="generate_until", doc={"choices": choices}, arguments=("", {}), idx=0,
                        metadata=(task, i, 1))
        inst.resps = [out]
        instances.append(inst)
    ensemble.apply(instances)
    exact_match = get_metric("exact_match")
    per_task = {}
    with open(f"{OUT}/outputs.jsonl", "w") as fo, open(f"{OUT}/lmeval.jsonl", "w") as fl:
        for (rid, task, choices, gold, out), inst in zip(items, instances):
            filtered = inst.filtered_resps["flexible-extract"]
            em = float(exact_match(predictions=[filtered], references=[f"({gold})"])["exact_match"])
            fo.write(json.dumps({"id": rid, "task": task, "output": out}, ensure_ascii=False) + "\n")
            fl.write(json.dumps({"id": rid, "task": task, "filtered": filtered, "exact_match": em}, ensure_ascii=False) + "\n")
            per_task.setdefault(task, []).append(em)
    summary = {"lm_eval_version": lm_eval.__version__ if hasattr(lm_eval, "__version__") else "unknown",
               "filter": "flexible-extract: multi_choice_regex (\\([A-Z]\\)), ignore_case, ignore_punctuation; take_first",
               "metric": "exact_match against (X)",
               "accuracy": {t: sum(v) / len(v) for t, v in per_task.items()},
               "items": {t: len(v) for t, v in per_task.items()}}
    json.dump(summary, open(f"{OUT}/summary.json", "w"), indent=1)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
