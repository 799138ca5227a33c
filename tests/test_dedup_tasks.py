"""The functions the dedup stage runs inside Spark tasks, called directly on Arrow batches (no Spark)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from corpus.config import DedupConfig
from corpus.dedup import band_layout, make_band_rows, make_edge_rows, make_features, make_scorer
from corpus.minhash import band_hashes, jaccard, make_permutations, shingle_set, text_signatures

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


def test_band_rows_are_the_band_hashes_of_each_document():
    cfg = DedupConfig()
    out = pa.Table.from_batches(list(make_band_rows(cfg, 7, 8, 16)(iter([_batch(IDS, TEXTS)])))).to_pylist()
    a, b = make_permutations(cfg.num_perm, 7)
    sig, counts = text_signatures(TEXTS, cfg.ngram, a, b)
    want = [
        {"band": band, "bucket": int(h), "doc_id": IDS[i]}
        for i in range(len(TEXTS))
        if counts[i]
        for band, h in enumerate(band_hashes(sig[i : i + 1], 8, 16)[0].view(np.int64))
    ]
    assert out == want and len(out) == 4 * 8


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
