"""Arrow schemas shared by every stage, and the document-id rule.

Every record a reader touches becomes exactly one *ingest row* (kind = doc, reject or skip), plus
per-task ``counter`` rows; summing ``n_records`` by (source, kind, reason) is how the ingest stage
proves that nothing was lost (DESIGN.md, "Accounting").
"""

from __future__ import annotations

import pyarrow as pa

SOURCE_NAMES = ("bookcorpus", "ccstories", "ccnews", "pile", "reddit")

# Kinds of ingest rows.
KIND_DOC = "doc"  # a document (n_records = input records it was built from; >1 only for Reddit threads)
KIND_REJECT = "reject"  # corrupt / unparseable input, with location, reason and a snippet
KIND_SKIP = (
    "skip"  # a well-formed record that is not a document by design (WARC request, excluded subset, ...)
)
KIND_PART = "part"  # an intermediate piece that a later grouping turns into docs/skips (Reddit comments)
KIND_COUNTER = "counter"  # a named per-task counter: reason = counter name, n_records = value
KIND_FILE = (
    "file"  # a documents file a task wrote: location = its path, n_records = the source's documents in it
)

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("subset", pa.string()),  # Pile set name, news domain, subreddit ...
        pa.field("url", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("meta", pa.string()),  # JSON object as text: native fields worth keeping (date, ids, title)
        pa.field("location", pa.string(), nullable=False),  # "rel/path:line 12" or "rel/path@byte 4096"
        pa.field("n_records", pa.int64(), nullable=False),
    ]
)
# DOCUMENT_SCHEMA as stored under a ``source=<name>`` directory: the source is the directory, not a column.
STORED_DOCUMENT_SCHEMA = pa.schema([f for f in DOCUMENT_SCHEMA if f.name != "source"])

INGEST_ROW_SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string(), nullable=False),
        *DOCUMENT_SCHEMA,
        pa.field("reason", pa.string()),  # reject/skip reason or counter name; null for docs
        pa.field("snippet", pa.string()),  # first bytes of a rejected record, for humans
        pa.field(
            "group_key", pa.string()
        ),  # KIND_PART only: rows with the same key are grouped (Reddit link_id)
    ]
)
# Spark cannot carry non-nullable fields through mapInArrow schemas reliably; use this for Spark DDL.
INGEST_ROW_DDL = (
    "kind string, doc_id string, source string, subset string, url string, text string, meta string, "
    "location string, n_records long, reason string, snippet string, group_key string"
)

REJECT_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string()),
        pa.field("location", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("snippet", pa.string()),
        pa.field("n_records", pa.int64()),
    ]
)

SNIPPET_CHARS = 200


def make_doc_id(source: str, rel_path: str | None, key: str | int) -> str:
    """Deterministic document id from where the document came from, never from execution order.

    ``key`` is the record's index inside the file (0-based line or record number), or a native id when the
    format has one (WARC-Record-ID, Reddit link_id). Reddit threads can span monthly files, so their ids
    carry no path: ``make_doc_id("reddit", None, "t3_abc")`` -> ``"reddit#t3_abc"``.

    >>> make_doc_id("pile", "00.jsonl.zst", 7)
    'pile/00.jsonl.zst#7'
    """
    if rel_path is None:
        return f"{source}#{key}"
    return f"{source}/{rel_path}#{key}"


def snippet(data: bytes | str | None) -> str | None:
    """The first ``SNIPPET_CHARS`` characters of a bad record, decoded leniently so it can always be shown."""
    if data is None:
        return None
    if isinstance(data, bytes):
        data = data[: SNIPPET_CHARS * 4].decode("utf-8", errors="replace")
    return data[:SNIPPET_CHARS]
