"""The dedup stage's one pass over all texts, as a function over Arrow batches (run by ``mapInArrow``).

Per document: its UTF-8 size, the SHA-256 of its text (the exact key) and its LSH band bucket hashes (the
near-duplicate keys). One pass gives both, because the texts are the expensive part to read and move.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from corpus.config import DedupConfig
from corpus.dedup.minhash import band_hashes, make_permutations, text_signatures

# What ``make_document_rows`` yields, as Spark reads it.
DOC_DDL = "doc_id string, source string, file string, n_bytes long, text_hash binary, buckets array<long>"


def make_document_rows(cfg: DedupConfig, seed: int, b: int, r: int, bands: bool = True):
    """mapInArrow function: (doc_id, source, file, text) batches in; one row per document out (``DOC_DDL``):
    its UTF-8 size, the SHA-256 of its text and its ``b`` band bucket hashes.

    Documents without any shingle (no word characters) get no buckets: they cannot be near duplicates.
    With ``bands=False`` (near dedup off) no signature is computed.
    """

    def document_rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        a, perm_b = make_permutations(cfg.num_perm, seed)
        for batch in batches:
            text = batch.column("text").fill_null("")
            raw = text.cast(pa.large_binary())  # offsets and bytes of the UTF-8 texts, no copy of the text
            offsets = np.frombuffer(raw.buffers()[1], dtype=np.int64)[raw.offset : raw.offset + len(raw) + 1]
            data = memoryview(raw.buffers()[2] or b"")
            bounds = offsets.tolist()
            digests = [
                hashlib.sha256(data[lo:hi]).digest() for lo, hi in zip(bounds, bounds[1:], strict=False)
            ]
            n = len(text)
            if bands:
                sig, counts = text_signatures(text.to_pylist(), cfg.ngram, a, perm_b)
                keep = counts > 0
                buckets = band_hashes(sig[keep], b, r).view(np.int64)  # Spark longs: the same 64 bits, signed
                bucket_offsets = np.zeros(n + 1, dtype=np.int32)
                np.cumsum(np.where(keep, b, 0), out=bucket_offsets[1:])
            else:
                buckets, bucket_offsets = np.zeros((0, b), np.int64), np.zeros(n + 1, dtype=np.int32)
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("doc_id"),
                    batch.column("source"),
                    batch.column("file"),
                    pa.array(np.diff(offsets), pa.int64()),
                    pa.array(digests, pa.binary()),
                    pa.ListArray.from_arrays(pa.array(bucket_offsets), pa.array(buckets.reshape(-1))),
                ],
                names=["doc_id", "source", "file", "n_bytes", "text_hash", "buckets"],
            )

    return document_rows
