"""Plain-text tables for the end-of-job summaries (STYLE.md 8: end every job with its numbers)."""

from __future__ import annotations


def format_table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = [title] if title else []
    out.append(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    out.append(line)
    for r in cells:
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(out)


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ingest_table(stats: dict) -> str:
    """Per-source totals, then rejects and skips by reason (one column per source)."""
    sources = stats["sources"]
    rows = [
        [
            name,
            s["files"],
            s["records"],
            s["documents"],
            sum(s["rejects"].values()),
            sum(s["skips"].values()),
            round(s["bytes"] / 1e6, 2),
            s["docs_per_s_per_core"],
            s["mb_per_s_per_core"],
            "ok" if s["balanced"] else "MISMATCH",
        ]
        for name, s in sources.items()
    ]
    headers = [
        "source",
        "files",
        "records",
        "documents",
        "rejects",
        "skips",
        "MB",
        "docs/s/core",
        "MB/s/core",
        "balance",
    ]
    parts = [format_table(headers, rows, title=f"ingest: {stats['recipe']} ({stats['elapsed_s']} s)")]
    reasons = sorted(
        {("reject", r) for s in sources.values() for r in s["rejects"]}
        | {("skip", r) for s in sources.values() for r in s["skips"]}
    )
    if reasons:
        by_reason = [
            [f"{kind}: {reason}", *(sources[n][kind + "s"].get(reason, 0) for n in sources)]
            for kind, reason in reasons
        ]
        parts.append(format_table(["records by reason", *sources], by_reason))
    return "\n\n".join(parts)


def filter_table(stats: dict) -> str:
    """The end-of-job summary: one row per source."""
    rows = []
    for name, s in stats["sources"].items():
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(s["dropped"].items())) or "-"
        rows.append(
            [
                name,
                s["in"],
                s["kept"],
                sum(s["dropped"].values()),
                s["kept_share"],
                s["english_checked"],
                s["langdetect_avoided"],
                s["langdetect_calls"],
                "ok" if s["balanced"] else "MISMATCH",
                reasons,
            ]
        )
    headers = [
        "source",
        "in",
        "kept",
        "dropped",
        "kept share",
        "en checked",
        "ld avoided",
        "ld calls",
        "balance",
        "dropped by reason",
    ]
    return format_table(headers, rows, title=f"filter: {stats['recipe']} ({stats['elapsed_s']} s)")


def dedup_table(stats: dict) -> str:
    """The end-of-stage summary: per source in / exact / near / kept, then the pair and cluster numbers."""
    rows = [
        [
            name,
            s["in"]["docs"],
            s["exact_dups"]["docs"],
            s["near_dups"]["docs"],
            s["kept"]["docs"],
            round(s["in"]["bytes"] / 1e6, 2),
            round(s["kept"]["bytes"] / 1e6, 2),
            "ok" if s["balanced"] else "MISMATCH",
        ]
        for name, s in stats["sources"].items()
    ]
    table = format_table(
        ["source", "in", "exact dups", "near dups", "kept", "MB in", "MB kept", "balance"],
        rows,
        title=f"dedup: {stats['recipe']} ({stats.get('elapsed_s', '-')} s)",
    )
    layout = stats["band_layout"]
    return (
        f"{table}\n"
        f"bands {layout['bands']} x {layout['rows']} (recall {layout['recall_at_threshold']} at J = {layout['threshold']}); "
        f"candidate pairs {stats['candidate_pairs']:,}, verified {stats['verified_pairs']:,} "
        f"(rejected {stats['rejected_share']:.1%}); clusters {stats['clusters']:,}; CC rounds {stats['cc_rounds']}"
    )


def shards_table(stats: dict) -> str:
    """The end-of-stage summary of the shards: per source documents and tokens."""
    rows = [
        [name, s.get("docs"), s.get("tokens_produced"), s.get("tokens_in_shards"), s.get("tail_tokens")]
        for name, s in stats.get("sources", {}).items()
    ]
    return format_table(["source", "docs", "tokens", "in shards", "tail"], rows, title="shards")


def decontaminate_table(stats: dict) -> str:
    """The end-of-stage summary: per source in / hit / dropped / cut / kept, then per evaluation set the
    share of its items found in the corpus (one line when the recipe names no evaluation set)."""
    if not stats.get("enabled"):
        return f"decontaminate: {stats.get('recipe')}: off (the recipe names no evaluation set)"
    rows = [
        [
            name,
            s["in"],
            s["documents_hit"],
            s["dropped"],
            s["cut"],
            s["kept"],
            "ok" if s["balanced"] else "MISMATCH",
        ]
        for name, s in stats["sources"].items()
    ]
    config = stats["config"]
    table = format_table(
        ["source", "in", "hit", "dropped", "cut", "kept", "balance"],
        rows,
        title=f"decontaminate: {stats['recipe']} ({stats.get('elapsed_s', '-')} s; "
        f"{config['n']}-word n-grams, action {config['action']})",
    )
    set_rows = [
        [
            name,
            s["items"],
            s["items_hit"],
            f"{s['items_hit'] / s['items']:.1%}" if s["items"] else "-",
            s["documents_hit"],
            s["ngrams_matched"],
        ]
        for name, s in stats["sets"].items()
    ]
    sets = format_table(
        ["evaluation set", "items", "items hit", "items found", "documents hit", "n-grams matched"], set_rows
    )
    return f"{table}\n\n{sets}"


def stage_table(stage: str, stats: dict) -> str:
    """The end-of-stage table of any stage ("" for the tokenize and report stages, which print their own)."""
    tables = {
        "ingest": ingest_table,
        "filter": filter_table,
        "dedup": dedup_table,
        "decontaminate": decontaminate_table,
        "shards": shards_table,
    }
    return tables[stage](stats) if stage in tables else ""
