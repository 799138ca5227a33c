"""Session helpers that change how Spark runs our Python code."""

from __future__ import annotations

import pyarrow as pa
import pytest

from corpus.runtime.spark import STAGE_WORKERS_ENV, use_stage_workers

pytestmark = pytest.mark.spark


def test_each_stage_runs_in_python_workers_of_its_own(spark):
    def worker_identity(batches):  # defined here: pickled by value, the workers cannot import this module
        import os

        for _ in batches:
            pass
        yield pa.RecordBatch.from_pydict(
            {"pid": [os.getpid()], "stage": [os.environ.get(STAGE_WORKERS_ENV, "")]}
        )

    def workers(stage: str) -> tuple[set[int], set[str]]:
        use_stage_workers(spark, stage)
        rows = spark.range(4, numPartitions=2).mapInArrow(worker_identity, "pid long, stage string").collect()
        return {r.pid for r in rows}, {r.stage for r in rows}

    try:
        first, first_env = workers("test-a")
        second, second_env = workers("test-b")
        again, _ = workers("test-a")
    finally:
        spark.sparkContext.environment.pop(STAGE_WORKERS_ENV, None)
    assert first_env == {"test-a"} and second_env == {"test-b"}
    assert not first & second  # the second stage starts in fresh processes
    assert again & first  # within a stage, workers are reused as usual
