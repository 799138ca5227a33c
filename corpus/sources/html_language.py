"""A conservative language gate before HTML extraction: pages that are certainly not English.

Extraction (trafilatura) is most of the cost of reading CC-News, and about half of a news crawl is not
English, which the filter stage drops after paying for its extraction. When the recipe keeps English only
(``filter.english``), a page is skipped before extraction (skip ``not_english_html``) only when two
independent, cheap signals agree:

1. the page declares a language, ``<html lang="de">``, and it is not English (``en``, ``en-GB``, ...) nor
   undetermined (``und``, ``mul``, ``zxx``); and
2. its visible text (tags, scripts and styles removed, at most ``SAMPLE_CHARS`` of it) has at least
   ``MIN_WORDS`` words, and under ``MAX_MARKER_SHARE`` of them are English marker words: frequent English
   function words that are not also words of the other major languages of the web ("in", "to", "was",
   "on", "of", "also", "will" or "a" are left out for that reason). English prose is about 15 % these words,
   so the threshold leaves a wide margin.

A page with no ``lang``, an English one, little text, or English text under a foreign ``lang`` (an English
article on a German site) is extracted as before, and the English filter decides. The gate is meant to
skip only pages the filter would drop anyway; ``tests/sources/test_html_language.py`` counts the pages it
would have wrongly skipped on the real pages in ``../shared/data`` (none), and the sample builds give the
same shards with it on or off.
"""

from __future__ import annotations

import re

SAMPLE_CHARS = 20_000  # visible characters looked at
MIN_WORDS = 40  # fewer words are not enough evidence: the page is extracted
MAX_MARKER_SHARE = 0.02  # English prose is ~0.15

ENGLISH_MARKERS = frozenset(
    "the and that with this are have from which were been their would there what when "
    "they his has not but you your about more than into only other after".split()
)
UNDETERMINED = frozenset({"und", "mul", "zxx", "mis"})

_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.IGNORECASE)
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]+")


def declared_language(html: str) -> str | None:
    """The primary subtag of the ``<html lang=...>`` attribute, lower-cased ("de" for "de-AT"), or None.

    >>> declared_language('<!DOCTYPE html><html class="x" lang="de-AT"><head>')
    'de'
    >>> declared_language("<html><body>") is None
    True
    """
    match = _HTML_LANG.search(html, 0, 5000)
    return match.group(1).lower() if match else None


def visible_words(html: str) -> list[str]:
    """Lower-cased words of the page's visible text (the first ``SAMPLE_CHARS`` characters of it)."""
    body = html.find("<body")
    text = _TAG.sub(" ", _INVISIBLE.sub(" ", html[body if body >= 0 else 0 :]))
    return _WORD.findall(text[:SAMPLE_CHARS].lower())


def english_marker_share(words: list[str]) -> float:
    """Share of ``words`` that are English marker words.

    >>> round(english_marker_share("the cat and the dog were there".split()), 2)
    0.71
    """
    return sum(w in ENGLISH_MARKERS for w in words) / len(words) if words else 0.0


def certainly_not_english(html: str) -> bool:
    """True when the page declares a language other than English and its visible text agrees.

    >>> page = '<html lang="de"><body><p>' + "Der Hund und die Katze sind im Garten. " * 10 + "</p></body></html>"
    >>> certainly_not_english(page)
    True
    >>> certainly_not_english(page.replace('lang="de"', 'lang="en"'))
    False
    >>> certainly_not_english(page.replace("Der Hund und die Katze sind im Garten.", "The dog and the cat are in the garden."))
    False
    """
    lang = declared_language(html)
    if lang is None or lang == "en" or lang in UNDETERMINED:
        return False
    words = visible_words(html)
    return len(words) >= MIN_WORDS and english_marker_share(words) < MAX_MARKER_SHARE
