#!/usr/bin/env bash
# Runs the CPU JMH benchmarks and their numpy/PyTorch peers in one go on this machine, then writes
# bench/results/cpu-peers-<date>.json and .md and appends to bench/results/history.jsonl.
# The peers run before and after JMH (the best of each is kept: the machine may be shared).
#   bench/run-cpu-peers.sh            full run (~15 min)
#   bench/run-cpu-peers.sh --quick    short smoke run (fewer iterations; printed, not recorded)
# Python: PULSEMIND_PYTHON, default /tmp/oracle/bin/python (numpy + torch CPU; tools/oracle/README.md sets it up).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/peers/common.sh" run-cpu-peers numpy torch

quick=""; jmh_opts=()
if [ "${1:-}" = "--quick" ]; then quick="--quick"; jmh_opts=(-wi 2 -i 3 -w 1 -r 1); fi

mvn -q -B -DskipTests package
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
date=$(date -u +%Y-%m-%d)
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- java bench || echo "-dirty")
cat > "$tmp/machine.json" <<JSON
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "cpu": "$(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(lscpu | sed -n 's/^CPU family: *//p' | head -1), $(grep -o 'avx512f' /proc/cpuinfo | head -1 || echo no-avx512))",
 "cores": $(nproc),
 "memory_gb": $(free -g | awk '/^Mem:/ {print $2}'),
 "jdk": "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | sed 's/"/\\"/g')",
 "commit": "$commit",
 "load": "$(cut -d' ' -f1-3 /proc/loadavg)"}
JSON

"$py" bench/peers/cpu_peers.py $quick > "$tmp/peers1.json"
"$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar 'GemmBench|AttentionBench|RowOpsBench|LogprobBench' \
  "${jmh_opts[@]}" -rf json -rff "$tmp/jmh.json"
"$py" bench/peers/cpu_peers.py $quick > "$tmp/peers2.json"

# A quick run is a smoke test: its table is printed, not recorded.
dest=bench/results; [ -n "$quick" ] && dest=$tmp
"$py" bench/peers/cpu_report.py --jmh "$tmp/jmh.json" --peers "$tmp/peers1.json" "$tmp/peers2.json" \
  --machine "$tmp/machine.json" --out "$dest/cpu-peers-$date.json" \
  --md "$dest/cpu-peers-$date.md" --history "$dest/history.jsonl"
