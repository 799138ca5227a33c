"""The ingest stage: native files -> normalized documents + rejects + accounted stats.

Spark only moves data here. The driver lists input files (never their contents); each task streams its
files through ``pyarrow.fs`` into a reader from ``corpus/sources`` and normalizes the documents in Arrow
batches. Reddit comments are grouped into threads by ``link_id`` in a second, grouped step.

The tasks write the documents themselves (``TaskFiles``), one Parquet file per task and source under
``OUT/documents/source=<name>/``, in read order; the texts never go through the JVM. What comes back to
Spark is small: rejects and skips, the tasks' counters (records read, documents written, their records
and characters) and the files written, which the driver moves into place. (Sending the texts through
Spark only to cache, shuffle and write them was most of the stage's cost.)

Every record a reader reads becomes exactly one ingest row (doc / reject / skip / part), and every task
reports how many records it read as ``counter`` rows. ``check_accounting`` then requires, per source::

    records read == records in documents + rejects + skips
    documents counted == documents in the files written

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
from corpus.runtime.fs import TaskFiles, move_task_files, resolve_fs, write_empty_parquet
from corpus.runtime.layout import DOCUMENTS, REJECTS
from corpus.schema import (
    DOCUMENT_SCHEMA,
    INGEST_ROW_DDL,
    INGEST_ROW_SCHEMA,
    KIND_COUNTER,
    KIND_DOC,
    KIND_FILE,
    KIND_PART,
    KIND_REJECT,
    KIND_SKIP,
    STORED_DOCUMENT_SCHEMA,
)
from corpus.sources.base import FileContext
from corpus.sources.listing import InputError, InputFile, list_source_files, open_input

EMPTY_AFTER_NORMALIZE = "empty_after_normalize"
TASKS_PER_CORE = 2  # read tasks per core at least, input permitting (files are not split)
UNREADABLE_FILE = "unreadable_file"


@dataclass(frozen=True)
class IngestSettings:
    """What the ingest stage sees of the recipe."""

    name: str  # the recipe's name, recorded in the stats
    sources: dict[str, SourceConfig]
    ingest: IngestConfig
    normalize: NormalizeConfig
    partitions: int  # Spark partitions of the Reddit grouping and the rejects; 0 = the default parallelism
    english_only: bool = False  # filter.english: a source may skip what is certainly not English

    @classmethod
    def from_recipe(cls, recipe) -> IngestSettings:
        return cls(
            recipe.name,
            recipe.sources,
            recipe.ingest,
            recipe.normalize,
            recipe.partitions,
            recipe.filter.english,
        )


def language_gate(recipe) -> str:
    """The ingest fingerprint's part for the HTML language gate, which is on only when the recipe keeps
    English only: turning ``filter.english`` on or off changes what ingest skips."""
    on = recipe.filter.english and any(s.html_language_gate for s in recipe.sources.values())
    return "html_language_gate" if on else ""


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


class DocumentSink:
    """Where a task's normalized rows go: the documents into the task's own Parquet files under
    ``documents_uri`` (counted per source), everything else back to Spark as Arrow batches.

    Without ``documents_uri`` the documents go back to Spark with the rest: how the task functions are
    run on their own (tests, ``bench/bench_corruption.py``), with the same reading and normalizing.
    """

    DOCUMENT_COUNTERS = ("documents", "doc_records", "text_chars")  # per source, in this order

    def __init__(self, documents_uri: str | None, stem: str):
        self.files = None
        if documents_uri is not None:
            from pyspark import TaskContext

            context = TaskContext.get()
            self.files = TaskFiles(documents_uri, context.partitionId(), context.taskAttemptId(), stem)
        self.counts: dict[str, list[int]] = {}  # source -> DOCUMENT_COUNTERS

    def batch(self, rows: list[dict]) -> pa.RecordBatch:
        """The batch to send back for ``rows``: all of them, or all but the documents once written."""
        if self.files is None:
            return _to_batch(rows)
        docs = [r for r in rows if r["kind"] == KIND_DOC]
        if docs:
            self.files.write_by_source(
                pa.RecordBatch.from_pylist(docs, schema=DOCUMENT_SCHEMA), STORED_DOCUMENT_SCHEMA
            )
            for r in docs:
                counts = self.counts.setdefault(r["source"], [0, 0, 0])
                counts[0] += 1
                counts[1] += r["n_records"]
                counts[2] += len(r["text"])
        return _to_batch([r for r in rows if r["kind"] != KIND_DOC])

    def close(self) -> pa.RecordBatch:
        """The task's document counters and the files it wrote (kind ``file``)."""
        if self.files is None:
            return _to_batch([])
        rows = [
            counter_row(source, name, value)
            for source, counts in sorted(self.counts.items())
            for name, value in zip(self.DOCUMENT_COUNTERS, counts, strict=True)
        ]
        for path, per_source in self.files.close():
            rows.extend(
                counter_row(source, "documents_in_file", n, path) | {"kind": KIND_FILE}
                for source, n in sorted(per_source.items())
            )
        return _to_batch(rows)


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


def make_read_partition(ingest_cfg, normalize_cfg, documents_uri: str | None = None):
    """The mapInArrow function: a batch of file rows in, ingest-row batches out (the documents written
    under ``documents_uri`` instead, when given: ``DocumentSink``)."""

    def read_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        sink = DocumentSink(documents_uri, "part")
        for batch in batches:
            for file in batch.to_pylist():
                batcher = _Batcher(ingest_cfg.batch_rows, ingest_cfg.batch_bytes)
                for row in read_file_rows(file):
                    if batcher.add(row):
                        yield sink.batch(normalize_rows(batcher.take(), normalize_cfg))
                if batcher.pending:
                    yield sink.batch(normalize_rows(batcher.take(), normalize_cfg))
        yield sink.close()

    return read_partition


def make_build_threads(
    bot_authors: tuple[str, ...], ingest_cfg, normalize_cfg, documents_uri: str | None = None
):
    """The mapInArrow function for Reddit: part rows sorted by link_id in, thread docs + skips out (the
    documents written under ``documents_uri`` instead, when given).

    Rows arrive partitioned and sorted by ``group_key``, so one pass holds one thread at a time. (A
    grouped ``applyInArrow`` costs a Python round trip per group: with ~10k small threads per 100 MB of
    dumps that was ~95% of the ingest stage.)
    """

    def build(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from corpus.sources.reddit import build_threads

        sink = DocumentSink(documents_uri, "threads")
        batcher = _Batcher(ingest_cfg.batch_rows, ingest_cfg.batch_bytes)
        key, thread = None, []

        def finish(rows: list[dict]) -> Iterator[pa.RecordBatch]:
            for out in build_threads(rows, bot_authors):
                if batcher.add(out):
                    yield sink.batch(normalize_rows(batcher.take(), normalize_cfg))

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
            yield sink.batch(normalize_rows(batcher.take(), normalize_cfg))
        yield sink.close()

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
    """The source's options as its reader sees them (``FileContext.options``), with ``language_gate``."""
    cfg = asdict(settings.sources[source])
    options = {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()}
    options["language_gate"] = settings.english_only and cfg["html_language_gate"]
    return json.dumps(options, sort_keys=True)


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


def task_bytes(total: int, partition_bytes: int, cores: int) -> int:
    """Input bytes per read task: ``partition_bytes``, or less when the input is too small to give every
    core ``TASKS_PER_CORE`` tasks (a small input in one task would leave the other cores idle).

    >>> task_bytes(33_000_000, 64 << 20, 2)
    8250000
    >>> task_bytes(10 << 30, 64 << 20, 2)
    67108864
    """
    return max(1, min(partition_bytes, -(-total // (cores * TASKS_PER_CORE))))


def ingest_rows(spark, settings: IngestSettings, files: list[InputFile], documents_uri: str | None = None):
    """(the DataFrame of the ingest rows for ``files``, the DataFrames persisted on the way).

    With ``documents_uri`` the tasks write the documents there and send back the rest (``DocumentSink``).
    For Reddit the read step feeds two branches (its part rows go on to be grouped into threads), so it is
    persisted: every file is read, and its documents written, once.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    file_rows = [
        (f.source, f.uri, f.rel_path, f.size, source_options(settings, f.source), f.filesystem, f.path)
        for f in files
    ]
    tasks = pack_files(
        file_rows,
        task_bytes(
            sum(f.size for f in files), settings.ingest.partition_bytes, spark.sparkContext.defaultParallelism
        ),
        settings.ingest.files_per_partition,
    )
    # One list of files per slice, so each Spark task gets exactly the files packed for it.
    files_df = spark.createDataFrame(
        spark.sparkContext.parallelize(tasks, len(tasks)).flatMap(lambda files: files), FILE_DDL
    )
    read = make_read_partition(settings.ingest, settings.normalize, documents_uri)
    rows = files_df.mapInArrow(read, INGEST_ROW_DDL)
    if "reddit" not in settings.sources:
        return rows, []
    rows = rows.persist(StorageLevel.DISK_ONLY)
    bots = settings.sources["reddit"].reddit_bot_authors
    partitions = settings.partitions or spark.sparkContext.defaultParallelism
    threads = (
        rows.filter(F.col("kind") == KIND_PART)
        .repartition(partitions, "group_key")
        .sortWithinPartitions("group_key", "location")
        .mapInArrow(
            make_build_threads(bots, settings.ingest, settings.normalize, documents_uri), INGEST_ROW_DDL
        )
    )
    return rows.filter(F.col("kind") != KIND_PART).unionByName(threads), [rows]


def run(ctx: StageContext) -> dict:
    """Write OUT/documents and OUT/rejects; return the stats (the runner writes and checks them)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = time.time()
    settings = ctx.settings
    documents = ctx.out.folder(DOCUMENTS)
    documents.clear()  # no document of an earlier run survives
    rows, persisted = ingest_rows(ctx.spark, settings, list_inputs(settings), ctx.out.uri(DOCUMENTS))
    rows = rows.persist(StorageLevel.DISK_ONLY)
    try:
        # The aggregation first: its shuffle reads every task at full parallelism (the rejects' write
        # coalesces, which would narrow the read to its few tasks).
        summary = _summary(rows.filter(F.col("kind") != KIND_FILE))
        partitions = settings.partitions or ctx.spark.sparkContext.defaultParallelism
        _write_rejects(rows, partitions, ctx.out.uri(REJECTS))
        files = [r.asDict() for r in rows.filter(F.col("kind") == KIND_FILE).collect()]
    finally:
        for df in [rows, *persisted]:
            df.unpersist()
    filesystem, root = resolve_fs(ctx.out.uri(DOCUMENTS))
    written = move_task_files(filesystem, root, files)
    if not written:  # no document at all: later stages still find the schema
        write_empty_parquet(filesystem, root, DOCUMENT_SCHEMA)
    return ingest_stats(settings, summary, time.time() - started, written)


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


def ingest_stats(
    settings: IngestSettings, summary: list[dict], elapsed_s: float, written: dict[str, int] | None = None
) -> dict:
    """Per-source numbers from the (source, kind, reason) aggregate, and the documents per source found in
    the files the tasks wrote (``written``; unchecked when None)."""
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
    for name, s in sources.items():
        s["accounted"] = s["doc_records"] + sum(s["rejects"].values()) + sum(s["skips"].values())
        s["written"] = s["documents"] if written is None else written.get(name, 0)
        s["balanced"] = s["accounted"] == s["records"] and s["written"] == s["documents"]
        s["docs_per_s_per_core"] = round(s["documents"] / (s["read_ms"] / 1000), 1) if s["read_ms"] else None
        s["mb_per_s_per_core"] = round(s["bytes"] / 1e6 / (s["read_ms"] / 1000), 2) if s["read_ms"] else None
    return {"stage": "ingest", "elapsed_s": round(elapsed_s, 2), "recipe": settings.name, "sources": sources}


def check_accounting(stats: dict) -> None:
    bad = {name: s for name, s in stats["sources"].items() if not s["balanced"]}
    if bad:
        lines = [
            f"{name}: records read {s['records']} vs in documents {s['doc_records']} + rejects "
            f"{sum(s['rejects'].values())} + skips {sum(s['skips'].values())}; documents {s['documents']}, "
            f"in the files written {s['written']}"
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
    fingerprint_extra=language_gate,
)
