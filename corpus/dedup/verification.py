"""Verification of candidate edges, as functions over Arrow batches (run by ``mapInArrow``).

Each endpoint's text becomes a feature once: its sorted unique shingle hashes (``verify = "exact"``) or its
MinHash signature (``"signature"``); each candidate edge then gets the Jaccard of its two features.
Only the endpoints' texts are read again, each input file for just the row groups that hold an endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from corpus.config import DedupConfig
from corpus.dedup.minhash import (
    exact_jaccard,
    make_permutations,
    shingle_hash_set,
    signature_jaccard,
    text_signatures,
)
from corpus.runtime.fs import resolve_spark_file

# What ``make_features`` / ``make_feature_reader`` and ``make_scorer`` yield, as Spark reads them.
FEATURE_DDL = "doc_id string, feature binary"
SCORE_DDL = "doc_a string, doc_b string, jaccard double"


def make_features(cfg: DedupConfig, seed: int):
    """mapInArrow function: (doc_id, text) in, (doc_id, feature) out, where the feature is what
    verification compares: sorted unique shingle hashes (exact) or the signature (signature)."""

    def features(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        a, perm_b = make_permutations(cfg.num_perm, seed)
        for batch in batches:
            texts = batch.column("text").to_pylist()
            if cfg.verify == "exact":
                blobs = [shingle_hash_set(t, cfg.ngram).tobytes() for t in texts]
            else:
                sig, _ = text_signatures(texts, cfg.ngram, a, perm_b)
                blobs = [row.tobytes() for row in sig]
            yield pa.RecordBatch.from_arrays(
                [batch.column("doc_id"), pa.array(blobs, pa.binary())], names=["doc_id", "feature"]
            )

    return features


def make_feature_reader(cfg: DedupConfig, seed: int):
    """mapInArrow function: (file, ids) rows in, one per input file with candidate endpoints; (doc_id,
    feature) of those documents out (see ``make_features``).

    Each file's ``doc_id`` column is read first, and the texts only of the row groups that hold an
    endpoint: verification reads a few row groups instead of every text in the corpus.
    """
    features = make_features(cfg, seed)

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for row in batch.to_pylist():
                yield from features(endpoint_texts(row["file"], row["ids"]))

    return read


def endpoint_texts(file_uri: str, ids: list[str]) -> Iterator[pa.RecordBatch]:
    """(doc_id, text) batches of the documents of one Parquet file whose ids are in ``ids``."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    filesystem, path = resolve_spark_file(file_uri)
    parquet = pq.ParquetFile(path, filesystem=filesystem)
    wanted = pa.array(sorted(set(ids)), pa.string())
    for group in range(parquet.num_row_groups):
        found = pc.is_in(parquet.read_row_group(group, columns=["doc_id"]).column("doc_id"), value_set=wanted)
        if pc.any(found).as_py():
            table = parquet.read_row_group(group, columns=["doc_id", "text"]).filter(found)
            yield from table.to_batches()


def make_scorer(verify: str):
    """mapInArrow function: (doc_a, doc_b, feature_a, feature_b) in, (doc_a, doc_b, jaccard) out."""
    measure = exact_jaccard if verify == "exact" else signature_jaccard

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            fa, fb = batch.column("feature_a").to_pylist(), batch.column("feature_b").to_pylist()
            values = [
                measure(np.frombuffer(x, dtype=np.uint64), np.frombuffer(y, dtype=np.uint64))
                for x, y in zip(fa, fb, strict=True)
            ]
            yield pa.RecordBatch.from_arrays(
                [batch.column("doc_a"), batch.column("doc_b"), pa.array(values, pa.float64())],
                names=["doc_a", "doc_b", "jaccard"],
            )

    return score
