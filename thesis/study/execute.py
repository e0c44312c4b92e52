"""Run the per-symbol work locally (threads over nogil kernels) or on a Dask cluster.

Both paths return blocks of the event table in symbol order, so the outcome never depends on
who ran it: locally, every symbol's events are found in turn (``engine.symbol_events``), then one
block simulates all of them (the fill kernel on ``workers`` threads over symbol ranges, ``nogil``);
on a cluster each chunk of symbols is a block (``engine.run_chunk``).  ``dask`` may be a
scheduler address ("tcp://host:8786"), a ``distributed.Client`` or a cluster object
(e.g. ``distributed.LocalCluster``).
"""
from __future__ import annotations

import os

from thesis.extras import dask_client, require
from thesis.study.engine import SymbolData, block_result, run_chunk, symbol_events
from thesis.study.plan import StudyPlan


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _events(plan: StudyPlan, part: list[SymbolData]) -> list[dict]:
    return [symbol_events(plan, data) for data in part]


def run_all(plan: StudyPlan, data: list[SymbolData], dask=None, workers: int | None = None,
            progress=None) -> list[dict]:
    """Blocks of the event table (engine.run_chunk's format) in the order of ``data``.
    ``progress(done, total)`` after each chunk of symbols."""
    workers = default_workers() if workers is None else max(1, int(workers))
    size = max(1, min(32, len(data) // (4 * workers) or 1))
    parts = chunks(data, size)
    total = len(data)
    if dask is not None:
        return _run_dask(plan, parts, dask, progress, total)
    # Finding the events is mostly Python between short kernels (GIL-bound: threads measured no
    # faster), so it runs here; the simulation, all in kernels that release the GIL, uses the threads.
    results: list[list[dict]] = []
    done = 0
    for part in parts:
        results.append(_events(plan, part))
        done += len(part)
        if progress:
            progress(done, total)
    return [block_result(plan, data, [e for part in results for e in part], workers)]


def _client(dask):
    return dask_client(dask, "a study on a Dask cluster (dask=)")


def _run_dask(plan, parts, dask, progress, total) -> list[dict]:
    as_completed = require("distributed", "a study on a Dask cluster (dask=)").as_completed

    client, owned = _client(dask)
    try:
        plan_future = client.scatter(plan, broadcast=True)
        futures = [client.submit(run_chunk, plan_future, part, pure=False) for part in parts]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(parts)
        done = 0
        for fut in as_completed(futures):
            i = index[fut.key]
            results[i] = fut.result()
            done += len(parts[i])
            if progress:
                progress(done, total)
        return results
    finally:
        if owned:
            client.close()
