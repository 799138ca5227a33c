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
