"""Finding a source's input files on any filesystem pyarrow knows (local, s3, hdfs, gcs)."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

from pyarrow import fs as pafs


@dataclass(frozen=True)
class InputFile:
    source: str
    uri: str  # what a task passes to pyarrow.fs.FileSystem.from_uri
    rel_path: str  # path relative to the source root it was found under (stable across machines)
    size: int


def resolve_uri(path: str) -> str:
    """Local paths become absolute ``file://`` URIs (executors may run in another cwd); URIs stay."""
    if "://" in path:
        return path.replace("s3a://", "s3://", 1)  # Hadoop's scheme name; pyarrow calls it s3
    return "file://" + os.path.abspath(path)


def open_filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    return pafs.FileSystem.from_uri(uri)


def list_source_files(source: str, paths: tuple[str, ...], include: tuple[str, ...]) -> list[InputFile]:
    """Every file under ``paths`` whose name matches one of ``include``, sorted by (root, rel_path).

    Hidden files and Spark/Hadoop markers (``.*``, ``_*``) are ignored. A path that does not exist is an
    error: a recipe pointing at nothing should not build an empty corpus quietly.
    """
    found: list[InputFile] = []
    for root in paths:
        uri = resolve_uri(root)
        filesystem, root_path = open_filesystem(uri)
        info = filesystem.get_file_info(root_path)
        if info.type == pafs.FileType.NotFound:
            raise FileNotFoundError(f"source {source!r}: input path {root} does not exist")
        if info.type == pafs.FileType.File:
            entries = [info]
            base = os.path.dirname(root_path)
        else:
            entries = filesystem.get_file_info(pafs.FileSelector(root_path, recursive=True))
            base = root_path
        prefix = uri[: len(uri) - len(root_path)] if uri.endswith(root_path) else uri.split("://")[0] + "://"
        for entry in entries:
            if entry.type != pafs.FileType.File:
                continue
            rel = os.path.relpath(entry.path, base).replace(os.sep, "/")
            if any(part.startswith((".", "_")) for part in rel.split("/")):
                continue
            if not any(fnmatch.fnmatch(entry.base_name, pattern) for pattern in include):
                continue
            found.append(InputFile(source, prefix + entry.path, rel, entry.size))
    found.sort(key=lambda f: (f.uri,))
    rels = [f.rel_path for f in found]
    if len(set(rels)) != len(rels):
        dup = next(r for r in rels if rels.count(r) > 1)
        raise ValueError(f"source {source!r}: two input roots both contain {dup!r}; doc ids would collide")
    return found
