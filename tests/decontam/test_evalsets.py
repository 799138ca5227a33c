"""corpus/decontam/evalsets.py: every format on small files made here, and every real set in
../shared/data/evalsets with its exact item count."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import tomllib

import pytest
import zstandard

from corpus.decontam.evalsets import EvalSetError, EvalSetSpec, iter_items, load_evalset
from corpus.tomlconfig import build
from tests.decontam.helpers import REAL_SETS, real_spec


def write(tmp_path, name: str, text: str):
    data = text.encode("utf-8")
    if name.endswith(".gz"):
        data = gzip.compress(data)
    elif name.endswith(".bz2"):
        data = bz2.compress(data)
    elif name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def load(path, fmt, fields=(), group=0):
    return load_evalset(EvalSetSpec(path.name.split(".")[0], str(path), fmt, tuple(fields), group))


JSONL = (
    '{"goal": "Open a jar", "sol1": "Twist the lid.", "sol2": "Hit it.", "label": 0}\n'
    "\n"
    '{"goal": "Dry shoes", "sol1": ["Use paper.", ["Or a fan."]], "sol2": null}\n'
)


@pytest.mark.parametrize("name", ["set.jsonl", "set.jsonl.gz", "set.jsonl.bz2", "set.jsonl.zst"])
def test_jsonl_plain_and_compressed(tmp_path, name):
    path = write(tmp_path, name, JSONL)
    s = load(path, "jsonl", ["goal", "sol1", "sol2"])
    assert s.items == (("Open a jar", "Twist the lid.", "Hit it."), ("Dry shoes", "Use paper.", "Or a fan."))
    assert s.lines == (1, 3)
    assert s.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # of the file as stored
    assert s.location(1) == f"{name}:line 3"
    assert s.manifest()["items"] == 2 and s.manifest()["sha256"] == s.sha256


def test_jsonl_nested_fields(tmp_path):
    """ARC's original layout: question.stem and question.choices[].text."""
    row = {
        "id": "x",
        "question": {
            "stem": "Which is hot?",
            "choices": [{"text": "Sun", "label": "A"}, {"text": "Ice", "label": "B"}],
        },
    }
    path = write(tmp_path, "arc.jsonl", json.dumps(row) + "\n")
    assert load(path, "jsonl", ["question.stem", "question.choices.text"]).items == (
        ("Which is hot?", "Sun", "Ice"),
    )


@pytest.mark.parametrize(
    "text, fields, message",
    [
        ('{"goal": "a"}\n', ["goal", "sol1"], "line 1: field 'sol1': .*no key 'sol1'"),
        ('{"goal": 3}\n', ["goal"], "line 1: field 'goal': .*not int"),
        ('{"goal": "a"}\n{"goal": \n', ["goal"], "line 2: not JSON"),
        ('["a"]\n', ["goal"], "line 1: a JSON object per line"),
        ('{"goal": {"x": 1}}\n', ["goal.x.y"], "'y' asked of a int"),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, text, fields, message):
    with pytest.raises(EvalSetError, match=message):
        load(write(tmp_path, "bad.jsonl", text), "jsonl", fields)


def test_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"fine\n\xff\xfe\n")
    with pytest.raises(EvalSetError, match="line 2: not UTF-8"):
        load(path, "txt")


def test_txt_one_item_per_non_blank_line(tmp_path):
    s = load(write(tmp_path, "t.txt.gz", "first line\n\n   \nsecond, line\r\nthird"), "txt")
    assert s.items == (("first line",), ("second, line",), ("third",))
    assert s.lines == (1, 4, 5)


def test_line_groups(tmp_path):
    text = "ctx one\n0\nend a\nend b\nctx two\n1\nend c\n\n"
    s = load(write(tmp_path, "g.txt.bz2", text), "line_groups", [1, 3, 4], group=4)
    assert s.items == (("ctx one", "end a", "end b"), ("ctx two", "end c", ""))
    assert s.lines == (1, 5)
    with pytest.raises(EvalSetError, match="ends inside a group of 4 lines"):
        load(write(tmp_path, "h.txt", text + "extra\n"), "line_groups", group=4)


PARLAI = (
    "1 your persona: i like cats.\n"
    "2 your persona: i am tall.\n"
    "3 hi , how are you ?\tgood , thanks .\n"
    "4 do you have pets ?\tyes|two cats .\t\tcand a|cand b\n"
    "1 partner's persona: i sing.\n"
    "2 hello\\nthere\tsure\n"
    "3 just a statement\n"
)


def test_parlai_episodes(tmp_path):
    path = write(tmp_path, "dialogue.txt", PARLAI)
    s = load(path, "parlai")
    assert s.items == (
        (
            "i like cats.",
            "i am tall.",
            "hi , how are you ?",
            "good , thanks .",
            "do you have pets ?",
            "yes",
            "two cats .",
        ),
        ("i sing.", "hello\nthere", "sure", "just a statement"),
    )
    assert s.lines == (1, 5)
    assert load(path, "parlai", ["text", "labels"]).items[1] == ("hello\nthere", "sure", "just a statement")
    assert load(path, "parlai", ["persona"]).items == (("i like cats.", "i am tall."), ("i sing.",))
    with pytest.raises(EvalSetError, match="line 1: not '<turn number> <text>'"):
        list(iter_items(io.BytesIO(b"no number here\n"), EvalSetSpec("x", "x.txt", "parlai")))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"format": "csv"}, "format must be one of"),
        ({"format": "jsonl"}, "jsonl needs fields"),
        ({"format": "txt", "fields": ("a",)}, "txt has no fields"),
        ({"format": "line_groups"}, "needs group >= 1"),
        ({"format": "line_groups", "group": 6, "fields": (0, 1)}, "line numbers 1..6"),
        ({"format": "parlai", "fields": ("persona", "candidates")}, "parlai fields are some of"),
        ({"format": "jsonl", "fields": ("a", "a")}, "listed twice"),
        ({"format": "jsonl", "fields": ("a",), "group": 2}, "group is for format line_groups only"),
        ({"format": "txt", "name": ""}, "needs a name and a path"),
    ],
)
def test_spec_checks(kwargs, message):
    args = {"name": "s", "path": "s.txt", **kwargs}
    with pytest.raises(EvalSetError, match=message):
        EvalSetSpec(**args)


def test_spec_defaults_and_lists():
    assert EvalSetSpec("h", "h.txt", "line_groups", group=3).fields == (1, 2, 3)
    assert EvalSetSpec("c", "c.txt", "parlai").fields == ("persona", "text", "labels")
    assert EvalSetSpec("p", "p.jsonl", "jsonl", ["goal"]).fields == ("goal",)  # a TOML list becomes a tuple


@pytest.mark.parametrize("name", sorted(REAL_SETS))
def test_real_set(name):
    s = load_evalset(real_spec(name))
    assert len(s) == REAL_SETS[name][4]
    with open(s.spec.path, "rb") as f:
        assert s.sha256 == hashlib.sha256(f.read()).hexdigest()
    assert all(any(seg.strip() for seg in item) for item in s.items)  # no item without text
    if name == "hellaswag_val":
        assert (
            s.items[0][0] == "Roof shingle removal: A man is sitting on a roof. he"
        )  # PROVENANCE's first task
        assert all(len(item) == 5 for item in s.items)
        assert s.lines[-1] == 60247
    if name.startswith(("arc", "openbookqa")):
        assert all(len(item) == 5 for item in s.items)  # the query and exactly 4 choices
    if name == "lambada_openai_test":
        assert s.items[0][1] == "signs"
    if name == "convai2_valid":
        segments = sum(len(item) for item in s.items)
        assert segments == 4483 + 2 * 7801  # persona lines, then a text and a label per turn line
        assert s.items[0][:2] == ("i read twenty books a year.", "i'm a stunt double as my second job.")


def test_specs_load_from_a_recipe_table():
    """The stage's recipe loader (corpus/tomlconfig.py) builds specs from [[decontaminate.sets]] tables."""
    tables = tomllib.loads(
        '[[sets]]\nname = "h"\npath = "h.txt.bz2"\nformat = "line_groups"\ngroup = 6\nfields = [1, 3, 4, 5, 6]\n'
        '[[sets]]\nname = "p"\npath = "p.jsonl"\nformat = "jsonl"\nfields = ["goal", "sol1", "sol2"]\n'
    )["sets"]
    specs = [build(EvalSetSpec, t, EvalSetError, "recipe", "decontaminate.sets.") for t in tables]
    assert specs[0] == EvalSetSpec("h", "h.txt.bz2", "line_groups", (1, 3, 4, 5, 6), 6)
    assert specs[1].fields == ("goal", "sol1", "sol2")
    with pytest.raises(EvalSetError, match="line numbers 1..6"):
        build(EvalSetSpec, {**tables[0], "fields": [7]}, EvalSetError, "recipe", "decontaminate.sets.")
