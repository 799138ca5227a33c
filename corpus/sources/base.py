"""What every reader gets and gives back.

A reader is a plain generator ``read(stream, ctx) -> Iterator[dict]`` over one input file. It never
imports Spark: the ingest stage calls it inside a Spark task (see ``corpus/stages/ingest.py``) and tests call it
directly. Each dict is one row of ``INGEST_ROW_SCHEMA``, made with the ``ctx`` helpers below so every row
carries its source, location and record count. A reader must call ``ctx.count_record()`` exactly once for
every input record it reads (line, WARC record, file), whatever becomes of it: that count is checked
against the rows it yields.

Catch, count, continue: a corrupt *record* becomes a reject row and the reader goes on; a corrupt
*stream* (truncated compression, unreadable gzip member) becomes one reject row at the byte offset where
reading stopped, and the reader ends. A bug in our code still raises.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import zlib
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

    def reject(
        self, where: str | int, reason: str, raw: bytes | str | None = None, n_records: int = 1
    ) -> dict:
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
    """Wrap a raw byte stream in the decompressor its file name asks for (.gz, .zst, .bz2, .xz, else none).

    A stream that is cut short or corrupt raises one of ``STREAM_ERRORS`` when reading reaches the damage.
    """
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # handles multi-member files (per-record WARC gzip)
    if name.endswith(".zst") or name.endswith(".zstd"):
        return io.BufferedReader(StrictZstdReader(raw), 1 << 20)
    if name.endswith(".bz2"):
        return io.BufferedReader(StrictBz2Reader(raw), 1 << 20)
    if name.endswith(".xz"):
        return lzma.LZMAFile(raw, mode="rb")
    return raw


class CorruptStreamError(ValueError):
    """Compressed data its decoder rejects, where the decoder itself only says ``OSError`` (bzip2)."""


# What a damaged compressed stream raises (gzip: EOFError / BadGzipFile / zlib.error; zstd: ZstdError, EOFError;
# xz: LZMAError; bzip2: EOFError / CorruptStreamError). Plain OSError is deliberately absent: a network or
# disk failure must fail the task so Spark retries it, not turn into a "truncated file" reject.
STREAM_ERRORS = (
    EOFError,
    gzip.BadGzipFile,
    zlib.error,
    zstandard.ZstdError,
    lzma.LZMAError,
    CorruptStreamError,
)


class StrictStreamReader(io.RawIOBase):
    """Compressed streams (frames) decoded one after another, 64 KiB of input at a time, raising
    ``EOFError`` when the input ends inside one. Subclasses give the decoder and translate its errors.

    64 KiB pieces keep one read's output bounded even for highly compressible data.
    """

    _CHUNK = 1 << 16
    _NAME = "compressed"

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._dobj = None  # decoder of the stream in progress, None between streams
        self._pending = b""  # compressed bytes not yet given to a decoder
        self._out = b""
        self._out_pos = 0

    def _decoder(self):
        raise NotImplementedError

    def _decode(self, data: bytes) -> bytes:
        return self._dobj.decompress(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._out_pos >= len(self._out):
            if not self._fill():
                return 0
        n = min(len(buffer), len(self._out) - self._out_pos)
        buffer[:n] = self._out[self._out_pos : self._out_pos + n]
        self._out_pos += n
        return n

    def _fill(self) -> bool:
        """Decode more output; False at a clean end of input (between streams)."""
        data = self._pending or self._raw.read(self._CHUNK)  # an OSError here is I/O: it propagates
        self._pending = b""
        if not data:
            if self._dobj is not None:
                raise EOFError(f"{self._NAME} stream ends in the middle (truncated file)")
            return False
        if self._dobj is None:
            self._dobj = self._decoder()
        self._out, self._out_pos = self._decode(data), 0
        if self._dobj.eof:
            self._pending = self._dobj.unused_data
            self._dobj = None
        return True


class StrictZstdReader(StrictStreamReader):
    """Zstandard frames. ``ZstdDecompressor.stream_reader`` returns a clean EOF on a truncated stream,
    which would turn a cut Pushshift dump into a silently shorter file (or a bogus "truncated JSON" line);
    this reader notices."""

    _NAME = "zstd"

    def __init__(self, raw: BinaryIO):
        super().__init__(raw)
        self._dctx = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)

    def _decoder(self):
        return self._dctx.decompressobj()


class StrictBz2Reader(StrictStreamReader):
    """bzip2 streams (pbzip2 writes several). ``bz2.BZ2File`` reports corrupt data as a plain ``OSError``
    ("Invalid data stream"), which is kept here for disk and network failures (Spark retries those), so a
    damaged Reddit dump failed its task every time; here it is a ``CorruptStreamError``: a counted reject
    at the bytes consumed, as for the other formats."""

    _NAME = "bzip2"

    def _decoder(self):
        return bz2.BZ2Decompressor()

    def _decode(self, data: bytes) -> bytes:
        try:
            return self._dobj.decompress(data)
        except OSError as err:
            raise CorruptStreamError(f"bzip2 data is corrupt ({err})") from None


class CountingReader(io.RawIOBase):
    """A raw stream that counts the bytes read from it: the compressed offset a decoder has consumed,
    which is where a truncated-stream reject points (``@byte N``)."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n


def iter_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw line without the newline), streaming; a decompression error propagates."""
    buffered = (
        stream
        if isinstance(stream, io.BufferedIOBase) and hasattr(stream, "readline")
        else io.BufferedReader(stream, 1 << 20)
    )
    for number, line in enumerate(buffered, start=1):
        yield number, line.rstrip(b"\r\n")
