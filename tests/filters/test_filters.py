"""The English filter and the quality rules, called directly (no Spark): decisions on hand-picked texts,
bounded work on long documents, determinism, and counters that add up."""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.config import FilterConfig, RecipeError, recipe_from_dict
from corpus.filters import DROPPED_SCHEMA, document_verdict, english, filter_documents
from corpus.filters.english import (
    ENGLISH,
    FOREIGN,
    detect_english,
    langdetect_is_english,
    prose_lines,
    sample_text,
    segments_of,
    words_of,
)
from corpus.filters.quality import quality_verdict, repeated_line_fraction, symbol_ratio, word_count
from corpus.filters.wordlists import ENGLISH_AMBIGUOUS, ENGLISH_HOMOGRAPHS
from corpus.schema import DOCUMENT_SCHEMA
from tests.conftest import shared_file

SEED = 1234

ENGLISH_PARAGRAPH = (
    "The committee met on Tuesday to discuss the new budget for the library. Most of the members agreed "
    "that the building needs a new roof before the winter, but they could not decide how to pay for it. "
    "One of them suggested that the town should ask the state for help, while another said that the "
    "library had enough money of its own if it sold some of the old books that nobody reads any more."
)
FRENCH_PARAGRAPH = (
    "Le conseil municipal s'est réuni mardi pour discuter du nouveau budget de la bibliothèque. La plupart "
    "des membres étaient d'accord pour dire que le bâtiment a besoin d'un nouveau toit avant l'hiver, mais "
    "ils n'ont pas pu décider comment le payer. L'un d'eux a proposé que la ville demande de l'aide à la "
    "région, tandis qu'un autre a dit que la bibliothèque avait assez d'argent."
)
ENGLISH_PARAGRAPH_2 = (
    "After the vote, the chairman thanked everyone for coming and promised to publish the minutes within a "
    "week. He also reminded the members that the next meeting would be held in the school hall, because the "
    "library itself will be closed for repairs during most of the spring."
)
FRENCH_PARAGRAPH_2 = (
    "Après le vote, le président a remercié tout le monde d'être venu et a promis de publier le compte rendu "
    "dans la semaine. Il a aussi rappelé aux membres que la prochaine réunion aurait lieu dans la salle de "
    "l'école, parce que la bibliothèque elle-même sera fermée pour travaux pendant presque tout le printemps."
)

CASES = {
    # name: (text, is English)
    "short English": ("The meeting was moved to Friday because the room was not free.", True),
    "English with code": (
        "To read the file, open it with a context manager and iterate over its lines. The example below "
        "counts the words in each line and prints the total at the end.\n\n"
        "with open(path) as f:\n    total = sum(len(line.split()) for line in f)\nprint(total)\n\n"
        "This works for files of any size because only one line is held in memory at a time.",
        True,
    ),
    "English with URLs": (
        "You can download the latest release from https://github.com/example/project/releases/tag/v1.2.3 "
        "or read the documentation at www.example.org/docs/index.html before you install it. Questions "
        "go to help@example.com and we will answer them as soon as we can.",
        True,
    ),
    "Irish": (
        "Bhí an aimsir go hálainn inné agus chuaigh muid go dtí an trá leis na páistí. D'fhan muid ann go "
        "dtí an tráthnóna, agus ansin d'ith muid dinnéar i mbialann bheag in aice leis an gcaladh. Ní "
        "raibh mórán daoine eile ann, mar bhí an séasúr thart.",
        False,
    ),
    "Irish without accents": (
        "Bhi an aimsir go halainn inne agus chuaigh muid go dti an tra leis na paisti. D'fhan muid ann go "
        "dti an trathnona, agus ansin d'ith muid dinnear i mbialann bheag in aice leis an gcaladh.",
        False,
    ),
    "Latin": (
        "Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae, aliam Aquitani, tertiam qui "
        "ipsorum lingua Celtae, nostra Galli appellantur. Hi omnes lingua, institutis, legibus inter se "
        "differunt. Gallos ab Aquitanis Garumna flumen, a Belgis Matrona et Sequana dividit.",
        False,
    ),
    "Scots": (
        "Whan A wis a bairn, ma granny aye telt me stories aboot the auld days. She wad sit by the fire an "
        "say that the warld wis a different place afore the war. We didnae hae muckle siller, but we wur "
        "happy enough, an the neebors wad aye gie ye a haund if ye needit it.",
        False,
    ),
    "transliterated Hindi": (
        "Main kal office nahi ja raha hoon kyunki mujhe bahut tez bukhar hai aur doctor ne aaram karne ko "
        "kaha hai. Tum log meeting mein mera kaam dekh lena, theek hai? Agar koi problem ho toh mujhe phone "
        "kar lena.",
        False,
    ),
    "transliterated Russian": (
        "Privet, kak dela? Ya seychas ochen zanyat, no vecherom mozhno vstretitsya. Ty ne znaesh, gde moy "
        "telefon? Ya ego vezde iskal, no nichego ne nashel.",
        False,
    ),
    "Russian": (
        "Москва — столица России, город федерального значения и административный центр округа.",
        False,
    ),
    "Chinese": ("北京是中华人民共和国的首都，也是全国的政治中心和文化中心，有三千多年的历史。", False),
    "mostly English, some French": (
        ENGLISH_PARAGRAPH + "\n\n" + ENGLISH_PARAGRAPH_2 + "\n\n" + FRENCH_PARAGRAPH,
        True,
    ),
    "mostly French, some English": (
        FRENCH_PARAGRAPH + "\n\n" + FRENCH_PARAGRAPH_2 + "\n\n" + ENGLISH_PARAGRAPH,
        False,
    ),
    "empty": ("", False),
    "only numbers and symbols": ("12 34 -- 56.78 % ### ++ ==", False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_picked_decisions(name):
    text, expected = CASES[name]
    decision = detect_english(text, seed=SEED)
    assert decision.is_english is expected, (name, decision)
    assert 0.0 <= decision.english_share <= 1.0


def test_langdetect_alone_calls_scots_and_irish_english_ours_does_not():
    # The reason the filter does not simply trust langdetect: it has no Scots or Irish profile.
    for name in ("Scots", "Irish", "Irish without accents"):
        text, _ = CASES[name]
        assert langdetect_is_english(text, SEED) is True, name
        assert detect_english(text, seed=SEED).is_english is False, name


def test_mixed_documents_are_decided_by_english_share():
    mostly_en = detect_english(CASES["mostly English, some French"][0], seed=SEED)
    mostly_fr = detect_english(CASES["mostly French, some English"][0], seed=SEED)
    assert 0.55 < mostly_en.english_share < 0.8
    assert 0.2 < mostly_fr.english_share < 0.45
    # The threshold is the recipe's: the same French-majority document passes at a lower bar.
    assert detect_english(
        CASES["mostly French, some English"][0], seed=SEED, min_english_share=0.2
    ).is_english


def test_clear_cases_never_reach_langdetect():
    for name in ("English with code", "English with URLs", "Irish", "Latin", "Russian", "Chinese", "empty"):
        assert detect_english(CASES[name][0], seed=SEED).langdetect_calls == 0, name
    assert detect_english(CASES["Russian"][0], seed=SEED).detail == "script"
    assert detect_english(CASES["Irish"][0], seed=SEED).detail == "foreign:ga"
    assert detect_english("", seed=SEED).detail == "no_evidence"


def test_long_document_work_is_bounded(monkeypatch):
    """A 1 MB book is sampled to ``sample_chars``; langdetect gets at most ``langdetect_calls`` calls of at
    most ``langdetect_chars`` characters, however ambiguous the text."""
    seen: list[int] = []
    real = english.english_probability

    def recording(text, seed):
        seen.append(len(text))
        return real(text, seed)

    monkeypatch.setattr(english, "english_probability", recording)
    # Alternating English and Latin paragraphs, then text without any listed word: many ambiguous segments.
    vague = "Glasgow Rangers Celtic Aberdeen Hibernian Motherwell Kilmarnock Dundee Partick Thistle. " * 3
    book = ((ENGLISH_PARAGRAPH + "\n" + CASES["Latin"][0] + "\n" + vague + "\n") * 800)[:1_000_000]
    sample = sample_text(book, 5_000)
    assert len(sample) <= 5_000 + 16  # windows joined by newlines
    decision = detect_english(book, seed=SEED, sample_chars=5_000, langdetect_chars=300, langdetect_calls=3)
    assert decision.langdetect_calls == len(seen) <= 3
    assert seen and max(seen) <= 300


def test_sample_text_spans_the_whole_document_and_keeps_words_whole():
    text = " ".join(f"w{i:05d}" for i in range(20_000))  # 120k characters
    sample = sample_text(text, 1_600, windows=16)
    words = sample.split()
    assert words[0] == "w00000" and words[-1] == "w19999"
    assert all(len(w) == 6 for w in words)
    assert sample_text("short text", 1_600) == "short text"


def test_prose_lines_drop_urls_and_code_lines():
    text = (
        "See https://example.com/x?y=1 now.\nfor (i = 0; i < n; i++) { a[i] = b[i] * 2; }\nPlain words here."
    )
    assert prose_lines(text).splitlines() == ["See   now.", "Plain words here."]


def test_segments_follow_sentences_and_keep_every_word():
    text = "One two three. Four five six seven. Eight nine.\nTen eleven twelve thirteen fourteen."
    segments = segments_of(text, 4)
    assert segments == [
        ["One", "two", "three", "Four", "five", "six", "seven"],
        ["Eight", "nine", "Ten", "eleven", "twelve", "thirteen", "fourteen"],
    ]
    assert segments_of("", 4) == []
    assert words_of("Ọ̀pọ̀lọpọ̀ don’t o' 42abc") == ["Ọ̀pọ̀lọpọ̀", "don't", "o'", "abc"]


def test_word_lists_keep_the_two_sides_apart():
    assert not ENGLISH & ENGLISH_AMBIGUOUS
    for lang, words in FOREIGN.items():
        assert not words & ENGLISH, lang
        assert not words & ENGLISH_HOMOGRAPHS, lang
    assert {"the", "and", "which", "don't"} <= ENGLISH
    assert "agus" in FOREIGN["ga"] and "est" in FOREIGN["la"] and "dinnae" in FOREIGN["sco"]


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab Z'.!?;:\n\t_9-,")
            + [
                "\x01",
                "\xa0",
                "\u3000",
                "é",
                "e\u0301",
                "\u0301",
                "—",
                "“",
                "。",
                "İ",
                "ß",
                "Σ",
                "日",
                "٣",
                "\x1c",
                "\u2028",
                "’",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_sentence_words_equal_the_regex_definition(text):
    sentence_end = re.compile(english.SENTENCE_END_DEFINITION)
    want = [english._WORD_RE.findall(s) for s in sentence_end.split(text)]
    assert english.sentence_words(text) == want
    assert english._SENTENCE_END_RE.split(text) == sentence_end.split(text)


def _reference_segment_stats(words: list[str]) -> english.SegmentStats:
    """SegmentStats counted word by word, straight from the definitions."""

    def is_english(w: str) -> bool:
        lower = w.lower()
        return lower in english.ENGLISH_FUNCTION or (lower in english.ENGLISH_CONTENT and lower == w)

    foreign_words = [w.lower() for w in words if not is_english(w)]
    per_lang = [sum(w in FOREIGN[lang] for w in foreign_words) for lang in english.FOREIGN_LANGS]
    best = max(per_lang, default=0)
    return english.SegmentStats(
        words=len(words),
        letters=sum(map(len, words)),
        english=sum(map(is_english, words)),
        foreign=best,
        foreign_lang=english.FOREIGN_LANGS[per_lang.index(best)] if best else "",
        non_ascii=sum(not w.isascii() and not is_english(w) for w in words),
        non_latin_letters=sum(len(english._NON_LATIN_LETTER_RE.findall(w)) for w in words),
    )


@pytest.mark.parametrize("cache_size", [100_000, 3])
def test_segment_stats_equal_word_by_word_counts(monkeypatch, cache_size):
    """The array path (feature cache, running sums, foreign-list bit counts) counts what the definitions
    say, with empty segments in between and with words the full cache cannot hold."""
    import random

    monkeypatch.setattr(english, "_FEATURES", {})  # the cache and its table, restored afterwards
    monkeypatch.setattr(english, "_FEATURE_TABLE", english._FEATURE_TABLE.copy())
    monkeypatch.setattr(english, "_FEATURES_MAX", cache_size)
    rng = random.Random(7)
    pool = sorted(ENGLISH)[:300] + ["The", "House", "WHICH", "Agus", "naïve", "Ελλάδα", "日本語", "x'y"]
    for lang in english.FOREIGN_LANGS:
        pool += sorted(FOREIGN[lang])[:20]
    segments = [[rng.choice(pool) for _ in range(rng.choice([0, 1, 5, 20, 60]))] for _ in range(400)]
    assert english.all_segment_stats(segments) == [_reference_segment_stats(s) for s in segments]
    assert sum(map(len, segments)) > 5_000 and any(not s for s in segments)


def test_batch_detection_equals_per_document_detection():
    """detect_english_batch answers exactly what detect_english answers, document by document: the test
    cases, every langid language alone and glued to English, a book, and texts without evidence."""
    from corpus.filters.english_batch import detect_english_batch

    texts = [text for text, _ in CASES.values()] + ["", "...", "12 34", "a b"]
    langid = shared_file("langid")
    english_lines = (langid / "en.txt").read_text().splitlines()
    for path in sorted(langid.glob("*.txt")):
        lines = path.read_text().splitlines()
        texts += [" ".join(lines[:6]), " ".join(lines[:2] + english_lines[:3]), lines[0]]
    texts.append(shared_file("gutenberg", "1342-0.txt").read_text()[:200_000])
    for options in ({}, {"segment_words": 5, "sample_chars": 1000, "min_english_share": 0.8}):
        want = [detect_english(t, seed=SEED, **options) for t in texts]
        assert detect_english_batch(texts, seed=SEED, **options) == want
        assert sum(d.langdetect_calls > 0 for d in want) >= 5  # the reference path is exercised too


def test_decisions_are_deterministic_across_runs():
    texts = [text for text, _ in CASES.values()]
    first = [detect_english(t, seed=SEED) for t in texts]
    english._FEATURES.clear()  # a fresh worker process starts with an empty word cache
    english._FACTORIES.clear()  # ... and loads the langdetect profiles again
    assert [detect_english(t, seed=SEED) for t in texts] == first


# --- quality rules --------------------------------------------------------------------------------------


def test_quality_measures():
    assert word_count("one two  three\nfour") == 4
    assert word_count("one two three four five", at_least=2) == 2
    assert symbol_ratio("") == 0.0
    assert symbol_ratio("ab 12") == 0.5
    assert symbol_ratio("“Yes,” he said.") == pytest.approx(4 / 13)
    assert symbol_ratio("été, café") == pytest.approx(1 / 8)
    assert repeated_line_fraction("a\nb\n\na\n a \nc") == pytest.approx(2 / 5)
    assert repeated_line_fraction("\n\n") == 0.0


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(list("aZ 1.\n\t—“é\u0301\u00a0\u3000Σ日🎉𝔸½٣_") + ["\u2028", "\ud800"]), max_size=80
    )
)
def test_symbol_ratio_equals_the_character_by_character_definition(text):
    visible = [c for c in text if not c.isspace()]
    letters = [c for c in visible if c.isalpha() or unicodedata.category(c).startswith("M")]
    want = (len(visible) - len(letters)) / len(visible) if visible else 0.0
    assert symbol_ratio(text) == pytest.approx(want, abs=1e-12)


def test_quality_verdicts_each_have_their_reason():
    words = " ".join(["word"] * 30)
    assert quality_verdict("too few words here", 20, 0.3, 0.3) == ("too_short", 4.0)
    table = "\n".join(f"{i} | {i * 3.5:.2f} | {i * 7} | {i % 3}" for i in range(30))
    reason, score = quality_verdict(table, 20, 0.3, 0.3)
    assert reason == "mostly_symbols" and score > 0.6
    menu = "\n".join(["Home", "About us", "Contact", "Share this page on social media"] * 6 + [words])
    reason, score = quality_verdict(menu, 20, 0.3, 0.3)
    assert reason == "repeated_lines" and score == pytest.approx(20 / 25)
    assert quality_verdict(words, 20, 0.3, 0.3) == (None, 0.0)
    # Content rules off (exempt subsets): only the length rule applies.
    assert quality_verdict(table, 20, 0.3, 0.3, content_rules=False) == (None, 0.0)


def test_defaults_keep_clean_english():
    gutenberg = shared_file("gutenberg", "1342-0.txt").read_text(encoding="utf-8-sig")
    cfg = FilterConfig()
    assert document_verdict(gutenberg, None, cfg, SEED)[0] is None
    # ... and every 5,000-character piece of it as well.
    pieces = [gutenberg[i : i + 5000] for i in range(0, len(gutenberg), 5000)]
    assert [document_verdict(p, None, cfg, SEED)[0] for p in pieces] == [None] * len(pieces)


def test_langid_five_sentence_documents_meet_the_bar():
    """Issue 3's bar on ../shared/data/langid: English precision >= 0.98 and recall >= 0.99 on documents
    of 5 consecutive sentences of one language (60 per language, 75 languages)."""
    folder = shared_file("langid")
    tp = fp = fn = 0
    for path in sorted(folder.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i in range(0, len(lines) - 4, 5):
            predicted = detect_english(" ".join(lines[i : i + 5]), seed=0).is_english
            tp += predicted and path.stem == "en"
            fp += predicted and path.stem != "en"
            fn += (not predicted) and path.stem == "en"
    assert tp + fn == 60
    assert tp / (tp + fp) >= 0.98 and tp / (tp + fn) >= 0.99, (tp, fp, fn)


# --- filter_documents -----------------------------------------------------------------------------------


def documents_batch(rows: list[tuple[str, str, str | None, str]]) -> pa.RecordBatch:
    """(doc_id, source, subset, text) rows as a DOCUMENT_SCHEMA batch; n_records 2 for reddit."""
    return pa.RecordBatch.from_pylist(
        [
            {
                "doc_id": d,
                "source": s,
                "subset": sub,
                "url": None,
                "text": t,
                "meta": None,
                "location": f"{d}:line 1",
                "n_records": 2 if s == "reddit" else 1,
            }
            for d, s, sub, t in rows
        ],
        schema=DOCUMENT_SCHEMA,
    )


MATH = "\n".join(f"Solve {i}*x + {i + 3} = {2 * i} for x.\n{i}" for i in range(1, 12))
ROWS = [
    ("pile#0", "pile", "Pile-CC", ENGLISH_PARAGRAPH),
    ("pile#1", "pile", "Pile-CC", CASES["Irish"][0]),
    ("pile#2", "pile", "DM Mathematics", MATH),
    ("pile#3", "pile", "Pile-CC", "Click here."),
    ("reddit#a", "reddit", "AskMen", ENGLISH_PARAGRAPH + "\n" + CASES["English with URLs"][0]),
    (
        "reddit#b",
        "reddit",
        "AskMen",
        "\n".join(["lol same", "lol same", "lol same", "lol same", ENGLISH_PARAGRAPH]),
    ),
    ("bookcorpus#0", "bookcorpus", None, CASES["mostly French, some English"][0]),
    ("bookcorpus#1", "bookcorpus", None, MATH),
    ("bookcorpus#2", "bookcorpus", None, ""),
]


def test_filter_documents_outcomes_and_counters():
    kept, dropped, counters = filter_documents(documents_batch(ROWS), FilterConfig(), SEED)
    assert kept.schema == DOCUMENT_SCHEMA
    assert kept.column("doc_id").to_pylist() == ["pile#0", "pile#2", "reddit#a"]
    assert dropped.schema == DROPPED_SCHEMA
    reasons = dict(
        zip(dropped.column("doc_id").to_pylist(), dropped.column("reason").to_pylist(), strict=True)
    )
    assert reasons == {
        "pile#1": "not_english",
        "pile#3": "too_short",
        "reddit#b": "repeated_lines",
        "bookcorpus#0": "not_english",
        "bookcorpus#1": "mostly_symbols",
        "bookcorpus#2": "too_short",
    }
    assert set(dropped.column("stage").to_pylist()) == {"filter"}
    row = dropped.to_pylist()[0]
    assert row["doc_id"] == "pile#1" and row["detail"] == "foreign:ga" and row["score"] == 0.0
    assert row["snippet"].startswith("Bhí an aimsir")
    assert counters[("pile", "in")] == 4 and counters[("pile", "kept")] == 2
    assert (
        counters[("reddit", "records_in")] == 4
        and counters[("reddit", "records_dropped_repeated_lines")] == 2
    )
    assert counters[("pile", "english_checked")] == 2  # DM Mathematics is exempt, "Click here." too short
    # The counters add up, per source, in documents and in records.
    for source in ("pile", "reddit", "bookcorpus"):
        dropped_docs = sum(v for (s, k), v in counters.items() if s == source and k.startswith("dropped_"))
        dropped_records = sum(
            v for (s, k), v in counters.items() if s == source and k.startswith("records_dropped_")
        )
        assert counters[(source, "in")] == counters[(source, "kept")] + dropped_docs
        assert counters[(source, "records_in")] == counters[(source, "records_kept")] + dropped_records


def test_filter_documents_does_not_depend_on_batching():
    batch = documents_batch(ROWS)
    whole = filter_documents(batch, FilterConfig(), SEED)
    pieces = [filter_documents(batch.slice(i, 2), FilterConfig(), SEED) for i in range(0, batch.num_rows, 2)]
    assert (
        sum((p[0].column("doc_id").to_pylist() for p in pieces), []) == whole[0].column("doc_id").to_pylist()
    )
    assert sum((p[1].to_pylist() for p in pieces), []) == whole[1].to_pylist()
    total = sum((p[2] for p in pieces), start=type(whole[2])())
    assert total == whole[2]


def test_filter_config_switches():
    batch = documents_batch(ROWS)
    no_english = FilterConfig(english=False)
    kept, dropped, counters = filter_documents(batch, no_english, SEED)
    assert "not_english" not in dropped.column("reason").to_pylist()
    assert counters[("pile", "english_checked")] == 0
    nothing_exempt = FilterConfig(exempt_subsets=())
    _, dropped, _ = filter_documents(batch, nothing_exempt, SEED)
    assert "pile#2" in dropped.column("doc_id").to_pylist()


def test_filter_config_from_recipe_is_validated():
    recipe = recipe_from_dict(
        {
            "name": "t",
            "sources": {"pile": {"paths": ["x"]}},
            "filter": {"min_words": 5, "exempt_subsets": ["DM Mathematics", "HackerNews"]},
        }
    )
    assert recipe.filter.min_words == 5 and recipe.filter.exempt_subsets == ("DM Mathematics", "HackerNews")
    with pytest.raises(RecipeError, match="min_english_share"):
        recipe_from_dict(
            {"name": "t", "sources": {"pile": {"paths": ["x"]}}, "filter": {"min_english_share": 2}}
        )
