"""The catalogue of planted duplicates: exact copies and near-copies at known Jaccard levels, within one
source and across sources.

Every near-copy is made by ``near_duplicate`` and its Jaccard with the original *measured* on the final
texts; the ground truth records that measured value next to the level aimed at. Originals are about
1,300 words long, so that even the 0.99 level lands within 0.01. Planted texts carry no mojibake,
boilerplate or odd whitespace, so normalization leaves their similarity as measured.

CC-News copies are the same HTML page fetched under a second URL (tracking parameters), which is how
news crawls really duplicate: their extracted text is identical whatever the extractor.
"""

from __future__ import annotations

import numpy as np

from corpus.sample.neardup import near_duplicate
from corpus.sample.news import news_page_for_plant
from corpus.sample.plan import Plant, SizeSpec
from corpus.sample.textgen import language

NEAR_LEVELS = (0.99, 0.95, 0.9, 0.8, 0.5)
# (source of the original, source(s) of the copies)
EXACT_GROUPS = (
    ("pile", "pile"),
    ("ccstories", "ccstories"),
    ("ccstories", "pile"),
    ("bookcorpus", "bookcorpus"),
    ("pile", "bookcorpus"),
    ("ccnews", "ccnews"),
    ("reddit", "reddit"),
    ("pile", "ccstories", "pile"),  # one text in three places: a cluster of three
)
NEAR_PAIRS = (("pile", "pile"), ("ccstories", "pile"), ("bookcorpus", "ccstories"))
NEAR_EXTRA = (("reddit", "reddit", 0.95, "en"), ("reddit", "reddit", 0.8, "en"), ("pile", "pile", 0.95, "de"))
NEAR_CHAIN = ("pile", "pile", "ccstories")  # A, B ~ A at 0.95, C ~ B at 0.95: a chain, J(A, C) ~ 0.9
ORIGINAL_CHARS = 7_500  # about 1,300 English words
EXACT_CHARS = 3_000
PILE_SUBSETS = ("Pile-CC", "OpenWebText2")


def make_plants(spec: SizeSpec, seed: int) -> list[Plant]:
    """Every planted document of the corpus, for ``spec.plant_sets`` copies of the catalogue."""
    rng = np.random.default_rng([seed, 2_000_003])
    plants: list[Plant] = []
    for s in range(spec.plant_sets):
        for g, sources in enumerate(EXACT_GROUPS):
            plants += _exact_group(rng, f"s{s}/exact/{g}", sources)
        for level in NEAR_LEVELS:
            for a, b in NEAR_PAIRS:
                plants += _near_chain(rng, f"s{s}/near{level}/{a}-{b}", (a, b), level, "en")
        for a, b, level, lang in NEAR_EXTRA:
            plants += _near_chain(rng, f"s{s}/near{level}/{a}-{b}-{lang}", (a, b), level, lang)
        plants += _near_chain(rng, f"s{s}/near-chain", NEAR_CHAIN, 0.95, "en")
    return plants


def source_prose(rng: np.random.Generator, source: str, lang: str, chars: int) -> str:
    """About ``chars`` characters of clean prose in ``lang``, shaped as ``source`` renders a document."""
    L = language(lang)
    if source == "reddit":  # a chain of single-paragraph comments, joined as the reader renders them
        n = max(2, chars // 700)
        return "\n\n".join(L.documents(rng, [L.sentence_count(chars / n)] * n, paragraph_prob=0.0))
    return L.text(rng, L.sentence_count(chars))


def source_form(rng: np.random.Generator, source: str, lang: str, text: str) -> tuple[str, dict]:
    """(what the source writes, its options): CC-News writes a whole page around the text."""
    if source == "pile":
        return text, {"subset": PILE_SUBSETS[int(rng.integers(len(PILE_SUBSETS)))]}
    if source == "ccnews":
        page, url = news_page_for_plant(rng, lang, text)
        return page, {"url": url}
    return text, {}


def _exact_group(rng: np.random.Generator, key: str, sources: tuple[str, ...]) -> list[Plant]:
    text = source_prose(rng, sources[0], "en", EXACT_CHARS)
    written, options = source_form(rng, sources[0], "en", text)
    original = Plant(f"{key}/orig", sources[0], written, "en", options=options)
    plants = [original]
    for i, source in enumerate(sources[1:], start=1):
        if source == "ccnews":  # the same page under another URL
            copy_options = {"url": options["url"] + "?utm_source=rss&utm_medium=feed"}
        else:
            copy_options = source_form(rng, source, "en", text)[1]
        plants.append(
            Plant(
                f"{key}/copy{i}",
                source,
                written if source == sources[0] else text,
                "en",
                of=original.key,
                kind="exact",
                jaccard=1.0,
                options=copy_options,
            )
        )
    return plants


def _near_chain(
    rng: np.random.Generator, key: str, sources: tuple[str, ...], level: float, lang: str
) -> list[Plant]:
    """An original in ``sources[0]`` and, in each next source, a near-copy of the previous document."""
    L = language(lang)
    text = source_prose(rng, sources[0], lang, ORIGINAL_CHARS)
    plants = [
        Plant(f"{key}/orig", sources[0], text, lang, options=source_form(rng, sources[0], lang, text)[1])
    ]
    for i, source in enumerate(sources[1:], start=1):
        copy, j = near_duplicate(text, level, rng, L.content_words)
        plants.append(
            Plant(
                f"{key}/copy{i}",
                source,
                copy,
                lang,
                of=plants[-1].key,
                kind="near",
                jaccard=j,
                options={**source_form(rng, source, lang, copy)[1], "level": level},
            )
        )
        text = copy
    return plants
