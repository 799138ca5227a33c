"""Training configs: TOML files (``train/configs/*.toml``) loaded into frozen, validated dataclasses.

Loading is strict, as for recipes: an unknown key or a wrong type is an error that names the key
(``config key 'optim.lrr' is not known; known keys: ...``). The resolved config is saved in every
checkpoint; ``apply_overrides`` makes a changed copy from ``section.key=value`` pairs (CLI ``--set``).

Defaults are OPT's recipe (Zhang et al. 2022, section 2.2): AdamW (0.9, 0.95), eps 1e-8, weight decay 0.1,
linear warmup then linear decay to 10 % of the peak LR, gradient clipping at 1.0, dropout 0.1.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from corpus.tomlconfig import build, load_toml


class ConfigError(ValueError):
    """A config that cannot be used, with the offending key in the message."""


@dataclass(frozen=True)
class ModelSection:
    preset: str = "tiny"  # model/config.py PRESETS: tiny, 125m, 350m, 1.3b, 2.7b, 6.7b
    vocab_size: int = 0  # 0 = the data's vocabulary rounded up to a multiple of 8 (OPT: 50,265 -> 50,272)
    dropout: float | None = None  # None = the preset's (0.1)
    attention_dropout: float | None = None  # None = the preset's (0.1)
    hidden_size: int | None = None  # None = the preset's; these four make custom sizes from a preset's layout
    num_layers: int | None = None
    num_heads: int | None = None
    ffn_dim: int | None = None
    init_device: str = "auto"  # "cpu": every rank builds the full model from the seed, then shards it (the
    # same weights for any number of processes); "meta": shard first, initialize shards in place (models too
    # big for host memory); "auto": cpu below 2B parameters

    def __post_init__(self):
        if self.init_device not in ("auto", "cpu", "meta"):
            raise ConfigError(f"model.init_device must be auto, cpu or meta, not {self.init_device!r}")
        if self.vocab_size < 0:
            raise ConfigError("model.vocab_size must be >= 0")


@dataclass(frozen=True)
class OptimSection:
    lr: float = (
        6e-4  # peak learning rate (OPT 125m: 6e-4, 350m: 3e-4, 1.3b: 2e-4, 2.7b: 1.6e-4, 6.7b: 1.2e-4)
    )
    min_lr_ratio: float = 0.1  # linear decay ends at this fraction of the peak (OPT: 10 %)
    warmup_steps: int = 2000  # linear warmup from 0 (OPT: 2000 steps, or 375M tokens for small models)
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-8
    weight_decay: float = 0.1  # decoupled (AdamW), on every parameter as fairseq/metaseq applied it
    clip: float = 1.0  # max global gradient norm; 0 turns clipping off

    def __post_init__(self):
        if self.lr <= 0:
            raise ConfigError("optim.lr must be positive")
        if not 0.0 <= self.min_lr_ratio <= 1.0:
            raise ConfigError("optim.min_lr_ratio must be in [0, 1]")
        if self.warmup_steps < 0 or self.clip < 0:
            raise ConfigError("optim.warmup_steps and optim.clip must be >= 0")


@dataclass(frozen=True)
class TrainSection:
    steps: int = 100  # optimizer steps of the whole run; the LR schedule decays over exactly these
    batch_tokens: int = (
        8192  # global tokens per optimizer step = rows x seq_len (OPT 125m: 0.5M = 256 x 2048)
    )
    micro_batch_rows: int = 4  # rows per process per forward/backward; accumulation makes up the rest
    precision: str = "auto"  # auto = bf16 on GPU, fp32 on CPU; or "fp32", "bf16", "fp16" (dynamic loss scale)
    compile: bool = False  # torch.compile each block and the loss (GPU runs; slow to start on CPU)
    # FSDP2: free each block's gathered weights after its forward and gather them again for its backward
    # (least memory); false keeps them until the backward (no second gather: faster for small models).
    reshard_after_forward: bool = True
    loss_scale: float = (
        65536.0  # fp16 only: initial dynamic loss scale (halved on overflow, doubled after 1000 clean steps)
    )

    def __post_init__(self):
        if self.steps <= 0 or self.batch_tokens <= 0 or self.micro_batch_rows <= 0:
            raise ConfigError("train.steps, train.batch_tokens and train.micro_batch_rows must be positive")
        if self.precision not in ("auto", "fp32", "bf16", "fp16"):
            raise ConfigError(f"train.precision must be auto, fp32, bf16 or fp16, not {self.precision!r}")


@dataclass(frozen=True)
class DataSection:
    path: str = ""  # shards directory (manifest.json, train/, valid/); usually given with --data
    # At start, before any row is used: "sha256" hashes every shard the run reads against the manifest (reads
    # each file once; the processes of a node share the work) and stops on a mismatch; "none" skips it. Each
    # shard's rows and row length are checked in both modes.
    verify: str = "sha256"

    def __post_init__(self):
        # "rows" was the default before the hash was: configs and checkpoints that hold it never chose to
        # skip the hash, so they get it now.
        if self.verify == "rows":
            object.__setattr__(self, "verify", "sha256")
        if self.verify not in ("sha256", "none"):
            raise ConfigError(f"data.verify must be 'sha256' or 'none', not {self.verify!r}")


@dataclass(frozen=True)
class EvalSection:
    interval: int = 1000  # validation every this many steps (and at the end); 0 = only at the end
    rows: int = 64  # at most this many rows of each valid split (the same rows every time)
    splits: tuple[str, ...] = ()  # valid splits to report; empty = "valid" and every "valid/<source>"


@dataclass(frozen=True)
class CheckpointSection:
    interval: int = 1000  # save every this many steps (and at the end)
    keep: int = 3  # keep the newest K checkpoints; older ones are deleted after a successful save

    def __post_init__(self):
        if self.interval <= 0 or self.keep <= 0:
            raise ConfigError("checkpoint.interval and checkpoint.keep must be positive")


@dataclass(frozen=True)
class LogSection:
    interval: int = 1  # one line (and one logbook "step" record) every this many steps
    peak_tflops: float = 0.0  # accelerator peak for MFU; 0 = look the GPU up (H100/H200 bf16: 989)


@dataclass(frozen=True)
class SpikeSection:
    """OPT's logbook: loss spikes were handled by restarting from an earlier checkpoint with a lower LR."""

    enabled: bool = True
    factor: float = 1.5  # a step whose loss exceeds factor x (running average) is a spike; NaN/inf always are
    window: int = 50  # running average over the last this many accepted steps
    min_history: int = 20  # no verdict before this many accepted steps (early loss falls fast)
    action: str = "skip"  # "skip": drop the batch's update; "rollback": reload the last checkpoint, lower LR
    rollback_lr_factor: float = 0.5  # each rollback multiplies the LR by this
    max_rollbacks: int = 3  # then stop with an error: a person should look (as OPT's team did)
    max_consecutive_skips: int = 20  # then stop with an error

    def __post_init__(self):
        if self.action not in ("skip", "rollback"):
            raise ConfigError(f"spike.action must be 'skip' or 'rollback', not {self.action!r}")
        if self.window <= 0 or self.min_history < 1 or self.min_history > self.window:
            raise ConfigError("spike: need window > 0 and 1 <= min_history <= window")
        if not 0.0 < self.rollback_lr_factor <= 1.0:
            raise ConfigError("spike.rollback_lr_factor must be in (0, 1]")


@dataclass(frozen=True)
class TrainConfig:
    """A whole training run."""

    name: str = "run"
    seed: int = 1234  # weights, data order and dropout all derive from this
    model: ModelSection = field(default_factory=ModelSection)
    optim: OptimSection = field(default_factory=OptimSection)
    train: TrainSection = field(default_factory=TrainSection)
    data: DataSection = field(default_factory=DataSection)
    eval: EvalSection = field(default_factory=EvalSection)
    checkpoint: CheckpointSection = field(default_factory=CheckpointSection)
    log: LogSection = field(default_factory=LogSection)
    spike: SpikeSection = field(default_factory=SpikeSection)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# Keys a resumed run may not change: the weights and the data order would no longer be the ones saved.
FROZEN_ON_RESUME = ("seed", "model.")


def load_config(path: str | Path) -> TrainConfig:
    """Read a TOML config; every error names the key it is about."""
    data = load_toml(path, ConfigError, "config")
    data.setdefault("name", Path(path).stem)
    return config_from_dict(data)


def config_from_dict(data: dict) -> TrainConfig:
    return build(TrainConfig, data, ConfigError, "config")


def parse_override(text: str) -> tuple[str, object]:
    """``"optim.lr=1e-4"`` -> ``("optim.lr", 1e-4)``; the value is read as TOML, else kept as a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {text!r} is not of the form section.key=value")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


def apply_overrides(cfg: TrainConfig, overrides: dict[str, object]) -> TrainConfig:
    """A copy of ``cfg`` with dotted keys replaced, validated like a file."""
    data = cfg.to_dict()
    for key, value in overrides.items():
        *parents, leaf = key.split(".")
        node = data
        for i, part in enumerate(parents):
            if not isinstance(node.get(part), dict):
                raise ConfigError(f"config key '{'.'.join(parents[: i + 1])}' is not a section")
            node = node[part]
        if leaf not in node:
            raise ConfigError(f"config key '{key}' is not known; known keys: {', '.join(node)}")
        node[leaf] = list(value) if isinstance(value, tuple) else value
    return config_from_dict(_lists(data))


def diff(old: TrainConfig, new: TrainConfig) -> dict[str, tuple]:
    """Dotted keys whose values differ: ``{"optim.lr": (old, new)}``."""
    a, b = _flatten(old.to_dict()), _flatten(new.to_dict())
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _lists(d):
    """asdict() keeps tuples; the loader reads TOML arrays (lists)."""
    if isinstance(d, dict):
        return {k: _lists(v) for k, v in d.items()}
    return list(d) if isinstance(d, tuple) else d
