"""The three quality rules OPT's recipe implies, each a plain function of the text with its own drop reason.

OPT (Zhang et al. 2022, section 3) removed "repetitive, non-informative text" and kept documents that are
prose. We keep the rules few, cheap and explainable (after Gopher's quality filters, with looser
defaults because OPT's sources are already curated):

- ``too_short``: fewer than ``min_words`` whitespace-separated words. A title or a one-line stub carries no
  context for a 2048-token model.
- ``mostly_symbols``: more than ``max_symbol_ratio`` of the non-space characters are neither letters nor
  whitespace (digits, punctuation, markup, tables of numbers). English prose sits at 3-6 %.
- ``repeated_lines``: more than ``max_repeated_line_fraction`` of the non-empty lines repeat an earlier
  line of the same document (navigation menus, "Share this" blocks, log spam). Novels with a repeated
  scene break or a few identical lines of dialogue stay well below 10 %.

The defaults drop none of the clean English the project was checked on (a BookCorpus novel, Pride and
Prejudice, Common Crawl pages, 5-sentence English documents); bench/eval_langid.py prints those rates.
"""

from __future__ import annotations

import functools
import string
import unicodedata

import numpy as np

from corpus.sources.reasons import MOSTLY_SYMBOLS, REPEATED_LINES, TOO_SHORT

_ASCII_WHITESPACE = string.whitespace.encode()
_ASCII_LETTERS_AND_WHITESPACE = (string.ascii_letters + string.whitespace).encode()


def word_count(text: str, at_least: int | None = None) -> int:
    """Whitespace-separated words; with ``at_least``, stops counting there (a book is not split whole)."""
    if at_least is None:
        return len(text.split())
    return min(len(text.split(None, at_least)), at_least)


def symbol_ratio(text: str) -> float:
    """Share of non-space characters that are not letters (0.0 for text with no visible character).

    Letters are Unicode letters and combining marks in any script. The ASCII part is counted with
    ``bytes.translate`` (~1 ms per MB); the non-ASCII characters are classified by a lookup table over
    their code points in numpy (a Counter over them cost 70 ns per character: most of the rule's time on
    text in other scripts), and only characters outside the Basic Multilingual Plane one by one.
    """
    ascii_part = text.encode("ascii", "ignore")
    visible = len(ascii_part.translate(None, _ASCII_WHITESPACE))
    symbols = len(ascii_part.translate(None, _ASCII_LETTERS_AND_WHITESPACE))
    if len(ascii_part) != len(text):
        code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        code_points = code_points[code_points >= 0x80]
        in_bmp = code_points < 0x10000
        space, letter, other = np.bincount(_bmp_classes()[code_points[in_bmp]], minlength=3).tolist()
        visible += letter + other
        symbols += other
        if not in_bmp.all():
            for code_point in code_points[~in_bmp].tolist():
                kind = _char_class(chr(code_point))
                visible += kind != _SPACE
                symbols += kind == _OTHER
    return symbols / visible if visible else 0.0


_SPACE, _LETTER, _OTHER = 0, 1, 2


def _char_class(char: str) -> int:
    if char.isspace():
        return _SPACE
    if char.isalpha() or unicodedata.category(char).startswith("M"):
        return _LETTER
    return _OTHER


@functools.cache
def _bmp_classes() -> np.ndarray:
    """``_char_class`` of every code point below 0x10000 (64 kB, built once per process in ~40 ms)."""
    return np.fromiter((_char_class(chr(c)) for c in range(0x10000)), dtype=np.uint8, count=0x10000)


def repeated_line_fraction(text: str) -> float:
    """Share of non-empty lines (stripped) that are an exact repeat of an earlier line of the text."""
    lines = list(map(str.strip, text.splitlines()))  # map/set/count run in C: ~0.1 s for 20 MB
    distinct = set(lines)
    distinct.discard("")
    n = len(lines) - lines.count("")
    return 1.0 - len(distinct) / n if n else 0.0


def quality_verdict(
    text: str,
    min_words: int,
    max_symbol_ratio: float,
    max_repeated_line_fraction: float,
    content_rules: bool = True,
) -> tuple[str | None, float]:
    """(reason, score) for the first rule the text fails, or (None, 0.0) when it passes them all.

    The score is the measured value the rule compared (word count, symbol ratio, repeated-line share).
    ``content_rules=False`` applies only the length rule (subsets exempt from content rules).
    """
    words = word_count(text, at_least=min_words)
    if words < min_words:
        return TOO_SHORT, float(words)
    if not content_rules:
        return None, 0.0
    if max_symbol_ratio < 1.0:
        ratio = symbol_ratio(text)
        if ratio > max_symbol_ratio:
            return MOSTLY_SYMBOLS, ratio
    if max_repeated_line_fraction < 1.0:
        repeated = repeated_line_fraction(text)
        if repeated > max_repeated_line_fraction:
            return REPEATED_LINES, repeated
    return None, 0.0
