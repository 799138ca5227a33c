"""The sample evaluation set: ``DIR/evalsets/sample_qa.jsonl``, benchmark-like items for the decontaminate stage.

One JSON object per line, ``{"id": "sampleqa-0007", "question": ..., "choices": [four strings], "answer": 2}``
(read with ``fields = ["question", "choices"]``), of three kinds, shuffled:

- science questions (ARC-like): one to three statements of context, then a question; four short options;
- completions (HellaSwag-like): a context of two to four statements; four statements as endings;
- short questions: a question and four one-word options, fewer than ``MATCH_N`` (13) words in all, which the
  decontamination matches as a whole.

The text comes from the corpus's own template machinery (``textgen.Language`` over the quiz lexicon,
``corpus.sample.lexicons.quiz``), so the same seed gives the same bytes. Items are built so that a match can
only be a plant (``corpus.sample.contamination``): the quiz words are in no corpus lexicon (checked here), and
an item is drawn again until no run of ``MAX_COMMON_RUN`` + 1 words goes without one, so that no window of
8 or more of its words (13 is the rule's default) can occur in a generated document by chance. Items are
also kept apart from each other: no 13-gram is in two items and no short item occurs inside another item,
so a planted document matches exactly its own item.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from corpus.decontam.normalize import words
from corpus.sample.lexicons import LANGUAGES, quiz
from corpus.sample.textgen import Language, language

SET_NAME = "sample_qa"
EVALSET_PATH = "evalsets/sample_qa.jsonl"  # relative to the corpus root
FIELDS = ("question", "choices")
ITEM_KINDS = {"science": 80, "completion": 80, "short": 40}  # 200 items
MATCH_N = 13  # the decontamination's default n-gram length (GPT-3, lm-evaluation-harness)
MAX_COMMON_RUN = 7  # at most this many words in a row without a quiz word
MIN_LONG_WORDS = 30  # a whole science or completion item is a document the quality rules keep (>= 20)
MAX_DRAWS = 200  # draws per item before the generator gives up (a bug in the lexicon, not bad luck)


@dataclass(frozen=True)
class EvalItem:
    """One item of the set, as written (``line`` is its 1-based line in the file)."""

    id: str
    question: str
    choices: tuple[str, ...]
    answer: int
    line: int

    @property
    def segments(self) -> tuple[str, ...]:
        """The text the decontamination reads (``FIELDS`` in order)."""
        return (self.question, *self.choices)

    @property
    def words(self) -> list[str]:
        return words(" ".join(self.segments))

    @property
    def short(self) -> bool:
        return len(self.words) < MATCH_N

    def json_line(self) -> str:
        obj = {"id": self.id, "question": self.question, "choices": list(self.choices), "answer": self.answer}
        return json.dumps(obj, ensure_ascii=False)


def make_evalset(seed: int) -> list[EvalItem]:
    """The items of the set for ``seed`` (the same for every ``--size``)."""
    rng = np.random.default_rng([seed, 3_000_003])
    kinds = [kind for kind, count in ITEM_KINDS.items() for _ in range(count)]
    kinds = [kinds[i] for i in rng.permutation(len(kinds)).tolist()]
    items: list[EvalItem] = []
    taken = _Taken()
    for line, kind in enumerate(kinds, start=1):
        for _ in range(MAX_DRAWS):
            question, choices = _draw(rng, kind)
            item = EvalItem(f"sampleqa-{line - 1:04d}", question, choices, int(rng.integers(4)), line)
            if _acceptable(item, kind) and taken.add(item.words):
                items.append(item)
                break
        else:
            raise AssertionError(f"generator bug: no acceptable {kind} item in {MAX_DRAWS} draws")
    return items


def evalset_bytes(items: list[EvalItem]) -> bytes:
    return "".join(item.json_line() + "\n" for item in items).encode("utf-8")


def max_common_run(item_words: list[str]) -> int:
    """The longest run of words that are not quiz words.

    >>> max_common_run(["the", "copper", "was", "in", "the", "beaker"])
    3
    """
    longest = run = 0
    for word in item_words:
        run = 0 if word in quiz_vocabulary() else run + 1
        longest = max(longest, run)
    return longest


@functools.cache
def quiz_vocabulary() -> frozenset[str]:
    """The quiz words, normalised; fails loudly if a corpus lexicon has one (a chance match would follow)."""
    vocabulary = frozenset(
        w for entries in quiz.QUIZ_WORDS.values() for w in words(entries.replace("_", " "))
    )
    corpus_words = {  # quiz words are ASCII: only ASCII entries can equal one
        w
        for code in LANGUAGES
        for entry in language(code).vocabulary
        if entry.isascii()
        for w in words(entry)
    }
    shared = vocabulary & corpus_words
    if shared:
        raise AssertionError(f"quiz words also in the corpus lexicons: {sorted(shared)}")
    return vocabulary


# ---------------------------------------------------------------------------------------------------------
# Drawing items
# ---------------------------------------------------------------------------------------------------------


@functools.cache
def _quiz(templates: tuple[str, ...]) -> Language:
    """The quiz lexicon compiled with ``templates`` as its sentences (and titles)."""
    return Language("en", SimpleNamespace(WORDS=quiz.WORDS, TEMPLATES=templates, TITLES=templates))


def _draw(rng: np.random.Generator, kind: str) -> tuple[str, tuple[str, ...]]:
    statements = _quiz(quiz.TEMPLATES)
    if kind == "science":
        context = statements.text(rng, int(rng.integers(1, 4)), paragraph_prob=0.0)
        question = _quiz(quiz.QUESTIONS).text(rng, 1, paragraph_prob=0.0)
        return f"{context} {question}", tuple(_quiz(quiz.CHOICES).titles_batch(rng, 4))
    if kind == "completion":
        context = statements.text(rng, int(rng.integers(2, 5)), paragraph_prob=0.0)
        return context, tuple(statements.documents(rng, [1] * 4, paragraph_prob=0.0))
    template, category = quiz.SHORT[int(rng.integers(len(quiz.SHORT)))]
    question = _quiz((template,)).text(rng, 1, paragraph_prob=0.0)
    options = statements.categories[category]
    return question, tuple(options[i] for i in rng.choice(len(options), size=4, replace=False).tolist())


def _acceptable(item: EvalItem, kind: str) -> bool:
    item_words = item.words
    if len({c.lower() for c in item.choices}) < len(item.choices):
        return False
    if kind == "short":
        size_ok = len(item_words) < MATCH_N
    else:
        size_ok = len(item_words) >= MIN_LONG_WORDS
    return size_ok and max_common_run(item_words) <= MAX_COMMON_RUN


class _Taken:
    """What accepted items hold: their 13-grams, and their words as one string (to find short items in)."""

    def __init__(self):
        self.ngrams: set[tuple[str, ...]] = set()
        self.texts: list[str] = []
        self.shorts: list[str] = []

    def add(self, item_words: list[str]) -> bool:
        """Take an item unless it shares a 13-gram with a taken one or a short item is inside the other."""
        text = f" {' '.join(item_words)} "
        if len(item_words) < MATCH_N:
            if any(text in other for other in self.texts):
                return False
            self.shorts.append(text)
        else:
            grams = {tuple(item_words[i : i + MATCH_N]) for i in range(len(item_words) - MATCH_N + 1)}
            if grams & self.ngrams or any(short in text for short in self.shorts):
                return False
            self.ngrams |= grams
        self.texts.append(text)
        return True
