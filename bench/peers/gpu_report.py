#!/usr/bin/env python3
"""Joins GpuBench's results with the PyTorch peers' into gpu-bench-<date>-<card>.json and prints the table.

Rows: {"name", "shape", "ours", "peer", "unit", "ratio"} (+ "target", "meets", and context fields). The ratio is
oriented so that > 1 means ours is better: ours/peer for rates (TFLOP/s, GB/s, tokens/s), peer/ours for times (ms)
and memory (MiB).
  gemm_bf16_*        ours: our cuBLASLt binding, peer: torch.matmul on the same shape, same call; target >= 0.95
  memory-bound       ours: achieved GB/s, peer: our measured device copy bandwidth; target >= 0.85
                     ("torch": PyTorch's own op on the same shape, for context)
  copy_d2d           ours: cuMemcpyDtoD, peer: torch copy_
  attention_fwd_*    ours per kernel variant (suffix), peer: SDPA (flash backend); target >= 1.0 (bar 0.8)
  attention_bwd_*    ours, peer: SDPA backward; target >= 0.8
  logprob_*peakmem_* ours: peak device memory beyond the inputs, peer: the unfused path's; target: ours <= 1/8 of
                     the materialised bf16 logits ("target_mib")
  logprob_fwd*_      time, peer: logits + log_softmax + gather (+ autograd); target: ours <= 1.2 x peer
  decode_attn_*      ours: split-K decode, peer: SDPA over the cache (context)
  decode_3b_*        ours: greedy decoding tokens/s, peer: transformers generate; target >= 3
  sample_*           ours: the device sampler, peer: HF's processors in torch (context)
Targets are reported, not enforced: the exit status is 0 whenever the inputs were read.
"""
import argparse
import json

GEMM_TARGET, MEMORY_TARGET = 0.95, 0.85
HIGHER_IS_BETTER = {"TFLOP/s", "GB/s", "tokens/s"}


def part1_row(r, ours, peer):
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
    return row


def target_of(name):
    if name.startswith("attention_fwd_"):
        return 1.0
    if name.startswith("attention_bwd_"):
        return 0.8
    if name.startswith("logprob_") and "peakmem" not in name:
        return 0.833  # ours <= 1.2 x the peer's time
    if name.startswith("decode_3b_"):
        return 3.0
    return None


def part2_row(r, peers):
    skip = {"name", "shape", "kind", "ms", "value", "unit", "peer_key"}
    p = peers.get(r.get("peer_key"))
    ours, unit = r["value"], r["unit"]
    row = {"name": r["name"], "shape": r["shape"], "ours": round(ours, 4), "peer": round(p["value"], 4) if p else None,
           "unit": unit}
    if p and p.get("unit") and p["unit"] != unit:
        raise SystemExit(f"{r['name']}: ours in {unit}, the peer's {r['peer_key']} in {p['unit']}")
    if p and ours > 0 and p["value"] > 0:
        row["ratio"] = round(ours / p["value"] if unit in HIGHER_IS_BETTER else p["value"] / ours, 3)
    else:
        row["ratio"] = None
    if "peakmem" in r["name"]:
        row["target"] = f"<= {r['target_mib']:.0f} MiB (1/8 of the bf16 logits)"
        row["meets"] = ours <= r["target_mib"]
    else:
        row["target"] = target_of(r["name"])
        row["meets"] = None if row["target"] is None or row["ratio"] is None else row["ratio"] >= row["target"]
    row.update({k: v for k, v in r.items() if k not in skip})
    if p:
        row.update({f"peer_{k}": v for k, v in p.items() if k not in ("shape", "value", "unit")})
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--peer", required=True, help="bench/peers/gpu_torch.py's JSON (GEMM and memory-bound peers)")
    ap.add_argument("--peers", nargs="*", default=[], help="part-2 peers' JSONs (attention, logprob, sampling, generate)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--date", required=True)
    args = ap.parse_args()
    ours, peer = json.load(open(args.ours)), json.load(open(args.peer))
    more = {}
    for path in args.peers:
        try:
            more.update(json.load(open(path))["rows"])
        except (OSError, ValueError, KeyError) as e:
            print(f"[report] peer file {path} unreadable: {e}")
    rows = [part1_row(r, ours, peer) if r["kind"] in ("gemm", "memory", "ceiling") else part2_row(r, more)
            for r in ours["rows"]]
    doc = {"device": ours["device"], "date": args.date, "torch": peer.get("torch"), "cuda": peer.get("cuda"),
           "copy_gbps": round(ours["copy_gbps"], 1), "rows": rows}
    json.dump(doc, open(args.out, "w"), indent=1)
    print(f"{'name':44} {'shape':30} {'ours':>10} {'peer':>10} {'unit':8} {'ratio':>6}  target")
    for r in rows:
        mark = "" if r["meets"] is None else ("ok" if r["meets"] else "BELOW")
        peer_s = "-" if r["peer"] is None else f"{r['peer']:10.4g}"
        ratio_s = "-" if r["ratio"] is None else f"{r['ratio']:6.3f}"
        print(f"{r['name']:44} {r['shape'][:30]:30} {r['ours']:10.4g} {peer_s:>10} {r['unit']:8} {ratio_s:>6}  {mark}")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
