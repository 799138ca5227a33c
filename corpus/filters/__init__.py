"""The filter stage's algorithm: quality rules, then the English test, over Arrow batches of documents.

Plain Python over ``DOCUMENT_SCHEMA`` batches, no Spark: ``corpus/filter_stage.py`` runs it inside
``mapInArrow`` and tests call it directly. Every document gets exactly one outcome: kept, or dropped with
the first rule it fails, in this order (cheapest first)::

    too_short -> mostly_symbols -> repeated_lines -> not_english

Documents of ``cfg.exempt_subsets`` (DM Mathematics) only get the length rule.

Counters are keyed ``(source, name)``, datatrove style, so that per source::

    in == kept + sum(dropped_<reason>)        records_in == records_kept + sum(records_dropped_<reason>)

plus ``english_checked`` (documents that reached the English test), ``langdetect_calls`` and
``langdetect_avoided`` (documents the fast path decided alone).
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from corpus.config import FilterConfig
from corpus.filters.english import detect_english
from corpus.filters.quality import quality_verdict
from corpus.schema import snippet
from corpus.sources.reasons import NOT_ENGLISH

STAGE = "filter"

DROPPED_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("subset", pa.string()),
        pa.field("location", pa.string()),
        pa.field("n_records", pa.int64()),
        pa.field("stage", pa.string(), nullable=False),  # always "filter"
        pa.field(
            "reason", pa.string(), nullable=False
        ),  # too_short, mostly_symbols, repeated_lines, not_english
        pa.field("score", pa.float64()),  # the value the rule compared: words, ratio, share or English share
        pa.field(
            "detail", pa.string()
        ),  # not_english: what decided it ("foreign:ga", "script", "langdetect:0.14")
        pa.field("snippet", pa.string()),  # the first characters of the text, for people
    ]
)


def english_decision(text: str, cfg: FilterConfig, seed: int):
    """``detect_english`` with the recipe's sampling and langdetect bounds."""
    return detect_english(
        text,
        seed=seed,
        sample_chars=cfg.english_sample_chars,
        segment_words=cfg.english_segment_words,
        langdetect_chars=cfg.langdetect_chars,
        langdetect_calls=cfg.langdetect_calls,
        min_english_share=cfg.min_english_share,
    )


def document_verdict(
    text: str, subset: str | None, cfg: FilterConfig, seed: int
) -> tuple[str | None, float, str, int | None]:
    """(reason or None, score, detail, langdetect calls or None when the English test did not run)."""
    exempt = subset is not None and subset in cfg.exempt_subsets
    reason, score = quality_verdict(
        text, cfg.min_words, cfg.max_symbol_ratio, cfg.max_repeated_line_fraction, content_rules=not exempt
    )
    if reason is not None or exempt or not cfg.english:
        return reason, score, "", None
    decision = english_decision(text, cfg, seed)
    if decision.is_english:
        return None, decision.english_share, decision.detail, decision.langdetect_calls
    return NOT_ENGLISH, decision.english_share, decision.detail, decision.langdetect_calls


def filter_documents(
    batch: pa.RecordBatch, cfg: FilterConfig, seed: int
) -> tuple[pa.RecordBatch, pa.RecordBatch, Counter]:
    """Split a batch of documents into (kept, dropped, counters); ``kept`` has the input batch's schema."""
    columns = {
        name: batch.column(name).to_pylist()
        for name in ("doc_id", "source", "subset", "location", "n_records", "text")
    }
    counters: Counter = Counter()
    keep: list[int] = []
    dropped: dict[str, list] = {name: [] for name in DROPPED_SCHEMA.names}
    for i, text in enumerate(columns["text"]):
        source, n_records = columns["source"][i], columns["n_records"][i]
        text = text or ""
        counters[(source, "in")] += 1
        counters[(source, "records_in")] += n_records
        reason, score, detail, calls = document_verdict(text, columns["subset"][i], cfg, seed)
        if calls is not None:
            counters[(source, "english_checked")] += 1
            counters[(source, "langdetect_calls")] += calls
            counters[(source, "langdetect_avoided")] += calls == 0
        if reason is None:
            keep.append(i)
            counters[(source, "kept")] += 1
            counters[(source, "records_kept")] += n_records
            continue
        counters[(source, f"dropped_{reason}")] += 1
        counters[(source, f"records_dropped_{reason}")] += n_records
        for name, value in (
            ("doc_id", columns["doc_id"][i]),
            ("source", source),
            ("subset", columns["subset"][i]),
            ("location", columns["location"][i]),
            ("n_records", n_records),
            ("stage", STAGE),
            ("reason", reason),
            ("score", float(score)),
            ("detail", detail or None),
            ("snippet", snippet(text)),
        ):
            dropped[name].append(value)
    kept = batch.take(pa.array(keep, type=pa.int64()))
    return kept, pa.RecordBatch.from_pydict(dropped, schema=DROPPED_SCHEMA), counters
