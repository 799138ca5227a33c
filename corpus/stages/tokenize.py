"""The tokenize stage: the recipe's tokenizer, written to ``OUT/tokenizer/tokenizer.json`` for the shards.

``tokenizer.kind = "train"`` trains a byte-level BPE on ``OUT/dedup/documents`` (at most
``tokenizer.train_max_mb`` of it, the documents with the smallest id hashes) into
``OUT/tokenizer/trained.json``, unless one trained with the same settings is already there (training is
the slow part of a rerun); the other kinds load the named files. No Spark: ``tokenizers`` trains on one
machine, multi-threaded.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from corpus.config import TokenizerConfig
from corpus.runtime.contract import Stage, StageContext
from corpus.runtime.fs import exists, resolve_fs
from corpus.runtime.layout import (
    DECONTAM_DOCUMENTS,
    DEDUP_DOCUMENTS,
    TOKENIZER,
    TOKENIZER_FILE,
    OutLayout,
    documents_to_tokenize,
)
from corpus.tokens.tokenizer import (
    LoadedTokenizer,
    TokenizerLoadError,
    from_tokenizer_json,
    load_tokenizer,
    recipe_origin,
    save,
    train_from_parquet,
)

TRAINED_FILE = "tokenizer/trained.json"  # a recipe's trained BPE ...
TRAINED_WITH = "tokenizer/trained_with.json"  # ... and the settings it was trained with; others retrain


@dataclass(frozen=True)
class TokenizeSettings:
    """What the tokenize stage sees of the recipe."""

    tokenizer: TokenizerConfig
    seed: int  # the training sample's document-id hash
    documents: str = DEDUP_DOCUMENTS  # the OUT folder trained on: decontaminated documents when there are

    @classmethod
    def from_recipe(cls, recipe) -> TokenizeSettings:
        return cls(recipe.tokenizer, recipe.seed, documents_to_tokenize(recipe.decontaminate))


def resolve_tokenizer(settings: TokenizeSettings, out: OutLayout) -> LoadedTokenizer:
    """The recipe's tokenizer, trained on OUT/dedup/documents first when its kind is "train"."""
    config = settings.tokenizer
    if config.kind != "train":
        return load_tokenizer(config)
    folder, input_dir, path = out.folder(), out.uri(settings.documents), out.uri(TRAINED_FILE)
    record = tuple(TRAINED_WITH.split("/"))
    trained_with = {
        "input": input_dir,
        "vocab_size": config.vocab_size,
        "sample_fraction": config.train_sample_fraction,
        "max_mb": config.train_max_mb,
        "seed": settings.seed,
    }
    if (
        folder.exists(*TRAINED_FILE.split("/"))
        and folder.exists(*record)
        and folder.read_json(*record) == trained_with
    ):
        loaded = from_tokenizer_json(path, kind="train")
    else:
        if not exists(*resolve_fs(input_dir)):
            raise TokenizerLoadError(
                f"tokenizer.kind = 'train' but the documents to train on, {input_dir}, do not exist"
            )
        loaded = train_from_parquet(
            input_dir,
            path,
            config.vocab_size,
            config.train_sample_fraction,
            settings.seed,
            int(config.train_max_mb * 1e6),
        )
        folder.write_text(record, json.dumps(trained_with, sort_keys=True))
    return dataclasses.replace(loaded, origin=recipe_origin(config))


def run(ctx: StageContext) -> dict:
    """Write the tokenizer's canonical JSON to OUT/tokenizer/tokenizer.json; return its manifest entry."""
    loaded = resolve_tokenizer(ctx.settings, ctx.out)
    path = ctx.out.uri(TOKENIZER_FILE)
    save(loaded, path)
    return {**loaded.manifest_entry(), "path": path}


STAGE = Stage(
    name="tokenize",
    reads=(DEDUP_DOCUMENTS, DECONTAM_DOCUMENTS),  # the second when decontamination drops or cuts
    writes=(TOKENIZER,),
    recipe_parts=("tokenizer",),
    settings=TokenizeSettings.from_recipe,
    run=run,
)
