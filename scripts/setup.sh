#!/usr/bin/env bash
# Set up the project in ./.venv: checks Java 17+ and Python 3.11+ first, then installs the package.
# Usage: source scripts/setup.sh [dev]     ("dev" adds the test/benchmark extras)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

java_major() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$java" >/dev/null 2>&1 || { echo 0; return; }
  "$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -1 |
    awk '{ if ($1 == 1) print $2; else print $1 }'
}
major="$(java_major)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  echo "error: Java 17 or newer is required (PySpark 4 runs on it); found: ${major:-none}." >&2
  echo "       Install it, e.g. 'apt-get install openjdk-17-jre-headless', or set JAVA_HOME." >&2
  exit 1
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python 3.11+ is required; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Keep pip's cache inside the repository (nothing cached elsewhere on the machine).
export PIP_CACHE_DIR="$ROOT/.cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
extras=""
[ "${1:-}" = "dev" ] && extras="[dev]"
# torch is pinned to 2.13.0 in pyproject.toml: an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install -q -e ".${extras}"
echo "setup: .venv ready (java $major, $(.venv/bin/python --version))"
