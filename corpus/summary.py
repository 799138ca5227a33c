"""The end-of-build summary: stage timings, then each stage's own table."""

from __future__ import annotations

import json
from pathlib import Path

from corpus.stage import stats_path
from corpus.tables import format_table, ingest_table


def build_summary(out: str, stages: dict) -> str:
    rows = [[name, "skipped (done)" if r["skipped"] else "ran", r["seconds"]] for name, r in stages.items()]
    parts = [format_table(["stage", "status", "seconds"], rows, title=f"build: {out}")]
    ingest = stats_path(out, "ingest")
    if Path(ingest).exists():
        parts.append(ingest_table(json.loads(Path(ingest).read_text())))
    return "\n\n".join(parts)
