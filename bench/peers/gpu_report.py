#!/usr/bin/env python3
"""Joins GpuBench's results with the PyTorch peer's into gpu-bench-<date>-<card>.json and prints the table.

Rows: {"name", "shape", "ours", "peer", "unit", "ratio"} (+ "target", "meets", and "torch" for memory-bound rows).
  gemm_bf16_*   ours: our cuBLASLt binding, peer: torch.matmul on the same shape, same call; target ratio >= 0.95
  memory-bound  ours: achieved GB/s, peer: our measured device copy bandwidth; target ratio >= 0.85
                ("torch": PyTorch's own op on the same shape, for context)
  copy_d2d      ours: cuMemcpyDtoD, peer: torch copy_
Targets are reported, not enforced: the exit status is 0 whenever both inputs were read.
"""
import argparse
import json

GEMM_TARGET, MEMORY_TARGET = 0.95, 0.85


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--date", required=True)
    args = ap.parse_args()
    ours, peer = json.load(open(args.ours)), json.load(open(args.peer))
    rows = []
    for r in ours["rows"]:
        row = {"name": r["name"], "shape": r["shape"], "ours": round(r["value"], 2), "unit": r["unit"]}
        if r["kind"] == "gemm":
            p = peer["rows"].get(r["name"])
            row["peer"] = round(p["value"], 2) if p else None
            row["target"] = GEMM_TARGET
        elif r["kind"] == "memory":
            row["peer"] = round(ours["copy_gbps"], 2)
            row["target"] = MEMORY_TARGET
            t = peer["rows"].get(r["name"])
            if t:
                row["torch"] = round(t["value"], 2)
        else:
            row["peer"] = round(peer["copy_gbps"], 2)
            row["target"] = None
        row["ratio"] = round(row["ours"] / row["peer"], 3) if row.get("peer") else None
        row["meets"] = None if row["target"] is None or row["ratio"] is None else row["ratio"] >= row["target"]
        rows.append(row)
    doc = {"device": ours["device"], "date": args.date, "torch": peer.get("torch"), "cuda": peer.get("cuda"),
           "copy_gbps": round(ours["copy_gbps"], 1), "rows": rows}
    json.dump(doc, open(args.out, "w"), indent=1)
    print(f"{'name':28} {'shape':22} {'ours':>9} {'peer':>9} {'unit':8} {'ratio':>6}  target")
    for r in rows:
        mark = "" if r["meets"] is None else ("ok" if r["meets"] else "BELOW")
        peer_s = "-" if r["peer"] is None else f"{r['peer']:9.1f}"
        ratio_s = "-" if r["ratio"] is None else f"{r['ratio']:6.3f}"
        print(f"{r['name']:28} {r['shape']:22} {r['ours']:9.1f} {peer_s:>9} {r['unit']:8} {ratio_s:>6}  {mark}")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
