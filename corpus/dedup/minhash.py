"""MinHash and LSH banding as plain numpy over whole batches of documents (no Spark here).

The pieces, in the order the dedup stage uses them:

- ``shingles`` / ``hash_batch`` (corpus/dedup/shingling.py): lowercase ``\\w+`` tokens, word n-grams, and
  their 64-bit hashes computed for a whole batch in numpy (64 bits, so a billion-document corpus does not
  saturate the hash space the way 32-bit hashes do).
- ``make_permutations`` / ``signatures``: datasketch's ``affine64`` scheme (datasketch >= 2.0): every input
  hash is pre-mixed once with the MurmurHash3 64-bit finalizer, then permutation k maps it to
  ``a_k * h + b_k mod 2**64`` with odd ``a_k`` (a bijection, so the permutation step adds no collisions).
  We chose it over datasketch's ``legacy`` ``(a*h + b) mod (2**61 - 1)`` scheme, which folds to 32 bits,
  is documented upstream as biased on large sets, and cannot be computed in one numpy uint64 pass.
  Given the same permutations and hash values our signatures equal ``datasketch.MinHash(scheme="affine64")``
  bit for bit (tests/test_minhash.py). A batch of documents is one set of numpy calls over cache-sized,
  permutation-major blocks: about 20x ``MinHash.update`` per shingle, and ahead of ``MinHash.bulk`` mostly
  on short documents, where its per-document overhead dominates (bench/bench_minhash.py). The
  multiply-add-min over uint64 is the floor of what numpy can do; Rust MinHash libraries (rensa) are
  faster but use other hashing, so they cannot be the bit-exact reference.
- ``optimal_bands`` / ``s_curve``: the band layout (b bands of r rows) chosen from the threshold so that a
  pair at J = threshold becomes a candidate with probability >= ``min_recall``.
- ``band_hashes``: one 64-bit bucket hash per (document, band); equal band slices give equal hashes, so a
  hash collision can only add a candidate (which verification then rejects), never lose one.
- ``AnchorEdges``: candidate edges from a stream of (band, bucket, id) rows sorted by bucket: all pairs
  of small buckets, edges to a few anchors (the smallest ids) in big ones; bounded memory whatever the
  bucket size.
- ``exact_jaccard`` / ``signature_jaccard``: edge verification.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from corpus.dedup.shingling import (  # noqa: F401  (the shingle rule and its hashes, re-exported)
    doc_shingle_hashes,
    fmix64,
    hash_batch,
    hash_shingles,
    jaccard,
    shingle_hash,
    shingle_hash_set,
    shingle_set,
    shingles,
    tokens,
)

UINT64_MAX = np.uint64(2**64 - 1)
# Shingles per numpy block in ``signatures`` (block x num_perm x 8 bytes = 8 MiB at 128 permutations):
# fewer, longer numpy calls win over keeping the block in L2 (smaller and larger blocks were slower).
SIGNATURE_BLOCK = 8192


# ---------------------------------------------------------------------------------------------------------
# Permutations and signatures
# ---------------------------------------------------------------------------------------------------------


def make_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) uint64 arrays of the affine64 permutations, drawn exactly as datasketch 2.0 draws them.

    ``datasketch.MinHash(num_perm, seed=seed, scheme="affine64").permutations`` holds the same values.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd: a bijection
    b = gen.randint(0, 1 << 64, num_perm, dtype=np.uint64)
    return a, b


def signatures(
    hashes: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray, block: int = SIGNATURE_BLOCK
) -> np.ndarray:
    """MinHash signatures, shape (n_docs, num_perm) uint64, of the documents whose shingle hashes are
    ``hashes[offsets[i]:offsets[i + 1]]``.

    Work goes in blocks of ``block`` shingles whatever the document boundaries, so a 50 MB document costs
    the same memory as a tweet. A document without shingles keeps the all-ones signature (datasketch's
    empty MinHash).
    """
    n_docs, num_perm = len(offsets) - 1, len(a)
    sig = np.full((n_docs, num_perm), UINT64_MAX, dtype=np.uint64)
    total = int(offsets[-1])
    if total == 0:
        return sig
    mixed = fmix64(np.asarray(hashes, dtype=np.uint64))
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(offsets))
    # Permutation-major blocks: the min-reduction then runs along contiguous memory (2x faster than
    # reducing shingle-major rows with reduceat along axis 0).
    buf = np.empty((num_perm, min(block, total)), dtype=np.uint64)
    a_col, b_col = a[:, None], b[:, None]
    for start in range(0, total, block):
        end = min(start + block, total)
        out = buf[:, : end - start]
        np.multiply(a_col, mixed[None, start:end], out=out)
        np.add(out, b_col, out=out)
        docs = doc_of[start:end]
        firsts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        block_min = np.minimum.reduceat(out, firsts, axis=1).T
        rows = docs[firsts]
        sig[rows] = np.minimum(sig[rows], block_min)
    return sig


def text_signatures(
    texts: Sequence[str], n: int, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(signatures, shingle counts) of a batch of texts."""
    hashes, offsets = hash_batch(texts, n)
    return signatures(hashes, offsets, a, b), np.diff(offsets)


def signature_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """The MinHash estimate of Jaccard similarity: the share of equal signature positions."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique uint64 arrays (shingle hash sets); 0.0 when both are empty."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return 0.0
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    inter = int(np.count_nonzero(b[idx] == a))
    return inter / (len(a) + len(b) - inter)


# ---------------------------------------------------------------------------------------------------------
# Band layout
# ---------------------------------------------------------------------------------------------------------


def s_curve(j, b: int, r: int):
    """Probability that two documents of Jaccard ``j`` share at least one of ``b`` bands of ``r`` rows:
    ``1 - (1 - j**r)**b``. Works on scalars and numpy arrays."""
    return 1.0 - (1.0 - np.asarray(j, dtype=np.float64) ** r) ** b


def optimal_bands(threshold: float, num_perm: int, min_recall: float = 0.99) -> tuple[int, int]:
    """(b, r) with b * r <= num_perm whose S-curve catches a pair at J = ``threshold`` with probability
    >= ``min_recall`` and has the least false-positive area (integral of the curve over [0, threshold]).

    Fewer candidates below the threshold is what we minimize: each one costs a verification, while a
    missed pair above it is lost for good, which is what the recall floor guards.

    >>> optimal_bands(0.95, 128, 0.99)
    (8, 16)
    """
    grid = np.linspace(0.0, threshold, 1001)
    best = None
    for r in range(1, num_perm + 1):
        for b in range(1, num_perm // r + 1):
            if float(s_curve(threshold, b, r)) < min_recall:
                continue
            area = float(np.trapezoid(s_curve(grid, b, r), grid))
            key = (round(area, 12), b * r, b)  # ties: fewer hash rows, then fewer bands
            if best is None or key < best[0]:
                best = (key, (b, r))
    if best is None:
        raise ValueError(
            f"no band layout with {num_perm} permutations reaches recall {min_recall} at J = {threshold}; "
            "raise dedup.num_perm or lower dedup.min_recall"
        )
    return best[1]


def s_curve_points(b: int, r: int, steps: int = 100) -> list[list[float]]:
    """[[j, P(candidate)], ...] for j = 0, 1/steps, ..., 1: the curve the report draws."""
    js = np.linspace(0.0, 1.0, steps + 1)
    return [[round(float(j), 4), round(float(p), 6)] for j, p in zip(js, s_curve(js, b, r), strict=True)]


# ---------------------------------------------------------------------------------------------------------
# Buckets and candidate edges
# ---------------------------------------------------------------------------------------------------------

_BAND_MULT = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio odd constant


def band_hashes(sig: np.ndarray, b: int, r: int) -> np.ndarray:
    """Bucket hash of each of the ``b`` bands (``r`` rows each) of every signature: shape (n_docs, b) uint64.

    A polynomial fold of the band's values through the fmix64 bijection: identical slices give identical
    hashes, different slices collide with probability ~2**-64 (and a collision only adds a candidate).
    """
    if b * r > sig.shape[1]:
        raise ValueError(f"{b} bands x {r} rows need {b * r} permutations, signatures have {sig.shape[1]}")
    n = sig.shape[0]
    # All bands at once, one row position at a time: r numpy passes over (n, b) instead of b * r passes
    # over single columns (the same arithmetic per band; the per-column calls were 11 % of the dedup's
    # signature step).
    rows = sig[:, : b * r].reshape(n, b, r)
    h = np.tile(np.arange(1, b + 1, dtype=np.uint64) * _BAND_MULT, (n, 1))
    for j in range(r):
        h *= _BAND_MULT
        h ^= rows[:, :, j]
        h = fmix64(h)
    return h


def candidate_pairs(bands: np.ndarray, ids: Sequence | None = None) -> set[tuple]:
    """Every pair of documents sharing a bucket in some band, as (smaller id, larger id).

    The quadratic reference (what ``datasketch.MinHashLSH`` queries return), for tests and small inputs;
    the dedup stage uses ``AnchorEdges`` instead.
    """
    ids = list(range(bands.shape[0])) if ids is None else list(ids)
    pairs: set[tuple] = set()
    for band in range(bands.shape[1]):
        buckets: dict[int, list] = {}
        for i, h in enumerate(bands[:, band].tolist()):
            buckets.setdefault(h, []).append(ids[i])
        for members in buckets.values():
            members.sort()
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
    return pairs


class AnchorEdges:
    """Candidate edges from (band, bucket, id) rows sorted by (band, bucket, id), fed in batches.

    The member at rank k of its bucket (0 = smallest id) is linked to every smaller member while
    k < ``all_pairs``, and to the ``anchors`` smallest members after that. So a bucket of up to
    ``all_pairs`` members yields all its pairs, and a bigger one O(anchors x size) edges (a star to the
    smallest id when anchors = 1), never O(size**2). The only state kept between batches is the first
    ``all_pairs`` ids of the bucket in progress, so a bucket of a million documents streams through.

    Why not a plain star: verification only keeps edges at or above the threshold, so a star whose centre
    is a false candidate loses every pair among the other members. In a measured 5-member bucket
    (variants at 0.975, 0.951, 0.927, 0.895 of one text) the star to the smallest id lost the 0.951 pair.
    Small buckets are where such families live; big buckets are templates whose members all match.
    """

    def __init__(self, anchors: int = 2, all_pairs: int = 16):
        if anchors < 1 or all_pairs < anchors:
            raise ValueError("need 1 <= anchors <= all_pairs")
        self.anchors, self.all_pairs = anchors, all_pairs
        self._carry: tuple | None = None  # (band, bucket, first ids) of the open bucket

    def feed(self, band: np.ndarray, bucket: np.ndarray, ids: Sequence) -> tuple[np.ndarray, np.ndarray]:
        """Edges (member ids, anchor ids) of this batch; member > anchor in the sort order."""
        band = np.asarray(band)
        bucket = np.asarray(bucket)
        ids = ids if isinstance(ids, np.ndarray) else np.asarray(ids, dtype=object)
        n_carried = 0
        if (
            self._carry is not None
            and len(band)
            and band[0] == self._carry[0]
            and bucket[0] == self._carry[1]
        ):
            carried = self._carry[2]
            n_carried = len(carried)
            band = np.concatenate([np.full(n_carried, band[0], dtype=band.dtype), band])
            bucket = np.concatenate([np.full(n_carried, bucket[0], dtype=bucket.dtype), bucket])
            ids = np.concatenate([np.asarray(carried, dtype=ids.dtype), ids])
        n = len(band)
        if n == 0:
            return ids[:0], ids[:0]
        positions = np.arange(n)
        starts = np.ones(n, dtype=bool)
        starts[1:] = (band[1:] != band[:-1]) | (bucket[1:] != bucket[:-1])
        group_start = np.maximum.accumulate(np.where(starts, positions, 0))
        # carried rows are the bucket's first ids, so ranks below all_pairs are true ranks
        rank = positions - group_start
        real = positions >= n_carried  # carried rows already had their edges emitted
        members, anchors = [], []
        for j in range(min(self.all_pairs, int(rank.max()))):
            sel = (rank > j) & real
            if j >= self.anchors:
                sel &= rank < self.all_pairs
            members.append(ids[sel])
            anchors.append(ids[group_start[sel] + j])
        last = group_start[-1]
        self._carry = (band[last], bucket[last], list(ids[last : min(n, last + self.all_pairs)]))
        if not members:
            return ids[:0], ids[:0]
        return np.concatenate(members), np.concatenate(anchors)


def anchor_edges_all(rows: Iterable[tuple], anchors: int = 2, all_pairs: int = 16) -> set[tuple]:
    """``AnchorEdges`` over an unsorted iterable of (band, bucket, id) in one batch: a helper for tests."""
    rows = sorted(rows)
    if not rows:
        return set()
    band, bucket, ids = zip(*rows, strict=True)
    u, v = AnchorEdges(anchors, all_pairs).feed(np.array(band), np.array(bucket), np.array(ids, dtype=object))
    return {(y, x) for x, y in zip(u.tolist(), v.tolist(), strict=True) if x != y}
