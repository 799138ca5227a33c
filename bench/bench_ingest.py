"""Ingest throughput per source on a generated corpus (local Spark), with either HTML extractor.

    python bench/bench_ingest.py --size 100MB [--corpus DIR] [--extractor trafilatura|resiliparse] [--master local[2]]

Generates the corpus (unless --corpus names one), runs the ingest stage and prints the per-source table:
files, records, documents, MB, and docs/s and MB/s per core (task time summed over the tasks that read each
source). The normalizer's own comparison against plain ftfy is bench/bench_normalize.py; trafilatura vs
resiliparse on their own is bench/bench_html_extract.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.config import recipe_from_dict  # noqa: E402
from corpus.report.tables import format_table, ingest_table  # noqa: E402
from corpus.runtime.runner import run_stage  # noqa: E402
from corpus.runtime.spark import get_session  # noqa: E402

INCLUDES = {
    "bookcorpus": ["*.txt", "*.txt.gz", "*.txt.zst", "*.jsonl"],
    "ccstories": ["*.txt", "*.jsonl", "*.jsonl.zst"],
    "ccnews": ["*.warc.gz"],
    "pile": ["*.jsonl.zst"],
    "reddit": ["RC_*", "RS_*"],
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="100MB")
    parser.add_argument("--corpus", default=None, help="an existing `corpus sample` output")
    parser.add_argument("--extractor", default="trafilatura", choices=["trafilatura", "resiliparse"])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=8)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    corpus = Path(args.corpus) if args.corpus else work / "corpus"
    if not args.corpus:
        from corpus.sample.generate import main as sample_main

        t0 = time.time()
        sample_main(["--out", str(corpus), "--size", args.size, "--seed", "1"])
        print(f"generated {args.size} corpus in {time.time() - t0:.1f} s -> {corpus}")
    sources = {
        name: {
            "paths": [str(corpus / name)],
            "include": inc,
            **({"html_extractor": args.extractor} if name == "ccnews" else {}),
        }
        for name, inc in INCLUDES.items()
    }
    recipe = recipe_from_dict(
        {"name": f"bench-{args.size}", "sources": sources, "partitions": args.partitions}
    )
    spark = get_session("bench-ingest", master=args.master)
    cores = spark.sparkContext.defaultParallelism
    t0 = time.time()
    stats = run_stage(spark, recipe, str(work / "out"), "ingest")
    wall = time.time() - t0
    print(ingest_table(stats))
    total_mb = sum(s["bytes"] for s in stats["sources"].values()) / 1e6
    docs = sum(s["documents"] for s in stats["sources"].values())
    rows = [
        [
            "all sources",
            docs,
            round(total_mb, 1),
            round(wall, 1),
            round(docs / wall / cores, 1),
            round(total_mb / wall / cores, 2),
        ]
    ]
    print(
        format_table(
            ["", "documents", "MB (input)", "wall s", "docs/s/core", "MB/s/core"],
            rows,
            title=f"wall clock, {cores} cores, {args.extractor}",
        )
    )
    print(
        json.dumps(
            {
                "size": args.size,
                "extractor": args.extractor,
                "wall_s": round(wall, 1),
                "cores": cores,
                "documents": docs,
                "input_mb": round(total_mb, 1),
            }
        )
    )
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
