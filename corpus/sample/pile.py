"""The Pile: ``pile/NN.jsonl.zst``, lines ``{"text": ..., "meta": {"pile_set_name": ...}}``.

Lines are spread over all 22 Pile subsets with roughly the Pile's mix, so about 40% are in subsets OPT
did not use (skipped as ``pile_subset_excluded``). Each subset gets its own surface form (Wikipedia
titles, USPTO section headers, DM Mathematics question/answer lines, code for GitHub, LaTeX for ArXiv),
JSON is ASCII-escaped as the Pile's writer did, and files are big-window zstd like the Pushshift dumps.

The first file carries one of each damaged or empty line; the last file is a *truncated zstd stream*:
a complete frame, then a second frame cut in half, whose lines no reader can see. The reader reports
one ``truncated_stream`` reject (one record) where the data ends.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus.config import OPT_PILE_SUBSETS
from corpus.sample import noise
from corpus.sample.containers import ZstdFile, file_size, zstd_frame
from corpus.sample.jsonl import JsonLines
from corpus.sample.lexicons import LANGUAGE_WEIGHTS, language_mix
from corpus.sample.plan import SizeSpec, Task, split_budget
from corpus.sample.textgen import batch_texts, language, pick_languages
from corpus.sample.truth import TaskResult
from corpus.sources import reasons

SOURCE = "pile"
FILE_BYTES = 32_000_000
EXACT_REPEAT_PROB = 0.01

# Share of documents per subset (roughly the Pile's document mix, rounded; OPT's eight subsets first).
SUBSET_WEIGHTS = {
    "Pile-CC": 30,
    "OpenWebText2": 10,
    "Wikipedia (en)": 8,
    "USPTO Backgrounds": 4,
    "Gutenberg (PG-19)": 1,
    "OpenSubtitles": 2,
    "HackerNews": 2,
    "DM Mathematics": 3,
    "Github": 8,
    "ArXiv": 6,
    "PubMed Central": 6,
    "FreeLaw": 4,
    "StackExchange": 5,
    "Books3": 2,
    "PubMed Abstracts": 4,
    "EuroParl": 1,
    "YoutubeSubtitles": 1,
    "Enron Emails": 1,
    "NIH ExPorter": 1,
    "PhilPapers": 0.5,
    "Ubuntu IRC": 0.5,
    "BookCorpus2": 0.5,
}
assert set(OPT_PILE_SUBSETS) <= set(SUBSET_WEIGHTS)
LONG_SUBSETS = {
    "Gutenberg (PG-19)": 8,
    "Books3": 8,
    "PubMed Central": 3,
    "ArXiv": 3,
    "FreeLaw": 2,
}  # x median
WEB_LANGUAGES = language_mix(0.5)
FIRST_FILE_DAMAGE = ["not_object", "invalid_utf8", "lone_surrogate", "missing_text", "empty_text"]
LOST_LINES = 5  # lines in the cut second frame of the truncated file


def plan(spec: SizeSpec, seed: int) -> list[Task]:
    median = 2_000 if spec.target_bytes < 5_000_000 else 2_500
    budgets = split_budget(spec.budget(SOURCE), FILE_BYTES, 3)
    tasks = [
        Task(SOURCE, i, seed, budget, params={"median_chars": median, "name": f"{i:02d}.jsonl.zst"})
        for i, budget in enumerate(budgets)
    ]
    tasks[0].corruptions += FIRST_FILE_DAMAGE
    tasks[0].params["specials"] = True
    tasks[-1].corruptions.append("truncated_stream")
    return tasks


def write(task: Task, root: Path) -> TaskResult:
    rng = task.rng()
    result = TaskResult(SOURCE)
    rel = task.params["name"]
    lines = JsonLines(SOURCE, rel, result, ensure_ascii=True)
    docs = _documents(rng, task, lines)
    if task.params.get("specials"):  # a mis-decoded web page a small sample must not miss by chance
        text, traits = noise.decorate(rng, language("en").text(rng, 15), force="mojibake")
        docs.append(
            (lines.dumps({"text": text, "meta": {"pile_set_name": "Pile-CC"}}), "Pile-CC", text, "en", traits)
        )
    items: list[tuple[str, object]] = [("doc", d) for d in docs]
    items += [("plant", p) for p in task.plants]
    items += [("corrupt", c) for c in task.corruptions if c != "truncated_stream"]
    kept = set(OPT_PILE_SUBSETS)
    for i in rng.permutation(len(items)).tolist():
        kind, what = items[i]
        if kind == "doc":
            line, subset, text, lang, traits = what
            if subset in kept:
                lines.document(line, text, lang, traits)
            else:
                lines.skip(line, reasons.PILE_SUBSET_EXCLUDED)
        elif kind == "plant":
            obj = {"text": what.text, "meta": {"pile_set_name": what.options.get("subset", "Pile-CC")}}
            lines.document(obj, what.text, what.lang, plant_key=what.key)
        else:
            lines.corrupt(what, {"text": "A Pile-CC page.", "meta": {"pile_set_name": "Pile-CC"}})

    path = root / SOURCE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = lines.payload()
    out = ZstdFile(path)
    out.write(payload)
    size = out.close()
    result.text_bytes += len(payload)
    if "truncated_stream" in task.corruptions:
        size = _append_cut_frame(rng, path, lines)
        result.add_corrupt(
            reasons.TRUNCATED_STREAM,
            f"{SOURCE}/{rel}",
            f"{rel}@byte {size}",
            planted="truncated_stream",
            line=len(lines.lines) + 1,
            readable_lines=len(lines.lines),
            decompressed_bytes=len(payload),
        )
    result.tally.files += 1
    result.tally.bytes_on_disk += size
    result.files.append(f"{SOURCE}/{rel}")
    return result


def _documents(rng: np.random.Generator, task: Task, lines: JsonLines) -> list[tuple]:
    """(JSON line, subset, text, language, traits) of generated documents filling the task's byte budget,
    made in chunks so the budget holds whatever the mix of long subsets and multi-byte scripts."""
    median = task.params["median_chars"]
    docs: list[tuple] = []
    size = 0
    while size < task.budget:
        n = int(np.clip((task.budget - size) / (median * 2), 16, 2048))
        subsets = _pick_subsets(rng, n)
        langs = [_subset_language(rng, s) for s in subsets]
        chars = rng.lognormal(np.log(median), 0.8, n) * np.array([LONG_SUBSETS.get(s, 1) for s in subsets])
        for subset, lang, text in zip(
            subsets, langs, batch_texts(rng, langs, np.clip(chars, 150, 200_000)), strict=True
        ):
            if docs and rng.random() < EXACT_REPEAT_PROB:  # the same page crawled twice
                docs.append(docs[int(rng.integers(len(docs)))])
            else:
                text = styled(rng, subset, text)
                text, traits = noise.decorate(rng, text) if subset == "Pile-CC" else (text, [])
                docs.append(
                    (
                        lines.dumps({"text": text, "meta": {"pile_set_name": subset}}),
                        subset,
                        text,
                        lang,
                        traits,
                    )
                )
            size += len(docs[-1][0]) + 1
            if size >= task.budget:
                break
    return docs


def _append_cut_frame(rng: np.random.Generator, path: Path, lines: JsonLines) -> int:
    """Append the first half of a second zstd frame: compressed text blocks decode only when whole, so
    nothing of it comes out, and the stream ends mid-frame. Returns the file's new size."""
    lost = batch_texts(rng, ["en"] * LOST_LINES, [2_000] * LOST_LINES)
    data = b"".join(lines.dumps({"text": t, "meta": {"pile_set_name": "Pile-CC"}}) + b"\n" for t in lost)
    frame = zstd_frame(data)
    with open(path, "ab") as fh:
        fh.write(frame[: len(frame) // 2])
    return file_size(path)


def _pick_subsets(rng: np.random.Generator, n: int) -> list[str]:
    names = list(SUBSET_WEIGHTS)
    p = np.array([SUBSET_WEIGHTS[s] for s in names], dtype=float)
    return [names[i] for i in rng.choice(len(names), size=n, p=p / p.sum())]


def _subset_language(rng: np.random.Generator, subset: str) -> str:
    if subset in ("Pile-CC", "OpenWebText2"):  # web text: many languages
        return pick_languages(rng, 1, WEB_LANGUAGES)[0]
    if subset == "EuroParl":
        return pick_languages(
            rng, 1, {c: w for c, w in LANGUAGE_WEIGHTS.items() if c in ("de", "fr", "es", "it", "el")}
        )[0]
    return "en"


def styled(rng: np.random.Generator, subset: str, text: str) -> str:
    """A generated text dressed in the surface form of its Pile subset."""
    if subset == "DM Mathematics":
        return dm_mathematics(rng, max(3, len(text) // 60))
    if subset == "Github":
        return source_code(rng, max(5, len(text) // 40))
    if subset in ("Wikipedia (en)", "Gutenberg (PG-19)", "Books3", "BookCorpus2"):
        return f"{language('en').title(rng)}\n\n{text}"
    if subset == "USPTO Backgrounds":
        noun = language("en").word(rng, "NOUNS")
        return (
            "BACKGROUND OF THE INVENTION\n\n1. Field of the Invention\n\n"
            f"The present invention relates to {noun} and, more particularly, to methods for their use.\n\n"
            f"2. Description of the Related Art\n\n{text}"
        )
    if subset in ("OpenSubtitles", "YoutubeSubtitles"):
        return text.replace(". ", ".\n").replace("? ", "?\n").replace("\n\n", "\n")
    if subset == "StackExchange":
        head, _, tail = text.partition("\n\n")
        return f"Q:\n\n{head}\n\nA:\n\n{tail or head}"
    if subset == "HackerNews":
        return "\n\n".join(
            f"{language('en').word(rng, 'NAME').lower()}{int(rng.integers(100))}: {p}"
            for p in text.split("\n\n")
        )
    if subset == "ArXiv":
        return f"\\section{{Introduction}}\n\nLet $x_{{i}} \\in \\mathbb{{R}}^{{n}}$ be given. {text}\n\n\\begin{{equation}}\n  f(x) = \\sum_{{i=1}}^{{n}} x_i^2\n\\end{{equation}}"
    if subset == "Enron Emails":
        return (
            f"Subject: {language('en').title(rng)}\n\n{text}\n\nThanks,\n{language('en').word(rng, 'NAME')}"
        )
    if subset == "Ubuntu IRC":
        return "\n".join(f"<{language('en').word(rng, 'NAME').lower()}> {s}" for s in text.split(". "))
    return text


def dm_mathematics(rng: np.random.Generator, n: int) -> str:
    """DeepMind Mathematics-style question/answer lines."""
    a, b, c = rng.integers(-99, 100, n), rng.integers(1, 50, n), rng.integers(-20, 21, n)
    lines = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            lines += [f"What is {a[i]} + {b[i]}?", str(a[i] + b[i])]
        elif kind == 1:
            lines += [f"Solve {b[i]}*x + {a[i]} = {b[i] * c[i] + a[i]} for x.", str(c[i])]
        elif kind == 2:
            lines += [f"Calculate {a[i]} * {c[i]}.", str(a[i] * c[i])]
        else:
            lines += [
                f"Let q = {a[i]} - {c[i]}. What is q rounded to the nearest ten?",
                str(int(round((a[i] - c[i]) / 10) * 10)),
            ]
    return "\n".join(lines) + "\n"


def source_code(rng: np.random.Generator, n: int) -> str:
    """A few lines of Python, for the GitHub subset (excluded by OPT, so only its shape matters)."""
    names = language("en").categories["NOUN"]
    out = []
    for _ in range(max(1, n // 5)):
        f, a, b = (names[int(i)].replace(" ", "_") for i in rng.integers(len(names), size=3))
        out.append(
            f"def get_{f}({a}, {b}=None):\n    if {b} is None:\n        {b} = {{}}\n    return [{a}, {b}]\n"
        )
    return "\n\n".join(out)
