"""CC-Stories: ``ccstories/stories-NNN.jsonl``, one ``{"text": ...}`` story per line.

The first file carries one of each damaged or empty line (``corpus.sample.jsonl``); the last file ends
with a truncated line and no newline, as a file cut mid-write does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus.sample import noise
from corpus.sample.containers import write_bytes
from corpus.sample.jsonl import JsonLines
from corpus.sample.lexicons import language_mix
from corpus.sample.plan import SizeSpec, Task, split_budget
from corpus.sample.textgen import batch_texts, language, pick_languages
from corpus.sample.truth import TaskResult

SOURCE = "ccstories"
FILE_BYTES = 32_000_000
STORY_LANGUAGES = language_mix(0.6)
FIRST_FILE_DAMAGE = ["invalid_json", "invalid_utf8", "missing_text", "empty_text", "blank_line"]
EXACT_REPEAT_PROB = 0.01  # a story posted twice: an unplanted exact duplicate inside the file


def plan(spec: SizeSpec, seed: int) -> list[Task]:
    median = 2_000 if spec.target_bytes < 5_000_000 else 3_500
    tasks = [
        Task(SOURCE, i, seed, budget, params={"median_chars": median, "name": f"stories-{i:03d}.jsonl"})
        for i, budget in enumerate(split_budget(spec.budget(SOURCE), FILE_BYTES, 2))
    ]
    tasks[0].corruptions += FIRST_FILE_DAMAGE
    tasks[0].params["specials"] = True
    tasks[-1].corruptions.append("truncated_last_line")
    return tasks


def write(task: Task, root: Path) -> TaskResult:
    rng = task.rng()
    result = TaskResult(SOURCE)
    rel = task.params["name"]
    lines = JsonLines(SOURCE, rel, result)
    stories = _stories(rng, task, lines)
    if task.params.get("specials"):  # traps a small sample must not miss by chance
        for damage in ("mojibake", "messy_whitespace"):
            text, traits = noise.decorate(rng, language("en").text(rng, 12), force=damage)
            stories.append((lines.dumps({"text": text}), text, "en", traits))
    items: list[tuple[str, object]] = [("story", st) for st in stories]
    items += [("plant", p) for p in task.plants]
    items += [("corrupt", c) for c in task.corruptions if c != "truncated_last_line"]
    for i in rng.permutation(len(items)).tolist():
        kind, what = items[i]
        if kind == "story":
            line, text, lang, traits = what
            lines.document(line, text, lang, traits)
        elif kind == "plant":
            lines.document({"text": what.text}, what.text, what.lang, plant_key=what.key)
        else:
            lines.corrupt(
                what, {"text": "A story that never got its ending.", "url": "http://example.org/story"}
            )
    if "truncated_last_line" in task.corruptions:
        lines.corrupt(
            "truncated_last_line", {"text": stories[0][1] if stories else "The last story of the file."}
        )
    payload = lines.payload()
    result.tally.files += 1
    result.tally.bytes_on_disk += write_bytes(root / SOURCE / rel, payload)
    result.text_bytes += len(payload)
    result.files.append(f"{SOURCE}/{rel}")
    return result


def _stories(rng: np.random.Generator, task: Task, lines: JsonLines) -> list[tuple]:
    """(JSON line, text, language, traits) of stories filling the task's byte budget, made in chunks."""
    median = task.params["median_chars"]
    stories: list[tuple] = []
    size = 0
    while size < task.budget:
        n = int(np.clip((task.budget - size) / (median * 1.3), 16, 2048))
        langs = pick_languages(rng, n, STORY_LANGUAGES)
        chars = np.clip(rng.lognormal(np.log(median), 0.5, n), 300, 60_000)
        for lang, text in zip(langs, batch_texts(rng, langs, chars), strict=True):
            if stories and rng.random() < EXACT_REPEAT_PROB:  # a story posted twice
                stories.append(stories[int(rng.integers(len(stories)))])
            else:
                text, traits = noise.decorate(rng, text)
                stories.append((lines.dumps({"text": text}), text, lang, traits))
            size += len(stories[-1][0]) + 1
            if size >= task.budget:
                break
    return stories
