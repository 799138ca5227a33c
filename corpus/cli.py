"""``corpus`` command: one entry point, subcommands implemented in their own modules."""

from __future__ import annotations

import importlib
import sys

# subcommand -> "module:function"; each function takes the remaining argv and returns an exit code.
COMMANDS = {
    "sample": (
        "corpus.sample.generate:main",
        "write the synthetic sample corpus (all five sources, native formats)",
    ),
    "report": (
        "corpus.report.write:main",
        "print the dedup/filter statistics report of a build and write report.html",
    ),
    "tokenizer": ("corpus.tokens.tokenizer:main", "tokenizer tools: `corpus tokenizer train ...`"),
    "inspect": ("corpus.tokens.inspect:main", "summarize a shards directory and decode rows back to text"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print("usage: corpus COMMAND [ARGS...]\n\ncommands:")
        for name, (_, help_text) in COMMANDS.items():
            print(f"  {name:10s} {help_text}")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module_name, func_name = COMMANDS[argv[0]][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return int(func(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
