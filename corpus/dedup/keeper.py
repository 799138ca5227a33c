"""The keeper rule: which document of a duplicate group stays in the corpus.

For exact groups and near-duplicate clusters alike: the lowest recipe source ``priority`` (the source the
recipe trusts most), then the longest text in UTF-8 bytes (the most complete copy), then the smallest
doc_id. Doc_ids are unique, so the rule picks exactly one document whatever order the members come in.

The dedup stage applies the rule inside Spark, as the minimum of a struct column
(``corpus.stages.dedup.keepers.keeper_order``), which orders exactly like ``keeper_key``;
tests/dedup/test_keeper.py runs both on the same clusters. Spark compares strings by their UTF-8 bytes and
Python by code points, which is the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from corpus.config import SourceConfig

KEEPER_RULE = "lowest source priority, then longest text (UTF-8 bytes), then smallest doc_id"
DEFAULT_PRIORITY: int = SourceConfig.__dataclass_fields__[
    "priority"
].default  # sources the recipe does not name


def source_priority(source: str, sources: Mapping[str, SourceConfig]) -> int:
    """The recipe priority of ``source`` (``DEFAULT_PRIORITY`` when the recipe does not name it)."""
    return sources[source].priority if source in sources else DEFAULT_PRIORITY


def keeper_key(priority: int, n_bytes: int, doc_id: str) -> tuple[int, int, str]:
    """The sort key whose minimum is the keeper.

    >>> keeper_key(10, 500, "pile/b") < keeper_key(20, 900, "ccnews/a")  # priority first
    True
    >>> keeper_key(10, 900, "pile/b") < keeper_key(10, 500, "pile/a")  # then the longer text
    True
    >>> keeper_key(10, 900, "pile/a") < keeper_key(10, 900, "pile/b")  # then the smaller doc_id
    True
    """
    return (priority, -n_bytes, doc_id)


@dataclass(frozen=True)
class Member:
    """One document of a duplicate group, with what the keeper rule looks at."""

    doc_id: str
    source: str
    n_bytes: int  # UTF-8 bytes of its text
    priority: int  # its source's recipe priority (``source_priority``)


def choose_keeper(members: Iterable[Member]) -> Member:
    """The keeper of a group (ValueError when the group is empty).

    >>> choose_keeper([
    ...     Member("reddit/a-short", "reddit", 500, 100),
    ...     Member("reddit/b-long", "reddit", 505, 100),
    ...     Member("pile/z-copy", "pile", 120, 10),
    ... ]).doc_id
    'pile/z-copy'
    """
    return min(members, key=lambda m: keeper_key(m.priority, m.n_bytes, m.doc_id))
