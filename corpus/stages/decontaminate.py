"""The decontaminate stage: documents sharing word n-grams with named evaluation sets are dropped, cut or
flagged (``corpus/decontam/`` does the matching; this module only moves data).

Off while the recipe names no evaluation set: the stage then writes nothing and the tokenizer and the
shards read ``OUT/dedup/documents`` as before. On, the driver reads the sets and builds the n-gram index
once, broadcasts it, and ``mapInArrow`` scans the deduplicated documents batch by batch:

- ``OUT/decontam/documents/`` (``DOCUMENT_SCHEMA``, partitioned by source): the documents kept, cut ones
  with their matching spans (plus the margin) removed; with ``action = "flag"`` nothing is written and the
  later stages read ``OUT/dedup/documents``, since no text changes;
- ``OUT/dropped/decontaminate-part-*.parquet``: one row per dropped document, stage ``decontaminate``,
  reason ``contaminated`` (or ``cut_too_short`` / ``cut_too_many_pieces``), detail = the sets it matched;
- ``OUT/stats/decontaminate.json``: per evaluation set and source, documents hit, items hit, n-grams
  matched and examples; per source in = kept + dropped, checked.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from corpus.accounting import require_balanced
from corpus.config import DecontaminateConfig
from corpus.decontam.evalsets import EvalSetSpec, load_evalset
from corpus.decontam.index import NgramIndex
from corpus.decontam.scan import CutPolicy, decide_batch, scan_batch
from corpus.decontam.stats import DecontamStats
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.fs import exists, resolve_fs
from corpus.runtime.layout import DECONTAM_DOCUMENTS, DEDUP_DOCUMENTS, DROPPED
from corpus.schema import DOCUMENT_SCHEMA, SNIPPET_CHARS

DROPPED_PREFIX = "decontaminate-"  # this stage's files in OUT/dropped (the filter's are part-*)
KIND_DOC, KIND_DROPPED, KIND_STATS = "doc", "dropped", "stats"

ROW_SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string()),
        *[pa.field(f.name, f.type) for f in DOCUMENT_SCHEMA],
        pa.field("reason", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("snippet", pa.string()),
        pa.field("stats", pa.binary()),  # kind stats: this task's pickled DecontamStats
    ]
)
ROW_DDL = ", ".join(
    f"{f.name} {'binary' if f.type == pa.binary() else 'long' if f.type == pa.int64() else 'string'}"
    for f in ROW_SCHEMA
)


@dataclass(frozen=True)
class DecontaminateSettings:
    """What the decontaminate stage sees of the recipe."""

    name: str  # the recipe's name, recorded in the stats
    sources: tuple[str, ...]
    decontaminate: DecontaminateConfig

    @classmethod
    def from_recipe(cls, recipe) -> DecontaminateSettings:
        return cls(recipe.name, tuple(recipe.sources), recipe.decontaminate)


def evalset_specs(config: DecontaminateConfig) -> list[EvalSetSpec]:
    return [EvalSetSpec(s.name, s.path, s.format, tuple(s.fields), s.group) for s in config.sets]


def sets_fingerprint(recipe) -> str:
    """The sha256 of every evaluation set's file, so an edited set reruns the stage (and all after it)."""
    import hashlib

    digests = []
    for spec in recipe.decontaminate.sets:
        filesystem, path = resolve_fs(spec.path)
        digest = hashlib.sha256()
        if exists(filesystem, path):  # a missing file fails in the stage itself, with its name
            with filesystem.open_input_stream(path, compression=None) as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        digests.append(f"{spec.name}={digest.hexdigest()}")
    return ",".join(digests)


# ---------------------------------------------------------------------------------------------------------
# Inside Spark tasks
# ---------------------------------------------------------------------------------------------------------


def make_decontaminate_partition(index_broadcast, config: DecontaminateConfig):
    """The mapInArrow function: document batches in, kept/cut documents + dropped rows + one stats row out."""
    policy = CutPolicy(config.margin, config.min_piece_chars, config.min_chars, config.max_pieces)

    def decontaminate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        index = index_broadcast.value
        stats = DecontamStats(index, config.max_examples)
        for batch in batches:
            yield decontaminate_batch(batch, index, config.action, policy, stats)
        yield pa.RecordBatch.from_pylist(
            [{"kind": KIND_STATS, "stats": pickle.dumps(stats)}], schema=ROW_SCHEMA
        )

    return decontaminate


def decontaminate_batch(
    batch: pa.RecordBatch, index: NgramIndex, action: str, policy, stats
) -> pa.RecordBatch:
    """One batch of documents: scan, decide, count; the kept documents (text cut where it was) and the
    dropped ones as rows of ``ROW_SCHEMA``."""
    rows = batch.to_pylist()
    texts = [r["text"] or "" for r in rows]
    result = scan_batch(texts, index)
    decisions = decide_batch(texts, result, action, policy)
    stats.add(result, index, [r["source"] for r in rows], [r["doc_id"] for r in rows], texts, decisions)
    out = []
    for i, (row, decision) in enumerate(zip(rows, decisions, strict=True)):
        hits = result.hits.get(i)
        matched = ",".join(index.sets[s].name for s in hits.sets) if hits else None
        if decision.status == "dropped":
            out.append({**row, "kind": KIND_DROPPED, "text": None, "reason": decision.reason, "detail": matched,
                        "snippet": (row["text"] or "")[:SNIPPET_CHARS]})  # fmt: skip
        else:
            out.append({**row, "kind": KIND_DOC, "text": decision.text, "reason": None, "detail": matched,
                        "snippet": None})  # fmt: skip
    return pa.RecordBatch.from_pylist(out, schema=ROW_SCHEMA)


# ---------------------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------------------


def run(ctx: StageContext) -> dict:
    """Scan OUT/dedup/documents against the recipe's evaluation sets; write what is kept and dropped."""
    started = time.time()
    settings = ctx.settings
    config = settings.decontaminate
    _clear_outputs(ctx)
    if not config.enabled:
        return {"stage": "decontaminate", "recipe": settings.name, "enabled": False}
    evalsets = [load_evalset(spec) for spec in evalset_specs(config)]
    index = NgramIndex.build(evalsets, n=config.n)
    broadcast = ctx.spark.sparkContext.broadcast(index)
    try:
        stats = _scan_and_write(ctx, index, broadcast, config)
    finally:
        broadcast.unpersist()
    return _stage_stats(settings, evalsets, index, stats, time.time() - started)


def _clear_outputs(ctx: StageContext) -> None:
    """Nothing of an earlier run survives: its documents and its files in OUT/dropped (not the filter's)."""
    ctx.out.folder(DECONTAM_DOCUMENTS).clear()
    dropped = ctx.out.folder(DROPPED)
    if dropped.exists():
        from pyarrow import fs as pafs

        for info in dropped.filesystem.get_file_info(pafs.FileSelector(dropped.path())):
            if info.base_name.startswith(DROPPED_PREFIX):
                dropped.filesystem.delete_file(info.path)


def _scan_and_write(ctx: StageContext, index: NgramIndex, broadcast, config) -> DecontamStats:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    docs = ctx.spark.read.parquet(ctx.out.uri(DEDUP_DOCUMENTS)).select(*DOCUMENT_SCHEMA.names)
    rows = docs.mapInArrow(make_decontaminate_partition(broadcast, config), ROW_DDL).persist(
        StorageLevel.DISK_ONLY
    )
    try:
        if config.action != "flag":  # flagged documents are unchanged: the next stages read dedup/documents
            kept = rows.where(F.col("kind") == KIND_DOC).select(*DOCUMENT_SCHEMA.names)
            kept.write.mode("overwrite").partitionBy("source").parquet(ctx.out.uri(DECONTAM_DOCUMENTS))
        _write_dropped(ctx, rows.where(F.col("kind") == KIND_DROPPED))
        partials = [pickle.loads(r["stats"]) for r in rows.where(F.col("kind") == KIND_STATS).collect()]
    finally:
        rows.unpersist()
    stats = DecontamStats(index, config.max_examples)
    for partial in partials:
        stats.merge(partial)
    return stats


def _write_dropped(ctx: StageContext, dropped) -> None:
    """The dropped documents as ``DROPPED_SCHEMA`` files beside the filter's in OUT/dropped."""
    from pyspark.sql import functions as F

    staging = ctx.out.uri("decontam/_dropped")
    (
        dropped.select(
            "doc_id",
            "source",
            "subset",
            "location",
            "n_records",
            F.lit("decontaminate").alias("stage"),
            "reason",
            F.lit(None).cast("double").alias("score"),
            "detail",
            "snippet",
        )  # fmt: skip
        .coalesce(1)
        .write.mode("overwrite")
        .parquet(staging)
    )
    filesystem, staged = resolve_fs(staging)
    target = ctx.out.folder(DROPPED)
    from pyarrow import fs as pafs

    parts = sorted(
        i.path for i in filesystem.get_file_info(pafs.FileSelector(staged)) if i.base_name.startswith("part-")
    )
    for number, path in enumerate(parts):
        filesystem.create_dir(target.path(), recursive=True)
        filesystem.move(path, target.path(f"{DROPPED_PREFIX}part-{number:05d}.parquet"))
    filesystem.delete_dir(staged)


ITEM_CHARS = 500  # characters of an evaluation item shown beside an example


def _with_item_texts(counted: dict, evalsets) -> dict:
    """Each example's evaluation items as text (the index keeps only their words), for the report."""
    texts = {
        f"{s.name}:line {s.lines[i]}": " ".join(item) for s in evalsets for i, item in enumerate(s.items)
    }
    for set_stats in counted["sets"].values():
        for example in set_stats["examples"]:
            example["item_texts"] = [texts.get(location, "")[:ITEM_CHARS] for location in example["items"]]
    return counted


def _stage_stats(settings, evalsets, index: NgramIndex, stats: DecontamStats, elapsed_s: float) -> dict:
    counted = _with_item_texts(stats.as_dict(), evalsets)
    sources = {}
    for name in settings.sources:
        s = counted["sources"].get(
            name, {"documents": 0, "documents_hit": 0, "actions": {}, "drop_reasons": {}, "removed_chars": 0}
        )
        actions = s["actions"]
        kept = sum(actions.get(k, 0) for k in ("clean", "flagged", "cut"))
        sources[name] = {
            "in": s["documents"],
            "kept": kept,
            "dropped": actions.get("dropped", 0),
            "cut": actions.get("cut", 0),
            "flagged": actions.get("flagged", 0),
            "documents_hit": s["documents_hit"],
            "removed_chars": s["removed_chars"],
            "drop_reasons": s["drop_reasons"],
            "balanced": s["documents"] == kept + actions.get("dropped", 0),
        }
    config = settings.decontaminate
    return {
        "stage": "decontaminate",
        "recipe": settings.name,
        "enabled": True,
        "elapsed_s": round(elapsed_s, 2),
        "config": {
            k: getattr(config, k)
            for k in ("n", "action", "margin", "min_piece_chars", "min_chars", "max_pieces")
        },
        "evalsets": [s.manifest() for s in evalsets],
        "index": index.summary(),
        "documents": counted["documents"],
        "documents_hit": counted["documents_hit"],
        "sources": sources,
        "sets": counted["sets"],
    }


def check_decontaminate_accounting(stats: dict) -> None:
    lines = [
        f"{name}: in {s['in']} != kept {s['kept']} + dropped {s['dropped']}"
        for name, s in stats.get("sources", {}).items()
        if not s["balanced"]
    ]
    require_balanced("decontaminate accounting", lines)


STAGE = Stage(
    name="decontaminate",
    reads=(DEDUP_DOCUMENTS,),
    writes=(DECONTAM_DOCUMENTS, DROPPED),
    recipe_parts=("decontaminate",),
    settings=DecontaminateSettings.from_recipe,
    run=run,
    check=check_decontaminate_accounting,
    fingerprint_extra=sets_fingerprint,
)
