"""The watch pass on the batch path at 1,000 / 10,000 / 30,000 / 100,000 ideas on 500 symbols.

Each size: the first pass (an empty journal: every event journaled) and the next session's pass
(yesterday's journal present), wall and CPU seconds, each beside its peers measured in the same
run: the previous per-idea pass (``watch_pass(..., batch=False)``) and ``replay(idea, asof=D)``
per idea. The peers are timed on a sample of the ideas and extrapolated to the size (named so in
the row). ``BENCH_WATCH_SIZES=1000,10000`` picks sizes, ``BENCH_WATCH_SAMPLE`` the peers' sample. ``python -m benchmarks watch_scale``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.bench_watch import ASOF, PREVIOUS, generate

SIZES = (1000, 10000, 30000, 100000)
SAMPLE = int(os.environ.get("BENCH_WATCH_SAMPLE", 1000))   # ideas the per-idea pass is timed on
REPLAY_SAMPLE = max(1, SAMPLE // 10)                       # ideas replay(idea, asof=D) is timed on


def clocked(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def universe(source_dir: Path, source: str) -> tuple[list[str], dict]:
    from thesis.data import load_bars

    closes = {}
    for s in sorted(p.stem for p in source_dir.glob("*.csv")):
        bars = load_bars(s, "adjusted", source, end="2024-01-02")
        if len(bars) and str(bars.index[-1].date()) >= "2023-12-29":
            closes[s] = float(bars["close"].iloc[-1])
        if len(closes) == 500:
            break
    return sorted(closes), closes


def sizes() -> tuple[int, ...]:
    raw = os.environ.get("BENCH_WATCH_SIZES")
    return tuple(int(x) for x in raw.split(",")) if raw else SIZES


def run() -> list[dict]:
    data = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    source = f"csv:{data}"
    symbols, closes = universe(data, source)
    tmp = Path(tempfile.mkdtemp(prefix="bench-watch-scale-"))
    rows: list[dict] = []
    try:
        sample = tmp / "sample"
        generate(sample, SAMPLE, symbols, closes)
        per_idea_first, per_idea_next, replay_each = peers(tmp, sample, source)
        for n in sizes():
            folder = tmp / f"ideas-{n}"
            generate(folder, n, symbols, closes)
            (wall, cpu, res), (next_wall, next_cpu, nxt) = passes(tmp / f"journals-{n}", folder, source)
            rows.append({"name": f"watch --once, batch path: {n:,} ideas on {len(symbols)} symbols, first pass "
                                 f"({len(res.new_events):,} events journaled); peer: the per-idea pass "
                                 f"({per_idea_first['cpu'] * n:.4g} s CPU; timed on {SAMPLE:,} ideas, x{n / SAMPLE:.4g})",
                         "value": wall, "cpu": cpu, "unit": "s", "peer": "previous per-idea pass",
                         "peer_value": per_idea_first["wall"] * n, "peer_cpu": per_idea_first["cpu"] * n,
                         "target": "< 5 s" if n == 100000 else "measured", "met": wall < 5.0 if n == 100000 else None})
            rows.append({"name": f"  same pass beside replay(idea, asof=D) per idea (timed on {REPLAY_SAMPLE} "
                                 f"ideas, x{n / REPLAY_SAMPLE:.4g})", "value": wall, "cpu": cpu, "unit": "s",
                         "peer": "replay(idea, asof=D) per idea", "peer_value": replay_each["wall"] * n,
                         "peer_cpu": replay_each["cpu"] * n, "target": "measured", "met": None})
            rows.append({"name": f"  the next session's pass over the same {n:,} ideas ({len(nxt.new_events):,} "
                                 f"new events)", "value": next_wall, "cpu": next_cpu, "unit": "s",
                         "peer": "previous per-idea pass, next session", "peer_value": per_idea_next["wall"] * n,
                         "peer_cpu": per_idea_next["cpu"] * n,
                         "target": "< 1 s" if n == 100000 else "measured",
                         "met": next_wall < 1.0 if n == 100000 else None})
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def passes(tmp: Path, folder: Path, source: str) -> tuple[tuple, tuple]:
    """The first pass (warm: the ideas parsed, bars and kernels loaded by a pass before it) and the
    next session's pass (the journal of the session before present), each clocked."""
    from thesis.watch.journal import Journal
    from thesis.watch.run import watch_pass

    def one(journal: str, asof: str = ASOF):
        return watch_pass([folder], asof=asof, source=source, journal=Journal(tmp / journal), deliver=False)

    one("warm")
    first = clocked(lambda: one("run"))
    one("daily", PREVIOUS)
    return first, clocked(lambda: one("daily"))


def peers(tmp: Path, sample: Path, source: str) -> tuple[dict, dict, dict]:
    """Per idea: the per-idea pass (first and next session) over the sample, and replay(asof)."""
    from thesis.replay import replay
    from thesis.watch.journal import Journal
    from thesis.watch.run import watch_pass

    def per_idea(journal: str, asof: str):
        return watch_pass([sample], asof=asof, source=source, deliver=False, batch=False,
                          journal=Journal(tmp / journal))

    per_idea("peer-warm", ASOF)
    wall, cpu, _ = clocked(lambda: per_idea("peer-run", ASOF))
    first = {"wall": wall / SAMPLE, "cpu": cpu / SAMPLE}
    per_idea("peer-daily", PREVIOUS)
    wall, cpu, _ = clocked(lambda: per_idea("peer-daily", ASOF))
    nxt = {"wall": wall / SAMPLE, "cpu": cpu / SAMPLE}
    files = sorted(sample.glob("*.toml"))[:REPLAY_SAMPLE]

    def replays():
        for f in files:
            replay(f, source=source, asof=ASOF, with_confirmations=False, with_options=False)

    replays()
    wall, cpu, _ = clocked(replays)
    return first, nxt, {"wall": wall / len(files), "cpu": cpu / len(files)}
