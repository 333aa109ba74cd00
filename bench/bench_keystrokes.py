"""Registers `bench/keystrokes.py` (keys per task of the analyst's loop) with `python -m bench`, which runs `bench_*` modules."""

from __future__ import annotations

from bench.keystrokes import run

__all__ = ["run"]
