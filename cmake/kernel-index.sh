#!/bin/sh
# kernel-index.sh NVCC DIR: writes DIR/index.txt, one line per fatbin: "<module> <kernel> <kernel> ...",
# after a header naming the compiler, so the loader can say which nvcc built the kernels it runs.
set -eu
nvcc=$1 dir=$2
{
  echo "# nvcc $("$nvcc" --version | sed -n 's/.*release \([0-9.]*\), \(V[0-9.]*\).*/\1 \2/p')"
  echo "# targets sm_80 sm_90a compute_90"
  for k in "$dir"/*.kernels; do
    printf '%s' "$(basename "$k" .kernels)"
    while read -r name; do printf ' %s' "$name"; done <"$k"
    printf '\n'
  done
} >"$dir/index.txt.tmp"
mv "$dir/index.txt.tmp" "$dir/index.txt"
