"""BookCorpus and CC-Stories readers: one document per text file, or per JSON line; real files included."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pytest
import zstandard
from pyarrow import fs as pafs

from corpus.schema import INGEST_ROW_SCHEMA
from corpus.sources import READERS, books, ccstories, reader_for
from corpus.sources.base import FileContext
from tests.conftest import shared_file

BOOK = "Chapter One\n\nIt was a bright cold day in April.\nThe clocks were striking thirteen.\n"


def read_rows(stream, rel_path: str, reader=books.read, source="bookcorpus"):
    ctx = FileContext(source, rel_path)
    rows = list(reader(stream, ctx))
    assert ctx.records_read == sum(r["n_records"] for r in rows)
    pa.Table.from_pylist(rows, schema=INGEST_ROW_SCHEMA)
    return rows


@pytest.mark.parametrize(
    "name,pack",
    [
        ("b.txt", lambda d: d),
        ("b.txt.gz", gzip.compress),
        ("b.txt.zst", lambda d: zstandard.ZstdCompressor().compress(d)),
        ("b", lambda d: d),
    ],
)
def test_a_text_file_is_one_book(name, pack):
    rows = read_rows(io.BytesIO(pack(BOOK.encode())), f"books/{name}")
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["doc_id"], row["location"], row["text"]) == (
        "doc",
        f"bookcorpus/books/{name}#0",
        f"books/{name}:line 1",
        BOOK,
    )
    assert row["n_records"] == 1 and row["meta"] is None and row["subset"] is None


def test_a_bom_is_dropped_and_nothing_else_changes():
    rows = read_rows(io.BytesIO(b"\xef\xbb\xbf" + BOOK.encode()), "b.txt")
    assert rows[0]["text"] == BOOK


def test_invalid_utf8_is_rejected_at_the_line_of_the_first_bad_byte():
    data = b"line one\nline two\nthe caf\xe9 on line three\nline four\n"
    rows = read_rows(io.BytesIO(data), "b.txt")
    assert [(r["kind"], r["reason"], r["location"]) for r in rows] == [
        ("reject", "invalid_utf8", "b.txt:line 3")
    ]
    assert rows[0]["snippet"].startswith("the caf\ufffd on line three")


@pytest.mark.parametrize("data", [b"", b" \n\n\t \n"])
def test_an_empty_book_is_skipped(data):
    rows = read_rows(io.BytesIO(data), "b.txt")
    assert [(r["kind"], r["reason"], r["location"]) for r in rows] == [
        ("skip", "empty_document", "b.txt:line 1")
    ]


def test_a_truncated_gzip_book_is_one_truncated_stream_reject():
    packed = gzip.compress(BOOK.encode() * 1000)
    cut = packed[: len(packed) // 2]
    rows = read_rows(io.BytesIO(cut), "b.txt.gz")
    assert [(r["kind"], r["reason"], r["location"]) for r in rows] == [
        ("reject", "truncated_stream", f"b.txt.gz@byte {len(cut)}")
    ]


def test_jsonl_layout_is_one_book_per_line():
    data = b"".join(
        json.dumps({"text": t, "meta": {"pile_set_name": f"bookcorpus/{i}"}}).encode() + b"\n"
        for i, t in enumerate(["A", "B"])
    )
    rows = read_rows(io.BytesIO(zstandard.ZstdCompressor().compress(data)), "b.jsonl.zst")
    assert [(r["doc_id"], r["text"], json.loads(r["meta"])) for r in rows] == [
        ("bookcorpus/b.jsonl.zst#0", "A", {"pile_set_name": "bookcorpus/0"}),
        ("bookcorpus/b.jsonl.zst#1", "B", {"pile_set_name": "bookcorpus/1"}),
    ]


@pytest.mark.parametrize(
    "rel_path,expected",
    [
        ("a.jsonl", True),
        ("a.json.gz", True),
        ("dir.jsonl/a.JSONL.ZST", True),
        ("a.txt", False),
        ("a.jsonl.txt", False),
        ("a", False),
    ],
)
def test_layout_is_chosen_by_name(rel_path, expected):
    assert books.is_json_lines(rel_path) is expected


def test_ccstories_reads_both_layouts():
    story = "The ship sailed at dawn."
    txt = read_rows(io.BytesIO(story.encode()), "s/1.txt", ccstories.read, "ccstories")
    assert [(r["doc_id"], r["source"], r["text"]) for r in txt] == [
        ("ccstories/s/1.txt#0", "ccstories", story)
    ]
    data = json.dumps({"text": story, "url": "http://a/b"}).encode() + b"\n" + b"{broken\n"
    jl = read_rows(io.BytesIO(data), "s.jsonl", ccstories.read, "ccstories")
    assert [(r["kind"], r["doc_id"], r["url"], r["reason"]) for r in jl] == [
        ("doc", "ccstories/s.jsonl#0", "http://a/b", None),
        ("reject", None, None, "invalid_json"),
    ]


def test_readers_registry_names_every_source():
    assert set(READERS) == {"bookcorpus", "ccstories", "ccnews", "pile", "reddit"}
    assert reader_for("ccstories", "x.txt") is ccstories.read
    with pytest.raises(ValueError, match="no reader for source 'books'"):
        reader_for("books")


def test_real_bookcorpus_jsonl_from_metaseq():
    path = shared_file("bookcorpus", "BookCorpusFair.jsonl")
    expected = json.loads(path.read_text(encoding="utf-8"))
    # Read the way a Spark task does: a pyarrow input stream, decompression left to the reader.
    with pafs.LocalFileSystem().open_input_stream(str(path), compression=None) as stream:
        rows = read_rows(stream, "BookCorpusFair.jsonl")
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "doc" and row["doc_id"] == "bookcorpus/BookCorpusFair.jsonl#0"
    assert row["text"] == expected["text"] and len(row["text"]) == 464_645
    assert json.loads(row["meta"]) == {
        "pile_set_name": "bookcorpus/021819",
        "filename": "u3818.txt",
        "genre": "Young_Adult",
    }
    assert row["text"].startswith("Prologue\n\nTyler\n\n")


def test_real_gutenberg_book_as_one_text_file():
    path = shared_file("gutenberg", "1342-0.txt")
    with path.open("rb") as stream:
        rows = read_rows(stream, "gutenberg/1342-0.txt")
    assert len(rows) == 1 and rows[0]["kind"] == "doc"
    text = rows[0]["text"]
    assert text == path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    assert len(text) == 728_744 and "It is a truth universally acknowledged" in text
