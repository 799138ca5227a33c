"""Checkpoints: sharded (DCP) model and optimizer, plus the run state, under ``RUN/ckpt/step-NNNNNNNN/``.

One checkpoint directory holds::

    .metadata, __<rank>_0.distcp     torch.distributed.checkpoint: {"model": ..., "optim": ...}, each rank its shard
    rng/rank-<r>.pt                  that process's torch (and CUDA) RNG state
    train_state.json                 step, loader position, guard/scaler state, resolved config, data fingerprint,
                                     and the size of every other file (written last)

It is written as ``step-NNNNNNNN.tmp`` and renamed when every rank is done, so a directory without the
``.tmp`` suffix is complete. Reading checks the recorded file sizes first, so a truncated or missing file
is reported by name instead of surfacing as an unpickling error deep inside DCP.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings
from pathlib import Path

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

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


def save(root: str | Path, step: int, model, optimizer, state: dict, rank: int, keep: int) -> Path:
    """Write a checkpoint collectively (every rank calls this); rank 0 publishes it and prunes old ones."""
    final = step_dir(root, step)
    tmp = final.with_name(final.name + ".tmp")
    if rank == 0:
        shutil.rmtree(tmp, ignore_errors=True)  # left by a run killed while saving
        tmp.mkdir(parents=True)
    dist.barrier()
    model_sd, optim_sd = get_state_dict(model, optimizer)
    dcp.save({"model": model_sd, "optim": optim_sd}, checkpoint_id=str(tmp))
    (tmp / "rng").mkdir(exist_ok=True)
    torch.save(_rng_state(), tmp / "rng" / f"rank-{rank:05d}.pt")
    dist.barrier()
    if rank == 0:
        files = {str(p.relative_to(tmp)): p.stat().st_size for p in sorted(tmp.rglob("*")) if p.is_file()}
        (tmp / STATE_FILE).write_text(json.dumps({**state, "step": step, "files": files}, indent=1))
        if final.exists():  # a step saved again after a resume from an earlier checkpoint
            _move_aside(final)
        os.replace(tmp, final)
        for _, old in list_checkpoints(root)[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    dist.barrier()
    return final


def load(path: str | Path, model, optimizer, rank: int, world: int) -> tuple[dict, bool]:
    """Restore model, optimizer and this rank's RNG from a checkpoint; returns (train state, rng restored).

    The RNG state is restored only when the checkpoint was written by as many processes as there are now
    (each process had its own dropout stream); otherwise the caller reseeds.
    """
    path = Path(path)
    state = read_state(path)
    model_sd, optim_sd = get_state_dict(model, optimizer)
    try:
        dcp.load({"model": model_sd, "optim": optim_sd}, checkpoint_id=str(path))
    except (Exception, dcp.CheckpointException) as e:  # the latter is a BaseException: per-rank failures
        raise CheckpointError(f"checkpoint {path} cannot be loaded into this model/optimizer: {e}") from e
    set_state_dict(model, optimizer, model_state_dict=model_sd, optim_state_dict=optim_sd)
    rng_path = path / "rng" / f"rank-{rank:05d}.pt"
    restored = state.get("world") == world and rng_path.exists()
    if restored:
        _set_rng_state(torch.load(rng_path, weights_only=False))
    return state, restored


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


def abandon_after(root: str | Path, step: int) -> list[str]:
    """Move checkpoints newer than ``step`` to ``root/abandoned/`` (a resume from an older one forks the run).

    They are kept, not deleted, but no longer count as "latest". Returns the names moved.
    """
    moved = []
    for s, p in list_checkpoints(root):
        if s > step:
            moved.append(_move_aside(p))
    return moved


def _move_aside(path: Path) -> str:
    target = path.parent / "abandoned" / f"{path.name}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    target.parent.mkdir(exist_ok=True)
    os.replace(path, target)
    return target.name


def _rng_state() -> dict:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])
