"""corpus/dedup/shingling.py: the vectorized shingle hashes equal the plain-Python rule on any text."""

from __future__ import annotations

import numpy as np
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.dedup import shingling
from corpus.dedup.shingling import (
    doc_shingle_hashes,
    hash_batch,
    hash_shingles,
    shingle_hash,
    shingles,
    token_hashes,
    token_hashes_many,
)

# Word characters, separators and the cases that break naive byte tokenizers: accents precomposed and
# combining, non-ASCII punctuation and spaces, other scripts, digits, underscore, İ (lowercases to 2 chars).
ALPHABET = list("ab zé_9.,'-\n\t") + [
    "e\u0301",
    "—",
    "“",
    "…",
    "\u00a0",
    "\u3000",
    "Σ",
    "ß",
    "İ",
    "日本",
    "🎉",
    "٣",
]
texts = st.lists(st.sampled_from(ALPHABET), max_size=60).map("".join)


def reference(text: str, n: int) -> np.ndarray:
    return hash_shingles(shingles(text, n))


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, max_size=8), st.integers(1, 5))
def test_batch_equals_reference_on_any_text(batch, n):
    hashes, offsets = hash_batch(batch, n)
    assert len(offsets) == len(batch) + 1
    for i, text in enumerate(batch):
        assert np.array_equal(hashes[offsets[i] : offsets[i + 1]], reference(text, n)), text


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=12), st.sampled_from([1, 7, 64, 1 << 22]))
def test_tokens_hashed_together_equal_one_by_one(batch, chunk_bytes):
    """Chunks of every size, down to one text each and chunks that end mid-batch, give each text its own
    token hashes (the space that joins texts keeps a token from spanning two)."""
    together = token_hashes_many(batch, chunk_bytes=chunk_bytes)
    assert len(together) == len(batch)
    for text, hashes in zip(batch, together, strict=True):
        assert hashes.dtype == np.uint64 and hashes.tolist() == token_hashes(text).tolist(), text


def test_pieces_and_long_texts_agree(monkeypatch):
    rng = np.random.default_rng(0)
    words = ["alpha", "Beta", "gámma", "δέλτα", "e_5", "x"]
    batch = [" ".join(rng.choice(words, size=k)) + ". " for k in (0, 1, 3, 4, 5, 6, 50, 400, 3000)]
    want = [reference(t, 5) for t in batch]
    for piece_chars in (16, 100, 1 << 20):  # long texts are hashed in pieces, the others together
        monkeypatch.setattr(shingling, "PIECE_CHARS", piece_chars)
        hashes, offsets = hash_batch(batch, 5)
        for i in range(len(batch)):
            assert np.array_equal(hashes[offsets[i] : offsets[i + 1]], want[i]), (piece_chars, i)
        for chunk in (7, 64, 1 << 20):
            assert np.array_equal(doc_shingle_hashes(batch[-1], 5, chunk_chars=chunk), want[-1])


def test_hash_definition():
    # the documented formulas, spelled out once more by hand for one two-token shingle
    mask = (1 << 64) - 1
    ab, c = xxhash.xxh64_intdigest(b"ab"), xxhash.xxh64_intdigest(b"c")
    assert token_hashes("AB, c").tolist() == [ab, c]
    acc = (ab * shingling.Q + c) & mask
    assert shingle_hash("ab c") == shingling._fmix64_int((acc + 2 * shingling.LEN_MULT) & mask)
    # distinct tokens and orders give distinct hashes; equal strings equal hashes
    assert len({shingle_hash(s) for s in ("a b", "b a", "ab", "a bb", "aa b")}) == 5
    assert shingle_hash("x y") == shingle_hash("x y")


@pytest.mark.parametrize("text", ["", "   ", "—…“”", "\u0301\u0301"])
def test_texts_without_tokens_have_no_shingles(text):
    hashes, offsets = hash_batch([text, "one", text], 5)
    assert offsets.tolist() == [0, 0, 1, 1]
    assert hashes.tolist() == reference("one", 5).tolist()
