"""The filter stage's algorithm: quality rules, then the English test, over Arrow batches of documents.

Plain Python over ``DOCUMENT_SCHEMA`` batches, no Spark: ``corpus/stages/filter.py`` runs it inside
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

import gc
from collections import Counter
from contextlib import contextmanager

import pyarrow as pa

from corpus.config import FilterConfig
from corpus.filters.english import detect_english
from corpus.filters.english_batch import detect_english_batch
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
    return detect_english(text, **_english_settings(cfg, seed))


def _english_settings(cfg: FilterConfig, seed: int) -> dict:
    return {
        "seed": seed,
        "sample_chars": cfg.english_sample_chars,
        "segment_words": cfg.english_segment_words,
        "langdetect_chars": cfg.langdetect_chars,
        "langdetect_calls": cfg.langdetect_calls,
        "min_english_share": cfg.min_english_share,
    }


def _quality_verdict(text: str, subset: str | None, cfg: FilterConfig) -> tuple[str | None, float, bool]:
    """(reason or None, score, whether the English test comes next)."""
    exempt = subset is not None and subset in cfg.exempt_subsets
    reason, score = quality_verdict(
        text, cfg.min_words, cfg.max_symbol_ratio, cfg.max_repeated_line_fraction, content_rules=not exempt
    )
    return reason, score, reason is None and not exempt and cfg.english


def _english_verdict(decision) -> tuple[str | None, float, str, int]:
    reason = None if decision.is_english else NOT_ENGLISH
    return reason, decision.english_share, decision.detail, decision.langdetect_calls


def document_verdict(
    text: str, subset: str | None, cfg: FilterConfig, seed: int
) -> tuple[str | None, float, str, int | None]:
    """(reason or None, score, detail, langdetect calls or None when the English test did not run)."""
    reason, score, english_next = _quality_verdict(text, subset, cfg)
    if not english_next:
        return reason, score, "", None
    return _english_verdict(english_decision(text, cfg, seed))


def batch_verdicts(
    texts: list[str], subsets: list[str | None], cfg: FilterConfig, seed: int
) -> list[tuple[str | None, float, str, int | None]]:
    """``document_verdict`` of every text, with the English test run batch-wise (same results)."""
    verdicts: list = []
    english_rows: list[int] = []
    for i, (text, subset) in enumerate(zip(texts, subsets, strict=True)):
        reason, score, english_next = _quality_verdict(text, subset, cfg)
        verdicts.append((reason, score, "", None))
        if english_next:
            english_rows.append(i)
    decisions = detect_english_batch([texts[i] for i in english_rows], **_english_settings(cfg, seed))
    for i, decision in zip(english_rows, decisions, strict=True):
        verdicts[i] = _english_verdict(decision)
    return verdicts


@contextmanager
def gc_paused():
    """Run allocation-heavy batch work with Python's cyclic garbage collector paused.

    A batch makes hundreds of thousands of short-lived strings and lists but no reference cycles; every
    few hundred allocations the collector would scan all live containers again, which cost a sizeable share
    of the English test. Reference counting still frees everything; the collector resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def filter_documents(
    batch: pa.RecordBatch, cfg: FilterConfig, seed: int
) -> tuple[pa.RecordBatch, pa.RecordBatch, Counter]:
    """Split a batch of documents into (kept, dropped, counters); ``kept`` has the input batch's schema."""
    with gc_paused():
        return _filter_documents(batch, cfg, seed)


def _filter_documents(batch: pa.RecordBatch, cfg: FilterConfig, seed: int):
    columns = {
        name: batch.column(name).to_pylist()
        for name in ("doc_id", "source", "subset", "location", "n_records", "text")
    }
    counters: Counter = Counter()
    keep: list[int] = []
    dropped: dict[str, list] = {name: [] for name in DROPPED_SCHEMA.names}
    texts = [text or "" for text in columns["text"]]
    verdicts = batch_verdicts(texts, columns["subset"], cfg, seed)
    for i, text in enumerate(texts):
        source, n_records = columns["source"][i], columns["n_records"][i]
        counters[(source, "in")] += 1
        counters[(source, "records_in")] += n_records
        reason, score, detail, calls = verdicts[i]
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
