#!/usr/bin/env bash
# GPU benchmark of the trainer: OPT-125m, 2048 positions per row, bf16, one GPU; about 2-3 minutes.
# Run from anywhere on a machine whose python3 has torch (CUDA), numpy and pyarrow; no install needed.
# Prints JSON lines: the compiled run (what train/configs/125m.toml uses), then the same without compile.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
timeout 150 python3 bench/gpu_train.py --micro 16 --warmup 5 --steps 20 "$@" || echo '{"error": "compiled run failed or timed out"}'
timeout 60 python3 bench/gpu_train.py --micro 16 --warmup 3 --steps 10 --no-compile "$@"
# the loss computed chunk by chunk with its gradients in the forward pass (model/loss.py), compiled
timeout 150 python3 bench/gpu_train.py --micro 16 --warmup 5 --steps 20 --fused-loss "$@" || echo '{"error": "fused-loss run failed or timed out"}'
