#!/usr/bin/env bash
# README command 1: set up, generate the sample corpus, build it with spark-submit on local[*], print the
# summary and report, then train the tiny OPT model on the shards (2 CPU processes) and print a sample.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
. .venv/bin/activate
export PYSPARK_PYTHON="$ROOT/.venv/bin/python" PYSPARK_DRIVER_PYTHON="$ROOT/.venv/bin/python"
SIZE="${SIZE:-small}"
OUT="${OUT:-out/sample}"

corpus sample --out sample --seed 1234 --size "$SIZE"
spark-submit --master "local[*]" --driver-memory 4g jobs/build_corpus.py \
  --recipe data_manifests/sample.toml --out "$OUT"
if [ -f "$OUT/shards/manifest.json" ]; then
  OMP_NUM_THREADS=1 torchrun --standalone --nproc_per_node 2 -m train \
    --config train/configs/tiny.toml --data "$OUT/shards" --out runs/tiny-demo
  python -m model.generate runs/tiny-demo --tokenizer "$OUT/tokenizer/tokenizer.json" --prompt "The" --max-new-tokens 40
fi
