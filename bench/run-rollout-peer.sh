#!/usr/bin/env bash
# Batched rollout throughput (the CRPO sampling workload): B prompts x N new tokens, sampled (temperature, top-p),
# Qwen2.5-0.5B-shaped decoder with random f32 weights. Three figures per round, side by side:
#   ours       bin/pulsemind bench generate --batch B ...              (the engine, continuous batching)
#   sequential bin/pulsemind bench generate --batch B ... --sequential (the same engine, one request at a time)
#   peer       bench/peers/hf_rollout.py                               (transformers generate, batch B, PyTorch CPU)
# Rounds alternate the order; each figure is the median of its rounds. Targets: ours >= 3x peer, >= 8x sequential.
# Writes bench/results/rollout-<date>.json and appends a line to bench/results/history.jsonl.
#   bench/run-rollout-peer.sh [ROUNDS]     default 2 rounds (about 25 min on 2 quiet cores)
# Python: PULSEMIND_PYTHON, default /tmp/oracle/bin/python (torch CPU + transformers).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/peers/common.sh" run-rollout-peer torch transformers
rounds=${1:-2}
shape=(--shape qwen2.5-0.5b --prompt 64 --new 64 --batch 16)
sampling=(--temperature 1.0 --top-p 0.9)

mvn -q -B -DskipTests package
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- java bench || echo "-dirty")
load=$(cut -d' ' -f1-3 /proc/loadavg)
ours() { bin/pulsemind bench generate "${shape[@]}" "${sampling[@]}" --warmup 1 --reps 1 --json | tail -1 >> "$tmp/ours.jsonl"; }
seq1() { bin/pulsemind bench generate "${shape[@]}" "${sampling[@]}" --warmup 1 --reps 1 --sequential --json | tail -1 >> "$tmp/seq.jsonl"; }
peer() { (cd bench/peers && "$py" hf_rollout.py "${shape[@]}" "${sampling[@]}" --threads "$(nproc)" --warmup 1 --reps 1) | tail -1 >> "$tmp/peer.jsonl"; }
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then ours; peer; seq1; else seq1; peer; ours; fi
  for s in ours seq peer; do echo "round $r/$rounds: $s $(tail -1 "$tmp/$s.jsonl")" >&2; done
done

"$py" - "$tmp" "$commit" "$load" "${shape[*]} ${sampling[*]}" <<'PY'
import json, statistics, subprocess, sys, datetime
tmp, commit, load, args = sys.argv[1:5]
rows = {k: [json.loads(l) for l in open(f"{tmp}/{k}.jsonl")] for k in ("ours", "seq", "peer")}
med = {k: statistics.median(r["throughput_tokens_per_s"] for r in v) for k, v in rows.items()}
lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
cpu = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "unknown")
ratios = {"vs_transformers": round(med["ours"] / med["peer"], 2), "vs_sequential": round(med["ours"] / med["seq"], 2)}
out = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": f"{cpu}, {len([l for l in open('/proc/cpuinfo') if l.startswith('processor')])} cores",
    "load_average_at_start": load, "load_average_at_end": " ".join(open("/proc/loadavg").read().split()[:3]),
    "commit": commit,
    "workload": "rollouts: 16 prompts x (64 random prompt ids + exactly 64 new tokens), sampled T=1.0 top-p=0.9 top-k off, "
                "Qwen2.5-0.5B-shaped decoder (random f32 weights); throughput = all new tokens / wall time, prefill included",
    "commands": {"ours": f"bin/pulsemind bench generate {args} --warmup 1 --reps 1 --json",
                 "sequential": f"bin/pulsemind bench generate {args} --warmup 1 --reps 1 --sequential --json",
                 "peer": f"python bench/peers/hf_rollout.py {args} --threads N --warmup 1 --reps 1"},
    "rounds": rows, "median_throughput_tokens_per_s": med, "ratios": ratios,
    "targets": {"vs_transformers": ">= 3x", "vs_sequential": ">= 8x"},
    "met": {"vs_transformers": ratios["vs_transformers"] >= 3, "vs_sequential": ratios["vs_sequential"] >= 8},
}
day = out["date"][:10]
with open(f"bench/results/rollout-{day}.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
with open("bench/results/history.jsonl", "a") as f:
    f.write(json.dumps({"date": out["date"], "commit": commit, "machine": out["machine"], "kind": "rollout",
                        "load": load, "ratios": ratios}) + "\n")
print(json.dumps({"ratios": ratios, "median": med}))
PY
