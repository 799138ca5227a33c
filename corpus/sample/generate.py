"""``corpus sample --out DIR --seed N --size SIZE``: write the synthetic sample corpus and its ground truth.

All five of OPT's sources in their native formats under ``DIR/<source>/`` (see each writer module), and
``DIR/ground_truth.json``, written last (its presence means the corpus is complete):

- ``documents``: every document the readers will emit, by doc id: source, language (ISO 639-1),
  ``exact_dup_of`` / ``near_dup_of`` (the doc id it copies, planted or found by text hash), the measured
  word-5-gram ``jaccard`` with it, ``traits`` (boilerplate, mojibake, gzip, ...) and ``n_records``;
- ``corrupt``: every planted damaged record (one entry per reject row the readers will produce), with
  file, location and reason; ``empty``: planted empty documents (skips);
- ``expected``: per source, the counts the ingest stage must report (records, documents, document
  records, rejects and skips by reason; see ``corpus.sample.truth``);
- ``planted``: the planted duplicate pairs with the level aimed at and the Jaccard measured;
- ``contamination``: the evaluation set written to ``DIR/evalsets/`` (``corpus.sample.evalset``), every
  document an item of it was planted in (``corpus.sample.contamination``: doc id, source, set, item id and
  line, ``whole`` or ``embedded``, the edit), the planted documents per source, and ``clean``: every other
  document (none holds an item, so a hit on one is a false hit). The planted documents are English, clean
  and unique, so the filters and dedup keep them for the decontaminate stage.

The same seed and size give byte-identical files, whatever ``--workers``: each task draws from its own
seeded stream (``corpus.sample.plan``).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from corpus.runtime.fs import Folder
from corpus.sample import books, news, pile, reddit, stories
from corpus.sample.contamination import make_contamination
from corpus.sample.evalset import (
    EVALSET_PATH,
    FIELDS,
    MATCH_N,
    SET_NAME,
    EvalItem,
    evalset_bytes,
    make_evalset,
)
from corpus.sample.lexicons import LANGUAGE_WEIGHTS
from corpus.sample.plan import Plant, SizeSpec, Task, assign_plants, parse_size
from corpus.sample.plants import make_plants
from corpus.sample.truth import SourceTally, TaskResult
from corpus.schema import SOURCE_NAMES

WRITERS = {"bookcorpus": books, "ccstories": stories, "ccnews": news, "pile": pile, "reddit": reddit}
GROUND_TRUTH = "ground_truth.json"
RULES = {
    "jaccard": "word 5-gram shingles: lowercase, re.findall(r'\\w+'), n-grams joined by spaces, as a set "
    "(corpus.sample.shingles); measured on the text as written",
    "exact_dup_of": "the first document (by doc id) with identical text, or the planted original",
    "accounting": "per source: records == document_records + sum(rejects) + sum(skips), counted in records",
    "reddit": "longest root-to-leaf chain by comment count, then rendered characters, then smallest id "
    "sequence; see corpus.sample.reddit",
    "contamination": "an evaluation item planted whole or in the middle of a document's prose, with an edit the "
    "decontamination word rule undoes (corpus.decontam.normalize: lowercase, punctuation deleted, whitespace "
    "split); the set's items share no 13-gram with each other, nor any 8 words in a row with generated text; "
    "'clean' lists every document without an item",
}


def generate(out: str | Path, seed: int = 1234, size: str = "small", workers: int = 0) -> dict:
    """Write the corpus under ``out`` and return its ground truth (also saved as ``out/ground_truth.json``)."""
    out = Path(out)
    spec = parse_size(size)
    tasks = [task for module in WRITERS.values() for task in module.plan(spec, seed)]
    items = make_evalset(seed)
    plants = make_plants(spec, seed) + make_contamination(spec, seed, items)
    assign_plants(tasks, plants, seed)
    _clear(out)
    evalset = evalset_bytes(items)
    Folder(str(out)).write_bytes(tuple(EVALSET_PATH.split("/")), evalset)
    results = _run(tasks, out, workers or (1 if spec.target_bytes < 50_000_000 else os.cpu_count() or 1))
    truth = merge(results, plants, seed, spec, evalsets={SET_NAME: evalset_entry(items, evalset)})
    Folder(str(out)).write_json(GROUND_TRUTH, truth)
    return truth


def _clear(out: Path) -> None:
    """Remove what an earlier run wrote (only the generator's own folders and file)."""
    (out / GROUND_TRUTH).unlink(missing_ok=True)
    for name in (*SOURCE_NAMES, EVALSET_PATH.split("/")[0]):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    out.mkdir(parents=True, exist_ok=True)


def _run_task(task: Task, root: Path) -> TaskResult:
    return WRITERS[task.source].write(task, root)


def _run(tasks: list[Task], root: Path, workers: int) -> list[TaskResult]:
    if workers <= 1 or len(tasks) == 1:
        return [_run_task(t, root) for t in tasks]
    # Largest first, so a big task does not start last; results come back in task order.
    order = sorted(range(len(tasks)), key=lambda i: -tasks[i].budget)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {i: pool.submit(_run_task, tasks[i], root) for i in order}
        return [futures[i].result() for i in range(len(tasks))]


def evalset_entry(items: list[EvalItem], data: bytes) -> dict:
    """What the ground truth says of the evaluation set written as ``data`` (a recipe's set table and more)."""
    return {
        "path": EVALSET_PATH,
        "format": "jsonl",
        "fields": list(FIELDS),
        "sha256": hashlib.sha256(data).hexdigest(),
        "items": len(items),
        "short_items": sum(item.short for item in items),
        "n": MATCH_N,
    }


def merge(
    results: list[TaskResult], plants: list[Plant], seed: int, spec: SizeSpec, evalsets: dict | None = None
) -> dict:
    """The ground truth of the whole corpus from its tasks' results."""
    tallies = {name: SourceTally() for name in SOURCE_NAMES}
    documents: dict[str, dict] = {}
    corrupt, empty, files = [], [], defaultdict(list)
    planted: dict[str, str] = {}
    hashes: dict[str, int] = {}
    text_bytes = 0
    for r in results:
        tallies[r.source].merge(r.tally)
        documents.update(r.documents)
        corrupt += r.corrupt
        empty += r.empty
        files[r.source] += r.files
        planted.update(r.planted)
        hashes.update(r.hashes)
        text_bytes += r.text_bytes
    for name, tally in tallies.items():
        if not tally.balanced():
            raise AssertionError(f"generator bug: {name} ground truth does not balance: {tally.expected()}")

    pairs = []
    for plant in plants:
        if plant.of is None:
            continue
        doc_id, original = planted[plant.key], planted[plant.of]
        entry = documents[doc_id]
        entry[f"{plant.kind}_dup_of"] = original
        entry["jaccard"] = round(plant.jaccard, 6)
        pairs.append(
            {
                "kind": plant.kind,
                "doc_id": doc_id,
                "of": original,
                "level": plant.options.get("level", 1.0),
                "jaccard": entry["jaccard"],
                "key": plant.key,
            }
        )
    _mark_exact_duplicates(documents, hashes)
    contamination = _contamination(plants, planted, documents, evalsets or {})

    return {
        "generator": "corpus.sample",
        "seed": seed,
        "size": spec.label,
        "target_bytes": spec.target_bytes,
        "text_bytes": text_bytes,
        "languages": LANGUAGE_WEIGHTS,
        "rules": RULES,
        "expected": {name: tally.expected() for name, tally in tallies.items()},
        "files": {name: sorted(paths) for name, paths in sorted(files.items())},
        "documents": dict(sorted(documents.items())),
        "corrupt": sorted(corrupt, key=lambda c: (c["source"], c["file"], c["location"])),
        "empty": sorted(empty, key=lambda c: (c["source"], c["file"], c["location"])),
        "planted": sorted(pairs, key=lambda p: p["key"]),
        "contamination": contamination,
    }


def _contamination(plants: list[Plant], planted: dict, documents: dict, evalsets: dict) -> dict:
    """The ``contamination`` section: the evaluation sets, the documents carrying an item, and the rest."""
    entries = [
        {"doc_id": planted[p.key], "source": p.source, **p.evalitem, "key": p.key}
        for p in plants
        if p.evalitem is not None
    ]
    carrying = {e["doc_id"] for e in entries}
    by_source = defaultdict(int)
    for e in entries:
        by_source[e["source"]] += 1
    clean = sorted(set(documents) - carrying)  # no item in them: any hit is a false hit
    return {
        "evalsets": evalsets,
        "plants": sorted(entries, key=lambda e: e["doc_id"]),
        "documents_by_source": dict(sorted(by_source.items())),
        "clean": clean,
    }


def _mark_exact_duplicates(documents: dict[str, dict], hashes: dict[str, int]) -> None:
    """Documents with identical text that were not planted as copies (a story posted twice) point at the
    first of their group: the planted original when there is one, else the smallest doc id."""
    groups: dict[int, list[str]] = defaultdict(list)
    for doc_id, h in hashes.items():
        groups[h].append(doc_id)
    for ids in groups.values():
        if len(ids) < 2:
            continue
        ids.sort()
        anchor = next(i for i in ids if documents[i]["exact_dup_of"] is None)
        for doc_id in ids:
            entry = documents[doc_id]
            if doc_id != anchor and entry["exact_dup_of"] is None:
                entry["exact_dup_of"] = anchor
                entry["jaccard"] = 1.0


def summary_table(truth: dict, out: Path, seconds: float) -> str:
    """The per-source table ``corpus sample`` prints."""
    rows = [
        f"{'source':11s} {'files':>6s} {'MB disk':>9s} {'records':>9s} {'documents':>10s} {'rejects':>8s} {'skips':>8s}"
    ]
    total_disk = 0
    for name, e in truth["expected"].items():
        disk = sum((out / p).stat().st_size for p in truth["files"].get(name, []))
        total_disk += disk
        rows.append(
            f"{name:11s} {e['files']:6d} {disk / 1e6:9.2f} {e['records']:9d} {e['documents']:10d} "
            f"{sum(e['rejects'].values()):8d} {sum(e['skips'].values()):8d}"
        )
    mb = truth["text_bytes"] / 1e6
    contamination = truth["contamination"]
    by_source = ", ".join(f"{s} {n}" for s, n in contamination["documents_by_source"].items())
    for name, entry in contamination["evalsets"].items():
        rows.append(
            f"evaluation set {name}: {entry['items']} items in {entry['path']}, planted in "
            f"{len(contamination['plants'])} documents ({by_source})"
        )
    rows.append(
        f"{len(truth['documents'])} documents, {len(truth['corrupt'])} planted rejects, {len(truth['planted'])} planted "
        f"duplicates; {mb:.1f} MB of text and markup ({total_disk / 1e6:.1f} MB on disk) in {seconds:.1f} s "
        f"({mb / max(seconds, 1e-9):.1f} MB/s)"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corpus sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="output folder (its five source folders are replaced)")
    parser.add_argument("--seed", type=int, default=1234, help="random seed: same seed, same bytes")
    parser.add_argument(
        "--size",
        default="small",
        help="tiny (~1.5 MB), small (~10 MB + a 20 MB document), or 100MB, 1GB, 5GB ...",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="processes (0: 1 below 50 MB, else one per CPU)"
    )
    args = parser.parse_args(argv)
    try:
        parse_size(args.size)
    except ValueError as e:
        parser.error(str(e))
    start = time.perf_counter()
    truth = generate(args.out, args.seed, args.size, args.workers)
    print(f"sample corpus (seed {args.seed}, size {args.size}) written to {args.out}")
    print(summary_table(truth, Path(args.out), time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
