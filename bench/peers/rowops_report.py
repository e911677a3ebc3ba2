#!/usr/bin/env python3
"""Summarise RowOpsBench JMH runs (-rf json, ideally with -prof gc) into one JSON document.

usage: rowops_report.py OUT.json LABEL=RUN.json [LABEL=RUN.json ...]

For each run: every benchmark's raw iteration times (ms), best and median, the allocation per op that -prof gc
measured (a Vector API loop that C2 has not intrinsified boxes every vector: tens of MB per op flag such a run),
and the ratios of RMSNorm and softmax to the copy baselines of the same bytes (copy time / op time, best against
best: on a shared machine noise only adds time).
"""
import json
import sys


def summarise(path):
    out = {}
    for b in json.load(open(path)):
        name = b["benchmark"].rsplit(".", 1)[-1]
        raw = [v for fork in b["primaryMetric"]["rawData"] for v in fork]
        alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        out[name] = {"params": b.get("params", {}), "raw_ms": raw, "best_ms": min(raw),
                     "median_ms": sorted(raw)[len(raw) // 2], "alloc_bytes_per_op": alloc}
    ratios = {}
    for op in ("rmsnorm", "softmax"):
        if op not in out:
            continue
        for base in ("copy", "copy2", "scale"):
            if base in out:
                ratios[f"{op}_vs_{base}"] = round(out[base]["best_ms"] / out[op]["best_ms"], 3)
    return {"benchmarks": out, "ratios_best": ratios}


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    doc = {}
    for arg in argv[2:]:
        label, _, path = arg.partition("=")
        if not path:
            sys.exit(f"argument {arg!r}: expected LABEL=RUN.json")
        doc[label] = summarise(path)
    with open(argv[1], "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
