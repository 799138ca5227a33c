"""Steps 3-6, near duplicates: candidate edges, verified edges, their clusters and each cluster's keeper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corpus.config import DedupConfig
from corpus.dedup.verification import SCORE_DDL
from corpus.stages.dedup.candidates import candidate_edges
from corpus.stages.dedup.clusters import document_components
from corpus.stages.dedup.keepers import near_keepers
from corpus.stages.dedup.timer import StepTimer
from corpus.stages.dedup.verify import merge_bins, verify_edges

NEAR_MAP_DDL = "doc_id string, source string, n_bytes int, near_keeper string, near_keeper_source string"


@dataclass(frozen=True)
class NearStep:
    """What the near-duplicate steps need."""

    cfg: DedupConfig
    seed: int  # the recipe's seed: the MinHash permutations of the verification features
    partitions: int  # tasks of the band-row shuffle and of the feature reads
    rows: Any  # the first pass (``signatures.FirstPass.rows``): doc_id, file, buckets, ...
    meta: Any  # ``signatures.document_meta``: doc_id, source, n_bytes, priority, ...
    exact_dups: Any  # DataFrame[doc_id] of the exact duplicates, which leave the near steps


@dataclass(frozen=True)
class NearDuplicates:
    near_map: Any  # DataFrame[doc_id, source, n_bytes, near_keeper, near_keeper_source], cluster members
    verified: Any  # DataFrame[doc_a, doc_b, jaccard]: the verified edges
    numbers: dict  # candidate_pairs, verified_pairs, cc_rounds, candidate_jaccard (for the stats)


def near_duplicates(step: NearStep, timer: StepTimer) -> NearDuplicates:
    """Candidate edges of the documents that are not exact duplicates, verified, clustered (connected
    components on the driver for a small graph, in Spark otherwise), and each cluster's keeper."""
    candidates, n_candidates = candidate_edges(step, timer)
    verified, histogram = verify_edges(step, candidates, timer)
    n_verified = sum(row["count"] for row in histogram if row["passed"])
    components, rounds = document_components(verified, n_verified, step.cfg.max_cc_iterations, timer)
    numbers = {
        "candidate_pairs": n_candidates,
        "verified_pairs": n_verified,
        "cc_rounds": rounds,
        "candidate_jaccard": merge_bins(histogram),
    }
    return NearDuplicates(near_keepers(components, step.meta, timer), verified, numbers)


def no_near_duplicates(spark) -> NearDuplicates:
    """What ``near_duplicates`` returns when near dedup is off."""
    numbers = {"candidate_pairs": 0, "verified_pairs": 0, "cc_rounds": 0, "candidate_jaccard": []}
    return NearDuplicates(
        spark.createDataFrame([], NEAR_MAP_DDL), spark.createDataFrame([], SCORE_DDL), numbers
    )
