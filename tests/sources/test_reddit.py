"""Pushshift Reddit: the dump reader's part rows, and the longest-chain thread builder on hand-built trees
(ties, deleted parents, orphans, bots, a 10,000-deep chain) and on the real RC_2005-12 dump."""

from __future__ import annotations

import bz2
import io
import json
import lzma
import random

import pyarrow as pa
import pytest
import zstandard

from corpus.schema import INGEST_ROW_SCHEMA
from corpus.sources import reddit
from corpus.sources.base import FileContext
from tests.conftest import shared_file


def read_parts(stream, rel_path: str):
    ctx = FileContext("reddit", rel_path)
    rows = list(reddit.read(stream, ctx))
    assert ctx.records_read == sum(r["n_records"] for r in rows)
    pa.Table.from_pylist(rows, schema=INGEST_ROW_SCHEMA)
    return rows


def c(
    cid: str, parent: str, body: str = "", author: str = "user", link: str = "t3_L", created: int = 0
) -> dict:
    """A Pushshift comment; ``parent`` "" means top level. The default body is the id repeated, so
    bodies of different ids differ and have known lengths."""
    return {
        "id": cid,
        "parent_id": f"t1_{parent}" if parent else link,
        "link_id": link,
        "body": body or f"body {cid}",
        "author": author,
        "subreddit": "test",
        "created_utc": created,
    }


def submission(sid: str = "L", title: str = "Title", selftext: str = "", author: str = "op") -> dict:
    return {
        "id": sid,
        "title": title,
        "selftext": selftext,
        "author": author,
        "subreddit": "test",
        "created_utc": 7,
        "permalink": f"/r/test/comments/{sid}/title/",
    }


def parts_of(records: list[dict]) -> list[dict]:
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    rows = read_parts(io.BytesIO(data), "RC_test.jsonl")
    assert all(r["kind"] == "part" for r in rows)
    return rows


def thread(records: list[dict], bots=("AutoModerator",)) -> list[dict]:
    """Rows out of build_threads for one thread's records, with the accounting checked."""
    rows = parts_of(records)
    out = list(reddit.build_threads(rows, bots))
    assert sum(r["n_records"] for r in out) == len(rows)
    pa.Table.from_pylist(out, schema=INGEST_ROW_SCHEMA)
    return out


def chain_of(out: list[dict]) -> list[str]:
    doc = next(r for r in out if r["kind"] == "doc")
    return json.loads(doc["meta"])["chain_ids"]


# ----------------------------------------------------------------------------------------- reader


def test_reader_turns_comments_and_submissions_into_part_rows():
    records = [c("a", "", body="hello", link="t3_x"), submission("x"), {"id": "s2", "title": "T"}]
    rows = parts_of(records)
    assert [(r["group_key"], r["location"], r["subset"], r["n_records"]) for r in rows] == [
        ("t3_x", "RC_test.jsonl:line 1", "test", 1),
        ("t3_x", "RC_test.jsonl:line 2", "test", 1),
        ("t3_s2", "RC_test.jsonl:line 3", None, 1),
    ]
    assert json.loads(rows[0]["meta"]) == {
        "kind": "comment",
        "id": "a",
        "parent_id": "t3_x",
        "body": "hello",
        "author": "user",
        "created_utc": 0,
        "subreddit": "test",
    }
    assert json.loads(rows[1]["meta"])["kind"] == "submission"


def test_reader_rejects_records_that_cannot_join_a_thread():
    records = [
        {"id": "a", "link_id": "t3_x", "parent_id": "t3_x"},  # comment without body
        {"id": "b", "parent_id": "t3_x", "body": "no link"},  # comment without link_id
        {"title": "no id"},  # submission without id
        {"score": 3},  # neither
    ]
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records) + b"{oops\n"
    rows = read_parts(io.BytesIO(data), "RC_x.jsonl")
    assert [(r["kind"], r["reason"]) for r in rows] == [
        ("reject", "missing_text"),
        ("reject", "missing_id"),
        ("reject", "missing_id"),
        ("reject", "missing_text"),
        ("reject", "invalid_json"),
    ]


@pytest.mark.parametrize(
    "name,pack",
    [
        ("RC_x.zst", lambda d: zstandard.ZstdCompressor().compress(d)),
        ("RC_x.bz2", bz2.compress),
        ("RC_x.xz", lzma.compress),
        ("RC_x.json", lambda d: d),
    ],
)
def test_reader_accepts_the_dump_compressions(name, pack):
    data = b"".join(json.dumps(c(str(i), "")).encode() + b"\n" for i in range(10))
    assert len(read_parts(io.BytesIO(pack(data)), name)) == 10


# ---------------------------------------------------------------------------------- longest chain


def test_longest_chain_wins_and_the_rest_is_off_chain():
    #   a - b - c        (3)
    #   a - d            (2)
    #   e                (1)
    out = thread([c("a", ""), c("b", "a"), c("c", "b"), c("d", "a"), c("e", "")])
    assert chain_of(out) == ["a", "b", "c"]
    assert [(r["kind"], r["reason"], r["n_records"]) for r in out] == [
        ("doc", None, 3),
        ("skip", "reddit_off_chain", 2),
    ]
    doc = out[0]
    assert doc["text"] == "body a\n\nbody b\n\nbody c"
    assert doc["doc_id"] == "reddit#t3_L" and doc["subset"] == "test"
    assert doc["url"] == "https://www.reddit.com/r/test/comments/L/"
    assert doc["location"] == "RC_test.jsonl:line 1"
    assert json.loads(doc["meta"]) == {
        "link_id": "t3_L",
        "chain_ids": ["a", "b", "c"],
        "created_utc": 0,
        "n_comments": 5,
        "orphans": 0,
    }


def test_equal_length_goes_to_more_rendered_characters():
    out = thread(
        [
            c("a", "", body="short"),
            c("b", "", body="a much longer body"),
            c("a2", "a", body="x"),
            c("b2", "b", body="x"),
        ]
    )
    assert chain_of(out) == ["b", "b2"]


def test_equal_length_and_characters_go_to_the_smallest_ids():
    # Two roots with equal chains: the smaller root id wins, then the smaller child id at the next level.
    out = thread(
        [
            c("q", "", body="xx"),
            c("p", "", body="xx"),
            c("p2", "p", body="yy"),
            c("p1", "p", body="yy"),
            c("q1", "q", body="yy"),
        ]
    )
    assert chain_of(out) == ["p", "p1"]


def test_the_tie_break_looks_past_the_first_difference_in_depth():
    # Under root r: child x leads to a deeper chain than child a, even though "a" < "x".
    out = thread([c("r", ""), c("a", "r"), c("x", "r"), c("x1", "x")])
    assert chain_of(out) == ["r", "x", "x1"]


def test_deleted_parents_stay_in_the_tree_but_are_not_rendered():
    out = thread(
        [
            c("a", "", body="top"),
            c("b", "a", body="[deleted]"),
            c("d", "b", body="[removed]"),
            c("e", "d", body="reply"),
            c("f", "", body="x" * 500),
        ]
    )
    assert chain_of(out) == ["a", "b", "d", "e"]  # length counts deleted comments
    assert out[0]["text"] == "top\n\nreply"
    assert out[0]["n_records"] == 4


def test_deleted_bodies_and_bots_do_not_count_as_characters():
    # Same length; the "[deleted]" chain would win on raw characters, the rendered one wins on rendered ones.
    out = thread(
        [c("a", "", body="[deleted]"), c("b", "", body="hi", author="AutoModerator"), c("z", "", body="ok")]
    )
    assert chain_of(out) == ["z"]
    out = thread([c("a", "", body="[deleted]"), c("b", "", body="bot text", author="AutoModerator")])
    assert [(r["kind"], r["reason"], r["n_records"]) for r in out] == [("skip", "reddit_empty_thread", 2)]


def test_bot_comments_are_skipped_in_the_text_but_link_their_replies():
    out = thread(
        [
            c("a", "", body="question"),
            c("b", "a", body="I am a bot", author="AutoModerator"),
            c("d", "b", body="answer"),
        ]
    )
    assert chain_of(out) == ["a", "b", "d"]
    assert out[0]["text"] == "question\n\nanswer"
    custom = thread([c("a", "", body="question"), c("b", "a", body="beep", author="robot")], bots=("robot",))
    assert custom[0]["text"] == "question"


def test_orphans_are_top_level_and_counted():
    out = thread([c("a", ""), c("b", "gone"), c("d", "b"), c("e", "gone2")])
    assert chain_of(out) == ["b", "d"]
    assert json.loads(out[0]["meta"])["orphans"] == 2


def test_a_chain_of_only_deleted_comments_is_an_empty_thread():
    out = thread(
        [
            submission(title="A title"),
            c("a", "", body="[deleted]"),
            c("b", "a", body="  [removed] "),
            c("d", "", body=""),
        ]
    )
    assert [(r["kind"], r["reason"], r["n_records"], r["location"]) for r in out] == [
        ("skip", "reddit_empty_thread", 4, "RC_test.jsonl:line 1")
    ]


def test_a_submission_without_comments_is_skipped():
    out = thread([submission()])
    assert [(r["kind"], r["reason"], r["n_records"], r["subset"]) for r in out] == [
        ("skip", "reddit_no_comments", 1, "test")
    ]


def test_submission_title_and_selftext_come_first():
    out = thread(
        [c("a", "", body="first"), submission(title="Why?", selftext="Because."), c("b", "a", body="second")]
    )
    doc = out[0]
    assert doc["text"] == "Why?\n\nBecause.\n\nfirst\n\nsecond"
    assert doc["n_records"] == 3 and len(out) == 1
    assert doc["url"] == "https://www.reddit.com/r/test/comments/L/title/"
    assert doc["location"] == "RC_test.jsonl:line 2"  # the submission's
    assert json.loads(doc["meta"])["created_utc"] == 7
    removed = thread([submission(title="Why?", selftext="[removed]"), c("a", "", body="first")])
    assert removed[0]["text"] == "Why?\n\nfirst"
    by_bot = thread(
        [
            submission(title="Weekly thread", selftext="Rules...", author="AutoModerator"),
            c("a", "", body="first"),
        ]
    )
    assert by_bot[0]["text"] == "first"


def test_duplicate_records_are_kept_once():
    out = thread([c("a", ""), c("a", ""), submission(), submission(), c("b", "a")])
    assert chain_of(out) == ["a", "b"]
    assert [(r["kind"], r["n_records"]) for r in out] == [("doc", 3), ("skip", 2)]


def test_a_10000_deep_chain_does_not_recurse():
    records = [c("n0", "")] + [c(f"n{i}", f"n{i - 1}") for i in range(1, 10_000)] + [c("side", "n5000")]
    out = thread(records)
    chain = chain_of(out)
    assert len(chain) == 10_000 and chain[0] == "n0" and chain[-1] == "n9999"
    assert [(r["kind"], r["n_records"]) for r in out] == [("doc", 10_000), ("skip", 1)]


def test_the_result_does_not_depend_on_row_order():
    records = [c("a", ""), c("b", "a"), c("d", "a"), c("e", ""), c("f", "e"), submission(), c("g", "zz")]
    rows = parts_of(records)
    expected = list(reddit.build_threads(rows))
    for seed in range(5):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        assert list(reddit.build_threads(shuffled)) == expected


def test_group_threads_splits_by_link_id():
    rows = parts_of([c("a", "", link="t3_one"), c("b", "", link="t3_two"), submission("three")])
    out = list(reddit.group_threads(rows))
    assert [(r["kind"], r["reason"], r["doc_id"]) for r in out] == [
        ("doc", None, "reddit#t3_one"),
        ("skip", "reddit_no_comments", None),
        ("doc", None, "reddit#t3_two"),
    ]


# -------------------------------------------------------------------------------------- real dumps


def reference_chain(comments: list[dict]) -> list[str]:
    """Every root-to-leaf path enumerated, the best one picked by the documented order (slow, obvious)."""
    by_id = {x["id"]: x for x in comments}

    def rendered(x):
        return (
            0
            if x["body"].strip() in ("", "[deleted]", "[removed]") or x["author"] == "AutoModerator"
            else len(x["body"])
        )

    def parent(x):
        p = x["parent_id"]
        return p[3:] if p.startswith("t1_") and p[3:] in by_id else None  # a self-parent is a cycle

    kids = {x["id"]: [] for x in comments}
    for x in comments:
        if parent(x):
            kids[parent(x)].append(x["id"])
    paths, todo = [], [[x["id"]] for x in comments if parent(x) is None]
    while todo:
        path = todo.pop()
        if kids[path[-1]]:
            todo.extend(path + [k] for k in kids[path[-1]])
        else:
            paths.append(path)
    return min(paths, key=lambda p: (-len(p), -sum(rendered(by_id[i]) for i in p), p))


def test_real_comment_dump_rc_2005_12():
    path = shared_file("reddit", "RC_2005-12.zst")
    with path.open("rb") as stream:
        rows = read_parts(stream, "RC_2005-12.zst")
    assert len(rows) == 1075 and all(r["kind"] == "part" for r in rows)
    comments = [json.loads(r["meta"]) for r in rows]
    by_link: dict[str, list[dict]] = {}
    for row, comment in zip(rows, comments, strict=True):
        by_link.setdefault(row["group_key"], []).append(comment)
    assert len(by_link) == 396

    out = list(reddit.group_threads(rows))
    assert sum(r["n_records"] for r in out) == 1075
    docs = [r for r in out if r["kind"] == "doc"]
    counts = {}
    for r in out:
        counts[(r["kind"], r["reason"])] = counts.get((r["kind"], r["reason"]), 0) + r["n_records"]
    assert len(docs) == 373
    assert counts == {
        ("doc", None): 534,
        ("skip", "reddit_off_chain"): 511,
        ("skip", "reddit_empty_thread"): 30,
    }
    assert sum(1 for r in out if r["reason"] == "reddit_empty_thread") == 23
    for doc in docs:
        meta = json.loads(doc["meta"])
        thread_comments = by_link[meta["link_id"]]
        assert meta["chain_ids"] == reference_chain(thread_comments), meta["link_id"]
        ids = {x["id"] for x in thread_comments}
        orphans = sum(
            1 for x in thread_comments if x["parent_id"].startswith("t1_") and x["parent_id"][3:] not in ids
        )
        assert meta["orphans"] == orphans and meta["n_comments"] == len(thread_comments)
        assert doc["subset"] == "reddit.com" and doc["n_records"] == len(meta["chain_ids"])
    assert (
        sum(json.loads(d["meta"])["orphans"] for d in docs) == 14
    )  # of the dump's 15 (one is in an empty thread)


def test_real_submission_dump_alone_has_no_comments():
    path = shared_file("reddit", "AskMen_submissions.zst")
    with path.open("rb") as stream:
        rows = read_parts(stream, "AskMen_submissions.zst")
    assert len(rows) == 13_050 and {r["kind"] for r in rows} == {"part"}
    out = list(reddit.group_threads(rows))
    assert len(out) == 13_050
    assert {(r["kind"], r["reason"], r["n_records"], r["subset"]) for r in out} == {
        ("skip", "reddit_no_comments", 1, "AskMen")
    }


# ---------------------------------------------------------------------------------- parent cycles


def kinds(out: list[dict]) -> list[tuple]:
    return [(r["kind"], r["reason"], r["n_records"]) for r in out]


def test_a_thread_that_is_only_a_parent_cycle_is_a_counted_skip():
    # a <-> b: no comment is top level, so there is no chain at all (this used to abort the build).
    out = thread([c("a", "b"), c("b", "a")])
    assert kinds(out) == [("skip", "reddit_parent_cycle", 2)]
    with_submission = thread([submission(), c("a", "b"), c("b", "a"), c("d", "a")])
    assert kinds(with_submission) == [("skip", "reddit_no_comments", 1), ("skip", "reddit_parent_cycle", 3)]
    assert with_submission[0]["location"] == "RC_test.jsonl:line 1"


def test_a_cycle_beside_a_valid_tree_is_skipped_and_the_tree_kept():
    #   r - r1            (a valid tree: the document)
    #   a <-> b, d -> a   (a cycle and a reply hanging off it: unreachable from any top-level comment)
    out = thread([c("r", ""), c("r1", "r"), c("a", "b"), c("b", "a"), c("d", "a"), c("e", "r")])
    assert chain_of(out) == ["r", "r1"]
    assert out[0]["text"] == "body r\n\nbody r1"
    assert kinds(out) == [
        ("doc", None, 2),
        ("skip", "reddit_off_chain", 1),
        ("skip", "reddit_parent_cycle", 3),
    ]
    assert json.loads(out[0]["meta"])["orphans"] == 0


def test_a_self_parent_is_a_cycle_of_one():
    assert kinds(thread([c("s", "s")])) == [("skip", "reddit_parent_cycle", 1)]
    out = thread([c("r", ""), c("s", "s"), c("t", "s")])
    assert chain_of(out) == ["r"]
    assert kinds(out) == [("doc", None, 1), ("skip", "reddit_parent_cycle", 2)]
    assert json.loads(out[0]["meta"])["orphans"] == 0


def test_copies_of_a_cycle_comment_are_counted_with_the_cycle():
    out = thread([c("r", ""), c("a", "b"), c("b", "a"), c("a", "b"), c("r", "")])
    assert kinds(out) == [
        ("doc", None, 1),
        ("skip", "reddit_off_chain", 1),
        ("skip", "reddit_parent_cycle", 3),
    ]


def test_an_empty_chain_next_to_a_cycle():
    out = thread([c("a", "", body="[deleted]"), c("x", "y"), c("y", "x")])
    assert kinds(out) == [("skip", "reddit_empty_thread", 1), ("skip", "reddit_parent_cycle", 2)]


def test_cycles_balance_through_the_ingest_grouping_step():
    """The Spark step's own function (``make_build_threads``) on sorted part rows: records in == out."""
    from corpus.config import IngestConfig, NormalizeConfig
    from corpus.stages.ingest import make_build_threads

    records = [
        c("a", "b", link="t3_cyc"),
        c("b", "a", link="t3_cyc"),
        c("r", "", link="t3_ok"),
        c("x", "x", link="t3_ok"),
        submission("sub"),
        c("p", "q", link="t3_sub"),
        c("q", "p", link="t3_sub"),
    ]
    rows = sorted(parts_of(records), key=lambda r: (r["group_key"], r["location"]))
    batch = pa.RecordBatch.from_pylist(rows, schema=INGEST_ROW_SCHEMA)
    build = make_build_threads(("AutoModerator",), IngestConfig(), NormalizeConfig())
    out = [row for b in build(iter([batch])) for row in b.to_pylist()]
    counted = [r for r in out if r["kind"] != "counter"]
    assert sum(r["n_records"] for r in counted) == len(rows)
    assert sorted((r["reason"] or r["doc_id"], r["n_records"]) for r in counted) == [
        ("reddit#t3_ok", 1),
        ("reddit_no_comments", 1),
        ("reddit_parent_cycle", 1),
        ("reddit_parent_cycle", 2),
        ("reddit_parent_cycle", 2),
    ]


def parents_loop(comment: dict, by_id: dict[str, dict]) -> bool:
    """Walk up the parents: a loop never gets to a top-level comment (or an orphan)."""
    seen = set()
    while comment["parent_id"].startswith("t1_") and comment["parent_id"][3:] in by_id:
        if comment["id"] in seen:
            return True
        seen.add(comment["id"])
        comment = by_id[comment["parent_id"][3:]]
    return False


def test_random_parent_graphs_balance_and_keep_the_reference_chain():
    """Random threads with cycles, self-parents, missing parents, duplicates and deleted bodies: never a
    crash, records in == records out, the chain is the reference one over the comments a root reaches."""
    rng = random.Random(1)
    for _ in range(300):
        n = rng.randint(1, 12)
        ids = [f"c{i}" for i in range(n)]
        records = []
        for cid in ids:
            parent = rng.choice(["", "", "gone", *ids])
            body = rng.choice(["x", "yy", "[deleted]", "zzz"])
            records.append(c(cid, parent, body=body))
        records += [rng.choice(records) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.5:
            records.append(submission())
        out = thread(records)  # checks the accounting
        comments = list({r["id"]: r for r in records if "parent_id" in r}.values())
        docs = [r for r in out if r["kind"] == "doc"]
        try:
            expected = reference_chain(comments)
        except ValueError:  # no path: every comment loops
            expected = None
        by_id = {x["id"]: x for x in comments}
        looping = sum(1 for r in records if "parent_id" in r and parents_loop(r, by_id))
        cycle_rows = [r["n_records"] for r in out if r["reason"] == "reddit_parent_cycle"]
        assert cycle_rows == ([looping] if looping else [])
        if docs:
            assert chain_of(out) == expected
        else:
            assert expected is None or all(x["body"] == "[deleted]" for x in comments if x["id"] in expected)


@pytest.mark.parametrize("created", ["1e999", "-1e999", "Infinity", "NaN"])
def test_a_created_utc_out_of_range_is_no_date_not_a_crash(created):
    # int(float("inf")) raised OverflowError, which escaped the reader and failed the task (found by
    # tests/test_corruption_formats.py).
    comment = json.dumps(c("a", "")).replace('"created_utc": 0', f'"created_utc": {created}')
    post = json.dumps(submission()).replace('"created_utc": 7', f'"created_utc": {created}')
    rows = read_parts(io.BytesIO(f"{comment}\n{post}\n".encode()), "RC_x.json")
    assert [(r["kind"], json.loads(r["meta"])["created_utc"]) for r in rows] == [
        ("part", None),
        ("part", None),
    ]
