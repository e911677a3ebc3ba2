#!/usr/bin/env python3
"""Summarises bench/run-loader-peer.sh's runs (one JSON line per run) into loader-<date>.json and .md.

Figures: per side, the median over every timed epoch of every round, and each round's median; the ratio is ours
over the peer's, of those medians, and also per round (both sides measured back to back). Checksums must agree.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), None)
    mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), None)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": mem, "kernel": platform.release()}


def checksums(runs):
    keys = ("records", "tokens", "trained_tokens", "patches")
    ref = runs[0]
    problems = []
    for r in runs:
        for k in keys:
            if r[k] != ref[k]:
                problems.append(f"{r['side']} round {r['round']}: {k} {r[k]} != {ref[k]}")
        if abs(r["pixel_sum"] - ref["pixel_sum"]) > 1e-9 * abs(ref["pixel_sum"]):
            problems.append(f"{r['side']} round {r['round']}: pixel_sum {r['pixel_sum']} != {ref['pixel_sum']}")
    return {k: ref[k] for k in keys + ("pixel_sum",)}, problems


def side(runs, name):
    mine = [r for r in runs if r["side"] == name]
    rates = [x for r in mine for x in r["samples_per_s"]]
    return {"median_samples_per_s": round(statistics.median(rates), 2),
            "round_medians": [r["median_samples_per_s"] for r in mine],
            "epochs": len(rates), "min": min(rates), "max": max(rates),
            "others_cpu_share": [r["others_cpu_share"] for r in mine],
            "loadavg": [[r["loadavg_before"], r["loadavg_after"]] for r in mine]}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", required=True, help="the runs, one JSON line each, or an earlier loader-<date>.json")
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--out", required=True, help="path without extension")
    a = ap.parse_args()
    text = open(a.runs).read()
    earlier = None
    if text.lstrip().startswith("{\n"):  # an earlier report: re-render it as measured (commit, machine)
        earlier = json.loads(text)
        runs = earlier["runs"]
    else:
        runs = [json.loads(l) for l in text.splitlines() if l.strip()]
    sums, problems = checksums(runs)
    ours, peer = side(runs, "ours"), side(runs, "peer")
    rounds = sorted({r["round"] for r in runs})
    per_round = []
    for n in rounds:
        o = next(r for r in runs if r["side"] == "ours" and r["round"] == n)
        p = next(r for r in runs if r["side"] == "peer" and r["round"] == n)
        per_round.append(round(o["median_samples_per_s"] / p["median_samples_per_s"], 3))
    ratio = round(ours["median_samples_per_s"] / peer["median_samples_per_s"], 3)
    o0 = next(r for r in runs if r["side"] == "ours")
    p0 = next(r for r in runs if r["side"] == "peer")
    commit = sh("git", "rev-parse", "--short", "HEAD")
    dirty = bool(sh("git", "status", "--porcelain", "--untracked-files=no"))
    card = json.load(open(os.path.join(a.data, "dataset.json"))) if os.path.exists(os.path.join(a.data, "dataset.json")) else {}
    proc = json.load(open(os.path.join(a.model, "processor_config.json")))["image_processor"]["size"]
    result = {
        "benchmark": "loader", "date": os.path.basename(a.out).removeprefix("loader-"),
        "commit": commit + ("-dirty" if dirty else ""), "machine": machine(),
        "versions": {"java": o0["java"], "python": p0["python"], "torch": p0["torch"],
                     "transformers": p0["transformers"], "pillow": p0["pillow"]},
        "workload": {"records": sums["records"], "dataset": card.get("command"), "images": card.get("images"),
                     "model_dir": "Qwen tokenizer (151,665 ids), Qwen2.5-VL chat template and processor, 3B config",
                     "min_pixels": proc["shortest_edge"], "max_pixels": proc["longest_edge"],
                     "threads_or_workers": a.threads, "batch": o0["batch"], "peer": p0["peer"], "peer_mask": p0["mask"],
                     "ours_extra": "ours also computes M-RoPE positions and validates every record; the peer does neither"},
        "checksums": sums, "checksum_problems": problems,
        "ours": ours, "peer": peer, "ratio": ratio, "ratio_per_round": per_round,
        "target": "ours >= 1.0x peer", "target_met": ratio >= 1.0 and not problems, "runs": runs}
    if earlier:
        result.update(commit=earlier["commit"], machine=earlier["machine"])
    with open(a.out + ".json", "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    share = lambda s: ", ".join(f"{x:.0%}" for x in s["others_cpu_share"])  # noqa: E731
    md = [f"# Loader peer benchmark, {result['date']} (commit {result['commit']})", "",
          f"{sums['records']} synthetic MediScope records ({card.get('images')} images), {a.threads} threads/workers, "
          f"batches of {o0['batch']} packed; machine: {result['machine']['cpu']}, {result['machine']['cores']} cores. "
          f"Same model directory (Qwen tokenizer, Qwen2.5-VL template, processor min/max pixels "
          f"{proc['shortest_edge']}/{proc['longest_edge']}); checksums "
          + ("agree" if not problems else "DISAGREE: " + "; ".join(problems)) + ".", "",
          "| side | median samples/s | round medians | epochs | CPU taken by other processes per run |",
          "|---|---:|---|---:|---|",
          f"| ours: DataLoader + QwenSampleEncoder (Java {o0['java']}) | {ours['median_samples_per_s']:.1f} | "
          f"{', '.join(f'{x:.1f}' for x in ours['round_medians'])} | {ours['epochs']} | {share(ours)} |",
          f"| peer: {p0['peer']}, torch {p0['torch']}, transformers {p0['transformers']} | "
          f"{peer['median_samples_per_s']:.1f} | {', '.join(f'{x:.1f}' for x in peer['round_medians'])} | "
          f"{peer['epochs']} | {share(peer)} |", "",
          f"Ratio ours/peer: **{ratio:.2f}x** (per round: {', '.join(f'{x:.2f}' for x in per_round)}); target ≥ 1.0x: "
          f"**{'met' if result['target_met'] else 'not met'}**.", "",
          "Same work on both sides: read the record, decode its PNGs, build the messages, render the chat template, "
          "tokenize, expand image pads, resize/normalise/patch the images, build the assistant-only loss mask, pack "
          "batches. Ours also validates every record and computes M-RoPE positions; the peer does neither (transformers "
          f"computes positions in the model). Peer mask: `{p0['mask']}`. Each run: {len(o0['warmup_samples_per_s'])} "
          f"untimed epochs, then {len(o0['samples_per_s'])} timed; rounds alternate which side runs first. The CPU column "
          "is the share of both cores that other processes used while the run lasted (from /proc/stat).", "",
          "Reproduce: `bench/run-loader-peer.sh` (see its header for the settings).", ""]
    with open(a.out + ".md", "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    if problems:
        sys.exit("checksums disagree: " + "; ".join(problems))


if __name__ == "__main__":
    main()
