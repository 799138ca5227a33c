"""How the dedup stage sizes its work: the band layout it records, and the tasks per shuffle."""

from __future__ import annotations

from corpus.config import DedupConfig
from corpus.dedup.minhash import optimal_bands, s_curve, s_curve_points

BAND_ROWS_PER_SHUFFLE_TASK = 1_000_000


def band_layout(cfg: DedupConfig) -> dict:
    """The band layout the stage uses and its S-curve, as stored in the stats (and drawn by the report)."""
    b, r = optimal_bands(cfg.threshold, cfg.num_perm, cfg.min_recall)
    return {
        "bands": b,
        "rows": r,
        "num_perm": cfg.num_perm,
        "ngram": cfg.ngram,
        "threshold": cfg.threshold,
        "min_recall": cfg.min_recall,
        "recall_at_threshold": round(float(s_curve(cfg.threshold, b, r)), 6),
        "s_curve": s_curve_points(b, r),
    }


def shuffle_tasks(band_rows: int, cores: int, configured: int) -> int:
    """Reduce tasks per shuffle for the steps after the signatures: about BAND_ROWS_PER_SHUFFLE_TASK band
    rows each (the most any of them shuffles), at least one per core, at most the session's setting.

    The session's setting suits the big scans; after the signatures the steps shuffle far less (band rows
    and a few candidate pairs, never texts), and the overhead of many small tasks per join then costs more
    than the joins themselves.

    >>> shuffle_tasks(5_500_000, cores=2, configured=8)
    6
    """
    return max(1, min(configured, max(cores, -(-band_rows // BAND_ROWS_PER_SHUFFLE_TASK))))
