"""The real evaluation sets of ../shared/data/evalsets and their indexes, built once per test session."""

from __future__ import annotations

import pytest

from corpus.decontam.evalsets import load_evalset
from corpus.decontam.index import NgramIndex
from tests.decontam.helpers import REAL_SETS, real_spec


@pytest.fixture(scope="session")
def real_sets():
    return [load_evalset(real_spec(name)) for name in REAL_SETS]


@pytest.fixture(scope="session")
def real_index(real_sets):
    return NgramIndex.build(real_sets, n=13)


@pytest.fixture(scope="session")
def real_index_8(real_sets):
    return NgramIndex.build(real_sets, n=8)
