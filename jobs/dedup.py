"""spark-submit jobs/dedup.py --recipe R --out OUT: OUT/filtered -> OUT/dedup/{documents,clusters,edges},
OUT/stats/dedup.json (exact, then MinHash-LSH near duplicates, verified and clustered)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class DedupJob(CorpusJob):
    name = "dedup"
    description = "Remove exact and near duplicates across all sources; keep one document per cluster."


if __name__ == "__main__":
    sys.exit(DedupJob().main())
