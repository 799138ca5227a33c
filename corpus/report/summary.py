"""The end-of-build summary: stage timings, then each stage's own table."""

from __future__ import annotations

from corpus.report.tables import format_table, ingest_table
from corpus.runtime.markers import read_stats


def build_summary(out: str, stages: dict) -> str:
    rows = [[name, "skipped (done)" if r["skipped"] else "ran", r["seconds"]] for name, r in stages.items()]
    parts = [format_table(["stage", "status", "seconds"], rows, title=f"build: {out}")]
    ingest = read_stats(out, "ingest")
    if ingest is not None:
        parts.append(ingest_table(ingest))
    return "\n\n".join(parts)
