"""Scanning documents against the index, and what to do with the ones that match.

``scan_batch(texts, index)`` finds, in every document of a batch (a list of strings or an Arrow string
array), each window of words that equals an evaluation n-gram (or a whole evaluation item shorter than n),
checked word for word. Documents are normalised and hashed together, ``CHUNK_CHARS`` of text per numpy pass;
a document longer than ``PIECE_CHARS`` is read in pieces cut at whitespace, carrying its last n - 1 words
into the next piece, so memory stays bounded whatever its length and no window is lost or found twice.

The result per hit document (``DocHits``): matched windows, per-set window counts, the items matched, and
``Match`` runs (overlapping matched windows merged) with their character spans in the original text.

Then the action (``decide``):

- ``drop``: the document goes;
- ``cut``: every match span is widened by ``CutPolicy.margin`` characters on each side (clipped to the
  text), overlapping or touching cuts merge, and the pieces between them stay, joined by a blank line. A
  document cut into more than ``max_pieces`` pieces, or left with fewer than ``min_chars`` characters once
  pieces shorter than ``min_piece_chars`` are dropped too, goes whole (GPT-3: 200-character margins,
  200-character pieces, at most 10 pieces);
- ``flag``: the document stays unchanged, marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from corpus.decontam.index import NgramIndex, ranges
from corpus.decontam.normalize import (
    PrefixHashes,
    Words,
    prepare,
    spans_in_texts,
    spans_of_words,
    text_pieces,
)

CHUNK_CHARS = 1 << 19  # characters of text normalised and hashed together (temporaries stay in cache)
PIECE_CHARS = 1 << 22  # a document longer than this is scanned in pieces of about this size
ACTIONS = ("drop", "cut", "flag")


@dataclass(frozen=True)
class Match:
    """A run of overlapping matched windows in one document."""

    start: int  # character offset of the run in the original text
    end: int  # (exclusive)
    first_word: int  # word index (the scan's count, 0-based) of the run's first word
    words: int  # words the run covers
    ngrams: int  # matched windows in the run
    items: tuple[int, ...]  # global ids of the items matched by its windows (``NgramIndex.item_name``)


@dataclass(frozen=True)
class DocHits:
    """What one document matched."""

    ngrams: int  # matched windows (each window once, whatever the number of items it matches)
    set_ngrams: tuple[int, ...]  # per set of the index: windows matching an item of that set
    items: tuple[int, ...]  # global ids of the items matched, sorted
    matches: tuple[Match, ...]  # in text order

    @property
    def sets(self) -> tuple[int, ...]:
        """Numbers (``NgramIndex.sets`` order) of the sets matched."""
        return tuple(i for i, count in enumerate(self.set_ngrams) if count)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m in self.matches]


@dataclass(frozen=True)
class ScanResult:
    """A scanned batch."""

    ngrams: np.ndarray  # [n_docs] int64 matched windows per document (0: clean)
    hits: dict[int, DocHits]  # by position in the batch, hit documents only
    words: int  # words scanned
    candidates: int  # windows whose hash matched an evaluation hash
    rejected: int  # ... and whose words did not (hash collisions), so not counted

    @property
    def hit_docs(self) -> list[int]:
        return sorted(self.hits)


# ---------------------------------------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------------------------------------


def scan_batch(
    texts: Sequence[str] | pa.Array | pa.ChunkedArray,
    index: NgramIndex,
    chunk_chars: int = CHUNK_CHARS,
    piece_chars: int = PIECE_CHARS,
) -> ScanResult:
    """Scan a batch of documents (``None`` in an Arrow array is an empty document)."""
    if chunk_chars < 1 or piece_chars < 1:
        raise ValueError("chunk_chars and piece_chars must be positive")
    if isinstance(texts, pa.ChunkedArray | pa.Array):
        texts = ["" if t is None else t for t in texts.to_pylist()]
    found = _Found(len(texts))
    docs: list[int] = []
    parts: list[bytes] = []
    size = 0
    for i, text in enumerate(texts):
        if len(text) > piece_chars:
            _scan_long(i, text, index, piece_chars, found)
            continue
        docs.append(i)
        parts.append(prepare(text))
        size += len(text)
        if size >= chunk_chars:
            _scan_words(Words.from_prepared(parts), np.array(docs), None, 0, index, found)
            docs, parts, size = [], [], 0
    if docs:
        _scan_words(Words.from_prepared(parts), np.array(docs), None, 0, index, found)
    return found.result(texts, index)


def _scan_long(doc: int, text: str, index: NgramIndex, piece_chars: int, found: _Found) -> None:
    """One long document, piece by piece; each piece starts with the previous one's last n - 1 words, and
    only windows that end past those count (the previous piece had the others)."""
    carry, carried, done = b"", 0, 0  # carried words, their number, words of the document before them
    for _, piece in text_pieces(text, piece_chars):
        words = Words.from_prepared([carry + b" " + prepare(piece)])
        _scan_words(words, np.array([doc]), carried, done - carried, index, found)
        done += len(words) - carried
        carried = min(index.n - 1, len(words))
        carry = words.joined(len(words) - carried, len(words))


class _Found:
    """Matched windows as chunks find them: document, first word (the document's count), length, and the
    items each matches (``item_window`` numbers the window of each item id within its ``add``)."""

    def __init__(self, n_docs: int):
        self.n_docs = n_docs
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.words = 0
        self.candidates = 0
        self.rejected = 0
        self._windows = 0

    def add(self, docs, firsts, lens, item_window, items) -> None:
        self.parts.append((docs, firsts, lens, item_window + self._windows, items))
        self._windows += len(docs)

    def result(self, texts: Sequence[str], index: NgramIndex) -> ScanResult:
        ngrams = np.zeros(self.n_docs, dtype=np.int64)
        if not self._windows:
            return ScanResult(ngrams, {}, self.words, self.candidates, self.rejected)
        docs, firsts, lens, item_window, items = (np.concatenate(x) for x in zip(*self.parts, strict=True))
        # one window per (document, first word, length), in text order, whatever matched it
        order = np.lexsort((lens, firsts, docs))
        docs, firsts, lens = docs[order], firsts[order], lens[order]
        new = np.r_[True, (docs[1:] != docs[:-1]) | (firsts[1:] != firsts[:-1]) | (lens[1:] != lens[:-1])]
        window_of = np.empty(len(order), dtype=np.int64)
        window_of[order] = np.cumsum(new) - 1
        item_window = window_of[item_window]
        docs, firsts, ends = docs[new], firsts[new], firsts[new] + lens[new]

        # runs: a window starting past every earlier end of its document starts a new run
        big = int(ends.max()) + 1  # documents apart: the running maximum never carries across them
        reach = np.maximum.accumulate(docs * big + ends) - docs * big
        run_start = np.r_[True, (docs[1:] != docs[:-1]) | (firsts[1:] > reach[:-1])]
        run_of = np.cumsum(run_start) - 1
        at = np.flatnonzero(run_start)
        run_doc, run_first = docs[at], firsts[at]
        run_last = reach[np.r_[at[1:] - 1, len(docs) - 1]] - 1
        run_ngrams = np.bincount(run_of)

        n_items, n_sets = index.n_items, len(index.sets)
        run_items = _unique(run_of[item_window] * n_items + items)  # sorted by run, then item
        run_item_bounds = np.searchsorted(run_items // n_items, np.arange(len(at) + 1))
        run_items %= n_items
        doc_items = _unique(docs[item_window] * n_items + items)
        window_sets = _unique(item_window * n_sets + index.item_set[items])
        doc_sets = np.bincount(
            docs[window_sets // n_sets] * n_sets + window_sets % n_sets, minlength=self.n_docs * n_sets
        )
        doc_sets = doc_sets.reshape(self.n_docs, n_sets)
        ngrams = np.bincount(docs, minlength=self.n_docs).astype(np.int64)

        hits: dict[int, DocHits] = {}
        run_bounds = np.searchsorted(run_doc, np.arange(self.n_docs + 1)).tolist()
        item_bounds = np.searchsorted(doc_items // n_items, np.arange(self.n_docs + 1)).tolist()
        doc_items %= n_items
        hit_docs = np.flatnonzero(ngrams).tolist()
        doc_spans = _spans(
            texts,
            hit_docs,
            [
                (run_first[run_bounds[d] : run_bounds[d + 1]], run_last[run_bounds[d] : run_bounds[d + 1]])
                for d in hit_docs
            ],
        )
        for doc, spans in zip(hit_docs, doc_spans, strict=True):
            lo, hi = run_bounds[doc], run_bounds[doc + 1]
            matches = tuple(
                Match(
                    start,
                    end,
                    first,
                    last - first + 1,
                    count,
                    tuple(run_items[run_item_bounds[r] : run_item_bounds[r + 1]].tolist()),
                )
                for r, (start, end), first, last, count in zip(
                    range(lo, hi),
                    spans,
                    run_first[lo:hi].tolist(),
                    run_last[lo:hi].tolist(),
                    run_ngrams[lo:hi].tolist(),
                    strict=True,
                )
            )
            hits[doc] = DocHits(
                int(ngrams[doc]),
                tuple(doc_sets[doc].tolist()),
                tuple(doc_items[item_bounds[doc] : item_bounds[doc + 1]].tolist()),
                matches,
            )
        return ScanResult(ngrams, hits, self.words, self.candidates, self.rejected)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` hashes int64 first, twice as slow as a sort here)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _spans(texts: Sequence[str], docs: list[int], runs: list[tuple[np.ndarray, np.ndarray]]) -> list:
    """Character spans of each hit document's runs (first word, last word): short documents together, in
    groups of about ``CHUNK_CHARS``, long ones alone (``spans_of_words`` streams through them)."""
    out: list = [None] * len(docs)
    group: list[int] = []
    size = 0

    def flush():
        spans = spans_in_texts(
            [texts[docs[k]] for k in group], [runs[k][0] for k in group], [runs[k][1] for k in group]
        )
        for k, doc_spans in zip(group, spans, strict=True):
            out[k] = doc_spans

    for k, doc in enumerate(docs):
        if len(texts[doc]) > CHUNK_CHARS:
            out[k] = spans_of_words(texts[doc], *runs[k])
            continue
        group.append(k)
        size += len(texts[doc])
        if size >= CHUNK_CHARS:
            flush()
            group, size = [], 0
    if group:
        flush()
    return out


def _scan_words(
    words: Words, docs: np.ndarray, carried: int | None, word_base: int, index: NgramIndex, found: _Found
) -> None:
    """Match every window of ``words`` (texts = the documents ``docs``). With ``carried``, the one text
    starts with that many words of its document's previous piece, and a window counts only if it ends past
    them; ``word_base`` is then the document's word index of the text's first word."""
    n = index.n
    found.words += len(words) - (carried or 0)
    if len(words) == 0:
        return
    prefix = PrefixHashes(words.hashes)
    min_end = carried + 1 if carried else 1  # a window's end (exclusive) must be at least this

    def text_end(pos: np.ndarray) -> np.ndarray:  # the end (word index) of the text holding each word
        return words.offsets[np.searchsorted(words.offsets, pos, side="right")]

    # n-grams
    pos, key = index.table.find(prefix.all_windows(n))
    keep = (pos + n <= text_end(pos)) & (pos + n >= min_end)
    pos, key = pos[keep], key[keep]
    exact = index.same_words(words, pos, index.reps[key], n)
    found.candidates += len(pos)
    found.rejected += int(len(exact) - np.count_nonzero(exact))
    pos, key = pos[exact], key[exact]
    counts = index.posting_offsets[key + 1] - index.posting_offsets[key]
    item_window = np.repeat(np.arange(len(pos)), counts)
    items = index.postings[ranges(index.posting_offsets[key], counts)]
    windows = [(pos, np.full(len(pos), n, dtype=np.int64), item_window, items)]

    # items shorter than n, each a whole window of its own length
    if index.short_len:
        spos, skey = index.short_table.find(prefix.all_windows(index.short_len))
        counts = index.short_offsets[skey + 1] - index.short_offsets[skey]
        entry = ranges(index.short_offsets[skey], counts)
        spos = np.repeat(spos, counts)
        lens = index.short_lens[entry]
        fits = (spos + lens <= text_end(spos)) & (spos + lens >= min_end)
        spos, entry, lens = spos[fits], entry[fits], lens[fits]
        same = prefix.windows(spos, lens) == index.short_hashes[entry]
        spos, entry, lens = spos[same], entry[same], lens[same]
        item = index.short_items[entry]
        exact = index.same_words(words, spos, index.item_words[item], lens)
        found.candidates += len(spos)
        found.rejected += int(len(exact) - np.count_nonzero(exact))
        windows.append((spos[exact], lens[exact], np.arange(np.count_nonzero(exact)), item[exact]))

    for pos, lens, item_window, items in windows:
        if not len(pos):
            continue
        text = np.searchsorted(words.offsets, pos, side="right") - 1
        first = pos - words.offsets[text] + (word_base if carried is not None else 0)
        found.add(docs[text], first, lens, item_window, items.astype(np.int64))


# ---------------------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CutPolicy:
    """How ``cut`` removes matches, and when a cut document is dropped instead."""

    margin: int = 200  # characters removed on each side of a match span (GPT-3: 200)
    min_piece_chars: int = 200  # a piece left between cuts shorter than this goes too (GPT-3: 200)
    min_chars: int = 200  # a cut document left with fewer characters is dropped
    max_pieces: int = 10  # a document the cuts split into more pieces than this is dropped (GPT-3: 10)

    def __post_init__(self):
        if min(self.margin, self.min_piece_chars, self.min_chars) < 0 or self.max_pieces < 1:
            raise ValueError("cut margin and minimum sizes must be >= 0 and max_pieces >= 1")


@dataclass(frozen=True)
class Decision:
    """What happens to one document."""

    status: str  # "clean", "flagged", "cut" or "dropped"
    text: str | None  # the text to write (cut: the pieces joined by a blank line); None when dropped
    reason: str | None  # dropped: "contaminated", "cut_too_short" or "cut_too_many_pieces"
    pieces: int  # pieces kept (1 for a document kept whole, 0 when dropped)
    removed_chars: int  # characters of the original text not kept

    @property
    def keep(self) -> bool:
        return self.status != "dropped"


PIECE_JOINER = "\n\n"


def cut_ranges(length: int, spans: Sequence[tuple[int, int]], margin: int) -> list[tuple[int, int]]:
    """The character ranges a cut removes: each span widened by ``margin`` on both sides, clipped to the
    text, sorted, overlapping or touching ones merged.

    >>> cut_ranges(100, [(50, 60), (10, 12), (64, 70)], 2)
    [(8, 14), (48, 72)]
    """
    ranges: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s - margin), min(length, e + margin)) for s, e in spans):
        if ranges and start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


def cut(text: str, spans: Sequence[tuple[int, int]], policy: CutPolicy = CutPolicy()) -> Decision:
    """Remove ``spans`` (plus margins) from ``text`` under ``policy``.

    >>> d = cut("a" * 30 + "XX" + "b" * 30, [(30, 32)], CutPolicy(margin=5, min_piece_chars=10, min_chars=20))
    >>> d.status, d.text == "a" * 25 + PIECE_JOINER + "b" * 25, d.removed_chars
    ('cut', True, 12)
    """
    removed = cut_ranges(len(text), spans, policy.margin)
    bounds = [0] + [x for r in removed for x in r] + [len(text)]
    pieces = [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2) if bounds[i + 1] > bounds[i]]
    if len(pieces) > policy.max_pieces:
        return Decision("dropped", None, "cut_too_many_pieces", 0, len(text))
    pieces = [p for p in pieces if len(p) >= policy.min_piece_chars]
    kept = sum(map(len, pieces))
    if not pieces or kept < policy.min_chars:
        return Decision("dropped", None, "cut_too_short", 0, len(text))
    return Decision("cut", PIECE_JOINER.join(pieces), None, len(pieces), len(text) - kept)


def decide(text: str, hits: DocHits | None, action: str, policy: CutPolicy = CutPolicy()) -> Decision:
    """The action on one scanned document (``hits`` None: it matched nothing)."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, not {action!r}")
    if hits is None:
        return Decision("clean", text, None, 1, 0)
    if action == "flag":
        return Decision("flagged", text, None, 1, 0)
    if action == "drop":
        return Decision("dropped", None, "contaminated", 0, len(text))
    return cut(text, hits.spans, policy)


def decide_batch(
    texts: Sequence[str], result: ScanResult, action: str, policy: CutPolicy = CutPolicy()
) -> list[Decision]:
    """``decide`` for every document of a scanned batch."""
    return [decide(text, result.hits.get(i), action, policy) for i, text in enumerate(texts)]
