"""The whole build: in-process, killed and resumed under spark-submit, and on a real standalone cluster.

All three must produce byte-identical shards (same sha256 for every shard in the manifest), which also
checks determinism across partition counts (2 in-process, 16 on the cluster) and executors.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from corpus.config import load_recipe
from corpus.runtime.runner import run_build
from corpus.tokens.shard_format import read_manifest, sha256_file
from corpus.tomlconfig import dump_toml
from tests.spark_cluster import standalone_cluster

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def write_recipe(sample_dir: Path, path: Path, partitions: int = 2) -> Path:
    """sample.toml pointed at ``sample_dir``, with rows short enough that the tiny corpus fills many."""
    data = tomllib.loads((ROOT / "data_manifests" / "sample.toml").read_text())
    for name, source in data["sources"].items():
        source["paths"] = [str(sample_dir / name)]
    for evalset in data["decontaminate"]["sets"]:
        evalset["path"] = str(sample_dir / evalset["path"].removeprefix("sample/"))
    data["partitions"] = partitions
    data["pack"].update(seq_len=256, groups=8)
    data["tokenizer"]["vocab_size"] = 2048
    path.write_text(dump_toml(data))
    recipe = load_recipe(path)  # every edit took: none can silently do nothing
    assert (recipe.partitions, recipe.pack.seq_len, recipe.pack.groups) == (partitions, 256, 8)
    assert recipe.tokenizer.vocab_size == 2048
    assert all(s.paths == (str(sample_dir / n),) for n, s in recipe.sources.items())
    assert all(Path(s.path).is_file() for s in recipe.decontaminate.sets) and recipe.decontaminate.sets
    return path


def shard_digests(out: Path) -> dict[str, str]:
    manifest = read_manifest(out / "shards")
    digests = {}
    for split in manifest["splits"].values():
        for shard in split["shards"]:
            assert sha256_file(out / "shards" / shard["path"]) == shard["sha256"], shard["path"]
            digests[shard["path"]] = shard["sha256"]
    return digests


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    from corpus.sample.generate import main as sample_main

    out = tmp_path_factory.mktemp("build-sample")
    assert sample_main(["--out", str(out), "--seed", "11", "--size", "tiny"]) == 0
    return out


@pytest.fixture(scope="module")
def reference(spark, sample_dir, tmp_path_factory):
    """The build run in-process on the shared local[2] session: the reference every other run must match."""
    work = tmp_path_factory.mktemp("build-ref")
    recipe = load_recipe(write_recipe(sample_dir, work / "recipe.toml"))
    results = run_build(spark, recipe, str(work / "out"))
    return work / "out", results


def spark_submit(args: list[str], **kwargs) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "OMP_NUM_THREADS": "1",
    }
    return subprocess.Popen(
        ["spark-submit", "--driver-memory", "2g", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def test_reference_build_is_complete_and_accounted(reference):
    out, results = reference
    assert [name for name, r in results.items() if r["skipped"]] == []
    manifest = read_manifest(out / "shards")
    train = manifest["splits"]["train"]
    assert train["rows"] > 0 and train["tokens"] == train["rows"] * 256
    assert set(manifest["splits"]) >= {"train", "valid"}
    assert any(name.startswith("valid/") for name in manifest["splits"])
    shard_digests(out)  # every shard matches its manifest sha256
    report = json.loads((out / "report" / "stats.json").read_text())
    assert set(report["sources"]) == {"bookcorpus", "ccstories", "ccnews", "pile", "reddit"}
    for source, entry in report["sources"].items():
        assert entry["accounting"]["status"] == "ok", (source, entry["accounting"])


def test_reference_build_finds_the_planted_contamination(reference, sample_dir):
    """Every planted evaluation item is found (recall 1.0) and no unplanted document is hit."""
    out, _ = reference
    truth = json.loads((sample_dir / "ground_truth.json").read_text())["contamination"]
    plants = truth["plants"]
    stats = json.loads((out / "stats" / "decontaminate.json").read_text())
    found = stats["sets"]["sample_qa"]
    assert found["documents_hit"] == stats["documents_hit"] == len(plants)
    assert found["items_hit"] == len({p["item"] for p in plants})
    by_source = {}
    for plant in plants:
        by_source[plant["source"]] = by_source.get(plant["source"], 0) + 1
    assert {
        name: s["documents_hit"] for name, s in found["by_source"].items() if s["documents_hit"]
    } == by_source
    manifest = read_manifest(out / "shards")
    (cleaned,) = manifest["decontaminated_against"]
    assert (cleaned["name"], cleaned["sha256"]) == ("sample_qa", truth["evalsets"]["sample_qa"]["sha256"])


def test_rerun_skips_every_finished_stage(spark, reference, sample_dir):
    out, _ = reference
    before = shard_digests(out)
    recipe = load_recipe(out.parent / "recipe.toml")
    results = run_build(spark, recipe, str(out))
    assert all(r["skipped"] for r in results.values())
    assert shard_digests(out) == before


def test_killed_build_resumes_with_identical_shards(reference, tmp_path):
    ref_out, _ = reference
    out = tmp_path / "out"
    args = [
        "--master",
        "local[2]",
        "jobs/build_corpus.py",
        "--recipe",
        str(ref_out.parent / "recipe.toml"),
        "--out",
        str(out),
    ]
    proc = spark_submit(args)
    while not (out / "_lock.json").exists():
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.2)
    second = spark_submit(args)  # a second build into the same OUT is refused at once, naming the first
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 2, output
    holder = json.loads((out / "_lock.json").read_text())
    assert f"error: {out} is in use by another build: pid {holder['pid']}" in output
    marker = out / "_stages" / "filter.json"
    deadline = time.time() + 600
    while not marker.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.time() < deadline, "the build did not finish its filter stage in time"
        time.sleep(0.5)
    time.sleep(2)  # well inside the dedup stage
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "_stages" / "shards.json").exists()
    assert not (out / "shards" / "manifest.json").exists()

    proc = spark_submit(args)
    output, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, output
    assert f"taking over the stale lock {out}/_lock.json" in output  # the killed build's
    assert "ingest" in output and "skipped (done)" in output
    assert shard_digests(out) == shard_digests(ref_out)
    assert not (out / "_lock.json").exists()


def test_out_given_as_a_file_uri_from_another_directory(spark, reference, tmp_path, monkeypatch):
    """Markers, stats, tokenizer, manifest and report all land in OUT (not in a folder named 'file:' under
    the working directory), and a rerun finds them."""
    ref_out, _ = reference
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "out as uri"
    recipe = load_recipe(ref_out.parent / "recipe.toml")
    run_build(spark, recipe, f"file://{out}")
    assert list(elsewhere.iterdir()) == []
    for stage in ("ingest", "filter", "dedup", "decontaminate", "tokenize", "shards", "report"):
        assert (out / "_stages" / f"{stage}.json").exists(), stage
    assert (out / "stats" / "dedup.json").exists() and (out / "report" / "report.html").exists()
    assert (out / "tokenizer" / "tokenizer.json").exists()
    assert shard_digests(out) == shard_digests(ref_out)
    assert all(r["skipped"] for r in run_build(spark, recipe, f"file://{out}").values())


@pytest.mark.cluster
def test_standalone_cluster_build_matches_local(reference, tmp_path):
    ref_out, _ = reference
    out = tmp_path / "out"
    with standalone_cluster(tmp_path / "cluster", cores=2, memory="2g") as master:
        proc = spark_submit(
            [
                "--master",
                master,
                "--executor-memory",
                "1g",
                "jobs/build_corpus.py",
                "--recipe",
                str(ref_out.parent / "recipe.toml"),
                "--out",
                str(out),
                "--partitions",
                "16",
            ]
        )
        output, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, output
    assert shard_digests(out) == shard_digests(ref_out)
