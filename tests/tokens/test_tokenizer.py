"""Tokenizer loading, training, fingerprints and batch encoding (no Spark)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.config import TokenizerConfig, recipe_from_dict
from corpus.runtime.layout import TOKENIZER_FILE, OutLayout
from corpus.runtime.runner import run_stage
from corpus.schema import DOCUMENT_SCHEMA
from corpus.stages.tokenize import TRAINED_FILE
from corpus.tokens.tokenizer import (
    TokenizerLoadError,
    encode_to_binary,
    from_hf_name,
    from_tokenizer_json,
    from_vocab_merges,
    iter_parquet_texts,
    load_stage_tokenizer,
    load_tokenizer,
    main,
    sample_key,
    sampled,
    save,
    train_bpe,
)
from tests.conftest import shared_file

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Café déjà vu — naïve coöperation, 日本語のテキスト, emoji 🎉 and tabs\tand\nnewlines.",
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
    "   leading spaces and trailing   ",
    "",
]


@pytest.fixture(scope="module")
def opt():
    return from_vocab_merges(
        shared_file("tokenizers", "opt", "gpt2-vocab.json"),
        shared_file("tokenizers", "opt", "gpt2-merges.txt"),
    )


def test_opt_vocab_merges_ids_and_specials(opt):
    assert opt.tokenizer.encode("Hello world").ids == [31414, 232]
    assert (opt.eos_id, opt.pad_id, opt.vocab_size) == (2, 1, 50265)
    assert [opt.tokenizer.token_to_id(t) for t in ("<s>", "<pad>", "</s>", "<unk>")] == [0, 1, 2, 3]
    assert opt.kind == "vocab_merges"


def test_literal_special_token_in_text_is_plain_text(opt):
    # A web page that contains "</s>" must not get a document boundary in the middle.
    ids = opt.tokenizer.encode("a</s>b").ids
    assert 2 not in ids
    assert opt.tokenizer.decode(ids) == "a</s>b"


def _reference_gpt2_bpe(vocab_path, merges_path):
    """OpenAI's original GPT-2 encoder (gpt-2/src/encoder.py, MIT), condensed: an independent pure-Python
    implementation of byte-level BPE to check ``tokenizers`` + our loader against."""
    regex = pytest.importorskip("regex")
    encoder = json.loads(vocab_path.read_text(encoding="utf-8"))
    merges = [tuple(line.split()) for line in merges_path.read_text(encoding="utf-8").split("\n")[1:] if line]
    ranks = {pair: i for i, pair in enumerate(merges)}
    byte_encoder = _bytes_to_unicode()
    pat = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

    def bpe(token):
        word = tuple(token)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
            if best not in ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
        return word

    def encode(text):
        ids = []
        for token in pat.findall(text):
            ids.extend(encoder[t] for t in bpe("".join(byte_encoder[b] for b in token.encode("utf-8"))))
        return ids

    return encode


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table from bytes to printable characters (printable bytes map to themselves)."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs, strict=True)}


def test_opt_matches_reference_gpt2_bpe(opt):
    encode = _reference_gpt2_bpe(
        shared_file("tokenizers", "opt", "gpt2-vocab.json"),
        shared_file("tokenizers", "opt", "gpt2-merges.txt"),
    )
    assert encode("Hello world") == [31414, 232]
    book = shared_file("gutenberg", "1342-0.txt").read_text(encoding="utf-8-sig")
    paragraphs = [p for p in book.split("\n\n") if p.strip()][100:160] + TEXTS[:4]
    for text in paragraphs:
        assert opt.tokenizer.encode(text).ids == encode(text), text[:60]


def test_gpt2_tokenizer_json_loads():
    gpt2 = from_tokenizer_json(shared_file("tokenizers", "gpt2", "gpt2.json"))
    assert gpt2.tokenizer.encode("Hello world").ids == [15496, 995]
    assert (gpt2.eos_id, gpt2.pad_id, gpt2.vocab_size) == (50256, None, 50257)


def test_fingerprint_is_stable_and_distinguishes(opt, tmp_path):
    again = from_vocab_merges(
        shared_file("tokenizers", "opt", "gpt2-vocab.json"),
        shared_file("tokenizers", "opt", "gpt2-merges.txt"),
    )
    assert again.sha256 == opt.sha256
    save(opt, tmp_path / "opt.json")  # the canonical JSON round-trips to the same fingerprint ...
    assert from_tokenizer_json(tmp_path / "opt.json").sha256 == opt.sha256
    gpt2 = from_tokenizer_json(shared_file("tokenizers", "gpt2", "gpt2.json"))
    assert gpt2.sha256 != opt.sha256
    # ... and so does another process (Rust hash maps are seeded per process).
    code = "import sys; from corpus.tokens.tokenizer import from_tokenizer_json as f; print(f(sys.argv[1]).sha256)"
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "opt.json")], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == opt.sha256


def test_encode_to_binary_matches_encode(opt):
    arr = encode_to_binary(opt.tokenizer, TEXTS, "uint16")
    assert arr.type == pa.binary() and len(arr) == len(TEXTS)
    for value, text in zip(arr.to_pylist(), TEXTS, strict=True):
        assert np.frombuffer(value, dtype="<u2").tolist() == opt.tokenizer.encode(text).ids
    assert arr[4].as_py() == b""
    wide = encode_to_binary(opt.tokenizer, TEXTS[:1], "int32")
    assert np.frombuffer(wide[0].as_py(), dtype="<i4").tolist() == opt.tokenizer.encode(TEXTS[0]).ids


def _corpus(n=400):
    rng = np.random.default_rng(0)
    syllables = "ri ver sto ne li ght mar ket win ter pa per gar den sil ver en gi ne har bor qui et ün ïc ød é 数 据".split()
    words = ["".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(300)]
    return [" ".join(rng.choice(words, size=rng.integers(5, 60))) + "." for _ in range(n)] + TEXTS


def test_train_bpe_reserves_opt_special_ids_and_round_trips():
    trained = train_bpe(_corpus(), vocab_size=400)
    tok = trained.tokenizer
    assert [tok.token_to_id(t) for t in ("<s>", "<pad>", "</s>", "<unk>")] == [0, 1, 2, 3]
    assert (trained.eos_id, trained.pad_id) == (2, 1)
    assert trained.vocab_size == 400 == tok.get_vocab_size()
    for text in TEXTS:  # byte-level: every string survives, including unseen characters
        assert tok.decode(tok.encode(text).ids) == text
    assert tok.decode(tok.encode("never seen: ☃ Ω").ids) == "never seen: ☃ Ω"
    assert len(tok.encode(" river market").ids) < len(" river market")  # merges were learned


def test_train_bpe_ignores_input_order():
    texts = _corpus()
    assert train_bpe(texts, 400).sha256 == train_bpe(list(reversed(texts)), 400).sha256
    assert train_bpe(texts, 400).sha256 != train_bpe(texts, 500).sha256


def test_sample_is_by_id_hash():
    ids = [f"pile/x#{i}" for i in range(4000)]
    picked = [i for i in ids if sampled(i, 0.25, seed=7)]
    assert 850 < len(picked) < 1150
    assert picked == [i for i in reversed(ids) if sampled(i, 0.25, seed=7)][::-1]
    assert all(sampled(i, 1.0, seed=7) for i in ids[:10])


def test_training_sample_cap_takes_smallest_keys_up_to_the_byte_cap(tmp_path):
    texts = [f"document {i} " + "word " * (i % 7 + 1) for i in range(300)]
    _write_documents(tmp_path, texts)
    ids = [f"pile/a.jsonl#{i}" for i in range(300)]
    by_key = sorted(range(300), key=lambda i: sample_key(ids[i], 3))
    cap = sum(len(texts[i].encode()) for i in by_key[:40]) - 1  # reached inside the 40th document
    picked = list(iter_parquet_texts(tmp_path, 1.0, seed=3, max_bytes=cap))
    assert sorted(picked) == sorted(texts[i] for i in by_key[:40])
    assert sorted(iter_parquet_texts(tmp_path, 1.0, seed=3)) == sorted(texts)  # no cap: everything
    in_fraction = [i for i in by_key if sampled(ids[i], 0.5, 3)]
    capped = list(iter_parquet_texts(tmp_path, 0.5, seed=3, max_bytes=10**9))
    assert sorted(capped) == sorted(texts[i] for i in in_fraction)  # the cap never widens the fraction


def _write_documents(path, texts):
    rows = [
        {
            "doc_id": f"pile/a.jsonl#{i}",
            "source": "pile",
            "subset": None,
            "url": None,
            "text": t,
            "meta": None,
            "location": "a",
            "n_records": 1,
        }
        for i, t in enumerate(texts)
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA), path / "part-0.parquet")


def test_cli_train_and_info(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    _write_documents(tmp_path / "docs", _corpus())
    out = tmp_path / "tok" / "tokenizer.json"
    assert main(["train", "--input", str(tmp_path / "docs"), "--out", str(out), "--vocab-size", "350"]) == 0
    printed = json.loads(capsys.readouterr().out)
    loaded = from_tokenizer_json(out)
    assert printed["sha256"] == loaded.sha256 == train_bpe(_corpus(), 350).sha256
    assert (printed["vocab_size"], printed["eos_id"]) == (350, 2)
    assert main(["info", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["sha256"] == loaded.sha256
    assert main(["train", "--input", str(tmp_path / "missing"), "--out", str(out)]) == 2


def test_tokenize_stage_trains_once_then_reuses(tmp_path):
    out = tmp_path / "out"
    docs = out / "dedup" / "documents"
    docs.mkdir(parents=True)
    _write_documents(docs, _corpus())
    recipe = recipe_from_dict(
        {
            "name": "t",
            "sources": {"pile": {"paths": ["x"]}},
            "tokenizer": {"kind": "train", "vocab_size": 300},
        }
    )
    stats = run_stage(None, recipe, str(out), "tokenize")
    stage_file, trained = out / "tokenizer" / "tokenizer.json", out / "tokenizer" / "trained.json"
    assert (stage_file, trained) == (out / TOKENIZER_FILE, out / TRAINED_FILE)
    assert stats["path"] == OutLayout(str(out)).uri(TOKENIZER_FILE) == str(stage_file)
    assert stats["kind"] == "train" and stats["vocab_size"] == 300
    assert from_tokenizer_json(stage_file).sha256 == stats["sha256"] == train_bpe(_corpus(), 300).sha256
    assert json.loads((out / "stats" / "tokenize.json").read_text()) == stats  # the runner wrote its stats
    mtime = trained.stat().st_mtime_ns
    assert run_stage(None, recipe, str(out), "tokenize")["sha256"] == stats["sha256"]
    assert trained.stat().st_mtime_ns == mtime  # same settings: not trained again
    bigger = recipe_from_dict(
        {
            "name": "t",
            "sources": {"pile": {"paths": ["x"]}},
            "tokenizer": {"kind": "train", "vocab_size": 320},
        }
    )
    assert run_stage(None, bigger, str(out), "tokenize")["vocab_size"] == 320
    assert load_stage_tokenizer(bigger.tokenizer, stage_file).origin.startswith("byte-level BPE trained on")


def test_tokenize_stage_copies_vocab_merges_faithfully(opt, tmp_path):
    vocab, merges = (
        shared_file("tokenizers", "opt", "gpt2-vocab.json"),
        shared_file("tokenizers", "opt", "gpt2-merges.txt"),
    )
    recipe = recipe_from_dict(
        {
            "name": "t",
            "sources": {"pile": {"paths": ["x"]}},
            "tokenizer": {"kind": "vocab_merges", "vocab": str(vocab), "merges": str(merges)},
        }
    )
    stats = run_stage(None, recipe, str(tmp_path), "tokenize")  # needs no documents: nothing is trained
    stage_file = tmp_path / "tokenizer" / "tokenizer.json"
    assert stats["path"] == str(stage_file)
    copy = load_stage_tokenizer(recipe.tokenizer, stage_file)
    assert (
        (copy.sha256, copy.kind, copy.eos_id, copy.vocab_size)
        == (opt.sha256, "vocab_merges", 2, 50265)
        == (stats["sha256"], stats["kind"], 2, 50265)
    )
    assert copy.origin == f"{vocab} + {merges}"
    for text in TEXTS + ["a</s>b"]:
        assert copy.tokenizer.encode(text).ids == opt.tokenizer.encode(text).ids


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(TokenizerLoadError, match="needs tokenizer.vocab"):
        load_tokenizer(TokenizerConfig(kind="vocab_merges"))
    with pytest.raises(TokenizerLoadError, match="does not exist"):
        load_tokenizer(
            TokenizerConfig(
                kind="vocab_merges", vocab=str(tmp_path / "v.json"), merges=str(tmp_path / "m.txt")
            )
        )
    with pytest.raises(TokenizerLoadError, match="corpus tokenizer train"):
        load_tokenizer(TokenizerConfig(kind="train"), trained_path=tmp_path / "nothing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(TokenizerLoadError, match="cannot read tokenizer.json"):
        from_tokenizer_json(tmp_path / "bad.json")


def test_hf_name_offline_says_what_to_do():
    with pytest.raises(TokenizerLoadError, match="offline, cache only.*vocab_merges"):
        from_hf_name("no-such-org/no-such-tokenizer-xyz", local_files_only=True)
