"""The whole corpus build: ingest -> filter -> dedup -> tokenizer -> shards -> report, resumable.

Each stage's fingerprint covers its own recipe parts *and* the fingerprint of the stage before it, so a
change anywhere upstream reruns everything downstream, and nothing else. A stage whose marker carries the
same fingerprint is skipped (a rerun after a crash resumes at the first unfinished stage); ``force_from``
reruns from the named stage on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from corpus import __version__
from corpus.config import Recipe
from corpus.runtime.lock import out_lock
from corpus.runtime.markers import STAGES, clear_marker, mark_done, stage_done, write_stats
from corpus.runtime.spark import use_stage_workers

log = logging.getLogger("optcorpus.build")

# The recipe parts each stage depends on (besides everything before it).
STAGE_PARTS = {
    "ingest": ("sources", "ingest", "normalize"),
    "filter": ("filter", "seed"),
    "dedup": ("dedup",),
    "tokenize": ("tokenizer",),
    "shards": ("pack", "seed"),
    "report": (),
}


def stage_fingerprints(recipe: Recipe) -> dict[str, str]:
    fingerprints, previous = {}, __version__
    for stage in STAGES:
        parts = STAGE_PARTS[stage]
        own = recipe.fingerprint(*parts) if parts else ""
        previous = hashlib.sha256(f"{previous}|{stage}|{own}".encode()).hexdigest()
        fingerprints[stage] = previous
    return fingerprints


def tokenizer_file(recipe: Recipe, out: str) -> str:
    return f"{out.rstrip('/')}/tokenizer/tokenizer.json"


def stage_functions(
    spark, recipe: Recipe, out: str, fingerprints: dict[str, str]
) -> dict[str, Callable[[], dict]]:
    from corpus.report.numbers import run_report
    from corpus.stages.dedup import run_dedup
    from corpus.stages.filter import run_filter
    from corpus.stages.ingest import run_ingest
    from corpus.stages.shards import run_shards
    from corpus.tokens.tokenizer import prepare_tokenizer

    return {
        "ingest": lambda: run_ingest(spark, recipe, out),
        "filter": lambda: run_filter(spark, recipe, out, fingerprint=fingerprints["filter"]),
        "dedup": lambda: run_dedup(spark, recipe, out, fingerprint=fingerprints["dedup"]),
        "tokenize": lambda: prepare_tokenizer(spark, recipe, out, tokenizer_file(recipe, out)),
        "shards": lambda: run_shards(spark, recipe, out, tokenizer_path=tokenizer_file(recipe, out)),
        "report": lambda: run_report(out),
    }


def run_build(
    spark, recipe: Recipe, out: str, force_from: str | None = None, stop_after: str | None = None
) -> dict:
    """Run every unfinished stage in order; return {stage: {"skipped": bool, "seconds": s, "stats": ...}}.

    The build holds OUT's lock (``corpus.runtime.lock``) throughout: a second build into the same OUT is refused.
    """
    if force_from is not None and force_from not in STAGES:
        raise ValueError(f"--force takes one of {', '.join(STAGES)}, not {force_from!r}")
    with out_lock(out):
        return _run_stages(spark, recipe, out, force_from, stop_after)


def _run_stages(spark, recipe: Recipe, out: str, force_from: str | None, stop_after: str | None) -> dict:
    fingerprints = stage_fingerprints(recipe)
    functions = stage_functions(spark, recipe, out, fingerprints)
    forcing = False
    results: dict[str, dict] = {}
    for stage in STAGES:
        forcing = forcing or stage == force_from
        if not forcing and stage_done(out, stage, fingerprints[stage]):
            log.info("stage %s: already done with the same config, skipped", stage)
            results[stage] = {"skipped": True, "seconds": 0.0}
        else:
            if not forcing:  # everything from here on reruns: no later marker may outlive a crash below
                for later in STAGES[STAGES.index(stage) :]:
                    clear_marker(out, later)
            forcing = True
            clear_marker(out, stage)
            log.info("stage %s: running", stage)
            started = time.time()
            use_stage_workers(spark, stage)
            stats = functions[stage]() or {}
            if stage in ("tokenize", "shards"):  # the others write their own stats file
                write_stats(out, stage, stats)
            seconds = round(time.time() - started, 2)
            mark_done(out, stage, fingerprints[stage], {"seconds": seconds})
            results[stage] = {"skipped": False, "seconds": seconds, "stats": stats}
        if stage == stop_after:
            break
    return results
