"""End-to-end near-dedup throughput of the Spark stage, its stage breakdown, and how it scales.

    python bench/bench_dedup.py --sizes 100000,1000000 [--cores 2] [--mean-words 150]
                                [--baseline-docs 20000] [--workdir /tmp/optcorpus-bench-dedup]

For each size a synthetic corpus is generated (Zipf pseudo-words, lognormal lengths around
``--mean-words``, spread over the five sources, with 5% exact copies and 10% near variants of earlier
documents: 1 to 3 replaced words), written as Parquet partitioned by source (the filter stage's layout),
and the stage runs on ``local[--cores]`` as the build runs it (``run_stage``). Printed per size: total
seconds, docs/s, docs/s per core, the per-step seconds from the stage's own stats, and the growth of time
per document between sizes (near-linear scaling means that ratio stays near 1).

Baseline, same process, one core: datasketch on the first ``--baseline-docs`` documents of the first
size - ``MinHash.bulk`` with the same hash and permutations, ``MinHashLSH`` with the same bands, a query
per document, exact-Jaccard verification of the candidates and a union-find - the single-machine way.
The ratio printed is our docs/s per core at the largest size over the baseline's docs/s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SOURCES = ("bookcorpus", "ccstories", "ccnews", "pile", "reddit")


def generate(root: Path, n: int, mean_words: int, seed: int, chunk: int = 20000) -> list[str]:
    """Write the corpus under ``root`` (Parquet by source); return the texts of the first 20k documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus.schema import DOCUMENT_SCHEMA

    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = np.array(["".join(rng.choice(letters, rng.integers(2, 10))) for _ in range(50000)])
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 0.9
    weights /= weights.sum()
    pool: list[np.ndarray] = []  # recent originals that later documents copy or vary
    head: list[str] = []
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        lengths = np.maximum(8, rng.lognormal(np.log(mean_words) - 0.32, 0.8, size).astype(int))
        stream = rng.choice(len(vocab), int(lengths.sum()), p=weights)
        cuts = np.cumsum(lengths)[:-1]
        kinds = rng.random(size)
        rows = []
        for i, words in enumerate(np.split(stream, cuts)):
            if kinds[i] < 0.05 and pool:
                words = pool[rng.integers(len(pool))]
            elif kinds[i] < 0.15 and pool:
                words = pool[rng.integers(len(pool))].copy()
                for _ in range(rng.integers(1, 4)):
                    words[rng.integers(len(words))] = rng.integers(len(vocab))
            else:
                pool.append(words)
                if len(pool) > 5000:
                    pool.pop(rng.integers(len(pool)))
            text = " ".join(vocab[words].tolist())
            doc = start + i
            source = SOURCES[doc % len(SOURCES)]
            rows.append(
                {
                    "doc_id": f"{source}/bench-{doc // 100000:03d}.jsonl#{doc}",
                    "source": source,
                    "subset": None,
                    "url": None,
                    "text": text,
                    "meta": None,
                    "location": f"line {doc}",
                    "n_records": 1,
                }
            )
            if len(head) < 20000:
                head.append(text)
        table = pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)
        pq.write_to_dataset(
            table, str(root), partition_cols=["source"], basename_template=f"part-{start:09d}-{{i}}.parquet"
        )
    return head


def datasketch_baseline(texts: list[str], cfg, seed: int) -> dict:
    """The single-core reference: datasketch signatures + LSH + verification + union-find."""
    import xxhash
    from datasketch import MinHash, MinHashLSH

    from corpus.dedup.minhash import make_permutations, optimal_bands, shingle_set

    b, r = optimal_bands(cfg.threshold, cfg.num_perm, cfg.min_recall)
    a, pb = make_permutations(cfg.num_perm, seed)
    start = time.perf_counter()
    sets = [shingle_set(t, cfg.ngram) for t in texts]
    minhashes = MinHash.bulk(
        [list(s) for s in sets],
        num_perm=cfg.num_perm,
        scheme="affine64",
        hashfunc=lambda s: xxhash.xxh64_intdigest(s.encode()),  # datasketch's usual fast C hash
        permutations=(a, pb),
    )
    lsh = MinHashLSH(num_perm=cfg.num_perm, params=(b, r))
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m)
    parent = list(range(len(texts)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    candidates = verified = 0
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            if j <= i:
                continue
            candidates += 1
            union = len(sets[i] | sets[j])
            if union and len(sets[i] & sets[j]) / union >= cfg.threshold:
                verified += 1
                parent[find(j)] = find(i)
    clusters = len({find(i) for i in range(len(texts))})
    seconds = time.perf_counter() - start
    return {
        "docs": len(texts),
        "seconds": seconds,
        "candidates": candidates,
        "verified": verified,
        "groups": clusters,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated corpus sizes, e.g. 100000,1000000")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--mean-words", type=int, default=150)
    parser.add_argument("--baseline-docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--workdir", default="/tmp/optcorpus-bench-dedup")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora and outputs")
    args = parser.parse_args(argv)

    from corpus.config import DedupConfig, Recipe, SourceConfig
    from corpus.report.tables import dedup_table
    from corpus.runtime.runner import run_stage
    from corpus.runtime.spark import get_session

    sizes = [int(s) for s in args.sizes.split(",")]
    workdir = Path(args.workdir)
    spark = get_session(
        "bench-dedup",
        master=f"local[{args.cores}]",
        extra={"spark.sql.shuffle.partitions": str(4 * args.cores), "spark.driver.memory": "6g"},
    )
    spark.sparkContext.setCheckpointDir(str(workdir / "checkpoints"))
    recipe = Recipe(
        name="bench",
        sources={s: SourceConfig(paths=("unused",)) for s in SOURCES},
        seed=args.seed,
        partitions=4 * args.cores,
        dedup=DedupConfig(),
    )
    results = []
    baseline = None
    for n in sizes:
        root = workdir / f"n{n}"
        shutil.rmtree(root, ignore_errors=True)
        t0 = time.perf_counter()
        head = generate(root / "filtered", n, args.mean_words, args.seed)
        gen_s = time.perf_counter() - t0
        if baseline is None:
            baseline = datasketch_baseline(head[: args.baseline_docs], recipe.dedup, args.seed)
        t0 = time.perf_counter()
        stats = run_stage(spark, recipe, str(root), "dedup")
        seconds = time.perf_counter() - t0
        results.append((n, seconds, stats))
        print(f"\n== {n:,} documents (generated in {gen_s:.0f} s) ==")
        print(dedup_table(stats))
        steps = ", ".join(f"{k} {v:.1f}" for k, v in stats["seconds"].items())
        print(f"steps (s): {steps}")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    # growth: time per document relative to the first size; marginal: extra seconds per extra document
    # between consecutive sizes (fixed per-run costs cancel out; near-linear scaling keeps it flat)
    header = ["documents", "seconds", "docs/s", "docs/s/core", "us/doc", "growth", "marginal us/doc"]
    print("\n" + " ".join(f"{h:>12s}" for h in header))
    first = previous = None
    for n, seconds, _ in results:
        per_doc = seconds / n * 1e6
        first = first or per_doc
        marginal = f"{(seconds - previous[1]) / (n - previous[0]) * 1e6:12.1f}" if previous else f"{'-':>12s}"
        cells = [
            f"{n:12,d}",
            f"{seconds:12.1f}",
            f"{n / seconds:12,.0f}",
            f"{n / seconds / args.cores:12,.0f}",
        ]
        print(" ".join(cells) + f" {per_doc:12.1f} {per_doc / first:12.2f} {marginal}")
        previous = (n, seconds)
    b = baseline
    n_last, seconds_last, _ = results[-1]
    ours = n_last / seconds_last / args.cores
    print(
        f"\nbaseline (datasketch bulk + MinHashLSH + verification + union-find, 1 core, {b['docs']:,} docs): "
        f"{b['docs'] / b['seconds']:,.0f} docs/s ({b['candidates']:,} candidate pairs, {b['verified']:,} verified)"
    )
    print(
        f"ours, {n_last:,} docs on {args.cores} cores: {ours:,.0f} docs/s per core = "
        f"{ours / (b['docs'] / b['seconds']):.2f}x the baseline"
    )
    print(
        "(the baseline keeps every signature and the whole LSH index in one process's memory; ours does not)"
    )
    if b["docs"] == results[0][0]:
        kept = sum(s["kept"]["docs"] for s in results[0][2]["sources"].values())
        print(f"same documents: baseline keeps {b['groups']:,} (one per union-find group), ours {kept:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
