"""``detect_english`` for a whole batch of documents at once, with the same decisions.

The per-document code spends most of its time on Python objects per segment (statistics, labels, the
merge). Here the words of every segment of every document in the batch are looked up once, and the
segment statistics, segment labels, whole-document labels and fast-path decisions are numpy arrays over
the batch. The few documents the fast path cannot decide (the ones that need langdetect) go through
``detect_english`` itself, so the reference path exists once.

Every comparison is the one ``classify_segment`` / ``_decide`` make, on the same integers, in float64, so
the results are identical (tests/filters/test_filters.py compares both on every test text and on
generated ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from corpus.filters.english import (
    FAST_ENGLISH_SHARE,
    FAST_FOREIGN_MIN_WORDS,
    FAST_FOREIGN_SHARE,
    FAST_MAX_FOREIGN_RATIO,
    FAST_MAX_NON_ASCII,
    FAST_MIN_WORDS,
    FOREIGN_LANGS,
    MIN_EVIDENCE_WORDS,
    NON_LATIN_SCRIPT,
    EnglishDecision,
    SegmentArrays,
    detect_english,
    normalize,
    prose_lines,
    sample_text,
    segment_arrays,
    segments_of,
)

# Label codes and the details ``classify_segment`` gives, numbered in alphabetical order of the detail
# text, so the smallest code among equally frequent details is the one ``_summary`` picks.
EN, FOREIGN, NEUTRAL, AMBIGUOUS = 0, 1, 2, 3
DETAILS = sorted(["", "fast", "no_english_words", "script"] + [f"foreign:{lang}" for lang in FOREIGN_LANGS])
_DETAIL_CODE = {d: i for i, d in enumerate(DETAILS)}
_FOREIGN_DETAIL = np.array([_DETAIL_CODE[f"foreign:{lang}"] for lang in FOREIGN_LANGS])


def _classify(words, letters, english, foreign, foreign_idx, non_ascii, non_latin):
    """``classify_segment`` over arrays: (label codes, detail codes). foreign_idx is -1 without a list."""
    en = english / words
    fo = foreign / words
    script = (letters > 0) & (non_latin > NON_LATIN_SCRIPT * letters)
    short = ~script & (words < MIN_EVIDENCE_WORDS)
    judged = ~script & ~short & (words >= FAST_MIN_WORDS)
    fast_en = judged & (en >= FAST_ENGLISH_SHARE) & (fo <= FAST_MAX_FOREIGN_RATIO * en)
    fast_en &= non_ascii <= FAST_MAX_NON_ASCII * words
    fast_fo = judged & ~fast_en & (en < FAST_FOREIGN_SHARE)
    fast_fo &= (foreign > 0) | (non_ascii > 0) | (words >= FAST_FOREIGN_MIN_WORDS)
    labels = np.full(len(words), AMBIGUOUS, dtype=np.int8)
    labels[short] = NEUTRAL
    labels[fast_en] = EN
    labels[script | fast_fo] = FOREIGN
    details = np.full(len(words), _DETAIL_CODE[""], dtype=np.int64)
    details[fast_en] = _DETAIL_CODE["fast"]
    has_list = foreign_idx >= 0
    details[fast_fo & has_list] = _FOREIGN_DETAIL[foreign_idx[fast_fo & has_list]]
    details[fast_fo & ~has_list] = _DETAIL_CODE["no_english_words"]
    details[script] = _DETAIL_CODE["script"]
    return labels, details


def detect_english_batch(
    texts: Sequence[str],
    *,
    seed: int,
    sample_chars: int = 5_000,
    segment_words: int = 20,
    langdetect_chars: int = 1_000,
    langdetect_calls: int = 4,
    min_english_share: float = 0.5,
) -> list[EnglishDecision]:
    """``[detect_english(t, ...) for t in texts]``, computed batch-wise (see the module docstring)."""
    settings = {
        "seed": seed,
        "sample_chars": sample_chars,
        "segment_words": segment_words,
        "langdetect_chars": langdetect_chars,
        "langdetect_calls": langdetect_calls,
        "min_english_share": min_english_share,
    }
    doc_segments = [
        segments_of(normalize(prose_lines(sample_text(t, sample_chars))), segment_words) for t in texts
    ]
    n_docs = len(texts)
    per_doc = np.fromiter(map(len, doc_segments), dtype=np.int64, count=n_docs)
    segments = list(chain.from_iterable(doc_segments))
    if not segments:
        return [EnglishDecision(0.0, False, 0, "no_evidence") for _ in texts]

    seg = segment_arrays(segments)  # all_segment_stats, for the whole batch
    labels, details = _classify(
        seg.words,
        seg.letters,
        seg.english,
        seg.foreign,
        seg.foreign_idx,
        seg.non_ascii,
        seg.non_latin_letters,
    )
    doc_of_seg = np.repeat(np.arange(n_docs), per_doc)
    english_doc, fast = _whole_documents(seg, labels, doc_of_seg, n_docs)
    total, english_letters, top_detail = _fast_shares(seg.letters, labels, details, english_doc, doc_of_seg)

    decisions: list[EnglishDecision] = []
    for i in range(n_docs):
        if per_doc[i] == 0:
            decisions.append(EnglishDecision(0.0, False, 0, "no_evidence"))
        elif not fast[i]:
            decisions.append(detect_english(texts[i], **settings))
        elif total[i] == 0:
            decisions.append(EnglishDecision(0.0, False, 0, "no_evidence"))
        else:
            share = float(english_letters[i]) / float(total[i])
            decisions.append(EnglishDecision(share, share >= min_english_share, 0, DETAILS[top_detail[i]]))
    return decisions


def _per_document(doc_of_seg: np.ndarray, values: np.ndarray, n_docs: int) -> np.ndarray:
    """[n_docs] int64 sums of per-segment ``values``; ``doc_of_seg`` is each segment's document."""
    return np.bincount(doc_of_seg, weights=values, minlength=n_docs).astype(np.int64)


def _whole_documents(
    seg: SegmentArrays, labels: np.ndarray, doc_of_seg: np.ndarray, n_docs: int
) -> tuple[np.ndarray, np.ndarray]:
    """(English, decided without langdetect) per document: ``detect_english``'s whole-document verdict.

    A document's counts are its segments' sums, and its foreign list the one with the most segment-level
    foreign words (``_merge``); it is decided when it is clearly one thing with no segment clearly the other.
    """
    langs = len(FOREIGN_LANGS)
    listed = seg.foreign_idx >= 0
    cell = doc_of_seg[listed] * langs + seg.foreign_idx[listed]  # bincount: ~10x faster than np.add.at
    doc_foreign_by_lang = np.bincount(cell, weights=seg.foreign[listed], minlength=n_docs * langs)
    doc_foreign_by_lang = doc_foreign_by_lang.astype(np.int64).reshape(n_docs, langs)
    doc_top = doc_foreign_by_lang.argmax(axis=1)
    doc_foreign = doc_foreign_by_lang[np.arange(n_docs), doc_top]

    def per_document(values) -> np.ndarray:
        return _per_document(doc_of_seg, values, n_docs)

    whole, _ = _classify(
        np.maximum(per_document(seg.words), 1),  # documents without segments never take this verdict
        per_document(seg.letters),
        per_document(seg.english),
        doc_foreign,
        np.where(doc_foreign > 0, doc_top, -1),
        per_document(seg.non_ascii),
        per_document(seg.non_latin_letters),
    )
    has_en = per_document(labels == EN) > 0
    has_foreign = per_document(labels == FOREIGN) > 0
    english_doc = (whole == EN) & ~has_foreign
    return english_doc, english_doc | ((whole == FOREIGN) & ~has_en)


def _fast_shares(
    letters: np.ndarray,
    labels: np.ndarray,
    details: np.ndarray,
    english_doc: np.ndarray,
    doc_of_seg: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_decide`` for the documents the fast path decides: (letters with evidence, English letters, code
    of the most frequent detail) per document; ambiguous segments follow their document's verdict."""
    n_docs = len(english_doc)
    counted = labels != NEUTRAL
    total = _per_document(doc_of_seg, np.where(counted, letters, 0), n_docs)
    as_english = (labels == EN) | ((labels == AMBIGUOUS) & english_doc[doc_of_seg])
    english_letters = _per_document(doc_of_seg, np.where(as_english, letters, 0), n_docs)
    cell = doc_of_seg[counted] * len(DETAILS) + details[counted]
    summary = np.bincount(cell, minlength=n_docs * len(DETAILS)).reshape(n_docs, len(DETAILS))
    top_detail = summary.argmax(axis=1)  # most frequent detail, ties to the alphabetically first
    return total, english_letters, top_detail
