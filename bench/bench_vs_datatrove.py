"""This project's build against datatrove on the same job, side by side: speed and dedup quality.

    python bench/bench_vs_datatrove.py --docs 50000 [--rounds 3] [--work /tmp/bench-vs-datatrove]
    python bench/bench_vs_datatrove.py --setup        # only create the datatrove venv (see bench/README.md)

The job, on both sides: read ``.jsonl.gz`` documents, MinHash near-dedup at Jaccard 0.95 (word 5-grams, 128
hashes in 8 bands of 16), GPT-2 byte-level BPE, an EOS after every document. The English filter is off on
both sides (datatrove's LanguageFilter needs a model from the hub); our quality filters stay on and their
drops are printed. Ours: ``spark-submit --master local[2] jobs/build_corpus.py`` (JVM start included),
which also packs 2048-token rows and writes Arrow shards and a report. Datatrove 0.10:
``bench/datatrove_job.py`` with 2 workers in its own venv (``bench/.venv-datatrove``; nothing goes into
the project's venv).

The input is generated (seeded): English prose from the sample generator in 8 ``.jsonl.gz`` files, with
planted copies for every 50 documents: one exact copy, one normalisation-only copy (CRLF line ends and
trailing blanks, or mojibake of curly quotes and accents), one near copy at a measured Jaccard in
[0.95, 0.995] and one mid copy in [0.80, 0.90] (words substituted until the 5-gram Jaccard is there).

Both sides run alternately ``--rounds`` times, each run after the 1-minute load average falls under
``--quiet-load`` (or ``--quiet-wait`` seconds pass). Printed: per run and median seconds and documents/s, the
ratio, each side's steps, and the quality table (exact and normalisation-only copies removed, near recall,
mid copies removed, unrelated documents removed). In the same run, GPT-2 ``encode_batch`` over our kept
text with 2 threads gives the tokenize limit, and our shards stage is shown against it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data"
GPT2_JSON = SHARED / "tokenizers" / "gpt2" / "gpt2.json"
DT_VENV = ROOT / "bench" / ".venv-datatrove"
DT_PACKAGES = ["datatrove[processing,io]==0.10.1", "spacy", "orjson"]
FILES = 8
KINDS = ("exact", "norm", "near", "mid")


# --- the planted input ------------------------------------------------------------------------------------


def generate(folder: Path, docs: int, seed: int) -> dict:
    """Write ``docs`` documents into ``folder``/part-*.jsonl.gz; return the ground truth (pairs by kind)."""
    from corpus.sample.neardup import near_duplicate
    from corpus.sample.noise import mojibake, with_typography
    from corpus.sample.textgen import batch_texts, language

    rng = np.random.default_rng(seed)
    groups = docs // 50
    plain = docs - 5 * groups  # each group: 1 original with a near twin, 1 with a mid twin, + 3 copies
    lengths = rng.lognormal(np.log(1700), 0.6, plain)
    texts = batch_texts(rng, ["en"] * plain, lengths)
    # Near and mid originals are long (~1,000 words) so that one substituted word moves J by < 0.01.
    long_texts = batch_texts(rng, ["en"] * (2 * groups), np.full(2 * groups, 6000.0))
    words = language("en").content_words
    records, truth = [], {kind: [] for kind in KINDS}
    for i, text in enumerate(texts):
        records.append({"id": f"doc-{i}", "text": text})
    # distinct originals: a record edited for one copy must not be the original of another
    bases = rng.choice(plain, size=2 * groups, replace=False)
    for g in range(groups):
        base = records[int(bases[2 * g])]
        records.append({"id": f"exact-{g}", "text": base["text"]})
        truth["exact"].append([base["id"], f"exact-{g}", 1.0])
        original = records[int(bases[2 * g + 1])]
        if g % 2:
            copy = "\r\n".join(line + "  " for line in original["text"].split("\n"))
        else:  # the original gets typography, the copy is its mojibake: ftfy repairs it exactly
            original["text"] = with_typography(original["text"], rng)
            copy = mojibake(original["text"])
        records.append({"id": f"norm-{g}", "text": copy})
        truth["norm"].append([original["id"], f"norm-{g}", 1.0])
        for kind, text, low, high in (
            ("near", long_texts[2 * g], 0.95, 0.995),
            ("mid", long_texts[2 * g + 1], 0.80, 0.90),
        ):
            twin, j = near_duplicate(text, float(rng.uniform(low, high)), rng, words)
            while not low <= j <= high:  # the closest edit count can land just outside: draw again
                twin, j = near_duplicate(text, float(rng.uniform(low, high)), rng, words)
            records.append({"id": f"{kind}-orig-{g}", "text": text})
            records.append({"id": f"{kind}-{g}", "text": twin})
            truth[kind].append([f"{kind}-orig-{g}", f"{kind}-{g}", round(j, 4)])
    order = rng.permutation(len(records))
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(FILES):
        with gzip.open(folder / f"part-{f:02d}.jsonl.gz", "wt", encoding="utf-8", compresslevel=6) as out:
            for k in order[f::FILES]:
                out.write(json.dumps(records[k], ensure_ascii=False) + "\n")
    text_mb = sum(len(r["text"].encode()) for r in records) / 1e6
    return {"docs": len(records), "text_mb": round(text_mb, 1), "pairs": truth}


def planted_input(work: Path, docs: int, seed: int) -> tuple[Path, dict]:
    folder = work / f"input-{docs}-{seed}"
    truth_file = folder / "truth.json"
    if not truth_file.exists():
        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        truth = generate(folder, docs, seed)
        truth_file.write_text(json.dumps(truth))
        print(
            f"generated {truth['docs']} documents, {truth['text_mb']} MB of text in {time.perf_counter() - t0:.1f} s"
        )
    return folder, json.loads(truth_file.read_text())


# --- the two contenders -----------------------------------------------------------------------------------


RECIPE = """\
name = "vs-datatrove"
seed = 1
partitions = 2

[sources.ccstories]
paths = ["{input}"]
include = ["*.jsonl.gz"]

[filter]
english = false

[dedup]
threshold = 0.95

[tokenizer]
kind = "tokenizer_json"
path = "{tokenizer}"

[pack]
seq_len = 2048
valid_fraction = 0.0
"""


def run_ours(input_dir: Path, out: Path, master: str) -> dict:
    from corpus.runtime.layout import STAGE_ORDER
    from corpus.runtime.markers import marker_parts

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    recipe = out.parent / "recipe-ours.toml"
    recipe.write_text(RECIPE.format(input=input_dir, tokenizer=GPT2_JSON))
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    command = [
        str(Path(sys.executable).with_name("spark-submit")),
        "--master", master, "--driver-memory", "4g",
        str(ROOT / "jobs" / "build_corpus.py"), "--recipe", str(recipe), "--out", str(out / "build"),
    ]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    total = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"our build failed:\n{done.stderr[-3000:]}")
    seconds = {}
    for stage in STAGE_ORDER:
        marker = (out / "build").joinpath(*marker_parts(stage))
        if marker.exists():
            seconds[stage] = json.loads(marker.read_text())["stats"]["seconds"]
    return {"total_s": round(total, 2), "seconds": seconds}


def run_datatrove(input_dir: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [
        str(DT_VENV / "bin" / "python"), str(ROOT / "bench" / "datatrove_job.py"),
        "--input", str(input_dir), "--work", str(out), "--tokenizer", str(GPT2_JSON),
    ]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    total = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"datatrove failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"total_s": round(total, 2), "seconds": result["seconds"], "tokens": result["tokens"]}


# --- scoring ------------------------------------------------------------------------------------------------


def our_survivors(out: Path) -> tuple[set[str], int]:
    """(ids after dedup, documents the quality filters dropped) of our build."""
    import pyarrow.dataset as ds

    build = out / "build"
    meta = ds.dataset(str(build / "dedup" / "documents"), format="parquet").to_table(columns=["meta"])
    ids = {json.loads(m)["id"] for m in meta.column("meta").to_pylist()}
    filtered = json.loads((build / "stats" / "filter.json").read_text())
    dropped = sum(sum(s.get("dropped", {}).values()) for s in filtered.get("sources", {}).values())
    return ids, dropped


def datatrove_survivors(out: Path, all_ids: set[str]) -> set[str]:
    removed = set()
    for path in (out / "removed").rglob("*.jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            removed.update(json.loads(line)["id"] for line in f)
    return all_ids - removed


def quality(truth: dict, survivors: set[str], all_ids: set[str]) -> dict:
    """Per kind: pairs reduced to one document; and unrelated documents lost."""
    result = {}
    for kind in KINDS:
        pairs = truth["pairs"][kind]
        result[kind] = sum(1 for a, b, _ in pairs if (a in survivors) != (b in survivors)) / len(pairs)
        result[f"{kind}_both_lost"] = sum(1 for a, b, _ in pairs if a not in survivors and b not in survivors)
    planted = {x for pairs in truth["pairs"].values() for a, b, _ in pairs for x in (a, b)}
    result["unrelated_lost"] = len((all_ids - planted) - survivors)
    return result


def all_ids(input_dir: Path) -> set[str]:
    ids = set()
    for path in sorted(input_dir.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            ids.update(json.loads(line)["id"] for line in f)
    return ids


def raw_encode_seconds(out: Path) -> tuple[float, float]:
    """(MB, best of two seconds): GPT-2 encode_batch over our kept text, 2 threads, batches of 1,000."""
    import pyarrow.dataset as ds
    from tokenizers import Tokenizer

    os.environ["RAYON_NUM_THREADS"] = "2"
    tok = Tokenizer.from_file(str(GPT2_JSON))
    texts = ds.dataset(str(out / "build" / "dedup" / "documents"), format="parquet").to_table(
        columns=["text"]
    )
    texts = texts.column("text").to_pylist()
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        for i in range(0, len(texts), 1000):
            tok.encode_batch_fast(texts[i : i + 1000])
        best = min(best, time.perf_counter() - t0)
    return sum(len(t.encode()) for t in texts) / 1e6, best


# --- the run ------------------------------------------------------------------------------------------------


def wait_quiet(load: float, limit_s: float) -> float:
    t0 = time.time()
    while os.getloadavg()[0] > load and time.time() - t0 < limit_s:
        time.sleep(5)
    return os.getloadavg()[0]


def setup_datatrove() -> None:
    if (DT_VENV / "bin" / "python").exists():
        return
    print(f"creating {DT_VENV} with {' '.join(DT_PACKAGES)} ...")
    subprocess.run([sys.executable, "-m", "venv", str(DT_VENV)], check=True)
    subprocess.run([str(DT_VENV / "bin" / "pip"), "install", "-q", *DT_PACKAGES], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", default="/tmp/bench-vs-datatrove")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--quiet-load", type=float, default=1.0)
    parser.add_argument("--quiet-wait", type=float, default=120)
    parser.add_argument("--only", choices=["ours", "datatrove"], default=None, help="run one side only")
    parser.add_argument("--setup", action="store_true", help="only create the datatrove venv")
    args = parser.parse_args(argv)
    if not GPT2_JSON.exists():
        print(f"skipped: GPT-2's tokenizer.json is not at {GPT2_JSON} (../shared/data)")
        return 0
    setup_datatrove()
    if args.setup:
        return 0

    work = Path(args.work)
    input_dir, truth = planted_input(work, args.docs, args.seed)
    ids = all_ids(input_dir)
    print(f"input: {truth['docs']} documents, {truth['text_mb']} MB of text, {FILES} .jsonl.gz files")
    runs: dict[str, list[dict]] = {"datatrove": [], "ours": []}
    sides = [s for s in ("datatrove", "ours") if args.only in (None, s)]
    for r in range(args.rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            load = wait_quiet(args.quiet_load, args.quiet_wait)
            out = work / f"run-{side}"
            result = (
                run_ours(input_dir, out, args.master) if side == "ours" else run_datatrove(input_dir, out)
            )
            result["load_before"] = round(load, 2)
            runs[side].append(result)
            print(
                f"round {r + 1} {side:9s}: {result['total_s']:8.1f} s  (load before {load:.2f})  {result['seconds']}"
            )
            sys.stdout.flush()

    print()
    medians = {}
    for side in sides:
        totals = [x["total_s"] for x in runs[side]]
        medians[side] = statistics.median(totals)
        steps = {
            k: round(statistics.median(x["seconds"].get(k, 0) for x in runs[side]), 2)
            for k in runs[side][0]["seconds"]
        }
        print(
            f"{side:9s} median {medians[side]:8.1f} s  {truth['docs'] / medians[side]:8.0f} docs/s  steps: {steps}"
        )
    if len(sides) == 2:
        print(f"ratio (datatrove s / ours s): {medians['datatrove'] / medians['ours']:.2f}x")

    print("\nquality (share of planted pairs reduced to one document):")
    rows = {}
    if "ours" in sides:
        survivors, dropped = our_survivors(work / "run-ours")
        rows["ours"] = quality(truth, survivors, ids)
        print(f"  ours: quality filters dropped {dropped} documents before dedup")
    if "datatrove" in sides:
        rows["datatrove"] = quality(truth, datatrove_survivors(work / "run-datatrove", ids), ids)
    header = ["", "exact", "norm-only", "near 0.95-0.995", "mid 0.80-0.90 (want 0)", "unrelated lost"]
    print("  " + " | ".join(f"{h:>22s}" for h in header))
    for side, q in rows.items():
        cells = [
            side,
            f"{q['exact']:.4f}",
            f"{q['norm']:.4f}",
            f"{q['near']:.4f}",
            f"{q['mid']:.4f}",
            str(q["unrelated_lost"]),
        ]
        print("  " + " | ".join(f"{c:>22s}" for c in cells))

    if "ours" in sides:
        mb, raw_s = raw_encode_seconds(work / "run-ours")
        shards_s = statistics.median(x["seconds"]["shards"] for x in runs["ours"])
        print(
            f"\ntokenize limit: encode_batch of our kept text ({mb:.1f} MB, 2 threads) {raw_s:.1f} s; "
            f"our shards stage {shards_s:.1f} s = {shards_s / raw_s:.2f}x of it; "
            f"our whole command {medians['ours']:.1f} s = {medians['ours'] / raw_s:.2f}x of it"
        )
    (work / f"result-{args.docs}.json").write_text(json.dumps({"runs": runs, "quality": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
