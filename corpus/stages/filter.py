"""The filter stage in Spark: OUT/documents -> OUT/filtered + OUT/dropped + OUT/stats/filter.json.

``mapInArrow`` hands Arrow batches of documents to ``corpus.filters.filter_documents``. The task writes
both outcomes itself, straight from those Arrow batches (``TaskFiles``): the kept documents as one Parquet
file per task and source, the dropped documents as one file per task. What comes back to Spark is a few
small *filter rows* per task: its counters, summed over its batches (kind ``counter``), and the files it
wrote with their documents per source (kind ``file``). Sending the kept texts back through the JVM,
caching them and writing them from there cost about a quarter of the stage; writing the dropped rows
through Spark cost two more jobs.

- ``OUT/filtered/source=<name>/part-<task>.parquet``: the kept documents (``DOCUMENT_SCHEMA``), in input
  order. The set of documents never depends on the partitioning; the file layout follows the read tasks.
- ``OUT/dropped/part-<task>.parquet``: one row per dropped document with its reason (``DROPPED_SCHEMA``),
  in input order;
- ``OUT/stats/filter.json``: per source ``in``, ``kept``, ``dropped`` by reason (documents and input
  records), English-test counts and langdetect calls avoided; the stage fails loudly when
  ``in != kept + dropped`` for any source, or when the files hold another number of kept or dropped
  documents than the counters.

Retried and speculative tasks write under their own attempt's name in ``_attempts/``; the driver moves in
only the files of the attempts whose rows Spark kept, then deletes the rest.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import pyarrow as pa

from corpus.accounting import require_balanced
from corpus.config import FilterConfig
from corpus.filters import DROPPED_SCHEMA, filter_documents
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.fs import TaskFiles, move_task_files, resolve_fs, write_empty_parquet
from corpus.runtime.layout import DOCUMENTS, DROPPED, FILTERED
from corpus.schema import DOCUMENT_SCHEMA
from corpus.schema import STORED_DOCUMENT_SCHEMA as KEPT_SCHEMA

KIND_COUNTER, KIND_FILE = "counter", "file"
OUTPUT_KEPT, OUTPUT_DROPPED = "kept", "dropped"  # the ``reason`` of a file row: which output it belongs to

FILTER_ROW_SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string()),
        pa.field("source", pa.string()),
        pa.field("reason", pa.string()),  # counter name (kind counter) or output (kind file)
        pa.field("location", pa.string()),  # the file written (kind file)
        pa.field("n_records", pa.int64()),  # counter value, or the source's documents in the file
    ]
)
FILTER_ROW_DDL = "kind string, source string, reason string, location string, n_records long"


@dataclass(frozen=True)
class FilterSettings:
    """What the filter stage sees of the recipe."""

    name: str  # the recipe's name, recorded in the stats
    sources: tuple[str, ...]  # source names, in the recipe's order (every one gets a stats entry)
    filter: FilterConfig
    seed: int

    @classmethod
    def from_recipe(cls, recipe) -> FilterSettings:
        return cls(recipe.name, tuple(recipe.sources), recipe.filter, recipe.seed)


# ---------------------------------------------------------------------------------------------------------
# Inside Spark tasks
# ---------------------------------------------------------------------------------------------------------


def make_filter_partition(filter_cfg, seed: int, filtered_uri: str, dropped_uri: str):
    """The mapInArrow function: document batches in; kept documents written under ``filtered_uri``,
    dropped ones under ``dropped_uri``; the task's counter and file rows out."""

    def filter_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        kept_files = TaskFiles(filtered_uri, context.partitionId(), context.taskAttemptId())
        dropped_files = TaskFiles(dropped_uri, context.partitionId(), context.taskAttemptId())
        totals: Counter = Counter()
        for batch in batches:
            kept, dropped, counters = filter_documents(batch, filter_cfg, seed)
            kept_files.write_by_source(kept, KEPT_SCHEMA)
            dropped_files.write("", dropped, DROPPED_SCHEMA)
            totals.update(counters)
        rows = [
            {"kind": KIND_COUNTER, "source": source, "reason": name, "n_records": int(value)}
            for (source, name), value in sorted(totals.items())
        ]
        for output, files in ((OUTPUT_KEPT, kept_files), (OUTPUT_DROPPED, dropped_files)):
            for path, per_source in files.close():
                rows.extend(
                    {"kind": KIND_FILE, "source": source, "reason": output, "location": path, "n_records": n}
                    for source, n in sorted(per_source.items())
                )
        yield pa.RecordBatch.from_pylist(rows, schema=FILTER_ROW_SCHEMA)

    return filter_partition


# ---------------------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------------------


def run(ctx: StageContext) -> dict:
    """Filter OUT/documents into OUT/filtered and OUT/dropped; return the stats."""
    started = time.time()
    outputs = {}
    for output, name in ((OUTPUT_KEPT, FILTERED), (OUTPUT_DROPPED, DROPPED)):
        ctx.out.folder(name).clear()  # nothing of an earlier run survives
        filesystem, root = resolve_fs(ctx.out.uri(name))
        outputs[output] = (ctx.out.uri(name), filesystem, root)
    documents = ctx.spark.read.parquet(ctx.out.uri(DOCUMENTS)).select(*DOCUMENT_SCHEMA.names)
    settings = ctx.settings
    filter_partition = make_filter_partition(
        settings.filter, settings.seed, outputs[OUTPUT_KEPT][0], outputs[OUTPUT_DROPPED][0]
    )
    rows = documents.mapInArrow(filter_partition, FILTER_ROW_DDL).collect()  # a few rows per task
    counters: Counter = Counter()
    for r in rows:
        if r["kind"] == KIND_COUNTER:
            counters[(r["source"], r["reason"])] += r["n_records"]
    written = {}
    for output, (_, filesystem, root) in outputs.items():
        files = [r for r in rows if r["kind"] == KIND_FILE and r["reason"] == output]
        written[output] = move_task_files(filesystem, root, files)
    if not written[OUTPUT_DROPPED]:  # no dropped document: readers still find the schema
        write_empty_parquet(outputs[OUTPUT_DROPPED][1], outputs[OUTPUT_DROPPED][2], DROPPED_SCHEMA)
    return filter_stats(
        settings,
        [(source, name, n) for (source, name), n in counters.items()],
        time.time() - started,
        written[OUTPUT_KEPT],
        written[OUTPUT_DROPPED],
    )


def filter_stats(
    settings: FilterSettings,
    counters: list[tuple[str, str, int]],
    elapsed_s: float,
    written: dict[str, int],
    written_dropped: dict[str, int] | None = None,
) -> dict:
    """Per-source numbers from the summed ``(source, counter name, value)`` triples and the kept and
    dropped documents found in the written files per source (``written``, ``written_dropped``; without
    ``written_dropped`` the dropped files are not checked)."""
    sources: dict[str, dict] = {}

    def empty() -> dict:
        return {
            "in": 0,
            "kept": 0,
            "dropped": {},
            "records_in": 0,
            "records_kept": 0,
            "records_dropped": {},
            "english_checked": 0,
            "langdetect_calls": 0,
            "langdetect_avoided": 0,
        }

    for name in settings.sources:
        sources[name] = empty()
    for source, name, value in sorted(counters):
        s = sources.setdefault(source, empty())
        if name.startswith("records_dropped_"):
            s["records_dropped"][name.removeprefix("records_dropped_")] = value
        elif name.startswith("dropped_"):
            s["dropped"][name.removeprefix("dropped_")] = value
        else:
            s[name] = value
    for name, s in sources.items():
        s["written"] = written.get(name, 0)
        if written_dropped is not None:
            s["written_dropped"] = written_dropped.get(name, 0)
        s["balanced"] = (
            s["in"] == s["kept"] + sum(s["dropped"].values())
            and s["records_in"] == s["records_kept"] + sum(s["records_dropped"].values())
            and s["written"] == s["kept"]
            and s.get("written_dropped", sum(s["dropped"].values())) == sum(s["dropped"].values())
        )
        s["kept_share"] = round(s["kept"] / s["in"], 4) if s["in"] else None
    return {
        "stage": "filter",
        "recipe": settings.name,
        "elapsed_s": round(elapsed_s, 2),
        "config": json.loads(json.dumps(asdict(settings.filter))),  # tuples as lists: what filter.json holds
        "seed": settings.seed,
        "sources": sources,
    }


def check_filter_accounting(stats: dict) -> None:
    bad = {name: s for name, s in stats["sources"].items() if not s["balanced"]}
    if bad:
        lines = [
            f"{name}: in {s['in']}, kept {s['kept']}, dropped {sum(s['dropped'].values())}, kept documents "
            f"in the files {s.get('written')}, dropped documents in the files {s.get('written_dropped')} "
            f"(records {s['records_in']} vs {s['records_kept']} + "
            f"{sum(s['records_dropped'].values())})"
            for name, s in bad.items()
        ]
        require_balanced("filter accounting", lines)


STAGE = Stage(
    name="filter",
    reads=(DOCUMENTS,),
    writes=(FILTERED, DROPPED),
    recipe_parts=("filter", "seed"),
    settings=FilterSettings.from_recipe,
    run=run,
    check=check_filter_accounting,
)
