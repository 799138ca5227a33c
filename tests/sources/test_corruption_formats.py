"""Seeded random damage to every native format but WARC (``tests/sources/test_corruption_warc.py`` has WARC).

Small valid files are built here - JSON lines in the BookCorpus, CC-Stories and Pile layouts (plain and
Pile ``.jsonl.zst``), Pushshift ``RC_``/``RS_`` dumps (zstd frames declaring the 2 GiB window, with the
content checksum Pushshift writes), one-document ``.txt``/``.txt.gz``/``.txt.zst``/``.txt.bz2`` books and
stories - and each case damages one of them: byte flips, a truncation at any offset, an inserted span
(random bytes, JSON-ish tokens, a hostile JSON value, or a long run of one byte; half the time where a
line or a value starts), or a duplicated span; JSON lines also get ``value`` damage (one value of one
record replaced by a hostile one: ``1e999``, ``NaN``, 3,000 levels of nesting, a wrong type, a lone
surrogate, a Reddit parent re-pointed at another comment). Byte damage to a checksummed Pushshift frame
only ever stops the stream, so the Reddit dumps also come as "damaged content": the dump's lines are
damaged and compressed again, as a dump written from damaged data would be. The damaged file is read
by the ingest stage's own task function (``corpus.stages.ingest.make_read_partition``, around
``read_file_rows``: the same opening of the file, the same reader, its accounting check, then the
normalization and the Arrow batches), and then:

1. nothing raises: not the reader, not the normalization of its documents, not the Arrow batches;
2. records read == the sum of ``n_records`` over the rows (``read_file_rows`` raises ``AccountingError``
   otherwise); for Reddit, whose comments are ``part`` rows, the grouped step (``make_build_threads``,
   ``build_threads`` per thread) must also give back as many records as parts went in;
3. every record entirely before the first damaged byte comes out exactly as from the undamaged file. For
   compressed files that byte is a compressed offset, so the guarantee is weaker: only the lines of the
   zstd frames that end before it (multi-frame bases are built for this, frames cut at line ends). A
   single-frame zstd file, a gzip or a bzip2 stream gives no such guarantee: the decoder may reject the
   whole input chunk that holds the damage, output it decoded from that chunk included, and these small
   files are one chunk. One-document files have no record before the damage either. So for those only
   properties 1, 2 and 4 are asserted;
4. a compressed file cut anywhere but at a frame boundary (or at 0) ends with a ``truncated_stream``
   reject: a cut dump must never read as a shorter, valid one.

Not asserted: that damage inside a zstd frame without a checksum is noticed (Pile files have none, so
a flipped literal byte decodes to other text: the format cannot tell).

``FORMATS``, ``cases(fmt, n)`` and ``check(case, workdir)`` are also what ``bench/bench_corruption.py``
runs by the thousand.
"""

from __future__ import annotations

import bisect
import bz2
import functools
import gzip
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
import zstandard

from corpus.config import IngestConfig, NormalizeConfig
from corpus.schema import INGEST_ROW_SCHEMA, KIND_COUNTER, KIND_PART
from corpus.sources import books, reasons
from corpus.sources.base import ZSTD_MAX_WINDOW, FileContext
from corpus.sources.reddit import DEFAULT_BOT_AUTHORS
from corpus.stages.ingest import AccountingError, make_build_threads, make_read_partition

CASES_PER_FORMAT = 300  # in the test suite; the bench runs thousands
BASES_PER_FORMAT = 4


# ------------------------------------------------------------------------------------- valid files


@dataclass(frozen=True)
class Base:
    """One valid input file and what damage may not touch in it."""

    source: str
    rel_path: str
    data: bytes  # what the damage hits: the file, or with ``pack`` the content before compression
    records: int = 1  # input records in the undamaged file
    # (offset, records): damage at or after ``offset`` leaves the first ``records`` records intact
    safe: tuple[tuple[int, int], ...] = ()
    compressed: bool = False  # ``data`` is compressed bytes (property 4 applies)
    # compressed offsets where a cut leaves a valid shorter file (0, zstd frame ends)
    clean_cuts: frozenset[int] = frozenset({0})
    json_lines: bool = False  # one JSON object per line: the ``value`` damage applies
    # content damage: the damaged content is compressed again into a valid file (``data`` is the content)
    pack: Callable[[bytes], bytes] | None = None

    def file(self, data: bytes) -> bytes:
        return self.pack(data) if self.pack else data

    def intact(self, first_damaged: int) -> int:
        """Records entirely before the first damaged byte (in the sense of the module docstring, 3)."""
        i = bisect.bisect_right(self.safe, (first_damaged, float("inf")))
        return self.safe[i - 1][1] if i else 0


WORDS = (
    "the night was dark and rain fell on the quiet town while she waited by the window".split()
    + "café naïve Ωμέγα 日本語 😀 “quoted” ü".split()
    + ['a "quote"', "back\\slash", "tab\there"]
)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 14))]
    return " ".join(words).capitalize() + rng.choice([".", "!", "?", "..."])


def prose(rng: random.Random, sentences: int) -> str:
    lines = []
    for _ in range(sentences):
        lines.append(sentence(rng))
        lines.append(rng.choice([" ", "\n", "\n\n"]))
    return "".join(lines).strip()


def json_line(rng: random.Random, obj: dict) -> bytes:
    # ensure_ascii writes "\u00e9" and surrogate pairs ("\ud83d\ude00"): the reader's escape checks see them.
    return json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode() + b"\n"


def book_record(rng: random.Random, i: int) -> dict:
    text = "" if rng.random() < 0.05 else prose(rng, rng.randint(1, 5))
    return {"text": text, "meta": {"pile_set_name": "bookcorpus/021819"}}


def story_record(rng: random.Random, i: int) -> dict:
    return {
        "text": prose(rng, rng.randint(1, 5)),
        "url": f"https://stories.example/{i}",
        "title": sentence(rng),
    }


PILE_NAMES = ("Pile-CC", "Wikipedia (en)", "OpenWebText2", "Github", "ArXiv", "DM Mathematics")


def pile_record(rng: random.Random, i: int) -> dict:
    return {"text": prose(rng, rng.randint(1, 5)), "meta": {"pile_set_name": rng.choice(PILE_NAMES)}}


AUTHORS = ("alice", "bob", "[deleted]", "AutoModerator", "carol_1")


def comment_records(rng: random.Random, n: int) -> list[dict]:
    threads = [f"t3_{rng.randrange(36**5):x}" for _ in range(3)]
    out: list[dict] = []
    for i in range(n):
        link = rng.choice(threads)
        earlier = [c["id"] for c in out if c["link_id"] == link]
        parent = f"t1_{rng.choice(earlier)}" if earlier and rng.random() < 0.7 else link
        out.append(
            {
                "id": f"c{i:04d}",
                "parent_id": parent,
                "link_id": link,
                "body": rng.choice(["[deleted]", "[removed]"]) if rng.random() < 0.1 else prose(rng, 2),
                "author": rng.choice(AUTHORS),
                "subreddit": "AskMen",
                "created_utc": 1570000000 + i if rng.random() < 0.5 else str(1570000000 + i),
                "score": rng.randint(-5, 50),
            }
        )
    return out


def submission_records(rng: random.Random, n: int) -> list[dict]:
    return [
        {
            "id": f"s{i:04d}",
            "title": sentence(rng),
            "selftext": rng.choice(["", "[removed]", prose(rng, 3)]),
            "author": rng.choice(AUTHORS),
            "subreddit": "AskMen",
            "created_utc": 1570000000 + i,
            "permalink": f"/r/AskMen/comments/s{i:04d}/title/",
            "num_comments": rng.randint(0, 9),
        }
        for i in range(n)
    ]


def lines_base(
    source: str, rel_path: str, lines: list[bytes], pack: Callable[[bytes], bytes] | None = None
) -> Base:
    """A JSON-lines file (``pack``: its content, compressed after the damage): a line is intact when the
    damage starts after its newline."""
    safe, end = [], 0
    for i, line in enumerate(lines):
        end += len(line)
        safe.append((end, i + 1))
    return Base(source, rel_path, b"".join(lines), len(lines), tuple(safe), json_lines=True, pack=pack)


PUSHSHIFT_ZSTD = zstandard.ZstdCompressor(
    compression_params=zstandard.ZstdCompressionParameters.from_level(3, window_log=31, write_checksum=True)
)


def pushshift_zstd(data: bytes) -> bytes:
    """One frame as ``zstd --long=31`` writes it: streamed (no content size), so it declares the 2 GiB
    window, and with a content checksum."""
    out = io.BytesIO()
    with PUSHSHIFT_ZSTD.stream_writer(out, closefd=False) as writer:
        writer.write(data)
    return out.getvalue()


def zstd_frames_base(
    source: str, rel_path: str, lines: list[bytes], rng: random.Random, *, pushshift: bool, frames: bool
) -> Base:
    """Zstd: several frames cut at line ends (``frames``), or a single frame as most dumps are.
    ``pushshift``: the frames declare a 2 GiB window and carry a content checksum, as ``zstd --long=31``
    wrote the Reddit dumps."""
    cctx = PUSHSHIFT_ZSTD if pushshift else zstandard.ZstdCompressor(level=3)
    groups: list[list[bytes]] = []
    i = 0
    while i < len(lines):
        size = rng.randint(1, 6) if frames else len(lines)
        groups.append(lines[i : i + size])
        i += size
    data, safe, clean, n = b"", [], {0}, 0
    for group in groups:
        out = io.BytesIO()
        with cctx.stream_writer(out, closefd=False) as writer:  # streamed: no content size
            writer.write(b"".join(group))
        data += out.getvalue()
        n += len(group)
        safe.append((len(data), n))
        clean.add(len(data))
    if not frames:
        safe = []
    return Base(source, rel_path, data, n, tuple(safe), compressed=True, clean_cuts=frozenset(clean))


def text_base(
    source: str, rel_path: str, rng: random.Random, compress: Callable[[bytes], bytes] | None
) -> Base:
    text = ("\ufeff" if rng.random() < 0.3 else "") + prose(rng, rng.randint(5, 40)) + "\n"
    data = text.encode()
    return Base(source, rel_path, compress(data) if compress else data, compressed=compress is not None)


def _zstd_text(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=3, write_checksum=len(data) % 2 == 0).compress(data)


def _build_jsonl(source: str, rel_path: str, record: Callable[[random.Random, int], dict]):
    def build(rng: random.Random, k: int) -> Base:
        return lines_base(
            source, rel_path, [json_line(rng, record(rng, i)) for i in range(rng.randint(5, 30))]
        )

    return build


def _build_pile_zst(rng: random.Random, k: int) -> Base:
    lines = [json_line(rng, pile_record(rng, i)) for i in range(rng.randint(5, 30))]
    return zstd_frames_base("pile", "train/00.jsonl.zst", lines, rng, pushshift=False, frames=k % 2 == 0)


def _build_reddit(prefix: str, content: bool = False):
    """Damage to the compressed bytes stops at the frame checksum; ``content`` damages the dump's lines
    and compresses them again, as a dump written from damaged data would be."""

    def build(rng: random.Random, k: int) -> Base:
        n = rng.randint(5, 30)
        records = comment_records(rng, n) if prefix == "RC" else submission_records(rng, n)
        lines = [json_line(rng, r) for r in records]
        rel_path = f"{prefix}_2019-10.zst"
        if content:
            return lines_base("reddit", rel_path, lines, pack=pushshift_zstd)
        return zstd_frames_base("reddit", rel_path, lines, rng, pushshift=True, frames=k % 2 == 0)

    return build


def _build_text(suffix: str, compress: Callable[[bytes], bytes] | None):
    def build(rng: random.Random, k: int) -> Base:
        source = ("bookcorpus", "ccstories")[k % 2]
        return text_base(source, f"{source}/doc-{k}{suffix}", rng, compress)

    return build


# format name -> builder of its k-th base file
BUILDERS: dict[str, Callable[[random.Random, int], Base]] = {
    "bookcorpus .jsonl": _build_jsonl("bookcorpus", "shelf/BookCorpusFair.jsonl", book_record),
    "ccstories .jsonl": _build_jsonl("ccstories", "stories/part-0001.jsonl", story_record),
    "pile .jsonl": _build_jsonl("pile", "train/00.jsonl", pile_record),
    "pile .jsonl.zst": _build_pile_zst,
    "reddit RC_ .zst": _build_reddit("RC"),
    "reddit RS_ .zst": _build_reddit("RS"),
    "reddit RC_ .zst, damaged content": _build_reddit("RC", content=True),
    "reddit RS_ .zst, damaged content": _build_reddit("RS", content=True),
    "books/stories .txt": _build_text(".txt", None),
    "books/stories .txt.gz": _build_text(".txt.gz", lambda d: gzip.compress(d, mtime=0)),
    "books/stories .txt.zst": _build_text(".txt.zst", _zstd_text),
    "books/stories .txt.bz2": _build_text(".txt.bz2", bz2.compress),
}
FORMATS = tuple(BUILDERS)


@functools.cache
def bases(fmt: str) -> tuple[Base, ...]:
    return tuple(BUILDERS[fmt](random.Random(f"base {fmt} {k}"), k) for k in range(BASES_PER_FORMAT))


# ------------------------------------------------------------------------------------------ damage

DAMAGES = ("flip", "truncate", "insert", "duplicate")
# JSON-lines only: one value of one record replaced by a hostile one, which byte damage rarely builds.
VALUE_DAMAGE = "value"
_TOKENS = (
    b"{", b"}", b"[", b"]", b'"', b"\\", b":", b",", b"\n", b"\r\n", b"\\u", b"d83d", b"\\udc00", b"00e9",
    b"null", b"true", b"1e999", b"-", b"NaN", b"Infinity", b"\xc3", b"\xa9", b"\xef\xbb\xbf", b"\x00", b" ",
    b'"text"', b'"body"', b'"id"', b'"parent_id"', b'"link_id"', b'"created_utc"', b'"title"', b'"meta"',
)  # fmt: skip
HOSTILE_VALUES = (
    b"1e999", b"-1e999", b"Infinity", b"-Infinity", b"NaN", b"1e308", b"-0", b"0", b"1.5", b"true", b"null",
    b"9" * 5000, b"1" * 400, b"[" * 3000 + b"]" * 3000, b'{"a":' * 3000 + b"1" + b"}" * 3000, b"[]", b"{}",
    b'[""]', b'{"pile_set_name": "Pile-CC"}', b'""', b'"   "', b'"[deleted]"', b'"\\ud800"',
    b'"\\udfff\\ud800"', b'"\\u0000"', b'"t1_"', b'"t3_"', b'"t1_c0000"', b'"t1_c0001"', b'"t1_c0002"',
    b'"t1_c0003"', b'"t3_s0000"', b'"AutoModerator"', b'"Pile-CC"', b'"Github"', b'"1570000000"',
)  # fmt: skip


def junk(rng: random.Random) -> bytes:
    """A span to insert: random bytes, JSON-ish tokens, a hostile value, or a long run of one byte."""
    r = rng.random()
    if r < 0.4:
        return rng.randbytes(rng.randint(1, 64))
    if r < 0.8:
        return b"".join(rng.choice(_TOKENS) for _ in range(rng.randint(1, 24)))
    if r < 0.9:
        return rng.choice(HOSTILE_VALUES)
    return rng.choice(b'[{"\\\n0 ').to_bytes(1, "big") * rng.randint(100, 5000)


def _offset(data: bytes, rng: random.Random) -> int:
    """Where to insert: anywhere, or (half the time) where a line or a JSON value starts."""
    if rng.random() < 0.5:
        marker = rng.choice((b"\n", b": ", b"[", b","))
        found = data.find(marker, rng.randrange(len(data) + 1))
        if found >= 0:
            return found + len(marker)
    return rng.randrange(len(data) + 1)


def damage(base: Base, rng: random.Random) -> tuple[bytes, int, str]:
    """(damaged ``base.data``, offset of the first damaged byte, damage kind)."""
    data = base.data
    kind = rng.choice(DAMAGES + ((VALUE_DAMAGE,) if base.json_lines else ()))
    n = len(data)
    if kind == "flip":
        positions = sorted(rng.sample(range(n), k=min(n, rng.randint(1, 4))))
        buf = bytearray(data)
        for p in positions:
            buf[p] ^= rng.randrange(1, 256)
        return bytes(buf), positions[0], kind
    if kind == "truncate":
        cut = rng.randrange(n)
        return data[:cut], cut, kind
    if kind == VALUE_DAMAGE:
        return _replace_value(data, rng) + (kind,)
    at = _offset(data, rng)
    if kind == "insert":
        return data[:at] + junk(rng) + data[at:], at, kind
    start = rng.randrange(n)
    return data[:at] + data[start : min(n, start + rng.randint(1, 512))] + data[at:], at, kind


def _replace_value(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    """One value (top level or in ``meta``) of one JSON line replaced by a hostile value; the damage
    starts at the line. A Reddit ``parent_id`` is mostly re-pointed at another comment of the file, which
    can close a parent cycle."""
    lines = data.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    obj = json.loads(lines[i])
    target = obj["meta"] if isinstance(obj.get("meta"), dict) and rng.random() < 0.3 else obj
    key = rng.choice([*target, "created_utc", "meta", *(["parent_id"] * 3 if "parent_id" in target else [])])
    value = rng.choice(HOSTILE_VALUES)
    if key == "parent_id" and rng.random() < 0.7:
        value = b'"t1_' + json.loads(rng.choice(lines))["id"].encode() + b'"'
    target[key] = "\x00HOSTILE\x00"
    line = json.dumps(obj).encode().replace(b'"\\u0000HOSTILE\\u0000"', value) + b"\n"
    at = sum(len(x) for x in lines[:i])
    return b"".join(lines[:i]) + line + b"".join(lines[i + 1 :]), at


@dataclass(frozen=True)
class Case:
    fmt: str
    index: int
    base: Base
    data: bytes  # the damaged file
    first: int  # offset of the first damaged byte in ``base.data``
    kind: str

    def __str__(self) -> str:
        return f"{self.fmt}#{self.index} ({self.kind} @{self.first} of {len(self.base.data)} bytes)"


def make_case(fmt: str, index: int) -> Case:
    """The ``index``-th case of ``fmt``: deterministic, so a failure can be replayed alone."""
    base = bases(fmt)[index % BASES_PER_FORMAT]
    data, first, kind = damage(base, random.Random(f"case {fmt} {index}"))
    return Case(fmt, index, base, base.file(data), first, kind)


def cases(fmt: str, n: int, start: int = 0) -> Iterator[Case]:
    for index in range(start, start + n):
        yield make_case(fmt, index)


# ------------------------------------------------------------------------------------------- check


@dataclass
class Outcome:
    crash: str | None = None  # what raised (reading, the Arrow rows, or the Reddit grouping)
    uncounted: bool = False  # records read != records in the rows (reader or grouping)
    lost: int = 0  # records before the damage that did not come out as from the undamaged file
    missed_truncation: bool = False  # a cut compressed file read without a truncated_stream reject

    @property
    def ok(self) -> bool:
        return not (self.crash or self.uncounted or self.lost or self.missed_truncation)


_TASK_CONFIG = (IngestConfig(), NormalizeConfig())


def read_as_ingest(base: Base, data: bytes, workdir: Path) -> tuple[list[dict], Outcome]:
    """The rows (counters left out) of ``data`` as file ``base.rel_path``, made by the ingest stage's own
    task functions: ``make_read_partition`` (which opens the file and reads it with
    ``read_file_rows``, normalizes the documents and makes the Arrow batches), and for Reddit's part rows
    ``make_build_threads`` (the grouped step: thread documents and skips); and what went wrong."""
    path = workdir / "input.bin"
    path.write_bytes(data)
    file = {
        "source": base.source,
        "uri": str(path),
        "rel_path": base.rel_path,
        "size": len(data),
        "options": "{}",
        "filesystem": "",
        "path": str(path),
    }
    outcome = Outcome()
    read_partition = make_read_partition(*_TASK_CONFIG)
    rows = _run_task(read_partition, [file], None, outcome, "read")
    if base.source == "reddit" and not outcome.crash and not outcome.uncounted:
        parts = sorted(
            (r for r in rows if r["kind"] == KIND_PART), key=lambda r: (r["group_key"], r["location"])
        )
        threads = _run_task(
            make_build_threads(DEFAULT_BOT_AUTHORS, *_TASK_CONFIG),
            parts,
            INGEST_ROW_SCHEMA,
            outcome,
            "threads",
        )
        if not outcome.crash:
            outcome.uncounted = sum(r["n_records"] for r in threads) != len(parts)
    return rows, outcome


def _run_task(fn, rows_in: list[dict], schema, outcome: Outcome, step: str) -> list[dict]:
    """The rows (counters left out) a mapInArrow function yields for ``rows_in`` in one batch."""
    rows: list[dict] = []
    try:
        for batch in fn(iter([pa.RecordBatch.from_pylist(rows_in, schema=schema)])):
            rows.extend(batch.to_pylist())
    except AccountingError:
        outcome.uncounted = True
    except Exception as e:  # noqa: BLE001 - any exception is the finding
        outcome.crash = f"{step}: {type(e).__name__}: {e}"[:300]
    return [r for r in rows if r["kind"] != KIND_COUNTER]


@functools.cache
def _reference_rows(fmt: str, k: int, workdir: Path) -> tuple[dict, ...]:
    base = bases(fmt)[k]
    rows, outcome = read_as_ingest(base, base.file(base.data), workdir)
    assert outcome.ok, f"undamaged base {fmt}#{k}: {outcome}"
    return tuple(rows)


def check(case: Case, workdir: Path) -> Outcome:
    """Read a damaged file as the ingest stage does and check the properties of the module docstring."""
    reference = _reference_rows(case.fmt, case.index % BASES_PER_FORMAT, workdir)
    rows, outcome = read_as_ingest(case.base, case.data, workdir)
    intact = case.base.intact(case.first)
    same = 0
    while same < intact and same < len(rows) and rows[same] == reference[same]:
        same += 1
    outcome.lost = intact - same
    if case.kind == "truncate" and case.base.compressed and case.first not in case.base.clean_cuts:
        outcome.missed_truncation = not any(r["reason"] == reasons.TRUNCATED_STREAM for r in rows)
    return outcome


# ------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("fmt", FORMATS)
def test_undamaged_files_read_cleanly(fmt, tmp_path):
    for k in range(BASES_PER_FORMAT):
        rows = _reference_rows(fmt, k, tmp_path)
        assert rows and not [r for r in rows if r["kind"] == "reject"], (fmt, k)
        assert len(rows) == bases(fmt)[k].records


def test_the_reddit_files_need_the_2_gib_window():
    for fmt in [f for f in FORMATS if f.startswith("reddit")]:
        for base in bases(fmt):
            file = base.file(base.data)
            assert zstandard.get_frame_parameters(file).window_size == ZSTD_MAX_WINDOW
            with pytest.raises(zstandard.ZstdError, match="too much memory"):
                zstandard.ZstdDecompressor().decompressobj().decompress(file)


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_files_never_crash_and_stay_counted(fmt, tmp_path):
    failures = []
    for case in cases(fmt, CASES_PER_FORMAT):
        outcome = check(case, tmp_path)
        if not outcome.ok:
            failures.append(f"{case}: {outcome}")
    assert not failures, f"{len(failures)} of {CASES_PER_FORMAT} cases fail, e.g.\n" + "\n".join(failures[:8])


def test_every_damage_kind_and_offset_range_is_exercised():
    seen = {(c.kind, c.first * 3 // max(1, len(c.base.data))) for c in cases("pile .jsonl", CASES_PER_FORMAT)}
    assert seen >= {(kind, third) for kind in DAMAGES for third in range(3)}


def test_intact_records_are_counted_from_line_and_frame_ends():
    base = lines_base("pile", "x.jsonl", [b"{}\n", b"{}\n"])
    assert [base.intact(d) for d in range(7)] == [0, 0, 0, 1, 1, 1, 2]
    zst = zstd_frames_base(
        "pile", "x.jsonl.zst", [b"{}\n"] * 4, random.Random(0), pushshift=False, frames=True
    )
    frame_ends = sorted(zst.clean_cuts - {0})
    assert zst.intact(frame_ends[0] - 1) == 0 and zst.intact(frame_ends[0]) >= 1
    assert zst.intact(len(zst.data)) == 4
    single = zstd_frames_base(
        "pile", "x.jsonl.zst", [b"{}\n"] * 4, random.Random(0), pushshift=False, frames=False
    )
    assert single.intact(len(single.data)) == 0


def test_a_case_replays_identically():
    assert make_case("reddit RC_ .zst", 17) == make_case("reddit RC_ .zst", 17)


# ------------------------------------------------------------------ regressions the damage found


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 3000 + b"]" * 3000,  # a line that is nothing but nesting
        b'{"text": "ok", "meta": ' + b'{"a":' * 3000 + b"1" + b"}" * 3001,  # a value nested too deep
        b'{"text": ' + b"[" * 3000,  # the same, cut: the last line, without its newline
    ],
)
def test_json_nested_deeper_than_python_parses_is_a_reject_not_a_crash(line):
    # json.loads raised RecursionError (not a ValueError), which escaped the reader and failed the task.
    data = b'{"text": "before"}\n' + line + (b"\n" if line.endswith(b"]") or line.endswith(b"}") else b"")
    ctx = FileContext("bookcorpus", "b.jsonl")
    rows = list(books.read(io.BytesIO(data), ctx))
    reason = "invalid_json" if data.endswith(b"\n") else "truncated_json"
    assert [(r["kind"], r["reason"], r["location"]) for r in rows] == [
        ("doc", None, "b.jsonl:line 1"),
        ("reject", reason, "b.jsonl:line 2"),
    ]
    assert ctx.records_read == 2
