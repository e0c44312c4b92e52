"""One `thesis watch` pass over generated ideas on the S&P 500 constituents, warm store.

1,000 ideas on 500 symbols (target < 5 s), beside calling ``replay(idea, asof=D)`` once per idea
in the same run (the peer: what a loop over the ideas with the replay API costs); 10,000 ideas
measured too.  ``python -m benchmarks watch``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

ASOF = "2024-06-28"
PREVIOUS = "2024-06-27"


def generate(folder: Path, n: int, symbols: list[str], closes: dict, seed: int = 7) -> list[Path]:
    """n ideas spread over the symbols: longs/shorts with zones 0-10 % away from the price at publication."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        sym = symbols[i % len(symbols)]
        price = closes[sym]
        short = bool(rng.integers(0, 2))
        off = float(rng.uniform(0.0, 0.10))
        width = float(rng.uniform(0.005, 0.02))
        if short:
            lo = price * (1 + off)
            hi = lo * (1 + width)
            stop = hi * (1 + rng.uniform(0.03, 0.10))
            targets = sorted([lo * (1 - rng.uniform(0.05, 0.12)), lo * (1 - rng.uniform(0.13, 0.25))], reverse=True)
        else:
            hi = price * (1 - off)
            lo = hi * (1 - width)
            stop = lo * (1 - rng.uniform(0.03, 0.10))
            targets = sorted([hi * (1 + rng.uniform(0.05, 0.12)), hi * (1 + rng.uniform(0.13, 0.25))])
        horizon = ["3mo", "6mo", "60s", "8w"][i % 4]
        trig = (f'\n[[triggers]]\nkind = "zone_rejection"\ntimeframe = "1d"\nzone = [{lo:.2f}, {hi:.2f}]\n'
                if i % 5 == 0 else "")
        text = (f'schema_version = 1\n[idea]\ntitle = "gen {i}"\nsymbol = "{sym}"\npublished = 2024-01-02\n'
                f'direction = "{"short" if short else "long"}"\nhorizon = "{horizon}"\nadjustment = "adjusted"\n'
                f'[levels]\nentry_zone = [{lo:.2f}, {hi:.2f}]\nstop = {stop:.2f}\n'
                f'targets = [{targets[0]:.2f}, {targets[1]:.2f}]\nsizes = [0.5, 0.5]\n{trig}')
        f = folder / f"gen-{i:05d}.toml"
        f.write_text(text)
        files.append(f)
    return files


def run() -> list[dict]:
    from thesis.data import load_bars
    from thesis.replay import replay
    from thesis.watch.journal import Journal
    from thesis.watch.run import watch_pass

    data = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    source = f"csv:{data}"
    symbols = sorted(p.stem for p in data.glob("*.csv"))
    closes = {}
    for s in symbols:
        bars = load_bars(s, "adjusted", source, end="2024-01-02")
        if len(bars) and bars.index[-1].year == 2024 or len(bars) and str(bars.index[-1].date()) >= "2023-12-29":
            closes[s] = float(bars["close"].iloc[-1])
        if len(closes) == 500:
            break
    symbols = sorted(closes)
    tmp = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    rows = []
    try:
        rows += board_rows(tmp, symbols, closes, source)
        for n in (1000, 10000):
            folder = tmp / f"ideas-{n}"
            generate(folder, n, symbols, closes)
            # warm: bars in the provider's cache, numba compiled, modules imported
            watch_pass([folder], asof=ASOF, source=source, journal=Journal(tmp / f"warm-{n}"))
            t = time.perf_counter()
            res = watch_pass([folder], asof=ASOF, source=source, journal=Journal(tmp / f"run-{n}"))
            ours = time.perf_counter() - t
            states = {}
            for r in res.rows:
                if r.status is not None:
                    states[r.status.state] = states.get(r.status.state, 0) + 1
            # the daily case: yesterday's journal exists; closed/expired ideas are final and skipped
            daily = Journal(tmp / f"daily-{n}")
            watch_pass([folder], asof=PREVIOUS, source=source, journal=daily)
            t = time.perf_counter()
            watch_pass([folder], asof=ASOF, source=source, journal=daily)
            next_day = time.perf_counter() - t
            peer_value = None
            if n == 1000:
                t = time.perf_counter()
                for f in sorted(folder.glob("*.toml")):
                    replay(f, source=source, asof=ASOF, with_confirmations=False, with_options=False)
                peer_value = time.perf_counter() - t
            rows.append({"name": f"watch --once: {n:,} ideas on {len(symbols)} symbols, warm "
                                 f"({len(res.new_events):,} events journaled; "
                                 + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) + ")",
                         "value": ours, "unit": "s",
                         "peer": "replay(idea, asof=D) per idea" if peer_value is not None else None,
                         "peer_value": peer_value,
                         "target": "< 5 s" if n == 1000 else "measured",
                         "met": (ours < 5.0) if n == 1000 else None})
            rows.append({"name": f"  the next session's pass over the same {n:,} ideas (journal of {PREVIOUS} "
                                 f"present: final ideas skipped)", "value": next_day, "unit": "s", "peer": None,
                         "peer_value": None, "target": "< 5 s" if n == 1000 else "measured",
                         "met": (next_day < 5.0) if n == 1000 else None})
        rows.append(journal_row(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def journal_row(tmp: Path, ideas: int = 200, per_idea: int = 3) -> dict:
    """Why the journal is a file: per-idea commits to the JSON-lines journal vs to a DuckDB table."""
    import json

    import duckdb

    from thesis.watch.journal import Journal

    recs = [{"t": "event", "id": f"{i:016x}", "idea": f"gen-{i // per_idea:05d}", "kind": "filled",
             "session": "2024-01-05", "price": 101.5, "r": 0.0, "text": "bought XYZ at 101.50; stop 95.00",
             "revision": 0, "outbox": ["desk"]} for i in range(ideas * per_idea)]
    j = Journal(tmp / "journal-bench")
    t = time.perf_counter()
    with j.lock(1) as jr:
        for k in range(0, len(recs), per_idea):
            jr.append(recs[k:k + per_idea])
    ours = time.perf_counter() - t
    t = time.perf_counter()
    con = duckdb.connect(str(tmp / "journal-bench.duckdb"))
    con.execute("create table journal (id varchar primary key, idea varchar, kind varchar, rec json)")
    for k in range(0, len(recs), per_idea):
        con.execute("begin")
        con.executemany("insert into journal values (?, ?, ?, ?) on conflict do nothing",
                        [(r["id"], r["idea"], r["kind"], json.dumps(r)) for r in recs[k:k + per_idea]])
        con.execute("commit")
    con.close()
    peer = time.perf_counter() - t
    return {"name": f"journal: {len(recs)} events in {ideas} per-idea commits (JSON lines + fsync)", "value": ours,
            "unit": "s", "peer": "DuckDB table, one transaction per idea", "peer_value": peer,
            "target": "faster than the peer", "met": ours < peer}


BOARD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from thesis.replay import replay
from thesis.watch.run import board, watch_pass
t1 = time.perf_counter()
folder, source, asof = sys.argv[1:4]
res = watch_pass([folder], asof=asof, source=source, write=False, deliver=False); rows = board(res)
t2 = time.perf_counter()
res = watch_pass([folder], asof=asof, source=source, write=False, deliver=False); rows = board(res)
t3 = time.perf_counter()
from pathlib import Path
for f in sorted(Path(folder).glob("*.toml")):
    replay(f, source=source, asof=asof, with_confirmations=False, with_options=False)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "first": t2 - t1, "again": t3 - t2, "replay": t4 - t3, "n": len(rows)}))
"""


def board_rows(tmp: Path, symbols: list[str], closes: dict, source: str, n: int = 200) -> list[dict]:
    """The board (`thesis ideas DIR --json`, the dashboard's board) over n generated ideas, each
    figure in a fresh process: the whole command, and inside one process the first computation
    (it pays the compiled kernels' first load) and the same board again, beside calling
    ``replay(idea, asof=D)`` per idea in that process (warm)."""
    import json
    import subprocess
    import sys

    folder = tmp / f"board-{n}"
    generate(folder, n, symbols, closes, seed=11)
    env = dict(os.environ, THESIS_HOME=str(tmp / "board-home"), COLUMNS="80")
    cmd = [sys.executable, "-m", "thesis", "ideas", str(folder), "--json", "--asof", ASOF, "--source", source]
    subprocess.run(cmd, env=env, capture_output=True, check=True)          # warm the disk caches
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, check=True)
    command = time.perf_counter() - t
    assert len(json.loads(out.stdout)["ideas"]) == n
    proc = subprocess.run([sys.executable, "-c", BOARD_SCRIPT, str(folder), source, ASOF], env=env,
                          capture_output=True, check=True, text=True)
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    return [
        {"name": f"board: `thesis ideas DIR --json`, {n} ideas, the whole command (a fresh process: imports, "
                 f"kernels' first load, the board)", "value": command, "unit": "s", "peer": None, "peer_value": None,
         "target": "measured", "met": None},
        {"name": f"board: {n} ideas, the first computation in a process (after {m['imports']:.2f} s of imports; "
                 f"includes numba's first load)", "value": m["first"], "unit": "s",
         "peer": "replay(idea, asof=D) per idea, same process, warm", "peer_value": m["replay"],
         # numba's one-time kernel load (~0.5 s) is paid once per process; the dashboard's board target
         # (< 1 s) is measured by bench_web in a running server's process
         "target": "measured", "met": None},
        {"name": f"board: {n} ideas again in that process (the dashboard after an edit or a new session)",
         "value": m["again"], "unit": "s", "peer": "replay(idea, asof=D) per idea, same process, warm",
         "peer_value": m["replay"], "target": "< 1 s", "met": m["again"] < 1.0},
    ]
