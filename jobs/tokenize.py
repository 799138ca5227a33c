"""spark-submit jobs/tokenize.py --recipe R --out OUT: the recipe's tokenizer -> OUT/tokenizer/tokenizer.json
(trained on OUT/dedup/documents when tokenizer.kind is train)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class TokenizeJob(CorpusJob):
    name = "tokenize"
    description = "Load or train the recipe's tokenizer for the shards."


if __name__ == "__main__":
    sys.exit(TokenizeJob().main())
