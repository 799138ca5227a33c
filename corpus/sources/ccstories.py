"""CC-Stories (Trinh & Le 2018, as used by RoBERTa and OPT): the same two layouts as BookCorpus.

- ``*.txt`` (optionally ``.gz``/``.zst``): one story per file, document key 0;
- ``*.jsonl`` (optionally ``.zst``/``.gz``): one story per line, ``{"text": ..., ...}``, key = 0-based
  line index, other fields kept in ``meta`` (``url`` goes to the url column).

The rules for damaged input are those of ``corpus.sources.books`` and ``corpus.sources.jsonl``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from corpus.sources import books
from corpus.sources.base import FileContext


def read(stream: BinaryIO, ctx: FileContext) -> Iterator[dict]:
    """Rows of one CC-Stories file (a story per ``.txt`` file, or a story per JSON line)."""
    return books.read(stream, ctx)
