"""The decontaminate stage in local Spark: evaluation items planted in deduplicated documents are found, and
the documents are dropped, cut or flagged, with every document accounted for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from corpus.config import recipe_from_dict
from corpus.decontam.scan import PIECE_JOINER
from corpus.runtime.layout import DECONTAM_DOCUMENTS, DEDUP_DOCUMENTS, DROPPED
from corpus.runtime.runner import run_stage, stage_fingerprints

pytestmark = pytest.mark.spark

SOURCES = {
    "bookcorpus": ["*.txt", "*.txt.gz", "*.txt.zst", "*.jsonl"],
    "ccstories": ["*.txt", "*.jsonl", "*.jsonl.zst"],
    "pile": ["*.jsonl.zst"],
}


def recipe(sample: Path, evalset: Path | None, action: str = "drop"):
    sources = {name: {"paths": [str(sample / name)], "include": include} for name, include in SOURCES.items()}
    decontaminate = {"action": action, "min_chars": 50, "min_piece_chars": 0, "margin": 0}
    if evalset is not None:
        decontaminate["sets"] = [{"name": "planted", "path": str(evalset), "fields": ["question", "choices"]}]
    return recipe_from_dict(
        {"name": "decontam", "sources": sources, "partitions": 2, "decontaminate": decontaminate}
    )


def words(text: str) -> list[str]:
    """The decontamination word rule, written out plainly: lower case, punctuation deleted, split."""
    return "".join(c for c in text.lower() if c.isalnum() or c.isspace()).split()


def ngrams(text: str, n: int = 13) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def documents(path: Path) -> dict[str, str]:
    table = ds.dataset(str(path), format="parquet", partitioning="hive").to_table()
    return dict(zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist(), strict=True))


@pytest.fixture(scope="module")
def deduplicated(spark, tmp_path_factory):
    """OUT after ingest, filter and dedup of the tiny sample, and the evaluation set planted from it."""
    from corpus.sample.generate import main as sample_main

    work = tmp_path_factory.mktemp("decontam")
    assert sample_main(["--out", str(work / "sample"), "--seed", "3", "--size", "tiny"]) == 0
    out = work / "out"
    base = recipe(work / "sample", None)
    for stage in ("ingest", "filter", "dedup"):
        run_stage(spark, base, str(out), stage)
    docs = documents(out / DEDUP_DOCUMENTS)
    # Items copied from three documents (a window of 30 words from the middle, case changed and
    # punctuation dropped, which the 13-gram rule ignores), and two items found nowhere.
    chosen = sorted(d for d, t in docs.items() if len(t.split()) > 120)[:3]
    items = []
    for i, doc_id in enumerate(chosen):
        words = docs[doc_id].split()
        window = " ".join(words[len(words) // 2 : len(words) // 2 + 30]).upper().replace(",", "")
        items.append({"question": window, "choices": ["yes", "no"], "id": f"q{i}"})
    items.append({"question": "zebra quantum lantern " * 6, "choices": ["a", "b"], "id": "absent-1"})
    items.append(
        {
            "question": "unrelated words that appear in no document at all, surely",
            "choices": [],
            "id": "absent-2",
        }
    )
    evalset = work / "planted.jsonl"
    evalset.write_text("".join(json.dumps(item) + "\n" for item in items))
    # Every document sharing a 13-gram with an item, by a plain set-of-n-grams scan: the chosen three, and
    # any other document the generator gave the same passage.
    item_grams = set().union(*(ngrams(item["question"] + " " + " ".join(item["choices"])) for item in items))
    hit = sorted(d for d, text in docs.items() if ngrams(text) & item_grams)
    assert set(chosen) <= set(hit)
    return work, out, docs, hit, evalset


def run_decontaminate(spark, deduplicated, tmp_path, action: str):
    work, out, docs, chosen, evalset = deduplicated
    mine = tmp_path / "out"
    shutil.copytree(out, mine)
    r = recipe(work / "sample", evalset, action)
    stats = run_stage(spark, r, str(mine), "decontaminate")
    return mine, r, stats


def test_drop_removes_exactly_the_documents_holding_an_item(spark, deduplicated, tmp_path):
    _, _, docs, chosen, _ = deduplicated
    out, r, stats = run_decontaminate(spark, deduplicated, tmp_path, "drop")
    kept = documents(out / DECONTAM_DOCUMENTS)
    assert set(kept) == set(docs) - set(chosen)
    assert all(kept[d] == docs[d] for d in kept)  # untouched text
    dropped = ds.dataset(str(out / DROPPED), format="parquet").to_table().to_pylist()
    mine = [row for row in dropped if row["stage"] == "decontaminate"]
    assert sorted(row["doc_id"] for row in mine) == chosen
    assert {(row["reason"], row["detail"]) for row in mine} == {("contaminated", "planted")}
    assert stats["documents"] == len(docs) and stats["documents_hit"] == len(chosen)
    planted = stats["sets"]["planted"]
    assert (planted["items"], planted["items_hit"], planted["documents_hit"]) == (5, 3, len(chosen))
    assert sum(s["dropped"] for s in stats["sources"].values()) == len(chosen)
    assert all(s["balanced"] and s["in"] == s["kept"] + s["dropped"] for s in stats["sources"].values())
    assert all(s["written"] == s["kept"] for s in stats["sources"].values())  # the task files hold them all
    assert json.loads((out / "stats" / "decontaminate.json").read_text()) == stats
    marker = json.loads((out / "_stages" / "decontaminate.json").read_text())
    assert marker["fingerprint"] == stage_fingerprints(r)["decontaminate"]


def test_cut_removes_only_the_matching_spans(spark, deduplicated, tmp_path):
    _, _, docs, chosen, evalset = deduplicated
    out, _, stats = run_decontaminate(spark, deduplicated, tmp_path, "cut")
    kept = documents(out / DECONTAM_DOCUMENTS)
    assert set(kept) == set(docs)  # long documents: what is left after the cut is kept
    planted = set().union(
        *(ngrams(json.loads(line)["question"]) for line in evalset.read_text().splitlines())
    )
    for doc_id in chosen:  # every matching n-gram is gone, and nothing but matching text went
        assert doc_id in kept and len(kept[doc_id]) < len(docs[doc_id])
        assert not ngrams(kept[doc_id]) & planted
    assert all(kept[d] == docs[d] for d in set(docs) - set(chosen))
    assert sum(s["cut"] for s in stats["sources"].values()) == len(chosen)
    for doc_id in chosen:  # what is left are pieces of the original, in order
        position = 0
        for piece in kept[doc_id].split(PIECE_JOINER):
            position = docs[doc_id].index(piece, position) + len(piece)
    # removed = original - kept + the blank lines that join the pieces (two characters per join)
    removed = sum(s["removed_chars"] for s in stats["sources"].values())
    joins = removed - sum(len(docs[d]) - len(kept[d]) for d in chosen)
    assert joins % len(PIECE_JOINER) == 0 and len(chosen) <= joins // len(PIECE_JOINER) <= 10 * len(chosen)


def test_flag_writes_no_documents_and_the_next_stages_read_dedup(spark, deduplicated, tmp_path):
    from corpus.runtime.layout import documents_to_tokenize

    out, r, stats = run_decontaminate(spark, deduplicated, tmp_path, "flag")
    assert not any((out / DECONTAM_DOCUMENTS).glob("**/*.parquet"))
    _, _, _, chosen, _ = deduplicated
    assert sum(s["flagged"] for s in stats["sources"].values()) == len(chosen)
    assert documents_to_tokenize(r.decontaminate) == DEDUP_DOCUMENTS


def test_without_sets_the_stage_is_off(spark, deduplicated, tmp_path):
    work, out, *_ = deduplicated
    mine = tmp_path / "out"
    shutil.copytree(out, mine)
    stats = run_stage(spark, recipe(work / "sample", None), str(mine), "decontaminate")
    assert stats == {"stage": "decontaminate", "recipe": "decontam", "enabled": False}
    assert not any((mine / DECONTAM_DOCUMENTS).glob("**/*.parquet"))


def test_an_edited_set_changes_the_fingerprint(deduplicated, tmp_path):
    work, _, _, _, evalset = deduplicated
    copy = tmp_path / "planted.jsonl"
    shutil.copy(evalset, copy)
    before = stage_fingerprints(recipe(work / "sample", copy))
    copy.write_text(copy.read_text() + json.dumps({"question": "one more", "choices": []}) + "\n")
    after = stage_fingerprints(recipe(work / "sample", copy))
    assert before["dedup"] == after["dedup"]
    assert before["decontaminate"] != after["decontaminate"] and before["shards"] != after["shards"]
