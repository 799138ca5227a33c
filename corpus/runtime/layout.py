"""OUT's layout in one place: the folders every stage reads and writes, and the build's stage order.

Stages declare what they read and write with these names (``corpus.runtime.contract.Stage``); nothing else
spells an OUT folder. The layout users see::

    OUT/documents/  rejects/              ingest
    OUT/filtered/   dropped/              filter
    OUT/dedup/{documents,clusters,edges}/ dedup
    OUT/decontam/documents/ (+ dropped/)  decontaminate (only when it drops or cuts)
    OUT/tokenizer/                        tokenize
    OUT/shards/{train,valid}/ manifest.json  shards
    OUT/report/{stats.json,report.html}   report
    OUT/stats/<stage>.json  OUT/_stages/<stage>.json  OUT/_lock.json   the runner
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.runtime.fs import Folder

# The build order; a forced or changed stage invalidates the ones after it.
STAGE_ORDER = ("ingest", "filter", "dedup", "decontaminate", "tokenize", "shards", "report")

DOCUMENTS = "documents"  # ingested, normalized documents (Parquet, partitioned by source)
REJECTS = "rejects"  # rejected and skipped input records, with location and reason
FILTERED = "filtered"  # documents the filter kept
DROPPED = "dropped"  # documents the filter (or a later stage) dropped, with stage and reason
DEDUP_DOCUMENTS = "dedup/documents"  # the documents dedup kept: what is tokenized
CLUSTERS = "dedup/clusters"  # duplicate clusters: members and keeper
EDGES = "dedup/edges"  # verified near-duplicate edges
DECONTAM_DOCUMENTS = "decontam/documents"  # the documents decontamination kept (cut where it matched)
TOKENIZER = "tokenizer"  # the build's tokenizer.json (and a trained BPE with its settings)
TOKENIZER_FILE = "tokenizer/tokenizer.json"
SHARDS = "shards"  # packed Arrow shards and manifest.json
MANIFEST = "shards/manifest.json"
REPORT = "report"  # stats.json and report.html
STATS = "stats"  # stats/<stage>.json, written by the runner
MARKERS = "_stages"  # _stages/<stage>.json success markers, written by the runner
LOCK_FILE = "_lock.json"  # the build holding OUT (corpus.runtime.lock)


def documents_to_tokenize(decontaminate) -> str:
    """The folder the tokenizer and the shards read: the decontaminated documents when that stage drops or
    cuts (``decontaminate``: the recipe's ``DecontaminateConfig``), else the deduplicated ones."""
    return DECONTAM_DOCUMENTS if decontaminate.enabled and decontaminate.action != "flag" else DEDUP_DOCUMENTS


@dataclass(frozen=True)
class OutLayout:
    """The folders of one build's OUT (a local path or a URI)."""

    root: str

    def uri(self, name: str) -> str:
        """What Spark is handed for a folder (or file) of the layout."""
        return f"{self.root.rstrip('/')}/{name}"

    def folder(self, name: str = "") -> Folder:
        """The folder for reading and writing through the file layer."""
        return Folder(self.uri(name) if name else self.root)
