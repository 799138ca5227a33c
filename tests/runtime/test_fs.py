"""The file layer (corpus.runtime.fs), input listing (corpus.sources.listing) and OUT's lock (corpus.runtime.lock), without Spark."""

from __future__ import annotations

import json
import os
import socket
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.runtime.fs import Folder, resolve_spark_file, split_location
from corpus.runtime.lock import LOCK_FILE, OutLockedError, acquire, out_lock, release
from corpus.schema import KIND_DOC
from corpus.sources.listing import InputError, list_source_files, open_input
from corpus.stages.ingest import read_file_rows

# Every printable ASCII character a POSIX file name may hold ("/" separates, NUL ends), and some that
# are not ASCII. Names that start with "." or "_" are hidden from listing on purpose.
NAME_CHARS = "".join(c for c in string.printable if c not in "/\t\n\r\x0b\x0c") + "é日本語—çü🙂"
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=24).filter(
    lambda n: not n.startswith((".", "_")) and n not in (".", "..")
)


def test_split_location_keeps_paths_literal():
    assert split_location("/data/c4 dir/a#b?c%20d.txt") == ("", "/data/c4 dir/a#b?c%20d.txt")
    assert split_location("file:///data/a%20b#1.txt") == ("", "/data/a%20b#1.txt")
    assert split_location("file:/data/x") == ("", "/data/x")
    assert split_location("s3a://bkt/a b/c?d.txt") == ("s3://bkt", "bkt/a b/c?d.txt")
    assert split_location("s3://bkt/p?endpoint_override=http://127.0.0.1:9&region=us-east-1") == (
        "s3://bkt?endpoint_override=http://127.0.0.1:9&region=us-east-1",
        "bkt/p",
    )
    assert split_location("hdfs://nn:8020/user/a b") == ("hdfs://nn:8020", "/user/a b")
    with pytest.raises(ValueError, match="names no host"):
        split_location("file://otherhost/data")


def test_spark_reported_paths_are_percent_decoded():
    _, path = resolve_spark_file("file:/tmp/a%20b/c%23d/part-0.parquet")
    assert path == "/tmp/a b/c#d/part-0.parquet"


def test_folder_writes_atomically_through_a_file_uri(tmp_path):
    folder = Folder("file://" + str(tmp_path / "out dir #1"))
    folder.write_json(("stats", "x.json"), {"b": 1, "a": "é"})
    written = tmp_path / "out dir #1" / "stats" / "x.json"
    assert written.read_text(encoding="utf-8") == '{\n  "a": "é",\n  "b": 1\n}'
    assert folder.read_json("stats", "x.json") == {"a": "é", "b": 1}
    assert [p.name for p in written.parent.iterdir()] == ["x.json"]  # no temporary left behind
    folder.delete("stats", "x.json")
    assert not folder.exists("stats", "x.json")


def _write_tree(root: Path, files: list[str]) -> dict[str, bytes]:
    contents = {}
    for i, name in enumerate(files):
        data = f"story {i}: the file named {name!r}.".encode()
        (root / name).write_bytes(data)
        contents[name] = data
    return contents


def test_names_that_look_like_uri_syntax_open_themselves(tmp_path):
    root = tmp_path / "c4 dir [1] #x ?y %20 café"
    root.mkdir()
    names_ = ["b.txt", "b.txt#v2.txt", "a?b.txt", "a", "a%20b.txt", "a b.txt", "my book — café 日本語.txt"]
    contents = _write_tree(root, names_)
    for root_as_given in (str(root), "file://" + str(root), str(root) + "/"):
        found = list_source_files("ccstories", (root_as_given,), ("*",))
        assert sorted(f.rel_path for f in found) == sorted(names_)
        for f in found:
            with open_input(f.filesystem, f.path) as stream:
                assert stream.read() == contents[f.rel_path], f.rel_path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(root_name=names, file_names=st.lists(names, min_size=1, max_size=6, unique=True))
def test_any_file_name_is_read_back_as_itself(root_name, file_names):
    """Property: any name a file system allows, in a file or in the source root, reads that file."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / root_name
        root.mkdir()
        contents = _write_tree(root, [f"{n}.txt" for n in file_names])
        found = list_source_files("ccstories", (str(root),), ("*.txt",))
        assert sorted(f.rel_path for f in found) == sorted(contents)
        for f in found:
            file = {
                "source": "ccstories",
                "rel_path": f.rel_path,
                "uri": f.uri,
                "size": f.size,
                "options": "{}",
                "filesystem": f.filesystem,
                "path": f.path,
            }
            docs = [r for r in read_file_rows(file) if r["kind"] == KIND_DOC]  # what a Spark task runs
            assert [d["text"] for d in docs] == [contents[f.rel_path].decode()]
            assert docs[0]["location"].startswith(f.rel_path)


def test_missing_root_and_colliding_names_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        list_source_files("pile", (str(tmp_path / "nowhere"),), ("*",))
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.txt").write_text("x")
    with pytest.raises(InputError, match="both contain 'x.txt'"):
        list_source_files("pile", (str(tmp_path / "one"), str(tmp_path / "two")), ("*",))


# --- the lock on OUT -------------------------------------------------------------------------------------


def _hold_lock_in_child(out: Path) -> subprocess.Popen:
    code = (
        "import sys, time; from corpus.runtime.lock import acquire; "
        f"acquire({str(out)!r}, 'jobs/build_corpus.py (test holder)'); print('held', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_live_holder_is_refused_at_once_and_named(tmp_path):
    child = _hold_lock_in_child(tmp_path)
    try:
        started = time.time()
        with pytest.raises(OutLockedError) as err:
            acquire(str(tmp_path), "second build")
        assert time.time() - started < 2
        message = str(err.value)
        assert f"pid {child.pid} on host {socket.gethostname()}" in message
        assert "test holder" in message and LOCK_FILE in message
    finally:
        child.kill()
        child.wait()


def test_the_build_takes_the_lock_before_anything_else(tmp_path):
    from corpus.config import recipe_from_dict
    from corpus.runtime.runner import run_build

    recipe = recipe_from_dict({"name": "r", "sources": {"pile": {"paths": [str(tmp_path / "none")]}}})
    child = _hold_lock_in_child(tmp_path / "out")
    try:
        with pytest.raises(OutLockedError, match=f"pid {child.pid}"):
            run_build(None, recipe, str(tmp_path / "out"))  # no Spark needed to be refused
    finally:
        child.kill()
        child.wait()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [LOCK_FILE]  # nothing else touched


def test_a_dead_holders_lock_is_taken_over_with_a_message(tmp_path, capsys):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = {
        "host": socket.gethostname(),
        "pid": gone.pid,
        "started_at": "2026-01-01T00:00:00Z",
        "command": "old",
    }
    (tmp_path / LOCK_FILE).write_text(json.dumps(stale))
    holder = acquire(str(tmp_path), "new build")
    assert f"pid {gone.pid}" in capsys.readouterr().err
    assert json.loads((tmp_path / LOCK_FILE).read_text())["token"] == holder["token"]
    release(str(tmp_path), holder)
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_killed_holder_not_yet_reaped_is_dead(tmp_path):
    """A build killed a moment ago can linger as a zombie until its parent reaps it; ``kill(pid, 0)`` still
    finds it, but it holds nothing: the resumed build takes the lock over."""
    child = _hold_lock_in_child(tmp_path)
    child.kill()
    deadline = time.time() + 10
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.time() < deadline
        time.sleep(0.05)
    try:
        release(str(tmp_path), acquire(str(tmp_path), "resumed build"))
    finally:
        child.wait()


def test_a_reused_pid_is_not_the_holder(tmp_path):
    """The recorded pid now runs another program (its start time differs): the lock is stale."""
    stale = {"host": socket.gethostname(), "pid": os.getpid(), "process_start": "1", "command": "old"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(stale))
    release(str(tmp_path), acquire(str(tmp_path), "new build"))


def test_a_lock_from_another_host_is_refused(tmp_path):
    other = {"host": "elsewhere", "pid": 1, "started_at": "2026-01-01T00:00:00Z", "command": "remote build"}
    (tmp_path / LOCK_FILE).write_text(json.dumps(other))
    with pytest.raises(OutLockedError, match="pid 1 on host elsewhere.*remote build"):
        acquire(str(tmp_path), "new build")


def test_the_lock_is_reentrant_in_one_process_and_released(tmp_path):
    with out_lock(str(tmp_path), "outer"):
        with out_lock(str(tmp_path), "inner"):
            assert (tmp_path / LOCK_FILE).exists()
        assert (tmp_path / LOCK_FILE).exists()
    assert not (tmp_path / LOCK_FILE).exists()
