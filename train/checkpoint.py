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
from pathlib import Path

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

from model.checkpoint_reader import (  # noqa: F401  (the read side, re-exported for the trainer)
    PREFIX,
    STATE_FILE,
    CheckpointError,
    list_checkpoints,
    load_model_weights,
    read_state,
    resolve,
    step_dir,
)


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
