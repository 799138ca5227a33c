"""MinHash signatures per second, from raw texts: corpus/dedup/minhash.py against datasketch (and rensa when
installed).

    python bench/bench_minhash.py [--docs 2000] [--mean-words 300] [--num-perm 128] [--repeat 3]

Every contender starts from the same synthetic documents (lognormal lengths around ``--mean-words``
words) and produces one signature per document, so shingling counts for everyone:

- ours                     ``text_signatures``: shingle hashes of the whole batch in numpy
                           (corpus/dedup/shingling.py), then affine64 signatures (what the dedup stage runs)
- ours, signatures only    the same from precomputed shingle hashes (the MinHash arithmetic alone)
- datasketch update        shingle strings, one MinHash per document, ``update`` per shingle with xxh64
- datasketch bulk          shingle strings, ``MinHash.bulk`` with xxh64 (one ``update_batch`` per document)
- datasketch default       shingle strings, ``update`` with datasketch's defaults (SHA-1, affine32)
- rensa (if installed)     shingle strings, ``RMinHash`` per document (Rust; its own hashing, 32-bit scheme)

Before timing, datasketch fed our shingle hash function (``shingle_hash``) and our permutations must give
our signatures bit for bit on the first 100 documents. One process, one core; best of ``--repeat`` runs
(the slow per-shingle loops run once). The last column is the row's time over ours (above 1: ours is
faster).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.dedup.minhash import (  # noqa: E402
    hash_batch,
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

    import xxhash
    from datasketch import MinHash

    texts = synthetic_texts(args.docs, args.mean_words, args.seed)
    a, b = make_permutations(args.num_perm, args.seed)
    ours = text_signatures(texts, args.ngram, a, b)[0]
    exact = {
        "num_perm": args.num_perm,
        "scheme": "affine64",
        "hashfunc": shingle_hash,
        "permutations": (a, b),
    }
    for i, m in enumerate(MinHash.bulk([shingles(t, args.ngram) for t in texts[:100]], **exact)):
        assert np.array_equal(m.hashvalues, ours[i]), f"datasketch disagrees on document {i}"
    n_shingles = sum(len(shingles(t, args.ngram)) for t in texts)
    xxh = {
        "num_perm": args.num_perm,
        "scheme": "affine64",
        "hashfunc": lambda s: xxhash.xxh64_intdigest(s.encode()),
        "permutations": (a, b),
    }

    def ds_update(kwargs, encode=False):
        out = []
        for text in texts:
            m = MinHash(**kwargs)
            for s in shingles(text, args.ngram):
                m.update(s.encode() if encode else s)
            out.append(m.hashvalues)
        return out

    rows = []
    t_ours, _ = best_of(args.repeat, lambda: text_signatures(texts, args.ngram, a, b)[0])
    rows.append(("ours (text_signatures)", t_ours))
    hashes, offsets = hash_batch(texts, args.ngram)
    t, _ = best_of(args.repeat, lambda: signatures(hashes, offsets, a, b))
    rows.append(("ours, signatures only (hashes precomputed)", t))
    t, _ = best_of(1, lambda: ds_update(xxh))
    rows.append(("datasketch MinHash.update per shingle, xxh64", t))
    t, _ = best_of(args.repeat, lambda: MinHash.bulk([shingles(x, args.ngram) for x in texts], **xxh))
    rows.append(("datasketch MinHash.bulk, xxh64", t))
    t, _ = best_of(1, lambda: ds_update({"num_perm": args.num_perm}, encode=True))
    rows.append(("datasketch defaults (sha1, affine32), update", t))
    try:
        import rensa
    except ImportError:
        rows.append(("rensa: not installed (pip install rensa)", None))
    else:

        def rensa_per_doc():
            out = []
            for text in texts:
                m = rensa.RMinHash(args.num_perm, args.seed)
                m.update(shingles(text, args.ngram))
                out.append(m.digest())
            return out

        t, _ = best_of(args.repeat, rensa_per_doc)
        rows.append(("rensa RMinHash per document", t))

    print(
        f"{args.docs} documents, {n_shingles:,} shingles ({n_shingles / args.docs:.0f} per document), "
        f"{args.num_perm} permutations, one core; datasketch with our hash agrees bit for bit\n"
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
