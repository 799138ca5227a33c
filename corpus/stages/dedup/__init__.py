"""The dedup stage: exact duplicates, then MinHash-LSH near duplicates, verified and clustered in Spark.

Input: ``OUT/filtered/`` (Parquet of DOCUMENT_SCHEMA, partitioned by source). Steps, each materialized once
(so every step is timed and nothing is recomputed; ``timer.py``), one module each; what runs inside the
Spark tasks is plain functions over Arrow batches in corpus/dedup/:

1. signatures  (``signatures.py``) the only pass over all texts, through ``mapInArrow``: per document its
           UTF-8 size, the SHA-256 of its text and its b LSH band hashes (corpus/dedup/document_rows.py),
           with the Parquet file it came from.
2. exact   (``exact.py``) one keeper per SHA-256, by aggregation only, so a million identical documents
           are one small group. Exact duplicates leave the near-duplicate steps.
3. candidates  (``candidates.py``) band rows (band, bucket, doc_id), hash-partitioned by (band, bucket)
           and sorted, stream through ``AnchorEdges``: a skewed bucket of any size costs one task bounded
           memory, and its edge count grows linearly with its size.
4. verify  (``verify.py``) every candidate edge is checked against the threshold with the exact Jaccard
           of the endpoints' shingle-hash sets (or the signature estimate with ``dedup.verify =
           "signature"``); only the row groups that hold an endpoint are read again.
5. clusters  (``clusters.py``, ``components.py``) connected components of the verified edges, in Spark;
           vertices numbered in doc_id order, so the results never depend on the partitioning.
6. keepers  (``keepers.py``) one per cluster, by the rule below; exact duplicates join the cluster of
           their exact keeper.
7. write   (``write.py``) each input file's documents minus the removed ones are copied with pyarrow (the
           texts never go through the JVM again, corpus/dedup/kept_files.py); the clusters, the edges and
           the statistics (``stats.py``) are written side by side.

Keeper rule (exact groups and near clusters alike; corpus/dedup/keeper.py): the lowest recipe source
``priority``, then the longest text (UTF-8 bytes), then the smallest doc_id.

Outputs: ``OUT/dedup/documents/`` (kept documents, DOCUMENT_SCHEMA, Parquet partitioned by source, one
file per input file, in input order),
``OUT/dedup/clusters/`` (doc_id, cluster_id, is_keeper, kind, source, keeper_source, n_bytes; one row
per document of every cluster of 2 or more; cluster_id is the keeper's doc_id; kind is "exact"
or "near" for removed documents, "keeper" for the keeper), ``OUT/dedup/edges/`` (verified edges doc_a <
doc_b with their Jaccard) and the stats the runner writes to ``OUT/stats/dedup.json``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from corpus.config import DedupConfig, SourceConfig
from corpus.dedup.plan import band_layout, shuffle_tasks
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.layout import CLUSTERS, DEDUP_DOCUMENTS, EDGES, FILTERED
from corpus.stages.dedup.clusters import final_clusters
from corpus.stages.dedup.exact import exact_duplicates
from corpus.stages.dedup.near import NearStep, near_duplicates, no_near_duplicates
from corpus.stages.dedup.signatures import document_meta, first_pass
from corpus.stages.dedup.stats import check_accounting, collect_cluster_rows, dedup_stats, with_kept
from corpus.stages.dedup.timer import StepTimer
from corpus.stages.dedup.write import write_outputs


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


def run(ctx: StageContext) -> dict:
    """Deduplicate OUT/filtered into OUT/dedup/{documents,clusters,edges}; return the stats.

    Connected components checkpoint reliably when the session has a checkpoint directory
    (``spark.checkpoint.dir`` or ``SparkContext.setCheckpointDir``; on a cluster put it on shared storage),
    else locally. The session's shuffle partitions are sized to the data for the stage's run
    (``corpus.dedup.plan.shuffle_tasks``) and restored afterwards.
    """
    spark = ctx.spark
    timer = StepTimer()
    started = time.time()
    configured = spark.conf.get("spark.sql.shuffle.partitions")
    try:
        stats = _deduplicate(ctx, timer, int(configured))
    finally:
        timer.release()
        spark.conf.set("spark.sql.shuffle.partitions", configured)
    stats["seconds"] = timer.seconds
    stats["elapsed_s"] = round(time.time() - started, 2)
    stats["docs_per_s"] = round(stats["documents_in"] / stats["elapsed_s"], 1) if stats["elapsed_s"] else None
    stats["cores"] = spark.sparkContext.defaultParallelism
    return stats


def _deduplicate(ctx: StageContext, timer: StepTimer, configured_shuffle: int) -> dict:
    """Steps 1-7 (see the module docstring); the stats without the timings."""
    spark, settings, out = ctx.spark, ctx.settings, ctx.out
    cfg = settings.dedup
    partitions = settings.partitions or spark.sparkContext.defaultParallelism
    cores = spark.sparkContext.defaultParallelism
    layout = band_layout(cfg)
    docs = spark.read.parquet(out.uri(FILTERED))

    first = first_pass(docs, settings, layout, timer)
    spark.conf.set(
        "spark.sql.shuffle.partitions", str(shuffle_tasks(first.band_rows, cores, configured_shuffle))
    )
    meta = document_meta(first.rows, settings.sources)
    exact = exact_duplicates(spark, meta, cfg.exact, timer)
    if cfg.near:
        near = near_duplicates(
            NearStep(cfg, settings.seed, partitions, first.rows, meta, exact.duplicates), timer
        )
    else:
        near = no_near_duplicates(spark)
    # the band rows that reached the candidates step (none without near dedup: no signatures then)
    numbers = {**near.numbers, "band_rows": first.band_rows - exact.band_rows}

    t0 = time.time()
    clusters, _ = timer.materialize("clusters", final_clusters(exact.members, near.near_map), t0)
    t0 = time.time()
    written, stats = write_outputs(
        spark,
        out,
        first,
        clusters,
        near.verified,
        partitions,
        alongside=lambda: dedup_stats(settings, first, collect_cluster_rows(clusters, docs), numbers, layout),
    )
    timer.add("write", t0)
    return with_kept(stats, written)


STAGE = Stage(
    name="dedup",
    reads=(FILTERED,),
    writes=(DEDUP_DOCUMENTS, CLUSTERS, EDGES),
    recipe_parts=("dedup",),
    settings=DedupSettings.from_recipe,
    run=run,
    check=check_accounting,
)
