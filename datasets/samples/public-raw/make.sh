#!/usr/bin/env bash
# Imports the raw samples here (each benchmark's released format) into ../public/<task>/, the MediScope evaluation
# records `pulsemind eval public --data datasets/samples/public` reads. Run from the repository root.
set -euo pipefail
raw=datasets/samples/public-raw
out=datasets/samples/public
imp() { # task format input [--images DIR]
  local task=$1 fmt=$2 input=$3; shift 3
  bin/pulsemind data import --format "$fmt" --input "$raw/$input" "$@" --out "$out/$task" --overwrite \
    --name "$task sample" --licence "CC0 (hand-written sample in the benchmark's format; no content from the benchmark)"
}
imp medqa        mcq medqa/test.jsonl
imp medmcqa      mcq medmcqa/dev.jsonl
imp pubmedqa     mcq pubmedqa/ori_pqal.json
imp mmlu-medical mcq mmlu/test.jsonl
imp vqa-rad      vqa vqa-rad/testset.json --images "$raw/vqa-rad/images"
imp slake        vqa slake/test.json --images "$raw/slake/imgs"
imp pathvqa      vqa pathvqa/test.jsonl
imp pmc-vqa      vqa pmc-vqa/test_clean.csv --images "$raw/pmc-vqa/figures"
imp mmmu-medical vqa mmmu/validation.jsonl --images "$raw/mmmu/images"
