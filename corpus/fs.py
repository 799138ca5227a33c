"""Files on any storage Spark reads: a ``pyarrow.fs`` filesystem for a local path or a URI, for the stages
whose tasks write files themselves (kept documents, shards)."""

from __future__ import annotations

import os

import pyarrow.fs as pafs


def resolve_fs(uri: str) -> tuple[pafs.FileSystem, str]:
    """A ``pyarrow.fs`` filesystem and path for a local path or URI (``s3a://`` is read as ``s3://``)."""
    if "://" not in uri:
        return pafs.LocalFileSystem(), os.path.abspath(uri)
    for hadoop_scheme in ("s3a://", "s3n://"):
        if uri.startswith(hadoop_scheme):
            uri = "s3://" + uri[len(hadoop_scheme) :]
    return pafs.FileSystem.from_uri(uri)


def exists(filesystem: pafs.FileSystem, path: str) -> bool:
    return filesystem.get_file_info(path).type != pafs.FileType.NotFound
