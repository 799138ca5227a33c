"""The one file layer: everything the build reads or writes goes through ``pyarrow.fs`` from here.

Two kinds of names reach it, and they are read differently:

- **Locations a user gives** (a recipe's source roots, ``--out``): a local path, or a URI
  ``scheme://authority/path[?options]``. The path is taken literally: a listed or given file is opened by
  exactly that name, so ``b.txt#v2.txt``, ``a?b.txt``, ``a%20b.txt`` and ``café 日本語.txt`` are
  themselves. In a URI, ``?`` starts ``pyarrow`` filesystem options only when what follows is a list of
  ``name=value`` pairs (``s3://bucket/dir?endpoint_override=http://127.0.0.1:9000``, for an
  S3-compatible server); Hadoop's ``s3a://``/``s3n://`` are read as ``s3://``.
- **Paths Spark reports** (``_metadata.file_path``): percent-encoded URIs (``file:/tmp/a%20b/part-0``),
  decoded by ``resolve_spark_file``.

A filesystem is named by a small string key (``""`` for local, else ``scheme://authority?options``), so
tasks receive plain strings and each Python worker builds each filesystem once.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.fs as pafs

LOCAL = ""  # the filesystem key of the local filesystem
_OPTIONS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[^&]*(&[A-Za-z_][A-Za-z0-9_]*=[^&]*)*$")
_HADOOP_SCHEMES = {"s3a": "s3", "s3n": "s3"}
_BUCKET_SCHEMES = ("s3", "gs", "gcs")


def split_location(location: str) -> tuple[str, str]:
    """(filesystem key, literal path on that filesystem) for a user-given local path or URI.

    >>> split_location("s3a://bucket/dir with space/a#b.txt")
    ('s3://bucket', 'bucket/dir with space/a#b.txt')
    >>> split_location("s3://bucket/d?endpoint_override=http://127.0.0.1:9000")
    ('s3://bucket?endpoint_override=http://127.0.0.1:9000', 'bucket/d')
    >>> split_location("s3://key:secret@bucket/d")
    ('s3://key:secret@bucket', 'bucket/d')
    >>> split_location("file:///tmp/a%20b?.txt")
    ('', '/tmp/a%20b?.txt')
    """
    if "://" not in location and not location.startswith("file:"):
        return LOCAL, os.path.abspath(location)
    if location.startswith("file:"):
        rest = location[len("file:") :]
        if rest.startswith("//"):
            authority, _, path = rest[2:].partition("/")
            if authority not in ("", "localhost"):
                raise ValueError(f"{location}: a file: URI names no host (file:///path)")
            rest = "/" + path
        return LOCAL, os.path.abspath(rest)
    scheme, rest = location.split("://", 1)
    scheme = _HADOOP_SCHEMES.get(scheme.lower(), scheme.lower())
    options = ""
    head, mark, tail = rest.rpartition("?")
    if mark and _OPTIONS.match(tail):
        rest, options = head, tail
    authority, _, path = rest.partition("/")
    key = f"{scheme}://{authority}" + (f"?{options}" if options else "")
    if scheme in _BUCKET_SCHEMES:  # pyarrow's paths there start with the bucket (after any key:secret@)
        return key, "/".join(p for p in (authority.rpartition("@")[2], path.strip("/")) if p)
    return key, "/" + path.strip("/")


@functools.lru_cache(maxsize=32)
def filesystem_for(key: str) -> pafs.FileSystem:
    """The filesystem for a key from ``split_location``, built once per process."""
    if key == LOCAL:
        return pafs.LocalFileSystem()
    return pafs.FileSystem.from_uri(key)[0]


def resolve_fs(location: str) -> tuple[pafs.FileSystem, str]:
    """A filesystem and literal path for a user-given local path or URI."""
    key, path = split_location(location)
    return filesystem_for(key), path


def resolve_spark_file(uri: str) -> tuple[pafs.FileSystem, str]:
    """A filesystem and path for a file path Spark reported (percent-encoded: ``file:/tmp/a%20b/x``)."""
    if uri.startswith("file:"):
        return resolve_fs("file:" + unquote(uri[len("file:") :]))
    if "://" not in uri:  # a plain local path
        return resolve_fs(uri)
    scheme, _, rest = uri.partition("://")
    return resolve_fs(f"{scheme}://{unquote(rest)}")


def exists(filesystem: pafs.FileSystem, path: str) -> bool:
    return filesystem.get_file_info(path).type != pafs.FileType.NotFound


def write_bytes_atomic(filesystem: pafs.FileSystem, path: str, data: bytes) -> None:
    """Write under a temporary name, then rename: a killed writer leaves no file that looks complete."""
    parent = path.rpartition("/")[0]
    if parent:
        filesystem.create_dir(parent, recursive=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with filesystem.open_output_stream(tmp) as out:
        out.write(data)
    filesystem.move(tmp, path)


@dataclass(frozen=True)
class Folder:
    """A folder on any filesystem, by the location a user gave (``OUT``, a local path or a URI).

    Spark is handed ``uri(...)`` (the location as given, plus ``/``-joined parts); files are read and written
    through ``pyarrow.fs`` at ``path(...)``. Plain strings only, so a ``Folder`` travels into Spark tasks.
    """

    location: str

    def __post_init__(self):
        # Tasks run in other working directories: a relative local location is made absolute here.
        if "://" not in self.location and not self.location.startswith("file:"):
            object.__setattr__(self, "location", os.path.abspath(self.location))

    @property
    def _split(self) -> tuple[str, str]:
        return split_location(self.location)

    @property
    def filesystem(self) -> pafs.FileSystem:
        return filesystem_for(self._split[0])

    def uri(self, *parts: str) -> str:
        return "/".join([self.location.rstrip("/"), *parts])

    def path(self, *parts: str) -> str:
        root = self._split[1]
        return "/".join([root.rstrip("/") or "", *parts]) if parts else root

    def sub(self, *parts: str) -> Folder:
        return Folder(self.uri(*parts))

    def exists(self, *parts: str) -> bool:
        return exists(self.filesystem, self.path(*parts))

    def read_bytes(self, *parts: str) -> bytes:
        with self.filesystem.open_input_stream(self.path(*parts), compression=None) as f:
            return f.read()

    def read_text(self, *parts: str) -> str:
        return self.read_bytes(*parts).decode("utf-8")

    def read_json(self, *parts: str):
        return json.loads(self.read_bytes(*parts))

    def write_bytes(self, parts: tuple[str, ...] | str, data: bytes) -> None:
        parts = (parts,) if isinstance(parts, str) else parts
        write_bytes_atomic(self.filesystem, self.path(*parts), data)

    def write_text(self, parts: tuple[str, ...] | str, text: str) -> None:
        self.write_bytes(parts, text.encode("utf-8"))

    def write_json(self, parts: tuple[str, ...] | str, data) -> None:
        self.write_text(parts, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))

    def delete(self, *parts: str) -> None:
        """Delete a file if it is there."""
        path = self.path(*parts)
        if exists(self.filesystem, path):
            self.filesystem.delete_file(path)

    def clear(self, *parts: str) -> None:
        """Make ``parts`` an empty folder (nothing of an earlier run survives)."""
        path = self.path(*parts)
        self.filesystem.create_dir(path, recursive=True)
        self.filesystem.delete_dir_contents(path, missing_dir_ok=True)

    def is_local(self) -> bool:
        return self._split[0] == LOCAL


ATTEMPTS_DIR = "_attempts"  # task-written files land here first; Spark and pyarrow skip names starting "_"


def move_task_files(filesystem: pafs.FileSystem, root: str, files) -> dict[str, int]:
    """Move the files that tasks wrote as ``<root>/_attempts/[<dir>/]<stem>-<n>.<attempt>.parquet`` to
    ``<root>/[<dir>/]<stem>-<n>.parquet``, for the attempts whose results Spark kept (``files``: rows with a
    ``location``, a ``source`` and its documents in the file as ``n_records``), then delete ``_attempts``
    with any retried or speculative attempt's files. Returns the documents per source the files hold."""
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
    written: dict[str, int] = {}
    for row in files:
        written[row["source"]] = written.get(row["source"], 0) + int(row["n_records"])
    return written


def write_empty_parquet(filesystem: pafs.FileSystem, root: str, schema: pa.Schema) -> None:
    """One empty ``part-00000.parquet`` under ``root``, so that readers of a dataset with no rows still
    find its schema."""
    import pyarrow.parquet as pq

    filesystem.create_dir(root, recursive=True)
    with filesystem.open_output_stream(f"{root}/part-00000.parquet") as stream:
        pq.write_table(schema.empty_table(), stream)


class TaskFiles:
    """Parquet files one task writes under ``<root>/_attempts/<directory>/``, named by partition and task
    attempt (a retried or speculative attempt never writes over another's file), with the documents of
    each source they hold. Two jobs writing into one folder give their files different ``stem``s."""

    def __init__(self, root_uri: str, partition: int, attempt: int, stem: str = "part"):
        self.filesystem, root = resolve_fs(root_uri)
        self.prefix = f"{root}/{ATTEMPTS_DIR}"
        self.name = f"{stem}-{partition:05d}.{attempt}.parquet"
        self.files: dict[str, list] = {}  # directory -> [path, stream, ParquetWriter, {source: documents}]

    def write_by_source(self, batch: pa.RecordBatch, schema: pa.Schema) -> None:
        """Each source's rows to its own ``source=<name>`` file (the source column becomes the directory)."""
        import pyarrow.compute as pc

        if not batch.num_rows:
            return
        table = pa.Table.from_batches([batch])
        for source in sorted(pc.unique(table.column("source")).to_pylist()):
            self.write(f"source={source}", table.filter(pc.equal(table.column("source"), source)), schema)

    def write(self, directory: str, rows, schema: pa.Schema) -> None:
        """Append ``rows`` (a table or batch with a ``source`` column) to this task's file in ``directory``."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if not rows.num_rows:
            return
        if directory not in self.files:
            path = f"{self.prefix}/{directory}/{self.name}" if directory else f"{self.prefix}/{self.name}"
            self.filesystem.create_dir(path.rsplit("/", 1)[0], recursive=True)
            stream = self.filesystem.open_output_stream(path)
            self.files[directory] = [path, stream, pq.ParquetWriter(stream, schema), Counter()]
        entry = self.files[directory]
        table = rows if isinstance(rows, pa.Table) else pa.Table.from_batches([rows])
        entry[2].write_table(table.select(schema.names).cast(schema))
        counts = pc.value_counts(table.column("source")).to_pylist()
        entry[3].update({c["values"]: c["counts"] for c in counts})

    def close(self) -> list[tuple[str, dict[str, int]]]:
        """(path, documents per source) of every file written."""
        files = []
        for _, (path, stream, writer, per_source) in sorted(self.files.items()):
            writer.close()
            stream.close()
            files.append((path, dict(per_source)))
        return files
