"""Strict TOML -> frozen dataclass loading, shared by corpus recipes and training configs.

An unknown key, a wrong type or a missing required key is an error that names the key
(``recipe key 'dedup.threshhold' is not known; known keys: ...``): a typo that silently fell back to a
default could cost a cluster-day. ``noun`` ("recipe", "config") starts every message; ``error`` is the
exception class to raise, which a dataclass's ``__post_init__`` raises too (its message gets the section).
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from pathlib import Path


def load_toml(path: str | Path, error: type[Exception], noun: str) -> dict:
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{noun} file {path} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{noun} {path} is not valid TOML: {e}") from None


def build(cls, data, error: type[Exception], noun: str, prefix: str = ""):
    """An instance of dataclass ``cls`` from the TOML table ``data``, checking every key and type."""
    if not isinstance(data, dict):
        raise error(f"{noun} key '{prefix.rstrip('.') or '<top>'}' must be a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise error(f"{noun} key '{prefix}{unknown[0]}' is not known; known keys: {', '.join(fields)}")
    kwargs = {
        name: _convert(hints[name], value, f"{prefix}{name}", error, noun) for name, value in data.items()
    }
    missing = [
        n
        for n, f in fields.items()
        if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise error(f"{noun} key '{prefix}{missing[0]}' is required")
    try:
        return cls(**kwargs)
    except error as e:
        raise error(f"{prefix.rstrip('.') or noun}: {e}") from None


def _convert(tp, value, key: str, error, noun: str):
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return build(tp, value, error, noun, key + ".")
    if origin is dict:
        _, val_tp = typing.get_args(tp)
        if not isinstance(value, dict):
            raise error(f"{noun} key '{key}' must be a table")
        return {k: _convert(val_tp, v, f"{key}.{k}", error, noun) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):  # `X | None`, or a choice of scalar types
        if value is None and type(None) in typing.get_args(tp):
            return None
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        for option in inner:
            if option in (int, str, bool, float) and type(value) is option:
                return value
        if len(inner) == 1:
            return _convert(inner[0], value, key, error, noun)
        names = " or ".join(a.__name__ for a in inner)
        raise error(f"{noun} key '{key}' must be {names}, not {type(value).__name__} ({value!r})")
    if origin is tuple:
        (item_tp, _) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise error(f"{noun} key '{key}' must be a list, not {type(value).__name__}")
        return tuple(_convert(item_tp, v, f"{key}[{i}]", error, noun) for i, v in enumerate(value))
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp in (int, str, bool, float):
        if type(value) is not tp:
            raise error(f"{noun} key '{key}' must be {tp.__name__}, not {type(value).__name__} ({value!r})")
        return value
    raise error(f"{noun} key '{key}': unsupported type {tp}")


def dump_toml(data: dict) -> str:
    """TOML text for a table of strings, numbers, booleans, lists of those, and nested tables (what recipes
    and configs hold), so a recipe edited as data can be written back and loaded by ``load_toml``.

    >>> data = {"name": "x", "sources": {"pile": {"paths": ["a b"]}}, "d": {"n": 13, "sets": [{"name": "q"}]}}
    >>> tomllib.loads(dump_toml(data)) == data
    True
    """
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines) + "\n"


def _dump_table(table: dict, path: list[str], lines: list[str], array: bool = False) -> None:
    scalars = {k: v for k, v in table.items() if not _is_table(v) and not _is_tables(v) and v is not None}
    name = ".".join(_key(p) for p in path)
    if array:
        lines.append(f"[[{name}]]")
    elif path and scalars:
        lines.append(f"[{name}]")
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars.items())
    for key, value in table.items():
        if _is_table(value):
            _dump_table(value, [*path, key], lines)
        elif _is_tables(value):  # an array of tables: [[path.key]] per entry
            for entry in value:
                _dump_table(entry, [*path, key], lines, array=True)


def _is_table(value) -> bool:
    return isinstance(value, dict)


def _is_tables(value) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _value(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")
