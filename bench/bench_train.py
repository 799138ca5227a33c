"""CPU training-step throughput: our trainer vs ``transformers`` OPTForCausalLM + ``torch.optim.AdamW``.

    python bench/bench_train.py            # both configs below, prints one JSON line each
    python bench/bench_train.py --quick    # fewer steps

Same process, same model config, batch, sequence length, dropout and recipe (AdamW 0.9/0.95, wd 0.1,
clip 1.0, fp32). "Ours" is ``Trainer.train_step`` exactly as ``python -m train`` runs it: rows read from
memory-mapped shards, FSDP2 (one process, gloo), loss all-reduce, spike guard, clipping, fused AdamW. The
baseline is the usual Hugging Face loop: ``model(input_ids, labels=...)``, ``backward``,
``clip_grad_norm_``, ``AdamW.step`` with PyTorch's default implementation for CPU tensors. The two loops
alternate in rounds, so machine noise hits both; the ratio compares median step times.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # same reason as in train/__main__.py; applies to both

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gpu_train import random_shards  # noqa: E402  (bench/ is sys.path[0] when run as a script)

from train.config import config_from_dict  # noqa: E402
from train.distributed import close_distributed, init_distributed  # noqa: E402
from train.trainer import Trainer  # noqa: E402

# name -> (model overrides of the tiny preset, rows per step, tokens per row)
CONFIGS = {
    # the README demo: tiny model, the sample build's 8,192-entry BPE, rows of 2048 tokens
    "tiny-demo": ({}, 2, 2048),
    # a wider, deeper small model at a shorter length
    "small": ({"hidden_size": 256, "num_layers": 4, "num_heads": 4, "ffn_dim": 1024}, 4, 512),
}
VOCAB = 8192


def hf_loop(model_cfg, lr: float):
    """The baseline: transformers' OPT with the same weights' shapes, and a plain training step."""
    import transformers

    hf_cfg = {k: v for k, v in model_cfg.to_hf_config().items() if k not in ("architectures", "torch_dtype")}
    torch.manual_seed(0)
    model = transformers.OPTForCausalLM(transformers.OPTConfig(**hf_cfg)).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)

    def step(rows: torch.Tensor) -> float:
        x = rows[:, :-1]  # the same T positions our model sees; HF shifts the labels itself
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return float(loss.detach())

    return step


def bench(name: str, rounds: int, steps_per_round: int) -> dict:
    overrides, rows, seq_len = CONFIGS[name]
    with tempfile.TemporaryDirectory() as tmp:
        shards = random_shards(Path(tmp) / "shards", rows * 64, seq_len, VOCAB)
        cfg = config_from_dict(
            {
                "model": {"preset": "tiny", **overrides},
                "optim": {"lr": 1e-3, "warmup_steps": 1},
                "train": {
                    "steps": 10_000,
                    "batch_tokens": rows * seq_len,
                    "micro_batch_rows": rows,
                    "precision": "fp32",
                },
                "data": {"path": str(shards)},
                "eval": {"interval": 0, "splits": []},
                "spike": {"enabled": False},
            }
        )
        env = init_distributed("cpu")
        try:
            trainer = Trainer(cfg, Path(tmp) / "run", env)
            trainer.model.train()
            hf_step = hf_loop(trainer.model_cfg, 1e-3)
            batches = [
                torch.from_numpy(trainer.loader.rows.take(np.arange(i * rows, (i + 1) * rows)))
                for i in range(steps_per_round)
            ]

            def ours():
                trainer.train_step()
                trainer.step += 1

            times = {"ours": [], "transformers": []}
            for r in range(rounds + 1):  # round 0 warms up both (allocator, kernels) and is not counted
                for label, run in (("ours", lambda _b: ours()), ("transformers", hf_step)):
                    for b in batches:
                        t0 = time.perf_counter()
                        run(b)
                        if r:
                            times[label].append(time.perf_counter() - t0)
        finally:
            close_distributed()
    tokens = rows * (seq_len - 1)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "bench": "train_step_cpu",
        "config": name,
        "params": trainer.model_cfg.num_params(),
        "rows": rows,
        "seq_len": seq_len,
        "vocab": trainer.model_cfg.vocab_size,
        "threads": torch.get_num_threads(),
        "steps_timed": len(times["ours"]),
        "ours_tokens_per_s": round(tokens / med["ours"]),
        "transformers_tokens_per_s": round(tokens / med["transformers"]),
        "ratio": round(med["transformers"] / med["ours"], 3),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", choices=sorted(CONFIGS), action="append")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--quick", action="store_true", help="2 rounds of 2 steps")
    args = p.parse_args()
    rounds, per_round = (2, 2) if args.quick else (args.rounds, 3)
    for name in args.config or list(CONFIGS):
        print(json.dumps(bench(name, rounds, per_round)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
