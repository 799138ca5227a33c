"""What the trainer's startup shard check (``data.verify = "sha256"``, the default) costs, against baselines.

Writes >= 1 GB of shards with the project's writer (``corpus.tokens.shard_format.write_shard``: rows of 2048
uint16 ids, 4,096 rows a shard as the build writes them, a manifest with their sha256) into a temporary
directory (removed at the end), or into ``--dir`` (kept, and reused by the next run), then times over the same files, in the same process:

* (a) ``train.data.verify_shards`` as ``python -m train`` runs it in one process (its default threads);
* (a1) the same with one thread;
* (b) baseline: a plain ``hashlib.sha256`` loop, ``f.read(1 MiB)`` file after file;
* (c) a ``cat``-like raw read (``readinto`` a 1 MiB buffer, file after file): the I/O bound;
* (d) for context: opening the shards without the check (``ShardSet(..., verify="none")``: startup before
  the check was the default; it reads every byte too, copying shards of several record batches);
* (e) startup now: (a) then (d), as ``Trainer`` runs them; (e) - (d) is what the check adds.

Each is timed with the files in the page cache ("warm") and after dropping these files' cached pages with
``posix_fadvise(DONTNEED)`` ("cold": read from the disk; nothing else's cache is touched); the best of
``--repeat`` runs counts (the machine may be shared). Prints seconds, GB/s and ratios to (b) and (c).

    python bench/bench_shard_verify.py [--gb 1.1] [--dir DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.tokens.shard_format import (  # noqa: E402
    FORMAT_NAME,
    FORMAT_VERSION,
    read_manifest,
    write_manifest,
    write_shard,
)
from train.data import ShardSet, verify_shards  # noqa: E402

SEQ_LEN, ROWS_PER_SHARD, VOCAB = 2048, 4096, 50265


def write_shards(root: Path, gb: float) -> dict:
    """``gb`` GB of random-id train shards (+ one small valid shard) and their manifest."""
    rng = np.random.default_rng(0)
    shard_bytes = ROWS_PER_SHARD * SEQ_LEN * 2
    n_shards = max(1, -int(-gb * 1e9 // shard_bytes))
    splits = {}
    for split, count, rows in (("train", n_shards, ROWS_PER_SHARD), ("valid", 1, 256)):
        shards = []
        for i in range(count):
            ids = rng.integers(4, VOCAB, size=(rows, SEQ_LEN), dtype=np.uint16)
            rel = f"{split}/part-{i:05d}.arrow"
            shards.append({"path": rel, **write_shard(root / rel, ids, "uint16"), "source_tokens": {}})
        splits[split] = {
            "rows": sum(s["rows"] for s in shards),
            "tokens": sum(s["tokens"] for s in shards),
            "source_tokens": {},
            "shards": shards,
        }
    write_manifest(
        root,
        {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "seq_len": SEQ_LEN,
            "dtype": "uint16",
            "vocab_size": VOCAB,
            "eos_id": 2,
            "pad_id": 1,
            "tokenizer": {"kind": "bench", "sha256": "bench"},
            "splits": splits,
        },
    )
    return read_manifest(root)


def files_of(root: Path, manifest: dict) -> list[Path]:
    return [root / s["path"] for split in manifest["splits"].values() for s in split["shards"]]


def drop_cache(files: list[Path]) -> None:
    """Evict these files' pages from the page cache (written back first), so the next read hits the disk."""
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def plain_sha256(files: list[Path]) -> None:
    for path in files:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda f=f: f.read(1 << 20), b""):
                h.update(block)
        h.hexdigest()


def raw_read(files: list[Path]) -> None:
    buf = bytearray(1 << 20)
    for path in files:
        with open(path, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass


def best(fn, files: list[Path], cold: bool, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        if cold:
            drop_cache(files)
        else:
            raw_read(files)  # make sure every page is cached
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gb", type=float, default=1.1, help="size of the train shards to write (default 1.1)")
    ap.add_argument("--dir", help="write the shards here and keep them (default: a temporary directory)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best counts")
    args = ap.parse_args()

    tmp = None
    if args.dir:
        root = Path(args.dir)
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="bench_shard_verify_")
        root = Path(tmp)
    try:
        if (root / "manifest.json").exists():
            manifest = read_manifest(root)
            print(f"reusing the shards in {root}")
        else:
            t0 = time.perf_counter()
            manifest = write_shards(root, args.gb)
            print(f"wrote the shards in {time.perf_counter() - t0:.1f} s (write_shard, sha256 included)")
        files = files_of(root, manifest)
        splits = list(manifest["splits"])
        total = sum(p.stat().st_size for p in files)
        cpus = len(os.sched_getaffinity(0))
        print(
            f"{len(files)} shards, {total / 1e9:.3f} GB in {root}; {cpus} CPUs; "
            f"best of {args.repeat}; GB = 1e9 bytes"
        )

        def opened():
            for split in splits:
                ShardSet(root, manifest, split, verify="none")

        cases = [
            ("(a) verify_shards, default threads", lambda: verify_shards(root, manifest, splits, "sha256")),
            (
                "(a1) verify_shards, 1 thread",
                lambda: verify_shards(root, manifest, splits, "sha256", threads=1),
            ),
            ("(b) plain hashlib.sha256 loop", lambda: plain_sha256(files)),
            ("(c) raw read (cat-like)", lambda: raw_read(files)),
            ("(d) ShardSet open, verify='none'", opened),
            ("(e) = (a) then (d)", lambda: (verify_shards(root, manifest, splits, "sha256"), opened())),
        ]
        for cache in ("warm", "cold"):
            results = {name: best(fn, files, cache == "cold", args.repeat) for name, fn in cases}
            by = {name.split()[0]: sec for name, sec in results.items()}  # "(a)": seconds, ...
            print(f"\n{cache} page cache:")
            print(f"  {'':36s} {'seconds':>8s} {'GB/s':>7s} {'x (b)':>7s} {'x (c)':>7s}")
            for name, sec in results.items():
                print(
                    f"  {name:36s} {sec:8.3f} {total / 1e9 / sec:7.2f} {sec / by['(b)']:7.2f} {sec / by['(c)']:7.2f}"
                )
            print(f"  the check adds {by['(e)'] - by['(d)']:.3f} s to opening the shards: (e) - (d)")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
