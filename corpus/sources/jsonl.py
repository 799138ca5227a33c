"""JSON lines, the way every line format here is read: one record per line, damage counted, never fatal.

Used by the Pile, BookCorpus and CC-Stories ``.jsonl`` layouts and by the Pushshift Reddit dumps. The file
is decompressed according to its name (``.gz``, ``.zst``, ``.bz2``, ``.xz``) and read line by line, so a
multi-GB dump streams in constant memory. Each line is one input record (``ctx.count_record()``), with
its 0-based index as the document key and its 1-based number as the location. What can go wrong, and
the row it becomes:

- the line is not UTF-8 -> reject ``invalid_utf8`` (also for lone ``\\udXXX`` escapes, which no UTF-8
  text can hold and Arrow would refuse);
- the line does not parse (nested deeper than Python's JSON parser goes included), or is not a JSON
  object -> reject ``invalid_json``;
- the *last* line has no newline and does not parse -> reject ``truncated_json`` (the file was cut);
- a blank line -> skip ``empty_document``;
- the compressed stream is cut or corrupt -> one reject ``truncated_stream`` at ``@byte N`` (compressed
  bytes consumed when the damage was found) counting as one record, and the file ends there.

What becomes of a parsed object is up to the format: ``build(obj, index, line_no)`` returns its row,
usually through ``text_document``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from corpus.sources import reasons
from corpus.sources.base import STREAM_ERRORS, CountingReader, FileContext, open_decompressed

# A JSON escape of a UTF-16 surrogate; only lines holding one need the (slower) re-encoding check.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_BOM = "\ufeff"

Build = Callable[[dict, int, int], dict]


def read_json_lines(stream: BinaryIO, ctx: FileContext, build: Build) -> Iterator[dict]:
    """Rows for every line of a (possibly compressed) JSON-lines file; ``build`` turns a parsed object
    into its row (``index`` is the 0-based line index, ``line_no`` the 1-based line number)."""
    counted = CountingReader(stream)
    lines = open_decompressed(counted, ctx.rel_path)
    if lines is counted:  # plain file: a raw stream's readline would go byte by byte
        lines = io.BufferedReader(counted, 1 << 20)
    line_no = 0
    try:
        for raw in lines:
            line_no += 1
            ctx.count_record()
            yield _row_for_line(raw, line_no, ctx, build)
    except STREAM_ERRORS as e:
        ctx.count_record()
        yield ctx.reject(
            f"@byte {counted.bytes_read}", reasons.TRUNCATED_STREAM, raw=f"{type(e).__name__}: {e}"
        )


def _row_for_line(raw: bytes, line_no: int, ctx: FileContext, build: Build) -> dict:
    has_newline = raw.endswith(b"\n")
    line = raw.rstrip(b"\r\n")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return ctx.reject(line_no, reasons.INVALID_UTF8, raw=line)
    if line_no == 1 and text.startswith(_BOM):
        text = text[1:]
    if not text.strip():
        return ctx.skip(line_no, reasons.EMPTY_DOCUMENT)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested past the recursion limit
        reason = reasons.INVALID_JSON if has_newline else reasons.TRUNCATED_JSON
        return ctx.reject(line_no, reason, raw=line)
    if not isinstance(obj, dict):
        return ctx.reject(line_no, reasons.INVALID_JSON, raw=line)
    if _SURROGATE_ESCAPE.search(line) and not _encodes_as_utf8(obj):
        return ctx.reject(line_no, reasons.INVALID_UTF8, raw=line)
    return build(obj, line_no - 1, line_no)


def _encodes_as_utf8(obj: dict) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_document(
    ctx: FileContext,
    obj: dict,
    index: int,
    line_no: int,
    *,
    text_field: str = "text",
    subset: str | None = None,
) -> dict:
    """The document row of a JSON object holding its text in ``text_field``.

    A missing or non-string text is a reject ``missing_text``; an empty or whitespace-only one a skip
    ``empty_document``. ``meta`` keeps the object's ``meta`` table plus its other top-level fields (the
    text is not repeated); ``url`` is taken from a string ``url`` field when there is one.
    """
    text = obj.get(text_field)
    if not isinstance(text, str):
        return ctx.reject(line_no, reasons.MISSING_TEXT, raw=json.dumps(obj, ensure_ascii=False)[:1000])
    if not text.strip():
        return ctx.skip(line_no, reasons.EMPTY_DOCUMENT, subset=subset)
    url = obj.get("url")
    return ctx.doc(
        index,
        text,
        line_no,
        subset=subset,
        url=url if isinstance(url, str) else None,
        meta=document_meta(obj, text_field),
    )


def document_meta(obj: dict, text_field: str = "text") -> dict:
    """The object's ``meta`` table merged with its other top-level fields (``meta`` wins a clash)."""
    meta = obj.get("meta")
    merged = dict(meta) if isinstance(meta, dict) else {} if meta is None else {"meta": meta}
    for key, value in obj.items():
        if key not in (text_field, "meta"):
            merged.setdefault(key, value)
    return merged
