"""Stage bookkeeping: output folders, success markers with a config fingerprint, atomic JSON writes.

A stage writes its output under ``OUT/<dir>/`` and, only once everything is written, a marker
``OUT/_stages/<stage>.json`` holding the fingerprint of the config it ran with and its stats. A rerun
with the same fingerprint skips the stage; any other fingerprint (or ``--force``) reruns it and every
stage after it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

# The build order; a forced or changed stage invalidates the ones after it.
STAGES = ("ingest", "filter", "dedup", "tokenize", "shards", "report")


def marker_path(out: str | Path, stage: str) -> Path:
    return Path(out) / "_stages" / f"{stage}.json"


def stage_done(out: str | Path, stage: str, fingerprint: str) -> bool:
    path = marker_path(out, stage)
    if not path.exists():
        return False
    return json.loads(path.read_text()).get("fingerprint") == fingerprint


def mark_done(out: str | Path, stage: str, fingerprint: str, stats: dict | None = None) -> None:
    write_json_atomic(
        marker_path(out, stage),
        {
            "stage": stage,
            "fingerprint": fingerprint,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "stats": stats or {},
        },
    )


def clear_marker(out: str | Path, stage: str) -> None:
    marker_path(out, stage).unlink(missing_ok=True)


def write_json_atomic(path: str | Path, data) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    os.replace(tmp, path)


def stats_path(out: str | Path, stage: str) -> Path:
    return Path(out) / "stats" / f"{stage}.json"
