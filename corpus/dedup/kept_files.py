"""Writing the kept documents: each input Parquet file copied with pyarrow, minus its removed documents.

The texts never pass through the JVM again: a Spark task gets a few input files (``file_slots``) with the
ids removed from each, and copies every file row group by row group (``copy_kept_files``), writing under
``_attempts/`` (the stage moves in the files of the attempts Spark kept).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

import pyarrow as pa

from corpus.runtime.fs import ATTEMPTS_DIR, resolve_fs, resolve_spark_file
from corpus.schema import STORED_DOCUMENT_SCHEMA as KEPT_SCHEMA

# The files written, one row each, as ``copy_kept_files`` yields them and Spark reads them.
WRITTEN_DDL = "source string, location string, n_records long, n_bytes long"
WRITTEN_SCHEMA = pa.schema(
    [("source", pa.string()), ("location", pa.string()), ("n_records", pa.int64()), ("n_bytes", pa.int64())]
)


def file_slots(sizes: list[int], tasks: int) -> list[int]:
    """The task (slot) of each file: at most ``tasks`` of them, largest file first onto the least loaded
    slot (ties: the lowest). Slot 0 gets the largest file, and tasks start in slot order, so a big file is
    never the last one left; a task per file would cost ~50 ms of scheduling each.

    >>> file_slots([5, 1, 9, 3, 3, 7], 3)
    [2, 2, 0, 2, 1, 1]
    """
    loads = [(0, slot) for slot in range(max(1, min(tasks, len(sizes))))]  # a heap: least loaded first
    slots = [0] * len(sizes)
    for i in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        load, slots[i] = heapq.heappop(loads)
        heapq.heappush(loads, (load + sizes[i], slots[i]))
    return slots


def copy_kept_files(
    batches: Iterator[pa.RecordBatch], documents_uri: str, attempt: int
) -> Iterator[pa.RecordBatch]:
    """The body of the stage's mapInArrow copier: (file, source, number, ids) rows in, one per input file
    and its removed ids (null when none); the files written out (``WRITTEN_SCHEMA``)."""
    for batch in batches:
        for row in batch.to_pylist():
            written = copy_kept_documents(
                row["file"], row["source"], row["number"], row["ids"] or [], documents_uri, attempt
            )
            yield pa.RecordBatch.from_pylist(written, schema=WRITTEN_SCHEMA)


def copy_kept_documents(
    file_uri: str, source: str, number: int, removed: list[str], documents_uri: str, attempt: int
) -> list[dict]:
    """Copy the documents of one input Parquet file whose ids are not in ``removed`` to
    ``documents_uri/_attempts/source=<source>/part-<number>.<attempt>.parquet``; return the file written
    (source, location, n_records, n_bytes), or nothing when no document is left."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    in_fs, in_path = resolve_spark_file(file_uri)
    out_fs, root = resolve_fs(documents_uri)
    drop = pa.array(sorted(set(removed)), pa.string())
    path = f"{root}/{ATTEMPTS_DIR}/source={source}/part-{number:05d}.{attempt}.parquet"
    parquet = pq.ParquetFile(in_path, filesystem=in_fs)
    stream = writer = None
    docs = n_bytes = 0
    try:
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=KEPT_SCHEMA.names)
            if len(drop):
                table = table.filter(pc.invert(pc.is_in(table.column("doc_id"), value_set=drop)))
            if not table.num_rows:
                continue
            if writer is None:
                out_fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
                stream = out_fs.open_output_stream(path)
                writer = pq.ParquetWriter(stream, KEPT_SCHEMA)
            writer.write_table(table.cast(KEPT_SCHEMA))
            docs += table.num_rows
            n_bytes += pc.sum(pc.binary_length(table.column("text").cast(pa.large_binary()))).as_py() or 0
    finally:
        if writer is not None:
            writer.close()
            stream.close()
    return [{"source": source, "location": path, "n_records": docs, "n_bytes": n_bytes}] if docs else []
