"""The shards stage: deduplicated documents → token ids → packed rows → Arrow shards + manifest.json.

Spark only moves data; the work is plain functions over Arrow (tested without Spark):

1. ``encode_batch`` (inside ``mapInArrow``): batch-encode the text with ``tokenizers`` (the tokenizer is
   parsed once per Python worker), decide each document's split and pack group from hashes of its id,
   and emit its ids as one binary value. A held-out document is emitted twice: into ``valid`` and into
   ``valid/<source>`` (per-corpus perplexity, as OPT reported).
2. ``groupBy(split, group).applyInArrow(pack_group)``: sort the group's documents by
   ``(hash(seed, doc_id), doc_id)`` — the seeded global order, so rows mix sources — append ``</s>``,
   cut ``seq_len`` rows, drop the tail (< one row per group, counted) and write the group's shards from
   the executor through ``pyarrow.fs``, atomically. It returns one small metadata row.
3. The driver turns those rows into ``manifest.json`` (layout in ``corpus/tokens/shard_format.py``) and checks,
   per source and split, that tokens in shards + tail tokens = tokens produced; it fails loudly if not.

Why groups: a document's group and its place in it depend only on (seed, doc_id), never on Spark's
partitioning, so 2 or 16 partitions, ``local[2]`` or a cluster, give byte-identical shards. ``pack.groups``
bounds memory (one group's ids) and the tail loss (< ``seq_len`` tokens per group).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from corpus.accounting import AccountingError
from corpus.config import PackConfig, TokenizerConfig
from corpus.runtime import layout
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.fs import resolve_fs
from corpus.tokens.pack import pack_flat
from corpus.tokens.shard_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    token_dtype,
    write_shard_fs,
)
from corpus.tokens.tokenizer import LoadedTokenizer, encode_to_binary, load_stage_tokenizer, worker_tokenizer

TRAIN = "train"
VALID = "valid"
SHARD_TOKENIZER_FILE = "tokenizer.json"  # the canonical tokenizer, copied next to the manifest

ENCODED_DDL = "split string, grp int, order_key long, doc_id string, source string, ids binary"
PACKED_DDL = (
    "split string, grp int, docs long, tokens_produced long, tail_tokens long, "
    "source_docs string, source_tokens_produced string, source_tail_tokens string, shards string"
)

ENCODE_THREADS_PER_TASK = 2  # tokenizers' threads in each encoding task (see _encode_and_pack)

# Salts keep the split decision independent of the order/group hash.
_VALID_SALT = 0x5EED_0001


# --- per-document decisions (pure) -------------------------------------------------------------------


def order_hash(doc_id: str, seed: int) -> int:
    """The document's place in the seeded global order (uint64); its group is this modulo the group count."""
    return xxhash.xxh64_intdigest(doc_id.encode("utf-8"), seed=seed)


def order_key(hashes: np.ndarray) -> np.ndarray:
    """uint64 hashes as int64 sort keys (Spark has no unsigned type): flipping the top bit makes signed
    order equal unsigned order, so the documented order "by hash, then doc_id" is exactly what sorts."""
    return (hashes ^ np.uint64(1 << 63)).view(np.int64)


def is_valid(doc_id: str, seed: int, valid_fraction: float) -> bool:
    """Held out for validation? A hash threshold, so each source keeps ~valid_fraction of its documents."""
    return xxhash.xxh64_intdigest(doc_id.encode("utf-8"), seed=seed ^ _VALID_SALT) < valid_fraction * 2**64


def encode_batch(
    batch: pa.RecordBatch, tokenizer_json: str, sha256: str, dtype: str, seed: int, pack: PackConfig
) -> pa.RecordBatch:
    """One Arrow batch of documents (doc_id, source, text) → rows of ``ENCODED_DDL``."""
    tokenizer = worker_tokenizer(tokenizer_json, sha256)
    doc_ids = batch.column("doc_id").to_pylist()
    sources = batch.column("source").to_pylist()
    ids = encode_to_binary(tokenizer, batch.column("text").to_pylist(), dtype)

    hashes = np.fromiter((order_hash(d, seed) for d in doc_ids), dtype=np.uint64, count=len(doc_ids))
    valid = np.fromiter(
        (is_valid(d, seed, pack.valid_fraction) for d in doc_ids), dtype=bool, count=len(doc_ids)
    )
    group = np.where(valid, hashes % np.uint64(pack.valid_groups), hashes % np.uint64(pack.groups)).astype(
        np.int32
    )
    held = np.flatnonzero(valid)
    take = np.concatenate([np.arange(len(doc_ids)), held])  # held-out documents once more, per source
    split = [VALID if v else TRAIN for v in valid] + [f"{VALID}/{sources[i]}" for i in held]
    return pa.RecordBatch.from_arrays(
        [
            pa.array(split, pa.string()),
            pa.array(group[take], pa.int32()),
            pa.array(order_key(hashes[take]), pa.int64()),
            pa.array(doc_ids, pa.string()).take(take),
            pa.array(sources, pa.string()).take(take),
            ids.take(pa.array(take)),
        ],
        names=["split", "grp", "order_key", "doc_id", "source", "ids"],
    )


def binary_tokens(ids: pa.Array, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """(flat tokens, per-document lengths) straight from a binary column's buffers, without copies."""
    itemsize = np.dtype(dtype).itemsize
    offset_type = np.int64 if pa.types.is_large_binary(ids.type) else np.int32
    offsets = np.frombuffer(ids.buffers()[1], dtype=offset_type)[ids.offset : ids.offset + len(ids) + 1]
    data = ids.buffers()[2]
    raw = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets.astype(np.int64))
    if (lengths % itemsize).any():
        raise ValueError(f"token bytes are not a multiple of the {dtype} size")
    # Little-endian bytes (encode_to_binary), read back as the host's dtype: every target is little-endian.
    return raw.view(dtype), lengths // itemsize


def shard_name(split: str, group: int, chunk: int) -> str:
    return f"{split}/part-{group:05d}-{chunk:04d}.arrow"


def pack_group(
    split: str, group: int, table: pa.Table, *, eos_id: int, dtype: str, pack: PackConfig, shards_uri: str
) -> dict:
    """Order one group's documents, pack them, write its shards; return the group's metadata row."""
    order = pc.sort_indices(table, [("order_key", "ascending"), ("doc_id", "ascending")])
    table = table.take(order)
    tokens, lengths = binary_tokens(table.column("ids").combine_chunks(), dtype)
    source_col = table.column("source").to_pylist()
    names = sorted(set(source_col))
    index = {s: i for i, s in enumerate(names)}
    doc_sources = np.fromiter((index[s] for s in source_col), dtype=np.int64, count=len(source_col))
    result = pack_flat(tokens, lengths, eos_id, pack.seq_len, doc_sources, len(names))

    filesystem, root = resolve_fs(shards_uri)
    shards = []
    for chunk, start in enumerate(range(0, len(result.rows), pack.rows_per_shard)):
        rows = result.rows[start : start + pack.rows_per_shard]
        path = shard_name(split, group, chunk)
        entry = write_shard_fs(filesystem, f"{root}/{path}", rows, dtype)
        counts = result.row_source_tokens[start : start + pack.rows_per_shard].sum(axis=0)
        entry.update(path=path, source_tokens=_by_name(names, counts))
        shards.append(entry)

    produced = np.bincount(doc_sources, weights=lengths + 1, minlength=len(names)).astype(np.int64)
    return {
        "split": split,
        "grp": group,
        "docs": len(source_col),
        "tokens_produced": int(lengths.sum() + len(lengths)),  # ids + one eos each, counted from the input
        "tail_tokens": result.tail_tokens,
        "source_docs": json.dumps(_by_name(names, np.bincount(doc_sources, minlength=len(names)))),
        "source_tokens_produced": json.dumps(_by_name(names, produced)),
        "source_tail_tokens": json.dumps(_by_name(names, result.tail_source_tokens)),
        "shards": json.dumps(shards),
    }


def _by_name(names: list[str], counts) -> dict[str, int]:
    return {n: int(c) for n, c in zip(names, counts, strict=True) if c}


# --- the Spark stage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShardsSettings:
    """What the shards stage sees of the recipe."""

    pack: PackConfig
    seed: int  # the global order, the pack groups and the valid split
    tokenizer: TokenizerConfig  # how the manifest describes the tokenizer (its kind and origin)
    recipe: dict  # the resolved recipe, recorded in the manifest
    documents: str = (
        layout.DEDUP_DOCUMENTS
    )  # the OUT folder tokenized: decontaminated documents when there are

    @classmethod
    def from_recipe(cls, recipe) -> ShardsSettings:
        documents = layout.documents_to_tokenize(recipe.decontaminate)
        return cls(recipe.pack, recipe.seed, recipe.tokenizer, recipe.to_dict(), documents)


def run(ctx: StageContext) -> dict:
    """Tokenize, pack and write ``OUT/shards/{train,valid,valid/<source>}/*.arrow`` + ``manifest.json``
    from OUT/dedup/documents with the tokenizer the tokenize stage wrote. Returns the stats (per split and
    per source: documents, tokens produced, tokens in shards, tail tokens dropped)."""
    settings = ctx.settings
    loaded = load_stage_tokenizer(settings.tokenizer, ctx.out.uri(layout.TOKENIZER_FILE))
    dtype = token_dtype(loaded.vocab_size)
    shards = ctx.out.folder(layout.SHARDS)
    shards.clear()  # no shard of an earlier run survives
    shards_uri = ctx.out.uri(layout.SHARDS)
    groups = _encode_and_pack(ctx.spark, ctx.out.uri(settings.documents), loaded, dtype, settings, shards_uri)
    stats, splits = summarize(groups, settings.pack.seq_len)
    shards.write_text(SHARD_TOKENIZER_FILE, loaded.to_json())
    manifest = build_manifest(settings, loaded, dtype, splits, _evalsets_cleaned_against(ctx))
    shards.write_text("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    stats.update(tokenizer=loaded.manifest_entry(), dtype=dtype, shards_dir=shards_uri)
    return stats


def _encode_and_pack(spark, documents_uri: str, loaded, dtype: str, settings, shards_uri: str) -> list[dict]:
    """Encode every document, pack each (split, group) and write its shards; one metadata row per group."""
    tokenizer_json, sha, seed, pack, eos = (
        loaded.to_json(),
        loaded.sha256,
        settings.seed,
        settings.pack,
        loaded.eos_id,
    )

    def encode(batches):
        # Two encoding threads per task, not one and not all the machine's: one thread per task encoded
        # measurably slower, and a task spreading over every core of a big executor would oversubscribe
        # it many times over. (The worker is the stage's own, so its rayon pool has not started yet and
        # takes this size.)
        os.environ["TOKENIZERS_PARALLELISM"] = "true"
        os.environ.setdefault("RAYON_NUM_THREADS", str(ENCODE_THREADS_PER_TASK))
        for batch in batches:
            yield encode_batch(batch, tokenizer_json, sha, dtype, seed, pack)

    def pack_one(key, table):
        row = pack_group(
            key[0].as_py(), key[1].as_py(), table, eos_id=eos, dtype=dtype, pack=pack, shards_uri=shards_uri
        )
        return pa.Table.from_pylist([row], schema=_PACKED_SCHEMA)

    # Encoded straight from the file splits (no shuffle of the text): a document's group and place in it
    # depend only on (seed, doc_id), so how the scan is split changes nothing in the shards.
    docs = spark.read.parquet(documents_uri).select("doc_id", "source", "text")
    encoded = docs.mapInArrow(encode, ENCODED_DDL)
    packed = encoded.groupBy("split", "grp").applyInArrow(pack_one, PACKED_DDL)
    return [r.asDict() for r in packed.collect()]  # one small row per (split, group)


_PACKED_SCHEMA = pa.schema(
    [
        ("split", pa.string()),
        ("grp", pa.int32()),
        ("docs", pa.int64()),
        ("tokens_produced", pa.int64()),
        ("tail_tokens", pa.int64()),
        ("source_docs", pa.string()),
        ("source_tokens_produced", pa.string()),
        ("source_tail_tokens", pa.string()),
        ("shards", pa.string()),
    ]
)


def summarize(groups: list[dict], seq_len: int) -> tuple[dict, dict]:
    """Group metadata rows → (stats, manifest ``splits``), checking that every token is accounted for.

    Per split and source: tokens in shards (from the rows written) + tail tokens = tokens produced (from
    the encoded lengths). ``valid`` must equal the sum of the ``valid/<source>`` splits. Per source, the
    documents tokenized are those of ``train`` + ``valid``.
    """
    split_entries, per_split_source = _sum_groups(groups, seq_len)
    sources = sorted({s for acc in per_split_source.values() for s in acc})
    for split in [TRAIN, VALID] + [f"{VALID}/{s}" for s in sources]:
        split_entries.setdefault(split, _empty_split())
    for split, entry in split_entries.items():
        _finish_split(split, entry, per_split_source[split])
    _check_valid_sources(split_entries, sources)

    source_stats = _source_stats(per_split_source, sources)
    split_stats = {
        k: {f: v for f, v in e.items() if f not in ("shards", "source_tokens")} | {"shards": len(e["shards"])}
        for k, e in split_entries.items()
    }
    totals = {
        k: sum(v[k] for v in source_stats.values())
        for k in ("docs", "tokens_produced", "tokens_in_shards", "tail_tokens")
    }
    return {**totals, "sources": source_stats, "splits": split_stats}, dict(sorted(split_entries.items()))


def _sum_groups(
    groups: list[dict], seq_len: int
) -> tuple[dict[str, dict], dict[str, dict[str, defaultdict]]]:
    """(split -> manifest entry with the split's shards and counts, split -> source -> counts), summed
    over the group rows; a shard whose rows, tokens and source tokens disagree fails here."""
    split_entries: dict[str, dict] = {}
    per_split_source: dict[str, dict[str, defaultdict]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for g in sorted(groups, key=lambda g: (g["split"], g["grp"])):
        split = g["split"]
        entry = split_entries.setdefault(split, _empty_split())
        shards = json.loads(g["shards"])
        entry["shards"].extend(shards)
        entry["docs"] += g["docs"]
        entry["tokens_produced"] += g["tokens_produced"]
        entry["tail_tokens"] += g["tail_tokens"]
        acc = per_split_source[split]
        for key, field in (
            ("docs", "source_docs"),
            ("tokens_produced", "source_tokens_produced"),
            ("tail_tokens", "source_tail_tokens"),
        ):
            for source, n in json.loads(g[field]).items():
                acc[source][key] += n
        for shard in shards:
            if (
                shard["tokens"] != shard["rows"] * seq_len
                or sum(shard["source_tokens"].values()) != shard["tokens"]
            ):
                raise AccountingError(f"shard {shard['path']}: rows, tokens and source tokens disagree")
            for source, n in shard["source_tokens"].items():
                acc[source]["tokens_in_shards"] += n
    return split_entries, per_split_source


def _finish_split(split: str, entry: dict, per_source: dict[str, defaultdict]) -> None:
    """Sort the split's shards and add its rows, tokens and tokens per source to ``entry``; check that
    tokens in shards + tail tokens = tokens produced, for the split and for each of its sources."""
    entry["shards"].sort(key=lambda s: s["path"])
    entry["rows"] = sum(s["rows"] for s in entry["shards"])
    entry["tokens"] = sum(s["tokens"] for s in entry["shards"])
    totals: dict[str, int] = defaultdict(int)
    for shard in entry["shards"]:
        for source, n in shard["source_tokens"].items():
            totals[source] += n
    entry["source_tokens"] = dict(sorted(totals.items()))
    if entry["tokens"] + entry["tail_tokens"] != entry["tokens_produced"]:
        raise AccountingError(
            f"split {split}: {entry['tokens']} tokens in shards + {entry['tail_tokens']} dropped at tails "
            f"!= {entry['tokens_produced']} tokens produced"
        )
    for source, acc in per_source.items():
        if acc["tokens_in_shards"] + acc["tail_tokens"] != acc["tokens_produced"]:
            raise AccountingError(
                f"split {split}, source {source}: tokens in shards + tail != tokens produced ({dict(acc)})"
            )


def _check_valid_sources(split_entries: dict[str, dict], sources: list[str]) -> None:
    """``valid`` holds each held-out document once, ``valid/<source>`` once more: their counts must agree."""
    per_source_valid = [split_entries[f"{VALID}/{s}"] for s in sources]
    for key in ("docs", "tokens_produced"):
        if sum(e[key] for e in per_source_valid) != split_entries[VALID][key]:
            raise AccountingError(f"valid {key} differ from the sum over valid/<source>")


def _source_stats(per_split_source: dict[str, dict[str, defaultdict]], sources: list[str]) -> dict[str, dict]:
    """Per source: documents and tokens of ``train`` + ``valid`` (``valid/<source>`` repeats ``valid``)."""
    source_stats = {}
    for s in sources:
        train, valid = per_split_source[TRAIN][s], per_split_source[VALID][s]
        source_stats[s] = {
            "docs": train["docs"] + valid["docs"],
            "docs_train": train["docs"],
            "docs_valid": valid["docs"],
            "tokens_produced": train["tokens_produced"] + valid["tokens_produced"],
            "tokens_in_shards": train["tokens_in_shards"] + valid["tokens_in_shards"],
            "tail_tokens": train["tail_tokens"] + valid["tail_tokens"],
        }
    return source_stats


def _empty_split() -> dict:
    return {"docs": 0, "tokens_produced": 0, "tail_tokens": 0, "shards": []}


def _evalsets_cleaned_against(ctx: StageContext) -> list[dict] | None:
    """The evaluation sets (name, path, sha256, ...) the documents were decontaminated against, from the
    decontaminate stage's stats; None when that stage was off."""
    folder = ctx.out.folder()
    if not folder.exists(layout.STATS, "decontaminate.json"):
        return None
    stats = folder.read_json(layout.STATS, "decontaminate.json")
    return stats["evalsets"] if stats.get("enabled") else None


def build_manifest(
    settings: ShardsSettings,
    loaded: LoadedTokenizer,
    dtype: str,
    splits: dict,
    evalsets: list[dict] | None = None,
) -> dict:
    """The manifest (layout fixed in ``corpus/tokens/shard_format.py``); ``docs``, ``tail_tokens`` and
    ``tokens_produced`` per split are additions, and so is ``decontaminated_against`` (the evaluation sets
    the documents were cleaned against, when they were)."""
    extra = {"decontaminated_against": evalsets} if evalsets is not None else {}
    return {
        **extra,
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "seq_len": settings.pack.seq_len,
        "dtype": dtype,
        "vocab_size": loaded.vocab_size,
        "eos_id": loaded.eos_id,
        "pad_id": loaded.pad_id,
        "tokenizer": {**loaded.manifest_entry(), "path": SHARD_TOKENIZER_FILE},
        "seed": settings.seed,
        "code_version": code_version(),
        "recipe": settings.recipe,
        "splits": splits,
    }


def code_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("optcorpus")
    except PackageNotFoundError:
        return "unknown"


STAGE = Stage(
    name="shards",
    reads=(layout.DEDUP_DOCUMENTS, layout.DECONTAM_DOCUMENTS, layout.TOKENIZER),
    writes=(layout.SHARDS,),
    recipe_parts=("pack", "seed"),
    settings=ShardsSettings.from_recipe,
    run=run,
    own_workers=True,  # tokenizers encodes slower in a worker that earlier stages' tasks left big
)
