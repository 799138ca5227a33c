"""CC-News: ``ccnews/news-NNN.warc.gz``, WARC/1.0 with one gzip member per record, as Common Crawl writes.

A file opens with a ``warcinfo`` record; then every fetch is a ``request``, a ``response`` (or a
``revisit``) and a ``metadata`` record. Most responses are 200 HTML news pages (``html_page``); some are
PDFs, images or JSON (``not_html``), redirects and errors (``http_not_200``), revisits of an unchanged page
(``warc_revisit``), and one per file is a JavaScript app shell with nothing to extract
(``empty_extraction``). Planted damage: responses whose HTTP head cannot be parsed (``warc_bad_http``):
one whose payload is raw HTML with no status line or headers at all, one with a garbled status line.

A response document's key is its ``WARC-Record-ID`` exactly as written (``<urn:uuid:...>``); a reject's
location is ``@byte N``, the compressed offset of the record's gzip member.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from pathlib import Path

import numpy as np

from corpus.sample import html_page
from corpus.sample.containers import gzip_member
from corpus.sample.lexicons import language_mix
from corpus.sample.plan import SizeSpec, Task, split_budget
from corpus.sample.textgen import batch_texts, language, pick_languages
from corpus.sample.truth import TaskResult
from corpus.schema import make_doc_id
from corpus.sources import reasons

SOURCE = "ccnews"
FILE_BYTES = 32_000_000
ARTICLE_CHARS = 2_500  # median article text; the page around it adds ~4 KB of markup
SITES = {
    "en": (
        "dailyharbor.com",
        "northernpost.co.uk",
        "thevalleytimes.com",
        "metro-ledger.com",
        "coastalherald.com.au",
    ),
    "de": ("rheinblatt.de", "alpenkurier.at"),
    "fr": ("lemessager-lac.fr", "journal-du-jura.ch"),
    "es": ("diariodelsur-news.es", "correo-andino.cl"),
    "it": ("gazzettino-lago.it",),
    "ru": ("vestnik-goroda.ru",),
    "el": ("nea-tou-limaniou.gr",),
    "zh": ("huaxia-ribao.cn",),
    "ja": ("machi-shimbun.jp",),
    "ar": ("akhbar-almadina.com",),
    "hi": ("dainik-samachar.in",),
    "ga": ("nuacht-an-oileain.ie",),
    "la": ("nuntii-latini.va",),
}
SECTIONS = ("news", "world", "politics", "business", "sport", "culture", "science", "local")
# What a fetch is, besides a news article (per mille): the rest are articles.
FETCH_KINDS = {"not_html": 50, "not_200": 70, "revisit": 40}
NOT_HTML = (
    ("application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
    ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
    ("application/json", b'{"status": "ok", "items": []}'),
    ("text/plain", b"User-agent: *\nDisallow: /admin/\n"),
)
NOT_200 = (
    (301, "Moved Permanently"),
    (302, "Found"),
    (404, "Not Found"),
    (500, "Internal Server Error"),
    (503, "Service Unavailable"),
)
BROKEN_HTTP = ("http_no_status", "http_bad_status")
NEWS_LANGUAGES = language_mix(0.55)
# CCNewsV2 was crawled up to 2021-09-28; the sample's fetches span its last five years.
_EPOCH_2016_09 = 1472688000
_EPOCH_2021_09 = 1632787200


def plan(spec: SizeSpec, seed: int) -> list[Task]:
    tasks = [
        Task(SOURCE, i, seed, budget, params={"name": f"news-{i:03d}.warc.gz"})
        for i, budget in enumerate(split_budget(spec.budget(SOURCE), FILE_BYTES, 2))
    ]
    for task in tasks:
        task.corruptions.append("app_shell")
    for i, name in enumerate(BROKEN_HTTP):
        tasks[i % len(tasks)].corruptions.append(name)
    return tasks


class WarcWriter:
    """Per-record gzip members appended to one file, with each member's compressed offset."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.offset = 0
        self.raw_bytes = 0

    def record(self, warc_type: str, headers: list[tuple[str, str]], block: bytes) -> int:
        """Write one record; returns the offset of its gzip member."""
        head = [f"WARC/1.0\r\nWARC-Type: {warc_type}\r\n"]
        head += [f"{k}: {v}\r\n" for k, v in headers]
        head.append(f"WARC-Block-Digest: {_sha1(block)}\r\nContent-Length: {len(block)}\r\n\r\n")
        raw = "".join(head).encode("utf-8") + block + b"\r\n\r\n"
        member = gzip_member(raw)
        start = self.offset
        self._fh.write(member)
        self.offset += len(member)
        self.raw_bytes += len(raw)
        return start

    def close(self) -> int:
        self._fh.close()
        return self.offset


def write(task: Task, root: Path) -> TaskResult:
    rng = task.rng()
    result = TaskResult(SOURCE)
    rel = task.params["name"]
    n_fetches = max(4, int(task.budget / (ARTICLE_CHARS + 5_500)))
    kinds = _fetch_kinds(rng, n_fetches)
    n_articles = kinds.count("article")
    langs = pick_languages(rng, n_articles, NEWS_LANGUAGES)
    chars = np.clip(rng.lognormal(np.log(ARTICLE_CHARS), 0.5, n_articles), 600, 30_000)
    bodies = batch_texts(rng, langs, chars, paragraph_prob=0.35)

    article = iter(range(n_articles))
    items: list[tuple[str, object]] = [(kind, next(article) if kind == "article" else None) for kind in kinds]
    items += [("plant", p) for p in task.plants]
    items += [("corrupt", c) for c in task.corruptions]
    order = rng.permutation(len(items)).tolist()

    pages = _PageMaker(rng, langs)
    warc = WarcWriter(root / SOURCE / rel)
    file_date = _warc_date(int(rng.integers(_EPOCH_2016_09, _EPOCH_2021_09)))
    warcinfo_id = _record_id(rng)
    warc.record(
        "warcinfo",
        [
            ("WARC-Date", file_date),
            ("WARC-Filename", rel),
            ("WARC-Record-ID", warcinfo_id),
            ("Content-Type", "application/warc-fields"),
        ],
        b"software: optcorpus sample generator\r\nformat: WARC File Format 1.0\r\n"
        b"description: synthetic CC-News sample\r\nrobots: checked via crawler-commons\r\n",
    )
    result.tally.add_skip(reasons.warc_type_reason("warcinfo"))

    for i in order:
        kind, what = items[i]
        fetch = _Fetch(rng, warc, result, rel, warcinfo_id)
        if kind == "article":
            lang = langs[what]
            page, url = pages.page(lang, bodies[what])
            doc_id = fetch.response(url, 200, "OK", "text/html; charset=utf-8", page.encode("utf-8"))
            result.add_document(doc_id, None, lang)
        elif kind == "plant":
            url = what.options["url"]
            doc_id = fetch.response(url, 200, "OK", "text/html; charset=utf-8", what.text.encode("utf-8"))
            result.add_document(doc_id, None, what.lang, plant_key=what.key)
        elif kind == "not_html":
            ctype, payload = NOT_HTML[int(rng.integers(len(NOT_HTML)))]
            fetch.response(
                _url(rng, "en", suffix=".bin"),
                200,
                "OK",
                ctype,
                payload + rng.bytes(int(rng.integers(64, 2048))),
            )
            result.tally.add_skip(reasons.NOT_HTML)
        elif kind == "not_200":
            status, reason = NOT_200[int(rng.integers(len(NOT_200)))]
            url = _url(rng, "en")
            extra = (
                [("Location", url.replace("http://", "https://") + "?amp=1")] if status in (301, 302) else []
            )
            body = b"" if extra else html_page.error_page(status, reason).encode()
            fetch.response(url, status, reason, "text/html", body, extra)
            result.tally.add_skip(reasons.HTTP_NOT_200)
        elif kind == "revisit":
            fetch.revisit(_url(rng, pick_languages(rng, 1)[0]))
            result.tally.add_skip(reasons.warc_type_reason("revisit"))
        elif what == "app_shell":
            site = SITES["en"][int(rng.integers(len(SITES["en"])))]
            fetch.response(
                _url(rng, "en"),
                200,
                "OK",
                "text/html; charset=utf-8",
                html_page.app_shell_page(site).encode(),
            )
            result.add_empty(
                f"{SOURCE}/{rel}",
                f"{rel}@byte {fetch.response_offset}",
                reasons.EMPTY_EXTRACTION,
                planted=what,
            )
        else:
            fetch.broken_response(_url(rng, "en"), what)
            result.add_corrupt(
                reasons.WARC_BAD_HTTP,
                f"{SOURCE}/{rel}",
                f"{rel}@byte {fetch.response_offset}",
                planted=what,
                record_id=fetch.response_id,
            )
        fetch.metadata()
    size = warc.close()
    result.tally.files += 1
    result.tally.bytes_on_disk += size
    result.text_bytes += warc.raw_bytes
    result.files.append(f"{SOURCE}/{rel}")
    return result


class _Fetch:
    """The request, response (or revisit) and metadata records of one fetch. The request and metadata
    records are counted here as skips; what the response becomes is counted by the caller."""

    def __init__(
        self, rng: np.random.Generator, warc: WarcWriter, result: TaskResult, rel: str, warcinfo_id: str
    ):
        self.rng, self.warc, self.result, self.rel, self.warcinfo_id = rng, warc, result, rel, warcinfo_id
        self.date = _warc_date(int(rng.integers(_EPOCH_2016_09, _EPOCH_2021_09)))
        self.response_id = _record_id(rng)
        self.response_offset = -1
        self.url = ""

    def _request(self, url: str) -> None:
        self.url = url
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3]
        block = (
            f"GET {path} HTTP/1.1\r\nUser-Agent: CCBot/2.0 (https://commoncrawl.org/faq/)\r\n"
            f"Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ).encode()
        self.warc.record(
            "request",
            self._headers(
                _record_id(self.rng),
                "application/http; msgtype=request",
                [("WARC-Concurrent-To", self.response_id)],
            ),
            block,
        )
        self.result.tally.add_skip(reasons.warc_type_reason("request"))

    def response(self, url, status, reason, content_type, payload: bytes, extra_headers=()) -> str:
        """Write request + response; returns the document id the response would have."""
        self._request(url)
        head = f"HTTP/1.1 {status} {reason}\r\nDate: {_http_date(self.date)}\r\nServer: nginx\r\n"
        if payload or status == 200:
            head += f"Content-Type: {content_type}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in extra_headers)
        head += f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        block = head.encode() + payload
        headers = self._headers(
            self.response_id, "application/http; msgtype=response", [("WARC-Payload-Digest", _sha1(payload))]
        )
        self.response_offset = self.warc.record("response", headers, block)
        return make_doc_id(SOURCE, self.rel, self.response_id)

    def broken_response(self, url: str, how: str) -> None:
        self._request(url)
        page = html_page.error_page(200, "OK").encode()
        if how == "http_no_status":  # some crawlers stored the bare payload in a "response"
            block = page
        else:  # a garbled status line: "2OO" with letters O
            block = (
                b"HTTP/1.1 2OO OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page
            )
        self.response_offset = self.warc.record(
            "response", self._headers(self.response_id, "application/http; msgtype=response"), block
        )

    def revisit(self, url: str) -> None:
        self._request(url)
        block = f"HTTP/1.1 200 OK\r\nDate: {_http_date(self.date)}\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n".encode()
        extra = [
            ("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
            ("WARC-Refers-To-Target-URI", url),
            ("WARC-Refers-To-Date", _warc_date(int(self.rng.integers(_EPOCH_2016_09, _EPOCH_2021_09)))),
            ("WARC-Payload-Digest", "sha1:" + base64.b32encode(self.rng.bytes(20)).decode()),
        ]
        self.warc.record(
            "revisit", self._headers(self.response_id, "application/http; msgtype=response", extra), block
        )

    def metadata(self) -> None:
        block = f"fetchTimeMs: {int(self.rng.integers(40, 4000))}\r\ncharset-detected: UTF-8\r\n".encode()
        self.warc.record(
            "metadata",
            self._headers(
                _record_id(self.rng), "application/warc-fields", [("WARC-Concurrent-To", self.response_id)]
            ),
            block,
        )
        self.result.tally.add_skip(reasons.warc_type_reason("metadata"))

    def _headers(self, record_id: str, content_type: str, extra=()) -> list[tuple[str, str]]:
        return [
            ("WARC-Target-URI", self.url),
            ("WARC-Date", self.date),
            ("WARC-Record-ID", record_id),
            ("WARC-Warcinfo-ID", self.warcinfo_id),
            ("Content-Type", content_type),
            *extra,
        ]


class _PageMaker:
    """News pages of one file: headlines drawn in one batch per language, chrome shared per site."""

    def __init__(self, rng: np.random.Generator, langs: list[str]):
        self.rng = rng
        self.titles = {
            code: iter(language(code).titles_batch(rng, 9 * langs.count(code))) for code in sorted(set(langs))
        }
        self.chrome: dict[str, html_page.SiteChrome] = {}

    def page(self, lang: str, body: str) -> tuple[str, str]:
        """(HTML page, URL) of one article whose text is ``body`` (paragraphs split on blank lines)."""
        rng, titles = self.rng, self.titles[lang]
        headline = next(titles)
        related = [next(titles) for _ in range(8)]
        date = _warc_date(int(rng.integers(_EPOCH_2016_09, _EPOCH_2021_09)))
        url = _url(rng, lang, date=date)
        site = url.split("/")[2].removeprefix("www.")
        if site not in self.chrome:
            self.chrome[site] = html_page.site_chrome(rng, lang)
        L = language(lang)
        author = f"{L.word(rng, 'NAME')} {L.word(rng, 'NAME')}"
        paragraphs = body.split("\n\n")
        return html_page.article_page(
            rng, self.chrome[site], lang, site, url, headline, paragraphs, date, author, related
        ), url


def news_page_for_plant(rng: np.random.Generator, lang: str, body: str) -> tuple[str, str]:
    """A page and URL for a planted duplicate; the copy reuses the page under another URL."""
    return _PageMaker(rng, [lang]).page(lang, body)


def _fetch_kinds(rng: np.random.Generator, n: int) -> list[str]:
    draws = rng.integers(0, 1000, n)
    kinds, bound = [], []
    acc = 0
    for name, per_mille in FETCH_KINDS.items():
        acc += per_mille
        bound.append((acc, name))
    for d in draws.tolist():
        kinds.append(next((name for b, name in bound if d < b), "article"))
    if "article" not in kinds:
        kinds[0] = "article"
    return kinds


def _url(rng: np.random.Generator, lang: str, suffix: str = ".html", date: str | None = None) -> str:
    sites = SITES.get(lang, SITES["en"])
    site = sites[int(rng.integers(len(sites)))]
    section = SECTIONS[int(rng.integers(len(SECTIONS)))]
    t = date or _warc_date(int(rng.integers(_EPOCH_2016_09, _EPOCH_2021_09)))
    slug = "-".join(language("en").word(rng, "NOUN") for _ in range(3)).replace(" ", "-")
    return f"https://www.{site}/{section}/{t[:4]}/{t[5:7]}/{t[8:10]}/{slug}-{int(rng.integers(10**5, 10**7))}{suffix}"


def _record_id(rng: np.random.Generator) -> str:
    return f"<urn:uuid:{uuid.UUID(bytes=rng.bytes(16), version=4)}>"


def _warc_date(epoch: int) -> str:
    return np.datetime_as_string(np.datetime64(epoch, "s"), unit="s") + "Z"


def _http_date(warc_date: str) -> str:
    d = np.datetime64(warc_date.rstrip("Z"))
    weekday = ("Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed")[
        int(d.astype("datetime64[D]").astype(np.int64)) % 7
    ]
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    y, m, day = warc_date[:4], int(warc_date[5:7]), warc_date[8:10]
    return f"{weekday}, {day} {months[m - 1]} {y} {warc_date[11:19]} GMT"


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()
