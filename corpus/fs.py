"""Files on any storage Spark reads: a ``pyarrow.fs`` filesystem for a local path or a URI, for the stages
whose tasks write files themselves (kept documents, shards), and moving task-written files into place."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

import pyarrow.fs as pafs


def resolve_fs(uri: str) -> tuple[pafs.FileSystem, str]:
    """A ``pyarrow.fs`` filesystem and path for a local path or URI (``s3a://`` is read as ``s3://``).

    ``file:`` URIs are percent-decoded, as Spark writes them (``_metadata.file_path``:
    ``file:/tmp/a%20b/part-0.parquet``)."""
    if uri.startswith("file:"):
        return pafs.LocalFileSystem(), os.path.abspath(unquote(urlparse(uri).path))
    if "://" not in uri:
        return pafs.LocalFileSystem(), os.path.abspath(uri)
    for hadoop_scheme in ("s3a://", "s3n://"):
        if uri.startswith(hadoop_scheme):
            uri = "s3://" + uri[len(hadoop_scheme) :]
    return pafs.FileSystem.from_uri(uri)


def exists(filesystem: pafs.FileSystem, path: str) -> bool:
    return filesystem.get_file_info(path).type != pafs.FileType.NotFound


ATTEMPTS_DIR = "_attempts"  # task-written files land here first; Spark and pyarrow skip names starting "_"


def move_task_files(filesystem: pafs.FileSystem, root: str, files) -> None:
    """Move the files that tasks wrote as ``<root>/_attempts/[<dir>/]part-<n>.<attempt>.parquet`` to
    ``<root>/[<dir>/]part-<n>.parquet``, for the attempts whose results Spark kept (``files``: rows with a
    ``location``), then delete ``_attempts`` with any retried or speculative attempt's files."""
    attempts = f"{root}/{ATTEMPTS_DIR}"
    for location in sorted({row["location"] for row in files}):
        if not location.startswith(attempts + "/"):
            raise ValueError(f"{location} is not a task file under {attempts}")
        directory, _, name = location[len(attempts) + 1 :].rpartition("/")
        target_dir = f"{root}/{directory}" if directory else root
        filesystem.create_dir(target_dir, recursive=True)
        filesystem.move(location, f"{target_dir}/{name.split('.', 1)[0]}.parquet")  # part-00007.<attempt>...
    if exists(filesystem, attempts):
        filesystem.delete_dir(attempts)
