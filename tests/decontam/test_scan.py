"""corpus/decontam/scan.py: planted evaluation items are found (recall 1.0) through light edits, short
items only whole, spans and cuts exact, long documents and chunking change nothing, hash collisions never
count, and clean text gives no hits at n = 13."""

from __future__ import annotations

import gzip
import io
import json

import numpy as np
import pyarrow as pa
import pytest

from corpus.decontam import scan as scan_module
from corpus.decontam.evalsets import EvalSetSpec, load_evalset
from corpus.decontam.index import NgramIndex
from corpus.decontam.normalize import PrefixHashes, ngram_hash, words
from corpus.decontam.scan import CutPolicy, cut, cut_ranges, decide, decide_batch, scan_batch
from tests.conftest import shared_file
from tests.decontam.helpers import english, plant


def toy_index(lines: list[str], n: int) -> NgramIndex:
    spec = EvalSetSpec("toy", "toy.txt", "txt")
    return NgramIndex.build([load_evalset(spec, io.BytesIO("\n".join(lines).encode()))], n=n)


# ---------------------------------------------------------------------------------------------------------
# Recall on the real sets
# ---------------------------------------------------------------------------------------------------------


def test_planted_items_with_light_edits_are_all_found(real_sets, real_index):
    texts, planted = plant(real_sets, real_index, per_set=150, seed=1)
    result = scan_batch(texts, real_index)
    missed = [
        (real_index.item_location(item), texts[d])
        for d, item in enumerate(planted)
        if d not in result.hits or item not in result.hits[d].items
    ]
    assert missed == []  # recall 1.0
    assert len(result.hits) == len(texts) and result.rejected == 0
    # the planted span is where the match is: every match lies inside the planted text
    for d, item in enumerate(planted[:200]):
        planted_words = set(
            words(
                " ".join(
                    real_sets[int(real_index.item_set[item])].items[
                        item - real_index.sets[int(real_index.item_set[item])].first_item
                    ]
                )
            )
        )
        for m in result.hits[d].matches:
            assert set(words(texts[d][m.start : m.end])) <= planted_words


def test_no_false_hits_on_clean_text(real_index, real_index_8):
    """Real English prose (a Gutenberg novel, a BookCorpus novel, Common Crawl pages) and the sample
    generator's English: nothing at n = 13. At n = 8 the known false hits are 8 windows of stock phrases in
    the BookCorpus novel ("sat down on the edge of the bed", "out of the corner of my eye I") matching
    LAMBADA and HellaSwag, and one Common Crawl page ("in the right place at the right time", HellaSwag)."""
    clean = {
        "gutenberg": [shared_file("gutenberg", "1342-0.txt").read_text(encoding="utf-8-sig")],
        "bookcorpus": [
            json.loads(line)["text"]
            for line in shared_file("bookcorpus", "BookCorpusFair.jsonl").read_text().splitlines()
        ],
        "cc": [
            json.loads(line)["text"]
            for name in ("cc_en_head-0091.jsonl.gz", "cc_en_head-0174.jsonl.gz")
            for line in gzip.open(shared_file("cc_text", name), "rt")
        ],
        "sample": english(500, seed=7),
    }
    for name, texts in clean.items():
        r13 = scan_batch(texts, real_index)
        assert (len(r13.hits), int(r13.ngrams.sum())) == (0, 0), name
        r8 = scan_batch(texts, real_index_8)
        expected = {"bookcorpus": (1, 8), "cc": (1, 1)}.get(name, (0, 0))
        assert (len(r8.hits), int(r8.ngrams.sum())) == expected, name


# ---------------------------------------------------------------------------------------------------------
# Matching rules on small indexes
# ---------------------------------------------------------------------------------------------------------


def test_windows_spans_and_counts():
    idx = toy_index(["the quick brown fox jumps over the lazy dog"], n=4)
    text = 'Intro. "The QUICK brown fox, jumps over" -- and then the lazy dog slept.'
    r = scan_batch([text, "The quick brown cat."], idx)
    assert r.ngrams.tolist() == [3, 0] and list(r.hits) == [0]
    (m,) = r.hits[0].matches
    assert text[m.start : m.end] == '"The QUICK brown fox, jumps over"'
    assert (m.first_word, m.words, m.ngrams, m.items) == (1, 6, 3, (0,))
    assert r.hits[0].set_ngrams == (3,) and r.hits[0].sets == (0,)


def test_short_items_match_only_whole():
    idx = toy_index(["Bobby pin hack", "a long item of well over five words here"], n=5)
    assert idx.short_len == 3
    found = scan_batch(
        ["Try the bobby-pin hack? no: Bobby pin, HACK!", "bobby pin", "bobby hack pin", "Bobby\npin\thack"],
        idx,
    )
    assert found.ngrams.tolist() == [1, 0, 0, 1]  # "bobby-pin" is one word ("bobbypin"), so only one match
    assert found.hits[0].spans == [(28, 44)]
    assert found.hits[0].items == (0,)
    # a long item's words fewer than n at a time match nothing
    assert scan_batch(["a long item of"], idx).ngrams.tolist() == [0]
    assert scan_batch(["a long item of well"], idx).ngrams.tolist() == [1]


def test_items_of_different_lengths_in_one_document():
    idx = toy_index(["one two", "one two three", "three four five six seven"], n=5)
    r = scan_batch(["one two three four five six seven"], idx)
    assert r.hits[0].items == (0, 1, 2)
    assert r.ngrams.tolist() == [3]  # windows: "one two", "one two three", "three ... seven"
    assert len(r.hits[0].matches) == 1 and r.hits[0].matches[0].ngrams == 3


def test_a_hash_collision_never_counts(monkeypatch):
    """Every window of the document is made to hash like an evaluation n-gram: all are rejected."""
    idx = toy_index(["alpha beta gamma delta epsilon"], n=3)
    target = np.uint64(ngram_hash(["alpha", "beta", "gamma"]))

    class Colliding(PrefixHashes):
        def all_windows(self, k):
            out = super().all_windows(k)
            out[:] = target
            return out

    monkeypatch.setattr(scan_module, "PrefixHashes", Colliding)
    r = scan_batch(["one two three four five six", "alpha beta gamma"], idx)
    assert r.candidates == 5 and r.rejected == 4  # 4 + 1 windows hashed equal; only "alpha beta gamma" is
    assert r.ngrams.tolist() == [0, 1]


def test_long_documents_and_chunking_change_nothing(real_sets, real_index):
    texts, _ = plant(real_sets, real_index, per_set=20, seed=3)
    whole = scan_batch(texts, real_index)
    one_doc = "\n\n".join(texts)
    reference = scan_batch([one_doc], real_index)
    for piece_chars in (700, 5000):  # many planted items straddle piece boundaries
        pieces = scan_batch([one_doc], real_index, piece_chars=piece_chars)
        assert pieces.ngrams.tolist() == reference.ngrams.tolist()
        assert pieces.hits[0] == reference.hits[0]
        assert pieces.words == reference.words
    tiny_chunks = scan_batch(texts, real_index, chunk_chars=1)
    assert tiny_chunks.ngrams.tolist() == whole.ngrams.tolist() and tiny_chunks.hits == whole.hits
    assert sum(h.ngrams for h in whole.hits.values()) == reference.hits[0].ngrams


def test_arrow_input_and_empty_documents():
    idx = toy_index(["a b c d e"], n=3)
    arrow = pa.array(["x a b c y", None, "", "  ... "], pa.large_string())
    r = scan_batch(arrow, idx)
    assert r.ngrams.tolist() == [1, 0, 0, 0]
    assert scan_batch(pa.chunked_array([arrow]), idx).ngrams.tolist() == [1, 0, 0, 0]
    assert scan_batch([], idx).ngrams.tolist() == []


# ---------------------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------------------


def test_cut_ranges_are_exact():
    assert cut_ranges(100, [(50, 60)], 5) == [(45, 65)]
    assert cut_ranges(100, [(2, 4), (96, 99)], 5) == [(0, 9), (91, 100)]  # clipped to the text
    assert cut_ranges(100, [(10, 20), (30, 40)], 5) == [(5, 45)]  # touching cuts merge
    assert cut_ranges(100, [(10, 20), (31, 40)], 5) == [(5, 25), (26, 45)]
    assert cut_ranges(10, [], 5) == []


def test_cut_on_a_scanned_document():
    idx = toy_index(["the quick brown fox jumps over the lazy dog"], n=4)
    left, right = "L" * 300 + " ", " " + "R" * 400
    text = left + "The quick brown fox jumps!" + right
    r = scan_batch([text], idx)
    (start, end) = r.hits[0].spans[0]
    assert (start, end) == (301, 327)
    d = decide(text, r.hits[0], "cut", CutPolicy(margin=50))
    assert d.status == "cut" and d.pieces == 2 and d.keep
    assert d.text == text[: start - 50] + "\n\n" + text[end + 50 :]
    assert d.removed_chars == (end + 50) - (start - 50)
    # a piece shorter than min_piece_chars goes too; then too little is left
    d = decide(text, r.hits[0], "cut", CutPolicy(margin=50, min_piece_chars=300))
    assert d.text == text[end + 50 :] and d.pieces == 1
    d = decide(text, r.hits[0], "cut", CutPolicy(margin=50, min_piece_chars=300, min_chars=400))
    assert (d.status, d.reason, d.text, d.keep) == ("dropped", "cut_too_short", None, False)
    assert decide(text, r.hits[0], "drop").reason == "contaminated"
    assert decide(text, r.hits[0], "flag") == decide(text, r.hits[0], "flag")
    assert decide(text, r.hits[0], "flag").text == text and decide(text, None, "cut").status == "clean"
    with pytest.raises(ValueError, match="action must be one of"):
        decide(text, r.hits[0], "delete")


def test_cut_into_too_many_pieces():
    spans = [(i * 100 + 50, i * 100 + 60) for i in range(12)]  # 12 cuts -> 13 pieces
    text = "x" * 1200
    assert cut(text, spans, CutPolicy(margin=0, min_piece_chars=0, max_pieces=13)).pieces == 13
    d = cut(text, spans, CutPolicy(margin=0, min_piece_chars=0, max_pieces=12))
    assert (d.status, d.reason) == ("dropped", "cut_too_many_pieces")
    with pytest.raises(ValueError):
        CutPolicy(max_pieces=0)


def test_decide_batch(real_sets, real_index):
    texts, _ = plant(real_sets, real_index, per_set=5, seed=5)
    texts.append("nothing to see here")
    r = scan_batch(texts, real_index)
    decisions = decide_batch(texts, r, "cut", CutPolicy(margin=100, min_piece_chars=50, min_chars=100))
    assert decisions[-1].status == "clean"
    for d, hits in zip(decisions[:-1], [r.hits[i] for i in range(len(texts) - 1)], strict=True):
        assert d.status in ("cut", "dropped")
        if d.status == "cut":  # nothing matched survives the cut
            assert scan_batch([d.text], real_index).ngrams.tolist() == [0]
            assert d.removed_chars >= sum(e - s for s, e in hits.spans)
