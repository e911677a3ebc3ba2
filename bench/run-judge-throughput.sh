#!/usr/bin/env bash
# Judge throughput: 1,000 comparisons against a loopback OpenAI-style endpoint with 200 ms latency, 64 requests in
# flight, against the same comparisons one request at a time (our client in a loop, and the openai Python client in
# a loop as the paper's released scripts do). Writes bench/results/judge-throughput-<date>.json and appends a line
# to bench/results/history.jsonl.
#   bench/run-judge-throughput.sh                 full run (the loops take about 200 s each)
#   bench/run-judge-throughput.sh --quick         200 pairs, loops on 50 (printed, not recorded)
# Python: PULSEMIND_PYTHON, default /tmp/oracle/bin/python (with the openai package).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/peers/common.sh" run-judge-throughput openai

args=(--pairs 1000 --latency-ms 200 --concurrency 64)
quick=""
if [ "${1:-}" = "--quick" ]; then quick=1; args=(--pairs 200 --latency-ms 200 --concurrency 64 --sequential 50); fi

mvn -q -B -DskipTests package -pl java,bench -am
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
date=$(date -u +%Y-%m-%d)
commit=$(git rev-parse --short HEAD)$([ -z "$(git status --porcelain -- java bench/src bench/peers bench/pom.xml "$0")" ] || echo "-dirty")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar ai.pulsemind.bench.judge.JudgeThroughputBench "${args[@]}" \
  --python "$py" --peer bench/peers/judge_loop_peer.py --out "$tmp/run.json"

dest=bench/results; [ -n "$quick" ] && dest=$tmp
"$py" - "$tmp/run.json" "$dest/judge-throughput-$date.json" "$dest/history.jsonl" "$commit" "$load_before" <<'PY'
import json, os, platform, subprocess, sys, time
run, out, history, commit, load_before = sys.argv[1:]
r = json.load(open(run))
cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
model = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), platform.processor())
r["machine"] = {"cpu": model, "cores": os.cpu_count(), "load_before": load_before,
                "load_after": " ".join(open("/proc/loadavg").read().split()[:3])}
r["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
r["commit"] = commit
json.dump(r, open(out, "w"), indent=2)
open(out, "a").write("\n")
line = {"date": r["date"], "commit": commit, "machine": f"{model}, {os.cpu_count()} cores", "kind": "judge-throughput",
        "load": load_before, "ratios": {k: round(v, 1) for k, v in r["ratios"].items()}}
if not out.startswith("/tmp"):
    open(history, "a").write(json.dumps(line) + "\n")
print(json.dumps(r, indent=2))
PY
