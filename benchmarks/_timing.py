"""Timing shared by the benchmarks: best of a few runs after one warm-up run."""
from __future__ import annotations

import time


def best_time(fn, repeat: int = 3) -> float:
    """Seconds of the fastest of ``repeat`` calls, after one call that warms caches
    (numba compilation, the page cache, pandas internals)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)
