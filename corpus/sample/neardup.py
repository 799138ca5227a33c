"""Near-duplicates at a chosen Jaccard level: substitute words until the measured similarity gets there.

Editing one word changes the (up to) five shingles that cover it, so substituting k of a document's N
words at random positions leaves about ``(1 - k/N) ** 5`` of its shingles and gives
``J = s / (2 - s)`` for that surviving share s. Rather than trust the formula, ``near_duplicate``
binary-searches k along one fixed random order of positions and *measures* each candidate with
``word_shingles``, keeping the k whose Jaccard is closest to the target. Substitutions only replace
``\\w+`` tokens, so line and paragraph breaks (a Reddit thread's comment boundaries) survive.

The achievable precision is one substitution's worth: about 10/N for a document of N words, so a level
of 0.99 needs documents of ~1,000 words to land within 0.01 of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from corpus.sample.shingles import WORD_RE, jaccard, word_shingles


def near_duplicate(
    text: str, target: float, rng: np.random.Generator, replacements: Sequence[str], n: int = 5
) -> tuple[str, float]:
    """(edited copy of ``text``, its measured Jaccard with ``text``), as close to ``target`` as edits allow."""
    if not 0.0 < target < 1.0:
        raise ValueError(f"target Jaccard must be in (0, 1), not {target}")
    spans = [m.span() for m in WORD_RE.finditer(text)]
    if not spans:
        raise ValueError("cannot make a near-duplicate of a text without words")
    order = rng.permutation(len(spans))
    picks = rng.integers(0, len(replacements), len(spans))
    original = word_shingles(text, n)

    def edited(k: int) -> str:
        chosen = sorted(order[:k].tolist())
        pieces, prev = [], 0
        for i in chosen:
            start, end = spans[i]
            word = replacements[picks[i]]
            if word.lower() == text[start:end].lower():  # a no-op draw: take the next word of the list
                word = replacements[(picks[i] + 1) % len(replacements)]
            pieces += [text[prev:start], word]
            prev = end
        pieces.append(text[prev:])
        return "".join(pieces)

    cache: dict[int, tuple[str, float]] = {}

    def measure(k: int) -> tuple[str, float]:
        if k not in cache:
            copy = edited(k)
            cache[k] = (copy, jaccard(original, word_shingles(copy, n)))
        return cache[k]

    # Jaccard falls (almost) monotonically with k: find the first k at or below the target.
    lo, hi = 1, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if measure(mid)[1] > target:
            lo = mid + 1
        else:
            hi = mid
    best = min((k for k in (lo - 1, lo) if k >= 1), key=lambda k: abs(measure(k)[1] - target))
    return measure(best)
