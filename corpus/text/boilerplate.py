"""Project Gutenberg / ebook boilerplate removal: headers, footers, licence text, credit lines, and
"CHAPTER IV."-style heading lines that OPT called repetitive and non-informative.

Gutenberg headers differ per edition, so the rules are layered, strongest evidence first:

1. A document is treated as a Gutenberg file only if it mentions "Gutenberg" at all (a cheap test that
   keeps every other document out of rules 2-4).
2. Header: everything up to and including the first START marker ("*** START OF THE/THIS PROJECT
   GUTENBERG EBOOK ... ***", its "COPYRIGHTED" and wrapped-title variants, and the 1990s
   "*END*THE SMALL PRINT! ...*END*" line), when it lies in the first 100,000 characters. Without a START
   marker but with a first line like "The Project Gutenberg EBook of ..." / "Project Gutenberg's ...", the
   leading paragraphs are removed while they look like header paragraphs (Title:, Author:, Release Date,
   [EBook #...], "This eBook is for the use of anyone anywhere ...", Produced by ..., ...).
   Inside such a paragraph only what is recognised goes: the licence sentences ("This eBook is for the
   use of anyone anywhere ... online at www.gutenberg.org[. If you are not located in the United States,
   ...]"), wherever their lines wrap, and each line a header pattern touches. Other lines stay; after
   more than two of them in a row the body has begun (a book typed with single newlines only is one
   "paragraph" to its end, and must not go with the licence it starts with).
3. Footer: from the first footer marker after the header to the end: "*** END OF THE/THIS PROJECT
   GUTENBERG EBOOK", "End of (the) Project Gutenberg('s) ...", "START: FULL LICENSE", "THE FULL PROJECT
   GUTENBERG LICENSE".
4. Credits right after the header ("Produced by ... Distributed Proofreading Team at http://www.pgdp.net",
   "E-text prepared by ...", "(This file was produced from images ... Internet Archive)") are removed, a
   paragraph at a time, while they look like credits, by the same recognised-lines-only rule.

In every document, whatever its source (these lines are boilerplate wherever they occur):

5. Ebook lines: lines that only say where the ebook came from ("This ebook by Project Gutenberg.",
   "This eBook is courtesy of Project Gutenberg"), and the Smashwords licence notes that BookCorpus books
   carry ("This ebook is licensed for your personal enjoyment only. ...", "... please return to
   Smashwords.com and purchase your own copy.", "Smashwords Edition", "Published by ... at Smashwords",
   "License Notes"). Each such line is itself an ebook marker.
6. Heading lines that are nothing but a chapter number: "Chapter One", "CHAPTER XII.", "Chapter 7:",
   "Chapter the Fifth". Only the line goes; the chapter stays. "CHAPTER I. The Beginning" is kept: its
   title is information.

A document with no Gutenberg or Smashwords mention loses at most lines of kind 6.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Stripped(NamedTuple):
    """What ``strip_boilerplate`` did: the text and how much each rule removed."""

    text: str
    header_chars: int = 0  # characters removed before the body (rule 2, plus credits of rule 4)
    footer_chars: int = 0  # characters removed after the body (rule 3)
    ebook_lines: int = 0  # "This ebook by Project Gutenberg", Smashwords licence lines removed (rule 5)
    heading_lines: int = 0  # bare chapter heading lines removed (rule 6)


_I = re.IGNORECASE | re.MULTILINE
_S = r"[ \t]+"  # words inside one line; never \s, which would run across lines

_START_RE = re.compile(
    rf"^[^\n]*\*[ \t]*START{_S}OF(?:{_S}THE|{_S}THIS)?(?:{_S}COPYRIGHTED)?{_S}PROJECT{_S}GUTENBERG[^\n]*"
    rf"|^[^\n]*\*END\*[ \t]*THE{_S}SMALL{_S}PRINT[^\n]*",
    _I,
)
_FOOTER_RE = re.compile(
    rf"^[^\n]*\*[ \t]*END{_S}OF(?:{_S}THE|{_S}THIS)?(?:{_S}COPYRIGHTED)?{_S}PROJECT{_S}GUTENBERG"
    rf"|^[ \t]*End{_S}of(?:{_S}the|{_S}this)?{_S}Project{_S}Gutenberg"
    rf"|^[ \t*]*START:[ \t]*FULL{_S}LICEN[CS]E"
    rf"|^[ \t*]*THE{_S}FULL{_S}PROJECT{_S}GUTENBERG{_S}LICEN[CS]E",
    _I,
)
_HEADER_OPENING_RE = re.compile(
    rf"\A[\ufeff\s]*(?:\W*(?:The{_S})?Project{_S}Gutenberg(?:['’]s)?{_S}(?:e-?book|e-?text|etext|work)"
    rf"|\W*Project{_S}Gutenberg['’]s"
    rf"|\W*This{_S}e-?book{_S}is{_S}for{_S}the{_S}use{_S}of{_S}anyone)",
    re.IGNORECASE,
)
# A paragraph of a Gutenberg header (or of the credits after it) contains one of these.
_HEADER_PARAGRAPH_RE = re.compile(
    r"project\s+gutenberg|gutenberg\.(?:org|net)|pgdp\.net|distributed\s+proofread|internet\s+archive"
    r"|e-?book\s+is\s+for\s+the\s+use\s+of\s+anyone|copyright\s+laws|\[\s*e-?(?:book|text)\s*#"
    r"|^[\ufeff \t]*(?:title|author|editor|illustrator|translator|credits|language|release\s+date|posting\s+date"
    r"|(?:most\s+recently\s+)?updated|last\s+updated|first\s+posted|character\s+set\s+encoding)[ \t]*:"
    r"|^[\ufeff \t]*(?:release|posting)\s+date"
    r"|^[\W_]*(?:produced|prepared|transcribed|scanned|digiti[sz]ed|proofread|e-?text\s+prepared"
    r"|html\s+version|this\s+(?:e-?(?:book|text)|file)\s+was\s+(?:produced|prepared|made))\b",
    _I,
)
# The licence paragraph of the unmarked headers, as one span whatever its line breaks: the 2000s wording,
# the 2020s one ("... in the United States and most other parts of the world ...") and its closing sentence.
_W = r"\s+"  # words of one sentence, which may wrap
_LICENCE_RE = re.compile(
    _W.join("This e-?book is for the use of anyone anywhere".split())
    + rf"(?:{_W}in{_W}the{_W}United{_W}States{_W}and{_W}most{_W}other{_W}parts{_W}of{_W}the{_W}world)?"
    + _W
    + _W.join("at no cost and with almost no restrictions whatsoever".split())
    + r"\s*\."
    + rf"(?:{_W}You{_W}may{_W}copy{_W}it,{_W}give{_W}it{_W}away{_W}or{_W}re-?\s*use{_W}it{_W}under{_W}the{_W}terms"
    + rf"{_W}of{_W}the{_W}Project{_W}Gutenberg{_W}Licen[cs]e{_W}included{_W}with{_W}this{_W}e-?book{_W}or"
    + rf"{_W}online{_W}at{_W}(?:https?://)?www\.gutenberg\.(?:org|net)(?:/[\w./-]*[\w/])?\.?"
    + rf"(?:{_W}If{_W}you{_W}are{_W}not{_W}located{_W}in{_W}the{_W}United{_W}States,{_W}you(?:['’]ll|{_W}will)"
    + _W
    + _W.join("have to check the laws of the country where you are located before using this".split())
    + r"\s+e-?book\.?)?)?",
    re.IGNORECASE,
)
_GUTENBERG_LINE_RE = re.compile(
    rf"^[ \t]*(?:this|the){_S}e-?(?:book|text)(?:{_S}[\w-]+){{0,4}}?"
    rf"{_S}(?:by|from|of|at|courtesy{_S}of){_S}(?:the{_S})?project{_S}gutenberg\b[^\n]{{0,120}}$\n?",
    _I,
)
_SMASHWORDS_LINE_RE = re.compile(
    rf"^[^\n]*(?:licensed{_S}for{_S}your{_S}personal{_S}enjoyment{_S}only|may{_S}not{_S}be{_S}re-?sold{_S}or"
    rf"{_S}given{_S}away|return{_S}to{_S}smashwords\.com|respecting{_S}the{_S}hard{_S}work{_S}of{_S}this"
    rf"{_S}author)[^\n]*$\n?"
    rf"|^[ \t]*(?:smashwords{_S}edition|published{_S}by[^\n]{{0,80}}{_S}at{_S}smashwords"
    rf"|licen[cs]e{_S}notes?\b)[^\n]{{0,120}}$\n?",
    _I,
)

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth"
    "|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|last"
)
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = (
    rf"(?:\d{{1,3}}|{_ROMAN}|(?:{_TENS})(?:[- ](?:{_UNITS}))?|{_TEENS}|{_UNITS}|(?:the{_S})?(?:{_ORDINALS}))"
)
_CHAP_RE = re.compile("[Cc][Hh][Aa][Pp]")
_HEADING_RE = re.compile(
    rf"^[ \t#*_-]*(?:chapter|chap\.)[ \t]*{_NUMBER}\b[ \t]*[.:]?[ \t#*_-]*$\n?",
    _I,
)

_BLANKS = frozenset("\ufeff \t\r\n")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\r]*\n")
_HEADER_LIMIT = 100_000  # a START marker further into the text than this is not trusted as a header end
_HEADER_MAX_PARAGRAPHS = 40  # unmarked headers: give up after this many header-like paragraphs
_CREDIT_MAX_PARAGRAPHS = 4
_HEADER_MAX_OTHER_LINES = 2  # unrecognised lines in a row a header paragraph may hold (a wrapped name)
_TERM_REACH = 200  # how far past its line a header pattern match may run (words wrapped onto the next line)


def strip_boilerplate(text: str) -> Stripped:
    """Remove Gutenberg / ebook boilerplate (see the module docstring for the rules, in order)."""
    header = footer = 0
    if "utenberg" in text or "UTENBERG" in text:
        cuts = _header_cuts(text)
        body_start = cuts[-1][1] if cuts else 0
        footer_match = _FOOTER_RE.search(text, body_start)
        body_end = footer_match.start() if footer_match else len(text)
        header, footer = sum(end - start for start, end in cuts), len(text) - body_end
        kept, pos = [], 0
        for start, end in cuts:
            kept.append(text[pos:start])
            pos = end
        kept.append(text[body_start:body_end])
        text = "".join(kept)
    ebook_lines = 0
    if "utenberg" in text:
        text, n = _GUTENBERG_LINE_RE.subn("", text)
        ebook_lines += n
    if "mashwords" in text or "MASHWORDS" in text or "personal enjoyment" in text:
        text, n = _SMASHWORDS_LINE_RE.subn("", text)
        ebook_lines += n
    text, headings = _remove_headings(text)
    return Stripped(text, header, footer, ebook_lines, headings)


def _remove_headings(text: str) -> tuple[str, int]:
    """Remove bare chapter-heading lines. The heading pattern is tried only on lines where "chap" occurs:
    a multi-line regex over the whole text would cost a step per character."""
    spans = []
    for chap in _CHAP_RE.finditer(text):
        line_start = text.rfind("\n", 0, chap.start()) + 1
        if spans and line_start < spans[-1][1]:
            continue  # a second "chap" on a line already removed
        heading = _HEADING_RE.match(text, line_start)
        if heading:
            spans.append(heading.span())
    if not spans:
        return text, 0
    kept, pos = [], 0
    for start, end in spans:
        kept.append(text[pos:start])
        pos = end
    kept.append(text[pos:])
    return "".join(kept), len(spans)


def _header_cuts(text: str) -> list[tuple[int, int]]:
    """The header spans to remove, in order: the text up to the START marker and the credits after it,
    or the recognised parts of the leading header paragraphs. The body starts after the last one."""
    start = _START_RE.search(text, 0, _HEADER_LIMIT)
    if start:
        end = _line_end(text, start.end())
        if not start.group().rstrip().endswith("*"):
            # A wrapped title: "*** START OF THIS PROJECT GUTENBERG EBOOK THE ADVENTURES OF\nTOM SAWYER ***"
            pos = end
            for _ in range(2):
                next_end = _line_end(text, pos)
                if text[pos:next_end].rstrip().endswith("*"):
                    end = next_end
                    break
                pos = next_end
        return [(0, end), *_header_paragraph_cuts(text, end, _CREDIT_MAX_PARAGRAPHS)]
    if _HEADER_OPENING_RE.match(text):
        return _header_paragraph_cuts(text, 0, _HEADER_MAX_PARAGRAPHS)
    return []


def _header_paragraph_cuts(text: str, pos: int, limit: int) -> list[tuple[int, int]]:
    """The recognised spans of the run of (at most ``limit``) header-like paragraphs from ``pos``.

    A paragraph is header-like when a header pattern occurs in it. Within it, the licence sentences
    and every line a header pattern touches are cut; other lines are kept, and more than
    ``_HEADER_MAX_OTHER_LINES`` of them in a row are the body, which ends the header there. A paragraph
    cut from its first line loses the blank lines before it too, and one cut to its end the line break
    of its last line (the break before the next paragraph stays with that paragraph).
    """
    cuts: list[tuple[int, int]] = []

    def cut(start: int, end: int) -> None:
        if cuts and cuts[-1][1] == start:
            cuts[-1] = (cuts[-1][0], end)
        else:
            cuts.append((start, end))

    for _ in range(limit):
        start = pos
        while start < len(text) and text[start] in _BLANKS:
            start += 1
        if start >= len(text):
            break
        start = max(pos, text.rfind("\n", pos, start) + 1)  # a line start, so the ^ in the patterns can match
        brk = _PARAGRAPH_BREAK_RE.search(text, start)
        end = brk.start() if brk else len(text)
        if not _HEADER_PARAGRAPH_RE.search(text, start, end):
            break
        line, covered, others = start, start, 0  # covered: the end of the last header pattern match
        while line < end:
            line_end = min(_line_end(text, line), end)
            lead = line
            while lead < line_end and text[lead] in " \t":
                lead += 1
            licence = _LICENCE_RE.match(text, lead, end)
            if licence:
                stop = licence.end()
                while stop < end and text[stop] in " \t":
                    stop += 1
                if stop < end and text[stop] == "\n":
                    stop += 1
                recognised_end = covered = stop
            elif line < covered:  # a header pattern ran on from the line before
                recognised_end = line_end
            else:
                recognised_end = None
                for term in _HEADER_PARAGRAPH_RE.finditer(text, line, min(end, line_end + _TERM_REACH)):
                    if term.start() >= line_end:
                        break
                    recognised_end, covered = line_end, term.end()  # "... Distributed\nProofreading"
            if recognised_end is None:
                others += 1
                if others > _HEADER_MAX_OTHER_LINES:
                    return cuts  # the body has begun, at the first of these lines
                line = line_end
                continue
            others = 0
            cut(pos if line == start else line, recognised_end)
            line = recognised_end
        pos = end
    return cuts


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1
