"""GPU training-step throughput and MFU of the trainer: OPT-125m, 2048-token rows, bf16, one GPU.

    bash bench/gpu_train.sh                      # what to run on a lent GPU machine (prints JSON lines)
    PYTHONPATH=. python3 bench/gpu_train.py --preset tiny --seq 128 --micro 2 --steps 2 --device cpu --no-compile

Needs only torch (with CUDA), numpy and pyarrow: no install of this project. It writes random-token shards
to a temporary directory and times ``Trainer.train_step`` as ``torchrun -m train`` runs it (FSDP2 with a
bf16 ``MixedPrecisionPolicy``, fp32 gradient reduction and master weights, fused AdamW, each block and the
loss compiled, blocks' weights kept gathered from forward to backward), as ``train/configs/125m.toml``.
MFU = (6 N + 12 L d T) x tokens/s / peak, with N the weights a token multiplies (tied output projection
included, position table not) and the dense bf16 peak of the card (H100/H200: 989 TFLOP/s).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.tokens.shard_format import FORMAT_NAME, FORMAT_VERSION, write_manifest, write_shard  # noqa: E402
from train.config import config_from_dict  # noqa: E402
from train.distributed import close_distributed, init_distributed  # noqa: E402
from train.metrics import GPU_PEAK_TFLOPS, peak_tflops  # noqa: E402
from train.trainer import Trainer  # noqa: E402

SDPA_BACKENDS = {
    "flash": torch.backends.cuda.enable_flash_sdp,
    "cudnn": torch.backends.cuda.enable_cudnn_sdp,
    "efficient": torch.backends.cuda.enable_mem_efficient_sdp,
}
OPT_DICTIONARY = 50265  # token ids the data may hold; the model pads its embedding to 50,272


def random_shards(root: Path, rows: int, row_tokens: int, vocab: int = OPT_DICTIONARY) -> Path:
    """One train shard of uniformly random token ids (3..vocab) and its manifest: throughput only."""
    ids = np.random.default_rng(0).integers(3, vocab, size=(rows, row_tokens), dtype=np.int64)
    entry = write_shard(root / "train" / "part-00000.arrow", ids, "uint16")
    split = {
        "rows": rows,
        "tokens": rows * row_tokens,
        "source_tokens": {},
        "shards": [{"path": "train/part-00000.arrow", **entry, "source_tokens": {}}],
    }
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "seq_len": row_tokens,
        "dtype": "uint16",
        "vocab_size": vocab,
        "eos_id": 2,
        "pad_id": 1,
        "tokenizer": {"kind": "bench", "sha256": "random"},
        "splits": {"train": split},
    }
    write_manifest(root, manifest)
    return root


def run(args: argparse.Namespace) -> dict:
    row_tokens = args.seq + 1  # the model sees T = seq positions and predicts the token after each
    with tempfile.TemporaryDirectory() as tmp:
        shards = random_shards(Path(tmp) / "shards", args.micro * (args.warmup + args.steps), row_tokens)
        cfg = config_from_dict(
            {
                "model": {"preset": args.preset, "vocab_size": 50272},
                "optim": {"lr": 6e-4, "warmup_steps": 10},
                "train": {
                    "steps": 1_000_000,
                    "batch_tokens": args.micro * row_tokens,
                    "micro_batch_rows": args.micro,
                    "precision": args.precision,
                    "compile": args.compile,
                    "reshard_after_forward": args.reshard,
                },
                "data": {"path": str(shards)},
                "eval": {"interval": 0, "splits": []},
                "spike": {"enabled": False},
            }
        )
        env = init_distributed(args.device)
        try:
            trainer = Trainer(cfg, Path(tmp) / "run", env)
            trainer.model.train()
            t0 = time.perf_counter()
            for _ in range(args.warmup):  # compiles on the first step
                trainer.train_step()
                trainer.step += 1
            sync(env.device)
            warmup_s = time.perf_counter() - t0
            if env.device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(env.device)
            t0 = time.perf_counter()
            losses = []
            for _ in range(args.steps):
                losses.append(trainer.train_step().loss)
                trainer.step += 1
            sync(env.device)
            elapsed = time.perf_counter() - t0
            if args.profile:
                print_profile(trainer, env.device)
            if args.trace:
                write_trace(trainer, env.device, args.trace)
        finally:
            close_distributed()
    tokens_per_s = args.micro * args.seq * args.steps / elapsed
    flops_per_token = trainer.model_cfg.flops_per_token(args.seq)
    peak = peak_tflops(env.device, args.peak_tflops)
    return {
        "bench": "train_step_gpu",
        "device": torch.cuda.get_device_name(env.device) if env.device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "preset": args.preset,
        "params": trainer.model_cfg.num_params(),
        "seq_len": args.seq,
        "micro_batch_rows": args.micro,
        "precision": trainer.precision,
        "compile": args.compile,
        "sdpa": args.sdpa,
        "reshard_after_forward": args.reshard,
        "warmup_steps": args.warmup,
        "warmup_s": round(warmup_s, 1),
        "steps_timed": args.steps,
        "step_s": round(elapsed / args.steps, 4),
        "tokens_per_s": round(tokens_per_s),
        "flops_per_token": flops_per_token,
        "peak_tflops": peak,
        "mfu": round(flops_per_token * tokens_per_s / (peak * 1e12), 4) if peak else None,
        "max_mem_gib": round(torch.cuda.max_memory_allocated(env.device) / 2**30, 2)
        if env.device.type == "cuda"
        else None,
        "loss_first_last": [round(losses[0], 4), round(losses[-1], 4)],
    }


def profiled_steps(trainer, device: torch.device, steps: int):
    """The profiler's record of ``steps`` training steps (CPU, and CUDA kernels on a GPU)."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities) as prof:
        for _ in range(steps):
            trainer.train_step()
            trainer.step += 1
        sync(device)
    return prof


def print_profile(trainer, device: torch.device, steps: int = 3) -> None:
    """Where a step's time goes: the top kernels/ops over a few profiled steps (stderr, for a human)."""
    prof = profiled_steps(trainer, device, steps)
    sort = "cuda_time_total" if device.type == "cuda" else "cpu_time_total"
    print(prof.key_averages().table(sort_by=sort, row_limit=30, max_name_column_width=60), file=sys.stderr)


def write_trace(trainer, device: torch.device, path: str, steps: int = 2) -> None:
    """A Chrome trace (chrome://tracing, Perfetto) of a few steps, gzipped: where the GPU waits for the host."""
    import gzip
    import shutil

    raw = Path(tempfile.mkdtemp()) / "trace.json"
    profiled_steps(trainer, device, steps).export_chrome_trace(str(raw))
    with open(raw, "rb") as src, gzip.open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="125m")
    p.add_argument("--seq", type=int, default=2048, help="positions per row the model trains on")
    p.add_argument("--micro", type=int, default=32, help="rows per step (one micro-batch, no accumulation)")
    p.add_argument("--steps", type=int, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (compilation happens here)")
    p.add_argument("--precision", default="bf16", choices=("bf16", "fp16", "fp32"))
    p.add_argument("--no-compile", dest="compile", action="store_false")
    p.add_argument(
        "--sdpa", default="auto", choices=("auto", *SDPA_BACKENDS), help="force one attention kernel"
    )
    p.add_argument("--device", default="auto", choices=("auto", "cuda", "cpu"))
    p.add_argument("--profile", action="store_true", help="then profile 3 steps and print the top ops")
    p.add_argument(
        "--peak-tflops",
        type=float,
        default=0.0,
        help=f"override the card's peak (known: {', '.join(f'{k} {v:g}' for k, v in GPU_PEAK_TFLOPS.items())})",
    )
    p.add_argument(
        "--reshard", action="store_true", help="train.reshard_after_forward = true (125m.toml: false)"
    )
    p.add_argument("--trace", metavar="FILE.json.gz", help="then write a Chrome trace of 2 steps there")
    p.add_argument(
        "--write-shards", metavar="DIR", help="only write --micro x 40 random rows there (for torchrun)"
    )
    args = p.parse_args()
    if args.write_shards:
        random_shards(Path(args.write_shards), args.micro * 40, args.seq + 1)
        return 0
    if args.sdpa != "auto":
        for name, enable in SDPA_BACKENDS.items():
            enable(name == args.sdpa)
    while True:  # this runs unattended on a lent machine: fall back rather than fail
        try:
            print(json.dumps(run(args)), flush=True)
            return 0
        except torch.cuda.OutOfMemoryError:
            if args.micro <= 1:
                raise
            note = f"out of memory at micro {args.micro}; retrying with {args.micro // 2}"
            args.micro //= 2
        except Exception as e:  # e.g. torch.compile without a working Triton
            if not args.compile:
                raise
            note = f"compiled run failed ({type(e).__name__}: {str(e)[:300]}); retrying without compile"
            args.compile = False
        print(json.dumps({"note": note}), flush=True)
        gc.collect()  # the failed trainer is garbage now that the except block is over
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


if __name__ == "__main__":
    sys.exit(main())
