"""Corruption property test for the WARC reader: small valid WARC files (per-record ``.warc.gz`` and plain
``.warc``) get seeded random damage, and the reader must

- never raise;
- count every record it reads: ``ctx.records_read`` equals the sum of ``n_records`` over its rows;
- read every record that lies entirely before the first damaged byte (the compressed offset in a
  ``.warc.gz``) exactly as in the undamaged file: same kind, reason, text, id, url and location;
- and, when the damage is a changed WARC ``Content-Length``, read every *other* record as in the
  undamaged file too: the damaged record becomes a reject (or, changed by a few bytes that only move its
  end within its own trailer, is read as before) and the reader resynchronises on the next record.

``warc_cases(seed, count)`` builds the cases and is importable by a benchmark script; ``check_case`` runs one.
"""

from __future__ import annotations

import gzip
import io
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from corpus.sources import warc
from corpus.sources.base import FileContext

LAYOUTS = ("warc.gz", "warc")
DAMAGES = ("flip", "truncate", "insert", "duplicate", "content_length")
CASES_PER_VARIANT = 300

_WORDS = (
    "storm coast harbour village river bridge council election market school hospital rain wind road "
    "minister report police train station museum festival farmers prices water energy court"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _page(rng: random.Random) -> bytes:
    paragraphs = "".join(f"<p>{_sentence(rng, rng.randint(12, 30))}</p>" for _ in range(rng.randint(2, 4)))
    title = _sentence(rng, 4)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        f'<nav><a href="/">Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>'
        "<footer>Example News</footer></body></html>"
    ).encode()


def _http(body: bytes, status: bytes = b"200 OK", headers=((b"Content-Type", b"text/html; charset=utf-8"),)):
    head = [b"HTTP/1.1 " + status] + [k + b": " + v for k, v in headers]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def _record(warc_type: str, block: bytes, rid: str, uri: str, extra=()) -> bytes:
    content_type = (
        f"application/http; msgtype={warc_type}"
        if warc_type in ("request", "response", "revisit")
        else "application/warc-fields"
    )
    fields = [
        b"WARC/1.0",
        f"WARC-Type: {warc_type}".encode(),
        f"WARC-Record-ID: <urn:uuid:{rid}>".encode(),
        b"WARC-Date: 2021-09-01T12:00:00Z",
        f"WARC-Target-URI: {uri}".encode(),
        f"Content-Type: {content_type}".encode(),
        *extra,
        f"Content-Length: {len(block)}".encode(),
    ]
    return b"\r\n".join(fields) + b"\r\n\r\n" + block + b"\r\n\r\n"


def crawl(rng: random.Random) -> list[bytes]:
    """A small valid crawl: warcinfo, then fetches (request + response or revisit + metadata) of HTML 200
    pages, a gzip-encoded page, a 404 and an image."""
    n = rng.randint(0, 10**6)
    records = [_record("warcinfo", b"software: test\r\nformat: WARC File Format 1.0\r\n", f"{n}-0", "")]
    fetches = ["html", "html", "404", "revisit", rng.choice(["html", "gzip", "image"])]
    rng.shuffle(fetches)
    for i, kind in enumerate(fetches):
        uri = f"http://news{i}.example.com/{rng.choice(_WORDS)}/{i}"
        host = uri.split("/")[2].encode()
        rid = f"{n}-{i + 1}"
        records.append(_record("request", b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n", rid + "q", uri))
        if kind == "html":
            records.append(_record("response", _http(_page(rng)), rid, uri))
        elif kind == "gzip":
            headers = ((b"Content-Type", b"text/html"), (b"Content-Encoding", b"gzip"))
            records.append(_record("response", _http(gzip.compress(_page(rng)), headers=headers), rid, uri))
        elif kind == "404":
            records.append(_record("response", _http(b"<html>not found</html>", b"404 Not Found"), rid, uri))
        elif kind == "image":
            body = bytes(rng.getrandbits(8) for _ in range(rng.randint(20, 200)))
            records.append(
                _record("response", _http(body, headers=((b"Content-Type", b"image/png"),)), rid, uri)
            )
        else:
            profile = b"WARC-Profile: http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
            records.append(_record("revisit", _http(b"", headers=()), rid, uri, extra=(profile,)))
        if rng.random() < 0.5:
            records.append(
                _record("metadata", f"fetchTimeMs: {rng.randint(1, 999)}\r\n".encode(), rid + "m", uri)
            )
    return records


def pack(records: list[bytes], layout: str) -> tuple[bytes, list[tuple[int, int]]]:
    """The file's bytes and each record's extent [start, end) in them (its gzip member in a .warc.gz)."""
    pieces = [gzip.compress(r, mtime=0) for r in records] if layout == "warc.gz" else records
    extents, offset = [], 0
    for piece in pieces:
        extents.append((offset, offset + len(piece)))
        offset += len(piece)
    return b"".join(pieces), extents


# ------------------------------------------------------------------------------------------- damage
# Each takes (rng, file bytes, records, layout) and returns (damaged bytes, offset of the first damaged byte).

_SPANS = (
    b"\r\n",
    b"\r\n\r\n",
    b"WARC/1.0\r\n",
    b"Content-Length: 12\r\n",
    b"WARC-Type: response\r\n",
    b"HTTP/1.1 200 OK\r\n",
)


def _random_span(rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
    return b"".join(rng.choice(_SPANS) for _ in range(rng.randint(1, 4)))


def damage_flip(rng, data, records, layout):
    out = bytearray(data)
    positions = [rng.randrange(len(data)) for _ in range(rng.randint(1, 4))]
    for p in positions:
        out[p] ^= rng.randint(1, 255)
    return bytes(out), min(positions)


def damage_truncate(rng, data, records, layout):
    cut = rng.randrange(len(data))
    return data[:cut], cut


def damage_insert(rng, data, records, layout):
    p = rng.randrange(len(data) + 1)
    return data[:p] + _random_span(rng) + data[p:], p


def damage_duplicate(rng, data, records, layout):
    if rng.random() < 0.3:  # whole records (gzip members) repeated: a valid file again
        _, extents = pack(records, layout)
        a, b = sorted(rng.sample(range(len(extents) + 1), 2))
        start, end = extents[a][0], extents[b - 1][1]
        at = extents[rng.randrange(len(extents))][0]
    else:
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.randint(1, 400))
        at = rng.randrange(len(data) + 1)
    return data[:at] + data[start:end] + data[at:], at


def damage_content_length(rng, data, records, layout):
    """A record's WARC Content-Length value changed, larger or smaller; its bytes otherwise unchanged."""
    damaged, index = _changed_content_length(rng, records)
    new, _ = pack(damaged, layout)
    _, extents = pack(records, layout)
    return new, extents[index][0]


def _changed_content_length(rng: random.Random, records: list[bytes]) -> tuple[list[bytes], int]:
    index = rng.randrange(len(records))
    rec = records[index]
    head, sep, rest = rec.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"Content-Length: "))
    length = int(lines[at].split(b": ")[1])
    following = [len(r) for r in records[index + 1 :]]
    choice = rng.random()
    if choice < 0.3:
        delta = rng.choice([-1, 1]) * rng.randint(1, 8)
    elif choice < 0.6:
        delta = rng.choice([-1, 1]) * rng.randint(9, 2000)
    elif choice < 0.85 and following:  # swallow whole records, exactly or give or take a little
        delta = sum(following[: rng.randint(1, len(following))]) + rng.choice([0, 0, -3, 5, 40])
    else:
        delta = rng.randint(10**4, 10**7)
    new_length = max(0, length + delta)
    if new_length == length:
        new_length = length + 1
    lines[at] = b"Content-Length: %d" % new_length
    return records[:index] + [b"\r\n".join(lines) + sep + rest] + records[index + 1 :], index


DAMAGE_FUNCTIONS = {
    "flip": damage_flip,
    "truncate": damage_truncate,
    "insert": damage_insert,
    "duplicate": damage_duplicate,
    "content_length": damage_content_length,
}


@dataclass
class Case:
    """One damaged file and what is known about its undamaged original."""

    layout: str  # "warc.gz" (one gzip member per record) or "warc"
    damage: str
    seed: int
    records: list[bytes]  # the original records, uncompressed
    original: bytes
    damaged: bytes
    first_damaged: int  # offset of the first damaged byte (compressed offset in a .warc.gz)
    extents: list[tuple[int, int]] = field(default_factory=list)  # each record's [start, end) in original
    changed_record: int | None = None  # content_length: the record whose Content-Length changed

    @property
    def rel_path(self) -> str:
        return f"news.{self.layout}"


def warc_cases(seed: int, count: int, layouts=LAYOUTS, damages=DAMAGES, crawls: int = 8) -> Iterator[Case]:
    """``count`` damaged files for every (layout, damage) pair, made from ``crawls`` small valid crawls;
    deterministic for a seed."""
    base = random.Random(seed)
    pool = [crawl(random.Random(base.getrandbits(64))) for _ in range(crawls)]
    for layout in layouts:
        for damage in damages:
            for k in range(count):
                case_seed = base.getrandbits(32)
                rng = random.Random(case_seed)
                records = pool[k % len(pool)]
                original, extents = pack(records, layout)
                changed = None
                if damage == "content_length":
                    changed_records, changed = _changed_content_length(rng, records)
                    damaged, _ = pack(changed_records, layout)
                    first = extents[changed][0]
                else:
                    damaged, first = DAMAGE_FUNCTIONS[damage](rng, original, records, layout)
                yield Case(layout, damage, case_seed, records, original, damaged, first, extents, changed)


# -------------------------------------------------------------------------------------------- check

_COMPARED = ("kind", "reason", "text", "doc_id", "url", "subset", "location")


def read_file(data: bytes, rel_path: str) -> tuple[list[dict], int]:
    ctx = FileContext("ccnews", rel_path, options={"html_extractor": "resiliparse"})
    rows = list(warc.read(io.BytesIO(data), ctx))
    return rows, ctx.records_read


_reference: dict[tuple[bytes, str], list[dict]] = {}  # rows of the undamaged files


def reference_rows(case: Case) -> list[dict]:
    key = (zlib.crc32(case.original).to_bytes(4, "big") + len(case.original).to_bytes(8, "big"), case.layout)
    if key not in _reference:
        rows, n = read_file(case.original, case.rel_path)
        assert n == len(case.records) == len(rows) and all(r["kind"] != "reject" for r in rows), case.layout
        _reference[key] = rows
    return _reference[key]


def _view(row: dict, keys=_COMPARED) -> tuple:
    row = dict(row, location=row["location"].split("@", 1)[1])
    return tuple(row[k] for k in keys)


def check_case(case: Case) -> list[str]:
    """The properties this case breaks (empty when none); an exception from the reader is reported too."""
    try:
        rows, records_read = read_file(case.damaged, case.rel_path)
    except Exception as e:  # noqa: BLE001 - the property under test is "never raises"
        return [f"raised {type(e).__name__}: {e}"]
    problems = []
    if records_read != sum(r["n_records"] for r in rows):
        problems.append(f"records_read {records_read} != rows' n_records {sum(r['n_records'] for r in rows)}")
    reference = [_view(r) for r in reference_rows(case)]
    got = [_view(r) for r in rows]
    intact = sum(1 for _, end in case.extents if end <= case.first_damaged)
    if got[:intact] != reference[:intact]:
        problems.append(f"records before the first damaged byte ({intact}) read differently")
    if case.changed_record is not None:
        i = case.changed_record
        after = [v[:-1] for v in reference[i + 1 :]]  # locations after it move in a plain file
        tail = [v[:-1] for v in got[len(got) - len(after) :]] if after else []
        # Only the last record may run into the end of the file (a truncated_stream reject).
        if len(got) < len(reference):
            problems.append(f"{len(reference) - len(got)} records fewer than in the undamaged file")
        elif tail != after:
            problems.append("records after the changed Content-Length read differently")
    return problems


VARIANTS = [(layout, damage) for layout in LAYOUTS for damage in DAMAGES]


@pytest.mark.parametrize(("layout", "damage"), VARIANTS)
def test_damaged_warc_files_are_read_without_loss(layout, damage):
    failures = []
    n = 0
    for case in warc_cases(20240601, CASES_PER_VARIANT, layouts=(layout,), damages=(damage,)):
        n += 1
        problems = check_case(case)
        if problems:
            failures.append((case.seed, problems))
    assert n == CASES_PER_VARIANT
    assert not failures, f"{len(failures)} of {n} cases fail, e.g. {failures[:3]}"


def test_the_cases_are_deterministic_and_damaged():
    a = list(warc_cases(5, 3))
    b = list(warc_cases(5, 3))
    assert [c.damaged for c in a] == [c.damaged for c in b]
    assert len(a) == 3 * len(VARIANTS)
    assert all(
        c.damaged != c.original for c in a if c.damage != "truncate" or c.first_damaged < len(c.original)
    )
