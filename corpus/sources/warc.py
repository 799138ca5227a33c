"""CC-News: WARC files of news pages -> one document per HTML response, its main text extracted.

Every WARC record is one input record. What becomes of it:

- ``response`` with HTTP status 200 and an HTML payload -> a document: the main text from
  ``corpus.html_extract`` (``ctx.options["html_extractor"]``: trafilatura by default, resiliparse as the
  fast option); ``doc_id`` key = the record's ``WARC-Record-ID`` as written (``<urn:uuid:...>``),
  ``url`` = ``WARC-Target-URI``, ``subset`` = the URL's host, ``meta`` = ``warc_date``, and the article's
  ``date`` and ``title`` when the extractor finds them. An extraction with no text -> skip
  ``empty_extraction``.
- any other record type -> skip ``warc_<type>`` (``warc_request``, ``warc_revisit``, ``warc_metadata``,
  ``warc_warcinfo``, ``warc_resource``, ...);
- a response with another status -> skip ``http_not_200``; a 200 that is not HTML (by Content-Type, or
  by sniffing when there is none) or not HTTP at all (``dns:`` records) -> skip ``not_html``;
- a response whose HTTP status line or headers cannot be parsed, or whose payload cannot be decoded
  (an unknown Content-Encoding such as ``br``) -> reject ``warc_bad_http``;
- a record whose own WARC headers cannot be parsed (no ``WARC/x.y`` line, a header line without a colon,
  no valid Content-Length, no WARC-Type), or bytes between records that are not a record -> reject
  ``warc_bad_record``; reading resumes at the next line that starts a record;
- a compressed stream that is cut or corrupt, or a record cut short by the end of the file -> one reject
  ``truncated_stream`` at ``@byte <compressed bytes consumed>``, and the file ends there.

Any ``WARC/x.y`` version is read: WARC/1.0 and 1.1, and the WARC/0.17-0.18 drafts of older crawls
(ClueWeb09, early Internet Archive) which use the same named fields; LF line ends are accepted as
well as CRLF, and ``<...>`` around a target URI is dropped. Transfer-Encoding ``chunked`` (stored raw by
wget) and Content-Encoding ``gzip``/``deflate`` payloads are decoded before extraction.

Locations are ``@byte N``: in a ``.warc.gz`` file N is the compressed offset of the gzip member the
record starts in, which for the usual one-member-per-record files (Common Crawl, wget, warcio) is the
offset an index would give; a record that starts inside a member shared with earlier records is
``@byte N+M``, M bytes into that member's uncompressed data. In a plain ``.warc`` N is the record's
offset. The file is streamed: the WARC parsing is ours (so that every record is counted and located),
gzip members are inflated 64 KiB at a time, and only a response's payload is held in memory.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO
from urllib.parse import urlsplit

from corpus import html_extract
from corpus.sources import reasons
from corpus.sources.base import STREAM_ERRORS, CountingReader, FileContext, open_decompressed

_CHUNK = 1 << 16
_MAX_LINE = 1 << 16  # a WARC or HTTP header line longer than this is not a header line
_MAX_HEADER_LINES = 1000
_HTTP_HEAD_PEEK = 1 << 16  # HTTP headers must end within this many bytes of the record block

_VERSION = re.compile(rb"^WARC/\d+\.\d+\s*$")
_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)?[ \t]+(\d{3})(?:[ \t].*)?$")
_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP/WARC field name (RFC 9110 token)


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


def _record_row(first_line: bytes, start: int, source: _Source, ctx: FileContext, extractor: str) -> dict:
    where = source.location(start)
    if not _VERSION.match(first_line):
        source.skip_to_record()
        return ctx.reject(where, reasons.WARC_BAD_RECORD, raw=first_line)
    headers, bad_line = _read_fields(source)
    length = _content_length(headers)
    if bad_line is not None or length is None or not headers.get("warc-type"):
        if length is None:
            source.skip_to_record()
        else:
            source.skip_exactly(length)
        return ctx.reject(
            where, reasons.WARC_BAD_RECORD, raw=first_line + _raw_fields(headers) + (bad_line or b"")
        )
    warc_type = headers["warc-type"].lower()
    if warc_type != "response":
        source.skip_exactly(length)
        return ctx.skip(where, reasons.warc_type_reason(warc_type))
    return _response_row(headers, length, where, source, ctx, extractor)


def _read_fields(source: _Source) -> tuple[dict[str, str], bytes | None]:
    """Named fields up to the blank line: ({lower-cased name: value}, the first bad line or None)."""
    fields: dict[str, str] = {}
    name = None
    for _ in range(_MAX_HEADER_LINES):
        line = source.readline(_MAX_LINE)
        if not line:
            raise _Truncated("file ends inside WARC headers")
        if not line.endswith(b"\n"):
            if len(line) < _MAX_LINE:
                raise _Truncated("file ends inside WARC headers")
            return fields, line  # longer than any header line
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
    return int(value) if value.isdigit() else None


def _raw_fields(headers: dict[str, str]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()


def _response_row(
    headers: dict, length: int, where: str, source: _Source, ctx: FileContext, extractor: str
) -> dict:
    head = source.read_exactly(min(length, _HTTP_HEAD_PEEK))
    rest = length - len(head)
    if not head.startswith(b"HTTP/"):
        if "application/http" in headers.get("content-type", "").lower():
            source.skip_exactly(rest)
            return ctx.reject(where, reasons.WARC_BAD_HTTP, raw=head)
        source.skip_exactly(rest)  # dns:, ftp: ... responses carry no HTTP message
        return ctx.skip(where, reasons.NOT_HTML)
    http = _parse_http_head(head)
    if http is None:
        source.skip_exactly(rest)
        return ctx.reject(where, reasons.WARC_BAD_HTTP, raw=head)
    status, http_headers, body_start = http
    if status != 200:
        source.skip_exactly(rest)
        return ctx.skip(where, reasons.HTTP_NOT_200)
    body = head[body_start:]
    content_type = http_headers.get("content-type")
    if not _is_html(content_type, body):
        source.skip_exactly(rest)
        return ctx.skip(where, reasons.NOT_HTML)
    if rest:
        body += source.read_exactly(rest)
    payload = _decode_payload(body, http_headers)
    if payload is None:
        return ctx.reject(where, reasons.WARC_BAD_HTTP, raw=head[:body_start])

    url = headers.get("warc-target-uri", "").strip().strip("<>") or None
    html = html_extract.decode_html(payload, html_extract.charset_of(content_type))
    extraction = html_extract.extract(html, url, extractor)
    if not extraction.text.strip():
        return ctx.skip(where, reasons.EMPTY_EXTRACTION, subset=_host(url))
    meta = {"warc_date": headers.get("warc-date"), "date": extraction.date, "title": extraction.title}
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
    sniff = body[:1024].lstrip().lower()
    return sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff


def _decode_payload(body: bytes, headers: dict[str, str]) -> bytes | None:
    """The entity body with transfer and content codings removed; None for a coding we cannot undo."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    coding = headers.get("content-encoding", "").strip().lower()
    if coding in ("", "identity", "none", "utf-8", "utf8"):
        return body
    if coding in ("gzip", "x-gzip", "deflate"):
        for wbits in (47, -15):  # gzip or zlib header (auto-detected), then raw deflate
            try:
                return zlib.decompressobj(wbits).decompress(
                    body
                )  # a cut (WARC-Truncated) body still gives its start
            except zlib.error:
                continue
        return None
    return None


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


# ------------------------------------------------------------------------------------ byte streams


def _open(stream: BinaryIO, rel_path: str) -> _Source:
    if rel_path.lower().endswith(".gz"):
        members = _GzipMembers(stream)
        return _Source(members.next_chunk, members)
    counted = CountingReader(stream)
    decoded = open_decompressed(counted, rel_path)  # plain .warc, or .zst / .bz2 / .xz as a whole
    return _Source(lambda: decoded.read(_CHUNK), _PlainOffsets(counted))


class _PlainOffsets:
    """Offsets of an uncompressed (or whole-file-compressed) stream: a record is at its own offset."""

    def __init__(self, counted: CountingReader):
        self._counted = counted

    @property
    def consumed(self) -> int:
        return self._counted.bytes_read

    def location(self, pos: int) -> str:
        return f"@byte {pos}"


class _GzipMembers:
    """The inflated bytes of a multi-member gzip stream, remembering where each member starts.

    ``gzip.GzipFile`` hides member boundaries; WARC files put one record per member and tools locate
    records by the member's compressed offset, so we inflate member by member ourselves.
    """

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._inflate = None  # decoder of the member in progress
        self._pending = b""  # compressed bytes read but not yet given to a decoder
        self.consumed = 0  # compressed bytes handed to decoders so far
        self._out_pos = 0  # uncompressed bytes produced so far
        self._starts: list[int] = []  # uncompressed offset where each (recent) member starts
        self._offsets: list[int] = []  # ... and its compressed offset

    def next_chunk(self) -> bytes:
        """The next piece of uncompressed data; b"" at a clean end of the file."""
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
            if self._inflate.eof:
                self._pending = self._inflate.unused_data
                self._inflate = None
            self.consumed += len(data) - len(self._pending)
            self._out_pos += len(out)
            if out:
                return out

    def location(self, pos: int) -> str:
        i = bisect.bisect_right(self._starts, pos) - 1
        start, offset = self._starts[i], self._offsets[i]
        del self._starts[:i], self._offsets[:i]  # records only move forward: older members are done
        return f"@byte {offset}" if pos == start else f"@byte {offset}+{pos - start}"


class _Source:
    """Buffered reading of the uncompressed WARC bytes with an absolute position."""

    def __init__(self, next_chunk: Callable[[], bytes], offsets):
        self._next_chunk = next_chunk
        self._offsets = offsets
        self._buf = bytearray()
        self._i = 0  # read position inside _buf
        self.pos = 0  # absolute uncompressed offset of _buf[_i]

    @property
    def consumed(self) -> int:
        return self._offsets.consumed

    def location(self, pos: int) -> str:
        return self._offsets.location(pos)

    def _fill(self) -> bool:
        chunk = self._next_chunk()
        if not chunk:
            return False
        del self._buf[: self._i]
        self._i = 0
        self._buf += chunk
        return True

    def readline(self, limit: int) -> bytes:
        """Up to and including the next b"\\n", at most ``limit`` bytes; b"" at the end."""
        scanned = self._i
        while True:
            nl = self._buf.find(b"\n", scanned, self._i + limit)
            if nl >= 0:
                return self._take(nl + 1 - self._i)
            if len(self._buf) - self._i >= limit:
                return self._take(limit)
            scanned = len(self._buf)
            before = self._i
            if not self._fill():
                return self._take(len(self._buf) - self._i)
            scanned -= before - self._i  # _fill moved the buffer's start

    def unread(self, data: bytes) -> None:
        """Give back what the last readline returned (still in the buffer)."""
        self._i -= len(data)
        self.pos -= len(data)

    def read_exactly(self, n: int) -> bytes:
        while len(self._buf) - self._i < n:
            if not self._fill():
                raise _Truncated(f"file ends {n - (len(self._buf) - self._i)} bytes before the record does")
        return self._take(n)

    def skip_exactly(self, n: int) -> None:
        """Skip ``n`` bytes without holding them (a skipped video response can be gigabytes)."""
        while n > 0:
            available = len(self._buf) - self._i
            if available == 0 and not self._fill():
                raise _Truncated(f"file ends {n} bytes before the record does")
            step = min(n, len(self._buf) - self._i)
            self._i += step
            self.pos += step
            n -= step

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
