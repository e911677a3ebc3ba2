#!/usr/bin/env bash
# Loader peer benchmark (issue 5's target): processed samples/s with images, our DataLoader + QwenSampleEncoder
# (bin/pulsemind bench loader) against a PyTorch DataLoader + the transformers processor
# (bench/peers/loader_peer.py), on the same synthetic records, model directory and machine, in one run.
#
#   bench/run-loader-peer.sh            # writes bench/results/loader-<date>.json and .md
#
# Rounds alternate which side goes first; each run does WARMUP untimed epochs then REPS timed ones. Around every
# run it samples /proc/loadavg and /proc/stat, and reports how much CPU other processes took meanwhile
# (others_cpu_share: their busy time / (wall time × cores)). Both sides must produce the same checksums (tokens,
# trained tokens, image patches, pixel sum), or the report says so and exits non-zero.
# Environment: PY (python with torch, transformers, torchvision or the shim; default /tmp/oracle/bin/python),
# DATA, MODEL (made when missing), ROUNDS (3), REPS (5), WARMUP (2), THREADS (2), OUT (bench/results).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
PY=${PY:-/tmp/oracle/bin/python}
DATA=${DATA:-/tmp/pm-loader-synth}
MODEL=${MODEL:-/tmp/pm-loader-model}
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-5}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
OUT=${OUT:-$root/bench/results}

[ -f "$DATA/dataset.json" ] || bin/pulsemind data synth --cases 300 --seed 1 --out "$DATA" >&2
[ -f "$MODEL/config.json" ] || "$PY" bench/peers/loader_peer.py make-model-dir --model "$MODEL" >&2

runs=$(mktemp)
trap 'rm -f "$runs" "$runs.out" "$runs.time"' EXIT

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; } # busy, total jiffies

measure() { # side round command...
  local side=$1 round=$2; shift 2
  local la0 la1 b0 t0 b1 t1
  la0=$(cut -d' ' -f1 /proc/loadavg); read -r b0 t0 < <(busy)
  /usr/bin/time -f '%e %U %S' -o "$runs.time" "$@" > "$runs.out"
  read -r b1 t1 < <(busy); la1=$(cut -d' ' -f1 /proc/loadavg)
  "$PY" - "$side" "$round" "$la0" "$la1" "$b0" "$t0" "$b1" "$t1" "$runs.out" "$runs.time" >> "$runs" <<'EOF'
import json, os, sys
side, rnd, la0, la1, b0, t0, b1, t1, out, tm = sys.argv[1:]
r = json.loads(open(out).read().strip().splitlines()[-1])
wall, user, sys_ = map(float, open(tm).read().split()[-3:])
hz = os.sysconf("SC_CLK_TCK")
others = max(0.0, (int(b1) - int(b0)) / hz - user - sys_) / ((int(t1) - int(t0)) / hz)
r.update(side=side, round=int(rnd), loadavg_before=float(la0), loadavg_after=float(la1), wall_s=wall,
         own_cpu_s=round(user + sys_, 2), others_cpu_share=round(others, 3))
print(json.dumps(r))
EOF
  tail -1 "$runs" >&2
}

ours() { measure ours "$1" bin/pulsemind bench loader --data "$DATA" --model "$MODEL" --threads "$THREADS" \
           --reps "$REPS" --warmup "$WARMUP" --json; }
peer() { measure peer "$1" "$PY" bench/peers/loader_peer.py --data "$DATA" --model "$MODEL" --workers "$THREADS" \
           --reps "$REPS" --warmup "$WARMUP"; }

bin/pulsemind --version >/dev/null # builds the CLI first, outside the timed runs
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then ours "$r"; peer "$r"; else peer "$r"; ours "$r"; fi
done

mkdir -p "$OUT"
"$PY" bench/peers/loader_report.py --runs "$runs" --data "$DATA" --model "$MODEL" --threads "$THREADS" \
  --out "$OUT/loader-$(date +%F)"
