#!/usr/bin/env bash
# GPU benchmark of the trainer: OPT-125m, 2048 positions per row, bf16, micro-batch 32, one GPU; ~5 minutes.
# Run from anywhere on a machine whose python3 has torch (CUDA), numpy and pyarrow; no install needed.
# Prints JSON lines: the loss and attention parts (bench/gpu_parts.py; SKIP_PARTS=1 skips them), training
# steps as train/configs/125m.toml runs them (blocks and loss compiled, weights kept gathered for the
# backward), then without compile; then a profile table and a Chrome trace (LOG_DIR/trace.json.gz) of the
# first; last, 30 steps of the real loop (torchrun -m train, spike guard on) and its log lines.
# LOG_DIR (default: a temporary directory) receives every run's output.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
log=${LOG_DIR:-$(mktemp -d)}
mkdir -p "$log"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
[ -n "${SKIP_PARTS:-}" ] || timeout 120 python3 bench/gpu_parts.py 2>"$log/parts.err" | tee "$log/parts.jsonl"
steps=(--micro 32 --warmup 4 --steps 12)
timeout 240 python3 bench/gpu_train.py "${steps[@]}" 2>"$log/train.err" | tee -a "$log/train.jsonl"
timeout 120 python3 bench/gpu_train.py "${steps[@]}" --no-compile 2>"$log/train-eager.err" | tee -a "$log/train.jsonl"
timeout 240 python3 bench/gpu_train.py "${steps[@]}" --profile --trace "$log/trace.json.gz" 2>"$log/profile.err" \
  | tee -a "$log/train.jsonl"
grep -A40 -- "-----" "$log/profile.err" | head -36
shards=$(mktemp -d)/shards
python3 bench/gpu_train.py --micro 32 --write-shards "$shards"
timeout 240 torchrun --standalone --nproc_per_node 1 -m train --config train/configs/125m.toml --data "$shards" \
  --out "$(mktemp -d)/run" --until 30 --set train.batch_tokens=65568 \
  --set log.interval=10 --set eval.interval=0 --set checkpoint.interval=1000 2>&1 | tee "$log/torchrun.log" | grep "step "
