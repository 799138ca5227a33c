"""Step 1, the only pass over all texts: per document its UTF-8 size, SHA-256 and LSH band buckets."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from corpus.dedup.document_rows import DOC_DDL, make_document_rows
from corpus.stages.dedup.keepers import priority_column
from corpus.stages.dedup.timer import StepTimer


@dataclass(frozen=True)
class FirstPass:
    """The first pass, computed once."""

    rows: Any  # DataFrame of DOC_DDL (doc_id, source, file, n_bytes, text_hash, buckets), checkpointed
    per_file: list  # one row per input file: source, file, docs, bytes, band_rows

    @property
    def inputs(self) -> list[dict]:
        """Documents and bytes per source ({source, docs, bytes}, by source name)."""
        totals: dict[str, dict] = {}
        for row in self.per_file:
            t = totals.setdefault(row["source"], {"source": row["source"], "docs": 0, "bytes": 0})
            t["docs"] += row["docs"]
            t["bytes"] += row["bytes"] or 0
        return [totals[name] for name in sorted(totals)]

    @property
    def n_docs(self) -> int:
        return sum(row["docs"] for row in self.per_file)

    @property
    def band_rows(self) -> int:
        return sum(row["band_rows"] or 0 for row in self.per_file)


def first_pass(docs, settings, layout: dict, timer: StepTimer) -> FirstPass:
    """Run ``make_document_rows`` over ``docs`` (OUT/filtered, with each row's Parquet file) and count
    documents, bytes and band rows per input file in the same job."""
    from pyspark.sql import functions as F

    t0 = time.time()
    cfg = settings.dedup
    document_rows = make_document_rows(cfg, settings.seed, layout["bands"], layout["rows"], bands=cfg.near)
    rows, per_file = timer.materialize(
        "signatures",
        docs.select("doc_id", "source", F.col("_metadata.file_path").alias("file"), "text").mapInArrow(
            document_rows, DOC_DDL
        ),
        t0,
        action=lambda d: (
            d.groupBy("source", "file")
            .agg(
                F.count("*").alias("docs"),
                F.sum("n_bytes").alias("bytes"),
                F.sum(F.size("buckets")).alias("band_rows"),
            )
            .collect()
        ),
    )
    return FirstPass(rows, per_file)


def document_meta(rows, sources):
    """What the keeper rule and the exact step look at, per document: doc_id, source, n_bytes, text_hash,
    priority and n_bands (its band rows)."""
    from pyspark.sql import functions as F

    return rows.select(
        "doc_id",
        "source",
        "n_bytes",
        "text_hash",
        priority_column(sources).alias("priority"),
        F.size("buckets").alias("n_bands"),
    )
