"""``corpus inspect SHARDS``: what a shards directory holds, and any row decoded back to text.

    corpus inspect OUT/shards                       manifest summary: splits, rows, tokens, sources, tokenizer
    corpus inspect OUT/shards --row 7               ... and train row 7 as text (``</s>`` marks document ends)
    corpus inspect OUT/shards --split valid/pile --row 0 --ids
    corpus inspect OUT/shards --verify              recompute every shard's sha256 and row count

Rows are numbered across a split's shards in manifest order. Decoding uses the ``tokenizer.json`` stored
next to the manifest, after checking its fingerprint against the manifest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa

from corpus.tokens.shard_format import ShardFormatError, read_manifest, read_shard, sha256_file


def summary(manifest: dict) -> str:
    """A few lines a human reads first: format, tokenizer, and per split shards, rows, tokens, sources."""
    tok = manifest.get("tokenizer", {})
    lines = [
        f"format {manifest['format']} v{manifest['format_version']}, code {manifest.get('code_version')}, seed {manifest.get('seed')}",
        f"rows of {manifest['seq_len']} tokens, {manifest['dtype']}; vocab {manifest['vocab_size']}, "
        f"eos {manifest['eos_id']}, pad {manifest.get('pad_id')}",
        f"tokenizer {tok.get('kind')} ({tok.get('origin')}), sha256 {str(tok.get('sha256'))[:16]}...",
        "",
        f"{'split':24s} {'shards':>6s} {'rows':>10s} {'tokens':>14s} {'docs':>10s} {'tail dropped':>12s}  sources (share of tokens)",
    ]
    for name, split in manifest["splits"].items():
        tokens = split.get("tokens", 0)
        shares = (
            ", ".join(
                f"{s} {n / tokens:.1%}"
                for s, n in sorted(split.get("source_tokens", {}).items(), key=lambda kv: -kv[1])
            )
            if tokens
            else "-"
        )
        lines.append(
            f"{name:24s} {len(split['shards']):6d} {split['rows']:10,d} {tokens:14,d} "
            f"{split.get('docs', 0):10,d} {split.get('tail_tokens', 0):12,d}  {shares}"
        )
    return "\n".join(lines)


def locate_row(manifest: dict, split: str, row: int) -> tuple[str, int]:
    """(shard path relative to the shards directory, row inside it) of a split's ``row``-th row."""
    if split not in manifest["splits"]:
        raise ShardFormatError(f"no split {split!r}; splits: {', '.join(manifest['splits'])}")
    remaining = row
    for shard in manifest["splits"][split]["shards"]:
        if 0 <= remaining < shard["rows"]:
            return shard["path"], remaining
        remaining -= shard["rows"]
    raise ShardFormatError(
        f"split {split!r} has {manifest['splits'][split]['rows']} rows; row {row} does not exist"
    )


def load_shards_tokenizer(shards_dir: str | Path, manifest: dict):
    """The tokenizer stored with the shards, refused when its fingerprint is not the manifest's."""
    from corpus.tokens.tokenizer import from_tokenizer_json

    entry = manifest.get("tokenizer", {})
    loaded = from_tokenizer_json(
        Path(shards_dir) / entry.get("path", "tokenizer.json"), kind=entry.get("kind", "tokenizer_json")
    )
    if entry.get("sha256") and loaded.sha256 != entry["sha256"]:
        raise ShardFormatError(
            f"tokenizer.json fingerprint {loaded.sha256[:16]} is not the manifest's {entry['sha256'][:16]}"
        )
    return loaded.tokenizer


def read_row(shards_dir: str | Path, manifest: dict, split: str, row: int) -> list[int]:
    path, index = locate_row(manifest, split, row)
    return read_shard(Path(shards_dir) / path)[index].tolist()


def verify(shards_dir: str | Path, manifest: dict) -> list[str]:
    """Problems found when every shard is re-read and re-hashed against the manifest (empty when none)."""
    problems = []
    for name, split in manifest["splits"].items():
        for shard in split["shards"]:
            path = Path(shards_dir) / shard["path"]
            if not path.exists():
                problems.append(f"{name}: {shard['path']} is missing")
                continue
            if sha256_file(path) != shard["sha256"]:
                problems.append(f"{name}: {shard['path']} sha256 differs from the manifest")
            try:
                rows = read_shard(path)
            except (pa.ArrowInvalid, OSError, ShardFormatError) as e:  # a cut stream raises OSError
                problems.append(f"{name}: {shard['path']} cannot be read as a shard ({e})")
                continue
            if rows.shape != (shard["rows"], manifest["seq_len"]):
                problems.append(
                    f"{name}: {shard['path']} holds {rows.shape}, manifest says {shard['rows']} rows"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    """``corpus inspect SHARDS [--split S] [--row N] [--ids] [--max-chars C] [--verify]``"""
    parser = argparse.ArgumentParser(prog="corpus inspect", description="summarize shards and decode rows")
    parser.add_argument("shards", help="a shards directory (OUT/shards)")
    parser.add_argument("--split", default="train", help="train, valid or valid/<source> (default train)")
    parser.add_argument("--row", type=int, help="decode this row of the split")
    parser.add_argument("--ids", action="store_true", help="also print the row's token ids")
    parser.add_argument("--max-chars", type=int, default=4000, help="print at most this much decoded text")
    parser.add_argument("--verify", action="store_true", help="re-hash every shard against the manifest")
    args = parser.parse_args(argv)

    try:
        manifest = read_manifest(args.shards)
        print(summary(manifest))
        status = 0
        if args.verify:
            problems = verify(args.shards, manifest)
            print(
                "\nverify: "
                + ("all shards match the manifest" if not problems else f"{len(problems)} problem(s)")
            )
            for p in problems:
                print(f"  {p}")
            status = 1 if problems else 0
        if args.row is not None:
            ids = read_row(args.shards, manifest, args.split, args.row)
            tokenizer = load_shards_tokenizer(args.shards, manifest)
            text = tokenizer.decode(ids, skip_special_tokens=False)
            print(
                f"\n{args.split} row {args.row} ({len(ids)} tokens, {ids.count(manifest['eos_id'])} document ends):"
            )
            if args.ids:
                print(ids)
            print(text[: args.max_chars] + (" ..." if len(text) > args.max_chars else ""))
        return status
    except ShardFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
