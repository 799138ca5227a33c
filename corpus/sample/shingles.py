"""The ground-truth definition of document similarity: word 5-gram shingles and their Jaccard.

Planted near-duplicates are *measured* with these functions on the text as written, and that measured
value is what ``ground_truth.json`` records. ``corpus.dedup.minhash`` implements the same rule for the dedup
stage; tests hold the two to each other.

The rule: lowercase the text, take its ``\\w+`` tokens (Unicode word characters), and use the set of
n consecutive tokens joined by single spaces. A text with fewer than n tokens has one shingle, all of
its tokens; a text with none has no shingles. Two empty sets are not similar (Jaccard 0.0).
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"\w+")


def word_shingles(text: str, n: int = 5) -> set[str]:
    """The set of word ``n``-grams of ``text`` (see the module docstring).

    >>> sorted(word_shingles("The cat sat on the mat.", 5))
    ['cat sat on the mat', 'the cat sat on the']
    >>> word_shingles("Too short", 5)
    {'too short'}
    """
    tokens = WORD_RE.findall(text.lower())
    if len(tokens) < n:
        return {" ".join(tokens)} if tokens else set()
    return set(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))


def jaccard(a: set, b: set) -> float:
    """|a & b| / |a | b|; 0.0 when both are empty.

    >>> jaccard({1, 2, 3}, {2, 3, 4})
    0.5
    """
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def text_jaccard(a: str, b: str, n: int = 5) -> float:
    """Jaccard of the word ``n``-gram shingle sets of two texts."""
    return jaccard(word_shingles(a, n), word_shingles(b, n))
