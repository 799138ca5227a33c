"""Each step of the dedup stage computed once and timed (Spark is lazy: the action is the work)."""

from __future__ import annotations

import time

from corpus.runtime.spark import checkpointed


class StepTimer:
    """Compute each step once and record how long it took, per step name (``stats["seconds"]``).

    Each materialized step is checkpointed (``corpus.runtime.spark.checkpointed``), not only persisted: the
    steps build on each other, and with persisted intermediates every action re-analysed the whole chain
    of joins behind it (up to seconds of driver time per action).
    """

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._persisted: list = []

    def materialize(self, name: str, df, started: float | None = None, action=None):
        """Checkpoint ``df`` (an eager checkpoint is the job that computes it), run ``action`` on the stored
        rows if given (each action is one more job, ~0.4 s with its planning) and return (df, result)."""
        t0 = time.time() if started is None else started
        df = checkpointed(df)
        result = action(df) if action is not None else None
        self.add(name, t0)
        return df, result

    def keep(self, df):
        """Persist without an action of its own (the next step's action fills the cache)."""
        from pyspark import StorageLevel

        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(df)
        return df

    def add(self, name: str, started: float):
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.time() - started, 3)

    def release(self):
        # Checkpointed steps need no release: Spark's cleaner drops their blocks once unreferenced.
        for df in self._persisted:
            df.unpersist()
