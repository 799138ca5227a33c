"""The stage runner: one stage, or the whole build (ingest -> filter -> dedup -> tokenize -> shards ->
report), resumable.

Every stage runs the same way (``run_stage``): its context (session, its own settings, OUT's layout), its
entry point, then its stats written to ``OUT/stats/<stage>.json``, its accounting check, and its marker
``OUT/_stages/<stage>.json``. Each stage's fingerprint covers its own recipe parts *and* the fingerprint of
the stage before it, so a change anywhere upstream reruns everything downstream, and nothing else. A stage
whose marker carries the same fingerprint is skipped (a rerun after a crash resumes at the first
unfinished stage); ``force_from`` reruns from the named stage on.
"""

from __future__ import annotations

import hashlib
import logging
import time

from corpus import __version__
from corpus.config import Recipe
from corpus.runtime.contract import StageContext
from corpus.runtime.layout import STAGE_ORDER, OutLayout
from corpus.runtime.lock import out_lock
from corpus.runtime.markers import clear_marker, mark_done, stage_done, write_stats
from corpus.runtime.spark import SHARED_WORKERS, use_stage_workers

log = logging.getLogger("optcorpus.build")


def stage_fingerprints(recipe: Recipe) -> dict[str, str]:
    from corpus.stages import STAGES

    fingerprints, previous = {}, __version__
    for name, stage in STAGES.items():
        own = recipe.fingerprint(*stage.recipe_parts) if stage.recipe_parts else ""
        if stage.fingerprint_extra is not None:
            own += "|" + stage.fingerprint_extra(recipe)
        previous = hashlib.sha256(f"{previous}|{name}|{own}".encode()).hexdigest()
        fingerprints[name] = previous
    return fingerprints


def run_stage(spark, recipe: Recipe, out: str, name: str, fingerprint: str | None = None) -> dict:
    """Run one stage into ``out``: its stats, its accounting check, then its marker; return its stats.

    ``fingerprint`` defaults to the stage's fingerprint in the chained build order.
    """
    from corpus.stages import STAGES

    stage = STAGES[name]
    with out_lock(out):
        clear_marker(out, name)
        started = time.time()
        if spark is not None:
            use_stage_workers(spark, name if stage.own_workers else SHARED_WORKERS)
        stats = stage.run(StageContext(spark, stage.settings(recipe), OutLayout(out))) or {}
        if stage.writes_stats:
            write_stats(out, name, stats)  # before the check, so a failing stage's numbers can be read
        if stage.check is not None:
            stage.check(stats)
        seconds = round(time.time() - started, 2)
        mark_done(out, name, fingerprint or stage_fingerprints(recipe)[name], {"seconds": seconds})
    return stats


def run_build(
    spark, recipe: Recipe, out: str, force_from: str | None = None, stop_after: str | None = None
) -> dict:
    """Run every unfinished stage in order; return {stage: {"skipped": bool, "seconds": s, "stats": ...}}.

    The build holds OUT's lock (``corpus.runtime.lock``) throughout: a second build into the same OUT is
    refused.
    """
    if force_from is not None and force_from not in STAGE_ORDER:
        raise ValueError(f"--force takes one of {', '.join(STAGE_ORDER)}, not {force_from!r}")
    with out_lock(out):
        return _run_stages(spark, recipe, out, force_from, stop_after)


def _run_stages(spark, recipe: Recipe, out: str, force_from: str | None, stop_after: str | None) -> dict:
    fingerprints = stage_fingerprints(recipe)
    forcing = False
    results: dict[str, dict] = {}
    for name in STAGE_ORDER:
        forcing = forcing or name == force_from
        if not forcing and stage_done(out, name, fingerprints[name]):
            log.info("stage %s: already done with the same config, skipped", name)
            results[name] = {"skipped": True, "seconds": 0.0}
        else:
            if not forcing:  # everything from here on reruns: no later marker may outlive a crash below
                for later in STAGE_ORDER[STAGE_ORDER.index(name) :]:
                    clear_marker(out, later)
            forcing = True
            log.info("stage %s: running", name)
            started = time.time()
            stats = run_stage(spark, recipe, out, name, fingerprints[name])
            results[name] = {"skipped": False, "seconds": round(time.time() - started, 2), "stats": stats}
        if name == stop_after:
            break
    return results
