"""The report as terminal text: tables, histograms as bars, the largest clusters with snippets, and the
contamination found by the decontaminate stage (when it ran).

Input is the merged report dict of ``corpus.report.numbers.build_report``; ``corpus report`` prints the
text and the report stage logs it.
"""

from __future__ import annotations

import json
import math
import re

from corpus.dedup.minhash import s_curve
from corpus.report.numbers import OPTIONAL_STAGES, STAT_STAGES, accounting_line, count_text, reason_matrix
from corpus.report.tables import format_table

# A terminal line shows the start of a snippet; report.html shows the whole snippet dedup stored.
TEXT_SNIPPET_CHARS = 110
BAR_WIDTH = 30
CONTEXT_TEXT_CHARS = 50  # characters of an example's text shown on each side of the match
MATCH_OPEN, MATCH_CLOSE = "[[", "]]"  # the matched span in an example's text


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
    c = report.get("decontaminate")
    if c is not None:
        parts += [_contamination(c), _examples(c, top)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _header(report: dict) -> str:
    missing = [s for s in STAT_STAGES if s not in report["stages_found"] and s not in OPTIONAL_STAGES]
    found = [_stage_name(report, s) for s in report["stages_found"]]
    lines = [
        f"corpus report: {report['out']} (recipe {report['recipe'] or '-'})",
        f"stages with stats: {', '.join(found)}" + (f"; missing: {', '.join(missing)}" if missing else ""),
    ]
    if report["shards_from_manifest"]:
        lines.append(
            "shards: no OUT/stats/shards.json, tokens read from shards/manifest.json "
            "(documents tokenized per source unknown)"
        )
    if report["stage_seconds"]:
        lines.append("seconds: " + ", ".join(f"{k} {v}" for k, v in report["stage_seconds"].items()))
    return "\n".join(lines)


def _stage_name(report: dict, stage: str) -> str:
    """A stage as the header lists it: the decontaminate stage says when it was off."""
    off = stage == "decontaminate" and report.get("decontaminate") is None
    return f"{stage} (off)" if off else stage


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
        f"connected-component rounds {count_text(d['cc_rounds'])}"
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


def _contamination(c: dict) -> str:
    """What the stage did per source, the share of each set's items found, and the sets x sources
    matrices (documents hit, n-grams matched)."""
    config, t = c["config"], c["totals"]
    items = sum(s["items"] for s in c["sets"].values())
    reasons = _pairs_text(t["drop_reasons"])
    lines = [
        f"contamination: {config.get('n', '?')}-word n-grams against {len(c['sets'])} evaluation "
        f"set{'' if len(c['sets']) == 1 else 's'} ({items:,} items); action {config.get('action', '?')}"
        + (f" (margin {config['margin']} characters)" if config.get("action") == "cut" else ""),
        f"documents hit {t['documents_hit']:,} of {t['in']:,}: dropped {t['dropped']:,}"
        + (f" ({reasons})" if reasons else "")
        + f", cut {t['cut']:,}, flagged {t['flagged']:,}; characters removed {t['removed_chars']:,}",
    ]
    keys = ("in", "documents_hit", "dropped", "cut", "flagged", "kept", "removed_chars")
    rows = [[name, *(s[k] for k in keys)] for name, s in c["sources"].items()]
    rows.append(["total", *(t[k] for k in keys)])
    headers = ["source", "in", "hit", "dropped", "cut", "flagged", "kept", "chars removed"]
    parts = ["\n".join(lines), format_table(headers, rows, title="decontaminate per source (documents)")]
    set_rows = [
        [
            name,
            s["items"],
            s["items_hit"],
            _percent(s["items_hit_share"]),
            s["documents_hit"],
            s["ngrams_matched"],
        ]
        for name, s in c["sets"].items()
    ]
    parts.append(
        format_table(
            ["evaluation set", "items", "items hit", "items found", "documents hit", "n-grams matched"],
            set_rows,
            title="evaluation set items found in the corpus (items hit / items)",
        )
    )
    sources = list(c["sources"])
    for key, what in (("documents_hit_by_source", "documents hit"), ("ngrams_by_source", "n-grams matched")):
        matrix = [
            [name, *(s[key].get(src, 0) for src in sources), sum(s[key].values())]
            for name, s in c["sets"].items()
        ]
        parts.append(
            format_table(
                ["set \\ source", *sources, "total"],
                matrix,
                title=f"{what} by evaluation set (row) and source (column)",
            )
        )
    return "\n\n".join(parts)


def _examples(c: dict, top: int) -> str:
    """Each set's first examples: the corpus text with the match in [[ ]], then the evaluation item."""
    lines = []
    for name, s in c["sets"].items():
        shown = s["examples"][:top]
        if not shown:
            continue
        lines.append(f"{name}: {len(shown)} of {len(s['examples'])} examples recorded by the stage")
        for i, e in enumerate(shown, 1):
            lines.append(
                f"#{i} {e['doc_id']} ({e['source']})  characters {e['start']:,}-{e['end']:,}  "
                f"{e['ngrams']:,} n-grams"
            )
            lines.append(f"    corpus  {_example_text(e)}")
            for item in e["items"]:
                text = _snippet(item["text"]) if item["text"] else "(item text not in the stats)"
                lines.append(f"    item    {item['location']}  {text}")
    if not lines:
        return "contamination examples: none"
    return "contamination examples (corpus text with the match in [[ ]], then the evaluation item)\n" + (
        "\n".join(lines)
    )


def _example_text(e: dict) -> str:
    """``"...before [[match]] after..."`` on one line, quoted."""
    before, after = _flat(e["before"] or ""), _flat(e["after"] or "")
    match = _flat(e["match"] or "")
    if len(match) > TEXT_SNIPPET_CHARS:
        match = match[:TEXT_SNIPPET_CHARS] + "..."
    elif e["end"] - e["start"] > len(e["match"] or ""):  # the stage kept only the start of a long match
        match += "..."
    if len(before) > CONTEXT_TEXT_CHARS or e["start"] > len(e["before"] or ""):
        before = "..." + before[-CONTEXT_TEXT_CHARS:]
    if len(after) > CONTEXT_TEXT_CHARS:
        after = after[:CONTEXT_TEXT_CHARS] + "..."
    return json.dumps(f"{before}{MATCH_OPEN}{match}{MATCH_CLOSE}{after}", ensure_ascii=False)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _pairs_text(counts: dict) -> str:
    return ", ".join(f"{k}={v:,}" for k, v in counts.items())


def _snippet(text: str | None) -> str:
    if not text:
        return "-"
    text = re.sub(r"\s+", " ", text).strip()
    return json.dumps(
        text[:TEXT_SNIPPET_CHARS] + ("..." if len(text) > TEXT_SNIPPET_CHARS else ""), ensure_ascii=False
    )


def _bar(count: int, top: int, log: bool = False) -> str:
    if count <= 0 or top <= 0:
        return ""
    share = math.log1p(count) / math.log1p(top) if log else count / top
    return "#" * max(1, round(share * BAR_WIDTH))


def _percent(share) -> str:
    return "-" if share is None else f"{share:.1%}"


def _mb(n) -> str:
    return "-" if n is None else f"{n / 1e6:.3f}"
