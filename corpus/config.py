"""Recipes: TOML files in ``data_manifests/`` loaded into frozen, validated dataclasses.

One dataclass per concern (sources, ingest, normalize, filter, dedup, tokenize, pack), each field with a
comment saying what it means. Loading is strict: an unknown key or a value of the wrong type is an error
that names the key (``recipe key 'dedup.threshhold' is not known; known keys: ...``), because a typo in a
recipe that silently falls back to a default can cost a cluster-day.

Relative paths in a recipe are resolved against the current directory (where ``spark-submit`` runs);
URIs (``s3a://``, ``hdfs://``, ``gs://``, ``file://``) are kept as they are.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from corpus.schema import SOURCE_NAMES
from corpus.tomlconfig import build, load_toml

# OPT's Pile subsets (Zhang et al. 2022, section 3.2), by meta.pile_set_name.
OPT_PILE_SUBSETS = (
    "Pile-CC",
    "DM Mathematics",
    "Gutenberg (PG-19)",
    "HackerNews",
    "OpenSubtitles",
    "OpenWebText2",
    "USPTO Backgrounds",
    "Wikipedia (en)",
)


class RecipeError(ValueError):
    """A recipe that cannot be used, with the offending key in the message."""


@dataclass(frozen=True)
class SourceConfig:
    """One input source."""

    paths: tuple[str, ...]  # files or directories (searched recursively); local paths or URIs
    include: tuple[str, ...] = ("*",)  # glob patterns a file *name* must match to be read
    priority: int = 100  # dedup keeper priority: the lowest number wins a duplicate cluster
    pile_subsets: tuple[str, ...] = OPT_PILE_SUBSETS  # pile only: meta.pile_set_name values to keep
    html_extractor: str = "trafilatura"  # ccnews only: "trafilatura" (default) or "resiliparse" (fast)
    # ccnews only: with filter.english on, pages certainly not English (declared lang and visible text
    # agree) are skipped before extraction (corpus/sources/html_language.py)
    html_language_gate: bool = True
    reddit_bot_authors: tuple[str, ...] = ("AutoModerator",)  # reddit only: authors treated as bots

    def __post_init__(self):
        if not self.paths:
            raise RecipeError("a source needs at least one path")
        if self.html_extractor not in ("trafilatura", "resiliparse"):
            raise RecipeError(
                f"html_extractor must be 'trafilatura' or 'resiliparse', not {self.html_extractor!r}"
            )


@dataclass(frozen=True)
class IngestConfig:
    batch_rows: int = 1024  # rows per Arrow batch a reader task yields
    batch_bytes: int = 32 << 20  # ... or fewer, so a batch of long books stays near this many text bytes
    # Input files are packed into Spark tasks of about `partition_bytes` (a bigger file gets a task of its
    # own) and at most `files_per_partition` files: a task costs ~0.2 s of scheduling and Python start-up,
    # which one-file tasks paid 461 times over for a 41 MB folder of small books.
    partition_bytes: int = 64 << 20
    files_per_partition: int = 256


@dataclass(frozen=True)
class NormalizeConfig:
    ftfy: bool = True  # repair mojibake and other Unicode damage (same output as ftfy.fix_text)
    whitespace: bool = True  # OPT's ad-hoc whitespace normalization
    boilerplate: bool = True  # remove Project Gutenberg / ebook boilerplate and "Chapter One"-style lines


@dataclass(frozen=True)
class FilterConfig:
    english: bool = True  # keep English documents only
    min_english_share: float = 0.5  # mixed documents: keep when at least this share of text is English
    min_words: int = 20  # drop documents shorter than this many words
    max_symbol_ratio: float = 0.3  # drop documents whose non-letter, non-space share exceeds this
    max_repeated_line_fraction: float = 0.3  # drop documents whose duplicate lines exceed this share of lines
    # Subsets (SourceConfig subset values, e.g. Pile set names) that only get the length rule: OPT kept
    # DM Mathematics on purpose, and its equations are neither English prose nor low in digits.
    exempt_subsets: tuple[str, ...] = ("DM Mathematics",)
    english_sample_chars: int = 5_000  # language evidence is read from at most this many chars per document
    english_segment_words: int = (
        20  # segments (sentences grouped to at least this many words) decided one by one
    )
    langdetect_chars: int = 1_000  # the reference detector sees at most this many chars per call
    langdetect_calls: int = 4  # ... and at most this many calls per document (ambiguous segments only)

    def __post_init__(self):
        if not 0.0 <= self.min_english_share <= 1.0:
            raise RecipeError(f"filter.min_english_share must be in [0, 1], not {self.min_english_share}")
        if self.english_segment_words < 1 or self.langdetect_calls < 1 or self.english_sample_chars < 1000:
            raise RecipeError(
                "filter.english_segment_words and filter.langdetect_calls must be >= 1, "
                "filter.english_sample_chars >= 1000"
            )


@dataclass(frozen=True)
class DedupConfig:
    exact: bool = True  # drop exact duplicates (hash of normalized text) before MinHash
    near: bool = True  # MinHash-LSH near-duplicate removal
    threshold: float = 0.95  # Jaccard similarity at or above which two documents are duplicates (OPT: 0.95)
    ngram: int = 5  # shingle size in words
    num_perm: int = 128  # MinHash permutations
    min_recall: float = 0.99  # band layout must catch pairs at J = threshold with at least this probability
    verify: str = "exact"  # candidate check: "exact" shingle Jaccard or "signature" estimate
    max_cc_iterations: int = 64  # connected components give up (loudly) after this many rounds
    bucket_anchors: int = (
        2  # members of a big LSH bucket are linked to its this many smallest doc ids (1 = star)
    )
    bucket_all_pairs: int = 16  # ... after its first this-many members, which are all linked pairwise

    def __post_init__(self):
        if not 0.0 < self.threshold <= 1.0:
            raise RecipeError(f"dedup.threshold must be in (0, 1], not {self.threshold}")
        if self.verify not in ("exact", "signature"):
            raise RecipeError(f"dedup.verify must be 'exact' or 'signature', not {self.verify!r}")
        if not 1 <= self.bucket_anchors <= self.bucket_all_pairs:
            raise RecipeError("dedup needs 1 <= bucket_anchors <= bucket_all_pairs")


@dataclass(frozen=True)
class TokenizerConfig:
    kind: str = "train"  # "vocab_merges" (GPT-2/OPT files), "tokenizer_json", "hf_name", or "train"
    vocab: str = ""  # vocab_merges: vocab.json path
    merges: str = ""  # vocab_merges: merges.txt path
    path: str = ""  # tokenizer_json: tokenizer.json path
    name: str = ""  # hf_name: a Hugging Face tokenizer name (needs the network)
    vocab_size: int = 8192  # train: vocabulary size of the byte-level BPE trained on the corpus
    train_sample_fraction: float = 1.0  # train: share of documents (by doc_id hash) the BPE is trained on
    # train: at most this many MB of text (the documents with the smallest id hashes; 0 = no cap). An 8k-64k
    # vocabulary stops changing long before that (16 and 64 MB give the same bytes per token on held-out
    # text), and training time grows linearly with the text.
    train_max_mb: float = 64.0

    def __post_init__(self):
        if self.train_max_mb < 0 or not 0.0 < self.train_sample_fraction <= 1.0:
            raise RecipeError(
                "tokenizer.train_max_mb must be >= 0 and tokenizer.train_sample_fraction in (0, 1]"
            )
        if self.kind not in ("vocab_merges", "tokenizer_json", "hf_name", "train"):
            raise RecipeError(
                f"tokenizer.kind must be vocab_merges, tokenizer_json, hf_name or train, not {self.kind!r}"
            )


@dataclass(frozen=True)
class PackConfig:
    seq_len: int = 2048  # tokens per training row (OPT: 2048)
    valid_fraction: float = 0.005  # share of each source's documents held out for validation (by doc hash)
    rows_per_shard: int = 4096  # rows per Arrow shard file
    # Pack units are defined by the data, not by Spark partitions, so shards are identical whatever the
    # partitioning: a document goes to group hash(seed, doc_id) % groups; each group is packed on its own
    # (memory = its token ids) and loses at most one row of tail tokens.
    groups: int = 64  # train pack groups; raise it with the corpus (OPT-size: ~4096, ~90 MB of ids each)
    valid_groups: int = 1  # pack groups of each valid split (valid, valid/<source>); small, so few groups

    def __post_init__(self):
        if self.seq_len < 2:
            raise RecipeError(f"pack.seq_len must be at least 2, not {self.seq_len}")
        if not 0.0 <= self.valid_fraction < 1.0:
            raise RecipeError(f"pack.valid_fraction must be in [0, 1), not {self.valid_fraction}")
        if self.rows_per_shard < 1 or self.groups < 1 or self.valid_groups < 1:
            raise RecipeError("pack.rows_per_shard, pack.groups and pack.valid_groups must be at least 1")


@dataclass(frozen=True)
class EvalSetConfig:
    """One evaluation set to clean the corpus against (a ``[[decontaminate.sets]]`` table)."""

    name: str  # short name in stats and the report ("piqa_valid")
    path: str  # local path or URI, compressed or not
    format: str = "jsonl"  # jsonl | txt | line_groups | parlai (corpus/decontam/evalsets.py)
    fields: tuple[str | int, ...] = ()  # jsonl: dotted keys holding text; line_groups: 1-based line numbers
    group: int = 0  # line_groups: lines per item


@dataclass(frozen=True)
class DecontaminateConfig:
    """Benchmark decontamination: off while no evaluation set is named."""

    n: int = 13  # word n-grams (GPT-3); an item shorter than n words is matched as a whole
    action: str = "drop"  # "drop" the document, "cut" the matching spans (plus margin), or "flag" only
    margin: int = 200  # cut: characters removed on each side of a match (GPT-3: 200)
    min_piece_chars: int = 200  # cut: a piece left between cuts shorter than this goes too
    min_chars: int = 200  # cut: a document left shorter than this is dropped
    max_pieces: int = 10  # cut: a document cut into more pieces than this is dropped (GPT-3: 10)
    max_examples: int = 5  # examples kept per evaluation set for the report
    sets: tuple[EvalSetConfig, ...] = ()

    def __post_init__(self):
        if self.n < 1:
            raise RecipeError(f"decontaminate.n must be at least 1, not {self.n}")
        if self.action not in ("drop", "cut", "flag"):
            raise RecipeError(f"decontaminate.action must be drop, cut or flag, not {self.action!r}")
        names = [s.name for s in self.sets]
        if len(set(names)) != len(names):
            raise RecipeError(f"decontaminate.sets: two sets are named {max(names, key=names.count)!r}")

    @property
    def enabled(self) -> bool:
        return bool(self.sets)


@dataclass(frozen=True)
class Recipe:
    """A whole corpus build."""

    name: str
    sources: dict[str, SourceConfig]
    seed: int = 1234  # every random choice of the build derives from this
    partitions: int = 0  # Spark partitions for the document stages; 0 = spark.default.parallelism
    ingest: IngestConfig = field(default_factory=IngestConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    pack: PackConfig = field(default_factory=PackConfig)
    decontaminate: DecontaminateConfig = field(default_factory=DecontaminateConfig)

    def __post_init__(self):
        unknown = sorted(set(self.sources) - set(SOURCE_NAMES))
        if unknown:
            raise RecipeError(
                f"recipe key 'sources.{unknown[0]}' is not a known source; known: {', '.join(SOURCE_NAMES)}"
            )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def fingerprint(self, *parts: str) -> str:
        """sha256 of the resolved recipe (or of the named top-level parts only), for stage success markers."""
        d = self.to_dict()
        if parts:
            d = {k: d[k] for k in parts}
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


def load_recipe(path: str | Path) -> Recipe:
    """Read a TOML recipe; every error names the key it is about."""
    data = load_toml(path, RecipeError, "recipe")
    data.setdefault("name", Path(path).stem)
    return recipe_from_dict(data)


def recipe_from_dict(data: dict) -> Recipe:
    return build(Recipe, data, RecipeError, "recipe")
