"""The dependency rules of the layout, checked on the source: no import cycles, pyspark only in the stages
and the runtime, ``model/`` standing alone, ``train/`` using ``corpus`` only for the shard format and the
TOML loader, and algorithms never reaching up into the stages or the Spark runtime."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "jobs", "model", "train")
# Runtime modules with no Spark in them: the file layer, OUT's layout, markers, the lock, the contract.
PLAIN_RUNTIME = {f"corpus.runtime.{m}" for m in ("fs", "layout", "markers", "lock", "contract")}
ALGORITHMS = ("sources", "text", "filters", "dedup", "tokens", "report", "sample")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


class _Imports(ast.NodeVisitor):
    """Collects imported module names; with ``top_level_only``, only those that run at import time (not
    inside a function body)."""

    def __init__(self, top_level_only: bool):
        self.top_level_only, self.found = top_level_only, set()

    def visit_FunctionDef(self, node):
        if not self.top_level_only:
            self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node):
        # ``if TYPE_CHECKING:`` imports never run, so they cannot form an import cycle
        name = node.test.attr if isinstance(node.test, ast.Attribute) else getattr(node.test, "id", "")
        if self.top_level_only and name == "TYPE_CHECKING":
            for stmt in node.orelse:
                self.visit(stmt)
        else:
            self.generic_visit(node)

    def visit_Import(self, node):
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node):
        if node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                self.found.add(child if child in MODULES else node.module)


def imports(name: str, top_level_only: bool) -> set[str]:
    """Modules ``name`` imports (``from a.b import c`` counts as a.b.c when that is a module)."""
    visitor = _Imports(top_level_only)
    visitor.visit(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    return visitor.found


def package_of(name: str) -> str:
    return name.split(".")[0]


def test_every_module_is_seen():
    assert {"corpus.runtime.runner", "corpus.stages.ingest", "model.model", "train.trainer"} <= set(MODULES)


def test_no_import_cycles():
    graph = {name: {m for m in imports(name, top_level_only=True) if m in MODULES} for name in MODULES}
    cycles = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert cycles == []


def test_pyspark_only_in_the_stages_and_the_runtime():
    offenders = sorted(
        name
        for name in MODULES
        if any(m.split(".")[0] == "pyspark" for m in imports(name, top_level_only=False))
        and not name.startswith(("corpus.stages", "corpus.runtime"))
    )
    assert offenders == []
    assert not any(
        name in PLAIN_RUNTIME
        for name in MODULES
        if "pyspark" in {m.split(".")[0] for m in imports(name, False)}
    )


def test_model_stands_alone():
    offenders = {
        name: sorted(m for m in imports(name, False) if package_of(m) in ("train", "corpus", "jobs"))
        for name in MODULES
        if name.startswith("model")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_train_uses_corpus_only_for_the_shard_format_and_toml():
    allowed = {"corpus.tokens.shard_format", "corpus.tomlconfig"}
    used = {
        m
        for name in MODULES
        if name.startswith("train")
        for m in imports(name, False)
        if package_of(m) == "corpus"
    }
    assert used <= allowed, used - allowed


@pytest.mark.parametrize("package", ALGORITHMS)
def test_algorithms_do_not_reach_up(package):
    """Algorithms never import a stage, the runner or the Spark session (plain runtime modules are fine)."""
    prefix = f"corpus.{package}"
    offenders = {
        name: sorted(
            m
            for m in imports(name, False)
            if m.startswith(("corpus.stages", "corpus.runtime", "jobs")) and m not in PLAIN_RUNTIME
        )
        for name in MODULES
        if name == prefix or name.startswith(prefix + ".")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_stage_and_runtime_functions_are_short():
    """A reader can hold any function of the stages and the runtime: none is longer than 60 lines."""
    long_ones = []
    for name, path in MODULES.items():
        if not name.startswith(("corpus.stages", "corpus.runtime")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.end_lineno - node.lineno >= 60
            ):
                long_ones.append(f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert long_ones == []
