"""Connected components of an edge DataFrame, inside Spark: alternating large-star / small-star.

The algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014), the one
GraphFrames uses, written with plain DataFrame operations (no GraphFrames, nothing collected to the
driver). Vertices are any orderable column type (longs in the dedup stage).

- large-star: every vertex u links each *larger* neighbour to m(u), the smallest of u and its neighbours;
- small-star: every vertex u links itself and each *smaller* neighbour to the smallest of them.

Both keep the connectivity of the graph and only move edges toward smaller vertices, so the graph ends
as a forest of stars, each centred on its component's smallest vertex. The paper proves O(log^2 n) rounds
for the alternation; in practice it behaves like O(log n) (tests/stages/test_dedup_components.py holds a
long path with random ids to 2 log2 n rounds). Each round is checkpointed so the query plan and lineage stay flat.

Skew: the neighbours of a hub with a million edges meet in one task, in Spark's window buffer, which
spills to disk (``spark.sql.windowExec.buffer.spill.threshold`` / ``...spill.size.threshold``) instead of
holding them in memory; a hub costs that task time and disk, not the executor.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.runtime.spark import checkpointed


class ComponentsDidNotConverge(RuntimeError):
    """More rounds than allowed: a bug or a pathological graph; never silently return partial clusters."""


@dataclass
class ComponentsResult:
    labels: object  # DataFrame[vertex, component]: component = smallest vertex of the vertex's component
    rounds: int  # large-star + small-star rounds until the graph was a star forest


def connected_components(edges, max_iterations: int = 64, checkpoint: bool = True) -> ComponentsResult:
    """Label every vertex of the undirected graph ``edges`` (columns ``src``, ``dst``) with the smallest
    vertex of its connected component.

    Only vertices that appear in an edge are labelled. Self-loops and repeated edges are allowed. With
    ``checkpoint`` each round is checkpointed (reliably when the SparkContext has a checkpoint directory,
    else locally), which keeps plans small over many rounds.

    One round is two Spark jobs with one shuffle each: (1) all edges in both directions, grouped by vertex
    (a window, so no join back), give each vertex its smallest neighbour, whether the graph is already a
    star forest, and the large-star edges; (2) those edges, hash-partitioned by their new source,
    deduplicated and small-starred in the same partitioning.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    # the first round reads the input itself (persisted by the caller or cheap to recompute)
    current = (
        edges.where(F.col("src").isNotNull() & F.col("dst").isNotNull() & (F.col("src") != F.col("dst")))
        .select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
        .distinct()
    )
    rounds = 0
    while True:
        scan = _neighbourhoods(current).persist(StorageLevel.MEMORY_AND_DISK)
        if scan.where(~F.col("settled")).limit(1).count() == 0:
            scan.unpersist()
            break
        if rounds >= max_iterations:
            raise ComponentsDidNotConverge(
                f"connected components did not converge in {max_iterations} rounds"
            )
        rounds += 1
        large = scan.where(F.col("dst") > F.col("src")).select(
            F.col("dst").alias("src"), F.col("m").alias("dst")
        )
        following = _persist(_small_star(large), checkpoint)
        scan.unpersist()
        current.unpersist()
        current = following
    labels = (
        current.select(F.col("src").alias("vertex"), F.col("dst").alias("component"))
        .unionByName(current.select(F.col("dst").alias("vertex"), F.col("dst").alias("component")))
        .distinct()
    )
    return ComponentsResult(labels=labels, rounds=rounds)


def _neighbourhoods(edges):
    """Each edge in both directions with m = min(src, its neighbours) and ``settled``: src is a star leaf
    (all its neighbours are one smaller vertex) or a star centre (all neighbours larger). Every vertex
    settled means the graph is a star forest centred on component minima. min/max rather than counts, so
    repeated edges do not matter."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    both = edges.select("src", "dst").unionByName(
        edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"))
    )
    by_vertex = Window.partitionBy("src")
    lo, hi = F.min("dst").over(by_vertex), F.max("dst").over(by_vertex)
    return both.select(
        "src",
        "dst",
        F.least(F.col("src"), lo).alias("m"),
        (((lo == hi) & (lo < F.col("src"))) | (lo > F.col("src"))).alias("settled"),
    )


def _small_star(edges):
    """Large-star output (src > dst) in; each vertex u and its smaller neighbours linked to the smallest of
    them. One output row per distinct input edge: (dst, m) for dst != m, else (src, m)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # repartition by src serves both the dedup (grouping by src, dst) and the window: one shuffle.
    distinct = edges.repartition("src").dropDuplicates(["src", "dst"])
    m = F.min("dst").over(Window.partitionBy("src"))
    with_min = distinct.select("src", "dst", m.alias("m"))
    return with_min.select(
        F.when(F.col("dst") != F.col("m"), F.col("dst")).otherwise(F.col("src")).alias("src"),
        F.col("m").alias("dst"),
    )


def _persist(df, checkpoint: bool):
    if not checkpoint:
        return df.cache()
    return checkpointed(df)
