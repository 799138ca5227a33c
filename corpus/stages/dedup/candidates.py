"""Step 3, candidate edges: band rows (band, bucket, doc_id) to edges between documents sharing a bucket.

The rows are hash-partitioned by (band, bucket) and sorted by doc_id inside each partition, then stream
through ``AnchorEdges`` (corpus/dedup/edge_rows.py): the first ``bucket_all_pairs`` members of a bucket
are linked pairwise, later ones to the bucket's ``bucket_anchors`` smallest doc_ids. A bucket is never
collected anywhere, so a skewed bucket of any size costs one task O(bucket_all_pairs) memory and a
spillable sort; its edge count grows linearly with its size, never O(size**2).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from corpus.dedup.edge_rows import EDGE_DDL, make_edge_rows
from corpus.stages.dedup.timer import StepTimer

if TYPE_CHECKING:
    from corpus.stages.dedup.near import NearStep


def candidate_edges(step: NearStep, timer: StepTimer):
    """(candidate edges DataFrame[doc_a, doc_b] with doc_a < doc_b, their number)."""
    from pyspark.sql import functions as F

    # one row per (document, band) of the documents that are not exact duplicates
    bands = step.rows.select("doc_id", F.posexplode("buckets").alias("band", "bucket")).join(
        step.exact_dups, "doc_id", "left_anti"
    )
    t0 = time.time()
    candidates = (
        bands.repartition(step.partitions, "band", "bucket")
        .sortWithinPartitions("band", "bucket", "doc_id")
        .mapInArrow(make_edge_rows(step.cfg.bucket_anchors, step.cfg.bucket_all_pairs), EDGE_DDL)
        .distinct()
    )
    return timer.materialize("candidates", candidates, t0, action=lambda d: d.count())
