"""The training loop: setup (data, model, FSDP2, optimizer, resume), steps, validation, checkpoints.

Every process runs this same code; only rank 0 prints and writes the logbook. A step is one global batch of
``train.batch_tokens`` tokens: each process runs its micro-batches (gradient accumulation), FSDP2
reduce-scatters the gradients, then the loss-spike guard, clipping and AdamW run on the shards.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist

from model.config import OPTConfig, preset
from model.model import OPTForCausalLM, build_model
from train import checkpoint
from train.config import FROZEN_ON_RESUME, ConfigError, TrainConfig, apply_overrides, config_from_dict, diff
from train.data import (
    DataError,
    DataInfo,
    ShardSet,
    TrainLoader,
    eval_batches,
    open_manifest,
    verify_shards,
)
from train.distributed import Dist, all_reduce_sum
from train.guard import LossScaler, SpikeGuard
from train.logbook import Logbook
from train.metrics import global_norm, memory_gib, peak_tflops, total_norm
from train.parallelize import parallelize
from train.schedule import lr_at


class TrainingError(RuntimeError):
    """The run stopped on purpose (for example, too many loss spikes); the message says what to do."""


class StepTimer:
    """Wall time per step over a window of steps, waiting for the device only when read or restarted."""

    def __init__(self, device: torch.device):
        self.device = device
        self.restart()

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def restart(self) -> None:
        self._sync()
        self.start, self.steps = time.perf_counter(), 0

    def seconds_per_step(self) -> float:
        self._sync()
        return (time.perf_counter() - self.start) / max(1, self.steps)


@dataclass
class StepResult:
    loss: float
    grad_norm: float
    lr: float
    outcome: str  # "applied"; "spike" (the guard dropped it); "overflow" (non-finite gradients, no update)

    @property
    def applied(self) -> bool:
        return self.outcome == "applied"


def resolve_model_config(cfg: TrainConfig, data: DataInfo) -> OPTConfig:
    """The preset with the config's overrides and a vocabulary that holds every token id of the data."""
    m = cfg.model
    names = ("dropout", "attention_dropout", "hidden_size", "num_layers", "num_heads", "ffn_dim")
    changes = {k: getattr(m, k) for k in names if getattr(m, k) is not None}
    vocab = m.vocab_size or -(-data.vocab_size // 8) * 8
    if vocab < data.vocab_size:
        raise DataError(
            f"tokenizer/vocabulary mismatch: the shards in {data.path} use {data.vocab_size} token ids but "
            f"model.vocab_size is {vocab}; set model.vocab_size >= {data.vocab_size} (or 0 to size it from the data)"
        )
    mc = preset(m.preset, vocab_size=vocab, **changes)
    if data.seq_len - 1 > mc.max_positions:
        raise DataError(
            f"rows of {data.seq_len} tokens need {data.seq_len - 1} positions; {m.preset} has {mc.max_positions}"
        )
    return mc


class Trainer:
    def __init__(
        self,
        cfg: TrainConfig,
        run_dir: str | Path,
        env: Dist,
        resume_from: Path | None = None,
        cli_overrides: dict | None = None,
    ):
        self.run_dir = Path(run_dir)
        self.ckpt_root = self.run_dir / "ckpt"
        self.env = env
        self.logbook = Logbook(self.run_dir / "logbook.jsonl", enabled=env.is_main)
        saved = checkpoint.read_state(resume_from) if resume_from else None
        if saved is not None:
            cfg = self._reconcile(cfg, saved, cli_overrides or {})
        self.cfg = cfg
        if not cfg.data.path:
            raise ConfigError("no training data: pass --data SHARDS_DIR (or set data.path)")

        self.data, manifest = open_manifest(cfg.data.path)
        if saved is not None and saved["data"] != self.data.fingerprint():
            raise DataError(
                f"tokenizer/data mismatch: checkpoint {resume_from} was trained on shards with {saved['data']}; "
                f"{cfg.data.path} has {self.data.fingerprint()}"
            )
        self.model_cfg = OPTConfig(**saved["model_config"]) if saved else resolve_model_config(cfg, self.data)
        self.precision = cfg.train.precision
        if self.precision == "auto":
            self.precision = "bf16" if env.device.type == "cuda" else "fp32"

        self.batch_rows, rem = divmod(cfg.train.batch_tokens, self.data.seq_len)
        if rem:
            raise ConfigError(
                f"train.batch_tokens {cfg.train.batch_tokens} is not a multiple of the rows' {self.data.seq_len} tokens"
            )
        # By default evaluate every held-out split that has rows: a small source's valid documents can all
        # fall into a packing tail, leaving its valid/<source> split empty (the build counts those tokens).
        splits = cfg.eval.splits or tuple(
            s
            for s in self.data.splits
            if (s == "valid" or s.startswith("valid/")) and manifest["splits"][s]["rows"] > 0
        )
        self._open_data(manifest, splits)

        self.model = self._build_model()
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(self.params, lr=cfg.optim.lr, fused=True, **self._hyper())
        self.guard = SpikeGuard(cfg.spike.factor, cfg.spike.window, cfg.spike.min_history)
        self.scaler = LossScaler(cfg.train.loss_scale) if self.precision == "fp16" else None
        self.step = 0
        self.lr_scale = 1.0  # lowered by rollbacks; persisted; reset by an explicit LR override
        self.rollbacks = 0
        self._rollback_depth, self._last_spike_step = 0, -1
        self.peak = peak_tflops(env.device, cfg.log.peak_tflops)
        self.tokens_per_step = self.batch_rows * (self.data.seq_len - 1)
        self.flops_per_step = self.model_cfg.flops_per_token(self.data.seq_len - 1) * self.tokens_per_step

        if saved is None:
            torch.manual_seed(cfg.seed * 1_000_003 + env.rank + 1)  # each process its own dropout stream
            self.logbook.write("start", 0, **self._describe())
        else:
            self._restore(resume_from, reason="resume")
            if self._lr_overridden:
                self.lr_scale = 1.0

    # ---- setup -------------------------------------------------------------------------------------------

    def _open_data(self, manifest: dict, eval_splits: tuple[str, ...]) -> None:
        """Check the shards (data.verify), then map them: the loader and the eval batches.

        Every process reads every shard it opens, so each node checks all of them; its processes share the
        hashing (local rank i of n hashes shards i, i + n, ...). Then all processes agree before any
        collective: a mismatch (or any data error) one process finds stops every process, with its message.
        """
        cfg, env = self.cfg, self.env
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
        part = (env.local_rank, local_world) if 0 <= env.local_rank < local_world else (0, 1)
        if cfg.data.verify == "none":
            self._say(
                "data.verify = 'none': shard bytes are not checked against manifest.json "
                "(only each shard's rows and row length)"
            )
        else:
            self._say(f"data.verify = {cfg.data.verify!r}: hashing the shards against manifest.json")
        error, report = None, None
        try:
            report = verify_shards(cfg.data.path, manifest, ("train", *eval_splits), cfg.data.verify, part)
            self.loader = TrainLoader(
                ShardSet(cfg.data.path, manifest, "train", verify="none"),  # just verified
                self.batch_rows,
                cfg.train.micro_batch_rows,
                env.rank,
                env.world,
                cfg.seed,
                self.model_cfg.vocab_size,
            )
            self.eval_sets = {
                s: eval_batches(
                    ShardSet(cfg.data.path, manifest, s, verify="none"),
                    cfg.eval.rows,
                    cfg.train.micro_batch_rows,
                    env.rank,
                    env.world,
                    self.model_cfg.vocab_size,
                )
                for s in eval_splits
            }
        except Exception as e:  # every rank must reach the exchange below; then it is raised
            error = e
        outcomes = [(str(error) if error else None, report)]
        if env.world > 1:
            outcomes = [None] * env.world
            dist.all_gather_object(outcomes, (str(error) if error else None, report))
        if error is not None:
            raise error
        failed = [(r, msg) for r, (msg, _) in enumerate(outcomes) if msg is not None]
        if failed:
            raise DataError(f"rank {failed[0][0]} stopped on the data: {failed[0][1]}")
        nodes = max(1, env.world // part[1])
        self.verify_report = {
            "mode": report.mode,
            "shards": report.shards,
            "bytes_per_node": sum(rep.bytes for _, rep in outcomes) // nodes,
            "seconds": max(rep.seconds for _, rep in outcomes),
        }
        if report.mode != "none":
            v = self.verify_report
            self._say(
                f"data.verify: {v['shards']} shard(s), {v['bytes_per_node'] / 1e9:.2f} GB, match manifest.json "
                f"({v['seconds']:.1f} s; {part[1]} process(es) per node shared the hashing)"
            )

    def _hyper(self) -> dict:
        o = self.cfg.optim
        return {"betas": (o.beta1, o.beta2), "eps": o.eps, "weight_decay": o.weight_decay}

    def _build_model(self) -> OPTForCausalLM:
        init = self.cfg.model.init_device
        t = self.cfg.train
        if init == "auto":
            init = "cpu" if self.model_cfg.num_params() < 2e9 else "meta"
        if init == "cpu":
            # Every rank builds the same full model from the seed, then keeps its shard: the weights do not
            # depend on the number of processes (what makes the 1-vs-N comparison exact).
            model = build_model(self.model_cfg, "cpu", seed=self.cfg.seed)
            return parallelize(model, self.env.mesh, self.precision, t.compile, t.reshard_after_forward)
        with torch.device("meta"):
            model = OPTForCausalLM(self.model_cfg)
        parallelize(model, self.env.mesh, self.precision, t.compile, t.reshard_after_forward)
        model.to_empty(device=self.env.device)
        torch.manual_seed(self.cfg.seed)
        model.init_weights()
        return model

    def _reconcile(self, desired: TrainConfig | None, saved: dict, cli_overrides: dict) -> TrainConfig:
        """The config of a resumed run: the requested one, checked and logged against the checkpoint's."""
        old = config_from_dict(saved["config"])
        new = apply_overrides(desired or old, cli_overrides)
        if not new.data.path:
            new = apply_overrides(new, {"data.path": old.data.path})
        changes = diff(old, new)
        frozen = [k for k in changes if k.startswith(FROZEN_ON_RESUME)]
        if frozen:
            a, b = changes[frozen[0]]
            raise ConfigError(
                f"config key '{frozen[0]}' changed from {a!r} to {b!r}, but a resumed run keeps its weights' shape "
                f"and data order; start a new run (--out) to change it"
            )
        self._overrides = changes
        self._lr_overridden = "optim.lr" in changes
        return new

    def _describe(self) -> dict:
        return {
            "world": self.env.world,
            "device": str(self.env.device),
            "precision": self.precision,
            "model": self.cfg.model.preset,
            "params": self.model_cfg.num_params(),
            "batch_rows": self.batch_rows,
            "accum_steps": self.loader.accum_steps,
            "data": self.cfg.data.path,
            "data_verify": self.verify_report,
            "config": self.cfg.to_dict(),
        }

    # ---- checkpoints -------------------------------------------------------------------------------------

    def _state(self) -> dict:
        return {
            "world": self.env.world,
            "loader": self.loader.state_dict(),
            "guard": self.guard.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler else None,
            "lr_scale": self.lr_scale,
            "config": self.cfg.to_dict(),
            "model_config": self.model_cfg.to_dict(),
            "data": self.data.fingerprint(),
            "tokenizer": {**self.data.tokenizer, "file": self.data.tokenizer_file()},
        }

    def save(self) -> Path:
        path = checkpoint.save(
            self.ckpt_root,
            self.step,
            self.model,
            self.optimizer,
            self._state(),
            self.env.rank,
            self.cfg.checkpoint.keep,
        )
        self.logbook.write("checkpoint", self.step, path=str(path))
        return path

    def _restore(self, path: Path, reason: str) -> None:
        state, rng_restored = checkpoint.load(path, self.model, self.optimizer, self.env.rank, self.env.world)
        self.step = state["step"]
        self.loader.load_state_dict(state["loader"])
        self.guard.load_state_dict(state["guard"])
        if self.scaler and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.lr_scale = state["lr_scale"]
        # The optimizer state carries the hyperparameters it was saved with; the config must win.
        for group in self.optimizer.param_groups:
            group.update(self._hyper())
        if not rng_restored:
            torch.manual_seed(self.cfg.seed * 1_000_003 + self.env.rank + 1 + self.step)
        abandoned = checkpoint.abandon_after(self.ckpt_root, self.step) if self.env.is_main else []
        if reason == "resume":
            self.logbook.write(
                "resume",
                self.step,
                checkpoint=str(path),
                rng="restored" if rng_restored else "reseeded",
                abandoned=abandoned,
                **self._describe(),
            )
            for key, (a, b) in self._overrides.items():
                self.logbook.write("override", self.step, key=key, old=a, new=b)
                if self.env.is_main:
                    print(f"override {key}: {a!r} -> {b!r} (wins over the checkpoint)", flush=True)

    # ---- one step ----------------------------------------------------------------------------------------

    def lr(self, step: int) -> float:
        o = self.cfg.optim
        return self.lr_scale * lr_at(step, o.lr, o.warmup_steps, self.cfg.train.steps, o.min_lr_ratio)

    def train_step(self) -> StepResult:
        micro = self.loader.next_batch()
        scale = self.scaler.scale if self.scaler else 1.0
        loss_sum = torch.zeros((), device=self.env.device)
        for mb in micro:
            mb = mb.to(self.env.device, non_blocking=True)
            loss = self.model(mb[:, :-1], mb[:, 1:])  # (B, T) predicts the next token of each position
            (loss * (scale / len(micro))).backward()
            loss_sum += loss.detach()
        grads = [p.grad for p in self.params if p.grad is not None]
        if scale != 1.0:
            torch._foreach_mul_(grads, 1.0 / scale)
        loss_t = loss_sum.double() / len(micro)
        dist.all_reduce(loss_t)
        loss_t /= self.env.world
        norm = global_norm(grads)

        # The update is queued before the host reads the loss and the norm: waiting for them first (three
        # waits a step) left an H200 idle while the host queued clipping and AdamW; one wait made OPT-125m's
        # step ~6 % faster (MFU 0.40 -> 0.43, bench/gpu_train.py). So the verdicts
        # are made twice from the same numbers: on the device, where a rejected step (loss spike, or a
        # non-finite norm: fp16 overflow or a blow-up) skips the fused AdamW update (its found_inf), and on
        # the host afterwards, for the guard, the scaler and the log. One wait for the device per step.
        skip = ~torch.isfinite(norm)
        if self.cfg.spike.enabled:
            skip |= ~torch.isfinite(loss_t) | (loss_t > self.guard.threshold())
        clip = self.cfg.optim.clip
        if clip > 0:  # a factor of exactly 1 when the norm is within the limit
            torch._foreach_mul_(grads, (clip / (norm + 1e-6)).clamp(max=1.0))
        lr = self.lr(self.step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.found_inf = skip.float()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        loss, grad_norm = torch.stack([loss_t, norm.double()]).tolist()

        if self.cfg.spike.enabled and self.guard.is_spike(loss):
            return StepResult(loss, math.nan, lr, "spike")
        finite = math.isfinite(grad_norm)
        if self.scaler:
            self.scaler.update(finite)
        if not finite:  # fp16 overflow (the scaler has halved) or a real blow-up the guard did not catch
            return StepResult(loss, grad_norm, lr, "overflow")
        self.guard.accept(loss)
        return StepResult(loss, grad_norm, lr, "applied")

    def _on_spike(self, result: StepResult) -> bool:
        """Skip (already done: no update) or roll back to the last checkpoint with a lower LR; True if rolled back."""
        s = self.cfg.spike
        self.guard.reject()
        kept = checkpoint.list_checkpoints(self.ckpt_root)
        if s.action == "rollback" and kept:
            if self.rollbacks >= s.max_rollbacks:
                raise TrainingError(
                    f"loss spike at step {self.step} ({result.loss:.4f}) after {self.rollbacks} rollbacks; stopping. "
                    f"Resume with a lower --lr (and maybe a different seed) once the data/run has been looked at."
                )
            # A checkpoint saved between the bad update and its spike holds damaged weights: while spikes
            # recur before the run gets past the last spike, each rollback goes one checkpoint further back.
            spike_step = self.step
            self._rollback_depth = self._rollback_depth + 1 if spike_step <= self._last_spike_step else 1
            self._last_spike_step = spike_step
            to = kept[-min(self._rollback_depth, len(kept))][1]
            self.rollbacks += 1
            scale_before = self.lr_scale
            self._restore(to, reason="rollback")
            self.lr_scale = (
                min(self.lr_scale, scale_before) * s.rollback_lr_factor
            )  # cumulative over rollbacks
            self.logbook.write(
                "rollback",
                spike_step,
                loss=result.loss,
                average=self.guard.average,
                to=str(to),
                to_step=self.step,
                lr_scale=self.lr_scale,
                rollbacks=self.rollbacks,
            )
            self._say(
                f"step {spike_step}: loss {result.loss:.4f} spiked; rolled back to step {self.step}, "
                f"LR x{self.lr_scale:g}"
            )
            return True
        self.logbook.write(
            "skip",
            self.step,
            loss=result.loss,
            average=self.guard.average,
            lr=result.lr,
            consecutive=self.guard.consecutive,
        )
        self._say(
            f"step {self.step}: loss {result.loss:.4f} > {s.factor} x average {self.guard.average:.4f}; batch skipped"
        )
        if self.guard.consecutive > s.max_consecutive_skips:
            raise TrainingError(
                f"{self.guard.consecutive} loss spikes in a row at step {self.step}; stopping"
            )
        return False

    # ---- validation --------------------------------------------------------------------------------------

    @torch.no_grad()
    def evaluate(self) -> dict[str, dict]:
        """Mean loss and perplexity of each valid split (the same rows each time)."""
        self.model.eval()
        results = {}
        for split, batches in self.eval_sets.items():
            loss_tokens = 0.0
            for mb in batches:
                mb = mb.to(self.env.device)
                loss_tokens += float(self.model(mb[:, :-1], mb[:, 1:])) * mb[:, 1:].numel()
            n_tokens = sum(mb[:, 1:].numel() for mb in batches)
            total, tokens = all_reduce_sum([loss_tokens, float(n_tokens)], self.env.device)
            if tokens:
                loss = total / tokens
                results[split] = {"loss": loss, "ppl": math.exp(min(loss, 50.0)), "tokens": int(tokens)}
        self.model.train()
        if results:
            self.logbook.write("eval", self.step, splits=results)
            self._say(
                "eval "
                + " | ".join(f"{k} loss {v['loss']:.4f} ppl {v['ppl']:.2f}" for k, v in results.items())
            )
        return results

    # ---- the loop ----------------------------------------------------------------------------------------

    def fit(self, until: int | None = None) -> list[float]:
        """Train up to ``until`` (default: train.steps); returns the loss of every applied step."""
        cfg = self.cfg
        stop = min(until or cfg.train.steps, cfg.train.steps)
        self.model.train()
        losses: list[float] = []
        self._say(
            f"training {self.model_cfg.num_params():,} parameters on {self.env.world} process(es), "
            f"{self.precision}, {self.batch_rows} rows x {self.data.seq_len} tokens per step "
            f"({self.loader.accum_steps} micro-batch(es) of {cfg.train.micro_batch_rows} per process), "
            f"steps {self.step + 1}..{stop}"
        )
        saved_at = self.step
        # Speed is the mean over the steps since the last log line (evaluation and saving excluded): waiting
        # for the device after every step would leave it idle while the host queues the next one.
        timer = StepTimer(self.env.device)
        while self.step < stop:
            result = self.train_step()
            self.step += 1
            timer.steps += 1
            if result.outcome == "spike" and self._on_spike(result):
                timer.restart()
                continue  # rolled back: self.step is the checkpoint's again
            if result.applied:
                losses.append(result.loss)
            if self.step % cfg.log.interval == 0 or self.step == stop:
                self._log_step(result, timer.seconds_per_step())
                timer.restart()
            if cfg.eval.interval and self.step % cfg.eval.interval == 0:
                self.evaluate()
                timer.restart()
            if self.step % cfg.checkpoint.interval == 0:
                self.save()
                saved_at = self.step
                timer.restart()
        if saved_at != self.step:
            self.save()
        if self.step == cfg.train.steps and (not cfg.eval.interval or self.step % cfg.eval.interval):
            self.evaluate()
        self.logbook.write("end", self.step, finished=self.step == cfg.train.steps)
        return losses

    def _log_step(self, r: StepResult, dt: float) -> None:
        pnorm = total_norm([p.detach() for p in self.params])  # collective: every rank computes it
        tok_s = self.tokens_per_step / dt
        mfu = self.flops_per_step / dt / (self.peak * 1e12 * self.env.world) if self.peak else None
        mem = memory_gib(self.env.device)
        self.logbook.write(
            "step",
            self.step,
            loss=r.loss,
            grad_norm=r.grad_norm,
            param_norm=pnorm,
            lr=r.lr,
            tokens_per_s=tok_s,
            mfu=mfu,
            mem_gib=mem,
            outcome=r.outcome,
            tokens=self.step * self.tokens_per_step,
            epoch=self.loader.epoch,
        )
        mfu_s = f"{100 * mfu:5.1f}%" if mfu is not None else "  n/a"
        self._say(
            f"step {self.step:>6}/{self.cfg.train.steps} | loss {r.loss:7.4f} | grad {r.grad_norm:7.3f} | "
            f"param {pnorm:8.2f} | lr {r.lr:.2e} | {tok_s:10,.0f} tok/s | mfu {mfu_s} | mem {mem:6.2f} GiB"
        )

    def _say(self, line: str) -> None:
        if self.env.is_main:
            print(line, flush=True)
