"""Shared by every benchmark: timing helpers, a figure with its baseline, and the results file.

Machines here are shared and noisy, so no absolute time is a target: each
figure is our median divided by a baseline's median measured in the same run.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    name: str  # e.g. "store: median save at 100,000 annotations"
    ours: float  # median seconds (or bytes, see unit)
    baseline: float
    baseline_name: str  # e.g. "stock TinyDB"
    target: float | None = None  # the ratio we must stay at or under
    unit: str = "s"
    p95: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target

    def line(self) -> str:
        verdict = "" if self.ok is None else ("  ok" if self.ok else "  MISSED")
        target = f" (target ≤ {self.target:g}×)" if self.target is not None else ""
        extra = f", p95 {_fmt(self.p95, self.unit)}" if self.p95 is not None else ""
        return (
            f"{self.name}: {self.ratio:.3g}× {self.baseline_name}{target}{verdict}"
            f"   [ours {_fmt(self.ours, self.unit)}{extra}; baseline {_fmt(self.baseline, self.unit)}]"
        )


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "B":
        return f"{value / 2**20:.1f} MiB"
    return f"{value:g} {unit}"


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def save(figures: list[Figure], name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "figures": [dict(asdict(f), ratio=f.ratio, ok=f.ok) for f in figures],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
