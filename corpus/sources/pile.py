"""The Pile: ``*.jsonl.zst`` lines ``{"text": ..., "meta": {"pile_set_name": ...}}``; OPT's subsets only.

A line is kept when its ``meta.pile_set_name`` is one of ``ctx.options["pile_subsets"]`` (default: the
eight subsets OPT used, ``corpus.config.OPT_PILE_SUBSETS``); the document's ``subset`` is the set name.
Any other line - including one with no set name - is a skip ``pile_subset_excluded`` carrying the set
name as its subset, so the report can show what each excluded subset weighed. The subset decides before
the text is looked at: an excluded line is not rejected for a missing text. Damaged lines and streams
follow ``corpus.sources.jsonl``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from corpus.config import OPT_PILE_SUBSETS
from corpus.sources import reasons
from corpus.sources.base import FileContext
from corpus.sources.jsonl import read_json_lines, text_document


def read(stream: BinaryIO, ctx: FileContext) -> Iterator[dict]:
    """Rows of one Pile JSON-lines file (kept subsets become documents, the others skips)."""
    keep = frozenset(ctx.options.get("pile_subsets", OPT_PILE_SUBSETS))

    def build(obj: dict, index: int, line_no: int) -> dict:
        meta = obj.get("meta")
        name = meta.get("pile_set_name") if isinstance(meta, dict) else None
        name = name if isinstance(name, str) else None
        if name not in keep:
            return ctx.skip(line_no, reasons.PILE_SUBSET_EXCLUDED, subset=name)
        return text_document(ctx, obj, index, line_no, subset=name)

    return read_json_lines(stream, ctx, build)
