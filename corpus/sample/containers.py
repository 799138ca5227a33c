"""Byte-exact, deterministic container formats: big-window zstd (as Pushshift wrote it) and gzip members.

Determinism matters: the same seed must give byte-identical files, so gzip headers carry no time stamp
or file name, and zstd runs single-threaded.
"""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import zstandard

# Pushshift compressed its dumps with `zstd --long=31`: a 2 GiB window, long-distance matching. A frame
# written with an unknown content size keeps that window in its header, so a decoder without
# max_window_size=2**31 refuses it ("Frame requires too much memory") - the trap the readers must handle.
ZSTD_WINDOW_LOG = 31
ZSTD_LEVEL = 3
GZIP_LEVEL = 3  # speed over size: benchmark corpora are written at tens of MB/s


def zstd_compressor(level: int = ZSTD_LEVEL) -> zstandard.ZstdCompressor:
    params = zstandard.ZstdCompressionParameters.from_level(
        level, window_log=ZSTD_WINDOW_LOG, enable_ldm=True
    )
    return zstandard.ZstdCompressor(compression_params=params)


class ZstdFile:
    """A file written as one big-window zstd frame, streamed (the content size is never known up front)."""

    def __init__(self, path: str | Path):
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._writer = zstd_compressor().stream_writer(self._fh, closefd=False)
        self.raw_bytes = 0

    def write(self, data: bytes) -> None:
        self._writer.write(data)
        self.raw_bytes += len(data)

    def close(self) -> int:
        """End the frame; returns the compressed size."""
        self._writer.close()
        size = self._fh.tell()
        self._fh.close()
        return size


def zstd_frame(data: bytes) -> bytes:
    """``data`` as one complete big-window zstd frame."""
    buf = io.BytesIO()
    with zstd_compressor().stream_writer(buf, closefd=False) as writer:
        writer.write(data)
    return buf.getvalue()


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """``data`` as one gzip member with a fixed header (mtime 0, no name): identical bytes on every run."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31 = gzip container, mtime 0
    return compressor.compress(data) + compressor.flush()


def open_output(path: str | Path) -> BinaryIO:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return open(path, "wb")  # noqa: SIM115 - the caller closes it


def write_bytes(path: str | Path, data: bytes) -> int:
    """Write a whole file; returns its size."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def file_size(path: str | Path) -> int:
    return os.stat(path).st_size
