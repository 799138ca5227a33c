"""The keeper rule (corpus/dedup/keeper.py) as Spark columns, and the keeper of every near cluster.

The rule stays a Spark expression, a struct minimum in an aggregation, so that a group of any size is
one streaming ``min`` and never a Python call per row. ``keeper_order`` orders exactly like
``corpus.dedup.keeper.keeper_key`` and ``priority_column`` gives ``source_priority``;
tests/dedup/test_keeper.py runs the columns and the pure rule on the same clusters.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from corpus.config import SourceConfig
from corpus.dedup.keeper import DEFAULT_PRIORITY
from corpus.stages.dedup.timer import StepTimer


def keeper_order():
    """A struct whose minimum is the keeper: ``keeper_key`` (priority, -n_bytes, doc_id), with the
    source riding along (doc_ids are unique, so it never decides)."""
    from pyspark.sql import functions as F

    return F.struct("priority", (-F.col("n_bytes")).alias("neg_bytes"), "doc_id", "source")


def priority_column(sources: Mapping[str, SourceConfig]):
    """Recipe priority of each row's source (sources the recipe does not name get the default)."""
    from pyspark.sql import functions as F

    expr = F.lit(DEFAULT_PRIORITY)
    for name, source in sorted(sources.items()):
        expr = F.when(F.col("source") == name, F.lit(source.priority)).otherwise(expr)
    return expr


def near_keepers(components, meta, timer: StepTimer):
    """(doc_id, source, n_bytes, near_keeper, near_keeper_source) of every document in a near cluster:
    ``components`` (doc_id, component) with each component's keeper."""
    from pyspark.sql import functions as F

    t0 = time.time()
    with_attrs = components.join(meta.select("doc_id", "source", "n_bytes", "priority"), "doc_id")
    keepers = (
        with_attrs.groupBy("component")
        .agg(F.min(keeper_order()).alias("k"))
        .select(
            "component", F.col("k.doc_id").alias("near_keeper"), F.col("k.source").alias("near_keeper_source")
        )
    )
    near_map = with_attrs.join(keepers, "component").select(
        "doc_id", "source", "n_bytes", "near_keeper", "near_keeper_source"
    )
    near_map, _ = timer.materialize("near_keepers", near_map, t0)
    return near_map
