"""Finding a source's input files on any filesystem pyarrow knows (local, s3, hdfs, gcs).

A listed file is opened by the filesystem key and the literal path the listing returned
(``corpus.runtime.fs``), never by re-parsing a URI built from its name: ``#``, ``?``, ``%``, spaces and non-ASCII
characters in file names and source roots are ordinary characters.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from pyarrow import fs as pafs

from corpus.runtime.fs import filesystem_for, split_location


class InputError(ValueError):
    """A recipe's inputs cannot be used as given (a missing path, no matching file, colliding names)."""


@dataclass(frozen=True)
class InputFile:
    source: str
    uri: str  # the root as the recipe gave it + the relative path: for messages only, never parsed
    rel_path: str  # path relative to the source root it was found under (stable across machines)
    size: int
    filesystem: str = ""  # filesystem key (corpus.runtime.fs.split_location); "" is local
    path: str = ""  # literal path on that filesystem: what a task opens


def open_input(file_system_key: str, path: str):
    """The raw byte stream of a listed input file."""
    return filesystem_for(file_system_key).open_input_stream(path, compression=None)


def list_source_files(source: str, paths: tuple[str, ...], include: tuple[str, ...]) -> list[InputFile]:
    """Every file under ``paths`` whose name matches one of ``include``, sorted by (root, rel_path).

    Hidden files and Spark/Hadoop markers (``.*``, ``_*``) are ignored. A path that does not exist is an
    error: a recipe pointing at nothing should not build an empty corpus quietly.
    """
    found: list[InputFile] = []
    for root in paths:
        key, root_path = split_location(root)
        shown_root = (root.rpartition("?")[0] if "?" in key else root).rstrip("/")  # no options, secrets
        filesystem = filesystem_for(key)
        info = filesystem.get_file_info(root_path)
        if info.type == pafs.FileType.NotFound:
            raise InputError(f"source {source!r}: input path {root} does not exist")
        if info.type == pafs.FileType.File:
            entries, base = [info], root_path.rpartition("/")[0]
        else:
            entries = filesystem.get_file_info(pafs.FileSelector(root_path, recursive=True))
            base = root_path.rstrip("/")
        for entry in entries:
            if entry.type != pafs.FileType.File:
                continue
            rel = entry.path[len(base) :].lstrip("/")
            if any(part.startswith((".", "_")) for part in rel.split("/")):
                continue
            if not any(fnmatch.fnmatchcase(entry.base_name, pattern) for pattern in include):
                continue
            shown = root if info.type == pafs.FileType.File else f"{shown_root}/{rel}"
            found.append(InputFile(source, shown, rel, entry.size, key, entry.path))
    found.sort(key=lambda f: (f.filesystem, f.path))
    rels = [f.rel_path for f in found]
    if len(set(rels)) != len(rels):
        dup = next(r for r in rels if rels.count(r) > 1)
        raise InputError(f"source {source!r}: two input roots both contain {dup!r}; doc ids would collide")
    return found
