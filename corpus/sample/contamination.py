"""Planted contamination: items of the sample evaluation set copied, lightly edited, into documents of all
five sources, for the decontaminate stage to find.

``make_contamination(spec, seed, items)`` gives ``spec.contamination_plants`` planted documents (10 at tiny),
each carrying a different item of ``corpus.sample.evalset``, handed to the writers like the planted
duplicates. Plant k goes to ``SOURCES[k % 5]``; plants 0-4 are the item alone (``whole``: a quiz copied
into a post), plants 5-9 hold it in the middle of about ``HOST_CHARS`` of prose (``embedded``), and so on
alternately. Every other embedded plant carries a short item (fewer than 13 words), which the
decontamination can only match as a whole. Each plant gets one of ``EDITS``, all undone by the word rule
of ``corpus.decontam.normalize`` (lower case, punctuation deleted, whitespace split), so a 13-gram test
must still find the item:

- ``lowercase`` / ``uppercase``: the item's case changed;
- ``no_punctuation``: every ASCII punctuation character deleted;
- ``extra_punctuation``: dashes, quotes, bullets and ``?!`` added next to words, never inside one;
- ``double_whitespace``: every space doubled, every line break made a blank line (a new paragraph, or a
  new comment on Reddit).

The planted documents are English prose with none of the generator's damage and no copy anywhere, so the
filters and dedup keep them; ``ground_truth.json`` lists each under ``contamination.plants``.
"""

from __future__ import annotations

import re
import string

import numpy as np

from corpus.sample.evalset import SET_NAME, EvalItem
from corpus.sample.plan import Plant, SizeSpec
from corpus.sample.plants import source_form, source_prose

SOURCES = ("bookcorpus", "ccstories", "pile", "reddit", "ccnews")
PLACEMENTS = ("whole", "embedded")
EDITS = ("lowercase", "uppercase", "no_punctuation", "extra_punctuation", "double_whitespace")
HOST_CHARS = 3_000  # prose around an embedded item: about 500 words, five paragraphs
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)
_SENTENCE_END = re.compile(r"[.!?] ")


def make_contamination(spec: SizeSpec, seed: int, items: list[EvalItem]) -> list[Plant]:
    """The planted documents carrying evaluation items (see the module docstring)."""
    rng = np.random.default_rng([seed, 4_000_003])
    pools = {
        short: iter([group[i] for i in rng.permutation(len(group)).tolist()])
        for short, group in (
            (False, [i for i in items if not i.short]),
            (True, [i for i in items if i.short]),
        )
    }
    plants = []
    embedded = 0
    for k in range(spec.contamination_plants):
        source = SOURCES[k % len(SOURCES)]
        placement = PLACEMENTS[(k // len(SOURCES)) % 2]
        edit = EDITS[(k + k // len(SOURCES)) % len(EDITS)]  # a source's plants get different edits
        short = placement == "embedded" and embedded % 2 == 0
        embedded += placement == "embedded"
        item = next(pools[short], None)
        if item is None:
            raise ValueError(f"--size {spec.label} plants more items than the evaluation set has")
        text = edit_item(render_item(item), edit)
        if placement == "embedded":
            text = embed(rng, source_prose(rng, source, "en", HOST_CHARS), text)
        written, options = source_form(rng, source, "en", text)
        carried = {
            "set": SET_NAME,
            "item": item.id,
            "line": item.line,
            "placement": placement,
            "edit": edit,
            "item_words": len(item.words),
        }
        plants.append(Plant(f"contam/{k}", source, written, "en", options=options, evalitem=carried))
    return plants


def render_item(item: EvalItem) -> str:
    """An item as a quiz is copied: the question, then one option per line.

    >>> render_item(EvalItem("q", "Which metal is brittle?", ("zinc", "tin"), 0, 1))
    'Which metal is brittle?\\nzinc\\ntin'
    """
    return "\n".join(item.segments)


def edit_item(text: str, edit: str) -> str:
    """``text`` with one of ``EDITS`` applied.

    >>> edit_item("A rock. Is it hard?\\nyes\\nno", "extra_punctuation")
    'A rock! -- Is it hard? ?!\\n* "yes";\\n* "no";'
    """
    if edit == "lowercase":
        return text.lower()
    if edit == "uppercase":
        return text.upper()
    if edit == "no_punctuation":
        return text.translate(_NO_PUNCTUATION)
    if edit == "extra_punctuation":
        first, *rest = text.split("\n")
        return "\n".join([first.replace(". ", "! -- ") + " ?!", *(f'* "{line}";' for line in rest)])
    if edit == "double_whitespace":
        return text.replace(" ", "  ").replace("\n", "\n\n")
    raise ValueError(f"unknown edit {edit!r}; known: {', '.join(EDITS)}")


def embed(rng: np.random.Generator, host: str, text: str) -> str:
    """``text`` inside the middle paragraph of ``host``, after one of its sentences (or at its end)."""
    paragraphs = host.split("\n\n")
    middle = len(paragraphs) // 2
    paragraph = paragraphs[middle]
    ends = [m.end() for m in _SENTENCE_END.finditer(paragraph)]
    at = ends[int(rng.integers(len(ends)))] if ends else len(paragraph) + 1
    paragraphs[middle] = f"{paragraph[:at].rstrip()} {text} {paragraph[at:]}".rstrip()
    return "\n\n".join(paragraphs)
