"""Fast synthetic prose in many languages: sentence templates filled from word lists, vectorized with numpy.

A language's templates and words compile once into flat arrays. Making text is then a handful of numpy
operations over all the tokens of a batch of documents (pick a template per sentence, a word per slot,
a capitalized or punctuated *form* of that word), one fancy index into a precomputed table of word forms
and one ``str.join`` per document, fast enough that a benchmark corpus is never bottlenecked on text. Every form already carries what follows the word (``" "``, ``", "``, ``". "``, ``".\\n\\n"``),
which is how Chinese and Japanese get no spaces and Greek its ``;`` question mark.

Words earlier in a category are drawn more often (``u ** SKEW``), a cheap stand-in for Zipf's law that
makes function words and common nouns frequent, as a language detector expects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace

import numpy as np

from corpus.sample.lexicons import LANGUAGE_WEIGHTS, lexicon

SKEW = 1.7  # > 1: the first words of a category are drawn more often
_PICK_STEPS = 1024  # resolution of the skewed draw; categories have at most a few hundred words
PARAGRAPH_PROB = 0.2  # chance that a sentence ends its paragraph (about 5 sentences per paragraph)

# What follows a word. Index 2k is a sentence end, 2k + 1 the same end followed by a paragraph break.
_SPACE, _COMMA, _STOP, _QUESTION, _EXCLAIM, _NOTHING = 0, 1, 2, 4, 6, 8
_N_SUFFIX = 9
_SMALL_TITLE_WORDS = frozenset({"a", "an", "the", "of", "and", "to", "in", "on", "at", "for"})


@dataclass(frozen=True)
class _Templates:
    """A set of templates compiled to flat slot arrays (one entry per token slot of every template)."""

    start: np.ndarray  # first slot of each template
    length: np.ndarray  # slots per template
    slot_category: np.ndarray  # category id of each slot
    slot_suffix: np.ndarray  # suffix id of each slot (sentence ends on the last slot)


class Language:
    """One language, compiled: draw sentences, documents and titles from it with a numpy Generator."""

    def __init__(self, code: str, module: ModuleType | SimpleNamespace | None = None):
        """``module``: a lexicon module to compile instead of ``lexicon(code)`` (the evaluation set's quiz)."""
        module = module or lexicon(code)
        self.code = code
        self.joiner: str = getattr(module, "JOINER", " ")
        self.title_case: bool = getattr(module, "TITLE_CASE", False)
        punct = {",": ",", ".": ".", "?": "?", "!": "!"} | getattr(module, "PUNCT", {})

        categories: dict[str, list[str]] = {}
        for name, words in module.WORDS.items():
            # dict.fromkeys: drop repeats but keep order (order is frequency rank)
            categories[name] = list(dict.fromkeys(w.replace("_", " ") for w in words.split()))
        self.categories = categories  # category -> words, for callers that need names or nouns
        self._category_ids: dict[str, int] = {}
        self._vocab: list[str] = []
        starts, sizes = [], []

        def category_id(token: str) -> int:
            # An unknown token is a literal word: a category of its own with one member.
            key = token if token in categories else "=" + token
            if key not in self._category_ids:
                words = categories.get(token, [token])
                self._category_ids[key] = len(starts)
                starts.append(len(self._vocab))
                sizes.append(len(words))
                self._vocab.extend(words)
            return self._category_ids[key]

        for name in categories:
            category_id(name)
        self.sentences = self._compile(module.TEMPLATES, category_id, sentence=True)
        self.titles = self._compile(getattr(module, "TITLES", module.TEMPLATES), category_id, sentence=False)
        # _pick[category * _PICK_STEPS + r] is the word drawn for a uniform r: a skewed lookup table, so a
        # draw is one integer index (no float power per token).
        steps = (np.arange(_PICK_STEPS) + 0.5) / _PICK_STEPS
        self._pick = np.concatenate(
            [start + (steps**SKEW * size).astype(np.int64) for start, size in zip(starts, sizes, strict=True)]
        )
        # Content words, for near-duplicate edits: every word of a real category with a letter in it.
        self.content_words = tuple(
            w for name in categories for w in categories[name] if " " not in w and any(c.isalpha() for c in w)
        )

        j = self.joiner
        suffixes = [
            j,
            punct[","] + j,
            punct["."] + j,
            punct["."] + "\n\n",
            punct["?"] + j,
            punct["?"] + "\n\n",
            punct["!"] + j,
            punct["!"] + "\n\n",
            "",
        ]
        vocab = self._vocab
        capitalized = [_capitalize(w) for w in vocab]
        # forms[(cap * N_SUFFIX + suffix) * V + word]
        forms = [w + s for base in (vocab, capitalized) for s in suffixes for w in base]
        self._forms = np.array(forms, dtype=object)
        self._n_words = len(vocab)
        self.mean_sentence_chars = self._measure_sentence_chars()

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """Every word this language can write: category words and template literals, as listed (a multi-word
        entry is one string), without capitalisation or punctuation."""
        return tuple(self._vocab)

    # ------------------------------------------------------------------------------------------------
    def _compile(self, templates, category_id, sentence: bool) -> _Templates:
        start, length, slot_category, slot_suffix = [], [], [], []
        for template in templates:
            tokens = template.split()
            end = _STOP if sentence else _NOTHING
            if tokens[-1][-1] in "?!" and len(tokens[-1]) > 1:
                end = _QUESTION if tokens[-1][-1] == "?" else _EXCLAIM
                tokens[-1] = tokens[-1][:-1]
            start.append(len(slot_category))
            length.append(len(tokens))
            for i, token in enumerate(tokens):
                suffix = _SPACE
                if token.endswith(",") and len(token) > 1:
                    token, suffix = token[:-1], _COMMA
                if i == len(tokens) - 1:
                    suffix = end
                slot_category.append(category_id(token))
                slot_suffix.append(suffix)
        return _Templates(
            np.asarray(start, dtype=np.int64),
            np.asarray(length, dtype=np.int64),
            np.asarray(slot_category, dtype=np.int64),
            np.asarray(slot_suffix, dtype=np.int64),
        )

    def _measure_sentence_chars(self) -> float:
        rng = np.random.default_rng(0)
        text = self.documents(rng, np.array([400]))[0]
        return max(len(text) / 400, 1.0)

    # ------------------------------------------------------------------------------------------------
    def _tokens(self, rng: np.random.Generator, templates: _Templates, n: int, paragraph_prob: float):
        """Token strings of ``n`` sentences and the token offset where each sentence ends."""
        chosen = rng.integers(0, len(templates.start), n)
        lengths = templates.length[chosen]
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if n else 0
        first = ends - lengths
        slots = np.repeat(templates.start[chosen] - first, lengths) + np.arange(total)
        category = templates.slot_category[slots]
        suffix = templates.slot_suffix[slots]
        word = self._pick[category * _PICK_STEPS + rng.integers(0, _PICK_STEPS, total)]
        if paragraph_prob > 0 and n:
            suffix[ends - 1] += rng.random(n) < paragraph_prob
        cap = np.zeros(total, dtype=np.int64)
        cap[first] = 1
        index = (cap * _N_SUFFIX + suffix) * self._n_words + word
        return self._forms[index], ends

    def documents(
        self, rng: np.random.Generator, sentence_counts, paragraph_prob: float = PARAGRAPH_PROB
    ) -> list[str]:
        """One text per entry of ``sentence_counts`` (sentences in that document), made in one batch."""
        counts = np.asarray(sentence_counts, dtype=np.int64)
        if counts.size == 0:
            return []
        tokens, ends = self._tokens(rng, self.sentences, int(counts.sum()), paragraph_prob)
        doc_ends = np.cumsum(counts)
        texts = []
        prev = 0
        for doc_end in doc_ends.tolist():
            stop = int(ends[doc_end - 1]) if doc_end else 0
            texts.append("".join(tokens[prev:stop].tolist()).rstrip())
            prev = stop
        return texts

    def text(self, rng: np.random.Generator, n_sentences: int, paragraph_prob: float = PARAGRAPH_PROB) -> str:
        """One text of ``n_sentences`` sentences."""
        return self.documents(rng, [max(int(n_sentences), 0)], paragraph_prob)[0]

    def sentence_count(self, chars: float) -> int:
        """How many sentences make about ``chars`` characters."""
        return max(1, round(chars / self.mean_sentence_chars))

    def titles_batch(self, rng: np.random.Generator, n: int) -> list[str]:
        """``n`` short titles (English ones in title case)."""
        if n == 0:
            return []
        tokens, ends = self._tokens(rng, self.titles, n, 0.0)
        out, prev = [], 0
        for end in ends.tolist():
            words = tokens[prev:end].tolist()
            prev = end
            title = "".join(words).strip().rstrip(".;?!。？；")
            if self.title_case:
                title = " ".join(
                    w if (i and w in _SMALL_TITLE_WORDS) else _capitalize(w)
                    for i, w in enumerate(title.split(" "))
                )
            if len(title) > 80:  # languages without TITLES use whole sentences: keep the head
                title = title[:80].rsplit(" ", 1)[0]
            out.append(title)
        return out

    def title(self, rng: np.random.Generator) -> str:
        return self.titles_batch(rng, 1)[0]

    def word(self, rng: np.random.Generator, category: str) -> str:
        """One word of ``category`` (uniformly drawn)."""
        words = self.categories[category]
        return words[int(rng.random() * len(words))]  # rng.random(): a third of rng.integers' call cost


def _capitalize(word: str) -> str:
    """Upper-case the first letter (not ``str.capitalize``, which lower-cases the rest: "iPhone", "NASA")."""
    for i, ch in enumerate(word):
        if ch.isalpha():
            return word[:i] + ch.upper() + word[i + 1 :]
    return word


@functools.cache
def language(code: str) -> Language:
    """The compiled language ``code``, built once per process."""
    return Language(code)


def pick_languages(rng: np.random.Generator, n: int, weights: dict[str, float] | None = None) -> list[str]:
    """``n`` language codes drawn with ``weights`` (default: the corpus mix, about 70% English)."""
    weights = weights or LANGUAGE_WEIGHTS
    codes = list(weights)
    p = np.asarray([weights[c] for c in codes], dtype=float)
    return [codes[i] for i in rng.choice(len(codes), size=n, p=p / p.sum())]


def batch_texts(
    rng: np.random.Generator, langs: list[str], chars, paragraph_prob: float = PARAGRAPH_PROB
) -> list[str]:
    """One text per (language, length in characters) pair, generated one batch per language."""
    chars = np.asarray(chars, dtype=float)
    counts = np.empty(len(langs), dtype=np.int64)
    for code in set(langs):
        idx = [i for i, c in enumerate(langs) if c == code]
        counts[idx] = np.maximum(1, np.rint(chars[idx] / language(code).mean_sentence_chars))
    return batch_sentences(rng, langs, counts, paragraph_prob)


def batch_sentences(
    rng: np.random.Generator, langs: list[str], sentence_counts, paragraph_prob: float = PARAGRAPH_PROB
) -> list[str]:
    """One text per (language, number of sentences) pair, generated one batch per language."""
    counts = np.asarray(sentence_counts, dtype=np.int64)
    out: list[str] = [""] * len(langs)
    by_lang: dict[str, list[int]] = {}
    for i, code in enumerate(langs):
        by_lang.setdefault(code, []).append(i)
    for code in sorted(by_lang):  # sorted: the draw order must not depend on dict insertion order
        idx = by_lang[code]
        for i, text in zip(idx, language(code).documents(rng, counts[idx], paragraph_prob), strict=True):
            out[i] = text
    return out
