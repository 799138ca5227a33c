"""Quality of the English filter: precision and recall against labelled text, ours beside langdetect's.

    python bench/eval_langid.py [--data ../shared/data] [--sample-size tiny|small|none] [--seed 0]

1. ``langid/`` (300 sentences x 75 languages, Leipzig via lingua-py; ``en.txt`` are the positives):
   documents of 5 consecutive sentences of one language (60 per language, non-overlapping), then single
   sentences. Each is reported on all sentences, on the first 150 of each file (the *development* half:
   the fast-path thresholds in ``corpus/filters/english.py`` were chosen looking at it) and on the last
   150 (*held out*). Nothing is fitted on this data; the word lists are hand-written.
2. The generated sample corpus (``corpus sample``, read with the project's own readers and normalizer):
   the planted language label of every document, English vs the rest.
3. The quality rules and the whole filter on clean English: a BookCorpus novel, Pride and Prejudice, 20
   Common Crawl pages, the English 5-sentence documents, and the two books cut into ~5,000-character
   pieces at paragraph ends (so a few whole books are not the only evidence).

langdetect runs seeded (``DetectorFactory`` seed = ``--seed``), threshold 0.5 on P(en), as in the issue.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.config import FilterConfig  # noqa: E402
from corpus.filters import document_verdict, english_decision  # noqa: E402
from corpus.filters.english import langdetect_is_english  # noqa: E402


def langid_documents(data: Path, sentences: int) -> list[tuple[str, str, str]]:
    """(language, text, part) documents of ``sentences`` consecutive sentences, non-overlapping; ``part`` is
    ``dev`` for documents from the first 150 sentences of a file, ``held_out`` for the last 150."""
    docs = []
    for path in sorted((data / "langid").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for half, start, end in (("dev", 0, 150), ("held_out", 150, len(lines))):
            for i in range(start, end - sentences + 1, sentences):
                docs.append((path.stem, " ".join(lines[i : i + sentences]), half))
    return docs


def sample_documents(out: Path, size: str, seed: int = 1234) -> list[tuple[str, str, str]]:
    """Generate the sample corpus under ``out`` and read it back as the ingest stage would, without Spark:
    (ground-truth language, source, normalized text) per document."""
    from corpus.config import NormalizeConfig
    from corpus.sample.generate import GROUND_TRUTH, generate
    from corpus.schema import KIND_DOC, KIND_PART
    from corpus.sources import reader_for
    from corpus.sources.base import FileContext
    from corpus.sources.listing import list_source_files, open_input
    from corpus.sources.reddit import build_threads
    from corpus.text.normalize import normalize_texts

    generate(out, seed=seed, size=size)
    truth = json.loads((out / GROUND_TRUTH).read_text())["documents"]
    rows = []
    for source in ("bookcorpus", "ccstories", "ccnews", "pile", "reddit"):
        parts: dict[str, list[dict]] = {}
        for file in list_source_files(source, (str(out / source),), ("*",)):
            ctx = FileContext(source=source, rel_path=file.rel_path, uri=file.uri)
            with open_input(file.filesystem, file.path) as raw:
                for row in reader_for(source)(raw, ctx):
                    if row["kind"] == KIND_DOC:
                        rows.append(row)
                    elif row["kind"] == KIND_PART:
                        parts.setdefault(row["group_key"], []).append(row)
        for key in sorted(parts):
            rows.extend(r for r in build_threads(parts[key]) if r["kind"] == KIND_DOC)
    texts, _ = normalize_texts([r["text"] for r in rows], NormalizeConfig())
    return [
        (truth[r["doc_id"]]["lang"], r["source"], text) for r, text in zip(rows, texts, strict=True) if text
    ]


def clean_english(data: Path) -> dict[str, list[str]]:
    """Clean English documents from ../shared/data, by collection."""
    book = json.loads(
        (data / "bookcorpus" / "BookCorpusFair.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )["text"]
    gutenberg = (data / "gutenberg" / "1342-0.txt").read_text(encoding="utf-8-sig")
    cc = [
        json.loads(line)["text"]
        for path in sorted((data / "cc_text").glob("*.jsonl.gz"))
        for line in gzip.open(path, "rt")
    ]
    english = (data / "langid" / "en.txt").read_text(encoding="utf-8").splitlines()
    return {
        "bookcorpus (whole)": [book],
        "gutenberg (whole)": [gutenberg],
        "bookcorpus 5k pieces": pieces(book),
        "gutenberg 5k pieces": pieces(gutenberg),
        "cc_text": cc,
        "langid en 5 sentences": [" ".join(english[i : i + 5]) for i in range(0, len(english), 5)],
        # Sentences are not documents: most are under min_words; shown so that the length rule's reach is seen.
        "langid en sentences": english,
    }


def pieces(text: str, size: int = 5000) -> list[str]:
    """``text`` cut at paragraph ends into pieces of about ``size`` characters."""
    out, current = [], []
    length = 0
    for paragraph in text.split("\n\n"):
        current.append(paragraph)
        length += len(paragraph) + 2
        if length >= size:
            out.append("\n\n".join(current))
            current, length = [], 0
    if current:
        out.append("\n\n".join(current))
    return out


def precision_recall(labels: list[bool], predicted: list[bool]) -> tuple[float, float, int, int]:
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn


def compare(name: str, docs: list[tuple[str, str, str]], seed: int, cfg: FilterConfig) -> None:
    """Ours vs langdetect on (language, text, part) triples; one block per part and for all of them."""
    ours, calls = [], []
    for _, text, _ in docs:
        decision = english_decision(text, cfg, seed)
        ours.append(decision.is_english)
        calls.append(decision.langdetect_calls)
    reference = [langdetect_is_english(text, seed) for _, text, _ in docs]
    parts = sorted({part for _, _, part in docs})
    for part in ["all"] if len(parts) == 1 else ["all", *parts]:
        idx = [i for i, d in enumerate(docs) if part in ("all", d[2])]
        langs = [docs[i][0] for i in idx]
        labels = [lang == "en" for lang in langs]
        o, ref = [ours[i] for i in idx], [reference[i] for i in idx]
        p, r, fp, fn = precision_recall(labels, o)
        lp, lr, lfp, lfn = precision_recall(labels, ref)
        false_pos = Counter(lang for lang, y, x in zip(langs, labels, o, strict=True) if x and not y)
        ref_false_pos = Counter(lang for lang, y, x in zip(langs, labels, ref, strict=True) if x and not y)
        print(f"{name}, {part}: {len(idx)} documents, {sum(labels)} English")
        print(
            f"  ours       precision {p:.4f}  recall {r:.4f}  (fp {fp}, fn {fn})  "
            f"langdetect calls {sum(calls[i] for i in idx)}"
        )
        print(f"  langdetect precision {lp:.4f}  recall {lr:.4f}  (fp {lfp}, fn {lfn})")
        print(
            f"  false positives by language: ours {dict(sorted(false_pos.items()))}; "
            f"langdetect {dict(ref_false_pos.most_common(8))}"
        )


def quality_on_clean_english(data: Path, cfg: FilterConfig, seed: int) -> None:
    print("\nthe whole filter (quality rules + English) on clean English, default recipe settings:")
    for name, texts in clean_english(data).items():
        reasons = Counter(document_verdict(text, None, cfg, seed)[0] or "kept" for text in texts)
        dropped = len(texts) - reasons["kept"]
        print(
            f"  {name:24s} {len(texts):4d} docs  dropped {dropped:3d} ({dropped / len(texts):6.2%})  {dict(reasons)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument(
        "--sample-size",
        default="tiny",
        help="size of the generated corpus (tiny, small, 20MB...; none to skip)",
    )
    parser.add_argument("--seed", type=int, default=0, help="langdetect seed")
    args = parser.parse_args(argv)
    data, cfg = Path(args.data), FilterConfig()
    if (data / "langid").exists():
        for sentences, label in ((5, "5-sentence documents"), (1, "single sentences")):
            compare(f"langid {label}", langid_documents(data, sentences), args.seed, cfg)
            print()
    else:
        print(f"{data / 'langid'} not found: langid evaluation skipped")
    if args.sample_size != "none":
        with tempfile.TemporaryDirectory(prefix="optcorpus-eval-") as tmp:
            docs = sample_documents(Path(tmp) / "sample", args.sample_size)
        compare(
            f"generated sample corpus ({args.sample_size})",
            [(lang, text, "all") for lang, _, text in docs],
            args.seed,
            cfg,
        )
    if (data / "bookcorpus").exists():
        quality_on_clean_english(data, cfg, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
