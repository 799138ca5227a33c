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
from corpus.filters import DROPPED_SCHEMA
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.fs import TaskFiles, exists, move_task_files, resolve_fs
from corpus.runtime.layout import DECONTAM_DOCUMENTS, DEDUP_DOCUMENTS, DROPPED
from corpus.schema import DOCUMENT_SCHEMA, SNIPPET_CHARS
from corpus.schema import STORED_DOCUMENT_SCHEMA as KEPT_SCHEMA

DROPPED_PREFIX = "decontaminate-"  # this stage's files in OUT/dropped (the filter's are part-*)
KIND_DROPPED, KIND_FILE, KIND_STATS = "dropped", "file", "stats"

# What a task sends back through Spark: its dropped documents (no text), the files it wrote, its stats.
ROW_SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string()),
        pa.field("doc_id", pa.string()),
        pa.field("source", pa.string()),
        pa.field("subset", pa.string()),
        pa.field("location", pa.string()),  # kind dropped: the document's; kind file: the file written
        pa.field("n_records", pa.int64()),  # kind dropped: the document's records; kind file: its documents
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


def make_decontaminate_partition(index_broadcast, config: DecontaminateConfig, documents_uri: str | None):
    """The mapInArrow function: document batches in; the kept documents (cut where they matched) written by
    the task under ``documents_uri`` (None: written nowhere, for ``flag``); its dropped documents, files and
    stats out as small rows."""
    policy = CutPolicy(config.margin, config.min_piece_chars, config.min_chars, config.max_pieces)

    def decontaminate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        files = (
            TaskFiles(documents_uri, context.partitionId(), context.taskAttemptId())
            if documents_uri
            else None
        )
        index = index_broadcast.value
        stats = DecontamStats(index, config.max_examples)
        for batch in batches:
            kept, dropped = decontaminate_batch(batch, index, config.action, policy, stats)
            if files is not None:
                files.write_by_source(kept, KEPT_SCHEMA)
            if dropped:
                yield pa.RecordBatch.from_pylist(dropped, schema=ROW_SCHEMA)
        rows = [{"kind": KIND_STATS, "stats": pickle.dumps(stats)}]
        for path, per_source in files.close() if files is not None else ():
            rows.extend(
                {"kind": KIND_FILE, "source": source, "location": path, "n_records": n}
                for source, n in sorted(per_source.items())
            )
        yield pa.RecordBatch.from_pylist(rows, schema=ROW_SCHEMA)

    return decontaminate


def decontaminate_batch(
    batch: pa.RecordBatch, index: NgramIndex, action: str, policy, stats
) -> tuple[pa.RecordBatch, list[dict]]:
    """One batch of documents: scan, decide, count. Returns the kept documents (text cut where it was) as
    a batch of ``DOCUMENT_SCHEMA``, and the dropped ones as rows of ``ROW_SCHEMA``."""
    texts = ["" if t is None else t for t in batch.column("text").to_pylist()]
    sources, doc_ids = batch.column("source").to_pylist(), batch.column("doc_id").to_pylist()
    result = scan_batch(texts, index)
    decisions = decide_batch(texts, result, action, policy)
    stats.add(result, index, sources, doc_ids, texts, decisions)
    dropped = []
    for i in result.hits:  # only a document that matched can be dropped or changed
        if decisions[i].status == "dropped":
            hits = result.hits[i]
            dropped.append({
                "kind": KIND_DROPPED, "doc_id": doc_ids[i], "source": sources[i],
                "subset": batch.column("subset")[i].as_py(), "location": batch.column("location")[i].as_py(),
                "n_records": batch.column("n_records")[i].as_py(), "reason": decisions[i].reason,
                "detail": ",".join(index.sets[s].name for s in hits.sets), "snippet": texts[i][:SNIPPET_CHARS],
            })  # fmt: skip
    keep = [decisions[i].status != "dropped" for i in range(len(texts))]
    new_texts = pa.array([d.text if d.text is not None else t for d, t in zip(decisions, texts, strict=True)])
    kept = batch.set_column(batch.schema.get_field_index("text"), "text", new_texts)
    return kept.filter(pa.array(keep)) if not all(keep) else kept, dropped


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
        stats, written = _scan_and_write(ctx, index, broadcast, config)
    finally:
        broadcast.unpersist()
    return _stage_stats(settings, evalsets, index, stats, written, time.time() - started)


def _clear_outputs(ctx: StageContext) -> None:
    """Nothing of an earlier run survives: its documents and its files in OUT/dropped (not the filter's)."""
    ctx.out.folder(DECONTAM_DOCUMENTS).clear()
    dropped = ctx.out.folder(DROPPED)
    if dropped.exists():
        from pyarrow import fs as pafs

        for info in dropped.filesystem.get_file_info(pafs.FileSelector(dropped.path())):
            if info.base_name.startswith(DROPPED_PREFIX):
                dropped.filesystem.delete_file(info.path)


def _scan_and_write(
    ctx: StageContext, index: NgramIndex, broadcast, config
) -> tuple[DecontamStats, dict | None]:
    """One pass: tasks write the kept documents themselves; their dropped rows, files and stats come back."""
    documents_uri = ctx.out.uri(DECONTAM_DOCUMENTS) if config.action != "flag" else None
    docs = ctx.spark.read.parquet(ctx.out.uri(DEDUP_DOCUMENTS)).select(*DOCUMENT_SCHEMA.names)
    rows = docs.mapInArrow(make_decontaminate_partition(broadcast, config, documents_uri), ROW_DDL).collect()
    written = None  # documents per source in the files the tasks wrote (checked against the counts)
    if documents_uri is not None:
        filesystem, root = resolve_fs(documents_uri)
        files = [r for r in rows if r["kind"] == KIND_FILE]
        written = move_task_files(filesystem, root, files)
    _write_dropped(ctx, [r.asDict() for r in rows if r["kind"] == KIND_DROPPED])
    stats = DecontamStats(index, config.max_examples)
    for row in rows:
        if row["kind"] == KIND_STATS:
            stats.merge(pickle.loads(row["stats"]))
    return stats, written


def _write_dropped(ctx: StageContext, dropped: list[dict]) -> None:
    """The dropped documents as one ``DROPPED_SCHEMA`` file beside the filter's in OUT/dropped."""
    import pyarrow.parquet as pq

    if not dropped:
        return
    rows = [
        {**{k: r[k] for k in ("doc_id", "source", "subset", "location", "n_records", "reason", "detail", "snippet")},
         "stage": "decontaminate", "score": None}
        for r in sorted(dropped, key=lambda r: r["doc_id"])
    ]  # fmt: skip
    folder = ctx.out.folder(DROPPED)
    folder.filesystem.create_dir(folder.path(), recursive=True)
    path = folder.path(f"{DROPPED_PREFIX}part-00000.parquet")
    with folder.filesystem.open_output_stream(path + ".tmp") as stream:
        pq.write_table(pa.Table.from_pylist(rows, schema=DROPPED_SCHEMA), stream)
    folder.filesystem.move(path + ".tmp", path)


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


def _stage_stats(
    settings, evalsets, index: NgramIndex, stats: DecontamStats, written, elapsed_s: float
) -> dict:
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
            "written": None if written is None else written.get(name, 0),
            "balanced": s["documents"] == kept + actions.get("dropped", 0)
            and (written is None or written.get(name, 0) == kept),
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
        f"{name}: in {s['in']}, kept {s['kept']}, dropped {s['dropped']}, kept documents in the files {s['written']}"
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
