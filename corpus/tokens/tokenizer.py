"""Tokenizers for the corpus: load one (tokenizer.json, GPT-2/OPT vocab + merges, a Hugging Face name) or
train a byte-level BPE on the built corpus, and encode Arrow batches of documents with the batch encoder.

OPT used GPT-2's byte-level BPE with its own id order: ``<s>`` = 0, ``<pad>`` = 1, ``</s>`` = 2 (ends every
document), ``<unk>`` = 3, 50,265 entries (models pad the embedding to 50,272). A trained tokenizer
reserves the same four ids, so shards built with it look like OPT's to the trainer.

Document text is encoded as *plain text*: a literal ``</s>`` inside a web page becomes ordinary BPE
tokens, never a document boundary (``encode_special_tokens``). metaseq did the same: it BPE-encoded text
and appended the end-of-document id itself.

A tokenizer's identity is the sha256 of its canonical JSON (``fingerprint``); the shards manifest records
it, and the trainer and ``corpus inspect`` check it before decoding.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import xxhash
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from corpus.config import TokenizerConfig
from corpus.runtime.fs import exists, resolve_fs, write_bytes_atomic
from corpus.runtime.layout import DEDUP_DOCUMENTS

# OPT's special tokens, in id order; a trained tokenizer gets exactly these ids.
OPT_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>")
# End-of-document token names, in the order they are looked for.
EOS_CANDIDATES = ("</s>", "<|endoftext|>", "<eos>")
PAD_CANDIDATES = ("<pad>", "<|padding|>")


class TokenizerLoadError(RuntimeError):
    """A tokenizer that cannot be loaded or built, with what to do about it in the message."""


@dataclass(frozen=True)
class LoadedTokenizer:
    """A tokenizer plus the facts the pipeline needs about it."""

    tokenizer: Tokenizer
    kind: str  # how it was obtained: vocab_merges, tokenizer_json, hf_name or train
    origin: str  # path(s) or Hugging Face name it came from, for the manifest and messages
    eos_id: int  # appended after every document
    pad_id: int | None  # None when the vocabulary has no padding token (GPT-2)
    vocab_size: (
        int  # largest id + 1: what the embedding must hold (OPT: 50,265, padded to 50,272 in the model)
    )
    sha256: str  # fingerprint of the canonical tokenizer JSON

    def to_json(self) -> str:
        """The canonical JSON text (what ``sha256`` is computed over); ``Tokenizer.from_str`` reads it."""
        return canonical_json(self.tokenizer)

    def manifest_entry(self) -> dict:
        return {
            "kind": self.kind,
            "origin": self.origin,
            "sha256": self.sha256,
            "vocab_size": self.vocab_size,
            "eos_id": self.eos_id,
            "pad_id": self.pad_id,
        }


def canonical_json(tokenizer: Tokenizer) -> str:
    """The tokenizer's JSON with sorted keys and no whitespace, so equal tokenizers give equal text."""
    return json.dumps(
        json.loads(tokenizer.to_str()), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def fingerprint(tokenizer: Tokenizer) -> str:
    """sha256 (hex) of the canonical tokenizer JSON."""
    return hashlib.sha256(canonical_json(tokenizer).encode("utf-8")).hexdigest()


def describe(tokenizer: Tokenizer, kind: str, origin: str) -> LoadedTokenizer:
    """Wrap a ``tokenizers.Tokenizer``: find its end-of-document and padding ids, size and fingerprint."""
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    eos = next((vocab[t] for t in EOS_CANDIDATES if t in vocab), None)
    if eos is None:
        raise TokenizerLoadError(
            f"tokenizer from {origin} has no end-of-document token (looked for {', '.join(EOS_CANDIDATES)})"
        )
    pad = next((vocab[t] for t in PAD_CANDIDATES if t in vocab), None)
    sha = fingerprint(tokenizer)
    tokenizer.encode_special_tokens = True  # document text is plain text (module docstring); not serialized
    return LoadedTokenizer(tokenizer, kind, origin, eos, pad, max(vocab.values()) + 1, sha)


def from_tokenizer_json(path: str | Path, kind: str = "tokenizer_json") -> LoadedTokenizer:
    """Load a Hugging Face ``tokenizer.json`` (e.g. GPT-2's, or one written by ``train``)."""
    try:
        filesystem, fs_path = resolve_fs(str(path))
        with filesystem.open_input_stream(fs_path, compression=None) as f:
            tokenizer = Tokenizer.from_str(f.read().decode("utf-8"))
    except Exception as e:  # missing file (OSError), bad UTF-8, or tokenizers' plain Exception
        raise TokenizerLoadError(f"cannot read tokenizer.json {path}: {e}") from None
    return describe(tokenizer, kind, str(path))


def from_vocab_merges(vocab: str | Path, merges: str | Path) -> LoadedTokenizer:
    """GPT-2 style ``vocab.json`` + ``merges.txt`` (OPT's ``gpt2-vocab.json`` / ``gpt2-merges.txt``).

    Byte-level pre-tokenization without a prefix space, as GPT-2 and metaseq encode; the special tokens
    already in the vocabulary (OPT's ``<s> <pad> </s> <unk>``) are registered as special so they decode
    as themselves and are never merged into.
    """
    for p in (vocab, merges):
        if not Path(p).exists():
            raise TokenizerLoadError(f"tokenizer file {p} does not exist")
    bpe = models.BPE.from_file(str(vocab), str(merges))
    tokenizer = Tokenizer(bpe)
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    known = tokenizer.get_vocab()
    tokenizer.add_special_tokens([t for t in OPT_SPECIAL_TOKENS + EOS_CANDIDATES if t in known])
    return describe(tokenizer, "vocab_merges", f"{vocab} + {merges}")


def from_hf_name(name: str, local_files_only: bool | None = None) -> LoadedTokenizer:
    """A tokenizer from the Hugging Face hub (or its local cache): ``tokenizer.json`` when the repository
    has one, else ``vocab.json`` + ``merges.txt`` (OPT's repositories ship only those).

    ``local_files_only`` defaults to the hub's offline switches (``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``).
    Offline and not cached is an error that says which recipe kinds work without the network.
    """
    if local_files_only is None:
        local_files_only = any(
            os.environ.get(v, "") not in ("", "0") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
        )
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise TokenizerLoadError("tokenizer.kind = 'hf_name' needs the huggingface_hub package") from None

    def fetch(filename: str) -> str:
        return hf_hub_download(name, filename, local_files_only=local_files_only)

    errors = []
    try:
        return dataclasses.replace(from_tokenizer_json(fetch("tokenizer.json"), kind="hf_name"), origin=name)
    except Exception as e:  # hub errors vary by version: offline, not found, gated, timeouts
        errors.append(f"tokenizer.json: {type(e).__name__}: {e}")
    try:
        loaded = from_vocab_merges(fetch("vocab.json"), fetch("merges.txt"))
        return dataclasses.replace(loaded, kind="hf_name", origin=name)
    except Exception as e:
        errors.append(f"vocab.json + merges.txt: {type(e).__name__}: {e}")
    raise TokenizerLoadError(
        f"cannot load Hugging Face tokenizer {name!r} ({'offline, cache only' if local_files_only else 'online'}): "
        + "; ".join(e.splitlines()[0] for e in errors)
        + ". Without the network use tokenizer.kind = 'vocab_merges' or 'tokenizer_json' with local files, "
        "or 'train' (`corpus tokenizer train`)."
    )


def load_tokenizer(config: TokenizerConfig, trained_path: str | Path | None = None) -> LoadedTokenizer:
    """The tokenizer a recipe names. For ``kind = "train"`` that is the tokenizer.json at ``trained_path``
    (written by ``train_bpe`` / ``corpus tokenizer train``)."""
    if config.kind == "vocab_merges":
        if not (config.vocab and config.merges):
            raise TokenizerLoadError(
                "tokenizer.kind = 'vocab_merges' needs tokenizer.vocab and tokenizer.merges"
            )
        return from_vocab_merges(config.vocab, config.merges)
    if config.kind == "tokenizer_json":
        if not config.path:
            raise TokenizerLoadError("tokenizer.kind = 'tokenizer_json' needs tokenizer.path")
        return from_tokenizer_json(config.path)
    if config.kind == "hf_name":
        if not config.name:
            raise TokenizerLoadError("tokenizer.kind = 'hf_name' needs tokenizer.name")
        return from_hf_name(config.name)
    if trained_path is None or not exists(*resolve_fs(str(trained_path))):
        raise TokenizerLoadError(
            f"tokenizer.kind = 'train' but no trained tokenizer at {trained_path}; "
            "run `corpus tokenizer train --input OUT/dedup/documents --out PATH` first"
        )
    return from_tokenizer_json(trained_path, kind="train")


def _join(base: str, rel: str) -> str:
    return f"{base.rstrip('/')}/{rel}"


# --- training ---------------------------------------------------------------------------------------


def train_bpe(texts: Iterable[str], vocab_size: int, min_frequency: int = 2) -> LoadedTokenizer:
    """Train a GPT-2 style byte-level BPE on ``texts``; ids 0-3 are OPT's ``<s> <pad> </s> <unk>``.

    The result depends only on the multiset of texts, not their order (the trainer counts words first and
    breaks ties between equally frequent pairs deterministically), so Spark's file order does not matter.
    """
    if vocab_size < len(OPT_SPECIAL_TOKENS) + 256:
        raise TokenizerLoadError(
            f"vocab_size {vocab_size} cannot hold 256 byte tokens and {len(OPT_SPECIAL_TOKENS)} special tokens"
        )
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(OPT_SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return describe(tokenizer, "train", "trained")


_SAMPLE_SALT = 0x7E1


def sample_key(doc_id: str, seed: int) -> int:
    """A document's place in the training sample order (uint64 hash of its id): the sample is the documents
    with the smallest keys, so it is the same whatever the partitioning or file order."""
    return xxhash.xxh64_intdigest(doc_id.encode("utf-8"), seed=seed ^ _SAMPLE_SALT)


def sampled(doc_id: str, fraction: float, seed: int) -> bool:
    """Whether a document is in a ``fraction`` sample (by ``sample_key``)."""
    return fraction >= 1.0 or sample_key(doc_id, seed) < fraction * 2**64


def iter_parquet_texts(
    input_dir: str | Path, sample_fraction: float = 1.0, seed: int = 0, max_bytes: int = 0
) -> Iterator[str]:
    """The non-empty texts of a documents Parquet dataset (OUT/dedup/documents) in the ``sample_fraction``
    hash sample (``sampled``), in dataset order; with ``max_bytes`` > 0 only the sampled documents with the
    smallest ``sample_key`` up to the one whose UTF-8 text reaches ``max_bytes`` in all.

    One pass over the dataset. With a cap, only the candidates that can still be needed are kept, merged
    batch by batch: memory is bounded by the cap (plus a batch), not by the corpus.
    """
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    limit = np.uint64(2**64 - 1 if sample_fraction >= 1.0 else int(sample_fraction * 2**64) - 1)
    filesystem, path = resolve_fs(str(input_dir))
    dataset = ds.dataset(path, filesystem=filesystem, format="parquet", partitioning="hive")
    keys = np.zeros(0, dtype=np.uint64)
    sizes = np.zeros(0, dtype=np.int64)
    positions = np.zeros(0, dtype=np.int64)
    texts: dict[int, str] = {}  # position in the dataset -> text, for the candidates
    position = 0
    for batch in dataset.to_batches(columns=["doc_id", "text"], batch_size=4096):
        ids = batch.column("doc_id").to_pylist()
        batch_keys = np.fromiter((sample_key(d, seed) for d in ids), dtype=np.uint64, count=len(ids))
        eligible = batch_keys <= limit
        text = batch.column("text")
        if max_bytes <= 0:
            yield from (t for t in text.filter(pa.array(eligible)).to_pylist() if t)
            continue
        batch_sizes = pc.binary_length(text.cast(pa.large_binary())).fill_null(0).to_numpy()
        keys = np.concatenate([keys, batch_keys[eligible]])
        sizes = np.concatenate([sizes, batch_sizes[eligible].astype(np.int64)])
        positions = np.concatenate([positions, np.flatnonzero(eligible) + position])
        order = np.argsort(keys, kind="stable")
        keys, sizes, positions = keys[order], sizes[order], positions[order]
        reached = np.flatnonzero(np.cumsum(sizes) >= max_bytes)
        if reached.size:  # documents with larger keys than the one that reaches the cap are never taken
            kept = keys <= keys[reached[0]]
            keys, sizes, positions = keys[kept], sizes[kept], positions[kept]
        # only the candidates' texts become Python strings, a small share of the corpus
        new = positions[positions >= position]
        new_texts = text.take(pa.array(new - position)).to_pylist()
        kept_before = {p: texts[p] for p in positions[positions < position].tolist()}
        texts = kept_before | dict(zip(new.tolist(), new_texts, strict=True))
        position += len(ids)
    for kept_position in np.sort(positions).tolist():
        if texts[kept_position]:
            yield texts[kept_position]


def train_from_parquet(
    input_dir: str | Path,
    out_path: str | Path,
    vocab_size: int,
    sample_fraction: float = 1.0,
    seed: int = 0,
    max_bytes: int = 0,
) -> LoadedTokenizer:
    """Train on a documents dataset and write the tokenizer.json atomically (tmp name, then rename).

    Training runs on one machine (the ``tokenizers`` trainer is multi-threaded, not distributed); on a
    large corpus, ``sample_fraction`` and ``max_bytes`` bound its input by a document-id hash sample.
    """
    loaded = train_bpe(iter_parquet_texts(input_dir, sample_fraction, seed, max_bytes), vocab_size)
    save(loaded, out_path)
    return dataclasses.replace(loaded, origin=f"trained on {input_dir}")


def recipe_origin(config: TokenizerConfig) -> str:
    """Where a recipe's tokenizer comes from, in words, for the manifest."""
    return {
        "vocab_merges": f"{config.vocab} + {config.merges}",
        "tokenizer_json": config.path,
        "hf_name": config.name,
        "train": f"byte-level BPE trained on {DEDUP_DOCUMENTS} (vocab_size {config.vocab_size})",
    }[config.kind]


def load_stage_tokenizer(config: TokenizerConfig, tokenizer_path: str | Path) -> LoadedTokenizer:
    """The tokenizer the tokenize stage wrote, described as the recipe's (kind and origin)."""
    loaded = from_tokenizer_json(tokenizer_path, kind=config.kind)
    return dataclasses.replace(loaded, origin=recipe_origin(config))


def save(loaded: LoadedTokenizer, path: str | Path) -> None:
    """Write the canonical tokenizer JSON atomically; reading it back gives the same fingerprint."""
    write_bytes_atomic(*resolve_fs(str(path)), loaded.to_json().encode("utf-8"))


# --- encoding ---------------------------------------------------------------------------------------

# Python workers are reused across Spark tasks: parse each tokenizer (a few MB of JSON) once per worker.
_WORKER_CACHE: dict[str, Tokenizer] = {}


def worker_tokenizer(tokenizer_json: str, sha256: str) -> Tokenizer:
    """The tokenizer for this canonical JSON, parsed once per process and cached by fingerprint."""
    tokenizer = _WORKER_CACHE.get(sha256)
    if tokenizer is None:
        tokenizer = Tokenizer.from_str(tokenizer_json)
        tokenizer.encode_special_tokens = True
        _WORKER_CACHE[sha256] = tokenizer
    return tokenizer


def encode_to_binary(tokenizer: Tokenizer, texts: list[str], dtype: str) -> pa.BinaryArray:
    """Batch-encode ``texts`` and return each document's ids (no eos) as little-endian ``dtype`` bytes.

    One binary value per document is the cheapest shape to move through Spark (no per-token objects) and
    half the size of int32 ids when the vocabulary fits 16 bits.
    """
    encodings = tokenizer.encode_batch_fast(texts, add_special_tokens=False)
    arrays = [np.asarray(e.ids, dtype=dtype) for e in encodings]
    itemsize = np.dtype(dtype).itemsize
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([a.size * itemsize for a in arrays], out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise ValueError(
            f"one Arrow batch encodes to {offsets[-1]} bytes; lower spark.sql.execution.arrow.maxRecordsPerBatch"
        )
    data = np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)
    return pa.Array.from_buffers(
        pa.binary(), len(arrays), [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data.tobytes())]
    )


# --- command line -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``corpus tokenizer train|info ...``"""
    parser = argparse.ArgumentParser(prog="corpus tokenizer", description="train or describe a tokenizer")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a byte-level BPE on a documents Parquet dataset")
    train.add_argument("--input", required=True, help="documents Parquet dataset (e.g. OUT/dedup/documents)")
    train.add_argument("--out", required=True, help="tokenizer.json to write")
    train.add_argument("--vocab-size", type=int, default=TokenizerConfig.vocab_size)
    train.add_argument(
        "--sample-fraction", type=float, default=1.0, help="train on this share of documents (by id hash)"
    )
    train.add_argument(
        "--max-mb",
        type=float,
        default=TokenizerConfig.train_max_mb,
        help="train on at most this many MB of text (smallest id hashes first; 0 = all)",
    )
    train.add_argument("--seed", type=int, default=0, help="seed of the document sample")
    info = sub.add_parser("info", help="print a tokenizer's fingerprint, size and special ids")
    info.add_argument("path", help="tokenizer.json, or a directory with vocab.json/gpt2-vocab.json + merges")
    args = parser.parse_args(argv)

    if args.command == "train":
        if not Path(args.input).exists():
            print(f"error: input {args.input} does not exist", file=sys.stderr)
            return 2
        loaded = train_from_parquet(
            args.input, args.out, args.vocab_size, args.sample_fraction, args.seed, int(args.max_mb * 1e6)
        )
    else:
        try:
            loaded = _load_path(Path(args.path))
        except TokenizerLoadError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    print(json.dumps(loaded.manifest_entry(), indent=2))
    return 0


def _load_path(path: Path) -> LoadedTokenizer:
    if path.is_dir():
        for vocab, merges in (("vocab.json", "merges.txt"), ("gpt2-vocab.json", "gpt2-merges.txt")):
            if (path / vocab).exists() and (path / merges).exists():
                return from_vocab_merges(path / vocab, path / merges)
        if (path / "tokenizer.json").exists():
            return from_tokenizer_json(path / "tokenizer.json")
        raise TokenizerLoadError(f"{path} holds no tokenizer.json and no vocab.json + merges.txt")
    return from_tokenizer_json(path)
