"""CC-News: WARC files of news pages -> one document per HTML response, its main text extracted.

Every WARC record is one input record. What becomes of it:

- ``response`` with HTTP status 200 and an HTML payload -> a document: the main text from
  ``corpus.sources.html_extract`` (``ctx.options["html_extractor"]``: trafilatura by default, resiliparse as the
  fast option); ``doc_id`` key = the record's ``WARC-Record-ID`` as written (``<urn:uuid:...>``),
  ``url`` = ``WARC-Target-URI``, ``subset`` = the URL's host, ``meta`` = ``warc_date``, and the article's
  ``date`` and ``title`` when the extractor finds them. An extraction with no text -> skip
  ``empty_extraction``. With ``ctx.options["language_gate"]`` (the recipe keeps English only), a page
  that is certainly not English is not extracted -> skip ``not_english_html``
  (``corpus.sources.html_language``).
- any other record type -> skip ``warc_<type>`` (``warc_request``, ``warc_revisit``, ``warc_metadata``,
  ``warc_warcinfo``, ``warc_resource``, ...);
- a response with another status -> skip ``http_not_200``; a 200 that is not HTML (by Content-Type, or
  by sniffing when there is none) or not HTTP at all (``dns:`` records) -> skip ``not_html``;
- a response whose HTTP status line or headers cannot be parsed, or whose payload cannot be decoded
  (an unknown Content-Encoding such as ``br``) -> reject ``warc_bad_http``;
- a record whose own WARC headers cannot be parsed (no ``WARC/x.y`` line, a header line without a colon,
  no valid Content-Length, no WARC-Type), or bytes between records that are not a record -> reject
  ``warc_bad_record``; reading resumes at the next line that starts a record;
- a record whose block does not end where its Content-Length says -> reject ``warc_bad_record`` (see
  below), and the records after it are read as usual;
- a compressed stream that is cut or corrupt, or a record cut short by the end of the file -> one reject
  ``truncated_stream`` at ``@byte <compressed bytes consumed>``, and the file ends there.

Every record is counted, one with a damaged Content-Length included, and the records after it are read
as usual. A record's block must end where its Content-Length says, which is checked while it is read:

- after the block come line ends (the ``\r\n\r\n`` that ends a record; any number of CR/LF is
  accepted), the end of the file or of the record's gzip member, or directly a complete WARC header.
  Anything else (a Content-Length too short, or a few bytes too long) makes the record a reject, and
  reading resumes at the next ``WARC/x.y`` line. In a ``.warc.gz`` where the record starts a gzip
  member, the member must end after those line ends or go on with ``WARC/``; in a plain file other bytes
  there are garbage between records: a reject of their own, the record before them is kept.
- ``.warc.gz``: the block must not run past the end of the gzip member the record started in (one member
  per record is how Common Crawl, wget and warcio write); one that does is a reject, and reading resumes
  at the start of the next member, so the records a Content-Length too large swallowed are read as
  usual. A line never spans two members.
- plain ``.warc``, and records that do not start a gzip member (a file gzipped as a whole) or start the
  first one (which may hold the whole file): with no member boundary to go by, a block that contains, at
  a line start after an empty line inside the block, a complete, parseable WARC header (a ``WARC/x.y``
  line, ``name: value`` fields with a WARC-Type, a WARC-Record-ID and a numeric Content-Length; it may
  reach past the declared end) runs over the next record: a reject, and reading resumes at that header.
  Conservative but not perfect: a record whose payload is itself an uncompressed WARC file of several
  records is rejected and its inner records from the second on are read (all counted); in a per-record
  ``.warc.gz`` the member boundary decides and such a record is kept.
- a Content-Length too large for what is left of the file ends in ``truncated_stream`` as any cut record.

Any ``WARC/x.y`` version is read: WARC/1.0 and 1.1, and the WARC/0.17-0.18 drafts of older crawls
(ClueWeb09, early Internet Archive) which use the same named fields; LF line ends are accepted as
well as CRLF, and ``<...>`` around a target URI is dropped. Transfer-Encoding ``chunked`` (stored raw by
wget) and Content-Encoding ``gzip``/``deflate`` payloads are decoded before extraction. ClueWeb09 stores
pages already decompressed but keeps their ``Content-Encoding: gzip`` header: when a gzip/deflate payload
does not decode and the raw payload sniffs as HTML, the raw payload is used, and the document says so
in ``meta`` (``"content_encoding_ignored": true``), which is how such documents are counted.

Locations are ``@byte N``: in a ``.warc.gz`` file N is the compressed offset of the gzip member the
record starts in, which for the usual one-member-per-record files (Common Crawl, wget, warcio) is the
offset an index would give; a record that starts inside a member shared with earlier records is
``@byte N+M``, M bytes into that member's uncompressed data. In a plain ``.warc`` N is the record's
offset. The file is streamed: the WARC parsing is ours (so that every record is counted and located),
gzip members are inflated 64 KiB at a time, and only a response's payload is held in memory (plus, when
a block is checked for an embedded header, the at most 64 KiB that header may take).
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from corpus.sources import html_extract, html_language, reasons
from corpus.sources.base import STREAM_ERRORS, CountingReader, FileContext, open_decompressed

_CHUNK = 1 << 16
_MAX_LINE = 1 << 16  # a WARC or HTTP header line longer than this is not a header line
_MAX_HEADER_LINES = 1000
_HTTP_HEAD_PEEK = 1 << 16  # HTTP headers must end within this many bytes of the record block
_HEADER_PEEK = 1 << 16  # a WARC header embedded in a block must end within this many bytes
_TRAILER_PEEK = 64  # line ends looked at after a block; more than this many are taken as a record end
_LOOKBEHIND = 8  # bytes kept before the read position when the buffer is refilled

_VERSION = re.compile(rb"^WARC/\d+\.\d+\s*$")
_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)?[ \t]+(\d{3})(?:[ \t].*)?$")
_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP/WARC field name (RFC 9110 token)
_DIGITS = re.compile(r"^[0-9]{1,18}$")  # ASCII only: str.isdigit() also takes "²", which int() refuses
_DIGITS_B = re.compile(rb"^[0-9]{1,18}$")


def read(stream: BinaryIO, ctx: FileContext) -> Iterator[dict]:
    """Rows of one WARC file (``.warc.gz`` per-record gzip, plain ``.warc``, or another compression)."""
    source = _open(stream, ctx.rel_path)
    extractor = ctx.options.get("html_extractor", "trafilatura")
    in_record = False  # a record has been counted but its row not yet yielded
    try:
        while True:
            start = source.pos
            line = source.readline(_MAX_LINE)
            if not line:
                return
            if not line.strip():
                continue  # the blank lines that end the previous record
            ctx.count_record()
            in_record = True
            row = _record_row(line, start, source, ctx, extractor)
            in_record = False
            yield row
    except (*STREAM_ERRORS, _Truncated) as e:
        if not in_record:
            ctx.count_record()
        yield ctx.reject(f"@byte {source.consumed}", reasons.TRUNCATED_STREAM, raw=f"{type(e).__name__}: {e}")


class _Truncated(Exception):
    """The file ended inside a record."""


class _BadBlock(Exception):
    """A record's block does not end where its Content-Length says; the source is already positioned
    where reading resumes."""


def _record_row(first_line: bytes, start: int, source: _Source, ctx: FileContext, extractor: str) -> dict:
    where = source.location(start)
    source.begin_record(start)
    if not _VERSION.match(first_line) or not first_line.endswith(b"\n"):
        if _VERSION.match(first_line) and source.at_end():
            raise _Truncated("file ends inside WARC headers")
        source.skip_to_record()
        return ctx.reject(where, reasons.WARC_BAD_RECORD, raw=first_line)
    headers, bad_line = _read_fields(source)
    length = _content_length(headers)
    if bad_line is not None or length is None:
        if bad_line is not None and _VERSION.match(bad_line):
            source.unread(bad_line)  # the next record begins where this one's headers break off
        source.skip_to_record()
        return ctx.reject(
            where, reasons.WARC_BAD_RECORD, raw=first_line + _raw_fields(headers) + (bad_line or b"")
        )
    source.begin_block(start, length)
    try:
        warc_type = headers.get("warc-type", "").lower()
        if not warc_type:
            source.skip_block(length)
            source.finish_block()
            return ctx.reject(where, reasons.WARC_BAD_RECORD, raw=first_line + _raw_fields(headers))
        if warc_type != "response":
            source.skip_block(length)
            source.finish_block()
            return ctx.skip(where, reasons.warc_type_reason(warc_type))
        row = _response_row(headers, length, where, source, ctx, extractor)
        source.finish_block()
        return row
    except _BadBlock as e:
        return ctx.reject(
            where, reasons.WARC_BAD_RECORD, raw=f"{e}: ".encode() + first_line + _raw_fields(headers)
        )


def _read_fields(source: _Source) -> tuple[dict[str, str], bytes | None]:
    """Named fields up to the blank line: ({lower-cased name: value}, the first bad line or None)."""
    fields: dict[str, str] = {}
    name = None
    for _ in range(_MAX_HEADER_LINES):
        line = source.readline(_MAX_LINE)
        if not line:
            raise _Truncated("file ends inside WARC headers")
        if not line.endswith(b"\n"):
            if len(line) < _MAX_LINE and source.at_end():
                raise _Truncated("file ends inside WARC headers")
            return fields, line  # longer than any header line, or cut by the end of a gzip member
        if line in (b"\r\n", b"\n"):
            return fields, None
        if line[:1] in (b" ", b"\t") and name is not None:  # folded continuation line
            fields[name] += " " + line.strip().decode("utf-8", "replace")
            continue
        key, sep, value = line.partition(b":")
        if not sep or not _TOKEN.match(key):
            return fields, line
        name = key.decode("ascii").lower()
        fields.setdefault(name, value.strip().decode("utf-8", "replace"))
    return fields, b"(too many header lines)"


def _content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if _DIGITS.match(value) else None


def _raw_fields(headers: dict[str, str]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()


def _response_row(
    headers: dict, length: int, where: str, source: _Source, ctx: FileContext, extractor: str
) -> dict:
    head = source.read_block(min(length, _HTTP_HEAD_PEEK))
    rest = length - len(head)
    if not head.startswith(b"HTTP/"):
        if "application/http" in headers.get("content-type", "").lower():
            source.skip_block(rest)
            return ctx.reject(where, reasons.WARC_BAD_HTTP, raw=head)
        source.skip_block(rest)  # dns:, ftp: ... responses carry no HTTP message
        return ctx.skip(where, reasons.NOT_HTML)
    http = _parse_http_head(head)
    if http is None:
        source.skip_block(rest)
        return ctx.reject(where, reasons.WARC_BAD_HTTP, raw=head)
    status, http_headers, body_start = http
    if status != 200:
        source.skip_block(rest)
        return ctx.skip(where, reasons.HTTP_NOT_200)
    body = head[body_start:]
    content_type = http_headers.get("content-type")
    if not _is_html(content_type, body):
        source.skip_block(rest)
        return ctx.skip(where, reasons.NOT_HTML)
    if rest:
        body += source.read_block(rest)
    source.finish_block()  # before the extraction work: a damaged record is a reject whatever it holds
    payload, encoding_ignored = _decode_payload(body, http_headers)
    if payload is None:
        return ctx.reject(where, reasons.WARC_BAD_HTTP, raw=head[:body_start])

    url = headers.get("warc-target-uri", "").strip().strip("<>") or None
    html = html_extract.decode_html(payload, html_extract.charset_of(content_type))
    if ctx.options.get("language_gate") and html_language.certainly_not_english(html):
        return ctx.skip(where, reasons.NOT_ENGLISH_HTML, subset=_host(url))
    extraction = html_extract.extract(html, url, extractor)
    if not extraction.text.strip():
        return ctx.skip(where, reasons.EMPTY_EXTRACTION, subset=_host(url))
    meta = {
        "warc_date": headers.get("warc-date"),
        "date": extraction.date,
        "title": extraction.title,
        "content_encoding_ignored": encoding_ignored,
    }
    return ctx.doc(
        headers.get("warc-record-id") or where,
        extraction.text,
        where,
        subset=_host(url),
        url=url,
        meta={k: v for k, v in meta.items() if v},
    )


def _parse_http_head(head: bytes) -> tuple[int, dict[str, str], int] | None:
    """(status, {lower-cased header: value}, offset of the body) or None when the head is malformed."""
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    if not ends:
        return None
    end = min(ends)
    body_start = end + (4 if head[end : end + 4] == b"\r\n\r\n" else 2)
    lines = head[:end].split(b"\n")
    status = _STATUS.match(lines[0].rstrip(b"\r"))
    if not status:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t"):
            continue  # obsolete folding: part of the previous value, never needed here
        key, sep, value = line.partition(b":")
        if not sep or not _TOKEN.match(key):
            return None
        headers[key.decode("ascii").lower()] = value.strip().decode("latin-1")
    return int(status.group(1)), headers, body_start


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return "html" in content_type.lower()  # text/html, application/xhtml+xml
    return _sniff_html(body)


def _sniff_html(body: bytes) -> bool:
    sniff = body[:1024].lstrip().lower()
    return sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff


def _looks_like_html(body: bytes) -> bool:
    """A payload that is plainly HTML text: no NUL byte and an HTML tag in its first KiB."""
    sniff = body[:1024].lower()
    return b"\x00" not in sniff and any(
        tag in sniff for tag in (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta")
    )


def _decode_payload(body: bytes, headers: dict[str, str]) -> tuple[bytes | None, bool]:
    """(the entity body with transfer and content codings removed, or None for a coding we cannot undo;
    whether a gzip/deflate Content-Encoding was ignored because the payload is plain HTML)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    coding = headers.get("content-encoding", "").strip().lower()
    if coding in ("", "identity", "none", "utf-8", "utf8"):
        return body, False
    if coding in ("gzip", "x-gzip", "deflate"):
        try:  # gzip or zlib header (auto-detected); a cut (WARC-Truncated) body still gives its start
            return zlib.decompressobj(47).decompress(body), False
        except zlib.error:
            pass
        if _looks_like_html(body):
            # Stored decoded under the original header (ClueWeb09). Looked at before raw deflate, which
            # can turn plain text into garbage without an error.
            return body, True
        try:
            return zlib.decompressobj(-15).decompress(body), False  # raw deflate
        except zlib.error:
            return None, False
    return None, False


def _dechunk(body: bytes) -> bytes:
    """Undo HTTP/1.1 chunked framing; a body that is not framed after all (some WARC writers store the
    decoded payload but keep the header) is returned as it is."""
    out, pos = [], 0
    while True:
        eol = body.find(b"\n", pos)
        if eol < 0:
            return body
        size_field = body[pos:eol].split(b";")[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            return body
        if size == 0:
            return b"".join(out)
        out.append(body[eol + 1 : eol + 1 + size])
        pos = eol + 1 + size
        pos += 2 if body[pos : pos + 2] == b"\r\n" else 1 if body[pos : pos + 1] == b"\n" else 0
        if pos >= len(body):
            return b"".join(out)  # cut inside the framing: keep what arrived


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _is_record_header(head: bytes) -> bool:
    """Whether ``head`` (up to, not including, its blank line) is a complete WARC header: the version line,
    then fields only, with a WARC-Type, a WARC-Record-ID and a numeric Content-Length."""
    lines = head.split(b"\n")
    if not _VERSION.match(lines[0]):
        return False
    names: dict[bytes, bytes] = {}
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t"):
            continue
        key, sep, value = line.partition(b":")
        if not sep or not _TOKEN.match(key):
            return False
        names.setdefault(key.lower(), value.strip())
    return (
        bool(names.get(b"warc-type"))
        and bool(names.get(b"warc-record-id"))
        and _DIGITS_B.match(names.get(b"content-length", b"")) is not None
    )


# ------------------------------------------------------------------------------------ byte streams


def _open(stream: BinaryIO, rel_path: str) -> _Source:
    if rel_path.lower().endswith(".gz"):
        members = _GzipMembers(stream)
        return _Source(members.next_chunk, members)
    counted = CountingReader(stream)
    decoded = open_decompressed(counted, rel_path)  # plain .warc, or .zst / .bz2 / .xz as a whole
    return _Source(lambda: decoded.read(_CHUNK), _PlainOffsets(counted))


class _PlainOffsets:
    """Offsets of an uncompressed (or whole-file-compressed) stream: a record is at its own offset, and
    there are no member boundaries."""

    def __init__(self, counted: CountingReader):
        self._counted = counted

    @property
    def consumed(self) -> int:
        return self._counted.bytes_read

    def location(self, pos: int) -> str:
        return f"@byte {pos}"

    def end_after(self, pos: int) -> int | None:
        return None

    def starts_member(self, pos: int) -> bool:
        return False

    def forget_before(self, pos: int) -> None:
        pass


class _GzipMembers:
    """The inflated bytes of a multi-member gzip stream, remembering where each member starts and ends.

    ``gzip.GzipFile`` hides member boundaries; WARC files put one record per member and tools locate
    records by the member's compressed offset, so we inflate member by member ourselves. A member's end
    is known as soon as its last bytes are handed out, before the next member is touched.
    """

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._inflate = None  # decoder of the member in progress
        self._pending = b""  # compressed bytes read but not yet given to a decoder
        self.consumed = 0  # compressed bytes handed to decoders so far
        self._out_pos = 0  # uncompressed bytes produced so far
        self._starts: list[int] = []  # uncompressed offset where each (recent) member starts
        self._offsets: list[int] = []  # ... and its compressed offset
        self._ends: list[int] = []  # uncompressed offset where each (recent) member ends

    def next_chunk(self) -> bytes:
        """The next piece of uncompressed data, never from two members; b"" at a clean end of the file."""
        while True:
            data = self._pending or self._raw.read(_CHUNK)
            self._pending = b""
            if not data:
                if self._inflate is not None:
                    raise EOFError("gzip member cut short (truncated file)")
                return b""
            if self._inflate is None:
                if data[:1] == b"\x00" and not data.strip(
                    b"\x00"
                ):  # zero padding after the last member, as gzip(1) allows
                    self.consumed += len(data)
                    continue
                self._inflate = zlib.decompressobj(31)
                self._starts.append(self._out_pos)
                self._offsets.append(self.consumed)
            out = self._inflate.decompress(data)
            ended = self._inflate.eof
            if ended:
                self._pending = self._inflate.unused_data
                self._inflate = None
            self.consumed += len(data) - len(self._pending)
            self._out_pos += len(out)
            if ended:
                self._ends.append(self._out_pos)
            if out:
                return out

    def location(self, pos: int) -> str:
        i = bisect.bisect_right(self._starts, pos) - 1
        start, offset = self._starts[i], self._offsets[i]
        del self._starts[:i], self._offsets[:i]  # records only move forward: older members are done
        return f"@byte {offset}" if pos == start else f"@byte {offset}+{pos - start}"

    def end_after(self, pos: int) -> int | None:
        """The first known member end after uncompressed offset ``pos``."""
        i = bisect.bisect_right(self._ends, pos)
        return self._ends[i] if i < len(self._ends) else None

    def starts_member(self, pos: int) -> bool:
        i = bisect.bisect_left(self._starts, pos)
        return i < len(self._starts) and self._starts[i] == pos

    def forget_before(self, pos: int) -> None:
        del self._ends[: bisect.bisect_right(self._ends, pos)]


@dataclass
class _Block:
    """The block of the record being read, and how its end is checked."""

    start: int  # where the record (its WARC/x.y line) starts
    member_from: int  # the block must end in the gzip member this offset is in (the record's start)
    data: int  # where the block starts
    end: int  # where the block ends by its Content-Length
    member_start: bool  # the record starts a gzip member
    scan: bool  # look for an embedded record header (where no member boundary tells)


class _Source:
    """Buffered reading of the uncompressed WARC bytes with an absolute position."""

    def __init__(self, next_chunk: Callable[[], bytes], offsets):
        self._next_chunk = next_chunk
        self._offsets = offsets
        self._buf = bytearray()
        self._i = 0  # read position inside _buf
        self.pos = 0  # absolute uncompressed offset of _buf[_i]
        self._eof = False
        self._error: Exception | None = None  # a stream error met while looking ahead, raised on reading
        self._block: _Block | None = None
        self._fills = 0  # chunks appended so far: member ends are only learnt when one is
        self._end_seen = (-1, None)  # (_fills, next member end after pos) when last looked up

    @property
    def consumed(self) -> int:
        return self._offsets.consumed

    def location(self, pos: int) -> str:
        return self._offsets.location(pos)

    def _fill(self, hold: bool = False) -> bool:
        """Append the next chunk; False at the end. A stream error propagates, or with ``hold`` (looking
        ahead, past what the current record needs) is kept until reading gets there."""
        if self._error is not None:
            if hold:
                return False
            raise self._error
        if self._eof:
            return False
        try:
            chunk = self._next_chunk()
        except STREAM_ERRORS as e:
            if not hold:
                raise
            self._error = e
            return False
        if not chunk:
            self._eof = True
            return False
        keep = min(self._i, _LOOKBEHIND)
        del self._buf[: self._i - keep]
        self._i = keep
        self._buf += chunk
        self._fills += 1
        return True

    def _next_member_end(self) -> int | None:
        """The first known gzip member end after the read position (cached: readline asks per line)."""
        fills, end = self._end_seen
        if (end is not None and end > self.pos) or (end is None and fills == self._fills):
            return end  # ends are learnt in order, so no end can have appeared before a known one
        end = self._offsets.end_after(self.pos)
        self._end_seen = (self._fills, end)
        return end

    def _ensure(self, n: int) -> int:
        """Look ahead: at least ``n`` bytes buffered from the read position unless the stream ends (or a
        stream error is met) first; returns how many are."""
        while len(self._buf) - self._i < n and self._fill(hold=True):
            pass
        return len(self._buf) - self._i

    def _ended(self) -> bool:
        return self._eof or self._error is not None

    def at_end(self) -> bool:
        """Nothing left to read (a stream error on the way propagates)."""
        while len(self._buf) - self._i < 1:
            if not self._fill():
                return True
        return False

    def readline(self, limit: int) -> bytes:
        """Up to and including the next b"\\n", at most ``limit`` bytes and never past the end of a gzip
        member; b"" at the end."""
        scanned = self._i
        while True:
            stop = self._i + limit
            member_end = self._next_member_end()
            if member_end is not None:
                stop = min(stop, self._i + member_end - self.pos)
            nl = self._buf.find(b"\n", scanned, stop)
            if nl >= 0:
                return self._take(nl + 1 - self._i)
            if len(self._buf) >= stop:
                return self._take(stop - self._i)
            scanned = len(self._buf)
            before = self._i
            if not self._fill():
                return self._take(len(self._buf) - self._i)
            scanned -= before - self._i  # _fill moved the buffer's start

    def unread(self, data: bytes) -> None:
        """Give back what the last readline returned (still in the buffer)."""
        self._i -= len(data)
        self.pos -= len(data)
        self._end_seen = (-1, None)  # the cached member end may lie beyond an earlier one

    def skip_to_record(self) -> None:
        """Skip to the next line that looks like the start of a WARC record (or to the end)."""
        while True:
            line = self.readline(_MAX_LINE)
            if not line:
                return
            if _VERSION.match(line):
                self.unread(line)
                return

    def _take(self, n: int) -> bytes:
        data = bytes(self._buf[self._i : self._i + n])
        self._i += n
        self.pos += n
        return data

    def _move_to(self, pos: int) -> None:
        """Move forward to ``pos``, which is buffered."""
        self._i += pos - self.pos
        self.pos = pos

    # -------------------------------------------------------------------------------- record blocks

    def begin_record(self, start: int) -> None:
        self._offsets.forget_before(start)

    def begin_block(self, start: int, length: int) -> None:
        """The record that began at ``start`` has a block of ``length`` bytes from here."""
        member_start = self._offsets.starts_member(start)
        # Headers that already crossed a member end (not how any writer we know works): bound the block
        # by the member it starts in instead.
        header_end = self._offsets.end_after(start)
        member_from = start if header_end is None or header_end > self.pos else self.pos
        # A record that starts a member other than the first is bounded by its member; elsewhere (plain
        # files, records inside a member, and the first member, which may hold the whole file) look for
        # an embedded record header.
        scan = not (member_start and start > 0)
        self._block = _Block(start, member_from, self.pos, self.pos + length, member_start, scan)

    def read_block(self, n: int) -> bytes:
        return self._advance(n, keep=True)

    def skip_block(self, n: int) -> None:
        """Skip ``n`` bytes of the block without holding them (a skipped video response can be gigabytes)."""
        self._advance(n, keep=False)

    def _advance(self, n: int, keep: bool) -> bytes:
        block = self._block
        parts = []
        while n > 0:
            available = self._ensure(min(n, _CHUNK) + 5)  # + 5: a "WARC/" that starts before the step's end
            if available == 0:
                self._fill()  # raises a stream error met while looking ahead
                raise _Truncated(f"file ends {n} bytes before the record does")
            step = min(n, available if self._ended() else available - 5)
            member_end = self._offsets.end_after(block.member_from)
            if member_end is not None and member_end < block.end:
                # The block runs past the end of the gzip member the record started in.
                embedded = self._embedded_header(self.pos, member_end) if block.scan else None
                resume = member_end if embedded is None else embedded
                self._move_to(max(resume, self.pos))  # never back: what was read is done
                raise _BadBlock(
                    f"Content-Length {block.end - block.data} runs {block.end - member_end} bytes past "
                    "the end of the record's gzip member"
                )
            if block.scan:
                embedded = self._embedded_header(self.pos, self.pos + step)
                if embedded is not None:
                    self._move_to(embedded)
                    raise _BadBlock(
                        f"Content-Length {block.end - block.data} runs over a WARC record header "
                        f"{embedded - block.data} bytes into the block"
                    )
            if keep:
                parts.append(bytes(self._buf[self._i : self._i + step]))
            self._move_to(self.pos + step)
            n -= step
        return b"".join(parts)

    def _embedded_header(self, lo: int, hi: int) -> int | None:
        """The first offset in [lo, hi) inside the current block where a complete WARC header starts at
        a line start after an empty line, or None."""
        lo = max(lo, self._block.data + 2)  # the empty line lies inside the block
        while lo < hi:
            j = self._buf.find(b"WARC/", self._i + lo - self.pos, self._i + hi - self.pos + 4)
            if j < 0:
                return None
            p = self.pos + j - self._i
            before = bytes(self._buf[max(0, j - 3) : j])
            if (before.endswith(b"\n\n") or before == b"\n\r\n") and self._header_at(p):
                return p
            lo = p + 1
        return None

    def _header_at(self, p: int) -> bool:
        """Whether a complete, parseable WARC header starts at buffered offset ``p`` (looks ahead)."""
        need = 2048
        while True:
            available = self._ensure(p - self.pos + need) - (p - self.pos)
            j = self._i + p - self.pos
            seen = bytes(self._buf[j : j + min(need, available)])
            ends = [i for i in (seen.find(b"\r\n\r\n"), seen.find(b"\n\n")) if i >= 0]
            if ends:
                return _is_record_header(seen[: min(ends)])
            if len(seen) < need or need >= _HEADER_PEEK:
                return False
            need *= 4

    def finish_block(self) -> None:
        """Check that the block just read ends the record: line ends, then the end of the file, of the
        gzip member, or (in a per-record gzip member) the next ``WARC/``. Idempotent."""
        block, self._block = self._block, None
        if block is None:
            return
        available = self._ensure(_TRAILER_PEEK)
        member_end = self._offsets.end_after(self.pos - 1)  # the member end at or after the block's end
        limit = available if member_end is None else min(available, member_end - self.pos)
        j = self._i
        k = 0
        while k < limit and self._buf[j + k] in b"\r\n":
            k += 1
        end = self.pos + k
        if end == member_end or (k == available and self._ended()):
            return  # the end of the member or of the file
        if k == limit:
            return  # a long run of line ends
        if k == 0:
            if self._header_at(self.pos):
                return  # the next record follows without the blank lines: nothing is lost
            problem = "is followed by other bytes than a line end"
        else:
            self._ensure(k + 5)
            j = self._i
            if self._buf[j + k : j + k + 5] == b"WARC/" or not block.member_start:
                return  # the next record, or garbage between records (a reject of its own)
            problem = "is followed by more data in the record's gzip member"
        self.skip_to_record()
        raise _BadBlock(f"the block of Content-Length {block.end - block.data} {problem}")
