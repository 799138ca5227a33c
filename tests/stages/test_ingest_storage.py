"""Inputs on object storage and awkward paths, read by the real ingest stage in local Spark.

The S3 test runs moto's S3-compatible server on 127.0.0.1 (started and stopped here) and reads every
source kind from ``s3://`` through ``pyarrow.fs.S3FileSystem``; OUT stays local (Spark's own ``s3a://``
needs the hadoop-aws jars, which this project does not ship).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from corpus.config import recipe_from_dict
from corpus.runtime.runner import run_stage
from jobs.ingest import IngestJob

pytestmark = pytest.mark.spark

SOURCES = {
    "bookcorpus": ["*.txt", "*.txt.gz", "*.txt.zst", "*.jsonl"],
    "ccstories": ["*.txt", "*.jsonl", "*.jsonl.zst"],
    "ccnews": ["*.warc.gz"],
    "pile": ["*.jsonl.zst"],
    "reddit": ["RC_*", "RS_*"],
}
ODD_ROOT = "c4 dir [1] #x ?y %20 café 日本"  # a source folder name with URI syntax in it
ODD_BOOK = "my book — café 日本語 #2 ?v %41.txt"


def recipe(root_of) -> object:
    sources = {
        name: {"paths": [root_of(name)], "include": include, "html_extractor": "resiliparse"}
        for name, include in SOURCES.items()
    }
    return recipe_from_dict({"name": "storage", "sources": sources, "partitions": 2})


@pytest.fixture(scope="module")
def odd_sample(tmp_path_factory) -> Path:
    """The tiny sample corpus under a folder whose name and one book's name look like URI syntax."""
    from corpus.sample.generate import main as sample_main

    base = tmp_path_factory.mktemp("storage")
    assert sample_main(["--out", str(base / "gen"), "--seed", "5", "--size", "tiny"]) == 0
    root = base / ODD_ROOT
    shutil.copytree(base / "gen", root)
    (root / "bookcorpus" / ODD_BOOK).write_text("Chapter text of the odd book, " * 40 + "the end.\n")
    return root


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"endpoint_override=http://{host}:{port}&region=us-east-1"
    server.stop()


def documents(out: Path) -> dict[str, str]:
    table = ds.dataset(str(out / "documents"), format="parquet", partitioning="hive").to_table()
    return dict(zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist(), strict=True))


def comparable(stats: dict) -> dict:
    """Per-source ingest numbers without the timing-dependent ones."""
    timing = {"read_ms", "docs_per_s_per_core", "mb_per_s_per_core"}
    return {s: {k: v for k, v in n.items() if k not in timing} for s, n in stats["sources"].items()}


@pytest.fixture(scope="module")
def local_ingest(spark, odd_sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("local-out")
    stats = run_stage(spark, recipe(lambda name: str(odd_sample / name)), str(out), "ingest")
    return out, stats


def test_odd_names_in_roots_and_files_are_ingested_as_themselves(local_ingest, odd_sample):
    out, stats = local_ingest
    docs = documents(out)
    odd = [text for doc_id, text in docs.items() if ODD_BOOK in doc_id]
    assert odd == [(odd_sample / "bookcorpus" / ODD_BOOK).read_text().strip()]
    assert stats["sources"]["bookcorpus"]["files"] == sum(
        1 for p in (odd_sample / "bookcorpus").rglob("*") if p.is_file()
    )
    assert all(s["balanced"] for s in stats["sources"].values())


def test_every_source_reads_the_same_from_s3(spark, s3_server, odd_sample, local_ingest, tmp_path):
    import boto3

    # Uploaded with boto3: moto keeps the chunk framing of pyarrow's streaming uploads in the object.
    endpoint = s3_server.split("&")[0].removeprefix("endpoint_override=")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="key",
        aws_secret_access_key="secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="corpus-in")
    for path in sorted(p for p in odd_sample.rglob("*") if p.is_file()):
        key = f"{ODD_ROOT}/{path.relative_to(odd_sample).as_posix()}"
        client.put_object(Bucket="corpus-in", Key=key, Body=path.read_bytes())
    credentials_and_bucket = "key:secret@corpus-in"

    out = tmp_path / "out"
    stats = run_stage(
        spark,
        recipe(lambda name: f"s3://{credentials_and_bucket}/{ODD_ROOT}/{name}?{s3_server}"),
        str(out),
        "ingest",
    )
    local_out, local_stats = local_ingest
    assert comparable(stats) == comparable(local_stats)
    assert documents(out) == documents(local_out)
    source_files = [p for name in SOURCES for p in (odd_sample / name).rglob("*") if p.is_file()]
    assert sum(s["files"] for s in stats["sources"].values()) == len(source_files)


def test_missing_inputs_are_a_one_line_error(spark, tmp_path, capsys):
    recipe_file = tmp_path / "recipe.toml"
    recipe_file.write_text(f'name = "r"\n[sources.pile]\npaths = ["{tmp_path}/nowhere"]\n')
    assert IngestJob().main(["--recipe", str(recipe_file), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: source 'pile': input path {tmp_path}/nowhere does not exist"]

    (tmp_path / "empty").mkdir()
    recipe_file.write_text(f'name = "r"\n[sources.pile]\npaths = ["{tmp_path}/empty"]\ninclude = ["*.zst"]\n')
    assert IngestJob().main(["--recipe", str(recipe_file), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: source 'pile': no file under ['{tmp_path}/empty'] matches ['*.zst']"]
    assert not (tmp_path / "out" / "_lock.json").exists()  # the lock is released on the error path
