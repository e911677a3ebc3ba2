#!/usr/bin/env bash
# build-kernels.sh OUT_DIR BUILD_DIR [CLASSES_DIR]: called by Maven (generate-resources). With nvcc on PATH, builds the
# kernel fatbins into OUT_DIR/ai/pulsemind/backend/cuda/kernels (a jar resource); a kernel that does not
# compile, or spills registers, fails the build. Without nvcc, says that the CUDA backend is absent from this
# build and succeeds (the provider's probe then reports the same at run time).
set -euo pipefail
out=$1/ai/pulsemind/backend/cuda/kernels
build=$2
classes=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v nvcc >/dev/null 2>&1; then
  echo "[pulsemind] nvcc not found on PATH: building without CUDA kernels; the CUDA backend is absent from this build."
  rm -rf "$out"
  # kernels copied by an earlier build with nvcc must not linger in the classes either
  [ -n "$classes" ] && rm -rf "$classes/ai/pulsemind/backend/cuda/kernels"
  exit 0
fi
if ! command -v cmake >/dev/null 2>&1; then
  echo "[pulsemind] nvcc is on PATH but cmake is not: install cmake (>= 3.25) to build the CUDA kernels." >&2
  exit 1
fi
cmake -S "$here" -B "$build" -DPM_KERNEL_OUT="$out" >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)"
echo "[pulsemind] CUDA kernels: $(grep -vc '^#' "$out/index.txt") fatbins, $(cat "$out"/*.kernels | wc -l) kernels ($(head -1 "$out/index.txt" | cut -c3-))"
