"""JSON-lines files as the readers see them: a list of lines, each becoming a document, a skip or a reject.

The damaged lines planted in CC-Stories, Pile and Reddit files, and what ``corpus.sources.jsonl`` makes
of each (one record per line; the 1-based line number is the location):

=====================  ===========================================================  ==================
name                   the line                                                     becomes
=====================  ===========================================================  ==================
invalid_json           an object cut in the middle (not the last line)              reject invalid_json
not_object             a JSON array                                                 reject invalid_json
invalid_utf8           Latin-1 bytes inside an otherwise valid object               reject invalid_utf8
lone_surrogate         a ``\\ud83d`` escape without its pair (a cut emoji)           reject invalid_utf8
missing_text           an object without its text field                             reject missing_text
empty_text             ``{"text": ""}``                                             skip empty_document
blank_line             an empty line                                                skip empty_document
truncated_last_line    the file's last line, cut and without a newline             reject truncated_json
=====================  ===========================================================  ==================
"""

from __future__ import annotations

import json

from corpus.sample.truth import TaskResult
from corpus.schema import make_doc_id
from corpus.sources import reasons

LINE_CORRUPTIONS = {
    "invalid_json": reasons.INVALID_JSON,
    "not_object": reasons.INVALID_JSON,
    "invalid_utf8": reasons.INVALID_UTF8,
    "lone_surrogate": reasons.INVALID_UTF8,
    "missing_text": reasons.MISSING_TEXT,
    "truncated_last_line": reasons.TRUNCATED_JSON,
}
LINE_EMPTIES = {"empty_text", "blank_line"}


class JsonLines:
    """The lines of one JSON-lines file, in order, and the ground truth of each."""

    def __init__(self, source: str, rel: str, result: TaskResult, ensure_ascii: bool = False):
        self.source, self.rel, self.result = source, rel, result
        self.ensure_ascii = ensure_ascii
        self.lines: list[bytes] = []
        self.ends_without_newline = False

    @property
    def file(self) -> str:
        return f"{self.source}/{self.rel}"

    def dumps(self, obj: dict) -> bytes:
        return json.dumps(obj, ensure_ascii=self.ensure_ascii).encode("utf-8")

    def document(
        self, obj: dict | bytes, text: str, lang: str, traits=(), plant_key: str | None = None
    ) -> str:
        """Append a line (an object, or its serialized bytes) the reader turns into a document; returns
        its doc id."""
        doc_id = make_doc_id(self.source, self.rel, len(self.lines))
        self.lines.append(obj if isinstance(obj, bytes) else self.dumps(obj))
        self.result.add_document(doc_id, text, lang, traits=traits, plant_key=plant_key)
        return doc_id

    def skip(self, obj: dict | bytes, reason: str) -> None:
        """Append a well-formed line the reader skips by design (e.g. an excluded Pile subset)."""
        self.lines.append(obj if isinstance(obj, bytes) else self.dumps(obj))
        self.result.tally.add_skip(reason)

    def record(self, obj: dict) -> None:
        """Append a line whose fate the caller accounts for (a Reddit comment: it joins a thread)."""
        self.lines.append(self.dumps(obj))

    def corrupt(self, name: str, example: dict, text_field: str = "text") -> None:
        """Append the planted damaged or empty line ``name`` (see the module table), built from ``example``."""
        line_no = len(self.lines) + 1
        location = f"{self.rel}:line {line_no}"
        if name in LINE_EMPTIES:
            self.lines.append(b"" if name == "blank_line" else self.dumps({**example, text_field: ""}))
            self.result.add_empty(self.file, location, reasons.EMPTY_DOCUMENT, planted=name, line=line_no)
            return
        good = json.dumps(example, ensure_ascii=self.ensure_ascii)  # cut as text: never mid-character
        if name == "invalid_json":
            line = good[: len(good) // 2].encode("utf-8")
        elif name == "not_object":
            line = json.dumps([example.get("text", "")[:80], "a JSON array is not a document"]).encode()
        elif name == "invalid_utf8":
            line = b'{"text": "Caf\xe9 cr\xe8me and na\xefve: this line was written as Latin-1, not UTF-8"}'
        elif name == "lone_surrogate":
            line = b'{"text": "an emoji cut in half \\ud83d and the rest of the text"}'
        elif name == "missing_text":
            line = self.dumps({k: v for k, v in example.items() if k != text_field})
        elif name == "truncated_last_line":
            line = good[: max(len(good) * 2 // 3, 12)].encode("utf-8")
            self.ends_without_newline = True
        else:
            raise ValueError(f"unknown JSON-lines corruption {name!r}")
        self.lines.append(line)
        self.result.add_corrupt(LINE_CORRUPTIONS[name], self.file, location, planted=name, line=line_no)

    def payload(self) -> bytes:
        """The file's bytes: every line ends with a newline, except a planted truncated last line."""
        data = b"\n".join(self.lines)
        return data if self.ends_without_newline else data + b"\n"
