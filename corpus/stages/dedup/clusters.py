"""Steps 5-6: the verified edges' connected components, and every document's final cluster.

Vertices are numbered by a global sort of their doc_ids: unique, and in doc_id order whatever the
partitioning, so no hash collision can merge two documents and the results never depend on the numbering.
"""

from __future__ import annotations

import time

from corpus.dedup.graph import union_find_labels
from corpus.stages.dedup.components import connected_components
from corpus.stages.dedup.timer import StepTimer

KIND_EXACT, KIND_NEAR, KIND_KEEPER = "exact", "near", "keeper"  # the clusters' ``kind`` column
# Up to this many verified edges, components are labelled on the driver: two Spark jobs and their
# checkpoints saved, against ~100 MB of driver memory at the limit.
DRIVER_COMPONENTS_MAX_EDGES = 500_000


def document_components(verified, n_verified: int, max_iterations: int, timer: StepTimer):
    """(DataFrame[doc_id, component] of every endpoint of ``verified``, rounds the components took: 0 when
    the ``n_verified`` edges were few enough to label on the driver)."""
    from pyspark.sql import functions as F

    if n_verified <= DRIVER_COMPONENTS_MAX_EDGES:
        return _components_on_driver(verified, timer), 0
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
    return components, result.rounds


def _components_on_driver(verified, timer: StepTimer):
    """The components of a small graph: its edges collected and labelled by a union-find, the component
    being the smallest doc_id (the Spark path's label is the smallest vertex number, and vertices are
    numbered in doc_id order; only the grouping matters downstream)."""
    t0 = time.time()
    edges = [(row["doc_a"], row["doc_b"]) for row in verified.select("doc_a", "doc_b").collect()]
    labels = sorted(union_find_labels(edges).items())
    components = verified.sparkSession.createDataFrame(labels, "doc_id string, component string")
    timer.add("components", t0)
    return components


def final_clusters(exact_members, near_map):
    """One row per document of every cluster with 2+ members (doc_id, cluster_id, is_keeper, kind, source,
    keeper_source, n_bytes). A document's cluster is the near cluster of its exact keeper (or its exact
    group alone); cluster_id is the final keeper's doc_id."""
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
