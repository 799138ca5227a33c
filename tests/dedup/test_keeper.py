"""The keeper rule: the pure function (corpus/dedup/keeper.py) on its own, then the Spark column the stage
uses (corpus/stages/dedup/keepers.py) against it on the same hand-made clusters."""

from __future__ import annotations

import itertools
import random

import pytest

from corpus.config import SourceConfig
from corpus.dedup.keeper import DEFAULT_PRIORITY, Member, choose_keeper, keeper_key, source_priority

SOURCES = {
    "pile": SourceConfig(paths=("unused",), priority=10),
    "ccnews": SourceConfig(paths=("unused",), priority=20),
    "reddit": SourceConfig(paths=("unused",), priority=100),
    "ccstories": SourceConfig(paths=("unused",), priority=100),
}


def _member(doc_id: str, n_bytes: int) -> Member:
    source = doc_id.split("/", 1)[0]
    return Member(doc_id, source, n_bytes, source_priority(source, SOURCES))


# cluster name -> (members, the keeper's doc_id)
CLUSTERS = {
    # priority beats length and doc_id
    "priority": ([_member("ccnews/a", 900), _member("pile/z", 100), _member("reddit/0", 5000)], "pile/z"),
    # same priority: the longer text beats the smaller doc_id
    "tie-on-priority": ([_member("reddit/a-short", 500), _member("reddit/b-long", 505)], "reddit/b-long"),
    # same priority across two sources, the same length: the smaller doc_id
    "tie-on-length": (
        [_member("reddit/m", 700), _member("ccstories/x", 700), _member("reddit/b", 700)],
        "ccstories/x",
    ),
    # a source the recipe does not name gets the default priority
    "unnamed-source": ([_member("bookcorpus/a", 10), _member("reddit/z", 10)], "bookcorpus/a"),
    # one document alone is its own keeper
    "single": ([_member("ccnews/only", 3)], "ccnews/only"),
    # doc_ids compared by code point (= UTF-8 bytes; UTF-16 would put the emoji before U+FFFD)
    "non-ascii-ids": (
        [_member("pile/\U0001f600", 40), _member("pile/\ufffd", 40), _member("pile/é", 40)],
        "pile/é",
    ),
    # two sources of one priority, ties on everything but the doc_id
    "ties-but-doc-id": (
        [
            _member(f"{s}/{i:02d}", 64)
            for s, i in itertools.product(("reddit", "ccstories"), range(12, 0, -1))
        ],
        "ccstories/01",
    ),
    # many sources: the lowest priority first, then the longest of its members
    "many-sources": (
        [
            _member(f"{s}/{i:02d}", 900)
            for s, i in itertools.product(("reddit", "ccstories", "ccnews"), range(5))
        ]
        + [_member("bookcorpus/x", 9000), _member("pile/long", 64), _member("pile/longest", 66)]
        + [_member("pile/longer", 65)],
        "pile/longest",
    ),
}


def test_source_priority():
    assert source_priority("pile", SOURCES) == 10
    assert (
        source_priority("bookcorpus", SOURCES) == DEFAULT_PRIORITY == SourceConfig(paths=("unused",)).priority
    )


def test_keeper_key_orders_priority_then_length_then_doc_id():
    assert keeper_key(10, 1, "z") < keeper_key(11, 10**9, "a")
    assert keeper_key(10, 2, "z") < keeper_key(10, 1, "a")
    assert keeper_key(10, 1, "a") < keeper_key(10, 1, "b")


@pytest.mark.parametrize("name", sorted(CLUSTERS))
def test_choose_keeper_on_hand_made_clusters(name):
    members, keeper = CLUSTERS[name]
    assert choose_keeper(members).doc_id == keeper
    for seed in range(5):  # the order the members come in never matters
        shuffled = list(members)
        random.Random(seed).shuffle(shuffled)
        assert choose_keeper(shuffled).doc_id == keeper


def test_choose_keeper_needs_a_member():
    with pytest.raises(ValueError):
        choose_keeper([])


@pytest.mark.spark
def test_spark_keeper_column_agrees_with_the_pure_rule(spark):
    """The stage's struct minimum over ``keeper_order`` with ``priority_column`` picks what
    ``choose_keeper`` with ``source_priority`` picks, cluster by cluster."""
    from pyspark.sql import functions as F

    from corpus.stages.dedup.keepers import keeper_order, priority_column

    rows = [(name, m.doc_id, m.source, m.n_bytes) for name, (members, _) in CLUSTERS.items() for m in members]
    rng = random.Random(7)  # and a few hundred random clusters with many ties
    for c in range(300):
        for i in range(rng.randint(1, 8)):
            source = rng.choice([*SOURCES, "bookcorpus"])
            rows.append(
                (f"random-{c:03d}", f"{source}/{rng.randint(0, 5)}-{i}", source, rng.choice([7, 8, 9]))
            )
    df = spark.createDataFrame(rows, "cluster string, doc_id string, source string, n_bytes long")
    picked = (
        df.select("*", priority_column(SOURCES).alias("priority"))
        .groupBy("cluster")
        .agg(F.min(keeper_order()).alias("k"))
        .select("cluster", F.col("k.doc_id").alias("keeper"), F.col("k.source").alias("keeper_source"))
        .collect()
    )
    members: dict[str, list[Member]] = {}
    for cluster, doc_id, source, n_bytes in rows:
        members.setdefault(cluster, []).append(
            Member(doc_id, source, n_bytes, source_priority(source, SOURCES))
        )
    want = {cluster: choose_keeper(group) for cluster, group in members.items()}
    got = {row["cluster"]: (row["keeper"], row["keeper_source"]) for row in picked}
    assert got == {cluster: (m.doc_id, m.source) for cluster, m in want.items()}
    assert {name: got[name][0] for name in CLUSTERS} == {
        name: keeper for name, (_, keeper) in CLUSTERS.items()
    }


@pytest.mark.spark
def test_spark_priority_column_agrees_with_source_priority(spark):
    from corpus.stages.dedup.keepers import priority_column

    names = [*SOURCES, "bookcorpus", "unknown"]
    df = spark.createDataFrame([(n,) for n in names], "source string")
    got = {
        row["source"]: row["priority"]
        for row in df.select("source", priority_column(SOURCES).alias("priority")).collect()
    }
    assert got == {n: source_priority(n, SOURCES) for n in names}
