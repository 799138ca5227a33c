"""Candidate edges from band rows, as a function over Arrow batches (run by ``mapInArrow``).

The stage hash-partitions the rows (band, bucket, doc_id) by (band, bucket) and sorts each partition by
(band, bucket, doc_id); ``AnchorEdges`` (corpus/dedup/minhash.py) turns that stream into edges with
bounded memory, whatever a bucket's size.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from corpus.dedup.minhash import AnchorEdges

# What ``make_edge_rows`` yields, as Spark reads it.
EDGE_DDL = "doc_a string, doc_b string"


def make_edge_rows(anchors: int, all_pairs: int):
    """mapInArrow function over rows sorted by (band, bucket, doc_id) within a partition whose buckets
    are whole: candidate edges (anchor doc_a < member doc_b)."""

    def edge_rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        emitter = AnchorEdges(anchors, all_pairs)  # one per partition: its state spans batches
        for batch in batches:
            ids = np.asarray(batch.column("doc_id").to_pylist(), dtype=object)
            members, anchor_ids = emitter.feed(
                batch.column("band").to_numpy(), batch.column("bucket").to_numpy(), ids
            )
            yield pa.RecordBatch.from_arrays(
                [pa.array(anchor_ids.tolist(), pa.string()), pa.array(members.tolist(), pa.string())],
                names=["doc_a", "doc_b"],
            )

    return edge_rows
