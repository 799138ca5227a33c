"""The dedup stage: exact duplicates, then MinHash-LSH near duplicates, verified and clustered in Spark.

Input: ``OUT/filtered/`` (Parquet of DOCUMENT_SCHEMA, partitioned by source). Steps, each materialized once
(so every step is timed and nothing is recomputed):

1. signatures  the only pass over all texts, through ``mapInArrow``: per document its UTF-8 size, the
           SHA-256 of its text and its b LSH band hashes (MinHash in corpus/dedup/minhash.py, a whole Arrow batch
           per numpy pass), with the Parquet file it came from.
2. exact   one keeper per SHA-256 (a SHA-256 collision is not a practical concern, so "same hash" is
           "same text"). Aggregation only (a min per hash, with map-side partial aggregation), so a million
           identical documents are one small group. Exact duplicates leave the near-duplicate steps.
3. candidates  rows (band, bucket, doc_id) hash-partitioned by (band, bucket) and sorted by doc_id inside
           each partition stream through ``AnchorEdges``: the first ``bucket_all_pairs`` members of a bucket
           are linked pairwise, later ones to the bucket's ``bucket_anchors`` smallest doc_ids. A bucket is
           never collected anywhere, so a skewed bucket of any size costs one task O(bucket_all_pairs)
           memory and a spillable sort; its edge count grows linearly with its size, never O(size**2).
4. verify  every candidate edge is checked against the threshold: the endpoints' texts become sorted
           shingle-hash sets, joined onto the edges, and the exact Jaccard decides (or the signature
           estimate with ``dedup.verify = "signature"``). Only the endpoints' texts are read again: the files
           that hold some are spread over ``partitions`` tasks, each file read for just the row groups
           that hold an endpoint.
5. clusters  connected components of the verified edges (corpus/stages/dedup/components.py). Vertices are numbered by
           a global sort of their doc_ids: unique, and in doc_id order whatever the partitioning, so no
           hash collision can merge two documents and the results never depend on the numbering.
6. keepers  one per cluster, by the rule below; exact duplicates join the cluster of their exact keeper.
7. write   each input file's documents minus the removed ones are copied with pyarrow (the texts never
           go through the JVM again), the files packed into at most 4 tasks per core; the removed ids
           reach each file's task through Spark.

Keeper rule (exact groups and near clusters alike): the lowest recipe source ``priority``, then the
longest text (UTF-8 bytes), then the smallest doc_id.

Outputs: ``OUT/dedup/documents/`` (kept documents, DOCUMENT_SCHEMA, Parquet partitioned by source, one
file per input file, in input order),
``OUT/dedup/clusters/`` (doc_id, cluster_id, is_keeper, kind, source, keeper_source, n_bytes; one row
per document of every cluster of 2 or more; cluster_id is the keeper's doc_id; kind is "exact"
or "near" for removed documents, "keeper" for the keeper), ``OUT/dedup/edges/`` (verified edges doc_a <
doc_b with their Jaccard) and ``OUT/stats/dedup.json``.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from corpus.accounting import require_balanced
from corpus.config import DedupConfig, SourceConfig
from corpus.dedup.minhash import (
    AnchorEdges,
    band_hashes,
    exact_jaccard,
    make_permutations,
    optimal_bands,
    s_curve,
    s_curve_points,
    shingle_hash_set,
    signature_jaccard,
    text_signatures,
)
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.fs import ATTEMPTS_DIR, move_task_files, resolve_fs, resolve_spark_file
from corpus.runtime.layout import CLUSTERS, DEDUP_DOCUMENTS, EDGES, FILTERED
from corpus.runtime.spark import SCAN_SPLITS_PER_CORE, checkpointed
from corpus.schema import STORED_DOCUMENT_SCHEMA as KEPT_SCHEMA

log = logging.getLogger("optcorpus.dedup")

DOC_DDL = "doc_id string, source string, file string, n_bytes long, text_hash binary, buckets array<long>"
WRITTEN_DDL = "source string, location string, n_records long, n_bytes long"
WRITTEN_SCHEMA = pa.schema(
    [("source", pa.string()), ("location", pa.string()), ("n_records", pa.int64()), ("n_bytes", pa.int64())]
)
EDGE_DDL = "doc_a string, doc_b string"
FEATURE_DDL = "doc_id string, feature binary"
SCORE_DDL = "doc_a string, doc_b string, jaccard double"
KIND_EXACT, KIND_NEAR, KIND_KEEPER = "exact", "near", "keeper"
LARGEST_CLUSTERS = 10  # clusters listed with snippets in the stats
MEMBERS_SHOWN = 3  # removed members shown per listed cluster
SNIPPET_CHARS = 200


# ---------------------------------------------------------------------------------------------------------
# Inside Spark tasks: plain functions over Arrow batches (no Spark import; tested directly)
# ---------------------------------------------------------------------------------------------------------


def make_document_rows(cfg: DedupConfig, seed: int, b: int, r: int, bands: bool = True):
    """mapInArrow function: (doc_id, source, file, text) batches in; one row per document out (``DOC_DDL``):
    its UTF-8 size, the SHA-256 of its text and its ``b`` band bucket hashes.

    One pass over the texts gives both the exact key and the MinHash bands (the texts are the expensive
    part to read and move). Documents without any shingle (no word characters) get no buckets: they cannot
    be near duplicates. With ``bands=False`` (near dedup off) no signature is computed.
    """

    def document_rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        a, perm_b = make_permutations(cfg.num_perm, seed)
        for batch in batches:
            text = batch.column("text").fill_null("")
            raw = text.cast(pa.large_binary())  # offsets and bytes of the UTF-8 texts, no copy of the text
            offsets = np.frombuffer(raw.buffers()[1], dtype=np.int64)[raw.offset : raw.offset + len(raw) + 1]
            data = memoryview(raw.buffers()[2] or b"")
            bounds = offsets.tolist()
            digests = [
                hashlib.sha256(data[lo:hi]).digest() for lo, hi in zip(bounds, bounds[1:], strict=False)
            ]
            n = len(text)
            if bands:
                sig, counts = text_signatures(text.to_pylist(), cfg.ngram, a, perm_b)
                keep = counts > 0
                buckets = band_hashes(sig[keep], b, r).view(np.int64)  # Spark longs: the same 64 bits, signed
                bucket_offsets = np.zeros(n + 1, dtype=np.int32)
                np.cumsum(np.where(keep, b, 0), out=bucket_offsets[1:])
            else:
                buckets, bucket_offsets = np.zeros((0, b), np.int64), np.zeros(n + 1, dtype=np.int32)
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("doc_id"),
                    batch.column("source"),
                    batch.column("file"),
                    pa.array(np.diff(offsets), pa.int64()),
                    pa.array(digests, pa.binary()),
                    pa.ListArray.from_arrays(pa.array(bucket_offsets), pa.array(buckets.reshape(-1))),
                ],
                names=["doc_id", "source", "file", "n_bytes", "text_hash", "buckets"],
            )

    return document_rows


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


# ---------------------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------------------


def band_layout(cfg: DedupConfig) -> dict:
    """The band layout the stage uses and its S-curve, as stored in the stats (and drawn by the report)."""
    b, r = optimal_bands(cfg.threshold, cfg.num_perm, cfg.min_recall)
    return {
        "bands": b,
        "rows": r,
        "num_perm": cfg.num_perm,
        "ngram": cfg.ngram,
        "threshold": cfg.threshold,
        "min_recall": cfg.min_recall,
        "recall_at_threshold": round(float(s_curve(cfg.threshold, b, r)), 6),
        "s_curve": s_curve_points(b, r),
    }


def keeper_order():
    """A struct whose minimum is the keeper: lowest priority, then most bytes, then smallest doc_id (the
    source rides along; doc_ids are unique, so it never decides)."""
    from pyspark.sql import functions as F

    return F.struct("priority", (-F.col("n_bytes")).alias("neg_bytes"), "doc_id", "source")


def priority_column(sources: dict[str, SourceConfig]):
    """Recipe priority of each row's source (sources the recipe does not name get the default)."""
    from pyspark.sql import functions as F

    default = SourceConfig.__dataclass_fields__["priority"].default
    expr = F.lit(default)
    for name, source in sorted(sources.items()):
        expr = F.when(F.col("source") == name, F.lit(source.priority)).otherwise(expr)
    return expr


class _Timer:
    """Compute each step once and record how long it took (Spark is lazy: the action is the work).

    Each materialized step is checkpointed (``corpus.runtime.spark.checkpointed``), not only persisted: the steps
    build on each other, and with persisted intermediates every action re-analysed the whole chain of
    joins behind it (~0.6-2 s of driver time per action, 13 s of the 1 GB dedup).
    """

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._persisted: list = []

    def materialize(self, name: str, df, started: float | None = None, action=None):
        """Checkpoint ``df`` (an eager checkpoint is the job that computes it), run ``action`` on the stored
        rows if given (each action is one more job, ~0.4 s with its planning) and return (df, result)."""
        t0 = time.time() if started is None else started
        df = checkpointed(df)
        result = action(df) if action is not None else None
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.time() - t0, 3)
        return df, result

    def keep(self, df):
        """Persist without an action of its own (the next step's action fills the cache)."""
        from pyspark import StorageLevel

        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(df)
        return df

    def add(self, name: str, started: float):
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.time() - started, 3)

    def release(self):
        # Checkpointed steps need no release: Spark's cleaner drops their blocks once unreferenced.
        for df in self._persisted:
            df.unpersist()


def run(ctx: StageContext) -> dict:
    """Deduplicate OUT/filtered into OUT/dedup/{documents,clusters,edges}; return the stats.

    Connected components checkpoint reliably when the session has a checkpoint directory
    (``spark.checkpoint.dir`` or ``SparkContext.setCheckpointDir``; on a cluster put it on shared storage),
    else locally.
    """
    from pyspark.sql import functions as F

    spark, settings, out = ctx.spark, ctx.settings, ctx.out
    cfg = settings.dedup
    partitions = settings.partitions or spark.sparkContext.defaultParallelism
    layout = band_layout(cfg)
    timer = _Timer()
    started = time.time()
    cores = spark.sparkContext.defaultParallelism
    configured = None
    try:
        docs = spark.read.parquet(out.uri(FILTERED))

        # 1. one pass over the texts: size, SHA-256 and band buckets of every document -------------------
        t0 = time.time()
        document_rows = make_document_rows(
            cfg, settings.seed, layout["bands"], layout["rows"], bands=cfg.near
        )
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
        inputs = _per_source(per_file)
        n_docs = sum(row["docs"] for row in inputs)
        band_rows = sum(row["band_rows"] or 0 for row in per_file)
        configured = int(spark.conf.get("spark.sql.shuffle.partitions"))
        spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_tasks(band_rows, cores, configured)))
        meta = rows.select(
            "doc_id",
            "source",
            "n_bytes",
            "text_hash",
            priority_column(settings.sources).alias("priority"),
            F.size("buckets").alias("n_bands"),
        )

        # 2. exact -----------------------------------------------------------------------------------
        t0 = time.time()
        exact_members = _exact_groups(meta) if cfg.exact else _empty_members(spark)
        exact_members, exact_band_rows = timer.materialize(
            "exact",
            exact_members,
            t0,
            # the band rows of the exact duplicates, which never reach the candidates step
            action=lambda d: (
                d.where(F.col("doc_id") != F.col("exact_keeper")).agg(F.sum("n_bands")).first()[0] or 0
            ),
        )
        exact_dups = exact_members.where(F.col("doc_id") != F.col("exact_keeper")).select("doc_id")

        # 3-7. near ----------------------------------------------------------------------------------
        near = {"candidate_pairs": 0, "verified_pairs": 0, "cc_rounds": 0, "candidate_jaccard": []}
        if cfg.near:
            near_map, verified, near = _near_duplicates(
                spark,
                cfg,
                settings.seed,
                rows,
                meta,
                exact_dups,
                partitions,
                timer,
            )
            near["band_rows"] = band_rows - exact_band_rows
        else:
            near_map = spark.createDataFrame(
                [], "doc_id string, source string, n_bytes int, near_keeper string, near_keeper_source string"
            )
            verified = spark.createDataFrame([], SCORE_DDL)

        # clusters, outputs ---------------------------------------------------------------------------
        t0 = time.time()
        clusters, _ = timer.materialize("clusters", _final_clusters(exact_members, near_map), t0)
        # The outputs and the statistics are independent jobs, most of them small: submitted from threads,
        # Spark runs them side by side, so the cores one leaves idle while the driver plans or waits serve
        # another (1 GB: 5.0 s one after the other, 4.1-4.5 s side by side).
        t0 = time.time()
        removed = clusters.where(~F.col("is_keeper")).select("doc_id")
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="dedup-output") as pool:
            written_job = pool.submit(
                write_kept_documents, spark, rows, removed, per_file, out.uri(DEDUP_DOCUMENTS)
            )
            clusters_job = pool.submit(
                clusters.repartition(max(1, partitions // 4), "cluster_id")
                .sortWithinPartitions("cluster_id", "doc_id")
                .write.mode("overwrite")
                .parquet,
                out.uri(CLUSTERS),
            )
            edges_job = pool.submit(
                verified.repartition(max(1, partitions // 4))
                .sortWithinPartitions("doc_a", "doc_b")
                .write.mode("overwrite")
                .parquet,
                out.uri(EDGES),
            )
            stats_job = pool.submit(_stats, settings, inputs, clusters, docs, near, layout, n_docs)
            written = written_job.result()
            clusters_job.result()
            edges_job.result()
            stats = _with_kept(stats_job.result(), written)
        timer.add("write", t0)
    finally:
        timer.release()
        if configured is not None:
            spark.conf.set("spark.sql.shuffle.partitions", str(configured))
    stats["seconds"] = timer.seconds
    stats["elapsed_s"] = round(time.time() - started, 2)
    stats["docs_per_s"] = round(n_docs / stats["elapsed_s"], 1) if stats["elapsed_s"] else None
    stats["cores"] = cores
    return stats


BAND_ROWS_PER_SHUFFLE_TASK = 1_000_000


def shuffle_tasks(band_rows: int, cores: int, configured: int) -> int:
    """Reduce tasks per shuffle for the steps after the signatures: about BAND_ROWS_PER_SHUFFLE_TASK band
    rows each (the most any of them shuffles), at least one per core, at most the session's setting.

    The session's 4 per core suit the big scans; after the signatures, the steps shuffle far less (64k
    documents, 66 candidate pairs at 1 GB), and 8 tasks per join cost more than the joins: 2 took the
    1 GB dedup from 26.6-30.7 s to 24.9-25.3 s (alternating runs).
    """
    return max(1, min(configured, max(cores, -(-band_rows // BAND_ROWS_PER_SHUFFLE_TASK))))


def _per_source(per_file) -> list[dict]:
    """Documents and bytes per source from the per-file rows of the first pass."""
    totals: dict[str, dict] = {}
    for row in per_file:
        t = totals.setdefault(row["source"], {"source": row["source"], "docs": 0, "bytes": 0})
        t["docs"] += row["docs"]
        t["bytes"] += row["bytes"] or 0
    return [totals[name] for name in sorted(totals)]


def write_kept_documents(spark, rows, removed, per_file, documents_uri: str) -> dict[str, dict]:
    """Write ``OUT/dedup/documents``: each input file's documents minus the removed ones, one output file
    per input file (``source=<name>/part-<n>.parquet``, in input order); return docs and bytes per source.

    Each task copies its input files (``file_slots``) with pyarrow, row group by row group, leaving out the
    ids Spark hands it. The texts never pass through the JVM: reading, shuffling by id and rewriting them in Spark was most
    of the 1 GB dedup's 5.5 s write. The removed ids reach their file's task through a shuffle (never the
    driver); tasks write under ``_attempts/`` and the driver moves in the files of the attempts Spark kept.
    """
    from pyspark.sql import functions as F

    filesystem, root = resolve_fs(documents_uri)
    filesystem.create_dir(root, recursive=True)
    filesystem.delete_dir_contents(root, missing_dir_ok=True)
    files = sorted((row["file"], row["source"], row["bytes"] or 0) for row in per_file)
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
            schema=pa.schema(
                [("file", pa.string()), ("source", pa.string()), ("number", pa.int32()), ("slot", pa.int32())]
            ),
        )
    )
    removed_by_file = (
        removed.join(rows.select("doc_id", "file"), "doc_id")
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
    totals: dict[str, dict] = {}
    for row in written:
        t = totals.setdefault(row["source"], {"docs": 0, "bytes": 0})
        t["docs"] += row["n_records"]
        t["bytes"] += row["n_bytes"]
    return totals


def file_slots(sizes: list[int], tasks: int) -> list[int]:
    """The task (slot) of each file: at most ``tasks`` of them, largest file first onto the least loaded
    slot (ties: the lowest). Slot 0 gets the largest file, and tasks start in slot order, so a big file is
    never the last one left; a task per file cost ~50 ms of scheduling each (49 files on 2 cores)."""
    loads = [(0, slot) for slot in range(max(1, min(tasks, len(sizes))))]  # a heap: least loaded first
    slots = [0] * len(sizes)
    for i in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        load, slots[i] = heapq.heappop(loads)
        heapq.heappush(loads, (load + sizes[i], slots[i]))
    return slots


def make_kept_copier(documents_uri: str):
    """mapInArrow function: (file, source, number, ids) rows in, one per input file and its removed ids
    (null when none); the files written out (``WRITTEN_DDL``)."""

    def copy_files(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        attempt = TaskContext.get().taskAttemptId()
        for batch in batches:
            for row in batch.to_pylist():
                written = copy_kept_documents(
                    row["file"], row["source"], row["number"], row["ids"] or [], documents_uri, attempt
                )
                yield pa.RecordBatch.from_pylist(written, schema=WRITTEN_SCHEMA)

    return copy_files


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


def _exact_groups(meta):
    """(doc_id, source, n_bytes, exact_keeper, exact_keeper_source) of every document whose text occurs
    more than once (keepers included)."""
    from pyspark.sql import functions as F

    groups = (
        meta.groupBy("text_hash")
        .agg(F.count("*").alias("size"), F.min(keeper_order()).alias("k"))
        .where(F.col("size") > 1)
        .select(
            "text_hash",
            F.col("k.doc_id").alias("exact_keeper"),
            F.col("k.source").alias("exact_keeper_source"),
        )
    )
    # documents stream on the left, one row per hash on the right: a huge group is never buffered
    return meta.join(groups, "text_hash").select(
        "doc_id", "source", "n_bytes", "exact_keeper", "exact_keeper_source", "n_bands"
    )


def _empty_members(spark):
    return spark.createDataFrame(
        [],
        "doc_id string, source string, n_bytes int, exact_keeper string, exact_keeper_source string, n_bands int",
    )


def _near_duplicates(spark, cfg, seed, rows, meta, exact_dups, partitions, timer):
    """Steps 3-7; returns (near_map DataFrame[doc_id, near_keeper], verified edges, numbers)."""
    from pyspark.sql import functions as F

    # one row per (document, band) of the documents that are not exact duplicates
    bands = rows.select("doc_id", F.posexplode("buckets").alias("band", "bucket")).join(
        exact_dups, "doc_id", "left_anti"
    )
    t0 = time.time()
    candidates = (
        bands.repartition(partitions, "band", "bucket")
        .sortWithinPartitions("band", "bucket", "doc_id")
        .mapInArrow(make_edge_rows(cfg.bucket_anchors, cfg.bucket_all_pairs), EDGE_DDL)
        .distinct()
    )
    candidates, n_candidates = timer.materialize("candidates", candidates, t0, action=lambda d: d.count())

    t0 = time.time()
    endpoints = (
        candidates.select(F.col("doc_a").alias("doc_id"))
        .unionByName(candidates.select(F.col("doc_b").alias("doc_id")))
        .distinct()
    )
    # the endpoints' files, each with its endpoints, one file per row (the texts are read in the tasks)
    by_file = (
        endpoints.join(rows.select("doc_id", "file"), "doc_id")
        .groupBy("file")
        .agg(F.collect_list("doc_id").alias("ids"))
    )
    features = by_file.repartition(partitions).mapInArrow(make_feature_reader(cfg, seed), FEATURE_DDL)
    features, _ = timer.materialize("verify", features, t0)  # used twice below: compute once
    t0 = time.time()
    fa = features.select(F.col("doc_id").alias("doc_a"), F.col("feature").alias("feature_a"))
    fb = features.select(F.col("doc_id").alias("doc_b"), F.col("feature").alias("feature_b"))
    # candidate edges stream on the left; each endpoint's feature is one row on the right
    scored = candidates.join(fa, "doc_a").join(fb, "doc_b").select("doc_a", "doc_b", "feature_a", "feature_b")
    passed = F.col("jaccard") >= cfg.threshold
    scored, histogram = timer.materialize(
        "verify",
        scored.mapInArrow(make_scorer(cfg.verify), SCORE_DDL),
        t0,
        # one aggregate: the candidates' Jaccard histogram (bins of 0.05) and how many pass the threshold
        action=lambda d: (
            d.groupBy(F.least(F.floor(F.col("jaccard") * 20), F.lit(19)).alias("bin"), passed.alias("passed"))
            .count()
            .collect()
        ),
    )
    n_verified = sum(row["count"] for row in histogram if row["passed"])
    verified = timer.keep(scored.where(passed))  # computed from the cached scores on first use

    near_map, rounds = _near_map(verified, meta, cfg.max_cc_iterations, timer)

    numbers = {
        "candidate_pairs": n_candidates,
        "verified_pairs": n_verified,
        "cc_rounds": rounds,
        "candidate_jaccard": _merge_bins(histogram),
    }
    return near_map, verified, numbers


def _near_map(verified, meta, max_iterations: int, timer):
    """(near_map, rounds): connected components of the verified edges (in Spark, whatever the graph size)
    and each component's keeper."""
    from pyspark.sql import functions as F

    from corpus.stages.dedup.components import connected_components

    t0 = time.time()
    vertices = (
        verified.select(F.col("doc_a").alias("doc_id"))
        .unionByName(verified.select(F.col("doc_b").alias("doc_id")))
        .distinct()
        .orderBy("doc_id")
        # after the global sort, monotonically_increasing_id is unique and increases with doc_id
        .select("doc_id", F.monotonically_increasing_id().alias("vid"))
    )
    vertices, _ = timer.materialize("vertices", vertices, t0)
    t0 = time.time()
    va = vertices.select(F.col("doc_id").alias("doc_a"), F.col("vid").alias("src"))
    vb = vertices.select(F.col("doc_id").alias("doc_b"), F.col("vid").alias("dst"))
    graph = verified.join(va, "doc_a").join(vb, "doc_b").select("src", "dst")
    result = connected_components(graph, max_iterations)
    components = result.labels.join(vertices.withColumnRenamed("vid", "vertex"), "vertex").select(
        "doc_id", F.col("component")
    )
    components, _ = timer.materialize("components", components, t0)

    t0 = time.time()
    with_attrs = components.join(meta.select("doc_id", "source", "n_bytes", "priority"), "doc_id")
    keepers = (
        with_attrs.groupBy("component")
        .agg(F.min(keeper_order()).alias("k"))
        .select(
            "component", F.col("k.doc_id").alias("near_keeper"), F.col("k.source").alias("near_keeper_source")
        )
    )
    near_map = with_attrs.join(keepers, "component").select(
        "doc_id", "source", "n_bytes", "near_keeper", "near_keeper_source"
    )
    near_map, _ = timer.materialize("near_keepers", near_map, t0)
    return near_map, result.rounds


def _merge_bins(rows) -> list[list]:
    """[[bin start, candidate pairs], ...] from (bin, passed, count) rows."""
    bins: dict[int, int] = {}
    for row in rows:
        bins[row["bin"]] = bins.get(row["bin"], 0) + row["count"]
    return [[round(b / 20, 2), n] for b, n in sorted(bins.items())]


def _final_clusters(exact_members, near_map):
    """One row per document of every cluster with 2+ members. A document's cluster is the near cluster
    of its exact keeper (or its exact group alone); cluster_id is the final keeper's doc_id."""
    from pyspark.sql import functions as F

    # near-cluster members that are in no exact group are their own exact keepers
    alone = near_map.join(exact_members.select("doc_id"), "doc_id", "left_anti").select(
        "doc_id",
        "source",
        "n_bytes",
        F.col("doc_id").alias("exact_keeper"),
        F.col("source").alias("exact_keeper_source"),
    )
    members = exact_members.drop("n_bands").unionByName(alone)
    near = near_map.select(F.col("doc_id").alias("exact_keeper"), "near_keeper", "near_keeper_source")
    assigned = members.join(near, "exact_keeper", "left")  # members stream; one row per exact keeper
    cluster_id = F.coalesce("near_keeper", "exact_keeper")
    return assigned.select(
        "doc_id",
        cluster_id.alias("cluster_id"),
        (F.col("doc_id") == cluster_id).alias("is_keeper"),
        F.when(F.col("doc_id") == cluster_id, F.lit(KIND_KEEPER))
        .when(F.col("doc_id") != F.col("exact_keeper"), F.lit(KIND_EXACT))
        .otherwise(F.lit(KIND_NEAR))
        .alias("kind"),
        "source",
        F.coalesce("near_keeper_source", "exact_keeper_source").alias("keeper_source"),
        "n_bytes",
    )


def _with_kept(stats: dict, written: dict[str, dict]) -> dict:
    """Fold the documents written per source into ``_stats``' result and balance each source."""
    for source, kept in written.items():
        stats["sources"][source]["kept"] = kept
    for s in stats["sources"].values():
        s["accounted"] = s["exact_dups"]["docs"] + s["near_dups"]["docs"] + s["kept"]["docs"]
        s["balanced"] = s["accounted"] == s["in"]["docs"] and (
            s["exact_dups"]["bytes"] + s["near_dups"]["bytes"] + s["kept"]["bytes"] == s["in"]["bytes"]
        )
    return stats


def _stats(settings, inputs: list, clusters, docs, near: dict, layout: dict, n_docs: int) -> dict:
    """The stage's statistics but the kept documents (``_with_kept`` adds them once they are written)."""
    from pyspark.sql import functions as F

    per_source = {
        name: {key: {"docs": 0, "bytes": 0} for key in ("in", "exact_dups", "near_dups", "kept")}
        for name in sorted(set(settings.sources) | {row["source"] for row in inputs})
    }
    for row in inputs:
        per_source[row["source"]]["in"] = {"docs": row["docs"], "bytes": row["bytes"] or 0}
    # one aggregate gives both the per-source duplicate counts and the cross-source matrix
    matrix: dict[str, dict[str, dict[str, int]]] = {"docs": {}, "bytes": {}}
    removed = clusters.where(~F.col("is_keeper")).groupBy("source", "kind", "keeper_source")
    for row in removed.agg(F.count("*").alias("docs"), F.sum("n_bytes").alias("bytes")).collect():
        counts = per_source[row["source"]]["exact_dups" if row["kind"] == KIND_EXACT else "near_dups"]
        for unit in ("docs", "bytes"):
            value = row[unit] or 0
            counts[unit] += value
            by_keeper = matrix[unit].setdefault(row["source"], {})
            by_keeper[row["keeper_source"]] = by_keeper.get(row["keeper_source"], 0) + value

    sizes = (
        clusters.groupBy("cluster_id")
        .agg(
            F.count("*").alias("size"),
            F.max(F.when(F.col("is_keeper"), F.col("source"))).alias("keeper_source"),
        )
        .persist()
    )
    histogram = sorted([row["size"], row["count"]] for row in sizes.groupBy("size").count().collect())
    top = sizes.orderBy(F.desc("size"), "cluster_id").limit(LARGEST_CLUSTERS).collect()
    sizes.unpersist()

    candidates, verified = near["candidate_pairs"], near["verified_pairs"]
    return {
        "stage": "dedup",
        "recipe": settings.name,
        "config": {
            "exact": settings.dedup.exact,
            "near": settings.dedup.near,
            "verify": settings.dedup.verify,
            "bucket_anchors": settings.dedup.bucket_anchors,
            "bucket_all_pairs": settings.dedup.bucket_all_pairs,
            "keeper_rule": "lowest source priority, then longest text (UTF-8 bytes), then smallest doc_id",
            "priorities": {name: src.priority for name, src in sorted(settings.sources.items())},
        },
        "documents_in": n_docs,
        "sources": per_source,
        "cross_source": matrix,
        "band_rows": near.get("band_rows", 0),
        "candidate_pairs": candidates,
        "verified_pairs": verified,
        "rejected_pairs": candidates - verified,
        "rejected_share": round((candidates - verified) / candidates, 6) if candidates else 0.0,
        "candidate_jaccard_histogram": near["candidate_jaccard"],
        "cc_rounds": near["cc_rounds"],
        "clusters": sum(n for _, n in histogram),
        "cluster_size_histogram": histogram,
        "largest_clusters": _largest_clusters(clusters, docs, top),
        "band_layout": layout,
    }


def _largest_clusters(clusters, docs, top: list) -> list[dict]:
    """The biggest clusters: size, composition by source and kind, the keeper's and a few members' snippets."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if not top:
        return []
    top_ids = [row["cluster_id"] for row in top]
    in_top = clusters.where(F.col("cluster_id").isin(top_ids))
    composition: dict[str, dict] = {cid: {"sources": {}, "kinds": {}} for cid in top_ids}
    for row in in_top.groupBy("cluster_id", "source", "kind").count().collect():
        c = composition[row["cluster_id"]]
        c["sources"][row["source"]] = c["sources"].get(row["source"], 0) + row["count"]
        c["kinds"][row["kind"]] = c["kinds"].get(row["kind"], 0) + row["count"]
    # rank 1 is the keeper, then the first members by doc_id; WindowGroupLimit keeps this streaming
    rank = F.row_number().over(Window.partitionBy("cluster_id").orderBy(F.desc("is_keeper"), "doc_id"))
    ranked = (
        in_top.select("cluster_id", "doc_id", "source", "kind", rank.alias("rank"))
        .where(F.col("rank") <= MEMBERS_SHOWN + 1)
        .collect()
    )
    # the few ids shown are pushed down to the Parquet scan (files whose id range holds none are skipped)
    snippets = {
        r["doc_id"]: r["snippet"]
        for r in docs.where(F.col("doc_id").isin(sorted({r["doc_id"] for r in ranked})))
        .select("doc_id", F.substring("text", 1, SNIPPET_CHARS).alias("snippet"))
        .collect()
    }
    shown = [{**r.asDict(), "snippet": snippets[r["doc_id"]]} for r in ranked]
    largest = []
    for row in top:
        cid = row["cluster_id"]
        rows = sorted((r for r in shown if r["cluster_id"] == cid), key=lambda r: r["rank"])
        largest.append(
            {
                "cluster_id": cid,
                "size": row["size"],
                "keeper_source": row["keeper_source"],
                "sources": dict(sorted(composition[cid]["sources"].items())),
                "kinds": dict(sorted(composition[cid]["kinds"].items())),
                "keeper_snippet": rows[0]["snippet"] if rows and rows[0]["doc_id"] == cid else None,
                "members": [
                    {"doc_id": r["doc_id"], "source": r["source"], "kind": r["kind"], "snippet": r["snippet"]}
                    for r in rows
                    if r["doc_id"] != cid
                ],
            }
        )
    return largest


def check_accounting(stats: dict) -> None:
    """Per source: documents in == exact duplicates + near duplicates + kept (documents and bytes)."""
    bad = {name: s for name, s in stats["sources"].items() if not s["balanced"]}
    if bad:
        lines = [
            f"{name}: in {s['in']} != exact {s['exact_dups']} + near {s['near_dups']} + kept {s['kept']}"
            for name, s in bad.items()
        ]
        require_balanced("dedup accounting", lines)


@dataclass(frozen=True)
class DedupSettings:
    """What the dedup stage sees of the recipe."""

    name: str  # the recipe's name, recorded in the stats
    sources: dict[str, SourceConfig]  # their priorities decide keepers
    dedup: DedupConfig
    seed: int
    partitions: int  # 0 = the session's default parallelism

    @classmethod
    def from_recipe(cls, recipe) -> DedupSettings:
        return cls(recipe.name, recipe.sources, recipe.dedup, recipe.seed, recipe.partitions)


STAGE = Stage(
    name="dedup",
    reads=(FILTERED,),
    writes=(DEDUP_DOCUMENTS, CLUSTERS, EDGES),
    recipe_parts=("dedup",),
    settings=DedupSettings.from_recipe,
    run=run,
    check=check_accounting,
)
