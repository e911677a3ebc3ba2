"""Compiles cuda-kernels/*.cu to fatbins with nvcc, one process per file in parallel, and writes beside each
fatbin its kernels' signatures (NAME.sigs.json) and the ptxas resource report; prints a resource table
(registers, stack, spills, static shared memory per kernel and architecture) and fails on compile errors.

    python3 build.py OUT_DIR [--arch native|all|sm_90a,...] [--nvcc PATH] [FILE.cu ...]

--arch all   = sm_80 and sm_90a cubins + compute_90 PTX (what ships);
--arch native = the attached GPU's architecture only (fast, for the device run).
"""
import argparse
import concurrent.futures as cf
import json
import os
import re
import subprocess
import sys
import time

import signatures

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KERNEL_DIR = os.path.join(ROOT, "cuda-kernels")
# The kernels of this harness (the other families in cuda-kernels/ are exercised by their own tools).
DEFAULT_FILES = ["flash_attention.cu", "decode_attention.cu", "logprob.cu", "sampling.cu"]

GENCODE = {
    "sm_80": ["-gencode", "arch=compute_80,code=sm_80"],
    "sm_90a": ["-gencode", "arch=compute_90a,code=sm_90a"],
    "compute_90": ["-gencode", "arch=compute_90,code=compute_90"],
}


def native_arch():
    out = subprocess.run(["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"], capture_output=True,
                         text=True, check=True).stdout.split()[0]
    major, minor = out.split(".")
    return "sm_90a" if (major, minor) == ("9", "0") else f"sm_{major}{minor}"


def gencode_flags(archs):
    flags = []
    for a in archs:
        if a in GENCODE:
            flags += GENCODE[a]
        else:
            num = a.split("_")[1]
            flags += ["-gencode", f"arch=compute_{num},code={a}"]
    return flags


def compile_one(nvcc, cu, out_dir, archs):
    stem = os.path.splitext(os.path.basename(cu))[0]
    fatbin = os.path.join(out_dir, stem + ".fatbin")
    cmd = [nvcc, "-std=c++17", "-O3", "-lineinfo", "--fatbin", "-Xptxas", "-v", *gencode_flags(archs), "-o", fatbin, cu]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    report = p.stdout + p.stderr
    result = dict(file=os.path.basename(cu), ok=p.returncode == 0, seconds=round(time.time() - t0, 1),
                  cmd=" ".join(cmd), report=report)
    if p.returncode == 0:
        try:
            sigs = signatures.signatures_of(nvcc, cu)
            json.dump(sigs, open(os.path.join(out_dir, stem + ".sigs.json"), "w"), indent=1)
            result["kernels"] = sorted(sigs)
        except Exception as e:  # a kernel the harness cannot call is a build failure
            result["ok"] = False
            result["report"] += f"\nsignature extraction failed: {e}"
    return result


def parse_ptxas(report):
    """[{kernel, arch, regs, stack, spill_stores, spill_loads, smem}] from a -Xptxas -v report."""
    rows, cur = [], None
    for line in report.splitlines():
        m = re.search(r"Compiling entry function '(\w+)' for '(\w+)'", line)
        if m:
            cur = dict(kernel=m.group(1), arch=m.group(2), regs=None, stack=0, spill_stores=0, spill_loads=0, smem=0)
            rows.append(cur)
            continue
        if cur is None:
            continue
        m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m:
            cur["stack"], cur["spill_stores"], cur["spill_loads"] = (int(x) for x in m.groups())
        m = re.search(r"Used (\d+) registers", line)
        if m:
            cur["regs"] = int(m.group(1))
            s = re.search(r"(\d+) bytes smem", line)
            cur["smem"] = int(s.group(1)) if s else 0
    return rows


def table(rows):
    lines = [f"{'kernel':34} {'arch':7} {'regs':>4} {'stack':>5} {'spill':>9} {'smem':>6}"]
    for r in rows:
        spill = f"{r['spill_stores']}/{r['spill_loads']}"
        lines.append(f"{r['kernel']:34} {r['arch']:7} {r['regs']:>4} {r['stack']:>5} {spill:>9} {r['smem']:>6}")
    return "\n".join(lines)


def build(out_dir, archs, nvcc="nvcc", files=None):
    os.makedirs(out_dir, exist_ok=True)
    files = [os.path.join(KERNEL_DIR, f) for f in (files or DEFAULT_FILES)]
    with cf.ThreadPoolExecutor(max_workers=len(files)) as ex:
        results = list(ex.map(lambda f: compile_one(nvcc, f, out_dir, archs), files))
    resources = []
    with open(os.path.join(out_dir, "ptxas.txt"), "w") as f:
        for r in results:
            f.write(f"==== {r['file']} ({'ok' if r['ok'] else 'FAILED'}, {r['seconds']} s)\n{r['cmd']}\n{r['report']}\n")
            resources += parse_ptxas(r["report"])
        f.write("\n==== resources\n" + table(resources) + "\n")
    summary = dict(archs=archs, files=[{k: v for k, v in r.items() if k != "report"} for r in results],
                   resources=resources,
                   spills=[r for r in resources if r["spill_stores"] or r["spill_loads"] or r["stack"]])
    json.dump(summary, open(os.path.join(out_dir, "build.json"), "w"), indent=1)
    return results, resources, summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--arch", default="all")
    ap.add_argument("--nvcc", default=os.environ.get("NVCC", "nvcc"))
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.arch == "all":
        archs = ["sm_80", "sm_90a", "compute_90"]
    elif a.arch == "native":
        archs = [native_arch()]
    else:
        archs = a.arch.split(",")
    results, resources, summary = build(a.out_dir, archs, a.nvcc, a.files or None)
    for r in results:
        print(f"{'ok    ' if r['ok'] else 'FAILED'} {r['file']} ({r['seconds']} s)")
        if not r["ok"]:
            print(r["report"][-3000:])
    print(table(resources))
    if summary["spills"]:
        print("WARNING: spills or stack frames:", [(s["kernel"], s["arch"]) for s in summary["spills"]])
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
