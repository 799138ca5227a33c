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
    rows = []
    for name, s in stats["sources"].items():
        reasons = {**{f"R:{k}": v for k, v in s["rejects"].items()}, **{k: v for k, v in s["skips"].items()}}
        detail = ", ".join(f"{k}={v}" for k, v in sorted(reasons.items())) or "-"
        rows.append(
            [
                name,
                s["files"],
                s["records"],
                s["documents"],
                sum(s["rejects"].values()),
                sum(s["skips"].values()),
                round(s["bytes"] / 1e6, 2),
                s["docs_per_s_per_core"],
                "ok" if s["balanced"] else "MISMATCH",
                detail,
            ]
        )
    headers = [
        "source",
        "files",
        "records",
        "documents",
        "rejects",
        "skips",
        "MB",
        "docs/s/core",
        "balance",
        "reasons (R: = reject)",
    ]
    return format_table(headers, rows, title=f"ingest: {stats['recipe']} ({stats['elapsed_s']} s)")
