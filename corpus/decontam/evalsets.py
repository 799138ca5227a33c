"""Evaluation sets as items: every format the decontamination stage reads, named explicitly.

An *item* is one evaluation example (a question with its choices, a passage, a dialogue) given as the list
of its text segments in file order. The index treats an item's segments as one run of words, so an n-gram
may span two segments (a question and its first choice) and an item shorter than n words is one n-gram of
all its words. Every set is described by an ``EvalSetSpec`` (one ``[[decontaminate.sets]]`` table of a
recipe); ``load_evalset`` reads it into an ``EvalSet`` with the file's sha256 for the manifest.

Formats (``format`` and what ``fields`` means for it):

- ``jsonl``: one JSON object per line; ``fields`` are keys, dotted for nested objects (``question.stem``);
  a value is a string or a list of strings (lists nest; a path through a list of objects maps over it, so
  ``question.choices.text`` reads ARC's original layout). ``null`` is no text; a missing key is an error.
- ``txt``: one item per non-blank line; no fields.
- ``line_groups``: every ``group`` lines are one item; ``fields`` are the 1-based line numbers within a
  group that hold text (default: all). HellaSwag's text export is ``group = 6, fields = [1, 3, 4, 5, 6]``
  (line 2 is the gold label).
- ``parlai``: ParlAI's dialogue text (FbDialog) format, one item per episode (an episode restarts at line
  number 1): ``N your persona: ...`` lines, then ``N partner utterance<TAB>response[<TAB>...]`` turns.
  ``fields`` pick ``persona`` (the persona sentences, prefix removed), ``text`` (what the partner says) and
  ``labels`` (the answer; ``|`` separates several); default all three, as ConvAI2 shows the model all.

Compressed files (``.gz``, ``.bz2``, ``.zst``, ``.xz``) are read through the readers' decompressors, chosen by
the file name; the sha256 is of the file as stored. Any line that cannot be read as its format says is an
error naming the file and line: an evaluation set is configuration, and a silently skipped item would be a
hole in the decontamination.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from corpus.runtime.fs import resolve_fs
from corpus.sources.base import CountingReader, iter_lines, open_decompressed

FORMATS = ("jsonl", "txt", "line_groups", "parlai")
PARLAI_FIELDS = ("persona", "text", "labels")
_PERSONA = re.compile(r"(?:your|partner's) persona: ?")
_PARLAI_LINE = re.compile(r"(\d+) (.*)", re.DOTALL)


class EvalSetError(ValueError):
    """An evaluation set that cannot be read as its spec says, with the file and line."""


@dataclass(frozen=True)
class EvalSetSpec:
    """One evaluation set to decontaminate against (a ``[[decontaminate.sets]]`` table)."""

    name: str  # short name used in stats and reports ("piqa_valid")
    path: str  # local path or URI of the file, compressed or not
    format: str  # one of FORMATS
    fields: tuple[
        str | int, ...
    ] = ()  # jsonl: dotted keys; line_groups: 1-based line numbers; parlai: PARLAI_FIELDS
    group: int = 0  # line_groups only: lines per item

    def __post_init__(self):
        if not self.name or not self.path:
            raise EvalSetError("an evaluation set needs a name and a path")
        if self.format not in FORMATS:
            raise EvalSetError(f"set {self.name!r}: format must be one of {FORMATS}, not {self.format!r}")
        fields = tuple(self.fields)
        if self.format != "line_groups" and self.group:
            raise EvalSetError(f"set {self.name!r}: group is for format line_groups only")
        if self.format == "jsonl":
            if not fields or not all(isinstance(f, str) and f for f in fields):
                raise EvalSetError(f"set {self.name!r}: jsonl needs fields, a list of (dotted) keys")
        elif self.format == "txt":
            if fields:
                raise EvalSetError(f"set {self.name!r}: txt has no fields (each line is an item)")
        elif self.format == "line_groups":
            if self.group < 1:
                raise EvalSetError(f"set {self.name!r}: line_groups needs group >= 1 (lines per item)")
            fields = fields or tuple(range(1, self.group + 1))
            if not all(isinstance(f, int) and 1 <= f <= self.group for f in fields):
                raise EvalSetError(
                    f"set {self.name!r}: line_groups fields are line numbers 1..{self.group}, not {fields}"
                )
        else:
            fields = fields or PARLAI_FIELDS
            if not set(fields) <= set(PARLAI_FIELDS):
                raise EvalSetError(
                    f"set {self.name!r}: parlai fields are some of {PARLAI_FIELDS}, not {fields}"
                )
        if len(set(fields)) != len(fields):
            raise EvalSetError(f"set {self.name!r}: a field is listed twice in {fields}")
        object.__setattr__(self, "fields", fields)


@dataclass(frozen=True)
class EvalSet:
    """An evaluation set read into items."""

    spec: EvalSetSpec
    sha256: str  # of the file as stored
    items: tuple[tuple[str, ...], ...]  # each item's text segments, in file order
    lines: tuple[int, ...]  # 1-based line (of the decompressed file) where each item starts

    @property
    def name(self) -> str:
        return self.spec.name

    def __len__(self) -> int:
        return len(self.items)

    def location(self, item: int) -> str:
        """Where item ``item`` is, for reports: ``piqa_valid.jsonl:line 12``."""
        return f"{PurePosixPath(self.spec.path).name}:line {self.lines[item]}"

    def manifest(self) -> dict:
        """What a run's manifest records about the set."""
        spec = self.spec
        return {
            "name": spec.name,
            "path": spec.path,
            "format": spec.format,
            "fields": list(spec.fields),
            "group": spec.group,
            "sha256": self.sha256,
            "items": len(self.items),
        }


def load_evalset(spec: EvalSetSpec, raw: BinaryIO | None = None) -> EvalSet:
    """Read ``spec``'s file (or ``raw``, its bytes as stored) into an ``EvalSet``."""
    if raw is None:
        filesystem, path = resolve_fs(spec.path)
        with filesystem.open_input_stream(path, compression=None) as stream:  # ours decompresses
            return load_evalset(spec, stream)
    hashing = _HashingReader(raw)
    items, lines = [], []
    for line, item in iter_items(open_decompressed(hashing, spec.path), spec):
        items.append(item)
        lines.append(line)
    hashing.drain()
    return EvalSet(spec, hashing.hexdigest(), tuple(items), tuple(lines))


def iter_items(stream: BinaryIO, spec: EvalSetSpec) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(first line, item) for each item of a decompressed stream in ``spec``'s format."""
    lines = _text_lines(stream, spec)
    if spec.format == "jsonl":
        return _jsonl(lines, spec)
    if spec.format == "txt":
        return ((number, (line,)) for number, line in lines if line.strip())
    if spec.format == "line_groups":
        return _line_groups(lines, spec)
    return _parlai(lines, spec)


def _text_lines(stream: BinaryIO, spec: EvalSetSpec) -> Iterator[tuple[int, str]]:
    for number, raw in iter_lines(stream):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise EvalSetError(f"{spec.path}:line {number}: not UTF-8 ({err})") from None


def _jsonl(lines, spec: EvalSetSpec):
    paths = [field.split(".") for field in spec.fields]
    for number, line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise EvalSetError(f"{spec.path}:line {number}: not JSON ({err})") from None
        if not isinstance(obj, dict):
            raise EvalSetError(f"{spec.path}:line {number}: a JSON object per line, not {type(obj).__name__}")
        segments: list[str] = []
        for field, path in zip(spec.fields, paths, strict=True):
            try:
                _collect(obj, path, segments)
            except (KeyError, TypeError) as err:
                raise EvalSetError(f"{spec.path}:line {number}: field {field!r}: {err}") from None
        yield number, tuple(segments)


def _collect(value, path: list[str], out: list[str]) -> None:
    """Append the strings at ``path`` under ``value`` to ``out`` (lists are mapped over at any level)."""
    if isinstance(value, list):
        for element in value:
            _collect(element, path, out)
    elif path:
        if not isinstance(value, dict):
            raise TypeError(f"{path[0]!r} asked of a {type(value).__name__}")
        if path[0] not in value:
            raise KeyError(f"no key {path[0]!r} (keys: {sorted(value)})")
        _collect(value[path[0]], path[1:], out)
    elif isinstance(value, str):
        out.append(value)
    elif value is not None:
        raise TypeError(f"a string or a list of strings, not {type(value).__name__}")


def _line_groups(lines, spec: EvalSetSpec):
    group: list[str] = []
    first = 0
    for number, line in lines:
        if not group:
            first = number
        group.append(line)
        if len(group) == spec.group:
            yield first, tuple(group[f - 1] for f in spec.fields)
            group = []
    if group:
        raise EvalSetError(
            f"{spec.path}: ends inside a group of {spec.group} lines ({len(group)} lines from line {first})"
        )


def _parlai(lines, spec: EvalSetSpec):
    want = set(spec.fields)
    segments: list[str] = []
    first, previous = 0, 0
    for number, line in lines:
        if not line.strip():
            continue
        m = _PARLAI_LINE.fullmatch(line)
        if not m:
            raise EvalSetError(f"{spec.path}:line {number}: not '<turn number> <text>'")
        turn, rest = int(m.group(1)), m.group(2).replace("\\n", "\n")
        if turn <= previous and first:  # a new episode (ParlAI: numbering restarts at 1)
            yield first, tuple(segments)
            segments, first = [], 0
        if not first:
            first = number
        previous = turn
        parts = rest.split("\t")
        persona = _PERSONA.match(parts[0])
        if persona and len(parts) == 1:
            if "persona" in want:
                segments.append(parts[0][persona.end() :])
            continue
        if "text" in want:
            segments.append(parts[0])
        if len(parts) > 1 and "labels" in want:
            segments.extend(parts[1].split("|"))
    if first:
        yield first, tuple(segments)


class _HashingReader(CountingReader):
    """A raw stream that feeds every byte read through sha256 (the file's digest in the same pass)."""

    def __init__(self, raw: BinaryIO):
        super().__init__(raw)
        self._sha = hashlib.sha256()

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        self._sha.update(memoryview(buffer)[:n])
        return n

    def drain(self) -> None:
        """Read what the decoder left (a trailing newline, a gzip footer) so the digest covers the file."""
        while data := self._raw.read(1 << 20):
            self._sha.update(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()
