"""Small shard sets in the exact on-disk format of corpus/tokens/shard_format.py, for the trainer tests.

The text is learnable on purpose: documents are random sequences drawn from a fixed book of short
phrases, so a tiny model's loss falls well below log(vocab) within a few dozen steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from corpus.tokens.shard_format import FORMAT_NAME, FORMAT_VERSION, token_dtype, write_manifest, write_shard

ROOT = Path(__file__).resolve().parents[1]
EOS = 2


def phrase_documents(rng: np.random.Generator, phrases: np.ndarray, n_tokens: int) -> np.ndarray:
    """A token stream of documents (``ids + [eos]``), each a random sequence of ``phrases`` rows."""
    out = [np.zeros(0, dtype=np.int64)]
    total = 0
    while total < n_tokens:
        doc = phrases[rng.integers(0, len(phrases), size=rng.integers(3, 12))].reshape(-1)
        out.append(np.append(doc, EOS))
        total += len(doc) + 1
    return np.concatenate(out)[:n_tokens]


def make_shards(
    root: Path,
    *,
    vocab: int = 512,
    seq_len: int = 33,
    train_rows: int = 192,
    rows_per_shard: int = 64,
    valid_rows: dict[str, int] | None = None,
    seed: int = 0,
    tokenizer: bool = False,
) -> Path:
    """Write ``root/manifest.json`` + train/valid shards; returns ``root``.

    ``tokenizer``: also store a small byte-level BPE as ``root/tokenizer.json`` and name it in the manifest,
    as the corpus build does (its ids are not the shards' phrase ids; generation only needs it to run).
    """
    valid_rows = valid_rows if valid_rows is not None else {"pile": 8, "reddit": 8}
    rng = np.random.default_rng(seed)
    dtype = token_dtype(vocab)
    splits = {}

    def split(name: str, rows: np.ndarray, per_source: dict[str, int]):
        shards = []
        for i in range(0, len(rows), rows_per_shard):
            rel = f"{name}/part-{i // rows_per_shard:05d}.arrow"
            entry = write_shard(root / rel, rows[i : i + rows_per_shard], dtype)
            shards.append({"path": rel, **entry, "source_tokens": {}})
        splits[name] = {
            "rows": len(rows),
            "tokens": int(rows.size),
            "source_tokens": per_source,
            "shards": shards,
        }

    phrases = rng.integers(4, vocab, size=(32, 6))  # one phrase book for train and valid: learnable, testable
    train = phrase_documents(rng, phrases, train_rows * seq_len).reshape(train_rows, seq_len)
    split("train", train, {"pile": int(train.size)})
    all_valid = []
    for source, n in valid_rows.items():
        rows = phrase_documents(rng, phrases, n * seq_len).reshape(n, seq_len)
        split(f"valid/{source}", rows, {source: int(rows.size)})
        all_valid.append(rows)
    if all_valid:
        rows = np.concatenate(all_valid)
        split("valid", rows, {s: n * seq_len for s, n in valid_rows.items()})
    entry = {"kind": "test", "sha256": f"test-{vocab}"}
    if tokenizer:
        small_bpe(vocab).save(str(root / "tokenizer.json"))
        entry["path"] = "tokenizer.json"
    write_manifest(
        root,
        {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "seq_len": seq_len,
            "dtype": dtype,
            "vocab_size": vocab,
            "eos_id": EOS,
            "pad_id": 1,
            "tokenizer": entry,
            "seed": seed,
            "code_version": "test",
            "recipe": {},
            "splits": splits,
        },
    )
    return root


def small_bpe(max_vocab: int):
    """A byte-level BPE with OPT's special ids (<s> 0, <pad> 1, </s> 2, <unk> 3), trained on a few lines."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=min(max_vocab, 320),
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(["the quick brown fox jumps over the lazy dog"] * 20, trainer)
    return tok


def write_config(path: Path, **sections) -> Path:
    """A TOML config from ``{"train": {"steps": 20}, ...}`` (tests keep their settings next to them)."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def torchrun_all(jobs: list[tuple[int, list[str]]], timeout: float = 180) -> None:
    """Run ``torchrun -m train`` jobs at once, on CPU with gloo, one thread per process (2-core test machine)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(key, None)
    procs = []
    for nproc, args in jobs:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            str(nproc),
            "--standalone",
            "-m",
            "train",
            *args,
            "--device",
            "cpu",
        ]
        procs.append(
            subprocess.Popen(
                cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    failures = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        if p.returncode != 0:
            failures.append(f"{' '.join(p.args)} failed ({p.returncode}):\n{out[-3000:]}\n{err[-5000:]}")
    if failures:
        raise AssertionError("\n\n".join(failures))


def train_here(*args: str) -> int:
    """Run ``python -m train`` in this process (one process, gloo): no torch import per run."""
    from train.__main__ import main

    return main([*args, "--device", "cpu"])


def records(run: Path, event: str) -> list[dict]:
    from train.logbook import read_logbook

    return [r for r in read_logbook(run / "logbook.jsonl") if r["event"] == event]


class one_thread:
    """Run in-process training with one intra-op thread: on a busy 2-core machine two are slower."""

    def __enter__(self):
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.threads)
