"""The whole GPU run in one command: build, validate every kernel variant, benchmark against PyTorch, optionally
check a small run under compute-sanitizer, and write the results.

    python3 run_all.py OUT_DIR [--budget SECONDS] [--no-sanitizer] [--families attention,decode,...]

Each family runs in its own process (an illegal address poisons a CUDA context; the next family still runs),
under a time limit, writing JSON lines as it goes. Nothing stops at the first failure: the exit status is
non-zero at the end if any build, check or family failed. Files written to OUT_DIR (at most 8 come back):
  gpu-dev.json     {"device", "driver", "cuda", "torch", "rows": [...], "validation": [...], "failures": [...],
                    "kernels": [...], "resources": [...], "summary": {...}}
  gpu-dev.log      everything printed
  ptxas.txt        the compiler's resource report
  sass.txt         per-kernel counts of tensor-core, ldmatrix, cp.async and local-memory instructions
  sanitizer.txt    compute-sanitizer output (memcheck, racecheck, synccheck) of the quick runs
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build  # noqa: E402

FAMILIES = [  # (name, script, time limit in seconds)
    ("attention", "check_attention.py", 240),
    ("decode", "check_decode.py", 90),
    ("logprob", "check_logprob.py", 150),
    ("sampling", "check_sampling.py", 120),
]


class Log:
    def __init__(self, path):
        self.f = open(path, "a")

    def __call__(self, msg):
        print(msg, flush=True)
        self.f.write(msg + "\n")
        self.f.flush()


def device_info():
    info = {}
    try:
        q = "name,driver_version,memory.total,clocks.max.sm,compute_cap"
        out = subprocess.run(["nvidia-smi", f"--query-gpu={q}", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=30).stdout.strip()
        name, driver, mem, clk, cc = [x.strip() for x in out.split(",")]
        info.update(device=name, driver=driver, memory=mem, max_sm_clock=clk, compute_cap=cc)
    except Exception as e:
        info["device_error"] = str(e)
    try:
        out = subprocess.run([os.environ.get("NVCC", "nvcc"), "--version"], capture_output=True, text=True).stdout
        info["cuda"] = re.search(r"release ([\d.]+)", out).group(1)
    except Exception:
        pass
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_cuda"] = torch.version.cuda
    except Exception as e:
        info["torch_error"] = str(e)
    return info


def sass_summary(build_dir, log):
    """Counts of the instructions that say which path a kernel is on (cuobjdump, when installed)."""
    tool = shutil.which("cuobjdump")
    if not tool:
        return "cuobjdump not found\n"
    pats = {"HMMA": r"\bHMMA\b", "LDSM": r"\bLDSM\b", "LDGSTS": r"\bLDGSTS\b", "LDL/STL": r"\b(LDL|STL)\b",
            "MUFU.EX2": r"MUFU\.EX2", "BAR": r"\bBAR\b"}
    lines = []
    for fb in sorted(f for f in os.listdir(build_dir) if f.endswith(".fatbin")):
        out = subprocess.run([tool, "-sass", os.path.join(build_dir, fb)], capture_output=True, text=True).stdout
        for block in re.split(r"\n\s*Function : ", out)[1:]:
            name = block.split("\n", 1)[0].strip()
            counts = {k: len(re.findall(p, block)) for k, p in pats.items()}
            lines.append(f"{fb:24} {name:34} " + " ".join(f"{k}={v}" for k, v in counts.items()))
    log(f"sass summary: {len(lines)} kernels")
    return "\n".join(lines) + "\n"


def run_family(name, script, limit, build_dir, parts, log, family_log, mode=None, prefix=()):
    jsonl = os.path.join(parts, f"{name}{'-' + mode if mode else ''}{'-' + prefix[1][7:] if prefix else ''}.jsonl")
    cmd = [*prefix, sys.executable, os.path.join(HERE, script), build_dir, jsonl, family_log]
    if mode:
        cmd.append(mode)
    t0 = time.time()
    # Its own process group, so that a timeout ends the whole tree (compute-sanitizer and its python).
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=HERE,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=limit)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        rc = "timeout"
    log(f"---- {name}{f' ({mode})' if mode else ''}: exit {rc} after {time.time() - t0:.0f} s")
    return rc, out, jsonl


def read_jsonl(path):
    rows = []
    if os.path.exists(path):
        for line in open(path):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return rows


def sanitize(build_dir, parts, log, deadline):
    """memcheck on every family's quick run; racecheck and synccheck on the shared-memory-heavy ones."""
    tool = shutil.which("compute-sanitizer")
    if not tool:
        return "compute-sanitizer not found\n", []
    text, failures = [], []
    att, dec, lp, smp = FAMILIES
    plan = [("memcheck", att), ("racecheck", att), ("memcheck", dec), ("racecheck", dec), ("memcheck", smp),
            ("racecheck", smp), ("memcheck", lp), ("synccheck", att)]
    for tool_name, (name, script, _) in plan:
        left = deadline - time.time()
        if left < 45:
            text.append(f"==== {tool_name} {name}: skipped, {left:.0f} s left of the budget\n")
            continue
        prefix = [tool, f"--tool={tool_name}", "--error-exitcode=99", "--print-limit=20"]
        rc, out, _ = run_family(name, script, min(left - 15, 240), build_dir, parts, log,
                                os.path.join(parts, "sanitized.log"), mode="quick", prefix=prefix)
        summary = [l for l in out.splitlines() if "ERROR SUMMARY" in l or "RACECHECK SUMMARY" in l]
        text.append(f"==== {tool_name} {name}: exit {rc} {summary}\n{out[-20000:]}\n")
        if rc == 99 or any(re.search(r"SUMMARY: [1-9]", l) for l in summary):
            failures.append(f"{tool_name} {name}: {summary}")
        elif rc not in (0, 1):
            failures.append(f"{tool_name} {name}: exit {rc}")
    return "".join(text), failures


def assemble(info, records, failures, resources, seconds):
    """The result document and the closing summary lines from the families' records."""
    keys = ("name", "shape", "ours", "peer", "unit", "ratio")
    rows = [{k: r.get(k) for k in keys} | {k: v for k, v in r.items() if k not in keys + ("kind", "family")}
            for r in records if r.get("kind") == "bench"]
    validation = [r for r in records if r.get("kind") == "validation"]
    recorded = [r for r in records if r.get("kind") == "failure"]
    failed_checks = [v["name"] for v in validation if not v.get("passed")]
    all_failures = list(failures) + [f"{r['family']}: {r['what']}" for r in recorded] + \
        [f"check {n}" for n in failed_checks]
    result = dict(info, rows=rows, validation=validation, failures=all_failures,
                  kernels=[r for r in records if r.get("kind") == "kernel"], resources=resources,
                  summary=dict(checks=len(validation), failed_checks=len(failed_checks), bench_rows=len(rows),
                               failures=len(all_failures), seconds=round(seconds)))
    lines = ["", "==== summary", f"checks: {len(validation) - len(failed_checks)}/{len(validation)} passed"]
    for r in rows:
        ratio = f"{r['ratio']:.3f}" if r["ratio"] else "-"
        peer = f"{r['peer']:.4g}" if r["peer"] else "-"
        lines.append(f"{r['name']:48} ours {r['ours']:10.4g} {r['unit']:4} peer {peer:>10} ratio {ratio}")
    lines += [f"FAILURE: {f}" for f in all_failures]
    return result, lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--budget", type=float, default=560.0, help="seconds for the whole run")
    ap.add_argument("--no-sanitizer", action="store_true")
    ap.add_argument("--families", default=",".join(f[0] for f in FAMILIES))
    ap.add_argument("--emulate", action="store_true",
                    help="rehearsal without a GPU: the small checks on the CPU emulator, no benchmarks or sanitizer")
    a = ap.parse_args()
    if a.emulate:
        a.no_sanitizer = True
    t0 = time.time()
    deadline = t0 + a.budget
    os.makedirs(a.out_dir, exist_ok=True)
    log = Log(os.path.join(a.out_dir, "gpu-dev.log"))
    parts = tempfile.mkdtemp(prefix="gpu-dev-")
    build_dir = os.path.join(parts, "build")
    info = device_info()
    log(f"device: {info}")
    failures = []

    arch = os.environ.get("PM_ARCH", "sm_90a" if a.emulate else "native")
    archs = [build.native_arch()] if arch == "native" else arch.split(",")
    results, resources, summary = build.build(build_dir, archs, os.environ.get("NVCC", "nvcc"))
    shutil.copy(os.path.join(build_dir, "ptxas.txt"), os.path.join(a.out_dir, "ptxas.txt"))
    for r in results:
        log(f"build {r['file']}: {'ok' if r['ok'] else 'FAILED'} in {r['seconds']} s")
        if not r["ok"]:
            failures.append(f"build {r['file']}")
            log(r["report"][-3000:])
    log(build.table(resources))
    if summary["spills"]:
        log(f"WARNING spills/stack: {[(s['kernel'], s['arch']) for s in summary['spills']]}")
    with open(os.path.join(a.out_dir, "sass.txt"), "w") as f:
        f.write(sass_summary(build_dir, log))

    wanted = a.families.split(",")
    records = []
    for name, script, limit in FAMILIES:
        if name not in wanted:
            continue
        left = deadline - time.time() - (60 if not a.no_sanitizer else 0)
        if left < 30 and not a.emulate:
            failures.append(f"{name}: not run, time budget spent")
            log(f"---- {name}: skipped, budget spent")
            continue
        rc, out, jsonl = run_family(name, script, 900 if a.emulate else min(limit, left), build_dir, parts, log,
                                    os.path.join(a.out_dir, "gpu-dev.log"), mode="emu" if a.emulate else None)
        recs = read_jsonl(jsonl)
        if rc not in (0, 1) or not any(r.get("kind") == "done" for r in recs):
            log(out[-6000:])  # a crash: its last words
        records += recs
        if rc == "timeout":
            failures.append(f"{name}: timed out after {min(limit, left):.0f} s")
        elif rc not in (0, 1):
            failures.append(f"{name}: exit {rc}")
        elif not any(r.get("kind") == "done" for r in recs):
            failures.append(f"{name}: ended without its final record (exit {rc})")

    # Written now and again at the end, so a run cut short by the command's time limit still reports.
    result, _ = assemble(info, records, failures + ["sanitizer: not finished"], resources, time.time() - t0)
    json.dump(result, open(os.path.join(a.out_dir, "gpu-dev.json"), "w"), indent=1, default=str)

    san_text = "sanitizer not run\n"
    if not a.no_sanitizer:
        san_text, san_fail = sanitize(build_dir, parts, log, deadline)
        failures += san_fail
    with open(os.path.join(a.out_dir, "sanitizer.txt"), "w") as f:
        f.write(san_text)

    result, lines = assemble(info, records, failures, resources, time.time() - t0)
    json.dump(result, open(os.path.join(a.out_dir, "gpu-dev.json"), "w"), indent=1, default=str)
    for line in lines:
        log(line)
    all_failures = result["failures"]
    log(f"total {time.time() - t0:.0f} s; {len(all_failures)} failure(s)")
    sys.exit(1 if all_failures else 0)


if __name__ == "__main__":
    main()
