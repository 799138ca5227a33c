"""The run's logbook: ``RUN/logbook.jsonl``, one JSON object per line, appended by rank 0 only.

OPT's team kept a hand-written logbook of restarts, LR changes and loss spikes for the 175B run; here the
trainer writes it. Every record has ``event``, ``time`` (UTC, ISO 8601) and ``step``; events are ``start``,
``resume``, ``override``, ``step``, ``skip``, ``rollback``, ``eval``, ``checkpoint``, ``end`` and ``error``.
Lines are flushed as they are written, so a crashed run still has everything up to the crash.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path


class Logbook:
    def __init__(self, path: str | Path, enabled: bool = True):
        self.path = Path(path)
        self.enabled = enabled
        if enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, event: str, step: int | None, **fields) -> dict:
        """Append one record (a no-op on ranks other than 0); returns it."""
        record = {"event": event, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "step": step}
        record.update({k: _jsonable(v) for k, v in fields.items()})
        if self.enabled:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, sort_keys=False) + "\n")
        return record


def read_logbook(path: str | Path) -> list[dict]:
    """All records of a logbook, in order."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _jsonable(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # JSON has no NaN/inf; keep them readable
    if isinstance(v, tuple):
        return list(v)
    return v
