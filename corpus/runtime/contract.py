"""The one shape of every build stage.

A stage is a name, the OUT folders it reads and writes (``corpus.runtime.layout``), the recipe sections
its fingerprint covers, a function that picks its own frozen settings out of the recipe, and one entry
point ``run(ctx) -> stats``. The stage sees only ``ctx``: the Spark session, its settings and OUT's layout.
The runner (``corpus.runtime.runner``) writes every stage's ``stats/<stage>.json``, then runs the stage's
accounting ``check`` (which raises ``corpus.accounting.AccountingError``), then writes its marker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corpus.runtime.layout import OutLayout


@dataclass(frozen=True)
class StageContext:
    spark: Any  # the SparkSession (the tokenize and report stages do not use it)
    settings: Any  # the stage's own frozen settings, from Stage.settings(recipe)
    out: OutLayout


@dataclass(frozen=True)
class Stage:
    name: str
    reads: tuple[str, ...]  # OUT folders (layout names) it reads
    writes: tuple[str, ...]  # OUT folders it writes
    recipe_parts: tuple[str, ...]  # recipe sections its fingerprint covers (besides the stages before it)
    settings: Callable[[Any], Any]  # recipe -> this stage's settings
    run: Callable[[StageContext], dict]  # -> its stats (counters), written by the runner
    check: Callable[[dict], None] | None = None  # its accounting check on those stats
    writes_stats: bool = True  # False only for the report, whose stats are the report itself
    fingerprint_extra: Callable[[Any], str] | None = (
        None  # recipe -> more to fingerprint (input files' hashes)
    )
    own_workers: bool = False  # run in Python workers of its own (corpus.runtime.spark.use_stage_workers)
