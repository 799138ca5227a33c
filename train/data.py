"""Training data: the Arrow shards of ``corpus/shard_format.py``, memory-mapped, in a seeded order.

The order is a property of the run, not of the number of processes: epoch ``e`` visits the train rows in
``permutation(seed, e)``, the stream of epochs is cut into global batches of ``batch_rows``, and process
``r`` of ``W`` takes rows ``r, r + W, r + 2W, ...`` of each batch. The loader's whole state is one integer
(rows of the stream consumed), saved in every checkpoint, so a run resumes at the exact next batch - even
on a different number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from corpus.shard_format import ShardFormatError, read_manifest, read_shard, sha256_file


class DataError(ValueError):
    """Shards that cannot be trained on, with the file and the reason in the message."""


@dataclass(frozen=True)
class DataInfo:
    """What the trainer needs from a manifest, and what a checkpoint records to refuse foreign data."""

    path: str
    seq_len: int
    vocab_size: int
    eos_id: int
    tokenizer: dict  # the manifest's tokenizer entry (kind, sha256, maybe a path)
    splits: tuple[str, ...]

    def tokenizer_file(self) -> str | None:
        """Absolute path of the tokenizer file stored with the shards (manifest ``tokenizer.path``), if any."""
        rel = self.tokenizer.get("path")
        if not rel:
            return None
        path = Path(self.path) / rel
        return str(path.resolve()) if path.exists() else None

    def fingerprint(self) -> dict:
        """Fields that must not change between a checkpoint and the data it resumes on."""
        return {
            "seq_len": self.seq_len,
            "vocab_size": self.vocab_size,
            "tokenizer_sha256": self.tokenizer.get("sha256"),
        }


def open_manifest(shards_dir: str | Path) -> tuple[DataInfo, dict]:
    """Read and check ``manifest.json``; errors say which shards directory is wrong and why."""
    try:
        manifest = read_manifest(shards_dir)
    except ShardFormatError as e:
        raise DataError(str(e)) from None
    for key in ("seq_len", "vocab_size", "splits"):
        if key not in manifest:
            raise DataError(f"{shards_dir}/manifest.json has no {key!r} entry")
    info = DataInfo(
        path=str(shards_dir),
        seq_len=int(manifest["seq_len"]),
        vocab_size=int(manifest["vocab_size"]),
        eos_id=int(manifest.get("eos_id", 2)),
        tokenizer=dict(manifest.get("tokenizer") or {}),
        splits=tuple(sorted(manifest["splits"])),
    )
    return info, manifest


class ShardSet:
    """All rows of one split, memory-mapped (no row is read before it is asked for)."""

    def __init__(self, shards_dir: str | Path, manifest: dict, split: str, verify: str = "rows"):
        root = Path(shards_dir)
        if split not in manifest["splits"]:
            raise DataError(
                f"{root}/manifest.json has no split {split!r}; it has: {', '.join(sorted(manifest['splits']))}"
            )
        self.split = split
        self.seq_len = int(manifest["seq_len"])
        self.arrays: list[np.ndarray] = []
        for entry in manifest["splits"][split]["shards"]:
            path = root / entry["path"]
            if not path.exists():
                raise DataError(f"shard {path} is listed in {root}/manifest.json but missing")
            if verify == "sha256" and sha256_file(path) != entry["sha256"]:
                raise DataError(
                    f"shard {path}: sha256 differs from {root}/manifest.json (file changed or corrupt)"
                )
            try:
                rows = read_shard(path)
            except (OSError, ValueError) as e:  # pyarrow raises ArrowInvalid (a ValueError) on a damaged file
                raise DataError(f"shard {path} cannot be read as an Arrow IPC file: {e}") from None
            if rows.shape[1] != self.seq_len:
                raise DataError(
                    f"shard {path}: rows of {rows.shape[1]} tokens, manifest says seq_len {self.seq_len}"
                )
            if rows.shape[0] != entry["rows"]:
                raise DataError(f"shard {path}: {rows.shape[0]} rows, manifest.json says {entry['rows']}")
            self.arrays.append(rows)
        self.offsets = np.cumsum([0] + [a.shape[0] for a in self.arrays])
        if len(self) == 0:
            raise DataError(f"split {split!r} of {root} has no rows")

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def take(self, index: np.ndarray) -> np.ndarray:
        """Rows at global positions ``index`` as an int64 array [len(index), seq_len] (copies only those)."""
        shard = np.searchsorted(self.offsets, index, side="right") - 1
        out = np.empty((len(index), self.seq_len), dtype=np.int64)
        for i, (s, g) in enumerate(zip(shard, index, strict=True)):
            out[i] = self.arrays[s][g - self.offsets[s]]
        return out


class TrainLoader:
    """Global batches of a seeded, epoch-by-epoch shuffled stream; this process's rows of each."""

    def __init__(
        self,
        rows: ShardSet,
        batch_rows: int,
        micro_batch_rows: int,
        rank: int,
        world: int,
        seed: int,
        vocab_size: int,
    ):
        if batch_rows % (world * micro_batch_rows):
            raise DataError(
                f"a batch of {batch_rows} rows does not split into {world} processes x micro-batches of "
                f"{micro_batch_rows} rows; change train.batch_tokens or train.micro_batch_rows"
            )
        self.rows = rows
        self.batch_rows = batch_rows
        self.micro_batch_rows = micro_batch_rows
        self.accum_steps = batch_rows // (world * micro_batch_rows)
        self.rank, self.world, self.seed = rank, world, seed
        self.vocab_size = vocab_size
        self.cursor = 0  # rows of the stream consumed by all processes together
        self._perm_epoch, self._perm = -1, None

    def state_dict(self) -> dict:
        return {"cursor": self.cursor, "seed": self.seed, "rows": len(self.rows)}

    def load_state_dict(self, state: dict) -> None:
        if state["rows"] != len(self.rows) or state["seed"] != self.seed:
            raise DataError(
                f"the checkpoint's loader ran over {state['rows']} train rows with seed {state['seed']}; this data "
                f"has {len(self.rows)} rows and the seed is {self.seed}: not the same data, cannot resume exactly"
            )
        self.cursor = int(state["cursor"])

    def _stream(self, positions: np.ndarray) -> np.ndarray:
        """Row indices at stream positions (each epoch is a fresh permutation of all rows)."""
        n = len(self.rows)
        out = np.empty(len(positions), dtype=np.int64)
        epochs = positions // n
        for epoch in np.unique(epochs):
            if epoch != self._perm_epoch:
                self._perm = np.random.default_rng([self.seed, int(epoch)]).permutation(n)
                self._perm_epoch = int(epoch)
            mask = epochs == epoch
            out[mask] = self._perm[positions[mask] % n]
        return out

    @property
    def epoch(self) -> float:
        return self.cursor / len(self.rows)

    def next_batch(self) -> list[torch.Tensor]:
        """This process's share of the next global batch, as ``accum_steps`` micro-batches of token ids."""
        positions = np.arange(self.cursor, self.cursor + self.batch_rows)[self.rank :: self.world]
        self.cursor += self.batch_rows
        tokens = self.rows.take(self._stream(positions))
        if tokens.max() >= self.vocab_size:
            raise DataError(
                f"token id {int(tokens.max())} in split {self.rows.split!r} does not fit the model's vocabulary of "
                f"{self.vocab_size}: the shards were made with another tokenizer"
            )
        t = torch.from_numpy(tokens)
        return list(t.split(self.micro_batch_rows))


def eval_batches(
    rows: ShardSet, max_rows: int, micro_batch_rows: int, rank: int, world: int
) -> list[torch.Tensor]:
    """The first rows of a split, the same every time, divided equally among processes.

    Every process must run the same number of forward passes (FSDP gathers weights collectively), so the
    row count is rounded down to a multiple of the number of processes; a split with fewer rows than
    processes gives no batches.
    """
    n = min(max_rows, len(rows)) // world * world
    positions = np.arange(n)[rank::world]
    if len(positions) == 0:
        return []
    return list(torch.from_numpy(rows.take(positions)).split(micro_batch_rows))
