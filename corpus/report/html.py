"""``OUT/report/report.html``: the report as one self-contained page (inline CSS, inline SVG, no script).

Nothing is fetched: the charts are SVG drawn by the small functions below, so the file opens offline, in
a mail attachment or a CI artifact viewer alike. Input is the merged report dict of
``corpus.report.numbers.build_report``.
"""

from __future__ import annotations

import math
import re
from html import escape

from corpus.report.numbers import MISMATCH, OK, OPTIONAL_STAGES, STAT_STAGES, TERMS, reason_matrix
from corpus.schema import SNIPPET_CHARS

# One colour per funnel step / chart role; readable on white and in greyscale print.
STEP_COLOURS = ("#9aa5b1", "#5b8def", "#2bb3a3", "#f2a541", "#e4572e", "#7d5ba6", "#c2458e")
PASS, FAIL, LINE, GRID, INK = "#2e9e5b", "#c9cdd2", "#3a6ee8", "#e6e8eb", "#333"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde;padding-bottom:4px}
.sub{color:#667;margin:0 0 14px}
section{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:12px 16px;margin:14px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:8px 14px;min-width:130px}
.card b{display:block;font-size:19px} .card span{color:#667;font-size:12px}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{padding:3px 9px;border-bottom:1px solid #eceef1;text-align:right;white-space:nowrap}
th:first-child,td:first-child,td.t,th.t{text-align:left} th{background:#f1f3f5;font-weight:600}
tr.total td{font-weight:600;border-top:2px solid #ccd}
.ok{color:#1d7a43;font-weight:600} .bad{color:#b3261e;font-weight:700} .inc{color:#a66b00;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure{margin:0} figcaption{color:#556;font-size:12px;max-width:560px}
.cluster{border-left:4px solid #5b8def;padding:4px 10px;margin:10px 0}
.snip{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#333;background:#f6f7f9;
 padding:3px 6px;margin:3px 0;word-break:break-word}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:8px;background:#eef1f6;color:#445;margin-right:4px}
svg text{font:11px system-ui,sans-serif;fill:#333}
"""
# Added to CSS only on pages with the contamination section, so pages without it keep their bytes.
CONTAMINATION_CSS = """.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px;border-left:4px solid #e4572e;
 padding:4px 10px;margin:10px 0}
.pair .snip{white-space:normal} mark{background:#ffd166;color:#111;padding:0 1px}
"""


def render_html(report: dict) -> str:
    """The whole page for ``corpus.report.numbers.build_report``'s dict."""
    d = report["dedup"]
    body = [
        _header(report),
        _funnel_section(report),
        _accounting_section(report),
        _reasons_section(report),
        _dedup_section(report),
        _tokens_section(report),
    ]
    if d is not None:
        body += [_cross_section(d), _pairs_section(d), _clusters_section(d)]
    css = CSS
    c = report.get("decontaminate")
    if c is not None:
        body.append(_contamination_section(c))
        css += CONTAMINATION_CSS
    title = f"corpus report: {report['out']}"
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{css}</style></head>\n<body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


# ---------------------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------------------


def _header(report: dict) -> str:
    t, d = report["totals"], report["dedup"] or {}
    cards = [
        ("records read", t.get("records_read")),
        ("documents ingested", t.get("ingested")),
        ("after filter", t.get("filter_kept")),
        ("exact dups", t.get("dedup_exact_dups")),
        ("near dups", t.get("dedup_near_dups")),
        ("kept", t.get("dedup_kept")),
        *([("contaminated (dropped)", t.get("contaminated"))] if report.get("decontaminate") else []),
        ("tokens in shards", t.get("tokens_in_shards")),
        ("candidate pairs", d.get("candidate_pairs")),
        ("verified pairs", d.get("verified_pairs")),
        ("clusters", d.get("clusters")),
    ]
    card_html = "".join(f"<div class=card><b>{_n(v)}</b><span>{escape(k)}</span></div>" for k, v in cards)
    missing = [s for s in STAT_STAGES if s not in report["stages_found"] and s not in OPTIONAL_STAGES]
    found = [
        f"{s} (off)" if s == "decontaminate" and report.get("decontaminate") is None else s
        for s in report["stages_found"]
    ]
    notes = f"stages with stats: {', '.join(found)}"
    if missing:
        notes += f"; missing: {', '.join(missing)}"
    if report["shards_from_manifest"]:
        notes += "; shard numbers from shards/manifest.json (documents tokenized per source unknown)"
    if report["stage_seconds"]:
        notes += "; seconds: " + ", ".join(f"{k} {v}" for k, v in report["stage_seconds"].items())
    return (
        f"<h1>Corpus report: {escape(str(report['recipe'] or report['out']))}</h1>"
        f"<p class=sub>{escape(report['out'])} · accounting {_status(report['accounting_status'])} · "
        f"{escape(notes)}</p><div class=cards>{card_html}</div>"
    )


def _funnel_section(report: dict) -> str:
    groups = [(name, s["funnel"]) for name, s in report["sources"].items()]
    rows = [[name, *(v for _, v in f)] for name, f in groups]
    steps = [step for step, _ in groups[0][1]] if groups else []
    return _section(
        "Per-source funnel",
        _figure(
            funnel_chart(groups),
            "What is left of each source after each stage; bars are scaled to the "
            "records read by the source (Reddit threads merge many comment records into one document).",
        )
        + table(["source", *steps], rows),
    )


def _accounting_section(report: dict) -> str:
    rows = []
    for name, s in report["sources"].items():
        a = s["accounting"]
        rows.append(
            [name, a["records_read"], *(a["terms"][k] for k in TERMS), a["sum"], _Raw(_status(a["status"]))]
        )
    failed = [
        f"<li>{escape(name)}: {escape(c['check'])}: {c['left']:,} ≠ {c['right']:,}</li>"
        for name, s in report["sources"].items()
        for c in s["accounting"]["checks"]
        if not c["ok"]
    ]
    note = (
        "<p>records read = rejects + skips + merged + filtered + exact dups + near dups + contaminated + "
        "tokenized, each term from its own stage's statistics; <i>merged</i> = records joined into "
        "multi-record documents minus those documents; <i>contaminated</i> = documents the decontaminate "
        "stage dropped (0 when it was off or only cut or flagged).</p>"
    )
    return _section(
        "End-to-end accounting",
        note
        + table(["source", "records read", *(k.replace("_", " ") for k in TERMS), "sum", "status"], rows)
        + (f"<p class=bad>Failed checks:</p><ul>{''.join(failed)}</ul>" if failed else ""),
    )


def _reasons_section(report: dict) -> str:
    sources, rows = reason_matrix(report)
    note = "<p>Ingest rejects and skips count input records; filter drops count documents.</p>"
    return _section(
        "Rejects, skips and filter drops by reason",
        note + table(["stage", "kind", "reason", *sources, "total"], rows) if rows else "<p>none</p>",
    )


def _dedup_section(report: dict) -> str:
    if report["dedup"] is None:
        return _section("Deduplication per source", "<p>no OUT/stats/dedup.json</p>")
    keys = ("dedup_in", "dedup_exact_dups", "dedup_near_dups", "dedup_kept")
    rows = []
    for name, s in report["sources"].items():
        n = s["numbers"]
        rows.append([name, *(n.get(k) for k in keys), *(_mb(n.get(f"{k}_bytes")) for k in keys)])
    t = report["totals"]
    rows.append(_Total([("total"), *(t.get(k) for k in keys), *(_mb(t.get(f"{k}_bytes")) for k in keys)]))
    headers = ["source", "in", "exact dups", "near dups", "kept", "MB in", "MB exact", "MB near", "MB kept"]
    return _section("Deduplication per source", table(headers, rows))


def _tokens_section(report: dict) -> str:
    if "shards" not in report["stages_found"]:
        return ""
    rows = [
        [
            name,
            s["numbers"].get("tokenized"),
            s["numbers"].get("tokens_in_shards"),
            s["numbers"].get("tail_tokens"),
        ]
        for name, s in report["sources"].items()
    ]
    t = report["totals"]
    rows.append(_Total(["total", t.get("tokenized"), t.get("tokens_in_shards"), t.get("tail_tokens")]))
    return _section(
        "Tokens in shards",
        table(["source", "documents tokenized", "tokens in shards", "tail tokens dropped"], rows),
    )


def _cross_section(d: dict) -> str:
    parts = []
    for unit, caption in (("docs", "documents"), ("bytes", "bytes")):
        matrix = d["cross_source"].get(unit, {})
        if matrix:
            parts.append(
                _figure(
                    heat_table(matrix),
                    f"Removed duplicates in {caption}: row = source of the "
                    "removed document, column = source of its cluster's keeper.",
                )
            )
    return _section(
        "Cross-source duplicates",
        "<div class=charts>" + "".join(parts) + "</div>" if parts else "<p>no duplicates removed</p>",
    )


def _pairs_section(d: dict) -> str:
    layout = d["band_layout"] or {}
    threshold = layout.get("threshold", 1.0)
    text = (
        f"<p>candidate pairs <b>{_n(d['candidate_pairs'])}</b> · verified <b>{_n(d['verified_pairs'])}</b> · "
        f"rejected by verification <b>{_n(d['rejected_pairs'])}</b> ({d['rejected_share']:.1%}) · "
        f"verify = {escape(str(d['config'].get('verify', '-')))} · connected-component rounds "
        f"{_n(d['cc_rounds'])}</p>"
    )
    charts = []
    if layout:
        b, r = layout["bands"], layout["rows"]
        text += (
            f"<p>band layout <b>{b} bands × {r} rows</b> ({b * r} of {layout['num_perm']} permutations), "
            f"{layout['ngram']}-word shingles; recall at J = {threshold}: "
            f"<b>{layout['recall_at_threshold']:.4f}</b> (required ≥ {layout['min_recall']})</p>"
        )
        charts.append(
            _figure(
                s_curve_chart(layout),
                "Probability that a pair becomes a candidate, by its "
                "Jaccard similarity (the band layout's S-curve); the dashed line is the threshold.",
            )
        )
    bins = d["candidate_jaccard_histogram"]
    if bins:
        counts = {round(start, 2): n for start, n in bins}
        starts = [round(i / 20, 2) for i in range(20)]  # every bin, empty ones too, so the shape is honest
        bars = [(f"{s:.2f}", counts.get(s, 0), PASS if s >= threshold else FAIL) for s in starts]
        charts.append(
            _figure(
                bar_chart(bars, "candidate-jaccard", "Jaccard (bin start)", "candidate pairs", log=True),
                "Candidate pairs by verified Jaccard (bins of 0.05, log scale): green pass the "
                "threshold and become edges, grey are rejected by verification.",
            )
        )
    return _section(
        "Candidate pairs and verification", text + "<div class=charts>" + "".join(charts) + "</div>"
    )


def _contamination_section(c: dict) -> str:
    """What the decontaminate stage found and did: the action per source, the share of each set's items
    found, the sets x sources matrices, and the examples side by side with their evaluation items."""
    config, t = c["config"], c["totals"]
    n_sets = len(c["sets"])
    reasons = ", ".join(f"{k} {v:,}" for k, v in t["drop_reasons"].items())
    intro = (
        f"<p>{escape(str(config.get('n', '?')))}-word n-grams against {n_sets} evaluation "
        f"set{'' if n_sets == 1 else 's'} ({_n(sum(s['items'] for s in c['sets'].values()))} items); "
        f"action <b>{escape(str(config.get('action', '?')))}</b>"
        + (f" (margin {escape(str(config['margin']))} characters)" if config.get("action") == "cut" else "")
        + f" · documents hit <b>{_n(t['documents_hit'])}</b> of {_n(t['in'])}"
        + f" · dropped <b>{_n(t['dropped'])}</b>"
        + (f" ({escape(reasons)})" if reasons else "")
        + f" · cut <b>{_n(t['cut'])}</b> · flagged <b>{_n(t['flagged'])}</b> · characters removed "
        f"<b>{_n(t['removed_chars'])}</b></p>"
    )
    keys = ("in", "documents_hit", "dropped", "cut", "flagged", "kept", "removed_chars")
    rows: list = [[name, *(s[k] for k in keys)] for name, s in c["sources"].items()]
    rows.append(_Total(["total", *(t[k] for k in keys)]))
    actions = table(["source", "in", "hit", "dropped", "cut", "flagged", "kept", "characters removed"], rows)
    set_rows = [
        [
            name,
            s["items"],
            s["items_hit"],
            _Raw("-" if s["items_hit_share"] is None else f"{s['items_hit_share']:.1%}"),
            s["documents_hit"],
            s["ngrams_matched"],
        ]
        for name, s in c["sets"].items()
    ]
    shares = table(
        ["evaluation set", "items", "items hit", "items found", "documents hit", "n-grams matched"], set_rows
    )
    sources = list(c["sources"])
    matrices = "".join(
        _figure(
            heat_table(
                {name: s[key] for name, s in c["sets"].items()},
                rows=list(c["sets"]),
                columns=sources,
                corner="set ↓ source →",
            ),
            f"{what} by evaluation set (row) and source (column).",
        )
        for key, what in (
            ("documents_hit_by_source", "Documents hit"),
            ("ngrams_by_source", "N-grams matched"),
        )
    )
    return _section(
        "Contamination",
        intro
        + actions
        + "<p>Share of each evaluation set's items found in the corpus (items hit / items), the figure "
        "evaluation papers report:</p>"
        + shares
        + f"<div class=charts>{matrices}</div>"
        + _contamination_examples(c),
    )


def _contamination_examples(c: dict) -> str:
    parts = []
    for name, s in c["sets"].items():
        if not s["examples"]:
            continue
        parts.append(f"<h3>{escape(name)}: {len(s['examples'])} examples</h3>")
        for e in s["examples"]:
            cut = e["end"] - e["start"] > len(e["match"] or "")  # the stage keeps a long match's start
            corpus = (
                f"<div><span class=tag>{escape(e['source'])}</span>{escape(e['doc_id'])} · characters "
                f"{e['start']:,}-{e['end']:,} · {e['ngrams']:,} n-grams<div class=snip>"
                f"{'... ' if e['start'] > len(e['before'] or '') else ''}{_flat(e['before'])}"
                f"<mark>{_flat(e['match'])}{' ...' if cut else ''}</mark>"
                f"{_flat(e['after'])}</div></div>"
            )
            items = "".join(
                f"<div><span class=tag>evaluation item</span>{escape(item['location'])}<div class=snip>"
                + (_flat(item["text"]) if item["text"] else "<i>item text not in the stats</i>")
                + "</div></div>"
                for item in e["items"]
            )
            parts.append(f"<div class=pair>{corpus}<div>{items}</div></div>")
    return "".join(parts)


def _flat(text: str | None) -> str:
    """Text on one line (runs of whitespace as one space, the ends kept), escaped."""
    return escape(re.sub(r"\s+", " ", text or ""))


def _clusters_section(d: dict) -> str:
    hist = d["cluster_size_histogram"]
    parts = [f"<p>{_n(d['clusters'])} clusters holding {_n(d['documents_in_clusters'])} documents</p>"]
    if hist:
        bars = [(str(size), count, LINE) for size, count in hist]
        parts.append(
            _figure(
                bar_chart(bars, "cluster-sizes", "cluster size (documents)", "clusters", log=True),
                "Clusters by size (log scale).",
            )
        )
    for i, c in enumerate(d["largest_clusters"], 1):
        tags = "".join(
            f"<span class=tag>{escape(k)} {v:,}</span>" for k, v in {**c["sources"], **c["kinds"]}.items()
        )
        members = "".join(
            f"<div><span class=tag>{escape(m['kind'])}</span>{escape(m['doc_id'])} ({escape(m['source'])})"
            f"<div class=snip>{_snip(m.get('snippet'))}</div></div>"
            for m in c.get("members", [])
        )
        parts.append(
            f"<div class=cluster><b>#{i} · {c['size']:,} documents</b> · keeper {escape(c['cluster_id'])} "
            f"({escape(c['keeper_source'] or '-')}) {tags}<div class=snip>{_snip(c.get('keeper_snippet'))}"
            f"</div>{members}</div>"
        )
    return _section("Clusters", "".join(parts))


# ---------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------


class _Raw(str):
    """Markup that ``table`` puts in a cell as is (everything else is escaped)."""


class _Total(list):
    """A table row drawn as the total line."""


def table(headers: list[str], rows: list) -> str:
    """An HTML table; cells are escaped unless ``_Raw``; a ``_Total`` row is drawn as the total line."""
    first = rows[0] if rows else []
    head = "".join(
        f"<th{' class=t' if i < len(first) and _td(first[i]).startswith('<td class=t') else ''}>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cls = " class=total" if isinstance(row, _Total) else ""
        body.append(f"<tr{cls}>" + "".join(_td(v) for v in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def heat_table(
    matrix: dict[str, dict[str, int]],
    rows: list[str] | None = None,
    columns: list[str] | None = None,
    corner: str = "removed ↓ keeper →",
) -> str:
    """A matrix as a table whose cells are shaded by their share of the largest cell; rows and columns
    default to every name in it, sorted (the square cross-source matrix)."""
    names = sorted({*matrix, *(k for row in matrix.values() for k in row)})
    row_names, column_names = rows or names, columns or names
    top = max((v for row in matrix.values() for v in row.values()), default=0) or 1
    head = f"<th>{escape(corner)}</th>" + "".join(f"<th>{escape(n)}</th>" for n in column_names)
    lines = []
    for dup in row_names:
        cells = []
        for keeper in column_names:
            v = matrix.get(dup, {}).get(keeper, 0)
            alpha = 0.08 + 0.85 * math.sqrt(v / top) if v else 0
            colour = "#fff" if alpha > 0.55 else "#222"
            cells.append(f'<td style="background:rgba(228,87,46,{alpha:.2f});color:{colour}">{v:,}</td>')
        lines.append(f"<tr><th>{escape(dup)}</th>{''.join(cells)}</tr>")
    return f"<table class=heat><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _td(v) -> str:
    """A cell; words sit on the left, numbers (and "-" for unknown) on the right."""
    numeric = v is None or (isinstance(v, int | float) and not isinstance(v, bool)) or isinstance(v, _Raw)
    return f"<td>{_cell(v)}</td>" if numeric or _looks_numeric(v) else f"<td class=t>{_cell(v)}</td>"


def _looks_numeric(v) -> bool:
    return isinstance(v, str) and v.replace(".", "", 1).replace("-", "", 1).isdigit()


def _cell(v) -> str:
    if isinstance(v, _Raw):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return escape("-" if v is None else str(v))


# ---------------------------------------------------------------------------------------------------------
# SVG charts
# ---------------------------------------------------------------------------------------------------------

W, H = 540, 280  # chart size in px
M_LEFT, M_RIGHT, M_TOP, M_BOTTOM = 58, 16, 14, 44


def s_curve_chart(layout: dict) -> str:
    """P(candidate) against Jaccard, with the threshold and the recall at it marked."""
    pts = layout["s_curve"]
    x0, x1, y0, y1 = M_LEFT, W - M_RIGHT, H - M_BOTTOM, M_TOP

    def sx(j):
        return x0 + (x1 - x0) * j

    def sy(p):
        return y0 - (y0 - y1) * p

    parts = [_svg_open("s-curve")]
    for i in range(6):
        v = i / 5
        parts.append(_line(x0, sy(v), x1, sy(v), GRID) + _text(x0 - 6, sy(v) + 4, f"{v:.1f}", "end"))
        parts.append(_text(sx(v), y0 + 16, f"{v:.1f}", "middle"))
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(j):.1f},{sy(p):.1f}" for i, (j, p) in enumerate(pts))
    parts.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    t, recall = layout["threshold"], layout["recall_at_threshold"]
    parts.append(_line(sx(t), y0, sx(t), y1, "#e4572e", dash=True))
    parts.append(f'<circle cx="{sx(t):.1f}" cy="{sy(recall):.1f}" r="4" fill="#e4572e"/>')
    parts.append(
        _text(sx(0.04), sy(0.92), f"threshold J = {t} (dashed): P(candidate) = {recall:.4f}", "start")
    )
    parts.append(_axes(x0, x1, y0, y1, "Jaccard similarity", "P(candidate)"))
    return "".join(parts) + "</svg>"


def bar_chart(
    bars: list[tuple[str, int, str]], chart_id: str, x_label: str, y_label: str, log: bool = False
) -> str:
    """Vertical bars (label, value, colour); with ``log`` the y axis is log10 of value + 1 with ticks at
    powers of ten, so one huge bin does not flatten the rest."""
    x0, x1, y0, y1 = M_LEFT, W - M_RIGHT, H - M_BOTTOM, M_TOP
    top = max((v for _, v, _ in bars), default=0)
    scale = (lambda v: math.log10(v + 1)) if log else (lambda v: v)
    if log:  # powers of ten below the tallest bar, and the tallest bar's own value at the top
        ticks = [0] + [10**k for k in range(0, len(str(max(top, 1)))) if 10**k <= top / 2] + [max(top, 1)]
    else:
        ticks = _nice_ticks(top)
    top_scaled = max(scale(top), scale(ticks[-1])) or 1.0

    def sy(v):
        return y0 - (y0 - y1) * scale(v) / top_scaled

    parts = [_svg_open(chart_id)]
    for t in ticks:
        label = "" if log and t == 0 else _short(t)  # on a log axis 0 sits just under 1: the axis says it
        parts.append(_line(x0, sy(t), x1, sy(t), GRID) + _text(x0 - 6, sy(t) + 4, label, "end"))
    slot = (x1 - x0) / max(len(bars), 1)
    every = max(1, math.ceil(len(bars) / 10))  # at most 10 x labels
    for i, (label, value, colour) in enumerate(bars):
        x = x0 + i * slot + slot * 0.12
        top_y = sy(value)
        parts.append(
            f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{slot * 0.76:.1f}" height="{y0 - top_y:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {value:,}</title></rect>'
        )
        if i % every == 0:
            parts.append(_text(x + slot * 0.38, y0 + 14, label, "middle"))
    parts.append(_axes(x0, x1, y0, y1, x_label, y_label + (" (log)" if log else "")))
    return "".join(parts) + "</svg>"


def funnel_chart(groups: list[tuple[str, list[list]]]) -> str:
    """Horizontal bars, one group per source, one bar per funnel step, scaled to the group's first step."""
    steps = [s for s, _ in groups[0][1]] if groups else []
    bar_h, gap, label_w = 13, 12, 96
    width = max(880, label_w + len(steps) * 130)  # room for every legend entry
    height = len(groups) * (len(steps) * bar_h + gap) + 34
    parts = [
        f'<svg id="funnel" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for i, step in enumerate(steps):  # legend
        parts.append(
            f'<rect x="{label_w + i * 130}" y="4" width="11" height="11" fill="{STEP_COLOURS[i % 7]}"/>'
            + _text(label_w + i * 130 + 15, 14, step, "start")
        )
    y = 26
    span = width - label_w - 90
    for name, steps_values in groups:
        base = steps_values[0][1] or max((v or 0 for _, v in steps_values), default=0) or 1
        parts.append(_text(label_w - 8, y + len(steps) * bar_h / 2 + 4, name, "end", bold=True))
        for i, (step, value) in enumerate(steps_values):
            w = span * min(1.0, (value or 0) / base)
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h - 2}" '
                f'fill="{STEP_COLOURS[i % 7]}"><title>{escape(name)} {escape(step)}: {_n(value)}</title></rect>'
                + _text(label_w + w + 4, y + bar_h - 3, _n(value), "start")
            )
            y += bar_h
        y += gap
    return "".join(parts) + "</svg>"


def _svg_open(chart_id: str) -> str:
    return (
        f'<svg id="{chart_id}" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" role="img">'
    )


def _axes(x0, x1, y0, y1, x_label: str, y_label: str) -> str:
    return (
        _line(x0, y0, x1, y0, INK)
        + _line(x0, y0, x0, y1, INK)
        + _text((x0 + x1) / 2, H - 8, x_label, "middle")
        + f'<text x="14" y="{(y0 + y1) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(y0 + y1) / 2:.1f})">{escape(y_label)}</text>'
    )


def _line(xa, ya, xb, yb, colour: str, dash: bool = False) -> str:
    style = ' stroke-dasharray="5 4" stroke-width="1.5"' if dash else ""
    return f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xb:.1f}" y2="{yb:.1f}" stroke="{colour}"{style}/>'


def _text(x, y, s: str, anchor: str, bold: bool = False) -> str:
    weight = ' font-weight="600"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{weight}>{escape(str(s))}</text>'


def _nice_ticks(top: int) -> list[int]:
    """0 and about five round steps reaching at least ``top``."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    step = max(1, int(step))
    return list(range(0, int(top + step), step)) if top % step else list(range(0, top + step, step))


def _short(v: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= size:
            return f"{v / size:.3g}{unit}"
    return str(v)


# ---------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------


def _section(title: str, inner: str) -> str:
    return f"<h2>{escape(title)}</h2><section>{inner}</section>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _status(status: str) -> str:
    cls = "ok" if status == OK else "bad" if status == MISMATCH else "inc"
    return f"<span class={cls}>{escape(status)}</span>"


def _snip(text: str | None) -> str:
    """A stored snippet on one line; dedup cuts snippets at a fixed length, so a full one ends in "..."."""
    if not text:
        return "-"
    flat = " ".join(text.split())
    return escape(flat + (" ..." if len(text) >= SNIPPET_CHARS else ""))


def _n(v) -> str:
    return "-" if v is None else f"{v:,}"


def _mb(n) -> str:
    return "-" if n is None else f"{n / 1e6:.3f}"
