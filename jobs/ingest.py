"""spark-submit jobs/ingest.py --recipe R --out OUT: native sources -> OUT/documents, OUT/rejects, stats."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from corpus.report.tables import ingest_table  # noqa: E402
from corpus.stages.ingest import run_ingest  # noqa: E402
from jobs._base import CorpusJob  # noqa: E402


class IngestJob(CorpusJob):
    name = "ingest"
    description = "Read the recipe's sources in their native formats, normalize, write documents and rejects."

    def run(self, spark, recipe, args):
        return run_ingest(spark, recipe, args.out)

    def summary(self, stats):
        return ingest_table(stats)


if __name__ == "__main__":
    sys.exit(IngestJob().main())
