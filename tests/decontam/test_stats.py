"""corpus/decontam/stats.py: counts per set and per source, the same however the documents are split."""

from __future__ import annotations

import numpy as np

from corpus.decontam.scan import CutPolicy, decide_batch, scan_batch
from corpus.decontam.stats import DecontamStats
from tests.decontam.helpers import english, plant


def test_stats_add_up_and_merge_in_any_order(real_sets, real_index):
    texts, planted = plant(real_sets, real_index, per_set=10, seed=11)
    texts += english(20, seed=12)  # clean ones
    sources = ["web" if i % 3 else "books" for i in range(len(texts))]
    doc_ids = [f"d{i:04d}" for i in range(len(texts))]
    policy = CutPolicy(margin=50, min_piece_chars=0, min_chars=100)

    def stats_of(parts):
        total = DecontamStats(real_index, max_examples=3)
        for part in parts:
            part_stats = DecontamStats(real_index, max_examples=3)
            batch = [texts[i] for i in part]
            result = scan_batch(batch, real_index)
            part_stats.add(
                result,
                real_index,
                [sources[i] for i in part],
                [doc_ids[i] for i in part],
                batch,
                decide_batch(batch, result, "cut", policy),
            )
            total.merge(part_stats)
        return total.as_dict()

    order = np.random.default_rng(0).permutation(len(texts)).tolist()
    one = stats_of([list(range(len(texts)))])
    assert stats_of([order[:17], order[17:40], order[40:]]) == one

    assert one["documents"] == len(texts) and one["documents_hit"] == len(planted)
    assert one["sources"]["web"]["documents"] + one["sources"]["books"]["documents"] == len(texts)
    assert sum(one["actions"].values()) == len(texts) and one["actions"]["clean"] == 20
    for s, info in enumerate(real_index.sets):
        got = one["sets"][info.name]
        mine = {p for p in planted if real_index.item_set[p] == s}
        assert got["items"] == info.items
        assert got["items_hit"] >= len(mine) and got["documents_hit"] >= len(mine)
        assert got["ngrams_matched"] == sum(v["ngrams_matched"] for v in got["by_source"].values())
        assert got["items_hit"] >= max(v["items_hit"] for v in got["by_source"].values())
        examples = got["examples"]
        assert 1 <= len(examples) <= 3
        assert [e["doc_id"] for e in examples] == sorted(e["doc_id"] for e in examples)
        for e in examples:
            text = texts[int(e["doc_id"][1:])]
            assert text[e["start"] : e["end"]].startswith(e["match"])
            assert all(loc.startswith(info.name + ":line ") for loc in e["items"])
