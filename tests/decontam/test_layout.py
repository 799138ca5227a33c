"""corpus/decontam is an algorithm package: no Spark, and nothing from the stages or the Spark runtime."""

from __future__ import annotations

import ast
from pathlib import Path

import corpus.decontam

PACKAGE = Path(corpus.decontam.__file__).parent
PLAIN_RUNTIME = {f"corpus.runtime.{m}" for m in ("fs", "layout", "markers", "lock", "contract")}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_spark_and_no_reaching_up():
    files = sorted(PACKAGE.glob("*.py"))
    assert {p.name for p in files} >= {"__init__.py", "normalize.py", "evalsets.py", "index.py", "scan.py"}
    for path in files:
        for name in imported(path):
            assert name.split(".")[0] != "pyspark", f"{path.name} imports {name}"
            assert not name.startswith(("corpus.stages", "jobs")), f"{path.name} imports {name}"
            assert not name.startswith("corpus.runtime") or name in PLAIN_RUNTIME, (
                f"{path.name} imports {name}"
            )
