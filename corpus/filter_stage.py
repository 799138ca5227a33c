"""The filter stage in Spark: OUT/documents -> OUT/filtered + OUT/dropped + OUT/stats/filter.json.

Spark only moves data. ``mapInArrow`` hands Arrow batches of documents to ``corpus.filters.filter_documents``
and gets back one stream of *filter rows*: kept documents (kind ``doc``), dropped documents (kind
``dropped``: id, reason, score, detail, snippet; no text) and per-task counters (kind ``counter``). The
rows are persisted once on disk and written three ways:

- ``OUT/filtered/source=<name>/``: the kept documents, ``DOCUMENT_SCHEMA``, hashed by ``doc_id`` into
  ``recipe.partitions`` files and sorted by id inside each (the same layout ingest writes, so the output
  does not depend on how the input was partitioned);
- ``OUT/dropped/``: one row per dropped document with its reason (``DROPPED_SCHEMA``), sorted by id;
- ``OUT/stats/filter.json``: per source ``in``, ``kept``, ``dropped`` by reason (documents and input
  records), English-test counts and langdetect calls avoided; the stage fails loudly when
  ``in != kept + dropped`` for any source.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict

import pyarrow as pa

from corpus.config import Recipe
from corpus.filters import DROPPED_SCHEMA, filter_documents
from corpus.schema import DOCUMENT_SCHEMA
from corpus.stage import mark_done, stats_path, write_json_atomic
from corpus.tables import format_table

KIND_DOC, KIND_DROPPED, KIND_COUNTER = "doc", "dropped", "counter"

FILTER_ROW_SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string()),
        *[pa.field(f.name, f.type) for f in DOCUMENT_SCHEMA],
        pa.field("stage", pa.string()),
        pa.field("reason", pa.string()),  # drop reason, or counter name for kind=counter (value in n_records)
        pa.field("score", pa.float64()),
        pa.field("detail", pa.string()),
        pa.field("snippet", pa.string()),
    ]
)
FILTER_ROW_DDL = (
    "kind string, doc_id string, source string, subset string, url string, text string, meta string, "
    "location string, n_records long, stage string, reason string, score double, detail string, snippet string"
)


class FilterAccountingError(RuntimeError):
    """Documents went missing (or appeared) in the filter stage: a bug, never to be ignored."""


# ---------------------------------------------------------------------------------------------------------
# Inside Spark tasks
# ---------------------------------------------------------------------------------------------------------


def make_filter_partition(filter_cfg, seed: int):
    """The mapInArrow function: document batches in, filter-row batches out."""

    def filter_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            kept, dropped, counters = filter_documents(batch, filter_cfg, seed)
            if kept.num_rows:
                yield _as_rows(kept, KIND_DOC)
            if dropped.num_rows:
                yield _as_rows(dropped, KIND_DROPPED)
            if counters:
                yield pa.RecordBatch.from_pylist(
                    [
                        {"kind": KIND_COUNTER, "source": source, "reason": name, "n_records": int(value)}
                        for (source, name), value in sorted(counters.items())
                    ],
                    schema=FILTER_ROW_SCHEMA,
                )

    return filter_partition


def _as_rows(batch: pa.RecordBatch, kind: str) -> pa.RecordBatch:
    """``batch``'s columns moved into the filter-row schema (columns it lacks are null)."""
    n = batch.num_rows
    arrays = []
    for field in FILTER_ROW_SCHEMA:
        if field.name == "kind":
            arrays.append(pa.array([kind] * n, pa.string()))
        elif field.name in batch.schema.names:
            arrays.append(batch.column(field.name).cast(field.type))
        else:
            arrays.append(pa.nulls(n, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=FILTER_ROW_SCHEMA)


# ---------------------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------------------


def run_filter(
    spark, recipe: Recipe, out_dir: str, input_dir: str | None = None, fingerprint: str | None = None
) -> dict:
    """Run the stage on ``(input_dir or out_dir)/documents``; write outputs, stats and the stage marker.

    ``fingerprint`` defaults to the fingerprint of the recipe's filter config and seed; ``corpus.build``
    overwrites the marker with its chained fingerprint afterwards.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = time.time()
    documents = spark.read.parquet(f"{input_dir or out_dir}/documents").select(*DOCUMENT_SCHEMA.names)
    rows = documents.mapInArrow(make_filter_partition(recipe.filter, recipe.seed), FILTER_ROW_DDL)
    rows = rows.persist(StorageLevel.DISK_ONLY)
    try:
        partitions = recipe.partitions or spark.sparkContext.defaultParallelism
        (
            rows.filter(F.col("kind") == KIND_DOC)
            .select(*DOCUMENT_SCHEMA.names)
            .repartition(partitions, "doc_id")
            .sortWithinPartitions("doc_id")
            .write.mode("overwrite")
            .partitionBy("source")
            .parquet(f"{out_dir}/filtered")
        )
        (
            rows.filter(F.col("kind") == KIND_DROPPED)
            .select(*DROPPED_SCHEMA.names)
            .repartition(max(1, partitions // 4), "doc_id")
            .sortWithinPartitions("doc_id")
            .write.mode("overwrite")
            .parquet(f"{out_dir}/dropped")
        )
        counters = (
            rows.filter(F.col("kind") == KIND_COUNTER)
            .groupBy("source", "reason")
            .agg(F.sum("n_records").alias("n"))
            .collect()
        )
    finally:
        rows.unpersist()
    stats = filter_stats(
        recipe, [(r["source"], r["reason"], int(r["n"])) for r in counters], time.time() - started
    )
    write_json_atomic(stats_path(out_dir, "filter"), stats)
    check_filter_accounting(stats)
    mark_done(
        out_dir,
        "filter",
        fingerprint or recipe.fingerprint("filter", "seed"),
        {"elapsed_s": stats["elapsed_s"]},
    )
    return stats


def filter_stats(recipe: Recipe, counters: list[tuple[str, str, int]], elapsed_s: float) -> dict:
    """Per-source numbers from the summed ``(source, counter name, value)`` triples."""
    sources: dict[str, dict] = {}

    def empty() -> dict:
        return {
            "in": 0,
            "kept": 0,
            "dropped": {},
            "records_in": 0,
            "records_kept": 0,
            "records_dropped": {},
            "english_checked": 0,
            "langdetect_calls": 0,
            "langdetect_avoided": 0,
        }

    for name in recipe.sources:
        sources[name] = empty()
    for source, name, value in sorted(counters):
        s = sources.setdefault(source, empty())
        if name.startswith("records_dropped_"):
            s["records_dropped"][name.removeprefix("records_dropped_")] = value
        elif name.startswith("dropped_"):
            s["dropped"][name.removeprefix("dropped_")] = value
        else:
            s[name] = value
    for s in sources.values():
        s["balanced"] = s["in"] == s["kept"] + sum(s["dropped"].values()) and s["records_in"] == s[
            "records_kept"
        ] + sum(s["records_dropped"].values())
        s["kept_share"] = round(s["kept"] / s["in"], 4) if s["in"] else None
    return {
        "stage": "filter",
        "recipe": recipe.name,
        "elapsed_s": round(elapsed_s, 2),
        "config": json.loads(json.dumps(asdict(recipe.filter))),  # tuples as lists: what filter.json holds
        "seed": recipe.seed,
        "sources": sources,
    }


def check_filter_accounting(stats: dict) -> None:
    bad = {name: s for name, s in stats["sources"].items() if not s["balanced"]}
    if bad:
        lines = [
            f"  {name}: in {s['in']} != kept {s['kept']} + dropped {sum(s['dropped'].values())} "
            f"(records {s['records_in']} vs {s['records_kept']} + {sum(s['records_dropped'].values())})"
            for name, s in bad.items()
        ]
        raise FilterAccountingError("filter accounting does not balance:\n" + "\n".join(lines))


def filter_table(stats: dict) -> str:
    """The end-of-job summary: one row per source."""
    rows = []
    for name, s in stats["sources"].items():
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(s["dropped"].items())) or "-"
        rows.append(
            [
                name,
                s["in"],
                s["kept"],
                sum(s["dropped"].values()),
                s["kept_share"],
                s["english_checked"],
                s["langdetect_avoided"],
                s["langdetect_calls"],
                "ok" if s["balanced"] else "MISMATCH",
                reasons,
            ]
        )
    headers = [
        "source",
        "in",
        "kept",
        "dropped",
        "kept share",
        "en checked",
        "ld avoided",
        "ld calls",
        "balance",
        "dropped by reason",
    ]
    return format_table(headers, rows, title=f"filter: {stats['recipe']} ({stats['elapsed_s']} s)")
