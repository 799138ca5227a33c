"""Word shingles and their 64-bit hashes, computed over whole batches of text with numpy.

The rule (the sample generator measures planted Jaccard levels with exactly this rule):

- text is lowercased; tokens are the ``\\w+`` runs (Unicode word characters, as Python's ``re`` defines
  them);
- a shingle is ``n`` consecutive tokens joined by one space; a document with fewer than ``n`` tokens is
  one shingle of all its tokens, one without tokens has no shingles.

The hash of a shingle (``shingle_hash``) is built from its tokens' hashes, so it can be computed without
ever making the token or shingle strings (the reference Python code below is what the vectorized code
must equal, and datasketch is fed through it in the tests):

    token_hash(t)  = fmix64(poly(t) XOR len(t) * LEN_MULT),   poly(t) = sum_j t[j] * P**j    (UTF-8 bytes)
    shingle_hash   = fmix64(Horner over its tokens' hashes with multiplier Q, plus k * LEN_MULT)

all modulo 2**64, with fixed odd constants P and Q. Why not xxh64 of the joined string: that needs one
Python string per token and per shingle, ~75 % of MinHash time on prose; here a batch of documents is one
``bytes`` buffer, and tokens and shingles are numpy arrays (`bench/bench_minhash.py`). A 64-bit hash of
a few-byte token through a polynomial and the fmix64 bijection keeps collisions at the ~2**-64 level for
real text, and a collision can only add a candidate pair, which exact verification then rejects.

How the buffer is tokenized exactly like ``\\w+``: after lowercasing, every non-ASCII character that is
not a word character becomes a space (one regex pass, only on non-ASCII texts); the text is then UTF-8
encoded, and a byte is part of a word when it is an ASCII letter, digit or ``_``, or any byte >= 0x80
(all of which now belong to word characters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

TOKEN_RE = re.compile(r"\w+")
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]")

MASK = (1 << 64) - 1
P = 0x100000001B3  # FNV-64 prime: odd, so its powers are invertible modulo 2**64
Q = 0x9E3779B97F4A7C15  # golden-ratio odd constant
LEN_MULT = 0xC2B2AE3D27D4EB4F
P_INV = pow(P, -1, 1 << 64)

_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True

# Texts are tokenized together in buffers of about this many characters (<= 4 UTF-8 bytes each; numpy
# arrays of ~8 bytes per byte while hashing); a longer text is cut into pieces of this size at whitespace,
# carrying its last n - 1 token hashes across each cut.
BUFFER_CHARS = 1 << 20


# ---------------------------------------------------------------------------------------------------------
# The rule in plain Python (reference and small inputs)
# ---------------------------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Lowercased ``\\w+`` tokens of ``text``.

    >>> tokens("Don't PANIC, 42!")
    ['don', 't', 'panic', '42']
    """
    return TOKEN_RE.findall(text.lower())


def shingles(text: str, n: int = 5) -> list[str]:
    """Word n-grams of ``text`` joined by single spaces, in order (repeats kept; the set is what counts).

    >>> shingles("a b c d", 3)
    ['a b c', 'b c d']
    >>> shingles("Too short", 5)
    ['too short']
    >>> shingles("...", 5)
    []
    """
    toks = tokens(text)
    if len(toks) < n:
        return [" ".join(toks)] if toks else []
    return list(map(" ".join, zip(*(toks[i:] for i in range(n)), strict=False)))


def shingle_set(text: str, n: int = 5) -> set[str]:
    return set(shingles(text, n))


def jaccard(a: set, b: set) -> float:
    """Jaccard similarity of two sets; two empty sets are not similar (0.0)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _fmix64_int(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK
    return h ^ (h >> 33)


def token_hash(token: str) -> int:
    """The 64-bit hash of one token (see the module docstring)."""
    data = token.encode("utf-8")
    poly, power = 0, 1
    for byte in data:
        poly = (poly + byte * power) & MASK
        power = (power * P) & MASK
    return _fmix64_int(poly ^ ((len(data) * LEN_MULT) & MASK))


def shingle_hash(shingle: str) -> int:
    """The 64-bit hash of one shingle string (tokens joined by single spaces); also the ``hashfunc`` to
    give datasketch for a bit-exact comparison."""
    parts = shingle.split(" ")
    acc = 0
    for part in parts:
        acc = (acc * Q + token_hash(part)) & MASK
    return _fmix64_int((acc + len(parts) * LEN_MULT) & MASK)


def hash_shingles(items: Sequence[str]) -> np.ndarray:
    """``shingle_hash`` of each shingle string, as uint64 (the slow reference; see ``hash_batch``)."""
    return np.fromiter(map(shingle_hash, items), dtype=np.uint64, count=len(items))


# ---------------------------------------------------------------------------------------------------------
# Vectorized
# ---------------------------------------------------------------------------------------------------------


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (a bijection), applied element-wise; uint64 arithmetic wraps."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


_POWERS: dict[int, np.ndarray] = {}


def _powers(base: int, length: int) -> np.ndarray:
    """base**j mod 2**64 for j < length (cached per base, grown by doubling)."""
    have = _POWERS.get(base)
    if have is None or len(have) < length:
        size = max(length, 2 * len(have) if have is not None else 1 << 16)
        with np.errstate(over="ignore"):
            steps = np.full(size, base, dtype=np.uint64)
            steps[0] = 1
            have = np.cumprod(steps, dtype=np.uint64)
        _POWERS[base] = have
    return have[:length]


def clean_text(text: str) -> str:
    """Lowercased, with every non-ASCII non-word character replaced by a space (see the module docstring)."""
    text = text.lower()
    return text if text.isascii() else _NON_ASCII_NON_WORD.sub(" ", text)


def buffer_token_hashes(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(token hashes, token start offsets) of a cleaned UTF-8 buffer, in order."""
    data = np.frombuffer(buf, dtype=np.uint8)
    if data.size == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    edges = np.diff(_WORD_BYTE[data].view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(data.size + 1, dtype=np.uint64)
        np.cumsum(data * _powers(P, data.size), out=prefix[1:])
        # sum_j c_j P**j over [start, end), shifted down to P**0 at the token's first byte
        poly = (prefix[ends] - prefix[starts]) * _powers(P_INV, data.size)[starts]
        lengths = (ends - starts).astype(np.uint64)
        return fmix64(poly ^ (lengths * np.uint64(LEN_MULT))), starts


def window_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hashes of every run of ``n`` consecutive tokens (``len - n + 1`` of them; none when fewer)."""
    count = len(token_hashes) - n + 1
    if count <= 0:
        return np.zeros(0, np.uint64)
    with np.errstate(over="ignore"):
        acc = token_hashes[:count].copy()
        for m in range(1, n):
            acc *= np.uint64(Q)
            acc += token_hashes[m : m + count]
        return fmix64(acc + np.uint64((n * LEN_MULT) & MASK))


def _shingles_of_tokens(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """A document's shingle hashes from all its token hashes (fewer than n tokens: one shingle of all)."""
    if len(token_hashes) >= n:
        return window_hashes(token_hashes, n)
    return window_hashes(token_hashes, len(token_hashes)) if len(token_hashes) else token_hashes


def doc_shingle_hashes(text: str, n: int, chunk_chars: int = BUFFER_CHARS) -> np.ndarray:
    """The shingle hashes of one text in bounded memory: a long text is tokenized in pieces of about
    ``chunk_chars`` characters cut at whitespace, carrying the last n - 1 token hashes across each cut."""
    if len(text) <= chunk_chars:
        return _shingles_of_tokens(buffer_token_hashes(clean_text(text).encode("utf-8"))[0], n)
    parts: list[np.ndarray] = []
    carry = np.zeros(0, np.uint64)
    for piece in _pieces(text, chunk_chars):
        toks = np.concatenate([carry, buffer_token_hashes(clean_text(piece).encode("utf-8"))[0]])
        if len(toks) >= n:
            parts.append(window_hashes(toks, n))
            carry = toks[len(toks) - (n - 1) :] if n > 1 else toks[:0]
        else:
            carry = toks
    if not parts:  # the whole text has fewer than n tokens
        return _shingles_of_tokens(carry, n)
    return np.concatenate(parts)


_WHITESPACE = re.compile(r"\s")


def _pieces(text: str, size: int):
    """Consecutive slices of ``text`` of about ``size`` characters, each cut just before a whitespace
    character (never inside a token), or the rest of the text when no whitespace follows."""
    start = 0
    while start < len(text):
        cut = _WHITESPACE.search(text, start + size) if start + size < len(text) else None
        end = cut.start() if cut else len(text)
        yield text[start:end]
        start = end


def _buffer_shingles(texts: Sequence[str], n: int) -> list[np.ndarray]:
    """Per-text shingle hashes of texts tokenized together in one buffer (a space between texts, so no
    token crosses two of them)."""
    encoded = [clean_text(t).encode("utf-8") for t in texts]
    hashes, starts = buffer_token_hashes(b" ".join(encoded))
    text_starts = np.cumsum([0] + [len(e) + 1 for e in encoded[:-1]])
    bounds = np.searchsorted(starts, text_starts)  # first token of each text
    bounds = np.append(bounds, len(hashes))
    windows = window_hashes(hashes, n)  # may span two texts: only those inside one are taken below
    out = []
    for i in range(len(texts)):
        first, last = int(bounds[i]), int(bounds[i + 1])
        if last - first >= n:
            out.append(windows[first : last - n + 1])
        else:
            out.append(_shingles_of_tokens(hashes[first:last], n))
    return out


def hash_batch(texts: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of a batch of texts, concatenated, with ``offsets`` (len(texts) + 1) into them."""
    parts: list[np.ndarray] = [None] * len(texts)  # type: ignore[list-item]
    group: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        if len(text) > BUFFER_CHARS:  # long texts on their own, in pieces
            parts[i] = doc_shingle_hashes(text, n)
            continue
        group.append(i)
        size += len(text)
        if size >= BUFFER_CHARS:
            for j, hashes in zip(group, _buffer_shingles([texts[j] for j in group], n), strict=True):
                parts[j] = hashes
            group, size = [], 0
    if group:
        for j, hashes in zip(group, _buffer_shingles([texts[j] for j in group], n), strict=True):
            parts[j] = hashes
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return hashes.astype(np.uint64, copy=False), offsets


def shingle_hash_set(text: str, n: int) -> np.ndarray:
    """Sorted unique shingle hashes of one text: the set exact Jaccard verification works on."""
    return np.unique(doc_shingle_hashes(text, n))
