"""spark-submit jobs/tokenizer.py --recipe R --out OUT: the tokenize stage, the recipe's tokenizer -> OUT/tokenizer/tokenizer.json
(trained on OUT/dedup/documents when tokenizer.kind is train).

Named tokenizer.py, not tokenize.py: a script's folder comes first on sys.path, and a jobs/tokenize.py would
shadow the standard library's tokenize module for every job."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from jobs._base import CorpusJob  # noqa: E402


class TokenizeJob(CorpusJob):
    name = "tokenize"
    script = "tokenizer"
    description = "Load or train the recipe's tokenizer for the shards."


if __name__ == "__main__":
    sys.exit(TokenizeJob().main())
