"""The Pile reader keeps OPT's subsets by meta.pile_set_name and counts the rest as excluded."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import zstandard

from corpus.config import OPT_PILE_SUBSETS
from corpus.schema import INGEST_ROW_SCHEMA
from corpus.sources import pile
from corpus.sources.base import FileContext
from tests.conftest import shared_file

EXCLUDED = (
    "ArXiv",
    "Github",
    "FreeLaw",
    "Enron Emails",
    "PubMed Central",
    "BookCorpus2",
    "Books3",
    "YoutubeSubtitles",
)


def read_rows(stream, rel_path: str, options=None):
    ctx = FileContext("pile", rel_path, options=options or {})
    rows = list(pile.read(stream, ctx))
    assert ctx.records_read == sum(r["n_records"] for r in rows)
    pa.Table.from_pylist(rows, schema=INGEST_ROW_SCHEMA)
    return rows


def pile_file(records) -> bytes:
    return zstandard.ZstdCompressor().compress(b"".join(json.dumps(r).encode() + b"\n" for r in records))


def test_opt_subsets_are_kept_and_the_others_skipped_with_their_name():
    names = list(OPT_PILE_SUBSETS) + list(EXCLUDED)
    records = [{"text": f"doc of {n}", "meta": {"pile_set_name": n}} for n in names]
    rows = read_rows(io.BytesIO(pile_file(records)), "train/00.jsonl.zst")
    kept = [(r["doc_id"], r["subset"], r["text"]) for r in rows if r["kind"] == "doc"]
    assert kept == [
        (f"pile/train/00.jsonl.zst#{i}", n, f"doc of {n}") for i, n in enumerate(OPT_PILE_SUBSETS)
    ]
    skipped = [(r["reason"], r["subset"], r["location"]) for r in rows if r["kind"] == "skip"]
    assert skipped == [
        ("pile_subset_excluded", n, f"train/00.jsonl.zst:line {len(OPT_PILE_SUBSETS) + i + 1}")
        for i, n in enumerate(EXCLUDED)
    ]
    assert json.loads(rows[0]["meta"]) == {"pile_set_name": "Pile-CC"}


def test_the_subset_decides_before_the_text_is_looked_at():
    records = [
        {"meta": {"pile_set_name": "Github"}},  # excluded, and no text: still just excluded
        {"text": "x"},  # no set name at all
        {"text": "y", "meta": "not a table"},
        {"meta": {"pile_set_name": "Pile-CC"}},  # kept subset without text: damaged
        {"text": "", "meta": {"pile_set_name": "HackerNews"}},
    ]
    rows = read_rows(io.BytesIO(pile_file(records)), "00.jsonl.zst")
    assert [(r["kind"], r["reason"], r["subset"]) for r in rows] == [
        ("skip", "pile_subset_excluded", "Github"),
        ("skip", "pile_subset_excluded", None),
        ("skip", "pile_subset_excluded", None),
        ("reject", "missing_text", None),
        ("skip", "empty_document", "HackerNews"),
    ]


def test_recipe_option_chooses_the_subsets():
    records = [
        {"text": "a", "meta": {"pile_set_name": "ArXiv"}},
        {"text": "b", "meta": {"pile_set_name": "Pile-CC"}},
    ]
    rows = read_rows(io.BytesIO(pile_file(records)), "00.jsonl.zst", options={"pile_subsets": ("ArXiv",)})
    assert [(r["kind"], r["subset"]) for r in rows] == [("doc", "ArXiv"), ("skip", "Pile-CC")]
    none_kept = read_rows(io.BytesIO(pile_file(records)), "00.jsonl.zst", options={"pile_subsets": ()})
    assert [r["kind"] for r in none_kept] == ["skip", "skip"]


def test_real_pile_files():
    expected = {
        "00.jsonl.zst": "Pile-CC",
        "val.jsonl.zst": "OpenWebText2",
        "test.jsonl.zst": "Wikipedia (en)",
    }
    for name, subset in expected.items():
        path = shared_file("pile", name)
        reference = [
            json.loads(x)
            for x in zstandard.ZstdDecompressor()
            .decompress(path.read_bytes(), max_output_size=1 << 26)
            .splitlines()
        ]
        with path.open("rb") as stream:
            rows = read_rows(stream, name)
        assert len(rows) == len(reference) == 1
        assert (rows[0]["kind"], rows[0]["subset"], rows[0]["doc_id"]) == ("doc", subset, f"pile/{name}#0")
        assert rows[0]["text"] == reference[0]["text"]
