"""Pushshift Reddit: comment dumps (``RC_*.zst``) and submission dumps (``RS_*.zst``) -> one document per
thread, made of the thread's longest chain of comments, as OPT did ("the longest chain of comments in
each thread", which dropped about 66% of the text).

Two steps, because a thread's comments are spread over a whole monthly file (and over several months):

1. ``read(stream, ctx)`` reads one dump (``.zst`` with its 2 GiB window, ``.jsonl``/``.json`` plain,
   ``.gz``, ``.bz2``, ``.xz``) and yields one ``part`` row per comment or submission, grouped by
   ``group_key`` = the thread's ``link_id`` (``t3_<id>``; a submission's own id gets the ``t3_`` prefix).
   A record with ``parent_id`` or ``body`` is a comment, one with ``title`` a submission. A comment
   without a string ``body``, or a record that is neither, is a reject ``missing_text``; a comment
   without ``id``/``link_id`` or a submission without ``id`` a reject ``missing_id``. Damaged lines and
   streams follow ``corpus.sources.jsonl``.
2. ``build_threads(rows, bot_authors)`` takes every part row of ONE ``link_id`` (the ingest stage groups
   them) and yields that thread's rows. It is a pure function, deterministic whatever the order of rows.

The tree and the kept chain:

- A comment whose ``parent_id`` is ``t1_<id>`` hangs under that comment. One whose parent is ``t3_...``
  is top level. One whose ``t1_`` parent is not in the input (deleted before the dump, or in another
  month's file that was not given) is treated as top level too and counted in meta ``orphans``.
- A comment whose chain of parents never reaches a top-level comment is caught in a parent cycle
  (impossible on Reddit, possible in damaged input): ``a -> b -> a``, a comment that is its own parent,
  and every reply below such a loop. These comments are not part of the tree; they (all their copies)
  are one skip ``reddit_parent_cycle``, and the rest of the thread is built as if they were absent.
- The kept chain is the root-to-leaf path with the most comments. Ties go to the path with more
  rendered body characters (``len`` of the bodies that are rendered, see below), then to the
  lexicographically smallest sequence of comment ids (compared as strings, root first). Computed
  bottom-up over an explicit stack: threads 10,000 comments deep do not recurse.
- ``[deleted]`` / ``[removed]`` bodies (and empty ones) and anything written by a bot author
  (``bot_authors``, default AutoModerator) stay in the tree, so they still link their replies and count
  for the chain length, but are not rendered. A deleted *author* with a surviving body is rendered.
- A record id seen twice in the group (Pushshift re-ingests, overlapping dumps) is kept once: the copy
  with the smallest location; the other copies count as off-chain.

The document: ``text`` = the submission's title, then ``"\\n\\n"`` + its selftext when that is present
and not ``[deleted]``/``[removed]``/empty (neither is rendered when the submission's author is a bot),
then each rendered comment of the chain from the top down, all joined by ``"\\n\\n"``. ``doc_id`` =
``reddit#<link_id>``; ``subset`` = subreddit; ``url`` = the submission's permalink, or the thread's
canonical URL built from subreddit and link id; ``meta`` = link_id, chain_ids, created_utc (submission's,
else the first chain comment's), n_comments, orphans. ``n_records`` = part rows on the chain, the
submission included.

Accounting: the rows out of one group carry exactly as many records as came in. Next to the document,
one skip ``reddit_off_chain`` aggregates every other comment (and duplicate). A chain of which no
comment renders is a single skip ``reddit_empty_thread`` for all the group's rows (a title alone is not
a conversation); a group with a submission but no comments is a single skip ``reddit_no_comments``.
Parent-cycle comments are counted apart from all of these, in their own ``reddit_parent_cycle`` skip
(so a submission whose only comments loop is ``reddit_no_comments`` plus ``reddit_parent_cycle``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from corpus.schema import make_doc_id
from corpus.sources import reasons
from corpus.sources.base import FileContext
from corpus.sources.jsonl import read_json_lines

DEFAULT_BOT_AUTHORS = ("AutoModerator",)
_NOT_RENDERED_BODIES = frozenset({"", "[deleted]", "[removed]"})
_REDDIT = "https://www.reddit.com"


# --------------------------------------------------------------------------------------------- step 1


def read(stream: BinaryIO, ctx: FileContext) -> Iterator[dict]:
    """One ``part`` row per comment or submission of a Pushshift dump (see the module docstring)."""

    def build(obj: dict, index: int, line_no: int) -> dict:
        if "parent_id" in obj or "body" in obj:
            return _comment_part(ctx, obj, line_no)
        if "title" in obj:
            return _submission_part(ctx, obj, line_no)
        return ctx.reject(line_no, reasons.MISSING_TEXT, raw=json.dumps(obj, ensure_ascii=False)[:1000])

    return read_json_lines(stream, ctx, build)


def _comment_part(ctx: FileContext, obj: dict, line_no: int) -> dict:
    body, link_id, cid = obj.get("body"), obj.get("link_id"), obj.get("id")
    if not isinstance(body, str):
        return ctx.reject(line_no, reasons.MISSING_TEXT, raw=json.dumps(obj, ensure_ascii=False)[:1000])
    if not link_id or not cid:
        return ctx.reject(line_no, reasons.MISSING_ID, raw=json.dumps(obj, ensure_ascii=False)[:1000])
    subreddit = _str_or_none(obj.get("subreddit"))
    payload = {
        "kind": "comment",
        "id": str(cid),
        "parent_id": _str_or_none(obj.get("parent_id")),
        "body": body,
        "author": _str_or_none(obj.get("author")),
        "created_utc": _int_or_none(obj.get("created_utc")),
        "subreddit": subreddit,
    }
    return ctx.part(_link_key(link_id), line_no, payload, subset=subreddit)


def _submission_part(ctx: FileContext, obj: dict, line_no: int) -> dict:
    sid = obj.get("id")
    if not sid:
        return ctx.reject(line_no, reasons.MISSING_ID, raw=json.dumps(obj, ensure_ascii=False)[:1000])
    subreddit = _str_or_none(obj.get("subreddit"))
    payload = {
        "kind": "submission",
        "id": str(sid),
        "title": obj.get("title") if isinstance(obj.get("title"), str) else "",
        "selftext": obj.get("selftext") if isinstance(obj.get("selftext"), str) else "",
        "author": _str_or_none(obj.get("author")),
        "created_utc": _int_or_none(obj.get("created_utc")),
        "subreddit": subreddit,
        "permalink": _str_or_none(obj.get("permalink")),
    }
    return ctx.part(_link_key(sid), line_no, payload, subset=subreddit)


def _link_key(link_id) -> str:
    link_id = str(link_id)
    return link_id if link_id.startswith("t3_") else "t3_" + link_id


def _str_or_none(value) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value) -> int | None:
    """Pushshift wrote created_utc as a number in some years and as a numeric string in others. Anything
    else (NaN, an infinity such as a damaged ``1e999``, a list, ...) is no date."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------------------------- step 2


@dataclass
class _Record:
    payload: dict
    location: str

    @property
    def id(self) -> str:
        return self.payload["id"]


def build_threads(rows: Iterable[dict], bot_authors: Iterable[str] = DEFAULT_BOT_AUTHORS) -> Iterator[dict]:
    """The rows for ONE thread (all part rows of one ``link_id``): a document plus an aggregated
    ``reddit_off_chain`` skip, or a single ``reddit_empty_thread`` / ``reddit_no_comments`` skip; then a
    ``reddit_parent_cycle`` skip when some comments loop.

    The sum of ``n_records`` over the rows out equals the number of rows in. Rules: module docstring.
    """
    rows = list(rows)
    if not rows:
        return
    link_id = rows[0]["group_key"]
    bots = frozenset(bot_authors)
    records = sorted(
        (_Record(_payload(row), row["location"]) for row in rows),
        key=lambda r: (r.payload["kind"] != "submission", r.id, r.location),
    )
    submission, comments = None, {}
    for record in records:  # sorted: the first copy of an id is the one kept
        if record.payload["kind"] == "submission":
            submission = submission or record
        else:
            comments.setdefault(record.id, record)
    thread = FileContext(source="reddit", rel_path="")  # locations below are already full

    chain, orphans, cyclic = longest_chain(comments, bots)
    if cyclic:
        cycle_rows = sum(1 for r in records if r.payload["kind"] != "submission" and r.id in cyclic)
        cycle_skip = thread.skip(
            comments[min(cyclic)].location,
            reasons.REDDIT_PARENT_CYCLE,
            n_records=cycle_rows,
            subset=_subreddit(submission) or _subreddit(comments[min(cyclic)]),
        )
    else:
        cycle_rows, cycle_skip = 0, None
    n_rows = len(rows) - cycle_rows  # the rows of the tree and the submission, accounted for below

    yield from _thread_rows(thread, link_id, submission, comments, chain, orphans, n_rows, bots)
    if cycle_skip:
        yield cycle_skip


def _thread_rows(
    thread: FileContext,
    link_id: str,
    submission: _Record | None,
    comments: dict[str, _Record],
    chain: list[str],
    orphans: int,
    n_rows: int,
    bots: frozenset[str],
) -> Iterator[dict]:
    """The document and its skips for ``n_rows`` rows: every row of the group but parent-cycle comments."""
    if not chain:  # no comments, or only comments caught in a parent cycle
        if n_rows:
            yield thread.skip(
                submission.location,
                reasons.REDDIT_NO_COMMENTS,
                n_records=n_rows,
                subset=_subreddit(submission),
            )
        return

    rendered = [comments[cid].payload["body"] for cid in chain if _renders(comments[cid].payload, bots)]
    head = comments[chain[0]]
    anchor = submission or head  # where the thread document points to
    subreddit = _subreddit(submission) or _subreddit(head)
    if not rendered:
        yield thread.skip(anchor.location, reasons.REDDIT_EMPTY_THREAD, n_records=n_rows, subset=subreddit)
        return

    parts = _submission_text(submission, bots) + rendered
    n_chain = len(chain) + (1 if submission else 0)
    meta = {
        "link_id": link_id,
        "chain_ids": chain,
        "created_utc": (submission or head).payload.get("created_utc"),
        "n_comments": len(comments),
        "orphans": orphans,
    }
    yield thread.doc(
        link_id,
        "\n\n".join(parts),
        anchor.location,
        subset=subreddit,
        url=_thread_url(submission, subreddit, link_id),
        meta=meta,
        n_records=n_chain,
        doc_id=make_doc_id("reddit", None, link_id),
    )
    if n_rows > n_chain:
        yield thread.skip(
            anchor.location, reasons.REDDIT_OFF_CHAIN, n_records=n_rows - n_chain, subset=subreddit
        )


def longest_chain(
    comments: dict[str, _Record], bots: frozenset[str] = frozenset()
) -> tuple[list[str], int, frozenset[str]]:
    """(comment ids of the kept root-to-leaf chain, number of orphans, ids caught in a parent cycle) for
    one thread's comments. The chain is empty when every comment is caught in a cycle.

    The best chain under a node is that node plus the best chain under one of its children, and sibling
    ids are distinct, so comparing (length, rendered characters, id) child by child picks exactly the
    chain the documented order prefers. Iterative: a pre-order from an explicit stack, then the nodes in
    reverse pre-order (children before parents). A comment the pre-order never reaches has a chain of
    parents that never gets to a top-level comment: it is in (or below) a parent cycle.
    """
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    orphans = 0
    for cid, record in comments.items():
        parent = record.payload.get("parent_id") or ""
        parent_cid = parent[3:] if parent.startswith("t1_") else None
        if parent_cid is not None and parent_cid in comments:
            children.setdefault(parent_cid, []).append(cid)  # a self-parent is a cycle of one
        else:
            roots.append(cid)
            orphans += parent_cid is not None

    order: list[str] = []
    stack = list(roots)
    while stack:
        cid = stack.pop()
        order.append(cid)
        stack.extend(children.get(cid, ()))
    # Each comment has one parent, so the pre-order from the roots visits a comment at most once and
    # never enters a cycle: what it missed is exactly what no root reaches.
    cyclic = frozenset(comments) - frozenset(order) if len(order) < len(comments) else frozenset()

    # best[cid] = (-length, -rendered chars, cid) of the best chain starting at cid: smaller is better.
    best: dict[str, tuple[int, int, str]] = {}
    follow: dict[str, str] = {}
    for cid in reversed(order):
        payload = comments[cid].payload
        chars = len(payload["body"]) if _renders(payload, bots) else 0
        length, below = 1, 0
        kids = children.get(cid)
        if kids:
            nxt = min(kids, key=best.__getitem__)
            follow[cid] = nxt
            length -= best[nxt][0]
            below = -best[nxt][1]
        best[cid] = (-length, -(chars + below), cid)

    if not roots:
        return [], orphans, cyclic
    chain = [min(roots, key=best.__getitem__)]
    while chain[-1] in follow:
        chain.append(follow[chain[-1]])
    return chain, orphans, cyclic


def group_threads(
    part_rows: Iterable[dict], bot_authors: Iterable[str] = DEFAULT_BOT_AUTHORS
) -> Iterator[dict]:
    """``build_threads`` over every thread in ``part_rows``, grouped in memory and in ``link_id`` order.

    For tests and small local runs; the ingest stage groups by ``group_key`` in Spark instead.
    """
    groups: dict[str, list[dict]] = {}
    for row in part_rows:
        groups.setdefault(row["group_key"], []).append(row)
    for key in sorted(groups):
        yield from build_threads(groups[key], bot_authors)


def _payload(row: dict) -> dict:
    meta = row["meta"]
    return json.loads(meta) if isinstance(meta, str) else meta


def _renders(payload: dict, bots: frozenset[str]) -> bool:
    return payload.get("author") not in bots and payload["body"].strip() not in _NOT_RENDERED_BODIES


def _submission_text(submission: _Record | None, bots: frozenset[str]) -> list[str]:
    if submission is None or submission.payload.get("author") in bots:
        return []
    title, selftext = submission.payload.get("title") or "", submission.payload.get("selftext") or ""
    parts = [title] if title.strip() else []
    if selftext.strip() not in _NOT_RENDERED_BODIES:
        parts.append(selftext)
    return parts


def _subreddit(record: _Record | None) -> str | None:
    return record.payload.get("subreddit") if record else None


def _thread_url(submission: _Record | None, subreddit: str | None, link_id: str) -> str | None:
    permalink = submission.payload.get("permalink") if submission else None
    if permalink:
        return _REDDIT + permalink if permalink.startswith("/") else permalink
    if subreddit:
        return f"{_REDDIT}/r/{subreddit}/comments/{link_id[3:]}/"
    return None
