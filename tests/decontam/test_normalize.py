"""corpus/decontam/normalize.py: the word rule, its batch form, its hashes and the way back to characters."""

from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.decontam.normalize import (
    DELETE,
    KEEP,
    SPACE,
    PrefixHashes,
    Words,
    char_classes,
    ngram_hash,
    normalize,
    spans_in_texts,
    spans_of_words,
    word_bounds,
    word_hash,
    word_spans,
    words,
)

# The cases that break byte tokenizers: combining accents, non-ASCII punctuation, symbols and spaces,
# format characters, other scripts, digits, underscores, İ (lowercases to 2 characters), final sigma,
# control characters, a lone surrogate, long words (more than 8 and 16 UTF-8 bytes).
ALPHABET = list("aZ é_9.,'-\n\t\r\x0b\x1c\x00\x7f") + [
    "e\u0301",
    "—",
    "“",
    "…",
    "\u00a0",
    "\u3000",
    "\u2028",
    "\u200b",
    "\u00ad",
    "ΣΑΣ",
    "ß",
    "İ",
    "日本",
    "🎉",
    "٣",
    "\ud800",
    "abcdefghij",
    "Überraschungsmomente",
]
texts = st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join)


def test_the_rule_on_examples():
    assert words("Don't PANIC , 42\u00a0km—fast!") == ["dont", "panic", "42", "kmfast"]
    assert words("good , i") == words("good, i") == ["good", "i"]  # ConvAI2's spaced punctuation
    assert words("e-mail\u00adaddress\u200b!") == ["emailaddress"]  # hyphen, soft hyphen, zero width space
    assert words("ΟΔΟΣ café CAFÉ") == ["οδος", "café", "café"]
    assert words("-- ... ' \"") == []
    assert normalize("  The\tQUICK,\n\nbrown   fox. ") == "the quick brown fox"


def test_ascii_is_the_harness_rule():
    """On ASCII the rule is lm-evaluation-harness's Janitor: lower case, string.punctuation deleted."""
    table = str.maketrans(string.ascii_uppercase, string.ascii_lowercase, string.punctuation)
    text = string.printable * 3 + " It's a (well-known) fact: 3.14 > 3!"
    assert words(text) == text.translate(table).split()


def test_character_classes():
    classes = char_classes()
    assert classes[ord("a")] == classes[ord("\u0301")] == classes[ord("٣")] == KEEP
    assert classes[ord(" ")] == classes[ord("\u3000")] == classes[ord("\x1c")] == SPACE
    assert classes[ord("—")] == classes[ord("€")] == classes[ord("\u200b")] == classes[0x10FFFF] == DELETE
    # lowercasing never makes or removes whitespace, so lowering the whole text or each run is the same;
    # nor does it make or remove letters, marks and numbers, so word_bounds may classify the original text
    for cp in range(0x110000):
        ch = chr(cp)
        low = ch.lower()
        if low != ch:
            assert not ch.isspace() and not any(c.isspace() for c in low), hex(cp)
            assert (classes[cp] == KEEP) == any(classes[ord(c)] == KEEP for c in low), hex(cp)


@settings(max_examples=400, deadline=None)
@given(st.lists(texts, max_size=8))
def test_batch_words_equal_the_reference(batch):
    w = Words.of(batch)
    assert len(w.offsets) == len(batch) + 1
    for i, text in enumerate(batch):
        got = [w.word(j) for j in range(w.offsets[i], w.offsets[i + 1])]
        assert got == words(text), text
        assert w.hashes[w.offsets[i] : w.offsets[i + 1]].tolist() == [word_hash(x) for x in got]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_spans_are_the_words_runs(text):
    spans = list(word_spans(text))
    assert [s[0] for s in spans] == words(text)
    for word, start, end in spans:
        run = text[start:end]
        assert run == run.strip() and not any(c.isspace() for c in run)
        assert normalize(run) == word


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(1, 12))
def test_word_bounds_are_word_spans(text, piece_chars):
    spans = [(s, e) for _, s, e in word_spans(text)]
    for size in (piece_chars, 1 << 22):
        bounds = [
            (s, e) for starts, ends in word_bounds(text, size) for s, e in zip(starts, ends, strict=True)
        ]
        assert bounds == spans, size


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_spans_in_texts_and_of_words_agree(batch, random):
    firsts, lasts, expected = [], [], []
    for text in batch:
        spans = [(s, e) for _, s, e in word_spans(text)]
        pairs = (
            sorted(tuple(sorted(random.sample(range(len(spans)), 2))) for _ in range(3))
            if len(spans) > 1
            else []
        )
        firsts.append([a for a, _ in pairs])
        lasts.append([b for _, b in pairs])
        expected.append([(spans[a][0], spans[b][1]) for a, b in pairs])
        assert spans_of_words(text, firsts[-1], lasts[-1], piece_chars=5) == expected[-1]
    assert spans_in_texts(batch, firsts, lasts) == expected


def test_spans_of_words():
    text = 'He said: "Yes -- no." Fine.'
    assert spans_of_words(text, [0, 2, 1], [0, 3, 4]) == [(0, 2), (9, 21), (3, 27)]
    with pytest.raises(ValueError, match="has 5 words, fewer than word 5 needs"):
        spans_of_words(text, [0], [5])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "bb", "abcdefgh", "abcdefghi", "x" * 17, "é", "日本語"]), max_size=30)
)
def test_window_hashes_equal_the_reference(ws):
    prefix = PrefixHashes(Words.of([" ".join(ws)]).hashes)
    for k in (1, 2, 5, 13):
        got = prefix.all_windows(k).tolist()
        assert got == [ngram_hash(ws[i : i + k]) for i in range(len(ws) - k + 1)]
        if len(ws) >= k:
            firsts = np.arange(len(ws) - k + 1)
            assert prefix.windows(firsts, k).tolist() == got


def test_word_hashes_differ_where_words_differ():
    """Words up to 8 bytes hash one to one; longer ones through fmix64, never equal in a large sample."""
    vocabulary = [f"w{i}" for i in range(20000)] + [f"longerword{i}" for i in range(20000)]
    hashes = {word_hash(w) for w in vocabulary}
    assert len(hashes) == len(vocabulary)
    assert word_hash("abcdefgh") != word_hash("abcdefgh\x01")
