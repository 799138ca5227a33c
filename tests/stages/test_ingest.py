"""The ingest stage end to end in local Spark: generated corpus vs its ground truth, accounting, determinism."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corpus.accounting import AccountingError
from corpus.config import recipe_from_dict
from corpus.runtime.markers import marker_parts
from corpus.runtime.runner import run_stage
from corpus.stages.ingest import IngestSettings, check_accounting, ingest_stats

pytestmark = pytest.mark.spark


def sample_recipe(sample_dir: Path, **overrides) -> object:
    sources = {
        "bookcorpus": {
            "paths": [str(sample_dir / "bookcorpus")],
            "include": ["*.txt", "*.txt.gz", "*.txt.zst", "*.jsonl"],
        },
        "ccstories": {
            "paths": [str(sample_dir / "ccstories")],
            "include": ["*.txt", "*.jsonl", "*.jsonl.zst"],
        },
        "ccnews": {"paths": [str(sample_dir / "ccnews")], "include": ["*.warc.gz"]},
        "pile": {"paths": [str(sample_dir / "pile")], "include": ["*.jsonl.zst"]},
        "reddit": {"paths": [str(sample_dir / "reddit")], "include": ["RC_*", "RS_*"]},
    }
    return recipe_from_dict({"name": "test-sample", "sources": sources, "partitions": 2, **overrides})


@pytest.fixture(scope="module")
def tiny_sample(tmp_path_factory) -> Path:
    from corpus.sample.generate import main as sample_main

    out = tmp_path_factory.mktemp("sample")
    assert sample_main(["--out", str(out), "--seed", "7", "--size", "tiny"]) == 0
    return out


@pytest.fixture(scope="module")
def ingested(spark, tiny_sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest")
    stats = run_stage(spark, sample_recipe(tiny_sample), str(out), "ingest")
    return out, stats


def read_documents(out: Path):
    return pq.read_table(out / "documents").to_pylist()


def gated(out: Path, truth: dict) -> set[str]:
    """The CC-News pages the language gate skipped: in the truth, not among the documents."""
    ids = {d["doc_id"] for d in read_documents(out)}
    return {i for i, d in truth["documents"].items() if d["source"] == "ccnews" and i not in ids}


def test_counts_match_ground_truth(ingested, tiny_sample):
    """The truth's counts, except that the recipe keeps English only, so the language gate skips CC-News
    pages that are certainly not English instead of extracting them: only non-English pages, each one
    counted as a ``not_english_html`` skip."""
    out, stats = ingested
    truth = json.loads((tiny_sample / "ground_truth.json").read_text())
    skipped = gated(out, truth)
    assert len(skipped) == 16
    assert "en" not in {truth["documents"][i]["lang"] for i in skipped}
    for source, expected in truth["expected"].items():
        got = stats["sources"][source]
        gate = {"not_english_html": len(skipped)} if source == "ccnews" else {}
        assert got["records"] == expected["records"], source
        assert got["documents"] == expected["documents"] - len(gate and skipped), source
        assert got["rejects"] == expected["rejects"], source
        # Normalization may empty a document the generator did not plant as empty; none should here.
        assert got["skips"] == expected["skips"] | gate, source
        assert got["balanced"], source
    assert json.loads((out / "stats" / "ingest.json").read_text()) == stats
    assert out.joinpath(*marker_parts("ingest")).exists()


def test_document_ids_are_the_ground_truth_ids(ingested, tiny_sample):
    out, _ = ingested
    truth = json.loads((tiny_sample / "ground_truth.json").read_text())
    ids = [d["doc_id"] for d in read_documents(out)]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(truth["documents"]) - gated(out, truth)


def test_without_the_gate_every_page_is_extracted(spark, tiny_sample, tmp_path):
    recipe = sample_recipe(tiny_sample, filter={"english": False})
    stats = run_stage(spark, recipe, str(tmp_path), "ingest")
    truth = json.loads((tiny_sample / "ground_truth.json").read_text())
    assert stats["sources"]["ccnews"]["documents"] == truth["expected"]["ccnews"]["documents"]
    assert "not_english_html" not in stats["sources"]["ccnews"]["skips"]


def test_every_reject_has_location_reason_and_snippet(ingested, tiny_sample):
    out, _ = ingested
    rows = pq.read_table(out / "rejects").to_pylist()
    rejects = [r for r in rows if r["kind"] == "reject"]
    truth = json.loads((tiny_sample / "ground_truth.json").read_text())
    assert len(rejects) == len(truth["corrupt"])
    for r in rejects:
        assert r["location"] and r["reason"] and r["stage"] == "ingest"
        assert r["snippet"] is not None or r["reason"] == "truncated_stream"
    assert {r["source"] for r in rows} <= {"bookcorpus", "ccstories", "ccnews", "pile", "reddit"}


def test_documents_are_normalized_and_complete(ingested):
    out, stats = ingested
    docs = read_documents(out)
    for d in docs:
        assert d["text"] and d["text"] == d["text"].strip()
        assert "\r" not in d["text"]
        assert d["location"]
    # The stats count exactly the characters that were written.
    assert sum(s["text_chars"] for s in stats["sources"].values()) == sum(len(d["text"]) for d in docs)


def test_identical_documents_with_1_and_8_partitions(spark, tiny_sample, ingested, tmp_path):
    out, _ = ingested
    recipe = sample_recipe(
        tiny_sample, partitions=8, ingest={"files_per_partition": 3, "partition_bytes": 1 << 16}
    )
    run_stage(spark, recipe, str(tmp_path), "ingest")

    def fingerprint(path):
        return sorted(
            (d["doc_id"], hashlib.sha256(d["text"].encode()).hexdigest()) for d in read_documents(path)
        )

    assert fingerprint(tmp_path) == fingerprint(out)


def test_accounting_check_fails_loudly():
    settings = IngestSettings.from_recipe(
        recipe_from_dict({"name": "t", "sources": {"pile": {"paths": ["x"]}}})
    )
    summary = [
        {"source": "pile", "kind": "counter", "reason": "records", "n": 10, "rows": 1, "chars": None},
        {"source": "pile", "kind": "doc", "reason": None, "n": 7, "rows": 7, "chars": 700},
        {
            "source": "pile",
            "kind": "skip",
            "reason": "pile_subset_excluded",
            "n": 2,
            "rows": 2,
            "chars": None,
        },
    ]
    stats = ingest_stats(settings, summary, 1.0)
    assert not stats["sources"]["pile"]["balanced"]
    with pytest.raises(AccountingError, match="records read 10 vs in documents 7 \\+ rejects 0 \\+ skips 2"):
        check_accounting(stats)
    summary.append(
        {"source": "pile", "kind": "reject", "reason": "invalid_json", "n": 1, "rows": 1, "chars": None}
    )
    check_accounting(ingest_stats(settings, summary, 1.0))
    check_accounting(ingest_stats(settings, summary, 1.0, written={"pile": 7}))
    # the task-written files hold one document fewer than the tasks counted
    with pytest.raises(AccountingError, match="documents 7, in the files written 6"):
        check_accounting(ingest_stats(settings, summary, 1.0, written={"pile": 6}))


def test_ingest_table_lists_totals_and_reasons(ingested):
    from corpus.report.tables import ingest_table

    _, stats = ingested
    text = ingest_table(stats)
    pile = stats["sources"]["pile"]
    line = next(row for row in text.splitlines() if row.startswith("pile "))
    assert line.split()[1:6] == [
        f"{v:,}"
        for v in (
            pile["files"],
            pile["records"],
            pile["documents"],
            sum(pile["rejects"].values()),
            sum(pile["skips"].values()),
        )
    ]
    assert line.split()[-1] == "ok"
    reason = next(row for row in text.splitlines() if row.startswith("skip: pile_subset_excluded"))
    assert (
        reason.split()[2 + list(stats["sources"]).index("pile")]
        == f"{pile['skips']['pile_subset_excluded']:,}"
    )


def test_files_are_packed_into_tasks_by_bytes_and_count():
    from corpus.stages.ingest import pack_files

    rows = [("s", f"f{i}", f"f{i}", size, "") for i, size in enumerate([90, 5, 5, 5, 3])]
    tasks = pack_files(rows, max_bytes=10, max_files=2)
    assert [[r[1] for r in t] for t in tasks] == [["f0"], ["f1", "f2"], ["f3", "f4"]]
    assert sorted(r for t in tasks for r in t) == sorted(rows)  # every file in exactly one task
    assert pack_files([], 10, 2) == [[]]
