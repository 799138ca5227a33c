#!/usr/bin/env bash
# README command 2: set up (with the dev extras) and run the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh dev
. .venv/bin/activate
export PYSPARK_PYTHON="$ROOT/.venv/bin/python" PYSPARK_DRIVER_PYTHON="$ROOT/.venv/bin/python"
ruff check .
python -m pytest -q --timeout 900 "$@"
