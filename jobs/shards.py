"""spark-submit jobs/shards.py --recipe R --out OUT: OUT/dedup/documents + OUT/tokenizer -> OUT/shards/
(packed Arrow rows of seq_len tokens, manifest.json)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class ShardsJob(CorpusJob):
    name = "shards"
    description = "Tokenize, pack and write the training and validation shards."


if __name__ == "__main__":
    sys.exit(ShardsJob().main())
