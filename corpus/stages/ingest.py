"""The ingest stage: native files -> normalized documents + rejects + accounted stats.

Spark only moves data here. The driver lists input files (never their contents); each task streams its
files through ``pyarrow.fs`` into a reader from ``corpus/sources`` and normalizes the documents in Arrow
batches. Reddit comments are grouped into threads by ``link_id`` in a second, grouped step.

Every record a reader reads becomes exactly one ingest row (doc / reject / skip / part), and every task
reports how many records it read as ``counter`` rows. ``check_accounting`` then requires, per source::

    records read == records in documents + rejects + skips

and the stage fails loudly when that does not hold (after writing the stats, so they can be inspected).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import pyarrow as pa

from corpus.accounting import AccountingError, require_balanced
from corpus.config import IngestConfig, NormalizeConfig, SourceConfig
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.layout import DOCUMENTS, REJECTS
from corpus.schema import (
    DOCUMENT_SCHEMA,
    INGEST_ROW_DDL,
    INGEST_ROW_SCHEMA,
    KIND_COUNTER,
    KIND_DOC,
    KIND_PART,
    KIND_REJECT,
    KIND_SKIP,
)
from corpus.sources.base import FileContext
from corpus.sources.listing import InputError, InputFile, list_source_files, open_input

EMPTY_AFTER_NORMALIZE = "empty_after_normalize"
UNREADABLE_FILE = "unreadable_file"


@dataclass(frozen=True)
class IngestSettings:
    """What the ingest stage sees of the recipe."""

    name: str  # the recipe's name, recorded in the stats
    sources: dict[str, SourceConfig]
    ingest: IngestConfig
    normalize: NormalizeConfig
    partitions: int  # Spark partitions of the documents; 0 = the session's default parallelism

    @classmethod
    def from_recipe(cls, recipe) -> IngestSettings:
        return cls(recipe.name, recipe.sources, recipe.ingest, recipe.normalize, recipe.partitions)


FILE_DDL = (
    "source string, uri string, rel_path string, size long, options string, filesystem string, path string"
)


# ---------------------------------------------------------------------------------------------------------
# Inside Spark tasks (plain functions over Arrow batches; importable and testable without Spark)
# ---------------------------------------------------------------------------------------------------------


def counter_row(source: str, name: str, value: int, location: str = "") -> dict:
    return {
        "kind": KIND_COUNTER,
        "doc_id": None,
        "source": source,
        "subset": None,
        "url": None,
        "text": None,
        "meta": None,
        "location": location,
        "n_records": int(value),
        "reason": name,
        "snippet": None,
        "group_key": None,
    }


def normalize_rows(rows: list[dict], normalize_cfg) -> list[dict]:
    """Normalize the text of the document rows in place; emptied documents become skips; add counter rows."""
    from corpus.text.normalize import normalize_texts

    docs = [r for r in rows if r["kind"] == KIND_DOC]
    if not docs:
        return rows
    texts, counts = normalize_texts([r["text"] for r in docs], normalize_cfg)
    for row, text in zip(docs, texts, strict=True):
        row["text"] = text
        if not text:
            row.update(kind=KIND_SKIP, reason=EMPTY_AFTER_NORMALIZE, text=None, doc_id=None)
    source = docs[0]["source"]  # a batch holds rows of one source (one file, or one Reddit thread group)
    extra = [
        counter_row(source, f"normalize_{name}", value) for name, value in sorted(counts.items()) if value
    ]
    return rows + extra


class _Batcher:
    """Cut a row stream into Arrow batches of at most ``rows`` rows / about ``max_bytes`` text bytes."""

    def __init__(self, rows: int, max_bytes: int):
        self.rows, self.max_bytes = rows, max_bytes
        self.pending: list[dict] = []
        self.bytes = 0

    def add(self, row: dict) -> bool:
        self.pending.append(row)
        self.bytes += len(row["text"] or "") + len(row["meta"] or "")
        return len(self.pending) >= self.rows or self.bytes >= self.max_bytes

    def take(self) -> list[dict]:
        rows, self.pending, self.bytes = self.pending, [], 0
        return rows


def read_file_rows(file: dict) -> Iterator[dict]:
    """All ingest rows of one input file, then its counters (records, files, bytes, read milliseconds)."""
    from corpus.sources import reader_for

    ctx = FileContext(
        source=file["source"], rel_path=file["rel_path"], uri=file["uri"], options=json.loads(file["options"])
    )
    start = time.perf_counter()
    emitted = 0
    try:
        raw = open_input(file["filesystem"], file["path"])
    except OSError as e:  # permissions, vanished file: the file is one rejected record
        ctx.count_record()
        yield ctx.reject("", UNREADABLE_FILE, str(e))
        emitted = 1
    else:
        with raw:
            for row in reader_for(ctx.source, ctx.rel_path)(raw, ctx):
                emitted += row["n_records"]
                yield row
    if emitted != ctx.records_read:
        raise AccountingError(
            f"{ctx.uri}: reader counted {ctx.records_read} records but emitted rows for {emitted}"
        )
    elapsed_ms = int((time.perf_counter() - start) * 1000)
    for name, value in (
        ("records", ctx.records_read),
        ("files", 1),
        ("bytes", file["size"]),
        ("read_ms", elapsed_ms),
    ):
        yield counter_row(ctx.source, name, value, ctx.rel_path)


def make_read_partition(ingest_cfg, normalize_cfg):
    """The mapInArrow function: a batch of file rows in, ingest-row batches out."""

    def read_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for file in batch.to_pylist():
                batcher = _Batcher(ingest_cfg.batch_rows, ingest_cfg.batch_bytes)
                for row in read_file_rows(file):
                    if batcher.add(row):
                        yield _to_batch(normalize_rows(batcher.take(), normalize_cfg))
                if batcher.pending:
                    yield _to_batch(normalize_rows(batcher.take(), normalize_cfg))

    return read_partition


def make_build_threads(bot_authors: tuple[str, ...], ingest_cfg, normalize_cfg):
    """The mapInArrow function for Reddit: part rows sorted by link_id in, thread docs + skips out.

    Rows arrive partitioned and sorted by ``group_key``, so one pass holds one thread at a time. (A
    grouped ``applyInArrow`` costs a Python round trip per group: with ~10k small threads per 100 MB of
    dumps that was ~95% of the ingest stage.)
    """

    def build(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from corpus.sources.reddit import build_threads

        batcher = _Batcher(ingest_cfg.batch_rows, ingest_cfg.batch_bytes)
        key, thread = None, []

        def finish(rows: list[dict]) -> Iterator[pa.RecordBatch]:
            for out in build_threads(rows, bot_authors):
                if batcher.add(out):
                    yield _to_batch(normalize_rows(batcher.take(), normalize_cfg))

        for batch in batches:
            for row in batch.to_pylist():
                if row["group_key"] != key and thread:
                    yield from finish(thread)
                    thread = []
                key = row["group_key"]
                thread.append(row)
        if thread:
            yield from finish(thread)
        if batcher.pending:
            yield _to_batch(normalize_rows(batcher.take(), normalize_cfg))

    return build


def _to_batch(rows: list[dict]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=INGEST_ROW_SCHEMA)


# ---------------------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------------------


def list_inputs(settings: IngestSettings) -> list[InputFile]:
    files: list[InputFile] = []
    for source, cfg in settings.sources.items():
        found = list_source_files(source, cfg.paths, cfg.include)
        if not found:
            raise InputError(
                f"source {source!r}: no file under {list(cfg.paths)} matches {list(cfg.include)}"
            )
        files.extend(found)
    return files


def source_options(settings: IngestSettings, source: str) -> str:
    cfg = asdict(settings.sources[source])
    return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}, sort_keys=True)


def pack_files(file_rows: list[tuple], max_bytes: int, max_files: int) -> list[list[tuple]]:
    """Group (source, uri, rel_path, size, options, ...) rows into tasks: largest files first (so a big file does
    not start last), each task filled up to ``max_bytes`` or ``max_files``.

    >>> [len(t) for t in pack_files([("s", f"f{i}", "", size, "") for i, size in enumerate([90, 5, 5, 5])], 10, 2)]
    [1, 2, 1]
    """
    tasks: list[list[tuple]] = []
    size = 0
    for row in sorted(file_rows, key=lambda r: (-r[3], r[1])):
        if not tasks or size + row[3] > max_bytes or len(tasks[-1]) >= max_files:
            tasks.append([])
            size = 0
        tasks[-1].append(row)
        size += row[3]
    return tasks or [[]]


def ingest_rows(spark, settings: IngestSettings, files: list[InputFile]):
    """The DataFrame of all ingest rows (documents, rejects, skips, counters) for ``files``."""
    from pyspark.sql import functions as F

    file_rows = [
        (f.source, f.uri, f.rel_path, f.size, source_options(settings, f.source), f.filesystem, f.path)
        for f in files
    ]
    tasks = pack_files(file_rows, settings.ingest.partition_bytes, settings.ingest.files_per_partition)
    # One list of files per slice, so each Spark task gets exactly the files packed for it.
    files_df = spark.createDataFrame(
        spark.sparkContext.parallelize(tasks, len(tasks)).flatMap(lambda files: files), FILE_DDL
    )
    rows = files_df.mapInArrow(make_read_partition(settings.ingest, settings.normalize), INGEST_ROW_DDL)
    if "reddit" not in settings.sources:
        return rows
    bots = settings.sources["reddit"].reddit_bot_authors
    partitions = settings.partitions or spark.sparkContext.defaultParallelism
    threads = (
        rows.filter(F.col("kind") == KIND_PART)
        .repartition(partitions, "group_key")
        .sortWithinPartitions("group_key", "location")
        .mapInArrow(make_build_threads(bots, settings.ingest, settings.normalize), INGEST_ROW_DDL)
    )
    return rows.filter(F.col("kind") != KIND_PART).unionByName(threads)


def run(ctx: StageContext) -> dict:
    """Write OUT/documents and OUT/rejects; return the stats (the runner writes and checks them)."""
    from pyspark import StorageLevel

    started = time.time()
    settings = ctx.settings
    rows = ingest_rows(ctx.spark, settings, list_inputs(settings)).persist(StorageLevel.DISK_ONLY)
    try:
        partitions = settings.partitions or ctx.spark.sparkContext.defaultParallelism
        _write_documents(rows, partitions, ctx.out.uri(DOCUMENTS))
        _write_rejects(rows, partitions, ctx.out.uri(REJECTS))
        summary = _summary(rows)
    finally:
        rows.unpersist()
    return ingest_stats(settings, summary, time.time() - started)


def _write_documents(rows, partitions: int, uri: str) -> None:
    from pyspark.sql import functions as F

    docs = rows.filter(F.col("kind") == KIND_DOC).select(*DOCUMENT_SCHEMA.names)
    (
        docs.repartition(partitions, "doc_id")
        .sortWithinPartitions("doc_id")
        .write.mode("overwrite")
        .partitionBy("source")
        .parquet(uri)
    )


def _write_rejects(rows, partitions: int, uri: str) -> None:
    from pyspark.sql import functions as F

    rejects = rows.filter(F.col("kind").isin(KIND_REJECT, KIND_SKIP)).select(
        "kind",
        "source",
        "location",
        F.when(F.col("reason") == EMPTY_AFTER_NORMALIZE, F.lit("normalize"))
        .otherwise(F.lit("ingest"))
        .alias("stage"),
        "reason",
        "snippet",
        "n_records",
    )
    rejects.coalesce(max(1, partitions // 4)).write.mode("overwrite").parquet(uri)


def _summary(rows) -> list[dict]:
    """One (source, kind, reason) row per outcome: records, rows and text characters."""
    from pyspark.sql import functions as F

    summary = (
        rows.groupBy("source", "kind", "reason")
        .agg(
            F.sum("n_records").alias("n"), F.count("*").alias("rows"), F.sum(F.length("text")).alias("chars")
        )
        .collect()
    )
    return [r.asDict() for r in summary]


def ingest_stats(settings: IngestSettings, summary: list[dict], elapsed_s: float) -> dict:
    """Per-source numbers from the (source, kind, reason) aggregate."""
    sources: dict[str, dict] = {}
    for name in settings.sources:
        sources[name] = {
            "files": 0,
            "bytes": 0,
            "records": 0,
            "documents": 0,
            "doc_records": 0,
            "text_chars": 0,
            "rejects": {},
            "skips": {},
            "normalize": {},
            "read_ms": 0,
        }
    for r in sorted(summary, key=lambda r: (r["source"], r["kind"], r["reason"] or "")):
        s = sources[r["source"]]
        if r["kind"] == KIND_DOC:
            s["documents"] += r["rows"]
            s["doc_records"] += r["n"]
            s["text_chars"] += r["chars"] or 0
        elif r["kind"] == KIND_REJECT:
            s["rejects"][r["reason"]] = s["rejects"].get(r["reason"], 0) + r["n"]
        elif r["kind"] == KIND_SKIP:
            s["skips"][r["reason"]] = s["skips"].get(r["reason"], 0) + r["n"]
        elif r["kind"] == KIND_COUNTER:
            if r["reason"].startswith("normalize_"):
                s["normalize"][r["reason"].removeprefix("normalize_")] = r["n"]
            else:
                s[r["reason"]] = r["n"]
        else:
            raise AccountingError(f"unexpected ingest row kind {r['kind']!r} for source {r['source']}")
    for s in sources.values():
        s["accounted"] = s["doc_records"] + sum(s["rejects"].values()) + sum(s["skips"].values())
        s["balanced"] = s["accounted"] == s["records"]
        s["docs_per_s_per_core"] = round(s["documents"] / (s["read_ms"] / 1000), 1) if s["read_ms"] else None
        s["mb_per_s_per_core"] = round(s["bytes"] / 1e6 / (s["read_ms"] / 1000), 2) if s["read_ms"] else None
    return {"stage": "ingest", "elapsed_s": round(elapsed_s, 2), "recipe": settings.name, "sources": sources}


def check_accounting(stats: dict) -> None:
    bad = {name: s for name, s in stats["sources"].items() if not s["balanced"]}
    if bad:
        lines = [
            f"{name}: records read {s['records']} != in documents {s['doc_records']} + rejects "
            f"{sum(s['rejects'].values())} + skips {sum(s['skips'].values())}"
            for name, s in bad.items()
        ]
        require_balanced("ingest accounting", lines)


STAGE = Stage(
    name="ingest",
    reads=(),
    writes=(DOCUMENTS, REJECTS),
    recipe_parts=("sources", "ingest", "normalize"),
    settings=IngestSettings.from_recipe,
    run=run,
    check=check_accounting,
)
