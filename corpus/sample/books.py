"""BookCorpus: one book per ``books/*.txt`` file (a quarter gzipped), as the Smashwords crawl left them.

Books carry what OPT's normalization removes: "Chapter One"-style headings, Smashwords front matter and,
for a few, Project Gutenberg headers and footers in one of three editions (the markers changed over the
years, and some files have none). Planted: an empty file, a whitespace-only file (both skipped as
``empty_document``) and, from ``--size small`` on, one 20 MB book.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus.sample import noise
from corpus.sample.containers import gzip_member, write_bytes
from corpus.sample.lexicons import language_mix
from corpus.sample.plan import HUGE_DOC_CHARS, SizeSpec, Task, split_budget
from corpus.sample.textgen import language, pick_languages
from corpus.sample.truth import TaskResult
from corpus.schema import make_doc_id
from corpus.sources import reasons

SOURCE = "bookcorpus"
TASK_BYTES = 16_000_000
# BookCorpus is English fiction; books in other languages slip in (more here than in the real crawl, so
# that the whole sample lands near its 70% English).
BOOK_LANGUAGES = language_mix(0.75)

SURNAMES = """Smith Taylor Brown Wilson Evans Walker Wright Hughes Green Hall Wood Harris Clarke Lewis Turner
    Baker Carter Mitchell Morgan Price Bennett Foster Gray Hayes Marsh Porter Reed Shaw Stone Ward""".split()
NUMBER_WORDS = """One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen Fifteen Sixteen
    Seventeen Eighteen Nineteen Twenty""".split()
ROMAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split()
GUTENBERG_EDITIONS = ("1990s_small_print", "2000s_start_of_this", "2020s_start_of_the")
MONTHS = "January February March April May June July August September October November December".split()


def plan(spec: SizeSpec, seed: int) -> list[Task]:
    median = 6_000 if spec.target_bytes < 5_000_000 else 40_000
    tasks = [
        Task(SOURCE, i, seed, budget, params={"median_chars": median})
        for i, budget in enumerate(split_budget(spec.budget(SOURCE), TASK_BYTES, 1))
    ]
    tasks[0].corruptions += ["empty_file", "blank_file"]
    tasks[0].params["specials"] = True
    if spec.huge_doc:
        tasks[0].corruptions.append("huge_book")
    return tasks


def write(task: Task, root: Path) -> TaskResult:
    """Write this task's books under ``root/bookcorpus/books/``."""
    rng = task.rng()
    result = TaskResult(SOURCE)
    items: list[tuple[str, object]] = []
    written = 0
    while written < task.budget:
        chars = int(np.clip(rng.lognormal(np.log(task.params["median_chars"]), 0.6), 1_500, 400_000))
        lang = pick_languages(rng, 1, BOOK_LANGUAGES)[0]
        text, traits = make_book(rng, lang, chars)
        items.append(("book", (text, traits, lang)))
        written += len(text.encode("utf-8"))
    if task.params.get("specials"):  # traps a small sample must not miss by chance
        for edition in range(len(GUTENBERG_EDITIONS)):
            text, traits = make_book(rng, "en", 4_000, gutenberg=edition)
            items.append(("book", (text, traits, "en")))
        items.append(
            ("book", (*make_book(rng, "en", 4_000, headings="Chapter One", damage="mojibake"), "en"))
        )
        items.append(("bom", (*make_book(rng, "en", 4_000), "en")))
    items += [("plant", p) for p in task.plants]
    items += [("corrupt", c) for c in task.corruptions]
    order = rng.permutation(len(items))

    for k, i in enumerate(order.tolist()):
        kind, what = items[i]
        gz = kind != "corrupt" and rng.random() < 0.25
        rel = f"books/b{task.index:03d}_{k:05d}.txt" + (".gz" if gz else "")
        bom = False
        if kind in ("book", "bom"):
            text, traits, lang = what
            bom = kind == "bom" or rng.random() < 0.03
            if bom:
                traits.append("bom")
            plant_key = None
        elif kind == "plant":
            text, traits, lang, plant_key = what.text, [], what.lang, what.key
        elif what == "huge_book":
            text, traits = make_book(rng, "en", HUGE_DOC_CHARS, headings="Chapter 1")
            traits.append("huge")
            lang, plant_key = "en", None
        else:  # an empty or blank file: no document
            text = "" if what == "empty_file" else "\n\n   \n\t\n"
            size = _write_book(root, rel, text, gz=False)
            result.tally.files += 1
            result.tally.bytes_on_disk += size
            result.files.append(f"{SOURCE}/{rel}")
            result.add_empty(f"{SOURCE}/{rel}", f"{rel}:line 1", reasons.EMPTY_DOCUMENT, planted=what)
            continue
        size = _write_book(root, rel, ("\ufeff" if bom else "") + text, gz=gz)
        if gz:
            traits.append("gzip")
        result.tally.files += 1
        result.tally.bytes_on_disk += size
        result.text_bytes += len(text.encode("utf-8"))
        result.files.append(f"{SOURCE}/{rel}")
        result.add_document(make_doc_id(SOURCE, rel, 0), text, lang, traits=traits, plant_key=plant_key)
    return result


def _write_book(root: Path, rel: str, text: str, gz: bool) -> int:
    data = text.encode("utf-8")
    return write_bytes(root / SOURCE / rel, gzip_member(data) if gz else data)


def make_book(
    rng: np.random.Generator,
    lang: str,
    chars: int,
    headings: str | None = None,
    gutenberg: int | None = None,
    damage: str | None = None,
) -> tuple[str, list[str]]:
    """(book text of about ``chars`` characters, its traits). ``headings`` forces a chapter-heading style,
    ``gutenberg`` a Project Gutenberg edition (0-2), ``damage`` a ``noise.decorate`` damage."""
    L = language(lang)
    traits: list[str] = []
    n_chapters = int(np.clip(chars // 8_000, 1, 400))
    per_chapter = L.sentence_count(chars / n_chapters)
    counts = np.maximum(1, rng.poisson(per_chapter, n_chapters))
    chapters = L.documents(rng, counts)
    title = L.title(rng)
    author = f"{language('en').word(rng, 'NAME')} {SURNAMES[int(rng.integers(len(SURNAMES)))]}"

    style = headings
    if style is None and lang == "en":
        style = [None, "Chapter One", "Chapter 1", "CHAPTER I"][int(rng.integers(4))]
    elif style is None:
        style = [None, "1"][int(rng.integers(2))]
    if style:
        traits.append("chapter_headings")
        chapters = [f"{_heading(style, i)}\n\n{body}" for i, body in enumerate(chapters)]
    body = "\n\n\n".join(chapters)

    front = f"{title}\n\nby {author}\n\n"
    r = rng.random()
    if gutenberg is not None or (lang == "en" and r < 0.08):
        edition = int(rng.integers(len(GUTENBERG_EDITIONS))) if gutenberg is None else gutenberg
        traits.append(f"gutenberg_{GUTENBERG_EDITIONS[edition]}")
        return gutenberg_wrap(rng, title, author, body, edition), traits
    if r < 0.38:
        traits.append("smashwords_front_matter")
        year = int(rng.integers(2008, 2015))
        front += (
            f"Copyright {year} {author}\n\nSmashwords Edition\n\n"
            "This ebook is licensed for your personal enjoyment only. This ebook may not be re-sold or given "
            "away to other people. If you would like to share this book with another person, please purchase "
            "an additional copy for each recipient.\n\n* * * * *\n\n"
        )
    text, damaged = noise.decorate(rng, front + body + "\n", force=damage)
    return text, traits + damaged


def _heading(style: str, i: int) -> str:
    if style == "Chapter One":
        return f"Chapter {NUMBER_WORDS[i]}" if i < len(NUMBER_WORDS) else f"Chapter {i + 1}"
    if style == "CHAPTER I":
        return f"CHAPTER {ROMAN[i]}" if i < len(ROMAN) else f"CHAPTER {i + 1}"
    if style == "1":
        return str(i + 1)
    return f"Chapter {i + 1}"


def gutenberg_wrap(rng: np.random.Generator, title: str, author: str, body: str, edition: int) -> str:
    """``body`` between a Project Gutenberg header and footer of one of three editions (paraphrased)."""
    number = int(rng.integers(1000, 60000))
    date = f"{MONTHS[int(rng.integers(12))]} {int(rng.integers(1, 29))}, {int(rng.integers(1994, 2022))}"
    upper = title.upper()
    if edition == 0:  # 1990s: small-print block, "*END*" marker
        header = (
            f"The Project Gutenberg Etext of {title}, by {author}\n\n"
            "Please take a look at the important information in this header.\n"
            "We encourage you to keep this file on your own disk.\n\n"
            f"{title}\n\nby {author}\n\n"
            f"Etext #{number}, {date}\n\n"
            "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n"
        )
        footer = f"\n\nEnd of the Project Gutenberg Etext of {title}, by {author}\n"
    elif edition == 1:  # 2000s-2010s: "*** START OF THIS PROJECT GUTENBERG EBOOK"
        header = (
            f"The Project Gutenberg EBook of {title}, by {author}\n\n"
            "This eBook is for the use of anyone anywhere at no cost and with\n"
            "almost no restrictions whatsoever.  You may copy it, give it away or\n"
            "re-use it under the terms of the Project Gutenberg License included\n"
            "with this eBook or online at www.gutenberg.org\n\n\n"
            f"Title: {title}\n\nAuthor: {author}\n\nRelease Date: {date} [EBook #{number}]\n\n"
            "Language: English\n\nCharacter set encoding: UTF-8\n\n"
            f"*** START OF THIS PROJECT GUTENBERG EBOOK {upper} ***\n\n\n\n\n"
            "Produced by volunteers of Distributed Proofreading\n\n\n\n\n"
        )
        footer = (
            f"\n\n\n\n\nEnd of the Project Gutenberg EBook of {title}, by {author}\n\n"
            f"*** END OF THIS PROJECT GUTENBERG EBOOK {upper} ***\n\n"
            f"***** This file should be named {number}-0.txt or {number}-0.zip *****\n"
            "This and all associated files of various formats will be found in:\n"
            f"        http://www.gutenberg.org/{'/'.join(str(number)[:-1])}/{number}/\n"
        )
    else:  # 2020s: "*** START OF THE PROJECT GUTENBERG EBOOK"
        header = (
            f"The Project Gutenberg eBook of {title}, by {author}\n\n"
            "This eBook is for the use of anyone anywhere in the United States and\n"
            "most other parts of the world at no cost and with almost no restrictions\n"
            "whatsoever. You may copy it, give it away or re-use it under the terms\n"
            "of the Project Gutenberg License included with this eBook or online at\n"
            "www.gutenberg.org.\n\n"
            f"Title: {title}\n\nAuthor: {author}\n\nRelease Date: {date} [eBook #{number}]\n\n"
            "Language: English\n\n\n"
            f"*** START OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n"
        )
        footer = (
            f"\n\n*** END OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n"
            "Updated editions will replace the previous one--the old editions will\n"
            "be renamed.\n"
        )
    return header + body + footer
