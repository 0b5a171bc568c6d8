"""Timing helpers shared by the small benchmark scripts (run them from the repo root)."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def machine_line() -> str:
    return f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
