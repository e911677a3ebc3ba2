#!/usr/bin/env python3
"""Merges a JMH JSON result (-rf json) and cpu_peers.py output into the CPU peer table.

Writes bench/results/cpu-peers-<date>.json (machine, versions, commit, every timing, the ratios) and a markdown
table next to it, and appends one summary line to bench/results/history.jsonl. Ratios use the fastest observed
time on both sides (JMH: best measurement iteration; peers: best repetition) because the machine is shared and
noise only ever adds time; medians are recorded too. A ratio > 1 means PulseMind-J is faster.
"""
import argparse
import json
import statistics

GEMM_SIZES = (1024, 2048)
ATTN_FLOP = 2 * 2 * 8 * 1024 * 1024 * 64 / 2          # causal: half of QKᵀ and PV
ROW_BYTES = 2 * 4096 * 4096 * 4                          # read + write
LP_FLOP = 2 * 512 * 1024 * 32000


def jmh_times(path):
    """{(benchmark method, params tuple): (min ms, median ms)} from a JMH JSON file."""
    out = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        params = tuple(sorted((r.get("params") or {}).items()))
        raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
        out[(name, params)] = (min(raw), statistics.median(raw))
    return out


def find(jmh, name, **params):
    for (n, p), v in jmh.items():
        if n == name and all(dict(p).get(k) == str(val) for k, val in params.items()):
            return v
    raise KeyError(f"JMH result {name} {params} missing")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jmh", required=True)
    ap.add_argument("--peers", required=True, nargs="+", help="one or more cpu_peers.py outputs (best is taken)")
    ap.add_argument("--machine", required=True, help="JSON file describing the machine and commit")
    ap.add_argument("--out", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--history", required=True)
    a = ap.parse_args()
    jmh = jmh_times(a.jmh)
    peers, versions = {}, {}
    for path in a.peers:
        doc = json.load(open(path))
        versions = doc["versions"]
        for r in doc["results"]:
            lo, med = peers.get(r["name"], (float("inf"), float("inf")))
            peers[r["name"]] = (min(lo, r["ms_min"]), min(med, r["ms_median"]))
    machine = json.load(open(a.machine))

    rows = []  # (what, ours (min, med), peer name, peer (min, med), unit work, unit, target, higher-is-ours)

    def add(what, ours, peer_name, work, unit, target):
        peer = peers.get(peer_name) if peer_name else None
        rows.append(dict(what=what, ours_ms=ours[0], ours_ms_median=ours[1], peer=peer_name,
                         peer_ms=peer[0] if peer else None, peer_ms_median=peer[1] if peer else None,
                         work=work, unit=unit, target=target))

    for n in GEMM_SIZES:
        ours = find(jmh, "GemmBench.matmul", n=n)
        add(f"GEMM {n}³", ours, f"numpy_matmul_{n}", 2 * n ** 3, "GFLOP/s", 0.8)
        add(f"GEMM {n}³ (vs torch)", ours, f"torch_matmul_{n}", 2 * n ** 3, "GFLOP/s", None)
    add("attention fwd causal B1 H8 S1024 D64", find(jmh, "AttentionBench.forward"), "torch_sdpa_causal_fwd",
        ATTN_FLOP, "GFLOP/s", 1.0)
    add("attention bwd causal B1 H8 S1024 D64", find(jmh, "AttentionBench.backward"), "torch_sdpa_causal_bwd",
        2.5 * ATTN_FLOP, "GFLOP/s", None)
    copy = min(find(jmh, "RowOpsBench.copy"), find(jmh, "RowOpsBench.copy2"))
    for op, peer in (("rmsnorm", "torch_rms_norm"), ("softmax", "torch_softmax")):
        ours = find(jmh, f"RowOpsBench.{op}")
        add(f"{op} 4096x4096 vs copy ceiling", ours, None, ROW_BYTES, "GB/s", 0.8)
        rows[-1]["peer"], rows[-1]["peer_ms"], rows[-1]["peer_ms_median"] = "memcpy (JMH copy/copy2, best)", copy[0], copy[1]
        add(f"{op} 4096x4096 (vs torch)", ours, peer, ROW_BYTES, "GB/s", None)
    if any(n == "RowOpsBench.scale" for n, _ in jmh):  # a plain Vector API loop over the same bytes
        scale = find(jmh, "RowOpsBench.scale")
        add("scale 4096x4096 vs copy ceiling", scale, None, ROW_BYTES, "GB/s", None)
        rows[-1]["peer"], rows[-1]["peer_ms"], rows[-1]["peer_ms_median"] = "memcpy (JMH copy/copy2, best)", copy[0], copy[1]
    add("log-prob fwd N512 C1024 V32000", find(jmh, "LogprobBench.forward"), "torch_logprob_fwd", LP_FLOP, "GFLOP/s", None)
    add("log-prob bwd N512 C1024 V32000", find(jmh, "LogprobBench.backward"), "torch_logprob_bwd", 3 * LP_FLOP, "GFLOP/s", None)

    for r in rows:
        r["ours_rate"] = r["work"] / (r["ours_ms"] * 1e6)
        r["ratio"] = r["peer_ms"] / r["ours_ms"] if r["peer_ms"] else None
        r["met"] = None if r["target"] is None or r["ratio"] is None else r["ratio"] >= r["target"]

    doc = {"machine": machine, "versions": versions, "method": "best-of (min) times on both sides; medians recorded",
           "rows": rows, "jmh_raw": {f"{k[0]} {dict(k[1])}": v for k, v in jmh.items()}, "peers_raw": peers}
    json.dump(doc, open(a.out, "w"), indent=1)

    lines = [f"# CPU peers, {machine['date']}", "",
             f"Machine: {machine['cpu']}, {machine['cores']} cores; JDK {machine['jdk']}; numpy {versions.get('numpy')} "
             f"({versions.get('blas')}); torch {versions.get('torch')} ({versions.get('torch_threads')} threads); "
             f"commit {machine['commit']}; load average at start {machine['load']}.", "",
             "Times are the best observed (JMH measurement iterations; peer repetitions); ratio = peer time / ours "
             "(> 1: ours faster). Rates are ours.", "",
             "| benchmark | ours ms | peer | peer ms | ratio | ours rate | target | met |",
             "|---|---:|---|---:|---:|---:|---:|:---:|"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        tgt = f"≥ {r['target']}" if r["target"] else ""
        peer_ms = f"{r['peer_ms']:.2f}" if r["peer_ms"] else "-"
        lines.append(f"| {r['what']} | {r['ours_ms']:.2f} | {r['peer']} | {peer_ms} | {ratio} | "
                     f"{r['ours_rate']:.1f} {r['unit']} | {tgt} | {met} |")
    open(a.md, "w").write("\n".join(lines) + "\n")

    summary = {"date": machine["date"], "commit": machine["commit"], "machine": machine["cpu"], "kind": "cpu-peers",
               "load": machine["load"],
               "ratios": {r["what"]: round(r["ratio"], 3) for r in rows if r["ratio"]}}
    with open(a.history, "a") as f:
        f.write(json.dumps(summary) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
