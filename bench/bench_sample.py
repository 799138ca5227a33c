"""Benchmark: how fast ``corpus sample`` writes a corpus, and what its vectorized text engine buys.

    python bench/bench_sample.py [--size 200MB] [--workers 1,2] [--seed 1] [--out DIR]

1. End to end: ``generate`` at ``--size`` once per ``--workers`` value. Per run: MB of text and markup
   written (what ``--size`` measures), MB on disk, wall and CPU seconds (this process plus its worker
   processes), wall MB/s, CPU MB/s (MB per CPU second: what an idle machine would reach per core), and
   the ratio to the 20 MB/s target.
2. Baseline, in this process: the text engine (``Language.documents``: numpy draws over a precomputed
   table of word forms) against a naive generator filling the same English templates word by word in
   Python (``random.choice`` per slot, ``str.join`` per sentence), each writing the same amount of text.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.sample.generate import generate  # noqa: E402
from corpus.sample.lexicons import lexicon  # noqa: E402
from corpus.sample.textgen import language  # noqa: E402

TARGET_MB_S = 20.0


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def end_to_end(size: str, seed: int, workers: int, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    truth = generate(out, seed, size, workers)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    mb = truth["text_bytes"] / 1e6
    disk = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    return {
        "workers": workers,
        "mb": mb,
        "disk": disk,
        "wall": wall,
        "cpu": cpu,
        "docs": len(truth["documents"]),
    }


def naive_english(n_chars: int, seed: int) -> str:
    """The obvious pure-Python way: pick a template, then a word per slot, join."""
    module = lexicon("en")
    words = {k: [w.replace("_", " ") for w in v.split()] for k, v in module.WORDS.items()}
    templates = [t.split() for t in module.TEMPLATES]
    rnd = random.Random(seed)
    out, size = [], 0
    while size < n_chars:
        tokens = []
        for token in rnd.choice(templates):
            comma = token.endswith(",") and len(token) > 1
            key = token.rstrip(",?!")
            word = rnd.choice(words[key]) if key in words else key
            tokens.append(word + ("," if comma else ""))
        sentence = " ".join(tokens)
        sentence = sentence[0].upper() + sentence[1:] + ("" if sentence[-1] in "?!" else ".")
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def text_engine(n_chars: int, seed: int) -> str:
    en = language("en")
    rng = np.random.default_rng(seed)
    n_docs = max(1, n_chars // 3_000)
    return "\n".join(en.documents(rng, [en.sentence_count(3_000)] * n_docs))


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="200MB")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts, one run each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None, help="where to write (default: a temporary folder, removed)")
    parser.add_argument("--engine-mb", type=float, default=20.0, help="MB of text for the engine baseline")
    args = parser.parse_args(argv)

    print(f"== end to end: corpus sample --size {args.size} --seed {args.seed}")
    print(
        f"{'workers':>7s} {'MB text':>8s} {'MB disk':>8s} {'docs':>8s} {'wall s':>7s} {'CPU s':>7s} {'MB/s':>6s} {'MB/CPU-s':>8s} {'vs 20 MB/s':>10s}"
    )
    base = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench-sample-"))
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            r = end_to_end(args.size, args.seed, workers, base / f"w{workers}")
            rate = r["mb"] / r["wall"]
            print(
                f"{r['workers']:7d} {r['mb']:8.1f} {r['disk']:8.1f} {r['docs']:8d} {r['wall']:7.1f} {r['cpu']:7.1f} "
                f"{rate:6.1f} {r['mb'] / r['cpu']:8.1f} {rate / TARGET_MB_S:9.2f}x"
            )
    finally:
        if not args.out:
            shutil.rmtree(base, ignore_errors=True)

    n = int(args.engine_mb * 1e6)
    print(f"\n== text engine vs naive Python, {args.engine_mb:.0f} MB of English (best of 3)")
    t_naive, naive = best_of(lambda: naive_english(n, args.seed))
    t_engine, engine = best_of(lambda: text_engine(n, args.seed))
    print(f"naive   {len(naive) / 1e6 / t_naive:7.1f} MB/s")
    print(
        f"engine  {len(engine) / 1e6 / t_engine:7.1f} MB/s   ({t_naive / t_engine * len(engine) / len(naive):.1f}x the naive generator)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
