#!/usr/bin/env bash
# CRPO on a tiny model after a short SFT, with the rubric judge: mean reward over the first and the last quarter of
# a short run, for three seeds. Usage: bench/crpo-reward-curve.sh WORKDIR [STEPS] [SFT_STEPS]
# LR and BETA (environment) override the learning rate (2e-4) and the KL coefficient (0.02); TAG names the runs;
# TURNS=all trains on every doctor turn (default: first turns only, --first-turn-only).
# Writes WORKDIR/seed-S/metrics.jsonl per seed and prints one summary line per seed (bench/crpo_quarters.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?work dir}; steps=${2:-24}; sft_steps=${3:-180}
pm="$root/bin/pulsemind"
mkdir -p "$work"
[ -d "$work/data" ] || "$pm" data synth --cases 64 --seed 11 --lang en --out "$work/data" --threads 2
[ -d "$work/model" ] || "$pm" model init --shape tiny --data "$work/data" --out "$work/model"
# full fine-tuning (the README's recipe): a LoRA on a random tiny model learns too little in a few minutes
if [ ! -f "$work/sft/checkpoints/latest/model.safetensors" ]; then
  "$pm" train sft --model "$work/model" --data "$work/data" --out "$work/sft" --max-steps "$sft_steps" --batch-size 8 \
    --lora-r 0 --lr 5e-3 --warmup 10 --max-length 512 --threads 2 --unigram-baseline false
fi
turns=--first-turn-only; [ "${TURNS:-first}" = all ] && turns=
for seed in 1 2 3; do
  out="$work/${TAG:-crpo}-seed-$seed"
  [ -f "$out/summary.json" ] && continue
  rm -rf "$out"
  "$pm" train crpo --model "$work/sft/checkpoints/latest" --data "$work/data" --judge rubric --lora-r 16 --lora-dropout 0 \
    --out "$out" --group-size 4 --batch-size 4 --max-steps "$steps" --max-new-tokens 48 $turns \
    --lr "${LR:-2e-4}" --beta "${BETA:-0.02}" --threads 2 --seed "$seed" --completions-every 8
done
python3 "$root/bench/crpo_quarters.py" "$work"/"${TAG:-crpo}"-seed-*
