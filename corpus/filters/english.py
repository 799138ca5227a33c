"""Is a document English? Word statistics decide the clear cases; langdetect only sees what they cannot.

``langdetect`` is the reference detector (the one OPT-era pipelines used), but it costs up to 15 ms per
document in pure Python, and it labels languages it has no profile for (Irish, Latin, Scots, Yoruba,
Sesotho, Zulu, Maori...) as whatever known language is closest, very often English. So:

1. **Bounded sample.** A long document is read through ``sample_text``: at most ``sample_chars``
   characters as evenly spaced windows, so a whole book costs what a short article costs, and a mixed
   document is sampled everywhere, not only at its start.
2. **Cleaning.** URLs, e-mail addresses and lines that are mostly not letters (code, tables, numbers) are
   no language evidence and are removed before counting.
3. **Segments.** The words are grouped at sentence ends into segments of at least ``segment_words``
   words. Each segment is counted against hand-written word lists (``wordlists.py``): the share of
   English words, the share of the best-matching foreign list, words with non-ASCII letters, and
   letters outside the Latin script.
4. **Fast path.** Clear statistics decide a segment without langdetect: English prose has a large share
   of its words in ``ENGLISH`` and almost no accents or foreign-list words, other languages a small one
   (``FAST_ENGLISH_SHARE``, ``FAST_FOREIGN_SHARE``), and text in another script is foreign at once. A
   document that is clearly English (or clearly not) as a whole, with no segment clearly the other way,
   is decided here: that is ~99 % of documents.
5. **Reference path.** Otherwise the ambiguous segments go to langdetect (seeded, profiles loaded once
   per process; at most ``langdetect_calls`` calls of ``langdetect_chars`` characters per document; the
   segments beyond that take the mean of the verdicts). Its "English" is accepted only when our counts
   do not contradict it (``accept_reference``): some English words, fewer foreign-list words than
   English ones, and - when the best foreign list is a language langdetect cannot know - at most half as
   many. That is what keeps Irish, Latin or Scots from passing as English.
6. **Mixed documents.** The English share is the letter-weighted share of the segments that are
   English (a langdetect-accepted segment counts for the English share of its marked words, as it is
   often two languages glued together); segments of fewer than ``MIN_EVIDENCE_WORDS`` words count for
   neither side. The document is English when the share is at least ``min_english_share``; with no
   evidence at all it is not English.

Thresholds were set on the first half of each language's labelled sentences (the ``langid/`` data that
bench/eval_langid.py reads, which reports the held-out half separately) and on clean English books.
Everything is deterministic: the sample depends only on the text, langdetect is seeded, and a decision
never depends on the batch.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np

from corpus.filters.wordlists import (
    ENGLISH_AMBIGUOUS,
    ENGLISH_CONTENT_WORDS,
    ENGLISH_FUNCTION_WORDS,
    ENGLISH_HOMOGRAPHS,
    FOREIGN_WORDS,
)

# A word: letters, then runs of letters after an apostrophe or a combining mark (Yoruba tones stay
# decomposed after NFC). Written without alternation inside the repeat: twice as fast as the obvious form.
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u0300-\u036f][^\W\d_]*)*")
# Letters outside Latin (Basic, Latin-1, Extended-A/B, IPA, Extended Additional): another script.
_NON_LATIN_LETTER_RE = re.compile(r"[^\W\d_\x00-\u02af\u1e00-\u1eff]")
_URL_RE = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
_ASCII_WHITESPACE = string.whitespace.encode()
_ASCII_LETTERS_AND_WHITESPACE = (string.ascii_letters + string.whitespace).encode()

# Function words count in any letter case; content words only in lower case (capitalised, they are names).
ENGLISH_FUNCTION = frozenset(ENGLISH_FUNCTION_WORDS.split()) - ENGLISH_AMBIGUOUS
ENGLISH_CONTENT = frozenset(ENGLISH_CONTENT_WORDS.split()) - ENGLISH_AMBIGUOUS - ENGLISH_FUNCTION
ENGLISH = ENGLISH_FUNCTION | ENGLISH_CONTENT
FOREIGN: dict[str, frozenset[str]] = {
    lang: frozenset(unicodedata.normalize("NFC", w.lower()) for w in words.split())
    - ENGLISH
    - ENGLISH_AMBIGUOUS
    - ENGLISH_HOMOGRAPHS
    for lang, words in FOREIGN_WORDS.items()
}
# Languages of FOREIGN that langdetect 1.0.9 has no profile for: its verdict says nothing about them.
LANGDETECT_UNKNOWN = frozenset(
    "ga la sco yo st tn sn xh zu ts lg mi eu eo is ms az bs hi-Latn ru-Latn".split()
)
# Foreign languages as bits, and word -> the bits of the lists it is in (a word can be in several).
FOREIGN_LANGS = tuple(sorted(FOREIGN))
_FOREIGN_MASK: dict[str, int] = {}
for _bit, _lang in enumerate(FOREIGN_LANGS):
    for _w in FOREIGN[_lang]:
        _FOREIGN_MASK[_w] = _FOREIGN_MASK.get(_w, 0) | (1 << _bit)

# Segment labels.
ENGLISH_SEGMENT = "en"
FOREIGN_SEGMENT = "foreign"
NEUTRAL_SEGMENT = "neutral"  # too little text to say anything
AMBIGUOUS_SEGMENT = "ambiguous"  # needs the reference detector

# Fast-path thresholds, chosen on the development half of the labelled sentences of bench/eval_langid.py
# (the other half is held out) and on clean English books and web text.
MIN_EVIDENCE_WORDS = 3  # fewer words than this: the segment is neutral
FAST_MIN_WORDS = 8  # the fast path needs at least this many words
FAST_ENGLISH_SHARE = 0.2  # at least this share of ENGLISH words ...
FAST_MAX_FOREIGN_RATIO = 0.5  # ... with the best foreign list at most half of that ...
FAST_MAX_NON_ASCII = 0.05  # ... and almost no words with non-ASCII letters: English
FAST_FOREIGN_SHARE = 0.06  # under this share of ENGLISH words: not English
FAST_FOREIGN_MIN_WORDS = 30  # ... or, with no foreign-list word and no accent at all, this many words
NON_LATIN_SCRIPT = 0.5  # more than this share of letters outside the Latin script: not English
REF_MIN_ENGLISH_SHARE = 0.06  # langdetect's "en" needs at least this share of ENGLISH words too
REF_MAX_NON_ASCII = 0.15  # ... and at most this share of words with non-ASCII letters
REF_UNKNOWN_FOREIGN_RATIO = 0.5  # foreign/English word ratio allowed when langdetect cannot know the language
CODE_LINE_LETTERS = 0.5  # a line with fewer letters than this share of its non-space characters is not prose


@dataclass(frozen=True)
class SegmentStats:
    """Word-list counts of one segment."""

    words: int
    letters: int
    english: int  # words in ENGLISH
    foreign: int  # words in the best-matching foreign list
    foreign_lang: str  # that list's language tag ("" when no foreign word was seen)
    non_ascii: int  # words with a non-ASCII letter
    non_latin_letters: int  # letters outside the Latin script

    @property
    def english_share(self) -> float:
        return self.english / self.words if self.words else 0.0

    @property
    def foreign_share(self) -> float:
        return self.foreign / self.words if self.words else 0.0


@dataclass(frozen=True)
class EnglishDecision:
    """The verdict on one document."""

    english_share: float  # letter-weighted share of the sampled text that is English, 0..1
    is_english: bool
    langdetect_calls: int  # reference-detector calls this document needed (0 = fast path only)
    detail: str  # what decided it, for people reading OUT/dropped: "fast", "script", "foreign:ga", ...


def sample_text(text: str, max_chars: int, windows: int = 16) -> str:
    """The whole text when short, else ``windows`` evenly spaced slices totalling about ``max_chars``.

    Slices start and end at whitespace so no word is cut in half; the result only depends on the text.
    """
    if len(text) <= max_chars:
        return text
    width = max_chars // windows
    step = (len(text) - width) / (windows - 1)
    parts = []
    for i in range(windows):
        start = int(i * step)
        end = start + width
        if start:
            space = text.find(" ", start, end)
            start = space + 1 if space >= 0 else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        parts.append(text[start:end])
    return "\n".join(parts)


def prose_lines(text: str) -> str:
    """``text`` without URLs, e-mail addresses and lines that are mostly not letters (code, tables)."""
    if "://" in text or "www." in text or "@" in text:  # the URL pattern is slow; most text has none
        text = _URL_RE.sub(" ", text)
    kept = []
    for line in text.splitlines():
        # ASCII symbols counted in C (bytes.translate); non-ASCII characters count as letters here.
        raw = line.encode("ascii", "ignore")
        visible = len(line) - (len(raw) - len(raw.translate(None, _ASCII_WHITESPACE)))
        symbols = len(raw.translate(None, _ASCII_LETTERS_AND_WHITESPACE))
        if visible and visible - symbols >= CODE_LINE_LETTERS * visible:
            kept.append(line)
    return "\n".join(kept)


def words_of(text: str) -> list[str]:
    """Words as written (case kept), NFC-normalized so precomposed and decomposed accents count the same."""
    return _WORD_RE.findall(normalize(text))


def normalize(text: str) -> str:
    """NFC, with the typographic apostrophe made ASCII: the form in which words are looked up."""
    return unicodedata.normalize("NFC", text).replace("’", "'")


# Word features, one row per word as written: (in ENGLISH, has a non-ASCII letter, letters outside Latin,
# letters, foreign-list bits): the counts first, the bit mask last. Word frequencies are Zipfian, so a
# bounded cache (word -> row of _FEATURE_TABLE) answers most lookups with one dict access; a document's
# words become one numpy array of rows and its segments' counts are sums over slices of it (~10 MB per
# worker process when full).
_FEATURES: dict[str, int] = {}
_FEATURES_MAX = 100_000
_FEATURE_TABLE = np.zeros((_FEATURES_MAX + 1, 5), dtype=np.int64)  # the last row is never a cached word
_LANG_BITS = np.arange(len(FOREIGN_LANGS), dtype=np.int64)


def _word_features(word: str) -> tuple[int, int, int, int, int]:
    w = word.lower()
    if w in ENGLISH_FUNCTION or (w in ENGLISH_CONTENT and w == word):
        return (1, 0, 0, len(word), 0)
    if word.isascii():
        return (0, 0, 0, len(word), _FOREIGN_MASK.get(w, 0))
    return (0, 1, len(_NON_LATIN_LETTER_RE.findall(word)), len(word), _FOREIGN_MASK.get(w, 0))


def _feature_rows(words: list[str]) -> np.ndarray:
    """[len(words), 5] int64 features of the words, through the cache."""
    rows = np.fromiter(map(_FEATURES.get, words, repeat(-1)), dtype=np.int64, count=len(words))
    uncached: list[int] = []
    for i in np.flatnonzero(rows < 0).tolist():
        word = words[i]
        row = _FEATURES.get(word, -1)  # an earlier miss of the same document may have added it
        if row < 0 and len(_FEATURES) < _FEATURES_MAX:
            row = len(_FEATURES)
            _FEATURE_TABLE[row] = _word_features(word)
            _FEATURES[word] = row
        if row < 0:
            uncached.append(i)
        rows[i] = row
    features = _FEATURE_TABLE[rows]
    for i in uncached:
        features[i] = _word_features(words[i])
    return features


def segment_stats(words: list[str]) -> SegmentStats:
    """Count the word lists over one segment's words."""
    return all_segment_stats([words])[0]


class SegmentArrays(NamedTuple):
    """The counts of ``SegmentStats`` for many segments, one int64 array per field (foreign_idx: index into
    FOREIGN_LANGS of the best foreign list, -1 when no word is on any list)."""

    words: np.ndarray
    letters: np.ndarray
    english: np.ndarray
    foreign: np.ndarray
    foreign_idx: np.ndarray
    non_ascii: np.ndarray
    non_latin_letters: np.ndarray


def segment_arrays(segments: list[list[str]]) -> SegmentArrays:
    """Word-list counts of every (non-empty) segment, from one feature array: a long document or a whole
    batch has thousands of segments, and per-segment or per-word Python work would dominate."""
    n = len(segments)
    words_per_segment = np.fromiter(map(len, segments), dtype=np.int64, count=n)
    words = list(chain.from_iterable(segments))
    features = _feature_rows(words)
    # A segment's words are contiguous: its sums are differences of running sums at its ends, all count
    # columns at once and in integers (reduceat would need non-empty slices).
    ends = np.cumsum(words_per_segment)
    running = np.zeros((len(words) + 1, 4), dtype=np.int64)
    np.cumsum(features[:, :4], axis=0, out=running[1:])
    sums = running[ends] - running[ends - words_per_segment]

    foreign = np.zeros(n, dtype=np.int64)
    foreign_idx = np.full(n, -1, dtype=np.int64)
    marked = np.flatnonzero(features[:, 4])
    if marked.size:
        # words in each (segment, foreign list); the best list has the most, ties to the first in order
        langs = len(FOREIGN_LANGS)
        segment_of = np.repeat(np.arange(n), words_per_segment)
        word, lang = np.nonzero((features[marked, 4][:, None] >> _LANG_BITS) & 1)
        cell = segment_of[marked[word]] * langs + lang  # bincount: ~10x faster than np.add.at
        per_lang = np.bincount(cell, minlength=n * langs).reshape(n, langs)
        top = per_lang.argmax(axis=1)
        foreign = per_lang[np.arange(n), top]
        foreign_idx = np.where(foreign > 0, top, -1)
    return SegmentArrays(
        words=words_per_segment,
        letters=sums[:, 3],
        english=sums[:, 0],
        foreign=foreign,
        foreign_idx=foreign_idx,
        non_ascii=sums[:, 1],
        non_latin_letters=sums[:, 2],
    )


def all_segment_stats(segments: list[list[str]]) -> list[SegmentStats]:
    """``segment_stats`` of every segment (see ``segment_arrays``)."""
    if not any(segments):
        return [SegmentStats(0, 0, 0, 0, "", 0, 0) for _ in segments]
    a = segment_arrays(segments)
    langs = [FOREIGN_LANGS[i] if i >= 0 else "" for i in a.foreign_idx.tolist()]
    return [
        SegmentStats(*values)
        for values in zip(
            a.words.tolist(),
            a.letters.tolist(),
            a.english.tolist(),
            a.foreign.tolist(),
            langs,
            a.non_ascii.tolist(),
            a.non_latin_letters.tolist(),
            strict=True,
        )
    ]


def classify_segment(s: SegmentStats) -> tuple[str, str]:
    """(label, detail) for one segment from its statistics alone."""
    if s.letters and s.non_latin_letters > NON_LATIN_SCRIPT * s.letters:
        return FOREIGN_SEGMENT, "script"
    if s.words < MIN_EVIDENCE_WORDS:
        return NEUTRAL_SEGMENT, "short"
    en, fo = s.english_share, s.foreign_share
    if s.words >= FAST_MIN_WORDS:
        if (
            en >= FAST_ENGLISH_SHARE
            and fo <= FAST_MAX_FOREIGN_RATIO * en
            and s.non_ascii <= FAST_MAX_NON_ASCII * s.words
        ):
            return ENGLISH_SEGMENT, "fast"
        if en < FAST_FOREIGN_SHARE and (s.foreign or s.non_ascii or s.words >= FAST_FOREIGN_MIN_WORDS):
            return FOREIGN_SEGMENT, f"foreign:{s.foreign_lang}" if s.foreign_lang else "no_english_words"
    return AMBIGUOUS_SEGMENT, ""


def accept_reference(s: SegmentStats, p_english: float) -> bool:
    """langdetect's verdict, accepted only when our own counts do not contradict it."""
    # The floor on English words only applies where something else left traces: a short segment (fewer
    # than FAST_MIN_WORDS) of plain ASCII words none of our lists know (a title, names) is left to langdetect.
    # When the best foreign list is a language langdetect has no profile for, its "en" means "nothing
    # closer"; then the foreign words must be as rare as in English text (REF_UNKNOWN_FOREIGN_RATIO of the
    # English ones; in clean English books the ratio stays under 0.13 for almost every segment).
    has_foreign_traces = s.foreign > 0 or s.non_ascii > 0 or s.words >= FAST_MIN_WORDS
    max_foreign = REF_UNKNOWN_FOREIGN_RATIO * s.english if s.foreign_lang in LANGDETECT_UNKNOWN else s.english
    return (
        p_english >= 0.5
        and (s.english_share >= REF_MIN_ENGLISH_SHARE or not has_foreign_traces)
        and s.foreign <= max_foreign
        and s.non_ascii <= REF_MAX_NON_ASCII * s.words
    )


# A sentence ends at [.!?;:。] followed by whitespace, or at a run of newlines: r"[.!?;:。]\s+|\n+". It is
# written with one character class in front so that re scans for those characters in C instead of trying
# both alternatives at every position: 2.6x faster, the same matches (tests/filters/test_filters.py).
SENTENCE_END_DEFINITION = r"[.!?;:。]\s+|\n+"
_SENTENCE_END = r"[.!?;:。\n](?:(?<=\n)\n*|(?<=[.!?;:。])\s+)"
_SENTENCE_END_RE = re.compile(_SENTENCE_END)
# Words are found with C string methods instead of the regex, with the same result: sentence ends are
# marked first with \x01 (they can neither overlap a word nor contain a letter, so marking them first
# finds the same ends as scanning for ends and words together); in the UTF-8 bytes every ASCII byte but
# letters and apostrophes becomes a space (for ASCII, [^\W\d_] is exactly [A-Za-z]) and leading
# apostrophes go; ``str.split`` cuts the words. Text with non-ASCII characters (accented letters, other
# scripts, non-ASCII punctuation or spaces) goes through ``_WORD_RE`` itself, sentence by sentence.
_SENTENCE_MARK = "\x01"
_LETTERS_AND_APOSTROPHE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'\x01")
_WORD_BYTES = bytes(c if c in _LETTERS_AND_APOSTROPHE or c >= 0x80 else 0x20 for c in range(256))
_LEADING_APOSTROPHES = re.compile(rb" '+")


def sentence_words(text: str) -> list[list[str]]:
    """The words (``_WORD_RE``) of each piece of ``text`` between sentence ends (``_SENTENCE_END_RE``)."""
    if _SENTENCE_MARK in text:  # the marker must not occur in the text itself
        return [_WORD_RE.findall(sentence) for sentence in _SENTENCE_END_RE.split(text)]
    marked = _SENTENCE_END_RE.sub(f" {_SENTENCE_MARK} ", text)
    pieces = b" " + marked.encode("utf-8", "surrogatepass").translate(_WORD_BYTES)
    pieces = _LEADING_APOSTROPHES.sub(b" ", pieces).decode("utf-8", "surrogatepass")
    sentences = pieces.split(_SENTENCE_MARK)
    if pieces.isascii():  # the only whitespace left is the space: str.split() cuts exactly the words
        return [sentence.split() for sentence in sentences]
    # Sentence by sentence: an ASCII one is cut by str.split() as above (one curly quote should not send
    # a whole document through the regex). In the others, each run of letters and apostrophes between
    # spaces starts with a letter (leading apostrophes are gone), so it is one whole _WORD_RE match: the
    # regex finds the ASCII runs unchanged and the words inside the others. (str.split() would also cut
    # at non-ASCII spaces and so free apostrophes that lead a word; they are no word.)
    return [sentence.split() if sentence.isascii() else _WORD_RE.findall(sentence) for sentence in sentences]


def segments_of(text: str, segment_words: int) -> list[list[str]]:
    """Words of ``text`` (already ``normalize``-d) in segments of at least ``segment_words`` words, cut at
    sentence ends.

    A sentence longer than twice the size is cut into pieces of ``segment_words`` words; a short tail
    joins the segment before it, so every segment but a lone one has at least ``segment_words // 2``.
    """
    segments: list[list[str]] = []
    current: list[str] = []
    for words in sentence_words(text):
        while len(words) >= 2 * segment_words:
            segments.append(words[:segment_words])
            words = words[segment_words:]
        current.extend(words)
        if len(current) >= segment_words:
            segments.append(current)
            current = []
    if current:
        if segments and len(current) < segment_words // 2:
            segments[-1] = segments[-1] + current
        else:
            segments.append(current)
    return segments


def detect_english(
    text: str,
    *,
    seed: int,
    sample_chars: int = 5_000,
    segment_words: int = 20,
    langdetect_chars: int = 1_000,
    langdetect_calls: int = 4,
    min_english_share: float = 0.5,
) -> EnglishDecision:
    """Decide whether ``text`` is English (see the module docstring for how)."""
    segments = segments_of(normalize(prose_lines(sample_text(text, sample_chars))), segment_words)
    if not segments:
        return EnglishDecision(0.0, False, 0, "no_evidence")
    stats = all_segment_stats(segments)
    labels = [classify_segment(s) for s in stats]
    kinds = {label for label, _ in labels}

    # Whole-document verdict first: a document that is clearly one thing, with no segment clearly the
    # other, is decided without the reference detector; its ambiguous segments follow the document.
    whole = classify_segment(_merge(stats))[0] if len(stats) > 1 else labels[0][0]
    if whole == ENGLISH_SEGMENT and FOREIGN_SEGMENT not in kinds:
        return _decide(stats, labels, ENGLISH_SEGMENT, 0, min_english_share)
    if whole == FOREIGN_SEGMENT and ENGLISH_SEGMENT not in kinds:
        return _decide(stats, labels, FOREIGN_SEGMENT, 0, min_english_share)

    ambiguous = [i for i, (label, _) in enumerate(labels) if label == AMBIGUOUS_SEGMENT]
    calls = 0
    mixed: dict[int, float] = {}
    if ambiguous:
        # At most `langdetect_calls` segments, evenly spread; the others take the mean of their verdicts.
        chosen = _spread(ambiguous, langdetect_calls)
        probabilities = {
            i: english_probability(" ".join(segments[i])[:langdetect_chars], seed) for i in chosen
        }
        calls = len(chosen)
        mean_p = sum(probabilities.values()) / len(probabilities)
        for i in ambiguous:
            p = probabilities.get(i, mean_p)
            english = accept_reference(stats[i], p)
            labels[i] = (ENGLISH_SEGMENT if english else FOREIGN_SEGMENT, f"langdetect:{p:.2f}")
            if english:
                mixed[i] = mixed_english_fraction(stats[i])
    return _decide(stats, labels, FOREIGN_SEGMENT, calls, min_english_share, mixed)


def mixed_english_fraction(s: SegmentStats) -> float:
    """How much of an ambiguous segment langdetect called English is English: the English share of its
    marked words (English-list words vs foreign-list and accented words). An ambiguous segment is often
    a sentence of each language glued together; counting it whole would overstate the English share."""
    marked = s.english + s.foreign + s.non_ascii
    return s.english / marked if marked else 1.0


def _merge(stats: list[SegmentStats]) -> SegmentStats:
    """Whole-document counts (the best foreign list is approximated by the most frequent per segment)."""
    foreign: dict[str, int] = {}
    for s in stats:
        if s.foreign_lang:
            foreign[s.foreign_lang] = foreign.get(s.foreign_lang, 0) + s.foreign
    lang = min(foreign, key=lambda k: (-foreign[k], k)) if foreign else ""
    return SegmentStats(
        words=sum(s.words for s in stats),
        letters=sum(s.letters for s in stats),
        english=sum(s.english for s in stats),
        foreign=foreign.get(lang, 0),
        foreign_lang=lang,
        non_ascii=sum(s.non_ascii for s in stats),
        non_latin_letters=sum(s.non_latin_letters for s in stats),
    )


def _decide(
    stats, labels, ambiguous_as: str, calls: int, min_english_share: float, mixed=None
) -> EnglishDecision:
    """Letter-weighted English share over the segments with evidence; ambiguous ones count as ``ambiguous_as``,
    segments in ``mixed`` (index -> English fraction) count for that fraction of their letters."""
    english_letters = total_letters = 0.0
    for i, (s, (label, _)) in enumerate(zip(stats, labels, strict=True)):
        if label == NEUTRAL_SEGMENT:
            continue
        total_letters += s.letters
        if label == ENGLISH_SEGMENT or (label == AMBIGUOUS_SEGMENT and ambiguous_as == ENGLISH_SEGMENT):
            english_letters += s.letters * (mixed or {}).get(i, 1.0)
    if total_letters == 0:
        return EnglishDecision(0.0, False, calls, "no_evidence")
    share = english_letters / total_letters
    return EnglishDecision(share, share >= min_english_share, calls, _summary(labels))


def _spread(items: list[int], k: int) -> list[int]:
    if len(items) <= k:
        return items
    return (
        [items[round(j * (len(items) - 1) / (k - 1))] for j in range(k)]
        if k > 1
        else [items[len(items) // 2]]
    )


def _summary(labels: list[tuple[str, str]]) -> str:
    """The most frequent non-neutral detail, e.g. "foreign:ga" or "fast" (ties: alphabetical)."""
    counts: dict[str, int] = {}
    for label, detail in labels:
        if label != NEUTRAL_SEGMENT:
            counts[detail] = counts.get(detail, 0) + 1
    return min(counts, key=lambda d: (-counts[d], d)) if counts else "no_evidence"


# --- the reference detector ------------------------------------------------------------------------------

_FACTORIES: dict[int, object] = {}


def _factory(seed: int):
    """langdetect's DetectorFactory with all profiles, loaded once per process and seed (~0.5 s each)."""
    factory = _FACTORIES.get(seed)
    if factory is None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(seed)
        _FACTORIES[seed] = factory
    return factory


def english_probability(text: str, seed: int) -> float:
    """langdetect's probability that ``text`` is English (0.0 when it finds no usable letters)."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory(seed).create()
    detector.append(text)
    try:
        probabilities = detector.get_probabilities()
    except LangDetectException:
        return 0.0
    return next((p.prob for p in probabilities if p.lang == "en"), 0.0)


def langdetect_is_english(text: str, seed: int, max_chars: int = 10_000) -> bool:
    """The baseline: langdetect alone (seeded, threshold 0.5) on the first ``max_chars`` characters."""
    return english_probability(text[:max_chars], seed) >= 0.5
