"""One build at a time in an OUT: an exclusive lock file ``OUT/_lock.json`` naming its holder.

Two builds writing the same OUT interleave their stages' files and markers, and can leave a stage marked
done over another run's output. So a build takes the lock before it reads or writes anything:

- creation is atomic: on a local OUT the complete lock file is hard-linked into place, which fails when
  one is there; on object storage (no exclusive create there) it is written and read back, and a lost
  race is refused like any held lock;
- a lock left by a process that is gone (same host, its pid no longer running, or running a different
  program since: its start time differs) is taken over with a message;
- any other lock is refused at once with the holder's host, pid, start time and command.

The lock is re-entrant within a process (the build job and the build it runs both ask for it).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from corpus.runtime.fs import Folder
from corpus.runtime.layout import LOCK_FILE

log = logging.getLogger("optcorpus.lock")

_HELD: dict[str, int] = {}  # OUT location -> how many holds this process has on it


class OutLockedError(RuntimeError):
    """Another build holds OUT."""


def _process_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux ``/proc``), to tell a reused pid from the holder."""
    fields = _proc_stat(pid)
    return fields[19] if fields else None


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None without it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return [x.decode() for x in fields] if len(fields) > 19 else None


def _alive(holder: dict) -> bool:
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    fields = _proc_stat(pid)
    if fields is not None and fields[0] == "Z":  # killed, not reaped yet: holds nothing
        return False
    started = holder.get("process_start")
    return started is None or fields is None or fields[19] == started


def _describe(holder: dict) -> str:
    return (
        f"pid {holder.get('pid')} on host {holder.get('host')} since {holder.get('started_at')} "
        f"({holder.get('command')})"
    )


def _create(folder: Folder, holder: dict) -> bool:
    """Create the lock file with ``holder`` unless one exists; True when this process made it."""
    data = json.dumps(holder, indent=2, sort_keys=True).encode()
    if folder.is_local():
        os.makedirs(folder.path(), exist_ok=True)
        tmp = folder.path(f".{LOCK_FILE}.{holder['token']}")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, folder.path(LOCK_FILE))  # atomic, and fails when the lock exists
            return True
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
    if folder.exists(LOCK_FILE):
        return False
    folder.write_bytes(LOCK_FILE, data)
    return folder.read_json(LOCK_FILE).get("token") == holder["token"]


def _read_holder(folder: Folder) -> dict:
    try:
        return folder.read_json(LOCK_FILE)
    except (OSError, ValueError):  # vanished meanwhile, or a half-written foreign file
        return {}


def acquire(out: str, command: str) -> dict:
    """Take the lock on ``out`` or raise ``OutLockedError`` naming the holder; returns our holder record."""
    folder = Folder(out)
    holder = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "process_start": _process_start(os.getpid()),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command,
        "token": uuid.uuid4().hex,
    }
    for _ in range(3):  # a taken-over stale lock can be raced by another build taking it over too
        if _create(folder, holder):
            return holder
        current = _read_holder(folder)
        if not current:
            continue
        if current.get("host") == holder["host"] and not _alive(current):
            message = f"taking over the stale lock {folder.uri(LOCK_FILE)} of a build that is gone: "
            log.warning(message + _describe(current))
            print(f"warning: {message}{_describe(current)}", file=sys.stderr)
            if _read_holder(folder).get("token") == current.get("token"):
                folder.delete(LOCK_FILE)
            continue
        raise OutLockedError(
            f"{out} is in use by another build: {_describe(current)}. If that build is gone (another host "
            f"cannot be checked from here), remove {folder.uri(LOCK_FILE)} and rerun."
        )
    raise OutLockedError(
        f"{out}: could not take the lock {folder.uri(LOCK_FILE)}; another build races for it"
    )


def release(out: str, holder: dict) -> None:
    folder = Folder(out)
    if _read_holder(folder).get("token") == holder["token"]:
        folder.delete(LOCK_FILE)


@contextmanager
def out_lock(out: str, command: str = "") -> Iterator[None]:
    """Hold the lock on ``out`` for the block (re-entrant within one process)."""
    key = Folder(out).location
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    holder = acquire(out, command or " ".join(sys.argv) or "python")
    _HELD[key] = 1
    try:
        yield
    finally:
        _HELD.pop(key, None)
        release(out, holder)
