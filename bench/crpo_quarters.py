"""Mean reward over the first and the last quarter of each CRPO run (metrics.jsonl), and the run-to-run noise.

Usage: python3 bench/crpo_quarters.py RUN_DIR...
"""
import json
import statistics
import sys


def quarters(run):
    rows = [json.loads(l) for l in open(run + "/metrics.jsonl") if l.strip()]
    r = [x["reward"] for x in rows if "reward" in x]
    q = max(1, len(r) // 4)
    return statistics.mean(r[:q]), statistics.mean(r[-q:]), len(r)


def main():
    deltas = []
    for run in sys.argv[1:]:
        a, b, n = quarters(run)
        deltas.append(b - a)
        print(f"{run}: steps {n}, first-quarter reward {a:.4f}, last-quarter {b:.4f}, delta {b - a:+.4f}")
    if len(deltas) > 1:
        print(f"delta mean {statistics.mean(deltas):+.4f}, sd over runs {statistics.stdev(deltas):.4f}, n={len(deltas)}")


if __name__ == "__main__":
    main()
