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
    """Move the files that tasks wrote as ``<root>/_attempts/source=<s>/part-<n>.<attempt>.parquet`` to
    ``<root>/source=<s>/part-<n>.parquet``, for the attempts whose results Spark kept (``files``: rows with
    ``source`` and ``location``), then delete ``_attempts`` with any retried or speculative attempt's files.
    """
    for row in files:
        source, path = row["source"], row["location"]
        name = path.rsplit("/", 1)[1].split(".", 1)[0]  # part-00007.<attempt>.parquet -> part-00007
        target_dir = f"{root}/source={source}"
        filesystem.create_dir(target_dir, recursive=True)
        filesystem.move(path, f"{target_dir}/{name}.parquet")
    attempts = f"{root}/{ATTEMPTS_DIR}"
    if exists(filesystem, attempts):
        filesystem.delete_dir(attempts)
