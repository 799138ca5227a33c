"""End-to-end corpus build on a generated corpus, local Spark: wall time per stage, docs/s and MB/s per
core, and — in the same run — raw `tokenizers` batch-encode throughput on the same deduplicated text, the
practical limit of the stages after ingest on this machine.

    python bench/bench_build.py --sizes 100MB,1GB [--extractor resiliparse] [--master local[2]]

For each size: generate (`corpus sample`), build (ingest -> filter -> dedup -> decontaminate -> tokenize -> shards -> report),
then encode the kept documents with the build's tokenizer in one process (`encode_batch`, all threads,
best of two runs).
"post-ingest ratio" = (kept-text MB / seconds of filter+dedup+decontaminate+tokenize+shards) / (raw encode MB/s): the strict
measure, both sides on the same kept text. "ratio on input" divides the text the stages take in (all ingested
documents) by the same seconds instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow.parquet as pq  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from corpus.config import load_recipe  # noqa: E402
from corpus.report.tables import format_table  # noqa: E402
from corpus.runtime.layout import STAGE_ORDER as STAGES  # noqa: E402
from corpus.runtime.layout import TOKENIZER_FILE, OutLayout  # noqa: E402
from corpus.runtime.markers import marker_parts  # noqa: E402
from corpus.runtime.runner import run_build  # noqa: E402
from corpus.runtime.spark import get_session  # noqa: E402
from corpus.stages.tokenize import TRAINED_FILE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def recipe_for(corpus: Path, work: Path, extractor: str) -> Path:
    text = (ROOT / "data_manifests" / "sample.toml").read_text().replace('"sample/', f'"{corpus}/')
    text = text.replace('html_extractor = "trafilatura"', f'html_extractor = "{extractor}"')
    path = work / "recipe.toml"
    path.write_text(text)
    return path


def raw_encode(out: Path, repeat: int = 2) -> tuple[float, float, int]:
    """(MB, seconds, tokens) of encode_batch over the kept documents, in batches of 1,000, all threads;
    the best of ``repeat`` runs (the baseline at its fastest)."""
    tok = Tokenizer.from_file(OutLayout(str(out)).uri(TOKENIZER_FILE))
    texts = pq.read_table(out / "dedup" / "documents", columns=["text"]).column("text").to_pylist()
    mb = sum(len(t.encode()) for t in texts) / 1e6
    best = float("inf")
    for _ in range(repeat):
        started, tokens = time.perf_counter(), 0
        for i in range(0, len(texts), 1000):
            tokens += sum(len(e.ids) for e in tok.encode_batch_fast(texts[i : i + 1000]))
        best = min(best, time.perf_counter() - started)
    return mb, best, tokens


def stage_seconds(out: Path, stage: str, result: dict) -> float:
    """This run's seconds for the stage, or those its marker recorded when it was skipped (--work)."""
    if not result["skipped"]:
        return result["seconds"]
    return json.loads(out.joinpath(*marker_parts(stage)).read_text())["stats"]["seconds"]


def text_mb(path: Path) -> float:
    """UTF-8 MB of the ``text`` column of a documents dataset."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    table = ds.dataset(str(path), format="parquet", partitioning="hive").to_table(columns=["text"])
    return pc.sum(pc.binary_length(table.column("text").cast("binary"))).as_py() / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100MB")
    parser.add_argument("--extractor", default="trafilatura", choices=["trafilatura", "resiliparse"])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument(
        "--work",
        default=None,
        help="keep corpus and build under WORK/<size> and reuse them (finished stages are skipped)",
    )
    parser.add_argument("--force", default=None, help="with --work: rerun from this stage on")
    args = parser.parse_args()
    from corpus.sample.generate import main as sample_main

    spark = get_session("bench-build", master=args.master)
    cores = spark.sparkContext.defaultParallelism
    rows, results = [], []
    for size in args.sizes.split(","):
        if args.work:
            work = Path(args.work) / size
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(tempfile.mkdtemp(prefix=f"bench-build-{size}-"))
        if not (work / "corpus" / "ground_truth.json").exists():
            sample_main(["--out", str(work / "corpus"), "--size", size, "--seed", "1"])
        recipe = load_recipe(recipe_for(work / "corpus", work, args.extractor))
        if args.force and STAGES.index(args.force) <= STAGES.index("tokenize"):
            # a rerun reuses a BPE trained with the same settings; the benchmark times the training
            (work / "out" / TRAINED_FILE).unlink(missing_ok=True)
        started = time.time()
        stages = run_build(spark, recipe, str(work / "out"), force_from=args.force)
        wall = time.time() - started
        seconds = {name: stage_seconds(work / "out", name, r) for name, r in stages.items()}
        ingest = json.loads((work / "out" / "stats" / "ingest.json").read_text())
        in_mb = sum(s["bytes"] for s in ingest["sources"].values()) / 1e6
        docs = sum(s["documents"] for s in ingest["sources"].values())
        kept_mb, raw_s, raw_tokens = raw_encode(work / "out")
        filter_in_mb = text_mb(work / "out" / "documents")
        post = sum(seconds[s] for s in ("filter", "dedup", "decontaminate", "tokenize", "shards"))
        ratio = (kept_mb / post) / (kept_mb / raw_s)
        result = {
            "size": size,
            "cores": cores,
            "wall_s": round(wall, 1),
            "stage_s": seconds,
            "input_mb": round(in_mb, 1),
            "documents": docs,
            "kept_text_mb": round(kept_mb, 1),
            "raw_encode_mb_s": round(kept_mb / raw_s, 2),
            "post_ingest_mb_s": round(kept_mb / post, 2),
            "post_ingest_ratio": round(ratio, 3),
            # the same stages measured on what they take in (all ingested text), not on what they keep
            "post_ingest_in_mb": round(filter_in_mb, 1),
            "post_ingest_in_mb_s": round(filter_in_mb / post, 2),
            "ratio_on_input": round((filter_in_mb / post) / (kept_mb / raw_s), 3),
        }
        results.append(result)
        rows.append(
            [
                size,
                round(wall, 1),
                *(seconds[s] for s in STAGES),
                round(docs / wall / cores, 1),
                round(in_mb / wall / cores, 3),
                result["raw_encode_mb_s"],
                result["post_ingest_mb_s"],
                result["post_ingest_ratio"],
                result["ratio_on_input"],
            ]
        )
        print(json.dumps(result))
    headers = [
        "size",
        "wall s",
        *STAGES,
        "docs/s/core",
        "MB/s/core",
        "raw encode MB/s",
        "post-ingest MB/s",
        "ratio",
        "ratio on input",
    ]
    print(format_table(headers, rows, title=f"end-to-end build, {args.master}, {args.extractor}"))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
