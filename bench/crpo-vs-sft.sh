#!/usr/bin/env bash
# The three CRPO seeds of bench/crpo-reward-curve.sh against their SFT model on new cases (eval consult, rubric
# judge): merges WORK/TAG-seed-S's adapter at STEPS into the SFT weights and compares each with the SFT model.
# Usage: bench/crpo-vs-sft.sh WORKDIR TAG [STEPS]   (WORKDIR/eval-data: `data synth --cases 24 --seed 99 --lang en`)
# Prints per seed: wins/ties/losses over cases × dimensions, strict win rate and win + tie/2 with their 95% CIs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
w=${1:?work dir}; tag=${2:?tag}; steps=$(printf %06d "${3:-60}")
pm="$root/bin/pulsemind"
[ -d "$w/eval-data" ] || "$pm" data synth --cases 24 --seed 99 --lang en --out "$w/eval-data" --threads 2
models=()
for s in 1 2 3; do
  [ -f "$w/$tag-merged-$s/model.safetensors" ] || "$pm" model merge --model "$w/sft/checkpoints/latest" \
    --adapter "$w/$tag-seed-$s/checkpoints/step-$steps" --out "$w/$tag-merged-$s"
  models+=(--model "local:$w/$tag-merged-$s,name=$tag-s$s")
done
"$pm" eval consult --data "$w/eval-data" --judge rubric "${models[@]}" \
  --baseline "local:$w/sft/checkpoints/latest,name=sft" --max-new-tokens 48 --device cpu --threads 2 --batch 16 \
  --no-per-turn --out "$w/eval-$tag-vs-sft"
python3 - "$w/eval-$tag-vs-sft/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
pct = lambda e: f'{100 * e["estimate"]:.1f}% [{100 * e["low"]:.1f}, {100 * e["high"]:.1f}]'
for m in s["whole_consultation"]["models"]:
    c, r = m["counts"], m["meanWinRate"]
    lang = next(d for d in m["dimensions"] if d["dimension"] == "language")["counts"]
    print(f'{m["model"]}: W/T/L {c["wins"]}/{c["ties"]}/{c["losses"]}  win {pct(r["winRate"])}  '
          f'win+tie/2 {pct(r["winTieHalf"])}  language W/T/L {lang["wins"]}/{lang["ties"]}/{lang["losses"]}')
PY
