"""``torchrun --nproc_per_node N -m train --config train/configs/tiny.toml --data OUT/shards --out RUN``

Also runs as a plain ``python -m train ...`` (one process). If ``RUN`` already has checkpoints the run
resumes from the newest (``--resume`` picks another kept one); ``--lr``, ``--clip`` and ``--set`` change
the config, and on a resume each change is written to the logbook as an ``override`` that wins over what
the checkpoint saved.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

# Before torch loads libgomp: idle OpenMP threads sleep instead of spinning. On a CPU shared with other
# processes (or with gloo's own threads), spinning made steps 10-100x slower and erratic on a 2-core box.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from train import checkpoint
from train.config import ConfigError, apply_overrides, load_config, parse_override


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m train", description="Train an OPT model on optcorpus shards (FSDP2)."
    )
    p.add_argument("--config", help="TOML config (train/configs/*.toml); optional when resuming")
    p.add_argument("--data", help="shards directory (manifest.json, train/, valid/)")
    p.add_argument("--out", required=True, help="run directory: logbook.jsonl and ckpt/")
    p.add_argument(
        "--resume",
        default="auto",
        help="'auto' (newest checkpoint in --out if any), 'none' (refuse if there is one), or a checkpoint path",
    )
    p.add_argument(
        "--until",
        type=int,
        help="stop after this step (checkpointing it); the LR schedule still spans train.steps",
    )
    p.add_argument("--lr", type=float, help="override optim.lr (peak learning rate)")
    p.add_argument("--clip", type=float, help="override optim.clip (max gradient norm)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any config key, e.g. spike.factor=2.0",
    )
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    return p.parse_args(argv)


def cli_overrides(args: argparse.Namespace) -> dict:
    overrides = dict(parse_override(s) for s in args.set)
    if args.data:
        overrides["data.path"] = args.data
    if args.lr is not None:
        overrides["optim.lr"] = args.lr
    if args.clip is not None:
        overrides["optim.clip"] = args.clip
    return overrides


def find_resume(args: argparse.Namespace) -> Path | None:
    kept = checkpoint.list_checkpoints(Path(args.out) / "ckpt")
    if args.resume == "auto":
        return kept[-1][1] if kept else None
    if args.resume == "none":
        if kept:
            raise ConfigError(
                f"{args.out} already has checkpoints (newest {kept[-1][1].name}); use another --out or --resume"
            )
        return None
    return checkpoint.resolve(args.resume)


def main(argv: list[str] | None = None) -> int:
    """Run training; returns the exit code. Importable so tests can run a one-process job in-process."""
    from train.distributed import close_distributed, init_distributed
    from train.trainer import Trainer

    args = parse_args(argv)
    overrides = cli_overrides(args)
    resume = find_resume(args)
    if args.config:
        cfg = load_config(args.config)
        if resume is None:
            cfg = apply_overrides(cfg, overrides)
    elif resume is None:
        raise ConfigError("--config is required for a new run")
    else:
        cfg = None  # the checkpoint's config, plus the overrides
    env = init_distributed(args.device)
    try:
        Trainer(cfg, args.out, env, resume_from=resume, cli_overrides=overrides).fit(until=args.until)
    except Exception as e:
        if env.is_main:
            from train.logbook import Logbook

            Logbook(Path(args.out) / "logbook.jsonl").write("error", None, error=f"{type(e).__name__}: {e}")
        raise
    finally:
        close_distributed()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (
        ValueError,
        RuntimeError,
    ) as e:  # our errors are ValueError/RuntimeError subclasses with a clear message
        traceback.print_exc(limit=-1)
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
