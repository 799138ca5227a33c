"""Step 7, the outputs: ``OUT/dedup/documents`` (each input file's kept documents, copied with pyarrow),
``OUT/dedup/clusters`` and ``OUT/dedup/edges``, written side by side with the statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pyarrow as pa

from corpus.dedup.kept_files import WRITTEN_DDL, copy_kept_files, file_slots
from corpus.runtime.fs import move_task_files, resolve_fs
from corpus.runtime.layout import CLUSTERS, DEDUP_DOCUMENTS, EDGES, OutLayout
from corpus.runtime.spark import SCAN_SPLITS_PER_CORE
from corpus.stages.dedup.signatures import FirstPass

T = TypeVar("T")
PLAN_SCHEMA = pa.schema(
    [("file", pa.string()), ("source", pa.string()), ("number", pa.int32()), ("slot", pa.int32())]
)


def write_outputs(
    spark, out: OutLayout, first: FirstPass, clusters, verified, partitions: int, alongside: Callable[[], T]
) -> tuple[dict[str, dict], T]:
    """Write the three outputs and run ``alongside`` (the statistics) at the same time; return (documents
    and bytes written per source, what ``alongside`` returned).

    The outputs and the statistics are independent jobs, most of them small: submitted from threads,
    Spark runs them side by side, so the cores one leaves idle while the driver plans or waits serve
    another.
    """
    from pyspark.sql import functions as F

    removed = clusters.where(~F.col("is_keeper")).select("doc_id")
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="dedup-output") as pool:
        written = pool.submit(write_kept_documents, spark, first, removed, out.uri(DEDUP_DOCUMENTS))
        tables = [
            pool.submit(
                _write_sorted, clusters, "cluster_id", ("cluster_id", "doc_id"), partitions, out.uri(CLUSTERS)
            ),
            pool.submit(_write_sorted, verified, None, ("doc_a", "doc_b"), partitions, out.uri(EDGES)),
        ]
        beside = pool.submit(alongside)
        totals = written.result()
        for job in tables:
            job.result()
        return totals, beside.result()


def _write_sorted(df, key: str | None, order: tuple[str, ...], partitions: int, uri: str) -> None:
    """``df`` as Parquet in a quarter of ``partitions`` files (by ``key`` when given), each sorted by ``order``."""
    parts = max(1, partitions // 4)
    spread = df.repartition(parts, key) if key is not None else df.repartition(parts)
    spread.sortWithinPartitions(*order).write.mode("overwrite").parquet(uri)


def write_kept_documents(spark, first: FirstPass, removed, documents_uri: str) -> dict[str, dict]:
    """Write ``OUT/dedup/documents``: each input file's documents minus the ``removed`` ones, one output
    file per input file (``source=<name>/part-<n>.parquet``, in input order); return docs and bytes per
    source.

    Each task copies its input files (``file_slots``) with pyarrow, row group by row group, leaving out the
    ids Spark hands it: the texts never pass through the JVM, where reading, shuffling by id and rewriting
    them was most of the write's time. The removed ids reach their file's task through a shuffle (never the
    driver); tasks write under ``_attempts/`` and the driver moves in the files of the attempts Spark kept.
    """
    from pyspark.sql import functions as F

    filesystem, root = resolve_fs(documents_uri)
    filesystem.create_dir(root, recursive=True)
    filesystem.delete_dir_contents(root, missing_dir_ok=True)
    files = sorted((row["file"], row["source"], row["bytes"] or 0) for row in first.per_file)
    if not files:
        return {}
    slots = file_slots(
        [size for _, _, size in files], SCAN_SPLITS_PER_CORE * spark.sparkContext.defaultParallelism
    )
    plan = spark.createDataFrame(  # from Arrow: no Python worker has to start for it
        pa.Table.from_pylist(
            [
                {"file": file, "source": source, "number": i, "slot": slot}
                for i, ((file, source, _), slot) in enumerate(zip(files, slots, strict=True))
            ],
            schema=PLAN_SCHEMA,
        )
    )
    removed_by_file = (
        removed.join(first.rows.select("doc_id", "file"), "doc_id")
        .groupBy("file")
        .agg(F.collect_list("doc_id").alias("ids"))
    )
    written = [
        row.asDict()
        for row in plan.join(removed_by_file, "file", "left")
        # one slot per task (range bounds over distinct slots are exact), in slot order
        .repartitionByRange(max(slots) + 1, "slot")
        .mapInArrow(make_kept_copier(documents_uri), WRITTEN_DDL)
        .collect()
    ]
    move_task_files(filesystem, root, written)
    return _per_source(written)


def make_kept_copier(documents_uri: str):
    """mapInArrow function: ``copy_kept_files`` in the task, under the task's attempt id."""

    def copy_files(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        yield from copy_kept_files(batches, documents_uri, TaskContext.get().taskAttemptId())

    return copy_files


def _per_source(written: list[dict]) -> dict[str, dict]:
    """Documents and bytes per source of the files written."""
    totals: dict[str, dict] = {}
    for row in written:
        t = totals.setdefault(row["source"], {"docs": 0, "bytes": 0})
        t["docs"] += row["n_records"]
        t["bytes"] += row["n_bytes"]
    return totals
