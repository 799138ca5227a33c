"""spark-submit jobs/filter.py --recipe R --out OUT: OUT/documents -> OUT/filtered, OUT/dropped,
OUT/stats/filter.json (English and quality filters, every drop with its reason)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class FilterJob(CorpusJob):
    name = "filter"
    description = "Keep English documents that pass the quality rules; count and record every drop by reason."


if __name__ == "__main__":
    sys.exit(FilterJob().main())
