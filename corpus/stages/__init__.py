"""The build's stages, one module each, in build order. Each module defines ``STAGE`` (the contract in
``corpus.runtime.contract``); only these modules and ``corpus.runtime`` import pyspark."""

from __future__ import annotations

from corpus.runtime.layout import STAGE_ORDER
from corpus.stages import decontaminate, dedup, filter, ingest, report, shards, tokenize

STAGES = {
    stage.name: stage
    for stage in (m.STAGE for m in (ingest, filter, dedup, decontaminate, tokenize, shards, report))
}
assert tuple(STAGES) == STAGE_ORDER, "the stage registry and corpus.runtime.layout.STAGE_ORDER disagree"
