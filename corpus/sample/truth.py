"""The ground truth a generator task reports, and its merge into ``ground_truth.json``.

Accounting follows the readers (``corpus/sources``): every input record (a JSON line, a WARC record, a
book file) is counted once, and ends up in a document, a reject or a skip. For Reddit a document is made
of several records (its chain of comments plus the submission), so ``expected`` gives both
``documents`` (how many) and ``document_records`` (how many records they hold); for every source

    records == document_records + sum(rejects.values()) + sum(skips.values())

Reject and skip counts are in records, keyed by the reason names of ``corpus.sources.reasons``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import xxhash


@dataclass
class SourceTally:
    """What the ingest stage should count for one source (or one file of it)."""

    files: int = 0
    bytes_on_disk: int = 0
    records: int = 0
    documents: int = 0
    document_records: int = 0
    rejects: Counter = field(default_factory=Counter)
    skips: Counter = field(default_factory=Counter)

    def add_doc(self, n_records: int = 1) -> None:
        self.records += n_records
        self.documents += 1
        self.document_records += n_records

    def add_reject(self, reason: str, n_records: int = 1) -> None:
        self.records += n_records
        self.rejects[reason] += n_records

    def add_skip(self, reason: str, n_records: int = 1) -> None:
        self.records += n_records
        self.skips[reason] += n_records

    def merge(self, other: SourceTally) -> None:
        self.files += other.files
        self.bytes_on_disk += other.bytes_on_disk
        self.records += other.records
        self.documents += other.documents
        self.document_records += other.document_records
        self.rejects.update(other.rejects)
        self.skips.update(other.skips)

    def balanced(self) -> bool:
        return self.records == self.document_records + sum(self.rejects.values()) + sum(self.skips.values())

    def expected(self) -> dict:
        return {
            "files": self.files,
            "records": self.records,
            "documents": self.documents,
            "document_records": self.document_records,
            "rejects": dict(sorted(self.rejects.items())),
            "skips": dict(sorted(self.skips.items())),
        }


def text_hash(text: str) -> int:
    """64-bit hash of a document's text, to find exact duplicates the generator did not plant."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


@dataclass
class TaskResult:
    """Everything one generator task wrote and what the readers will make of it."""

    source: str
    tally: SourceTally = field(default_factory=SourceTally)
    documents: dict[str, dict] = field(default_factory=dict)  # doc_id -> ground-truth entry
    corrupt: list[dict] = field(default_factory=list)  # planted rejects, one entry per reject row
    empty: list[dict] = field(default_factory=list)  # planted empty documents (skips)
    planted: dict[str, str] = field(default_factory=dict)  # plant key -> doc_id it became
    hashes: dict[str, int] = field(default_factory=dict)  # doc_id -> text_hash of the text a reader emits
    files: list[str] = field(default_factory=list)  # paths relative to the corpus root
    text_bytes: int = 0  # uncompressed bytes written (what --size measures)

    def add_document(
        self,
        doc_id: str,
        text: str | None,
        lang: str,
        *,
        traits: tuple[str, ...] | list[str] = (),
        n_records: int = 1,
        plant_key: str | None = None,
    ) -> None:
        """A document the reader will emit; ``text`` (as the reader emits it) feeds exact-duplicate
        detection, or None when it is not known here (extracted HTML)."""
        if doc_id in self.documents:
            raise AssertionError(f"generator bug: document id {doc_id} written twice")
        self.tally.add_doc(n_records)
        self.documents[doc_id] = {
            "source": self.source,
            "lang": lang,
            "exact_dup_of": None,
            "near_dup_of": None,
            "jaccard": None,
            "traits": sorted(traits),
            "n_records": n_records,
        }
        if text is not None:
            self.hashes[doc_id] = text_hash(text)
        if plant_key is not None:
            self.planted[plant_key] = doc_id

    def add_corrupt(self, reason: str, file: str, location: str, **extra) -> None:
        """A planted damaged record: the readers reject it with ``reason`` (one reject row each)."""
        self.tally.add_reject(reason)
        self.corrupt.append(
            {"source": self.source, "file": file, "location": location, "reason": reason, **extra}
        )

    def add_empty(
        self, file: str, location: str, reason: str = "empty_document", n_records: int = 1, **extra
    ) -> None:
        """A well-formed record (or Reddit thread) with no text: the readers skip it with ``reason``."""
        self.tally.add_skip(reason, n_records)
        self.empty.append(
            {"source": self.source, "file": file, "location": location, "reason": reason, **extra}
        )
