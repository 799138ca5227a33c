"""The filter stage in Spark: OUT/documents -> OUT/filtered + OUT/dropped + OUT/stats/filter.json.

``mapInArrow`` hands Arrow batches of documents to ``corpus.filters.filter_documents``. The kept documents
are written by the task itself, straight from those Arrow batches, one Parquet file per task and source
(``KeptWriter``); what comes back to Spark is one small stream of *filter rows*: dropped documents (kind
``dropped``: id, reason, score, detail, snippet; no text), per-task counters (kind ``counter``) and the
files written (kind ``file``). Sending the kept texts back through the JVM, caching them and writing them
from there cost ~10 s of the 1 GB build's 38 s filter stage.

- ``OUT/filtered/source=<name>/part-<task>.parquet``: the kept documents (``DOCUMENT_SCHEMA``), in input
  order, one file per read task and source. The set of documents never depends on the partitioning; the
  file layout follows the read tasks.
- ``OUT/dropped/``: one row per dropped document with its reason (``DROPPED_SCHEMA``), sorted by id;
- ``OUT/stats/filter.json``: per source ``in``, ``kept``, ``dropped`` by reason (documents and input
  records), English-test counts and langdetect calls avoided; the stage fails loudly when
  ``in != kept + dropped`` for any source, or when the files hold another number of kept documents.

Retried and speculative tasks write under their own attempt's name in ``filtered/_attempts/``; the driver
moves in only the files of the attempts whose rows Spark kept, then deletes the rest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict

import pyarrow as pa

from corpus.config import Recipe
from corpus.filters import DROPPED_SCHEMA, filter_documents
from corpus.fs import ATTEMPTS_DIR, move_task_files, resolve_fs
from corpus.schema import DOCUMENT_SCHEMA
from corpus.stage import mark_done, stats_path, write_json_atomic
from corpus.tables import format_table

KIND_DROPPED, KIND_COUNTER, KIND_FILE = "dropped", "counter", "file"
KEPT_SCHEMA = pa.schema([f for f in DOCUMENT_SCHEMA if f.name != "source"])  # source is the directory

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


def make_filter_partition(filter_cfg, seed: int, filtered_uri: str):
    """The mapInArrow function: document batches in; kept documents written under ``filtered_uri``;
    dropped, counter and file rows out."""

    def filter_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        writer = KeptWriter(filtered_uri, context.partitionId(), context.taskAttemptId())
        for batch in batches:
            kept, dropped, counters = filter_documents(batch, filter_cfg, seed)
            writer.write(kept)
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
        files = writer.close()
        if files:
            yield pa.RecordBatch.from_pylist(
                [
                    {"kind": KIND_FILE, "source": source, "location": path, "n_records": rows}
                    for source, path, rows in files
                ],
                schema=FILTER_ROW_SCHEMA,
            )

    return filter_partition


class KeptWriter:
    """One task's kept documents as Parquet, one file per source, under ``filtered/_attempts/`` named by
    partition and task attempt (a retried or speculative attempt never writes over another's file)."""

    def __init__(self, filtered_uri: str, partition: int, attempt: int):
        self.filesystem, root = resolve_fs(filtered_uri)
        self.prefix = f"{root}/{ATTEMPTS_DIR}"
        self.name = f"part-{partition:05d}.{attempt}.parquet"
        self.writers: dict[str, list] = {}  # source -> [path, stream, ParquetWriter, rows written]

    def write(self, kept: pa.RecordBatch) -> None:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if not kept.num_rows:
            return
        table = pa.Table.from_batches([kept])
        for source in sorted(pc.unique(table.column("source")).to_pylist()):
            part = table.filter(pc.equal(table.column("source"), source)).select(KEPT_SCHEMA.names)
            if source not in self.writers:
                path = f"{self.prefix}/source={source}/{self.name}"
                self.filesystem.create_dir(path.rsplit("/", 1)[0], recursive=True)
                stream = self.filesystem.open_output_stream(path)
                self.writers[source] = [path, stream, pq.ParquetWriter(stream, KEPT_SCHEMA), 0]
            entry = self.writers[source]
            entry[2].write_table(part.cast(KEPT_SCHEMA))
            entry[3] += part.num_rows

    def close(self) -> list[tuple[str, str, int]]:
        """(source, path, documents) of every file written."""
        files = []
        for source, (path, stream, writer, rows) in sorted(self.writers.items()):
            writer.close()
            stream.close()
            files.append((source, path, rows))
        return files


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
    filtered_uri = f"{out_dir}/filtered"
    filesystem, filtered_root = resolve_fs(filtered_uri)
    filesystem.create_dir(filtered_root, recursive=True)
    filesystem.delete_dir_contents(filtered_root, missing_dir_ok=True)  # nothing of an earlier run survives
    documents = spark.read.parquet(f"{input_dir or out_dir}/documents").select(*DOCUMENT_SCHEMA.names)
    filter_partition = make_filter_partition(recipe.filter, recipe.seed, filtered_uri)
    rows = documents.mapInArrow(filter_partition, FILTER_ROW_DDL).persist(StorageLevel.DISK_ONLY)
    try:
        partitions = recipe.partitions or spark.sparkContext.defaultParallelism
        files = rows.filter(F.col("kind") == KIND_FILE).select("source", "location", "n_records").collect()
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
    written = _move_kept_files(filesystem, filtered_root, files)
    stats = filter_stats(
        recipe, [(r["source"], r["reason"], int(r["n"])) for r in counters], time.time() - started, written
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


def _move_kept_files(filesystem, filtered_root: str, files) -> dict[str, int]:
    """Move the files of the attempts Spark kept into ``source=<name>/part-<task>.parquet``, delete the
    attempts directory (with any retried or speculative attempt's files); return documents per source."""
    move_task_files(filesystem, filtered_root, files)
    written: dict[str, int] = {}
    for row in files:
        written[row["source"]] = written.get(row["source"], 0) + int(row["n_records"])
    return written


def filter_stats(
    recipe: Recipe, counters: list[tuple[str, str, int]], elapsed_s: float, written: dict[str, int]
) -> dict:
    """Per-source numbers from the summed ``(source, counter name, value)`` triples and the kept documents
    found in the written files per source (``written``)."""
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
    for name, s in sources.items():
        s["written"] = written.get(name, 0)
        s["balanced"] = (
            s["in"] == s["kept"] + sum(s["dropped"].values())
            and s["records_in"] == s["records_kept"] + sum(s["records_dropped"].values())
            and s["written"] == s["kept"]
        )
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
            f"  {name}: in {s['in']}, kept {s['kept']}, dropped {sum(s['dropped'].values())}, kept documents "
            f"in the files {s.get('written')} (records {s['records_in']} vs {s['records_kept']} + "
            f"{sum(s['records_dropped'].values())})"
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
