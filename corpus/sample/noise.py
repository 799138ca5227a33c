"""Damage real text carries and the normalize stage must undo: mojibake, messy whitespace, HTML entities.

Applied to a few percent of the generated documents (never to planted duplicates, whose measured
similarity must survive normalization), and recorded as ``traits`` in the ground truth.
"""

from __future__ import annotations

import ftfy.bad_codecs  # noqa: F401 - registers the "sloppy-windows-1252" codec
import numpy as np

# Typography that turns into recognizable mojibake ("cafÃ©", "â€œquotedâ€\x9d") when mis-decoded.
TYPOGRAPHY = ("café", "naïve", "résumé", "“quoted”", "it’s", "—", "déjà vu", "€20", "façade", "fiancée", "…")


def with_typography(text: str, rng: np.random.Generator, n: int = 6) -> str:
    """``text`` with ``n`` typographic words (accents, curly quotes, dashes) inserted after random spaces."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    picks = sorted(rng.choice(len(spaces), size=min(n, len(spaces)), replace=False).tolist())
    out, prev = [], 0
    for p in picks:
        pos = spaces[p] + 1
        out += [text[prev:pos], TYPOGRAPHY[int(rng.integers(len(TYPOGRAPHY)))], " "]
        prev = pos
    out.append(text[prev:])
    return "".join(out)


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252, the commonest mojibake on the web (what ftfy exists to fix)."""
    return text.encode("utf-8").decode("sloppy-windows-1252")


def messy_whitespace(text: str, rng: np.random.Generator) -> str:
    """CRLF line ends, trailing blanks, tabs, runs of spaces and blank lines: what OPT's whitespace
    normalization cleans up."""
    lines = text.split("\n")
    out = []
    for line in lines:
        r = rng.random()
        if r < 0.3:
            line = line + " " * int(rng.integers(1, 4))
        elif r < 0.4:
            line = "\t" + line
        elif r < 0.5:
            line = line.replace(" ", "   ", 1)
        out.append(line)
        if rng.random() < 0.1:
            out.append("   ")
    newline = "\r\n" if rng.random() < 0.5 else "\n"
    return newline.join(out)


def html_entities(text: str) -> str:
    """Pushshift bodies keep Reddit's HTML escaping: ``&gt;`` quotes and ``&amp;``."""
    return text.replace(" and ", " &amp; ")


def decorate(rng: np.random.Generator, text: str, force: str | None = None) -> tuple[str, list[str]]:
    """(text, traits): mojibake on 2% of texts, messy whitespace on 3%, the rest unchanged; ``force``
    ("mojibake" or "messy_whitespace") picks the damage instead of chance."""
    r = {"mojibake": 0.0, "messy_whitespace": 0.03}[force] if force else rng.random()
    if r < 0.02:
        return mojibake(with_typography(text, rng)), ["mojibake"]
    if r < 0.05:
        return messy_whitespace(text, rng), ["messy_whitespace"]
    return text, []
