"""The dedup/filter statistics report: ``corpus report OUT [--no-html] [--top N]`` and the build's last stage.

It reads the stage stats a build leaves under ``OUT/stats/`` (``ingest.json``, ``filter.json``,
``dedup.json``, ``shards.json``; without the last, the shard manifest ``OUT/shards/manifest.json``) and
writes, atomically:

- ``OUT/report/stats.json``: every stage's numbers unchanged under ``stages``, plus what the report derives
  from them: per source the funnel and the end-to-end accounting, totals, and the dedup summary;
- ``OUT/report/report.html``: one self-contained page with charts (``corpus/report/html.py``);
- the terminal text (printed by ``main``, logged by ``run_report``).

End-to-end accounting, per source, in the unit each stage counts (records at ingest, documents after)::

    records read = rejects + skips + merged + filtered + exact dups + near dups + documents tokenized

``merged`` is the records that became part of a multi-record document minus those documents (a Reddit
thread is one document built from the comments of its longest chain), so the identity needs no
assumption about how many records a document holds. Each term comes from a different stage's file, so
the identity is checked, never assumed; the stage hand-offs (documents out of one stage = documents into
the next) are checked as well, so a mismatch names where the numbers part ways.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

from corpus.accounting import require_balanced
from corpus.report.tables import format_table
from corpus.runtime.fs import Folder
from corpus.runtime.layout import STAGE_ORDER as STAGES
from corpus.runtime.markers import marker_parts, read_stats

log = logging.getLogger("optcorpus.report")

REPORT_DIR = "report"
REPORT_VERSION = 1
STAT_STAGES = ("ingest", "filter", "dedup", "shards")  # the stages that write OUT/stats/<stage>.json
MANIFEST = ("shards", "manifest.json")
SNIPPET_CHARS = 110  # snippet characters per line in the terminal (the HTML shows what dedup stored)
BAR_WIDTH = 30
OK, MISMATCH, INCOMPLETE = "ok", "MISMATCH", "incomplete"
# The accounting terms after ``records_read``, in the order the identity adds them up.
TERMS = ("rejects", "skips", "merged", "filtered", "exact_dups", "near_dups", "tokenized")


# ---------------------------------------------------------------------------------------------------------
# Reading and merging the stage stats
# ---------------------------------------------------------------------------------------------------------


def load_stage_stats(out: str | Path) -> dict[str, dict]:
    """The stats each finished stage wrote, by stage name; stages without a file are absent.

    Without ``OUT/stats/shards.json``, per-source tokens come from the shard manifest (which has no
    per-source document counts for the train split, so ``docs`` is None there).
    """
    stages = {}
    for stage in STAT_STAGES:
        stats = read_stats(str(out), stage)
        if stats is not None:
            stages[stage] = stats
    folder = Folder(str(out))
    if "shards" not in stages and folder.exists(*MANIFEST):
        stages["shards"] = shards_from_manifest(folder.read_json(*MANIFEST))
    return stages


def shards_from_manifest(manifest: dict) -> dict:
    """Per-source shard numbers recovered from a manifest: tokens in shards (train + valid) and held-out
    documents; tokenized documents per source are not in a manifest, so they are None."""
    splits = manifest.get("splits", {})
    sources: dict[str, dict] = {}
    for split in ("train", "valid"):
        for source, tokens in splits.get(split, {}).get("source_tokens", {}).items():
            s = sources.setdefault(source, {"docs": None, "docs_valid": None, "tokens_in_shards": 0})
            s["tokens_in_shards"] += tokens
    for name, split in splits.items():
        if name.startswith("valid/"):
            s = sources.setdefault(
                name.removeprefix("valid/"), {"docs": None, "docs_valid": None, "tokens_in_shards": 0}
            )
            s["docs_valid"] = split.get("docs")
    return {
        "from_manifest": True,
        "sources": dict(sorted(sources.items())),
        "tokens_in_shards": sum(s["tokens_in_shards"] for s in sources.values()),
        "seq_len": manifest.get("seq_len"),
        "rows": sum(splits.get(k, {}).get("rows", 0) for k in ("train", "valid")),
    }


def stage_seconds(out: str | Path) -> dict[str, float]:
    """Seconds per finished stage, from the success markers (only stages that recorded them)."""
    seconds = {}
    folder = Folder(str(out))
    for stage in STAGES:
        if folder.exists(*marker_parts(stage)):
            value = folder.read_json(*marker_parts(stage)).get("stats", {})
            value = value.get("seconds", value.get("elapsed_s"))
            if value is not None:
                seconds[stage] = value
    return seconds


def source_names(stages: dict[str, dict]) -> list[str]:
    """Every source any stage reports, in the order the earliest stage lists them (the recipe's order)."""
    names: list[str] = []
    for stage in STAT_STAGES:
        for name in stages.get(stage, {}).get("sources", {}):
            if name not in names:
                names.append(name)
    return names


def _source(stages: dict, stage: str, name: str) -> dict | None:
    """A source's numbers in one stage: None when the stage has no stats at all, {} when the stage ran
    and saw nothing of the source (every count is then 0)."""
    if stage not in stages:
        return None
    return stages[stage].get("sources", {}).get(name, {})


def source_numbers(stages: dict[str, dict], name: str) -> dict:
    """One source's counts across the stages, flat; None where the stage's stats are missing."""
    ing, flt, ddp, shd = (_source(stages, s, name) for s in STAT_STAGES)
    n: dict = {}
    if ing is not None:
        n.update(
            records_read=ing.get("records", 0),
            files=ing.get("files", 0),
            input_bytes=ing.get("bytes", 0),
            rejects=sum(ing.get("rejects", {}).values()),
            skips=sum(ing.get("skips", {}).values()),
            doc_records=ing.get("doc_records", 0),
            ingested=ing.get("documents", 0),
        )
    if flt is not None:
        n.update(
            filter_in=flt.get("in", 0),
            filter_records_in=flt.get("records_in", 0),
            filtered=sum(flt.get("dropped", {}).values()),
            filter_kept=flt.get("kept", 0),
        )
    if ddp is not None:
        for key in ("in", "exact_dups", "near_dups", "kept"):
            value = ddp.get(key, {"docs": 0, "bytes": 0})
            n[f"dedup_{key}"], n[f"dedup_{key}_bytes"] = value["docs"], value["bytes"]
    if shd is not None:
        # a manifest has no per-source document or tail counts: unknown, not zero
        known = not stages["shards"].get("from_manifest", False)
        n.update(
            tokenized=shd.get("docs", 0) if known else None,
            tokens_in_shards=shd.get("tokens_in_shards", 0),
            tail_tokens=shd.get("tail_tokens", 0) if known else None,
        )
    return n


def accounting(n: dict) -> dict:
    """The end-to-end identity and the stage hand-off checks for one source's ``source_numbers``.

    ``status`` is ``ok`` when every check that can be made holds and nothing is missing, ``MISMATCH`` when
    any check fails, ``incomplete`` when a stage's numbers are missing (a partial build).
    """
    terms = {
        "rejects": n.get("rejects"),
        "skips": n.get("skips"),
        "merged": _sub(n.get("doc_records"), n.get("ingested")),
        "filtered": n.get("filtered"),
        "exact_dups": n.get("dedup_exact_dups"),
        "near_dups": n.get("dedup_near_dups"),
        "tokenized": n.get("tokenized"),
    }
    checks = []

    def check(name: str, left, right) -> None:
        if left is not None and right is not None:
            checks.append({"check": name, "left": left, "right": right, "ok": left == right})

    check(
        "ingest: records read = document records + rejects + skips",
        n.get("records_read"),
        _add(n.get("doc_records"), n.get("rejects"), n.get("skips")),
    )
    check("ingest -> filter: documents", n.get("ingested"), n.get("filter_in"))
    check("ingest -> filter: document records", n.get("doc_records"), n.get("filter_records_in"))
    check("filter: in = filtered + kept", n.get("filter_in"), _add(n.get("filtered"), n.get("filter_kept")))
    check("filter -> dedup: documents", n.get("filter_kept"), n.get("dedup_in"))
    check(
        "dedup: in = exact + near + kept (documents)",
        n.get("dedup_in"),
        _add(n.get("dedup_exact_dups"), n.get("dedup_near_dups"), n.get("dedup_kept")),
    )
    check(
        "dedup: in = exact + near + kept (bytes)",
        n.get("dedup_in_bytes"),
        _add(n.get("dedup_exact_dups_bytes"), n.get("dedup_near_dups_bytes"), n.get("dedup_kept_bytes")),
    )
    check("dedup -> shards: documents", n.get("dedup_kept"), n.get("tokenized"))
    total = _add(*terms.values())
    check("records read = " + " + ".join(TERMS), n.get("records_read"), total)
    missing = [k for k, v in {"records_read": n.get("records_read"), **terms}.items() if v is None]
    if any(not c["ok"] for c in checks):
        status = MISMATCH
    elif missing:
        status = INCOMPLETE
    else:
        status = OK
    return {
        "records_read": n.get("records_read"),
        "terms": terms,
        "sum": total,
        "missing": missing,
        "checks": checks,
        "status": status,
    }


def _add(*values):
    return None if any(v is None for v in values) else sum(values)


def _sub(a, b):
    return None if a is None or b is None else a - b


def funnel(n: dict) -> list[list]:
    """[[step, count], ...]: what is left of a source after each stage (records read, then documents)."""
    steps = [
        ("read (records)", n.get("records_read")),
        ("ingested", n.get("ingested")),
        ("after filter", n.get("filter_kept")),
        ("after exact dedup", _sub(n.get("dedup_in"), n.get("dedup_exact_dups"))),
        ("kept", n.get("dedup_kept")),
        ("tokenized", n.get("tokenized")),
    ]
    return [[step, value] for step, value in steps]


def dedup_summary(dedup: dict) -> dict:
    """The dedup numbers the report shows, with the derived ones (rejected share, documents in clusters)."""
    histogram = dedup.get("cluster_size_histogram", [])
    candidates, verified = dedup.get("candidate_pairs", 0), dedup.get("verified_pairs", 0)
    return {
        "documents_in": dedup.get("documents_in"),
        "band_rows": dedup.get("band_rows"),
        "candidate_pairs": candidates,
        "verified_pairs": verified,
        "rejected_pairs": candidates - verified,
        "rejected_share": round((candidates - verified) / candidates, 6) if candidates else 0.0,
        "cc_rounds": dedup.get("cc_rounds"),
        "clusters": dedup.get("clusters", 0),
        "documents_in_clusters": sum(size * count for size, count in histogram),
        "cluster_size_histogram": histogram,
        "candidate_jaccard_histogram": dedup.get("candidate_jaccard_histogram", []),
        "cross_source": dedup.get("cross_source", {"docs": {}, "bytes": {}}),
        "largest_clusters": dedup.get("largest_clusters", []),
        "band_layout": dedup.get("band_layout"),
        "config": dedup.get("config", {}),
        "seconds": dedup.get("seconds", {}),
    }


def build_report(out: str | Path) -> dict:
    """The merged statistics of the build under ``out``: what ``OUT/report/stats.json`` holds."""
    stages = load_stage_stats(out)
    if not stages:
        raise FileNotFoundError(
            f"{out}: no stage statistics under {Folder(str(out)).uri('stats')} (has a build run there?)"
        )
    sources = {}
    for name in source_names(stages):
        n = source_numbers(stages, name)
        sources[name] = {"numbers": n, "funnel": funnel(n), "accounting": accounting(n)}
    totals: dict = {}
    for s in sources.values():
        for key, value in s["numbers"].items():
            if isinstance(value, int) and totals.get(key, 0) is not None:
                totals[key] = totals.get(key, 0) + value
            elif value is None:
                totals[key] = None
    statuses = {s["accounting"]["status"] for s in sources.values()}
    status = MISMATCH if MISMATCH in statuses else INCOMPLETE if INCOMPLETE in statuses else OK
    recipe = next((st.get("recipe") for st in stages.values() if st.get("recipe")), None)
    return {
        "report_version": REPORT_VERSION,
        "out": str(out),
        "recipe": recipe,
        "stages_found": [s for s in STAT_STAGES if s in stages],
        "shards_from_manifest": bool(stages.get("shards", {}).get("from_manifest")),
        "stage_seconds": stage_seconds(out),
        "accounting_status": status,
        "sources": sources,
        "totals": totals,
        "dedup": dedup_summary(stages["dedup"]) if "dedup" in stages else None,
        "stages": stages,
    }


# ---------------------------------------------------------------------------------------------------------
# Terminal text
# ---------------------------------------------------------------------------------------------------------


def render_text(report: dict, top: int = 10) -> str:
    """The whole report as plain text: tables, histograms as bars, the largest clusters with snippets."""
    parts = [
        _header(report),
        _records_table(report),
        _reasons_table(report),
        _dedup_table(report),
        _tokens_table(report),
        _accounting_lines(report),
    ]
    d = report["dedup"]
    if d is not None:
        parts += [_cross_source(d), _pairs(d), _band_layout(d), _cluster_histogram(d), _largest(d, top)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _header(report: dict) -> str:
    missing = [s for s in STAT_STAGES if s not in report["stages_found"]]
    lines = [
        f"corpus report: {report['out']} (recipe {report['recipe'] or '-'})",
        f"stages with stats: {', '.join(report['stages_found'])}"
        + (f"; missing: {', '.join(missing)}" if missing else ""),
    ]
    if report["shards_from_manifest"]:
        lines.append(
            "shards: no OUT/stats/shards.json, tokens read from shards/manifest.json "
            "(documents tokenized per source unknown)"
        )
    if report["stage_seconds"]:
        lines.append("seconds: " + ", ".join(f"{k} {v}" for k, v in report["stage_seconds"].items()))
    return "\n".join(lines)


def _records_table(report: dict) -> str:
    rows = []
    for name, s in report["sources"].items():
        n = s["numbers"]
        rows.append(
            [
                name,
                n.get("files"),
                n.get("records_read"),
                n.get("rejects"),
                n.get("skips"),
                n.get("doc_records"),
                n.get("ingested"),
                n.get("filtered"),
                n.get("filter_kept"),
            ]
        )
    t = report["totals"]
    rows.append(
        [
            "total",
            t.get("files"),
            t.get("records_read"),
            t.get("rejects"),
            t.get("skips"),
            t.get("doc_records"),
            t.get("ingested"),
            t.get("filtered"),
            t.get("filter_kept"),
        ]
    )
    headers = [
        "source",
        "files",
        "records read",
        "rejects",
        "skips",
        "doc records",
        "documents",
        "filtered",
        "after filter",
    ]
    return format_table(headers, rows, title="ingest and filter (records read -> documents -> after filter)")


def reason_matrix(report: dict) -> tuple[list[str], list[list]]:
    """(sources, rows): one row per (stage, kind, reason) with its count per source and in total; ingest
    rejects and skips count records, filter drops count documents."""
    sources = list(report["sources"])
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    stages = report["stages"]
    for name in sources:
        ing = stages.get("ingest", {}).get("sources", {}).get(name, {})
        flt = stages.get("filter", {}).get("sources", {}).get(name, {})
        found = [
            ("ingest", "reject", ing.get("rejects", {})),
            ("ingest", "skip", ing.get("skips", {})),
            ("filter", "dropped", flt.get("dropped", {})),
        ]
        for stage, kind, by_reason in found:
            for reason, n in by_reason.items():
                counts.setdefault((stage, kind, reason), {})[name] = n
    order = {("ingest", "reject"): 0, ("ingest", "skip"): 1, ("filter", "dropped"): 2}
    rows = [
        [stage, kind, reason, *(per.get(s, 0) for s in sources), sum(per.values())]
        for (stage, kind, reason), per in sorted(counts.items(), key=lambda kv: (order[kv[0][:2]], kv[0][2]))
    ]
    return sources, rows


def _reasons_table(report: dict) -> str:
    sources, rows = reason_matrix(report)
    if not rows:
        return "rejects, skips and filter drops by reason: none"
    lines = [[f"{stage} {kind}: {reason}", *counts] for stage, kind, reason, *counts in rows]
    return format_table(
        ["reason", *sources, "total"],
        lines,
        title="rejects, skips and filter drops by reason (ingest: records; filter: documents)",
    )


def _dedup_table(report: dict) -> str:
    if report["dedup"] is None:
        return "dedup: no OUT/stats/dedup.json"
    rows = []
    keys = ("dedup_in", "dedup_exact_dups", "dedup_near_dups", "dedup_kept")
    for name, s in [*report["sources"].items(), ("total", {"numbers": report["totals"]})]:
        n = s["numbers"]
        kept_share = n["dedup_kept"] / n["dedup_in"] if n.get("dedup_in") else None
        rows.append(
            [name, *(n.get(k) for k in keys), _percent(kept_share), *(_mb(n.get(f"{k}_bytes")) for k in keys)]
        )
    headers = [
        "source",
        "in",
        "exact dups",
        "near dups",
        "kept",
        "kept %",
        "MB in",
        "MB exact",
        "MB near",
        "MB kept",
    ]
    return format_table(headers, rows, title="dedup per source (documents, then MB of UTF-8 text)")


def _tokens_table(report: dict) -> str:
    if "shards" not in report["stages_found"]:
        return "shards: no OUT/stats/shards.json or shards/manifest.json"
    rows = []
    for name, s in [*report["sources"].items(), ("total", {"numbers": report["totals"]})]:
        n = s["numbers"]
        rows.append([name, n.get("tokenized"), n.get("tokens_in_shards"), n.get("tail_tokens")])
    return format_table(
        ["source", "documents tokenized", "tokens in shards", "tail tokens dropped"],
        rows,
        title="tokens in shards",
    )


def accounting_line(name: str, acc: dict) -> str:
    """``pile: records read 120 = rejects 2 + ... + tokenized 97 -> ok``, then the failed checks."""
    terms = " + ".join(f"{k.replace('_', ' ')} {_num(v)}" for k, v in acc["terms"].items())
    line = f"{name}: records read {_num(acc['records_read'])} = {terms} -> {acc['status']}"
    if acc["status"] == MISMATCH:
        for c in acc["checks"]:
            if not c["ok"]:
                line += f"\n    failed: {c['check']}: {c['left']:,} != {c['right']:,}"
    elif acc["status"] == INCOMPLETE:
        line += f" (missing: {', '.join(acc['missing'])})"
    return line


def _accounting_lines(report: dict) -> str:
    lines = [accounting_line(name, s["accounting"]) for name, s in report["sources"].items()]
    return (
        f"end-to-end accounting ({report['accounting_status']}; merged = records joined into "
        "multi-record documents minus those documents)\n" + "\n".join(lines)
    )


def _cross_source(d: dict) -> str:
    matrix = d["cross_source"].get("docs", {})
    if not matrix:
        return "cross-source duplicates: no duplicates removed"
    names = sorted({*matrix, *(k for row in matrix.values() for k in row)})
    rows = [
        [dup, *(matrix.get(dup, {}).get(k, 0) for k in names), sum(matrix.get(dup, {}).values())]
        for dup in names
    ]
    return format_table(
        ["removed \\ keeper", *names, "total"],
        rows,
        title="cross-source duplicates (documents removed, by their source (row) "
        "and their cluster keeper's source (column))",
    )


def _pairs(d: dict) -> str:
    lines = [
        f"candidate pairs {d['candidate_pairs']:,}; verified {d['verified_pairs']:,}; rejected by verification "
        f"{d['rejected_pairs']:,} ({_percent(d['rejected_share'])}); verify = {d['config'].get('verify', '-')}; "
        f"connected-component rounds {_num(d['cc_rounds'])}"
    ]
    if d["seconds"]:
        lines.append("dedup seconds by step: " + ", ".join(f"{k} {v}" for k, v in d["seconds"].items()))
    bins = d["candidate_jaccard_histogram"]
    if bins:
        threshold = (d["band_layout"] or {}).get("threshold", 1.0)
        top = max(n for _, n in bins)
        lines.append("candidate pairs by Jaccard (bins of 0.05; * at or above the threshold):")
        for start, count in bins:
            mark = "*" if start >= threshold else " "
            lines.append(f"  {start:4.2f}-{start + 0.05:4.2f} {mark} {count:>10,}  {_bar(count, top)}")
    return "\n".join(lines)


def _band_layout(d: dict) -> str:
    layout = d["band_layout"]
    if not layout:
        return ""
    from corpus.dedup.minhash import s_curve

    b, r = layout["bands"], layout["rows"]
    points = ", ".join(
        f"J {j:.2f}: {float(s_curve(j, b, r)):.4f}" for j in (0.5, 0.8, 0.9, layout["threshold"], 0.99)
    )
    return (
        f"band layout: {b} bands x {r} rows ({b * r} of {layout['num_perm']} permutations), "
        f"{layout['ngram']}-word shingles, threshold J = {layout['threshold']}\n"
        f"recall at the threshold {layout['recall_at_threshold']:.4f} (required >= {layout['min_recall']}); "
        f"P(candidate): {points}"
    )


def _cluster_histogram(d: dict) -> str:
    hist = d["cluster_size_histogram"]
    if not hist:
        return "clusters: none"
    top = max(n for _, n in hist)
    lines = [
        f"clusters {d['clusters']:,} holding {d['documents_in_clusters']:,} documents; "
        "cluster-size histogram (log-scaled bars):"
    ]
    lines += [f"  size {size:>6,}  {count:>8,}  {_bar(count, top, log=True)}" for size, count in hist]
    return "\n".join(lines)


def _largest(d: dict, top: int) -> str:
    clusters = d["largest_clusters"][:top]
    if not clusters:
        return ""
    lines = [f"largest clusters ({len(clusters)} of {len(d['largest_clusters'])} recorded by dedup)"]
    for i, c in enumerate(clusters, 1):
        lines.append(
            f"#{i} size {c['size']:,}  keeper {c['cluster_id']} ({c['keeper_source']})  sources "
            f"{_pairs_text(c['sources'])}  kinds {_pairs_text(c['kinds'])}"
        )
        lines.append(f"    keeper  {_snippet(c.get('keeper_snippet'))}")
        for m in c.get("members", []):
            lines.append(f"    {m['kind']:<7} {_snippet(m.get('snippet'))}  [{m['doc_id']}]")
    return "\n".join(lines)


def _pairs_text(counts: dict) -> str:
    return ", ".join(f"{k}={v:,}" for k, v in counts.items())


def _snippet(text: str | None) -> str:
    if not text:
        return "-"
    text = re.sub(r"\s+", " ", text).strip()
    return json.dumps(text[:SNIPPET_CHARS] + ("..." if len(text) > SNIPPET_CHARS else ""), ensure_ascii=False)


def _bar(count: int, top: int, log: bool = False) -> str:
    import math

    if count <= 0 or top <= 0:
        return ""
    share = math.log1p(count) / math.log1p(top) if log else count / top
    return "#" * max(1, round(share * BAR_WIDTH))


def _num(value) -> str:
    return "?" if value is None else f"{value:,}"


def _percent(share) -> str:
    return "-" if share is None else f"{share:.1%}"


def _mb(n) -> str:
    return "-" if n is None else f"{n / 1e6:.3f}"


# ---------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------


def write_report(out: str | Path, report: dict, html: bool = True) -> str:
    """Write ``OUT/report/stats.json`` and (unless ``html`` is False) ``report.html``; return the folder."""
    folder = Folder(str(out)).sub(REPORT_DIR)
    folder.write_json("stats.json", report)
    if html:
        from corpus.report.html import render_html

        folder.write_text("report.html", render_html(report))
    return folder.location


def check_report(report: dict) -> None:
    """Raise ``AccountingError`` when any source's numbers do not add up across the stages."""
    bad = [
        accounting_line(name, s["accounting"])
        for name, s in report["sources"].items()
        if s["accounting"]["status"] == MISMATCH
    ]
    require_balanced("end-to-end accounting", bad)


def main(argv: list[str] | None = None) -> int:
    """``corpus report OUT [--no-html] [--top N]``: print the report and write OUT/report/.

    Exit status 0, or 1 when some source's accounting is a MISMATCH (a partial build is not an error).
    """
    parser = argparse.ArgumentParser(prog="corpus report", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the build's output folder (the OUT given to the build)")
    parser.add_argument("--no-html", action="store_true", help="write stats.json only, not report.html")
    parser.add_argument("--top", type=int, default=10, help="largest clusters to print (default 10)")
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
