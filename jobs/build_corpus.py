"""spark-submit jobs/build_corpus.py --recipe R --out OUT [--force STAGE]: the whole corpus build."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from corpus.report.summary import build_summary  # noqa: E402
from corpus.runtime.layout import STAGE_ORDER as STAGES  # noqa: E402
from corpus.runtime.runner import run_build  # noqa: E402
from jobs._base import CorpusJob  # noqa: E402


class BuildCorpusJob(CorpusJob):
    name = "build_corpus"
    description = "ingest -> normalize -> filter -> exact+near dedup -> tokenize -> pack -> shards -> report"

    def add_arguments(self, parser):
        parser.add_argument("--force", choices=STAGES, default=None, help="rerun from this stage on")
        parser.add_argument("--stop-after", choices=STAGES, default=None, help="stop after this stage")

    def run(self, spark, recipe, args):
        results = run_build(spark, recipe, args.out, force_from=args.force, stop_after=args.stop_after)
        return {"out": args.out, "stages": results}

    def summary(self, stats):
        return build_summary(stats["out"], stats["stages"])


if __name__ == "__main__":
    sys.exit(BuildCorpusJob().main())
