#!/usr/bin/env bash
# The whole GPU check of the attention, decode, log-prob and sampling kernels, in one command on a machine with
# an NVIDIA GPU, nvcc and PyTorch with CUDA (no Java, no network needed):
#
#   tools/gpu-dev/run_all.sh "$OUT"            # build for the attached GPU, validate, benchmark, sanitize
#   PM_ARCH=sm_90a tools/gpu-dev/run_all.sh "$OUT" --no-sanitizer --budget 400
#
# Writes gpu-dev.json, gpu-dev.log, ptxas.txt, sass.txt, sanitizer.txt to $OUT and exits non-zero if anything
# failed (after running everything it could). See tools/gpu-dev/README.md.
set -uo pipefail
out="${1:?usage: run_all.sh OUT_DIR [run_all.py options]}"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
py="${PYTHON:-python3}"
export NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
export PYTHONDONTWRITEBYTECODE=1
exec "$py" "$here/run_all.py" "$out" "$@"
