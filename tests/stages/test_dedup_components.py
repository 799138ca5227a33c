"""Connected components in Spark (corpus/stages/dedup/components.py) against the union-find the stage uses
for small graphs (corpus/dedup/graph.py) on one mixed graph."""

from __future__ import annotations

import math
import random

import pytest

from corpus.dedup.graph import union_find_labels
from corpus.stages.dedup.components import ComponentsDidNotConverge, connected_components

pytestmark = pytest.mark.spark


def mixed_graph() -> list[tuple[int, int]]:
    rng = random.Random(11)
    ids = rng.sample(range(10**6, 10**7), 6000)
    edges: list[tuple[int, int]] = []
    path = ids[:2000]  # a 2,000-vertex path with random ids
    edges += list(zip(path, path[1:], strict=False))
    edges += [(i, i + 1) for i in range(100, 600)]  # a 500-vertex path with ids in order
    hub, leaves = 9_999_999, ids[2000:3500]  # a star whose centre is its largest vertex
    edges += [(hub, leaf) for leaf in leaves]
    tree = ids[3500:4500]  # a random tree
    edges += [(tree[i], tree[rng.randrange(i)]) for i in range(1, len(tree))]
    pairs = ids[4500:4600]
    edges += list(zip(pairs[::2], pairs[1::2], strict=True))  # 50 two-vertex components
    edges += [(b, a) for a, b in edges[:300]] + edges[:300]  # repeated and reversed edges
    edges += [(7, 7), (path[5], path[5])]  # self-loops: vertex 7 appears in no real edge
    rng.shuffle(edges)
    return edges


def test_components_match_union_find(spark, tmp_path):
    spark.sparkContext.setCheckpointDir(str(tmp_path / "checkpoints"))
    edges = mixed_graph()
    df = spark.createDataFrame(edges, "src long, dst long").repartition(3)
    result = connected_components(df, max_iterations=30)
    got = {row["vertex"]: row["component"] for row in result.labels.collect()}
    want = union_find_labels([(a, b) for a, b in edges if a != b])
    assert got == want
    assert len(set(want.values())) == 1 + 1 + 1 + 1 + 50
    # O(log n) in practice: the 2,000-vertex path is the longest chain
    assert result.rounds <= 2 * math.ceil(math.log2(2000))


def test_components_give_up_loudly(spark):
    df = spark.createDataFrame([(i, i + 1) for i in range(64)], "src long, dst long")
    with pytest.raises(ComponentsDidNotConverge, match="did not converge in 1 rounds"):
        connected_components(df, max_iterations=1, checkpoint=False)
