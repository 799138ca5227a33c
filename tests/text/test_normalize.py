"""Normalization: fix_text_fast equals ftfy.fix_text on every text we can find, whitespace rules, Gutenberg
boilerplate on the real book wrapped in each edition's header and footer, and the per-step counters."""

from __future__ import annotations

import gzip
import io
import json
import time
from pathlib import Path

import ftfy
import pytest
import zstandard
from ftfy import fixes as ftfy_fixes
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.config import NormalizeConfig
from corpus.text import normalize as N
from corpus.text.boilerplate import strip_boilerplate
from corpus.text.normalize import fix_text_fast, normalize_text, normalize_texts, normalize_whitespace
from tests.conftest import SHARED_DATA, shared_file

# ---------------------------------------------------------------------------------------------------------
# texts: the real files in ../shared/data, by source (bench/bench_normalize.py uses the same loader)
# ---------------------------------------------------------------------------------------------------------

REAL_SOURCES = (
    "gutenberg",
    "bookcorpus",
    "cc_text",
    "langid",
    "html",
    "pile",
    "reddit_comments",
    "reddit_submissions",
    "neardup",
    "newsplease",
)


def _zst_json_lines(path: Path) -> list[dict]:
    reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(
        path.open("rb"), read_across_frames=True
    )
    return [json.loads(line) for line in io.TextIOWrapper(reader, encoding="utf-8") if line.strip()]


def real_texts(source: str, root: Path = SHARED_DATA) -> list[str]:
    """Every text of one source in ../shared/data (langid: each sentence and each whole file)."""
    if source == "gutenberg":
        return [(root / "gutenberg" / "1342-0.txt").read_text(encoding="utf-8")]
    if source == "bookcorpus":
        lines = (root / "bookcorpus" / "BookCorpusFair.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["text"] for line in lines if line.strip()]
    if source == "cc_text":
        return [
            json.loads(line)["text"]
            for path in sorted((root / "cc_text").glob("*.jsonl.gz"))
            for line in gzip.open(path, "rt", encoding="utf-8")
            if line.strip()
        ]
    if source == "langid":
        texts = []
        for path in sorted((root / "langid").glob("*.txt")):
            whole = path.read_text(encoding="utf-8")
            texts += [whole, *whole.splitlines()]
        return texts
    if source == "html":
        return [p.read_bytes().decode("utf-8", errors="replace") for p in sorted((root / "html").iterdir())]
    if source == "pile":
        return [d["text"] for p in sorted((root / "pile").glob("*.jsonl.zst")) for d in _zst_json_lines(p)]
    if source == "reddit_comments":
        return [d["body"] for d in _zst_json_lines(root / "reddit" / "RC_2005-12.zst")]
    if source == "reddit_submissions":
        rows = _zst_json_lines(root / "reddit" / "AskMen_submissions.zst")
        return [r["title"] for r in rows] + [r["selftext"] for r in rows if r.get("selftext")]
    if source == "neardup":
        return [p.read_text(encoding="utf-8") for p in sorted((root / "neardup").rglob("*.txt"))]
    if source == "newsplease":
        article = json.loads((root / "newsplease" / "sample.json").read_text(encoding="utf-8"))
        return [v for v in article.values() if isinstance(v, str)]
    raise ValueError(f"unknown source {source!r}")


# Damage ftfy repairs, and the places where its segment-by-segment state matters.
NASTY = [
    "",
    "\n",
    "   ",
    "Ã©tÃ© schÃ¶n",  # UTF-8 read as Latin-1
    "donâ€™t â€œquoteâ€\x9d",  # UTF-8 read as Windows-1252
    "voilÃ le travail",  # ... with the 0xA0 turned into a space
    "Ã la mode",
    "x\nÃ \nÂ y",  # the one anchored BADNESS_RE alternative, at a line start
    "РџСЂРёРІРµС‚ вЂ\x9d",  # Windows-1251 mojibake
    "Ξ±Ξ»Ξ»Ξ¬",  # Windows-1253 mojibake
    "&amp; &lt;b&gt; &eacute; &#x2019; &#8217; &EACUTE; &nTILDE; &hellip; &#128077; &notanentity;",
    "a &amp; b\n<p>c &amp; d</p>\n&amp; e",  # a '<' turns entity decoding off for its line and the rest
    "<b>x</b> &amp; y",
    "one\r\ntwo\rthree\u2028four\u2029five\x85six",
    "\x80\x93 C1 \x93quoted\x94",
    "ﬁnancial ﬂow ﬀ ﬃ ﬄ ﬅ ﬆ Ĳssel ǅ",
    "ＬＯＵＤ　ＮＯＩＳＥＳ ｶﾀｶﾅ ￦",
    "“curly” ‘single’ it’s ʼn ‚low‛ „double‟",
    "e\u0301 cafe\u0301 \u1100\u1161 \u0041\u030a",  # NFC composes these
    "\ud83d\udca9 pair, \udca9 lone, \ud83d lone",  # UTF-16 surrogates
    "\ufeffBOM at the start",
    "\x1b[36;44mcolored\x1b[0m and a bare \x1b escape",
    "ctrl \x00\x01\x07\x7f\x0b\x0e\x1f tab\tff\x0c",
    "naïve café – “Ã©” &hellip; ½ °C № ™ ©",
    "👍🏽 ❤️ 🇬🇧 家族 العربية हिन्दी ไทย",
    "\u206a\ufff9\ufffc\ufffd deprecated and annotation controls",
    "it’s\r\n“fine”\r\n",
    "Ã\xa0 côté " * 3,
]


def _check(text: str) -> None:
    expected = ftfy.fix_text(text)
    got = fix_text_fast(text)
    assert got == expected, f"fix_text_fast differs from ftfy on {text[:200]!r}"


# ---------------------------------------------------------------------------------------------------------
# fix_text_fast == ftfy.fix_text
# ---------------------------------------------------------------------------------------------------------


def test_fast_path_is_enabled_for_the_installed_ftfy():
    # Otherwise every test below would compare ftfy with itself.
    assert N.FAST_PATH_ENABLED and N._HINTS is not None
    assert N._BADNESS_MAX_LEN == 7


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_cases_equal_ftfy(text):
    _check(text)


def test_nasty_cases_are_really_repaired():
    # The cases above are damage ftfy does repair; the fast path must not skip it.
    assert fix_text_fast("Ã©tÃ© schÃ¶n") == "été schön"
    assert fix_text_fast("donâ€™t") == "don't"
    assert fix_text_fast("a &amp; b\n<p>c &amp; d</p>\n&amp; e") == "a & b\n<p>c &amp; d</p>\n&amp; e"
    assert fix_text_fast("it’s\r\n“fine”\r\n") == 'it\'s\n"fine"\n'
    assert fix_text_fast("cafe\u0301") == "caf\u00e9"
    assert fix_text_fast("ﬁ ＬＯＵＤ") == "fi LOUD"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("plain ASCII, nothing to fix.\nSecond line.", "untouched"),
        ("Größe, ελληνικά, русский, 日本語", "untouched"),
        ("it’s “curly”\r\n", "plain"),
        ("cafe\u0301", "plain"),
        ("Ã©tÃ©", "ftfy"),
        ("&amp;", "ftfy"),
    ],
)
def test_paths(text, path):
    fixed, taken = N.fix_text_fast_path(text)
    assert (fixed, taken) == (ftfy.fix_text(text), path)
    if path == "untouched":
        assert fixed is text  # not even a copy


def test_characters_outside_the_touched_set_are_left_alone_by_every_fixer():
    # The proof's claim about ftfy's character-level fixers, over all code points at once: they work
    # character by character (or on \r\n / ESC sequences, whose first characters are in the set).
    untouched = "".join(chr(c) for c in range(0x110000) if c not in N._TOUCHED)
    for fixer in (
        ftfy_fixes.fix_c1_controls,
        ftfy_fixes.fix_latin_ligatures,
        ftfy_fixes.fix_character_width,
        ftfy_fixes.uncurl_quotes,
        ftfy_fixes.fix_line_breaks,
        ftfy_fixes.fix_surrogates,
        ftfy_fixes.remove_terminal_escapes,
        ftfy_fixes.remove_control_chars,
    ):
        assert fixer(untouched) == untouched, fixer.__name__
    # ... and every plain character is changed by one of them (the set is not padded; hard characters
    # such as U+0081, which Windows-1252 leaves undefined, may be left alone by these but not by fix_encoding).
    for c in map(chr, sorted(N._PLAIN_CHARS)):
        assert any(
            f(c) != c
            for f in (
                ftfy_fixes.fix_c1_controls,
                ftfy_fixes.fix_latin_ligatures,
                ftfy_fixes.fix_character_width,
                ftfy_fixes.uncurl_quotes,
                ftfy_fixes.fix_line_breaks,
                ftfy_fixes.fix_surrogates,
                ftfy_fixes.remove_control_chars,
            )
        ), hex(ord(c))


def test_every_badness_match_contains_a_hint():
    # _HINTS is derived from BADNESS_RE's structure; check the claim on text built to match every
    # alternative: each match found in a long mojibake-rich text contains a hint character.
    hints = N._HINTS[0]
    text = "".join(NASTY) + "".join(sorted(hints)) + " Ã\xa0 côté ×² Â « √± ‚Äì"
    matches = list(ftfy.badness.BADNESS_RE.finditer(text))
    assert len(matches) > 20
    for m in matches:
        assert set(m.group()) & hints, m.group()
        assert len(m.group()) <= N._BADNESS_MAX_LEN


def test_lines_longer_than_ftfy_segments():
    # ftfy cuts lines every 1,000,000 characters and fixes the pieces separately: an entity or an NFC
    # pair across a cut must come out exactly as ftfy leaves it.
    cut = N._SEGMENT_CHARS
    long_line = "x" * (cut - 2) + "&amp;" + "y" * 10 + "’"
    nfc_across = "x" * (cut - 1) + "e\u0301" + "z" * 5
    for text in (long_line, long_line + "\nnext “line”\n", nfc_across, "ok\n" + nfc_across, "é" * (cut + 3)):
        _check(text)


@pytest.mark.parametrize("source", REAL_SOURCES)
def test_equal_to_ftfy_on_real_texts(source):
    shared_file(source.split("_")[0] if source.startswith("reddit") else source)
    texts = real_texts(source)
    assert texts
    for text in texts:
        _check(text)


def test_equal_to_ftfy_on_generated_sample(tmp_path):
    from corpus.sample import generate

    assert generate.main(["--out", str(tmp_path), "--seed", "1", "--size", "tiny"]) in (0, None)
    texts = texts_in_dir(tmp_path)
    assert len(texts) > 100
    for text in texts:
        _check(text)


def texts_in_dir(root: Path) -> list[str]:
    """Texts of a generated corpus, read naively: whole .txt[.gz] files, "text"/"body"/"title"/"selftext" of
    JSON lines (.jsonl, .jsonl.zst, RC_*/RS_* .zst), and WARC response payloads. Damaged files and lines
    are skipped: the readers account for them, the normalizer only sees text."""
    texts = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.name
        try:
            if name.endswith((".txt", ".txt.gz")):
                raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
                texts.append(raw.decode("utf-8", errors="replace"))
            elif name.endswith(".warc.gz") or name.endswith(".warc"):
                texts += _warc_payloads(path)
            elif ".jsonl" in name or name.startswith(("RC_", "RS_")):
                rows = _json_lines(path)
                texts += [
                    r[k]
                    for r in rows
                    for k in ("text", "body", "title", "selftext")
                    if isinstance(r.get(k), str)
                ]
        except (OSError, EOFError, ValueError, zstandard.ZstdError):
            continue
    return texts


def _json_lines(path: Path) -> list[dict]:
    if path.name.endswith(".zst"):
        reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(
            path.open("rb"), read_across_frames=True
        )
        raw = reader.read()
    else:
        raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    rows = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def _warc_payloads(path: Path) -> list[str]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with path.open("rb") as f:
        return [
            record.reader.read().decode("utf-8", errors="replace")
            for record in ArchiveIterator(f, record_types=WarcRecordType.response)
        ]


# Pieces that steer random text to where ftfy does something.
_FRAGMENTS = [
    *NASTY,
    "\n",
    " ",
    "  ",
    "\t",
    "a",
    "Z",
    "é",
    "e",
    "\u0301",
    "\u0327",
    "Ã",
    "Â",
    "Ã ",
    "â€",
    "™",
    "œ",
    "Ø",
    "×",
    "&",
    "amp;",
    "&#",
    "x27;",
    "<",
    "’",
    "“",
    "\r",
    "\u2028",
    "\x85",
    "\x9d",
    "\ud800",
    "\udc00",
    "\x1b[",
    "ﬁ",
    "Ａ",
    "\u3000",
    "\ufeff",
    "В",
    "Г",
    "Ђ",
    "½",
    "°",
    "µ",
    "Ŝ",
    "\u1100",
    "\u1161",
]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=4), max_size=12).map("".join))
def test_equal_to_ftfy_on_random_text(text):
    _check(text)


# ---------------------------------------------------------------------------------------------------------
# whitespace
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb\rc\u2028d\u2029e\x85f\x0bg\x0ch", "a\nb\nc\nd\ne\nf\ng\nh"),
        (
            "10\u00a0km, thin\u2009space, ideo\u3000graphic, narrow\u202fnbsp",
            "10 km, thin space, ideo graphic, narrow nbsp",
        ),
        ("one  two\t\tthree \t four\tfive", "one two three four five"),
        ("trailing   \nspaces\t\n", "trailing\nspaces"),
        ("p1\n\n\n\n\np2\n \n\t\n \np3", "p1\n\np2\n\np3"),
        ("p1\n\np2", "p1\n\np2"),  # a paragraph break survives
        ("    indented verse\n        more indented", "indented verse\n        more indented"),
        ("  \n\n  x  \n\n  ", "x"),
        ("zero\u200bwidth\u200cjoiners\u200d stay", "zero\u200bwidth\u200cjoiners\u200d stay"),
        ("", ""),
    ],
)
def test_whitespace(text, expected):
    assert normalize_whitespace(text) == expected


def test_whitespace_is_linear_on_long_blank_runs():
    # A naive trailing-space regex backtracks quadratically on long runs of blanks inside a line.
    text = "a" + " " * 1_000_000 + "b" + "\t " * 500_000 + "\n" + " " * 1_000_000
    start = time.perf_counter()
    assert normalize_whitespace(text) == "a b"
    assert time.perf_counter() - start < 5.0  # quadratic would take hours


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.sampled_from(list(" \t\n\r\u00a0\u3000\u2028\x0cab")), max_size=40))
def test_whitespace_properties(text):
    once = normalize_whitespace(text)
    assert normalize_whitespace(once) == once
    assert "\n\n\n" not in once and "\r" not in once and "\u00a0" not in once
    assert once == once.strip()
    assert all(line == line.rstrip(" \t") for line in once.split("\n"))
    assert once.replace(" ", "").replace("\n", "").replace("\t", "") == "".join(c for c in text if c in "ab")


# ---------------------------------------------------------------------------------------------------------
# boilerplate: the real book, and the book wrapped as each Project Gutenberg edition wraps it
# ---------------------------------------------------------------------------------------------------------

HEADER_2021 = """\ufeffThe Project Gutenberg eBook of Pride and Prejudice, by Jane Austen

This eBook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this eBook or online at
www.gutenberg.org. If you are not located in the United States, you
will have to check the laws of the country where you are located before
using this eBook.

Title: Pride and Prejudice

Author: Jane Austen

Release Date: June, 1998 [eBook #1342]
[Most recently updated: August 23, 2021]

Language: English

Character set encoding: UTF-8

Produced by: Chuck Greif and the Online Distributed Proofreading Team at
http://www.pgdp.net (This file was produced from images available at
The Internet Archive)

*** START OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***
"""

FOOTER_2021 = """*** END OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***

Updated editions will replace the previous one--the old editions will
be renamed.

Creating the works from print editions not protected by U.S. copyright
law means that no one owns a United States copyright in these works,
so the Foundation (and you!) can copy and distribute it in the
United States without permission and without paying copyright
royalties.

START: FULL LICENSE

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

To protect the Project Gutenberg-tm mission of promoting the free
distribution of electronic works, by using or distributing this work
(or any other work associated in any way with the phrase "Project
Gutenberg"), you agree to comply with all the terms of the Full
Project Gutenberg-tm License available with this file or online at
www.gutenberg.org/license.

Section 1. General Terms of Use and Redistributing Project
Gutenberg-tm electronic works

This website includes information about Project Gutenberg-tm,
including how to make donations to the Project Gutenberg Literary
Archive Foundation, how to help produce our new eBooks, and how to
subscribe to our email newsletter to hear about new eBooks.
"""

HEADER_2008 = """The Project Gutenberg EBook of Pride and Prejudice, by Jane Austen

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.org


Title: Pride and Prejudice

Author: Jane Austen

Posting Date: August 26, 2008 [EBook #1342]
Release Date: June, 1998
Last Updated: March 10, 2018

Language: English

Character set encoding: UTF-8

*** START OF THIS PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***




Produced by Anonymous Volunteers"""

FOOTER_2008 = """End of the Project Gutenberg EBook of Pride and Prejudice, by Jane Austen

*** END OF THIS PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***

***** This file should be named 1342-0.txt or 1342-0.zip *****
This and all associated files of various formats will be found in:
        http://www.gutenberg.org/1/3/4/1342/

Produced by Anonymous Volunteers

Updated editions will replace the previous one--the old editions
will be renamed.

*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
"""

# An edition with no START marker at all: only the header paragraphs tell where the book begins.
HEADER_NO_MARKER = """Project Gutenberg's Pride and Prejudice, by Jane Austen

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.  You may copy it, give it away or
re-use it under the terms of the Project Gutenberg License included
with this eBook or online at www.gutenberg.org

Title: Pride and Prejudice
Author: Jane Austen

Release Date: August 26, 2008 [EBook #1342]

Language: English

Produced by Anonymous Volunteers"""

FOOTER_NO_MARKER = """End of Project Gutenberg's Pride and Prejudice, by Jane Austen
"""

HEADER_1993 = """The Project Gutenberg Etext of Pride and Prejudice, by Jane Austen

**Welcome To The World of Free Plain Vanilla Electronic Texts**

**Etexts Readable By Both Humans and By Computers, Since 1971**

*****These Etexts Were Prepared By Thousands of Volunteers!*****

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*
"""

FOOTER_1993 = """End of The Project Gutenberg Etext of Pride and Prejudice
"""

HEADER_WRAPPED_TITLE = """The Project Gutenberg EBook of Pride and Prejudice, by Jane Austen

*** START OF THIS PROJECT GUTENBERG EBOOK PRIDE AND
PREJUDICE ***
"""

EDITIONS = {
    "2021": (HEADER_2021, FOOTER_2021),
    "2008": (HEADER_2008, FOOTER_2008),
    "no_start_marker": (HEADER_NO_MARKER, FOOTER_NO_MARKER),
    "1993_small_print": (HEADER_1993, FOOTER_1993),
    "wrapped_title": (HEADER_WRAPPED_TITLE, FOOTER_2021),
}

BOOK_HEADINGS = 60  # "CHAPTER II." ... lines in 1342-0.txt (grep -cE '^ *(CHAPTER|Chapter) [IVXLC]+\.? *$')
FIRST_LINE = "[Illustration:"
LAST_LINE = "TOOKS COURT, CHANCERY LANE, LONDON."


@pytest.fixture(scope="module")
def book() -> str:
    return shared_file("gutenberg", "1342-0.txt").read_text(encoding="utf-8")


def test_real_book_keeps_its_text_and_loses_only_chapter_headings(book):
    # This copy of 1342-0.txt has no Gutenberg header, footer or licence (and no BOM): only the 60 bare
    # chapter headings go. "Chapter I.]" closes an illustration caption and stays.
    stripped = strip_boilerplate(book)
    assert stripped[1:] == (0, 0, 0, BOOK_HEADINGS)
    out, steps = normalize_text(book, NormalizeConfig())
    assert steps == ("ftfy", "boilerplate", "whitespace")
    lines = out.split("\n")
    assert (lines[0], lines[-1]) == (FIRST_LINE, " " * 18 + LAST_LINE)  # indentation is kept
    assert "It is a truth universally acknowledged, that a single man in possession" in lines
    assert "Chapter I.]" in lines
    assert not any(line in ("CHAPTER II.", "CHAPTER XIII", "Chapter XLVI.") for line in lines)
    assert len(lines) == len(normalize_whitespace(ftfy.fix_text(book)).split("\n")) - 2 * BOOK_HEADINGS


@pytest.mark.parametrize("edition", EDITIONS)
def test_gutenberg_editions_come_out_as_the_bare_book(book, edition):
    header, footer = EDITIONS[edition]
    wrapped = header + "\n\n\n" + book + footer
    stripped = strip_boilerplate(wrapped)
    assert stripped.text == strip_boilerplate("\n\n\n" + book).text
    assert (stripped.header_chars, stripped.footer_chars) == (len(header), len(footer))
    assert stripped.heading_lines == BOOK_HEADINGS
    out, steps = normalize_text(wrapped, NormalizeConfig())
    assert out == normalize_text(book, NormalizeConfig())[0]
    assert "boilerplate" in steps
    assert "Gutenberg" not in out and "LICENSE" not in out and "Volunteers" not in out
    assert out.startswith(FIRST_LINE + "\n") and out.endswith("\n" + " " * 18 + LAST_LINE)


@pytest.mark.parametrize(
    ("line", "removed"),
    [
        ("Chapter One", True),
        ("CHAPTER XII.", True),
        ("Chapter 7:", True),
        ("  Chapter Twenty-One  ", True),
        ("CHAPTER the FIFTH", True),
        ("Chap. IV", True),
        ("**Chapter 3**", True),
        ("Chapter Seventeen", True),
        ("CHAPTER I. The Beginning", False),  # the title is information
        ("Chapter 11 bankruptcy protection was filed.", False),
        ("Chapter Ivan", False),
        ("Chapter I.]", False),
        ("The chapter one heading", False),
        ("Chapters", False),
    ],
)
def test_heading_lines(line, removed):
    text = f"Before.\n\n{line}\n\nAfter."
    stripped = strip_boilerplate(text)
    assert stripped.heading_lines == int(removed)
    assert stripped.text == ("Before.\n\n\nAfter." if removed else text)


def test_ebook_lines_go_anywhere():
    text = "This ebook by Project Gutenberg.\nIt was a dark night.\nThis eBook is courtesy of Project Gutenberg\n"
    stripped = strip_boilerplate(text)
    assert (stripped.text, stripped.ebook_lines) == ("It was a dark night.\n", 2)


SMASHWORDS_FRONT = """The Last Summer
by Jane Doe

Copyright 2012 Jane Doe
Smashwords Edition

Smashwords Edition, License Notes
This ebook is licensed for your personal enjoyment only. This ebook may not be re-sold or given away to \
other people. If you would like to share this book with another person, please purchase an additional copy \
for each recipient. If you're reading this book and did not purchase it, or it was not purchased for your \
use only, then please return to Smashwords.com and purchase your own copy. Thank you for respecting the \
hard work of this author.

Chapter One

The lake was still when we arrived. Nobody had licensed the boats that summer.
"""


def test_smashwords_licence_notes_go():
    stripped = strip_boilerplate(SMASHWORDS_FRONT)
    assert stripped.ebook_lines == 3
    assert stripped.heading_lines == 1
    assert normalize_text(SMASHWORDS_FRONT, NormalizeConfig())[0] == (
        "The Last Summer\nby Jane Doe\n\nCopyright 2012 Jane Doe\n\n"
        "The lake was still when we arrived. Nobody had licensed the boats that summer."
    )


@pytest.mark.parametrize(
    "text",
    [
        # Mentions of Gutenberg, credits and header-like fields in ordinary documents are text.
        "Project Gutenberg is the oldest digital library.\n\nProduced by volunteers since 1971, it offers "
        "70,000 books.\n\nTitle: the end of an era",
        "Title: Quarterly report\nAuthor: Finance team\nRelease date: 2021-03-01\n\nProduced by the desk.",
        "We read the Gutenberg Bible.\n\nEnd of the story.",
        "Our licence notes: the city licensed 40 taxis.\nPublished by the council.",
    ],
)
def test_documents_without_gutenberg_markers_are_kept(text):
    assert strip_boilerplate(text) == (text, 0, 0, 0, 0)


LICENCE_LINE = (
    "This eBook is for the use of anyone anywhere at no cost and with almost no restrictions whatsoever. "
    "You may copy it, give it away or re-use it under the terms of the Project Gutenberg License included "
    "with this eBook or online at www.gutenberg.org"
)
# Running prose with single newlines only: one "paragraph" to the end of the text.
PROSE = (
    "It is a truth universally acknowledged, that a single man in possession\n"
    "of a good fortune, must be in want of a wife.\n"
    "However little known the feelings or views of such a man may be on his\n"
    "first entering a neighbourhood, this truth is so well fixed in the minds\n"
    "of the surrounding families, that he is considered the rightful property\n"
    "of some one or other of their daughters. The Project Gutenberg of Meryton\n"
    "was not yet founded.\n"
)


@pytest.mark.parametrize(
    ("header", "rest"),
    [
        (LICENCE_LINE + "\n", PROSE),  # the reported case: the whole document used to go
        (LICENCE_LINE + "  ", PROSE),  # the prose goes on in the licence's line
        (HEADER_NO_MARKER.split("\n\n")[1] + "\n", PROSE),  # the licence wrapped over 4 lines
        (HEADER_2021.split("\n\n")[1] + "\n", PROSE),  # the 2020s wording, with its closing sentence
        ("The Project Gutenberg EBook of Pride and Prejudice, by Jane Austen\n", PROSE),
        (
            "*** START OF THIS PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***\nProduced by Anonymous Volunteers\n",
            PROSE,
        ),
        (HEADER_2021, "Produced by Anonymous Volunteers\n" + PROSE),
        (HEADER_2008 + "\n" + LICENCE_LINE + "\n", PROSE),
    ],
)
def test_boilerplate_removes_the_header_lines_it_recognises_never_the_prose_after_them(header, rest):
    stripped = strip_boilerplate(header + rest)
    assert stripped.text == rest.removeprefix("Produced by Anonymous Volunteers\n")
    assert stripped.header_chars == len(header + rest) - len(stripped.text)
    assert normalize_text(header + rest, NormalizeConfig())[0] == stripped.text.strip()


def test_credits_wrapped_inside_a_pattern_go_whole():
    credits = "Produced by Jane Doe and the Online Distributed\nProofreading Team\n"
    start = "*** START OF THIS PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***\n\n"
    assert strip_boilerplate(start + credits + PROSE).text == PROSE
    assert strip_boilerplate(start + credits + "\n" + PROSE).text == "\n\n" + PROSE  # as before


def test_header_paragraphs_keep_their_unrecognised_lines():
    # A header paragraph line that no rule recognises is kept (here an author line after a wrapped
    # opening line); the recognised header paragraphs after it still go.
    text = (
        "The Project Gutenberg EBook of The Adventures of Tom Sawyer, Complete\n"
        "Mark Twain (Samuel Clemens)\n\n" + HEADER_NO_MARKER.split("\n\n", 1)[1] + "\n\n" + PROSE
    )
    assert strip_boilerplate(text).text == "Mark Twain (Samuel Clemens)\n\n" + PROSE


# ---------------------------------------------------------------------------------------------------------
# the step: order, switches, counters
# ---------------------------------------------------------------------------------------------------------


def test_order_ftfy_then_boilerplate_then_whitespace():
    # Fullwidth letters become "CHAPTER II" only after ftfy, so boilerplate must run after it; the blank
    # lines left where the heading was are collapsed by whitespace, which must run last.
    text = "End of part one.\n\n\uff23\uff28\uff21\uff30\uff34\uff25\uff32\u3000\uff29\uff29\n\nIt began.  "
    assert normalize_text(text, NormalizeConfig()) == (
        "End of part one.\n\nIt began.",
        ("ftfy", "boilerplate", "whitespace"),
    )


@pytest.mark.parametrize(
    ("cfg", "expected"),
    [
        (NormalizeConfig(ftfy=False), ("it’s\n\ndone", ("boilerplate", "whitespace"))),
        (NormalizeConfig(whitespace=False), ("it's  \n\n\ndone\n", ("ftfy", "boilerplate"))),
        (NormalizeConfig(boilerplate=False), ("it's\n\nCHAPTER I\n\ndone", ("ftfy", "whitespace"))),
        (NormalizeConfig(False, False, False), ("it’s  \n\nCHAPTER I\n\ndone\n", ())),
    ],
)
def test_switches(cfg, expected):
    assert normalize_text("it’s  \n\nCHAPTER I\n\ndone\n", cfg) == expected


def test_normalize_texts_counts_changes_per_step():
    texts = [
        "Clean text.",  # nothing
        "Ã©tÃ©",  # ftfy
        "a  b",  # whitespace
        "CHAPTER I\nText",  # boilerplate
        "it’s\n\nChapter One\n\nok ",  # all three
    ]
    out, counts = normalize_texts(texts, NormalizeConfig())
    assert out == ["Clean text.", "été", "a b", "Text", "it's\n\nok"]
    assert counts == {
        "ftfy": 2,
        "boilerplate": 2,
        "whitespace": 2,
        "docs": 5,
        "chars_in": sum(map(len, texts)),
        "chars_out": sum(map(len, out)),
    }
