"""JSON-lines reading (corpus/sources/jsonl.py) through the BookCorpus JSON-lines layout: every damage
kind becomes its reject or skip at the right line, and every line is accounted for."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import zlib

import pyarrow as pa
import pytest
import zstandard

from corpus.schema import INGEST_ROW_SCHEMA
from corpus.sources import books
from corpus.sources.base import FileContext


def read_rows(data: bytes, rel_path: str, reader=books.read, source="bookcorpus", options=None):
    """All rows of one in-memory file, checked for accounting and for fitting the Arrow row schema."""
    ctx = FileContext(source, rel_path, options=options or {})
    rows = list(reader(io.BytesIO(data), ctx))
    assert ctx.records_read == sum(r["n_records"] for r in rows)
    pa.Table.from_pylist(rows, schema=INGEST_ROW_SCHEMA)
    return rows


def line(obj) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def kinds(rows):
    return [(r["kind"], r["reason"], r["location"]) for r in rows]


def test_documents_keep_ids_locations_meta_and_url():
    data = line({"text": "first book", "meta": {"pile_set_name": "bookcorpus/1"}, "title": "A"}) + line(
        {"text": "second book", "url": "http://x/2", "meta": {"title": "meta wins"}, "title": "top"}
    )
    rows = read_rows(data, "shelf/b.jsonl")
    assert [r["doc_id"] for r in rows] == ["bookcorpus/shelf/b.jsonl#0", "bookcorpus/shelf/b.jsonl#1"]
    assert [r["location"] for r in rows] == ["shelf/b.jsonl:line 1", "shelf/b.jsonl:line 2"]
    assert [r["text"] for r in rows] == ["first book", "second book"]
    assert json.loads(rows[0]["meta"]) == {"pile_set_name": "bookcorpus/1", "title": "A"}
    assert json.loads(rows[1]["meta"]) == {"title": "meta wins", "url": "http://x/2"}
    assert rows[1]["url"] == "http://x/2" and rows[0]["url"] is None


def test_every_damage_kind_is_counted_at_its_line():
    data = b"".join(
        [
            line({"text": "good"}),  # 1
            b'{"text": "cut in the mid\n',  # 2 invalid JSON (has its newline)
            b"[1, 2, 3]\n",  # 3 valid JSON, not an object
            b'{"text": "caf\xe9"}\n',  # 4 latin-1 byte
            b'{"text": "lone \\ud800 surrogate"}\n',  # 5 valid JSON, not encodable text
            b"\n",  # 6 blank line
            line({"text": ""}),  # 7
            line({"text": " \n\t "}),  # 8
            line({"title": "no text"}),  # 9
            line({"text": 42}),  # 10
            b'{"text": "pair \\ud83d\\ude00 ok"}\r\n',  # 11 a valid surrogate pair, CRLF
            b'{"text": "the file was cut he',  # 12 last line, no newline
        ]
    )
    rows = read_rows(data, "b.jsonl")
    assert kinds(rows) == [
        ("doc", None, "b.jsonl:line 1"),
        ("reject", "invalid_json", "b.jsonl:line 2"),
        ("reject", "invalid_json", "b.jsonl:line 3"),
        ("reject", "invalid_utf8", "b.jsonl:line 4"),
        ("reject", "invalid_utf8", "b.jsonl:line 5"),
        ("skip", "empty_document", "b.jsonl:line 6"),
        ("skip", "empty_document", "b.jsonl:line 7"),
        ("skip", "empty_document", "b.jsonl:line 8"),
        ("reject", "missing_text", "b.jsonl:line 9"),
        ("reject", "missing_text", "b.jsonl:line 10"),
        ("doc", None, "b.jsonl:line 11"),
        ("reject", "truncated_json", "b.jsonl:line 12"),
    ]
    assert rows[10]["text"] == "pair \U0001f600 ok" and rows[10]["doc_id"] == "bookcorpus/b.jsonl#10"
    assert rows[1]["snippet"] == '{"text": "cut in the mid'
    assert rows[3]["snippet"] == '{"text": "caf\ufffd"}'


def test_last_line_without_newline_that_parses_is_a_document():
    rows = read_rows(line({"text": "a"}) + b'{"text": "b"}', "b.jsonl")
    assert [(r["kind"], r["text"]) for r in rows] == [("doc", "a"), ("doc", "b")]


def test_bom_on_the_first_line_is_dropped():
    rows = read_rows(b"\xef\xbb\xbf" + line({"text": "a"}), "b.jsonl")
    assert [(r["kind"], r["text"]) for r in rows] == [("doc", "a")]


def _lines(n: int) -> bytes:
    return b"".join(line({"text": f"document number {i} " + "x" * (i % 97)}) for i in range(n))


@pytest.mark.parametrize("suffix", [".zst", ".gz", ".bz2"])
def test_truncated_compressed_stream_is_one_reject_at_the_bytes_consumed(suffix):
    data = _lines(20000)
    pack = {".zst": zstandard.ZstdCompressor().compress, ".gz": gzip.compress, ".bz2": bz2.compress}[suffix]
    cut = pack(data)[: len(pack(data)) // 2]
    # What a lenient decoder gets out of the cut stream: every complete line in it must become a document.
    if suffix == ".zst":
        prefix = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(cut), read_across_frames=True).read()
    elif suffix == ".gz":
        prefix = zlib.decompressobj(31).decompress(cut)
    else:
        prefix = bz2.BZ2Decompressor().decompress(cut)
    rows = read_rows(cut, "b.jsonl" + suffix)
    assert len(rows) == prefix.count(b"\n") + 1
    assert all(r["kind"] == "doc" for r in rows[:-1])
    assert (rows[-1]["kind"], rows[-1]["reason"]) == ("reject", "truncated_stream")
    assert rows[-1]["location"] == f"b.jsonl{suffix}@byte {len(cut)}"


def test_corrupt_bz2_data_is_a_truncated_stream_reject_not_a_failed_task():
    """bz2 says "Invalid data stream" with a plain OSError, the error kept for I/O failures (retried by
    Spark); a damaged block must end the file with a counted reject instead."""
    data = _lines(20000)
    packed = bytearray(bz2.compress(data, 1))  # 100 kB blocks: the damage is in a later block
    middle = len(packed) // 2
    packed[middle : middle + 64] = b"\x00" * 64
    rows = read_rows(bytes(packed), "b.jsonl.bz2")
    assert rows and all(r["kind"] == "doc" for r in rows[:-1])
    assert (rows[-1]["kind"], rows[-1]["reason"]) == ("reject", "truncated_stream")
    assert len(rows) - 1 < 20000  # the lines after the damage are not invented


def test_multi_stream_bz2_is_read_whole():
    data = _lines(300)
    rows = read_rows(bz2.compress(data[:5000]) + bz2.compress(data[5000:]), "b.jsonl.bz2")
    assert [r["text"] for r in rows] == [json.loads(x)["text"] for x in data.splitlines()]


def test_garbage_after_a_gzip_stream_is_a_truncated_stream_reject():
    data = _lines(50)
    rows = read_rows(gzip.compress(data) + b"not gzip at all", "b.jsonl.gz")
    assert [r["kind"] for r in rows] == ["doc"] * 50 + ["reject"]
    assert rows[-1]["reason"] == "truncated_stream"


@pytest.mark.parametrize(
    "suffix,pack",
    [
        ("", lambda d: d),
        (".gz", gzip.compress),
        (".zst", lambda d: zstandard.ZstdCompressor().compress(d)),
        (".bz2", bz2.compress),
        (".xz", lzma.compress),
    ],
)
def test_every_compression_gives_the_same_documents(suffix, pack):
    data = _lines(300)
    rows = read_rows(pack(data), "b.jsonl" + suffix)
    assert [r["text"] for r in rows] == [json.loads(x)["text"] for x in data.splitlines()]


def test_multi_frame_zstd_with_a_long_window_is_read_whole():
    # Pushshift dumps: several frames written with --long=31 (a window larger than zstd's default limit).
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=31, enable_ldm=True)
    compressor = zstandard.ZstdCompressor(compression_params=params)
    frames = b""
    for part in (_lines(100), _lines(50)):
        writer = compressor.compressobj()  # streaming: no content size, so the frame keeps its 2 GiB window
        frames += writer.compress(part) + writer.flush()
    assert zstandard.get_frame_parameters(frames).window_size == 2**31
    with pytest.raises(zstandard.ZstdError):  # what a default decoder says to such a file
        zstandard.ZstdDecompressor().stream_reader(io.BytesIO(frames)).read()
    rows = read_rows(frames, "b.jsonl.zst")
    assert len(rows) == 150 and all(r["kind"] == "doc" for r in rows)
    assert rows[100]["doc_id"] == "bookcorpus/b.jsonl.zst#100"


def test_a_20_mb_document_is_one_row():
    big = "word " * 4_000_000
    rows = read_rows(line({"text": "small"}) + line({"text": big}), "b.jsonl")
    assert [len(r["text"]) for r in rows] == [5, 20_000_000]
