"""Packing documents into fixed-length rows (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.tokens.pack import pack_documents, pack_flat, with_eos


def _brute_force(docs, sources, eos, seq_len, n_sources):
    stream, owner = [], []
    for d, s in zip(docs, sources, strict=True):
        stream += [int(t) for t in d] + [eos]
        owner += [s] * (len(d) + 1)
    n = len(stream) // seq_len
    counts = np.zeros((n, n_sources), dtype=np.int64)
    for i in range(n * seq_len):
        counts[i // seq_len, owner[i]] += 1
    tail = np.bincount(np.array(owner[n * seq_len :], dtype=np.int64), minlength=n_sources)
    return (
        [stream[i * seq_len : (i + 1) * seq_len] for i in range(n)],
        len(stream) - n * seq_len,
        counts,
        tail,
    )


def test_rows_tail_and_eos_placement():
    docs = [np.array([10, 11, 12]), np.array([13]), np.array([], dtype=np.int64), np.array([14, 15, 16, 17])]
    r = pack_documents(docs, eos_id=2, seq_len=4, dtype="uint16")
    # stream: 10 11 12 2 | 13 2 2 14 | 15 16 17 2   (the empty document still ends with </s>)
    assert r.rows.tolist() == [[10, 11, 12, 2], [13, 2, 2, 14], [15, 16, 17, 2]]
    assert r.rows.dtype == np.uint16
    assert (r.tail_tokens, r.tokens_produced) == (0, 12)
    r5 = pack_documents(docs, eos_id=2, seq_len=5)
    assert r5.rows.tolist() == [[10, 11, 12, 2, 13], [2, 2, 14, 15, 16]]
    assert r5.tail_tokens == 2  # "17 </s>" dropped and counted
    assert int((r5.rows == 2).sum()) + 1 == len(docs)  # every document but the cut one ends inside a row


def test_matches_brute_force_with_per_source_counts():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n_docs, seq_len, n_sources = int(rng.integers(0, 25)), int(rng.integers(1, 17)), 3
        docs = [rng.integers(4, 1000, size=rng.integers(0, 40)) for _ in range(n_docs)]
        sources = rng.integers(0, n_sources, size=n_docs).tolist()
        r = pack_documents(docs, 2, seq_len, "int32", sources, n_sources)
        rows, tail, counts, tail_counts = _brute_force(docs, sources, 2, seq_len, n_sources)
        assert r.rows.tolist() == rows
        assert r.tail_tokens == tail < seq_len
        assert np.array_equal(r.row_source_tokens, counts)
        assert np.array_equal(r.tail_source_tokens, tail_counts)
        assert r.row_source_tokens.sum() + r.tail_source_tokens.sum() == sum(len(d) + 1 for d in docs)


def test_flat_layout_equals_list_layout():
    docs = [np.arange(5), np.arange(100, 103), np.arange(7)]
    flat = pack_flat(np.concatenate(docs), np.array([5, 3, 7]), eos_id=1, seq_len=6)
    assert np.array_equal(flat.rows, pack_documents(docs, 1, 6).rows)
    assert flat.tail_tokens == 0 and flat.rows.shape == (3, 6)


def test_with_eos_and_input_checks():
    assert with_eos(np.array([7, 8, 9], dtype=np.uint16), np.array([1, 2]), 2).tolist() == [7, 2, 8, 9, 2]
    with pytest.raises(ValueError, match="lengths sum"):
        with_eos(np.array([1, 2, 3]), np.array([1]), 2)
    with pytest.raises(ValueError, match="source indices"):
        pack_documents([np.array([1])], 2, 4, doc_sources=[3], n_sources=2)
    with pytest.raises(ValueError, match="seq_len"):
        pack_documents([np.array([1])], 2, 0)
    empty = pack_documents([], 2, 4)
    assert empty.rows.shape == (0, 4) and empty.tail_tokens == 0
