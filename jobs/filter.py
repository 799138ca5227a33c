"""spark-submit jobs/filter.py --recipe R --out OUT [--input DIR]: OUT/documents -> OUT/filtered, OUT/dropped,
OUT/stats/filter.json (English and quality filters, every drop with its reason)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from corpus.stages.filter import filter_table, run_filter  # noqa: E402
from jobs._base import CorpusJob  # noqa: E402


class FilterJob(CorpusJob):
    name = "filter"
    description = "Keep English documents that pass the quality rules; count and record every drop by reason."

    def add_arguments(self, parser):
        parser.add_argument("--input", default=None, help="directory holding documents/ (default: --out)")

    def run(self, spark, recipe, args):
        return run_filter(spark, recipe, args.out, input_dir=args.input)

    def summary(self, stats):
        return filter_table(stats)


if __name__ == "__main__":
    sys.exit(FilterJob().main())
