"""spark-submit jobs/report.py --recipe R --out OUT: every stage's statistics -> OUT/report/{stats.json,report.html}."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class ReportJob(CorpusJob):
    name = "report"
    description = (
        "Merge the stage statistics into the dedup/filter report and check the end-to-end accounting."
    )


if __name__ == "__main__":
    sys.exit(ReportJob().main())
