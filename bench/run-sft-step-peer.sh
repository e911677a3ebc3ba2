#!/usr/bin/env bash
# One SFT optimiser step (forward + backward + AdamW, LoRA r=16 on the text decoder, vision tower frozen) of the
# 8M-parameter Qwen2.5-VL-shaped model (`model init --shape small`): batch 8 x 256 tokens, one 112x112 image each
# (16 image tokens), f32 on the CPU, 2 threads. Three figures in the same session, median step time each:
#   ours       bin/pulsemind bench sft-step --device cpu            (the fast CPU backend)
#   reference  bin/pulsemind bench sft-step --device cpu-reference  (the scalar reference backend)
#   peer       bench/peers/sft_step_peer.py                         (transformers + PEFT, PyTorch eager CPU)
# Target: peer / ours >= 1.5. Rounds alternate the order of ours and the peer.
# Writes bench/results/sft-step-<date>.json and .md and appends a line to bench/results/history.jsonl.
#   bench/run-sft-step-peer.sh [ROUNDS]     default 1 round
# SFT_STEP_REPS (5) timed steps per side after one warm-up; SFT_STEP_REF_REPS (2) for the reference backend, whose
# step takes minutes here (0 leaves it out).
# Python: PULSEMIND_PYTHON, default /tmp/oracle/bin/python (torch CPU + transformers + peft).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/peers/common.sh" run-sft-step-peer torch transformers peft
rounds=${1:-1}
threads=${SFT_STEP_THREADS:-2}
reps=${SFT_STEP_REPS:-5}
ref_reps=${SFT_STEP_REF_REPS:-2}

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
model="$tmp/model"
bin/pulsemind model init --shape small --data datasets/samples/synthetic-mini --out "$model" >&2
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- java bench || echo "-dirty")
load=$(cut -d' ' -f1-3 /proc/loadavg)
shape=(--batch 8 --tokens 256 --image 112 --lora-r 16 --threads "$threads")
ours() { bin/pulsemind bench sft-step --model "$model" "${shape[@]}" --device cpu --warmup 1 --reps "$reps" --json | tail -1 >> "$tmp/ours.jsonl"; }
ref() { bin/pulsemind bench sft-step --model "$model" "${shape[@]}" --device cpu-reference --warmup 1 --reps "$ref_reps" --json | tail -1 >> "$tmp/reference.jsonl"; }
# OpenBLAS tuning variables set for the JVM's neighbours must not reach NumPy/PyTorch's OpenBLAS in the peer
peer() { (unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; "$py" bench/peers/sft_step_peer.py --model "$model" "${shape[@]}" --warmup 1 --reps "$reps") 2>/dev/null | tail -1 >> "$tmp/peer.jsonl"; }
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then ours; peer; else peer; ours; fi
  [ "$ref_reps" -gt 0 ] && ref
  touch "$tmp/reference.jsonl"
  for s in ours peer reference; do echo "round $r/$rounds: $s $(tail -1 "$tmp/$s.jsonl")" >&2; done
done

"$py" - "$tmp" "$commit" "$load" "${shape[*]}" <<'PY'
import json, statistics, subprocess, sys, datetime
tmp, commit, load, args = sys.argv[1:5]
rows = {k: [json.loads(l) for l in open(f"{tmp}/{k}.jsonl")] for k in ("ours", "peer", "reference")}
if not rows["reference"]:
    del rows["reference"]
med = {k: statistics.median(r["median_s"] for r in v) for k, v in rows.items()}
lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
cpu = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "unknown")
cores = len([l for l in open('/proc/cpuinfo') if l.startswith('processor')])
ratios = {"peer_over_ours": round(med["peer"] / med["ours"], 2)}
if "reference" in med:
    ratios["reference_over_ours"] = round(med["reference"] / med["ours"], 2)
end_load = " ".join(open("/proc/loadavg").read().split()[:3])
out = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": f"{cpu}, {cores} cores", "load_average_at_start": load, "load_average_at_end": end_load,
    "note": "shared machine: other builds and tests ran at the same time (see the load averages)",
    "commit": commit,
    "workload": "one SFT step (forward + loss + backward + clip + AdamW) of model init --shape small (7.7M parameters, "
                "LoRA r=16 alpha 32 dropout 0.1 on q,k,v,o,gate,up,down: 598,016 trained), batch 8 x 256 tokens, one "
                "112x112 image (16 image tokens) each, f32",
    "commands": {"ours": f"bin/pulsemind bench sft-step --model M {args} --device cpu --json",
                 "reference": f"bin/pulsemind bench sft-step --model M {args} --device cpu-reference --json",
                 "peer": f"python bench/peers/sft_step_peer.py --model M {args}"},
    "rounds": rows, "median_step_s": med, "ratios": ratios, "target": {"peer_over_ours": ">= 1.5"},
    "met": ratios["peer_over_ours"] >= 1.5,
}
day = out["date"][:10]
with open(f"bench/results/sft-step-{day}.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
with open(f"bench/results/sft-step-{day}.md", "w") as f:
    f.write(f"# SFT step, {out['date']}\n\n{out['workload']}.\n\nMachine: {out['machine']}; load average {load} at the start, "
            f"{end_load} at the end ({out['note']}). Commit {commit}.\n\n")
    f.write("| | median step (s) | steps timed | vs ours |\n|---|---|---|---|\n")
    names = {"ours": "ours, fast CPU backend", "peer": "transformers + PEFT, PyTorch eager", "reference": "ours, reference backend"}
    for k in med:
        f.write(f"| {names[k]} | {med[k]:.3f} | {sum(r['reps'] for r in rows[k])} | {med[k] / med['ours']:.2f}x |\n")
    f.write(f"\nTarget peer / ours >= 1.5: {'met' if out['met'] else 'not met'} ({ratios['peer_over_ours']}).\n")
with open("bench/results/history.jsonl", "a") as f:
    f.write(json.dumps({"date": out["date"], "commit": commit, "machine": out["machine"], "kind": "sft-step",
                        "load": load, "ratios": ratios}) + "\n")
print(json.dumps({"ratios": ratios, "median_step_s": med}))
PY
