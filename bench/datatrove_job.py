"""The datatrove side of bench/bench_vs_datatrove.py: the same job as our build, in datatrove's own way.

Runs in the separate datatrove venv (never the project's), so it imports nothing from this project:

    bench/.venv-datatrove/bin/python bench/datatrove_job.py --input DIR --work DIR --tokenizer tokenizer.json

Pipeline (datatrove 0.10's documented MinHash recipe plus its tokenizer), 2 workers:
1. JsonlReader -> MinhashDedupSignature (5-grams, 8 buckets x 16 hashes = 128 hashes, our band layout)
2. MinhashDedupBuckets (one task per bucket)
3. MinhashDedupCluster
4. JsonlReader -> MinhashDedupFilter (removed documents to an exclusion writer, for scoring)
   -> DocumentTokenizer (GPT-2 tokenizer.json, EOS after every document)

Prints one JSON line: seconds per step and in all, documents and tokens written.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--tokenizer", required=True, help="a local tokenizer.json (GPT-2)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import DocumentTokenizer
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    work = Path(args.work)
    files = len(list(Path(args.input).glob("*.jsonl.gz")))
    config = MinhashConfig(
        n_grams=5, num_buckets=8, hashes_per_bucket=16, hash_config=HashConfig(precision=64)
    )

    def reader():
        return JsonlReader(args.input, glob_pattern="*.jsonl.gz")

    steps = {
        "signatures": LocalPipelineExecutor(
            pipeline=[reader(), MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)],
            tasks=files,
            workers=args.workers,
            logging_dir=str(work / "logs/sigs"),
        ),
        "buckets": LocalPipelineExecutor(
            pipeline=[
                MinhashDedupBuckets(
                    input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=config
                )
            ],
            tasks=config.num_buckets,
            workers=args.workers,
            logging_dir=str(work / "logs/buckets"),
        ),
        "cluster": LocalPipelineExecutor(
            pipeline=[
                MinhashDedupCluster(
                    input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"), config=config
                )
            ],
            tasks=1,
            logging_dir=str(work / "logs/cluster"),
        ),
        "filter_tokenize": LocalPipelineExecutor(
            pipeline=[
                reader(),
                MinhashDedupFilter(
                    input_folder=str(work / "remove_ids"),
                    exclusion_writer=JsonlWriter(str(work / "removed")),
                ),
                DocumentTokenizer(
                    output_folder=str(work / "tokens"),
                    tokenizer_name_or_path=args.tokenizer,
                    eos_token="<|endoftext|>",
                ),
            ],
            tasks=files,
            workers=args.workers,
            logging_dir=str(work / "logs/tokenize"),
        ),
    }
    seconds = {}
    start = time.perf_counter()
    for name, executor in steps.items():
        t0 = time.perf_counter()
        executor.run()
        seconds[name] = round(time.perf_counter() - t0, 2)
    total = round(time.perf_counter() - start, 2)
    tokens = sum(p.stat().st_size for p in (work / "tokens").rglob("*.ds")) // 2
    print(json.dumps({"seconds": seconds, "total_s": total, "tokens": tokens}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
