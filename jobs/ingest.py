"""spark-submit jobs/ingest.py --recipe R --out OUT: native sources -> OUT/documents, OUT/rejects, OUT/stats/ingest.json."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class IngestJob(CorpusJob):
    name = "ingest"
    description = "Read the recipe's sources in their native formats, normalize, write documents and rejects."


if __name__ == "__main__":
    sys.exit(IngestJob().main())
