"""The on-disk contract between the corpus build and the trainer: Arrow IPC shards + manifest.json.

Layout under a shards directory ``S``::

    S/manifest.json
    S/train/part-00000.arrow ...
    S/valid/part-00000.arrow ...             all held-out rows
    S/valid/<source>/part-00000.arrow ...    the same held-out documents, per source (per-corpus perplexity)

Each shard is an Arrow IPC file in the *streaming* format (memory-mappable: ``pa.ipc.open_stream(
pa.memory_map(path))`` reads it without a copy) with one column ``input_ids`` of type
``fixed_size_list<uint16>[seq_len]`` when the vocabulary fits in 16 bits, else ``int32``. Rows are exactly
``seq_len`` tokens of concatenated ``ids + [eos]`` documents.

``manifest.json``::

    {
      "format": "optcorpus-shards", "format_version": 1,
      "seq_len": 2048, "dtype": "uint16", "vocab_size": 50265, "eos_id": 2, "pad_id": 1,
      "tokenizer": {"kind": "vocab_merges", "sha256": "<hex>", ...},
      "seed": 1234, "code_version": "0.1.0", "recipe": {...resolved recipe...},
      "splits": {
        "train":        {"rows": R, "tokens": T, "source_tokens": {"pile": n, ...},
                         "shards": [{"path": "train/part-00000.arrow", "rows": r, "tokens": t,
                                     "sha256": "<hex>", "source_tokens": {...}}, ...]},
        "valid":        {...same shape...},
        "valid/pile":   {...same shape...}, ...
      }
    }

Why the streaming format and not the random-access one: Hugging Face ``datasets.Dataset.from_file`` reads
only streams (its own cache files are streams), and the random-access footer buys nothing here since
trainers read whole shards. Polars reads them with ``pl.read_ipc_stream``; duckdb scans the pyarrow table.

Paths in the manifest are relative to ``S``. ``source_tokens`` counts the tokens of each source in those
rows (a row can mix sources).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa

FORMAT_NAME = "optcorpus-shards"
FORMAT_VERSION = 1
COLUMN = "input_ids"


class ShardFormatError(ValueError):
    pass


def token_dtype(vocab_size: int) -> str:
    return "uint16" if vocab_size <= 2**16 else "int32"


def shard_schema(seq_len: int, dtype: str) -> pa.Schema:
    return pa.schema(
        [pa.field(COLUMN, pa.list_(pa.from_numpy_dtype(np.dtype(dtype)), seq_len), nullable=False)]
    )


def write_shard(path: str | Path, rows: np.ndarray, dtype: str) -> dict:
    """Write ``rows`` (shape [n, seq_len]) as one shard, atomically (tmp name, then rename).

    Returns the manifest entry fields that depend only on the file: rows, tokens, sha256.
    """
    path = Path(path)
    rows = np.ascontiguousarray(rows, dtype=np.dtype(dtype))
    if rows.ndim != 2:
        raise ShardFormatError(f"rows must be 2-D [n, seq_len], got shape {rows.shape}")
    n, seq_len = rows.shape
    values = pa.array(rows.reshape(-1), type=pa.from_numpy_dtype(rows.dtype))
    column = pa.FixedSizeListArray.from_arrays(values, seq_len)
    table = pa.Table.from_arrays([column], schema=shard_schema(seq_len, dtype))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(1, min(n, 1024)))
    digest = sha256_file(tmp)
    os.replace(tmp, path)
    return {"rows": int(n), "tokens": int(n * seq_len), "sha256": digest}


def shard_bytes(rows: np.ndarray, dtype: str) -> pa.Buffer:
    """The exact bytes ``write_shard`` writes for ``rows``, built in memory."""
    rows = np.ascontiguousarray(rows, dtype=np.dtype(dtype))
    if rows.ndim != 2:
        raise ShardFormatError(f"rows must be 2-D [n, seq_len], got shape {rows.shape}")
    n, seq_len = rows.shape
    values = pa.array(rows.reshape(-1), type=pa.from_numpy_dtype(rows.dtype))
    table = pa.Table.from_arrays(
        [pa.FixedSizeListArray.from_arrays(values, seq_len)], schema=shard_schema(seq_len, dtype)
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(1, min(n, 1024)))
    return sink.getvalue()


def write_shard_fs(filesystem, path: str, rows: np.ndarray, dtype: str) -> dict:
    """``write_shard`` through a ``pyarrow.fs`` filesystem (local, HDFS, S3, ...), for executors writing to
    a cluster's shared storage: same bytes, same returned fields, tmp name then move."""
    data = shard_bytes(rows, dtype)
    n, seq_len = rows.shape
    parent = path.rsplit("/", 1)[0]
    filesystem.create_dir(parent, recursive=True)
    tmp = f"{path}.{uuid.uuid4().hex[:12]}.tmp"  # unique: a speculative or retried task may write the same shard
    with filesystem.open_output_stream(tmp) as out:
        out.write(data)
    filesystem.move(tmp, path)
    return {
        "rows": int(n),
        "tokens": int(n * seq_len),
        "sha256": hashlib.sha256(memoryview(data)).hexdigest(),
    }


def read_shard(path: str | Path) -> np.ndarray:
    """Memory-map a shard and return its rows as a read-only [n, seq_len] numpy view (no copy)."""
    source = pa.memory_map(str(path), "r")
    table = pa.ipc.open_stream(source).read_all()
    column = table.column(COLUMN)
    if not pa.types.is_fixed_size_list(column.type):
        raise ShardFormatError(f"{path}: column {COLUMN!r} is {column.type}, expected a fixed-size list")
    seq_len = column.type.list_size
    if column.num_chunks == 1:
        flat = column.chunk(0).values.to_numpy(zero_copy_only=True)
    else:  # several record batches: contiguous in the file but not one buffer; copy once
        flat = np.concatenate([c.values.to_numpy(zero_copy_only=True) for c in column.chunks])
    return flat.reshape(-1, seq_len)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(shards_dir: str | Path) -> dict:
    path = Path(shards_dir) / "manifest.json"
    if not path.exists():
        raise ShardFormatError(
            f"{shards_dir} has no manifest.json: not a shards directory (or the build did not finish)"
        )
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_NAME:
        raise ShardFormatError(f"{path}: format is {manifest.get('format')!r}, expected {FORMAT_NAME!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ShardFormatError(
            f"{path}: format_version {manifest.get('format_version')} is not {FORMAT_VERSION}"
        )
    return manifest


def write_manifest(shards_dir: str | Path, manifest: dict) -> None:
    path = Path(shards_dir) / "manifest.json"
    tmp = path.with_name("manifest.json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, path)
