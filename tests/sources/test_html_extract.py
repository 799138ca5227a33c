"""HTML -> text (corpus/sources/html_extract.py): charset handling, and both extractors on real news pages."""

from __future__ import annotations

import pytest

from corpus.sources import html_extract
from tests.conftest import shared_file

# trafilatura's publication dates for ../shared/data/html (checked against the pages' own markup).
NEWS_DATES = {
    "boingboing.net.millenials.html": "2013-07-19",
    "dw.com.colonial.html": "2020-01-19",
    "dw.com.uncork.html": "2019-08-01",
    "franceculture.fr.idees.html": "2020-01-14",
    "heise.de.lithium.html": "2019-06-20",
    "lanouvellerepublique.fr.martin.html": None,
    "mercurynews.com.2023.01.16.letters-1119.html": "2023-01-16",
    "nationalgeographic.co.uk.goats.html": "2020-01-06",
    "nature.com.telescope.html": "2019-09-24",
    "phys.org.tool.html": "2019-10-22",
    "reuters.com.parasite.html": "2020-01-20",
    "salon.com.emissions.html": "2020-01-10",
    "scmp.com.playbook.html": "2020-01-20",
    "spiegel.de.albtraum.html": "2018-12-22",
    "sueddeutsche.de.flixtrain.html": "2019-05-17",
    "theverge.com.ios13.html": "2019-07-03",
}


@pytest.mark.parametrize(
    "content_type,expected",
    [
        ("text/html; charset=ISO-8859-1", "cp1252"),  # as browsers read it (WHATWG)
        ('text/html; charset="utf-8"', "utf-8"),
        ("text/html;charset=Shift_JIS", "shift_jis"),
        ("text/html", None),
        ("text/html; charset=no-such-codec", None),
        (None, None),
    ],
)
def test_charset_of_content_type(content_type, expected):
    assert html_extract.charset_of(content_type) == expected


def test_decode_html_prefers_the_header_then_utf8_then_the_page():
    assert html_extract.decode_html("<p>café</p>".encode()) == "<p>café</p>"
    assert html_extract.decode_html("<p>caf\u00e9</p>".encode("cp1252"), "cp1252") == "<p>café</p>"
    japanese = (
        '<html><head><meta charset="shift_jis"></head><body><p>日本語のニュース記事です。</p></body></html>'
    )
    assert html_extract.decode_html(japanese.encode("shift_jis")) == japanese
    assert html_extract.decode_html(b"<p>a\x00b</p>") == "<p>ab</p>"
    assert html_extract.decode_html(b"<p>\xff\xfe broken \xe9</p>", "utf-8").startswith("<p>")  # never raises


def test_unknown_extractor_is_an_error():
    with pytest.raises(ValueError, match="unknown HTML extractor 'lynx'"):
        html_extract.extract("<p>x</p>", extractor="lynx")


def test_nothing_to_extract_gives_empty_text():
    for extractor in html_extract.EXTRACTORS:
        assert html_extract.extract("<html><body></body></html>", extractor=extractor).text.strip() == ""


def test_both_extractors_on_real_news_pages():
    for name, date in NEWS_DATES.items():
        html = html_extract.decode_html(shared_file("html", name).read_bytes())
        slow = html_extract.extract(html, extractor="trafilatura")
        fast = html_extract.extract(html, extractor="resiliparse")
        assert slow.date == date, name
        assert slow.text.strip() and fast.text.strip(), name
        assert fast.date is None
    html = html_extract.decode_html(shared_file("html", "nature.com.telescope.html").read_bytes())
    sentence = "The world’s largest single-dish radio observatory"
    for extractor in html_extract.EXTRACTORS:
        extraction = html_extract.extract(html, extractor=extractor)
        assert sentence in extraction.text
        assert extraction.title.startswith("Gigantic Chinese telescope opens to astronomers")
