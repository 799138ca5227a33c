"""The decontamination counters: per evaluation set and per source, mergeable across tasks.

Each task adds its scanned batches to a ``DecontamStats`` and the driver merges them; the result does not
depend on how the documents were partitioned (``items hit`` are unions of item bitmaps, examples are the
first ``max_examples`` per set by (doc_id, start), counts are sums).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from corpus.decontam.index import NgramIndex
from corpus.decontam.scan import Decision, ScanResult

EXAMPLE_CHARS = 300  # characters of a matched span kept in an example
CONTEXT_CHARS = 80  # characters of text kept on each side of it


class DecontamStats:
    """Counts of what a corpus matched. ``add`` batches, ``merge`` partial stats, ``as_dict`` for stats.json."""

    def __init__(self, index: NgramIndex, max_examples: int = 5):
        self.set_names = [s.name for s in index.sets]
        self.set_items = [s.items for s in index.sets]
        self.item_set = index.item_set
        self.max_examples = max_examples
        self.sources: dict[str, _SourceCounts] = {}
        self.examples: dict[str, list[dict]] = {name: [] for name in self.set_names}

    def _source(self, name: str) -> _SourceCounts:
        if name not in self.sources:
            self.sources[name] = _SourceCounts(len(self.set_names), len(self.item_set))
        return self.sources[name]

    def add(
        self,
        result: ScanResult,
        index: NgramIndex,
        sources: Sequence[str],
        doc_ids: Sequence[str],
        texts: Sequence[str],
        decisions: Sequence[Decision] | None = None,
    ) -> None:
        """Count one scanned batch (``decisions``: what the action did to each document, if it ran)."""
        if not len(sources) == len(doc_ids) == len(texts) == len(result.ngrams):
            raise ValueError("sources, doc_ids and texts must have one entry per scanned document")
        for i, source in enumerate(sources):
            counts = self._source(source)
            counts.documents += 1
            if decisions is not None:
                counts.actions[decisions[i].status] += 1
                if decisions[i].reason:
                    counts.reasons[decisions[i].reason] += 1
                counts.removed_chars += decisions[i].removed_chars
        for doc, hits in result.hits.items():
            counts = self._source(sources[doc])
            counts.documents_hit += 1
            sets = np.asarray(hits.set_ngrams)
            counts.set_documents_hit += sets > 0
            counts.set_ngrams += sets
            counts.items_hit[list(hits.items)] = True
            for m in hits.matches:
                for s in sorted({int(self.item_set[item]) for item in m.items}):
                    self._example(s, doc_ids[doc], sources[doc], texts[doc], m, index)

    def _example(self, s: int, doc_id: str, source: str, text: str, match, index: NgramIndex) -> None:
        examples = self.examples[self.set_names[s]]
        key = (doc_id, match.start)
        if len(examples) >= self.max_examples and key >= (examples[-1]["doc_id"], examples[-1]["start"]):
            return
        items = [x for x in match.items if self.item_set[x] == s]
        examples.append(
            {
                "doc_id": doc_id,
                "source": source,
                "start": match.start,
                "end": match.end,
                "before": text[max(0, match.start - CONTEXT_CHARS) : match.start],
                "match": text[match.start : min(match.end, match.start + EXAMPLE_CHARS)],
                "after": text[match.end : match.end + CONTEXT_CHARS],
                "ngrams": match.ngrams,
                "items": [index.item_location(x) for x in items[:3]],
            }
        )
        examples.sort(key=lambda e: (e["doc_id"], e["start"]))
        del examples[self.max_examples :]

    def merge(self, other: DecontamStats) -> DecontamStats:
        """Add ``other``'s counts to these (same index); returns self."""
        if other.set_names != self.set_names:
            raise ValueError("stats of different indexes cannot be merged")
        for name, theirs in other.sources.items():
            self._source(name).merge(theirs)
        for name, theirs in other.examples.items():
            merged = sorted(self.examples[name] + theirs, key=lambda e: (e["doc_id"], e["start"]))
            self.examples[name] = merged[: self.max_examples]
        return self

    def as_dict(self) -> dict:
        total = _SourceCounts(len(self.set_names), len(self.item_set))
        for counts in self.sources.values():
            total.merge(counts)
        sets = {}
        for s, name in enumerate(self.set_names):
            in_set = self.item_set == s
            sets[name] = {
                "items": self.set_items[s],
                **total.for_set(s, in_set),
                "by_source": {src: c.for_set(s, in_set) for src, c in sorted(self.sources.items())},
                "examples": self.examples[name],
            }
        return {
            **total.totals(),
            "sources": {src: c.totals() for src, c in sorted(self.sources.items())},
            "sets": sets,
        }


class _SourceCounts:
    def __init__(self, n_sets: int, n_items: int):
        self.documents = 0
        self.documents_hit = 0  # documents matching any set
        self.actions: Counter = Counter()
        self.reasons: Counter = Counter()
        self.removed_chars = 0
        self.set_documents_hit = np.zeros(n_sets, dtype=np.int64)
        self.set_ngrams = np.zeros(n_sets, dtype=np.int64)
        self.items_hit = np.zeros(n_items, dtype=bool)

    def merge(self, other: _SourceCounts) -> None:
        self.documents += other.documents
        self.documents_hit += other.documents_hit
        self.actions.update(other.actions)
        self.reasons.update(other.reasons)
        self.removed_chars += other.removed_chars
        self.set_documents_hit += other.set_documents_hit
        self.set_ngrams += other.set_ngrams
        self.items_hit |= other.items_hit

    def for_set(self, s: int, in_set: np.ndarray) -> dict:
        return {
            "documents_hit": int(self.set_documents_hit[s]),
            "items_hit": int(np.count_nonzero(self.items_hit & in_set)),
            "ngrams_matched": int(self.set_ngrams[s]),
        }

    def totals(self) -> dict:
        return {
            "documents": self.documents,
            "documents_hit": self.documents_hit,
            "actions": dict(sorted(self.actions.items())),
            "drop_reasons": dict(sorted(self.reasons.items())),
            "removed_chars": self.removed_chars,
        }
