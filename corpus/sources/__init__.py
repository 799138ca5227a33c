"""Source readers: one plain generator per native format, ``read(stream, ctx) -> Iterator[dict]``.

``READERS`` maps each source name of a recipe to its reader; ``reader_for`` is the same lookup with a
clear error. Every reader dispatches on the file name itself where a source has several layouts
(BookCorpus ``.txt`` vs ``.jsonl``, Reddit ``.zst`` vs ``.jsonl``), so one function per source is enough.
The Reddit reader yields ``part`` rows; ``corpus.sources.reddit.build_threads`` turns each thread's parts
into its document after the ingest stage has grouped them by ``group_key``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from corpus.sources import books, ccstories, pile, reddit, warc
from corpus.sources.base import FileContext

Reader = Callable[[BinaryIO, FileContext], Iterator[dict]]

READERS: dict[str, Reader] = {
    "bookcorpus": books.read,
    "ccstories": ccstories.read,
    "ccnews": warc.read,
    "pile": pile.read,
    "reddit": reddit.read,
}


def reader_for(source: str, rel_path: str = "") -> Reader:
    """The reader of ``source`` (``rel_path`` is accepted for symmetry: readers pick the layout by name)."""
    try:
        return READERS[source]
    except KeyError:
        raise ValueError(f"no reader for source {source!r}; known: {', '.join(READERS)}") from None
