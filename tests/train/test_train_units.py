"""Trainer parts without processes: config loading, LR schedule, data order and striding, spike guard."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests._train_helpers import make_shards, write_config
from train.config import ConfigError, apply_overrides, config_from_dict, diff, load_config, parse_override
from train.data import DataError, ShardSet, TrainLoader, eval_batches, open_manifest
from train.guard import LossScaler, SpikeGuard
from train.schedule import lr_at

CONFIGS = Path(__file__).resolve().parents[2] / "train" / "configs"


# ---- config -------------------------------------------------------------------------------------------------


def test_every_shipped_config_loads_with_opt_recipe():
    expected = {
        "125m": (6e-4, 524288),
        "350m": (3e-4, 524288),
        "1.3b": (2e-4, 1048576),
        "2.7b": (1.6e-4, 1048576),
        "6.7b": (1.2e-4, 2097152),
    }
    for name, (lr, batch) in expected.items():
        cfg = load_config(CONFIGS / f"{name}.toml")
        assert (cfg.model.preset, cfg.optim.lr, cfg.train.batch_tokens) == (name, lr, batch)
        assert (cfg.optim.beta1, cfg.optim.beta2, cfg.optim.eps, cfg.optim.weight_decay, cfg.optim.clip) == (
            0.9,
            0.95,
            1e-8,
            0.1,
            1.0,
        )
        assert cfg.optim.min_lr_ratio == 0.1
        assert cfg.train.steps * cfg.train.batch_tokens == pytest.approx(300e9, rel=1e-5)  # OPT's 300B tokens
    assert load_config(CONFIGS / "tiny.toml").model.preset == "tiny"


def test_unknown_key_is_named(tmp_path):
    path = write_config(tmp_path / "c.toml", optim={"lrr": 1e-3})
    with pytest.raises(ConfigError, match="'optim.lrr' is not known; known keys: lr, "):
        load_config(path)


def test_wrong_type_and_bad_value_are_named(tmp_path):
    with pytest.raises(ConfigError, match="'train.steps' must be int, not str"):
        config_from_dict({"train": {"steps": "ten"}})
    with pytest.raises(ConfigError, match="spike.action must be 'skip' or 'rollback'"):
        config_from_dict({"spike": {"action": "ignore"}})


def test_overrides_parse_as_toml_and_diff_names_them():
    cfg = config_from_dict({"optim": {"lr": 6e-4}})
    new = apply_overrides(
        cfg,
        dict(
            parse_override(s)
            for s in ["optim.lr=1e-4", "spike.action=rollback", "model.dropout=0.0", "eval.splits=['valid']"]
        ),
    )
    assert (new.optim.lr, new.spike.action, new.model.dropout, new.eval.splits) == (
        1e-4,
        "rollback",
        0.0,
        ("valid",),
    )
    assert diff(cfg, new) == {
        "eval.splits": ((), ("valid",)),
        "model.dropout": (None, 0.0),
        "optim.lr": (6e-4, 1e-4),
        "spike.action": ("skip", "rollback"),
    }
    with pytest.raises(ConfigError, match="'optim.betas' is not known"):
        apply_overrides(cfg, {"optim.betas": 0.9})
    # a resolved config survives the JSON trip through a checkpoint
    assert config_from_dict(json.loads(json.dumps(new.to_dict()))) == new


# ---- schedule -----------------------------------------------------------------------------------------------


def test_lr_schedule_warms_up_then_decays_to_ten_percent():
    lrs = [lr_at(s, 6e-4, 10, 110) for s in range(120)]
    assert lrs[0] == pytest.approx(6e-5) and lrs[9] == pytest.approx(6e-4)
    assert all(
        a > b for a, b in zip(lrs[9:110], lrs[10:110], strict=False)
    )  # strictly decreasing after warmup
    assert lrs[109] == pytest.approx(6e-5) and lrs[119] == pytest.approx(6e-5)  # 10 % of peak, then flat
    assert lrs[59] == pytest.approx(6e-4 * (1 - 0.9 * 50 / 100))


# ---- data ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    return make_shards(tmp_path_factory.mktemp("units") / "shards", train_rows=50, rows_per_shard=16)


def test_rows_come_from_the_right_shards(shards):
    info, manifest = open_manifest(shards)
    rows = ShardSet(shards, manifest, "train")
    assert (len(rows), info.seq_len, info.vocab_size) == (50, 33, 512)
    from corpus.tokens.shard_format import read_shard

    direct = np.concatenate([read_shard(shards / f"train/part-{i:05d}.arrow") for i in range(4)])
    np.testing.assert_array_equal(rows.take(np.array([0, 15, 16, 49, 31])), direct[[0, 15, 16, 49, 31]])


def test_loader_order_is_independent_of_world_size_and_resumable(shards):
    _, manifest = open_manifest(shards)
    rows = ShardSet(shards, manifest, "train")

    def global_batches(world: int, steps: int, start_state=None):
        loaders = [TrainLoader(rows, 8, 2, r, world, seed=3, vocab_size=512) for r in range(world)]
        if start_state:
            for ld in loaders:
                ld.load_state_dict(start_state)
        out = []
        for _ in range(steps):
            per_rank = [np.concatenate([m.numpy() for m in ld.next_batch()]) for ld in loaders]
            batch = np.empty((8, 33), dtype=np.int64)
            for r, part in enumerate(per_rank):
                batch[r::world] = part  # rank r holds rows r, r + W, ...
            out.append(batch)
        return out, loaders[0].state_dict()

    one, _ = global_batches(1, 14)  # 14 x 8 = 112 rows: crosses two epoch boundaries of 50 rows
    two, _ = global_batches(2, 14)
    four, _ = global_batches(4, 14)
    for a, b, c in zip(one, two, four, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    seen = np.concatenate(one[:7])[:50]  # the first epoch visits every row exactly once
    assert sorted(r.tobytes() for r in seen) == sorted(r.tobytes() for r in rows.take(np.arange(50)))
    assert not np.array_equal(seen, rows.take(np.arange(50)))  # ... in a shuffled order
    first, state = global_batches(2, 5)
    rest, _ = global_batches(2, 9, start_state=state)
    for a, b in zip(first + rest, one, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.array_equal(global_batches(1, 1)[0][0], one[0])
    other_seed = TrainLoader(rows, 8, 2, 0, 1, seed=4, vocab_size=512)
    assert not np.array_equal(np.concatenate([m.numpy() for m in other_seed.next_batch()]), one[0])


def test_loader_refuses_uneven_batches_foreign_state_and_big_ids(shards):
    _, manifest = open_manifest(shards)
    rows = ShardSet(shards, manifest, "train")
    with pytest.raises(DataError, match="does not split into 3 processes x micro-batches of 2 rows"):
        TrainLoader(rows, 8, 2, 0, 3, seed=0, vocab_size=512)
    ld = TrainLoader(rows, 8, 2, 0, 1, seed=0, vocab_size=512)
    with pytest.raises(DataError, match="not the same data"):
        ld.load_state_dict({"cursor": 8, "seed": 0, "rows": 51})
    with pytest.raises(DataError, match="does not fit the model's vocabulary of 100"):
        TrainLoader(rows, 8, 2, 0, 1, seed=0, vocab_size=100).next_batch()


def test_eval_rows_are_split_evenly(shards):
    _, manifest = open_manifest(shards)
    valid = ShardSet(shards, manifest, "valid")
    assert len(valid) == 16
    parts = [eval_batches(valid, 15, 4, r, 2) for r in range(2)]
    assert [sum(len(b) for b in p) for p in parts] == [7, 7]  # 15 rows -> 14, 7 each
    np.testing.assert_array_equal(parts[1][0][0].numpy(), valid.take(np.array([1]))[0])


# ---- guard --------------------------------------------------------------------------------------------------


def test_spike_guard_needs_history_then_flags_jumps():
    g = SpikeGuard(factor=1.5, window=4, min_history=3)
    assert not g.is_spike(100.0)  # no history yet: no verdict
    for loss in (4.0, 4.0, 4.0):
        g.accept(loss)
    assert not g.is_spike(5.9) and g.is_spike(6.1) and g.is_spike(float("nan")) and g.is_spike(float("inf"))
    for loss in (2.0, 2.0, 2.0):
        g.accept(loss)  # window 4: average of (4, 2, 2, 2) = 2.5
    assert g.average == 2.5 and g.is_spike(3.8) and not g.is_spike(3.7)
    g.reject()
    g2 = SpikeGuard(1.5, 4, 3)
    g2.load_state_dict(g.state_dict())
    assert (g2.average, g2.consecutive) == (2.5, 1)


def test_loss_scaler_halves_on_overflow_and_grows_back():
    s = LossScaler(scale=1024.0, growth_interval=2)
    s.update(False)
    assert s.scale == 512.0
    s.update(True)
    s.update(True)
    assert s.scale == 1024.0


def test_parallelize_with_compile_compiles_blocks_and_loss():
    """compile = true (the GPU configs): every block and the loss are compiled (lazily: nothing runs here),
    inductor tunes its kernels, and parameter names stay Hugging Face's."""
    from torch._inductor import config as inductor

    from model.config import preset
    from model.loss import lm_loss
    from model.model import build_model
    from train.distributed import close_distributed, init_distributed
    from train.parallelize import parallelize

    env = init_distributed("cpu")
    before = inductor.coordinate_descent_tuning
    try:
        model = build_model(preset("tiny", vocab_size=512), seed=0)
        names = [n for n, _ in model.named_parameters()]
        parallelize(model, env.mesh, "fp32", compile=True, reshard_after_forward=False)
        assert model.loss_fn is not lm_loss and inductor.coordinate_descent_tuning
        assert all(layer._compiled_call_impl is not None for layer in model.decoder.layers)
        assert [n for n, _ in model.named_parameters()] == names
    finally:
        inductor.coordinate_descent_tuning = before
        close_distributed()
