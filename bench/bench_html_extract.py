"""trafilatura (the default, and the baseline) against resiliparse (the fast option): speed and agreement.

Two inputs, both from ../shared/data: the 16 real news pages in html/ (extractor calls only), and the
WARC samples in warc/ read end to end by the CC-News reader (WARC parsing, gzip, HTTP decoding and
extraction: what one ingest task does). Agreement is the Jaccard similarity of the two extractions'
word n-gram sets, per page, over the pages where both found text.

    python bench/bench_html_extract.py [--repeat 5] [--ngram 5] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.sources import html_extract, warc  # noqa: E402
from corpus.sources.base import FileContext  # noqa: E402

BASELINE, FAST = "trafilatura", "resiliparse"


def shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = text.split()
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str, n: int) -> float:
    sa, sb = shingles(a, n), shingles(b, n)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def time_best(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (the machine is shared: the minimum is the least disturbed)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_pages(pages: dict[str, bytes], repeat: int, ngram: int) -> None:
    decoded = {name: html_extract.decode_html(data) for name, data in pages.items()}
    mb = sum(len(d) for d in pages.values()) / 1e6
    texts, seconds = {}, {}
    for extractor in (BASELINE, FAST):
        seconds[extractor], texts[extractor] = time_best(
            lambda e=extractor: {n: html_extract.extract(h, extractor=e).text for n, h in decoded.items()},
            repeat,
        )
    print(
        f"\n== {len(pages)} news pages from html/ ({mb:.2f} MB of HTML), extractor calls only, best of {repeat}"
    )
    report(texts, seconds, len(pages), mb, ngram)


def bench_warcs(paths: list[Path], repeat: int, ngram: int) -> None:
    data = {p.name: p.read_bytes() for p in paths}
    mb = sum(len(d) for d in data.values()) / 1e6

    def read_all(extractor: str) -> dict[str, str]:
        docs = {}
        for name, raw in data.items():
            ctx = FileContext("ccnews", name, options={"html_extractor": extractor})
            for row in warc.read(io.BytesIO(raw), ctx):
                if row["kind"] == "doc":
                    docs[row["doc_id"]] = row["text"]
                elif row["reason"] == "empty_extraction":
                    docs[row["location"]] = ""
        return docs

    texts, seconds = {}, {}
    for extractor in (BASELINE, FAST):
        seconds[extractor], texts[extractor] = time_best(lambda e=extractor: read_all(e), repeat)
    n = len(set(texts[BASELINE]) | set(texts[FAST]))
    print(
        f"\n== {', '.join(data)} ({mb:.2f} MB compressed, {n} HTML responses), whole WARC reader, best of {repeat}"
    )
    report(texts, seconds, n, mb, ngram)


def report(texts: dict, seconds: dict, n_docs: int, mb: float, ngram: int) -> None:
    print(
        f"{'extractor':12s} {'docs':>5s} {'with text':>9s} {'seconds':>8s} {'docs/s':>8s} {'MB/s':>7s} {'chars':>9s}"
    )
    for extractor in (BASELINE, FAST):
        got = texts[extractor]
        s = seconds[extractor]
        with_text = sum(1 for t in got.values() if t.strip())
        chars = sum(len(t) for t in got.values())
        print(
            f"{extractor:12s} {n_docs:5d} {with_text:9d} {s:8.3f} {n_docs / s:8.1f} {mb / s:7.2f} {chars:9d}"
        )
    both = [k for k in texts[BASELINE] if texts[BASELINE][k].strip() and texts[FAST].get(k, "").strip()]
    scores = sorted(jaccard(texts[BASELINE][k], texts[FAST][k], ngram) for k in both)
    print(f"speed ratio {FAST}/{BASELINE}: {seconds[BASELINE] / seconds[FAST]:.1f}x")
    if scores:
        print(
            f"agreement (word {ngram}-gram Jaccard, {len(scores)} pages with text from both): "
            f"mean {statistics.mean(scores):.3f}, median {statistics.median(scores):.3f}, "
            f"min {scores[0]:.3f}, share >= 0.8: {sum(s >= 0.8 for s in scores) / len(scores):.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="the shared data folder")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per extractor (best is reported)")
    parser.add_argument("--ngram", type=int, default=5, help="word n-gram size of the agreement Jaccard")
    args = parser.parse_args(argv)
    data = Path(args.data)
    pages = {p.name: p.read_bytes() for p in sorted((data / "html").glob("*.html"))}
    warcs = sorted((data / "warc").glob("*.warc.gz"))
    if not pages and not warcs:
        print(f"no HTML pages or WARC files under {data}", file=sys.stderr)
        return 1
    html_extract.extract("<html><body><p>warm up</p></body></html>")  # trafilatura's import is not timed
    if pages:
        bench_pages(pages, args.repeat, args.ngram)
    if warcs:
        bench_warcs(warcs, args.repeat, args.ngram)
    return 0


if __name__ == "__main__":
    sys.exit(main())
