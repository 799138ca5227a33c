"""CC-News WARC reader: record types, HTTP status and content type, damaged records and streams, the
old WARC/0.18 format, byte locations, both HTML extractors; on hand-built WARCs and the real samples."""

from __future__ import annotations

import gzip
import io
import json
import zlib

import pyarrow as pa
import pytest
from pyarrow import fs as pafs

from corpus.schema import INGEST_ROW_SCHEMA
from corpus.sources import warc
from corpus.sources.base import FileContext
from tests.conftest import shared_file

PARAGRAPHS = [
    "The storm reached the northern coast early on Monday, flooding low streets and closing the harbour "
    "for the first time in a decade, officials said in a statement released before noon.",
    "Residents in three villages were moved to schools on higher ground while crews cleared fallen trees "
    "from the main road, which reopened in the evening after engineers checked two bridges.",
    "Forecasters expect the wind to ease by Wednesday, but they warned that heavy rain could return at the "
    "weekend and asked people living near rivers to follow the advice of local emergency services.",
]
ARTICLE = (
    "<!DOCTYPE html><html><head><title>Storm hits the coast</title>"
    '<meta property="article:published_time" content="2021-08-30T09:00:00Z"></head><body>'
    '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>'
    "<article><h1>Storm hits the coast</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>"
    "<footer><p>Copyright 2021 Example News. All rights reserved.</p></footer></body></html>"
)


def http(
    body: bytes,
    status: bytes = b"200 OK",
    headers: tuple = ((b"Content-Type", b"text/html; charset=utf-8"),),
    eol=b"\r\n",
) -> bytes:
    head = [b"HTTP/1.1 " + status] + [k + b": " + v for k, v in headers]
    return eol.join(head) + eol + eol + body


def record(
    warc_type: str,
    block: bytes,
    rid: str = "1",
    uri: str = "http://news.example.com/storm",
    version=b"WARC/1.0",
    eol=b"\r\n",
    content_type=None,
    extra=(),
) -> bytes:
    if content_type is None:
        content_type = (
            f"application/http; msgtype={warc_type}"
            if warc_type in ("request", "response", "revisit")
            else "application/warc-fields"
        )
    fields = [
        version,
        f"WARC-Type: {warc_type}".encode(),
        f"WARC-Record-ID: <urn:uuid:{rid}>".encode(),
        b"WARC-Date: 2021-09-01T12:00:00Z",
        f"WARC-Target-URI: {uri}".encode(),
        f"Content-Type: {content_type}".encode(),
        *extra,
        f"Content-Length: {len(block)}".encode(),
    ]
    return eol.join(fields) + eol + eol + block + eol + eol


def per_record_gzip(records: list[bytes]) -> bytes:
    return b"".join(gzip.compress(r) for r in records)


def read_rows(data: bytes, rel_path: str = "news.warc.gz", extractor: str = "resiliparse"):
    ctx = FileContext("ccnews", rel_path, options={"html_extractor": extractor})
    rows = list(warc.read(io.BytesIO(data), ctx))
    assert ctx.records_read == sum(r["n_records"] for r in rows)
    pa.Table.from_pylist(rows, schema=INGEST_ROW_SCHEMA)
    return rows


def summary(rows):
    return [(r["kind"], r["reason"]) for r in rows]


def a_crawl() -> list[bytes]:
    return [
        record("warcinfo", b"software: test\r\n", rid="0"),
        record("request", b"GET /storm HTTP/1.1\r\nHost: news.example.com\r\n\r\n", rid="1"),
        record("response", http(ARTICLE.encode()), rid="2"),
        record("metadata", b"fetchTimeMs: 12\r\n", rid="3"),
        record(
            "revisit",
            http(b"", headers=()),
            rid="4",
            extra=(b"WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",),
        ),
        record("response", http(b"<html>gone</html>", status=b"404 Not Found"), rid="5"),
        record("response", http(b"\x89PNG....", headers=((b"Content-Type", b"image/png"),)), rid="6"),
        record("response", http(b"<html><body><div></div></body></html>"), rid="7"),
        record(
            "response", b"\x00\x01 dns answer", rid="8", uri="dns:news.example.com", content_type="text/dns"
        ),
    ]


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
def test_each_record_type_and_status_has_its_row(extractor):
    rows = read_rows(per_record_gzip(a_crawl()), extractor=extractor)
    assert summary(rows) == [
        ("skip", "warc_warcinfo"),
        ("skip", "warc_request"),
        ("doc", None),
        ("skip", "warc_metadata"),
        ("skip", "warc_revisit"),
        ("skip", "http_not_200"),
        ("skip", "not_html"),
        ("skip", "empty_extraction"),
        ("skip", "not_html"),
    ]
    doc = rows[2]
    assert doc["doc_id"] == "ccnews/news.warc.gz#<urn:uuid:2>"
    assert (doc["url"], doc["subset"], doc["source"]) == (
        "http://news.example.com/storm",
        "news.example.com",
        "ccnews",
    )
    for paragraph in PARAGRAPHS:
        assert paragraph in doc["text"]
    assert "Sport" not in doc["text"] and "All rights reserved" not in doc["text"]
    meta = json.loads(doc["meta"])
    assert meta["warc_date"] == "2021-09-01T12:00:00Z" and meta["title"] == "Storm hits the coast"
    if extractor == "trafilatura":
        assert meta["date"] == "2021-08-30"
    assert rows[7]["subset"] == "news.example.com"  # empty extraction keeps its host for the report


def test_locations_are_gzip_member_offsets_and_plain_offsets():
    records = a_crawl()
    packed = per_record_gzip(records)
    rows = read_rows(packed)
    member_offsets = [sum(len(gzip.compress(r)) for r in records[:i]) for i in range(len(records))]
    assert [r["location"] for r in rows] == [f"news.warc.gz@byte {o}" for o in member_offsets]
    for offset in member_offsets:
        assert zlib.decompressobj(31).decompress(packed[offset:]).startswith(b"WARC/1.0\r\n")

    plain = b"".join(records)
    rows = read_rows(plain, "news.warc")
    assert [r["location"] for r in rows] == [
        f"news.warc@byte {sum(len(r) for r in records[:i])}" for i in range(len(records))
    ]

    # One gzip member for the whole file: later records are located inside it.
    rows = read_rows(gzip.compress(plain), "whole.warc.gz")
    assert rows[0]["location"] == "whole.warc.gz@byte 0"
    assert rows[2]["location"] == f"whole.warc.gz@byte 0+{len(records[0]) + len(records[1])}"


def test_http_payload_codings_and_charsets_are_undone():
    text = PARAGRAPHS[0]
    page = f"<html><head><title>t</title></head><body><article><p>{text}</p><p>Caf\u00e9 culture.</p></article></body></html>"
    chunked = page.encode()
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (100, chunked[:100], len(chunked) - 100, chunked[100:])
    records = [
        record(
            "response",
            http(chunked, headers=((b"Content-Type", b"text/html"), (b"Transfer-Encoding", b"chunked"))),
            rid="a",
        ),
        record(
            "response",
            http(
                gzip.compress(page.encode()),
                headers=((b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip")),
            ),
            rid="b",
        ),
        record(
            "response",
            http(page.encode("latin-1"), headers=((b"Content-Type", b"text/html; charset=ISO-8859-1"),)),
            rid="c",
        ),
        record("response", http(page.encode(), headers=()), rid="d"),  # no Content-Type: sniffed as HTML
        record(
            "response",
            http(page.encode(), headers=((b"Content-Type", b"text/html"), (b"Content-Encoding", b"br"))),
            rid="e",
        ),
    ]
    rows = read_rows(per_record_gzip(records))
    assert summary(rows) == [("doc", None)] * 4 + [("reject", "warc_bad_http")]
    for row in rows[:4]:
        assert text in row["text"] and "Caf\u00e9 culture." in row["text"]


def test_broken_http_headers_are_rejected_and_reading_goes_on():
    records = [
        record(
            "response", b"HTTP/1.1 OK\r\nContent-Type: text/html\r\n\r\n<html></html>", rid="a"
        ),  # no status code
        record(
            "response", b"HTTP/1.1 200 OK\r\nContent-Type text/html\r\n\r\n<html></html>", rid="b"
        ),  # no colon
        record(
            "response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<html>no blank line</html>", rid="c"
        ),
        record("response", b"<html>no HTTP head at all</html>", rid="d"),
        record("response", http(ARTICLE.encode()), rid="e"),
    ]
    rows = read_rows(per_record_gzip(records))
    assert summary(rows) == [("reject", "warc_bad_http")] * 4 + [("doc", None)]
    assert rows[0]["snippet"].startswith("HTTP/1.1 OK")
    assert all(r["location"].startswith("news.warc.gz@byte ") for r in rows)


def test_bad_warc_records_are_rejected_and_the_next_record_is_found():
    good = record("response", http(ARTICLE.encode()), rid="good")
    no_length = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:x>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<html>lost</html>\r\n\r\n"
    bad_field = (
        b"WARC/1.0\r\nWARC-Type: resource\r\nthis line has no colon\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"
    )
    no_type = b"WARC/1.0\r\nWARC-Record-ID: <urn:uuid:y>\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
    plain = b"".join(
        [
            good,
            b"garbage between records\r\nmore garbage\r\n",
            good,
            no_length,
            good,
            bad_field,
            no_type,
            good,
        ]
    )
    rows = read_rows(plain, "n.warc")
    assert summary(rows) == [
        ("doc", None),
        ("reject", "warc_bad_record"),
        ("doc", None),
        ("reject", "warc_bad_record"),
        ("doc", None),
        ("reject", "warc_bad_record"),
        ("reject", "warc_bad_record"),
        ("doc", None),
    ]
    assert rows[1]["location"] == f"n.warc@byte {len(good)}"
    assert rows[1]["snippet"] == "garbage between records\r\n"


def test_old_warc_0_18_records_are_read():
    # ClueWeb09 / early Internet Archive layout: WARC/0.18, a TREC id, sometimes LF-only line ends.
    extra = (b"WARC-TREC-ID: clueweb09-en0000-00-00000", b"WARC-Identified-Payload-Type: text/html")
    crlf = record("response", http(ARTICLE.encode()), rid="c1", version=b"WARC/0.18", extra=extra)
    lf = record(
        "response",
        http(ARTICLE.encode(), eol=b"\n"),
        rid="c2",
        version=b"WARC/0.18",
        eol=b"\n",
        extra=extra,
        uri="<http://old.example.org/a>",
    )
    warcinfo = record("warcinfo", b"software: Nutch 1.0-dev\r\n", rid="c0", version=b"WARC/0.18")
    rows = read_rows(per_record_gzip([warcinfo, crlf, lf]), "ClueWeb09_English_1/00.warc.gz")
    assert summary(rows) == [("skip", "warc_warcinfo"), ("doc", None), ("doc", None)]
    assert rows[2]["url"] == "http://old.example.org/a" and rows[2]["subset"] == "old.example.org"
    assert PARAGRAPHS[1] in rows[2]["text"]


def test_a_truncated_gzip_warc_ends_with_one_reject_at_the_bytes_consumed():
    records = a_crawl()
    packed = per_record_gzip(records)
    third_member = sum(len(gzip.compress(r)) for r in records[:2])
    cut = packed[: third_member + 120]  # inside the article's member
    rows = read_rows(cut)
    assert summary(rows) == [
        ("skip", "warc_warcinfo"),
        ("skip", "warc_request"),
        ("reject", "truncated_stream"),
    ]
    assert rows[-1]["location"] == f"news.warc.gz@byte {len(cut)}"


def test_a_plain_warc_cut_inside_a_record_is_a_truncated_stream():
    plain = b"".join(a_crawl())
    cut = plain[: len(plain) - 10]
    rows = read_rows(cut, "n.warc")
    assert summary(rows)[-1] == ("reject", "truncated_stream") and len(rows) == len(a_crawl())
    assert rows[-1]["location"] == f"n.warc@byte {len(cut)}"


def test_garbage_after_the_last_gzip_member_is_a_truncated_stream():
    rows = read_rows(per_record_gzip(a_crawl()[:2]) + b"this is not gzip")
    assert summary(rows) == [
        ("skip", "warc_warcinfo"),
        ("skip", "warc_request"),
        ("reject", "truncated_stream"),
    ]


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
def test_real_wget_warc_sample(extractor):
    path = shared_file("warc", "sample-0000.warc.gz")
    with pafs.LocalFileSystem().open_input_stream(str(path), compression=None) as stream:
        ctx = FileContext("ccnews", "sample-0000.warc.gz", options={"html_extractor": extractor})
        rows = list(warc.read(stream, ctx))
    assert ctx.records_read == sum(r["n_records"] for r in rows) == 48
    counts = {}
    for r in rows:
        counts[(r["kind"], r["reason"])] = counts.get((r["kind"], r["reason"]), 0) + 1
    assert counts == {
        ("doc", None): 22,
        ("skip", "warc_request"): 22,
        ("skip", "warc_warcinfo"): 1,
        ("skip", "warc_metadata"): 1,
        ("skip", "warc_resource"): 2,
    }
    packed = path.read_bytes()
    for row in rows:
        offset = int(row["location"].rsplit("@byte ", 1)[1])
        head = zlib.decompressobj(31).decompress(packed[offset:])[:2000]
        assert head.startswith(b"WARC/1.0\r\n")
        if row["kind"] == "doc":
            record_id = row["doc_id"].split("#", 1)[1]
            assert f"WARC-Record-ID: {record_id}".encode() in head
            assert row["url"] and row["subset"] in row["url"] and row["text"].strip()
    by_host = {r["subset"] for r in rows if r["kind"] == "doc"}
    assert {"soldaini.net", "kyleclo.com", "maria-antoniak.github.io"} <= by_host


def test_real_warcio_example_with_a_revisit_record():
    path = shared_file("warc", "example.warc.gz")
    with path.open("rb") as stream:
        rows = read_rows(stream.read(), "example.warc.gz", extractor="trafilatura")
    assert summary(rows) == [
        ("skip", "warc_warcinfo"),
        ("skip", "warc_warcinfo"),
        ("doc", None),
        ("skip", "warc_request"),
        ("skip", "warc_revisit"),
        ("skip", "warc_request"),
    ]
    doc = rows[2]
    assert doc["doc_id"] == "ccnews/example.warc.gz#<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"
    assert doc["url"] == "http://example.com/" and doc["location"] == "example.warc.gz@byte 784"
    assert doc["text"].startswith(
        "This domain is established to be used for illustrative examples"
    )  # gzip payload inflated
    assert json.loads(doc["meta"]) == {"title": "Example Domain", "warc_date": "2017-03-06T04:02:06Z"}


def with_content_length(rec: bytes, length: int) -> bytes:
    """The same record with another Content-Length value (its block and trailer unchanged)."""
    head, sep, rest = rec.partition(b"\r\n\r\n")
    lines = [
        b"Content-Length: %d" % length if line.startswith(b"Content-Length:") else line
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + sep + rest


def declared_length(rec: bytes) -> int:
    return int(rec.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])


def overrun_crawl():
    """warcinfo, an article, a request, a 404, another article, metadata: six records."""
    return [
        record("warcinfo", b"software: test\r\n", rid="0"),
        record("response", http(ARTICLE.encode()), rid="1"),
        record("request", b"GET /storm HTTP/1.1\r\nHost: news.example.com\r\n\r\n", rid="2"),
        record("response", http(b"<html>gone</html>", status=b"404 Not Found"), rid="3"),
        record("response", http(ARTICLE.encode()), rid="4", uri="http://news.example.com/again"),
        record("metadata", b"fetchTimeMs: 12\r\n", rid="5"),
    ]


INTACT = [
    ("skip", "warc_warcinfo"),
    ("skip", "warc_request"),
    ("skip", "http_not_200"),
    ("doc", None),
    ("skip", "warc_metadata"),
]


@pytest.mark.parametrize("layout", ["news.warc.gz", "news.warc"])
def test_a_content_length_that_swallows_whole_records_is_a_reject_and_they_are_still_read(layout):
    # Record 1 declares exactly the size of records 2 and 3 too many bytes: its block then ends where a
    # record may end, so only the gzip member boundary (or, in a plain file, the WARC header inside the
    # declared block) tells that records 2 and 3 were swallowed.
    records = overrun_crawl()
    records[1] = with_content_length(
        records[1], declared_length(records[1]) + len(records[2]) + len(records[3])
    )
    data = per_record_gzip(records) if layout.endswith(".gz") else b"".join(records)
    rows = read_rows(data, layout)
    assert summary(rows) == [INTACT[0], ("reject", "warc_bad_record")] + INTACT[1:]
    assert rows[1]["snippet"].startswith("Content-Length ")  # what is wrong, then the record's headers
    pieces = [gzip.compress(r) for r in records] if layout.endswith(".gz") else records
    offsets = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
    assert [r["location"] for r in rows] == [f"{layout}@byte {o}" for o in offsets]
    assert PARAGRAPHS[0] in rows[4]["text"] and rows[4]["url"] == "http://news.example.com/again"


@pytest.mark.parametrize("layout", ["news.warc.gz", "news.warc"])
@pytest.mark.parametrize("into", ["header", "block"])
def test_a_content_length_that_ends_inside_a_later_record_is_one_reject(layout, into):
    # The overrun ends inside record 3, in its WARC header or in its block: records 2 and 3 are still
    # read and counted, record 1 alone is a reject.
    records = overrun_crawl()
    extra = len(records[2]) + (30 if into == "header" else len(records[3]) - 20)
    records[1] = with_content_length(records[1], declared_length(records[1]) + extra)
    data = per_record_gzip(records) if layout.endswith(".gz") else b"".join(records)
    rows = read_rows(data, layout)
    assert summary(rows) == [INTACT[0], ("reject", "warc_bad_record")] + INTACT[1:]


@pytest.mark.parametrize("layout", ["news.warc.gz", "news.warc"])
@pytest.mark.parametrize("short_by", [1, 7, 300])
def test_a_content_length_that_is_too_short_is_a_reject_and_reading_goes_on(layout, short_by):
    records = overrun_crawl()
    records[1] = with_content_length(records[1], declared_length(records[1]) - short_by)
    data = per_record_gzip(records) if layout.endswith(".gz") else b"".join(records)
    rows = read_rows(data, layout)
    assert summary(rows) == [INTACT[0], ("reject", "warc_bad_record")] + INTACT[1:]


def test_a_too_long_content_length_in_the_last_record_is_one_reject():
    records = overrun_crawl()
    records[-1] = with_content_length(records[-1], declared_length(records[-1]) + 1000)
    for layout, data in (("n.warc.gz", per_record_gzip(records)), ("n.warc", b"".join(records))):
        rows = read_rows(data, layout)
        assert summary(rows)[:-1] == [INTACT[0], ("doc", None)] + INTACT[1:-1]
        assert rows[-1]["kind"] == "reject" and len(rows) == len(records)


def test_a_warc_inside_a_plain_warc_is_taken_for_an_overrun_the_documented_limit():
    # Without member boundaries a block holding a complete WARC header after an empty line is read as
    # an overrun: the outer record is a reject and the inner records from the second on are read.
    inner = record("warcinfo", b"software: x\r\n", rid="i0") + record(
        "response", http(ARTICLE.encode()), rid="i1"
    )
    records = overrun_crawl()[:3]
    records.insert(2, record("resource", inner, rid="outer", content_type="application/warc"))
    rows = read_rows(b"".join(records), "n.warc")
    assert summary(rows) == [
        INTACT[0],
        ("doc", None),
        ("reject", "warc_bad_record"),
        ("doc", None),
        INTACT[1],
    ]
    assert rows[3]["doc_id"] == "ccnews/n.warc#<urn:uuid:i1>"
    rows = read_rows(per_record_gzip(records))  # a per-record gzip member says where the record ends
    assert summary(rows) == [INTACT[0], ("doc", None), ("skip", "warc_resource"), INTACT[1]]


def test_clueweb_pages_stored_decoded_under_a_gzip_content_encoding_are_kept():
    # ClueWeb09 (WARC/0.18) stores the page decompressed but keeps "Content-Encoding: gzip".
    headers = ((b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip"))
    records = [
        record("response", http(ARTICLE.encode(), headers=headers), rid="c1", version=b"WARC/0.18"),
        record("response", http(b"\x00\x01not html, not gzip", headers=headers), rid="c2"),
        record(
            "response",
            http(gzip.compress(ARTICLE.encode()), headers=headers),
            rid="c3",
        ),
    ]
    rows = read_rows(per_record_gzip(records), "ClueWeb09_English_1/00.warc.gz")
    assert summary(rows) == [("doc", None), ("reject", "warc_bad_http"), ("doc", None)]
    assert PARAGRAPHS[0] in rows[0]["text"]
    assert json.loads(rows[0]["meta"])["content_encoding_ignored"] is True
    assert "content_encoding_ignored" not in json.loads(rows[2]["meta"])


def test_a_content_length_with_non_ascii_digits_is_a_bad_record_not_a_crash():
    # str.isdigit() takes "²" and "٣", which int() refuses or misreads: only ASCII digits are a length.
    records = overrun_crawl()
    records[2] = records[2].replace(b"Content-Length: ", "Content-Length: \u00b2".encode())
    rows = read_rows(b"".join(records), "n.warc")
    assert summary(rows) == [INTACT[0], ("doc", None), ("reject", "warc_bad_record")] + INTACT[2:]


def test_the_language_gate_skips_only_pages_certainly_not_english():
    """With ``language_gate`` (the recipe keeps English only), a page whose ``lang`` and visible text are
    both not English is a ``not_english_html`` skip, unextracted; an English page under a German
    ``lang`` is extracted as before; without the option nothing is skipped."""
    german = " ".join(["Der Sturm erreichte am Montag die Nordküste und überflutete die Straßen."] * 8)
    german_page = ARTICLE.replace("<html>", '<html lang="de">').replace(PARAGRAPHS[0], german)
    for p in PARAGRAPHS[1:]:
        german_page = german_page.replace(p, german)
    english_under_de = ARTICLE.replace("<html>", '<html lang="de">')
    crawl = per_record_gzip(
        [
            record("response", http(german_page.encode()), rid="1"),
            record("response", http(english_under_de.encode()), rid="2"),
        ]
    )
    ctx = FileContext(
        "ccnews", "news.warc.gz", options={"html_extractor": "resiliparse", "language_gate": True}
    )
    rows = list(warc.read(io.BytesIO(crawl), ctx))
    assert summary(rows) == [("skip", "not_english_html"), ("doc", None)]
    assert rows[0]["subset"] == "news.example.com" and rows[1]["text"].startswith("Storm hits the coast")
    assert summary(read_rows(crawl)) == [("doc", None), ("doc", None)]
