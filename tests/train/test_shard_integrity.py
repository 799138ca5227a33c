"""Shards whose bytes are not the manifest's stop the trainer before any step, naming the shard.

The shards are real Arrow files written by ``corpus/tokens/shard_format.py``; a changed shard is rewritten with the
same writer (same size and layout, 32 token ids changed in the middle, all inside the vocabulary) and the
manifest is left as the build wrote it.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from corpus.tokens.shard_format import read_shard, sha256_file, shard_bytes, write_shard
from tests._train_helpers import make_shards, one_thread, records, torchrun_all, train_here, write_config
from train.config import ConfigError, config_from_dict
from train.data import DataError, ShardSet, TrainLoader, eval_batches, open_manifest

CONFIG = {  # the defaults everywhere except size: data.verify is not set
    "model": {"preset": "tiny"},
    "train": {"steps": 2, "batch_tokens": 8 * 33, "micro_batch_rows": 4},
    "eval": {"interval": 0, "rows": 4},
    "checkpoint": {"interval": 2},
}
SHARD = "train/part-00001.arrow"


def change_32_ids(path, vocab: int) -> tuple[str, str]:
    """Rewrite a shard with 32 ids in its middle rows changed (still < vocab); returns (old, new) sha256."""
    rows = read_shard(path).copy()
    flat = rows.reshape(-1)
    middle = flat.size // 2
    flat[middle - 16 : middle + 16] = (flat[middle - 16 : middle + 16].astype(np.int64) + 7) % (vocab - 4) + 4
    before = sha256_file(path)
    data = shard_bytes(rows, str(rows.dtype))
    assert data.size == path.stat().st_size  # same layout: only token bytes differ
    path.write_bytes(data.to_pybytes())
    return before, sha256_file(path)


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    root = tmp_path_factory.mktemp("integrity")
    shards = make_shards(root / "shards", train_rows=32, rows_per_shard=16, valid_rows={"pile": 4})
    expected, actual = change_32_ids(shards / SHARD, vocab=512)
    assert expected != actual
    return shards, write_config(root / "c.toml", **CONFIG), expected, actual


def test_changed_shard_stops_the_default_config_naming_it(changed, tmp_path, capsys):
    shards, cfg, expected, actual = changed
    pattern = rf"shard .*{re.escape(SHARD)}: sha256 differs .*expected {expected}.*file has {actual}"
    with one_thread(), pytest.raises(DataError, match=pattern):
        train_here("--config", str(cfg), "--data", str(shards), "--out", str(tmp_path / "run"))
    assert not records(tmp_path / "run", "step")  # stopped before any step
    assert "data.verify = 'sha256'" in capsys.readouterr().out  # the mode in use is said
    _, manifest = open_manifest(shards)
    with pytest.raises(DataError, match=pattern):  # the loader's own default checks too
        ShardSet(shards, manifest, "train")


def test_opting_out_still_trains(changed, tmp_path, capsys):
    shards, cfg, _, _ = changed
    with one_thread():
        code = train_here(
            "--config",
            str(cfg),
            "--data",
            str(shards),
            "--out",
            str(tmp_path / "run"),
            "--set",
            "data.verify='none'",
        )
    assert code == 0 and [r["step"] for r in records(tmp_path / "run", "step")] == [1, 2]
    assert "data.verify = 'none'" in capsys.readouterr().out
    assert records(tmp_path / "run", "start")[0]["data_verify"]["mode"] == "none"


@pytest.mark.distributed
def test_a_mismatch_found_by_one_rank_stops_every_rank(changed, tmp_path):
    """Two processes share the hashing, so only one finds the changed shard: both must stop (no hang)."""
    shards, cfg, expected, _ = changed
    with pytest.raises(AssertionError) as failure:
        torchrun_all(
            [(2, ["--config", str(cfg), "--data", str(shards), "--out", str(tmp_path / "run")])], timeout=90
        )
    text = str(failure.value)
    lines = [x for x in text.splitlines() if x.startswith("error: ") and SHARD in x and expected in x]
    assert len(lines) == 2, text  # each rank's own "error: ..." line names the shard
    assert not records(tmp_path / "run", "step")


def test_out_of_vocabulary_id_names_shard_and_row(tmp_path):
    shards = make_shards(tmp_path / "shards", train_rows=32, rows_per_shard=16, valid_rows={"pile": 4})
    manifest_path = shards / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for split, rel in (("train", SHARD), ("valid/pile", "valid/pile/part-00000.arrow")):
        rows = read_shard(shards / rel).copy()
        rows[3, 10] = 600  # the manifest's vocabulary (and the model's) is 512
        entry = next(e for e in manifest["splits"][split]["shards"] if e["path"] == rel)
        entry.update(write_shard(shards / rel, rows, str(rows.dtype)))  # the manifest agrees: sha256 passes
    manifest_path.write_text(json.dumps(manifest))
    _, manifest = open_manifest(shards)

    train = ShardSet(shards, manifest, "train")
    loader = TrainLoader(train, 32, 4, 0, 1, seed=0, vocab_size=512)  # one batch holds every row
    with pytest.raises(DataError) as err:
        loader.next_batch()
    msg = str(err.value)
    assert re.search(rf"shard .*{re.escape(SHARD)} row 3: token id 600 at position 10", msg), msg
    assert "row 19 of split 'train'" in msg and "another tokenizer" not in msg

    valid = ShardSet(shards, manifest, "valid/pile")
    with pytest.raises(DataError, match=r"valid/pile/part-00000.arrow row 3: token id 600 at position 10"):
        eval_batches(valid, 4, 4, 0, 1, vocab_size=512)


def test_verify_modes():
    assert config_from_dict({}).data.verify == "sha256"  # the default checks
    # "rows", the old default, held by older configs and checkpoints: they are hashed now
    assert config_from_dict({"data": {"verify": "rows"}}).data.verify == "sha256"
    with pytest.raises(ConfigError, match="data.verify must be 'sha256' or 'none', not 'size'"):
        config_from_dict({"data": {"verify": "size"}})
