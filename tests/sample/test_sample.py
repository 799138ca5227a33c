"""The sample corpus generator: native formats open with the real libraries, the ground truth matches the
files, planted duplicates sit at their Jaccard levels, and the same seed gives the same bytes."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import zstandard
from fastwarc.warc import ArchiveIterator, WarcRecordType

from corpus.cli import main as corpus_main
from corpus.sample import books as books_writer
from corpus.sample import jaccard, text_jaccard, word_shingles
from corpus.sample.lexicons import LANGUAGES
from corpus.sample.neardup import near_duplicate
from corpus.sample.plan import parse_size
from corpus.sample.reddit import Comment, longest_chain, render
from corpus.sample.textgen import language

SEED = 7
BIG_WINDOW = 2**31


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    assert corpus_main(["sample", "--out", str(out), "--seed", str(SEED), "--size", "tiny"]) == 0
    return out


@pytest.fixture(scope="module")
def truth(sample) -> dict:
    return json.loads((sample / "ground_truth.json").read_text())


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def zstd_lines(path: Path) -> list[bytes]:
    """Lines of a (possibly truncated) big-window zstd file, decoded frame after frame."""
    data = path.read_bytes()
    out, dctx = [], zstandard.ZstdDecompressor(max_window_size=BIG_WINDOW)
    while data:
        dobj = dctx.decompressobj()
        out.append(dobj.decompress(data))
        if not dobj.eof:  # the stream ends inside a frame
            break
        data = dobj.unused_data
    return b"".join(out).split(b"\n")[:-1]


def planted_lines(truth: dict, file: str) -> set[int]:
    return {c["line"] for c in truth["corrupt"] + truth["empty"] if c["file"] == file and "line" in c}


# ----------------------------------------------------------------------------------------------- files


def test_layout_and_names(sample, truth):
    files = truth["files"]
    assert all(
        p.startswith("bookcorpus/books/b") and p.endswith((".txt", ".txt.gz")) for p in files["bookcorpus"]
    )
    assert any(p.endswith(".txt.gz") for p in files["bookcorpus"]) and any(
        p.endswith(".txt") for p in files["bookcorpus"]
    )
    assert files["ccstories"] == ["ccstories/stories-000.jsonl", "ccstories/stories-001.jsonl"]
    assert files["pile"] == ["pile/00.jsonl.zst", "pile/01.jsonl.zst", "pile/02.jsonl.zst"]
    assert files["ccnews"] == ["ccnews/news-000.warc.gz", "ccnews/news-001.warc.gz"]
    assert files["reddit"] == ["reddit/RC_2019-10.zst", "reddit/RC_2019-11.zst", "reddit/RS_2019-10.zst"]
    on_disk = sorted(str(p.relative_to(sample)) for p in sample.rglob("*") if p.is_file())
    assert on_disk == sorted(
        [p for paths in files.values() for p in paths] + ["ground_truth.json", "evalsets/sample_qa.jsonl"]
    )
    ids = list(truth["documents"])
    assert all(re.fullmatch(r"pile/0[0-2]\.jsonl\.zst#\d+", i) for i in ids if i.startswith("pile/"))
    assert all(re.fullmatch(r"reddit#t3_[0-9a-z]+", i) for i in ids if i.startswith("reddit"))
    assert all(
        i.startswith(("bookcorpus/books/", "ccstories/", "ccnews/", "pile/", "reddit#t3_")) for i in ids
    )
    assert all(i.endswith("#0") for i in ids if i.startswith("bookcorpus/"))
    assert all("#<urn:uuid:" in i for i in ids if i.startswith("ccnews/"))


def test_zstd_files_need_the_2gib_window(sample, truth):
    zst = [sample / p for p in truth["files"]["pile"] + truth["files"]["reddit"]]
    for path in zst:
        assert zstandard.get_frame_parameters(path.read_bytes()).window_size == BIG_WINDOW
        with pytest.raises(zstandard.ZstdError, match="too much memory"):
            zstandard.ZstdDecompressor().stream_reader(io.BytesIO(path.read_bytes())).read()
        assert zstd_lines(path), path


def test_truncated_pile_stream(sample, truth):
    (cut,) = [c for c in truth["corrupt"] if c["reason"] == "truncated_stream"]
    path = sample / cut["file"]
    data = path.read_bytes()
    dobj = zstandard.ZstdDecompressor(max_window_size=BIG_WINDOW).decompressobj()
    first = dobj.decompress(data)
    assert dobj.eof and dobj.unused_data  # a complete first frame, then more bytes ...
    second = zstandard.ZstdDecompressor(max_window_size=BIG_WINDOW).decompressobj()
    assert (
        second.decompress(dobj.unused_data) == b"" and not second.eof
    )  # ... that end mid-frame, yielding nothing
    assert len(first) == cut["decompressed_bytes"] and first.endswith(b"\n")
    assert first.count(b"\n") == cut["readable_lines"] == cut["line"] - 1
    assert cut["location"] == f"{path.name}@byte {len(data)}"
    # The stream reader most code uses does not notice the cut: it just stops (the readers must check).
    assert (
        zstandard.ZstdDecompressor(max_window_size=BIG_WINDOW)
        .stream_reader(io.BytesIO(data), read_across_frames=True)
        .read()
        == first
    )


def test_json_lines_parse_except_the_planted_ones(sample, truth):
    for file in truth["files"]["ccstories"] + truth["files"]["pile"] + truth["files"]["reddit"]:
        path = sample / file
        lines = zstd_lines(path) if file.endswith(".zst") else path.read_bytes().split(b"\n")
        if not file.endswith(".zst") and lines[-1] == b"":
            lines = lines[:-1]
        bad = planted_lines(truth, file)
        for number, line in enumerate(lines, start=1):
            if number in bad:
                continue
            obj = json.loads(line.decode("utf-8"))
            assert isinstance(obj, dict)
            if file.startswith("pile/"):
                assert isinstance(obj["text"], str) and isinstance(obj["meta"]["pile_set_name"], str)
                assert line.isascii()  # the Pile's writer escaped non-ASCII
            elif "/RC_" in file:
                assert {
                    "id",
                    "link_id",
                    "parent_id",
                    "body",
                    "author",
                    "subreddit",
                    "created_utc",
                    "score",
                } <= obj.keys()
                assert obj["link_id"].startswith("t3_") and obj["parent_id"][:3] in ("t1_", "t3_")
            elif "/RS_" in file:
                assert {"id", "title", "selftext", "author", "subreddit", "created_utc", "url"} <= obj.keys()
            else:
                assert isinstance(obj["text"], str) and obj["text"].strip()
    # each planted line is broken in exactly its planted way
    planted = [
        c for c in truth["corrupt"] + truth["empty"] if "line" in c and c["reason"] != "truncated_stream"
    ]
    assert len(planted) == 13  # CC-Stories 6, Pile 5, Reddit 2
    for entry in planted:
        path = sample / entry["file"]
        lines = zstd_lines(path) if path.name.endswith(".zst") else path.read_bytes().split(b"\n")
        line, how = lines[entry["line"] - 1], entry["planted"]
        if how == "blank_line":
            assert line == b""
        elif how == "invalid_utf8":
            with pytest.raises(UnicodeDecodeError):
                line.decode("utf-8")
        elif how in ("invalid_json", "truncated_last_line"):
            with pytest.raises(ValueError):
                json.loads(line.decode("utf-8"))
        else:
            obj = json.loads(line.decode("utf-8"))
            if how == "not_object":
                assert isinstance(obj, list)
            elif how == "lone_surrogate":
                with pytest.raises(UnicodeEncodeError):
                    obj["text"].encode("utf-8")
            elif how == "missing_text":
                assert "text" not in obj and "body" not in obj
            else:
                assert how == "empty_text" and obj["text"] == ""
    # the truncated last line really is the last line, without a newline
    (cut,) = [c for c in truth["corrupt"] if c["reason"] == "truncated_json"]
    assert not (sample / cut["file"]).read_bytes().endswith(b"\n")


def test_books_open_and_decode(sample, truth):
    for file in truth["files"]["bookcorpus"]:
        data = (sample / file).read_bytes()
        if file.endswith(".gz"):
            assert data[:2] == b"\x1f\x8b" and data[4:8] == b"\0\0\0\0"  # gzip, mtime 0: reproducible
            data = gzip.decompress(data)
        data.decode("utf-8")
    traits = Counter(
        t for d in truth["documents"].values() if d["source"] == "bookcorpus" for t in d["traits"]
    )
    assert traits["chapter_headings"] > 0 and traits["gzip"] > 0 and traits["bom"] > 0
    for edition in books_writer.GUTENBERG_EDITIONS:
        assert traits[f"gutenberg_{edition}"] > 0
    bom_books = [d.removesuffix("#0") for d, e in truth["documents"].items() if "bom" in e["traits"]]
    for file in bom_books:
        data = (sample / file).read_bytes()
        assert (gzip.decompress(data) if file.endswith(".gz") else data).startswith(b"\xef\xbb\xbf")
    assert len(truth["empty"]) >= 2 and any(e["planted"] == "empty_file" for e in truth["empty"])


def test_warc_records_parse_with_fastwarc(sample, truth):
    types, responses = Counter(), {}
    for file in truth["files"]["ccnews"]:
        with open(sample / file, "rb") as fh:
            for record in ArchiveIterator(fh, parse_http=True):
                types[record.headers["WARC-Type"]] += 1
                if record.record_type == WarcRecordType.response:
                    http = record.http_headers
                    responses[(file, record.record_id)] = (
                        (http.status_code, http.get("Content-Type")) if http else (None, None)
                    )
    expected = truth["expected"]["ccnews"]
    assert sum(types.values()) == expected["records"]
    assert types["warcinfo"] == expected["skips"]["warc_warcinfo"] == 2
    assert (
        types["request"] == expected["skips"]["warc_request"]
        and types["metadata"] == expected["skips"]["warc_metadata"]
    )
    assert types["revisit"] == expected["skips"].get("warc_revisit", 0)
    docs = [d for d in truth["documents"] if d.startswith("ccnews/")]
    for doc_id in docs:
        rel, record_id = doc_id.removeprefix("ccnews/").split("#", 1)
        assert responses[(f"ccnews/{rel}", record_id)] == (200, "text/html; charset=utf-8")
    broken = [c for c in truth["corrupt"] if c["reason"] == "warc_bad_http"]
    assert {c["planted"] for c in broken} == {"http_no_status", "http_bad_status"}
    for c in broken:
        assert responses[(c["file"], c["record_id"])][0] is None  # fastwarc cannot read a status either
    not_200 = sum(1 for status, _ in responses.values() if status not in (200, None))
    not_html = sum(1 for status, ctype in responses.values() if status == 200 and "html" not in (ctype or ""))
    assert not_200 == expected["skips"].get("http_not_200", 0) and not_html == expected["skips"].get(
        "not_html", 0
    )


def test_both_extractors_find_every_article_and_nothing_in_app_shells(sample, truth):
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text

    pages = {}
    for file in truth["files"]["ccnews"]:
        with open(sample / file, "rb") as fh:
            for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
                pages[f"{file}#{record.record_id}"] = record.reader.read().decode("utf-8", "replace")
    docs = [d for d in truth["documents"] if d.startswith("ccnews/")]
    assert len(docs) >= 20
    for doc_id in docs:
        html = pages[doc_id]
        assert len(extract_plain_text(html, main_content=True)) > 200, doc_id
        text = trafilatura.extract(html) or ""
        assert len(text) > 200 and "\u00a9" not in text, doc_id  # the article, without the "(c) site" footer
    shells = [e for e in truth["empty"] if e["reason"] == "empty_extraction"]
    assert len(shells) == 2
    offsets = {}
    for file in truth["files"]["ccnews"]:
        with open(sample / file, "rb") as fh:
            for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
                offsets[f"{file}@byte {record.stream_pos}"] = record.reader.read().decode("utf-8", "replace")
    for shell in shells:
        html = offsets[f"{shell['source']}/{shell['location']}"]
        assert extract_plain_text(html, main_content=True).strip() == ""
        assert not (trafilatura.extract(html) or "").strip()


# ---------------------------------------------------------------------------------------- ground truth


def test_ground_truth_counts_are_self_consistent(truth):
    docs_by_source = Counter(d["source"] for d in truth["documents"].values())
    corrupt_by_source = Counter(c["source"] for c in truth["corrupt"])
    for source, e in truth["expected"].items():
        assert e["records"] == e["document_records"] + sum(e["rejects"].values()) + sum(
            e["skips"].values()
        ), source
        assert e["documents"] == docs_by_source[source], source
        assert sum(e["rejects"].values()) == corrupt_by_source[source], source
        assert e["document_records"] == sum(
            d["n_records"] for d in truth["documents"].values() if d["source"] == source
        )
        if source != "reddit":
            assert e["document_records"] == e["documents"]
    # one of each planted trap, by reason
    reasons = Counter(c["reason"] for c in truth["corrupt"])
    assert reasons == {
        "invalid_json": 3,  # a cut CC-Stories line, a JSON array in the Pile, a cut Reddit comment
        "invalid_utf8": 3,  # Latin-1 bytes (CC-Stories, Pile) and a lone surrogate escape (Pile)
        "missing_text": 3,
        "truncated_json": 1,
        "truncated_stream": 1,
        "warc_bad_http": 2,
    }
    skips = {s: e["skips"] for s, e in truth["expected"].items()}
    assert skips["pile"]["pile_subset_excluded"] > 0 and skips["pile"]["empty_document"] == 1
    assert skips["ccstories"]["empty_document"] == 2 and skips["bookcorpus"]["empty_document"] == 2
    assert {"reddit_off_chain", "reddit_no_comments", "reddit_empty_thread"} <= skips["reddit"].keys()
    assert all(c["location"] and c["file"] and c["reason"] for c in truth["corrupt"])


def test_normalization_traps_are_present(sample, truth):
    import ftfy

    texts = read_texts(sample, truth)
    by_trait = defaultdict(list)
    for doc_id, entry in truth["documents"].items():
        for trait in entry["traits"]:
            by_trait[trait].append(doc_id)
    for source in ("ccstories", "pile"):
        assert any(d.startswith(source) for d in by_trait["mojibake"]), source
    for doc_id in by_trait["mojibake"]:
        assert ftfy.fix_text(texts[doc_id]) != texts[doc_id]  # there is something for ftfy to repair
    assert any("\r\n" in texts[d] or "  \n" in texts[d] for d in by_trait["messy_whitespace"])
    assert any("&gt;" in texts[d] or "&amp;" in texts[d] for d in by_trait["html_entities"])
    # planted duplicates carry none of this damage: normalization must leave their Jaccard as measured
    planted = {p["doc_id"] for p in truth["planted"]} | {p["of"] for p in truth["planted"]}
    damaged = {
        d for d, e in truth["documents"].items() if set(e["traits"]) - {"gzip"} and e["source"] != "reddit"
    }
    assert not planted & damaged


def test_languages(truth):
    langs = Counter(d["lang"] for d in truth["documents"].values())
    assert set(langs) <= set(LANGUAGES)
    assert len(set(langs) - {"en"}) >= 8
    assert 0.6 <= langs["en"] / sum(langs.values()) <= 0.8
    assert {"ga", "la", "zh", "ja", "ru", "ar", "hi", "el"} & set(langs)


def test_generated_text_is_recognized_as_its_language():
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    rng = np.random.default_rng(0)
    expected = {"zh": "zh-cn"}
    for code in LANGUAGES:
        if code in ("ga", "la"):  # not in langdetect: the hard cases of an English filter
            continue
        texts = language(code).documents(rng, [8] * 10)
        hits = sum(detect(t) == expected.get(code, code) for t in texts)
        assert hits >= 9, (code, hits)


def read_texts(sample: Path, truth: dict) -> dict[str, str]:
    """Every document's text, read back from the files here (Reddit threads rendered with the rule)."""
    texts = {}
    for file in truth["files"]["ccstories"] + truth["files"]["pile"]:
        path = sample / file
        lines = zstd_lines(path) if file.endswith(".zst") else path.read_bytes().split(b"\n")
        rel = file.split("/", 1)[1]
        for i, line in enumerate(lines):
            doc_id = f"{file.split('/')[0]}/{rel}#{i}"
            if doc_id in truth["documents"]:
                texts[doc_id] = json.loads(line)["text"]
    for file in truth["files"]["bookcorpus"]:
        data = (sample / file).read_bytes()
        text = (gzip.decompress(data) if file.endswith(".gz") else data).decode().removeprefix("\ufeff")
        if text.strip():
            texts[f"{file}#0"] = text
    comments, submissions = defaultdict(list), {}
    for file in truth["files"]["reddit"]:
        for number, line in enumerate(zstd_lines(sample / file), start=1):
            if number in planted_lines(truth, file):
                continue
            obj = json.loads(line)
            if "/RC_" in file:
                comments[obj["link_id"]].append(
                    Comment(obj["id"], obj["parent_id"], obj["body"], obj["author"], obj["created_utc"])
                )
            else:
                submissions["t3_" + obj["id"]] = obj
    for link, thread in comments.items():
        text = render(submissions.get(link), longest_chain(thread))
        if text:
            texts[f"reddit#{link}"] = text
    return texts


def test_documents_and_duplicates_match_the_files(sample, truth):
    texts = read_texts(sample, truth)
    known = {d for d in truth["documents"] if not d.startswith("ccnews/")}
    assert set(texts) == known
    by_text = defaultdict(list)
    for doc_id, text in texts.items():
        assert text.strip(), doc_id
        by_text[text].append(doc_id)
    for doc_id, entry in truth["documents"].items():
        if entry["exact_dup_of"] and doc_id in texts:
            assert texts[doc_id] == texts[entry["exact_dup_of"]] and entry["jaccard"] == 1.0
    for ids in by_text.values():  # every group of identical texts is marked, pointing at one document
        if len(ids) > 1:
            anchors = {truth["documents"][i]["exact_dup_of"] or i for i in ids}
            assert len(anchors) == 1, ids


def test_planted_near_duplicates_are_at_their_levels(sample, truth):
    texts = read_texts(sample, truth)
    near = [p for p in truth["planted"] if p["kind"] == "near"]
    levels = defaultdict(set)
    for p in near:
        measured = text_jaccard(texts[p["doc_id"]], texts[p["of"]])
        assert measured == pytest.approx(p["jaccard"], abs=1e-6)  # recorded = measured on the files
        assert abs(measured - p["level"]) <= 0.02, p
        a, b = truth["documents"][p["of"]]["source"], truth["documents"][p["doc_id"]]["source"]
        levels[p["level"]].add("within" if a == b else "across")
        assert truth["documents"][p["doc_id"]]["near_dup_of"] == p["of"]
    for level in (0.99, 0.95, 0.9, 0.8, 0.5):
        assert levels[level] == {"within", "across"}, level
    exact = [p for p in truth["planted"] if p["kind"] == "exact"]
    sources = {
        (truth["documents"][p["of"]]["source"], truth["documents"][p["doc_id"]]["source"]) for p in exact
    }
    assert (
        ("pile", "pile") in sources and ("ccstories", "pile") in sources and ("ccnews", "ccnews") in sources
    )
    assert ("reddit", "reddit") in sources and ("bookcorpus", "bookcorpus") in sources


def test_planted_news_copies_are_the_same_page_at_another_url(sample, truth):
    pages = {}
    for file in truth["files"]["ccnews"]:
        with open(sample / file, "rb") as fh:
            for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
                pages[f"{file}#{record.record_id}"] = (
                    record.headers["WARC-Target-URI"],
                    record.reader.read(),
                )
    (pair,) = [p for p in truth["planted"] if p["doc_id"].startswith("ccnews/")]
    (url_a, page_a), (url_b, page_b) = pages[pair["of"]], pages[pair["doc_id"]]
    assert page_a == page_b and url_a != url_b and url_b.startswith(url_a)


# ----------------------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_whatever_the_workers(sample, tmp_path):
    assert (
        corpus_main(
            [
                "sample",
                "--out",
                str(tmp_path / "again"),
                "--seed",
                str(SEED),
                "--size",
                "tiny",
                "--workers",
                "2",
            ]
        )
        == 0
    )
    assert file_digests(tmp_path / "again") == file_digests(sample)
    assert (
        corpus_main(["sample", "--out", str(tmp_path / "other"), "--seed", str(SEED + 1), "--size", "tiny"])
        == 0
    )
    other = file_digests(tmp_path / "other")
    assert other.keys() != file_digests(sample).keys() or other != file_digests(sample)


def test_rerun_replaces_the_previous_corpus(tmp_path):
    (tmp_path / "pile").mkdir()
    (tmp_path / "pile" / "stale.jsonl.zst").write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not ours")
    assert corpus_main(["sample", "--out", str(tmp_path), "--seed", "1", "--size", "tiny"]) == 0
    assert not (tmp_path / "pile" / "stale.jsonl.zst").exists()
    assert (tmp_path / "keep.txt").read_text() == "not ours"


# ------------------------------------------------------------------------------------------- the parts


def test_sizes():
    assert parse_size("tiny").target_bytes == 1_500_000 and not parse_size("tiny").huge_doc
    assert parse_size("small").huge_doc
    assert parse_size("100MB").target_bytes == 100_000_000
    assert parse_size("1GB").target_bytes == 10**9 and parse_size("1GB").plant_sets == 5
    assert parse_size("2.5GiB").target_bytes == int(2.5 * 2**30) and parse_size("1g").target_bytes == 10**9
    for bad in ("huge", "12XB", "10KB", "-1MB"):
        with pytest.raises(ValueError):
            parse_size(bad)
    with pytest.raises(SystemExit):
        corpus_main(["sample", "--out", "/nonexistent", "--size", "lots"])
    assert "huge_book" in books_writer.plan(parse_size("small"), 1)[0].corruptions
    assert "huge_book" not in books_writer.plan(parse_size("tiny"), 1)[0].corruptions
    budgets = [t.budget for t in books_writer.plan(parse_size("1GB"), 1)]
    assert len(budgets) > 10 and sum(budgets) == parse_size("1GB").budget("bookcorpus")


def test_word_shingles_rule():
    assert word_shingles("The cat sat on the mat.") == {"the cat sat on the", "cat sat on the mat"}
    assert word_shingles("Two words") == {"two words"}
    assert word_shingles("... !!!") == set()
    assert word_shingles("Größe  STRASSE\n\nüber alles hier") == {"größe strasse über alles hier"}
    assert word_shingles("東京 は 大きい 町 です 。") == {"東京 は 大きい 町 です"}
    assert (
        jaccard(set(), set()) == 0.0 and jaccard({"a"}, {"a"}) == 1.0 and jaccard({1, 2, 3}, {2, 3, 4}) == 0.5
    )


def test_word_shingles_agree_with_the_dedup_rule():
    from corpus.dedup import minhash

    rng = np.random.default_rng(3)
    for code in ("en", "de", "ru", "zh", "ar"):
        for text in language(code).documents(rng, [1, 3, 12]):
            assert minhash.shingle_set(text, 5) == word_shingles(text, 5)


def test_near_duplicate_hits_each_level_and_keeps_paragraphs():
    rng = np.random.default_rng(11)
    en = language("en")
    text = en.text(rng, en.sentence_count(7_500))
    for level in (0.99, 0.95, 0.9, 0.8, 0.5):
        copy, measured = near_duplicate(text, level, rng, en.content_words)
        assert measured == text_jaccard(text, copy)
        assert abs(measured - level) <= 0.01
        assert copy.count("\n\n") == text.count("\n\n")
    with pytest.raises(ValueError):
        near_duplicate(text, 1.0, rng, en.content_words)


def c(cid: str, parent: str, body: str = "text", author: str = "someone") -> Comment:
    return Comment(cid, parent, body, author, 0)


def ids(chain: list[Comment]) -> list[str]:
    return [x.id for x in chain]


def test_longest_chain_prefers_length_then_characters_then_ids():
    tree = [c("a", "t3_x"), c("b", "t1_a"), c("c", "t1_b"), c("d", "t3_x"), c("e", "t1_d")]
    assert ids(longest_chain(tree)) == ["a", "b", "c"]
    # equal length: more rendered characters wins
    tie = [
        c("a", "t3_x", "short"),
        c("b", "t1_a", "short"),
        c("d", "t3_x", "much longer"),
        c("e", "t1_d", "body"),
    ]
    assert ids(longest_chain(tie)) == ["d", "e"]
    # equal length and characters: the smallest id sequence
    same = [c("d", "t3_x"), c("e", "t1_d"), c("a", "t3_x"), c("f", "t1_a"), c("b", "t1_a")]
    assert ids(longest_chain(same)) == ["a", "b"]


def test_longest_chain_with_deleted_bots_and_orphans():
    # a deleted comment still links its replies and counts for length, but its text does not
    tree = [
        c("a", "t3_x", "[deleted]", "[deleted]"),
        c("b", "t1_a", "reply"),
        c("z", "t3_x", "a long lonely top-level comment"),
    ]
    chain = longest_chain(tree)
    assert ids(chain) == ["a", "b"] and render(None, chain) == "reply"
    # characters of unrendered comments do not break ties
    tie = [c("a", "t3_x", "[removed]"), c("b", "t3_x", "hello", "AutoModerator"), c("c", "t3_x", "hi")]
    assert ids(longest_chain(tie)) == ["c"]
    # a parent missing from the input: the comment is top level
    orphans = [c("q", "t1_gone", "orphan one"), c("r", "t1_q", "its reply"), c("s", "t3_x", "top")]
    assert ids(longest_chain(orphans)) == ["q", "r"]
    # nothing renders: an empty thread
    assert (
        render({"title": "T", "selftext": "", "author": "op"}, longest_chain([c("a", "t3_x", "[deleted]")]))
        == ""
    )
    sub = {"title": "Title", "selftext": "[removed]", "author": "op"}
    assert (
        render(sub, [c("a", "t3_x", "one"), c("b", "t1_a", "[deleted]"), c("d", "t1_b", "two")])
        == "Title\n\none\n\ntwo"
    )
    sub = {"title": "Title", "selftext": "Body text", "author": "op"}
    assert render(sub, [c("a", "t3_x", "one")]) == "Title\n\nBody text\n\none"
