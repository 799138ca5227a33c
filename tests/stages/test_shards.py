"""The shards stage through Spark: exact contents, accounting, determinism, readers, ``corpus inspect``."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from corpus.config import recipe_from_dict
from corpus.runtime.runner import run_stage
from corpus.schema import DOCUMENT_SCHEMA
from corpus.stages.shards import is_valid, order_hash
from corpus.tokens.inspect import main as inspect_main
from corpus.tokens.shard_format import read_manifest, read_shard, sha256_file
from corpus.tokens.tokenizer import from_tokenizer_json
from tests.conftest import shared_file

pytestmark = pytest.mark.spark

SOURCES = ("bookcorpus", "pile", "reddit")
SPECIAL_TEXTS = ["", "Hello world", "a literal </s> inside a page", "Ünïcødé — 日本語 🎉\n\ttabs"]


def _documents() -> list[dict]:
    rng = np.random.default_rng(42)
    words = [
        "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=rng.integers(2, 9))) for _ in range(400)
    ] + ["the", "of", "and", "a", "to", "in", ".", ","]
    docs = []
    for src in SOURCES:
        for i in range(150):
            text = " ".join(rng.choice(words, size=int(rng.integers(1, 120))))
            docs.append({"doc_id": f"{src}/part-{i % 3}.jsonl#{i}", "source": src, "text": text})
        for j, text in enumerate(SPECIAL_TEXTS):
            docs.append({"doc_id": f"{src}/special#{j}", "source": src, "text": text})
    return docs


def _write_documents(path, docs):
    rows = [
        {**d, "subset": None, "url": None, "meta": None, "location": d["doc_id"], "n_records": 1}
        for d in docs
    ]
    table = pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)
    # several files per source, as a Spark-written dataset has (partitioned by source, hive style)
    ds.write_dataset(
        table, str(path), format="parquet", max_rows_per_file=70, max_rows_per_group=70,
        partitioning=ds.partitioning(pa.schema([("source", pa.string())]), flavor="hive"),
    )  # fmt: skip


def _recipe(**overrides):
    data = {
        "name": "test",
        "seed": 7,
        "sources": {s: {"paths": ["unused"]} for s in SOURCES},
        "tokenizer": {"kind": "train", "vocab_size": 500},
        "pack": {"seq_len": 64, "valid_fraction": 0.1, "groups": 6, "valid_groups": 1, "rows_per_shard": 20},
    }
    for key, value in overrides.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    return recipe_from_dict(data)


@pytest.fixture(scope="module")
def docs():
    return _documents()


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory, docs):
    path = tmp_path_factory.mktemp("documents")
    _write_documents(path, docs)
    return path


def _with_documents(out, docs_dir):
    """OUT with the documents where the tokenize and shards stages read them: OUT/dedup/documents."""
    shutil.copytree(docs_dir, out / "dedup" / "documents")
    return out


@pytest.fixture(scope="module")
def build(spark, tmp_path_factory, docs_dir):
    """As the build job runs it: the tokenize stage trains on OUT/dedup/documents and writes
    OUT/tokenizer/tokenizer.json, the shards stage reads both. (Build B in the determinism test trains its
    own tokenizer in its own OUT.)"""
    out = _with_documents(tmp_path_factory.mktemp("build_a"), docs_dir)
    tokenizer = run_stage(spark, _recipe(), str(out), "tokenize")
    assert tokenizer["path"] == str(out / "tokenizer" / "tokenizer.json")
    stats = run_stage(spark, _recipe(), str(out), "shards")
    return out, stats


def _shard_hashes(shards_dir):
    return {str(p.relative_to(shards_dir)): sha256_file(p) for p in sorted(shards_dir.rglob("*.arrow"))}


def _all_rows(shards_dir, manifest, split):
    return np.concatenate([read_shard(shards_dir / s["path"]) for s in manifest["splits"][split]["shards"]])


def test_manifest_matches_files_and_accounting(build, docs):
    out, stats = build
    assert json.loads((out / "stats" / "shards.json").read_text()) == json.loads(json.dumps(stats))
    assert (out / "_stages" / "tokenize.json").exists() and (out / "_stages" / "shards.json").exists()
    shards_dir = out / "shards"
    manifest = read_manifest(shards_dir)
    assert set(manifest["splits"]) == {"train", "valid", "valid/bookcorpus", "valid/pile", "valid/reddit"}
    assert (
        manifest["seq_len"],
        manifest["dtype"],
        manifest["eos_id"],
        manifest["pad_id"],
        manifest["seed"],
    ) == (64, "uint16", 2, 1, 7)
    listed = {s["path"] for split in manifest["splits"].values() for s in split["shards"]}
    assert listed == set(_shard_hashes(shards_dir))  # every file is listed, every listed file exists
    for split in manifest["splits"].values():
        for s in split["shards"]:
            rows = read_shard(shards_dir / s["path"])
            assert (s["sha256"], s["rows"], s["tokens"]) == (
                sha256_file(shards_dir / s["path"]),
                len(rows),
                rows.size,
            )
            assert 0 < s["rows"] <= 20 and sum(s["source_tokens"].values()) == s["tokens"]
        assert split["rows"] == sum(s["rows"] for s in split["shards"])
        assert split["tokens"] + split["tail_tokens"] == split["tokens_produced"]

    tok = from_tokenizer_json(shards_dir / "tokenizer.json").tokenizer
    assert manifest["tokenizer"]["sha256"] == from_tokenizer_json(out / "tokenizer" / "tokenizer.json").sha256
    assert (manifest["tokenizer"]["kind"], manifest["vocab_size"]) == ("train", 500)
    for src in SOURCES:  # independent recount from the input documents
        mine = [d for d in docs if d["source"] == src]
        held = [d for d in mine if is_valid(d["doc_id"], 7, 0.1)]
        s = stats["sources"][src]
        assert (s["docs"], s["docs_valid"]) == (len(mine), len(held))
        assert s["tokens_produced"] == sum(len(tok.encode(d["text"]).ids) + 1 for d in mine)
        assert s["tokens_in_shards"] + s["tail_tokens"] == s["tokens_produced"]
        assert manifest["splits"][f"valid/{src}"]["docs"] == len(held)
        assert set(manifest["splits"][f"valid/{src}"]["source_tokens"]) <= {src}
    # tails: fewer than one row per pack group (6 train groups, 1 valid group)
    assert manifest["splits"]["train"]["tail_tokens"] < 6 * 64
    assert all(manifest["splits"][k]["tail_tokens"] < 64 for k in manifest["splits"] if k != "train")
    # eos count: one </s> per train document, less those that fell into a dropped tail
    eos_in_train, train = (
        int((_all_rows(shards_dir, manifest, "train") == 2).sum()),
        manifest["splits"]["train"],
    )
    assert train["docs"] == len(docs) - manifest["splits"]["valid"]["docs"]
    assert train["docs"] - train["tail_tokens"] <= eos_in_train <= train["docs"]


def test_rows_are_the_documents_in_seeded_order(build, docs):
    """Rebuild group 0 of train from the documented rule: hash(seed, doc_id) % groups, ordered by
    (hash, doc_id), each document ids + [</s>], cut into rows of seq_len."""
    out, _ = build
    shards_dir = out / "shards"
    manifest = read_manifest(shards_dir)
    tok = from_tokenizer_json(shards_dir / "tokenizer.json").tokenizer
    for group in range(6):
        members = [
            d for d in docs if not is_valid(d["doc_id"], 7, 0.1) and order_hash(d["doc_id"], 7) % 6 == group
        ]
        members.sort(key=lambda d: (order_hash(d["doc_id"], 7), d["doc_id"]))
        stream = [t for d in members for t in tok.encode(d["text"]).ids + [2]]
        files = [
            s
            for s in manifest["splits"]["train"]["shards"]
            if s["path"].startswith(f"train/part-{group:05d}-")
        ]
        rows = np.concatenate([read_shard(shards_dir / s["path"]) for s in files])
        assert rows.reshape(-1).tolist() == stream[: len(rows) * 64]
        assert len(stream) - len(rows) * 64 < 64
        # rows mix sources: the global order is by hash, not by source
        switches = sum(a["source"] != b["source"] for a, b in zip(members, members[1:], strict=False))
        assert switches > len(members) / 2


def test_identical_shards_across_partitionings_and_runs(spark, build, docs_dir, tmp_path):
    out_a, _ = build
    out_b = _with_documents(tmp_path / "build_b", docs_dir)
    (out_b / "shards" / "train").mkdir(parents=True)
    (out_b / "shards" / "train" / "part-99999-0000.arrow").write_bytes(b"stale")  # from an older run
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "7")
    try:
        run_stage(spark, _recipe(partitions=16), str(out_b), "tokenize")  # trained anew in build B's OUT
        run_stage(spark, _recipe(partitions=16), str(out_b), "shards")
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous)
    hashes_a, hashes_b = _shard_hashes(out_a / "shards"), _shard_hashes(out_b / "shards")
    assert len(hashes_a) >= 10
    assert hashes_a == hashes_b  # the stale shard is gone too
    manifest_a, manifest_b = read_manifest(out_a / "shards"), read_manifest(out_b / "shards")
    assert manifest_a["splits"] == manifest_b["splits"]
    assert manifest_a["tokenizer"]["sha256"] == manifest_b["tokenizer"]["sha256"]


def test_opt_tokenizer_ids_in_shards(spark, tmp_path, docs_dir):
    vocab, merges = (
        shared_file("tokenizers", "opt", "gpt2-vocab.json"),
        shared_file("tokenizers", "opt", "gpt2-merges.txt"),
    )
    recipe = _recipe(
        tokenizer={"kind": "vocab_merges", "vocab": str(vocab), "merges": str(merges)},
        pack={"groups": 2, "seq_len": 32},
    )
    _with_documents(tmp_path, docs_dir)
    run_stage(spark, recipe, str(tmp_path), "tokenize")
    stats = run_stage(spark, recipe, str(tmp_path), "shards")
    manifest = read_manifest(tmp_path / "shards")
    assert (manifest["vocab_size"], manifest["dtype"], manifest["eos_id"]) == (50265, "uint16", 2)
    assert stats["tokenizer"]["kind"] == "vocab_merges"
    flat = np.concatenate(
        [_all_rows(tmp_path / "shards", manifest, s).reshape(-1) for s in ("train", "valid")]
    )
    text = flat.tobytes()
    # "Hello world" documents (one per source) appear as 31414 232 </s>, unless cut at a row edge or tail
    hits = text.count(np.array([31414, 232, 2], dtype="<u2").tobytes())
    assert 1 <= hits <= 3
    assert (
        np.array([2], dtype="<u2").tobytes() * 2 in text
    )  # the empty document: just </s>, after the previous </s>


def test_shards_open_in_pyarrow_memory_map(build):
    out, _ = build
    manifest = read_manifest(out / "shards")
    path = out / "shards" / manifest["splits"]["train"]["shards"][0]["path"]
    before = pa.total_allocated_bytes()
    table = pa.ipc.open_stream(pa.memory_map(str(path))).read_all()
    assert pa.total_allocated_bytes() == before  # buffers point into the mapped file: nothing was copied
    assert table.schema.field("input_ids").type == pa.list_(pa.uint16(), 64)
    assert np.array_equal(
        table.column("input_ids").combine_chunks().values.to_numpy().reshape(-1, 64), read_shard(path)
    )


def test_shards_open_in_polars(build):
    pl = pytest.importorskip("polars")
    out, _ = build
    manifest = read_manifest(out / "shards")
    path = out / "shards" / manifest["splits"]["train"]["shards"][0]["path"]
    frame = pl.read_ipc_stream(path)
    assert frame.schema["input_ids"] == pl.Array(pl.UInt16, 64)
    assert np.array_equal(frame["input_ids"].to_numpy(), read_shard(path))


def test_shards_open_in_duckdb(build):
    """DuckDB scans the memory-mapped Arrow table in place (its own ``read_arrow`` lives in a community
    extension that needs the network to install)."""
    duckdb = pytest.importorskip("duckdb")
    out, _ = build
    manifest = read_manifest(out / "shards")
    entry = manifest["splits"]["train"]["shards"][0]
    shard = pa.ipc.open_stream(pa.memory_map(str(out / "shards" / entry["path"]))).read_all()  # noqa: F841 (scanned by name)
    rows, tokens, first = duckdb.sql(
        "select count(*), sum(len(input_ids)), first(input_ids[1]) from shard"
    ).fetchall()[0]
    assert (rows, tokens) == (entry["rows"], entry["tokens"])
    assert first == int(read_shard(out / "shards" / entry["path"])[0, 0])


def test_shards_open_in_datasets_from_file(build):
    datasets = pytest.importorskip("datasets")
    out, _ = build
    manifest = read_manifest(out / "shards")
    path = out / "shards" / manifest["splits"]["valid"]["shards"][0]["path"]
    dataset = datasets.Dataset.from_file(str(path))
    assert len(dataset) == manifest["splits"]["valid"]["shards"][0]["rows"]
    assert dataset.with_format("numpy")[0]["input_ids"].tolist() == read_shard(path)[0].tolist()


def test_inspect_summary_row_and_verify(build, tmp_path, capsys):
    out, _ = build
    shards_dir = out / "shards"
    manifest = read_manifest(shards_dir)
    second = manifest["splits"]["train"]["shards"][1]
    first_rows = manifest["splits"]["train"]["shards"][0]["rows"]
    assert inspect_main([str(shards_dir), "--row", str(first_rows), "--verify", "--max-chars", "100000"]) == 0
    printed = capsys.readouterr().out
    assert "all shards match the manifest" in printed
    assert f"{manifest['splits']['train']['rows']:,d}" in printed and "valid/pile" in printed
    row = read_shard(shards_dir / second["path"])[0]  # row number first_rows = the second shard's first row
    tok = from_tokenizer_json(shards_dir / "tokenizer.json").tokenizer
    assert tok.decode(row.tolist(), skip_special_tokens=False) in printed

    copy = tmp_path / "shards"
    shutil.copytree(shards_dir, copy)
    data = bytearray((copy / second["path"]).read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit in the token data
    (copy / second["path"]).write_bytes(bytes(data))
    third = manifest["splits"]["train"]["shards"][2]["path"]
    cut = (copy / third).read_bytes()
    (copy / third).write_bytes(cut[: len(cut) // 2])  # cut mid-batch: not a readable Arrow stream any more
    assert inspect_main([str(copy), "--verify"]) == 1
    printed = capsys.readouterr().out
    assert f"{second['path']} sha256 differs" in printed and f"{third} cannot be read" in printed
    assert inspect_main([str(copy), "--split", "valid", "--row", "100000"]) == 2
    assert inspect_main([str(tmp_path)]) == 2  # not a shards directory
    json.loads((shards_dir / "manifest.json").read_text())  # still valid JSON after all of this
