"""Step 4, verification: every candidate edge checked against the threshold.

The endpoints' texts become features (corpus/dedup/verification.py), joined onto the edges, and the exact
Jaccard decides (or the signature estimate with ``dedup.verify = "signature"``). Only the endpoints'
texts are read again: the files that hold some are spread over ``partitions`` tasks, each file read for
just the row groups that hold an endpoint.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from corpus.dedup.verification import FEATURE_DDL, SCORE_DDL, make_feature_reader, make_scorer
from corpus.stages.dedup.timer import StepTimer

if TYPE_CHECKING:
    from corpus.stages.dedup.near import NearStep

JACCARD_BINS = 20  # the candidates' Jaccard histogram in the stats: bins of 0.05


def endpoint_features(step: NearStep, candidates, timer: StepTimer):
    """DataFrame[doc_id, feature] of every endpoint of ``candidates``, computed once."""
    from pyspark.sql import functions as F

    t0 = time.time()
    endpoints = (
        candidates.select(F.col("doc_a").alias("doc_id"))
        .unionByName(candidates.select(F.col("doc_b").alias("doc_id")))
        .distinct()
    )
    # the endpoints' files, each with its endpoints, one file per row (the texts are read in the tasks)
    by_file = (
        endpoints.join(step.rows.select("doc_id", "file"), "doc_id")
        .groupBy("file")
        .agg(F.collect_list("doc_id").alias("ids"))
    )
    features = by_file.repartition(step.partitions).mapInArrow(
        make_feature_reader(step.cfg, step.seed), FEATURE_DDL
    )
    features, _ = timer.materialize("verify", features, t0)  # used twice by verify_edges: compute once
    return features


def verify_edges(step: NearStep, candidates, timer: StepTimer):
    """(verified edges DataFrame[doc_a, doc_b, jaccard], histogram rows (bin, passed, count) of all the
    candidates' Jaccard values)."""
    from pyspark.sql import functions as F

    features = endpoint_features(step, candidates, timer)
    t0 = time.time()
    fa = features.select(F.col("doc_id").alias("doc_a"), F.col("feature").alias("feature_a"))
    fb = features.select(F.col("doc_id").alias("doc_b"), F.col("feature").alias("feature_b"))
    # candidate edges stream on the left; each endpoint's feature is one row on the right
    scored = candidates.join(fa, "doc_a").join(fb, "doc_b").select("doc_a", "doc_b", "feature_a", "feature_b")
    passed = F.col("jaccard") >= step.cfg.threshold
    jaccard_bin = F.least(F.floor(F.col("jaccard") * JACCARD_BINS), F.lit(JACCARD_BINS - 1))
    scored, histogram = timer.materialize(
        "verify",
        scored.mapInArrow(make_scorer(step.cfg.verify), SCORE_DDL),
        t0,
        # one aggregate: the Jaccard histogram and how many pass the threshold
        action=lambda d: d.groupBy(jaccard_bin.alias("bin"), passed.alias("passed")).count().collect(),
    )
    return timer.keep(scored.where(passed)), histogram  # computed from the cached scores on first use


def merge_bins(rows) -> list[list]:
    """[[bin start, candidate pairs], ...] from (bin, passed, count) rows.

    >>> merge_bins([{"bin": 19, "passed": True, "count": 3}, {"bin": 19, "passed": False, "count": 1}])
    [[0.95, 4]]
    """
    bins: dict[int, int] = {}
    for row in rows:
        bins[row["bin"]] = bins.get(row["bin"], 0) + row["count"]
    return [[round(b / JACCARD_BINS, 2), n] for b, n in sorted(bins.items())]
