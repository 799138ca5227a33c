"""Word lists and sentence templates of the sample corpus's languages, one module per language.

Every module was written for this project (no text is copied from a corpus). A module defines ``CODE``
(ISO 639-1), ``WORDS`` (category name -> whitespace-separated words; ``_`` joins a multi-word entry),
``TEMPLATES`` (sentences of category names and literal words; a trailing ``,`` on a token puts a comma
after it, a trailing ``?`` or ``!`` on the last token ends the sentence with it) and optionally
``TITLES``, ``TITLE_CASE``, ``JOINER`` (``""`` for Chinese and Japanese) and ``PUNCT`` (the language's
own comma, full stop and question mark).

``quiz`` is not a language of the corpus: it is the English of the sample evaluation set
(``corpus.sample.evalset``), with words no corpus lexicon has.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Share of documents per language. English is the majority, as in OPT's corpus; the rest spans Latin,
# Cyrillic, Greek, Han, Kana, Arabic and Devanagari scripts, plus Irish and Latin, which an English
# filter built on a detector without those languages can mistake for English.
LANGUAGE_WEIGHTS = {
    "en": 0.70,
    "de": 0.04,
    "fr": 0.04,
    "es": 0.04,
    "it": 0.02,
    "ru": 0.03,
    "el": 0.02,
    "zh": 0.03,
    "ja": 0.02,
    "ar": 0.02,
    "hi": 0.02,
    "ga": 0.01,
    "la": 0.01,
}
LANGUAGES = tuple(LANGUAGE_WEIGHTS)


def language_mix(english: float) -> dict[str, float]:
    """The language weights with English at ``english`` and the others in their usual proportions.

    Sources differ (BookCorpus is nearly all English, Common Crawl is not), and planted duplicates are
    English; each source picks its own share so that the whole corpus lands near ``LANGUAGE_WEIGHTS``.
    """
    others = 1.0 - LANGUAGE_WEIGHTS["en"]
    return {"en": english} | {
        c: (1.0 - english) * w / others for c, w in LANGUAGE_WEIGHTS.items() if c != "en"
    }


def lexicon(code: str) -> ModuleType:
    """The lexicon module of language ``code`` (e.g. ``"de"``)."""
    if code not in LANGUAGE_WEIGHTS:
        raise KeyError(f"no lexicon for language {code!r}; known: {', '.join(LANGUAGES)}")
    return importlib.import_module(f"{__name__}.{code}")
