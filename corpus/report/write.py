"""The dedup/filter statistics report: ``corpus report OUT [--no-html] [--top N]`` and the build's last stage.

Three modules make it, and this one puts them together: ``numbers.build_report`` merges the stage stats a
build leaves under ``OUT/stats/`` into one dict, ``text.render_text`` and ``html.render_html`` render that
dict. Written, atomically:

- ``OUT/report/stats.json``: the merged dict itself;
- ``OUT/report/report.html``: one self-contained page with charts;
- the terminal text (printed by ``main``, logged by the report stage, ``corpus/stages/report.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corpus.report.html import render_html
from corpus.report.numbers import MISMATCH, build_report
from corpus.report.text import render_text
from corpus.runtime.fs import Folder
from corpus.runtime.layout import REPORT


def write_report(out: str | Path, report: dict, html: bool = True) -> str:
    """Write ``OUT/report/stats.json`` and (unless ``html`` is False) ``report.html``; return the folder."""
    folder = Folder(str(out)).sub(REPORT)
    folder.write_json("stats.json", report)
    if html:
        folder.write_text("report.html", render_html(report))
    return folder.location


def main(argv: list[str] | None = None) -> int:
    """``corpus report OUT [--no-html] [--top N]``: print the report and write OUT/report/.

    Exit status 0, or 1 when some source's accounting is a MISMATCH (a partial build is not an error).
    """
    parser = argparse.ArgumentParser(prog="corpus report", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the build's output folder (the OUT given to the build)")
    parser.add_argument("--no-html", action="store_true", help="write stats.json only, not report.html")
    parser.add_argument(
        "--top",
        type=int,
        default=10,
        help="largest clusters, and examples per evaluation set, to print (default 10)",
    )
    args = parser.parse_args(argv)
    try:
        report = build_report(args.out)
    except FileNotFoundError as e:
        print(f"corpus report: {e}", file=sys.stderr)
        return 2
    folder = write_report(args.out, report, html=not args.no_html)
    print(render_text(report, top=args.top), end="")
    written = f"{folder}/stats.json" + ("" if args.no_html else f" and {folder}/report.html")
    print(f"\nwrote {written}")
    return 1 if report["accounting_status"] == MISMATCH else 0
