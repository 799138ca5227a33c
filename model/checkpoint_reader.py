"""Reading a training checkpoint's model, without the trainer: what export and generation need.

The trainer (``train/checkpoint.py``) writes ``RUN/ckpt/step-NNNNNNNN/`` (DCP shards, RNG states and
``train_state.json`` holding the size of every other file, written last); this module finds a complete one,
checks that its files are whole and loads the model weights into one process. ``model/`` imports nothing
from ``train/``: the trainer imports these instead.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch.distributed.checkpoint as dcp

STATE_FILE = "train_state.json"
PREFIX = "step-"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used, with its path and the reason."""


def step_dir(root: str | Path, step: int) -> Path:
    return Path(root) / f"{PREFIX}{step:08d}"


def list_checkpoints(root: str | Path) -> list[tuple[int, Path]]:
    """Complete checkpoints under ``root`` as (step, path), oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for p in root.iterdir():
        if p.is_dir() and p.name.startswith(PREFIX) and p.name[len(PREFIX) :].isdigit():
            found.append((int(p.name[len(PREFIX) :]), p))
    return sorted(found)


def resolve(path: str | Path) -> Path:
    """A checkpoint directory from itself, from ``RUN/ckpt`` (the newest) or from ``RUN`` (the newest)."""
    path = Path(path)
    if (path / STATE_FILE).exists() or path.name.startswith(PREFIX):
        return path
    for root in (path, path / "ckpt"):
        kept = list_checkpoints(root)
        if kept:
            return kept[-1][1]
    raise CheckpointError(
        f"no checkpoint in {path} (looked for {PREFIX}NNNNNNNN directories in it and in its ckpt/)"
    )


def read_state(path: str | Path) -> dict:
    """``train_state.json`` of a checkpoint, after checking that every file it lists is there, whole."""
    path = Path(path)
    state_path = path / STATE_FILE
    if not state_path.exists():
        raise CheckpointError(f"checkpoint {path} has no {STATE_FILE}: it is incomplete or not a checkpoint")
    try:
        state = json.loads(state_path.read_text())
    except json.JSONDecodeError as e:
        raise CheckpointError(f"checkpoint {path}: {STATE_FILE} is corrupt ({e})") from None
    for rel, size in state.get("files", {}).items():
        f = path / rel
        if not f.exists():
            raise CheckpointError(f"checkpoint {path} is corrupt: {rel} is missing")
        if f.stat().st_size != size:
            raise CheckpointError(
                f"checkpoint {path} is corrupt: {rel} has {f.stat().st_size} bytes, {size} were written"
            )
    return state


def load_model_weights(path: str | Path, model) -> dict:
    """Load only the model weights of a checkpoint into a plain (unsharded) model, in one process."""
    path = resolve(path)
    state = read_state(path)
    sd = model.state_dict()
    try:
        with warnings.catch_warnings():  # "assuming the intent is to load in a single process": it is
            warnings.simplefilter("ignore", UserWarning)
            dcp.load({"model": sd}, checkpoint_id=str(path), no_dist=True)
    except (Exception, dcp.CheckpointException) as e:
        raise CheckpointError(f"checkpoint {path}: model weights cannot be read: {e}") from e
    model.load_state_dict(sd)
    return state
