"""Ingest throughput per source on a generated corpus (local Spark), with either HTML extractor.

    python bench/bench_ingest.py --size 100MB [--corpus DIR] [--extractor trafilatura|resiliparse] [--master local[2]]
    python bench/bench_ingest.py --size 100MB --language-gate compare

``--language-gate compare`` reads the same corpus twice in one session, CC-News's language gate off and
then on (corpus/sources/html_language.py), and prints CC-News's seconds per core and their ratio, with
the pages the gate skipped.

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
    parser.add_argument("--language-gate", choices=["on", "off", "compare"], default="on")
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
    spark = get_session("bench-ingest", master=args.master)
    cores = spark.sparkContext.defaultParallelism
    gates = {"on": [True], "off": [False], "compare": [False, True]}[args.language_gate]
    ccnews = {}
    for gate in gates:
        sources["ccnews"]["html_language_gate"] = gate
        recipe = recipe_from_dict(
            {"name": f"bench-{args.size}", "sources": sources, "partitions": args.partitions}
        )
        t0 = time.time()
        stats = run_stage(spark, recipe, str(work / "out"), "ingest")
        wall = time.time() - t0
        news = stats["sources"]["ccnews"]
        ccnews[gate] = (news["read_ms"] / 1000, news["documents"], news["skips"].get("not_english_html", 0))
        print(
            f"language gate {'on' if gate else 'off'}: CC-News {ccnews[gate][0]:.1f} s of task time, "
            f"{ccnews[gate][1]} documents, {ccnews[gate][2]} pages skipped unextracted; wall {wall:.1f} s"
        )
    if len(ccnews) == 2:
        print(f"CC-News ingest, gate on vs off: {ccnews[False][0] / ccnews[True][0]:.2f}x faster")
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
