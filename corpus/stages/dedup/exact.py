"""Step 2, exact duplicates: one keeper per SHA-256 of the text.

A SHA-256 collision is not a practical concern, so "same hash" is "same text". Aggregation only (a min
per hash, with map-side partial aggregation), so a million identical documents are one small group.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from corpus.stages.dedup.keepers import keeper_order
from corpus.stages.dedup.timer import StepTimer

MEMBERS_DDL = (
    "doc_id string, source string, n_bytes int, exact_keeper string, exact_keeper_source string, n_bands int"
)


@dataclass(frozen=True)
class ExactDuplicates:
    members: Any  # every member of a group of 2+ (``MEMBERS_DDL``), keepers included
    duplicates: Any  # DataFrame[doc_id] of the removed members (all but each group's keeper)
    band_rows: int  # the duplicates' band rows, which never reach the candidates step


def exact_duplicates(spark, meta, enabled: bool, timer: StepTimer) -> ExactDuplicates:
    """Every exact group of ``meta`` (``signatures.document_meta``) with its keeper; none when not
    ``enabled``."""
    from pyspark.sql import functions as F

    t0 = time.time()
    members = exact_groups(meta) if enabled else spark.createDataFrame([], MEMBERS_DDL)
    members, band_rows = timer.materialize(
        "exact",
        members,
        t0,
        action=lambda d: (
            d.where(F.col("doc_id") != F.col("exact_keeper")).agg(F.sum("n_bands")).first()[0] or 0
        ),
    )
    duplicates = members.where(F.col("doc_id") != F.col("exact_keeper")).select("doc_id")
    return ExactDuplicates(members, duplicates, band_rows)


def exact_groups(meta):
    """(doc_id, source, n_bytes, exact_keeper, exact_keeper_source, n_bands) of every document whose text
    occurs more than once (keepers included)."""
    from pyspark.sql import functions as F

    groups = (
        meta.groupBy("text_hash")
        .agg(F.count("*").alias("size"), F.min(keeper_order()).alias("k"))
        .where(F.col("size") > 1)
        .select(
            "text_hash",
            F.col("k.doc_id").alias("exact_keeper"),
            F.col("k.source").alias("exact_keeper_source"),
        )
    )
    # documents stream on the left, one row per hash on the right: a huge group is never buffered
    return meta.join(groups, "text_hash").select(
        "doc_id", "source", "n_bytes", "exact_keeper", "exact_keeper_source", "n_bands"
    )
