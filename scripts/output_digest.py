"""Digest of everything a build produces, to check that a code change leaves the output byte-identical.

    python scripts/output_digest.py --work /tmp/digest --save before.json
    ... change the code ...
    python scripts/output_digest.py --work /tmp/digest --save after.json --compare before.json

Builds, through the user-facing commands only (``corpus sample``, ``spark-submit jobs/build_corpus.py``), the
``small`` sample corpus at seed 1234 with ``data_manifests/sample.toml`` and, when ``../shared/data`` is
there, the real samples with ``data_manifests/shared-samples.toml``. The digest holds, per build: every
shard's sha256 (manifest), the rows of ``dedup/clusters``, ``filtered/``, ``dropped/``, ``rejects/`` and
``dedup/documents`` (hashed in a canonical order), the tokenizer file's sha256, and every stats number
except timings. ``--compare`` prints each difference and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ("documents", "rejects", "filtered", "dropped", "dedup/documents", "dedup/clusters", "dedup/edges")
# Keys whose values depend on the clock or the machine, not on the data.
TIMING_WORDS = ("seconds", "elapsed", "_ms", "per_s", "finished_at", "started_at", "mb_per_s", "docs_per_s")


def run(cmd: list[str], cwd: Path) -> None:
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    print("$", " ".join(cmd), f"(in {cwd})", flush=True)
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def build(work: Path) -> dict[str, Path]:
    """Build the corpora into ``work``; return {name: OUT}."""
    work.mkdir(parents=True, exist_ok=True)
    bin_dir = Path(sys.executable).parent
    if not (work / "sample" / "ground_truth.json").exists():
        run([str(bin_dir / "corpus"), "sample", "--out", "sample", "--seed", "1234", "--size", "small"], work)
    submit = [str(bin_dir / "spark-submit"), "--master", "local[2]", "--driver-memory", "4g"]
    outs = {"sample-small-1234": work / "out-sample"}
    run([*submit, str(ROOT / "jobs/build_corpus.py"), "--recipe", str(ROOT / "data_manifests/sample.toml"),
         "--out", str(outs["sample-small-1234"]), "--force", "ingest"], work)  # fmt: skip
    if (ROOT.parent / "shared" / "data").is_dir():
        outs["shared-samples"] = work / "out-shared"
        run([*submit, "jobs/build_corpus.py", "--recipe", "data_manifests/shared-samples.toml",
             "--out", str(outs["shared-samples"]), "--force", "ingest"], ROOT)  # fmt: skip
    return outs


def dataset_digest(path: Path) -> dict:
    """Row count and sha256 of the rows in a canonical order (sorted by every column, as JSON)."""
    if not path.exists():
        return {"missing": True}
    table = ds.dataset(str(path), format="parquet", partitioning="hive").to_table()
    rows = sorted(json.dumps(r, sort_keys=True, default=str) for r in table.to_pylist())
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return {"rows": len(rows), "columns": sorted(table.column_names), "sha256": digest}


def without_timings(value):
    if isinstance(value, dict):
        return {
            k: without_timings(v) for k, v in value.items() if not any(word in k for word in TIMING_WORDS)
        }
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def digest(out: Path) -> dict:
    manifest = json.loads((out / "shards" / "manifest.json").read_text())
    shards = {
        shard["path"]: shard["sha256"] for split in manifest["splits"].values() for shard in split["shards"]
    }
    stats = {
        p.stem: without_timings(json.loads(p.read_text())) for p in sorted((out / "stats").glob("*.json"))
    }
    report = without_timings(json.loads((out / "report" / "stats.json").read_text()))
    return {
        "shards": shards,
        "datasets": {name: dataset_digest(out / name) for name in DATASETS},
        "tokenizer_sha256": hashlib.sha256((out / "tokenizer" / "tokenizer.json").read_bytes()).hexdigest(),
        "stats": stats,
        "report": report,
    }


def differences(a, b, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                found.append(f"{where}/{key}: only in {'after' if key not in a else 'before'}")
            else:
                found += differences(a[key], b[key], f"{where}/{key}")
        return found
    return [] if a == b else [f"{where}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--work", type=Path, required=True, help="folder for the sample corpus and the builds"
    )
    parser.add_argument("--save", type=Path, required=True, help="write the digest here")
    parser.add_argument("--compare", type=Path, help="a digest saved before the change")
    args = parser.parse_args(argv)
    result = {name: digest(out) for name, out in build(args.work.resolve()).items()}
    args.save.write_text(json.dumps(result, indent=1, sort_keys=True))
    for name, d in result.items():
        print(f"{name}: {len(d['shards'])} shards, " + ", ".join(
            f"{k} {v.get('rows', '-')} rows" for k, v in d["datasets"].items()))  # fmt: skip
    if args.compare is None:
        return 0
    found = differences(json.loads(args.compare.read_text()), result)
    for line in found:
        print("DIFFERENT", line)
    print(f"compared with {args.compare}: {'identical' if not found else f'{len(found)} differences'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
