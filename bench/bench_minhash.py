"""MinHash signatures per second: corpus/minhash.py against datasketch (and rensa when installed).

    python bench/bench_minhash.py [--docs 2000] [--mean-words 300] [--num-perm 128] [--repeat 3]

Every contender gets the same shingle strings of the same synthetic documents (lognormal lengths around
``--mean-words`` words) and, where it allows it, the same hash function (xxh64 of the UTF-8 bytes) and
the same affine64 permutations, so their signatures must agree bit for bit (checked before timing).
Rows:

- ours, from shingles      xxh64 + signatures of a whole batch (the part comparable with datasketch)
- ours, from texts         the same plus tokenizing and building the shingles (what the stage runs)
- datasketch update        one MinHash per document, ``update`` per shingle (the classic loop)
- datasketch bulk          ``MinHash.bulk``: one vectorized ``update_batch`` per document
- datasketch default       ``update`` per shingle with datasketch's defaults (SHA-1, affine32)
- rensa (if installed)     ``RMinHash`` per document (its own hashing and 32-bit scheme: not comparable
                           bit for bit), and its batch API over our 64-bit shingle hashes

One process, one core; best of ``--repeat`` runs (the slow per-shingle loops run once). The last column
is how many times faster "ours, from shingles" is than the row (below 1: the row is faster).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.minhash import (  # noqa: E402
    hash_shingles,
    make_permutations,
    shingle_hash,
    shingles,
    signatures,
    text_signatures,
)


def synthetic_texts(n: int, mean_words: int, seed: int) -> list[str]:
    """Documents of Zipf-distributed pseudo-words with lognormal lengths (web-like: many short, some long)."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = np.array(["".join(rng.choice(letters, rng.integers(2, 10))) for _ in range(30000)])
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    lengths = np.maximum(5, rng.lognormal(np.log(mean_words) - 0.32, 0.8, n).astype(int))
    return [" ".join(vocab[rng.choice(len(vocab), k, p=weights)].tolist()) for k in lengths]


def best_of(repeat: int, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--mean-words", type=int, default=300)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from datasketch import MinHash

    texts = synthetic_texts(args.docs, args.mean_words, args.seed)
    shingle_lists = [shingles(t, args.ngram) for t in texts]
    n_shingles = sum(map(len, shingle_lists))
    a, b = make_permutations(args.num_perm, args.seed)
    ds_kwargs = {
        "num_perm": args.num_perm,
        "scheme": "affine64",
        "hashfunc": shingle_hash,
        "permutations": (a, b),
    }

    def ours_from_shingles():
        parts = [hash_shingles(s) for s in shingle_lists]
        offsets = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=offsets[1:])
        return signatures(np.concatenate(parts), offsets, a, b)

    def ds_update(hashfunc_kwargs):
        out = []
        for items in shingle_lists:
            m = MinHash(**hashfunc_kwargs)
            for s in items:
                m.update(s)
            out.append(m.hashvalues)
        return out

    rows = []
    t_ours, sig = best_of(args.repeat, ours_from_shingles)
    rows.append(("ours, from shingles", t_ours))
    t, sig_texts = best_of(args.repeat, lambda: text_signatures(texts, args.ngram, a, b)[0])
    assert np.array_equal(sig_texts, sig)
    rows.append(("ours, from texts (incl. shingling)", t))
    t, ds_sigs = best_of(1, lambda: ds_update(ds_kwargs))
    assert all(np.array_equal(x, y) for x, y in zip(ds_sigs, sig, strict=True)), "datasketch update disagrees"
    rows.append(("datasketch MinHash.update per shingle", t))
    t, bulk = best_of(args.repeat, lambda: MinHash.bulk(shingle_lists, **ds_kwargs))
    assert all(np.array_equal(m.hashvalues, y) for m, y in zip(bulk, sig, strict=True)), (
        "datasketch bulk disagrees"
    )
    rows.append(("datasketch MinHash.bulk", t))
    encoded = [[s.encode() for s in items] for items in shingle_lists]

    def ds_default():
        out = []
        for items in encoded:
            m = MinHash(num_perm=args.num_perm)
            for s in items:
                m.update(s)
            out.append(m.hashvalues)
        return out

    t, _ = best_of(1, ds_default)
    rows.append(("datasketch defaults (sha1, affine32), update", t))
    try:
        import rensa
    except ImportError:
        rows.append(("rensa: not installed (pip install rensa)", None))
    else:

        def rensa_per_doc():
            out = []
            for items in shingle_lists:
                m = rensa.RMinHash(args.num_perm, args.seed)
                m.update(items)
                out.append(m.digest())
            return out

        t, _ = best_of(args.repeat, rensa_per_doc)
        rows.append(("rensa RMinHash per document", t))

        def rensa_batch():
            parts = [hash_shingles(s) for s in shingle_lists]
            offsets = np.zeros(len(parts) + 1, dtype=np.uint64)
            np.cumsum([len(p) for p in parts], out=offsets[1:])
            return rensa.RMinHash.digest_matrix_from_flat_token_hashes(
                np.concatenate(parts), offsets, args.num_perm, args.seed
            )

        t, _ = best_of(args.repeat, rensa_batch)
        rows.append(("rensa digest matrix from our xxh64 hashes", t))

    print(
        f"{args.docs} documents, {n_shingles:,} shingles ({n_shingles / args.docs:.0f} per document), "
        f"{args.num_perm} permutations, one core; signatures agree bit for bit with datasketch\n"
    )
    print(f"{'contender':48s} {'seconds':>9s} {'docs/s':>10s} {'shingles/s':>12s} {'ours x':>8s}")
    for name, t in rows:
        if t is None:
            print(name)
            continue
        print(f"{name:48s} {t:9.3f} {args.docs / t:10,.0f} {n_shingles / t:12,.0f} {t / t_ours:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
