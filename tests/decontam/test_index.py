"""corpus/decontam/index.py: what the index holds, and that it refuses to hold two n-grams under one hash."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from corpus.decontam import index as index_module
from corpus.decontam.evalsets import EvalSetSpec, load_evalset
from corpus.decontam.index import BlockedBloom, HashTable, IndexCollisionError, NgramIndex
from corpus.decontam.normalize import PrefixHashes, Words, ngram_hash


def toy_set(name: str, lines: list[str]):
    data = "\n".join(lines).encode()
    return load_evalset(EvalSetSpec(name, f"{name}.txt", "txt"), io.BytesIO(data))


@pytest.fixture
def toy():
    a = toy_set("a", ["one two three four five", "x y", "", "one two three four one two three four"])
    b = toy_set("b", ["zero one two three four", "x y", "!!! ..."])
    return a, b


def test_counts_and_postings(toy):
    a, b = toy
    assert len(a) == 3 and len(b) == 3  # the blank line of a is no item; "!!! ..." is one (without words)
    idx = NgramIndex.build([a, b], n=4)
    # a0: "one two three four", "two three four five"; a2: 5 windows, 4 distinct; b0: "zero one two three",
    # "one two three four" (shared with a0 and a2): 6 distinct
    assert len(idx.table) == 6
    assert [(s.name, s.items, s.first_item, s.ngrams, s.short_items, s.empty_items) for s in idx.sets] == [
        ("a", 3, 0, 2 + 4, 1, 0),
        ("b", 3, 3, 2, 1, 1),
    ]
    shared = int(np.searchsorted(idx.table.keys, np.uint64(ngram_hash("one two three four".split()))))
    assert idx.items_of(shared).tolist() == [0, 2, 3]
    assert idx.ngram_bytes(shared) == b"one two three four "
    assert idx.item_bytes(1) == b"x y " and idx.item_bytes(5) == b""
    assert idx.item_name(4) == ("b", 1) and idx.item_location(4) == "b:line 2"
    assert idx.short_len == 2 and idx.short_items.tolist() == [1, 4]  # "x y" of both sets


def test_fingerprint_follows_n_and_files(toy):
    a, b = toy
    base = NgramIndex.build([a, b], n=4).fingerprint
    assert NgramIndex.build([a, b], n=4).fingerprint == base
    assert NgramIndex.build([a, b], n=5).fingerprint != base
    changed = toy_set("b", ["zero one two three four", "x y", "!!! ...", "new"])
    assert NgramIndex.build([a, changed], n=4).fingerprint != base


def test_checks(toy):
    a, _ = toy
    with pytest.raises(ValueError, match="distinct"):
        NgramIndex.build([a, a])
    with pytest.raises(ValueError, match="at least 1"):
        NgramIndex.build([a], n=0)
    empty = NgramIndex.build([], n=13)
    assert len(empty.table) == 0 and empty.n_items == 0


def test_a_collision_inside_the_index_fails_loudly(toy, monkeypatch):
    """If two different evaluation n-grams shared a hash, the re-check would reject true matches of one
    of them; building refuses instead (forced here: every window hashes to 7)."""

    class Colliding(PrefixHashes):
        def all_windows(self, k):
            return np.full(max(0, len(self.inverse) - k + 1), 7, dtype=np.uint64)

    monkeypatch.setattr(index_module, "PrefixHashes", Colliding)
    with pytest.raises(IndexCollisionError, match="share the hash 0x0000000000000007"):
        NgramIndex.build(list(toy), n=4)
    # the same n-gram repeated (not a collision) is fine
    NgramIndex.build([toy_set("r", ["a b c d", "a b c d"])], n=4)


def test_bloom_and_table():
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 2**63, 100_000, dtype=np.uint64) * np.uint64(2)
    bloom = BlockedBloom(keys)
    assert bloom.may_contain(keys).all()
    others = rng.integers(0, 2**63, 100_000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd: not keys
    assert bloom.may_contain(others).mean() < 0.01  # ~0.5 % at 32 bits per key
    table = HashTable(np.concatenate([keys, keys[:10]]))
    pos, key = table.find(np.concatenate([others[:5], keys[:3]]))
    assert pos.tolist() == [5, 6, 7] and table.keys[key].tolist() == keys[:3].tolist()
    assert len(HashTable(np.zeros(0, np.uint64)).find(keys)[0]) == 0


def test_real_index(real_index, real_sets):
    idx = real_index
    summary = idx.summary()
    assert {name: s["items"] for name, s in summary["sets"].items()} == {s.name: len(s) for s in real_sets}
    assert sum(s.items for s in idx.sets) == idx.n_items == 25165
    assert all(s.empty_items == 0 for s in idx.sets)
    # HellaSwag, LAMBADA and ConvAI2 items are all 13 words or more; some short PIQA/ARC/OBQA items are not
    assert {s.name: s.short_items for s in idx.sets if s.short_items} == {
        "piqa_valid": 153,
        "piqa_tests": 257,
        "arc_easy_test": 45,
        "arc_challenge_test": 13,
        "openbookqa_test": 89,
    }
    per_ngram = idx.nbytes / len(idx.table)
    assert 30 < per_ngram < 40, per_ngram  # the module docstring: ~37 bytes per n-gram
    # each item's words are in the blob as the rule gives them
    for s, evalset in zip(idx.sets, real_sets, strict=True):
        for i in (0, len(evalset) - 1):
            w = Words.of(["\n".join(evalset.items[i])])
            expected = b"".join(w.buf[a:b] + b" " for a, b in zip(w.starts, w.ends, strict=True))
            assert idx.item_bytes(s.first_item + i) == expected


def test_pickles(toy):
    idx = NgramIndex.build(list(toy), n=4)
    again = pickle.loads(pickle.dumps(idx))
    assert again.fingerprint == idx.fingerprint
    assert again.table.keys.tolist() == idx.table.keys.tolist()
