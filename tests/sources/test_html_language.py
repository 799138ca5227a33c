"""The language gate before HTML extraction (corpus/sources/html_language.py): it may skip only pages the
English filter would drop anyway, measured on real pages and on pages built from labelled sentences of
75 languages (../shared/data)."""

from __future__ import annotations

import io

from corpus.config import FilterConfig, NormalizeConfig
from corpus.filters import document_verdict
from corpus.sources import html_extract
from corpus.sources.base import FileContext
from corpus.sources.html_language import certainly_not_english, declared_language, visible_words
from corpus.sources.warc import read as read_warc
from corpus.text.normalize import normalize_text
from tests.conftest import shared_file

CHROME = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
    "<script>var the = 'the and that with this'; window.track({{the: 1}});</script>"
    "<style>.the {{ color: red }}</style></head><body><nav><a href='/'>Home</a> | <a href='/n'>News</a>"
    "</nav><article><h1>{title}</h1>{paragraphs}</article><footer>© 2024</footer></body></html>"
)


def page(lang: str, sentences: list[str]) -> str:
    paragraphs = "".join(f"<p>{' '.join(sentences[i : i + 3])}</p>" for i in range(0, len(sentences), 3))
    return CHROME.format(lang=lang, title=sentences[0][:40], paragraphs=paragraphs)


def filter_keeps(text: str) -> bool:
    """Would the filter stage keep this (extracted) text? The ingest normalization, then its verdict."""
    normalized, _ = normalize_text(text, NormalizeConfig())
    return document_verdict(normalized, None, FilterConfig(), 0)[0] is None


def test_signals_on_hand_made_pages():
    german = ["Der Hund und die Katze sind heute im Garten."] * 12
    english = ["The dog and the cat were in the garden when it rained."] * 12
    assert certainly_not_english(page("de", german))
    assert certainly_not_english(page("zh-Hans", ["今天的天气很好，我们去公园散步吧。" * 3] * 12))
    assert not certainly_not_english(page("en-GB", german))  # declared English: always extracted
    assert not certainly_not_english(page("und", german))
    assert not certainly_not_english(page("de", english))  # English text under a German lang
    assert not certainly_not_english(page("de", german[:2]))  # too few words to be sure
    assert not certainly_not_english(page("de", german).replace(' lang="de"', ""))
    # scripts, styles and comments are not visible text
    assert "window" not in visible_words(page("de", german)) and "color" not in visible_words(
        page("de", german)
    )
    assert declared_language("<HTML LANG=fr-CA>") == "fr"


def _sentences(code: str) -> list[str]:
    return shared_file("langid", f"{code}.txt").read_text(encoding="utf-8").splitlines()


def test_labelled_sentences_of_75_languages():
    """30 pages of 10 sentences per language, each under its own ``lang``: every page the gate skips is
    one the filter drops; English sentences are never skipped, whatever ``lang`` says."""
    codes = sorted(p.stem for p in shared_file("langid").glob("*.txt"))
    assert len(codes) == 75
    english = _sentences("en")
    skipped, wrongly, total = 0, 0, 0
    for code in codes:
        sentences = _sentences(code)
        for i in range(0, 300, 10):
            html = page(code, sentences[i : i + 10])
            total += 1
            if certainly_not_english(html):
                skipped += 1
                wrongly += filter_keeps(" ".join(sentences[i : i + 10]))
            assert not certainly_not_english(page(code, english[i : i + 10])), (code, i)
    assert wrongly == 0
    assert skipped >= 0.9 * (total - 30), (skipped, total)  # the 30 English pages under lang="en" are kept


def _warc_pages(monkeypatch) -> list[tuple[str, str]]:
    """(url, decoded HTML) of the HTML responses of the real WARC sample, as the reader decodes them."""
    path = shared_file("warc", "sample-0000.warc.gz")
    pages, extract = [], html_extract.extract

    def record(html, url=None, extractor="trafilatura"):
        pages.append((url, html))
        return extract(html, url, extractor)

    monkeypatch.setattr(html_extract, "extract", record)
    list(read_warc(io.BytesIO(path.read_bytes()), FileContext("ccnews", path.name, str(path), {})))
    return pages


def test_real_news_pages(monkeypatch):
    """The 16 trafilatura test pages and the 22 pages of the real WARC: the gate skips the German and
    French articles that say so, and no page whose article the filter keeps."""
    pages = [
        (p.name, p.read_text(encoding="utf-8", errors="replace"))
        for p in sorted(shared_file("html").glob("*.html"))
    ]
    pages += _warc_pages(monkeypatch)
    assert len(pages) == 16 + 22
    skipped, kept_by_filter = [], []
    for name, html in pages:
        keeps = filter_keeps(html_extract.extract(html).text)
        kept_by_filter += [name] if keeps else []
        if certainly_not_english(html):
            skipped.append(name)
            assert not keeps, name
    assert sorted(skipped) == [
        "franceculture.fr.idees.html",
        "heise.de.lithium.html",
        "spiegel.de.albtraum.html",
        "sueddeutsche.de.flixtrain.html",
    ]
    assert len(kept_by_filter) == 29
