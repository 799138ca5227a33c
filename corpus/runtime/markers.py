"""Stage bookkeeping: output folders, success markers with a config fingerprint, atomic JSON writes.

A stage writes its output under ``OUT/<dir>/`` and, only once everything is written, a marker
``OUT/_stages/<stage>.json`` holding the fingerprint of the config it ran with and its stats. A rerun
with the same fingerprint skips the stage; any other fingerprint (or ``--force``) reruns it and every
stage after it. Markers and stats go through the file layer (``corpus.runtime.fs.Folder``), so an OUT given as a
URI keeps them beside its data.
"""

from __future__ import annotations

import json
import time

from corpus.runtime.fs import Folder
from corpus.runtime.layout import MARKERS, STATS


def marker_parts(stage: str) -> tuple[str, str]:
    return (MARKERS, f"{stage}.json")


def stats_parts(stage: str) -> tuple[str, str]:
    return (STATS, f"{stage}.json")


def stage_done(out: str, stage: str, fingerprint: str) -> bool:
    folder = Folder(out)
    if not folder.exists(*marker_parts(stage)):
        return False
    try:
        return folder.read_json(*marker_parts(stage)).get("fingerprint") == fingerprint
    except json.JSONDecodeError:  # not ours, or damaged by hand: the stage reruns
        return False


def mark_done(out: str, stage: str, fingerprint: str, stats: dict | None = None) -> None:
    Folder(out).write_json(
        marker_parts(stage),
        {
            "stage": stage,
            "fingerprint": fingerprint,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "stats": stats or {},
        },
    )


def clear_marker(out: str, stage: str) -> None:
    Folder(out).delete(*marker_parts(stage))


def write_stats(out: str, stage: str, stats: dict) -> None:
    Folder(out).write_json(stats_parts(stage), stats)


def read_stats(out: str, stage: str) -> dict | None:
    folder = Folder(out)
    return folder.read_json(*stats_parts(stage)) if folder.exists(*stats_parts(stage)) else None
