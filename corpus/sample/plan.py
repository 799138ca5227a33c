"""How big the sample corpus is, how it is cut into independent tasks, and what a task carries.

A task writes one or a few files of one source from its own random stream (seeded by the corpus seed,
the source and the task number), so tasks can run in any order or in parallel processes and the bytes
come out the same. What must be coordinated across files - planted duplicates whose two halves live in
different files or sources, and the planted corruption - is decided up front and handed to the tasks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from corpus.schema import SOURCE_NAMES

SIZE_PRESETS = {
    "tiny": 1_500_000,  # unit tests: a couple of seconds to write, every trap present once
    "small": 10_000_000,  # the default and the demo; adds the 20 MB document
}
HUGE_DOC_MIN_BYTES = SIZE_PRESETS["small"]  # the 20 MB document is written from this size on
HUGE_DOC_CHARS = 20_000_000

# Share of the uncompressed bytes per source (CC-News counts its whole WARC records, HTML included).
SOURCE_SHARES = {"bookcorpus": 0.25, "ccstories": 0.15, "ccnews": 0.25, "pile": 0.25, "reddit": 0.10}
SOURCE_INDEX = {name: i for i, name in enumerate(SOURCE_NAMES)}

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "k": 10**3,  # "1g", as `du` and `sort -h` write it
    "m": 10**6,
    "g": 10**9,
    "t": 10**12,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SizeSpec:
    """The requested size: a preset name or a byte count (uncompressed text and markup written)."""

    label: str
    target_bytes: int

    @property
    def huge_doc(self) -> bool:
        return self.target_bytes >= HUGE_DOC_MIN_BYTES

    @property
    def contamination_plants(self) -> int:
        """Documents carrying an evaluation item: 10 at tiny (1.5 MB), 10 more per tenfold size.

        >>> [parse_size(s).contamination_plants for s in ("tiny", "small", "1GB")]
        [10, 18, 38]
        """
        return 10 + max(0, round(10 * math.log10(self.target_bytes / SIZE_PRESETS["tiny"])))

    @property
    def plant_sets(self) -> int:
        """Copies of the planted-duplicate catalogue: one up to 200 MB, then one more per 200 MB."""
        return max(1, self.target_bytes // 200_000_000)

    def budget(self, source: str) -> int:
        return int(self.target_bytes * SOURCE_SHARES[source])


def parse_size(text: str) -> SizeSpec:
    """``tiny``, ``small``, or a byte size such as ``100MB``, ``1GB`` (or ``1g``), ``2.5GiB``, ``500000``.

    >>> parse_size("1GB").target_bytes
    1000000000
    """
    key = text.strip().lower()
    if key in SIZE_PRESETS:
        return SizeSpec(key, SIZE_PRESETS[key])
    match = _SIZE_RE.match(key)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"--size must be tiny, small or a byte size like 100MB / 1GB / 5GB, not {text!r}")
    n = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if n < 100_000:
        raise ValueError(f"--size {text!r} is too small: at least 100KB (tiny is 1.5MB)")
    return SizeSpec(text.strip(), n)


@dataclass(frozen=True)
class Plant:
    """One planted document: written by the task it is handed to, linked to its original by ``of``."""

    key: str  # unique name, e.g. "s0/near0.95/pile-ccstories/copy"
    source: str  # the source it is written to
    text: (
        str  # the document text as the reader emits it (CC-News: the HTML page; Reddit: "\n\n"-joined bodies)
    )
    lang: str
    of: str | None = None  # plant key of the original this is a copy of
    kind: str | None = None  # "exact" or "near" for copies
    jaccard: float | None = None  # measured word-5-gram Jaccard with the original (1.0 for exact copies)
    options: dict = field(default_factory=dict)  # source details: pile subset, page URL, ...
    evalitem: dict | None = None  # the evaluation item it carries (corpus.sample.contamination)


@dataclass
class Task:
    """One unit of generation: some files of one source."""

    source: str
    index: int
    seed: int
    budget: int  # uncompressed bytes of generated documents to aim for
    params: dict = field(default_factory=dict)  # source-specific: file names, counts, size knobs
    plants: list[Plant] = field(default_factory=list)
    corruptions: list[str] = field(default_factory=list)

    def rng(self) -> np.random.Generator:
        return np.random.default_rng([self.seed, SOURCE_INDEX[self.source], self.index])


def split_budget(total: int, per_file: int, min_files: int) -> list[int]:
    """``total`` bytes cut into files of about ``per_file`` bytes, at least ``min_files`` of them."""
    n = max(min_files, -(-total // per_file))
    return [total // n + (1 if i < total % n else 0) for i in range(n)]


def assign_plants(tasks: list[Task], plants: list[Plant], seed: int) -> None:
    """Hand each planted document to a task of its source, spread evenly and deterministically."""
    rng = np.random.default_rng([seed, 1_000_003])
    by_source: dict[str, list[Task]] = {}
    for task in tasks:
        if task.params.get("accepts_plants", True):
            by_source.setdefault(task.source, []).append(task)
    for plant in plants:
        candidates = by_source[plant.source]
        candidates[int(rng.integers(len(candidates)))].plants.append(plant)
