"""Shared fixtures: one local Spark session for the whole run, and the path to ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("OPTCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_file(*parts: str) -> Path:
    """A file in ../shared/data, or skip the test with a clear reason when it is not on this machine."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real sample data {path} is not present (../shared/data is optional)")
    return path


@pytest.fixture(scope="session")
def spark():
    from corpus.runtime.spark import get_session

    session = get_session("optcorpus-tests", master="local[2]", extra={"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()
