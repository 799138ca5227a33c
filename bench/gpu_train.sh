#!/usr/bin/env bash
# GPU benchmark of the trainer: OPT-125m, 2048 positions per row, bf16, micro-batch 32, one GPU; ~6 minutes.
# Run from anywhere on a machine whose python3 has torch (CUDA), numpy and pyarrow; no install needed.
# Prints JSON lines: the loss and attention parts (bench/gpu_parts.py), then training steps with the plain,
# compiled and fused loss; then the fastest of those with the fastest attention kernel, profiled.
# LOG_DIR (default: a temporary directory) receives every run's output.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
log=${LOG_DIR:-$(mktemp -d)}
mkdir -p "$log"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
timeout 120 python3 bench/gpu_parts.py 2>"$log/parts.err" | tee "$log/parts.jsonl"
steps=(--micro 32 --warmup 4 --steps 12)
for loss in plain compiled fused; do
  timeout 120 python3 bench/gpu_train.py "${steps[@]}" --loss "$loss" 2>"$log/train-$loss.err" | tee -a "$log/train.jsonl" \
    || echo "{\"error\": \"$loss run failed or timed out\"}"
done
# the fastest loss, and the fastest attention kernel with dropout from the parts run
best_loss=$(python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if "\"mfu\"" in l]; print(max(r, key=lambda x: x["mfu"])["loss"] if r else "plain")' "$log/train.jsonl")
best_sdpa=$(python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if "\"attention\"" in l]; r=[x for x in r if "ms" in x and x["dropout"]==0.1]; b=min(r, key=lambda x: x["ms"]) if r else {"backend":"AUTO"}; print({"CUDNN_ATTENTION":"cudnn","FLASH_ATTENTION":"flash","EFFICIENT_ATTENTION":"efficient"}.get(b["backend"],"auto"))' "$log/parts.jsonl")
echo "{\"best_loss\": \"$best_loss\", \"best_sdpa\": \"$best_sdpa\"}"
timeout 150 python3 bench/gpu_train.py "${steps[@]}" --loss "$best_loss" --sdpa "$best_sdpa" --profile 2>"$log/best.err" | tee -a "$log/train.jsonl"
tail -45 "$log/best.err"
