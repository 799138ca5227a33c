"""OPT-style corpus pipeline: library code (no spark-submit entry points here)."""

__version__ = "0.1.0"
