"""HTML -> main text for CC-News pages: trafilatura (default) or resiliparse (the fast option).

trafilatura is the extractor news-crawl pipelines are measured against: it finds the article body,
drops navigation, footers and comment sections, and reads the article's title and publication date
(htmldate). resiliparse's ``extract_plain_text(main_content=True)`` is a C++ DOM walk with simple
main-content rules: an order of magnitude faster, with less precise boilerplate removal (on real news pages
it sometimes keeps only the teaser) and no date. Speed and agreement: ``python bench/bench_html_extract.py``.

Both get the same decoded string: the HTTP charset when it names a real codec, else UTF-8 when the bytes
are valid UTF-8, else the page's ``<meta charset>`` or uchardet's guess, decoded by resiliparse with
UTF-8 / cp1252 fallbacks so that any byte string gives valid, re-encodable text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding, map_encoding_to_html5
from resiliparse.parse.html import HTMLTree

EXTRACTORS = ("trafilatura", "resiliparse")

_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Extraction:
    """The main text of a page ("" when none was found), with its title and date when known."""

    text: str
    title: str | None = None
    date: str | None = None  # publication date as YYYY-MM-DD (trafilatura only)


def charset_of(content_type: str | None) -> str | None:
    """The codec named by a Content-Type header's charset, mapped the way browsers map it (WHATWG:
    ``iso-8859-1`` means cp1252); None when absent or not a codec Python knows."""
    match = _CHARSET.search(content_type or "")
    if not match:
        return None
    try:
        codecs.lookup(match.group(1))
    except LookupError:
        return None
    return map_encoding_to_html5(match.group(1))


def decode_html(payload: bytes, charset: str | None = None) -> str:
    """An HTML payload as text: ``charset`` if given, else UTF-8 if it decodes, else ``<meta charset>``
    or a detected encoding."""
    if charset is None:
        # Bytes that decode as UTF-8 are UTF-8 (other encodings almost never produce valid UTF-8 sequences),
        # and uchardet guesses wrong on short UTF-8 pages with few non-ASCII letters.
        try:
            return payload.decode("utf-8").replace("\x00", "")
        except UnicodeDecodeError:
            charset = detect_encoding(payload, from_html_meta=True)
    # NUL characters make lxml refuse the whole document; they never carry text.
    return bytes_to_str(payload, charset).replace("\x00", "")


def extract(html: str, url: str | None = None, extractor: str = "trafilatura") -> Extraction:
    """Main text of one page with the named extractor (``"trafilatura"`` or ``"resiliparse"``)."""
    if extractor == "trafilatura":
        return extract_trafilatura(html, url)
    if extractor == "resiliparse":
        return extract_resiliparse(html)
    raise ValueError(f"unknown HTML extractor {extractor!r}; known: {', '.join(EXTRACTORS)}")


def extract_trafilatura(html: str, url: str | None = None) -> Extraction:
    """trafilatura's article text (comments excluded: they are not the news story), title and date."""
    import trafilatura  # imported on first use: it takes ~0.5 s and resiliparse runs do not need it

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        # htmldate's extensive search regex-scans the whole page for anything date-like, several times
        # slower; news pages carry their date in meta tags, JSON-LD or <time>, which the quick search reads.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return Extraction("")
    return Extraction(doc.text or "", title=doc.title or None, date=doc.date or None)


def extract_resiliparse(html: str) -> Extraction:
    """resiliparse's main-content text, paragraphs kept as lines."""
    tree = HTMLTree.parse(html)
    text = extract_plain_text(
        tree, main_content=True, preserve_formatting=True, alt_texts=False, list_bullets=False
    )
    return Extraction(text, title=tree.title or None)
