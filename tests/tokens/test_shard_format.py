"""The shards stage's per-batch and per-group functions, called directly (no Spark)."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pytest

from corpus.config import PackConfig
from corpus.runtime.fs import resolve_fs, resolve_spark_file
from corpus.stages.shards import (
    AccountingError,
    binary_tokens,
    encode_batch,
    is_valid,
    order_hash,
    pack_group,
    summarize,
)
from corpus.tokens.shard_format import read_shard, sha256_file, shard_bytes, write_shard, write_shard_fs
from corpus.tokens.tokenizer import train_bpe

DOCS = [
    (f"{src}/f.jsonl#{i}", src, f"{src} document number {i} " + "word " * (i % 13))
    for i in range(60)
    for src in ("pile", "reddit")
]


@pytest.fixture(scope="module")
def tok():
    return train_bpe([t for _, _, t in DOCS] * 3, vocab_size=300)


def _batch(docs):
    return pa.RecordBatch.from_pydict(
        {
            "doc_id": [d for d, _, _ in docs],
            "source": [s for _, s, _ in docs],
            "text": [t for _, _, t in docs],
        }
    )


def test_encode_batch_splits_groups_and_duplicates_valid(tok):
    pack = PackConfig(seq_len=16, valid_fraction=0.2, groups=5, valid_groups=2)
    out = encode_batch(_batch(DOCS), tok.to_json(), tok.sha256, "uint16", 99, pack)
    rows = out.to_pylist()
    valid_ids = {d for d, _, _ in DOCS if is_valid(d, 99, 0.2)}
    assert 0 < len(valid_ids) < len(DOCS)
    assert len(rows) == len(DOCS) + len(valid_ids)  # held-out documents appear in valid and valid/<source>
    by_split: dict[str, list] = {}
    for r in rows:
        by_split.setdefault(r["split"], []).append(r)
    assert {r["doc_id"] for r in by_split["train"]} == {d for d, _, _ in DOCS} - valid_ids
    assert {r["doc_id"] for r in by_split["valid"]} == valid_ids
    for src in ("pile", "reddit"):
        assert {r["doc_id"] for r in by_split[f"valid/{src}"]} == {d for d in valid_ids if d.startswith(src)}
    text = {d: t for d, _, t in DOCS}
    for r in rows:
        h = order_hash(r["doc_id"], 99)
        assert r["order_key"] == h - 2**63  # the hash, shifted into int64 with its order kept
        assert r["grp"] == h % (5 if r["split"] == "train" else 2)
        assert np.frombuffer(r["ids"], dtype="<u2").tolist() == tok.tokenizer.encode(text[r["doc_id"]]).ids


def test_pack_group_orders_by_hash_writes_shards_and_counts(tok, tmp_path):
    pack = PackConfig(seq_len=8, valid_fraction=0.0, groups=1, rows_per_shard=10)
    encoded = pa.Table.from_batches([encode_batch(_batch(DOCS), tok.to_json(), tok.sha256, "int32", 5, pack)])
    shuffled = encoded.take(
        np.random.default_rng(0).permutation(len(encoded))
    )  # Spark's arrival order is arbitrary
    meta = pack_group("train", 0, shuffled, eos_id=2, dtype="int32", pack=pack, shards_uri=str(tmp_path))

    ordered = sorted(DOCS, key=lambda d: (order_hash(d[0], 5), d[0]))
    stream = [t for _, _, text in ordered for t in tok.tokenizer.encode(text).ids + [2]]
    n_rows = len(stream) // 8
    shards = json.loads(meta["shards"])
    assert [s["path"] for s in shards] == [f"train/part-00000-{k:04d}.arrow" for k in range(-(-n_rows // 10))]
    rows = np.concatenate([read_shard(tmp_path / s["path"]) for s in shards])
    assert rows.dtype == np.int32
    assert rows.reshape(-1).tolist() == stream[: n_rows * 8]
    assert meta["tail_tokens"] == len(stream) - n_rows * 8
    assert meta["tokens_produced"] == len(stream) and meta["docs"] == len(DOCS)
    for s in shards:
        assert s["sha256"] == sha256_file(tmp_path / s["path"])
        assert sum(s["source_tokens"].values()) == s["tokens"] == s["rows"] * 8
    produced = json.loads(meta["source_tokens_produced"])
    assert produced["pile"] == sum(len(tok.tokenizer.encode(t).ids) + 1 for _, s, t in DOCS if s == "pile")


def test_binary_tokens_handles_sliced_arrays():
    arr = pa.array(
        [np.array([1, 2], "<u2").tobytes(), b"", np.array([3, 4, 5], "<u2").tobytes()], pa.binary()
    )
    tokens, lengths = binary_tokens(arr.slice(1), "uint16")
    assert tokens.tolist() == [3, 4, 5] and lengths.tolist() == [0, 3]


def _group(split, grp, shard_tokens, tail, seq_len=4):
    shards = (
        [
            {
                "path": f"{split}/part-{grp:05d}-0000.arrow",
                "rows": shard_tokens // seq_len,
                "tokens": shard_tokens,
                "sha256": "x",
                "source_tokens": {"pile": shard_tokens},
            }
        ]
        if shard_tokens
        else []
    )
    return {
        "split": split, "grp": grp, "docs": 3, "tokens_produced": shard_tokens + tail, "tail_tokens": tail,
        "source_docs": json.dumps({"pile": 3}), "source_tokens_produced": json.dumps({"pile": shard_tokens + tail}),
        "source_tail_tokens": json.dumps({"pile": tail} if tail else {}), "shards": json.dumps(shards),
    }  # fmt: skip


def test_summarize_totals_and_fails_loudly():
    groups = [
        _group("train", 1, 8, 3),
        _group("train", 0, 4, 0),
        _group("valid", 0, 4, 1),
        _group("valid/pile", 0, 4, 1),
    ]
    stats, splits = summarize(groups, seq_len=4)
    assert [s["path"] for s in splits["train"]["shards"]] == [
        "train/part-00000-0000.arrow",
        "train/part-00001-0000.arrow",
    ]
    assert (
        splits["train"]["rows"] == 3
        and splits["train"]["tokens"] == 12
        and splits["train"]["source_tokens"] == {"pile": 12}
    )
    assert stats["sources"]["pile"] == {
        "docs": 9,
        "docs_train": 6,
        "docs_valid": 3,
        "tokens_produced": 20,
        "tokens_in_shards": 16,
        "tail_tokens": 4,
    }
    broken = _group("train", 2, 8, 1)
    broken["tokens_produced"] += 1  # a token that went nowhere
    with pytest.raises(AccountingError, match="split train"):
        summarize(groups + [broken], seq_len=4)
    with pytest.raises(AccountingError, match="valid docs"):
        summarize(groups[:3] + [{**groups[3], "docs": 2, "source_docs": json.dumps({"pile": 2})}], seq_len=4)


def test_write_shard_fs_is_byte_identical_to_write_shard(tmp_path):
    rows = (np.arange(3000 * 16) % 50000).reshape(-1, 16)
    local = write_shard(tmp_path / "a.arrow", rows, "uint16")
    fs, root = resolve_fs(str(tmp_path))
    assert isinstance(fs, pafs.LocalFileSystem)
    remote = write_shard_fs(fs, f"{root}/sub/b.arrow", rows, "uint16")
    assert local == remote
    assert (
        (tmp_path / "a.arrow").read_bytes()
        == (tmp_path / "sub" / "b.arrow").read_bytes()
        == shard_bytes(rows, "uint16").to_pybytes()
    )
    assert not list(tmp_path.rglob("*.tmp"))


def test_resolve_fs_reads_spark_file_uris():
    # Spark's _metadata.file_path: "file:" and percent-encoded; a user's location is literal
    fs, path = resolve_spark_file("file:/tmp/a%20b%25c/source=pile/part-0.parquet")
    assert isinstance(fs, pafs.LocalFileSystem) and path == "/tmp/a b%c/source=pile/part-0.parquet"
    assert resolve_fs("file:///tmp/x.parquet")[1] == "/tmp/x.parquet"
    assert resolve_fs("relative/dir")[1] == os.path.abspath("relative/dir")
