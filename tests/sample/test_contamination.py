"""The sample corpus's planted contamination: the evaluation set loads as the decontaminate stage reads it,
the same seed gives the same set and plants, and every planted document - read back by the source readers
and normalised as the ingest stage does - is found at n = 13 while no other document is hit."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from corpus.cli import main as corpus_main
from corpus.config import FilterConfig, NormalizeConfig
from corpus.decontam import EvalSetSpec, NgramIndex, load_evalset, scan_batch
from corpus.decontam.normalize import normalize
from corpus.filters import document_verdict
from corpus.sample.contamination import EDITS, PLACEMENTS, SOURCES, edit_item, make_contamination
from corpus.sample.evalset import EVALSET_PATH, MATCH_N, MAX_COMMON_RUN, make_evalset, max_common_run
from corpus.sample.plan import parse_size
from corpus.schema import KIND_DOC, KIND_PART
from corpus.sources import READERS
from corpus.sources.base import FileContext
from corpus.sources.reddit import build_threads
from corpus.text.normalize import normalize_text

SEED = 7


def generate(out: Path, seed: int = SEED, size: str = "tiny") -> dict:
    assert corpus_main(["sample", "--out", str(out), "--seed", str(seed), "--size", size]) == 0
    return json.loads((out / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("contaminated")
    generate(out)
    return out


@pytest.fixture(scope="module")
def truth(sample) -> dict:
    return json.loads((sample / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def evalset(sample, truth):
    (name, entry), *others = truth["contamination"]["evalsets"].items()
    assert not others
    spec = EvalSetSpec(name, str(sample / entry["path"]), entry["format"], tuple(entry["fields"]))
    return load_evalset(spec)


@pytest.fixture(scope="module")
def documents(sample, truth) -> dict[str, tuple[str, str | None]]:
    """doc_id -> (text, subset) of every document, as the ingest stage makes it: the source readers, Reddit
    threads built from their parts, then the ingest normalisation."""
    rows, parts = [], defaultdict(list)
    for source, files in truth["files"].items():
        for file in files:
            with open(sample / file, "rb") as raw:
                for row in READERS[source](raw, FileContext(source, file.split("/", 1)[1])):
                    if row["kind"] == KIND_PART:
                        parts[row["group_key"]].append(row)
                    elif row["kind"] == KIND_DOC:
                        rows.append(row)
    rows += [row for thread in parts.values() for row in build_threads(thread) if row["kind"] == KIND_DOC]
    return {r["doc_id"]: (normalize_text(r["text"], NormalizeConfig())[0], r["subset"]) for r in rows}


# ------------------------------------------------------------------------------------------ the set


def test_evalset_loads_as_the_stage_reads_it(sample, truth, evalset):
    entry = truth["contamination"]["evalsets"]["sample_qa"]
    assert entry["path"] == EVALSET_PATH == "evalsets/sample_qa.jsonl"
    assert (entry["format"], entry["fields"], entry["n"]) == ("jsonl", ["question", "choices"], MATCH_N)
    assert len(evalset) == entry["items"] == 200
    assert evalset.manifest()["sha256"] == entry["sha256"]
    assert all(len(item) == 5 for item in evalset.items)  # the question and four options
    lengths = [len(normalize(" ".join(item)).split()) for item in evalset.items]
    short = sum(n < MATCH_N for n in lengths)
    assert short == entry["short_items"] and 20 <= short <= 60
    long_lengths = sorted(n for n in lengths if n >= MATCH_N)
    assert long_lengths[0] >= 30 and long_lengths[len(long_lengths) // 2] >= 50  # many 13-grams each
    lines = [json.loads(line) for line in (sample / EVALSET_PATH).read_text().splitlines()]
    assert [obj["id"] for obj in lines] == [f"sampleqa-{i:04d}" for i in range(200)]
    assert all(0 <= obj["answer"] < len(obj["choices"]) == 4 for obj in lines)
    assert (sample / EVALSET_PATH).read_bytes().isascii()


def test_items_cannot_match_generated_text_or_each_other(evalset):
    index = NgramIndex.build([evalset], n=MATCH_N)
    (info,) = index.sets
    assert info.short_items == sum(len(normalize(" ".join(i)).split()) < MATCH_N for i in evalset.items)
    # every window of MAX_COMMON_RUN + 1 words holds a quiz word, which no corpus lexicon has
    assert all(max_common_run(normalize(" ".join(i)).split()) <= MAX_COMMON_RUN for i in evalset.items)
    # each item, scanned as a document, matches itself alone
    result = scan_batch(["\n".join(item) for item in evalset.items], index)
    assert all(result.hits[i].items == (i,) for i in range(len(evalset)))


def test_same_seed_same_evalset_and_plants(sample, truth, tmp_path):
    again = generate(tmp_path / "again")
    assert (tmp_path / "again" / EVALSET_PATH).read_bytes() == (sample / EVALSET_PATH).read_bytes()
    assert again["contamination"] == truth["contamination"]
    other = generate(tmp_path / "other", seed=SEED + 1)
    assert (tmp_path / "other" / EVALSET_PATH).read_bytes() != (sample / EVALSET_PATH).read_bytes()
    assert other["contamination"]["plants"] != truth["contamination"]["plants"]
    assert make_evalset(SEED) == make_evalset(SEED)


def test_edits_are_undone_by_the_word_rule():
    item = "The copper plate rusts faster than the iron block. Which metal is brittle?\nzinc\nthe beaker"
    for edit in EDITS:
        edited = edit_item(item, edit)
        assert edited != item and normalize(edited) == normalize(item), edit
    with pytest.raises(ValueError):
        edit_item(item, "reversed")


def test_plants_scale_with_size_and_never_repeat_an_item():
    items = make_evalset(SEED)
    for size, count in (("tiny", 10), ("small", 18), ("1GB", 38)):
        plants = make_contamination(parse_size(size), SEED, items)
        assert len(plants) == count
        carried = [p.evalitem for p in plants]
        assert len({c["item"] for c in carried}) == count
        assert {p.source for p in plants} == set(SOURCES)
        assert {c["edit"] for c in carried} == set(EDITS)
        for source in SOURCES:
            assert {
                c["placement"] for p, c in zip(plants, carried, strict=True) if p.source == source
            } == set(PLACEMENTS)
        assert all(c["placement"] == "embedded" for c in carried if c["item_words"] < MATCH_N)
        assert sum(c["item_words"] < MATCH_N for c in carried) >= count // 4


# ------------------------------------------------------------------------------------------ the plants


def test_ground_truth_records_every_plant(truth):
    contamination = truth["contamination"]
    plants = contamination["plants"]
    assert len(plants) == 10
    assert Counter(p["source"] for p in plants) == {s: 2 for s in SOURCES}
    assert contamination["documents_by_source"] == {s: 2 for s in sorted(SOURCES)}
    assert {p["placement"] for p in plants} == set(PLACEMENTS) and {p["edit"] for p in plants} == set(EDITS)
    assert len({p["item"] for p in plants}) == len(plants) and {p["set"] for p in plants} == {"sample_qa"}
    assert sum(p["item_words"] < MATCH_N for p in plants) >= 2  # short items, matched whole
    for p in plants:  # planted where the filters and dedup keep the document
        entry = truth["documents"][p["doc_id"]]
        assert entry["source"] == p["source"] and entry["lang"] == "en"
        assert entry["exact_dup_of"] is None and entry["near_dup_of"] is None
        assert set(entry["traits"]) <= {"gzip"}
    planted = {p["doc_id"] for p in plants}
    assert contamination["clean"] == sorted(set(truth["documents"]) - planted)


def test_planted_documents_hold_their_item_and_pass_the_filters(truth, evalset, documents):
    for p in truth["contamination"]["plants"]:
        text, subset = documents[p["doc_id"]]
        item, words = normalize(" ".join(evalset.items[p["line"] - 1])), normalize(text)
        assert item in words and len(item.split()) == p["item_words"], p
        if p["placement"] == "embedded":  # in the middle of about 500 words of prose
            before, after = (len(part.split()) for part in words.split(item))
            assert before > 100 and after > 100, p
        elif p["source"] == "ccnews":  # the page's headline, then the item
            assert words.endswith(item) and len(words.split()) - p["item_words"] <= 12, p
        else:
            assert words == item, p
        assert document_verdict(text, subset, FilterConfig(), 1234)[0] is None, p


@pytest.mark.parametrize("n", [MATCH_N, MAX_COMMON_RUN + 1])
def test_every_plant_is_found_and_no_other_document_is_hit(truth, evalset, documents, n):
    index = NgramIndex.build([evalset], n=n)
    ids = sorted(documents)
    assert set(ids) == set(truth["documents"])  # every document the ground truth knows, read back
    result = scan_batch([documents[d][0] for d in ids], index)
    hit = {ids[i]: h for i, h in result.hits.items()}
    plants = {p["doc_id"]: p for p in truth["contamination"]["plants"]}
    recall = len(hit.keys() & plants.keys()) / len(plants)
    false_hits = sorted(hit.keys() - plants.keys())
    assert (recall, false_hits) == (1.0, [])
    assert not hit.keys() & set(truth["contamination"]["clean"])
    for doc_id, p in plants.items():
        h = hit[doc_id]
        found = [index.item_location(i) for i in h.items]
        if n == MATCH_N:  # items share no 13-gram: a plant matches its own item alone
            assert found == [f"sample_qa:line {p['line']}"], p
        else:  # shorter windows recur across items (never in generated text)
            assert f"sample_qa:line {p['line']}" in found, p
        # every window of the item survived the edit (a short item is one window, all of its words)
        assert h.ngrams == max(p["item_words"] - n + 1, 1), p


@pytest.mark.parametrize("extractor", ["trafilatura", "resiliparse"])
def test_news_pages_keep_the_item_with_either_extractor(extractor):
    from corpus.sources.html_extract import extract

    items = {item.id: item for item in make_evalset(SEED)}
    pages = [
        p for p in make_contamination(parse_size("1GB"), SEED, list(items.values())) if p.source == "ccnews"
    ]
    assert {p.evalitem["edit"] for p in pages} == set(EDITS)
    for page in pages:
        text = extract(page.text, page.options["url"], extractor).text
        item = normalize(" ".join(items[page.evalitem["item"]].segments))
        assert item in normalize(text), page.evalitem
