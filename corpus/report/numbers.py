"""The report's numbers: every stage's statistics merged into one dict, with the end-to-end accounting.

``build_report`` reads the stage stats a build leaves under ``OUT/stats/`` (``ingest.json``, ``filter.json``,
``dedup.json``, ``decontaminate.json``, ``shards.json``; without the last, the shard manifest
``OUT/shards/manifest.json``) and returns what ``OUT/report/stats.json`` holds: every stage's numbers
unchanged under ``stages``, plus what the report derives from them: per source the funnel and the
end-to-end accounting, totals, the dedup summary and, when the decontaminate stage ran, the contamination
summary. ``corpus/report/text.py`` and ``corpus/report/html.py`` render that dict; ``corpus/report/write.py``
writes it. Nothing here imports either renderer.

End-to-end accounting, per source, in the unit each stage counts (records at ingest, documents after)::

    records read = rejects + skips + merged + filtered + exact dups + near dups + contaminated
                   + documents tokenized

``merged`` is the records that became part of a multi-record document minus those documents (a Reddit
thread is one document built from the comments of its longest chain), so the identity needs no
assumption about how many records a document holds. ``contaminated`` is the documents the decontaminate
stage dropped: 0 where it only cut or flagged, was off (``enabled: false``) or the build is older than the
stage (no ``decontaminate.json``), so old OUT folders still balance. Each term comes from a different
stage's file, so the identity is checked, never assumed; the stage hand-offs (documents out of one stage =
documents into the next, with the decontaminate stage between dedup and the shards when it ran) are
checked as well, so a mismatch names where the numbers part ways.
"""

from __future__ import annotations

from pathlib import Path

from corpus.accounting import require_balanced
from corpus.runtime.fs import Folder
from corpus.runtime.layout import STAGE_ORDER as STAGES
from corpus.runtime.markers import marker_parts, read_stats

REPORT_VERSION = 1
STAT_STAGES = ("ingest", "filter", "dedup", "decontaminate", "shards")  # those writing OUT/stats/<stage>.json
OPTIONAL_STAGES = ("decontaminate",)  # older builds have no stats of these: never reported as missing
MANIFEST = ("shards", "manifest.json")
OK, MISMATCH, INCOMPLETE = "ok", "MISMATCH", "incomplete"
# The accounting terms after ``records_read``, in the order the identity adds them up.
TERMS = ("rejects", "skips", "merged", "filtered", "exact_dups", "near_dups", "contaminated", "tokenized")


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


def decontaminate_ran(stages: dict[str, dict]) -> bool:
    """Whether the decontaminate stage scanned the corpus (its stats exist and are not ``enabled: false``)."""
    return bool(stages.get("decontaminate", {}).get("enabled"))


def _source(stages: dict, stage: str, name: str) -> dict | None:
    """A source's numbers in one stage: None when the stage has no stats at all, {} when the stage ran
    and saw nothing of the source (every count is then 0)."""
    if stage not in stages:
        return None
    return stages[stage].get("sources", {}).get(name, {})


def source_numbers(stages: dict[str, dict], name: str) -> dict:
    """One source's counts across the stages, flat; None where the stage's stats are missing."""
    ing, flt, ddp, dcn, shd = (_source(stages, s, name) for s in STAT_STAGES)
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
    if dcn is not None and decontaminate_ran(stages):
        for key in ("in", "documents_hit", "dropped", "cut", "flagged", "kept", "removed_chars"):
            n[f"decontam_{key}"] = dcn.get(key, 0)
        n["contaminated"] = n["decontam_dropped"]
    elif dcn is not None:
        n["contaminated"] = 0  # the stage was off: nothing dropped
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
        "contaminated": n.get("contaminated", 0),  # 0, not missing, for builds older than the stage
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
    if "decontam_in" in n:
        check("dedup -> decontaminate: documents", n.get("dedup_kept"), n["decontam_in"])
        check(
            "decontaminate: in = kept + dropped",
            n["decontam_in"],
            _add(n["decontam_kept"], n["decontam_dropped"]),
        )
        check("decontaminate -> shards: documents", n["decontam_kept"], n.get("tokenized"))
    else:
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
        *([("after decontam", n["decontam_kept"])] if "decontam_kept" in n else []),
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


def decontaminate_summary(decontaminate: dict, sources: list[str]) -> dict | None:
    """The contamination numbers the report shows (None when the stage did not run): per source what the
    action did, per evaluation set the share of its items found and the sets x sources matrices, and the
    stage's examples with each matched item as ``{"location", "text"}``.

    An item's ``text`` is None unless the stats carry it under ``item_texts``: on an example, a list
    parallel to its ``items`` or a dict by location; on a set, a dict by location. A text given as a list
    of segments is joined with spaces.
    """
    if not decontaminate.get("enabled"):
        return None
    counted = decontaminate.get("sources", {})
    keys = ("in", "documents_hit", "dropped", "cut", "flagged", "kept", "removed_chars")
    per_source = {name: {k: counted.get(name, {}).get(k, 0) for k in keys} for name in sources}
    for name in sources:
        per_source[name]["drop_reasons"] = counted.get(name, {}).get("drop_reasons", {})
    reasons: dict[str, int] = {}
    for s in per_source.values():
        for reason, count in s["drop_reasons"].items():
            reasons[reason] = reasons.get(reason, 0) + count
    sets = {}
    for name, s in decontaminate.get("sets", {}).items():
        by_source = s.get("by_source", {})
        items, hit = s.get("items", 0), s.get("items_hit", 0)
        sets[name] = {
            "items": items,
            "items_hit": hit,
            "items_hit_share": round(hit / items, 6) if items else None,
            "documents_hit": s.get("documents_hit", 0),
            "ngrams_matched": s.get("ngrams_matched", 0),
            "documents_hit_by_source": {
                src: by_source.get(src, {}).get("documents_hit", 0) for src in sources
            },
            "ngrams_by_source": {src: by_source.get(src, {}).get("ngrams_matched", 0) for src in sources},
            "examples": [_example(e, s.get("item_texts")) for e in s.get("examples", [])],
        }
    return {
        "config": decontaminate.get("config", {}),
        "evalsets": decontaminate.get("evalsets", []),
        "sources": per_source,
        "totals": {
            **{k: sum(s[k] for s in per_source.values()) for k in keys},
            "drop_reasons": dict(sorted(reasons.items())),
        },
        "sets": sets,
        "elapsed_s": decontaminate.get("elapsed_s"),
    }


def _example(example: dict, set_texts) -> dict:
    texts = example.get("item_texts", set_texts)
    items = [
        {"location": location, "text": _item_text(texts, i, location)}
        for i, location in enumerate(example.get("items", []))
    ]
    keys = ("doc_id", "source", "start", "end", "ngrams", "before", "match", "after")
    return {**{k: example.get(k) for k in keys}, "items": items}


def _item_text(texts, i: int, location: str) -> str | None:
    if isinstance(texts, dict):
        text = texts.get(location)
    elif isinstance(texts, list) and i < len(texts):
        text = texts[i]
    else:
        return None
    return " ".join(text) if isinstance(text, list | tuple) else text


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
    decontaminate = stages.get("decontaminate")
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
        "decontaminate": decontaminate_summary(decontaminate, list(sources)) if decontaminate else None,
        "stages": stages,
    }


# ---------------------------------------------------------------------------------------------------------
# Derived views shared by the text and the page, and the accounting check
# ---------------------------------------------------------------------------------------------------------


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


def accounting_line(name: str, acc: dict) -> str:
    """``pile: records read 120 = rejects 2 + ... + tokenized 97 -> ok``, then the failed checks."""
    terms = " + ".join(f"{k.replace('_', ' ')} {count_text(v)}" for k, v in acc["terms"].items())
    line = f"{name}: records read {count_text(acc['records_read'])} = {terms} -> {acc['status']}"
    if acc["status"] == MISMATCH:
        for c in acc["checks"]:
            if not c["ok"]:
                line += f"\n    failed: {c['check']}: {c['left']:,} != {c['right']:,}"
    elif acc["status"] == INCOMPLETE:
        line += f" (missing: {', '.join(acc['missing'])})"
    return line


def check_report(report: dict) -> None:
    """Raise ``AccountingError`` when any source's numbers do not add up across the stages."""
    bad = [
        accounting_line(name, s["accounting"])
        for name, s in report["sources"].items()
        if s["accounting"]["status"] == MISMATCH
    ]
    require_balanced("end-to-end accounting", bad)


def count_text(value) -> str:
    """``1,234``, or ``?`` where a stage's numbers are missing."""
    return "?" if value is None else f"{value:,}"
