"""What every reader gets and gives back.

A reader is a plain generator ``read(stream, ctx) -> Iterator[dict]`` over one input file. It never
imports Spark: the ingest stage calls it inside a Spark task (see ``corpus/ingest.py``) and tests call it
directly. Each dict is one row of ``INGEST_ROW_SCHEMA``, made with the ``ctx`` helpers below so every row
carries its source, location and record count. A reader must call ``ctx.count_record()`` exactly once for
every input record it reads (line, WARC record, file), whatever becomes of it: that count is checked
against the rows it yields.

Catch, count, continue: a corrupt *record* becomes a reject row and the reader goes on; a corrupt
*stream* (truncated compression, unreadable gzip member) becomes one reject row at the byte offset where
reading stopped, and the reader ends. A bug in our code still raises.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import zstandard

from corpus.schema import KIND_DOC, KIND_PART, KIND_REJECT, KIND_SKIP, make_doc_id, snippet

# Pushshift dumps are compressed with --long=31: the decoder must accept a 2 GiB window.
ZSTD_MAX_WINDOW = 2**31


@dataclass
class FileContext:
    """One input file being read: where it is and the recipe options of its source."""

    source: str
    rel_path: str  # path relative to the source root, used in doc ids and locations
    uri: str = ""  # full path/URI, for messages
    options: dict = field(default_factory=dict)  # source options from the recipe (e.g. pile_subsets)
    records_read: int = 0

    def count_record(self, n: int = 1) -> None:
        self.records_read += n

    def location(self, where: str | int) -> str:
        """``where`` is a line number (int, 1-based for humans) or a free-form position like '@byte 4096'."""
        if isinstance(where, int):
            return f"{self.rel_path}:line {where}"
        return f"{self.rel_path}{where}"

    def doc(
        self,
        key: str | int,
        text: str,
        where: str | int,
        *,
        subset: str | None = None,
        url: str | None = None,
        meta: dict | None = None,
        n_records: int = 1,
        doc_id: str | None = None,
    ) -> dict:
        return {
            "kind": KIND_DOC,
            "doc_id": doc_id or make_doc_id(self.source, self.rel_path, key),
            "source": self.source,
            "subset": subset,
            "url": url,
            "text": text,
            "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True) if meta else None,
            "location": self.location(where),
            "n_records": n_records,
            "reason": None,
            "snippet": None,
            "group_key": None,
        }

    def reject(self, where: str | int, reason: str, raw: bytes | str | None = None, n_records: int = 1) -> dict:
        return self._non_doc(KIND_REJECT, where, reason, raw, n_records)

    def skip(self, where: str | int, reason: str, n_records: int = 1, subset: str | None = None) -> dict:
        row = self._non_doc(KIND_SKIP, where, reason, None, n_records)
        row["subset"] = subset
        return row

    def part(self, group_key: str, where: str | int, payload: dict, subset: str | None = None) -> dict:
        """An intermediate record (one Reddit comment or submission) to be grouped by ``group_key``."""
        row = self._non_doc(KIND_PART, where, None, None, 1)
        row["group_key"] = group_key
        row["subset"] = subset
        row["meta"] = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return row

    def _non_doc(self, kind: str, where, reason, raw, n_records) -> dict:
        return {
            "kind": kind,
            "doc_id": None,
            "source": self.source,
            "subset": None,
            "url": None,
            "text": None,
            "meta": None,
            "location": self.location(where),
            "n_records": n_records,
            "reason": reason,
            "snippet": snippet(raw),
            "group_key": None,
        }


def open_decompressed(raw: BinaryIO, name: str) -> BinaryIO:
    """Wrap a raw byte stream in the decompressor its file name asks for (.gz, .zst, else none)."""
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # handles multi-member files (per-record WARC gzip)
    if name.endswith(".zst") or name.endswith(".zstd"):
        dctx = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
        return dctx.stream_reader(raw, read_across_frames=True)
    return raw


def iter_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw line without the newline), streaming; a decompression error propagates."""
    buffered = stream if isinstance(stream, io.BufferedIOBase) and hasattr(stream, "readline") else io.BufferedReader(stream, 1 << 20)
    for number, line in enumerate(buffered, start=1):
        yield number, line.rstrip(b"\r\n")
