"""Shared by the tests of corpus/decontam: the real evaluation sets and planted documents."""

from __future__ import annotations

import numpy as np

from corpus.decontam.evalsets import EvalSetSpec
from corpus.sample.textgen import batch_texts
from tests.conftest import shared_file

# The real sets. Item counts verified outside this code: `wc -l` on each .jsonl (no blank lines in any),
# `bzcat hellaswag_val_full.txt.bz2 | wc -l` = 60,252 = 6 x 10,042, `grep -c '^1 '` on the ConvAI2 file = 1,000
# dialogues; all as ../shared/data/evalsets/PROVENANCE.md states.
REAL_SETS = {
    "piqa_valid": ("piqa_valid.jsonl", "jsonl", ("goal", "sol1", "sol2"), 0, 1838),
    "piqa_tests": ("piqa_tests.jsonl", "jsonl", ("goal", "sol1", "sol2"), 0, 3084),
    "hellaswag_val": ("hellaswag_val_full.txt.bz2", "line_groups", (1, 3, 4, 5, 6), 6, 10042),
    "arc_easy_test": ("arc_easy_test.jsonl", "jsonl", ("query", "choices"), 0, 2376),
    "arc_challenge_test": ("arc_challenge_test.jsonl", "jsonl", ("query", "choices"), 0, 1172),
    "openbookqa_test": ("openbookqa_test.jsonl", "jsonl", ("query", "choices"), 0, 500),
    "lambada_openai_test": ("lambada_openai_test.jsonl", "jsonl", ("context", "continuation"), 0, 5153),
    "convai2_valid": ("convai2_valid_self_original_no_cands.txt", "parlai", (), 0, 1000),
}


def real_spec(name: str) -> EvalSetSpec:
    file, fmt, fields, group, _ = REAL_SETS[name]
    return EvalSetSpec(name, str(shared_file("evalsets", file)), fmt, fields, group)


def english(n_docs: int, seed: int, mean_chars: int = 3000) -> list[str]:
    rng = np.random.default_rng(seed)
    return batch_texts(rng, ["en"] * n_docs, rng.lognormal(np.log(mean_chars), 0.8, n_docs))


def light_edit(text: str, rng: np.random.Generator) -> str:
    """Case, punctuation and whitespace changes a web copy of an item might show (no word changed)."""
    out = []
    for w in text.split():
        r = rng.random()
        if w.isascii() and r < 0.3:
            w = w.upper()
        elif w.isascii() and r < 0.4:
            w = w.capitalize()
        r = rng.random()
        if r < 0.1:
            w = w.rstrip(".,;:!?")
        elif r < 0.2:
            w += str(rng.choice([",", ".", ";", "!", " -", ":", " ..."]))
        elif r < 0.25:
            w = f'"{w}"' if rng.random() < 0.5 else f"({w})"
        out.append(w.replace("'", "\u2019"))
    seps = rng.choice([" ", "  ", "\n", "\t", " \n ", "\u00a0", "\r\n"], max(0, len(out) - 1))
    return out[0] + "".join(s + w for s, w in zip(seps, out[1:], strict=True)) if out else ""


def plant(real_sets, real_index, per_set: int, seed: int):
    """Documents of synthetic English, each with one edited item of a real set planted in the middle."""
    rng = np.random.default_rng(seed)
    texts, planted = [], []
    hosts = english(per_set * len(real_sets), seed, mean_chars=1500)
    for s, evalset in enumerate(real_sets):
        for i in rng.choice(len(evalset), size=min(per_set, len(evalset)), replace=False).tolist():
            host = hosts[len(texts)]
            middle = host.find(" ", len(host) // 2)
            texts.append(
                host[:middle] + " " + light_edit(" ".join(evalset.items[i]), rng) + " " + host[middle:]
            )
            planted.append(real_index.sets[s].first_item + i)
    return texts, planted
