#!/usr/bin/env bash
# CPU step time of train crpo against TRL's GRPOTrainer on the same tiny checkpoint, G, B, max new tokens, LoRA r=16
# on the same projections, a local reward (the rubric judge here; a distinct-words function for TRL), same threads,
# run back to back. Usage: bench/crpo-step-vs-trl.sh MODEL_DIR DATA_DIR [STEPS] [THREADS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:?model dir}; data=${2:?data dir}; steps=${3:-5}; threads=${4:-2}
py=${PYTHON:-/tmp/oracle/bin/python}
out=$(mktemp -d)
"$root/bin/pulsemind" train crpo --model "$model" --data "$data" --judge rubric --out "$out/java" --group-size 4 --batch-size 4 \
  --max-new-tokens 48 --max-steps "$steps" --lora-r 16 --lora-alpha 32 --lora-dropout 0.1 --lr 2e-4 --beta 0.02 \
  --first-turn-only --completions-every 0 --threads "$threads" --seed 1 >"$out/java.log" 2>&1
"$py" "$root/bench/trl_grpo_step.py" --model "$model" --data "$data" --steps "$steps" --threads "$threads" \
  --out "$out/trl" 2>"$out/trl.log" | tail -1 >"$out/trl.json"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(out + "/java/metrics.jsonl") if l.strip()]
prev, java = 0, []
split = []
for r in rows:
    toks = r["num_tokens"] - prev
    prev = r["num_tokens"]
    java.append(toks / r["tokens_per_second"])
    split.append((r["time/rollout"], r["time/judge"], r["time/update"]))
trl = json.load(open(out + "/trl.json"))
jw = java[1:] if len(java) > 1 else java
j = sum(jw) / len(jw)
t = trl["mean_step_seconds_after_first"]
sp = [sum(x[i] for x in split[1:]) / max(1, len(split) - 1) for i in range(3)]
print(json.dumps({"java_step_seconds": java, "java_mean_after_first": j, "java_split_rollout_judge_update": sp,
                  "trl_step_seconds": trl["step_seconds"], "trl_mean_after_first": t, "trl_over_java": t / j,
                  "trl": trl["trl"], "torch": trl["torch"], "threads": trl["threads"]}))
PY
