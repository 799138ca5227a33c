"""The normalize step: ftfy's text repair (without ftfy's cost on text that needs none), Project Gutenberg /
ebook boilerplate removal, and OPT's "ad-hoc whitespace normalization", each counted.

Order, and why: ftfy first, so the boilerplate patterns see repaired text (straight quotes, ``\\n`` line
breaks, no BOM or mojibake); boilerplate second; whitespace last, so the blank lines left where a header,
a licence or a "CHAPTER IV." line was cut out are collapsed with everything else.

``fix_text_fast(text) == ftfy.fix_text(text)`` for every string: it proves, line by line, where ftfy would
change nothing, applies ftfy's own table fixes where they are all that is needed (curly quotes, ``\r\n``,
ligatures, NFC), and calls ftfy only on the remaining lines, which on real books, news and forum text are
few (``bench/bench_normalize.py`` measures the speed against ``ftfy.fix_text`` on every document).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import ftfy
from ftfy import TextFixerConfig
from ftfy import fixes as ftfy_fixes
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES, WIDTH_MAP

from corpus.config import NormalizeConfig
from corpus.text.boilerplate import strip_boilerplate

STEPS = ("ftfy", "boilerplate", "whitespace")

# ---------------------------------------------------------------------------------------------------------
# ftfy, only where it can change something
# ---------------------------------------------------------------------------------------------------------

# The proof below reads ftfy 6.3's source; another version may add a fixer, so it gets plain ftfy.
_FTFY_6_3 = ftfy.__version__.split(".")[:2] == ["6", "3"]

_CFG_HTML_AUTO = TextFixerConfig(explain=False)  # what ftfy.fix_text uses
_CFG_HTML_OFF = TextFixerConfig(explain=False, unescape_html=False)  # ... once a '<' has been seen
_SEGMENT_CHARS = _CFG_HTML_AUTO.max_decode_length  # ftfy cuts lines longer than this (1,000,000)


def _char_class(codepoints) -> str:
    """A regex character class body for these code points, as ranges."""
    cps = sorted(set(codepoints))
    parts, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
        i = j + 1
    return "".join(parts)


# Characters that ftfy's character-by-character fixers rewrite wherever they stand, split by how we treat
# a line that holds one. "Plain" ones are rewritten by fixers that never look at context:
# fix_latin_ligatures (LIGATURES), fix_character_width (WIDTH_MAP), uncurl_quotes (U+02BC, U+2018-U+201F),
# fix_line_breaks (\r, U+2028, U+2029) and remove_control_chars (CONTROL_CHARS, except ESC).
# "Hard" ones make ftfy do more than a table look-up: C1 controls (U+0080-U+009F: fix_c1_controls and
# fix_encoding; U+0085 is also a line break), surrogates (fix_surrogates pairs them) and ESC (starts a
# terminal escape that remove_terminal_escapes deletes whole). tests/test_normalize.py checks over all
# code points that no character outside these two sets is changed by any of those fixers.
_HARD_CHARS = {0x1B, *range(0x80, 0xA0), *range(0xD800, 0xE000)}
_PLAIN_CHARS = (
    set(CONTROL_CHARS)
    | set(LIGATURES)
    | set(WIDTH_MAP)
    | {0x02BC, *range(0x2018, 0x2020)}
    | {0x0D, 0x2028, 0x2029}
) - _HARD_CHARS
_TOUCHED = _HARD_CHARS | _PLAIN_CHARS
_LIGATURE_RE = re.compile(f"[{_char_class(LIGATURES)}]")
_WIDTH_RE = re.compile(f"[{_char_class(WIDTH_MAP)}]")
_CONTROL_RE = re.compile(f"[{_char_class(CONTROL_CHARS)}]")
# The replacements those table fixers write contain no hard character (checked, not assumed).
_PLAIN_OUTPUTS_SAFE = not any(
    ord(c) in _HARD_CHARS for c in "".join([*LIGATURES.values(), *WIDTH_MAP.values(), "\n'\""])
)


# Hard characters, and "[ÃÂ] ", which stands in for BADNESS_RE's one anchored alternative, "^[ÃÂ][ ]":
# it can match at the start of a line but not of the whole text.
# (One character class and a check in Python: an alternation here is 4x slower to scan.)
_HARD_RE = re.compile(f"[{_char_class(_HARD_CHARS | {ord('Ã'), ord('Â')})}]")
_PLAIN_RE = re.compile(f"[{_char_class(_PLAIN_CHARS)}]")
_ANY_TOUCH_RE = re.compile(f"[{_char_class(_TOUCHED)}]|[ÃÂ] ")

# Characters that are frequent in clean text in some language; a poor choice of "hint" (see below).
_FREQUENT = set("‘’“”„‚«»–—…•·\u00a0°©®™€£")


def _mojibake_hints(pattern: re.Pattern) -> tuple[frozenset[str], int] | None:
    """Characters H such that every match of ``pattern`` contains one of them, and the longest match.

    ``pattern`` is ftfy's BADNESS_RE, a flat alternation of short character sequences. For each
    alternative we take one of its mandatory single-character items whose characters are all non-ASCII,
    preferring items with few letters and typographic marks (they occur everywhere in clean text, so
    they would make us search often); the union of those items is H. Returns None when some alternative
    has no such item (then BADNESS_RE has to run on the whole text).
    """
    try:
        from re import _constants as sre_c
        from re import _parser as sre_p
    except ImportError:  # Python < 3.11
        import sre_constants as sre_c
        import sre_parse as sre_p
    if pattern.flags & re.IGNORECASE:
        return None
    parsed = sre_p.parse(pattern.pattern, pattern.flags)
    items = list(parsed)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is sre_c.BRANCH else [parsed]
    hints: set[str] = set()
    for alternative in alternatives:
        candidates = []
        for op, av in alternative:
            chars = None
            if op is sre_c.LITERAL:
                chars = {chr(av)}
            elif op is sre_c.IN:
                chars = set()
                for member_op, member in av:
                    if member_op is sre_c.LITERAL:
                        chars.add(chr(member))
                    elif member_op is sre_c.RANGE:
                        chars.update(map(chr, range(member[0], member[1] + 1)))
                    else:  # NEGATE, CATEGORY: not a finite set of characters
                        chars = None
                        break
            if chars and all(ord(c) >= 0x80 for c in chars):
                cost = sum(100 if unicodedata.category(c)[0] == "L" or c in _FREQUENT else 1 for c in chars)
                candidates.append((cost, sorted(chars)))
        if not candidates:
            return None
        hints.update(min(candidates)[1])
    return frozenset(hints), parsed.getwidth()[1]


_HINTS = _mojibake_hints(BADNESS_RE)
FAST_PATH_ENABLED = _FTFY_6_3 and _PLAIN_OUTPUTS_SAFE
if _HINTS is not None:
    _HINT_RE = re.compile(f"[{_char_class(map(ord, _HINTS[0]))}]")
    _BADNESS_MAX_LEN = _HINTS[1]
_WINDOW_GAP = 16


def fix_text_fast(text: str) -> str:
    """``ftfy.fix_text(text)`` (default config), without paying for ftfy on the lines it would not change.

    How ftfy 6.3 works (ftfy/__init__.py): ``fix_text`` cuts the text into *segments* -- lines, each ending
    after its ``\\n``, and lines longer than 1,000,000 characters cut every 1,000,000 -- and returns the
    concatenation of ``fix_and_explain(segment, config)``. The only state carried from one segment to the next
    is ``unescape_html``: "auto" until a segment containing ``<`` is met, False from that segment on.
    ``fix_and_explain`` applies a pass P of fixers until P changes nothing: ``unescape_html``,
    ``fix_encoding``, then ``fix_c1_controls``, ``fix_latin_ligatures``, ``fix_character_width``,
    ``uncurl_quotes``, ``fix_line_breaks``, ``fix_surrogates``, ``remove_terminal_escapes``,
    ``remove_control_chars``, and NFC. For a segment s:

    * ``unescape_html`` only rewrites matches of HTML_ENTITY_RE (``&#?[0-9A-Za-z]{1,24};``), and nothing
      once it is off;
    * ``fix_encoding`` returns s when s is ASCII or ``not is_bad(s)`` (no BADNESS_RE match);
    * the other fixers but NFC only change text holding a character of ``_TOUCHED``;
    * NFC changes only text that is not NFC.

    (1) *Untouched*: s has no live HTML entity (none, or ``unescape_html`` is off for s), no BADNESS_RE
    match, no ``_TOUCHED`` character and is NFC. Then P(s) = s and ftfy returns s: we copy it.

    (2) *Plain*: s has no live HTML entity, no BADNESS_RE match and no hard character (C1, surrogate, ESC).
    Then ``unescape_html``, ``fix_encoding`` and ``fix_c1_controls`` leave s alone and P(s) is the rest
    of the pass, which ``_plain_pass`` applies with ftfy's own functions. If P(s) is untouched in the
    sense of (1) (checked, as a single segment), P(P(s)) = P(s) and ftfy returns P(s). Curly quotes,
    ``\\r\\n`` and decomposed accents take this path at a fraction of ftfy's cost. If the check fails we
    call ftfy.

    (3) Any other segment goes to ``ftfy.fix_and_explain`` with the ``unescape_html`` state ftfy would
    have there (False once a ``<`` occurred at or before the segment's end).

    Finding the segments of (2) and (3) without a Python loop over lines:

    * ``_HARD_RE``, ``_PLAIN_RE`` and HTML_ENTITY_RE have no anchors or look-arounds, so a match inside a
      segment is a match at the same place in the whole text; segments overlapping a match are marked.
      Entities starting after the text's first ``<`` are ignored: their segment ends after that ``<``.
    * BADNESS_RE costs ~0.3 us per character, so it runs only near a "hint": every alternative of it needs
      one of the characters ``_HINTS`` (derived from ftfy's own pattern by ``_mojibake_hints``), and no
      match is longer than ``_BADNESS_MAX_LEN``; windows around hints are searched with finditer and the
      segments overlapping a match are marked hard. A match inside a segment starts at a position finditer
      either tried (then it found a match starting there) or skipped because an earlier match covered it;
      either way a found match overlaps that segment. The alternative anchored with ``^`` is covered by
      ``[ÃÂ] `` in ``_HARD_RE``.
    * NFC: ``\\n`` never composes or reorders with its neighbours, so when no line is cut the whole text is
      NFC exactly when every segment is; otherwise each segment is checked.

    ASCII text skips the last two: ASCII is NFC and never "bad".
    """
    return fix_text_fast_path(text)[0]


def fix_text_fast_path(text: str) -> tuple[str, str]:
    """``fix_text_fast`` plus the path it took: "untouched" (no ftfy work at all), "plain" (only case (2)
    segments), or "ftfy" (ftfy.fix_and_explain ran on at least one segment). For benchmarks and stats."""
    if not FAST_PATH_ENABLED:
        return ftfy.fix_text(text), "ftfy"
    hard, plain = _suspect_spans(text)
    if not hard and not plain:
        return text, "untouched"
    return _fix_segments(text, _segments_of(text, hard), _segments_of(text, plain))


def _suspect_spans(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Sorted (start, end) spans of places that make their segment hard, and of those that make it plain."""
    hard = [
        (m.start(), m.start() + 2) if m.group() in "ÃÂ" else m.span()
        for m in _HARD_RE.finditer(text)
        if m.group() not in "ÃÂ" or text.startswith(" ", m.end())
    ]
    plain = [m.span() for m in _PLAIN_RE.finditer(text)]
    if "&" in text:
        # An entity after the first "<" lies in a segment where ftfy no longer decodes entities.
        first_lt = text.find("<")
        hard += [m.span() for m in HTML_ENTITY_RE.finditer(text) if first_lt < 0 or m.start() < first_lt]
    if not text.isascii():  # O(1) in CPython
        hard += _badness_spans(text)
        cut_lines = len(text) > _SEGMENT_CHARS and max(map(len, text.split("\n"))) >= _SEGMENT_CHARS
        if cut_lines or not unicodedata.is_normalized("NFC", text):
            plain += [
                (start, end)
                for start, end in _all_segments(text)
                if not unicodedata.is_normalized("NFC", text[start:end])
            ]
            plain.sort()
    hard.sort()
    return hard, plain


def _badness_spans(text: str) -> list[tuple[int, int]]:
    if _HINTS is None:
        return [m.span() for m in BADNESS_RE.finditer(text)]
    spans = []
    reach = _BADNESS_MAX_LEN
    window = None
    for hint in _HINT_RE.finditer(text):
        lo, hi = max(0, hint.start() - reach + 1), hint.start() + reach
        if window and lo <= window[1] + _WINDOW_GAP:  # one finditer per cluster: a call costs ~20 characters
            window = (window[0], hi)
            continue
        if window:
            spans += _badness_in(text, *window)
        window = (lo, hi)
    if window:
        spans += _badness_in(text, *window)
    return spans


def _badness_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in BADNESS_RE.finditer(text[start:end])]


def _all_segments(text: str):
    """ftfy.fix_text's segments, as (start, end)."""
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos) + 1 or len(text)
        end = min(end, pos + _SEGMENT_CHARS)
        yield pos, end
        pos = end


def _segments_of(text: str, spans: list[tuple[int, int]]) -> dict[int, int]:
    """{start: end} of the ftfy segments overlapping any of the sorted ``spans``."""
    segments: dict[int, int] = {}
    known_start = 0  # a position known to start a segment, at or before the spans still to place
    last_end = 0
    for start, end in spans:
        if start < last_end:
            if end <= last_end:
                continue
            start = last_end
        while start < end:
            # The segment containing `start`: from the last line start (or known segment start) before it,
            # ftfy cuts every _SEGMENT_CHARS until the end of the line.
            line_start = max(known_start, text.rfind("\n", known_start, start) + 1)
            seg_start = line_start + (start - line_start) // _SEGMENT_CHARS * _SEGMENT_CHARS
            line_end = text.find("\n", start) + 1 or len(text)
            seg_end = min(seg_start + _SEGMENT_CHARS, line_end)
            segments[seg_start] = seg_end
            known_start = start = last_end = seg_end
    return segments


def _fix_segments(text: str, hard: dict[int, int], plain: dict[int, int]) -> tuple[str, str]:
    first_lt = text.find("<")
    out = []
    pos = 0
    path = "plain"
    for start in sorted(hard.keys() | plain.keys()):
        end = hard.get(start) or plain[start]
        segment = text[start:end]
        out.append(text[pos:start])
        html_off = 0 <= first_lt < end  # ftfy.fix_text's unescape_html state for this segment
        fixed = None if start in hard else _plain_pass(segment)
        if fixed is None or not _untouched(fixed, html_off):
            fixed = ftfy.fix_and_explain(segment, _CFG_HTML_OFF if html_off else _CFG_HTML_AUTO).text
            path = "ftfy"
        out.append(fixed)
        pos = end
    out.append(text[pos:])
    return "".join(out), path


def _plain_pass(segment: str) -> str:
    """P(segment) for a plain segment: ftfy's pass after fix_encoding, with ftfy's own functions, in ftfy's
    order. Skipped here because they are the identity on it: fix_c1_controls, fix_surrogates and
    remove_terminal_escapes (a plain segment has no hard character, and no fixer before them can make one:
    ``_PLAIN_OUTPUTS_SAFE``), and a table look-up when no key of its table occurs (they cost ~7 us each)."""
    if _LIGATURE_RE.search(segment):
        segment = ftfy_fixes.fix_latin_ligatures(segment)
    if _WIDTH_RE.search(segment):
        segment = ftfy_fixes.fix_character_width(segment)
    segment = ftfy_fixes.uncurl_quotes(segment)
    segment = ftfy_fixes.fix_line_breaks(segment)
    if _CONTROL_RE.search(segment):
        segment = ftfy_fixes.remove_control_chars(segment)
    return unicodedata.normalize("NFC", segment)


def _untouched(segment: str, html_off: bool) -> bool:
    """Case (1) of fix_text_fast's proof for a single segment: one ftfy pass leaves it unchanged."""
    if _ANY_TOUCH_RE.search(segment) or (not html_off and HTML_ENTITY_RE.search(segment)):
        return False
    if segment.isascii():
        return True
    if _badness_spans(segment):
        return False
    return unicodedata.is_normalized("NFC", segment)


# ---------------------------------------------------------------------------------------------------------
# whitespace
# ---------------------------------------------------------------------------------------------------------

# Line breaks ftfy leaves alone or that remain when ftfy is off: vertical tab and form feed (page breaks in
# Gutenberg texts) count as line breaks too.
_LINE_BREAK_RE = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_NON_ASCII_BREAK_RE = re.compile("[\x85\u2028\u2029]")
# Unicode spaces (category Zs) other than U+0020: no-break, ogham, en/em/thin/hair..., narrow no-break,
# medium mathematical and ideographic space. They become plain spaces: a model should not learn that
# "10\u00a0km" and "10 km" differ. Zero-width characters (ZWSP, ZWNJ, ZWJ) are kept: they carry meaning in
# Persian, Indic scripts and emoji sequences.
_EXOTIC_SPACE_RE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Trailing spaces/tabs of a line. Only the first blank of a run passes the look-behind and the possessive
# *+ never backtracks, so a long run of blanks inside a line stays linear.
_TRAILING_RE = re.compile(r"[ \t](?<![ \t][ \t])[ \t]*+$", re.MULTILINE)
# A run of blanks after a non-blank character (inside a line) that is not a single space: two or more
# blanks, or a tab. Leading indentation is kept on purpose: it carries the structure of verse, lists,
# code in HackerNews posts and tables. (Starting with [ \t] rather than a look-behind lets the regex
# engine skip to candidate positions: ~2x faster.)
_INNER_RUN_RE = re.compile(r"[ \t](?<=\S[ \t])(?:[ \t]+|(?<=\t))")
_BLANK_LINES_RE = re.compile("\n\n\n+")  # a literal prefix: ~10x faster than \n{3,}


def normalize_whitespace(text: str) -> str:
    """OPT's ad-hoc whitespace normalization, linear in the text length.

    Line breaks become ``\\n``; Unicode spaces become ``" "``; trailing blanks of each line go; runs of
    spaces/tabs inside a line become one space (leading indentation is kept); three or more line breaks
    become two (paragraph breaks survive); the document is stripped. Each rule first checks with a
    substring test whether it has anything to do, so clean text costs a few fast scans.

    >>> normalize_whitespace("  Title\\r\\n\\r\\n\\r\\n  one\\u00a0 two\\t\\tthree  \\n\\n\\n\\nend \\n")
    'Title\\n\\n  one two three\\n\\nend'
    """
    ascii_only = text.isascii()  # O(1)
    if (
        "\r" in text
        or "\x0b" in text
        or "\x0c" in text
        or (not ascii_only and _NON_ASCII_BREAK_RE.search(text))
    ):
        text = _LINE_BREAK_RE.sub("\n", text)
    if not ascii_only:
        text = _EXOTIC_SPACE_RE.sub(" ", text)
    if " \n" in text or "\t\n" in text:  # blanks at the very end go with strip()
        text = _TRAILING_RE.sub("", text)
    if "  " in text or "\t" in text:
        text = _INNER_RUN_RE.sub(" ", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip()


# ---------------------------------------------------------------------------------------------------------
# the step
# ---------------------------------------------------------------------------------------------------------


def normalize_text(text: str, cfg: NormalizeConfig) -> tuple[str, tuple[str, ...]]:
    """Normalize one document: returns the text and the names of the steps that changed it, in the order
    they ran (a subset of ``("ftfy", "boilerplate", "whitespace")``)."""
    changed = []
    if cfg.ftfy:
        fixed = fix_text_fast(text)
        if fixed != text:
            changed.append("ftfy")
            text = fixed
    if cfg.boilerplate:
        stripped = strip_boilerplate(text).text
        if stripped != text:
            changed.append("boilerplate")
            text = stripped
    if cfg.whitespace:
        normalized = normalize_whitespace(text)
        if normalized != text:
            changed.append("whitespace")
            text = normalized
    return text, tuple(changed)


def normalize_texts(texts: list[str], cfg: NormalizeConfig) -> tuple[list[str], Counter]:
    """Normalize a batch. The Counter holds, per step, the number of documents it changed ("ftfy",
    "boilerplate", "whitespace"), plus "docs", "chars_in" and "chars_out" (characters before and after)."""
    counts: Counter = Counter({step: 0 for step in STEPS})
    out = []
    for text in texts:
        normalized, changed = normalize_text(text, cfg)
        counts.update(changed)
        counts["docs"] += 1
        counts["chars_in"] += len(text)
        counts["chars_out"] += len(normalized)
        out.append(normalized)
    return out, counts
