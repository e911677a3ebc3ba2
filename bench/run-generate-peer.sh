#!/usr/bin/env bash
# Prefill and decode tokens/s of a Qwen2.5-0.5B-shaped decoder (random weights, batch 1): ours
# (`bin/pulsemind bench generate`) against Hugging Face transformers `generate` on PyTorch CPU, in the same run.
# DTYPE=bf16 (default) is a bf16 checkpoint: ours keeps the linear layers bf16 and computes in f32; the peer
# runs in f32 and in bf16 and the ratio is taken against the faster of the two. DTYPE=f32: both f32.
# Rounds alternate which side goes first (the machine may be shared); each side's figure is the median of its
# rounds. The memory read bandwidth (bench/peers/ReadBandwidth.java) is measured before and after the rounds, so
# decode can be quoted as a fraction of its physical limit (weight bytes per token over read bandwidth), next to
# the fraction a 3x ratio would need. Writes bench/results/generate-<date>.json and appends a line to bench/results/history.jsonl.
#   bench/run-generate-peer.sh [ROUNDS]     default 3 rounds (~12 min on 2 cores)
# Python: PULSEMIND_PYTHON, default /tmp/oracle/bin/python (torch CPU + transformers; tools/oracle/README.md sets it up).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/peers/common.sh" run-generate-peer torch transformers
rounds=${1:-3}
dtype=${DTYPE:-bf16}
args=(--shape qwen2.5-0.5b --prompt 128 --new 16 --reps 3 --warmup 1)

mvn -q -B -DskipTests package
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- java bench || echo "-dirty")
load=$(cut -d' ' -f1-3 /proc/loadavg)
ours() { bin/pulsemind bench generate "${args[@]}" --dtype "$dtype" --json | tail -1 >> "$tmp/ours.jsonl"; }
peer() { # the peer's faster dtype: f32, and bf16 too for a bf16 checkpoint
  local d best="" bt=0 line
  for d in f32 $([ "$dtype" = bf16 ] && echo bf16); do
    line=$("$py" bench/peers/hf_generate.py "${args[@]}" --dtype "$d" --threads 2 | tail -1)
    echo "$line" >> "$tmp/peer-all.jsonl"
    t=$(echo "$line" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["decode_tokens_per_s"])')
    if [ -z "$best" ] || "$py" -c "import sys; sys.exit(0 if $t > $bt else 1)"; then best=$line; bt=$t; fi
  done
  echo "$best" >> "$tmp/peer.jsonl"
}
bandwidth() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector bench/peers/ReadBandwidth.java 1 2>/dev/null | tail -1 >> "$tmp/bw.jsonl"; }
bandwidth
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then ours; peer; else peer; ours; fi
  echo "round $r/$rounds: ours $(tail -1 "$tmp/ours.jsonl")" >&2
  echo "round $r/$rounds: peer $(tail -1 "$tmp/peer.jsonl")" >&2
done
bandwidth
echo "read bandwidth before and after: $(tr '\n' ' ' < "$tmp/bw.jsonl")" >&2

"$py" - "$tmp" "$commit" "$load" "${args[*]} --dtype $dtype" <<'PY'
import json, statistics, subprocess, sys, datetime, platform
tmp, commit, load, args = sys.argv[1:5]
ours = [json.loads(l) for l in open(f"{tmp}/ours.jsonl")]
peer = [json.loads(l) for l in open(f"{tmp}/peer.jsonl")]
med = lambda rows, key: statistics.median(r[key] for r in rows)
lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
cpu = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "unknown")
bw_runs = [json.loads(l)["read_gb_per_s"] for l in open(f"{tmp}/bw.jsonl")]
bw = statistics.median(max(r.values()) for r in bw_runs)  # all threads, as decode runs
bytes_per_token = ours[0]["read_bytes_per_token"]
limit = bw * 1e9 / bytes_per_token  # tokens/s if every weight byte streamed at the read bandwidth
ratios = {k: round(med(ours, f"{k}_tokens_per_s") / med(peer, f"{k}_tokens_per_s"), 2) for k in ("prefill", "decode")}
out = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": f"{cpu}, {len([l for l in open('/proc/cpuinfo') if l.startswith('processor')])} cores",
    "load_average_at_start": load, "commit": commit,
    "workload": "Qwen2.5-0.5B-shaped decoder (24 layers, 896 wide, 14/2 heads, 4864 FFN, 151,936 vocab, tied), "
                f"random weights, {args.split('--dtype ')[1]} checkpoint (ours: bf16 linears read as stored, f32 compute; peer: the faster of f32 and bf16), batch 1, 128-token prompt, 16 new tokens, greedy; prefill = generate(1), "
                "decode = (generate(16) - generate(1)) / 15, medians of 3 after 1 warm-up; rounds alternate order",
    "commands": {"ours": f"bin/pulsemind bench generate {args} --json",
                 "peer": f"python bench/peers/hf_generate.py {args.split(' --dtype')[0]} --dtype f32|bf16 --threads 2"},
    "rounds": {"ours": ours, "peer": peer, "peer_all_dtypes": [json.loads(l) for l in open(f"{tmp}/peer-all.jsonl")]},
    "median": {"ours": {k: med(ours, f"{k}_tokens_per_s") for k in ("prefill", "decode")},
               "peer": {k: round(med(peer, f"{k}_tokens_per_s"), 2) for k in ("prefill", "decode")},
               "weights_bytes": ours[0]["weights_bytes"], "host_peak_bytes": max(r["host_peak_bytes"] for r in ours)},
    "ratios": ratios,
    "per_round_ratios": [{k: round(o[f"{k}_tokens_per_s"] / p[f"{k}_tokens_per_s"], 2) for k in ("prefill", "decode")}
                         for o, p in zip(ours, peer)],
    "read_bandwidth": {"runs_gb_per_s": bw_runs, "median_all_threads_gb_per_s": bw,
                       "read_bytes_per_token": bytes_per_token, "decode_limit_tokens_per_s": round(limit, 1),
                       "ours_fraction_of_limit": round(med(ours, "decode_tokens_per_s") / limit, 2),
                       "fraction_3x_peer_needs": round(3 * med(peer, "decode_tokens_per_s") / limit, 2)},
    "targets": {"decode": ">= 3x", "prefill": ">= 1x"},
    "met": {"decode": ratios["decode"] >= 3, "prefill": ratios["prefill"] >= 1},
}
day = out["date"][:10]
with open(f"bench/results/generate-{day}.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
with open("bench/results/history.jsonl", "a") as f:
    f.write(json.dumps({"date": out["date"], "commit": commit, "machine": out["machine"], "kind": "generate",
                        "load": load, "ratios": ratios}) + "\n")
print(json.dumps({"ratios": ratios, "median": out["median"], "read_bandwidth": out["read_bandwidth"]}))
PY
