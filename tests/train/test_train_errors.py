"""Bad input stops the trainer before any step, with a message that names the file, key or number."""

from __future__ import annotations

import json
import shutil

import pytest

from tests._train_helpers import make_shards, one_thread, train_here, write_config
from train.checkpoint import CheckpointError, list_checkpoints
from train.config import ConfigError
from train.data import DataError

CONFIG = {
    "model": {"preset": "tiny"},
    "train": {"steps": 4, "batch_tokens": 4 * 33, "micro_batch_rows": 2},
    "eval": {"interval": 0, "rows": 4},
    "checkpoint": {"interval": 2},
}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """Shards, a config, and a run with checkpoints at steps 2 and 4."""
    root = tmp_path_factory.mktemp("errors")
    shards = make_shards(root / "shards", train_rows=32, valid_rows={"pile": 4})
    cfg = write_config(root / "c.toml", **CONFIG)
    with one_thread():
        train_here("--config", str(cfg), "--data", str(shards), "--out", str(root / "run"))
    return shards, cfg, root / "run"


@pytest.fixture
def shards(good, tmp_path):
    return shutil.copytree(good[0], tmp_path / "shards")


def start(cfg, shards, tmp_path, *extra):
    with one_thread():
        return train_here("--config", str(cfg), "--data", str(shards), "--out", str(tmp_path / "new"), *extra)


def test_missing_shard(good, shards, tmp_path):
    (shards / "train" / "part-00000.arrow").unlink()
    with pytest.raises(
        DataError, match=r"shard .*train/part-00000.arrow is listed in .*manifest.json but missing"
    ):
        start(good[1], shards, tmp_path)


def test_manifest_rows_mismatch(good, shards, tmp_path):
    manifest = json.loads((shards / "manifest.json").read_text())
    manifest["splits"]["valid/pile"]["shards"][0]["rows"] = 5
    (shards / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"valid/pile/part-00000.arrow: 4 rows, manifest.json says 5"):
        start(good[1], shards, tmp_path)


def test_shard_that_is_not_arrow(good, shards, tmp_path):
    (shards / "train" / "part-00000.arrow").write_bytes(b"not an arrow file")
    with pytest.raises(DataError, match=r"part-00000.arrow: sha256 differs"):
        start(good[1], shards, tmp_path)  # the default check finds it first
    with pytest.raises(DataError, match=r"part-00000.arrow cannot be read as an Arrow IPC file"):
        start(good[1], shards, tmp_path / "b", "--set", "data.verify='none'")


def test_sha256_verification_catches_a_changed_shard(good, shards, tmp_path):
    manifest = json.loads((shards / "manifest.json").read_text())
    manifest["splits"]["train"]["shards"][0]["sha256"] = "0" * 64
    (shards / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"train/part-00000.arrow: sha256 differs"):
        start(good[1], shards, tmp_path)  # the default
    start(good[1], shards, tmp_path / "b", "--until", "1", "--set", "data.verify='none'")  # opted out


def test_no_manifest(good, tmp_path):
    with pytest.raises(DataError, match="has no manifest.json"):
        start(good[1], tmp_path, tmp_path)


def test_vocabulary_too_small_for_the_tokenizer(good, tmp_path):
    with pytest.raises(
        DataError, match=r"tokenizer/vocabulary mismatch: .* use 512 token ids but model.vocab_size is 256"
    ):
        start(good[1], good[0], tmp_path, "--set", "model.vocab_size=256")


def test_token_ids_beyond_the_manifest_vocabulary(tmp_path, good):
    # a manifest that under-reports its vocabulary: the first batch finds the out-of-range ids
    shards = make_shards(tmp_path / "shards", vocab=512, train_rows=32)
    manifest = json.loads((shards / "manifest.json").read_text())
    manifest["vocab_size"] = 100
    (shards / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(
        DataError,
        match=r"valid/part-00000.arrow row 0: token id \d+ at position \d+ does not fit the model's vocabulary of 104",
    ):
        start(good[1], shards, tmp_path)


def test_resume_on_shards_of_another_tokenizer(good, tmp_path):
    run = shutil.copytree(good[2], tmp_path / "run")
    other = make_shards(tmp_path / "other", train_rows=32)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["tokenizer"]["sha256"] = "another-tokenizer"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with one_thread(), pytest.raises(DataError, match="tokenizer/data mismatch: checkpoint .*step-00000004"):
        train_here("--out", str(run), "--data", str(other), "--set", "train.steps=6")


def test_corrupt_checkpoint_is_named(good, tmp_path):
    run = shutil.copytree(good[2], tmp_path / "run")
    ckpt = list_checkpoints(run / "ckpt")[-1][1]
    shard = ckpt / "__0_0.distcp"
    shard.write_bytes(shard.read_bytes()[:100])
    with (
        one_thread(),
        pytest.raises(CheckpointError, match=r"step-00000004 is corrupt: __0_0.distcp has 100 bytes"),
    ):
        train_here("--out", str(run), "--set", "train.steps=6")
    shard.write_bytes(b"\0" * 100)  # restored to the recorded size: now DCP itself must fail, and say where
    state = json.loads((ckpt / "train_state.json").read_text())
    state["files"]["__0_0.distcp"] = 100
    (ckpt / "train_state.json").write_text(json.dumps(state))
    with one_thread(), pytest.raises(CheckpointError, match=r"checkpoint .*step-00000004 cannot be loaded"):
        train_here("--out", str(run), "--set", "train.steps=6")
    (ckpt / "train_state.json").unlink()
    with (
        one_thread(),
        pytest.raises(CheckpointError, match="step-00000004 has no train_state.json: it is incomplete"),
    ):
        train_here("--out", str(run), "--resume", str(ckpt))


def test_resumed_run_cannot_change_the_model(good, tmp_path):
    run = shutil.copytree(good[2], tmp_path / "run")
    with one_thread(), pytest.raises(ConfigError, match="'model.dropout' changed from None to 0.0"):
        train_here("--out", str(run), "--set", "model.dropout=0.0")


def test_config_errors_name_the_key(good, tmp_path):
    with pytest.raises(ConfigError, match="'spike.factr' is not known"):
        start(good[1], good[0], tmp_path, "--set", "spike.factr=2.0")
    with pytest.raises(ConfigError, match="train.batch_tokens 100 is not a multiple of the rows' 33 tokens"):
        start(good[1], good[0], tmp_path, "--set", "train.batch_tokens=100")
    with pytest.raises(ConfigError, match="already has checkpoints"):
        train_here("--config", str(good[1]), "--out", str(good[2]), "--resume", "none")
    with pytest.raises(ConfigError, match="--config is required for a new run"):
        train_here("--out", str(tmp_path / "fresh"))


def test_empty_valid_source_split_is_skipped_not_fatal(tmp_path):
    """A small source's held-out documents can all land in a packing tail: its valid/<source> split then
    has no rows. Training evaluates the other splits; naming the empty split explicitly is still an error."""
    shards = make_shards(tmp_path / "shards", train_rows=32, valid_rows={"pile": 4, "bookcorpus": 0})
    cfg = write_config(tmp_path / "c.toml", **{**CONFIG, "eval": {"interval": 2, "rows": 4}})
    with one_thread():
        assert train_here("--config", str(cfg), "--data", str(shards), "--out", str(tmp_path / "run")) == 0
    from train.logbook import read_logbook

    evals = [r for r in read_logbook(tmp_path / "run" / "logbook.jsonl") if r["event"] == "eval"]
    assert evals and all("valid/bookcorpus" not in json.dumps(r) for r in evals)
    assert any("valid/pile" in json.dumps(r) for r in evals)
    bad = write_config(
        tmp_path / "bad.toml",
        **{**CONFIG, "eval": {"interval": 2, "rows": 4, "splits": ["valid/bookcorpus"]}},
    )
    with pytest.raises(DataError, match="has no rows"), one_thread():
        train_here("--config", str(bad), "--data", str(shards), "--out", str(tmp_path / "run2"))
