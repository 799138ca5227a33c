"""Training data: the Arrow shards of ``corpus/tokens/shard_format.py``, memory-mapped, in a seeded order.

The order is a property of the run, not of the number of processes: epoch ``e`` visits the train rows in
``permutation(seed, e)``, the stream of epochs is cut into global batches of ``batch_rows``, and process
``r`` of ``W`` takes rows ``r, r + W, r + 2W, ...`` of each batch. The loader's whole state is one integer
(rows of the stream consumed), saved in every checkpoint, so a run resumes at the exact next batch - even
on a different number of processes.

Before any row is used, every shard's sha256 is checked against the manifest (``verify_shards``; config
``data.verify``, "sha256" by default, "none" to skip): a shard changed after the build stops the run with
its path and both digests instead of training on different tokens.
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from corpus.tokens.shard_format import ShardFormatError, read_manifest, read_shard

VERIFY_MODES = ("sha256", "none")  # data.verify ("rows", its old default, is read as "none")
HASH_CHUNK = 1 << 20  # bytes read at a time per file: hashing memory is bounded by threads x this


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


def _split_entries(root: Path, manifest: dict, split: str) -> list[dict]:
    if split not in manifest["splits"]:
        raise DataError(
            f"{root}/manifest.json has no split {split!r}; it has: {', '.join(sorted(manifest['splits']))}"
        )
    return manifest["splits"][split]["shards"]


def sha256_chunked(path: str | Path) -> str:
    """The file's sha256, read ``HASH_CHUNK`` bytes at a time into one buffer (hashlib releases the GIL)."""
    h = hashlib.sha256()
    buf = bytearray(HASH_CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify_shards`` did in this process (the trainer sums it over processes for its log line)."""

    mode: str
    shards: int  # shards the run reads
    checked: int  # of those, hashed by this process
    bytes: int  # bytes hashed by this process
    seconds: float


def verify_shards(
    shards_dir: str | Path,
    manifest: dict,
    splits: list[str] | tuple[str, ...],
    mode: str = "sha256",
    part: tuple[int, int] = (0, 1),
    threads: int | None = None,
) -> VerifyReport:
    """Check that the shards of ``splits`` are the files the manifest describes; DataError names the first
    one that is not (path, expected and actual sha256).

    ``part = (i, n)``: this process hashes shards ``i, i + n, ...`` of the list (the processes of a node
    sharing the work, and agreeing on the outcome afterwards: see ``Trainer``). ``threads`` hash several
    files at once (default: this process's share of the CPUs, 2 to 8); each reads its file in chunks.
    """
    if mode == "rows":
        mode = "none"
    if mode not in VERIFY_MODES:
        raise DataError(f"data.verify must be one of {', '.join(VERIFY_MODES)}, not {mode!r}")
    root = Path(shards_dir)
    entries, seen = [], set()
    for split in splits:
        for entry in _split_entries(root, manifest, split):
            if entry["path"] not in seen:
                seen.add(entry["path"])
                entries.append(entry)
    if mode == "none":
        return VerifyReport(mode, len(entries), 0, 0, 0.0)
    t0 = time.perf_counter()
    index, count = part
    mine = entries[index::count]
    for entry in mine:
        if not (root / entry["path"]).exists():
            raise DataError(f"shard {root / entry['path']} is listed in {root}/manifest.json but missing")
    if threads is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        threads = min(8, max(2, cpus // count))  # >= 2: one reads while another hashes (cold page cache)
    nbytes = 0
    with ThreadPoolExecutor(max(1, min(threads, len(mine) or 1))) as pool:
        futures = [pool.submit(sha256_chunked, root / e["path"]) for e in mine]
        try:
            for entry, future in zip(mine, futures, strict=True):
                actual = future.result()
                if actual != entry["sha256"]:
                    raise DataError(
                        f"shard {root / entry['path']}: sha256 differs from {root}/manifest.json: expected "
                        f"{entry['sha256']}, file has {actual} (changed or damaged since the build; "
                        f"`corpus inspect {root} --verify` checks every shard)"
                    )
                nbytes += (root / entry["path"]).stat().st_size
        finally:
            for f in futures:
                f.cancel()  # a mismatch stops at once: files not yet started are not read
    return VerifyReport(mode, len(entries), len(mine), nbytes, time.perf_counter() - t0)


class ShardSet:
    """All rows of one split, memory-mapped (no row is read before it is asked for).

    ``verify``: "sha256" (default) hashes each shard against the manifest first; "none" when the caller
    has already done so (the trainer, through ``verify_shards``) or opts out.
    """

    def __init__(self, shards_dir: str | Path, manifest: dict, split: str, verify: str = "sha256"):
        root = Path(shards_dir)
        entries = _split_entries(root, manifest, split)
        verify_shards(root, manifest, [split], verify)
        self.split = split
        self.seq_len = int(manifest["seq_len"])
        self.arrays: list[np.ndarray] = []
        self.paths: list[Path] = []
        for entry in entries:
            path = root / entry["path"]
            if not path.exists():
                raise DataError(f"shard {path} is listed in {root}/manifest.json but missing")
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
            self.paths.append(path)
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

    def check_ids(self, index: np.ndarray, tokens: np.ndarray, vocab_size: int) -> None:
        """DataError naming the shard, row and position of the first id of ``tokens`` (rows ``index`` of
        this split, as ``take`` returned them) outside ``[0, vocab_size)``."""
        if len(tokens) == 0 or (tokens.max() < vocab_size and tokens.min() >= 0):
            return
        i, pos = np.argwhere((tokens >= vocab_size) | (tokens < 0))[0]
        g = int(index[i])
        s = int(np.searchsorted(self.offsets, g, side="right") - 1)
        raise DataError(
            f"shard {self.paths[s]} row {g - int(self.offsets[s])}: token id {int(tokens[i, pos])} at position "
            f"{int(pos)} does not fit the model's vocabulary of {vocab_size} (row {g} of split {self.split!r})"
        )


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
        index = self._stream(positions)
        tokens = self.rows.take(index)
        self.rows.check_ids(index, tokens, self.vocab_size)
        t = torch.from_numpy(tokens)
        return list(t.split(self.micro_batch_rows))


def eval_batches(
    rows: ShardSet,
    max_rows: int,
    micro_batch_rows: int,
    rank: int,
    world: int,
    vocab_size: int | None = None,
) -> list[torch.Tensor]:
    """The first rows of a split, the same every time, divided equally among processes.

    Every process must run the same number of forward passes (FSDP gathers weights collectively), so the
    row count is rounded down to a multiple of the number of processes; a split with fewer rows than
    processes gives no batches. With ``vocab_size``, an id outside the vocabulary is a DataError that
    names its shard and row.
    """
    n = min(max_rows, len(rows)) // world * world
    positions = np.arange(n)[rank::world]
    if len(positions) == 0:
        return []
    tokens = rows.take(positions)
    if vocab_size is not None:
        rows.check_ids(positions, tokens, vocab_size)
    return list(torch.from_numpy(tokens).split(micro_batch_rows))
