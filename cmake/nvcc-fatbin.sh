#!/bin/sh
# nvcc-fatbin.sh NVCC SRC OUT_STEM FLAGS...: compiles one op family into OUT_STEM.fatbin, keeps the ptxas
# report in OUT_STEM.ptxas.txt and the kernel names in OUT_STEM.kernels, and fails when any kernel spills.
set -eu
nvcc=$1 src=$2 stem=$3
shift 3
if ! "$nvcc" -fatbin "$@" -o "$stem.fatbin.tmp" "$src" >"$stem.ptxas.txt" 2>&1; then
  cat "$stem.ptxas.txt" >&2
  rm -f "$stem.fatbin.tmp"
  exit 1
fi
mv "$stem.fatbin.tmp" "$stem.fatbin"
sed -n "s/.*Compiling entry function '\([A-Za-z0-9_]*\)' for 'sm_90a'.*/\1/p" "$stem.ptxas.txt" | sort -u >"$stem.kernels"
if [ ! -s "$stem.kernels" ]; then
  echo "nvcc-fatbin: no sm_90a entry functions found in the ptxas report of $src" >&2
  exit 1
fi
spills=$(grep -E '[1-9][0-9]* bytes spill (stores|loads)' "$stem.ptxas.txt" || true)
if [ -n "$spills" ]; then
  echo "nvcc-fatbin: register spills in $src (see $stem.ptxas.txt):" >&2
  echo "$spills" >&2
  exit 1
fi
