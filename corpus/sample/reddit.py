"""Pushshift Reddit: monthly ``RC_YYYY-MM.zst`` comment dumps and ``RS_YYYY-MM.zst`` submission dumps.

Threads are real trees: each comment answers the submission (top level) or an earlier comment, so threads
branch; long threads spill into the next month's file; comments whose parent was posted before the first
month (or deleted from the dump) point at a ``t1_`` id that is in no file, and the readers treat them as
top level. Bodies are ``[deleted]`` / ``[removed]`` now and then, some authors are ``[deleted]`` with the
body intact, some subreddits have an AutoModerator sticky, and bodies keep Reddit's HTML escaping
(``&gt;`` quotes, ``&amp;``). Submissions exist for every month but the last, so the last month's
threads have none (and some submissions have no comments). Files are zstd with a 2 GiB window.

The expected document of a thread follows the readers' rule (``corpus/sources/reddit.py``), computed here
independently by ``longest_chain`` and ``render``:

- tree by ``parent_id``; a ``t1_`` parent absent from the input makes the comment top level;
- keep the root-to-leaf chain with the most comments; ties: more rendered body characters, then the
  lexicographically smallest sequence of comment ids;
- ``[deleted]``/``[removed]``/empty bodies and bot authors (AutoModerator) stay in the chain but are not
  rendered; the text is the submission title, its selftext (when there is one), then each rendered chain
  comment, joined by blank lines;
- accounting: a document holds its chain plus the submission; other comments are ``reddit_off_chain``;
  a chain that renders nothing makes the whole thread one ``reddit_empty_thread`` skip; a submission
  without comments is ``reddit_no_comments``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.sample.containers import ZstdFile
from corpus.sample.jsonl import JsonLines
from corpus.sample.plan import Plant, SizeSpec, Task
from corpus.sample.textgen import batch_sentences, language
from corpus.sample.truth import TaskResult
from corpus.schema import make_doc_id
from corpus.sources import reasons

SOURCE = "reddit"
MONTH_BYTES = 64_000_000
THREAD_BYTES = 3_900  # average JSON bytes per thread (submission + comments), measured, to size the month
FIRST_MONTH = (2019, 10)
BOTS = frozenset({"AutoModerator"})
NOT_RENDERED = frozenset({"", "[deleted]", "[removed]"})
MAX_DELAY_S = 25 * 86400  # a thread's comments stop 25 days after it: they spill into one month at most

REDDIT_ENGLISH = 0.55  # share of threads in English subreddits (planted threads are English too)
# subreddit -> (language, relative share of threads among the subreddits of its kind: English or not)
SUBREDDITS = {
    "AskReddit": ("en", 0.20),
    "worldnews": ("en", 0.08),
    "books": ("en", 0.07),
    "Cooking": ("en", 0.06),
    "history": ("en", 0.06),
    "travel": ("en", 0.06),
    "personalfinance": ("en", 0.06),
    "gardening": ("en", 0.05),
    "AskMen": ("en", 0.06),
    "de": ("de", 0.04),
    "france": ("fr", 0.04),
    "argentina": ("es", 0.04),
    "italy": ("it", 0.02),
    "russia": ("ru", 0.03),
    "greece": ("el", 0.02),
    "China_irl": ("zh", 0.03),
    "newsokur": ("ja", 0.02),
    "arabs": ("ar", 0.02),
    "Hindi": ("hi", 0.02),
    "gaeilge": ("ga", 0.01),
    "latin": ("la", 0.01),
}
AUTOMOD_SUBREDDITS = frozenset({"AskReddit", "personalfinance", "AskMen", "worldnews"})
AUTOMOD_BODY = (
    "Hi u/{op}, thanks for posting! Please remember the rules of this subreddit. "
    "*I am a bot, and this action was performed automatically. Please contact the moderators if you have questions.*"
)
CORRUPT_LINES = ("invalid_json", "missing_text")


def plan(spec: SizeSpec, seed: int) -> list[Task]:
    budget = spec.budget(SOURCE)
    n_months = max(2, -(-budget // MONTH_BYTES))
    months = []
    year, month = FIRST_MONTH
    for _ in range(n_months):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    threads_per_month = max(20, budget // THREAD_BYTES // n_months)
    task = Task(
        SOURCE, 0, seed, budget, params={"months": months, "threads_per_month": int(threads_per_month)}
    )
    task.corruptions += list(CORRUPT_LINES)
    return [task]


# ------------------------------------------------------------------------------------------ the rule


@dataclass
class Comment:
    id: str
    parent_id: str
    body: str
    author: str
    created_utc: int
    extra: dict = field(default_factory=dict)


def renders(comment: Comment, bots=BOTS) -> bool:
    return comment.author not in bots and comment.body.strip() not in NOT_RENDERED


def longest_chain(comments: list[Comment], bots=BOTS) -> list[Comment]:
    """The kept chain: most comments, then most rendered characters, then smallest id sequence.

    Written independently of the reader (it enumerates every root-to-leaf path instead of the reader's
    bottom-up dynamic programme), so that each checks the other.
    """
    by_id = {c.id: c for c in comments}
    children: dict[str, list[Comment]] = {}
    roots = []
    for c in comments:
        parent = c.parent_id[3:] if c.parent_id.startswith("t1_") else None
        if parent is not None and parent in by_id and parent != c.id:
            children.setdefault(parent, []).append(c)
        else:
            roots.append(c)
    best_key, best_path = None, None
    stack = [(root, (root,)) for root in roots]
    while stack:
        node, path = stack.pop()
        kids = children.get(node.id)
        if kids:
            stack.extend((kid, (*path, kid)) for kid in kids)
            continue
        key = (len(path), sum(len(c.body) for c in path if renders(c, bots)))
        ids = [c.id for c in path]
        if best_key is None or key > best_key or (key == best_key and ids < [c.id for c in best_path]):
            best_key, best_path = key, path
    return list(best_path or ())


def render(submission: dict | None, chain: list[Comment], bots=BOTS) -> str:
    """The thread document's text ("" when no chain comment renders)."""
    bodies = [c.body for c in chain if renders(c, bots)]
    if not bodies:
        return ""
    parts = []
    if submission is not None and submission["author"] not in bots:
        if submission["title"].strip():
            parts.append(submission["title"])
        if submission["selftext"].strip() not in NOT_RENDERED:
            parts.append(submission["selftext"])
    return "\n\n".join(parts + bodies)


# ------------------------------------------------------------------------------------------ writing


def write(task: Task, root: Path) -> TaskResult:
    rng = task.rng()
    result = TaskResult(SOURCE)
    gen = _ThreadMaker(rng, task.params["months"])
    months = task.params["months"]
    plant_month = {p.key: int(rng.integers(len(months))) for p in task.plants}
    carry: list[dict] = []  # comments spilling into the next month
    for m in range(len(months)):
        comments, submissions = carry, []
        carry = []
        threads = gen.month_threads(m, task.params["threads_per_month"])
        threads += [gen.planted_thread(m, p) for p in task.plants if plant_month[p.key] == m]
        if m == 0:
            threads += gen.special_threads()
        for thread in threads:
            _account(result, thread, gen)
            for c in thread.comments:
                if gen.in_range(c.created_utc):
                    (comments if gen.month_of(c.created_utc) == m else carry).append(_comment_json(c, thread))
            if thread.submission is not None and thread.submission_in_file:
                submissions.append(thread.submission)
        _write_month(root, result, rng, months[m], comments, "RC", task.corruptions if m == 0 else [])
        if m < len(months) - 1:
            _write_month(root, result, rng, months[m], submissions, "RS", [])
    return result


@dataclass
class _Thread:
    link_id: str
    subreddit: str
    lang: str
    submission: dict | None  # the submission, also when it is not in any file
    submission_in_file: bool
    comments: list[Comment]
    plant: Plant | None = None


class _ThreadMaker:
    def __init__(self, rng: np.random.Generator, months: list[tuple[int, int]]):
        self.rng = rng
        self.starts = [calendar.timegm((y, m, 1, 0, 0, 0)) for y, m in months]
        y, m = months[-1]
        self.starts.append(calendar.timegm((y + (m == 12), m % 12 + 1, 1, 0, 0, 0)))
        self.next_submission = int("dfa000", 36) + int(rng.integers(0, 10_000))
        self.next_comment = int("f2a0000", 36) + int(rng.integers(0, 100_000))
        self.names = list(SUBREDDITS)
        english = np.array([SUBREDDITS[s][0] == "en" for s in self.names])
        p = np.array([SUBREDDITS[s][1] for s in self.names])
        p = np.where(
            english, p * REDDIT_ENGLISH / p[english].sum(), p * (1 - REDDIT_ENGLISH) / p[~english].sum()
        )
        self.sub_p = p / p.sum()
        self.en = language("en")

    def in_range(self, t: int) -> bool:
        return self.starts[0] <= t < self.starts[-1]

    def month_of(self, t: int) -> int:
        return int(np.searchsorted(self.starts, t, side="right") - 1)

    def _submission_id(self) -> str:
        self.next_submission += int(self.rng.integers(1, 40))
        return _base36(self.next_submission)

    def _comment_id(self) -> str:
        self.next_comment += int(self.rng.integers(1, 25))
        return _base36(self.next_comment)

    def user(self) -> str:
        rng, en = self.rng, self.en
        return f"{en.word(rng, 'ADJ')}_{en.word(rng, 'NOUN').replace(' ', '')}{int(rng.integers(1, 9999))}"

    def month_threads(self, m: int, n: int) -> list[_Thread]:
        rng = self.rng
        lo = self.starts[m] - (5 * 86400 if m == 0 else 0)  # the first month also gets threads from before it
        created = np.sort(rng.integers(lo, self.starts[m + 1], n))
        subs = [self.names[i] for i in rng.choice(len(self.names), size=n, p=self.sub_p)]
        sizes = np.where(rng.random(n) < 0.04, 0, np.minimum(1 + rng.geometric(0.18, n), 60))
        sizes = np.where(rng.random(n) < 0.02, rng.integers(60, 200, n), sizes)
        # all comment bodies of the month in one batch per language
        thread_langs = [SUBREDDITS[s][0] for s in subs]
        langs = [lang for lang, k in zip(thread_langs, sizes.tolist(), strict=True) for _ in range(k)]
        bodies = iter(batch_sentences(rng, langs, rng.integers(1, 6, len(langs)), paragraph_prob=0.15))
        self_posts = rng.random(n) < 0.4
        selftexts = iter(batch_sentences(rng, thread_langs, np.where(self_posts, rng.integers(1, 5, n), 0)))
        titles = {
            code: iter(language(code).titles_batch(rng, thread_langs.count(code)))
            for code in sorted(set(thread_langs))
        }
        threads = []
        for t0, sub, lang, k in zip(created.tolist(), subs, thread_langs, sizes.tolist(), strict=True):
            title, selftext = next(titles[lang]), next(selftexts)
            threads.append(self._thread(int(t0), sub, k, [next(bodies) for _ in range(k)], title, selftext))
        return threads

    def _thread(self, t0: int, sub: str, k: int, bodies: list[str], title: str, selftext: str) -> _Thread:
        rng = self.rng
        lang = SUBREDDITS[sub][0]
        link = self._submission_id()
        op = self.user()
        self_post = bool(selftext)
        r = rng.random()
        if self_post and r < 0.05:
            selftext = "[deleted]" if r < 0.025 else "[removed]"
        submission = {
            "author": op if rng.random() > 0.05 else "[deleted]",
            "created_utc": str(t0),  # Pushshift wrote numbers as strings in some years' submission dumps
            "domain": f"self.{sub}" if self_post else "news.example.org",
            "id": link,
            "is_self": self_post,
            "num_comments": k,
            "over_18": False,
            "permalink": f"/r/{sub}/comments/{link}/{'_'.join(self.en.word(rng, 'NOUN').split())}/",
            "score": int(rng.integers(0, 5000)),
            "selftext": selftext,
            "subreddit": sub,
            "subreddit_id": _subreddit_id(sub),
            "title": title,
            "url": f"https://www.reddit.com/r/{sub}/comments/{link}/"
            if self_post
            else f"https://news.example.org/{link}",
        }
        comments: list[Comment] = []
        t = t0
        if k and sub in AUTOMOD_SUBREDDITS and rng.random() < 0.5:
            comments.append(
                Comment(
                    self._comment_id(),
                    f"t3_{link}",
                    AUTOMOD_BODY.format(op=op),
                    "AutoModerator",
                    t0 + 1,
                    {"distinguished": "moderator", "stickied": True},
                )
            )
        ids: list[str] = []
        for j in range(k):
            t = min(t + int(rng.exponential(3 * 3600)) + 1, t0 + MAX_DELAY_S)
            cid = self._comment_id()
            if j == 0 or rng.random() < 0.35:
                parent = f"t3_{link}"
            elif rng.random() < 0.03:
                parent = f"t1_{self._comment_id()}"  # a parent deleted from the dump: in no file
            else:
                back = min(int(rng.geometric(0.45)), j)
                parent = f"t1_{ids[j - back]}"
            body, author = bodies[j], self.user()
            r = rng.random()
            if r < 0.05:
                body, author = "[deleted]", "[deleted]"
            elif r < 0.08:
                body, author = "[removed]", "[deleted]"
            elif r < 0.10:
                author = "[deleted]"  # account gone, words kept: still rendered
            elif r < 0.13:
                body = f"&gt; {body.split('. ')[0]}\n\n{body}"
            elif r < 0.15:
                body = body.replace(" ", " &amp; ", 1)
            ids.append(cid)
            comments.append(Comment(cid, parent, body, author, t))
        # in a file when posted inside the dump's months, and not in the last one (it has no RS file)
        in_file = self.in_range(t0) and self.month_of(t0) < len(self.starts) - 2
        return _Thread(link, sub, lang, submission, in_file, comments)

    def special_threads(self) -> list[_Thread]:
        """Cases random threads may miss in a small sample: a thread of which nothing renders (a bot
        sticky, a removed reply, a deleted comment) and a submission nobody answered."""
        rng, t0 = self.rng, self.starts[0] + 7 * 86400
        silent = self._thread(t0, "AskReddit", 2, ["x", "y"], self.en.title(rng), "")
        sticky = Comment(
            self._comment_id(),
            f"t3_{silent.link_id}",
            AUTOMOD_BODY.format(op="someone"),
            "AutoModerator",
            t0 + 1,
        )
        removed = Comment(self._comment_id(), f"t1_{sticky.id}", "[removed]", "[deleted]", t0 + 60)
        deleted = Comment(self._comment_id(), f"t3_{silent.link_id}", "[deleted]", "[deleted]", t0 + 90)
        silent.comments = [sticky, removed, deleted]
        alone = self._thread(
            t0 + int(rng.integers(1, 3600)), "books", 0, [], self.en.title(rng), self.en.text(rng, 2)
        )
        return [silent, alone]

    def planted_thread(self, m: int, plant: Plant) -> _Thread:
        """A linear chain of comments whose rendered text is exactly ``plant.text``, with no submission."""
        rng = self.rng
        link = self._submission_id()
        t = self.starts[m] + int(rng.integers(3600, 86400))
        comments, parent = [], f"t3_{link}"
        for body in plant.text.split("\n\n"):
            t += int(rng.integers(60, 3600))
            c = Comment(self._comment_id(), parent, body, self.user(), t)
            comments.append(c)
            parent = f"t1_{c.id}"
        sub = (
            "AskReddit"
            if plant.lang == "en"
            else next(s for s, (lang, _) in SUBREDDITS.items() if lang == plant.lang)
        )
        return _Thread(link, sub, plant.lang, None, False, comments, plant)


def _account(result: TaskResult, thread: _Thread, gen: _ThreadMaker) -> None:
    """Add what the readers will make of one thread to the ground truth."""
    present = [c for c in thread.comments if gen.in_range(c.created_utc)]
    submission = thread.submission if thread.submission_in_file else None
    n_sub = 1 if submission is not None else 0
    if not present:
        if submission is not None:
            result.tally.add_skip(reasons.REDDIT_NO_COMMENTS)
        return
    chain = longest_chain(present)
    text = render(submission, chain)
    if not text:
        location = make_doc_id(SOURCE, None, f"t3_{thread.link_id}")
        result.add_empty(SOURCE, location, reasons.REDDIT_EMPTY_THREAD, n_records=len(present) + n_sub)
        return
    if thread.plant is not None and text != thread.plant.text:
        raise AssertionError(f"generator bug: planted thread {thread.plant.key} renders differently")
    present_ids = {c.id for c in present}
    traits = []
    if any(c.parent_id.startswith("t1_") and c.parent_id[3:] not in present_ids for c in present):
        traits.append("orphans")
    if any("&gt;" in c.body or "&amp;" in c.body for c in chain if renders(c)):
        traits.append("html_entities")
    if any(not renders(c) for c in chain):
        traits.append("unrendered_in_chain")
    result.add_document(
        make_doc_id(SOURCE, None, f"t3_{thread.link_id}"),
        text,
        thread.lang,
        traits=traits,
        n_records=len(chain) + n_sub,
        plant_key=thread.plant.key if thread.plant else None,
    )
    if len(present) > len(chain):
        result.tally.add_skip(reasons.REDDIT_OFF_CHAIN, len(present) - len(chain))


def _comment_json(c: Comment, thread: _Thread) -> dict:
    return {
        "author": c.author,
        "body": c.body,
        "controversiality": 0,
        "created_utc": c.created_utc,
        "distinguished": c.extra.get("distinguished"),
        "gilded": 0,
        "id": c.id,
        "link_id": f"t3_{thread.link_id}",
        "parent_id": c.parent_id,
        "retrieved_on": c.created_utc + 86400 * 30,
        "score": 1 + sum(map(ord, c.id)) % 50,
        "stickied": c.extra.get("stickied", False),
        "subreddit": thread.subreddit,
        "subreddit_id": _subreddit_id(thread.subreddit),
    }


def _write_month(
    root: Path,
    result: TaskResult,
    rng: np.random.Generator,
    month,
    records: list[dict],
    kind: str,
    corruptions: list[str],
) -> None:
    """One monthly dump, records in time order, planted bad lines at random places."""
    rel = f"{kind}_{month[0]:04d}-{month[1]:02d}.zst"
    records = sorted(records, key=lambda r: (int(r["created_utc"]), r["id"]))
    lines = JsonLines(SOURCE, rel, result)
    positions = rng.choice(len(records) + 1, size=len(corruptions), replace=False).tolist() if records else []
    bad_at = dict(zip(positions, corruptions, strict=True))
    for i in range(len(records) + 1):
        if i in bad_at:  # a damaged copy of a neighbouring comment, under an id no thread uses
            example = {**records[min(i, len(records) - 1)], "id": _base36(36**8 + i)}
            lines.corrupt(bad_at[i], example, text_field="body")
        if i < len(records):
            lines.record(records[i])
    path = root / SOURCE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    out = ZstdFile(path)
    payload = lines.payload()
    out.write(payload)
    result.tally.files += 1
    result.tally.bytes_on_disk += out.close()
    result.text_bytes += len(payload)
    result.files.append(f"{SOURCE}/{rel}")


def _subreddit_id(name: str) -> str:
    return "t5_" + _base36(sum(map(ord, name)) * 7919)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out
