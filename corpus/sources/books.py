"""BookCorpus: one book per text file, or OPT's JSON-lines layout with one book per line.

- ``*.txt`` (also ``.txt.gz``, ``.txt.zst``, or no extension): the whole file is one input record and one
  document with key 0, located at ``line 1``. It must be UTF-8 (a leading BOM is dropped); otherwise it is
  a reject ``invalid_utf8`` located at the line of the first bad byte. An empty or whitespace-only file
  is a skip ``empty_document``; a cut compressed file a reject ``truncated_stream``.
- ``*.jsonl`` / ``*.json`` (optionally compressed), as in metaseq's ``BookCorpusFair.jsonl``:
  ``{"text": ..., "meta": {"pile_set_name": "bookcorpus/021819"}}`` per line, read by
  ``corpus.sources.jsonl`` (one document per line, key = 0-based line index).

Text is kept as written: Unicode repair, whitespace and Gutenberg boilerplate are the normalize stage's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

from corpus.sources import reasons
from corpus.sources.base import STREAM_ERRORS, CountingReader, FileContext, open_decompressed
from corpus.sources.jsonl import read_json_lines, text_document

_COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd", ".bz2", ".xz")


def read(stream: BinaryIO, ctx: FileContext) -> Iterator[dict]:
    """Rows of one BookCorpus file: a JSON-lines file by its name, else one book per file."""
    if is_json_lines(ctx.rel_path):
        yield from read_json_lines(stream, ctx, partial(text_document, ctx))
    else:
        yield from read_text_file(stream, ctx)


def is_json_lines(rel_path: str) -> bool:
    """True for ``x.jsonl``/``x.json`` with or without a compression suffix."""
    name = rel_path.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.endswith((".jsonl", ".json"))


def read_text_file(stream: BinaryIO, ctx: FileContext) -> Iterator[dict]:
    """The whole (possibly compressed) file as one document with key 0: one input record, one row."""
    ctx.count_record()
    counted = CountingReader(stream)
    try:
        data = open_decompressed(counted, ctx.rel_path).read()
    except STREAM_ERRORS as e:
        yield ctx.reject(
            f"@byte {counted.bytes_read}", reasons.TRUNCATED_STREAM, raw=f"{type(e).__name__}: {e}"
        )
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_no = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        yield ctx.reject(line_no, reasons.INVALID_UTF8, raw=data[line_start : e.end + 100])
        return
    text = text.removeprefix("\ufeff")
    if not text.strip():
        yield ctx.skip(1, reasons.EMPTY_DOCUMENT)
        return
    yield ctx.doc(0, text, 1)
