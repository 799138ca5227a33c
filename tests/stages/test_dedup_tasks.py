"""The functions the dedup stage runs inside Spark tasks (corpus/dedup/), called directly on Arrow batches
(no Spark)."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.config import DedupConfig
from corpus.dedup.document_rows import make_document_rows
from corpus.dedup.edge_rows import make_edge_rows
from corpus.dedup.kept_files import (
    KEPT_SCHEMA,
    WRITTEN_SCHEMA,
    copy_kept_documents,
    copy_kept_files,
    file_slots,
)
from corpus.dedup.minhash import band_hashes, jaccard, make_permutations, shingle_set, text_signatures
from corpus.dedup.plan import band_layout
from corpus.dedup.verification import make_features, make_scorer

TEXTS = [
    " ".join(f"w{i}" for i in range(60)),
    " ".join(f"w{i}" for i in range(59)) + " other",
    "short text",
    "?!",  # no tokens: no band rows
    " ".join(f"v{i}" for i in range(80)),
]
IDS = [f"pile/x#{i}" for i in range(len(TEXTS))]


def _batch(ids, texts) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(ids), pa.array(texts)], names=["doc_id", "text"])


def _document_batch(ids, texts) -> pa.RecordBatch:
    n = len(ids)
    return pa.RecordBatch.from_arrays(
        [pa.array(ids), pa.array(["pile"] * n), pa.array(["file:/in/part-0.parquet"] * n), pa.array(texts)],
        names=["doc_id", "source", "file", "text"],
    )


def test_document_rows_hold_size_sha256_and_the_band_hashes_of_each_document():
    cfg = DedupConfig()
    texts = [*TEXTS, "café ünïcode " * 30]
    ids = [f"pile/x#{i}" for i in range(len(texts))]
    rows = pa.Table.from_batches(list(make_document_rows(cfg, 7, 8, 16)(iter([_document_batch(ids, texts)]))))
    a, b = make_permutations(cfg.num_perm, 7)
    sig, counts = text_signatures(texts, cfg.ngram, a, b)
    want = [
        {
            "doc_id": ids[i],
            "source": "pile",
            "file": "file:/in/part-0.parquet",
            "n_bytes": len(t.encode()),
            "text_hash": hashlib.sha256(t.encode()).digest(),
            "buckets": band_hashes(sig[i : i + 1], 8, 16)[0].view(np.int64).tolist() if counts[i] else [],
        }
        for i, t in enumerate(texts)
    ]
    assert rows.to_pylist() == want
    assert [len(r["buckets"]) for r in want] == [8, 8, 8, 0, 8, 8]  # "?!" has no shingle


def test_document_rows_without_bands_compute_no_signature():
    rows = make_document_rows(DedupConfig(), 7, 8, 16, bands=False)(iter([_document_batch(IDS, TEXTS)]))
    table = pa.Table.from_batches(list(rows))
    assert table.column("buckets").to_pylist() == [[]] * len(TEXTS)
    assert table.column("n_bytes").to_pylist() == [len(t.encode()) for t in TEXTS]


def test_copy_kept_documents_leaves_out_the_removed_ids(tmp_path):
    source_file = tmp_path / "in" / "source=pile" / "part-00003.parquet"
    source_file.parent.mkdir(parents=True)
    docs = [
        {
            "doc_id": f"pile/a#{i}",
            "subset": "s",
            "url": None,
            "text": f"text {i}",
            "meta": "{}",
            "location": "x",
            "n_records": 1,
        }
        for i in range(2500)
    ]
    table = pa.Table.from_pylist(docs, schema=KEPT_SCHEMA)
    pq.write_table(table, source_file, row_group_size=1000)  # three row groups
    removed = ["pile/a#0", "pile/a#1500", "pile/a#2499", "pile/not-here"]
    out = tmp_path / "documents"
    written = copy_kept_documents(f"file:{source_file}", "pile", 4, removed, str(out), attempt=17)
    path = out / "_attempts" / "source=pile" / "part-00004.17.parquet"
    kept = [d for d in docs if d["doc_id"] not in removed]
    assert written == [
        {
            "source": "pile",
            "location": str(path),
            "n_records": 2497,
            "n_bytes": sum(len(d["text"]) for d in kept),
        }
    ]
    assert pq.read_table(path).to_pylist() == kept


def test_copy_kept_documents_writes_nothing_when_all_are_removed(tmp_path):
    source_file = tmp_path / "part-00000.parquet"
    rows = [
        {
            "doc_id": "d",
            "subset": None,
            "url": None,
            "text": "t",
            "meta": "{}",
            "location": "x",
            "n_records": 1,
        }
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=KEPT_SCHEMA), source_file)
    out = tmp_path / "documents"
    assert copy_kept_documents(str(source_file), "pile", 0, ["d"], str(out), attempt=0) == []
    assert not out.exists()


def test_copy_kept_files_copies_each_file_of_the_batch(tmp_path):
    files = []
    for number in range(2):
        path = tmp_path / f"in-{number}.parquet"
        rows = [
            {
                "doc_id": f"d{number}-{i}",
                "subset": None,
                "url": None,
                "text": "t" * (i + 1),
                "meta": "{}",
                "location": "x",
                "n_records": 1,
            }
            for i in range(3)
        ]
        pq.write_table(pa.Table.from_pylist(rows, schema=KEPT_SCHEMA), path)
        files.append(str(path))
    batch = pa.RecordBatch.from_pylist(
        [
            {"file": files[0], "source": "pile", "number": 0, "ids": None},  # nothing removed
            {"file": files[1], "source": "reddit", "number": 1, "ids": ["d1-2", "d1-0"]},
        ]
    )
    out = tmp_path / "documents"
    written = pa.Table.from_batches(list(copy_kept_files(iter([batch]), str(out), attempt=5)), WRITTEN_SCHEMA)
    assert written.to_pylist() == [
        {
            "source": "pile",
            "location": f"{out}/_attempts/source=pile/part-00000.5.parquet",
            "n_records": 3,
            "n_bytes": 6,
        },
        {
            "source": "reddit",
            "location": f"{out}/_attempts/source=reddit/part-00001.5.parquet",
            "n_records": 1,
            "n_bytes": 2,
        },
    ]


def test_file_slots_pack_the_largest_files_first_onto_the_least_loaded_task():
    sizes = [5, 1, 9, 3, 3, 7]
    assert file_slots(sizes, 3) == [2, 2, 0, 2, 1, 1]  # loads 9, 10, 9: slot 0 holds the largest file
    assert file_slots(sizes, 100) == [2, 5, 0, 3, 4, 1]  # more tasks than files: one file each, largest first
    assert file_slots([4] * 10, 4) == [0, 1, 2, 3] * 2 + [0, 1]
    assert file_slots([], 4) == []


def test_edge_rows_keep_bucket_state_across_batches():
    rows = sorted([(0, 5, f"d{i:02d}") for i in range(6)] + [(0, 9, "a"), (0, 9, "b"), (1, 5, "d00")])
    batches = [
        pa.RecordBatch.from_pylist(
            [{"band": b, "bucket": k, "doc_id": d} for b, k, d in rows[i : i + 2]],
            schema=pa.schema([("band", pa.int32()), ("bucket", pa.int64()), ("doc_id", pa.string())]),
        )
        for i in range(0, len(rows), 2)
    ]
    edges = pa.Table.from_batches(list(make_edge_rows(1, 3)(iter(batches)))).to_pylist()
    got = {(e["doc_a"], e["doc_b"]) for e in edges}
    # bucket (0, 5): d00..d02 pairwise, then d03..d05 to the smallest only; bucket (0, 9): a-b; (1, 5): alone
    assert got == {
        ("d00", "d01"),
        ("d00", "d02"),
        ("d01", "d02"),
        ("d00", "d03"),
        ("d00", "d04"),
        ("d00", "d05"),
        ("a", "b"),
    }


@pytest.mark.parametrize("verify", ["exact", "signature"])
def test_features_and_scores(verify):
    cfg = DedupConfig(verify=verify)
    features = pa.Table.from_batches(list(make_features(cfg, 3)(iter([_batch(IDS[:2], TEXTS[:2])]))))
    fa, fb = features.column("feature").to_pylist()
    pairs = pa.RecordBatch.from_arrays(
        [pa.array([IDS[0]]), pa.array([IDS[1]]), pa.array([fa], pa.binary()), pa.array([fb], pa.binary())],
        names=["doc_a", "doc_b", "feature_a", "feature_b"],
    )
    [scored] = pa.Table.from_batches(list(make_scorer(verify)(iter([pairs])))).to_pylist()
    truth = jaccard(shingle_set(TEXTS[0], 5), shingle_set(TEXTS[1], 5))  # 55 / 57
    if verify == "exact":
        assert scored["jaccard"] == pytest.approx(truth, abs=1e-12)
    else:
        assert abs(scored["jaccard"] - truth) < 0.1 and len(fa) == cfg.num_perm * 8


def test_band_layout_in_stats():
    layout = band_layout(DedupConfig())
    assert (layout["bands"], layout["rows"]) == (8, 16)
    assert layout["recall_at_threshold"] >= 0.99 and len(layout["s_curve"]) == 101
