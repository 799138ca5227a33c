"""Packing: documents' token ids, in order, become rows of exactly ``seq_len`` tokens (pure numpy).

Each document contributes ``ids + [eos]``; the documents are concatenated and cut into rows. The last
``total % seq_len`` tokens (the *tail*, shorter than a row) are dropped and counted, so one pack unit
loses fewer than ``seq_len`` tokens. Rows cross document boundaries, as OPT's did.

Per-source accounting rides along: for every row (and for the tail) the number of tokens of each source,
so ``tokens in rows + tail tokens = tokens produced`` can be checked per source.

>>> import numpy as np
>>> r = pack_documents([np.array([5, 6, 7]), np.array([8])], eos_id=2, seq_len=3)
>>> r.rows.tolist(), r.tail_tokens
([[5, 6, 7], [2, 8, 2]], 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PackResult:
    rows: np.ndarray  # [n_rows, seq_len], the token dtype
    tail_tokens: int  # tokens after the last full row, dropped (< seq_len)
    row_source_tokens: np.ndarray  # [n_rows, n_sources] int64: tokens of each source in each row
    tail_source_tokens: np.ndarray  # [n_sources] int64: the dropped tail's tokens per source

    @property
    def tokens_produced(self) -> int:
        """All tokens the documents made, eos included: rows plus the dropped tail."""
        return int(self.rows.size) + self.tail_tokens


def with_eos(tokens: np.ndarray, lengths: np.ndarray, eos_id: int) -> np.ndarray:
    """Insert ``eos_id`` after each document of a flat token array.

    ``tokens`` holds the documents back to back (no separators); ``lengths[i]`` is document i's length.

    >>> with_eos(np.array([5, 6, 7]), np.array([2, 0, 1]), eos_id=2).tolist()
    [5, 6, 2, 2, 7, 2]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if int(lengths.sum()) != tokens.size:
        raise ValueError(f"lengths sum to {int(lengths.sum())} but there are {tokens.size} tokens")
    out = np.empty(tokens.size + lengths.size, dtype=tokens.dtype)
    eos_at = np.cumsum(lengths + 1) - 1
    is_doc = np.ones(out.size, dtype=bool)
    is_doc[eos_at] = False
    out[eos_at] = eos_id
    out[is_doc] = tokens
    return out


def pack_flat(
    tokens: np.ndarray,
    lengths: np.ndarray,
    eos_id: int,
    seq_len: int,
    doc_sources: np.ndarray | None = None,
    n_sources: int = 1,
) -> PackResult:
    """Pack documents given as one flat token array plus per-document lengths (the layout of an Arrow
    binary column's data buffer, so no per-document copies are made).

    ``doc_sources[i]`` is document i's source index in ``range(n_sources)`` (all 0 when omitted).
    """
    if seq_len <= 0:
        raise ValueError(f"seq_len must be positive, not {seq_len}")
    lengths = np.asarray(lengths, dtype=np.int64)
    stream = with_eos(tokens, lengths, eos_id)
    n_rows = stream.size // seq_len
    used = n_rows * seq_len
    rows = stream[:used].reshape(n_rows, seq_len)

    if doc_sources is None:
        doc_sources = np.zeros(lengths.size, dtype=np.int64)
    doc_sources = np.asarray(doc_sources, dtype=np.int64)
    if doc_sources.size != lengths.size:
        raise ValueError(f"{doc_sources.size} source indices for {lengths.size} documents")
    if doc_sources.size and (doc_sources.min() < 0 or doc_sources.max() >= n_sources):
        raise ValueError(f"source indices must be in range({n_sources})")
    row_src, tail_src = _source_counts(lengths + 1, doc_sources, n_sources, seq_len, n_rows)
    return PackResult(rows, int(stream.size - used), row_src, tail_src)


def _source_counts(spans: np.ndarray, doc_sources: np.ndarray, n_sources: int, seq_len: int, n_rows: int):
    """Tokens per (row, source) from document spans, without a per-token array.

    A document's span [start, end) is split at row boundaries; each piece adds its length to its row.
    Pieces are computed by cutting every span at the row boundaries it crosses (vectorized via repeat).
    """
    ends = np.cumsum(spans)
    starts = ends - spans
    first_row = starts // seq_len
    last_row = np.maximum(ends - 1, starts) // seq_len
    pieces = last_row - first_row + 1  # rows each document touches (a 0-length span counts once, adds 0)
    doc_of_piece = np.repeat(np.arange(spans.size), pieces)
    row_of_piece = np.repeat(first_row, pieces) + (
        np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    )
    piece_start = np.maximum(starts[doc_of_piece], row_of_piece * seq_len)
    piece_end = np.minimum(ends[doc_of_piece], (row_of_piece + 1) * seq_len)
    counts = np.zeros((n_rows + 1, n_sources), dtype=np.int64)  # the extra row is the tail
    np.add.at(counts, (np.minimum(row_of_piece, n_rows), doc_sources[doc_of_piece]), piece_end - piece_start)
    return counts[:n_rows], counts[n_rows]


def pack_documents(
    docs: Sequence[np.ndarray],
    eos_id: int,
    seq_len: int,
    dtype: str | np.dtype = "int64",
    doc_sources: Sequence[int] | None = None,
    n_sources: int = 1,
) -> PackResult:
    """Pack a list of per-document token arrays, in the given order (see ``pack_flat``)."""
    dtype = np.dtype(dtype)
    lengths = np.array([len(d) for d in docs], dtype=np.int64)
    tokens = np.concatenate([np.asarray(d, dtype=dtype) for d in docs]) if docs else np.zeros(0, dtype=dtype)
    sources = None if doc_sources is None else np.asarray(doc_sources, dtype=np.int64)
    return pack_flat(tokens, lengths, eos_id, seq_len, sources, n_sources)
