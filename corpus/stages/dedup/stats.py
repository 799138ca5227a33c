"""The stage's statistics: collected from Spark first (``collect_cluster_rows``), then computed with plain
functions, and its accounting check (per source: in = exact duplicates + near duplicates + kept)."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.accounting import require_balanced
from corpus.dedup.keeper import KEEPER_RULE
from corpus.schema import SNIPPET_CHARS  # the report marks a snippet of this length as cut
from corpus.stages.dedup.clusters import KIND_EXACT
from corpus.stages.dedup.signatures import FirstPass

LARGEST_CLUSTERS = 10  # clusters listed with snippets in the stats
MEMBERS_SHOWN = 3  # removed members shown per listed cluster


@dataclass(frozen=True)
class ClusterRows:
    """What the statistics need from the clusters, collected (plain dicts)."""

    removed: list[dict]  # source, kind, keeper_source, docs, bytes: removed documents
    sizes: list[dict]  # size, count: clusters per size
    top: list[dict]  # cluster_id, size, keeper_source of the largest clusters, largest first
    composition: list[dict]  # cluster_id, source, kind, count in the largest clusters
    shown: list[dict]  # cluster_id, doc_id, source, kind, rank: their keeper (rank 1) and first members
    snippets: dict[str, str]  # doc_id -> the first SNIPPET_CHARS characters of its text, for ``shown``


def collect_cluster_rows(clusters, docs) -> ClusterRows:
    """The aggregates of ``clusters`` the statistics use, and the snippets of the documents shown."""
    from pyspark.sql import functions as F

    # one aggregate gives both the per-source duplicate counts and the cross-source matrix
    removed = (
        clusters.where(~F.col("is_keeper"))
        .groupBy("source", "kind", "keeper_source")
        .agg(F.count("*").alias("docs"), F.sum("n_bytes").alias("bytes"))
        .collect()
    )
    sizes = (
        clusters.groupBy("cluster_id")
        .agg(
            F.count("*").alias("size"),
            F.max(F.when(F.col("is_keeper"), F.col("source"))).alias("keeper_source"),
        )
        .persist()
    )
    histogram = sizes.groupBy("size").count().collect()
    top = sizes.orderBy(F.desc("size"), "cluster_id").limit(LARGEST_CLUSTERS).collect()
    sizes.unpersist()
    composition, shown, snippets = _collect_largest(clusters, docs, [row["cluster_id"] for row in top])
    return ClusterRows(_dicts(removed), _dicts(histogram), _dicts(top), composition, shown, snippets)


def _collect_largest(clusters, docs, top_ids: list[str]) -> tuple[list[dict], list[dict], dict[str, str]]:
    """(composition, shown, snippets) of the clusters ``top_ids`` (see ``ClusterRows``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if not top_ids:
        return [], [], {}
    in_top = clusters.where(F.col("cluster_id").isin(top_ids))
    composition = in_top.groupBy("cluster_id", "source", "kind").count().collect()
    # rank 1 is the keeper, then the first members by doc_id; WindowGroupLimit keeps this streaming
    rank = F.row_number().over(Window.partitionBy("cluster_id").orderBy(F.desc("is_keeper"), "doc_id"))
    shown = (
        in_top.select("cluster_id", "doc_id", "source", "kind", rank.alias("rank"))
        .where(F.col("rank") <= MEMBERS_SHOWN + 1)
        .collect()
    )
    # the few ids shown are pushed down to the Parquet scan (files whose id range holds none are skipped)
    snippets = {
        r["doc_id"]: r["snippet"]
        for r in docs.where(F.col("doc_id").isin(sorted({r["doc_id"] for r in shown})))
        .select("doc_id", F.substring("text", 1, SNIPPET_CHARS).alias("snippet"))
        .collect()
    }
    return _dicts(composition), _dicts(shown), snippets


def _dicts(rows) -> list[dict]:
    return [row.asDict() for row in rows]


def dedup_stats(settings, first: FirstPass, rows: ClusterRows, near: dict, layout: dict) -> dict:
    """The stage's statistics but the kept documents (``with_kept`` adds them once they are written)."""
    per_source, matrix = duplicate_counts(sorted(settings.sources), first.inputs, rows.removed)
    histogram = sorted([row["size"], row["count"]] for row in rows.sizes)
    candidates, verified = near["candidate_pairs"], near["verified_pairs"]
    return {
        "stage": "dedup",
        "recipe": settings.name,
        "config": {
            "exact": settings.dedup.exact,
            "near": settings.dedup.near,
            "verify": settings.dedup.verify,
            "bucket_anchors": settings.dedup.bucket_anchors,
            "bucket_all_pairs": settings.dedup.bucket_all_pairs,
            "keeper_rule": KEEPER_RULE,
            "priorities": {name: src.priority for name, src in sorted(settings.sources.items())},
        },
        "documents_in": first.n_docs,
        "sources": per_source,
        "cross_source": matrix,
        "band_rows": near["band_rows"],
        "candidate_pairs": candidates,
        "verified_pairs": verified,
        "rejected_pairs": candidates - verified,
        "rejected_share": round((candidates - verified) / candidates, 6) if candidates else 0.0,
        "candidate_jaccard_histogram": near["candidate_jaccard"],
        "cc_rounds": near["cc_rounds"],
        "clusters": sum(n for _, n in histogram),
        "cluster_size_histogram": histogram,
        "largest_clusters": largest_clusters(rows),
        "band_layout": layout,
    }


def duplicate_counts(names: list[str], inputs: list[dict], removed: list[dict]) -> tuple[dict, dict]:
    """(per source {in, exact_dups, near_dups, kept} docs and bytes, the cross-source matrix
    {unit: {source: {keeper source: n}}}) from the inputs per source and the removed documents' counts.

    >>> per_source, matrix = duplicate_counts(
    ...     ["pile"], [{"source": "pile", "docs": 3, "bytes": 30}],
    ...     [{"source": "pile", "kind": "exact", "keeper_source": "pile", "docs": 1, "bytes": 10}])
    >>> per_source["pile"]["exact_dups"], matrix["docs"]
    ({'docs': 1, 'bytes': 10}, {'pile': {'pile': 1}})
    """
    per_source = {
        name: {key: {"docs": 0, "bytes": 0} for key in ("in", "exact_dups", "near_dups", "kept")}
        for name in sorted(set(names) | {row["source"] for row in inputs})
    }
    for row in inputs:
        per_source[row["source"]]["in"] = {"docs": row["docs"], "bytes": row["bytes"] or 0}
    matrix: dict[str, dict[str, dict[str, int]]] = {"docs": {}, "bytes": {}}
    for row in removed:
        counts = per_source[row["source"]]["exact_dups" if row["kind"] == KIND_EXACT else "near_dups"]
        for unit in ("docs", "bytes"):
            value = row[unit] or 0
            counts[unit] += value
            by_keeper = matrix[unit].setdefault(row["source"], {})
            by_keeper[row["keeper_source"]] = by_keeper.get(row["keeper_source"], 0) + value
    return per_source, matrix


def largest_clusters(rows: ClusterRows) -> list[dict]:
    """The biggest clusters: size, composition by source and kind, the keeper's and a few members' snippets."""
    composition: dict[str, dict] = {row["cluster_id"]: {"sources": {}, "kinds": {}} for row in rows.top}
    for row in rows.composition:
        c = composition[row["cluster_id"]]
        c["sources"][row["source"]] = c["sources"].get(row["source"], 0) + row["count"]
        c["kinds"][row["kind"]] = c["kinds"].get(row["kind"], 0) + row["count"]
    shown = [{**r, "snippet": rows.snippets[r["doc_id"]]} for r in rows.shown]
    largest = []
    for row in rows.top:
        cid = row["cluster_id"]
        members = sorted((r for r in shown if r["cluster_id"] == cid), key=lambda r: r["rank"])
        largest.append(
            {
                "cluster_id": cid,
                "size": row["size"],
                "keeper_source": row["keeper_source"],
                "sources": dict(sorted(composition[cid]["sources"].items())),
                "kinds": dict(sorted(composition[cid]["kinds"].items())),
                "keeper_snippet": members[0]["snippet"] if members and members[0]["doc_id"] == cid else None,
                "members": [
                    {"doc_id": r["doc_id"], "source": r["source"], "kind": r["kind"], "snippet": r["snippet"]}
                    for r in members
                    if r["doc_id"] != cid
                ],
            }
        )
    return largest


def with_kept(stats: dict, written: dict[str, dict]) -> dict:
    """Fold the documents written per source into ``dedup_stats``' result and balance each source."""
    for source, kept in written.items():
        stats["sources"][source]["kept"] = kept
    for s in stats["sources"].values():
        s["accounted"] = s["exact_dups"]["docs"] + s["near_dups"]["docs"] + s["kept"]["docs"]
        s["balanced"] = s["accounted"] == s["in"]["docs"] and (
            s["exact_dups"]["bytes"] + s["near_dups"]["bytes"] + s["kept"]["bytes"] == s["in"]["bytes"]
        )
    return stats


def check_accounting(stats: dict) -> None:
    """Per source: documents in == exact duplicates + near duplicates + kept (documents and bytes); raises
    ``corpus.accounting.AccountingError`` naming each source that does not balance."""
    bad = {name: s for name, s in stats["sources"].items() if not s["balanced"]}
    if bad:
        lines = [
            f"{name}: in {s['in']} != exact {s['exact_dups']} + near {s['near_dups']} + kept {s['kept']}"
            for name, s in bad.items()
        ]
        require_balanced("dedup accounting", lines)
