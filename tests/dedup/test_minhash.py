"""corpus/dedup/minhash.py against datasketch (the reference), and the LSH pieces on their own. No Spark."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from corpus.dedup.minhash import (
    AnchorEdges,
    anchor_edges_all,
    band_hashes,
    candidate_pairs,
    doc_shingle_hashes,
    exact_jaccard,
    hash_batch,
    hash_shingles,
    jaccard,
    make_permutations,
    optimal_bands,
    s_curve,
    s_curve_points,
    shingle_hash,
    shingle_hash_set,
    shingle_set,
    shingles,
    signature_jaccard,
    signatures,
    text_signatures,
)


def _vocab(rng: random.Random, n: int = 3000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(n)]


def _family(rng: random.Random, vocab: list[str], words: int, edits: list[int]) -> list[str]:
    """A base text and variants with k words replaced, for each k in ``edits``."""
    base = rng.choices(vocab, k=words)
    texts = [" ".join(base)]
    for k in edits:
        variant = list(base)
        for pos in rng.sample(range(words), k):
            variant[pos] = rng.choice(vocab) + "x"
        texts.append(" ".join(variant))
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rng = random.Random(7)
    vocab = _vocab(rng)
    out: list[str] = ["", "...", "Short one", "Exactly five words here now"]
    for _ in range(25):
        out += _family(rng, vocab, rng.randint(40, 400), [0, 1, 2, 4, 8, 30])
    out.append(" ".join(rng.choices(vocab, k=5000)))  # longer than a signature block
    return out


# --- shingles --------------------------------------------------------------------------------------------


def test_shingle_rule():
    assert shingles("The quick, brown FOX jumps over", 5) == [
        "the quick brown fox jumps",
        "quick brown fox jumps over",
    ]
    assert shingles("Üniçode wörds — ÇA VA?", 2) == ["üniçode wörds", "wörds ça", "ça va"]
    assert shingles("two words", 5) == ["two words"]  # shorter than n: one shingle of all tokens
    assert shingles("?! --", 5) == []
    assert shingles("snake_case and 2nd", 1) == ["snake_case", "and", "2nd"]
    assert jaccard(shingle_set("a b c d e f", 5), shingle_set("a b c d e g", 5)) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0


def test_long_text_is_hashed_in_pieces_with_the_same_result(texts):
    long_text = "\n".join(texts)
    whole = hash_shingles(shingles(long_text, 5))
    for chunk in (50, 1000, 1 << 20):
        assert np.array_equal(doc_shingle_hashes(long_text, 5, chunk_chars=chunk), whole)
    assert np.array_equal(doc_shingle_hashes("x " * 3, 5, chunk_chars=1), hash_shingles(["x x x"]))


def test_exact_jaccard_on_hashes_equals_jaccard_on_strings(texts):
    for x, y in itertools.combinations(texts[4:40], 2):
        want = jaccard(shingle_set(x, 5), shingle_set(y, 5))
        assert exact_jaccard(shingle_hash_set(x, 5), shingle_hash_set(y, 5)) == pytest.approx(want, abs=1e-12)


# --- signatures against datasketch -----------------------------------------------------------------------


def test_permutations_are_datasketch_affine64_permutations():
    a, b = make_permutations(128, seed=1234)
    reference = MinHash(num_perm=128, seed=1234, scheme="affine64")
    assert a.dtype == np.uint64 and np.array_equal(a, reference.permutations[0])
    assert np.array_equal(b, reference.permutations[1])


@pytest.mark.parametrize("block", [7, 2048])  # 7: documents cross block boundaries everywhere
def test_signatures_equal_datasketch_bit_for_bit(texts, block):
    a, b = make_permutations(128, seed=1)
    hashes, offsets = hash_batch(texts, 5)
    ours = signatures(hashes, offsets, a, b, block=block)
    kwargs = {"num_perm": 128, "scheme": "affine64", "hashfunc": shingle_hash, "permutations": (a, b)}
    bulk = MinHash.bulk([shingles(t, 5) for t in texts], **kwargs)
    for i, text in enumerate(texts):
        one = MinHash(**kwargs)
        for s in shingles(text, 5):
            one.update(s)
        assert np.array_equal(ours[i], one.hashvalues), f"document {i} differs from MinHash.update"
        assert np.array_equal(ours[i], bulk[i].hashvalues), f"document {i} differs from MinHash.bulk"
    assert np.all(ours[0] == np.uint64(2**64 - 1))  # the empty document: datasketch's empty MinHash


def test_signature_estimate_tracks_jaccard(texts):
    a, b = make_permutations(256, seed=3)
    sig, _ = text_signatures(texts[4:11], 5, a, b)
    truth = jaccard(shingle_set(texts[4], 5), shingle_set(texts[6], 5))
    assert abs(signature_jaccard(sig[0], sig[2]) - truth) < 0.1
    assert signature_jaccard(sig[0], sig[0]) == 1.0


# --- band layout -----------------------------------------------------------------------------------------


def test_band_layout_for_opt_threshold():
    b, r = optimal_bands(0.95, 128, 0.99)
    assert (b, r) == (8, 16)
    assert s_curve(0.95, b, r) == pytest.approx(1 - (1 - 0.95**16) ** 8)
    assert s_curve(0.95, b, r) >= 0.99
    # no layout with the same permutations reaches the recall floor with less area under the curve
    grid = np.linspace(0, 0.95, 1001)
    best_area = np.trapezoid(s_curve(grid, b, r), grid)
    for bb, rr in itertools.product(range(1, 129), range(1, 129)):
        if bb * rr <= 128 and s_curve(0.95, bb, rr) >= 0.99:
            assert np.trapezoid(s_curve(grid, bb, rr), grid) >= best_area - 1e-12


@pytest.mark.parametrize("threshold,num_perm,recall", [(0.8, 128, 0.99), (0.9, 256, 0.999), (0.5, 64, 0.95)])
def test_band_layout_meets_recall(threshold, num_perm, recall):
    b, r = optimal_bands(threshold, num_perm, recall)
    assert b * r <= num_perm and s_curve(threshold, b, r) >= recall


def test_band_layout_impossible_is_an_error():
    with pytest.raises(ValueError, match="raise dedup.num_perm"):
        optimal_bands(0.5, 2, 0.99)  # best possible: 1 - 0.5**2 = 0.75


def test_s_curve_shape():
    points = s_curve_points(8, 16, steps=100)
    assert points[0] == [0.0, 0.0] and points[-1] == [1.0, 1.0] and len(points) == 101
    probs = [p for _, p in points]
    assert probs == sorted(probs)


# --- LSH buckets and edges -------------------------------------------------------------------------------


@pytest.mark.parametrize("b,r", [(8, 16), (16, 8), (32, 4)])
def test_candidate_pairs_equal_datasketch_lsh(texts, b, r):
    a, perm_b = make_permutations(128, seed=5)
    sig, counts = text_signatures(texts, 5, a, perm_b)
    keep = [i for i in range(len(texts)) if counts[i] > 0]
    ours = candidate_pairs(band_hashes(sig[keep], b, r), ids=keep)
    lsh = MinHashLSH(num_perm=128, params=(b, r))
    minhashes = {i: MinHash(hashvalues=sig[i], permutations=(a, perm_b), scheme="affine64") for i in keep}
    for i, m in minhashes.items():
        lsh.insert(i, m)
    theirs = {tuple(sorted((i, j))) for i, m in minhashes.items() for j in lsh.query(m) if i != j}
    assert len(theirs) > 100  # the families make many candidates at every layout
    assert ours == theirs


def _components(pairs, nodes) -> set[frozenset]:
    parent = {n: n for n in nodes}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in pairs:
        parent[find(x)] = find(y)
    groups: dict = {}
    for n in nodes:
        groups.setdefault(find(n), set()).add(n)
    return {frozenset(g) for g in groups.values() if len(g) > 1}


def test_anchor_edges_star_and_small_buckets():
    rows = [(0, 10, "d"), (0, 10, "b"), (0, 10, "c"), (0, 10, "a"), (0, 11, "x"), (1, 10, "e"), (1, 10, "f")]
    assert anchor_edges_all(rows, anchors=1, all_pairs=1) == {("a", "b"), ("a", "c"), ("a", "d"), ("e", "f")}
    want = {("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("e", "f")}
    assert anchor_edges_all(rows, anchors=2, all_pairs=2) == want
    # the first all_pairs members are linked pairwise: a bucket that small gives all its pairs
    assert anchor_edges_all(rows, anchors=1, all_pairs=4) == {
        tuple(p) for p in itertools.combinations("abcd", 2)
    } | {("e", "f")}
    assert anchor_edges_all(rows, anchors=1, all_pairs=3) == {
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
        ("a", "d"),
        ("e", "f"),
    }


@pytest.mark.parametrize("batch", [1, 3, 64, 10_000])
def test_anchor_edges_stream_across_batches(batch):
    rng = random.Random(batch)
    rows = sorted((rng.randint(0, 3), rng.randint(0, 40), f"doc{i:05d}") for i in range(3000))
    rows += [(4, 7, f"skew{i:05d}") for i in range(700)]  # one big bucket spanning many batches
    emitter = AnchorEdges(anchors=2, all_pairs=5)
    got = set()
    for start in range(0, len(rows), batch):
        band, bucket, ids = zip(*rows[start : start + batch], strict=True)
        u, v = emitter.feed(np.array(band), np.array(bucket), np.array(ids, dtype=object))
        got |= {(y, x) for x, y in zip(u.tolist(), v.tolist(), strict=True)}
    assert got == anchor_edges_all(rows, anchors=2, all_pairs=5)
    # 10 pairs among the first 5, then 2 anchors each: O(anchors x size), not O(size^2)
    assert len([e for e in got if e[1].startswith("skew")]) == 10 + 2 * (700 - 5)
    # the star edges connect exactly what all pairs in each bucket connect
    buckets: dict = {}
    for band, bucket, doc in rows:
        buckets.setdefault((band, bucket), []).append(doc)
    all_pairs = [p for docs in buckets.values() for p in itertools.combinations(docs, 2)]
    nodes = [doc for _, _, doc in rows]
    assert _components(got, nodes) == _components(all_pairs, nodes)


def test_pure_pipeline_on_real_near_duplicates():
    """../shared/data/neardup: the two MIT licenses are J = 0.919 apart, so merged at 0.9 and not at 0.95."""
    from tests.conftest import shared_file

    folder = shared_file("neardup", "documents_with_fuzzy_duplicates")
    names = sorted(p.name for p in folder.iterdir())
    texts = [(folder / n).read_text() for n in names]
    assert names == ["pytorch_license.txt", "rails_mit_license.txt", "react_mit_license.txt"]
    a, perm_b = make_permutations(128, seed=1234)
    sig, _ = text_signatures(texts, 5, a, perm_b)
    for threshold, expected in ((0.9, {(1, 2)}), (0.95, set())):
        b, r = optimal_bands(threshold, 128, 0.99)
        rows = [(band, int(h), i) for i, hs in enumerate(band_hashes(sig, b, r)) for band, h in enumerate(hs)]
        edges = anchor_edges_all(rows, anchors=2)
        sets = [shingle_hash_set(t, 5) for t in texts]
        verified = {(x, y) for x, y in edges if exact_jaccard(sets[x], sets[y]) >= threshold}
        assert verified == expected, threshold


def test_same_shingle_rule_as_the_sample_generator(texts):
    """The generator measures planted Jaccard levels with its own copy of the rule: they must agree."""
    from corpus.sample import shingles as sample_shingles

    extra = ["Ünïcödé ΣΟΦΙΑ σοφία İstanbul", "a_b c-d e'f", "x", "", "1 2 3 4 5 6"]
    for text in texts[:60] + extra:
        assert shingle_set(text, 5) == sample_shingles.word_shingles(text, 5)
        assert shingle_set(text, 2) == sample_shingles.word_shingles(text, 2)
