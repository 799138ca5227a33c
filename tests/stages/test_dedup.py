"""The dedup stage end to end on a planted corpus, through the shared local Spark session.

The expected result is computed independently in plain Python: exact groups by text, the graph of all
pairs with true shingle Jaccard >= 0.95 (brute force), its connected components and the keeper rule. The
stage must reproduce it exactly, whatever the partitioning.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.accounting import AccountingError
from corpus.config import DedupConfig, Recipe, SourceConfig
from corpus.dedup.minhash import jaccard, shingle_set
from corpus.dedup.plan import shuffle_tasks
from corpus.report.tables import dedup_table
from corpus.runtime.runner import run_stage, stage_fingerprints
from corpus.schema import DOCUMENT_SCHEMA
from corpus.stages.dedup import check_accounting
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.spark

THRESHOLD = 0.95
PRIORITY = {"pile": 10, "ccnews": 20, "reddit": 100, "ccstories": 100, "bookcorpus": 100}
SKEW_IDENTICAL = 20_000  # one text, 20k documents: an exact group (and a bucket) of 20k
SKEW_NEAR = 600  # near-identical documents (J ~ 0.99 to each other): one bucket of 600 per band
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _recipe(partitions: int) -> Recipe:
    sources = {name: SourceConfig(paths=("unused",), priority=p) for name, p in PRIORITY.items()}
    return Recipe(
        name="dedup-test", sources=sources, partitions=partitions, dedup=DedupConfig(threshold=THRESHOLD)
    )


def _doc(source: str, key: str, text: str) -> dict:
    return {
        "doc_id": f"{source}/{key}",
        "source": source,
        "subset": None,
        "url": None,
        "text": text,
        "meta": None,
        "location": key,
        "n_records": 1,
    }


def planted_documents() -> list[dict]:
    """Families of near duplicates at known edit levels spread over sources, exact copies within and
    across sources, keeper-rule cases, the two skew blocks and ../shared/data/neardup when present."""
    rng = random.Random(20220503)
    vocab = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 9))) for _ in range(4000)]
    sources = ["pile", "ccnews", "reddit", "ccstories", "bookcorpus"]
    docs: list[dict] = []
    for f in range(30):
        words = rng.choice([150, 300, 400, 600])
        base = rng.choices(vocab, k=words)
        members = [base]
        # 1 edit in 400 words ~ J 0.975; 2 ~ 0.95; 3 ~ 0.93; 8 ~ 0.82; 60 ~ 0.5 (measured, not assumed)
        for edits in (1, 1, 2, 3, 8, 60):
            variant = list(base)
            for pos in rng.sample(range(words), edits):
                variant[pos] = rng.choice(vocab) + "q"
            members.append(variant)
        for m, words_ in enumerate(members):
            source = sources[(f + m) % len(sources)]
            docs.append(_doc(source, f"fam{f:02d}-{m}", " ".join(words_)))
    # exact copies: across sources (priority decides) and within one source (doc_id decides)
    text = " ".join(rng.choices(vocab, k=200))
    docs += [_doc("ccnews", "a-copy", text), _doc("pile", "z-copy", text), _doc("reddit", "copy", text)]
    text = " ".join(rng.choices(vocab, k=120))
    docs += [_doc("bookcorpus", "copy-2", text), _doc("bookcorpus", "copy-1", text)]
    # same priority near duplicates: the longer text wins over the smaller doc_id
    base = rng.choices(vocab, k=500)
    docs += [_doc("reddit", "a-short", " ".join(base)), _doc("reddit", "b-long", " ".join(base + ["tail"]))]
    # skew: 20k identical documents, and 600 documents that differ only in their last word
    docs += [
        _doc("ccnews", f"crawler-{i:05d}", "Our servers have detected an automated crawler.")
        for i in range(SKEW_IDENTICAL)
    ]
    template = " ".join(rng.choices(vocab, k=400))
    docs += [_doc("reddit", f"bot-{i:04d}", f"{template} n{i}") for i in range(SKEW_NEAR)]
    # documents without words: never near duplicates of each other, only exact ones
    docs += [
        _doc("pile", "symbols-1", "!!! ???"),
        _doc("pile", "symbols-2", "!!! ???"),
        _doc("pile", "symbols-3", "%%%"),
    ]
    for folder in ("documents_with_fuzzy_duplicates", "documents_with_line_duplicates"):
        path = SHARED_DATA / "neardup" / folder
        if path.is_dir():
            docs += [_doc("ccstories", f"{folder}/{p.name}", p.read_text()) for p in sorted(path.iterdir())]
    return docs


def expected_result(docs: list[dict]) -> dict:
    """Keepers and clusters by brute force: exact groups, then components of the true J >= 0.95 graph."""
    rank = {d["doc_id"]: (PRIORITY[d["source"]], -len(d["text"].encode()), d["doc_id"]) for d in docs}
    by_text: dict[str, list[str]] = {}
    for d in docs:
        by_text.setdefault(d["text"], []).append(d["doc_id"])
    exact_keeper = {}
    for ids in by_text.values():
        keeper = min(ids, key=rank.__getitem__)
        exact_keeper.update({i: keeper for i in ids})
    texts = {d["doc_id"]: d["text"] for d in docs}
    keepers = sorted(set(exact_keeper.values()))
    near_block = [k for k in keepers if k.startswith("reddit/bot-")]
    others = [k for k in keepers if not k.startswith("reddit/bot-")]
    sets = {k: shingle_set(texts[k], 5) for k in keepers}
    true_pairs = {}
    for x, y in itertools.combinations(others, 2):
        j = jaccard(sets[x], sets[y])
        if j >= THRESHOLD:
            true_pairs[(x, y)] = j
    # the near-identical block is one clique by construction; spot-check that instead of 180k pairs
    for x, y in [(near_block[0], near_block[-1]), (near_block[1], near_block[2])]:
        assert jaccard(sets[x], sets[y]) > 0.99
    parent = {k: k for k in keepers}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in list(true_pairs) + list(zip(near_block, near_block[1:], strict=False)):
        parent[find(x)] = find(y)
    near_keeper = {}
    groups: dict[str, list[str]] = {}
    for k in keepers:
        groups.setdefault(find(k), []).append(k)
    for members in groups.values():
        keeper = min(members, key=rank.__getitem__)
        near_keeper.update({m: keeper for m in members})
    cluster = {d: near_keeper[exact_keeper[d]] for d in exact_keeper}
    sizes: dict[str, int] = {}
    for c in cluster.values():
        sizes[c] = sizes.get(c, 0) + 1
    return {
        "kept": sorted(d for d, c in cluster.items() if d == c),
        "clusters": {d: c for d, c in cluster.items() if sizes[c] > 1},
        "kind": {
            d: "keeper" if d == c else ("exact" if exact_keeper[d] != d else "near")
            for d, c in cluster.items()
        },
        "true_pairs": true_pairs,
        "sets": sets,
    }


def write_input(docs: list[dict], root: Path, files: int) -> None:
    """Parquet of DOCUMENT_SCHEMA partitioned by source, spread over ``files`` files per source."""
    for part in range(files):
        chunk = docs[part::files]
        table = pa.Table.from_pylist(chunk, schema=DOCUMENT_SCHEMA)
        pq.write_to_dataset(
            table, str(root), partition_cols=["source"], basename_template=f"part-{part:03d}-{{i}}.parquet"
        )


@pytest.fixture(scope="module")
def corpus():
    docs = planted_documents()
    return docs, expected_result(docs)


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory, corpus):
    """The stage run twice, as the build runs it (``run_stage``: stats, accounting check, marker): 2 input
    files and 2 partitions, then 16 input files and 16 partitions. The first labels the components on
    the driver (few edges), the second is made to label them in Spark: both must give the same result."""
    from corpus.stages.dedup import clusters

    docs, _ = corpus
    spark.sparkContext.setCheckpointDir(str(tmp_path_factory.mktemp("checkpoints")))
    results = {}
    shuffle_setting = spark.conf.get("spark.sql.shuffle.partitions")
    for partitions in (2, 16):
        root = tmp_path_factory.mktemp(f"run{partitions}")
        write_input(docs, root / "filtered", files=partitions)
        with pytest.MonkeyPatch.context() as patch:
            if partitions == 16:
                patch.setattr(clusters, "DRIVER_COMPONENTS_MAX_EDGES", -1)
            stats = run_stage(spark, _recipe(partitions), str(root), "dedup")
        results[partitions] = (root, stats)
    # the stage sizes its shuffles by its data (shuffle_tasks), then gives the session its setting back
    assert spark.conf.get("spark.sql.shuffle.partitions") == shuffle_setting
    return results


def _read(path: Path, columns=None) -> list[dict]:
    return pq.read_table(str(path), columns=columns).to_pylist()


def test_kept_documents_and_clusters_match_brute_force(runs, corpus):
    docs, want = corpus
    root, stats = runs[2]
    kept = _read(root / "dedup" / "documents")
    assert sorted(d["doc_id"] for d in kept) == want["kept"]
    by_id = {d["doc_id"]: d for d in docs}
    for row in kept[:50]:  # documents come through unchanged, with their partition column
        assert {k: row[k] for k in DOCUMENT_SCHEMA.names} == by_id[row["doc_id"]]
    clusters = _read(root / "dedup" / "clusters")
    assert {r["doc_id"]: r["cluster_id"] for r in clusters} == want["clusters"]
    for r in clusters:
        assert r["is_keeper"] == (r["doc_id"] == r["cluster_id"])
        assert r["kind"] == want["kind"][r["doc_id"]]
        assert r["source"] == by_id[r["doc_id"]]["source"]
        assert r["keeper_source"] == by_id[r["cluster_id"]]["source"]


def test_keeper_rule(runs):
    root, _ = runs[2]
    cluster_of = {r["doc_id"]: r["cluster_id"] for r in _read(root / "dedup" / "clusters")}
    # priority beats doc_id: pile (10) keeps the copy although "ccnews/..." sorts first
    assert cluster_of["ccnews/a-copy"] == cluster_of["reddit/copy"] == "pile/z-copy"
    # same priority: the longer text beats the smaller doc_id
    assert cluster_of["reddit/a-short"] == "reddit/b-long"
    # identical texts of one source: the smaller doc_id
    assert cluster_of["bookcorpus/copy-2"] == "bookcorpus/copy-1"
    # texts without words: exact duplicates only
    assert cluster_of["pile/symbols-2"] == "pile/symbols-1" and "pile/symbols-3" not in cluster_of


def test_recall_and_edge_precision(runs, corpus):
    _, want = corpus
    root, stats = runs[2]
    edges = _read(root / "dedup" / "edges")
    sets = want["sets"]
    for e in edges:  # every verified edge really is >= 0.95, and its Jaccard is the exact one
        assert e["doc_a"] < e["doc_b"]
        assert e["jaccard"] >= THRESHOLD
        assert e["jaccard"] == pytest.approx(jaccard(sets[e["doc_a"]], sets[e["doc_b"]]), abs=1e-12)
    cluster_of = {r["doc_id"]: r["cluster_id"] for r in _read(root / "dedup" / "clusters")}
    pairs = want["true_pairs"]
    found = sum(
        1 for x, y in pairs if cluster_of.get(x) is not None and cluster_of.get(x) == cluster_of.get(y)
    )
    assert len(pairs) > 60 and found == len(pairs)  # recall 1.0 on the planted set
    levels = sorted(pairs.values())
    assert levels[0] < 0.96 and levels[-1] > 0.99  # the planted pairs span the threshold region
    assert stats["verified_pairs"] == len(edges) and stats["candidate_pairs"] > stats["verified_pairs"]


def test_below_threshold_variants_are_not_merged(runs, corpus):
    docs, want = corpus
    root, _ = runs[2]
    cluster_of = {r["doc_id"]: r["cluster_id"] for r in _read(root / "dedup" / "clusters")}
    sets = want["sets"]
    checked = 0
    for f in range(30):
        base = f"fam{f:02d}-0"
        ids = [d["doc_id"] for d in docs if d["doc_id"].split("/")[1].startswith(f"fam{f:02d}-")]
        base_id = next(i for i in ids if i.endswith(base))
        far = [i for i in ids if i.endswith("-6")][0]  # 60 edits: J ~ 0.5
        assert jaccard(sets[base_id], sets[far]) < 0.7
        assert cluster_of.get(far) is None or cluster_of.get(far) != cluster_of.get(base_id)
        checked += 1
    assert checked == 30
    # the two MIT licenses of ../shared/data/neardup are 0.919 apart: not merged at 0.95
    rails = "ccstories/documents_with_fuzzy_duplicates/rails_mit_license.txt"
    if rails in sets:
        assert rails not in cluster_of
        assert (
            cluster_of["ccstories/documents_with_line_duplicates/doc2.txt"]
            == "ccstories/documents_with_line_duplicates/doc1.txt"
        )


def test_skewed_buckets(runs):
    root, stats = runs[2]
    clusters = _read(root / "dedup" / "clusters")
    crawler = [r for r in clusters if r["doc_id"].startswith("ccnews/crawler-")]
    assert len(crawler) == SKEW_IDENTICAL and {r["cluster_id"] for r in crawler} == {"ccnews/crawler-00000"}
    bots = [r for r in clusters if r["doc_id"].startswith("reddit/bot-")]
    assert len(bots) == SKEW_NEAR and len({r["cluster_id"] for r in bots}) == 1
    assert [SKEW_NEAR, 1] in stats["cluster_size_histogram"] and [SKEW_IDENTICAL, 1] in stats[
        "cluster_size_histogram"
    ]
    # star/anchor edges, not a clique: about anchors x members per band, deduplicated
    assert stats["candidate_pairs"] < 2 * SKEW_NEAR * stats["band_layout"]["bands"] + 2000
    assert stats["largest_clusters"][0]["cluster_id"] == "ccnews/crawler-00000"
    assert stats["largest_clusters"][0]["size"] == SKEW_IDENTICAL


def test_same_result_across_partitionings(runs):
    (root2, stats2), (root16, stats16) = runs[2], runs[16]
    for sub, key in (("documents", "doc_id"), ("clusters", "doc_id"), ("edges", "doc_a")):
        a = sorted(_read(root2 / "dedup" / sub), key=lambda r: (r[key], r.get("doc_b", "")))
        b = sorted(_read(root16 / "dedup" / sub), key=lambda r: (r[key], r.get("doc_b", "")))
        assert a == b, sub
    for key in (
        "sources",
        "cross_source",
        "candidate_pairs",
        "verified_pairs",
        "cluster_size_histogram",
        "largest_clusters",
    ):
        assert stats2[key] == stats16[key], key


def test_stats_file(runs, corpus):
    docs, want = corpus
    root, stats = runs[2]
    on_disk = json.loads((root / "stats" / "dedup.json").read_text())
    marker = json.loads((root / "_stages" / "dedup.json").read_text())
    assert marker["fingerprint"] == stage_fingerprints(_recipe(2))["dedup"]
    assert on_disk["sources"] == stats["sources"]
    check_accounting(on_disk)
    n_in = {s: sum(1 for d in docs if d["source"] == s) for s in PRIORITY}
    for name, s in on_disk["sources"].items():
        assert s["in"]["docs"] == n_in[name]
        assert s["kept"]["docs"] == sum(1 for k in want["kept"] if k.startswith(name + "/"))
        assert s["exact_dups"]["docs"] == sum(
            1 for d, k in want["kind"].items() if k == "exact" and d.startswith(name + "/")
        )
        assert s["near_dups"]["docs"] == sum(
            1 for d, k in want["kind"].items() if k == "near" and d.startswith(name + "/")
        )
        assert s["balanced"]
    # the cross-source matrix: the ccnews and reddit copies point at pile's keeper
    assert on_disk["cross_source"]["docs"]["ccnews"]["pile"] >= 1
    assert on_disk["cross_source"]["docs"]["reddit"]["pile"] >= 1
    assert sum(n for _, n in on_disk["cluster_size_histogram"]) == on_disk["clusters"]
    assert on_disk["band_layout"]["bands"] == 8 and on_disk["band_layout"]["rows"] == 16
    assert on_disk["rejected_pairs"] == on_disk["candidate_pairs"] - on_disk["verified_pairs"]
    assert set(on_disk["seconds"]) >= {"exact", "signatures", "candidates", "verify", "components", "write"}
    assert on_disk["cc_rounds"] == 0  # labelled on the driver
    assert runs[16][1]["cc_rounds"] > 0  # labelled in Spark
    top = on_disk["largest_clusters"][0]
    assert top["keeper_snippet"].startswith("Our servers") and len(top["members"]) == 3
    assert "exact dups" in dedup_table(on_disk)


def test_unbalanced_accounting_raises(runs):
    _, stats = runs[2]
    broken = json.loads(json.dumps(stats))
    broken["sources"]["pile"]["kept"]["docs"] -= 1
    broken["sources"]["pile"]["balanced"] = False
    with pytest.raises(AccountingError, match=r"dedup accounting does not balance:\n  pile: in "):
        check_accounting(broken)


def test_shuffle_tasks_follow_the_band_rows_between_the_cores_and_the_setting():
    assert shuffle_tasks(509_112, cores=2, configured=8) == 2  # the 1 GB sample: one per core
    assert shuffle_tasks(5_500_000, cores=2, configured=8) == 6  # ~1M band rows per task
    assert shuffle_tasks(8 * 10**9, cores=1000, configured=4000) == 4000  # never above the setting
    assert shuffle_tasks(0, cores=4, configured=2) == 2  # nor above a setting lower than the cores
