"""The one accounting error: records went missing (or appeared) between two counts. A bug in the
pipeline, never to be ignored; every stage's check raises it with one line per source that does not
balance."""

from __future__ import annotations


class AccountingError(RuntimeError):
    """Records read and records accounted for differ."""


def require_balanced(what: str, unbalanced: list[str]) -> None:
    """Raise ``AccountingError`` naming ``what`` and each unbalanced line, when there is any."""
    if unbalanced:
        raise AccountingError(f"{what} does not balance:\n" + "\n".join(f"  {line}" for line in unbalanced))
