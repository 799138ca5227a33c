"""Corruption properties of every native reader, at scale: thousands of seeded damaged files per format.

    python bench/bench_corruption.py [--cases 2000] [--seed 0] [--jobs N] [--formats SUBSTRING ...]

The cases and their checks are the test suite's own: ``tests/test_corruption_formats.py`` (JSON lines,
Pile ``.jsonl.zst``, Pushshift ``RC_``/``RS_`` ``.zst``, one-document ``.txt[.gz|.zst|.bz2]``; read through
the ingest stage's ``read_file_rows``) and ``tests/sources/test_corruption_warc.py`` (``.warc.gz``, ``.warc``),
which run a few hundred per format. Prints, per format: cases, crashes (anything raised), uncounted
(records read != records in the rows), cases in which records entirely before the first damaged byte
did not come out as from the undamaged file and how many records that was (WARC's check does not count
them: "-"), and other failures (a cut compressed file read without a ``truncated_stream`` reject; for
WARC, records after a changed Content-Length read differently). Then a few failing cases per format,
each replayable alone (``make_case(fmt, index)``, or ``warc_cases(seed, ...)``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.report.tables import format_table  # noqa: E402

CHUNK = 250  # cases per task


def _tally() -> dict:
    return {
        "cases": 0,
        "crashes": 0,
        "uncounted": 0,
        "lost_cases": 0,
        "lost_records": 0,
        "other": 0,
        "examples": [],
    }


def _merge(into: dict, part: dict) -> None:
    for key, value in part.items():
        if key == "examples":
            into[key].extend(value[: max(0, 3 - len(into[key]))])
        elif into[key] is not None:
            into[key] = None if value is None else into[key] + value


def run_formats_chunk(fmt: str, start: int, n: int) -> dict:
    """Cases ``start .. start+n`` of one format of tests/test_corruption_formats.py."""
    from tests.sources import test_corruption_formats as formats

    tally = _tally()
    with tempfile.TemporaryDirectory(prefix="bench-corruption-") as work:
        for case in formats.cases(fmt, n, start):
            outcome = formats.check(case, Path(work))
            tally["cases"] += 1
            tally["crashes"] += bool(outcome.crash)
            tally["uncounted"] += outcome.uncounted
            tally["lost_cases"] += bool(outcome.lost)
            tally["lost_records"] += outcome.lost
            tally["other"] += outcome.missed_truncation
            if not outcome.ok:
                tally["examples"].append(f"{case}: {outcome}")
    return tally


def run_warc_chunk(layout: str, seed: int, n: int) -> dict:
    """About ``n`` WARC cases of one layout, spread over the damages of tests/sources/test_corruption_warc.py."""
    from tests.sources import test_corruption_warc as warc_cases

    tally = _tally()
    tally["lost_records"] = None  # its check says whether records were lost, not how many
    per_damage = max(1, n // len(warc_cases.DAMAGES))
    for case in warc_cases.warc_cases(seed, per_damage, layouts=(layout,)):
        problems = warc_cases.check_case(case)
        tally["cases"] += 1
        kinds = {_warc_problem_kind(p) for p in problems}
        for kind in kinds:
            tally[kind] += 1
        if problems:
            tally["examples"].append(f"{layout} {case.damage} seed {case.seed}: {'; '.join(problems)[:300]}")
    return tally


def _warc_problem_kind(problem: str) -> str:
    if problem.startswith("raised"):
        return "crashes"
    if problem.startswith("records_read"):
        return "uncounted"
    if problem.startswith("records before the first damaged byte"):
        return "lost_cases"
    return "other"


def warc_layouts() -> tuple[str, ...]:
    """The WARC layouts, or () when tests/sources/test_corruption_warc.py is not there."""
    if not (ROOT / "tests" / "sources" / "test_corruption_warc.py").exists():
        return ()
    from tests.sources import test_corruption_warc

    return tuple(test_corruption_warc.LAYOUTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000, help="cases per format (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="another seed runs other cases")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--formats", nargs="*", default=None, help="only formats whose name contains one of these"
    )
    args = parser.parse_args(argv)

    from tests.sources import test_corruption_formats as formats

    tasks: list[tuple[str, object, tuple]] = []  # (row name, function, arguments)
    for fmt in formats.FORMATS:
        for start in range(0, args.cases, CHUNK):
            n = min(CHUNK, args.cases - start)
            tasks.append((fmt, run_formats_chunk, (fmt, args.seed * 10**9 + start, n)))
    for layout in warc_layouts():
        for k, start in enumerate(range(0, args.cases, CHUNK)):
            n = min(CHUNK, args.cases - start)
            tasks.append((f"ccnews .{layout}", run_warc_chunk, (layout, args.seed * 10**6 + k, n)))
    if args.formats:
        tasks = [t for t in tasks if any(s in t[0] for s in args.formats)]

    started = time.perf_counter()
    results: dict[str, dict] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [(name, pool.submit(fn, *fn_args)) for name, fn, fn_args in tasks]
        for name, future in futures:
            _merge(results.setdefault(name, _tally()), future.result())
    elapsed = time.perf_counter() - started

    headers = ["format", "cases", "crashes", "uncounted", "lost: cases", "lost: records", "other failures"]
    rows = [
        [name, t["cases"], t["crashes"], t["uncounted"], t["lost_cases"], t["lost_records"], t["other"]]
        for name, t in results.items()
    ]
    total = {
        k: sum(t[k] or 0 for t in results.values())
        for k in ("cases", "crashes", "uncounted", "lost_cases", "other")
    }
    total["lost_records"] = sum(t["lost_records"] or 0 for t in results.values())  # where counted
    rows.append(
        ["all", *(total[k] for k in ("cases", "crashes", "uncounted", "lost_cases", "lost_records", "other"))]
    )
    print(
        format_table(
            headers, rows, title=f"Corruption cases (seed {args.seed}, {args.jobs} jobs, {elapsed:.0f} s)"
        )
    )
    if not warc_layouts():
        print("\n(no WARC rows: tests/sources/test_corruption_warc.py is not there)")
    failing = {name: t["examples"] for name, t in results.items() if t["examples"]}
    for name, examples in failing.items():
        print(f"\n{name}: e.g.")
        for example in examples:
            print(f"  {example}")
    bad = total["crashes"] + total["uncounted"] + total["lost_cases"] + total["other"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
