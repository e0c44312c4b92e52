"""`thesis watch --dask`: the watch pass on a real local Dask scheduler with two worker processes,
beside the local pass over the same ideas in the same run, their journals checked equal.

Each size: generated ideas on 500 S&P 500 constituents (benchmarks.bench_watch.generate); the first
pass (an empty journal) locally and on the cluster, then the next session's pass on the cluster.
Each is timed warm: a pass at the session before has loaded the bars and kernels (in this process
and in each worker). The cluster's pass is ``watch_pass_dask(rows=False)``: it journals everything
but keeps no board rows here (a million rows do not fit beside the workers). Sizes:
``BENCH_WATCH_DASK_SIZES=30000,100000`` (default 100,000 and 1,000,000); the local pass runs up to
``BENCH_WATCH_DASK_LOCAL_MAX`` ideas (default 200,000: above, its rows and lifecycles do not fit in
memory). ``python -m benchmarks watch_dask``.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.bench_watch import ASOF, PREVIOUS, generate
from benchmarks.bench_watch_scale import universe

SIZES = (100_000, 1_000_000)
LOCAL_MAX = int(os.environ.get("BENCH_WATCH_DASK_LOCAL_MAX", 200_000))


def sizes() -> tuple[int, ...]:
    raw = os.environ.get("BENCH_WATCH_DASK_SIZES")
    return tuple(int(x) for x in raw.split(",")) if raw else SIZES


def stripped(path: Path):
    """The journal's records, one at a time, without their wall-clock stamps."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            rec.pop("recorded", None)
            rec.pop("at", None)
            yield rec


def same_journal(a: Path, b: Path) -> bool:
    """Equal record for record, in the same order (streamed: a million ideas' journal is large)."""
    missing = object()
    from itertools import zip_longest

    return all(x == y for x, y in zip_longest(stripped(a), stripped(b), fillvalue=missing))


def run() -> list[dict]:
    from distributed import Client, LocalCluster

    data = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    source = f"csv:{data}"
    symbols, closes = universe(data, source)
    tmp = Path(tempfile.mkdtemp(prefix="bench-watch-dask-"))
    rows: list[dict] = []
    try:
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            for n in sizes():
                folder = tmp / f"ideas-{n}"
                generate(folder, n, symbols, closes)
                rows += size_rows(client, tmp / f"journals-{n}", folder, n, len(symbols), source)
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(tmp / f"journals-{n}", ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def size_rows(client, journals: Path, folder: Path, n: int, n_symbols: int, source: str) -> list[dict]:
    from thesis.watch.distributed import watch_pass_dask
    from thesis.watch.journal import Journal
    from thesis.watch.run import watch_pass

    def on_cluster(journal: str, asof: str):
        return watch_pass_dask([folder], client, asof=asof, source=source, journal=Journal(journals / journal),
                               deliver=False, rows=False)

    def workers_cpu() -> float:
        return sum(client.run(time.process_time).values())

    on_cluster("daily", PREVIOUS)                     # warm: every worker's bars and kernels loaded
    wall, cpu, wcpu = time.perf_counter(), time.process_time(), workers_cpu()
    remote = on_cluster("dask", ASOF)
    remote_wall, remote_cpu = time.perf_counter() - wall, time.process_time() - cpu
    remote_wcpu = workers_cpu() - wcpu
    wall = time.perf_counter()
    nxt = on_cluster("daily", ASOF)
    next_wall = time.perf_counter() - wall
    local_wall = local_cpu = same = None
    if n <= LOCAL_MAX:
        watch_pass([folder], asof=PREVIOUS, source=source, journal=Journal(journals / "warm"), deliver=False)
        wall, cpu = time.perf_counter(), time.process_time()
        local = watch_pass([folder], asof=ASOF, source=source, journal=Journal(journals / "local"), deliver=False)
        local_wall, local_cpu = time.perf_counter() - wall, time.process_time() - cpu
        same = same_journal(journals / "local" / "journal.jsonl", journals / "dask" / "journal.jsonl") \
            and len(local.new_events) == len(remote.new_events)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    check = ("journal equal to the local pass's, record for record" if same else
             "NOT equal to the local pass's journal" if same is False else
             f"local pass not run above {LOCAL_MAX:,} ideas (memory)")
    return [{"name": f"watch --once --dask, local scheduler + 2 worker processes: {n:,} ideas on {n_symbols} "
                     f"symbols, first pass ({len(remote.new_events):,} events; {check}; client max RSS "
                     f"{rss:,.0f} MB; the workers' CPU {remote_wcpu:.4g} s, the cpu column is the client's)",
             "value": remote_wall, "cpu": remote_cpu, "unit": "s", "peer": "the local pass, same run",
             "peer_value": local_wall, "peer_cpu": local_cpu, "target": "same events", "met": same},
            {"name": f"  the next session's pass on the cluster ({len(nxt.new_events):,} new events)",
             "value": next_wall, "unit": "s", "peer": None, "peer_value": None, "target": "measured", "met": None}]
