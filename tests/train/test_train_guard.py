"""OPT's logbook lessons: LR/clip overrides at restart win over the checkpoint, the loss-spike guard
skips or rolls back, and every intervention lands in RUN/logbook.jsonl. One process, in this process."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from tests._train_helpers import make_shards, one_thread, records, train_here, write_config
from train.checkpoint import list_checkpoints
from train.distributed import close_distributed, init_distributed
from train.logbook import read_logbook
from train.schedule import lr_at
from train.trainer import Trainer, TrainingError

CONFIG = {
    "model": {"preset": "tiny"},
    "optim": {"lr": 3e-3, "warmup_steps": 2},
    "train": {"steps": 20, "batch_tokens": 8 * 33, "micro_batch_rows": 4},
    "eval": {"interval": 0, "rows": 8},
    "checkpoint": {"interval": 5, "keep": 3},
    "spike": {"min_history": 5, "window": 10},
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A run stopped after step 10 (checkpoints 5 and 10); each test resumes a copy of it."""
    root = tmp_path_factory.mktemp("guard")
    shards = make_shards(root / "shards")
    cfg = write_config(root / "c.toml", **CONFIG)
    with one_thread():
        train_here("--config", str(cfg), "--data", str(shards), "--out", str(root / "run"), "--until", "10")
    return root / "run"


@pytest.fixture
def run(base, tmp_path):
    return shutil.copytree(base, tmp_path / "run")


def test_overrides_win_over_the_checkpoint_and_are_logged(run):
    ckpt = list_checkpoints(run / "ckpt")[-1][1]
    env = init_distributed("cpu")
    try:
        overrides = {"optim.lr": 1e-3, "optim.clip": 0.5, "optim.weight_decay": 0.0, "optim.beta2": 0.99}
        trainer = Trainer(None, run, env, resume_from=ckpt, cli_overrides=overrides)
        group = trainer.optimizer.param_groups[0]
        # the optimizer state was saved with wd 0.1 and betas (0.9, 0.95): the config must win
        assert (group["weight_decay"], group["betas"]) == (0.0, (0.9, 0.99))
        assert trainer.optimizer.state[trainer.params[0]]["step"].item() == 10  # Adam moments did come back
        assert trainer.step == 10 and trainer.cfg.optim.clip == 0.5
        with one_thread():
            result = trainer.train_step()
        assert result.lr == pytest.approx(lr_at(10, 1e-3, 2, 20)) and group["lr"] == result.lr
    finally:
        close_distributed()
    overrides_logged = {r["key"]: [r["old"], r["new"]] for r in records(run, "override")}
    assert overrides_logged == {
        "optim.lr": [3e-3, 1e-3],
        "optim.clip": [1.0, 0.5],
        "optim.weight_decay": [0.1, 0.0],
        "optim.beta2": [0.95, 0.99],
    }
    assert records(run, "resume")[-1]["step"] == 10


def test_lr_override_through_the_command_line(run):
    with one_thread():
        train_here("--out", str(run), "--lr", "1e-3", "--clip", "0.5", "--until", "12")
    steps = {r["step"]: r for r in records(run, "step")}
    assert steps[11]["lr"] == pytest.approx(lr_at(10, 1e-3, 2, 20))  # not lr_at(10, 3e-3, ...)
    assert steps[10]["lr"] == pytest.approx(lr_at(9, 3e-3, 2, 20))
    assert [(r["key"], r["new"]) for r in records(run, "override")] == [
        ("optim.clip", 0.5),
        ("optim.lr", 1e-3),
    ]


def test_spike_guard_skips_batches_then_stops(run):
    # A ruinous LR at restart: step 11's update wrecks the weights, step 12 onwards spike.
    with one_thread(), pytest.raises(TrainingError, match="4 loss spikes in a row at step 15"):
        train_here("--out", str(run), "--lr", "3.0", "--set", "spike.max_consecutive_skips=3")
    skips = records(run, "skip")
    assert [r["step"] for r in skips] == [12, 13, 14, 15]
    assert all(r["loss"] > 1.5 * r["average"] for r in skips)
    steps = {r["step"]: r for r in records(run, "step")}
    assert steps[11]["outcome"] == "applied" and all(steps[s]["outcome"] == "spike" for s in (12, 13, 14))
    # skipped batches do not touch the weights
    assert (
        steps[11]["param_norm"]
        == steps[12]["param_norm"]
        == steps[13]["param_norm"]
        == steps[14]["param_norm"]
    )
    errors = records(run, "error")
    assert len(errors) == 1 and "loss spikes in a row" in errors[0]["error"]


def test_spike_guard_rolls_back_with_lower_lr_and_finishes(run):
    with one_thread():
        train_here(
            "--out",
            str(run),
            "--lr",
            "3.0",
            "--set",
            "spike.action=rollback",
            "--set",
            "spike.rollback_lr_factor=0.001",
        )
    rollbacks = records(run, "rollback")
    assert len(rollbacks) == 1
    rb = rollbacks[0]
    assert (rb["step"], rb["to_step"], rb["lr_scale"]) == (12, 10, 0.001) and rb["to"].endswith(
        "step-00000010"
    )
    log = read_logbook(run / "logbook.jsonl")
    after = [r for r in log[log.index(rb) :] if r["event"] == "step"]
    steps = [r["step"] for r in records(run, "step")]
    assert steps == list(range(1, 12)) + list(range(11, 21))  # the spike (12) is in the rollback record
    assert after[-1]["step"] == 20 and after[-1]["lr"] == pytest.approx(0.001 * lr_at(19, 3.0, 2, 20))
    before = {r["step"]: r["loss"] for r in records(run, "step")[:10]}
    assert all(math.isfinite(r["loss"]) and r["loss"] < before[10] * 1.2 for r in after)
    assert records(run, "end")[-1]["finished"] is True
    assert [s for s, _ in list_checkpoints(run / "ckpt")] == [10, 15, 20]


def test_rollback_limit_stops_the_run(run):
    with one_thread(), pytest.raises(TrainingError, match="after 2 rollbacks; stopping"):
        train_here(
            "--out",
            str(run),
            "--lr",
            "3.0",
            "--set",
            "spike.action=rollback",
            "--set",
            "spike.rollback_lr_factor=0.9",
            "--set",
            "spike.max_rollbacks=2",
        )
    rollbacks = records(run, "rollback")
    # the second spike comes before the run got past the first: go one checkpoint further back
    assert [(r["step"], r["to_step"]) for r in rollbacks] == [(12, 10), (12, 5)]
    assert rollbacks[1]["lr_scale"] == pytest.approx(0.81)
    assert [s for s, _ in list_checkpoints(run / "ckpt")] == [5]  # 10 moved to ckpt/abandoned/
    assert len(list((run / "ckpt" / "abandoned").iterdir())) == 1


def test_fp16_dynamic_loss_scaling_skips_overflows_and_recovers(base, tmp_path):
    # OPT trained in fp16 with dynamic loss scaling. A scale of 2^22 overflows fp16 gradients at first:
    # those steps are not applied, each halves the scale, then training proceeds.
    run = tmp_path / "fp16"
    with one_thread():
        train_here(
            "--config",
            str(base.parent / "c.toml"),
            "--data",
            str(base.parent / "shards"),
            "--out",
            str(run),
            "--set",
            "train.precision='fp16'",
            "--set",
            "train.loss_scale=4194304.0",
            "--set",
            "train.steps=8",
        )
    steps = records(run, "step")
    outcomes = [r["outcome"] for r in steps]
    n_over = outcomes.index("applied")
    assert n_over >= 1 and outcomes == ["overflow"] * n_over + ["applied"] * (8 - n_over) and 8 - n_over >= 3
    assert len({r["param_norm"] for r in steps[:n_over]}) == 1  # no update while overflowing
    assert steps[-1]["loss"] < steps[n_over]["loss"]
    state = json.loads((list_checkpoints(run / "ckpt")[-1][1] / "train_state.json").read_text())
    assert state["scaler"] == {"scale": 4194304.0 / 2**n_over, "good_steps": 8 - n_over}
    assert records(run, "start")[0]["precision"] == "fp16"
