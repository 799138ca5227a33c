"""The filter stage through Spark: exact outputs and stats on a small Parquet input, the same result
whatever the partitioning, and counters that add up."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.accounting import AccountingError
from corpus.config import recipe_from_dict
from corpus.runtime.markers import marker_parts, read_stats
from corpus.runtime.runner import run_stage
from corpus.schema import DOCUMENT_SCHEMA
from corpus.stages.filter import FilterSettings, check_filter_accounting, filter_stats
from tests.filters.test_filters import CASES, ENGLISH_PARAGRAPH, ENGLISH_PARAGRAPH_2, MATH

pytestmark = pytest.mark.spark

DOCS = [
    # (doc_id, source, subset, text, n_records) -> expected outcome
    ("bookcorpus/b0.txt#0", "bookcorpus", None, ENGLISH_PARAGRAPH + "\n\n" + ENGLISH_PARAGRAPH_2, 1),
    ("bookcorpus/b1.txt#0", "bookcorpus", None, CASES["Latin"][0], 1),
    ("bookcorpus/b2.txt#0", "bookcorpus", None, CASES["mostly English, some French"][0], 1),
    ("pile/00.jsonl#0", "pile", "Pile-CC", CASES["English with URLs"][0], 1),
    ("pile/00.jsonl#1", "pile", "DM Mathematics", MATH, 1),
    ("pile/00.jsonl#2", "pile", "Pile-CC", "Subscribe to our newsletter.", 1),
    ("pile/00.jsonl#3", "pile", "Pile-CC", CASES["Irish"][0], 1),
    ("pile/00.jsonl#4", "pile", "Wikipedia (en)", CASES["Russian"][0] + " " + CASES["Russian"][0], 1),
    ("reddit#t3_a", "reddit", "AskMen", CASES["English with code"][0], 3),
    ("reddit#t3_b", "reddit", "AskMen", "\n".join(["[deleted]"] * 6 + [ENGLISH_PARAGRAPH]), 7),
    ("reddit#t3_c", "reddit", "AskMen", CASES["Scots"][0], 2),
]
KEPT = {"bookcorpus/b0.txt#0", "bookcorpus/b2.txt#0", "pile/00.jsonl#0", "pile/00.jsonl#1", "reddit#t3_a"}
DROPPED = {
    "bookcorpus/b1.txt#0": "not_english",
    "pile/00.jsonl#2": "too_short",
    "pile/00.jsonl#3": "not_english",
    "pile/00.jsonl#4": "not_english",
    "reddit#t3_b": "repeated_lines",
    "reddit#t3_c": "not_english",
}


def write_documents(out: Path, files_per_source: int, docs=DOCS) -> None:
    """OUT/documents (where the filter stage reads) as the ingest stage writes it: Parquet of
    DOCUMENT_SCHEMA under source=<name>/."""
    table = pa.Table.from_pylist(
        [
            {
                "doc_id": d,
                "source": s,
                "subset": sub,
                "url": None,
                "text": t,
                "meta": None,
                "location": f"{d}:line 1",
                "n_records": n,
            }
            for d, s, sub, t, n in docs
        ],
        schema=DOCUMENT_SCHEMA,
    )
    for source in sorted(set(table.column("source").to_pylist())):
        part = table.filter(pa.compute.equal(table.column("source"), source)).drop_columns(["source"])
        folder = out / "documents" / f"source={source}"
        folder.mkdir(parents=True)
        for i in range(files_per_source):  # rows dealt round-robin: a different split per file count
            rows = part.take([j for j in range(part.num_rows) if j % files_per_source == i])
            pq.write_table(rows, folder / f"part-{i:05d}.parquet")


def recipe(partitions: int):
    return recipe_from_dict(
        {
            "name": "filter-test",
            "seed": 7,
            "partitions": partitions,
            "sources": {name: {"paths": ["unused"]} for name in ("bookcorpus", "pile", "reddit")},
        }
    )


def settings(partitions: int) -> FilterSettings:
    return FilterSettings.from_recipe(recipe(partitions))


def read_dir(path: Path) -> list[dict]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: r["doc_id"])


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """The stage run twice on the same documents: input in 1 file per source and 1 output partition,
    then input in 3 files per source and 4 output partitions."""
    results = {}
    for files, partitions in ((1, 1), (3, 4)):
        out = tmp_path_factory.mktemp(f"filter-{files}-{partitions}") / "out"
        write_documents(out, files)
        stats = run_stage(spark, recipe(partitions), str(out), "filter")
        results[partitions] = (out, stats)
    return results


def test_outputs_are_exact(runs):
    out, _ = runs[4]
    kept = read_dir(out / "filtered")
    assert {r["doc_id"] for r in kept} == KEPT
    by_id = {d[0]: d for d in DOCS}
    for row in kept:  # the kept documents come through unchanged
        assert row["text"] == by_id[row["doc_id"]][3] and row["n_records"] == by_id[row["doc_id"]][4]
        assert row["source"] == by_id[row["doc_id"]][1]
    dropped = read_dir(out / "dropped")
    assert {r["doc_id"]: r["reason"] for r in dropped} == DROPPED
    assert {r["stage"] for r in dropped} == {"filter"}
    russian = next(r for r in dropped if r["doc_id"] == "pile/00.jsonl#4")
    assert russian["detail"] == "script" and russian["score"] == 0.0 and russian["subset"] == "Wikipedia (en)"
    assert (out / "filtered" / "source=pile").is_dir()
    assert out.joinpath(*marker_parts("filter")).exists()


def test_stats_are_exact_and_add_up(runs):
    out, stats = runs[4]
    assert read_stats(str(out), "filter") == stats
    s = stats["sources"]
    assert s["bookcorpus"] == {
        "in": 3,
        "kept": 2,
        "dropped": {"not_english": 1},
        "records_in": 3,
        "records_kept": 2,
        "records_dropped": {"not_english": 1},
        "english_checked": 3,
        "langdetect_calls": s["bookcorpus"]["langdetect_calls"],
        "langdetect_avoided": s["bookcorpus"]["langdetect_avoided"],
        "balanced": True,
        "kept_share": 0.6667,
        "written": 2,
        "written_dropped": 1,
    }
    assert s["pile"]["dropped"] == {"not_english": 2, "too_short": 1} and s["pile"]["kept"] == 2
    assert s["pile"]["english_checked"] == 3  # DM Mathematics is exempt; the newsletter line is too short
    assert s["reddit"]["records_in"] == 12 and s["reddit"]["records_dropped"] == {
        "not_english": 2,
        "repeated_lines": 7,
    }
    for source in s.values():
        assert source["in"] == source["kept"] + sum(source["dropped"].values())
        assert source["records_in"] == source["records_kept"] + sum(source["records_dropped"].values())
        assert source["langdetect_avoided"] <= source["english_checked"]
    total_checked = sum(x["english_checked"] for x in s.values())
    total_avoided = sum(x["langdetect_avoided"] for x in s.values())
    assert total_avoided >= total_checked - 2  # only the Scots and mixed documents may need langdetect


def test_same_result_whatever_the_partitioning(runs):
    (out1, stats1), (out4, stats4) = runs[1], runs[4]
    assert read_dir(out1 / "filtered") == read_dir(out4 / "filtered")
    assert read_dir(out1 / "dropped") == read_dir(out4 / "dropped")
    strip = lambda stats: {k: v for k, v in stats.items() if k != "elapsed_s"}  # noqa: E731
    assert strip({**stats1, "config": None}) == strip({**stats4, "config": None})


def test_documents_missing_from_the_files_fail_loudly():
    """The counters balance, but the files written by the tasks hold one kept (or dropped) document fewer."""
    counters = [("pile", "in", 5), ("pile", "kept", 2), ("pile", "dropped_not_english", 3)]
    counters += [
        ("pile", "records_in", 5),
        ("pile", "records_kept", 2),
        ("pile", "records_dropped_not_english", 3),
    ]
    check_filter_accounting(filter_stats(settings(1), counters, 0.0, {"pile": 2}))
    short = filter_stats(settings(1), counters, 0.0, {"pile": 1})
    assert short["sources"]["pile"]["written"] == 1 and not short["sources"]["pile"]["balanced"]
    with pytest.raises(AccountingError, match="pile: in 5, kept 2, dropped 3, kept documents in the files 1"):
        check_filter_accounting(short)
    check_filter_accounting(filter_stats(settings(1), counters, 0.0, {"pile": 2}, {"pile": 3}))
    lost_drop = filter_stats(settings(1), counters, 0.0, {"pile": 2}, {"pile": 2})
    with pytest.raises(AccountingError, match="dropped documents in the files 2"):
        check_filter_accounting(lost_drop)


def test_accounting_mismatch_fails_loudly(runs):
    _, stats = runs[1]
    broken = json.loads(json.dumps(stats))
    broken["sources"]["pile"]["kept"] += 1
    broken["sources"]["pile"]["balanced"] = False
    with pytest.raises(AccountingError, match="pile: in 5, kept 3, dropped 3"):
        check_filter_accounting(broken)
    assert stats["config"] == {**dataclasses.asdict(recipe(1).filter), "exempt_subsets": ["DM Mathematics"]}


def test_only_the_kept_attempts_files_are_moved_in(tmp_path):
    """A retried task's first attempt leaves its file in _attempts/; only the file named in the rows Spark
    kept ends up in the output, under the partition's name, and _attempts/ is gone."""
    import pyarrow.fs as pafs

    from corpus.runtime.fs import ATTEMPTS_DIR, move_task_files

    attempts = tmp_path / ATTEMPTS_DIR / "source=pile"
    attempts.mkdir(parents=True)
    (attempts / "part-00003.17.parquet").write_bytes(b"failed attempt")
    (attempts / "part-00003.18.parquet").write_bytes(b"kept attempt")
    rows = [{"source": "pile", "location": str(attempts / "part-00003.18.parquet"), "n_records": 4}]
    written = move_task_files(pafs.LocalFileSystem(), str(tmp_path), rows)
    assert written == {"pile": 4}
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "source=pile",
        "source=pile/part-00003.parquet",
    ]
    assert (tmp_path / "source=pile" / "part-00003.parquet").read_bytes() == b"kept attempt"


def test_dropped_files_of_several_sources_are_moved_once(tmp_path):
    """A dropped-documents file holds all sources of its task: one row per source, one move."""
    import pyarrow.fs as pafs

    from corpus.runtime.fs import ATTEMPTS_DIR, move_task_files

    attempts = tmp_path / ATTEMPTS_DIR
    attempts.mkdir()
    (attempts / "part-00001.5.parquet").write_bytes(b"dropped rows")
    location = str(attempts / "part-00001.5.parquet")
    rows = [
        {"source": "pile", "location": location, "n_records": 2},
        {"source": "reddit", "location": location, "n_records": 7},
    ]
    assert move_task_files(pafs.LocalFileSystem(), str(tmp_path), rows) == {"pile": 2, "reddit": 7}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part-00001.parquet"]
    with pytest.raises(ValueError, match="not a task file"):
        move_task_files(
            pafs.LocalFileSystem(),
            str(tmp_path),
            [{"source": "x", "location": "/elsewhere/p.parquet", "n_records": 1}],
        )


def test_no_dropped_document_still_leaves_a_readable_dropped_dataset(spark, tmp_path):
    """Every document kept: OUT/dropped holds one empty file with the dropped-rows schema."""
    from corpus.filters import DROPPED_SCHEMA

    keep = [d for d in DOCS if d[0] in KEPT]
    write_documents(tmp_path / "out", 1, docs=keep)
    stats = run_stage(spark, recipe(2), str(tmp_path / "out"), "filter")
    dropped = pq.read_table(tmp_path / "out" / "dropped")
    assert dropped.num_rows == 0 and dropped.schema.names == DROPPED_SCHEMA.names
    assert sum(s["kept"] for s in stats["sources"].values()) == len(KEPT)
