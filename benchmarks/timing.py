"""Small timing helpers shared by the in-process benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def p95_ms(fn: Callable[[], Any], repeat: int) -> float:
    """95th percentile of `repeat` calls of `fn` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    times.sort()
    return times[max(0, round(0.95 * (len(times) - 1)))] * 1000
