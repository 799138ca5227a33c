"""Benchmark decontamination: find evaluation-set text in training documents, then drop, cut or flag them.

No Spark here: plain numpy/Python functions over batches of texts, which the ``decontaminate`` stage (between
dedup and tokenize) runs per Arrow batch. What the stage calls, in order:

1. ``evalsets``: ``EvalSetSpec(name, path, format, fields, group)`` is one ``[[decontaminate.sets]]`` table
   (``corpus.tomlconfig.build`` makes it; a bad value raises ``EvalSetError``, a ``ValueError``).
   ``load_evalset(spec)`` reads the file (local path or URI, compressed or not) into an ``EvalSet``:
   ``items`` (each a tuple of text segments), ``sha256`` of the file, ``manifest()``, ``location(i)``.
   Formats: ``jsonl`` (dotted ``fields``), ``txt`` (a line per item), ``line_groups`` (``group`` lines per
   item, ``fields`` = 1-based line numbers in the group), ``parlai`` (ParlAI dialogue text, one episode
   per item). A line that does not read as its format says is an ``EvalSetError`` naming file and line.
2. ``index``: ``NgramIndex.build(evalsets, n=13)`` once, on the driver; pickle or broadcast it (~37 bytes
   per distinct n-gram: 68 MB for the eight real sets). ``summary()`` for stats.json (per set: items,
   n-grams, items shorter than n, items without words), ``fingerprint`` for the success marker (n, the
   rule, every file's sha256), ``item_name(id)`` / ``item_location(id)`` for reports.
3. ``scan``: ``scan_batch(texts, index)`` per batch (a list of str or an Arrow string array) gives a
   ``ScanResult``: ``ngrams[i]`` matched windows of document i (0: clean) and, for hit documents only,
   ``hits[i]``, a ``DocHits`` (``set_ngrams`` per set, ``items`` as global ids, ``matches``: ``Match`` runs
   of overlapping windows with ``start``/``end`` character offsets in the original text). Then
   ``decide_batch(texts, result, action, CutPolicy(margin, min_piece_chars, min_chars, max_pieces))``
   gives one ``Decision`` per document: ``status`` (clean, flagged, cut, dropped), ``text`` to write
   (``None`` when dropped), ``reason`` (contaminated, cut_too_short, cut_too_many_pieces), ``pieces``,
   ``removed_chars``. ``ACTIONS`` = drop, cut, flag.
4. ``stats``: ``DecontamStats(index)`` per task; ``add(result, index, sources, doc_ids, texts, decisions)``
   per batch; ``merge`` the tasks' stats on the driver (the result does not depend on the partitioning);
   ``as_dict()``: totals and per source (documents, documents hit, actions, drop reasons, characters
   removed) and per set (items, documents hit, items hit, n-grams matched, the same by source, and the
   first examples by doc_id with their span, context and the items they match).

The word rule (lm-evaluation-harness's: lower case, punctuation deleted, whitespace split; made
Unicode-aware), the hashes and the way from words back to characters are in ``normalize``: ``words(text)``
is the rule, ``word_spans(text)`` the words with their character spans.

Speed, one core (``bench/bench_decontam.py``): ~75 MB/s of clean English against all eight sets at n = 13,
~50 MB/s with one document in eight contaminated; a plain Python set-of-n-grams scan does ~4.5 MB/s.

The real evaluation sets the tests use (PIQA, HellaSwag's text export, ARC, OpenBookQA, LAMBADA, ConvAI2)
read as::

    [decontaminate]
    n = 13
    action = "cut"          # "drop" | "cut" | "flag"
    margin = 200            # cut: the CutPolicy fields
    min_piece_chars = 200
    min_chars = 200
    max_pieces = 10

    [[decontaminate.sets]]
    name = "piqa_valid"
    path = "evalsets/piqa_valid.jsonl"              # and piqa_tests.jsonl
    format = "jsonl"
    fields = ["goal", "sol1", "sol2"]

    [[decontaminate.sets]]
    name = "hellaswag_val"
    path = "evalsets/hellaswag_val_full.txt.bz2"
    format = "line_groups"
    group = 6
    fields = [1, 3, 4, 5, 6]                          # context, then the four endings (2 is the label)

    [[decontaminate.sets]]
    name = "arc_easy_test"                          # arc_challenge_test and openbookqa_test alike
    path = "evalsets/arc_easy_test.jsonl"
    format = "jsonl"
    fields = ["query", "choices"]

    [[decontaminate.sets]]
    name = "lambada_openai_test"
    path = "evalsets/lambada_openai_test.jsonl"
    format = "jsonl"
    fields = ["context", "continuation"]

    [[decontaminate.sets]]
    name = "convai2_valid"
    path = "evalsets/convai2_valid_self_original_no_cands.txt"
    format = "parlai"                               # fields default: persona, text, labels

A minimal run:

>>> import io
>>> spec = EvalSetSpec("toy", "toy.jsonl", "jsonl", ("q", "a"))
>>> toy = load_evalset(spec, io.BytesIO(b'{"q": "What colour is the sky?", "a": "Blue."}\\n'))
>>> index = NgramIndex.build([toy], n=4)
>>> texts = ["Quiz: what COLOUR is the sky -- blue! Done.", "Nothing here."]
>>> result = scan_batch(texts, index)
>>> result.ngrams.tolist(), result.hits[0].spans, index.item_location(result.hits[0].items[0])
([3, 0], [(6, 37)], 'toy:line 1')
>>> [d.status for d in decide_batch(texts, result, "cut", CutPolicy(margin=0, min_piece_chars=0, min_chars=1))]
['cut', 'clean']
"""

from corpus.decontam.evalsets import EvalSet, EvalSetError, EvalSetSpec, load_evalset
from corpus.decontam.index import NgramIndex
from corpus.decontam.normalize import word_spans, words  # (not ``normalize``: it would shadow the module)
from corpus.decontam.scan import (
    ACTIONS,
    CutPolicy,
    Decision,
    DocHits,
    Match,
    ScanResult,
    cut,
    decide,
    decide_batch,
    scan_batch,
)
from corpus.decontam.stats import DecontamStats

__all__ = [
    "ACTIONS",
    "CutPolicy",
    "Decision",
    "DecontamStats",
    "DocHits",
    "EvalSet",
    "EvalSetError",
    "EvalSetSpec",
    "Match",
    "NgramIndex",
    "ScanResult",
    "cut",
    "decide",
    "decide_batch",
    "load_evalset",
    "scan_batch",
    "word_spans",
    "words",
]
