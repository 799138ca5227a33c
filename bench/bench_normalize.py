"""Benchmark: the normalize step with fix_text_fast against the same step with plain ftfy.fix_text.

    python bench/bench_normalize.py [--shared ../shared/data] [--corpus DIR] [--repeat 3]

Texts: every real text in ../shared/data, by source (the loader of tests/test_normalize.py, so these are
the texts whose equality the tests prove), and, with --corpus, the texts of a generated corpus (e.g.
``corpus sample --out DIR --size 1g``). Per source it prints documents, MB, normalize throughput (docs/s,
MB/s) with fix_text_fast and with ftfy.fix_text, the speed-up of the ftfy part alone and of the whole
step, and the share of documents by fix_text_fast path: "untouched" (no ftfy work), "plain" (table
fixes only), "ftfy" (ftfy ran on at least one line). Both variants run in this process, best of
--repeat, and their outputs are checked to be identical.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parents[1]

from corpus.config import NormalizeConfig  # noqa: E402
from corpus.text.boilerplate import strip_boilerplate  # noqa: E402
from corpus.text.normalize import fix_text_fast, fix_text_fast_path, normalize_text, normalize_whitespace  # noqa: E402
from tests.text.test_normalize import REAL_SOURCES, real_texts, texts_in_dir  # noqa: E402

CFG = NormalizeConfig()


def normalize_with_plain_ftfy(text: str) -> str:
    """The baseline: the same step, with ftfy.fix_text on every document."""
    return normalize_whitespace(strip_boilerplate(ftfy.fix_text(text)).text)


def best_time(fn, texts: list[str], repeat: int) -> tuple[float, list[str]]:
    best, out = float("inf"), []
    for _ in range(repeat):
        start = time.perf_counter()
        out = [fn(t) for t in texts]
        best = min(best, time.perf_counter() - start)
    return best, out


def measure(name: str, texts: list[str], repeat: int) -> dict:
    t_ftfy, fixed_ftfy = best_time(ftfy.fix_text, texts, repeat)
    t_fast, fixed_fast = best_time(fix_text_fast, texts, repeat)
    if fixed_fast != fixed_ftfy:
        bad = next(i for i, (a, b) in enumerate(zip(fixed_fast, fixed_ftfy, strict=True)) if a != b)
        raise SystemExit(
            f"{name}: fix_text_fast differs from ftfy.fix_text on document {bad}: {texts[bad][:200]!r}"
        )
    t_norm_base, out_base = best_time(normalize_with_plain_ftfy, texts, repeat)
    t_norm, out = best_time(lambda t: normalize_text(t, CFG)[0], texts, repeat)
    if out != out_base:
        raise SystemExit(f"{name}: normalize output differs between fix_text_fast and ftfy.fix_text")
    paths = Counter(fix_text_fast_path(t)[1] for t in texts)
    return {
        "source": name,
        "docs": len(texts),
        "mb": sum(len(t.encode("utf-8", errors="surrogatepass")) for t in texts) / 1e6,
        "t_ftfy": t_ftfy,
        "t_fast": t_fast,
        "t_norm_base": t_norm_base,
        "t_norm": t_norm,
        "paths": paths,
    }


def print_table(rows: list[dict]) -> None:
    header = (
        f"{'source':<20}{'docs':>7}{'MB':>7} | {'normalize docs/s':>17}{'MB/s':>7} | {'baseline docs/s':>16}"
        f"{'MB/s':>7} | {'step x':>7}{'ftfy x':>8} | {'untouched':>9}{'plain':>7}{'ftfy':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        n = r["docs"]
        share = {k: 100 * r["paths"][k] / n for k in ("untouched", "plain", "ftfy")}
        print(
            f"{r['source']:<20}{n:>7}{r['mb']:>7.2f} | {n / r['t_norm']:>17,.0f}{r['mb'] / r['t_norm']:>7.2f} | "
            f"{n / r['t_norm_base']:>16,.0f}{r['mb'] / r['t_norm_base']:>7.2f} | "
            f"{r['t_norm_base'] / r['t_norm']:>7.1f}{r['t_ftfy'] / r['t_fast']:>8.1f} | "
            f"{share['untouched']:>8.0f}%{share['plain']:>6.0f}%{share['ftfy']:>5.0f}%"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data", help="../shared/data")
    parser.add_argument("--corpus", type=Path, help="a generated sample corpus directory (optional)")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per variant; the best counts")
    args = parser.parse_args(argv)

    groups: list[tuple[str, list[str]]] = []
    if args.shared.is_dir():
        for source in REAL_SOURCES:
            try:
                groups.append((source, real_texts(source, args.shared)))
            except FileNotFoundError as e:
                print(f"skipping {source}: {e}", file=sys.stderr)
    if args.corpus:
        groups.append((f"corpus:{args.corpus.name}", texts_in_dir(args.corpus)))
    groups = [(name, texts) for name, texts in groups if texts]
    if not groups:
        print("no texts found: give --shared or --corpus", file=sys.stderr)
        return 1

    rows = [measure(name, texts, args.repeat) for name, texts in groups]
    total = {
        "source": "TOTAL",
        "docs": sum(r["docs"] for r in rows),
        "mb": sum(r["mb"] for r in rows),
        "paths": sum((r["paths"] for r in rows), Counter()),
        **{k: sum(r[k] for r in rows) for k in ("t_ftfy", "t_fast", "t_norm_base", "t_norm")},
    }
    print(
        f"ftfy {ftfy.__version__}; best of {args.repeat}; outputs identical to the baseline on every document"
    )
    print(
        "step x: whole normalize step, baseline time / our time; ftfy x: fix_text alone, ftfy / fix_text_fast"
    )
    print_table([*rows, total])
    return 0


if __name__ == "__main__":
    sys.exit(main())
