"""Recipes load strictly: every shipped recipe parses, and every mistake names its key."""

from pathlib import Path

import pytest

from corpus.config import OPT_PILE_SUBSETS, RecipeError, load_recipe, recipe_from_dict

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["sample", "opt", "shared-samples"])
def test_shipped_recipes_load(name):
    recipe = load_recipe(ROOT / "data_manifests" / f"{name}.toml")
    assert set(recipe.sources) == {"bookcorpus", "ccstories", "ccnews", "pile", "reddit"}
    assert recipe.dedup.threshold == 0.95
    assert recipe.pack.seq_len == 2048


def test_opt_recipe_is_opts():
    recipe = load_recipe(ROOT / "data_manifests" / "opt.toml")
    assert recipe.sources["pile"].pile_subsets == OPT_PILE_SUBSETS
    assert recipe.tokenizer.kind == "vocab_merges"
    assert all(p.startswith("s3a://") for s in recipe.sources.values() for p in s.paths)


def _minimal(**extra):
    return {"name": "t", "sources": {"pile": {"paths": ["x"]}}, **extra}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_minimal(dedup={"threshhold": 0.9}), "recipe key 'dedup.threshhold' is not known"),
        (_minimal(dedup={"threshold": "high"}), "recipe key 'dedup.threshold' must be float, not str"),
        (_minimal(dedup={"threshold": 1.5}), "dedup: dedup.threshold must be in (0, 1], not 1.5"),
        (_minimal(seed=True), "recipe key 'seed' must be int, not bool"),
        (
            {"name": "t", "sources": {"pile": {"paths": "x"}}},
            "recipe key 'sources.pile.paths' must be a list",
        ),
        ({"name": "t", "sources": {"pile": {}}}, "recipe key 'sources.pile.paths' is required"),
        (
            {"name": "t", "sources": {"wikipedia": {"paths": ["x"]}}},
            "'sources.wikipedia' is not a known source",
        ),
        (
            {"name": "t", "sources": {"ccnews": {"paths": ["x"], "html_extractor": "bs4"}}},
            "html_extractor must be",
        ),
        ({"name": "t"}, "recipe key 'sources' is required"),
    ],
)
def test_recipe_errors_name_the_key(data, message):
    with pytest.raises(RecipeError) as err:
        recipe_from_dict(data)
    assert message in str(err.value)


def test_fingerprint_changes_with_config_and_only_its_part():
    a = recipe_from_dict(_minimal())
    b = recipe_from_dict(_minimal(dedup={"threshold": 0.9}))
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint("sources", "ingest") == b.fingerprint("sources", "ingest")
    assert a.fingerprint("dedup") != b.fingerprint("dedup")


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(RecipeError, match="does not exist"):
        load_recipe(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    with pytest.raises(RecipeError, match="not valid TOML"):
        load_recipe(bad)
