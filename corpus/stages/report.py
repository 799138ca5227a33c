"""The report stage: every stage's statistics merged into ``OUT/report/stats.json`` and ``report.html``.

Its stats are that report itself (``OUT/report/stats.json``), so the runner writes no ``stats/report.json``;
the end-to-end accounting check runs after the report is written, so a mismatch can be read there.
"""

from __future__ import annotations

import logging

from corpus.report.numbers import build_report, check_report
from corpus.report.text import render_text
from corpus.report.write import write_report
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.layout import MANIFEST, REPORT, STATS

log = logging.getLogger("optcorpus.report")


def run(ctx: StageContext) -> dict:
    report = build_report(ctx.out.root)
    write_report(ctx.out.root, report)
    log.info("\n%s", render_text(report))
    return report


STAGE = Stage(
    name="report",
    reads=(STATS, MANIFEST),
    writes=(REPORT,),
    recipe_parts=(),
    settings=lambda recipe: None,
    run=run,
    check=check_report,
    writes_stats=False,
)
